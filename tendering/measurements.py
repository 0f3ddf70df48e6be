"""The coalition reports its indicators: one value per indicator per period.

Nothing is overwritten: a correction is a new row that supersedes the value in
force, with who made it and why. A file of many values (CSV or XLSX) is checked
row by row and imported only when every row is valid, in one transaction.
"""

import csv
import io
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert
from sqlalchemy.orm import defer, load_only
from sqlmodel import Session, select

from . import agreement as agreements
from . import audit, award, monitoring
from .errors import DomainError, NotFound
from .models import Agreement, Case, Coalition, CoalitionMember, Indicator, Measurement, MembershipStatus, User, utcnow

REPORTING_STATES = {"realisation", "accountability"}
COLUMNS = ("indicator", "indicator_name", "period", "value", "source", "note", "correction_reason")  # the name is a reading aid
REQUIRED = ("indicator", "period", "value")
MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Reporting:
    """A coalition with a concluded agreement, as seen by one of its members."""

    coalition: Coalition
    case: Case
    agreement: Agreement

    @property
    def open(self) -> bool:
        return self.case.state in REPORTING_STATES


# Every reporting page runs this access check: one query, built once (building it per request cost more than running it).
_REPORTING = (
    select(Coalition, CoalitionMember, Case, Agreement)
    .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
    .join(Case, Case.id == Coalition.case_id)
    .outerjoin(Agreement, Agreement.award_decision_id == award.current_decision_id(Case.id, Case.round))
    .where(Coalition.id == bindparam("coalition_id"), CoalitionMember.organisation_id == bindparam("organisation_id"))
    # Not needed to report, and costly to fetch on every request: the frozen agreement (up to ~100 kB) and the case's texts.
    .options(defer(Agreement.content_html), load_only(Case.id, Case.reference, Case.title, Case.state, Case.round, Case.version))
)


def reporting_for(session: Session, coalition_id: int, user: User) -> Reporting:
    """The reporting context; not found for anyone outside the coalition or before its agreement."""
    row = None
    if user.is_authenticated and user.organisation_id is not None:
        row = session.exec(_REPORTING, params={"coalition_id": coalition_id, "organisation_id": user.organisation_id}).first()
    if row is None or row[1].status != MembershipStatus.accepted:
        raise NotFound(_("This coalition does not exist or you are not part of it."))
    coalition, _membership, case, agreement = row
    if agreement is None or agreement.concluded_at is None or agreement.coalition_id != coalition.id:
        raise NotFound(_("Your coalition has no concluded agreement to report on."))
    return Reporting(coalition, case, agreement)


def indicator_of(session: Session, reporting: Reporting, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None or indicator.agreement_id != reporting.agreement.id:
        raise NotFound(_("This indicator does not exist."))
    return indicator


def reportable_periods(indicator: Indicator, agreement: Agreement, today: date) -> list[monitoring.Period]:
    """The periods that have started: a value can be given for each of them."""
    return [p for p in monitoring.periods(indicator.frequency, agreement.starts_on, agreement.ends_on) if p.starts_on <= today]


@dataclass(frozen=True)
class Reported:
    indicator: Indicator
    period: date
    value: float
    source: str
    note: str
    reason: str


def require_open(reporting: Reporting) -> None:
    if not reporting.open:
        raise DomainError(_("Values are reported while the agreement is carried out and accounted for."))


def _started(indicator: Indicator, agreement: Agreement, today: date) -> set[date]:
    return {p.starts_on for p in reportable_periods(indicator, agreement, today)}


def _check(reported: Reported, started: set[date], current: Measurement | None) -> str | None:
    """What is wrong with one value, in the user's language; None when it can be stored."""
    if reported.period not in started:
        return _("Not a reporting period of this indicator that has started.")
    if not math.isfinite(reported.value):
        return _("Not a valid number.")
    if current is not None and not reported.reason.strip():
        return _("This period already has a value: give the reason for the correction.")
    return None


def report(session: Session, reporting: Reporting, *, user: User, reported: Reported, today: date) -> Measurement:
    """Store a period's value, or correct it while keeping the earlier one."""
    require_open(reporting)
    current = monitoring.current_values(session, [reported.indicator.id])[reported.indicator.id].get(reported.period)
    problem = _check(reported, _started(reported.indicator, reporting.agreement, today), current)
    if problem:
        raise DomainError(problem)
    measurement = Measurement(
        indicator_id=reported.indicator.id, period=reported.period, value=reported.value, source=reported.source.strip(),
        note=reported.note.strip(), reported_by_id=user.id, supersedes_id=current.id if current else None,
        correction_reason=reported.reason.strip() if current else "",
    )
    session.add(measurement)
    session.flush()
    monitoring.refresh(session, [reported.indicator])
    audit.record(
        session, action="measurement_corrected" if current else "measurement_reported", actor=user, case=reporting.case,
        reason=measurement.correction_reason,
        details={"indicator_id": reported.indicator.id, "period": reported.period.isoformat(), "value": reported.value},
    )
    return measurement


@dataclass(frozen=True)
class HistoryRow:
    measurement: Measurement
    reporter: User
    in_force: bool


def history(session: Session, indicator: Indicator) -> list[HistoryRow]:
    """Every value ever given, newest period first, corrections under what they replaced."""
    rows = session.exec(
        select(Measurement, User)
        .join(User, User.id == Measurement.reported_by_id)
        .where(Measurement.indicator_id == indicator.id)
        .order_by(Measurement.period.desc(), Measurement.reported_at.desc(), Measurement.id.desc())
    ).all()
    superseded = {m.supersedes_id for m, _u in rows if m.supersedes_id}
    return [HistoryRow(m, u, m.id not in superseded) for m, u in rows]


# --- many values from a file ------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ImportRefused(DomainError):
    """Nothing was imported; `errors` says which row and column went wrong and why."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("Nothing is imported: %(count)d problem(s) in the file.", count=len(errors)))
        self.errors = errors


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX file, as text."""
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise DomainError(_("This is not a readable XLSX file.")) from error
    rows = []
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        rows.append(["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in values])
    workbook.close()
    return rows


def _parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _parse_number(text: str) -> float | None:
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")  # Dutch: 1.234,5
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() else None


def _header(rows: list[list[str]]) -> dict[str, int]:
    if not rows:
        raise ImportRefused([RowError(1, "", _("The file is empty."))])
    header = {name.strip().lower(): index for index, name in enumerate(rows[0]) if name and name.strip()}
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRefused([RowError(1, c, _("The column is missing from the first row.")) for c in missing])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRefused([RowError(MAX_ROWS + 2, "", _("A file holds at most %(max)d values.", max=MAX_ROWS))])
    return header


def check_file(session: Session, reporting: Reporting, rows: list[list[str]], today: date) -> list[Reported]:
    """Every row checked; the values to store, or ImportRefused with every problem found."""
    header = _header(rows)
    indicators = agreements.indicators_of(session, reporting.agreement)
    by_key = {str(i.id): i for i in indicators} | {i.name.strip().lower(): i for i in indicators}
    current = monitoring.current_values(session, [i.id for i in indicators])
    started = {i.id: _started(i, reporting.agreement, today) for i in indicators}
    errors, found, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        cell = {name: (row[index].strip() if index < len(row) else "") for name, index in header.items()}
        if not any(cell.values()):
            continue
        row_errors = [RowError(number, c, _("This field is required.")) for c in REQUIRED if not cell[c]]
        indicator = by_key.get(cell["indicator"].lower()) if cell["indicator"] else None
        if cell["indicator"] and indicator is None:
            row_errors.append(RowError(number, "indicator", _("No indicator of this agreement has this number or name.")))
        period = _parse_date(cell["period"]) if cell["period"] else None
        if cell["period"] and period is None:
            row_errors.append(RowError(number, "period", _("Not a date: write 2027-01-01 or 01-01-2027.")))
        value = _parse_number(cell["value"]) if cell["value"] else None
        if cell["value"] and value is None:
            row_errors.append(RowError(number, "value", _("Not a valid number.")))
        if not row_errors:
            reported = Reported(indicator, period, value, cell.get("source", ""), cell.get("note", ""), cell.get("correction_reason", ""))
            if (indicator.id, period) in seen:
                row_errors.append(RowError(number, "period", _("The file gives this indicator and period twice.")))
            elif problem := _check(reported, started[indicator.id], current[indicator.id].get(period)):
                column = "correction_reason" if current[indicator.id].get(period) and not reported.reason.strip() else "period"
                row_errors.append(RowError(number, column, problem))
            seen.add((indicator.id, period))
            found.append(reported)
        errors.extend(row_errors)
    if errors:
        raise ImportRefused(errors)
    if not found:
        raise ImportRefused([RowError(2, "", _("The file has no values."))])
    return found


def import_file(session: Session, reporting: Reporting, *, user: User, filename: str, data: bytes, today: date) -> int:
    """All rows of a file, or none: returns how many values were stored."""
    require_open(reporting)
    found = check_file(session, reporting, read_table(filename, data), today)
    return store(session, reporting, user=user, found=found, source=filename)


def store(session: Session, reporting: Reporting, *, user: User, found: list[Reported], source: str) -> int:
    """Checked values in one bulk insert, corrections superseding what was in force; then the summaries."""
    indicators = {r.indicator.id: r.indicator for r in found}
    current = monitoring.current_values(session, list(indicators))
    now = utcnow()
    session.execute(
        insert(Measurement),
        [
            {
                "indicator_id": r.indicator.id, "period": r.period, "value": r.value, "source": r.source.strip(),
                "note": r.note.strip(), "reported_by_id": user.id, "reported_at": now,
                "supersedes_id": current[r.indicator.id][r.period].id if r.period in current[r.indicator.id] else None,
                "correction_reason": r.reason.strip() if r.period in current[r.indicator.id] else "",
            }
            for r in found
        ],
    )
    monitoring.refresh(session, list(indicators.values()))
    audit.record(
        session, action="measurements_imported", actor=user, case=reporting.case,
        details={"from": source, "values": len(found), "indicators": sorted(indicators)},
    )
    return len(found)


def template_csv(session: Session, reporting: Reporting, today: date) -> str:
    """A CSV to fill in: one row per indicator for its latest period that has started."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for indicator in agreements.indicators_of(session, reporting.agreement):
        started = reportable_periods(indicator, reporting.agreement, today)
        writer.writerow([indicator.id, indicator.name, started[-1].starts_on.isoformat() if started else "", "", "", "", ""])
    return out.getvalue()

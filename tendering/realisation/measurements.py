"""The coalition reports its indicators: one value per indicator per period.

Nothing is overwritten: a correction is a new row that supersedes the value in
force, with who made it and why. A file of many values (CSV or XLSX) is checked
row by row and imported only when every row is valid, in one transaction.
"""

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, load_only
from sqlmodel import Session, select

from ..core import audit
from ..core.characters import MULTI_LINE_CONTROL, ONE_LINE_CONTROL
from ..core.errors import DomainError, NotFound
from ..models import Agreement, Case, Coalition, CoalitionMember, Indicator, Measurement, MembershipStatus, User, utcnow
from ..parties import attachments
from ..procurement import award
from ..workflow.phases import in_phase
from . import agreement as agreements
from . import claims, monitoring

COLUMNS = (
    "indicator",
    "indicator_name",
    "period",
    "value",
    "source",
    "note",
    "correction_reason",
)  # the name is a reading aid
REQUIRED = ("indicator", "period", "value")
MAX_ROWS = 50_000
LARGEST = Decimal(10) ** 12  # as the forms accept (web/forms/base.DECIMAL_MAX): a value beyond it is a typing error
MAX_COLUMNS = 100  # a row may carry columns of its own beside ours, not thousands
MAX_BYTES = 10 * 1024 * 1024
# An XLSX of at most MAX_BYTES, unpacked: 50,000 rows of seven columns are some 25 MB of XML.
XLSX_ZIP = attachments.ZipLimits(members=1000, member_bytes=100 * 1024 * 1024, total_bytes=150 * 1024 * 1024)
# What the form accepts, and so what an import and the API accept too.
MAX_LENGTH = {"source": 2000, "note": 5000, "correction_reason": 5000}
# Control characters break the XLSX and XML this text ends up in (the public monitor's export); a note or a
# reason may run over lines and hold tabs, a source is one line.
CONTROL = {"source": ONE_LINE_CONTROL, "note": MULTI_LINE_CONTROL, "correction_reason": MULTI_LINE_CONTROL}


@dataclass(frozen=True)
class Reporting:
    """A coalition with a concluded agreement, as seen by one of its members."""

    coalition: Coalition
    case: Case
    agreement: Agreement

    @property
    def open(self) -> bool:
        return in_phase(self.case, "reporting_open")


# Every reporting page runs this access check: one query, built once (building it per request cost more than running it).
_REPORTING = (
    select(Coalition, CoalitionMember, Case, Agreement)
    .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
    .join(Case, Case.id == Coalition.case_id)
    .outerjoin(Agreement, Agreement.award_decision_id == award.current_decision_id(Case.id, Case.round))
    .where(Coalition.id == bindparam("coalition_id"), CoalitionMember.organisation_id == bindparam("organisation_id"))
    # Not needed to report, and costly to fetch on every request: the frozen agreement (up to ~100 kB) and the case's texts.
    .options(
        defer(Agreement.content_html),
        load_only(Case.id, Case.reference, Case.title, Case.workflow, Case.state, Case.round, Case.version),
    )
)


def reporting_for(session: Session, coalition_id: int, user: User) -> Reporting:
    """The reporting context; not found for anyone outside the coalition or before its agreement."""
    row = None
    if user.is_authenticated and user.organisation_id is not None:
        row = session.exec(
            _REPORTING, params={"coalition_id": coalition_id, "organisation_id": user.organisation_id}
        ).first()
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
    return [
        p
        for p in monitoring.periods(indicator.frequency, agreement.starts_on, agreement.ends_on)
        if p.starts_on <= today
    ]


@dataclass(frozen=True)
class Reported:
    indicator: Indicator
    period: date
    value: float
    source: str
    note: str
    reason: str
    supersedes: Measurement | None = None  # the value in force when this one was checked; a file's rows carry it


class ChangedMeanwhile(DomainError):
    """Someone else stored a value for the same period between reading and writing: the database refused the
    second value in force. Nothing of this request is stored."""

    status_code = 409

    def __init__(self):
        super().__init__(_("This value was changed by someone else at the same moment; reload the page and try again."))


def _insert(session: Session, write) -> None:
    """Run a write of values; the lost race with another writer of the same period becomes ChangedMeanwhile.
    The transaction is left as it is (PostgreSQL aborted it anyway): the request that lost is not committed."""
    try:
        write()
        session.flush()
    except IntegrityError:
        raise ChangedMeanwhile() from None


def require_open(reporting: Reporting) -> None:
    if not reporting.open:
        raise DomainError(_("Values are reported while the agreement is carried out and accounted for."))


def _started(indicator: Indicator, agreement: Agreement, today: date) -> set[date]:
    return {p.starts_on for p in reportable_periods(indicator, agreement, today)}


FIELD_LABELS = {"source": _l("source"), "note": _l("note"), "correction_reason": _l("reason for the correction")}


def text_problem(reported: Reported) -> tuple[str, str] | None:
    """The first text field that may not be stored as it is, and why: (column, message)."""
    for column, text in (("source", reported.source), ("note", reported.note), ("correction_reason", reported.reason)):
        if found := CONTROL[column].search(text):
            return column, _(
                "The %(field)s contains an invisible control character (U+%(code)04X), which is not allowed; "
                "remove it and try again.",
                field=FIELD_LABELS[column],
                code=ord(found.group()),
            )
        if len(text.strip()) > MAX_LENGTH[column]:
            return column, _(
                "The %(field)s is longer than %(max)d characters.", field=FIELD_LABELS[column], max=MAX_LENGTH[column]
            )
    return None


def _check(reported: Reported, started: set[date], current: Measurement | None) -> str | None:
    """What is wrong with one value, in the user's language; None when it can be stored."""
    if reported.period not in started:
        return _("Not a reporting period of this indicator that has started.")
    if not math.isfinite(reported.value):
        return _("Not a valid number.")
    if current is not None and not reported.reason.strip():
        return _("This period already has a value: give the reason for the correction.")
    return None


def report(session: Session, reporting: Reporting, *, actor: User, reported: Reported, today: date) -> Measurement:
    """Store a period's value, or correct it while keeping the earlier one."""
    require_open(reporting)
    current = monitoring.current_values(session, [reported.indicator.id])[reported.indicator.id].get(reported.period)
    if wrong := text_problem(reported):
        raise DomainError(wrong[1])
    problem = _check(reported, _started(reported.indicator, reporting.agreement, today), current)
    if problem:
        raise DomainError(problem)
    measurement = Measurement(
        indicator_id=reported.indicator.id,
        period=reported.period,
        value=reported.value,
        source=reported.source.strip(),
        note=reported.note.strip(),
        reported_by_id=actor.id,
        supersedes_id=current.id if current else None,
        correction_reason=reported.reason.strip() if current else "",
    )
    _insert(session, lambda: session.add(measurement))
    monitoring.refresh(session, [reported.indicator])
    claims.flag_corrections(session, reporting.case, [current.id] if current else [], actor=actor)
    audit.record(
        session,
        action="measurement_corrected" if current else "measurement_reported",
        actor=actor,
        case=reporting.case,
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
    """The rows of an uploaded CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX file, as text.

    Read as a stream and refused as soon as a row goes past MAX_ROWS or MAX_COLUMNS, so a file of a million
    rows costs the first 50,001 of them; an XLSX is checked as an archive before openpyxl sees it."""
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _xlsx_table(filename, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return _bounded(_csv_rows(text, delimiter))


def _bounded(rows: Iterable[list[str]]) -> list[list[str]]:
    """The rows until the limits: the header and MAX_ROWS rows, of at most MAX_COLUMNS filled columns."""
    table = []
    for number, row in enumerate(rows, start=1):
        while row and not row[-1]:
            row.pop()  # the empty cells a spreadsheet leaves at the end of a row do not count
        if len(row) > MAX_COLUMNS:
            raise ImportRefused([RowError(number, "", _("A row has more than %(max)d columns.", max=MAX_COLUMNS))])
        if number > MAX_ROWS + 1:
            raise ImportRefused([RowError(number, "", _("A file holds at most %(max)d values.", max=MAX_ROWS))])
        table.append(row)
    return table


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    """The CSV's rows one by one; a cell beyond the reader's limit (131,072 characters) names its row."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            message = _("A cell is too long.") if "field larger" in str(error) else _("This row is not valid CSV.")
            raise ImportRefused([RowError(number, "", message)]) from None
        yield row
        number += 1


def _xlsx_table(filename: str, data: bytes) -> list[list[str]]:
    from openpyxl import DEFUSEDXML, load_workbook

    if not DEFUSEDXML:  # openpyxl parses through defusedxml when it is installed (and OPENPYXL_DEFUSEDXML allows it)
        raise RuntimeError("openpyxl must parse XLSX uploads through defusedxml")
    name = attachments.safe_filename(filename)
    try:
        with attachments.open_archive(data, name, XLSX_ZIP) as archive:
            attachments.check_inflation(archive, data, name)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except attachments.UnsafeArchive:
        raise
    except Exception as error:  # zipfile and openpyxl raise many kinds for a broken file
        raise DomainError(_("This is not a readable XLSX file.")) from error
    try:
        # Bounded here too: openpyxl pads every row to the width and height the sheet claims (up to XFD1048576).
        rows = workbook.worksheets[0].iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1, values_only=True)
        return _bounded(
            ["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in values]
            for values in rows
        )
    except ImportRefused:
        raise
    except Exception as error:  # a sheet found broken while it is read
        raise DomainError(_("This is not a readable XLSX file.")) from error
    finally:
        workbook.close()


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
    return float(number) if number.is_finite() and abs(number) < LARGEST else None


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


@dataclass(frozen=True)
class Row:
    """A row of a file whose indicator, period and value could be read; the rest of its cells as text."""

    number: int
    indicator: object
    period: date
    value: float
    cell: dict[str, str]


def parse_rows(rows: list[list[str]], by_key: dict, unknown: str) -> tuple[list[Row], list[RowError]]:
    """The rows whose required cells read well, and the problems of the others. `by_key` finds an indicator by
    its number or lower-case name; `unknown` says what is wrong when it does not. Shared by the coalitions' and the
    municipality's imports, so both check a file the same way."""
    header = _header(rows)
    parsed, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        cell = {name: (row[index].strip() if index < len(row) else "") for name, index in header.items()}
        if not any(cell.values()):
            continue
        row_errors = [RowError(number, c, _("This field is required.")) for c in REQUIRED if not cell[c]]
        indicator = by_key.get(cell["indicator"].lower()) if cell["indicator"] else None
        if indicator is AMBIGUOUS:
            indicator = None
            row_errors.append(
                RowError(number, "indicator", _("More than one indicator has this name: write its number."))
            )
        elif cell["indicator"] and indicator is None:
            row_errors.append(RowError(number, "indicator", unknown))
        period = _parse_date(cell["period"]) if cell["period"] else None
        if cell["period"] and period is None:
            row_errors.append(RowError(number, "period", _("Not a date: write 2027-01-01 or 01-01-2027.")))
        value = _parse_number(cell["value"]) if cell["value"] else None
        if cell["value"] and value is None:
            row_errors.append(RowError(number, "value", _("Not a valid number.")))
        if row_errors:
            errors.extend(row_errors)
        else:
            parsed.append(Row(number, indicator, period, value, cell))
    return parsed, errors


AMBIGUOUS = object()  # a name that more than one indicator has: the file must give the number


def keyed(indicators) -> dict:
    """Indicators by number and by lower-case name, as a file may name them. A number always means the indicator of
    that number; a name that two indicators share finds neither."""
    counts = Counter(i.name.strip().lower() for i in indicators)
    by_name = {name: i if counts[name] == 1 else AMBIGUOUS for i in indicators if (name := i.name.strip().lower())}
    return by_name | {str(i.id): i for i in indicators}


def check_file(session: Session, reporting: Reporting, rows: list[list[str]], today: date) -> list[Reported]:
    """Every row checked; the values to store, or ImportRefused with every problem found."""
    indicators = agreements.indicators_of(session, reporting.agreement)
    parsed, errors = parse_rows(rows, keyed(indicators), _("No indicator of this agreement has this number or name."))
    current = monitoring.current_values(session, [i.id for i in indicators])
    started = {i.id: _started(i, reporting.agreement, today) for i in indicators}
    found, seen = [], set()
    for row in parsed:
        indicator, period, in_force = row.indicator, row.period, current[row.indicator.id].get(row.period)
        reported = Reported(
            indicator,
            period,
            row.value,
            row.cell.get("source", ""),
            row.cell.get("note", ""),
            row.cell.get("correction_reason", ""),
            supersedes=in_force,
        )
        if wrong := text_problem(reported):
            errors.append(RowError(row.number, *wrong))
        elif (indicator.id, period) in seen:
            errors.append(RowError(row.number, "period", _("The file gives this indicator and period twice.")))
        elif problem := _check(reported, started[indicator.id], in_force):
            column = "correction_reason" if in_force and not reported.reason.strip() else "period"
            errors.append(RowError(row.number, column, problem))
        seen.add((indicator.id, period))
        found.append(reported)
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    if not found:
        raise ImportRefused([RowError(2, "", _("The file has no values."))])
    return found


def import_file(session: Session, reporting: Reporting, *, actor: User, filename: str, data: bytes, today: date) -> int:
    """All rows of a file, or none: returns how many values were stored."""
    require_open(reporting)
    found = check_file(session, reporting, read_table(filename, data), today)
    return store(session, reporting, actor=actor, found=found, source=filename)


def store(session: Session, reporting: Reporting, *, actor: User, found: list[Reported], source: str) -> int:
    """Checked values in one bulk insert, corrections superseding what was in force when they were checked
    (a value stored since makes the whole file ChangedMeanwhile); then the summaries."""
    indicators = {r.indicator.id: r.indicator for r in found}
    now = utcnow()
    rows = [
        {
            "indicator_id": r.indicator.id,
            "period": r.period,
            "value": r.value,
            "source": r.source.strip(),
            "note": r.note.strip(),
            "reported_by_id": actor.id,
            "reported_at": now,
            "supersedes_id": r.supersedes.id if r.supersedes else None,
            "correction_reason": r.reason.strip() if r.supersedes else "",
        }
        for r in found
    ]
    _insert(session, lambda: session.execute(insert(Measurement), rows))
    monitoring.refresh(session, list(indicators.values()))
    claims.flag_corrections(session, reporting.case, [r.supersedes.id for r in found if r.supersedes], actor=actor)
    audit.record(
        session,
        action="measurements_imported",
        actor=actor,
        case=reporting.case,
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
        writer.writerow(
            [indicator.id, indicator.name, started[-1].starts_on.isoformat() if started else "", "", "", "", ""]
        )
    return out.getvalue()

"""Progress reports on the agreed cadence, and what the municipality does with them.

The coalition reports per period: its narrative, any adjustment of the
approach with the reason, setbacks and windfalls, and what the client panel
said. The case owner acknowledges a report or asks questions about it; the
coalition answers by revising it. An acknowledged adjustment is recorded
against the agreement, so the agreement's history shows how the approach moved.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import Agreement, AgreementAdjustment, Case, ProgressReport, ReportStatus, User, utcnow
from ..notifications import Kind, link_to, notify
from ..notifications import recipients as notification_recipients
from . import monitoring
from .measurements import Reporting, require_open

SUBMITTED, ACKNOWLEDGED, QUESTIONS = ReportStatus.submitted, ReportStatus.acknowledged, ReportStatus.questions


@dataclass
class ReportFields:
    period: date
    narrative: str
    adjustments: str
    adjustment_reason: str
    setbacks: str
    windfalls: str
    client_panel: str


@dataclass(frozen=True)
class Slot:
    """One reporting period of the agreement with its report, if any."""

    period: monitoring.Period
    report: ProgressReport | None

    def overdue(self, today: date) -> bool:
        return self.report is None and self.period.due_on < today


def schedule(session: Session, agreement: Agreement, today: date) -> list[Slot]:
    """The periods that have started, newest first, each with its report (one query)."""
    reports = {
        r.period: r
        for r in session.exec(select(ProgressReport).where(ProgressReport.agreement_id == agreement.id)).all()
    }
    started = [
        p
        for p in monitoring.periods(agreement.report_cadence, agreement.starts_on, agreement.ends_on)
        if p.starts_on <= today
    ]
    return [Slot(p, reports.get(p.starts_on)) for p in reversed(started)]


def submit(session: Session, reporting: Reporting, *, actor: User, fields: ReportFields, today: date) -> ProgressReport:
    """A new report for a period, or a revision of one the municipality has not yet acknowledged."""
    require_open(reporting)
    if fields.period not in {s.period.starts_on for s in schedule(session, reporting.agreement, today)}:
        raise DomainError(_("Not a reporting period of this agreement that has started."))
    if not fields.narrative.strip():
        raise DomainError(_("Describe the progress in this period."))
    if fields.adjustments.strip() and not fields.adjustment_reason.strip():
        raise DomainError(_("Give the reason for the adjustment of the approach."))
    report = session.exec(
        select(ProgressReport).where(
            ProgressReport.agreement_id == reporting.agreement.id, ProgressReport.period == fields.period
        )
    ).first()
    if report is not None and report.status == ACKNOWLEDGED:
        raise DomainError(_("This report is acknowledged and can no longer change."))
    report = report or ProgressReport(
        agreement_id=reporting.agreement.id, period=fields.period, narrative="", submitted_by_id=actor.id
    )
    for name in ("narrative", "adjustments", "adjustment_reason", "setbacks", "windfalls", "client_panel"):
        setattr(report, name, getattr(fields, name).strip())
    report.status, report.submitted_by_id, report.submitted_at = SUBMITTED, actor.id, utcnow()
    session.add(report)
    session.flush()
    audit.record(
        session,
        action="progress_report_submitted",
        actor=actor,
        case=reporting.case,
        details={"report_id": report.id, "period": fields.period.isoformat()},
    )
    return report


def get(session: Session, case: Case, agreement: Agreement, report_id: int) -> ProgressReport:
    report = session.get(ProgressReport, report_id)
    if report is None or report.agreement_id != agreement.id:
        raise NotFound(_("This progress report does not exist."))
    return report


def respond(
    session: Session,
    case: Case,
    agreement: Agreement,
    report: ProgressReport,
    *,
    actor: User,
    acknowledge: bool,
    response: str,
) -> ProgressReport:
    """The case owner acknowledges a report (recording any adjustment) or asks questions about it."""
    if actor.id != case.owner_id:
        raise NotAllowed(_("Only the case owner responds to progress reports."))
    if report.status == ACKNOWLEDGED:
        raise DomainError(_("This report is already acknowledged."))
    if not acknowledge and not response.strip():
        raise DomainError(_("Write the questions for the coalition."))
    report.response = response.strip()
    report.acknowledged_by_id, report.acknowledged_at = actor.id, utcnow()
    report.status = ACKNOWLEDGED if acknowledge else QUESTIONS
    session.add(report)
    if acknowledge and report.adjustments:
        session.add(
            AgreementAdjustment(
                agreement_id=agreement.id,
                progress_report_id=report.id,
                description=report.adjustments,
                reason=report.adjustment_reason,
                accepted_by_id=actor.id,
            )
        )
    audit.record(
        session,
        action="progress_report_acknowledged" if acknowledge else "progress_report_questioned",
        actor=actor,
        case=case,
        details={"report_id": report.id},
    )
    coalition = notification_recipients.of_coalitions(session, [agreement.coalition_id]).get(
        agreement.coalition_id, notification_recipients.Audience()
    )
    notify(
        session,
        Kind.report_response,
        users=coalition.users,
        case=case,
        template="report_response",
        context={
            "title": case.title,
            "reference": case.reference,
            "period": report.period,
            "acknowledged": acknowledge,
            "response": report.response,
            "link": link_to("reporting.index", coalition_id=agreement.coalition_id),
        },
    )
    session.flush()
    return report


def adjustments_of(session: Session, agreement: Agreement) -> list[AgreementAdjustment]:
    return list(
        session.exec(
            select(AgreementAdjustment)
            .where(AgreementAdjustment.agreement_id == agreement.id)
            .order_by(AgreementAdjustment.accepted_at)
        ).all()
    )

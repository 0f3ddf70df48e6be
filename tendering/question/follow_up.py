"""A follow-up case starts from what the earlier one learned.

When accountability closes a case with a follow-up, the new case inherits the earlier case's desired outcomes,
its stakeholder analysis and its budget ceiling, each marked as inherited (`inherited_from_id`, and the case's
`parent_case_id`) and editable like anything the municipality writes itself. The earlier agreement's indicators
cannot move along: an indicator belongs to an agreement, and the new case has none yet. They become indicator
drafts under the inherited outcome (`models.inheritance.IndicatorDraft`) whose baseline is the last value in
force (the summary `Indicator.latest_value` / `latest_period` that `realisation.monitoring` refreshes from the
values not corrected since, so a correction is respected), with where it came from; an indicator never measured
keeps its own baseline. The next agreement takes a draft over with `indicator_fields`, and sets its target and
norms with the partners.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Agreement, Case, Indicator, IndicatorDraft, Outcome, Stakeholder, User
from .tender_lock import tender_change

_STAKEHOLDER_FIELDS = (
    "name",
    "organisation_id",
    "category",
    "interest",
    "influence",
    "strengths",
    "weaknesses",
    "history",
    "untapped_potential",
    "risk_willingness",
    "mobilisation",
    "usual_partner",
)


def _baseline(indicator: Indicator, parent: Case) -> tuple[float, date, str]:
    """The new 0-meting: the last value in force, or the earlier baseline if nothing was measured."""
    if indicator.latest_value is not None and indicator.latest_period is not None:
        return (
            indicator.latest_value,
            indicator.latest_period,
            _(
                "Last value in force of %(reference)s, period %(period)s",
                reference=parent.reference,
                period=indicator.latest_period.isoformat(),
            ),
        )
    return (
        indicator.baseline_value,
        indicator.baseline_date,
        _("Baseline of %(reference)s (not measured since)", reference=parent.reference),
    )


def inherit(session: Session, parent: Case, follow_up: Case, *, actor: User, agreement: Agreement | None) -> None:
    """Copy outcomes, indicators (as drafts), stakeholders and budget of `parent` into the new `follow_up`.

    A constant number of queries whatever the number of outcomes or indicators: the outcomes are flushed once,
    then the drafts and stakeholders are added in one go.
    """
    outcomes = session.exec(select(Outcome).where(Outcome.case_id == parent.id).order_by(Outcome.position)).all()
    copies = {
        outcome.id: Outcome(
            case_id=follow_up.id,
            description=outcome.description,
            indicator_hint=outcome.indicator_hint,
            position=outcome.position,
            inherited_from_id=outcome.id,
        )
        for outcome in outcomes
    }
    session.add_all(copies.values())
    session.flush()
    indicators = (
        session.exec(select(Indicator).where(Indicator.agreement_id == agreement.id).order_by(Indicator.id)).all()
        if agreement is not None
        else []
    )
    drafts = []
    for position, indicator in enumerate(indicators):
        value, on, source = _baseline(indicator, parent)
        outcome = copies.get(indicator.outcome_id)
        drafts.append(
            IndicatorDraft(
                case_id=follow_up.id,
                outcome_id=outcome.id if outcome is not None else None,
                source_indicator_id=indicator.id,
                name=indicator.name,
                definition=indicator.definition,
                unit=indicator.unit,
                direction=indicator.direction,
                data_source=indicator.data_source,
                baseline_value=value,
                baseline_date=on,
                baseline_source=source,
                previous_target_value=indicator.target_value,
                previous_target_date=indicator.target_date,
                position=position,
            )
        )
    stakeholders = session.exec(select(Stakeholder).where(Stakeholder.case_id == parent.id)).all()
    session.add_all(drafts)
    session.add_all(
        Stakeholder(
            case_id=follow_up.id, inherited_from_id=s.id, **{name: getattr(s, name) for name in _STAKEHOLDER_FIELDS}
        )
        for s in stakeholders
    )
    follow_up.budget_ceiling = parent.budget_ceiling
    session.add(follow_up)
    audit.record(
        session,
        action="inheritance_taken_over",
        actor=actor,
        case=follow_up,
        details={
            "parent_case_id": parent.id,
            "outcomes": len(copies),
            "indicators": len(drafts),
            "stakeholders": len(stakeholders),
            "budget_ceiling": str(parent.budget_ceiling) if parent.budget_ceiling is not None else None,
        },
    )
    session.flush()


def drafts_of(session: Session, case: Case) -> list[IndicatorDraft]:
    return list(
        session.exec(
            select(IndicatorDraft).where(IndicatorDraft.case_id == case.id).order_by(IndicatorDraft.position)
        ).all()
    )


@dataclass(frozen=True)
class Lineage:
    """The case a case follows up, and the cases that follow it up: the links both ways."""

    parent: Case | None
    follow_ups: list[Case]


def lineage(session: Session, case: Case) -> Lineage:
    parent = session.get(Case, case.parent_case_id) if case.parent_case_id else None
    follow_ups = session.exec(select(Case).where(Case.parent_case_id == case.id).order_by(Case.id)).all()
    return Lineage(parent, list(follow_ups))


def get_draft(session: Session, case: Case, draft_id: int) -> IndicatorDraft:
    draft = session.get(IndicatorDraft, draft_id)
    if draft is None or draft.case_id != case.id:
        raise NotFound(_("This indicator draft does not exist."))
    return draft


@dataclass
class DraftFields:
    name: str
    baseline_value: float
    baseline_date: date
    baseline_source: str


def update_draft(
    session: Session, case: Case, draft: IndicatorDraft, *, actor: User, fields: DraftFields, amendment_note: str = ""
) -> IndicatorDraft:
    """Change an inherited indicator's name or its new baseline (a fresher measurement, another source)."""
    if not fields.name.strip():
        raise DomainError(_("Name the indicator."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        before = {
            "name": draft.name,
            "baseline_value": draft.baseline_value,
            "baseline_date": draft.baseline_date.isoformat(),
        }
        draft.name, draft.baseline_value = fields.name.strip(), fields.baseline_value
        draft.baseline_date, draft.baseline_source = fields.baseline_date, fields.baseline_source.strip()
        session.add(draft)
        audit.record(
            session,
            action="indicator_draft_updated",
            actor=actor,
            case=case,
            details={
                "draft_id": draft.id,
                "before": before,
                "after": {
                    "name": draft.name,
                    "baseline_value": draft.baseline_value,
                    "baseline_date": draft.baseline_date.isoformat(),
                },
            },
        )
    return draft


def remove_draft(session: Session, case: Case, draft: IndicatorDraft, *, actor: User, amendment_note: str = "") -> None:
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        session.delete(draft)
        audit.record(session, action="indicator_draft_removed", actor=actor, case=case, details={"name": draft.name})


def indicator_fields(draft: IndicatorDraft) -> dict:
    """What the next agreement's indicator starts from when it takes a draft over: everything but the target, the
    norms and the frequency, which municipality and coalition set together (`realisation.agreement.IndicatorFields`)."""
    return {
        "name": draft.name,
        "definition": draft.definition,
        "unit": draft.unit,
        "direction": draft.direction,
        "data_source": draft.data_source,
        "baseline_value": draft.baseline_value,
        "baseline_date": draft.baseline_date,
        "outcome_id": draft.outcome_id,
    }

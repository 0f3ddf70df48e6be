"""The Maatschappelijke Agenda and its ambitions, managed by officials.

A council period has one agenda. A new agenda starts from the previous one: its ambitions and city indicators (with
their norms and values) are carried over as new rows, so that what the council decided for an earlier period is never
rewritten by a later one. Every change is in the audit trail.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import (
    Agenda,
    Agreement,
    Ambition,
    Case,
    CaseAmbition,
    CityIndicator,
    CityMeasurement,
    CityNorm,
    Indicator,
    User,
)
from ..workflow.phases import states_in

MAX_TITLE = 200
MAX_AMBITION = 300
MAX_TEXT = 20000


@dataclass
class AgendaFields:
    title: str
    starts_on: date
    ends_on: date
    council_decision: str = ""
    decided_on: date | None = None


@dataclass
class AmbitionFields:
    title: str
    description: str = ""


def _text(value: str, limit: int, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(required)
    if len(value) > limit:
        raise DomainError(_("The text is too long."))
    return value


def agendas(session: Session) -> list[Agenda]:
    """Every agenda, the newest period first."""
    return list(session.exec(select(Agenda).order_by(Agenda.starts_on.desc(), Agenda.id.desc())).all())


def current(session: Session, today: date) -> Agenda | None:
    """The agenda whose period holds today; else the one that started last (a new period may not be decided yet)."""
    found = session.exec(
        select(Agenda)
        .where(Agenda.starts_on <= today, Agenda.ends_on >= today)
        .order_by(Agenda.starts_on.desc(), Agenda.id.desc())
    ).first()
    return found or session.exec(select(Agenda).order_by(Agenda.starts_on.desc(), Agenda.id.desc())).first()


def get(session: Session, agenda_id: int) -> Agenda:
    found = session.get(Agenda, agenda_id)
    if found is None:
        raise NotFound(_("This agenda does not exist."))
    return found


def ambitions_of(session: Session, agenda: Agenda) -> list[Ambition]:
    return list(
        session.exec(
            select(Ambition).where(Ambition.agenda_id == agenda.id).order_by(Ambition.position, Ambition.id)
        ).all()
    )


def ambition(session: Session, ambition_id: int) -> Ambition:
    found = session.get(Ambition, ambition_id)
    if found is None:
        raise NotFound(_("This ambition does not exist."))
    return found


def _check(session: Session, fields: AgendaFields, *, editing: Agenda | None = None) -> dict:
    values = {
        "title": _text(fields.title, MAX_TITLE, required=_("Give the agenda a title.")),
        "council_decision": _text(fields.council_decision, MAX_TEXT),
        "starts_on": fields.starts_on,
        "ends_on": fields.ends_on,
        "decided_on": fields.decided_on,
    }
    if fields.ends_on <= fields.starts_on:
        raise DomainError(_("The agenda's period must end after it starts."))
    overlapping = session.exec(
        select(Agenda.title).where(
            Agenda.starts_on <= fields.ends_on,
            Agenda.ends_on >= fields.starts_on,
            Agenda.id != (editing.id if editing else -1),
        )
    ).first()
    if overlapping:
        raise DomainError(_("The period overlaps with the agenda “%(title)s”.", title=overlapping))
    return values


def create(session: Session, *, actor: User, fields: AgendaFields, carry_over: bool = True) -> Agenda:
    """A new agenda for a period; with `carry_over`, the ambitions and indicators of the latest agenda come along."""
    access.require(session, access.Capability.manage_agenda, actor)
    previous = session.exec(select(Agenda).order_by(Agenda.starts_on.desc(), Agenda.id.desc())).first()
    agenda = Agenda(**_check(session, fields), previous_id=previous.id if previous else None, created_by_id=actor.id)
    session.add(agenda)
    session.flush()
    carried = _carry_over(session, previous, agenda, actor) if carry_over and previous else 0
    audit.record(
        session,
        action="agenda_created",
        actor=actor,
        details={"agenda_id": agenda.id, "previous_id": agenda.previous_id, "ambitions_carried_over": carried},
    )
    return agenda


def followed_by(session: Session, agenda: Agenda) -> str | None:
    """The title of a newer agenda, if one exists: from then on this one is what the council decided for its
    period, read and never changed."""
    return session.exec(select(Agenda.title).where(Agenda.starts_on > agenda.starts_on, Agenda.id != agenda.id)).first()


def locked_message(newer: str) -> str:
    return _("This agenda is followed by “%(title)s” and is kept as it was: change the newer one.", title=newer)


def require_latest(session: Session, agenda: Agenda) -> None:
    if newer := followed_by(session, agenda):
        raise DomainError(locked_message(newer))


def _carry_over(session: Session, previous: Agenda, agenda: Agenda, actor: User) -> int:
    """Copy the previous agenda's ambitions, indicators, norms and values: the trend goes on, the old stays. The
    running cases go on contributing: each linked to a carried ambition is linked to its copy too."""
    olds = ambitions_of(session, previous)
    new_ambitions = {
        old.id: Ambition(
            agenda_id=agenda.id,
            position=old.position,
            title=old.title,
            description=old.description,
            carried_from_id=old.id,
        )
        for old in olds
    }
    session.add_all(new_ambitions.values())
    session.flush()
    indicators = session.exec(
        select(CityIndicator).where(CityIndicator.ambition_id.in_([a.id for a in olds])).order_by(CityIndicator.id)
    ).all()
    skip = {"id", "ambition_id", "carried_from_id"}
    new_indicators = {
        old.id: CityIndicator(
            **{k: v for k, v in old.model_dump().items() if k not in skip},
            ambition_id=new_ambitions[old.ambition_id].id,
            carried_from_id=old.id,
        )
        for old in indicators
    }
    session.add_all(new_indicators.values())
    session.flush()
    old_ids = list(new_indicators)
    for norm in session.exec(select(CityNorm).where(CityNorm.indicator_id.in_(old_ids))).all():
        copied = norm.model_dump(exclude={"id", "indicator_id"})
        session.add(CityNorm(**copied, indicator_id=new_indicators[norm.indicator_id].id))
    values = session.exec(
        select(CityMeasurement).where(CityMeasurement.indicator_id.in_(old_ids)).order_by(CityMeasurement.id)
    ).all()
    copies: dict[int, CityMeasurement] = {}
    for value in values:  # in id order, so a correction finds the copy of what it superseded
        copy = CityMeasurement(
            **value.model_dump(exclude={"id", "indicator_id", "supersedes_id"}),
            indicator_id=new_indicators[value.indicator_id].id,
            supersedes_id=copies[value.supersedes_id].id if value.supersedes_id else None,
        )
        session.add(copy)
        session.flush()
        copies[value.id] = copy
    _carry_cases(session, new_ambitions, {old: new.id for old, new in new_indicators.items()}, actor)
    return len(olds)


def _carry_cases(
    session: Session, new_ambitions: dict[int, Ambition], new_indicators: dict[int, int], actor: User
) -> None:
    """The running cases go on contributing in the new period: each linked to a carried ambition is linked to its
    copy too, and the agreed indicators of their agreements that contribute to a carried city indicator now
    contribute to its copy. Each change is in the case's audit trail."""
    links = session.exec(
        select(CaseAmbition.ambition_id, Case)
        .join(Case, Case.id == CaseAmbition.case_id)
        .where(CaseAmbition.ambition_id.in_(list(new_ambitions)), Case.state.in_(states_in("running")))
        .order_by(Case.id, CaseAmbition.ambition_id)
    ).all()
    by_case: dict[int, tuple[Case, list[int]]] = {}
    for old_id, case in links:
        by_case.setdefault(case.id, (case, []))[1].append(new_ambitions[old_id].id)
    relinked: dict[int, list[int]] = {}
    for indicator, case_id in session.exec(
        select(Indicator, Agreement.case_id)
        .join(Agreement, Agreement.id == Indicator.agreement_id)
        .where(Agreement.case_id.in_(list(by_case)), Indicator.city_indicator_id.in_(list(new_indicators)))
        .order_by(Indicator.id)
    ).all():
        indicator.city_indicator_id = new_indicators[indicator.city_indicator_id]
        session.add(indicator)
        relinked.setdefault(case_id, []).append(indicator.id)
    for case, ambition_ids in by_case.values():
        session.add_all(CaseAmbition(case_id=case.id, ambition_id=a, linked_by_id=actor.id) for a in ambition_ids)
        audit.record(
            session,
            action="case_ambitions_carried_over",
            actor=actor,
            case=case,
            details={"added": ambition_ids, "indicators_relinked": relinked.get(case.id, [])},
        )


def update(session: Session, agenda: Agenda, *, actor: User, fields: AgendaFields) -> Agenda:
    access.require(session, access.Capability.manage_agenda, actor)
    require_latest(session, agenda)
    for name, value in _check(session, fields, editing=agenda).items():
        setattr(agenda, name, value)
    session.add(agenda)
    audit.record(session, action="agenda_changed", actor=actor, details={"agenda_id": agenda.id})
    return agenda


def add_ambition(session: Session, agenda: Agenda, *, actor: User, fields: AmbitionFields) -> Ambition:
    access.require(session, access.Capability.manage_agenda, actor)
    require_latest(session, agenda)
    last = session.exec(
        select(Ambition.position).where(Ambition.agenda_id == agenda.id).order_by(Ambition.position.desc())
    ).first()
    found = Ambition(
        agenda_id=agenda.id,
        position=(last or 0) + 1,
        title=_text(fields.title, MAX_AMBITION, required=_("Say what the ambition is.")),
        description=_text(fields.description, MAX_TEXT),
    )
    session.add(found)
    session.flush()
    audit.record(
        session, action="ambition_added", actor=actor, details={"agenda_id": agenda.id, "ambition_id": found.id}
    )
    return found


def update_ambition(session: Session, found: Ambition, *, actor: User, fields: AmbitionFields) -> Ambition:
    access.require(session, access.Capability.manage_agenda, actor)
    require_latest(session, get(session, found.agenda_id))
    found.title = _text(fields.title, MAX_AMBITION, required=_("Say what the ambition is."))
    found.description = _text(fields.description, MAX_TEXT)
    session.add(found)
    audit.record(session, action="ambition_changed", actor=actor, details={"ambition_id": found.id})
    return found

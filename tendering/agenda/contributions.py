"""Which cases contribute to which ambitions, and which agreed indicators to which city indicators.

A case is linked to one or more ambitions while it runs; every change is written to the case's audit trail with who
changed it. A coalition's agreed indicator is linked to the city indicator of one of its case's ambitions; the link
is the municipality's reading of the agreement and changes nothing in its approved text.
"""

from dataclasses import dataclass

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
    Coalition,
    Indicator,
    QuestionDocument,
    User,
)
from ..realisation import agreement as agreements
from ..workflow.labels import summarises


def ambitions_of_cases(session: Session, case_ids: list[int]) -> dict[int, list[Ambition]]:
    """Each case's ambitions, in their agenda's order, in one query."""
    found: dict[int, list[Ambition]] = {i: [] for i in case_ids}
    if case_ids:
        for case_id, ambition in session.exec(
            select(CaseAmbition.case_id, Ambition)
            .join(Ambition, Ambition.id == CaseAmbition.ambition_id)
            .where(CaseAmbition.case_id.in_(case_ids))
            .order_by(Ambition.agenda_id, Ambition.position, Ambition.id)
        ).all():
            found[case_id].append(ambition)
    return found


def linkable(session: Session, case: Case, agenda: Agenda | None) -> list[tuple[Ambition, str]]:
    """The ambitions a case may be linked to: the current agenda's, and any of an earlier one it is linked to
    already; each with its agenda's title."""
    linked = {a.id for a in ambitions_of_cases(session, [case.id])[case.id]}
    condition = Ambition.id.in_(linked)
    if agenda is not None:
        condition = condition | (Ambition.agenda_id == agenda.id)
    return list(
        session.exec(
            select(Ambition, Agenda.title)
            .join(Agenda, Agenda.id == Ambition.agenda_id)
            .where(condition)
            .order_by(Agenda.starts_on.desc(), Ambition.position, Ambition.id)
        ).all()
    )


def set_ambitions(session: Session, case: Case, *, actor: User, ambition_ids: list[int], reason: str = "") -> bool:
    """Link the case to exactly these ambitions; False when nothing changed (and nothing is written)."""
    access.require(session, access.Capability.link_ambitions, actor, case=case)
    wanted = set(ambition_ids)
    known = set(session.exec(select(Ambition.id).where(Ambition.id.in_(wanted))).all()) if wanted else set()
    if wanted - known:
        raise DomainError(_("Choose ambitions of the agenda."))
    rows = {r.ambition_id: r for r in session.exec(select(CaseAmbition).where(CaseAmbition.case_id == case.id))}
    added, removed = sorted(wanted - set(rows)), sorted(set(rows) - wanted)
    if not added and not removed:
        return False
    if len(reason or "") > 5000:
        raise DomainError(_("The text is too long."))
    for ambition_id in removed:
        session.delete(rows[ambition_id])
    session.add_all(CaseAmbition(case_id=case.id, ambition_id=a, linked_by_id=actor.id) for a in added)
    unlinked = _unlink_indicators(session, case, removed) if removed else []
    audit.record(
        session,
        action="case_ambitions_changed",
        actor=actor,
        case=case,
        reason=(reason or "").strip(),
        details={"added": added, "removed": removed, "unlinked_indicators": unlinked},
    )
    return True


def _unlink_indicators(session: Session, case: Case, ambition_ids: list[int]) -> list[dict]:
    """An agreed indicator no longer contributes to a city indicator of an ambition the case left; returns which
    lost their link (with the city indicator each was linked to), for the audit trail."""
    current = agreements.agreement_of(session, case)
    if current is None:
        return []
    unlinked = []
    for indicator, city in session.exec(
        select(Indicator, CityIndicator)
        .join(CityIndicator, CityIndicator.id == Indicator.city_indicator_id)
        .where(Indicator.agreement_id == current.id, CityIndicator.ambition_id.in_(ambition_ids))
        .order_by(Indicator.id)
    ).all():
        unlinked.append(
            {"id": indicator.id, "name": indicator.name, "city_indicator_id": city.id, "city_indicator": city.name}
        )
        indicator.city_indicator_id = None
        session.add(indicator)
    return unlinked


@summarises("case_ambitions_changed")
def _summary(details: dict) -> list[str]:
    return [
        _(
            "%(name)s no longer contributes to the city indicator %(city)s",
            name=item["name"],
            city=item["city_indicator"],
        )
        for item in details.get("unlinked_indicators", [])
    ]


def city_indicators_for(session: Session, case: Case) -> list[tuple[CityIndicator, Ambition]]:
    """The city indicators an agreed indicator of the case may contribute to: those of the case's ambitions."""
    return list(
        session.exec(
            select(CityIndicator, Ambition)
            .join(Ambition, Ambition.id == CityIndicator.ambition_id)
            .join(CaseAmbition, CaseAmbition.ambition_id == Ambition.id)
            .where(CaseAmbition.case_id == case.id)
            .order_by(Ambition.position, CityIndicator.position, CityIndicator.id)
        ).all()
    )


def case_indicators(session: Session, case: Case) -> list[Indicator]:
    """The agreed indicators of the case's current agreement (none before there is one)."""
    current = agreements.agreement_of(session, case)
    return agreements.indicators_of(session, current) if current else []


def link_indicator(
    session: Session, case: Case, indicator_id: int, *, actor: User, city_indicator_id: int | None
) -> Indicator:
    """Say which city indicator an agreed indicator contributes to (or none)."""
    access.require(session, access.Capability.link_ambitions, actor, case=case)
    current = agreements.agreement_of(session, case)
    indicator = session.get(Indicator, indicator_id)
    if current is None or indicator is None or indicator.agreement_id != current.id:
        raise NotFound(_("This indicator does not exist."))
    if city_indicator_id is not None and city_indicator_id not in {
        c.id for c, _a in city_indicators_for(session, case)
    }:
        raise DomainError(_("Choose a city indicator of one of the case's ambitions."))
    if indicator.city_indicator_id == city_indicator_id:
        return indicator
    indicator.city_indicator_id = city_indicator_id
    session.add(indicator)
    audit.record(
        session,
        action="indicator_linked_to_city",
        actor=actor,
        case=case,
        details={"indicator_id": indicator.id, "city_indicator_id": city_indicator_id},
    )
    return indicator


@dataclass(frozen=True)
class Contribution:
    """A case that contributes to an ambition, with its coalition and the agreed indicators that belong under that
    ambition, for the databook: those linked to one of its city indicators, and those linked to none. An indicator
    linked to a city indicator of another ambition of the case is under that one only."""

    case: Case
    coalition: str
    indicators: list[Indicator]

    @property
    def linked(self) -> list[Indicator]:
        return [i for i in self.indicators if i.city_indicator_id is not None]

    @property
    def unlinked(self) -> list[Indicator]:
        return [i for i in self.indicators if i.city_indicator_id is None]


def contributions(session: Session, ambition_ids: list[int], *, confidential: bool) -> dict[int, list[Contribution]]:
    """Per ambition, the cases linked to it with their winning coalition and the agreed indicators under it (see
    `Contribution`), in three queries whatever the number of cases. Who may not see what is confidential (the public)
    sees only published cases, and of them only the indicators that are not confidential."""
    found: dict[int, list[Contribution]] = {i: [] for i in ambition_ids}
    if not ambition_ids:
        return found
    query = (
        select(CaseAmbition.ambition_id, Case)
        .join(Case, Case.id == CaseAmbition.case_id)
        .where(CaseAmbition.ambition_id.in_(ambition_ids))
        .order_by(Case.reference)
    )
    if not confidential:  # a question is public from its publication on (`question.cases.was_published`)
        query = query.where(Case.id.in_(select(QuestionDocument.case_id)))
    links = session.exec(query).all()
    case_ids = list({c.id for _a, c in links})
    agreed = {
        case_id: (agreement_id, name)
        for case_id, agreement_id, name in session.exec(
            select(Agreement.case_id, Agreement.id, Coalition.name)
            .join(Coalition, Coalition.id == Agreement.coalition_id)
            .where(Agreement.case_id.in_(case_ids), Agreement.concluded_at.is_not(None))
            .order_by(Agreement.concluded_at)
        ).all()
    }  # the latest concluded agreement of each case
    query = (
        select(Indicator, CityIndicator.ambition_id)
        .outerjoin(CityIndicator, CityIndicator.id == Indicator.city_indicator_id)
        .where(Indicator.agreement_id.in_([a for a, _n in agreed.values()]))
    )
    if not confidential:
        query = query.where(Indicator.confidential.is_(False))
    by_agreement: dict[int, list[tuple[Indicator, int | None]]] = {}
    for indicator, contributes_to in session.exec(query.order_by(Indicator.id)).all():
        by_agreement.setdefault(indicator.agreement_id, []).append((indicator, contributes_to))
    for ambition_id, case in links:
        agreement_id, coalition = agreed.get(case.id, (None, ""))
        indicators = [i for i, to in by_agreement.get(agreement_id, []) if to in (None, ambition_id)]
        found[ambition_id].append(Contribution(case, coalition, indicators))
    return found

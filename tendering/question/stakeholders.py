"""Stakeholder analysis: wie kan wat betekenen. Stakeholders may become shareholders."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Case, Stakeholder, User
from ..workflow.phases import in_phase

COMPLETENESS_QUESTIONS = [
    _l("Did we look beyond the usual partners: a sports club, a discotheque, a food bank, a local shop?"),
    _l("Who has an interest but little influence, and how do we give them a voice?"),
    _l("Who could take risk-bearing responsibility, and on what conditions?"),
    _l("What is our history with each of them, and what does it mean for their willingness?"),
    _l("When and why can each of them be mobilised?"),
    _l("What role does the municipality itself play now, and which one do we want?"),
]


@dataclass
class StakeholderFields:
    name: str
    category: str = ""
    interest: int = 3
    influence: int = 3
    strengths: str = ""
    weaknesses: str = ""
    history: str = ""
    untapped_potential: str = ""
    risk_willingness: str = ""
    mobilisation: str = ""
    usual_partner: bool = True


def stakeholders_of(session: Session, case: Case) -> list[Stakeholder]:
    return list(
        session.exec(select(Stakeholder).where(Stakeholder.case_id == case.id).order_by(Stakeholder.name)).all()
    )


def _check(session: Session, case: Case, actor: User, fields: StakeholderFields | None = None) -> None:
    access.require(session, access.Capability.steer_case, actor)
    if not in_phase(case, "stakeholders_editable"):
        raise DomainError(_("The stakeholder register can be changed from the stakeholder analysis until publication."))
    if fields is not None:
        if not fields.name.strip():
            raise DomainError(_("Give the stakeholder's name."))
        if not (1 <= fields.interest <= 5 and 1 <= fields.influence <= 5):
            raise DomainError(_("Interest and influence are scored from 1 to 5."))


def add_stakeholder(session: Session, case: Case, *, actor: User, fields: StakeholderFields) -> Stakeholder:
    _check(session, case, actor, fields)
    stakeholder = Stakeholder(case_id=case.id, **vars(fields))
    session.add(stakeholder)
    audit.record(session, action="stakeholder_added", actor=actor, case=case, details={"name": fields.name})
    session.flush()
    return stakeholder


def get_stakeholder(session: Session, case: Case, stakeholder_id: int) -> Stakeholder:
    stakeholder = session.get(Stakeholder, stakeholder_id)
    if stakeholder is None or stakeholder.case_id != case.id:
        raise NotFound(_("This stakeholder does not exist."))
    return stakeholder


def update_stakeholder(
    session: Session, case: Case, stakeholder: Stakeholder, *, actor: User, fields: StakeholderFields
) -> None:
    _check(session, case, actor, fields)
    for name, value in vars(fields).items():
        setattr(stakeholder, name, value)
    session.add(stakeholder)
    audit.record(session, action="stakeholder_updated", actor=actor, case=case, details={"name": fields.name})
    session.flush()


def remove_stakeholder(session: Session, case: Case, stakeholder: Stakeholder, *, actor: User) -> None:
    _check(session, case, actor)
    session.delete(stakeholder)
    audit.record(session, action="stakeholder_removed", actor=actor, case=case, details={"name": stakeholder.name})
    session.flush()


def only_usual_partners(stakeholders: list[Stakeholder]) -> bool:
    """The method's warning: every stakeholder is a usual partner."""
    return bool(stakeholders) and all(s.usual_partner for s in stakeholders)


@dataclass(frozen=True)
class GridPoint:
    stakeholder: Stakeholder
    x: int
    y: int


GRID_CELL, GRID_MARGIN = 80, 50


def grid(stakeholders: list[Stakeholder]) -> list[GridPoint]:
    """Positions on the 5x5 influence (x) / interest (y) grid; several in a cell fan out."""
    seen: dict[tuple[int, int], int] = {}
    points = []
    for s in stakeholders:
        index = seen.get((s.influence, s.interest), 0)
        seen[(s.influence, s.interest)] = index + 1
        x = GRID_MARGIN + (s.influence - 1) * GRID_CELL + 20 + (index % 3) * 20
        y = GRID_MARGIN + (5 - s.interest) * GRID_CELL + 20 + (index // 3) * 20
        points.append(GridPoint(s, x, y))
    return points

"""Teams of officials and the number of running cases each can steer well at once, kept by administrators.

How many questions run at once follows the capacity of the teams ("pull", not "push"): the portfolio shows each
team's running cases against its limit, and an official whose team is full is warned before opening one more.
An official belongs to at most one team; every change is in the audit trail.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Role, Team, User

NAME_MAX = 100
LIMIT_MAX = 999


class TeamRefused(DomainError):
    """What was typed for a team breaks a rule; the page shows it again with the reason."""


@dataclass(frozen=True)
class TeamFields:
    name: str
    case_limit: int


def teams(session: Session) -> list[Team]:
    """Every team, by name, in one query."""
    return list(session.exec(select(Team).order_by(Team.name, Team.id)).all())


def officials(session: Session) -> list[User]:
    """Every active official, by name, in one query: who can be placed in a team."""
    return list(session.exec(select(User).where(User.role == Role.official, User.active).order_by(User.name)).all())


def _checked(session: Session, fields: TeamFields, *, team: Team | None = None) -> TeamFields:
    name = (fields.name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise TeamRefused(_("Give the team a name of at most %(max)d characters.", max=NAME_MAX))
    if not 1 <= fields.case_limit <= LIMIT_MAX:
        raise TeamRefused(_("The limit is a number of running cases from 1 to %(max)d.", max=LIMIT_MAX))
    same = session.exec(select(Team.id).where(func.lower(Team.name) == name.lower())).all()
    if any(team is None or found != team.id for found in same):
        raise TeamRefused(_("There is already a team with this name."))
    return TeamFields(name, fields.case_limit)


def create(session: Session, *, actor: User, fields: TeamFields) -> Team:
    access.require(session, access.Capability.administer, actor)
    fields = _checked(session, fields)
    team = Team(name=fields.name, case_limit=fields.case_limit)
    session.add(team)
    session.flush()
    audit.record(session, action="team_created", actor=actor, details={"team_id": team.id, **vars(fields)})
    return team


def get(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(_("This team does not exist."))
    return team


def change(session: Session, team: Team, *, actor: User, fields: TeamFields) -> bool:
    """Rename the team or set its limit; False when nothing changed (and nothing is written)."""
    access.require(session, access.Capability.administer, actor)
    fields = _checked(session, fields, team=team)
    before = TeamFields(team.name, team.case_limit)
    if fields == before:
        return False
    team.name, team.case_limit = fields.name, fields.case_limit
    session.add(team)
    audit.record(
        session,
        action="team_changed",
        actor=actor,
        details={"team_id": team.id, **vars(fields), "before": vars(before)},
    )
    return True


def place(session: Session, official_id: int, *, actor: User, team_id: int | None) -> User:
    """Put an official in a team, or in none."""
    access.require(session, access.Capability.administer, actor)
    official = session.get(User, official_id)
    if official is None or official.role != Role.official:
        raise NotFound(_("This official does not exist."))
    if team_id is not None:
        get(session, team_id)
    if official.team_id != team_id:
        audit.record(
            session,
            action="official_team_changed",
            actor=actor,
            details={"user_id": official.id, "team_id": team_id, "previous_team_id": official.team_id},
        )
        official.team_id = team_id
        session.add(official)
    return official

"""Fires workflow transitions on cases: role check, guards, state change, audit.

`transitions` drives the state change. A SQLModel row cannot be a Machine
model (pydantic refuses the attributes transitions adds), so a light machine is
built per use around a plain wrapper whose `state` reads and writes the column.
The state change, its audit event and its named effects are flushed together; the caller commits
once. The case's version counter makes a concurrent second change fail with
StaleCase instead of writing twice.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session, select
from transitions import Machine

from ..core import db, locking
from ..core.errors import DomainError, GuardFailed, NotAllowed
from ..models import AuditEvent, Case, User, utcnow
from .definitions import SYSTEM_ROLE, TransitionDef, workflow_for, workflows
from .effects import EFFECTS
from .guards import GUARDS, GuardContext
from .labels import state_label, trigger_label

GuardRunner = Callable[[str, GuardContext], list[str]]


def run_guard(name: str, ctx: GuardContext) -> list[str]:
    return GUARDS[name].check(ctx)


@dataclass(frozen=True)
class CheckResult:
    name: str
    label: str
    reasons: list[str]
    page: str | None = None  # where to fill in what is missing

    @property
    def passed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class TransitionOption:
    """A transition out of the current state, as the case page shows it."""

    transition: TransitionDef
    allowed: bool
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.allowed and all(check.passed for check in self.checks)

    @property
    def trigger(self) -> str:
        return self.transition.trigger


class _CaseModel:
    """The Machine's model: `state` is the case's column, nothing more."""

    def __init__(self, case: Case):
        self._case = case

    @property
    def state(self) -> str:
        return self._case.state

    @state.setter
    def state(self, value: str) -> None:
        self._case.state = value


def _role_of(actor: User | None) -> str:
    return SYSTEM_ROLE if actor is None else actor.role.value


def check_transition(
    transition: TransitionDef, ctx: GuardContext, runner: GuardRunner = run_guard
) -> list[CheckResult]:
    return [
        CheckResult(name, str(GUARDS[name].label), runner(name, ctx), GUARDS[name].page) for name in transition.guards
    ]


def checklist(
    session: Session, case: Case, actor: User | None, *, now: datetime | None = None
) -> tuple[list[TransitionOption], datetime | None]:
    """Every transition out of the case's state with its checks, for one user, and the first moment
    ahead at which a check's answer changes by time alone (a deadline passing)."""
    ctx = GuardContext(session, case, now or utcnow())
    role = _role_of(actor)
    options = [
        TransitionOption(t, role in t.roles, check_transition(t, ctx))
        for t in workflow_for(case).transitions_from(case.state)
    ]
    return options, min(ctx.upcoming, default=None)


def fire(
    session: Session,
    case: Case,
    trigger: str,
    *,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
    runner: GuardRunner = run_guard,
) -> AuditEvent:
    """Fire `trigger` on the case for `actor` (None: the engine itself).

    Raises a DomainError saying why when the trigger is unknown here, the role
    may not fire it, a reason is missing, a guard fails, or the case changed
    since the user loaded it. Nothing is written in those cases.
    """
    now = now or utcnow()
    reason = reason.strip()
    locking.check_version(case, expected_version)
    workflow = workflow_for(case)
    candidates = workflow.transitions_from(case.state, trigger)
    if not candidates:
        raise DomainError(
            _(
                "“%(action)s” is not possible in the phase “%(state)s”.",
                action=trigger_label(trigger),
                state=state_label(case.state),
            )
        )
    permitted = [t for t in candidates if _role_of(actor) in t.roles]
    if not permitted:
        raise NotAllowed(_("Your role may not perform “%(action)s”.", action=trigger_label(trigger)))
    if any(t.reason_required for t in permitted) and not reason:
        raise DomainError(_("Give a reason for “%(action)s”.", action=trigger_label(trigger)))

    ctx = GuardContext(session, case, now)
    failures = {t: [r for check in check_transition(t, ctx, runner) for r in check.reasons] for t in permitted}
    source = case.state
    model = _CaseModel(case)
    Machine(
        model=model,
        states=list(workflow.states),
        initial=source,
        auto_transitions=False,
        transitions=[
            {
                "trigger": t.trigger,
                "source": source,
                "dest": t.dest,
                "conditions": [lambda t=t: not failures[t]],
            }
            for t in permitted
        ],
    )
    if not model.trigger(trigger):
        reasons = list(dict.fromkeys(r for t in permitted for r in failures[t]))
        raise GuardFailed(_("“%(action)s” is not yet possible.", action=trigger_label(trigger)), reasons)

    case.updated_at = now
    event = AuditEvent(
        case_id=case.id,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else "",
        at=now,
        action="transition",
        trigger=trigger,
        from_state=source,
        to_state=case.state,
        reason=reason,
    )
    session.add(case)
    session.add(event)
    taken = next(t for t in permitted if t.dest == case.state and not failures[t])
    for effect in taken.effects:
        EFFECTS[effect](session, case, actor)
    locking.flush(session)
    db.derive(session)  # a transition is an event of its own for the open data, even among many in one job
    return event


def _due_step(session: Session, case: Case, now: datetime) -> TransitionDef | None:
    """The time-driven transition out of the case's state whose guards now pass (a deadline passed...), if any."""
    ctx = GuardContext(session, case, now)
    return next(
        (
            t
            for t in workflow_for(case).transitions_from(case.state)
            if t.automatic and all(check.passed for check in check_transition(t, ctx))
        ),
        None,
    )


def apply_due_steps(session: Session, case: Case, *, now: datetime | None = None) -> list[AuditEvent]:
    """Fire the time-driven transitions whose guards now pass, one after the other; the caller commits."""
    now = now or utcnow()
    events = []
    for _step in range(len(workflow_for(case).states)):
        due = _due_step(session, case, now)
        if due is None:
            break
        events.append(fire(session, case, due.trigger, actor=None, now=now))
    return events


def catch_up(case: Case) -> int:
    """Apply the steps that fell due since the case was last touched, as a unit of work of their own, committed
    before the user's request goes on: the user's work then starts from the phase the case is really in, and a
    refused or failed request does not undo the deadline's effects. Concurrent readers take turns on the case's row,
    so a step fires once. Returns how many fired; the request's copy of the case is refreshed."""
    request_session = db.session()
    if _due_step(request_session, case, utcnow()) is None:
        return 0
    with Session(db.engine(), expire_on_commit=False) as own:
        locking.serialise(own, Case, case.id)
        fired = apply_due_steps(own, own.get(Case, case.id, populate_existing=True))
        db.commit(own)
    request_session.refresh(case)
    return len(fired)


def apply_all_due_steps(session: Session, *, now: datetime | None = None) -> int:
    """The `tick`: apply due steps to every case in a state that has any."""
    now = now or utcnow()
    states = {s for wf in workflows().values() for t in wf.transitions if t.automatic for s in t.sources}
    fired = 0
    for case in session.exec(select(Case).where(Case.state.in_(states)).order_by(Case.id)).all():
        fired += len(apply_due_steps(session, case, now=now))
    return fired

"""Who took part in the consensus on a proposal.

The participants are recorded with every consensus, chosen among the case's evaluators (the official recording it
always takes part); an evaluator who declared a conflict with the proposal cannot take part. When the tender makes
the consensus a joint decision (`Case.consensus_joint`, announced in the question document), the owner does not
record it alone: at least one other evaluator who submitted a scoring of this proposal takes part, so a consensus
always rests on at least two people who judged the proposal or heard it judged. (Requiring every scorer would let
one absent evaluator stop the procedure; the minimum of two independent scorers is guarded separately.)
"""

from collections.abc import Iterable

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core.errors import DomainError
from ..models import Case, ConsensusParticipant, Evaluation, EvaluatorAssignment, User


def candidates(session: Session, case: Case, proposal_id: int) -> list[User]:
    """The officials who may take part: the case's evaluators without a conflict with this proposal."""
    conflicted = select(Evaluation.evaluator_id).where(Evaluation.proposal_id == proposal_id, Evaluation.has_conflict)
    return list(
        session.exec(
            select(User)
            .join(EvaluatorAssignment, EvaluatorAssignment.user_id == User.id)
            .where(EvaluatorAssignment.case_id == case.id, User.id.not_in(conflicted))
            .order_by(User.name)
        ).all()
    )


def record(
    session: Session, case: Case, proposal_id: int, *, actor: User, participant_ids: Iterable[int]
) -> list[User]:
    """Check and store who took part; refuses (nothing stored) a stranger, a conflicted evaluator, or a lone owner
    where the consensus is joint."""
    chosen = set(participant_ids) - {actor.id}
    evaluations = {
        e.evaluator_id: e for e in session.exec(select(Evaluation).where(Evaluation.proposal_id == proposal_id)).all()
    }
    allowed = {u.id: u for u in candidates(session, case, proposal_id)}
    if chosen - set(allowed):
        raise DomainError(
            _(
                "Only the case's evaluators without a conflict of interest with this proposal take part in its consensus."
            )
        )
    if actor.id in evaluations and evaluations[actor.id].has_conflict:
        raise DomainError(
            _("You declared a conflict of interest with this proposal: another official records its consensus.")
        )
    scored = {uid for uid in chosen if evaluations.get(uid) and evaluations[uid].submitted_at is not None}
    if case.consensus_joint and not scored:
        raise DomainError(
            _(
                "The tender makes the consensus a joint decision: at least one other evaluator who scored this "
                "proposal takes part."
            )
        )
    current = {
        p.user_id: p
        for p in session.exec(select(ConsensusParticipant).where(ConsensusParticipant.proposal_id == proposal_id)).all()
    }
    for uid, row in current.items():
        if uid not in chosen | {actor.id}:
            session.delete(row)
    session.add_all(
        ConsensusParticipant(proposal_id=proposal_id, user_id=uid) for uid in (chosen | {actor.id}) - set(current)
    )
    return sorted([allowed[uid] for uid in chosen] + [actor], key=lambda u: u.name)


def participants(session: Session, proposal_ids: list[int]) -> dict[int, list[User]]:
    """Per proposal, who took part in its consensus, in one query."""
    rows = session.exec(
        select(ConsensusParticipant.proposal_id, User)
        .join(User, User.id == ConsensusParticipant.user_id)
        .where(ConsensusParticipant.proposal_id.in_(proposal_ids))
        .order_by(User.name)
    ).all()
    found: dict[int, list[User]] = {}
    for proposal_id, user in rows:
        found.setdefault(proposal_id, []).append(user)
    return found


def names(users: list[User]) -> str:
    return format_list([u.name for u in users], locale=get_locale())

"""Wel of niet aanbesteden: the method's three conditions and three usefulness questions."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError
from ..models import Case, SuitabilityAnswer, User
from ..workflow.guards import SUITABILITY_CONDITIONS
from ..workflow.phases import in_phase

USEFULNESS_QUESTIONS = ("adds_value", "realisation_power", "effective_and_efficient")
QUESTIONS = {
    "market_exists": _l(
        "Is there a “market” of citizens, companies and social organisations able to make good proposals?"
    ),
    "no_exclusive_tasks": _l("Can it be carried out without (much) exclusive government tasks, such as policing?"),
    "public_character_safeguarded": _l("Can the public character of the execution be safeguarded?"),
    "adds_value": _l("Can the creativity and entrepreneurship of society add value here?"),
    "realisation_power": _l("Will the power to get things done grow by involving society?"),
    "effective_and_efficient": _l("Were effectiveness and efficiency weighed, and do they favour social tendering?"),
}


@dataclass(frozen=True)
class Answer:
    question: str
    answer: bool
    motivation: str


def answers_of(session: Session, case: Case) -> dict[str, SuitabilityAnswer]:
    rows = session.exec(select(SuitabilityAnswer).where(SuitabilityAnswer.case_id == case.id)).all()
    return {row.question: row for row in rows}


def record_suitability(session: Session, case: Case, *, actor: User, answers: list[Answer]) -> None:
    """Store the answers (each with a motivation); decide_to_tender checks the conditions."""
    access.require(session, access.Capability.steer_case, actor)
    if not in_phase(case, "suitability_open"):
        raise DomainError(_("The suitability questions are answered in the phase “Suitability decision”."))
    unknown = {a.question for a in answers} - QUESTIONS.keys()
    if unknown:
        raise DomainError(_("Unknown question."))
    if missing := [a for a in answers if not a.motivation.strip()]:
        raise DomainError(_("Give a motivation for every answer (%(count)d missing).", count=len(missing)))
    existing = answers_of(session, case)
    for answer in answers:
        row = existing.get(answer.question) or SuitabilityAnswer(
            case_id=case.id, question=answer.question, answer=answer.answer
        )
        row.answer, row.motivation = answer.answer, answer.motivation.strip()
        session.add(row)
    audit.record(
        session,
        action="suitability_recorded",
        actor=actor,
        case=case,
        details={a.question: a.answer for a in answers},
    )
    session.flush()


def conditions_met(answers: dict[str, SuitabilityAnswer]) -> bool:
    return all(q in answers and answers[q].answer for q in SUITABILITY_CONDITIONS)

"""The evaluation rules a tender announces in its question document, so that bidders know them beforehand and a
court can hold the municipality to them:

- whether the consensus is a joint decision of the evaluators (then the owner does not record it alone);
- whether an organisation may be an accepted partner in more than one competing coalition;
- the standstill: 20 calendar days, the Dutch procurement act's term for European procedures; a shorter term, down
  to 0, only for a national procedure (below the European threshold) and with the reason, which the letters and the
  public award notice repeat.
"""

from flask_babel import gettext as _
from sqlmodel import Session

from ..core import audit
from ..core.errors import DomainError
from ..models import Case, User, utcnow
from .tender_lock import tender_change

EUROPEAN_STANDSTILL = 20  # calendar days (Aanbestedingswet 2012, art. 2.127)
STANDSTILL_MAX = 90


def check_standstill(days: int, *, national: bool, reason: str) -> None:
    """Refuse a standstill the procedure does not permit, with the rule in the message."""
    if not 0 <= days <= STANDSTILL_MAX:
        raise DomainError(_("The standstill period lasts 0 to %(max)d calendar days.", max=STANDSTILL_MAX))
    if days < EUROPEAN_STANDSTILL and not national:
        raise DomainError(
            _(
                "A standstill period shorter than %(days)d calendar days is only possible in a national procedure "
                "(below the European threshold).",
                days=EUROPEAN_STANDSTILL,
            )
        )
    if days < EUROPEAN_STANDSTILL and not reason.strip():
        raise DomainError(
            _("Give the reason for a standstill period shorter than %(days)d calendar days.", days=EUROPEAN_STANDSTILL)
        )


def shortened(case: Case) -> bool:
    """Whether the case's standstill is shorter than the European term (and so has a reason to show)."""
    return case.standstill_days < EUROPEAN_STANDSTILL


def set_evaluation_rules(
    session: Session,
    case: Case,
    *,
    actor: User,
    consensus_joint: bool,
    shared_partners_allowed: bool,
    amendment_note: str = "",
) -> None:
    """Set the rules for the consensus and for partners in several coalitions (an amendment once published)."""
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        case.consensus_joint, case.shared_partners_allowed = consensus_joint, shared_partners_allowed
        case.updated_at = utcnow()
        session.add(case)
        audit.record(
            session,
            action="evaluation_rules_set",
            actor=actor,
            case=case,
            details={"consensus_joint": consensus_joint, "shared_partners_allowed": shared_partners_allowed},
        )

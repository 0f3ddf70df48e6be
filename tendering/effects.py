"""Named effects of workflow transitions: database work that belongs to the
state change and happens in its transaction (mail only goes out after commit)."""

from .agreement import freeze_on_conclusion
from .award import send_letters
from .question_document import freeze_on_publication
from .reconsideration import start_new_round

EFFECTS = {
    "freeze_agreement": freeze_on_conclusion,
    "freeze_question_document": freeze_on_publication,
    "send_award_letters": send_letters,
    "start_new_round": start_new_round,
}

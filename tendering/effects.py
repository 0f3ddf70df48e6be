"""Named effects of workflow transitions: database work that belongs to the
state change and happens in its transaction (mail only goes out after commit)."""

from .question_document import freeze_on_publication

EFFECTS = {
    "freeze_question_document": freeze_on_publication,
}

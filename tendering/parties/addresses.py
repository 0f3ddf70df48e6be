"""E-mail addresses as people type them: one check for every field that takes one.

A field holds exactly one address that an SMTP server without SMTPUTF8 accepts (`email-validator`, not a
hand-written pattern): no list (`a@x.example,b@y.example` would send every mail of the account to both), no line
break (it would end the header), no non-ASCII local part. An internationalised domain is kept in its ASCII form.
"""

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from ..core.errors import DomainError

MAX_LENGTH = 254


def normalised(text: str | None) -> str | None:
    """The address in the form it is stored and compared in (lower case, ASCII domain), or None if it is not one."""
    text = (text or "").strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return checked.ascii_email.lower()


def checked(text: str | None) -> str:
    """`normalised`, or a refusal in the reader's language."""
    address = normalised(text)
    if address is None:
        raise DomainError(_("Give one valid e-mail address, such as naam@voorbeeld.nl."))
    return address

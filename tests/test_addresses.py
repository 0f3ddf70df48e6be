"""One check for every address a person types (`parties/addresses.py`): one address an SMTP server takes."""

import pytest

from tendering.parties.addresses import normalised


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" Anna.de.Vries@Lindendal.example ", "anna.de.vries@lindendal.example"),
        ("info@münchen.example", "info@xn--mnchen-3ya.example"),  # an internationalised domain, in ASCII
    ],
)
def test_an_address_is_stored_in_one_form(typed, stored):
    assert normalised(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "geen adres",
        "a@lindendal.example,b@elders.example",  # a list: every mail of the account would go to both
        "a@lindendal.example; b@elders.example",
        "a@lindendal.example\nBcc: b@elders.example",  # a line break ends the header
        "Anna <a@lindendal.example>",
        "jürgen@lindendal.example",  # not every server takes a non-ASCII local part
        "a@localhost",
        "a" * 250 + "@x.example",
    ],
)
def test_what_is_not_one_deliverable_address_is_refused(typed):
    assert normalised(typed) is None

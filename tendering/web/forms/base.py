"""What every form shares: CSRF, limits on numbers and dates, amendments, confirmations."""

import decimal
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as BaseFlaskForm
from wtforms import (
    DecimalField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

INT32_MAX = 2**31 - 1  # the largest id (and integer) the database's integer columns hold


DECIMAL_MAX = decimal.Decimal(10) ** 12  # beyond the largest amount the numeric columns hold (14 digits, 2 decimals)


EARLIEST, LATEST = (
    date(1900, 1, 1),
    date(2199, 12, 31),
)  # dates a case can meaningfully carry; beyond them date arithmetic overflows


def _out_of_range(field):
    """Why a parsed number or date cannot be stored or computed with, or None."""
    data = field.data
    for value in data if isinstance(data, list | tuple) else [data]:
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not -INT32_MAX - 1 <= value <= INT32_MAX:
            return _l("This number is too large or too small.")
        if isinstance(value, decimal.Decimal | float):
            number = decimal.Decimal(value)
            if number.is_nan():
                return _l("Not a valid number.")
            if number.is_infinite() or abs(number) >= DECIMAL_MAX:
                return _l("This number is too large or too small.")
        if (
            isinstance(value, date)
            and not EARLIEST <= (value.date() if isinstance(value, datetime) else value) <= LATEST
        ):
            return _l("Give a date between 1900 and 2199.")
    return None


class FlaskForm(BaseFlaskForm):
    """Every form of the app: Flask-WTF's, and a number or date the database cannot hold is an error of its field.

    Checked before the field's own validators, which would otherwise compare with a NaN or store an overflowing id.
    (NUL, control characters and bytes that are not UTF-8 are refused for every request in `views.refuse_bad_characters`.)
    """

    def validate(self, extra_validators=None):
        problems = {}
        for field in self:
            problem = _out_of_range(field)
            if problem is not None:
                problem = str(problem)  # views join the messages
                problems[field] = problem
                field.data = None
                field.process_errors.append(problem)
        valid = super().validate(extra_validators)
        for field, problem in problems.items():
            field.errors = [problem]  # not also "must be between 0 and …" for the value that was set aside
        return valid


AMENDMENT_HELP = _l(
    "The tender is published: this change becomes a numbered amendment, sent to every interested organisation."
)


def amendment_field(field_id: str):
    """The same `amendment_note` field in several forms, each with its own id for the page."""
    return TextAreaField(_l("Amendment note"), validators=[Length(max=5000)], description=AMENDMENT_HELP, id=field_id)


def checkboxes(label, **kwargs):
    """A group of checkboxes; the template renders it in a fieldset with a legend."""
    return SelectMultipleField(label, option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), **kwargs)


class NumberField(DecimalField):
    """A decimal number as Dutch users type it too: 12,5 and 1.234,5 as well as 12.5.

    A text box with a decimal keyboard, since a number input refuses the comma in some browsers.
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and "," in valuelist[0]:
            valuelist = [valuelist[0].replace(" ", "").replace(".", "").replace(",", ".")]
        super().process_formdata(valuelist)


class TransitionForm(FlaskForm):
    trigger = HiddenField(validators=[DataRequired(), Length(max=60)])
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)])


def _clean(value):
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""

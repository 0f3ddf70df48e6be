"""Forms of the financial part of the agreement: payments, claims, validation, approval, payment."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .base import FlaskForm, NumberField

AMOUNT = NumberRange(min=Decimal("0.01"), max=10**9)  # a Decimal: the float 0.01 is a hair above one cent


class PaymentTermForm(FlaskForm):
    kind = SelectField(_l("Kind of payment"), validators=[InputRequired()])
    description = TextAreaField(_l("What the payment is for"), validators=[DataRequired(), Length(max=2000)])
    amount = NumberField(
        _l("Amount (euros)"),
        places=2,
        validators=[InputRequired(), AMOUNT],
        description=_l("For a payment for an outcome: the most it can pay (the cap)."),
    )
    due_on = DateField(
        _l("Date"),
        validators=[InputRequired()],
        description=_l(
            "Fixed: when it is due. Milestone: when the deliverable is planned. Outcome: the date the value counts at."
        ),
    )
    deliverable = TextAreaField(
        _l("Deliverable"),
        validators=[Length(max=5000)],
        description=_l("For a milestone: what the municipality accepts before it pays."),
    )
    indicator_id = SelectField(_l("Agreed indicator it rests on"), coerce=int, validators=[Optional()])
    reference_value = NumberField(
        _l("Progress counts from"), validators=[Optional()], description=_l("Empty: the indicator's baseline.")
    )
    target_value = NumberField(_l("Value that earns the whole amount"), validators=[Optional()])
    partial = SelectField(_l("When the target is partly reached"), validators=[Optional()])
    rate = NumberField(
        _l("Amount per unit or per step (euros)"), places=2, validators=[Optional(), NumberRange(min=0, max=10**9)]
    )
    step = NumberField(_l("Size of a step"), validators=[Optional()])
    shares = TextAreaField(
        _l("Shares of the partners"),
        validators=[Length(max=5000)],
        description=_l("Optional, one partner a line: the partner's name, a colon and its percentage."),
    )


class PaymentProposalForm(PaymentTermForm):
    note = TextAreaField(
        _l("Explanation"), validators=[Length(max=5000)], description=_l("Why you propose this (optional).")
    )


class RiskSharingProposalForm(FlaskForm):
    risk_sharing = TextAreaField(
        _l("Proposed risk sharing"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("Who bears what when the outcomes are not, or only partly, reached."),
    )


class ClaimForm(FlaskForm):
    evidence = TextAreaField(
        _l("Evidence"),
        validators=[Length(max=20000)],
        description=_l(
            "For a milestone: what was delivered and where the municipality finds it. An outcome claim rests on "
            "the reported value, which is not typed again."
        ),
    )


class ValidationForm(FlaskForm):
    decision = RadioField(
        _l("The value"),
        choices=[
            SelectChoice("confirmed", _l("I confirm this value")),
            SelectChoice("not_confirmed", _l("I do not confirm this value")),
        ],
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Note"), validators=[Length(max=20000)], description=_l("Required when you do not confirm the value.")
    )


class ClaimRejectionForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejecting"), validators=[DataRequired(), Length(max=20000)])


class PaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[InputRequired()])
    reference = StringField(
        _l("Reference of the financial administration"), validators=[DataRequired(), Length(max=100)]
    )


class SettlementForm(FlaskForm):
    settlement = TextAreaField(_l("How the correction is settled"), validators=[DataRequired(), Length(max=20000)])
    amount = NumberField(
        _l("Amount to settle (euros)"),
        places=2,
        validators=[InputRequired(), NumberRange(min=-(10**9), max=10**9)],
        description=_l("More than zero: paid later. Less than zero: paid back. Zero: nothing changes hands."),
    )

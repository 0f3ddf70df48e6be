"""Forms: parsing and validating what users type, with messages in their language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .cases import CaseFields
from .workflow.labels import WORKFLOW_LABELS


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class CaseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(
        _l("The societal question"),
        validators=[Length(max=5000)],
        description=_l("Ask the real, broad question: what must change, not who delivers which service."),
    )
    problem_analysis = TextAreaField(_l("Problem analysis"), validators=[Length(max=20000)])
    signals = TextAreaField(
        _l("Signals"), validators=[Length(max=5000)], description=_l("Who raised the question, and how?")
    )
    target_group = TextAreaField(_l("Target group"), validators=[Length(max=5000)])
    ambition = TextAreaField(_l("Ambition"), validators=[Length(max=5000)])
    theme = StringField(_l("Theme"), validators=[Length(max=80)], description=_l("For example: care, living, education."))
    budget_ceiling = DecimalField(
        _l("Budget ceiling (euros)"), places=2, validators=[Optional(), NumberRange(min=0, max=10**11)]
    )
    current_role = TextAreaField(_l("The municipality's current role"), validators=[Length(max=5000)])
    desired_role = TextAreaField(_l("The municipality's desired role"), validators=[Length(max=5000)])
    council_decision_date = DateField(_l("Date of the council's framework decision"), validators=[Optional()])
    council_decision_reference = StringField(_l("Reference of the council's decision"), validators=[Length(max=100)])
    version = HiddenField()

    def fields(self) -> CaseFields:
        return CaseFields(
            **{name: _clean(getattr(self, name).data) for name in CaseFields.__dataclass_fields__}
        )


class NewCaseForm(CaseForm):
    workflow = SelectField(
        _l("Procedure"),
        choices=[SelectChoice(name, label) for name, label in WORKFLOW_LABELS.items()],
        validators=[DataRequired()],
    )


class OutcomeForm(FlaskForm):
    description = TextAreaField(
        _l("Desired outcome"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("What will really change, and when are we satisfied?"),
    )
    indicator_hint = StringField(_l("Candidate outcome indicator"), validators=[Length(max=500)])


class TransitionForm(FlaskForm):
    trigger = HiddenField(validators=[DataRequired(), Length(max=60)])
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)])


def _clean(value):
    return value.strip() if isinstance(value, str) else value

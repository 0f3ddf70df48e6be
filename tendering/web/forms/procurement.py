"""Forms of evaluation and award."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from .base import FlaskForm, checkboxes


class EvaluatorForm(FlaskForm):
    evaluator_id = SelectField(_l("Official"), coerce=int, validators=[InputRequired()])


class DeclarationForm(FlaskForm):
    conflict = RadioField(
        _l("Conflict of interest with this coalition's organisations?"),
        choices=[
            SelectChoice("no", _l("No conflict of interest")),
            SelectChoice("yes", _l("I have a conflict of interest")),
        ],
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Describe the conflict"), validators=[Length(max=2000)])


def _at_least_one(_form, field) -> None:
    """Any of the options, alone or together, is enough; a `required` validator would make every box required."""
    if not field.data:
        raise ValidationError(_l("Choose at least one thing that must change."))


class ReconsiderationForm(FlaskForm):
    changes = checkboxes(
        _l("What must change before a new round"),
        validators=[_at_least_one],
        description=_l("Choose one or more."),
    )
    note = TextAreaField(
        _l("What changes, and why"),
        validators=[DataRequired(_l("Describe what changes and why.")), Length(max=10000)],
        description=_l("Why did nobody take responsibility, or why did no proposal pass? What do we do differently?"),
    )


class AwardDecisionForm(FlaskForm):
    proposal_id = SelectField(_l("Winning proposal"), coerce=int, validators=[InputRequired()])
    motivation = TextAreaField(_l("Motivation of the award decision"), validators=[DataRequired(), Length(max=20000)])
    advantages = TextAreaField(
        _l("Characteristics and relative advantages of the winning proposal"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("Every coalition reads this in its letter: why the winning proposal was better than theirs."),
    )


class ObjectionForm(FlaskForm):
    text = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=20000)])


class ResolutionForm(FlaskForm):
    resolution = TextAreaField(_l("How the objection is resolved"), validators=[DataRequired(), Length(max=20000)])

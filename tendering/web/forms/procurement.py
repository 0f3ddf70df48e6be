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


class ReconsiderationForm(FlaskForm):
    changes = checkboxes(
        _l("What must change before a new round"), validators=[DataRequired(_l("Choose what must change."))]
    )
    note = TextAreaField(_l("What changes, and why"), validators=[DataRequired(), Length(max=10000)])


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
    """The decision on an objection: by another official than the award's, with the motivation the letter gives."""

    outcome = RadioField(
        _l("Decision on the objection"),
        choices=[
            SelectChoice("rejected", _l("Rejected: the award decision stands")),
            SelectChoice("upheld", _l("Upheld")),
        ],
        validators=[InputRequired(_l("Choose whether the objection is upheld or rejected."))],
    )
    resolution = TextAreaField(
        _l("Motivation of the decision"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("The objecting coalition reads this in its letter, with the legal remedy and its term."),
    )


class ShortfallExceptionForm(FlaskForm):
    reason = TextAreaField(
        _l("Why this proposal may be judged on fewer than two evaluations"),
        validators=[DataRequired(), Length(max=5000)],
    )

"""Forms of evaluation and award."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from .base import FlaskForm, amendment_field, checkboxes


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


# The two-stage variant (issue 15, part A) ---------------------------------------------------------------------


class StrategyChoiceForm(FlaskForm):
    proposal_ids = checkboxes(
        _l("Chosen strategies"), coerce=int, validators=[DataRequired(_l("Choose at least one strategy."))]
    )
    motivation = TextAreaField(
        _l("Motivation of the strategy choice"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("Every coalition reads this in its letter: why these strategies were chosen."),
    )
    plan_deadline = DateTimeLocalField(
        _l("Deadline for the realisation plan"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )


class PlanMessageForm(FlaskForm):
    text = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=10000)])


class PlanRejectionForm(FlaskForm):
    coalition_id = SelectField(_l("Realisation plan of"), coerce=int, validators=[InputRequired()])
    motivation = TextAreaField(
        _l("Why the realisation plan is not accepted"), validators=[DataRequired(), Length(max=20000)]
    )


class InviteNextForm(FlaskForm):
    plan_deadline = DateTimeLocalField(
        _l("Deadline for the realisation plan"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    motivation = TextAreaField(_l("Why the next strategy is invited"), validators=[DataRequired(), Length(max=20000)])


class StrategyCountForm(FlaskForm):
    strategies_to_choose = IntegerField(
        _l("How many strategies may be chosen"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=10)],
        description=_l("The chosen coalitions each work their strategy out into a realisation plan."),
    )
    amendment_note = amendment_field("strategy-count-amendment-note")

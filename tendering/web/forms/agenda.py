"""Forms of the Maatschappelijke Agenda: agendas, ambitions, city indicators, their norms and values, and the links
of cases and indicators to ambitions; and of the portfolio: its reviews, and the teams whose capacity it shows."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...parties.teams import LIMIT_MAX, NAME_MAX
from .base import FlaskForm, NumberField, checkboxes
from .realisation import ValueForm


class AgendaForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Period from"), validators=[InputRequired()])
    ends_on = DateField(_l("Period until"), validators=[InputRequired()])
    council_decision = TextAreaField(
        _l("Council decision"),
        validators=[Length(max=20000)],
        description=_l("The reference of the council's decision and what it decided."),
    )
    decided_on = DateField(_l("Decided on"), validators=[Optional()])


class NewAgendaForm(AgendaForm):
    carry_over = BooleanField(
        _l("Start from the latest agenda"),
        default=True,
        description=_l(
            "Its ambitions and city indicators, with their norms and values, are copied; the latest agenda itself does not change."
        ),
    )


class AmbitionForm(FlaskForm):
    title = StringField(_l("Ambition"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])


class CityIndicatorForm(FlaskForm):
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=200)])
    definition = TextAreaField(_l("Definition"), validators=[DataRequired(), Length(max=5000)])
    unit = StringField(_l("Unit"), validators=[Length(max=40)])
    direction = SelectField(_l("Direction"), validators=[InputRequired()])
    data_source = StringField(_l("Data source"), validators=[DataRequired(), Length(max=2000)])
    measured_by = StringField(_l("Measured by"), validators=[DataRequired(), Length(max=200)])
    frequency = SelectField(_l("Measured"), validators=[InputRequired()])
    baseline_value = NumberField(_l("Baseline value"), validators=[InputRequired()])
    baseline_date = DateField(_l("Baseline date"), validators=[InputRequired()])
    target_value = NumberField(_l("Target value"), validators=[InputRequired()])
    target_date = DateField(_l("Target date"), validators=[InputRequired()])
    confidential = BooleanField(
        _l("Confidential"), description=_l("Shown to officials and the council, not in the public databook.")
    )


class NormForm(FlaskForm):
    norm_at_risk = NumberField(_l("Norm: at risk from"), validators=[Optional()])
    norm_off_track = NumberField(_l("Norm: off track from"), validators=[Optional()])
    agreed_on = DateField(_l("Agreed on"), validators=[InputRequired()])
    partners = TextAreaField(
        _l("Agreed with"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("The partners that agreed on these norms, one per line."),
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=5000)])


class CityValueForm(ValueForm):
    period = DateField(_l("Period from"), validators=[InputRequired()], description=_l("The first day of the period."))


class CityImportForm(FlaskForm):
    file = FileField(
        _l("File with values (CSV or XLSX)"),
        validators=[FileRequired()],
        description=_l("Columns: indicator, period, value, and optionally source, note, correction_reason."),
    )


class CaseAmbitionsForm(FlaskForm):
    ambitions = checkboxes(_l("Ambitions this case contributes to"), coerce=int)
    reason = TextAreaField(_l("Why (for the audit trail)"), validators=[Length(max=5000)])


class CityLinkForm(FlaskForm):
    city_indicator_id = SelectField(_l("Contributes to city indicator"), coerce=int, validators=[InputRequired()])


class PortfolioReviewForm(FlaskForm):
    """The review itself; the decision and reason per case are the page's `decision-<id>` and `reason-<id>` fields."""

    held_on = DateField(_l("Held on"), validators=[InputRequired()])
    participants = TextAreaField(
        _l("Who took part"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("The partners and officials at the table, one per line."),
    )
    summary = TextAreaField(_l("What the review concluded"), validators=[Length(max=20000)])


class TeamForm(FlaskForm):
    name = StringField(_l("Name of the team"), validators=[DataRequired(), Length(max=NAME_MAX)])
    case_limit = IntegerField(
        _l("Limit of running cases"),
        validators=[InputRequired(), NumberRange(min=1, max=LIMIT_MAX)],
        description=_l("How many cases the team's officials can steer well at once; beyond it they are warned."),
    )


class TeamMemberForm(FlaskForm):
    team_id = SelectField(_l("Team"), coerce=int, validators=[InputRequired()])

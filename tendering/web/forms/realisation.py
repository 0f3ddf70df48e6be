"""Forms of the agreement, measurements, progress and accountability."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from .base import FlaskForm, NumberField, checkboxes


class AgreementForm(FlaskForm):
    budget = DecimalField(_l("Budget (euros)"), places=2, validators=[InputRequired(), NumberRange(min=0, max=10**11)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    overseers = checkboxes(
        _l("Who oversees the outcomes"), validators=[DataRequired(_l("Choose who oversees the outcomes."))]
    )
    monitoring_arrangement = TextAreaField(
        _l("Monitoring arrangement"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("How the overseers look at the indicators and progress reports, and when they meet."),
    )
    report_cadence = SelectField(_l("Progress reports"), validators=[InputRequired()])
    risk_sharing = TextAreaField(
        _l("Risk sharing"),
        validators=[Length(max=20000)],
        description=_l("Who bears what when the outcomes are not, or only partly, reached."),
    )
    validator_email = StringField(
        _l("Independent validator of outcome values (e-mail address)"),
        validators=[Length(max=254)],
        description=_l(
            "Optional: an account outside the coalition who confirms the values an outcome payment rests on. "
            "Officials who did not report a value can always confirm it."
        ),
    )


class IndicatorForm(FlaskForm):
    outcome_id = SelectField(_l("Desired outcome"), coerce=int, validators=[Optional()])
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=200)])
    definition = TextAreaField(_l("Definition"), validators=[DataRequired(), Length(max=5000)])
    unit = StringField(_l("Unit"), validators=[Length(max=40)])
    direction = SelectField(_l("Direction"), validators=[InputRequired()])
    data_source = StringField(_l("Data source"), validators=[DataRequired(), Length(max=2000)])
    baseline_value = NumberField(_l("Baseline value"), validators=[InputRequired()])
    baseline_date = DateField(_l("Baseline date"), validators=[InputRequired()])
    target_value = NumberField(_l("Target value"), validators=[InputRequired()])
    target_date = DateField(_l("Target date"), validators=[InputRequired()])
    norm_at_risk = NumberField(_l("Norm: at risk from"), validators=[Optional()])
    norm_off_track = NumberField(_l("Norm: off track from"), validators=[Optional()])
    frequency = SelectField(_l("Measured"), validators=[InputRequired()])
    measured_by = StringField(_l("Measured by"), validators=[DataRequired(), Length(max=200)])
    confidential = BooleanField(
        _l("Confidential"), description=_l("Shown to officials and the council, not on the public monitor.")
    )


class IndicatorProposalForm(IndicatorForm):
    """The coalition's proposal of an indicator or of a change of one: the official's fields, and why."""

    note = TextAreaField(
        _l("Explanation"), validators=[Length(max=5000)], description=_l("Why you propose this (optional).")
    )


class ArrangementProposalForm(FlaskForm):
    arrangement = TextAreaField(
        _l("Proposed monitoring arrangement"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("How the overseers look at the indicators and progress reports, and when they meet."),
    )


class AgreementCommentForm(FlaskForm):
    about = SelectField(_l("About"), coerce=int, validators=[Optional()])
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=20000)])


class ProposalDecisionForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=20000)],
        description=_l("Required when you decline the proposal; both sides read it in the history."),
    )


class ApproveAgreementForm(FlaskForm):
    version = HiddenField()  # the version the approver read; a changed text refuses the approval


class ValueForm(FlaskForm):
    """A value with its source and note, and the reason when it corrects one: what coalitions and the municipality
    report alike; each form adds how the period is chosen."""

    value = NumberField(_l("Value"), validators=[InputRequired()])
    source = StringField(_l("Source"), validators=[Length(max=2000)])
    note = TextAreaField(_l("Note"), validators=[Length(max=5000)])
    correction_reason = TextAreaField(
        _l("Reason for a correction"),
        validators=[Length(max=5000)],
        description=_l("Only when the period already has a value: the earlier value stays in the history."),
    )


class MeasurementForm(ValueForm):
    period = SelectField(_l("Period"), validators=[InputRequired()])


class JointEvaluationForm(FlaskForm):
    participants = TextAreaField(
        _l("Participants"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l(
            "The municipality, every coalition partner, the stakeholders and client representatives at the table; one a line."
        ),
    )
    findings = TextAreaField(
        _l("Findings from the conversations"),
        validators=[DataRequired(), Length(max=50000)],
        description=_l("What the results mean, in the words of the people involved."),
    )
    lessons = TextAreaField(_l("What we learned"), validators=[Length(max=50000)])
    legacy = TextAreaField(_l("What remains after the project ends"), validators=[Length(max=50000)])


class ProgressReportForm(FlaskForm):
    period = SelectField(_l("Period"), validators=[InputRequired()])
    narrative = TextAreaField(_l("How the work went"), validators=[DataRequired(), Length(max=50000)])
    adjustments = TextAreaField(
        _l("Adjustment of the approach"),
        validators=[Length(max=20000)],
        description=_l("What you changed in the approach agreed; leave empty when nothing changed."),
    )
    adjustment_reason = TextAreaField(_l("Reason for the adjustment"), validators=[Length(max=20000)])
    setbacks = TextAreaField(_l("Setbacks"), validators=[Length(max=20000)])
    windfalls = TextAreaField(_l("Windfalls"), validators=[Length(max=20000)])
    client_panel = TextAreaField(_l("What the client panel said"), validators=[Length(max=20000)])


class ProgressResponseForm(FlaskForm):
    decision = RadioField(
        _l("Response"),
        validators=[InputRequired()],
        choices=[
            SelectChoice("acknowledge", _l("Acknowledge the report")),
            SelectChoice("questions", _l("Ask questions")),
        ],
    )
    response = TextAreaField(_l("Note or questions for the coalition"), validators=[Length(max=20000)])


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name of the token"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("The system that will use it, e.g. “GGD-koppeling”."),
    )


class MeasurementImportForm(FlaskForm):
    file = FileField(
        _l("CSV or XLSX file"),
        validators=[FileRequired()],
        description=_l("Columns: indicator, period, value, and optionally source, note, correction_reason."),
    )

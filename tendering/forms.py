"""Forms: parsing and validating what users type, with messages in their language."""

import decimal
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as BaseFlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from .articulation import FRAMEWORK_LABELS
from .cases import CaseFields
from .tender_setup import STANDSTILL_MAX, STANDSTILL_MIN
from .users import MIN_PASSWORD_LENGTH, password_problem
from .workflow.labels import WORKFLOW_LABELS

INT32_MAX = 2**31 - 1  # the largest id (and integer) the database's integer columns hold
DECIMAL_MAX = decimal.Decimal(10) ** 12  # beyond the largest amount the numeric columns hold (14 digits, 2 decimals)
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)  # dates a case can meaningfully carry; beyond them date arithmetic overflows


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
        if isinstance(value, date) and not EARLIEST <= (value.date() if isinstance(value, datetime) else value) <= LATEST:
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


AMENDMENT_HELP = _l("The tender is published: this change becomes a numbered amendment, sent to every interested organisation.")


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
    amendment_note = amendment_field("case-form-amendment-note")
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
    amendment_note = amendment_field("outcome-form-amendment-note")


class TransitionForm(FlaskForm):
    trigger = HiddenField(validators=[DataRequired(), Length(max=60)])
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)])


def _clean(value):
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""


class FrameworkForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label) for k, label in FRAMEWORK_LABELS.items()])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=5000)])
    amendment_note = amendment_field("framework-form-amendment-note")


class SuitabilityForm(FlaskForm):
    """Yes/no and a motivation for each of the method's six questions."""

    @classmethod
    def for_questions(cls, questions: dict):
        class Form(cls):
            pass

        for key, label in questions.items():
            setattr(
                Form,
                f"{key}_answer",
                RadioField(label, choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))], validators=[InputRequired()]),
            )
            setattr(Form, f"{key}_motivation", TextAreaField(_l("Motivation"), validators=[DataRequired(), Length(max=5000)]))
        return Form


class StakeholderForm(FlaskForm):
    name = StringField(_l("Organisation or person"), validators=[DataRequired(), Length(max=200)])
    category = StringField(_l("Category"), validators=[Length(max=80)], description=_l("For example: residents, care, sport, business."))
    interest = IntegerField(_l("Interest (1–5)"), validators=[InputRequired(), NumberRange(min=1, max=5)])
    influence = IntegerField(_l("Influence (1–5)"), validators=[InputRequired(), NumberRange(min=1, max=5)])
    strengths = TextAreaField(_l("Strengths"), validators=[Length(max=5000)])
    weaknesses = TextAreaField(_l("Weaknesses"), validators=[Length(max=5000)])
    history = TextAreaField(_l("History with the municipality"), validators=[Length(max=5000)])
    untapped_potential = TextAreaField(_l("Untapped potential"), validators=[Length(max=5000)])
    risk_willingness = TextAreaField(_l("Willingness to take risk-bearing responsibility"), validators=[Length(max=5000)])
    mobilisation = TextAreaField(_l("When and why they can be mobilised"), validators=[Length(max=5000)])
    usual_partner = RadioField(
        _l("Partner type"),
        choices=[SelectChoice("usual", _l("A usual partner")), SelectChoice("surprising", _l("A surprising partner"))],
        default="usual",
        validators=[InputRequired()],
    )


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    weight = IntegerField(_l("Weight (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    scale_max = IntegerField(_l("Highest score on the scale"), default=10, validators=[InputRequired(), NumberRange(min=1, max=100)])
    is_price = BooleanField(_l("This is the price criterion"))
    price_formula = SelectField(
        _l("Price scoring"),
        choices=[
            SelectChoice("", _l("Scored by the evaluators")),
            SelectChoice("lowest", _l("Formula: relative to the lowest price")),
            SelectChoice("ceiling", _l("Formula: relative to the budget ceiling")),
        ],
        default="",
    )
    amendment_note = amendment_field("criterion-form-amendment-note")


class ProcedureForm(FlaskForm):
    clarification_deadline = DateTimeLocalField(
        _l("Deadline for clarification questions"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    submission_deadline = DateTimeLocalField(_l("Submission deadline"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    min_partners = IntegerField(
        _l("Minimum number of partner organisations per coalition"), default=2, validators=[InputRequired(), NumberRange(min=1, max=50)]
    )
    standstill_days = IntegerField(
        _l("Standstill period after the award decision (calendar days)"), default=20,
        validators=[Optional(), NumberRange(min=STANDSTILL_MIN, max=STANDSTILL_MAX)],
    )
    amendment_note = amendment_field("procedure-form-amendment-note")


class VariantForm(FlaskForm):
    workflow = SelectField(_l("Procedure"), choices=[SelectChoice(name, label) for name, label in WORKFLOW_LABELS.items()])


class ContactForm(FlaskForm):
    kind = SelectField(
        _l("Kind of contact"),
        choices=[
            SelectChoice("visit", _l("Visit")),
            SelectChoice("invitation", _l("Invitation")),
            SelectChoice("meeting", _l("Meeting")),
            SelectChoice("letter", _l("Letter")),
        ],
    )
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    with_whom = TextAreaField(_l("With whom"), validators=[DataRequired(), Length(max=2000)])
    result = TextAreaField(_l("What came of it"), validators=[Length(max=5000)])


class InterestForm(FlaskForm):
    offer = TextAreaField(
        _l("What can your organisation bring?"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("Money, people, facilities, expertise, reach: other organisations can find you here to form a coalition."),
    )


class QuestionForm(FlaskForm):
    question = TextAreaField(
        _l("Your question"),
        validators=[DataRequired(), Length(min=10, max=5000)],
        description=_l("The answer is published to everyone; your name is never shown."),
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=10000)])


ORGANISATION_KIND_LABELS = {
    "resident_initiative": _l("Resident initiative"),
    "company": _l("Company"),
    "social_organisation": _l("Social organisation"),
    "association": _l("Association or club"),
    "school": _l("School"),
    "housing_corporation": _l("Housing corporation"),
    "care_provider": _l("Care provider"),
    "public_body": _l("Public body"),
    "other": _l("Other"),
}


def strong_password(form, field) -> None:
    """Refuse a password that is easy to guess (zxcvbn, with the user's own name and e-mail address as known words)."""
    if len(field.data or "") < MIN_PASSWORD_LENGTH:
        return  # the length check has said so already
    known = [getattr(form, name).data or "" for name in ("email", "name", "organisation_name") if hasattr(form, name)]
    known += getattr(form, "known_words", [])
    problem = password_problem(field.data, known)
    if problem:
        raise ValidationError(problem)


class NewPasswordMixin:
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024), strong_password],
                             description=_l("At least 12 characters and hard to guess: four or more unusual words make a good password."))
    confirm = PasswordField(_l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class RegistrationForm(NewPasswordMixin, FlaskForm):
    organisation_name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of organisation"), choices=[SelectChoice(k, v) for k, v in ORGANISATION_KIND_LABELS.items()])
    kvk_number = StringField(_l("Chamber of Commerce number (optional)"), validators=[Optional(), Regexp(r"^\d{8}$", message=_l("A Chamber of Commerce number has 8 digits."))])
    contact_email = EmailField(_l("Contact e-mail of the organisation"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Telephone (optional)"), validators=[Length(max=40)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Length(max=254)])


class InviteColleagueForm(FlaskForm):
    email = EmailField(_l("E-mail address of your colleague"), validators=[DataRequired(), Length(max=254)])


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])


class CoalitionForm(FlaskForm):
    name = StringField(_l("Name of the coalition"), validators=[DataRequired(), Length(max=200)])


class PartnerForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[InputRequired()])


class MembershipForm(FlaskForm):
    decision = RadioField(
        _l("Your decision"),
        choices=[SelectChoice("accept", _l("We join")), SelectChoice("decline", _l("We decline"))],
        default="accept",
        validators=[InputRequired()],
    )
    role = StringField(_l("Your organisation's role"), validators=[Length(max=200)])
    contribution_kind = SelectField(_l("Kind of contribution"), choices=[])
    contribution = TextAreaField(_l("What your organisation contributes"), validators=[Length(max=5000)])


class ProposalForm(FlaskForm):
    approach = TextAreaField(_l("Our approach"), validators=[Length(max=50000)])
    answer_to_question = TextAreaField(_l("How it answers the real question"), validators=[Length(max=50000)])
    outcome_commitments = TextAreaField(
        _l("Outcome commitments"), validators=[Length(max=20000)],
        description=_l("Which indicators, with the baseline and target you propose."),
    )
    monitoring = TextAreaField(_l("Proposed monitoring"), validators=[Length(max=20000)])
    price = DecimalField(_l("Price (euros)"), places=2, validators=[Optional(), NumberRange(min=0, max=10**11)])
    price_breakdown = TextAreaField(_l("Price breakdown"), validators=[Length(max=20000)])
    partner_contributions = TextAreaField(_l("What each partner contributes"), validators=[Length(max=20000)])
    risk_sharing = TextAreaField(_l("How risks are shared"), validators=[Length(max=20000)])
    legacy = TextAreaField(_l("What remains after the project ends"), validators=[Length(max=20000)])
    requirements = checkboxes(_l("Minimum requirements we meet"), coerce=int)


class AttachmentForm(FlaskForm):
    file = FileField(_l("Attachment"), validators=[FileRequired()], description=_l("PDF, ODT, DOCX, XLSX, PNG or JPEG; at most 20 MB."))


class EvaluatorForm(FlaskForm):
    evaluator_id = SelectField(_l("Official"), coerce=int, validators=[InputRequired()])


class DeclarationForm(FlaskForm):
    conflict = RadioField(
        _l("Conflict of interest with this coalition's organisations?"),
        choices=[SelectChoice("no", _l("No conflict of interest")), SelectChoice("yes", _l("I have a conflict of interest"))],
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Describe the conflict"), validators=[Length(max=2000)])


class ReconsiderationForm(FlaskForm):
    changes = checkboxes(_l("What must change before a new round"), validators=[DataRequired(_l("Choose what must change."))])
    note = TextAreaField(_l("What changes, and why"), validators=[DataRequired(), Length(max=10000)])


class AwardDecisionForm(FlaskForm):
    proposal_id = SelectField(_l("Winning proposal"), coerce=int, validators=[InputRequired()])
    motivation = TextAreaField(_l("Motivation of the award decision"), validators=[DataRequired(), Length(max=20000)])
    advantages = TextAreaField(
        _l("Characteristics and relative advantages of the winning proposal"), validators=[DataRequired(), Length(max=20000)],
        description=_l("Every coalition reads this in its letter: why the winning proposal was better than theirs."),
    )


class ObjectionForm(FlaskForm):
    text = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=20000)])


class ResolutionForm(FlaskForm):
    resolution = TextAreaField(_l("How the objection is resolved"), validators=[DataRequired(), Length(max=20000)])


class AgreementForm(FlaskForm):
    budget = DecimalField(_l("Budget (euros)"), places=2, validators=[InputRequired(), NumberRange(min=0, max=10**11)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    overseers = checkboxes(_l("Who oversees the outcomes"), validators=[DataRequired(_l("Choose who oversees the outcomes."))])
    monitoring_arrangement = TextAreaField(
        _l("Monitoring arrangement"), validators=[DataRequired(), Length(max=20000)],
        description=_l("How the overseers look at the indicators and progress reports, and when they meet."),
    )
    report_cadence = SelectField(_l("Progress reports"), validators=[InputRequired()])


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


class MeasurementForm(FlaskForm):
    period = SelectField(_l("Period"), validators=[InputRequired()])
    value = NumberField(_l("Value"), validators=[InputRequired()])
    source = StringField(_l("Source"), validators=[Length(max=2000)])
    note = TextAreaField(_l("Note"), validators=[Length(max=5000)])
    correction_reason = TextAreaField(
        _l("Reason for a correction"), validators=[Length(max=5000)],
        description=_l("Only when the period already has a value: the earlier value stays in the history."),
    )


class JointEvaluationForm(FlaskForm):
    participants = TextAreaField(
        _l("Participants"), validators=[DataRequired(), Length(max=5000)],
        description=_l("The municipality, every coalition partner, the stakeholders and client representatives at the table; one a line."),
    )
    findings = TextAreaField(
        _l("Findings from the conversations"), validators=[DataRequired(), Length(max=50000)],
        description=_l("What the results mean, in the words of the people involved."),
    )
    lessons = TextAreaField(_l("What we learned"), validators=[Length(max=50000)])
    legacy = TextAreaField(_l("What remains after the project ends"), validators=[Length(max=50000)])


class ProgressReportForm(FlaskForm):
    period = SelectField(_l("Period"), validators=[InputRequired()])
    narrative = TextAreaField(_l("How the work went"), validators=[DataRequired(), Length(max=50000)])
    adjustments = TextAreaField(
        _l("Adjustment of the approach"), validators=[Length(max=20000)],
        description=_l("What you changed in the approach agreed; leave empty when nothing changed."),
    )
    adjustment_reason = TextAreaField(_l("Reason for the adjustment"), validators=[Length(max=20000)])
    setbacks = TextAreaField(_l("Setbacks"), validators=[Length(max=20000)])
    windfalls = TextAreaField(_l("Windfalls"), validators=[Length(max=20000)])
    client_panel = TextAreaField(_l("What the client panel said"), validators=[Length(max=20000)])


class ProgressResponseForm(FlaskForm):
    decision = RadioField(
        _l("Response"), validators=[InputRequired()],
        choices=[SelectChoice("acknowledge", _l("Acknowledge the report")), SelectChoice("questions", _l("Ask questions"))],
    )
    response = TextAreaField(_l("Note or questions for the coalition"), validators=[Length(max=20000)])


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)],
                       description=_l("The system that will use it, e.g. “GGD-koppeling”."))


class MeasurementImportForm(FlaskForm):
    file = FileField(
        _l("CSV or XLSX file"), validators=[FileRequired()],
        description=_l("Columns: indicator, period, value, and optionally source, note, correction_reason."),
    )

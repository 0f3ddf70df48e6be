"""Forms of the question's stretch: the case, articulation, suitability, stakeholders, the tender set-up, clarifications."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
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

from ...models import ProposalStage
from ...question.articulation import FRAMEWORK_LABELS
from ...question.cases import CaseFields
from ...question.tender_rules import STANDSTILL_MAX
from ...workflow.labels import WORKFLOW_LABELS
from .base import FlaskForm, NumberField, _clean, amendment_field


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
    theme = StringField(
        _l("Theme"), validators=[Length(max=80)], description=_l("For example: care, living, education.")
    )
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
        return CaseFields(**{name: _clean(getattr(self, name).data) for name in CaseFields.__dataclass_fields__})


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
                RadioField(
                    label,
                    choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                    validators=[InputRequired()],
                ),
            )
            setattr(
                Form,
                f"{key}_motivation",
                TextAreaField(_l("Motivation"), validators=[DataRequired(), Length(max=5000)]),
            )
        return Form


class StakeholderForm(FlaskForm):
    name = StringField(_l("Organisation or person"), validators=[DataRequired(), Length(max=200)])
    category = StringField(
        _l("Category"), validators=[Length(max=80)], description=_l("For example: residents, care, sport, business.")
    )
    interest = IntegerField(_l("Interest (1–5)"), validators=[InputRequired(), NumberRange(min=1, max=5)])
    influence = IntegerField(_l("Influence (1–5)"), validators=[InputRequired(), NumberRange(min=1, max=5)])
    strengths = TextAreaField(_l("Strengths"), validators=[Length(max=5000)])
    weaknesses = TextAreaField(_l("Weaknesses"), validators=[Length(max=5000)])
    history = TextAreaField(_l("History with the municipality"), validators=[Length(max=5000)])
    untapped_potential = TextAreaField(_l("Untapped potential"), validators=[Length(max=5000)])
    risk_willingness = TextAreaField(
        _l("Willingness to take risk-bearing responsibility"), validators=[Length(max=5000)]
    )
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
    scale_max = IntegerField(
        _l("Highest score on the scale"), default=10, validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
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
    # Asked in the two-stage variant only; the service sets `single` otherwise.
    stage = SelectField(
        _l("What the criterion judges"),
        choices=[
            SelectChoice(ProposalStage.strategy.value, _l("The strategy (stage 1)")),
            SelectChoice(ProposalStage.realisation.value, _l("The realisation plan (stage 2)")),
        ],
        default=ProposalStage.strategy.value,
    )
    amendment_note = amendment_field("criterion-form-amendment-note")


class ProcedureForm(FlaskForm):
    clarification_deadline = DateTimeLocalField(
        _l("Deadline for clarification questions"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    submission_deadline = DateTimeLocalField(
        _l("Submission deadline"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    expected_award_on = DateField(
        _l("Expected award date"),
        validators=[Optional()],
        description=_l("Optional; a day after the submission deadline. Shown in the tender's calendar."),
    )
    min_partners = IntegerField(
        _l("Minimum number of partner organisations per coalition"),
        default=2,
        validators=[InputRequired(), NumberRange(min=1, max=50)],
    )
    standstill_days = IntegerField(
        _l("Standstill period after the award decision (calendar days)"),
        default=20,
        validators=[Optional(), NumberRange(min=0, max=STANDSTILL_MAX)],
        description=_l(
            "20 days for a European procedure; shorter, down to 0, only in a national procedure and with the reason."
        ),
    )
    national_procedure = BooleanField(_l("National procedure (the contract value is below the European threshold)"))
    standstill_reason = TextAreaField(
        _l("Reason for a standstill period shorter than 20 days"), validators=[Length(max=2000)]
    )
    amendment_note = amendment_field("procedure-form-amendment-note")


class EvaluationRulesForm(FlaskForm):
    consensus_joint = BooleanField(
        _l("The consensus is a joint decision of the evaluators"),
        description=_l("The owner then records it only together with at least one other evaluator who scored."),
    )
    shared_partners_allowed = BooleanField(_l("An organisation may be a partner in more than one competing coalition"))
    amendment_note = amendment_field("rules-form-amendment-note")


class VariantForm(FlaskForm):
    workflow = SelectField(
        _l("Procedure"), choices=[SelectChoice(name, label) for name, label in WORKFLOW_LABELS.items()]
    )


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
        description=_l(
            "Money, people, facilities, expertise, reach: other organisations can find you here to form a coalition."
        ),
    )


class QuestionForm(FlaskForm):
    question = TextAreaField(
        _l("Your question"),
        validators=[DataRequired(), Length(min=10, max=5000)],
        description=_l("The answer is published to everyone; your name is never shown."),
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=10000)])


class IndicatorDraftForm(FlaskForm):
    """An indicator inherited by a follow-up case: its name and its new baseline."""

    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=200)])
    baseline_value = NumberField(_l("Baseline value"), validators=[InputRequired()])
    baseline_date = DateField(_l("Baseline date"), validators=[InputRequired()])
    baseline_source = TextAreaField(_l("Where the baseline comes from"), validators=[Length(max=2000)])
    amendment_note = amendment_field("indicator-draft-amendment-note")

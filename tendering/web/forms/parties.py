"""Forms of the parties: accounts, registration, organisations, coalitions and proposals."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
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

from ...parties.users import MIN_PASSWORD_LENGTH, password_problem
from .base import FlaskForm, checkboxes


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


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
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024), strong_password],
        description=_l("At least 12 characters and hard to guess: four or more unusual words make a good password."),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]
    )


class RegistrationForm(NewPasswordMixin, FlaskForm):
    organisation_name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind of organisation"), choices=[SelectChoice(k, v) for k, v in ORGANISATION_KIND_LABELS.items()]
    )
    kvk_number = StringField(
        _l("Chamber of Commerce number (optional)"),
        validators=[Optional(), Regexp(r"^\d{8}$", message=_l("A Chamber of Commerce number has 8 digits."))],
    )
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
        _l("Outcome commitments"),
        validators=[Length(max=20000)],
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
    file = FileField(
        _l("Attachment"),
        validators=[FileRequired()],
        description=_l("PDF, ODT, DOCX, XLSX, PNG or JPEG; at most 20 MB."),
    )

"""The forms of one's account (a forgotten password, a new e-mail address) and of confirming an organisation."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .base import FlaskForm
from .parties import NewPasswordMixin


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
    )


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        validators=[DataRequired(), Length(max=254)],
    )
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])


class ConfirmOrganisationForm(FlaskForm):
    kvk_checked = BooleanField(_l("I checked the Chamber of Commerce number in the trade register"))
    note = StringField(_l("Note (optional)"), validators=[Length(max=500)])


class RejectOrganisationForm(FlaskForm):
    reason = StringField(
        _l("Reason (the organisation's members read it)"),
        validators=[DataRequired(message=_l("Say why the organisation is not confirmed.")), Length(max=500)],
    )

"""The forms of the second factor: a code from the authenticator app, or a recovery code."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .base import FlaskForm


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("The 6 digits your authenticator app shows now, or one of your recovery codes."),
    )


class ConfirmCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("The 6 digits the app shows after you added the secret."),
    )

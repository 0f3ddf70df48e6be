"""The form of one's notification settings: a language, and per kind immediately, in the daily digest or off."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ...notifications.kinds import IMMEDIATELY, KINDS, MODES, Kind
from .base import FlaskForm

LANGUAGE_LABELS = {"nl": "Nederlands", "en": "English"}


class PreferencesForm(FlaskForm):
    language = SelectField(
        _l("Language of your notifications"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
    )


for _kind in Kind:  # one choice per kind; a mandatory kind offers only "immediately"
    setattr(
        PreferencesForm,
        f"mode_{_kind.value}",
        SelectField(
            KINDS[_kind].label,
            choices=[SelectChoice(IMMEDIATELY, MODES[IMMEDIATELY])]
            if KINDS[_kind].mandatory
            else [SelectChoice(mode, label) for mode, label in MODES.items()],
            description=KINDS[_kind].audience,
        ),
    )

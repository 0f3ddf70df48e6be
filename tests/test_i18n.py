"""Dutch first: the default language, and every user-facing string translated."""

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tendering.core.config import ROOT
from tendering.models import Role

CATALOGUE = ROOT / "tendering" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"


def test_every_string_in_code_and_templates_has_a_dutch_translation(tmp_path):
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "_p:1c,2",
            "--no-location",
            "-o",
            str(template),
            str(ROOT),
        ]
    )
    with template.open("rb") as extracted_file, CATALOGUE.open("rb") as catalogue_file:
        extracted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(extracted_file) if m.id}
        catalogue = read_po(catalogue_file, locale="nl")
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    assert len(extracted) > 150, "extraction found too few strings: is babel.cfg still matching?"
    assert sorted(extracted - translated) == [], "run `make translations` and translate the new strings"


def test_the_interface_is_dutch_by_default(test_config):
    from tendering import create_app

    app = create_app({**test_config, "BABEL_DEFAULT_LOCALE": "nl"})
    page = app.test_client().get("/")
    assert '<html lang="nl"' in page.text and "Open aanbestedingen" in page.text
    app.extensions["db_engine"].dispose()


def test_english_on_request_and_back_to_dutch(test_config):
    from tendering import create_app

    app = create_app({**test_config, "BABEL_DEFAULT_LOCALE": "nl"})
    client = app.test_client()
    client.get("/language/en?next=/")
    assert "Open tenders" in client.get("/").text
    client.get("/language/nl")
    assert "Open aanbestedingen" in client.get("/").text
    assert "Open aanbestedingen" in app.test_client().get("/", headers={"Accept-Language": "nl-NL,nl;q=0.9"}).text
    assert "Open tenders" in app.test_client().get("/", headers={"Accept-Language": "en-GB"}).text
    app.extensions["db_engine"].dispose()


def test_guard_reasons_and_times_are_dutch_on_the_case_page(test_config, make_case, make_user):
    from tendering import create_app

    from .conftest import login

    case = make_case()
    app = create_app({**test_config, "BABEL_DEFAULT_LOCALE": "nl"})
    client = app.test_client()
    login(client, make_user(Role.official))
    page = client.get(f"/cases/{case.id}").text
    assert "Er is nog geen gewenste uitkomst beschreven." in page
    assert "Vraagstuk geopend" in page
    app.extensions["db_engine"].dispose()

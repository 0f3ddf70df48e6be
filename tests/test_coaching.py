"""The coaching recognises the method's patterns of a narrow question, and says how to ask broadly."""

import pytest

from tendering.question.coaching import coach_question


def kinds(question: str) -> set[str]:
    return {flag.kind for flag in coach_question(question)}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Wie trekt bij 500 ouderen de steunkousen aan?", {"target_group_count", "activity", "supplier"}),
        ("Doorbreek het sociaal isolement van 200 gezinnen in wijk X", {"imperative", "target_group_count"}),
        ("Break the social isolation of 200 families in neighbourhood X.", {"imperative", "target_group_count"}),
        ("Who puts on the support stockings of 500 elderly people?", {"target_group_count", "activity", "supplier"}),
        ("Welke zorgaanbieder gaat maaltijden bezorgen bij eenzame ouderen?", {"supplier", "activity"}),
        ("We zoeken een leverancier voor de buurtbus.", {"supplier"}),
        ("Which care provider delivers meals to lonely residents?", {"supplier", "activity"}),
        ("Organiseer een ontmoetingsplek in de Bloemenbuurt.", {"imperative"}),
        ("Lever jongerenwerk in Lindendal-Zuid.", {"imperative"}),
        ("Deliver youth work in Lindendal-Zuid.", {"imperative"}),
        ("Wie verhoogt het aantal bezoeken aan het buurthuis?", {"output"}),
        ("Wie helpt ons om 300 uren vrijwilligerswerk te halen?", {"output"}),
        ("Wie helpt ons om meer trajecten naar werk te starten?", {"output"}),
        ("Who helps us raise the number of visits to the library?", {"output"}),
    ],
)
def test_coaching_names_each_pattern_of_a_narrow_question(question, expected):
    assert expected <= kinds(question)


@pytest.mark.parametrize(
    "question",
    [
        "Wie helpt ons om ouderen gelukkig oud te laten worden in onze gemeente?",
        "Who helps us let elderly people grow old happily in our municipality?",
        "Wie helpt ons om gezinnen in wijk X weer deel te laten zijn van de buurt?",
        "Hoe zorgen we dat 75-plussers minder eenzaam zijn?",
        "Wie helpt ons om het aandeel inwoners dat zich eenzaam voelt met 10 procent te verlagen?",
        "Wie helpt ons om de natuur in de buurt weer een plek van ontmoeting te maken?",
    ],
)
def test_coaching_leaves_the_broad_question_alone(question):
    assert coach_question(question) == []


def test_each_flag_quotes_what_it_saw_and_offers_the_broad_alternative(app):
    with app.test_request_context():
        flags = coach_question("Doorbreek het sociaal isolement van 200 gezinnen in wijk X")
    by_kind = {flag.kind: flag for flag in flags}
    assert by_kind["target_group_count"].fragment == "200 gezinnen"
    assert "200 gezinnen" in by_kind["target_group_count"].message
    assert by_kind["imperative"].fragment == "Doorbreek"
    assert all(flag.alternative for flag in flags)
    assert "Who helps us to" in by_kind["imperative"].alternative


def test_one_fragment_is_flagged_once():
    flags = coach_question("Wie helpt ons aan 20 activiteiten per jaar?")
    assert [flag.fragment for flag in flags] == ["20 activiteiten"]


def test_articulation_page_explains_the_flag_with_the_broad_alternative(logged_in, official, make_case):
    case = make_case(question="Doorbreek het sociaal isolement van 200 gezinnen in wijk X")
    page = logged_in(official).get(f"/cases/{case.id}/articulation").text
    assert 'id="coaching-flags"' in page and "200 gezinnen" in page and "Doorbreek" in page
    assert "Broader:" in page or "Breder:" in page

"""Demo data: the fictional municipality of Lindendal with three societal
questions from the method, each brought to its phase through the real engine so
the audit trail is the one a real case would have."""

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from .cases import CaseFields, add_outcome, open_case
from .models import (
    AwardCriterion,
    Case,
    Framework,
    FrameworkKind,
    Organisation,
    OrganisationKind,
    Role,
    Stakeholder,
    SuitabilityAnswer,
    User,
    utcnow,
)
from .users import create_user
from .workflow.engine import fire

DEMO_PASSWORD = "lindendal-demo-2026"

ORGANISATIONS = [
    ("Zorgcoöperatie De Linde", OrganisationKind.care_provider, "coalitie@delinde.example"),
    ("Buurtinitiatief Samen Oud", OrganisationKind.resident_initiative, "info@samenoud.example"),
    ("Woonstichting Thuis", OrganisationKind.housing_corporation, "wijk@thuis.example"),
    ("Voetbalvereniging Lindendal '58", OrganisationKind.association, "bestuur@vvl58.example"),
    ("Basisschool De Regenboog", OrganisationKind.school, "directie@regenboog.example"),
    ("Bakkerij Van Dam", OrganisationKind.company, "info@bakkerijvandam.example"),
    ("Voedselbank Lindendal", OrganisationKind.social_organisation, "info@voedselbank.example"),
]

USERS = [
    ("admin@lindendal.example", "Beheerder Lindendal", Role.admin, None),
    ("f.elamrani@lindendal.example", "Fatima El Amrani", Role.official, None),
    ("j.devries@lindendal.example", "Jeroen de Vries", Role.official, None),
    ("a.bos@raad.lindendal.example", "Anneke Bos", Role.council_member, None),
    ("m.jansen@delinde.example", "Marieke Jansen", Role.coalition_member, 0),
    ("k.ouali@samenoud.example", "Karim Ouali", Role.coalition_member, 1),
    ("p.smit@thuis.example", "Peter Smit", Role.coalition_member, 2),
]


def seed(session: Session) -> list[tuple[str, str, str]]:
    """Load the demo; returns the logins, or [] when demo data is already present."""
    if session.exec(select(User).where(User.email == USERS[0][0])).first():
        return []
    organisations = []
    for name, kind, email in ORGANISATIONS:
        organisation = Organisation(name=name, kind=kind, contact_email=email)
        session.add(organisation)
        organisations.append(organisation)
    session.flush()
    users = {}
    for email, name, role, org_index in USERS:
        org_id = organisations[org_index].id if org_index is not None else None
        users[email] = create_user(
            session, email=email, name=name, password=DEMO_PASSWORD, role=role, organisation_id=org_id
        )
    official = users["f.elamrani@lindendal.example"]
    _elderly_case(session, official, organisations)
    _neighbourhood_case(session, users["j.devries@lindendal.example"], organisations)
    _education_case(session, official)
    session.flush()
    return [(email, DEMO_PASSWORD, role.value) for email, _name, role, _org in USERS]


def _elderly_case(session: Session, official: User, organisations: list[Organisation]) -> Case:
    case = open_case(
        session,
        actor=official,
        fields=CaseFields(
            title="Gelukkig oud in Lindendal",
            question="Wie helpt ons om ouderen gelukkig oud te laten worden in onze gemeente?",
            problem_analysis=(
                "Het aantal 75-plussers groeit de komende tien jaar met een derde. Steeds meer ouderen "
                "wonen alleen, voelen zich eenzaam en komen pas in beeld als de zorgvraag zwaar is."
            ),
            signals="Signalen van huisartsen, de ouderenbond en de wijkteams; motie van de gemeenteraad.",
            target_group="Thuiswonende ouderen van 75 jaar en ouder en hun mantelzorgers.",
            ambition="Ouderen wonen langer prettig thuis, doen mee in hun buurt en voelen zich minder eenzaam.",
            theme="Zorg en welzijn",
            budget_ceiling=Decimal("850000"),
            current_role="Opdrachtgever en financier van losse voorzieningen.",
            desired_role="Partner die het doel bewaakt en ruimte geeft aan de aanpak van de coalitie.",
            council_decision_date=date(2026, 9, 24),
            council_decision_reference="RB 2026-114",
        ),
    )
    for description, hint in [
        ("Minder ouderen voelen zich (ernstig) eenzaam.", "Aandeel 75-plussers dat zich eenzaam voelt (GGD-monitor)"),
        ("Ouderen wonen langer zelfstandig thuis.", "Gemiddelde leeftijd bij verhuizing naar een verpleeghuis"),
        ("Mantelzorgers raken minder overbelast.", "Aandeel mantelzorgers dat zich zwaar belast voelt"),
    ]:
        add_outcome(session, case, actor=official, description=description, indicator_hint=hint)
    fire(session, case, "assess", actor=official)
    _answer_suitability(session, case)
    fire(session, case, "decide_to_tender", actor=official)
    _add_stakeholders(session, case, organisations)
    fire(session, case, "start_coalition_forming", actor=official)
    session.add_all(
        [
            AwardCriterion(case_id=case.id, name="Mate waarin de aanpak de vraag beantwoordt", weight=40, position=0),
            AwardCriterion(case_id=case.id, name="Samenwerking tussen burgers, bedrijven en organisaties", weight=25, position=1),
            AwardCriterion(case_id=case.id, name="Toezeggingen op maatschappelijke uitkomsten", weight=20, position=2),
            AwardCriterion(case_id=case.id, name="Prijs", weight=15, is_price=True, position=3),
            Framework(case_id=case.id, kind=FrameworkKind.legal, description="Wet maatschappelijke ondersteuning 2015"),
            Framework(case_id=case.id, kind=FrameworkKind.public_value, description="Iedere oudere heeft gelijke toegang, ongeacht inkomen."),
        ]
    )
    now = utcnow()
    case.clarification_deadline = now + timedelta(days=14)
    case.submission_deadline = now + timedelta(days=42)
    session.flush()
    fire(session, case, "publish", actor=official)
    return case


def _neighbourhood_case(session: Session, official: User, organisations: list[Organisation]) -> Case:
    case = open_case(
        session,
        actor=official,
        fields=CaseFields(
            title="Leefbaarheid in de Bloemenbuurt",
            question=(
                "Wie helpt ons om de Bloemenbuurt, een wijk uit de jaren zestig, weer een buurt te maken "
                "waar bewoners graag wonen en naar elkaar omkijken?"
            ),
            problem_analysis="Verouderde flats, weinig ontmoetingsplekken en een toenemend gevoel van onveiligheid.",
            signals="Bewonersavonden, de woningcorporatie en de wijkagent.",
            theme="Wonen en wijk",
            budget_ceiling=Decimal("1200000"),
        ),
        workflow="strategy_then_realisation",
    )
    add_outcome(session, case, actor=official, description="Bewoners waarderen hun buurt met minstens een 7.")
    fire(session, case, "assess", actor=official)
    _answer_suitability(session, case)
    fire(session, case, "decide_to_tender", actor=official)
    _add_stakeholders(session, case, organisations)
    return case


def _education_case(session: Session, official: User) -> Case:
    return open_case(
        session,
        actor=official,
        fields=CaseFields(
            title="Kansen voor ieder kind",
            question="Wie helpt ons om onderwijsachterstanden van kinderen in Lindendal-Zuid te verkleinen?",
            theme="Onderwijs",
        ),
    )


def _answer_suitability(session: Session, case: Case) -> None:
    session.add_all(
        [
            SuitabilityAnswer(case_id=case.id, question="market_exists", answer=True,
                              motivation="Veel bewonersinitiatieven, zorgaanbieders en verenigingen zijn actief."),
            SuitabilityAnswer(case_id=case.id, question="no_exclusive_tasks", answer=True,
                              motivation="Uitvoering vraagt geen overheidstaken zoals handhaving."),
            SuitabilityAnswer(case_id=case.id, question="public_character_safeguarded", answer=True,
                              motivation="Toegankelijkheid en kwaliteit borgen we in de kaders en de monitoring."),
        ]
    )
    session.flush()


def _add_stakeholders(session: Session, case: Case, organisations: list[Organisation]) -> None:
    rows = [
        (organisations[0], "Zorg", 5, 4, True, "Kent de doelgroep en heeft vertrouwen van ouderen."),
        (organisations[1], "Bewoners", 5, 2, False, "Veel vrijwilligers; weinig ervaring met contracten."),
        (organisations[2], "Wonen", 4, 4, True, "Bezit de meeste huurwoningen in de wijk."),
        (organisations[3], "Sport en verenigingen", 3, 2, False, "Kantine staat overdag leeg; bereikt mannen die zorg mijden."),
        (organisations[5], "Ondernemers", 2, 2, False, "Ziet dagelijks dezelfde oudere klanten."),
    ]
    for organisation, category, interest, influence, usual, strengths in rows:
        session.add(
            Stakeholder(
                case_id=case.id,
                name=organisation.name,
                organisation_id=organisation.id,
                category=category,
                interest=interest,
                influence=influence,
                usual_partner=usual,
                strengths=strengths,
            )
        )
    session.flush()

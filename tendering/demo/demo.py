"""Demo data: the fictional municipality of Lindendal with four societal
questions from the method, each brought to its phase through the real engine so
the audit trail is the one a real case would have; one of them is in
realisation and reports its outcomes to the monitor, and one, in the two-stage
variant, has a strategy chosen and its realisation plan in work. The municipality's
Maatschappelijke Agenda (`demo/agenda.py`) links them to its five ambitions."""

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from ..models import (
    Case,
    Coalition,
    ContactKind,
    Direction,
    FrameworkKind,
    Organisation,
    OrganisationKind,
    PartialRule,
    PaymentKind,
    Role,
    User,
    utcnow,
)
from ..parties import teams
from ..parties.coalitions import form_coalition, invite_partner, respond
from ..parties.proposals import DraftFields, draft_for, save_draft
from ..parties.users import create_user
from ..procurement import strategy
from ..question.articulation import add_framework
from ..question.cases import CaseFields, add_outcome, open_case
from ..question.clarifications import answer, ask, publish_nota
from ..question.stakeholders import StakeholderFields, add_stakeholder
from ..question.suitability import Answer, record_suitability
from ..question.tender_setup import CriterionFields, add_criterion, log_contact, register_interest, set_procedure
from ..realisation import agreement, claims, payments
from ..realisation.measurements import Reported, Reporting, reportable_periods
from ..realisation.measurements import report as report_value
from ..workflow.engine import fire
from . import agenda, journeys

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

# The officials' teams with the running cases each can steer at once: the first is full with the demo's cases, so
# opening one more shows the warning ("pull").
TEAMS = [
    ("Team Zorg en Welzijn", 3, ["f.elamrani@lindendal.example"]),
    ("Team Wijken en Jeugd", 4, ["j.devries@lindendal.example"]),
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
    _teams(session, users)
    official = users["f.elamrani@lindendal.example"]
    members = [users["m.jansen@delinde.example"], users["k.ouali@samenoud.example"]]
    elderly = _elderly_case(session, official, organisations, members)
    neighbourhood = _neighbourhood_case(
        session,
        users["j.devries@lindendal.example"],
        official,
        [users["p.smit@thuis.example"], users["k.ouali@samenoud.example"], users["m.jansen@delinde.example"]],
    )
    education = _education_case(session, official)
    realised = _realised_case(
        session,
        official,
        users["j.devries@lindendal.example"],
        [users["p.smit@thuis.example"], users["k.ouali@samenoud.example"], users["m.jansen@delinde.example"]],
    )
    session.flush()
    agenda.seed(session, official, [elderly, neighbourhood, education, realised], utcnow().date())
    return [(email, DEMO_PASSWORD, role.value) for email, _name, role, _org in USERS]


def _teams(session: Session, users: dict[str, User]) -> None:
    admin = users[USERS[0][0]]
    for name, limit, emails in TEAMS:
        team = teams.create(session, actor=admin, fields=teams.TeamFields(name, limit))
        for email in emails:
            teams.place(session, users[email].id, actor=admin, team_id=team.id)


def _elderly_case(session: Session, official: User, organisations: list[Organisation], members: list[User]) -> Case:
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
    for kind, description in [
        (FrameworkKind.legal, "Wet maatschappelijke ondersteuning 2015"),
        (FrameworkKind.public_value, "Iedere oudere heeft gelijke toegang, ongeacht inkomen."),
        (FrameworkKind.minimum_requirement, "Minstens één partner is een bewonersinitiatief."),
    ]:
        add_framework(session, case, actor=official, kind=kind, description=description)
    fire(session, case, "assess", actor=official)
    _answer_suitability(session, case, official)
    fire(session, case, "decide_to_tender", actor=official)
    _add_stakeholders(session, case, official, organisations)
    fire(session, case, "start_coalition_forming", actor=official)
    log_contact(
        session,
        case,
        actor=official,
        kind=ContactKind.meeting,
        held_on=date(2026, 10, 15),
        with_whom="Ouderenbond, voetbalvereniging, bakkerij en voedselbank",
        result="Voetbalvereniging biedt de kantine overdag aan als ontmoetingsplek.",
    )
    for name, description, weight, is_price in [
        (
            "Mate waarin de aanpak de vraag beantwoordt",
            "Hoe overtuigend draagt de aanpak bij aan de uitkomsten?",
            40,
            False,
        ),
        (
            "Samenwerking tussen burgers, bedrijven en organisaties",
            "Verrassende allianties, rollen en bijdragen.",
            25,
            False,
        ),
        ("Toezeggingen op maatschappelijke uitkomsten", "Ambitie en realisme van de beloofde resultaten.", 20, False),
        ("Prijs", "Verhouding tot het budgetplafond.", 15, True),
    ]:
        add_criterion(
            session,
            case,
            actor=official,
            fields=CriterionFields(name=name, description=description, weight=weight, is_price=is_price),
        )
    now = utcnow()
    set_procedure(
        session,
        case,
        actor=official,
        clarification_deadline=now + timedelta(days=14),
        submission_deadline=now + timedelta(days=42),
        min_partners=2,
    )
    fire(session, case, "publish", actor=official)
    register_interest(session, case, actor=members[0], offer="Thuiszorgteams in alle wijken en een zorgcoördinator.")
    register_interest(session, case, actor=members[1], offer="Veertig vrijwilligers en een netwerk van buurtkamers.")
    question = ask(
        session, case, actor=members[1], question="Mag een coalitie ook maar in een deel van de gemeente werken?"
    )
    answer(
        session,
        case,
        question,
        actor=official,
        text="Nee: de vraag geldt voor de hele gemeente, al mag de aanpak per wijk verschillen.",
    )
    publish_nota(session, case, actor=official)
    _elderly_coalition(session, case, members)
    return case


def _elderly_coalition(session: Session, case: Case, members: list[User]) -> None:
    """De Linde leads, Samen Oud joined; their proposal is a draft still short of a price."""
    lead, partner = members
    coalition = form_coalition(session, case, actor=lead, name="Samen Oud in Lindendal")
    membership = invite_partner(session, coalition, actor=lead, organisation_id=partner.organisation_id, case=case)
    respond(
        session,
        coalition,
        membership,
        actor=partner,
        case=case,
        accept=True,
        role="Buurtkamers en vrijwilligers",
        contribution_kind="people",
        contribution="Veertig vrijwilligers, twee avonden per week.",
    )
    save_draft(
        session,
        draft_for(session, coalition, case),
        actor=lead,
        case=case,
        fields=DraftFields(
            approach="In elke wijk een buurtkamer waar ouderen dagelijks terechtkunnen, met thuiszorg erbij.",
            answer_to_question="Ouderen ontmoeten elkaar dicht bij huis; signalen van eenzaamheid komen eerder in beeld.",
        ),
    )


def _neighbourhood_case(session: Session, official: User, evaluator: User, members: list[User]) -> Case:
    """The two-stage variant under way: a strategy is chosen and its coalition is working out the realisation plan,
    in touch with the municipality."""
    housing, residents, care = members
    case = journeys.publish(
        session,
        official,
        journeys.Question(
            title="Leefbaarheid in de Bloemenbuurt",
            question=(
                "Wie helpt ons om de Bloemenbuurt, een wijk uit de jaren zestig, weer een buurt te maken "
                "waar bewoners graag wonen en naar elkaar omkijken?"
            ),
            theme="Wonen en wijk",
            budget_ceiling=Decimal("1200000"),
            outcome="Bewoners waarderen hun buurt met minstens een 7.",
            stakeholders=["Wijkagent Bloemenbuurt", "Bewonersvereniging De Tulp", "Buurthuis De Kelk"],
        ),
        workflow="strategy_then_realisation",
    )
    bids = [
        journeys.Bid(
            housing,
            [residents],
            "Bloemenbuurt Bloeit",
            Decimal("1100000"),
            "Bewoners beheren samen met de corporatie de binnenhoven; elke flat krijgt een portiekambassadeur.",
            score=8.0,
        ),
        journeys.Bid(
            care,
            [housing],
            "Zorg om de Hoek",
            Decimal("950000"),
            "Een wijkteam met een buurtkamer in de plint van elke flat.",
            score=6.5,
        ),
    ]
    for b in bids:
        journeys.bid(session, case, b)
    coalition = journeys.choose_strategy(
        session, case, official, evaluator, bids, plan_deadline=utcnow() + timedelta(days=42)
    )
    chosen = next(b for b in bids if b.name == coalition.name)
    journeys.draft(session, case, coalition, chosen, submitted=False)
    strategy.send_message(
        session,
        case,
        coalition,
        actor=chosen.lead,
        text="Mogen we in het realisatieplan de renovatieplanning van de corporatie als mijlpaal opnemen?",
    )
    strategy.send_message(
        session,
        case,
        coalition,
        actor=official,
        text="Ja, graag; neem dan ook op hoe bewoners meebeslissen over de volgorde van de flats.",
    )
    return case


def _education_case(session: Session, official: User) -> Case:
    return open_case(
        session,
        actor=official,
        fields=CaseFields(
            title="Kansen voor ieder kind",
            question="Wie levert 3 fte schoolmaatschappelijk werk voor de basisscholen in Lindendal-Zuid?",
            problem_analysis="Een op de vijf kinderen in Lindendal-Zuid begint met een taalachterstand aan groep 3.",
            theme="Onderwijs",
        ),
    )


def _answer_suitability(session: Session, case: Case, official: User) -> None:
    record_suitability(
        session,
        case,
        actor=official,
        answers=[Answer(question, True, text) for question, text in journeys.SUITABILITY.items()],
    )


def _add_stakeholders(session: Session, case: Case, official: User, organisations: list[Organisation]) -> None:
    rows = [
        (organisations[0], "Zorg", 5, 4, True, "Kent de doelgroep en heeft vertrouwen van ouderen."),
        (organisations[1], "Bewoners", 5, 2, False, "Veel vrijwilligers; weinig ervaring met contracten."),
        (organisations[2], "Wonen", 4, 4, True, "Bezit de meeste huurwoningen in de wijk."),
        (
            organisations[3],
            "Sport en verenigingen",
            3,
            2,
            False,
            "Kantine staat overdag leeg; bereikt mannen die zorg mijden.",
        ),
        (organisations[5], "Ondernemers", 2, 2, False, "Ziet dagelijks dezelfde oudere klanten."),
    ]
    for organisation, category, interest, influence, usual, strengths in rows:
        add_stakeholder(
            session,
            case,
            actor=official,
            fields=StakeholderFields(
                name=organisation.name,
                category=category,
                interest=interest,
                influence=influence,
                usual_partner=usual,
                strengths=strengths,
            ),
        )


def _realised_case(session: Session, official: User, evaluator: User, members: list[User]) -> Case:
    """A question that went round the cycle a year ago and now reports outcomes to the monitor: a national procedure
    whose ten-day standstill ran out before the agreement was concluded, all through the services."""
    lead_a, partner_a, lead_b = members
    case = journeys.publish(
        session,
        official,
        journeys.Question(
            title="Samen aan de slag in Lindendal-Oost",
            question="Wie helpt ons om jongeren in Lindendal-Oost aan werk of een opleiding te helpen die bij ze past?",
            theme="Werk en inkomen",
            budget_ceiling=Decimal("600000"),
            outcome="Minder jongeren zitten thuis zonder werk of opleiding.",
            stakeholders=["Jongerenwerk Oost", "ROC Lindendal", "Sportvereniging Oost"],
        ),
        national=journeys.NationalStandstill(
            10,
            "Nationale procedure onder de Europese drempel; de coalitie moet voor het nieuwe schooljaar kunnen "
            "starten, zoals aangekondigd in de aanbestedingsstukken.",
        ),
    )
    bids = [
        journeys.Bid(
            lead_a,
            [partner_a],
            "Oost Werkt",
            Decimal("540000"),
            "Jongerenwerkers en buurtsportcoaches zoeken jongeren thuis op.",
            score=8.0,
        ),
        journeys.Bid(
            lead_b,
            [lead_a],
            "Leerbanen Oost",
            Decimal("590000"),
            "Leerbanen bij lokale bedrijven met een vaste coach.",
            score=6.5,
        ),
    ]
    for b in bids:
        journeys.bid(session, case, b)
    today = utcnow().date()
    start = date(today.year - 1, today.month, 1)
    target_date = date(start.year + 3, start.month, 1) - timedelta(days=1)
    indicators = journeys.award_and_agree(
        session,
        case,
        official,
        evaluator,
        bids,
        starts_on=start,
        risk_sharing="De gemeente draagt de vaste kosten van de start; de coalitie draagt het risico dat minder "
        "jongeren een traject volgen dan beloofd: de betaling naar resultaat volgt het aantal trajecten.",
        schedule=lambda added: _schedule(start, added, lead_a, partner_a),
        indicators=[
            agreement.IndicatorFields(
                name="Jongeren zonder werk of opleiding",
                definition="Aandeel 16-27-jarigen in Oost zonder werk of opleiding.",
                unit="%",
                direction=Direction.lower_is_better,
                data_source="CBS",
                baseline_value=12,
                baseline_date=start,
                target_value=7,
                target_date=target_date,
                norm_at_risk=11.5,
                norm_off_track=12.5,
                frequency="quarterly",
                measured_by="Gemeente, team Onderzoek",
            ),
            agreement.IndicatorFields(
                name="Jongeren in een traject",
                definition="Jongeren met een actief traject bij de coalitie.",
                unit="",
                direction=Direction.higher_is_better,
                data_source="Registratie coalitie",
                baseline_value=0,
                baseline_date=start,
                target_value=150,
                target_date=target_date,
                norm_at_risk=None,
                norm_off_track=None,
                frequency="quarterly",
                measured_by="Oost Werkt",
            ),
        ],
    )
    concluded = agreement.concluded(session, case)
    reporting = Reporting(session.get(Coalition, concluded.coalition_id), case, concluded)
    values = {indicators[0].id: [11.8, 11.2, 10.9, 11.6], indicators[1].id: [20, 45, 70, 80]}
    periods = reportable_periods(indicators[0], concluded, today)[:4]
    for indicator in indicators:
        for period, value in zip(periods, values[indicator.id], strict=False):
            report_value(
                session,
                reporting,
                actor=lead_a,
                today=today,
                reported=Reported(indicator, period.starts_on, value, "CBS", "", ""),
            )
    _claims(session, case, official, evaluator, lead_a, today)
    return case


def _schedule(start: date, indicators: list, lead: User, partner: User) -> list[payments.TermFields]:
    """Two fixed payments, one for a milestone and one for the outcome the coalition promised."""
    year = date(start.year + 1, start.month, 1) - timedelta(days=1)
    return [
        payments.TermFields(
            PaymentKind.fixed,
            "Startbijdrage",
            Decimal("60000"),
            start,
            shares={lead.organisation_id: Decimal(60), partner.organisation_id: Decimal(40)},
        ),
        payments.TermFields(PaymentKind.fixed, "Tweede termijn", Decimal("30000"), start + timedelta(days=182)),
        payments.TermFields(
            PaymentKind.milestone,
            "Werkplaats open",
            Decimal("40000"),
            start + timedelta(days=120),
            deliverable="Een werkplaats in Oost, vijf dagen per week open, met een vaste coach.",
        ),
        payments.TermFields(
            PaymentKind.outcome,
            "Jongeren in een traject, eerste jaar",
            Decimal("60000"),
            year,
            indicator_id=indicators[1].id,
            reference_value=0,
            target_value=120,
            partial=PartialRule.per_unit,
            rate=Decimal("500"),
        ),
    ]


def _claims(session: Session, case: Case, official: User, evaluator: User, lead: User, today: date) -> None:
    """A claim in every state: the start paid, the second term approved, the milestone rejected once and claimed
    again, the outcome waiting for its values to be validated. Above the four-eyes amount both officials approve."""
    start, milestone, second, outcome = payments.terms_of(session, agreement.concluded(session, case))
    paid = claims.submit(session, case, start.id, actor=lead, evidence="", today=today)
    claims.approve(session, case, paid.id, actor=official)
    claims.approve(session, case, paid.id, actor=evaluator)
    claims.record_paid(session, case, paid.id, actor=official, paid_on=today, reference="FIN-2026-0113", today=today)
    approved = claims.submit(session, case, second.id, actor=lead, evidence="", today=today)
    claims.approve(session, case, approved.id, actor=evaluator)
    claims.approve(session, case, approved.id, actor=official)
    evidence = "De werkplaats aan de Oostsingel is sinds 1 maart open; rooster en foto's in het voortgangsverslag."
    rejected = claims.submit(session, case, milestone.id, actor=lead, evidence="De werkplaats is open.", today=today)
    claims.reject(session, case, rejected.id, actor=official, reason="Het rooster van de coach ontbreekt.")
    claims.submit(session, case, milestone.id, actor=lead, evidence=evidence, today=today)
    claims.submit(session, case, outcome.id, actor=lead, evidence="", today=today)

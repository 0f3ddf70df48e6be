"""Synthetic data for benchmarks: `flask --app wsgi generate-data --scale N`.

Scale 1 is about 100 cases, 500 organisations, 300 coalitions, 2,000 indicators
and 50,000 measurements, and a Maatschappelijke Agenda of 5 ambitions with 25
city indicators; scale 20 is twenty times that. Four in five cases are
walked through the whole cycle by the services (`journeys`) and report monthly
values through the same checks as a file import; the rest are open tenders
with coalitions that have bid. Organisations and users are inserted directly
and share one password hash, so generation does not spend its time in scrypt.
The agenda, its ambitions, city indicators and norms are written through the
services as an official would; the city indicators' yearly values and the
links of every case to its ambitions (and of a realised case's first indicator
to a city indicator) are inserted in bulk.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, func, select

from ..agenda import agendas, city_indicators
from ..models import (
    Case,
    CaseAmbition,
    CityIndicator,
    CityMeasurement,
    Coalition,
    Direction,
    Organisation,
    OrganisationKind,
    Role,
    User,
    utcnow,
)
from ..parties.users import hash_password
from ..realisation import agreement, measurements, monitoring
from . import journeys

PER_SCALE = {"cases": 100, "organisations": 500, "indicators": 2000, "measurements": 50_000, "ambitions": 5}
CITY_INDICATORS_PER_AMBITION = 5
CITY_YEARS = 8  # yearly values from the baseline on, this year's included
AMBITIONS = [
    "Inwoners leven in een veilige omgeving",
    "Inwoners zijn gezond en hebben een gezonde levensstijl",
    "Inwoners die hulp nodig hebben ervaren een hoge kwaliteit van leven en hebben regie",
    "Kinderen en jongeren krijgen optimale kansen",
    "Inwoners nemen deel en dragen bij",
]
REALISED_SHARE = 0.8
BIDS_PER_CASE = 3
DOMAIN = "synthetic.example"
PASSWORD = "synthetic-benchmark-password"
THEMES = ["Zorg en welzijn", "Werk en inkomen", "Wonen en wijk", "Onderwijs", "Sport en bewegen", "Veiligheid"]
PLACES = [
    "Noord",
    "Oost",
    "Zuid",
    "West",
    "Centrum",
    "De Hoven",
    "Bloemenbuurt",
    "Havenkwartier",
    "Kerkdorp",
    "Molenwijk",
]
WORDS = ["Samen", "Buurt", "Zorg", "Kracht", "Netwerk", "Thuis", "Werk", "Leer", "Sport", "Groen", "Hart", "Brug"]


@dataclass
class Counts:
    cases: int = 0
    organisations: int = 0
    coalitions: int = 0
    indicators: int = 0
    measurements: int = 0
    ambitions: int = 0
    city_indicators: int = 0
    city_values: int = 0


def already_generated(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User).where(User.email.like(f"%@{DOMAIN}"))).one() > 0


def _people(session: Session, scale: float, rng: random.Random, seed: int) -> tuple[list[User], list[User]]:
    """Officials, council members and one user for every organisation."""
    password_hash = hash_password(PASSWORD)
    officials = [
        User(
            email=f"official{i}.{seed}@{DOMAIN}", name=f"Ambtenaar {i}", password_hash=password_hash, role=Role.official
        )
        for i in range(max(4, round(10 * scale)))
    ]
    council = [
        User(
            email=f"raadslid{i}.{seed}@{DOMAIN}",
            name=f"Raadslid {i}",
            password_hash=password_hash,
            role=Role.council_member,
        )
        for i in range(max(2, round(5 * scale)))
    ]
    session.add_all(officials + council)
    kinds = list(OrganisationKind)
    organisations = [
        Organisation(
            name=f"{rng.choice(WORDS)}{rng.choice(WORDS).lower()} {rng.choice(PLACES)} {i}", kind=rng.choice(kinds)
        )
        for i in range(max(12, round(PER_SCALE["organisations"] * scale)))
    ]
    session.add_all(organisations)
    session.flush()
    members = [
        User(
            email=f"lid{o.id}.{seed}@{DOMAIN}",
            name=f"Contact {o.name}",
            password_hash=password_hash,
            role=Role.coalition_member,
            organisation_id=o.id,
        )
        for o in organisations
    ]
    session.add_all(members)
    session.commit()
    return officials, members


def _question(rng: random.Random, number: int) -> journeys.Question:
    theme, place = rng.choice(THEMES), rng.choice(PLACES)
    return journeys.Question(
        title=f"{theme} in {place} ({number})"[:200],
        question=f"Wie helpt ons om bewoners van {place} vooruit te helpen op {theme.lower()}?",
        theme=theme,
        budget_ceiling=Decimal(rng.randrange(300, 1500) * 1000),
        outcome=f"Bewoners van {place} ervaren vooruitgang op {theme.lower()}.",
        stakeholders=[f"Partner {place} {i}" for i in range(3)],
    )


def _bids(rng: random.Random, members: list[User], case_number: int, ceiling: Decimal) -> list[journeys.Bid]:
    chosen = rng.sample(members, BIDS_PER_CASE * 2)
    return [
        journeys.Bid(
            chosen[2 * i],
            [chosen[2 * i + 1]],
            f"Coalitie {case_number}-{i + 1}",
            (ceiling * Decimal(rng.randrange(70, 100)) / 100).quantize(Decimal("1")),
            "Een aanpak dicht bij de mensen, met partners uit de wijk.",
            score=rng.choice([5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5]),
        )
        for i in range(BIDS_PER_CASE)
    ]


def _indicator_fields(rng: random.Random, number: int, start: date) -> agreement.IndicatorFields:
    rising = rng.random() < 0.5
    baseline = float(rng.randrange(10, 60))
    target = baseline * (1.5 if rising else 0.6)
    return agreement.IndicatorFields(
        name=f"Indicator {number}",
        definition="Synthetische indicator voor de benchmark.",
        unit="%",
        direction=Direction.higher_is_better if rising else Direction.lower_is_better,
        data_source="Synthetisch",
        baseline_value=baseline,
        baseline_date=start,
        target_value=round(target, 1),
        target_date=date(start.year + 3, start.month, 1) - timedelta(days=1),
        norm_at_risk=None,
        norm_off_track=None,
        frequency="monthly",
        measured_by="Coalitie",
        confidential=rng.random() < 0.05,
    )


def _values(rng: random.Random, indicator, periods: list[date]) -> list[list[str]]:
    """A noisy walk from the baseline towards the target: some on track, some behind, some worse."""
    drift = rng.choice([1.2, 1.0, 0.6, 0.2, -0.3])
    step = (indicator.target_value - indicator.baseline_value) / 36 * drift
    rows, value = [], indicator.baseline_value
    for period in periods:
        value += step + rng.gauss(0, abs(step) + 0.1)
        rows.append([str(indicator.id), period.isoformat(), f"{value:.2f}", "Synthetisch", "", ""])
    return rows


def _city_fields(rng: random.Random, number: int, today: date) -> city_indicators.CityIndicatorFields:
    rising = rng.random() < 0.5
    baseline = float(rng.randrange(10, 60))
    return city_indicators.CityIndicatorFields(
        name=f"Stadsindicator {number}",
        definition="Synthetische stadsindicator voor de benchmark.",
        unit="%",
        direction=Direction.higher_is_better if rising else Direction.lower_is_better,
        data_source="Synthetisch",
        measured_by="Team Onderzoek",
        baseline_value=baseline,
        baseline_date=date(today.year - CITY_YEARS + 1, 1, 1),
        target_value=round(baseline * (1.3 if rising else 0.7), 1),
        target_date=date(today.year + 4, 1, 1),
        confidential=rng.random() < 0.05,
    )


def _city_values(rng: random.Random, indicator: CityIndicator, reporter: User) -> list[CityMeasurement]:
    """A yearly walk from the baseline, some years towards the target and some away from it."""
    step = (indicator.target_value - indicator.baseline_value) / 10
    value, rows = indicator.baseline_value, []
    for year in range(indicator.baseline_date.year, indicator.baseline_date.year + CITY_YEARS):
        rows.append(
            CityMeasurement(
                indicator_id=indicator.id,
                period=date(year, 1, 1),
                value=round(value, 2),
                source="Synthetisch",
                reported_by_id=reporter.id,
            )
        )
        value += step * rng.choice([1.5, 1.0, 0.5, -0.5]) + rng.gauss(0, abs(step) / 2)
    return rows


def _agenda(
    session: Session, scale: float, rng: random.Random, official: User, members: list[User], today: date
) -> tuple[dict[int, list[CityIndicator]], int]:
    """The agenda that holds today (a new one when there is none) with `scale` times five more ambitions, each
    with city indicators, their values and norms agreed with partners; the city indicators by ambition id, and the
    number of values."""
    agenda = agendas.current(session, today) or agendas.create(
        session,
        actor=official,
        fields=agendas.AgendaFields(
            "Maatschappelijke Agenda (synthetisch)",
            date(today.year - 1, 1, 1),
            date(today.year + 3, 12, 31),
            council_decision="Synthetisch raadsbesluit voor de benchmark.",
            decided_on=date(today.year - 1, 2, 1),
        ),
    )
    found, number = {}, 0
    for i in range(max(2, round(PER_SCALE["ambitions"] * scale))):
        title = AMBITIONS[i % len(AMBITIONS)] + (f" ({i // len(AMBITIONS) + 1})" if i >= len(AMBITIONS) else "")
        ambition = agendas.add_ambition(session, agenda, actor=official, fields=agendas.AmbitionFields(title))
        found[ambition.id] = []
        for _i in range(CITY_INDICATORS_PER_AMBITION):
            number += 1
            fields = _city_fields(rng, number, today)
            found[ambition.id].append(city_indicators.add(session, ambition, actor=official, fields=fields))
    values = [v for indicators in found.values() for i in indicators for v in _city_values(rng, i, official)]
    session.add_all(values)
    session.flush()
    partners = [m.name.removeprefix("Contact ") for m in rng.sample(members, min(len(members), 6))]
    for indicator in (i for indicators in found.values() for i in indicators):
        worse = 0.9 if indicator.direction == Direction.higher_is_better else 1.1
        city_indicators.agree_norms(
            session,
            indicator,
            actor=official,
            at_risk=indicator.baseline_value,
            off_track=round(indicator.baseline_value * worse, 1),
            agreed_on=date(today.year - 1, 3, 1),
            partners="\n".join(["Gemeente (synthetisch)"] + rng.sample(partners, 2)),
            today=today,
        )
    session.commit()
    return found, len(values)


def _link(rng: random.Random, case: Case, owner: User, cities: dict[int, list[CityIndicator]]) -> list[CaseAmbition]:
    """A case contributes to one or two ambitions, as the demo's do."""
    return [
        CaseAmbition(case_id=case.id, ambition_id=a, linked_by_id=owner.id)
        for a in rng.sample(list(cities), min(len(cities), rng.choice([1, 2])))
    ]


def generate(session: Session, scale: float, *, seed: int = 20261122, progress=None) -> Counts:
    """Fill the database; `progress(done, total)` is called after each case."""
    rng = random.Random(seed)
    counts = Counts()
    officials, members = _people(session, scale, rng, seed)
    counts.organisations = len(members)
    total = max(2, round(PER_SCALE["cases"] * scale))
    realised = max(1, round(total * REALISED_SHARE))
    per_case = max(1, round(PER_SCALE["indicators"] / (PER_SCALE["cases"] * REALISED_SHARE)))
    months = max(1, round(PER_SCALE["measurements"] / PER_SCALE["indicators"]))
    today = utcnow().date()
    start = monitoring.add_months(date(today.year, today.month, 1), -months)  # so that `months` periods have started
    agenda_rng = random.Random(seed + 1)  # its own stream: the cases come out as they did before there was an agenda
    cities, counts.city_values = _agenda(session, scale, agenda_rng, officials[0], members, today)
    counts.ambitions, counts.city_indicators = len(cities), sum(len(c) for c in cities.values())
    for number in range(1, total + 1):
        owner, evaluator = rng.sample(officials, 2)
        case = journeys.publish(session, owner, _question(rng, number))
        bids = _bids(rng, members, number, case.budget_ceiling)
        for b in bids:
            journeys.bid(session, case, b)
        counts.cases, counts.coalitions = counts.cases + 1, counts.coalitions + len(bids)
        links = _link(agenda_rng, case, owner, cities)
        session.add_all(links)
        if number <= realised:
            indicators = journeys.award_and_agree(
                session,
                case,
                owner,
                evaluator,
                bids,
                starts_on=start,
                indicators=[_indicator_fields(rng, i, start) for i in range(per_case)],
            )
            concluded = agreement.concluded(session, case)
            reporting = measurements.Reporting(session.get(Coalition, concluded.coalition_id), case, concluded)
            periods = [p.starts_on for p in measurements.reportable_periods(indicators[0], concluded, today)][:months]
            table = [list(measurements.COLUMNS[:1]) + list(measurements.COLUMNS[2:])]
            for indicator in indicators:
                table.extend(_values(rng, indicator, periods))
            found = measurements.check_file(session, reporting, table, today)
            reporter = next(b.lead for b in bids if b.name == reporting.coalition.name)
            counts.measurements += measurements.store(
                session, reporting, actor=reporter, found=found, source="generate-data"
            )
            counts.indicators += len(indicators)
            indicators[0].city_indicator_id = agenda_rng.choice(cities[links[0].ambition_id]).id
            session.add(indicators[0])
        session.commit()
        if progress:
            progress(number, total)
    return counts

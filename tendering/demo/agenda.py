"""The demo's Maatschappelijke Agenda: Lindendal's five ambitions for 2026-2030, each with city indicators that the
research team measures yearly (values from 2020 on), norms agreed with named partners, and the demo's cases linked to
the ambitions they contribute to, all written through the services as an official would."""

from datetime import date, timedelta

from sqlmodel import Session

from ..agenda import agendas, city_indicators, contributions, portfolio
from ..models import Case, Direction, User

LOWER, HIGHER = Direction.lower_is_better, Direction.higher_is_better

# ambition: [(indicator, unit, direction, source, baseline 2020, target 2030, values 2020-2025, (at risk, off track),
#             partners that agreed the norms)]
AMBITIONS = {
    "Inwoners leven in een veilige omgeving": [
        (
            "Inwoners die zich vaak onveilig voelen in de buurt",
            "%",
            LOWER,
            "Veiligheidsmonitor (CBS)",
            14,
            10,
            (14, 13.6, 13.1, 13.4, 12.8, 12.5),
            (13, 14.5),
            ("Politie Lindendal", "Woonstichting Thuis"),
        ),
        (
            "Woninginbraken per 1.000 woningen",
            "",
            LOWER,
            "Politie, basisteam Lindendal",
            3.1,
            2.0,
            (3.1, 2.9, 2.7, 2.8, 2.4, 2.3),
            (2.8, 3.2),
            ("Politie Lindendal",),
        ),
        (
            "Rapportcijfer leefbaarheid van de buurt",
            "",
            HIGHER,
            "Bewonersenquête",
            6.8,
            7.5,
            (6.8, 6.9, 6.9, 7.0, 7.0, 7.1),
            (6.8, 6.5),
            ("Woonstichting Thuis", "Wijkraad Bloemenbuurt"),
        ),
        (
            "Meldingen van overlast per 1.000 inwoners",
            "",
            LOWER,
            "Meldingen openbare ruimte",
            41,
            30,
            (41, 44, 39, 37, 38, 35),
            (40, 45),
            ("Politie Lindendal", "Wijkraad Bloemenbuurt"),
        ),
    ],
    "Inwoners zijn gezond en hebben een gezonde levensstijl": [
        (
            "Volwassenen met overgewicht",
            "%",
            LOWER,
            "GGD Gezondheidsmonitor",
            49,
            44,
            (49, 50, 50, 49.5, 49, 48.6),
            (49, 51),
            ("GGD", "Voetbalvereniging Lindendal '58"),
        ),
        (
            "Volwassenen die voldoende bewegen",
            "%",
            HIGHER,
            "GGD Gezondheidsmonitor",
            47,
            55,
            (47, 45, 48, 49, 50, 51),
            (48, 45),
            ("GGD", "Voetbalvereniging Lindendal '58"),
        ),
        (
            "Inwoners die roken",
            "%",
            LOWER,
            "GGD Gezondheidsmonitor",
            18,
            12,
            (18, 17.4, 16.8, 16.1, 15.5, 15.2),
            (16.5, 18),
            ("GGD",),
        ),
        (
            "Ervaren gezondheid (goed of zeer goed)",
            "%",
            HIGHER,
            "GGD Gezondheidsmonitor",
            76,
            80,
            (76, 74, 75, 75, 76, 76.5),
            (75, 73),
            ("GGD", "Zorgcoöperatie De Linde"),
        ),
    ],
    "Inwoners die hulp nodig hebben ervaren een hoge kwaliteit van leven en hebben regie": [
        (
            "Ernstig eenzame 75-plussers",
            "%",
            LOWER,
            "GGD Ouderenmonitor",
            13,
            9,
            (13, 14.2, 13.8, 13.1, 12.6, 12.4),
            (12.5, 13.5),
            ("Zorgcoöperatie De Linde", "Buurtinitiatief Samen Oud"),
        ),
        (
            "Cliënten Wmo die zeggen dat de hulp hun kwaliteit van leven verbetert",
            "%",
            HIGHER,
            "Cliëntervaringsonderzoek Wmo",
            78,
            85,
            (78, 79, 77, 80, 81, 81.5),
            (79, 76),
            ("Zorgcoöperatie De Linde", "Cliëntenraad sociaal domein"),
        ),
        (
            "Mantelzorgers die zich zwaar belast voelen",
            "%",
            LOWER,
            "GGD Gezondheidsmonitor",
            11,
            8,
            (11, 12, 11.5, 11, 10.6, 10.2),
            (11, 12.5),
            ("Mantelzorg Lindendal",),
        ),
        (
            "75-plussers die zelfstandig thuis wonen",
            "%",
            HIGHER,
            "CBS Statline",
            89,
            91,
            (89, 89.2, 89.5, 89.4, 89.8, 90.1),
            (89, 88),
            ("Woonstichting Thuis", "Zorgcoöperatie De Linde"),
        ),
        (
            "Inwoners met problematische schulden",
            "%",
            LOWER,
            "CBS, monitor problematische schulden",
            4.6,
            3.5,
            (4.6, 4.4, 4.1, 4.3, 4.0, 3.9),
            (4.4, 4.8),
            ("Voedselbank Lindendal", "Schuldhulp Lindendal"),
        ),
    ],
    "Kinderen en jongeren krijgen optimale kansen": [
        (
            "Leerlingen met een onderwijsachterstand",
            "%",
            LOWER,
            "CBS, onderwijsachterstandsindicator",
            15,
            11,
            (15, 15.4, 14.9, 14.5, 14.1, 13.8),
            (14.5, 16),
            ("Basisschool De Regenboog", "Kinderopvang Lindendal"),
        ),
        (
            "Voortijdig schoolverlaters",
            "%",
            LOWER,
            "DUO",
            2.2,
            1.5,
            (2.2, 2.0, 2.1, 1.9, 1.8, 1.8),
            (2.0, 2.3),
            ("ROC Lindendal", "Leerplicht Lindendal"),
        ),
        (
            "Jongeren (16-27) zonder werk of opleiding",
            "%",
            LOWER,
            "CBS Statline",
            8,
            5,
            (8, 8.6, 7.9, 7.4, 7.1, 6.8),
            (7.5, 8.5),
            ("ROC Lindendal", "Jongerenwerk Oost"),
        ),
        (
            "Jongeren met jeugdhulp",
            "%",
            LOWER,
            "CBS, beleidsinformatie jeugd",
            12.5,
            11,
            (12.5, 12.9, 13.1, 12.8, 12.6, 12.3),
            (12.8, 13.5),
            ("Jeugdteam Lindendal",),
        ),
    ],
    "Inwoners nemen deel en dragen bij": [
        (
            "Inwoners die vrijwilligerswerk doen",
            "%",
            HIGHER,
            "Burgerpeiling",
            27,
            32,
            (27, 24, 25, 26, 27.5, 28),
            (26, 24),
            ("Vrijwilligerscentrale Lindendal", "Voetbalvereniging Lindendal '58"),
        ),
        (
            "Inwoners met betaald werk (15-75)",
            "%",
            HIGHER,
            "CBS Statline",
            68,
            72,
            (68, 67.5, 68.4, 69.2, 69.6, 70),
            (68.5, 67),
            ("Werkgeversservicepunt", "Bakkerij Van Dam"),
        ),
        (
            "Inwoners die meedoen aan buurtactiviteiten",
            "%",
            HIGHER,
            "Burgerpeiling",
            21,
            28,
            (21, 17, 19, 22, 23, 24.5),
            (21, 18),
            ("Buurtinitiatief Samen Oud", "Wijkraad Bloemenbuurt"),
        ),
        (
            "Bijstandsuitkeringen per 1.000 inwoners",
            "",
            LOWER,
            "CBS, bijstandsuitkeringenstatistiek",
            38,
            32,
            (38, 39, 37, 36.2, 35.8, 35.1),
            (37, 39),
            ("Werkgeversservicepunt",),
        ),
    ],
}

# demo case title -> the ambitions it contributes to (by their position), and its indicator -> a city indicator
LINKS = {
    "Gelukkig oud in Lindendal": (3, 5),
    "Leefbaarheid in de Bloemenbuurt": (1, 5),
    "Kansen voor ieder kind": (4,),
    "Samen aan de slag in Lindendal-Oost": (4, 5),
}
CITY_LINKS = {
    "Jongeren zonder werk of opleiding": "Jongeren (16-27) zonder werk of opleiding",
    "Jongeren in een traject": "Inwoners met betaald werk (15-75)",
}


def seed(session: Session, official: User, cases: list[Case], today: date) -> None:
    agenda = agendas.create(
        session,
        actor=official,
        fields=agendas.AgendaFields(
            "Maatschappelijke Agenda Lindendal 2026-2030",
            date(2026, 1, 1),
            date(2030, 12, 31),
            council_decision="Raadsbesluit 2026-014: de raad stelt de vijf ambities vast en stuurt op de indicatoren "
            "van het databoek; het college rapporteert elk jaar in de voorjaarsnota.",
            decided_on=date(2026, 2, 12),
        ),
    )
    ambitions, cities = [], {}
    for title, indicators in AMBITIONS.items():
        ambition = agendas.add_ambition(session, agenda, actor=official, fields=agendas.AmbitionFields(title))
        ambitions.append(ambition)
        for name, unit, direction, source, baseline, target, values, norms, partners in indicators:
            city = city_indicators.add(
                session,
                ambition,
                actor=official,
                fields=city_indicators.CityIndicatorFields(
                    name=name,
                    definition=f"{name}, gemeten voor heel Lindendal.",
                    unit=unit,
                    direction=direction,
                    data_source=source,
                    measured_by="Gemeente Lindendal, team Onderzoek en Statistiek",
                    baseline_value=baseline,
                    baseline_date=date(2020, 1, 1),
                    target_value=target,
                    target_date=date(2030, 1, 1),
                ),
            )
            cities[name] = city
            for year, value in zip(range(2020, 2026), values, strict=True):
                city_indicators.report(
                    session,
                    city_indicators.CityValue(city, date(year, 1, 1), value, source),
                    actor=official,
                    today=today,
                )
            city_indicators.agree_norms(
                session,
                city,
                actor=official,
                at_risk=norms[0],
                off_track=norms[1],
                agreed_on=date(2026, 3, 10),
                partners="\n".join(("Gemeente Lindendal",) + partners),
                note="Vastgesteld in de werkconferentie over het databoek.",
                today=today,
            )
    for case in cases:
        positions = LINKS.get(case.title, ())
        contributions.set_ambitions(
            session, case, actor=official, ambition_ids=[ambitions[p - 1].id for p in positions]
        )
    session.flush()
    for case in cases:
        for indicator in contributions.case_indicators(session, case):
            target = CITY_LINKS.get(indicator.name)
            if target:
                contributions.link_indicator(
                    session, case, indicator.id, actor=official, city_indicator_id=cities[target].id
                )
    portfolio.review(
        session,
        actor=official,
        held_on=today - timedelta(days=14),
        participants="Gemeente Lindendal\nZorgcoöperatie De Linde\nWoonstichting Thuis\nBuurtinitiatief Samen Oud",
        summary="Niet meer dan vier vraagstukken tegelijk; eerst de lopende opdrachten goed laten landen.",
        decisions={
            cases[0].id: ("continue", "De aanbesteding loopt; de vragen van coalities zijn beantwoord."),
            cases[1].id: ("continue", "De strategie is gekozen; het realisatieplan volgt."),
            cases[2].id: ("pause", "Eerst de vraag verbreden met scholen en ouders; geen capaciteit voor de zomer."),
            cases[3].id: ("continue", "Op koers bij de trajecten; de werkloosheid onder jongeren daalt."),
        },
        today=today,
    )

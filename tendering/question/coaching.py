"""Coaching on the question: does it ask for an outcome, or does it prescribe the output?

The method contrasts the real, broad question ("Wie helpt ons om ouderen gelukkig oud te laten worden in onze
gemeente?") with narrow ones ("Wie trekt bij 500 ouderen de steunkousen aan?", "Doorbreek het sociaal isolement van
200 gezinnen in wijk X"). A narrow question shows itself by five patterns, each recognised here by a small regular
expression in Dutch and English: a counted target group, a prescribed activity, a named supplier role, an imperative
that prescribes the solution, and output words (hours, visits, programmes). Each flag quotes what it saw and names the
broad alternative. It is advice, never a block: a guard decides only what must exist.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

_WORD = r"[a-zà-ÿ-]+"

# A number followed (within two words) by people: the question sizes the answer before anyone proposed one.
_TARGET_GROUP_COUNT = re.compile(
    rf"\b\d[\d.,]*\s+(?:{_WORD}\s+){{0,2}}?"
    r"(ouderen|mensen|personen|bewoners|inwoners|kinderen|jongeren|gezinnen|huishoudens|families|cliënten|clienten|"
    r"deelnemers|leerlingen|mantelzorgers|statushouders|werkzoekenden|elderly|people|persons|residents|inhabitants|"
    r"children|young people|youngsters|families|households|clients|participants|pupils|carers|jobseekers)\b",
    re.IGNORECASE,
)
# An activity that is one solution among many.
_ACTIVITY = re.compile(
    r"\b(steunkousen(?:\s+aan(?:trekken)?)?|(?:de\s+)?maaltijden\s+(?:bezorgen|rondbrengen|brengen)|maaltijdservice|"
    r"huishoudelijke hulp|schoonmaken|schoonmaak|boodschappen doen|huisbezoeken afleggen|huisbezoeken|"
    r"cursus(?:sen)? geven|support stockings|put(?:s|ting)? on (?:the )?stockings|deliver(?:s|ing)? meals|"
    r"meals on wheels|home visits|cleaning|do(?:es|ing)? the shopping|run(?:s|ning)? courses)\b",
    re.IGNORECASE,
)
# Who is asked for: a supplier, or somebody who "delivers" or "carries out".
_SUPPLIER = re.compile(
    r"\b(zorgaanbieders?|aanbieders?|leveranciers?|dienstverleners?|opdrachtnemers?|uitvoerders?|contractanten?|"
    r"care providers?|service providers?|providers?|suppliers?|vendors?|contractors?)\b"
    r"|\bwie\s+(levert|leveren|voert|verzorgt|organiseert|bezorgt|plaatst|bouwt|trekt|geeft|draait|exploiteert|biedt)\b"
    r"|\bwho\s+(delivers|supplies|provides|runs|organises|organizes|carries out|performs|puts on|builds)\b",
    re.IGNORECASE,
)
# A sentence that starts with an order: the municipality has chosen the solution and asks for its execution.
_IMPERATIVE = re.compile(
    r"(?:^|[.!?;:]\s+)(doorbreek|organiseer|lever|bied|zorg voor|bouw|plaats|verzorg|bezorg|realiseer|ontwikkel|"
    r"voer|richt|zet|start|geef|verstrek|train|begeleid|bestrijd|break|organise|organize|deliver|provide|supply|"
    r"build|install|run|set up|carry out|give|train|tackle)\b",
    re.IGNORECASE,
)
# Units of effort: how much is done, not what changes.
_OUTPUT = re.compile(
    r"\b((?:\d[\d.,]*\s+)?(?:aantal\s+(?:bezoeken|deelnemers|trajecten|uren|contacten|activiteiten|gesprekken|cursussen|plaatsen)|"
    r"uren|uur|fte|trajecten|bezoeken|activiteiten|bijeenkomsten|cursussen|maaltijden|"
    r"number of (?:visits|participants|programmes|programs|hours|contacts|activities|sessions|courses|places)|"
    r"hours|visits|sessions|programmes|activities|courses|meals))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pattern:
    kind: str
    regex: re.Pattern
    message: object  # lazy, with %(fragment)s
    alternative: object  # lazy: the broad way to ask


PATTERNS = (
    Pattern(
        "target_group_count",
        _TARGET_GROUP_COUNT,
        _l("It counts the people it is for (“%(fragment)s”), which fixes the size of the answer in advance."),
        _l(
            "Name the group and what must change for it (“families in wijk X feel less alone”); "
            "let the coalition say whom it reaches."
        ),
    ),
    Pattern(
        "activity",
        _ACTIVITY,
        _l("It prescribes an activity (“%(fragment)s”), which leaves no room for other approaches."),
        _l(
            "Ask for the outcome the activity would serve (“elderly people live at home independently and "
            "happily”); the coalition proposes how."
        ),
    ),
    Pattern(
        "supplier",
        _SUPPLIER,
        _l("It asks for a supplier (“%(fragment)s”) rather than for partners in reaching an outcome."),
        _l(
            "Ask “Who helps us …?”: residents, associations, companies and social organisations, "
            "together in a coalition."
        ),
    ),
    Pattern(
        "imperative",
        _IMPERATIVE,
        _l("It gives an order (“%(fragment)s”) instead of asking a question: the solution is already chosen."),
        _l("Ask society a question: “Who helps us to …?”, with what must really change after “to”."),
    ),
    Pattern(
        "output",
        _OUTPUT,
        _l("It measures effort (“%(fragment)s”): hours, visits or programmes, not what changes."),
        _l("Say when we are satisfied in outcomes (“fewer residents feel lonely”), not in units delivered."),
    ),
)


@dataclass(frozen=True)
class CoachingFlag:
    kind: str
    message: str
    fragment: str
    alternative: str


def coach_question(question: str) -> list[CoachingFlag]:
    """Signs that a question prescribes output, a supplier or a solution instead of asking for an outcome.

    A fragment already quoted by an earlier pattern is not flagged again ("20 activiteiten" is a count of output,
    said once).
    """
    flags, seen = [], []
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(question):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in seen):
                continue
            fragment = match.group(0).lstrip(".!?;: ")
            seen.append(span)
            flags.append(
                CoachingFlag(
                    pattern.kind, str(pattern.message) % {"fragment": fragment}, fragment, str(pattern.alternative)
                )
            )
            break
    return flags


METHOD_EXAMPLES = [
    (
        _l("Who puts on the support stockings of 500 elderly people?"),
        _l("Who helps us let elderly people grow old happily in our municipality?"),
    ),
    (
        _l("Break the social isolation of 200 families in neighbourhood X."),
        _l("Who helps us make sure families in neighbourhood X are part of the community?"),
    ),
    (
        _l("Who organises 20 activities a year in the community centre?"),
        _l("Who helps us make the neighbourhood a place where residents look out for each other again?"),
    ),
    (
        _l("Who delivers 3 FTE of school social work?"),
        _l("Who helps us reduce the educational disadvantage of children in our town?"),
    ),
]

ATTENTION_POINTS = [
    _l("Is the question open enough not to steer the answer?"),
    _l("Does it put the goals before the means?"),
    _l("Does it leave room for surprises and approaches nobody thought of?"),
    _l("Are the frameworks clear: budget, legal conditions, minimum requirements, public values?"),
    _l("Were the people who will carry it out, and those it is for, involved in asking it?"),
]

"""What a write changes, told to the page cache (`fragments`) as the scopes it bumps.

Every transaction that writes bumps the data generation, which every cached body
is keyed by, unless all it wrote is one of the few kinds of rows below: those
bump the scopes of the pages that show them, and leave every other cached body
alone. A coalition's reporting system that posts a value every second then
redraws its own case, its own indicators and the monitor, not the tender board
or the pages of every other case.

The rule is safe by omission: a kind of row not listed here, and any bulk
statement, bumps the data generation, as every write did before. A kind is
listed only with every cached page that shows it:

- an indicator or a measurement shows on its case page, its coalition's
  indicators page and the monitor, and in the indicator's own card on the
  monitor (cached on its own, so one value redraws one card);
- an audit event shows on its case's page (the timeline), and nowhere cached
  without a case;
- open-data releases, queued mail and login sessions show on no cached page.

A body must never be older than its key: the scope generations are read
(`fragments.cached(..., scopes=...)`) before the rows they cover, and rows of
these kinds that the request loaded earlier are expired then, so the body reads
them again (`reload` does it for many in one query).
"""

from collections.abc import Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from ..models import (
    Agreement,
    AuditEvent,
    CalendarToken,
    Indicator,
    Measurement,
    Notification,
    NotificationPreference,
    OcdsRelease,
    OutboxMessage,
    RecoveryCode,
    ScopeGeneration,
    SecondFactor,
    SentReminder,
    TenderFollow,
    UserSession,
)

EVERYTHING = "*"  # the data generation: every cached body depends on it
MONITOR = "monitor"
PENDING = "tendering.scopes"
# Rows no cached body shows: second factors, notifications and their settings, reminders sent, calendar tokens and
# follows are read only on their own user's uncached pages (and a follow only as an official's count, also uncached).
UNSEEN = (
    OcdsRelease,
    OutboxMessage,
    UserSession,
    SecondFactor,
    RecoveryCode,
    Notification,
    NotificationPreference,
    SentReminder,
    CalendarToken,
    TenderFollow,
)
NARROW = (AuditEvent, Indicator, Measurement)


def case(case_id: int) -> str:
    return f"case:{case_id}"


def coalition(coalition_id: int) -> str:
    return f"coalition:{coalition_id}"


def indicator(indicator_id: int) -> str:
    return f"indicator:{indicator_id}"


def note_flushed(session: Session, objects: Iterable[object]) -> None:
    """Remember what the flushed rows change: scopes, or the agreements and indicators whose scopes they are."""
    pending = session.info.setdefault(PENDING, {"scopes": set(), "indicators": set(), "agreements": set()})
    for obj in objects:
        if isinstance(obj, UNSEEN):
            continue
        if isinstance(obj, AuditEvent):
            if obj.case_id is not None:
                pending["scopes"].add(case(obj.case_id))
        elif isinstance(obj, Measurement):
            pending["indicators"].add(obj.indicator_id)
        elif isinstance(obj, Indicator):  # its agreement too: a removed indicator is no longer found by its id
            pending["indicators"].add(obj.id)
            pending["agreements"].add(obj.agreement_id)
        else:
            pending["scopes"].add(EVERYTHING)


def note_statement(state) -> None:
    """A bulk statement: its rows are not known, so it changes everything, unless it writes a kind of row no
    cached page shows or is a lock that changes nothing (`locking.serialise`)."""
    pending = state.session.info.setdefault(PENDING, {"scopes": set(), "indicators": set(), "agreements": set()})
    mapper = state.bind_mapper
    if state.execution_options.get("changes_nothing") or (mapper is not None and issubclass(mapper.class_, UNSEEN)):
        return
    pending["scopes"].add(EVERYTHING)


def wrote(session: Session) -> bool:
    return PENDING in session.info


def forget(session: Session) -> None:
    session.info.pop(PENDING, None)


def scopes_changed(session: Session) -> set[str]:
    """The scopes the transaction's writes change (EVERYTHING among them when the data generation must move)."""
    pending = session.info.get(PENDING)
    if not pending:
        return set()
    scopes = set(pending["scopes"])
    if EVERYTHING in scopes:
        return {EVERYTHING}
    if pending["indicators"]:
        scopes |= {MONITOR, *(indicator(i) for i in pending["indicators"])}
        of_indicators = select(Indicator.agreement_id).where(Indicator.id.in_(pending["indicators"]))
        for case_id, coalition_id in session.exec(
            select(Agreement.case_id, Agreement.coalition_id).where(
                Agreement.id.in_(of_indicators) | Agreement.id.in_(pending["agreements"])
            )
        ):
            scopes |= {case(case_id), coalition(coalition_id)}
    return scopes


def bump(connection, scopes: set[str]) -> None:
    """Add one to each scope's counter, in one order for every writer (so two writers never deadlock)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = ScopeGeneration.__table__
    for scope in sorted(scopes):
        statement = dialect.insert(table).values(scope=scope, generation=1)
        connection.execute(
            statement.on_conflict_do_update(index_elements=[table.c.scope], set_={"generation": table.c.generation + 1})
        )


def read(session: Session, scopes: Iterable[str]) -> dict[str, int]:
    """The scopes' generations; rows they cover that this session holds are read again when next used."""
    session.flush()
    for obj in list(session.identity_map.values()):
        if isinstance(obj, NARROW):
            session.expire(obj)
    wanted = set(scopes)
    statement = select(ScopeGeneration.scope, ScopeGeneration.generation).where(ScopeGeneration.scope.in_(wanted))
    found = dict(session.exec(statement).all())
    return {scope: found.get(scope, 0) for scope in wanted}


def reload(session: Session, model, ids: list[int]) -> None:
    """Read these rows again in one query (they were expired when their scopes were read)."""
    if ids:
        session.exec(select(model).where(model.id.in_(ids))).all()

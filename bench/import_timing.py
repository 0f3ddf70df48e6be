"""CSV import of 10,000 measurements against a bare bulk insert of the same rows, on DATABASE_URL.

Sets up a realised case with 400 monthly indicators (so 25 started periods each
give 10,000 values), then times `measurements.import_file` (parse, check every
row, store, refresh the summaries, audit) and a plain executemany INSERT of the
same rows; both are rolled back so the database is left as it was.
"""

import json
import time
from datetime import date
from decimal import Decimal

from sqlalchemy import insert
from sqlmodel import Session, select

from tendering.core import db
from tendering.demo import journeys
from tendering.models import Coalition, Direction, Measurement, Role, User, utcnow
from tendering.realisation import agreement, measurements, monitoring
from wsgi import app

INDICATORS, PERIODS = 400, 25


def main(session: Session) -> dict:
    officials = session.exec(select(User).where(User.role == Role.official).order_by(User.id).limit(2)).all()
    members = session.exec(
        select(User)
        .where(User.role == Role.coalition_member, User.email.like("%@synthetic.example"))
        .order_by(User.id.desc())
        .limit(4)
    ).all()
    case = journeys.publish(
        session,
        officials[0],
        journeys.Question(
            title="Import",
            question="Hoeveel waarden tegelijk?",
            theme="Benchmark",
            budget_ceiling=Decimal("1000000"),
            outcome="Snel importeren.",
            stakeholders=["A", "B", "C"],
        ),
    )
    bids = [
        journeys.Bid(members[0], [members[1]], "Import A", Decimal("900000"), "A", 8.0),
        journeys.Bid(members[2], [members[3]], "Import B", Decimal("950000"), "B", 6.0),
    ]
    for b in bids:
        journeys.bid(session, case, b)
    today = utcnow().date()
    start = monitoring.add_months(date(today.year, today.month, 1), -PERIODS)
    fields = [
        agreement.IndicatorFields(
            name=f"Import {i}",
            definition="d",
            unit="",
            direction=Direction.higher_is_better,
            data_source="s",
            baseline_value=0,
            baseline_date=start,
            target_value=100,
            target_date=date(start.year + 3, start.month, 1),
            norm_at_risk=None,
            norm_off_track=None,
            frequency="monthly",
            measured_by="m",
        )
        for i in range(INDICATORS)
    ]
    indicators = journeys.award_and_agree(
        session, case, officials[0], officials[1], bids, starts_on=start, indicators=fields
    )
    concluded = agreement.concluded(session, case)
    reporting = measurements.Reporting(session.get(Coalition, concluded.coalition_id), case, concluded)
    periods = [p.starts_on for p in measurements.reportable_periods(indicators[0], concluded, today)][:PERIODS]
    rows = [(i.id, p, float((i.id * 7 + n) % 97)) for i in indicators for n, p in enumerate(periods)]
    csv = "indicator,period,value\n" + "".join(f"{i},{p.isoformat()},{v}\n" for i, p, v in rows)
    session.commit()  # the set-up stays; only the two timed writes are rolled back

    started = time.perf_counter()
    stored = measurements.import_file(
        session, reporting, actor=members[0], filename="bench.csv", data=csv.encode(), today=today
    )
    session.flush()
    import_seconds = time.perf_counter() - started
    session.rollback()

    started = time.perf_counter()
    session.execute(
        insert(Measurement),
        [
            {
                "indicator_id": i,
                "period": p,
                "value": v,
                "source": "",
                "note": "",
                "reported_by_id": members[0].id,
                "reported_at": utcnow(),
                "correction_reason": "",
            }
            for i, p, v in rows
        ],
    )
    session.flush()
    bare_seconds = time.perf_counter() - started
    session.rollback()
    return {
        "rows": len(rows),
        "stored": stored,
        "import_seconds": round(import_seconds, 3),
        "bare_insert_seconds": round(bare_seconds, 3),
        "ratio": round(import_seconds / bare_seconds, 2),
    }


if __name__ == "__main__":
    with app.app_context(), app.test_request_context(), Session(db.engine()) as session:
        print(json.dumps(main(session)))

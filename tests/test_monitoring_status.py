"""The status of an outcome indicator: planned path, direction, norms, no data, overdue."""

from datetime import date

import pytest

from tendering.models import Agreement, Direction, Indicator
from tendering.realisation.monitoring import Status, add_months, judge, periods, planned, status_on, summarise

AGREEMENT = Agreement(case_id=1, coalition_id=1, budget=1, starts_on=date(2027, 1, 1), ends_on=date(2028, 12, 31))


def rising(**norms):
    """Volunteers per 1,000 elderly: 20 at the start of 2027, 40 at the end of 2028."""
    return Indicator(
        agreement_id=1,
        name="Vrijwilligers",
        direction=Direction.higher_is_better,
        baseline_value=20,
        baseline_date=date(2027, 1, 1),
        target_value=40,
        target_date=date(2028, 12, 31),
        frequency="yearly",
        **norms,
    )


def falling(**norms):
    """Share of lonely elderly: 48% to 38% over the same two years."""
    return Indicator(
        agreement_id=1,
        name="Eenzaamheid",
        direction=Direction.lower_is_better,
        baseline_value=48,
        baseline_date=date(2027, 1, 1),
        target_value=38,
        target_date=date(2028, 12, 31),
        frequency="yearly",
        **norms,
    )


FIRST_YEAR = periods("yearly", AGREEMENT.starts_on, AGREEMENT.ends_on)[0]


def test_periods_follow_the_frequency_from_the_agreements_start_and_stop_at_its_end():
    quarters = periods("quarterly", date(2027, 1, 31), date(2027, 12, 15))
    assert [(p.starts_on, p.ends_on) for p in quarters] == [
        (date(2027, 1, 31), date(2027, 4, 29)),
        (date(2027, 4, 30), date(2027, 7, 30)),
        (date(2027, 7, 31), date(2027, 10, 30)),
        (date(2027, 10, 31), date(2027, 12, 15)),
    ]
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert quarters[0].due_on == date(2027, 5, 29)


def test_the_planned_path_runs_straight_from_baseline_to_target():
    assert planned(rising(), date(2027, 1, 1)) == 20
    assert planned(rising(), date(2026, 6, 1)) == 20
    assert planned(rising(), date(2029, 6, 1)) == 40
    assert planned(rising(), FIRST_YEAR.ends_on) == pytest.approx(30, abs=0.1)
    assert planned(falling(), FIRST_YEAR.ends_on) == pytest.approx(43, abs=0.1)


@pytest.mark.parametrize(
    "value, expected",
    [
        (32, Status.on_track),  # ahead of the planned 30
        (30, Status.on_track),
        (27, Status.at_risk),  # behind the plan, better than the start
        (19, Status.off_track),  # worse than the baseline: moving away from the target
    ],
)
def test_rising_indicator_without_norms(value, expected):
    assert judge(rising(), value, FIRST_YEAR) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (42, Status.on_track),  # below the planned 43: lower is better
        (44, Status.at_risk),  # behind the plan
        (45.5, Status.at_risk),  # beyond the "at risk" norm of 45
        (47, Status.off_track),  # at the "off track" norm
        (49, Status.off_track),
    ],
)
def test_falling_indicator_with_norms(value, expected):
    assert judge(falling(norm_at_risk=45, norm_off_track=47), value, FIRST_YEAR) == expected


def test_a_norm_decides_even_when_the_plan_is_met():
    strict = rising(norm_at_risk=35, norm_off_track=25)
    assert judge(strict, 31, FIRST_YEAR) == Status.at_risk
    assert judge(strict, 25, FIRST_YEAR) == Status.off_track
    assert judge(strict, 19, FIRST_YEAR) == Status.off_track


def test_no_data_until_something_is_due_then_overdue():
    indicator = rising()
    summary = summarise(indicator, AGREEMENT, {})
    assert summary.assessed_status == Status.no_data and summary.next_due_on == date(2028, 1, 30)
    indicator.assessed_status, indicator.next_due_on = summary.assessed_status.value, summary.next_due_on
    assert status_on(indicator, date(2028, 1, 30)) == Status.no_data
    assert status_on(indicator, date(2028, 1, 31)) == Status.overdue


def test_latest_value_decides_and_a_missing_period_is_overdue_once_due():
    indicator = falling()
    summary = summarise(indicator, AGREEMENT, {date(2027, 1, 1): 42})
    assert (summary.latest_value, summary.assessed_status, summary.next_due_on) == (
        42,
        Status.on_track,
        date(2029, 1, 30),
    )
    indicator.assessed_status, indicator.next_due_on = summary.assessed_status.value, summary.next_due_on
    assert status_on(indicator, date(2028, 6, 1)) == Status.on_track
    assert status_on(indicator, date(2029, 2, 1)) == Status.overdue
    complete = summarise(indicator, AGREEMENT, {date(2027, 1, 1): 42, date(2028, 1, 1): 39})
    assert complete.next_due_on is None and complete.latest_value == 39

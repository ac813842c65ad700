"""Progress from baseline to target by direction, pace against the period, and periods."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.plans.progress import (
    PeriodError,
    expected_share,
    kr_progress,
    next_quarter,
    pace,
    parse_period,
    weighted_mean,
)


def test_the_issues_example_gives_progress_048() -> None:
    assert kr_progress("increase", baseline=96.2, target=99.95, value=98) == pytest.approx(0.48)


def test_progress_follows_the_direction_and_is_clamped() -> None:
    assert kr_progress("decrease", baseline=11, target=6, value=8.5) == pytest.approx(0.5)
    assert kr_progress("decrease", baseline=11, target=6, value=12) == 0.0
    assert kr_progress("increase", baseline=27, target=35, value=40) == 1.0
    assert kr_progress("increase", baseline=None, target=6, value=3) == pytest.approx(0.5)
    # A decrease with no baseline starts from its first check-in.
    assert kr_progress("decrease", baseline=None, target=2, value=4, first_value=6) == 0.5
    assert kr_progress("stay_above", baseline=None, target=99.9, value=99.95) == 1.0
    assert kr_progress("stay_above", baseline=None, target=99.9, value=99.5) == 0.0
    assert kr_progress("stay_below", baseline=None, target=5, value=4) == 1.0
    assert kr_progress("deliverable", baseline=None, target=None, value=1) == 1.0
    assert kr_progress("deliverable", baseline=None, target=None, value=0) == 0.0
    assert kr_progress("increase", baseline=1, target=None, value=3) is None
    assert kr_progress("increase", baseline=1, target=2, value=None) is None


def test_pace_compares_progress_with_the_time_gone() -> None:
    q1 = (date(2027, 1, 1), date(2027, 3, 31))
    half = expected_share(*q1, date(2027, 2, 14))
    assert half == pytest.approx(0.5)
    assert pace(0.65, half, direction="increase", overdue=False) == "ahead"
    assert pace(0.55, half, direction="increase", overdue=False) == "on_pace"
    assert pace(0.3, half, direction="increase", overdue=False) == "behind"
    assert pace(None, half, direction="increase", overdue=False) is None
    assert pace(0.0, half, direction="deliverable", overdue=False) == "on_pace"
    assert pace(0.0, 1.0, direction="deliverable", overdue=True) == "behind"
    assert expected_share(*q1, date(2026, 12, 1)) == 0.0
    assert expected_share(*q1, date(2027, 4, 3)) == 1.0


def test_objectives_average_their_key_results_by_weight() -> None:
    assert weighted_mean([(1.0, 2.0), (0.0, 1.0)]) == pytest.approx(2 / 3)
    # Not checked in yet counts as still at its baseline.
    assert weighted_mean([(0.6, 1.0), (None, 1.0)]) == pytest.approx(0.3)
    assert weighted_mean([(None, 1.0)]) is None


def test_periods() -> None:
    assert next_quarter(date(2026, 12, 1)) == "2027-Q1"
    assert next_quarter(date(2027, 5, 1)) == "2027-Q3"
    assert parse_period("Q1 2027") == ("2027-Q1", date(2027, 1, 1), date(2027, 3, 31))
    assert parse_period("2027-H2") == ("2027-H2", date(2027, 7, 1), date(2027, 12, 31))
    assert parse_period("2027")[2] == date(2027, 12, 31)
    assert parse_period("2027-02-01..2027-04-30")[1:] == (date(2027, 2, 1), date(2027, 4, 30))
    with pytest.raises(PeriodError, match="not a period"):
        parse_period("next spring")

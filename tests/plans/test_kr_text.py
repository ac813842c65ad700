"""Key-result sentences from OKR drafts read into metric, unit, baseline, target, direction, due."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.plans.kr_text import read_kr
from tests.plans.conftest import sample_draft


@pytest.mark.parametrize(
    ("text", "metric", "unit", "baseline", "target", "direction", "due"),
    [
        (
            "Cut median onboarding time from 11 weeks to 6 weeks by Q3 2027",
            "Median onboarding time",
            "weeks",
            11,
            6,
            "decrease",
            date(2027, 9, 30),
        ),
        (
            "Gross logo churn must come down from 6.8% to 4% by Q4 2027.",
            "Gross logo churn",
            "%",
            6.8,
            4,
            "decrease",
            date(2027, 12, 31),
        ),
        (
            "Annual recurring revenue from USD 38.4 million to USD 52 million by Q4 2027.",
            "Annual recurring revenue",
            "$",
            38_400_000,
            52_000_000,
            "increase",
            date(2027, 12, 31),
        ),
        (
            "Baseline: Gross logo churn was 6.8% over the last twelve months; target to be set.",
            "Gross logo churn",
            "%",
            6.8,
            None,
            "decrease",
            None,
        ),
        (
            "Cloud spend from USD 1.9 million to target to be set.",
            "Cloud spend",
            "$",
            1_900_000,
            None,
            "decrease",
            None,
        ),
        (
            "Keep platform uptime above 99.9%",
            "Platform uptime",
            "%",
            None,
            99.9,
            "stay_above",
            None,
        ),
        ("Cloud spend below $2M a quarter", "Cloud spend", "$", None, 2e6, "stay_below", None),
        ("Grow ARR above $50M by Q4 2027", "ARR", "$", None, 50e6, "increase", date(2027, 12, 31)),
        ("Reduce churn to below 5%", "Churn", "%", None, 5, "decrease", None),
        (
            "Raise win rate to 35% by Q2 2027, from a baseline of 27%",
            "Win rate",
            "%",
            27,
            35,
            "increase",
            date(2027, 6, 30),
        ),
        (
            "Automated test coverage is 64%; the target is 80% by Q2 2027",
            "Automated test coverage",
            "%",
            64,
            80,
            "increase",
            date(2027, 6, 30),
        ),
        (
            "Hire 6 machine-learning engineers by March 2027",
            "Machine-learning engineers hired",
            "",
            None,
            6,
            "increase",
            date(2027, 3, 31),
        ),
        (
            "Launch the partner portal by 2027-05-15",
            "Launch the partner portal",
            "",
            None,
            None,
            "deliverable",
            date(2027, 5, 15),
        ),
        (
            "Support first response time from 6.5 hours to 2 hours by Q2 2027.",
            "Support first response time",
            "hours",
            6.5,
            2,
            "decrease",
            date(2027, 6, 30),
        ),
        (
            "Average onboarding time from 11 weeks down to 6 by Q3 2027",
            "Average onboarding time",
            "weeks",
            11,
            6,
            "decrease",
            date(2027, 9, 30),
        ),
    ],
)
def test_key_result_sentences_are_read(
    text: str,
    metric: str,
    unit: str,
    baseline: float | None,
    target: float | None,
    direction: str,
    due: date | None,
) -> None:
    facts = read_kr(text)
    assert (facts.metric, facts.unit, facts.direction, facts.due) == (metric, unit, direction, due)
    assert facts.baseline == (None if baseline is None else pytest.approx(baseline))
    assert facts.target == (None if target is None else pytest.approx(target))


def test_every_key_result_of_a_drafted_plan_reads_without_inventing_a_target() -> None:
    draft = sample_draft()
    items = [i for s in draft.sections if s.key.startswith("objective-") for i in s.items]
    for item in items:
        facts = read_kr(item.text)
        assert facts.metric
        if "target to be set" in item.text:
            assert facts.target is None, item.text


@pytest.mark.parametrize(
    ("text", "metric", "unit", "baseline", "target", "due"),
    [
        # The offline engine's own phrasing: a target set for a period, the baseline after it.
        (
            "Service availability target for 2028 is 99.9%, from a baseline of 99.5%.",
            "Service availability",
            "%",
            99.5,
            99.9,
            date(2028, 12, 31),
        ),
        (
            "Checkout p99 latency target is 250 ms by Q3 2028, from a baseline of 900 ms.",
            "Checkout p99 latency",
            "milliseconds",
            900,
            250,
            date(2028, 9, 30),
        ),
        # A count goal keeps the baseline stated after it.
        (
            "Hire 9 field technicians by June 2028, from a baseline of 4.",
            "Field technicians hired",
            "",
            4,
            9,
            date(2028, 6, 30),
        ),
        # "to" inside a metric's name is not where its target starts.
        (
            "Shorten time to first invoice from 12 days to 5 days by Q2 2028.",
            "Time to first invoice",
            "days",
            12,
            5,
            date(2028, 6, 30),
        ),
    ],
)
def test_targets_and_baselines_in_other_phrasings_are_read(
    text: str, metric: str, unit: str, baseline: float, target: float, due: date
) -> None:
    facts = read_kr(text)
    assert (facts.metric, facts.unit, facts.baseline, facts.target, facts.due) == (
        metric,
        unit,
        pytest.approx(baseline),
        pytest.approx(target),
        due,
    )

"""A table's reference level is a target whatever its column is called: a contract's minimum, a
budget, a pledge "by" a date. Where the metric stands is in another column ("Outturn", "Last
season") or in another document, where a table's header may say which of its columns it is. A
table of plain facts states no target.

A small knowledge base written here (a fictional ferry operator) holds those tables; it shares
no wording with the development set. Behaviours, not wording.
"""

from __future__ import annotations

import numpy as np
import pytest

from drafting.draft import Draft
from drafting.key_results import pair_goal
from drafting.metric_text import metric_name
from drafting.okr_offline import target_form
from drafting.service import Drafter
from drafting.statement_pool import Typed
from drafting.table_columns import column_roles, reached, table_record
from tests.drafting.conftest import SampleKB

WORKSPACE = "TFERRY001"
SUBJECT = "Thornbury Ferries"

HARBOUR = """# Harbour authority agreement: what we signed up to

## Obligations

| Obligation | Minimum required | Last season |
|---|---|---|
| Sailings leaving within ten minutes of the timetable | 92% | 87% |
| Ramp availability at Yarrow pier | 98.5% | 95.1% |

The operating licence obliges us to keep passenger complaints below 4 per 10,000 journeys.
"""

FINANCE = """# Finance pack, September

| Line item | Budgeted | Outturn | RAG |
|---|---|---|---|
| Fuel cost per crossing (£) | 310 | 355 | red |
| Onboard retail takings (£k) | 900 | 960 | green |

## Passengers by route

| Route | Passengers 2025 | Passengers 2026 |
|---|---|---|
| Northcliff to Yarrow | 212,000 | 236,000 |
| Yarrow to Skellan | 98,000 | 91,000 |
"""

GREEN = """# Greener crossings

| Pledge to the county council | By October 2027 |
|---|---|
| Share of crossings on hybrid power | 40% |

Cut average car boarding time to 12 minutes by May 2027.
"""

REVIEW = """# Summer season review

- Passenger complaints ran at 6.5 per 10,000 journeys this summer, mostly about cancelled
  sailings.
- Hybrid power ran 18% of our crossings this summer; the older vessels cannot take it.
- Two engine failures on the Skellan route cancelled 140 sailings.

| Measure | Spring | Summer (latest) |
|---|---|---|
| Average car boarding time (minutes) | 21 | 24 |
"""


@pytest.fixture(scope="module")
def plan(offline_drafter: Drafter, sample_kb: SampleKB) -> Draft:
    for title, text in (
        ("Harbour agreement", HARBOUR),
        ("Finance pack", FINANCE),
        ("Greener crossings", GREEN),
        ("Summer review", REVIEW),
    ):
        sample_kb.kb.add_text(WORKSPACE, title=title, text=text)
    swot = offline_drafter.draft_swot(WORKSPACE, SUBJECT)
    return offline_drafter.draft_okr(WORKSPACE, SUBJECT, from_swot=swot)


def key_results(plan: Draft) -> list[str]:
    """Every key result the plan states: under its objectives and in its metrics list."""
    keys = ("objective", "metrics")
    return [i.text for s in plan.sections if s.key.startswith(keys) for i in s.items]


@pytest.mark.parametrize(
    ("target", "baseline"),
    [
        ("92%", "87%"),  # a contract's "Minimum required" against "Last season"
        ("98.5%", "95.1%"),
        ("310", "355"),  # a budget against its outturn
        ("40%", "18%"),  # a pledge "By <date>", where the metric stands said elsewhere
        ("4", "6.5"),  # a licence's obligation in prose, the baseline in another document
        ("12 minutes", "24"),  # a goal in prose, the baseline a table's "latest" column
    ],
)
def test_a_reference_level_is_paired_with_where_the_metric_stands(
    plan: Draft, target: str, baseline: str
) -> None:
    krs = key_results(plan)
    assert any(
        target in kr and baseline in kr and kr.index(baseline) < kr.rindex(target) for kr in krs
    ), krs


def test_a_level_already_reached_is_no_key_result(plan: Draft) -> None:
    assert not any("960" in kr for kr in key_results(plan))


def test_a_table_of_plain_facts_states_no_target(plan: Draft) -> None:
    assert not any("236,000" in kr or "91,000" in kr for kr in key_results(plan))


@pytest.mark.parametrize(
    ("header", "current", "reference"),
    [
        ("Indicator | Outturn | Ceiling", 1, 2),
        ("Obligation | Latest reading | Committed figure | Timescale", 1, 2),
        ("Area | 2025 | 2026 to date | Aspiration | vs aspiration", 2, 3),
        ("Item | Cap | As at June", 2, 1),
    ],
)
def test_header_words_say_which_column_is_the_reference_level(
    header: str, current: int, reference: int
) -> None:
    roles = column_roles(header.split(" | "))
    assert roles[0] == "metric"
    assert roles.index("current") == current and roles.index("target") == reference


def test_a_difference_from_the_plan_is_not_the_plan() -> None:
    record = table_record("Ticket sales | 4.2 | 4.6 | -9%", "Line | Actual | Plan | Gap to plan")
    assert "target: 4.6" in record and "target: -9%" not in record


def _typed(text: str, kind: str = "goal") -> Typed:
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    return Typed("doc#1", "doc", 0, text, "Pledges", kind, 0.9, vector)


def test_a_row_with_only_a_reference_level_takes_its_baseline_from_elsewhere() -> None:
    facts = [_typed("Average boarding time for cars was 26 minutes in August.", "weakness")]
    row = _typed("Average boarding time for cars | 15 minutes")
    kr = pair_goal(row, facts, "X", "Commitment | Promised level")
    assert kr is not None and (kr.baseline, kr.target) == ("26 minutes", "15 minutes")


def test_a_row_without_a_reference_column_is_no_key_result() -> None:
    row = _typed("Average boarding time for cars | 31 minutes | 26 minutes")
    assert pair_goal(row, [], "X", "Measure | Spring | Summer") is None


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        ("The charter binds us to an email answer rate of at least 95%.", "email answer rate"),
        ("We are committed to 30% of staff cycling to work by 2028.", "staff cycling to work"),
        ("Our service agreement guarantees 99.8% ramp availability.", "ramp availability"),
        ("We have pledged to keep ticket refunds under 2% of sales.", "ticket refunds"),
    ],
)
def test_a_level_a_party_binds_us_to_is_a_target(sentence: str, metric: str) -> None:
    assert target_form(sentence)
    assert metric in metric_name(sentence) and not metric_name(sentence).startswith("We")


@pytest.mark.parametrize(
    "sentence",
    ["We agreed 14 new charters this spring.", "We committed 3 engineers to the refit."],
)
def test_a_count_of_what_was_agreed_is_no_target(sentence: str) -> None:
    assert not target_form(sentence)


@pytest.mark.parametrize(
    ("row", "header", "done"),
    [
        ("Berth | 38 | 45", "Berth | Latest | Noise ceiling (dB)", True),  # under its ceiling
        ("Berth | 52 | 45", "Berth | Latest | Noise ceiling (dB)", False),
        ("Crew | 31 | 40", "Crew | Now | Floor", False),  # under its floor
        (
            "Harbour dues (£k) | 75 | 80",
            "Spend line | Actual | Budget",
            True,
        ),  # a cost under budget
        ("Harbour dues (£k) | 88 | 80", "Spend line | Actual | Budget", False),
        ("Deck cleaning | 7 | 9", "Task | Actual | Plan", False),  # which way is better is unknown
    ],
)
def test_a_row_at_or_past_its_reference_level_is_reached(row: str, header: str, done: bool) -> None:
    assert reached(row, header) is done


def test_a_row_of_unknown_polarity_is_judged_like_the_rest_of_its_table() -> None:
    header = "Source | Actual | Budget"
    table = [
        header,
        "Ticket revenue | 5.1 | 5.4",
        "Charter income | 1.2 | 1.0",
        "Onboard | 0.7 | 0.6",
    ]
    # Revenue and income are wanted up, so "Onboard" above its budget is there already ...
    assert reached(table[3], header, table)
    # ... but not alone, where nothing says which way is better.
    assert not reached(table[3], header, [header, table[3]])


def test_a_unit_the_columns_name_goes_with_the_metric() -> None:
    record = table_record("Ticket revenue | 5.1 | 5.4", "Source | Actual (£m) | Budget (£m)")
    assert "metric: Ticket revenue (£m)" in record

"""Key results pair targets written in many forms with baselines stated elsewhere.

A small knowledge base written here (a fictional ceramics maker, not the sample company) holds
its targets as prose aims, an instruction, a table with a target column and a score on a scale;
the baselines sit in other documents, one in a CSV export. Behaviours, not wording.
"""

from __future__ import annotations

import numpy as np
import pytest

from drafting.draft import Draft
from drafting.key_results import pair_goal
from drafting.metric_text import measures, metric_name
from drafting.service import Drafter
from drafting.statement_pool import Typed
from drafting.swot_offline import bare_level
from tests.drafting.conftest import SampleKB

WORKSPACE = "TKILN0001"
SUBJECT = "Kilnworth Ceramics"

RESULTS = """# Kilnworth results, autumn 2026

- Gross margin was 61% for the year, held back by gas prices.
- Breakage in transit was 5.4% of orders shipped.
- Retailers gave us an average service score of 6.2 out of 10.
"""

PLAN = """# Kilnworth plan 2027

## What we want to see

By the end of 2027 we want gross margin above 70%. Lift the repeat-order rate to 40%.
Retailer service score should be 8 out of 10 or better in the spring survey.

## Measures

| Key result | Baseline | Target | Due |
|---|---|---|---|
| Kiln energy per firing (kWh) | 310 | 260 | Dec 2027 |

- Goal: cut breakage in transit to 2% by Q3 2027.

## Scorecard

| Measure | 2025 | 2026 YTD | 2027 target |
|---|---|---|---|
| Wholesale accounts | 84 | 97 | 120 |
"""

EXPORT = b"""metric,jul,aug,sep,owner
repeat_order_rate_pct,27,28,29,sales
web_sessions,41000,43000,45000,marketing
"""


@pytest.fixture(scope="module")
def swot(offline_drafter: Drafter, sample_kb: SampleKB) -> Draft:
    sample_kb.kb.add_text(WORKSPACE, title="Kilnworth results", text=RESULTS)
    sample_kb.kb.add_text(WORKSPACE, title="Kilnworth plan 2027", text=PLAN)
    sample_kb.kb.add_bytes(WORKSPACE, filename="kpi_export.csv", data=EXPORT)
    return offline_drafter.draft_swot(WORKSPACE, SUBJECT)


@pytest.fixture(scope="module")
def plan(offline_drafter: Drafter, swot: Draft) -> Draft:
    return offline_drafter.draft_okr(WORKSPACE, SUBJECT, from_swot=swot)


def key_results(plan: Draft) -> list[str]:
    return [i.text for s in plan.sections if s.key.startswith("objective") for i in s.items]


@pytest.mark.parametrize(
    ("target", "baseline"),
    [
        ("70%", "61%"),  # "we want X above N", baseline in another document
        ("40%", "29"),  # an instruction, baseline the latest value of a CSV row
        ("8 out of 10", "6.2"),  # a score on a scale
        ("260", "310"),  # a row of a table with baseline and target columns
        ("2%", "5.4%"),  # "Goal: cut X to N"
        ("120", "97"),  # a scorecard row: the latest period before the target column
    ],
)
def test_each_stated_target_is_paired_with_its_baseline(
    plan: Draft, target: str, baseline: str
) -> None:
    krs = key_results(plan)
    assert any(target in kr and baseline in kr for kr in krs), krs


def test_a_data_row_without_a_target_column_is_no_key_result(plan: Draft) -> None:
    assert not any("45000" in kr or "web_sessions" in kr for kr in key_results(plan))


def test_metric_names_leave_out_when_and_whose_intent() -> None:
    assert metric_name("By the end of 2027 we want gross margin above 70%.") == "gross margin"
    assert metric_name("We aim to reach $20 million ARR by the end of 2027.") == "ARR"


def test_the_scale_of_a_score_is_not_a_value() -> None:
    assert measures("Service should be 8 out of 10 or better.") == ["8"]


def test_a_level_with_nothing_to_judge_it_by_is_no_swot_item(swot: Draft) -> None:
    """ "Breakage in transit was 5.4% of orders shipped" says neither good nor bad; it is still
    the baseline of the breakage key result above."""
    items = " ".join(i.text for s in swot.sections[:4] for i in s.items)
    assert "5.4%" not in items
    assert bare_level("Average revenue per member was 52 euros a month.")
    assert not bare_level("Gross margin was 61% for the year, held back by gas prices.")
    assert not bare_level("Churn was 4.1%, up from 3.2% last year.")
    # "from ... to ..." without values names what is measured, not a reference to judge by.
    assert bare_level("Repair turnaround averages 36 hours from drop-off to pickup.")
    assert not bare_level("Repair turnaround averages 36 hours, down from 50.")


def _typed(text: str, kind: str = "goal") -> Typed:
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    return Typed("doc#1", "doc", 0, text, "Goals", kind, 0.9, vector)


@pytest.mark.parametrize(
    "goal",
    [
        "Raise NPS to 50 (currently 38).",
        "Target NPS of 50, up from 38.",
        "Increase NPS by 12 points to 50.",
        "NPS target for 2027: 50",
    ],
)
def test_the_target_is_the_value_the_goal_marks_as_one(goal: str) -> None:
    facts = [_typed("Member NPS was 38 in the autumn survey.", "weakness")]
    kr = pair_goal(_typed(goal), facts, "NPS")
    assert kr is not None and (kr.baseline, kr.target) == ("38", "50")


def test_how_far_a_goal_moves_a_metric_is_not_its_baseline() -> None:
    facts = [_typed("Average onboarding takes 11 weeks.", "weakness")]
    kr = pair_goal(_typed("Cut onboarding time by 5 weeks to 6 weeks by Q3."), facts, "X")
    assert kr is not None and kr.baseline == "11 weeks" and kr.target == "6 weeks"

"""Drafts from typed statements, on small documents written here (not the sample company).

Behaviours, not wording: metadata, goals and placeholders never become SWOT items; a stated
target becomes a key result with its baseline; every cited id is in the sources.
"""

from __future__ import annotations

import pytest

from drafting.draft import Draft
from drafting.service import Drafter
from tests.drafting.conftest import SampleKB

WORKSPACE = "TBAKERY01"
SUBJECT = "Emberloaf Bakeries"

BOARD_NOTE = """---
title: Emberloaf board note, November 2026
source: intranet/board/2026-11
---
# Emberloaf board note, November 2026

Last edited by rkowalski on 12 November 2026

## Trading

- Wholesale revenue was EUR 6.2 million this year, up 18% on last year.
- Our rye range won the national craft bakery prize for the second year in a row.
- Average delivery time to cafes is 4 days across our 7 depots.
- Two ovens at the Dunmore plant failed in October and we lost 9 days of production.
- Staff turnover in the night shift reached 31%, the highest in the group.

## Market

- A discount chain opened 40 in-store bakeries in our region and prices loaves 20% below ours.
- Flour prices rose 27% in twelve months because of a poor harvest.
- Cafes in the region report that 58% of their customers now ask for gluten-free bread.
- The city council will fund electric delivery vans for local food producers from 2027.

## Goals for 2027

- Cut average delivery time to cafes to 2 days by Q3 2027.
- Bring night-shift turnover down to 15% by Q4 2027.
- KR: grow wholesale accounts by [N4]%
"""

ABOUT = """# Who we are

Our mission is to put fresh, honest bread on every table in the valley.

## How we behave

**Bake it right.** We never sell a loaf we would not eat ourselves.

**Open doors.** We share how and where our bread is made with anyone who asks.
"""


@pytest.fixture(scope="module")
def bakery(sample_kb: SampleKB) -> SampleKB:
    sample_kb.kb.add_text(WORKSPACE, title="Emberloaf board note", text=BOARD_NOTE)
    sample_kb.kb.add_text(WORKSPACE, title="About Emberloaf", text=ABOUT)
    return sample_kb


@pytest.fixture(scope="module")
def swot(offline_drafter: Drafter, bakery: SampleKB) -> Draft:
    return offline_drafter.draft_swot(WORKSPACE, SUBJECT)


@pytest.fixture(scope="module")
def plan(offline_drafter: Drafter, swot: Draft) -> Draft:
    return offline_drafter.draft_okr(WORKSPACE, SUBJECT, from_swot=swot)


def quadrant_texts(draft: Draft) -> str:
    return " ".join(i.text for s in draft.sections[:4] for i in s.items).lower()


def test_metadata_goals_and_placeholders_never_become_swot_items(swot: Draft) -> None:
    text = quadrant_texts(swot)
    assert text, "the board note holds facts for every quadrant"
    for never in ("last edited", "source:", "intranet", "[n4]", "n4", "by q3 2027", "15%"):
        assert never not in text, never


def test_swot_items_are_whole_sentences_without_markup(swot: Draft) -> None:
    for section in swot.sections[:4]:
        for item in section.items:
            assert item.text[0].isupper() and item.text.endswith((".", "!"))
            assert "**" not in item.text and "](" not in item.text and not item.text.startswith("-")


def test_a_stated_target_becomes_a_key_result_with_its_baseline(plan: Draft) -> None:
    krs = [i for s in plan.sections if s.key.startswith("objective") for i in s.items]
    delivery = [kr for kr in krs if "2 days" in kr.text]
    assert delivery, [kr.text for kr in krs]
    assert "4 days" in delivery[0].text  # the baseline, stated in another sentence
    metrics = plan.section("metrics")
    assert metrics is not None
    assert any("4 days" in m.text and "2 days" in m.text for m in metrics.items)


def test_a_placeholder_is_never_a_target(plan: Draft) -> None:
    assert not any("N4" in item.text for item in plan.items())


def test_mission_and_values_are_found_by_type(plan: Draft) -> None:
    assert plan.mission and "bread on every table" in plan.mission
    values = plan.section("values")
    assert values is not None
    # A value is named by the short bold line before its explanation.
    assert "BAKE IT RIGHT" in {v.label for v in values.items}


def test_every_cited_id_is_in_the_sources(swot: Draft, plan: Draft) -> None:
    for draft in (swot, plan):
        for item in draft.items():
            assert item.sources
            assert set(item.sources) <= set(draft.sources), item.text
            assert not item.unsupported_figures


def test_a_lens_the_knowledge_base_never_mentions_is_said_plainly(
    offline_drafter: Drafter, bakery: SampleKB
) -> None:
    draft = offline_drafter.draft_swot(WORKSPACE, SUBJECT, "blockchain")
    assert draft.notice and "nothing about blockchain" in draft.notice

"""The general drafting rules, on a small knowledge base written here (not the sample company,
not the development or evaluation sets).

Behaviours, not wording: metadata lines, goals (present-tense ones under a vision heading too),
owned plan lines, timeline lines and placeholders never become SWOT items; a measure that fell is never a strength; a stated target becomes a key
result with its baseline, wherever the baseline is written (another document, a CSV row, an
acronym spelled out); priorities never copy an item and cite the items they answer; every cited
id is in `sources`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from drafting.draft import Draft
from drafting.metric_text import unit_of, word_overlap
from drafting.mission_values import mission_of
from drafting.polarity import favourable
from drafting.service import Drafter
from drafting.statement_pool import Pool, Typed, retyped
from drafting.swot_offline import without_connective
from knowledge.minilm import MiniLMEmbeddings
from tests.drafting.conftest import SampleKB

WORKSPACE = "TSPOKES01"
SUBJECT = "Spokeway Cycle Repair"

REVIEW = """---
title: Spokeway quarterly review
prepared_by: ops desk
---
# Spokeway quarterly review, Q3 2026

Written by tmaalouf, 3 November 2026

## How we did

- Repair revenue reached EUR 2.1 million this quarter, up 14% on last year.
- Our mechanics hold more manufacturer certifications than any other repair chain in the city.
- Net promoter score fell to 61 from 74 after the booking change.
- Average turnaround for a full service is 9 days, against 5 days a year ago.
- Two of our five workshops have no trained e-bike battery technician.

## Outside

- Three bike-share operators in the city are looking for a maintenance partner.
- A national retailer now offers free repairs for a year with every bike it sells.
- Spare-part prices from our main supplier rose 22% since January.

## Incident: parts system outage

- 09:40 The parts database stopped accepting orders.
- 11:15 Orders were taken on paper until the database was restored.

## Next quarter

- Cut average turnaround for a full service to 4 days by Q2 2027.
- Train an e-bike battery technician for every workshop — owner: Ines
- Grow fleet contracts by [N4]% — owner: TBD
"""

TARGETS = """# Spokeway targets 2027

- Raise our NPS to 80 by Q4 2027.
- Keep parts stock-outs within 3% of orders — owner: Bruno
- Reach 1,500 members in the repair club by December 2027.

## Vision 2028

- We are the best-rated repair chain in the region, with 40% of the city's service market.
"""

KPIS = """metric,q1,q2,q3
stockout_rate_pct,4.1,5.0,6.2
repair_club_members,820,910,1040
"""


@pytest.fixture(scope="module")
def spokes(sample_kb: SampleKB, tmp_path_factory: pytest.TempPathFactory) -> SampleKB:
    sample_kb.kb.add_text(WORKSPACE, title="Spokeway quarterly review", text=REVIEW)
    sample_kb.kb.add_text(WORKSPACE, title="Spokeway targets 2027", text=TARGETS)
    csv = Path(tmp_path_factory.mktemp("spokes")) / "spokeway_kpis.csv"
    csv.write_text(KPIS)
    sample_kb.kb.add_path(WORKSPACE, csv)
    return sample_kb


@pytest.fixture(scope="module")
def drafts(offline_drafter: Drafter, spokes: SampleKB) -> tuple[Draft, Draft]:
    """The SWOT, and the plan built on it, drafted once for the module."""
    swot = offline_drafter.draft_swot(WORKSPACE, SUBJECT)
    return swot, offline_drafter.draft_okr(WORKSPACE, SUBJECT, from_swot=swot)


def quadrant_items(draft: Draft) -> list[str]:
    return [i.text for s in draft.sections[:4] for i in s.items]


def key_results(plan: Draft) -> list[str]:
    return [i.text for s in plan.sections if s.key.startswith("objective-") for i in s.items]


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def test_metadata_goals_plan_lines_timelines_and_placeholders_are_never_swot_items(
    drafts: tuple[Draft, Draft],
) -> None:
    swot, _ = drafts
    items = " ".join(quadrant_items(swot)).lower()
    assert items, "the review holds facts for the quadrants"
    for never in (
        "ops desk",  # front matter
        "tmaalouf",  # byline
        "to 4 days by q2 2027",  # a goal
        "owner",  # an owned plan line
        "09:40",  # incident mechanics
        "parts database stopped",
        "[n4]",  # a placeholder
        "n4",
        "40% of the city",  # a present-tense goal under a vision heading
    ):
        assert never not in items, never


def test_a_measure_that_fell_is_never_a_strength(drafts: tuple[Draft, Draft]) -> None:
    swot, _ = drafts
    strengths = swot.section("strengths")
    assert strengths is not None
    assert not any("fell to 61" in item.text for item in strengths.items)


def test_a_stated_target_becomes_a_key_result_with_its_baseline(
    drafts: tuple[Draft, Draft],
) -> None:
    krs = key_results(drafts[1])
    turnaround = [kr for kr in krs if "4 days" in kr]
    assert turnaround and "9 days" in turnaround[0], krs


def test_a_baseline_is_found_in_a_csv_row_and_by_an_acronym(
    drafts: tuple[Draft, Draft],
) -> None:
    krs = key_results(drafts[1])
    # "NPS" is spelled out as "net promoter score" where its baseline is stated.
    assert any("80" in kr and "61" in kr for kr in krs), krs
    # A row per metric, a column per quarter: the latest quarter is the baseline.
    assert any("1,500" in kr and "1040" in kr for kr in krs), krs
    # An owned line with a bound ("within 3%") is a target too.
    assert any("3%" in kr and "6.2" in kr for kr in krs), krs


def test_priorities_are_actions_that_cite_the_items_they_answer(
    drafts: tuple[Draft, Draft],
) -> None:
    swot, _ = drafts
    priorities = swot.section("priorities")
    assert priorities is not None and priorities.items
    items = quadrant_items(swot)
    item_sources = {sid for s in swot.sections[:4] for i in s.items for sid in i.sources}
    for priority in priorities.items:
        mine = words(priority.text)
        # Never a quadrant item restated: most of its words are its own.
        assert all(len(mine & words(item)) < 0.7 * len(mine) for item in items), priority.text
        assert set(priority.sources) & item_sources, priority.text


def test_every_cited_id_is_in_the_sources(drafts: tuple[Draft, Draft]) -> None:
    for draft in drafts:
        for item in draft.items():
            assert item.sources, item.text
            assert set(item.sources) <= set(draft.sources), item.text


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("Net sales fell to 3.1 million from 3.8 million.", False),
        ("Complaints dropped by half after the new rota.", True),
        ("Operating costs rose 12% as energy prices climbed.", False),
        ("Membership grew from 400 to 650 over the year.", True),
        ("Bookings were 8% below budget for the quarter.", False),
        ("Its app was rated 2.1 out of 5, the lowest score of any we tested.", False),
        ("Our office moved to the second floor in May.", None),
        # The head of the subject is the measure: a longer sales cycle is bad news.
        ("The quoting cycle for new accounts lengthened to 50 days, from 38 days.", False),
        # A verb that moves an object: the object is the measure, not what the subject names.
        ("The trial with 30 members cut energy costs by 11% over the winter.", True),
        ("Membership was reduced by the rule change.", False),
    ],
)
def test_polarity_reads_the_measure_and_its_movement(sentence: str, verdict: bool | None) -> None:
    assert favourable(sentence) is verdict


def test_units_and_metric_names_compare_as_a_reader_would() -> None:
    # A function word after a value is not its unit: "50 by Q4" and "38 from 46" are both counts.
    assert unit_of("Raise NPS to 50 by Q4 2027.", "50") == unit_of("NPS fell to 38 from 46.", "38")
    assert unit_of("It took 94 days to fill.", "94") != unit_of("Fill roles within 60%.", "60%")
    assert word_overlap({"nps"}, "Net promoter score fell to 38.") == 1.0
    assert word_overlap({"enrolments"}, "We enrolled 40 pupils.") == 1.0
    assert word_overlap({"churn"}, "Revenue grew 9%.") == 0.0


def test_a_mission_the_classifier_missed_is_found_by_what_it_says(minilm: MiniLMEmbeddings) -> None:
    def typed(position: int, text: str, kind: str) -> Typed:
        return Typed("doc#0", "doc", position, text, None, kind, 0.9, np.zeros(384, np.float32))

    pool = Pool(
        [
            typed(0, "We repair about 9,000 bikes a year.", "strength"),
            typed(1, "Our purpose: to keep every bike in the city on the road.", "context"),
        ],
        minilm,
        {},
    )
    found = mission_of(pool)
    assert found is not None and "keep every bike" in found[0]
    pool.statements.pop()
    assert mission_of(pool) is None


@pytest.mark.parametrize(
    ("text", "kind", "becomes"),
    [
        ("Their bookings grew 40% this year, twice as fast as ours.", "strength", "threat"),
        ("Their churn rose to 9%, three times ours.", "strength", "opportunity"),
        ("Our bookings grew 40% this year.", "strength", "strength"),
        ("Keep full control of your data with our hosted plan.", "strength", "context"),
        ("09:40 The parts database stopped accepting orders.", "weakness", "context"),
        ("Keep stock-outs within 3% of orders — owner: Bruno", "action", "goal"),
        ("Train a battery technician for every workshop — owner: Ines", "weakness", "action"),
    ],
)
def test_general_rules_retype_what_one_sentence_cannot_show(
    text: str, kind: str, becomes: str
) -> None:
    statement = Typed("doc#0", "doc", 0, text, None, kind, 0.8, np.zeros(384, np.float32))
    assert retyped(statement).kind == becomes


def test_an_item_drops_the_connective_that_ties_it_to_its_neighbours() -> None:
    assert without_connective("On the other hand, rents rose 12% in two years.").startswith("Rents")
    # A time or place that opens a sentence is content, not a connective.
    kept = "In March, bookings fell 8% against plan."
    assert without_connective(kept) == kept

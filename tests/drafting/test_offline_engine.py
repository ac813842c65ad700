"""The offline engine end to end on the sample company: real knowledge base, real MiniLM."""

from __future__ import annotations

import re

import pytest

from core.retro_sections import SECTIONS
from drafting.draft import SWOT_KEYS, Draft, RetroEntry
from drafting.grounding import extract_figures, figure_keys
from drafting.retro_offline import parse_retro_lines
from drafting.service import Drafter
from tests.drafting.conftest import OTHER_SECRET, SUBJECT, WORKSPACE, SampleKB

LABEL = re.compile(r"^[A-Z][A-Z&/-]*(?: [A-Z][A-Z&/-]*){0,2}$")


@pytest.fixture(scope="module")
def swot(offline_drafter: Drafter) -> Draft:
    return offline_drafter.draft_swot(WORKSPACE, SUBJECT)


@pytest.fixture(scope="module")
def plan(offline_drafter: Drafter, swot: Draft) -> Draft:
    return offline_drafter.draft_okr(WORKSPACE, SUBJECT, from_swot=swot)


def assert_well_formed(draft: Draft, chunks: dict[str, str], user_text: str = "") -> None:
    """Labels readable, every citation resolvable, every figure found in what the item cites."""
    for item in draft.items():
        assert LABEL.match(item.label), item.label
        assert item.text.strip() and not item.text[0].islower(), item.text
        assert item.sources, f"uncited item: {item.text}"
        for sid in item.sources:
            assert sid in draft.sources, sid
            assert sid in chunks or sid.startswith("input:"), sid
        cited = [chunks.get(sid, draft.sources[sid].excerpt) for sid in item.sources]
        supported = figure_keys([*cited, user_text, draft.subject])
        for figure in extract_figures(item.text):
            assert figure.keys & supported, f"{figure.surface} not in sources of: {item.text}"
        assert item.unsupported_figures == []


def test_swot_quadrants_hold_at_most_five_and_say_when_short(swot: Draft) -> None:
    assert swot.kind == "swot" and swot.engine == "offline"
    assert [s.key for s in swot.sections] == list(SWOT_KEYS)
    for section in swot.sections[:4]:
        assert len(section.items) <= 5, section.key
        if len(section.items) < 3:
            assert section.intent and "Your knowledge base names" in section.intent
    priorities = swot.section("priorities")
    assert priorities is not None and 1 <= len(priorities.items) <= 4


def test_swot_items_are_grounded_cited_and_labelled(swot: Draft, sample_kb: SampleKB) -> None:
    assert_well_formed(swot, sample_kb.all_chunks(WORKSPACE))


def test_swot_has_no_duplicates_across_quadrants(swot: Draft) -> None:
    texts = [item.text for s in swot.sections[:4] for item in s.items]
    assert len(texts) == len(set(texts))


def test_priorities_answer_quadrant_items_without_copying_them(swot: Draft) -> None:
    quadrant_sources = {sid for s in swot.sections[:4] for i in s.items for sid in i.sources}
    quadrant_texts = {i.text for s in swot.sections[:4] for i in s.items}
    priorities = swot.section("priorities")
    assert priorities is not None
    for item in priorities.items:
        assert set(item.sources) & quadrant_sources, item.text
        assert item.text not in quadrant_texts
        assert "—" not in item.text  # no "Close the weakness — <item>" templates


def test_retrieval_never_reaches_another_workspace(swot: Draft, plan: Draft) -> None:
    for draft in (swot, plan):
        dumped = draft.model_dump_json()
        assert "Osprey" not in dumped and "73.6" not in dumped
        assert all(not sid.startswith(("input",)) for sid in draft.sources)
    assert "Osprey" in OTHER_SECRET  # the secret exists, just not here


def test_plan_has_objectives_key_results_metrics_and_values(
    plan: Draft, sample_kb: SampleKB
) -> None:
    keys = [s.key for s in plan.sections]
    assert keys[-2:] == ["metrics", "values"]
    objectives = [s for s in plan.sections if s.key.startswith("objective-")]
    assert 1 <= len(objectives) <= 4
    for section in objectives:
        assert section.title and section.intent
        assert len(section.items) <= 4
    metrics = plan.section("metrics")
    assert metrics is not None and metrics.items
    assert all("→" in item.text for item in metrics.items)
    values = plan.section("values")
    assert values is not None and values.items
    assert plan.mission
    assert_well_formed(plan, sample_kb.all_chunks(WORKSPACE))


def test_plan_key_results_are_measurable_and_never_filler(plan: Draft) -> None:
    krs = [i for s in plan.sections if s.key.startswith("objective") for i in s.items]
    for kr in krs:
        assert extract_figures(kr.text), kr.text
        assert "Close the gap" not in kr.text and "Agree one headline" not in kr.text
    assert any(re.search(r"from .+ to .*\d", kr.text) for kr in krs)


def test_plan_objectives_follow_the_swot_priorities(plan: Draft, swot: Draft) -> None:
    priorities = swot.section("priorities")
    assert priorities is not None
    objectives = [s for s in plan.sections if s.key.startswith("objective")]
    assert [s.intent for s in objectives] == [p.text for p in priorities.items][: len(objectives)]


def test_retro_merges_similar_entries_counts_people_and_keeps_owners(
    offline_drafter: Drafter,
) -> None:
    entries = [
        RetroEntry("went_well", "Deploys were smooth all sprint, 46 deploys in one week", "U1"),
        RetroEntry(
            "not_so_well", "Too many pages at night: 14 alerts in one week, mostly noise", "U1"
        ),
        RetroEntry(
            "not_so_well", "On-call was noisy, 14 night pages and hardly any actionable", "U2"
        ),
        RetroEntry("not_so_well", "Night pages again, 14 of them, nearly all noise", "U3"),
        RetroEntry("not_so_well", "The planning meeting ran 40 minutes over", "U2"),
        RetroEntry(None, "We learned that failover drills find problems before customers do", "U3"),
        RetroEntry("action_items", "<@U0OWNER1> tune the paging rules by Friday", "U1"),
        RetroEntry(None, "Write down planning decisions in the channel @U0OWNER2", "U2"),
    ]
    draft = offline_drafter.retro.draft_retro(WORKSPACE, "sprint 42", entries)
    assert [s.key for s in draft.sections] == list(SECTIONS)
    not_well = draft.section("not_so_well")
    # How close a paraphrase must be to merge is tested on sentences of its own
    # (test_retro_merge.py); here: merged entries count their people, distinct ones stay apart.
    assert not_well is not None
    assert not_well.items[0].mentions == len(not_well.items[0].sources) >= 2
    assert [i.mentions for i in not_well.items if "planning" in i.text] == [1]
    learnings = draft.section("learnings")
    assert learnings is not None and len(learnings.items) == 1
    actions = draft.section("action_items")
    assert actions is not None
    assert {i.owner for i in actions.items} == {"U0OWNER1", "U0OWNER2"}
    assert all("@" not in i.text and "<" not in i.text for i in actions.items)
    assert all(not re.search(r"\b3 people\b", i.text) for i in draft.items())  # counts stay out
    assert_well_formed(draft, {}, " ".join(e.text for e in entries))


def test_sample_retro_file_parses_every_prefix() -> None:
    from bot.demo import RETRO_ENTRIES

    entries = parse_retro_lines(RETRO_ENTRIES.read_text(encoding="utf-8"))
    assert {e.section for e in entries} == set(SECTIONS)
    assert all(e.text and e.text[0] not in "+-*!#" for e in entries)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shipping the new billing page on time felt great", "went_well"),
        ("The staging environment was broken for two days", "not_so_well"),
        ("We learned that smaller pull requests get reviewed faster", "learnings"),
        ("Set up a weekly dependency update job", "action_items"),
    ],
)
def test_classify_unprefixed_retro_entries(
    offline_drafter: Drafter, text: str, expected: str
) -> None:
    assert offline_drafter.retro.classify_retro_entry(text) == expected


def test_offline_revise_drops_moves_and_names_what_needs_an_llm(
    offline_drafter: Drafter, swot: Draft
) -> None:
    weaknesses, threats_before = swot.section("weaknesses"), swot.section("threats")
    assert weaknesses is not None and threats_before is not None
    # Quadrants hold only the items the classifier is sure of, so their sizes vary.
    n_weak, n_threats = len(weaknesses.items), len(threats_before.items)
    assert n_weak >= 3 and n_threats >= 1
    dropped = weaknesses.items[2]
    result = offline_drafter.revise(swot, "drop weakness 3", [])
    new_weak = result.draft.section("weaknesses")
    assert new_weak is not None and len(new_weak.items) == n_weak - 1
    assert dropped not in new_weak.items
    assert result.changed and "dropped" in result.note

    moved = offline_drafter.revise(swot, "move threat 1 to weaknesses", [])
    threats, weak = moved.draft.section("threats"), moved.draft.section("weaknesses")
    assert threats is not None and weak is not None
    assert len(threats.items) == n_threats - 1 and len(weak.items) == n_weak + 1

    free = offline_drafter.revise(swot, "make the threats about regulation", [])
    assert not free.changed
    assert (
        "needs a language model" in free.note and "make the threats about regulation" in free.note
    )


def test_offline_regenerate_replaces_one_section_with_fresh_grounded_items(
    offline_drafter: Drafter, swot: Draft, sample_kb: SampleKB
) -> None:
    fresh = offline_drafter.regenerate(swot, "opportunities", workspace_id=WORKSPACE)
    before = swot.section("opportunities")
    after = fresh.section("opportunities")
    assert before is not None and after is not None and after.items
    if after != before:  # the knowledge base had other opportunities to offer
        assert not {i.text for i in after.items} & {i.text for i in swot.items()}
    assert fresh.section("strengths") == swot.section("strengths")
    assert_well_formed(fresh, sample_kb.all_chunks(WORKSPACE))


def test_plan_builds_on_the_saved_swot_for_the_subject(
    offline_drafter: Drafter, swot: Draft, sample_kb: SampleKB
) -> None:
    from core.db import session_scope
    from drafting.store import mark_final, save_version

    trimmed = offline_drafter.revise(swot, "drop the first priority", []).draft
    with session_scope(sample_kb.sessions) as session:
        record = save_version(session=session, workspace_id=WORKSPACE, draft=trimmed)
        mark_final(session=session, draft_id=record.draft_id)
    plan = offline_drafter.draft_okr(WORKSPACE, SUBJECT.upper())
    priorities = trimmed.section("priorities")
    assert priorities is not None and len(priorities.items) == 3
    assert [s.intent for s in plan.sections if s.key.startswith("objective")] == [
        p.text for p in priorities.items
    ]
    assert plan.notice and "saved SWOT" in plan.notice and "final" in plan.notice


def test_empty_knowledge_base_says_what_to_do(offline_drafter: Drafter) -> None:
    swot = offline_drafter.draft_swot("TEMPTY0001", "Anything")
    assert swot.items() == [] and swot.notice and "kb add" in swot.notice
    plan = offline_drafter.draft_okr("TEMPTY0001", "Anything")
    assert plan.notice and "kb add" in plan.notice


def test_offline_regenerate_of_an_objective_brings_different_key_results(
    offline_drafter: Drafter, plan: Draft
) -> None:
    # An objective whose key results came from the knowledge base has alternatives to offer.
    key = next(
        s.key
        for s in plan.sections
        if s.key.startswith("objective") and any(" by Q" in i.text for i in s.items)
    )
    fresh = offline_drafter.regenerate(plan, key, workspace_id=WORKSPACE)
    before, after = plan.section(key), fresh.section(key)
    assert before is not None and after is not None
    assert {i.text for i in after.items} != {i.text for i in before.items}
    untouched = [s for s in plan.sections if s.key != key]
    assert untouched == [s for s in fresh.sections if s.key != key]


def test_offline_revise_adds_a_cited_key_result_from_the_knowledge_base(
    offline_drafter: Drafter, plan: Draft, sample_kb: SampleKB
) -> None:
    result = offline_drafter.revise(plan, "add a key result on hiring", [], workspace_id=WORKSPACE)
    assert result.changed and "added" in result.note
    before = {i.text for i in plan.items()}
    added = [i for i in result.draft.items() if i.text not in before]
    assert len(added) == 1 and added[0].sources
    assert_well_formed(result.draft, sample_kb.all_chunks(WORKSPACE))

    nothing = offline_drafter.revise(
        plan, "add a threat about volcanic ash", [], workspace_id=WORKSPACE
    )
    assert "no threats section" in nothing.note and not nothing.changed


def test_lens_words_do_not_match_inside_words() -> None:
    from drafting.lens import mentions_lens

    assert not mentions_lens("We won against the incumbent, buyers said", "AI")
    assert mentions_lens("The rival launched AI route planning", "AI")
    assert mentions_lens("We have two machine-learning engineers", "AI")


def test_plan_without_a_metrics_table_takes_metrics_from_its_key_results(
    offline_drafter: Drafter, sample_kb: SampleKB
) -> None:
    from bot.demo import SAMPLE_DATA

    workspace = "TNOCSV001"
    for name in ("qbr_q3_2026.md", "hiring_plan_2027.md", "engineering_metrics_q3_2026.md"):
        sample_kb.kb.add_path(workspace, SAMPLE_DATA / name)
    plan = offline_drafter.draft_okr(workspace, SUBJECT)
    metrics = plan.section("metrics")
    assert metrics is not None and len(metrics.items) >= 1
    assert all("→" in item.text and item.sources for item in metrics.items)
    assert_well_formed(plan, sample_kb.all_chunks(workspace))


def test_retro_labels_read_well_and_paraphrases_merge(offline_drafter: Drafter) -> None:
    entries = parse_retro_lines(
        "- Code reviews sat for 3 days on average\n"
        "- Reviews were slow, PRs waited days for a reviewer\n"
        "Docs for the billing API are out of date\n"
        "+ The offsite in Porto was fantastic\n"
    )
    draft = offline_drafter.retro.draft_retro(WORKSPACE, "sprint", entries)
    not_well = draft.section("not_so_well")
    assert not_well is not None
    assert [i.label for i in not_well.items if i.label != "CODE REVIEW"] == ["DOCUMENTATION"]
    for item in draft.items():
        assert LABEL.match(item.label)


def test_retro_drafts_never_name_who_wrote_what(offline_drafter: Drafter) -> None:
    entries = [
        RetroEntry("not_so_well", "Deploy pipeline was flaky all week", "U0SECRET1"),
        RetroEntry("not_so_well", "The deploy pipeline kept flaking this week", "U0SECRET2"),
    ]
    draft = offline_drafter.retro.draft_retro(WORKSPACE, "sprint", entries)
    dumped = draft.model_dump_json()
    assert "U0SECRET" not in dumped
    not_well = draft.section("not_so_well")
    assert not_well is not None and not_well.items[0].mentions == 2

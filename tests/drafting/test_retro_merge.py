"""Retro entries that make the same point merge by meaning; different points stay apart."""

from __future__ import annotations

import pytest

from drafting.draft import Draft, RetroEntry
from drafting.retro_offline import draft_retro_offline
from drafting.vectors import CachedEmbedder
from knowledge.minilm import MiniLMEmbeddings


@pytest.fixture(scope="module")
def embedder(minilm: MiniLMEmbeddings) -> CachedEmbedder:
    return CachedEmbedder(minilm)


def items(draft: Draft, key: str) -> list[tuple[str, int | None, int]]:
    section = draft.section(key)
    assert section is not None
    return [(i.text, i.mentions, len(i.sources)) for i in section.items]


def test_a_paraphrase_with_no_word_in_common_merges_and_counts_both_authors(
    embedder: CachedEmbedder,
) -> None:
    entries = [
        RetroEntry("not_so_well", "CPU alerting was completely absent", "U1"),
        RetroEntry("not_so_well", "The release train left on time every Tuesday", "U2"),
        RetroEntry("not_so_well", "No CPU alerts existed", "U2"),
    ]
    draft = draft_retro_offline(embedder, "incident review", entries)
    merged = [i for i in draft.items() if "CPU" in i.text]
    assert len(merged) == 1 and merged[0].mentions == 2 and len(merged[0].sources) == 2
    assert set(merged[0].sources) <= set(draft.sources)


def test_the_same_point_filed_under_two_sections_becomes_one_item(
    embedder: CachedEmbedder,
) -> None:
    entries = [
        RetroEntry("not_so_well", "CPU alerting was completely absent", "U1"),
        RetroEntry("learnings", "No CPU alerts existed", "U2"),
        RetroEntry("not_so_well", "The search index rebuild took the whole weekend", "U3"),
    ]
    draft = draft_retro_offline(embedder, "incident review", entries)
    assert [t for t, _, _ in items(draft, "learnings")] == []
    cpu = [row for row in items(draft, "not_so_well") if "CPU" in row[0]]
    assert [(m, n) for _, m, n in cpu] == [(2, 2)]


def test_different_points_about_the_same_thing_stay_apart(embedder: CachedEmbedder) -> None:
    entries = [
        RetroEntry("not_so_well", "The search index rebuild took the whole weekend", "U1"),
        RetroEntry("not_so_well", "Nobody could tell which search index version was live", "U2"),
        RetroEntry("not_so_well", "Failover to the standby region took 12 minutes", "U1"),
        RetroEntry("not_so_well", "Failover to the standby region took 40 minutes", "U3"),
        RetroEntry("not_so_well", "Invoices went out with the wrong tax rate", "U2"),
        RetroEntry("not_so_well", "Invoice emails landed in spam folders", "U3"),
    ]
    draft = draft_retro_offline(embedder, "sprint", entries)
    assert all(mentions == 1 for _, mentions, _ in items(draft, "not_so_well"))
    assert len(items(draft, "not_so_well")) == 6


def test_an_action_never_merges_with_the_problem_it_answers(embedder: CachedEmbedder) -> None:
    entries = [
        RetroEntry("not_so_well", "No CPU alerts existed", "U1"),
        RetroEntry("action_items", "Add CPU alerts on every service", "U2"),
    ]
    draft = draft_retro_offline(embedder, "incident review", entries)
    assert len(items(draft, "not_so_well")) == 1 and len(items(draft, "action_items")) == 1

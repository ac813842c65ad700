"""Runs several workspace-scoped searches and turns the chunks found into candidate facts."""

from __future__ import annotations

from dataclasses import dataclass, field

from drafting.facts import Fact, chunk_facts, normalised
from drafting.retriever import Retriever
from knowledge.types import Hit


@dataclass
class Found:
    hit: Hit
    rank: int
    via: set[str] = field(default_factory=set)  # section keys whose queries found it


def search_all(
    retriever: Retriever, workspace_id: str, queries: list[tuple[str | None, str]], k: int
) -> dict[str, Found]:
    """Each chunk once, with its best rank and which sections' queries returned it."""
    found: dict[str, Found] = {}
    for section_key, query in queries:
        for rank, hit in enumerate(retriever.search(workspace_id, query, k=k)):
            entry = found.setdefault(hit.source_id, Found(hit, rank))
            entry.rank = min(entry.rank, rank)
            if section_key:
                entry.via.add(section_key)
    return found


def facts_of(found: dict[str, Found], limit: int) -> list[tuple[Fact, set[str]]]:
    """Distinct facts from the chunks, best-ranked chunks first, at most `limit`."""
    seen: set[str] = set()
    facts: list[tuple[Fact, set[str]]] = []
    for entry in sorted(found.values(), key=lambda e: e.rank):
        for fact in chunk_facts(entry.hit, entry.rank):
            key = normalised(fact.text)
            if key in seen:
                continue
            seen.add(key)
            facts.append((fact, entry.via))
    return facts[:limit]

"""Retro synthesis without a generative model: sort entries, merge the similar, count and keep owners."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from core.retro_sections import SECTIONS as RETRO_SECTIONS
from core.retro_sections import parse_prefixed_entry
from drafting.draft import (
    OFFLINE_ENGINE,
    SECTION_TITLES,
    Draft,
    Item,
    RetroEntry,
    Section,
)
from drafting.facts import as_sentence
from drafting.grounding import check_draft, extract_figures
from drafting.labels import label_for
from drafting.sections import RETRO_SPECS, count_cues
from drafting.sourcebook import SourceBook
from drafting.vectors import CachedEmbedder, cosine

# Entries this close in meaning (MiniLM cosine) make the same point. Chosen on pairs written for
# it (bench/retro_merge.py prints the table): 0.74 is the lowest threshold that merged none of
# 36 different-point pairs from the same area ("Rollback took 45 minutes" / "The rollback was
# triggered by a bad migration", up to 0.70) while merging 28 of 36 paraphrases; a held-out set
# of 10 + 10 pairs gives 7 of 10 merged, 1 of 10 wrongly. Shared words were no help: different
# points about the same thing share them ("the staging database ran out of disk" / "... was
# upgraded", 0.62), and so does a shared figure ("failed 5 nights" / "finishes in 5 minutes").
SAME_POINT = 0.74
# The same point filed under two sections ("not so well" and "learnings") merges only when it is
# unmistakably the same: 0.85 clears every different-point pair above by more than 0.1.
SAME_POINT_ACROSS_SECTIONS = 0.85
_OWNER = re.compile(r"<?@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?")
_IMPERATIVE = re.compile(
    r"^(?:add|automate|book|build|create|document|fix|introduce|move|plan|review|run|schedule|"
    r"set up|share|start|stop|tune|update|write|agree|assign|check|clean up|follow up|make)\b",
    re.IGNORECASE,
)


def owner_and_text(text: str) -> tuple[str | None, str]:
    """A Slack user mention becomes the owner; the sentence reads without it."""
    match = _OWNER.search(text)
    owner = match.group(1) if match else None
    cleaned = _OWNER.sub("", text)
    cleaned = re.sub(r"\s{2,}", " ", cleaned).strip(" ,;:-—")
    return owner, cleaned


def classify_by_cues(text: str) -> dict[str, float]:
    scores = {spec.key: float(count_cues(text, spec.cues)) for spec in RETRO_SPECS}
    if _IMPERATIVE.match(text.strip()):
        scores["action_items"] += 1.5
    elif _OWNER.search(text) and not any(scores.values()):
        scores["action_items"] += (
            1.0  # a bare mention may be kudos, so only when nothing else speaks
        )
    return scores


def classify_entry(text: str, embedder: CachedEmbedder | None) -> str:
    """went_well, not_so_well, learnings or action_items, by cue words then meaning."""
    scores = classify_by_cues(text)
    top = sorted(scores.values(), reverse=True)
    if embedder is not None and top[0] - top[1] < 1:
        # Cue words tie or say nothing: meaning decides, weighted to break ties, not to overrule.
        vectors = embedder.embed([text, *(spec.description for spec in RETRO_SPECS)])
        similarity = cosine(vectors[:1], vectors[1:])[0]
        for j, spec in enumerate(RETRO_SPECS):
            scores[spec.key] += 0.9 * float(similarity[j])
    best = max(scores.values())
    if best <= 0:
        return "learnings"  # no signal at all: an observation, the least presumptuous place
    return next(key for key in RETRO_SECTIONS if scores[key] == best)


@dataclass
class Cluster:
    entries: list[tuple[int, RetroEntry, str]] = field(
        default_factory=list
    )  # (input no, entry with its section, text)
    vectors: list[np.ndarray] = field(default_factory=list)

    @property
    def mentions(self) -> int:
        authors = {entry.author for _, entry, _ in self.entries if entry.author}
        anonymous = sum(1 for _, entry, _ in self.entries if not entry.author)
        return len(authors) + anonymous

    @property
    def section(self) -> str:
        """Where most of its writers put it; on a tie, where it was first put."""
        keys = [str(entry.section) for _, entry, _ in self.entries]
        return max(dict.fromkeys(keys), key=keys.count)


def _merge(
    entries: list[tuple[int, RetroEntry, str]], embedder: CachedEmbedder | None
) -> list[Cluster]:
    """Group entries that make the same point, whichever sections they were written under."""
    if not entries:
        return []
    vectors = embedder.embed([text for _, _, text in entries]) if embedder is not None else None
    clusters: list[Cluster] = []
    for position, (number, entry, text) in enumerate(entries):
        vector = vectors[position] if vectors is not None else None
        home = next(
            (
                cluster
                for cluster in clusters
                if any(
                    _same_point(entry, text, vector, other, other_text, other_vector)
                    for (_, other, other_text), other_vector in zip(
                        cluster.entries,
                        _vectors_of(cluster),
                        strict=True,
                    )
                )
            ),
            None,
        )
        if home is None:
            home = Cluster()
            clusters.append(home)
        home.entries.append((number, entry, text))
        if vector is not None:
            home.vectors.append(vector)
    return clusters


def _vectors_of(cluster: Cluster) -> list[np.ndarray | None]:
    """One vector per entry, or None each when there is no embedding model."""
    return list(cluster.vectors) if cluster.vectors else [None] * len(cluster.entries)


def _same_point(
    a: RetroEntry,
    a_text: str,
    a_vector: np.ndarray | None,
    b: RetroEntry,
    b_text: str,
    b_vector: np.ndarray | None,
) -> bool:
    if a.section != b.section and "action_items" in (a.section, b.section):
        return False  # a thing to do is never the same item as the problem it answers
    if _figures_differ(a_text, b_text):
        return False  # "rollback took 45 minutes" and "... 20 minutes" are two events
    if a_vector is None or b_vector is None:
        return a.section == b.section and _same_words(a_text, b_text)
    threshold = SAME_POINT if a.section == b.section else SAME_POINT_ACROSS_SECTIONS
    return float(a_vector @ b_vector) >= threshold


def _figures_differ(a: str, b: str) -> bool:
    keys_a = {key for figure in extract_figures(a) for key in figure.keys}
    keys_b = {key for figure in extract_figures(b) for key in figure.keys}
    return bool(keys_a and keys_b and not keys_a & keys_b)


def _same_words(a: str, b: str) -> bool:
    wa, wb = set(re.findall(r"[a-z0-9]+", a.lower())), set(re.findall(r"[a-z0-9]+", b.lower()))
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.6


def _representative(cluster: Cluster) -> tuple[int, RetroEntry, str]:
    """The entry that says it best: the one with figures, else the most complete."""
    return max(
        cluster.entries,
        key=lambda e: (bool(re.search(r"\d", e[2])), min(len(e[2]), 160), -e[0]),
    )


def draft_retro_offline(
    embedder: CachedEmbedder | None, subject: str, entries: list[RetroEntry]
) -> Draft:
    book = SourceBook()
    written: list[tuple[int, RetroEntry, str]] = []
    for entry in entries:
        _owner, text = owner_and_text(entry.text)
        if not text:
            continue
        key = entry.section if entry.section in RETRO_SECTIONS else classify_entry(text, embedder)
        # Who wrote what stays out of the draft: it is shown in Slack and exported, and a count
        # of people is all the summary needs.
        source_id = book.add_input(entry.text, f"Retro entry ({SECTION_TITLES[key]})")
        number = int(source_id.split(":")[1])
        written.append((number, RetroEntry(key, entry.text, entry.author), text))

    clusters = _merge(written, embedder)
    clusters.sort(key=lambda c: (-c.mentions, c.entries[0][0]))
    sections = []
    for key in RETRO_SECTIONS:
        items = []
        for cluster in (c for c in clusters if c.section == key):
            number, entry, text = _representative(cluster)
            owners = [o for _, e, _ in cluster.entries if (o := owner_and_text(e.text)[0])]
            items.append(
                Item(
                    label=label_for(text),
                    text=as_sentence(text),
                    sources=[f"input:{n}" for n, _, _ in cluster.entries],
                    mentions=cluster.mentions,
                    owner=owners[0] if key == "action_items" and owners else None,
                )
            )
        sections.append(Section(key=key, title=SECTION_TITLES[key], items=items))
    cited = {sid for section in sections for item in section.items for sid in item.sources}
    draft = Draft(
        kind="retro",
        subject=subject,
        engine=OFFLINE_ENGINE,
        sections=sections,
        sources=book.cited(cited),
    )
    return check_draft(draft, book.texts)


def parse_retro_lines(text: str) -> list[RetroEntry]:
    """One entry per line: `+` went well, `-` not so well, `*` learning, `!` action, else unsorted.

    A leading `[name]` or `name:` is not parsed as an author: people write colons in sentences.
    """
    entries = []
    for raw in text.splitlines():
        if raw.strip().startswith("#"):
            continue
        section, body = parse_prefixed_entry(raw)
        if body:
            entries.append(RetroEntry(section, body, None))
    return entries

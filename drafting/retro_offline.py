"""Retro synthesis without a generative model: sort entries, merge the similar, count and keep owners."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from drafting.facts import as_sentence
from drafting.grounding import check_draft
from drafting.labels import label_for
from drafting.draft import (
    OFFLINE_ENGINE,
    RETRO_KEYS,
    SECTION_TITLES,
    Draft,
    Item,
    RetroEntry,
    Section,
)
from drafting.sections import RETRO_SPECS, count_cues
from drafting.sourcebook import SourceBook
from drafting.vectors import CachedEmbedder, cosine

# Entries this close in meaning say the same thing (MiniLM cosine, checked on paraphrase pairs);
# a little less close still counts when they also share a figure or a telling word.
SAME_POINT = 0.75
SAME_POINT_WITH_SHARED_WORDS = 0.5
_STOP = {
    "days",
    "hours",
    "weeks",
    "this",
    "that",
    "with",
    "were",
    "have",
    "from",
    "they",
    "them",
    "again",
    "most",
    "week",
    "sprint",
    "some",
    "been",
    "into",
    "than",
    "then",
    "when",
    "what",
    "about",
}
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
    return next(key for key in RETRO_KEYS if scores[key] == best)


@dataclass
class Cluster:
    entries: list[tuple[int, RetroEntry, str]] = field(
        default_factory=list
    )  # (input no, entry, text)
    vectors: list[np.ndarray] = field(default_factory=list)

    @property
    def mentions(self) -> int:
        authors = {entry.author for _, entry, _ in self.entries if entry.author}
        anonymous = sum(1 for _, entry, _ in self.entries if not entry.author)
        return len(authors) + anonymous


def _merge(
    section_entries: list[tuple[int, RetroEntry, str]], embedder: CachedEmbedder | None
) -> list[Cluster]:
    if not section_entries:
        return []
    vectors = (
        embedder.embed([text for _, _, text in section_entries]) if embedder is not None else None
    )
    clusters: list[Cluster] = []
    for position, (number, entry, text) in enumerate(section_entries):
        vector = vectors[position] if vectors is not None else None
        home = None
        for cluster in clusters:
            if vector is not None and cluster.vectors:
                if any(
                    _same_point(float(vector @ v), text, other)
                    for v, (_, _, other) in zip(cluster.vectors, cluster.entries, strict=True)
                ):
                    home = cluster
                    break
            elif any(_same_words(text, other) for _, _, other in cluster.entries):
                home = cluster
                break
        if home is None:
            home = Cluster()
            clusters.append(home)
        home.entries.append((number, entry, text))
        if vector is not None:
            home.vectors.append(vector)
    return clusters


def _telling_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}|\d+(?:\.\d+)?", text.lower()) if w not in _STOP}


def _same_point(similarity: float, a: str, b: str) -> bool:
    if similarity >= SAME_POINT:
        return True
    return similarity >= SAME_POINT_WITH_SHARED_WORDS and bool(
        _telling_words(a) & _telling_words(b)
    )


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
    by_section: dict[str, list[tuple[int, RetroEntry, str]]] = {key: [] for key in RETRO_KEYS}
    for entry in entries:
        _owner, text = owner_and_text(entry.text)
        if not text:
            continue
        key = entry.section if entry.section in RETRO_KEYS else classify_entry(text, embedder)
        # Who wrote what stays out of the draft: it is shown in Slack and exported, and a count
        # of people is all the summary needs.
        source_id = book.add_input(entry.text, f"Retro entry ({SECTION_TITLES[key]})")
        number = int(source_id.split(":")[1])
        by_section[key].append((number, RetroEntry(key, entry.text, entry.author), text))

    sections = []
    for key in RETRO_KEYS:
        items = []
        clusters = _merge(by_section[key], embedder)
        clusters.sort(key=lambda c: (-c.mentions, c.entries[0][0]))
        for cluster in clusters:
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
    prefixes = {"+": "went_well", "-": "not_so_well", "*": "learnings", "!": "action_items"}
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = prefixes.get(line[0])
        if section:
            line = line[1:].strip()
        if line:
            entries.append(RetroEntry(section, line, None))
    return entries

"""The offline SWOT: retrieve per quadrant, sort facts by meaning and cue words, rank, label."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from drafting.facts import Fact, as_sentence, lower_first, normalised
from drafting.gather import facts_of, search_all
from drafting.grounding import check_draft, extract_figures
from drafting.labels import label_for, project_names
from drafting.lens import lens_query, mentions_lens
from drafting.draft import OFFLINE_ENGINE, SECTION_TITLES, Draft, Item, Section
from drafting.retriever import Retriever
from drafting.sections import SWOT_SPECS, count_cues, polarity_shift
from drafting.sourcebook import SourceBook
from drafting.vectors import CachedEmbedder, cosine

QUADRANTS = tuple(spec.key for spec in SWOT_SPECS)
SEARCH_K = 8
MAX_FACTS = 200
# Embedding is the slow step (MiniLM on CPU); 25 facts per section is plenty to choose 5 from.
MAX_EMBEDDED = 100
NEAR_DUPLICATE = 0.9

# The priority verb follows from where its evidence sits.
PRIORITY_LEADS = {
    "weaknesses": "Close the weakness",
    "threats": "Counter the threat",
    "opportunities": "Seize the opportunity",
    "strengths": "Build on the strength",
}
PRIORITY_ORDER = ("weaknesses", "threats", "opportunities", "strengths")


@dataclass
class Scored:
    fact: Fact
    section: str
    quality: float
    vector: np.ndarray
    label: str


_GOAL_HEADING = re.compile(r"\b(targets?|goals?|objectives?|okrs?)\b", re.IGNORECASE)
_GOAL_TEXT = re.compile(
    r"^(?:(?:the\s+)?[\w -]{0,40}targets?\b|reduce|cut|raise|increase|hire|complete|ship)|"
    r"\bfrom\s+\S+\s+to\s+\S+\s+by\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"^(?:it|this|that|these|those|they|there|the outage|the incident)\b", re.IGNORECASE
)
_RECORD_ROW = re.compile(r"^[\w ]{1,30}:\s*[^;]+;\s*[\w ]{1,30}:")


def is_goal(fact: Fact) -> bool:
    return bool(_GOAL_HEADING.search(fact.heading or "") or _GOAL_TEXT.search(fact.text))


def is_record_row(text: str) -> bool:
    """A table or CSV row rendered as "column: value; column: value"."""
    return bool(_RECORD_ROW.match(text))


def topic_of(subject: str, lens: str | None) -> str:
    return f"{subject} {lens}".strip() if lens else subject


def score_facts(
    facts: list[tuple[Fact, set[str]]], embedder: CachedEmbedder, subject: str, lens: str | None
) -> list[Scored]:
    """Pick each fact's quadrant and how strongly it belongs in the draft."""
    projects = project_names([fact.hit.text for fact, _ in facts])
    # Filter on words before embedding: embedding is the slow step, and a fact with no word
    # saying good, bad, chance or risk is a description, not a SWOT line (unless it is about the
    # lens); a target is where we want to be, not where we are (plans use those).
    kept: list[tuple[Fact, set[str], list[int]]] = []
    for fact, via in facts:
        cue_counts = [count_cues(fact.text, spec.cues) for spec in SWOT_SPECS]
        on_lens = bool(lens) and mentions_lens(fact.text, lens or "")
        if (any(cue_counts) or on_lens) and not is_goal(fact):
            kept.append((fact, via, cue_counts))
    if not kept:
        return []
    if len(kept) > MAX_EMBEDDED:
        # Cheap signals first (a figure, signal words, a well-ranked chunk), so only the likely
        # contenders pay for an embedding.
        kept.sort(key=lambda k: (k[0].has_figure, min(sum(k[2]), 3), -k[0].rank), reverse=True)
        kept = kept[:MAX_EMBEDDED]
    fact_vectors = embedder.embed([fact.text for fact, _, _ in kept])
    section_vectors = embedder.embed([spec.description for spec in SWOT_SPECS])
    topic_vector = embedder.embed([topic_of(subject, lens)])
    lens_vector = embedder.embed([lens_query(lens)]) if lens else None
    by_section = cosine(fact_vectors, section_vectors)
    by_topic = cosine(fact_vectors, topic_vector)[:, 0]
    by_lens = cosine(fact_vectors, lens_vector)[:, 0] if lens_vector is not None else None

    scored: list[Scored] = []
    for index, (fact, via, cue_counts) in enumerate(kept):
        has_figure = fact.has_figure
        # A sentence that leans on the one before it ("It", "This") reads badly on its own.
        dangling = 0.15 if _DANGLING.match(fact.text) else 0.0
        shift = polarity_shift(fact.text)
        context = f"{fact.hit.title} {fact.heading or ''}".lower()
        about_competitors = bool(re.search(r"competit|rival", context))
        scores = []
        for j, spec in enumerate(SWOT_SPECS):
            score = float(by_section[index, j]) + 0.12 * min(cue_counts[j], 3)
            score += 0.04 if spec.key in via else 0.0
            score += 0.3 if shift == spec.key else 0.0
            # What a competitor does is outside our control: a threat unless it opens a door.
            score += 0.15 if spec.key == "threats" and about_competitors else 0.0
            scores.append(score)
        order = sorted(range(len(scores)), key=lambda j: scores[j], reverse=True)
        best, second = order[0], order[1]
        quality = (
            0.5 * float(by_topic[index])
            + 0.05 * min(len(extract_figures(fact.text)), 3)
            - (0.2 if is_record_row(fact.text) else 0.0)
            - dangling
            + (0.25 if has_figure else 0.0)
            + 0.05 * min(cue_counts[best], 2)
            + 0.15 / (1 + fact.rank)
            + 0.5 * (scores[best] - scores[second])
        )
        if lens and by_lens is not None:
            # With a lens, facts about it lead; others only fill what the lens cannot.
            on_lens = mentions_lens(fact.text, lens)
            quality += 0.5 * float(by_lens[index]) + (0.6 if on_lens else 0.0)
        scored.append(
            Scored(
                fact,
                SWOT_SPECS[best].key,
                quality,
                fact_vectors[index],
                label_for(fact.text, fact.heading, lens, title=fact.hit.title, projects=projects),
            )
        )
    return scored


def select(
    scored: list[Scored], per_section: int, exclude: set[str] | None = None
) -> dict[str, list[Scored]]:
    """Best facts per quadrant: no near-duplicates anywhere, one label each before repeats."""
    chosen: dict[str, list[Scored]] = {key: [] for key in QUADRANTS}
    taken: list[np.ndarray] = []
    excluded = exclude or set()
    ranked = sorted(scored, key=lambda s: s.quality, reverse=True)
    for allow_repeat_labels in (False, True):
        for candidate in ranked:
            bucket = chosen[candidate.section]
            if len(bucket) >= per_section or any(c is candidate for c in bucket):
                continue
            if normalised(as_sentence(candidate.fact.text)) in excluded:
                continue
            if not allow_repeat_labels and any(c.label == candidate.label for c in bucket):
                continue
            if any(float(candidate.vector @ v) >= NEAR_DUPLICATE for v in taken):
                continue
            bucket.append(candidate)
            taken.append(candidate.vector)
    for bucket in chosen.values():
        bucket.sort(key=lambda s: s.quality, reverse=True)
    return chosen


def _item(scored: Scored) -> Item:
    return Item(
        label=scored.label, text=as_sentence(scored.fact.text), sources=[scored.fact.source_id]
    )


def priorities_from(
    sections: dict[str, list[Item]], count: int, texts: dict[str, str] | None = None
) -> list[Item]:
    """Priorities follow from the quadrants: the areas with the most at stake, problems first."""
    weight = {"weaknesses": 1.0, "threats": 0.9, "opportunities": 0.8, "strengths": 0.4}
    # An area's strongest single item counts most, so the top weakness is never outranked by
    # an area that merely recurs; recurrence across quadrants still adds weight.
    scores: dict[str, list[float]] = {}
    basis: dict[str, tuple[str, Item]] = {}
    for key in PRIORITY_ORDER:
        for position, item in enumerate(sections.get(key, [])):
            scores.setdefault(item.label, []).append(weight[key] / (1 + 0.3 * position))
            basis.setdefault(item.label, (key, item))
    area_score = {
        label: max(values) + 0.3 * (sum(values) - max(values)) for label, values in scores.items()
    }
    actionable = [label for label in area_score if basis[label][0] != "strengths"]
    ranked = sorted(actionable, key=lambda label: area_score[label], reverse=True)
    if len(ranked) < count:
        ranked += sorted(
            (label for label in area_score if label not in ranked),
            key=lambda label: area_score[label],
            reverse=True,
        )
    priorities = []
    for label in ranked[:count]:
        key, item = basis[label]
        context = " ".join((texts or {}).get(sid, "") for sid in item.sources)
        evidence = lower_first(item.text, context)
        text = f"{PRIORITY_LEADS[key]} — {evidence}"
        priorities.append(Item(label=label, text=text, sources=list(item.sources)))
    return priorities


def draft_swot_offline(
    retriever: Retriever,
    embedder: CachedEmbedder,
    workspace_id: str,
    subject: str,
    lens: str | None,
    *,
    per_section: int = 5,
    priorities: int = 4,
    exclude: set[str] | None = None,
) -> Draft:
    topic = topic_of(subject, lens)
    queries: list[tuple[str | None, str]] = [(None, topic)]
    queries += [
        (spec.key, query.format(topic=topic)) for spec in SWOT_SPECS for query in spec.queries
    ]
    if lens:
        queries += [(None, f"{subject} {lens_query(lens)}"), (None, lens_query(lens))]
    found = search_all(retriever, workspace_id, queries, SEARCH_K)
    scored = score_facts(facts_of(found, MAX_FACTS), embedder, subject, lens)
    chosen = select(scored, per_section, exclude)

    book = SourceBook()
    for entry in found.values():
        book.add_hit(entry.hit)
    quadrant_items = {key: [_item(s) for s in chosen[key]] for key in QUADRANTS}
    sections = [
        Section(key=key, title=SECTION_TITLES[key], items=quadrant_items[key]) for key in QUADRANTS
    ]
    sections.append(
        Section(
            key="priorities",
            title=SECTION_TITLES["priorities"],
            intent="What to do first, following from the four quadrants above.",
            items=priorities_from(quadrant_items, priorities, book.texts),
        )
    )
    cited = {sid for section in sections for item in section.items for sid in item.sources}
    draft = Draft(
        kind="swot",
        subject=subject,
        lens=lens,
        engine=OFFLINE_ENGINE,
        sections=sections,
        sources=book.cited(cited),
    )
    return check_draft(draft, book.texts)

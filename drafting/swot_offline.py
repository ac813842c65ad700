"""The offline SWOT: the knowledge base's typed facts, ranked by subject and lens, then priorities.

Quadrants hold only statements typed strength, weakness, opportunity or threat at ingestion;
goals, actions, context and noise never become items. Fewer than three in a quadrant is said
plainly instead of filled with a misfit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from drafting.draft import OFFLINE_ENGINE, SECTION_TITLES, Draft, Item, Section
from drafting.facts import normalised
from drafting.grounding import check_draft, extract_figures
from drafting.labels import FUNCTION_WORDS, label_for, project_names
from drafting.metric_text import metric_label
from drafting.parties import party, subject_phrase
from drafting.polarity import BAD_WHEN_UP, GOOD_WHEN_UP, favourable, polarity_shift
from drafting.priorities import Evidence, draft_priorities
from drafting.retriever import Retriever
from drafting.statement_pool import Pool, Typed, load_pool, relevance, source_book
from drafting.vectors import CachedEmbedder
from knowledge.statements import display_text

QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats")
KIND_OF = {
    "strengths": "strength",
    "weaknesses": "weakness",
    "opportunities": "opportunity",
    "threats": "threat",
}
MIN_PER_QUADRANT = 3
# Past the first MIN_PER_QUADRANT items of a quadrant, an item must be one the classifier is
# sure of: on held-out documents its predictions at 0.8 or above are right about nine times in
# ten, those between 0.5 and 0.7 about six in ten. A quadrant of three sure items reads better
# than five with two misfits; the draft says when a quadrant has fewer than three.
SURE_EXTRA = 0.8
NEAR_DUPLICATE = 0.9
_RECORD_ROW = re.compile(r"^[\w ()/-]{1,40}:\s*[^;]+;\s*[\w ()/-]{1,40}:")
# Openers that lean on the sentence before ("This meant...", "That said,..."). An "it" that
# only stands in for what follows ("It took 58 days to fill a vacancy") refers to nothing
# before it.
_DANGLING = re.compile(
    r"^(?:this|that|these|those|it(?!\s+(?:took|takes|cost|costs|needs|needed)\b)|they|such|"
    r"so|also|but|and|however|then|here|both|put differently|that said|in short|as a result|"
    r"for example)\b",
    re.IGNORECASE,
)
MIN_WORDS, MAX_WORDS = 5, 60


@dataclass
class Candidate:
    statement: Typed
    quadrant: str
    score: float


# Words a leading connective ("On the other side,", "In addition,") is made of, besides
# function words: it links the sentence to its neighbours and says nothing on its own.
_CONNECTIVE_WORDS = FUNCTION_WORDS | {
    "side",
    "hand",
    "addition",
    "contrast",
    "result",
    "meantime",
    "meanwhile",
    "overall",
    "short",
    "sum",
    "particular",
    "general",
    "fact",
    "turn",
    "additionally",
    "moreover",
    "furthermore",
    "similarly",
    "likewise",
    "conversely",
    # "At the same time, ...": otherwise "time" reads as the measure a sentence is about.
    "same",
    "time",
}


def without_connective(text: str) -> str:
    """An item without the connective it opens with, so it reads alone."""
    head, comma, rest = text.partition(", ")
    words = head.lower().split()
    if not comma or not 1 <= len(words) <= 5 or not set(words) <= _CONNECTIVE_WORDS:
        return text
    rest = rest.strip()
    return rest[:1].upper() + rest[1:] if len(rest.split()) >= MIN_WORDS else text


# "Average revenue per member was €52 a month": a level stated with nothing to judge it by.
# Whether 52 is good needs a reference the sentence does not give (a change, a plan, a peer, a
# judging word), so the reader cannot tell a strength from a weakness; the documents' authors
# file such lines as background. They still serve as baselines for key results.
_LEVEL = re.compile(
    r"^[^,;]{3,80}?\s+(?:was|were|is|are|averages?|averaged|stood at|stands at|came to|"
    r"totall?ed)\s+(?:about\s+|around\s+|roughly\s+)?[$€£]?\d",
    re.I,
)
_JUDGED = re.compile(
    r"\b(?:than|up|down|against|targets?|plan|budget|forecast|best|worst|highest|lowest|"
    r"record|only|below|above|behind|ahead|compared|versus|vs|rose|fell|grew|dropped|since|"
    r"still|already|again|industry|national|regional|rivals?|peers?|competitors?|doubled|"
    r"halved|first|more|less|fewer|better|worse|top|bottom|ranked|short|over|under|despite|"
    r"because|but|while|too|no|not|never|without)\b(?!-)",
    re.I,
)


# "from 452": a past value to judge by. "from collection to return" only says what is measured.
_FROM_VALUE = re.compile(r"\bfrom\s+\D{0,3}\d", re.I)


def bare_level(text: str) -> bool:
    """A metric's level with no change, reference or judgement in the sentence."""
    level = _LEVEL.match(text)
    if level is None or _JUDGED.search(text) or _FROM_VALUE.search(text):
        return False
    # What follows the value may say its unit and period ("a month", "out of 100"); a clause
    # after it ("held back by ...") is the judgement.
    # The match ends at the value's first digit; the rest of the value is not a word after it.
    after = text[level.end() :].lstrip("0123456789.,%")
    return "," not in after and len(after.split()) <= 5


def is_record_row(text: str) -> bool:
    """A table or CSV row rendered as "column: value; column: value"."""
    return bool(_RECORD_ROW.match(text))


def stands_alone(text: str) -> bool:
    """A whole sentence a reader understands without its neighbours, not a row or a label."""
    words = text.split()
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and " | " not in text
        and not is_record_row(text)
        and not _DANGLING.match(text)
        and not text.rstrip().endswith((":", "?"))
    )


# "Routewise cut its list price": a named subject that owns the measure it moved is another
# organisation (the organisation's own name is caught by `party` first). A preposition before
# the pronoun ("Demand for its ...") makes the name a topic, not an actor.
_NAMED_OWNER = re.compile(
    r"^[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,2}\s+"
    r"(?!(?:for|of|in|on|at|with|from|to|by|and|or)\b)[a-z]\w*\s+(?:its|their)\b"
)


def _outside_shift(text: str, subject: str) -> str | None:
    """For an external fact, which way it cuts: prices or rents that rose, traffic that fell
    are threats however hopeful the sentence sounds, demand that grew an opportunity. Another
    organisation's gain is our threat and its loss our opening, so its direction counts in
    reverse. None when the sentence reports no change this rule can read, or its measure is
    not its subject ("the regulator cut the allowed return for the next price period" is about
    a regulator acting, not a price falling)."""
    opening = {w.lower() for w in subject_phrase(text)}
    if not opening & (GOOD_WHEN_UP | BAD_WHEN_UP):
        return None
    verdict = favourable(text)
    if verdict is None:
        return None
    if party(text, subject) == "theirs" or _NAMED_OWNER.match(text):
        verdict = not verdict
    return "opportunities" if verdict else "threats"


def rank_facts(
    pool: Pool, subject: str, lens: str | None, exclude: set[str] | None = None
) -> tuple[dict[str, list[Candidate]], bool]:
    """Quadrant candidates, best first; and whether anything at all was about the lens."""
    facts = [
        s
        # Below 0.5 the classifier thinks another type more likely than this one.
        for s in pool.of(*KIND_OF.values(), min_confidence=0.5)
        if stands_alone(s.text)
        and not bare_level(display_text(s.text))
        and normalised(display_text(s.text)) not in (exclude or set())
    ]
    by_subject, by_lens = relevance(pool, facts, subject, lens)
    lens_found = by_lens is not None and bool((by_lens > 0).any())
    ranked: dict[str, list[Candidate]] = {key: [] for key in QUADRANTS}
    quadrant_of = {kind: key for key, kind in KIND_OF.items()}
    for index, fact in enumerate(facts):
        quadrant = quadrant_of[fact.kind]
        # A leading connective ("At the same time, ...") is no subject: its words ("time")
        # would be read as the measure that moved.
        plain = without_connective(display_text(fact.text))
        shift = polarity_shift(plain) if quadrant in ("strengths", "weaknesses") else None
        # A cost, churn or delay that went up is a weakness however upbeat the sentence
        # sounds, and one that went down a strength; the embedding misses the direction.
        quadrant = shift or quadrant
        if quadrant in ("opportunities", "threats"):
            quadrant = _outside_shift(plain, subject) or quadrant
        about = float(by_subject[index])
        if lens_found and by_lens is not None:
            about *= float(by_lens[index])
        if about <= 0:
            continue
        # A figure makes an item checkable; the classifier's confidence says how sure the
        # quadrant is; relevance orders what is left.
        score = fact.confidence + 0.3 * about + (0.1 if extract_figures(fact.text) else 0.0)
        # A finding that says which way a measure moved, or how it stands against plan, is
        # evidence; a bare level ("revenue per member was €52") needs a reader to judge it.
        score += 0.15 if shift else 0.0
        ranked[quadrant].append(Candidate(fact, quadrant, score))
    for candidates in ranked.values():
        candidates.sort(key=lambda c: c.score, reverse=True)
    return ranked, lens_found


def select(ranked: dict[str, list[Candidate]], per_section: int) -> dict[str, list[Candidate]]:
    """The best of each quadrant, no statement twice (chunks overlap) and no near-duplicates."""
    chosen: dict[str, list[Candidate]] = {key: [] for key in QUADRANTS}
    seen: set[str] = set()
    taken: list[np.ndarray] = []
    for key in QUADRANTS:
        for candidate in ranked[key]:
            if len(chosen[key]) >= per_section:
                break
            if len(chosen[key]) >= MIN_PER_QUADRANT and candidate.statement.confidence < SURE_EXTRA:
                continue
            text = normalised(candidate.statement.text)
            vector = candidate.statement.vector
            if text in seen or any(float(vector @ v) >= NEAR_DUPLICATE for v in taken):
                continue
            seen.add(text)
            taken.append(vector)
            chosen[key].append(candidate)
    return chosen


def _shortfall(key: str, found: int, subject: str, lens: str | None) -> str | None:
    if found >= MIN_PER_QUADRANT:
        return None
    noun = key if found != 1 else KIND_OF[key]
    about = f" about {lens}" if lens else ""
    if found == 0:
        return f"Your knowledge base names no {key}{about} for {subject}."
    return f"Your knowledge base names only {found} {noun}{about} for {subject}."


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
    """`exclude` holds normalised item texts to leave out (when regenerating a section)."""
    pool = load_pool(retriever, workspace_id, subject)
    ranked, lens_found = rank_facts(pool, subject, lens, exclude)
    notice = None
    if lens and not lens_found:
        notice = (
            f"Your knowledge base has nothing about {lens} for {subject}, so this SWOT is drafted "
            "without the lens."
        )
        ranked, _ = rank_facts(pool, subject, None, exclude)
    chosen = select(ranked, per_section)
    projects = project_names([c.statement.text for group in chosen.values() for c in group])
    lens_used = lens if lens_found else None
    labels: dict[tuple[str, int], str] = {}

    def label(statement: Typed) -> str:
        if statement.key not in labels:
            # A goal opens with its verb ("Cut the rewash rate ..."): what it measures names it.
            labels[statement.key] = (
                metric_label(statement.text, statement.heading, projects)
                if statement.kind == "goal"
                else label_for(
                    display_text(statement.text), statement.heading, lens_used, projects=projects
                )
            )
        return labels[statement.key]

    sections: list[Section] = []
    evidence: dict[str, list[Evidence]] = {}
    for key in QUADRANTS:
        items = []
        for candidate in chosen[key]:
            statement = candidate.statement
            item = Item(
                label=label(statement),
                text=without_connective(display_text(statement.text)),
                sources=[statement.chunk_id],
            )
            items.append(item)
            evidence.setdefault(key, []).append(Evidence(key, item, statement.vector))
        intent = _shortfall(key, len(items), subject, lens_used)
        sections.append(Section(key=key, title=SECTION_TITLES[key], intent=intent, items=items))
    all_plans = pool.of("action", "goal")
    plan_relevance, plan_lens = relevance(pool, all_plans, subject, lens_used)
    if plan_lens is not None:
        # A lens SWOT's priorities answer the lens: a stated plan about something else
        # (however close to one item) is not what the reader asked about.
        plan_relevance = plan_relevance * plan_lens
    plans = [p for p, r in zip(all_plans, plan_relevance, strict=True) if r > 0]
    for plan in plans:
        label(plan)
    sections.append(
        Section(
            key="priorities",
            title=SECTION_TITLES["priorities"],
            intent="What to do first: each answers the items it cites.",
            items=draft_priorities(
                evidence, plans, labels, priorities, [s.text for s in pool.statements]
            ),
        )
    )
    cited = {sid for section in sections for item in section.items for sid in item.sources}
    book = source_book(retriever, workspace_id, cited)
    draft = Draft(
        kind="swot",
        subject=subject,
        lens=lens,
        engine=OFFLINE_ENGINE,
        sections=sections,
        sources=book.cited(cited),
        notice=notice,
    )
    return check_draft(draft, book.texts)


def priorities_from(
    sections: dict[str, list[Item]], count: int, embedder: CachedEmbedder
) -> list[Item]:
    """Priorities again from a draft's own quadrants (no knowledge base at hand)."""
    evidence: dict[str, list[Evidence]] = {}
    for key in QUADRANTS:
        items = sections.get(key, [])
        if not items:
            continue
        vectors = embedder.embed([item.text for item in items])
        evidence[key] = [Evidence(key, item, v) for item, v in zip(items, vectors, strict=True)]
    return draft_priorities(evidence, [], {}, count)

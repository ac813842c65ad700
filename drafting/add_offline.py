"""The offline engine's one content revision: "add a key result on hiring" from the knowledge base."""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafting.draft import Draft, Item, Section
from drafting.facts import as_sentence, chunk_facts, normalised
from drafting.grounding import extract_figures
from drafting.kr_candidates import kr_candidate
from drafting.labels import area_scores, label_for, project_names, tidy_label
from drafting.retriever import Retriever
from drafting.sections import RETRO_SPECS, SWOT_SPECS, count_cues
from drafting.sourcebook import SourceBook
from drafting.swot_offline import is_record_row
from drafting.vectors import CachedEmbedder, cosine

_KINDS: tuple[tuple[str, str], ...] = (
    (r"key results?|krs?", "key_result"),
    (r"strengths?", "strengths"),
    (r"weakness(?:es)?", "weaknesses"),
    (r"opportunit(?:y|ies)", "opportunities"),
    (r"threats?", "threats"),
    (r"priorit(?:y|ies)", "priorities"),
    (r"metrics?", "metrics"),
    (r"action items?|actions?", "action_items"),
    (r"learnings?", "learnings"),
)
ADD = re.compile(
    r"^(?:please\s+)?add\s+(?:a|an|one|another|a new)?\s*"
    r"(?P<kind>key results?|krs?|strengths?|weakness(?:es)?|opportunit(?:y|ies)|threats?|"
    r"priorit(?:y|ies)|metrics?|action items?|actions?|learnings?)\s+"
    r"(?:on|about|for|around|covering|regarding)\s+(?P<topic>.{2,80})$",
    re.IGNORECASE,
)
# Below this a fact is about something else (similarity plus the area and word bonuses).
MIN_RELEVANCE = 0.35


@dataclass(frozen=True)
class AddRequest:
    kind: str  # a section key, or "key_result"
    topic: str


def parse_add(clause: str) -> AddRequest | None:
    match = ADD.match(clause.strip())
    if not match:
        return None
    word = match.group("kind").lower()
    kind = next((key for pattern, key in _KINDS if re.fullmatch(pattern, word)), None)
    return AddRequest(kind, match.group("topic").strip(" .")) if kind else None


def add_from_knowledge(
    retriever: Retriever,
    embedder: CachedEmbedder,
    workspace_id: str,
    draft: Draft,
    request: AddRequest,
) -> tuple[Draft, str]:
    """The draft with one new, cited item about the topic, or unchanged and a message why."""
    key = request.kind
    objectives = [s for s in draft.sections if s.key.startswith("objective-")]
    if key == "key_result" and not objectives:
        return draft, "this draft has no objectives to add a key result to"
    if key != "key_result" and draft.section(key) is None:
        return draft, f"this draft has no {key.replace('_', ' ')} section"

    query = (
        f"{request.topic} target" if request.kind in {"key_result", "metrics"} else request.topic
    )
    hits = retriever.search(workspace_id, query, k=8)
    facts = [fact for rank, hit in enumerate(hits) for fact in chunk_facts(hit, rank)]
    shown = {normalised(item.text) for item in draft.items()}
    facts = [
        f for f in facts if extract_figures(f.text) and normalised(as_sentence(f.text)) not in shown
    ]
    if not facts:
        return draft, f"found nothing with a figure about “{request.topic}” in the knowledge base"
    vectors = embedder.embed([request.topic, *(f.text for f in facts)])
    projects = project_names([f.hit.text for f in facts])
    # MiniLM rates a one-word topic ("talent") low against any sentence, so the topic's business
    # area and its words count too.
    topic_areas = {label for label, _ in area_scores(request.topic)} | {tidy_label(request.topic)}
    topic_words = {w for w in re.findall(r"[a-z]{4,}", request.topic.lower())}
    relevance = [
        float(similarity)
        + (
            0.3
            if label_for(f.text, f.heading, title=f.hit.title, projects=projects) in topic_areas
            else 0.0
        )
        + (0.2 if topic_words & set(re.findall(r"[a-z]{4,}", f.text.lower())) else 0.0)
        for f, similarity in zip(facts, cosine(vectors[:1], vectors[1:])[0], strict=True)
    ]
    spec = next((sp for sp in (*SWOT_SPECS, *RETRO_SPECS) if sp.key == key), None)

    def fit(i: int) -> float:
        # Words that say "threat" for a threat; the knowledge base's own ranking breaks ties.
        score = float(relevance[i])
        if spec is not None:
            score += 0.15 * min(count_cues(facts[i].text, spec.cues), 2)
            for other in SWOT_SPECS if spec in SWOT_SPECS else RETRO_SPECS:
                if other is not spec:
                    score -= 0.1 * min(count_cues(facts[i].text, other.cues), 2)
        return score - 0.05 * facts[i].rank

    ranked = sorted(range(len(facts)), key=fit, reverse=True)
    wants_measure = request.kind in {"key_result", "metrics"}
    for index in ranked:
        if float(relevance[index]) < MIN_RELEVANCE:
            continue
        if is_record_row(facts[index].text) and not wants_measure:
            continue  # a raw table row reads as data, not as a sentence for a SWOT or a retro
        fact = facts[index]
        label = label_for(fact.text, fact.heading, title=fact.hit.title, projects=projects)
        text = as_sentence(fact.text)
        if request.kind == "key_result":
            candidate = kr_candidate(fact, projects)
            if candidate is None:
                continue
            text, label = candidate.text, candidate.label
        if normalised(text) in shown:
            continue
        if request.kind == "key_result":
            key = _objective_for(label, text, objectives, embedder)
        section = draft.section(key)
        assert section is not None
        book = SourceBook()
        source_id = book.add_hit(fact.hit)
        item = Item(label=label, text=text, sources=[source_id])
        updated = section.model_copy(update={"items": [*section.items, item]})
        sections = [updated if s.key == key else s for s in draft.sections]
        sources = {**draft.sources, **book.refs}
        message = f"added {label} to {section.title}"
        return draft.model_copy(update={"sections": sections, "sources": sources}), message
    return draft, f"found nothing close enough to “{request.topic}” in the knowledge base"


def _objective_for(
    label: str, text: str, objectives: list[Section], embedder: CachedEmbedder
) -> str:
    """The objective whose key results share the new one's area, else the closest in meaning."""
    for objective in objectives:
        if any(item.label == label for item in objective.items):
            return objective.key
    texts = [" ".join([o.title, o.intent or "", *(i.text for i in o.items)]) for o in objectives]
    vectors = embedder.embed([text, *texts])
    return objectives[int(cosine(vectors[:1], vectors[1:])[0].argmax())].key

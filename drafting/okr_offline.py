"""The offline OKR plan: objectives from a SWOT's priorities, key results from the knowledge base."""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafting.draft import OFFLINE_ENGINE, SECTION_TITLES, Draft, Item, Section
from drafting.facts import Fact, as_sentence, normalised
from drafting.gather import Found, facts_of, search_all
from drafting.grounding import check_draft, extract_figures
from drafting.labels import label_for, objective_name, project_names, tidy_label
from drafting.retriever import Retriever
from drafting.sourcebook import SourceBook
from drafting.vectors import CachedEmbedder, cosine

TARGET_TO_BE_SET = "target to be set"
SEARCH_K = 8
KR_KINDS_BONUS = {"record": 0.3, "from_to": 0.3, "target": 0.25, "deliverable": 0.2, "metric": 0.0}

_FROM_TO = re.compile(
    r"\bfrom\s+[^,;]*?\d[^,;]*?\s+(?:down\s+|up\s+)?to\s+[^,;]*?\d", re.IGNORECASE
)
_TARGET = re.compile(r"\btarget\b|\bgoal\b|\baim(?:s)? to\b", re.IGNORECASE)
_DELIVERABLE = re.compile(
    r"\b(?:planned for|by|before|due|deadline|launch\w*|ship\w*|general availability|GA|"
    r"complete\w*|rebuil\w*|roll\w* out|migrat\w*|ready)\b",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(
    r"\b(?:[QH][1-4]\s*\d{4}|(?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\s+\d{4}|\d{4}-\d{2}-\d{2})\b"
)
_RECORD_PAIR = re.compile(r"(?:^|;\s*)([\w ()/-]{1,40}):\s*([^;]+?)(?=;|\.?$)")
_METRIC_LEAD = re.compile(
    r"^(?P<metric>[A-Za-z][^\d]{3,80}?)\s+(?:was|were|is|are|reached|rose to|fell to|grew to|"
    r"dropped to|averaged|stood at|stands at|came to|of|at|hit)\s+"
    r"(?P<value>(?:USD|EUR|GBP|\$|€|£)?\s?\d+(?:[.,]\d+)*(?:\s?(?:%|percent|million|billion|"
    r"hours?|days?|weeks?|months?|minutes?|ms|seconds?|points?|out of \d+))?)"
    r"(?=[\s,;.]|$)",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:planned for|scheduled for|by|before|due|deadline|will|must|aims? to)\b", re.IGNORECASE
)
_TARGET_COLON = re.compile(r"^(.{3,60}?)\s+target\s*:\s*from\b", re.IGNORECASE)
_PRONOUNS = {"there", "it", "this", "that", "these", "those", "they", "we"}
MIN_FIT = 0.5
MIN_METRICS = 3
MAX_METRICS = 6


@dataclass
class KRCandidate:
    fact: Fact
    kind: str
    text: str
    label: str


def parse_record(text: str) -> dict[str, str]:
    """ "metric: X; current: Y; target: Z." as {"metric": "X", ...} (CSV rows from the KB)."""
    return {k.strip().lower(): v.strip() for k, v in _RECORD_PAIR.findall(text.strip().rstrip("."))}


def _record_kr(record: dict[str, str]) -> str | None:
    name = record.get("metric") or record.get("kpi") or record.get("measure") or record.get("name")
    current = record.get("current") or record.get("actual") or record.get("value")
    target = record.get("target") or record.get("goal")
    due = record.get("due") or record.get("deadline") or record.get("by")
    if not name or not current:
        return None
    end = target or TARGET_TO_BE_SET
    when = f" by {due}" if due and target else ""
    return f"{name[0].upper()}{name[1:]} from {current} to {end}{when}."


def metric_kr(text: str) -> str | None:
    """ "Average first response time was 6.5 hours" -> "... from 6.5 hours to target to be set"."""
    match = _METRIC_LEAD.match(text)
    if not match or len(match.group("metric").split()) > 9:
        return None
    metric = match.group("metric").strip()
    if metric.split()[0].lower() in _PRONOUNS:
        return None
    value = match.group("value").strip().rstrip(".,")
    return f"{metric[0].upper()}{metric[1:]} from {value} to {TARGET_TO_BE_SET}."


def kr_candidate(fact: Fact, projects: set[str]) -> KRCandidate | None:
    """What kind of key result a fact can honestly become, if any."""
    label = label_for(fact.text, fact.heading, title=fact.hit.title, projects=projects)
    record = parse_record(fact.text)
    if len(record) >= 2:
        text = _record_kr(record)
        if text:
            area = record.get("area")
            return KRCandidate(fact, "record", text, tidy_label(area) if area else label)
        return None
    if not extract_figures(fact.text):
        return None
    if _FROM_TO.search(fact.text) and (_DATE_LIKE.search(fact.text) or _TARGET.search(fact.text)):
        # "Win rate target: from 27% to 35% by Q2 2027" reads as a key result without "target:".
        text = _TARGET_COLON.sub(r"\1 from", fact.text, count=1)
        return KRCandidate(fact, "from_to", as_sentence(text), label)
    if _TARGET.search(fact.text):
        return KRCandidate(fact, "target", as_sentence(fact.text), label)
    if (
        _DELIVERABLE.search(fact.text)
        and _FUTURE.search(fact.text)
        and _DATE_LIKE.search(fact.text)
    ):
        return KRCandidate(fact, "deliverable", as_sentence(fact.text), label)
    text = metric_kr(fact.text)
    if text:
        return KRCandidate(fact, "metric", text, label)
    return None


def _mission_from(found: dict[str, Found]) -> tuple[str, str] | None:
    for entry in sorted(found.values(), key=lambda e: e.rank):
        for fact, _via in facts_of({entry.hit.source_id: entry}, 50):
            heading = (fact.heading or "").lower()
            if re.search(r"\bour mission is\b", fact.text, re.IGNORECASE) or (
                "mission" in heading and len(fact.text) < 200
            ):
                return as_sentence(fact.text), fact.source_id
    return None


def _values_from(found: dict[str, Found]) -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    for entry in sorted(found.values(), key=lambda e: e.rank):
        heading = (entry.hit.section or "").lower()
        if "value" not in heading and "principle" not in heading:
            continue
        for fact, _via in facts_of({entry.hit.source_id: entry}, 50):
            name, sep, rest = fact.text.partition(":")
            if not sep or len(name.split()) > 5 or not rest.strip():
                continue
            label, text = _value_item(name.strip(), rest.strip())
            if label not in seen:
                seen.add(label)
                items.append(Item(label=label, text=text, sources=[fact.source_id]))
    return items


_TRAILING_SMALL_WORDS = {"in", "the", "a", "an", "of", "and", "for", "to", "with", "on", "big"}


def _value_item(name: str, description: str) -> tuple[str, str]:
    """A value's name as the label; a name too long for one keeps its full form in the text."""
    words = name.split()
    if len(words) <= 3:
        return tidy_label(name), as_sentence(description)
    short = words[:3]
    while len(short) > 1 and short[-1].lower() in _TRAILING_SMALL_WORDS:
        short.pop()
    return tidy_label(" ".join(short)), as_sentence(f"{name} — {description}")


def _objective_query(priority: Item) -> str:
    evidence = priority.text.split("—", 1)[-1]
    return f"{priority.label.lower()} {evidence}"


def draft_okr_offline(
    retriever: Retriever,
    embedder: CachedEmbedder,
    workspace_id: str,
    subject: str,
    *,
    mission: str | None,
    swot: Draft,
    objectives: int = 4,
    key_results: int = 4,
    exclude: set[str] | None = None,
) -> Draft:
    """`exclude` holds normalised item texts to leave out (when regenerating a section)."""
    priority_section = swot.section("priorities")
    priorities = list(priority_section.items if priority_section else [])[:objectives]
    queries: list[tuple[str | None, str]] = [
        (None, f"{subject} targets goals by 2027 from to"),
        (None, f"{subject} metric current target due"),
        (None, f"{subject} planned launch deadline roadmap"),
    ]
    queries += [(p.label, _objective_query(p)) for p in priorities]
    queries += [(p.label, f"{p.label.lower()} target") for p in priorities]
    found = search_all(retriever, workspace_id, queries, SEARCH_K)
    context = search_all(
        retriever,
        workspace_id,
        [(None, f"{subject} mission purpose"), (None, "our values and principles")],
        6,
    )
    book = SourceBook()
    for entry in [*found.values(), *context.values()]:
        book.add_hit(entry.hit)
    # Baselines and placeholders quote the SWOT's items and cite its chunks, which this plan's
    # own searches need not find again: without them the citation was dropped from `sources`.
    book.add_refs(swot.sources)

    facts = [fact for fact, _ in facts_of(found, 200)]
    projects = project_names([f.hit.text for f in facts])
    candidates = [c for f in facts if (c := kr_candidate(f, projects)) is not None]
    if exclude:
        candidates = [c for c in candidates if normalised(c.text) not in exclude]
    assigned = _assign(candidates, priorities, embedder, key_results)

    sections: list[Section] = []
    for index, priority in enumerate(priorities, start=1):
        krs = [
            Item(label=c.label, text=c.text, sources=[c.fact.source_id])
            for c in assigned[index - 1]
        ]
        krs += _baseline_krs(priority, swot, krs, key_results - len(krs))
        while len(krs) < key_results:
            krs.append(_placeholder_kr(priority, len(krs)))
        sections.append(
            Section(
                key=f"objective-{index}",
                title=objective_name(priority.label),
                intent=priority.text,
                items=krs,
            )
        )
    sections.append(
        Section(
            key="metrics", title=SECTION_TITLES["metrics"], items=_metrics(candidates, assigned)
        )
    )
    sections.append(
        Section(key="values", title=SECTION_TITLES["values"], items=_values_from(context))
    )
    if mission is None:
        drafted = _mission_from(context)
        mission = drafted[0] if drafted else None
    cited = {sid for section in sections for item in section.items for sid in item.sources}
    draft = Draft(
        kind="okr",
        subject=subject,
        lens=swot.lens,
        mission=mission,
        engine=OFFLINE_ENGINE,
        sections=sections,
        sources=book.cited(cited),
    )
    return check_draft(draft, book.texts)


def _assign(
    candidates: list[KRCandidate], priorities: list[Item], embedder: CachedEmbedder, per: int
) -> list[list[KRCandidate]]:
    """Give each objective its best-fitting key results; each fact serves one objective."""
    result: list[list[KRCandidate]] = [[] for _ in priorities]
    if not candidates or not priorities:
        return result
    fact_vectors = embedder.embed([c.fact.text for c in candidates])
    goal_vectors = embedder.embed([_objective_query(p) for p in priorities])
    similarity = cosine(fact_vectors, goal_vectors)
    pairs = []
    for i, cand in enumerate(candidates):
        for j, priority in enumerate(priorities):
            same_area = cand.label == priority.label
            if not same_area and float(similarity[i, j]) < MIN_FIT:
                continue  # an unrelated measure is worse than an honest "target to be set"
            score = (
                float(similarity[i, j]) + KR_KINDS_BONUS[cand.kind] + (0.35 if same_area else 0.0)
            )
            pairs.append((score, i, j))
    used_figures: set[str] = set()
    used_facts: set[str] = set()
    # Key results with a stated target go first: a baseline must not crowd out the same
    # measure's real target just because its sentence sits closer to the objective.
    has_target = {i for i, cand in enumerate(candidates) if cand.kind != "metric"}
    for _score, i, j in sorted(pairs, key=lambda p: (p[1] in has_target, p[0]), reverse=True):
        cand = candidates[i]
        figures = _measure_keys(cand.text)
        if len(result[j]) >= per or cand.fact.text in used_facts or figures & used_figures:
            continue  # one measure appears once, however many documents restate it
        used_facts.add(cand.fact.text)
        used_figures |= figures
        result[j].append(cand)
    return result


def _measure_keys(text: str) -> set[str]:
    """Figure keys that identify a measure: values, not the years and quarters they fall in."""
    keys: set[str] = set()
    for figure in extract_figures(text):
        if _DATE_LIKE.fullmatch(figure.surface) or re.fullmatch(
            r"[QH][1-4]|(?:19|20)\d\d", figure.surface
        ):
            continue
        keys |= figure.keys
    return keys


def _baseline_krs(priority: Item, swot: Draft, taken: list[Item], room: int) -> list[Item]:
    """The SWOT's own evidence for this area, as a baseline whose target the team still sets."""
    if room <= 0:
        return []
    used = {_measure_key_text(item.text) for item in taken}
    evidence = [
        item
        for key in ("weaknesses", "threats", "opportunities", "strengths")
        for item in _items_of(swot, key)
        if item.label == priority.label
    ]
    krs: list[Item] = []
    for item in evidence:
        baseline = item.text.rstrip(".")
        if _measure_key_text(baseline) in used or not extract_figures(baseline):
            continue
        used.add(_measure_key_text(baseline))
        krs.append(
            Item(
                label=item.label,
                text=f"Baseline: {baseline}; {TARGET_TO_BE_SET}.",
                sources=list(item.sources),
            )
        )
        if len(krs) >= room:
            break
    return krs


def _items_of(draft: Draft, key: str) -> list[Item]:
    section = draft.section(key)
    return section.items if section else []


def _measure_key_text(text: str) -> str:
    return " ".join(sorted(_measure_keys(text))) or text.lower()


def _placeholder_kr(priority: Item, position: int) -> Item:
    area = priority.label.lower() if len(priority.label) > 3 else priority.label
    texts = [
        f"Agree one headline measure for {area} with its owner, from today's baseline to {TARGET_TO_BE_SET}.",
        f"Name an owner and a review date for the {area} work; {TARGET_TO_BE_SET}.",
        f"Report {area} progress at every monthly review; {TARGET_TO_BE_SET}.",
        f"Close the gap named in the priority above; {TARGET_TO_BE_SET}.",
    ]
    return Item(
        label=priority.label, text=texts[position % len(texts)], sources=list(priority.sources)
    )


def _metrics(candidates: list[KRCandidate], assigned: list[list[KRCandidate]]) -> list[Item]:
    """Current → target for the measured things, those the objectives use first."""
    in_plan = {id(c) for group in assigned for c in group}
    records = [c for c in candidates if c.kind == "record"]
    records.sort(key=lambda c: id(c) not in in_plan)
    items: list[Item] = []
    seen: set[str] = set()
    for cand in records:
        record = parse_record(cand.fact.text)
        name = record.get("metric") or record.get("kpi") or record.get("name") or ""
        current = record.get("current") or record.get("value") or ""
        target = record.get("target") or TARGET_TO_BE_SET
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        due = record.get("due")
        when = f" by {due}" if due and record.get("target") else ""
        area = record.get("area")
        items.append(
            Item(
                label=tidy_label(area or name),
                text=f"{name[0].upper()}{name[1:]}: {current} → {target}{when}.",
                sources=[cand.fact.source_id],
            )
        )
    if len(items) < MIN_METRICS:
        items += _metrics_from_key_results(assigned, room=MAX_METRICS - len(items))
    return items[:MAX_METRICS]


_FROM_TO_PARTS = re.compile(
    r"^(?P<metric>[A-Za-z][^\d]{2,80})\s+from\s+(?P<current>[^,;]*?\d[^,;]*?)\s+to\s+"
    r"(?P<target>[^,;]+?)(?:\s+by\s+(?P<due>[^,;.]+))?\.?$"
)


def _metrics_from_key_results(assigned: list[list[KRCandidate]], room: int) -> list[Item]:
    """Without a metrics table, the plan's own "from → to" key results are its metrics."""
    items: list[Item] = []
    for cand in (c for group in assigned for c in group if c.kind != "record"):
        match = _FROM_TO_PARTS.match(cand.text)
        if match is None or len(items) >= room:
            continue
        metric = re.sub(
            r"^(?:reduce|cut|raise|increase|grow|lift|improve|move)\s+",
            "",
            match.group("metric"),
            flags=re.IGNORECASE,
        )
        due = f" by {match.group('due')}" if match.group("due") else ""
        text = f"{metric[0].upper()}{metric[1:]}: {match.group('current')} → {match.group('target')}{due}."
        items.append(Item(label=cand.label, text=text, sources=[cand.fact.source_id]))
    return items

"""The offline OKR plan: objectives from a SWOT's priorities, key results from the KB's goals.

Key results pair a goal's target with its metric's baseline (key_results.py). The mission and
values are the statements typed mission and value, wherever they are written.
"""

from __future__ import annotations

import re

import numpy as np

from drafting.draft import OFFLINE_ENGINE, SECTION_TITLES, Draft, Item, Section
from drafting.facts import normalised
from drafting.grounding import check_draft
from drafting.key_results import KeyResult, baseline_only, pair_goal, superseded_rows
from drafting.labels import label_for, objective_names, project_names
from drafting.metric_text import BINDS, BOUND, measures, metric_label, parse_record
from drafting.mission_values import mission_of, values_of
from drafting.priorities import PLAN_VERBS
from drafting.retriever import Retriever
from drafting.statement_pool import Pool, Typed, load_pool, relevance, source_book
from drafting.swot_offline import draft_swot_offline, stands_alone
from drafting.table_columns import has_reference, is_header, read_by_header, table_rows
from drafting.vectors import CachedEmbedder
from knowledge.statements import display_text, has_placeholder, without_lead_label

# A target this close in meaning (MiniLM cosine) to an objective measures what it asks for.
MIN_OBJECTIVE_FIT = 0.5


# "Bookings were USD 4.1 million, below the USD 4.4 million plan": a past result measured
# against its plan reports where the metric stands, however the classifier read it; goals state
# only where it should be.
_RESULT_AGAINST_PLAN = re.compile(
    r"\b(?:was|were|came in|ended|stood|finished)\b.*\b(?:below|above|short of|behind|ahead of|"
    r"against|missing|beating|under|over)\b.*\b(?:plan|target|goal|forecast|budget|ceiling)\b",
    re.I,
)


# How a target is written in any document: a deadline, a word for an intended state, a
# future or obligation, a change from one value to another, an imperative, an OKR line.
_STATES_TARGET = re.compile(
    r"\b(?:by|before|until)\s+(?:the\s+)?(?:end\b|[QH][1-4]\b|FY|(?:19|20)\d\d|[A-Z][a-z]+ \d{4})|"
    r"\b(?:targets?|goals?|aims?|objectives?|ambition|planned|plans?|will|must|should|"
    r"ceiling|floor|at least|at most|no more than|kr\s?\d)\b|\bfrom\b.+\bto\b|→|->|"
    # A bound on a value ("fewer than 1%", "within 60 days") or an owner put in charge of it.
    r"\b(?:fewer|less|more)\s+than\s+\d|\b(?:within|under)\s+\d|\bowners?\s*:",
    re.I,
)
_PLAN_HEADING = re.compile(r"target|goal|okr|objective|key result|plan|ambition|vision", re.I)


def reports_result(text: str) -> bool:
    return bool(_RESULT_AGAINST_PLAN.search(text))


# An instruction to move a measure to a value ("Lift the open rate to 48%", "Bring turnover
# down to 20%") or an obligation on it ("... should be 8 out of 10") is a target by its
# grammar, however unsure the classifier is of its type: a report of the same change opens with
# its subject, not a verb.
_TARGET_FORM = re.compile(
    r"^(?:reduce|cut|lower|decrease|raise|increase|grow|lift|improve|reach|hit|achieve|bring|"
    r"keep|hold|shorten|boost|halve|double)\b[^.;]*?\b(?:to|below|under|above|within)\s+"
    r"(?:about\s+|at least\s+)?[$€£]?\d"
    # "Service score should be 8 out of 10": an obligation on a measure states where it goes.
    r"|^[A-Za-z][^.;]{2,80}?\b(?:should|must|needs? to)\s+(?:be|reach|stay|remain|fall|rise|"
    r"drop|get)\b[^.;]*?\d"
    # "The licence requires at least 98% of ...", "we are committed to 97% ...", "Our SLA
    # guarantees 99.9% uptime": a level a contract, a regulator or a promise binds the metric
    # to is where it must be.
    r"|^(?:[A-Za-z][^.;]{0,80}?\s)?(?:" + BINDS + r"|we\s+" + BOUND + r")\b[^.;]*?\b(?:to|at least|"
    r"at most|no more than|no less than|within|below|above|under)\s+(?:about\s+)?[$€£]?\d"
    r"|^[A-Za-z][^.;]{2,80}?\b" + BINDS + r"\s+(?:[a-z]+\s+){0,2}?[$€£]?\d",
    re.I,
)


def target_form(text: str) -> bool:
    return bool(_TARGET_FORM.match(display_text(without_lead_label(text))))


def _says_target(text: str) -> bool:
    """Whether a line says in its own words that it sets a target (not by its heading)."""
    first = re.match(r"[A-Za-z]+", text)
    return bool(_STATES_TARGET.search(text) or (first and first.group(0).lower() in PLAN_VERBS))


def states_target(goal: Typed) -> bool:
    """Whether a goal says where a metric should be. "Revenue reached USD 38 million, up 31%"
    says where it is: a result, whatever the classifier made of its numbers. Under a targets
    heading, a bare line ("Win rate 35%") is a target."""
    text = display_text(goal.text)
    record = parse_record(text)
    if len(record) >= 2:
        # A data row ("metric: x; q3: 19; owner: support") states a target only in a column
        # named for a reference level; its other columns are periods, notes and owners.
        return has_reference(" | ".join(record))
    return bool(_PLAN_HEADING.search(goal.heading or "")) or _says_target(text)


# Below this confidence a goal must say in its own words that it states a target.
_SURE_GOAL = 0.5
_UNSURE_GOAL = 0.35


def _goals(
    pool: Pool, subject: str, objectives: np.ndarray, headers: dict[str, str] | None = None
) -> list[Typed]:
    goals = [
        g
        for g in pool.statements
        if not has_placeholder(g.text)
        and (
            (g.kind == "goal" and g.confidence >= _SURE_GOAL)
            or (g.kind == "goal" and g.confidence >= _UNSURE_GOAL and _says_target(g.text))
            or (g.kind not in ("mission", "value") and target_form(g.text))
        )
    ]
    # A row of a table whose header names a reference column (a target, a plan, a contract
    # level, ...) states a target in that column, whatever the row's words read like to the
    # classifier ("Energy per kg | 1.42 | 1.15").
    target_tables = {chunk for chunk, header in (headers or {}).items() if has_reference(header)}
    chosen = {g.key for g in goals}
    goals += [
        s
        for s in pool.statements
        if s.key not in chosen
        and s.chunk_id in target_tables
        and " | " in s.text
        and not has_placeholder(s.text)
        and measures(s.text)
    ]
    about, _ = relevance(pool, goals, subject, None)
    if len(goals) and len(objectives):
        # A narrow subject's plan also takes the targets that measure what its objectives ask
        # for ("hire engineers for X" and the time-to-hire target), though they do not name it.
        fit = (np.vstack([g.vector for g in goals]) @ objectives.T).max(axis=1)
        about = np.maximum(about, np.where(fit >= MIN_OBJECTIVE_FIT, fit, 0.0))
    kept, seen = [], set()
    for goal, score in zip(goals, about, strict=True):
        key = normalised(goal.text)
        if score <= 0 or key in seen or not measures(goal.text):
            continue
        # A target table's row and an instruction to move a measure state their targets.
        stated = target_form(goal.text) or (goal.chunk_id in target_tables and " | " in goal.text)
        if not stated and (reports_result(goal.text) or not states_target(goal)):
            continue
        seen.add(key)
        kept.append(goal)
    return kept


_SURELY_OUTSIDE = 0.5  # above it the classifier rates no other type likelier


def key_results_of(
    pool: Pool, subject: str, projects: set[str], objectives: np.ndarray | None = None
) -> list[KeyResult]:
    """Every measurable goal of the knowledge base as a key result, baselines paired."""
    # A baseline is any stated current value: a fact, a table or CSV row, even one the
    # classifier filed as context or noise; only goals and actions state where we want to be.
    # An outside condition the classifier is sure of ("a fund pays up to 60% of the cost of
    # projects that cut leakage") measures the world, not where our metric stands today.
    facts = [
        s
        for s in pool.statements
        if not (s.kind in ("opportunity", "threat") and s.confidence >= _SURELY_OUTSIDE)
        and (
            s.kind not in ("goal", "action", "mission", "value")
            or (s.kind == "goal" and (reports_result(s.text) or not states_target(s)))
        )
        and measures(s.text)
        and not target_form(s.text)
    ]
    results: list[KeyResult] = []
    targets: list[tuple[str, np.ndarray, tuple[str, str]]] = []
    headers = _table_headers(pool)
    facts = [read_by_header(fact, headers) for fact in facts]
    tables = table_rows(pool.statements)
    superseded = superseded_rows(facts)  # once for all goals: it reads every row
    fits = np.zeros((0, 384)) if objectives is None else objectives
    for goal in _goals(pool, subject, fits, headers):
        header = headers.get(goal.chunk_id) if " | " in goal.text else None
        if " | " in goal.text and header is None:
            continue  # a table row whose columns are unknown cannot be read as a key result
        label = metric_label(goal.text, goal.heading, projects)
        kr = pair_goal(goal, facts, label, header, superseded, tables.get(goal.chunk_id))
        if kr is None:
            continue
        # The same target restated in another document (a table row, a sentence) is one key
        # result: the same target close in meaning, or the same baseline and target.
        ends = (_figure(kr.baseline), _figure(kr.target))
        # Two goals with one target value and one deadline are one goal written twice ("cut
        # it to 15% by March 2031" in the memo and on the targets page).
        same = [
            i
            for i, (t, v, e) in enumerate(targets)
            if (t == kr.target and float(v @ kr.vector) > 0.8)
            or (kr.baseline and e == ends)
            or (t == kr.target and kr.due and results[i].due == kr.due)
        ]
        if same:
            # Of two statements of one target, keep the one that found its baseline, and
            # of two with baselines the one that states its own (the planners' own figure
            # beats one paired from another document).
            kept = results[same[0]]
            own = kr.baseline and len(kr.sources) == 1 and len(kept.sources) > 1
            if (kr.baseline and kept.baseline is None) or own:
                targets[same[0]], results[same[0]] = (kr.target, kr.vector, ends), kr
            continue
        targets.append((kr.target, kr.vector, ends))
        results.append(kr)
    # Key results with both ends first: they are what a plan is measured by.
    results.sort(key=lambda kr: kr.baseline is None)
    return results


def _figure(value: str | None) -> str:
    """A value reduced to its number and unit sign, to compare "4 %" with "4%"."""
    return re.sub(r"[^\d.%]", "", value or "")


def _table_headers(pool: Pool) -> dict[str, str]:
    """Per chunk, its table's row of column names: a row holding no figures with as many cells
    as the row after it (a byline "Owner: X | Internal" above a table is no header)."""
    rows: dict[str, list[Typed]] = {}
    for statement in pool.statements:
        if " | " in statement.text:
            rows.setdefault(statement.chunk_id, []).append(statement)
    headers: dict[str, str] = {}
    for chunk, found in rows.items():
        found.sort(key=lambda s: s.position)
        cells = [s.text.count(" | ") for s in found]
        for i, row in enumerate(found):
            if not is_header(row.text):
                break  # the first data row: a header stands above it or not at all
            if i + 1 < len(found) and cells[i + 1] == cells[i]:
                headers[chunk] = row.text
                break
    return headers


def _assign(
    results: list[KeyResult], objective_vectors: np.ndarray, per: int
) -> list[list[KeyResult]]:
    groups: list[list[KeyResult]] = [[] for _ in range(len(objective_vectors))]
    if not len(objective_vectors):
        return groups
    for kr in results:
        fit = objective_vectors @ kr.vector
        for index in np.argsort(-fit):
            if len(groups[int(index)]) < per:
                groups[int(index)].append(kr)
                break
    return groups


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
    pool = load_pool(retriever, workspace_id, subject)
    section = swot.section("priorities")
    if section is None or not section.items:
        swot = draft_swot_offline(retriever, embedder, workspace_id, subject, swot.lens)
        section = swot.section("priorities")
    priorities = list(section.items if section else [])[:objectives]
    projects = project_names([s.text for s in pool.statements[:2000]])
    objective_vectors = (
        pool.embed([_objective_text(p, swot) for p in priorities])
        if priorities
        else np.zeros((0, 384))
    )
    results = [
        kr
        for kr in key_results_of(pool, subject, projects, objective_vectors)
        if normalised(kr.text) not in (exclude or set())
    ]
    groups = _assign(results, objective_vectors, key_results)
    _fill_with_baselines(groups, priorities, pool, projects)

    sections: list[Section] = []
    names = objective_names([(p.label, p.text) for p in priorities], projects)
    for index, (priority, krs, name) in enumerate(
        zip(priorities, groups, names, strict=True), start=1
    ):
        sections.append(
            Section(
                key=f"objective-{index}",
                title=name,
                intent=priority.text,
                items=[Item(label=kr.label, text=kr.text, sources=kr.sources) for kr in krs],
            )
        )
    sections.append(
        Section(key="metrics", title=SECTION_TITLES["metrics"], items=_metrics(results))
    )
    sections.append(Section(key="values", title=SECTION_TITLES["values"], items=values_of(pool)))
    mission_source: set[str] = set()
    if mission is None and (found := mission_of(pool)) is not None:
        mission, mission_source = found[0], {found[1]}
    cited = {sid for s in sections for item in s.items for sid in item.sources}
    book = source_book(retriever, workspace_id, cited | mission_source)
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


def _objective_text(priority: Item, swot: Draft) -> str:
    """What an objective is about, to match key results to it: the priority and the quadrant
    items it answers (a priority's own words may be few and general)."""
    answered = [
        item.text
        for section in swot.sections
        if section.key != "priorities"
        for item in section.items
        if set(item.sources) & set(priority.sources)
    ]
    return " ".join([priority.text, *answered])


def _fill_with_baselines(
    groups: list[list[KeyResult]], priorities: list[Item], pool: Pool, projects: set[str]
) -> None:
    """An objective without a stated target keeps its measured problem as a baseline, with the
    target still to set, rather than a made-up measure."""
    by_chunk: dict[str, list[Typed]] = {}
    # Only internal facts: a plan sets targets for our own measures, not for a rival's
    # traffic or a market's prices.
    for statement in pool.of("weakness", "strength"):
        by_chunk.setdefault(statement.chunk_id, []).append(statement)
    used = {kr.baseline for group in groups for kr in group}
    for priority, group in zip(priorities, groups, strict=True):
        if len(group) >= 2:
            continue
        for sid in priority.sources:
            for fact in by_chunk.get(sid, []):
                if len(group) >= 2 or not stands_alone(fact.text):
                    continue
                label = label_for(display_text(fact.text), fact.heading, projects=projects)
                kr = baseline_only(fact, label)
                if kr is not None and kr.baseline not in used:
                    used.add(kr.baseline)
                    group.append(kr)


def _metrics(results: list[KeyResult]) -> list[Item]:
    """Every metric the knowledge base gives a baseline and a target for."""
    items: list[Item] = []
    for kr in results:
        if kr.baseline is None:
            continue
        name = kr.metric[:1].upper() + kr.metric[1:]
        due = f" by {kr.due}" if kr.due else ""
        items.append(
            Item(
                label=kr.label,
                text=f"{name}: {kr.baseline} → {kr.target}{due}.",
                sources=list(kr.sources),
            )
        )
    return items

"""Key results from the knowledge base's goals: each target paired with its metric's baseline.

A goal ("Cut onboarding to 6 weeks by Q3 2027") states a target; a fact elsewhere ("Onboarding
takes 11 weeks") states the baseline. They pair when they measure the same thing: the same unit
and close in meaning or words. The key result cites both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from drafting.labels import FUNCTION_WORDS
from drafting.metric_text import (
    FROM_TO,
    TIME_UNITS,
    borrow_unit,
    content_words,
    head_word,
    measures,
    metric_name,
    named_as,
    parse_record,
    stem,
    unit_after,
    unit_of,
    with_unit,
    word_overlap,
)
from drafting.statement_pool import Typed, without_owner
from drafting.table_columns import reached, standard_record, table_record
from knowledge.statements import display_text, without_lead_label

TARGET_TO_BE_SET = "target to be set"
# A fact is a goal's baseline when it is close in meaning (cosine of MiniLM vectors) and
# shares the words that name the metric; either alone pairs unrelated numbers.
MIN_BASELINE_SIMILARITY = 0.4
MIN_WORD_OVERLAP = 0.34
_DUE = re.compile(
    r"\b(?:by|before|until)\s+((?:the\s+)?(?:end\s+of\s+)?(?:[QH][1-4]\s*(?:FY\s*)?"
    r"'?\d{2,4}|FY\s*'?\d{2,4}|[A-Z][a-z]{2,8}\s+\d{4}|(?:19|20)\d\d))",
)


@dataclass
class KeyResult:
    label: str
    text: str
    sources: list[str]
    target: str
    vector: np.ndarray
    metric: str
    baseline: str | None = None
    due: str | None = None
    kind: str = "goal"  # goal | baseline_only
    statements: list[Typed] = field(default_factory=list)


def _due(text: str) -> str | None:
    match = _DUE.search(text)
    return match.group(1) if match else None


def from_record(goal: Typed, label: str, text: str | None = None) -> KeyResult | None:
    record = standard_record(parse_record(text or goal.text))
    name, current, target = record.get("metric"), record.get("current"), record.get("target")
    if not name or not target or not measures(target):
        return None
    if current is not None and not measures(current):
        current = None  # "–" or "TBD" in the current column: no baseline stated
    due = record.get("due")
    when = f" by {due}" if due else ""
    start = f" from {current}" if current else ""
    text = f"{name[0].upper()}{name[1:]}{start} to {target}{when}."
    return KeyResult(label, text, [goal.chunk_id], target, goal.vector, name, current, due)


def pair_goal(
    goal: Typed,
    facts: list[Typed],
    label: str,
    header: str | None = None,
    superseded: set[tuple[str, int]] | None = None,
    table: list[str] | None = None,
) -> KeyResult | None:
    """The goal as a key result, with the baseline of its metric when the knowledge base has it;
    a table row is read by its header, beside the other rows of its table."""
    if superseded is None:
        superseded = superseded_rows(facts)
    if header is not None:
        if reached(goal.text, header, table):
            return None  # the row's metric is already at its reference level: nothing to move
        kr = from_record(goal, label, table_record(goal.text, header))
        if kr is None or kr.baseline is not None:
            return kr
        # A row with a reference level and no current value ("| Promise | By <date> |"): where
        # the metric stands is stated elsewhere, and pairs as a prose goal's baseline does.
        return _row_baseline(kr, goal, facts, superseded)
    record = from_record(goal, label) if ";" in goal.text else None
    if record is not None:
        return record
    # "Target 1: Bring incidents below 30": the 1 numbers the line, it is no baseline.
    line = without_lead_label(goal.text)
    values = measures(line)
    if not values:
        return None
    text = display_text(goal.text)
    metric = metric_name(line)
    due = _due(line)
    stated = FROM_TO.search(text)
    if stated:
        # "from 63 days to 45 days" and "from 11 weeks down to 6": both ends keep the unit.
        base, target = stated.group("base"), stated.group("target")
        target = unit_after(text, stated.end("target"), target) or borrow_unit(base, target)
        kr = KeyResult(label, text, [goal.chunk_id], target, goal.vector, metric)
        kr.baseline, kr.due = base, due
        return kr
    roles = value_roles(line, values)
    # "by 5 weeks" is how far the metric moves, neither where it stands nor where it goes.
    levels = [v for v, role in zip(values, roles, strict=True) if role != "change"] or values
    marked = [v for v, role in zip(values, roles, strict=True) if role == "target"]
    bases = [v for v, role in zip(values, roles, strict=True) if role == "baseline"]
    unmarked = [v for v in levels if v not in bases]
    # The value the line marks as its target ("to 50"), else its last level that is not
    # marked as today's ("Raise NPS to 50 (currently 38)": 50, not 38).
    target = marked[-1] if marked else (unmarked or levels)[-1]
    unit = unit_of(line, target)
    target_read = with_unit(line, target)
    same = [v for v in bases + levels if unit_of(line, v) == unit and v != target]
    if same:
        # "Coverage is 64%; the target is 80%": the goal states its own baseline.
        own = with_unit(line, same[0])
        return KeyResult(label, text, [goal.chunk_id], target_read, goal.vector, metric, own, due)
    baseline, source = _baseline(goal, facts, target, unit, superseded)
    kr = KeyResult(label, text, [goal.chunk_id], target_read, goal.vector, metric, due=due)
    if baseline is None or source is None:
        return kr
    kr.baseline = baseline
    if source.chunk_id not in kr.sources:  # a baseline in the goal's own passage
        kr.sources.append(source.chunk_id)
    kr.statements.append(source)
    # The baseline goes with the target, before the owner the line names ("— owner: Sam").
    core = display_text(without_owner(goal.text))
    owner = text[len(core.rstrip(".")) :].strip(" .")
    if not text.startswith(core.rstrip(".")):
        core, owner = text, ""
    marker = re.search(rf"\bto\s+{re.escape(target)}", core)
    # "to 2 days" and a baseline "4 days": the KR reads "from 4 days to 2 days".
    if marker:
        kr.text = f"{core[: marker.start()]}from {baseline} {core[marker.start() :]}"
    else:
        kr.text = f"{core.rstrip('.')}, from a baseline of {baseline}."
    if owner:
        kr.text = f"{kr.text.rstrip('.')} {owner}."
    return kr


# Words that mark a value's role in a goal: just before it ("from 38", "currently 38", "to 50",
# "by 5 weeks") or just after it ("11 weeks today").
_BASE_BEFORE = re.compile(
    r"\b(?:from|currently|now|today|baseline|was|were|vs\.?|versus|compared with)\s*:?\s*"
    r"(?:about\s+|around\s+)?[$€£]?$",
    re.I,
)
_BASE_AFTER = re.compile(r"^\S*\s*(?:\w+\s+)?(?:today|now|currently|at present)\b", re.I)
_TARGET_BEFORE = re.compile(
    r"\b(?:to|reach|target|goal|at least|at most|below|under|above|over|within|"
    r"no more than|fewer than|less than|more than)\s*:?\s*(?:about\s+|around\s+)?[$€£]?$",
    re.I,
)
_CHANGE_BY = re.compile(r"\bby\s+(?:about\s+|around\s+)?[$€£]?$", re.I)


def value_roles(line: str, values: list[str]) -> list[str | None]:
    """Per value of a goal: "baseline", "target", "change" or None when the words around it
    do not say."""
    roles: list[str | None] = []
    at = 0
    for value in values:
        found = line.find(value, at)
        start = found if found >= 0 else line.find(value)
        at = start + len(value) if start >= 0 else at
        start = max(start, 0)
        before, after = line[max(start - 30, 0) : start], line[at : at + 25]
        if _BASE_BEFORE.search(before) or _BASE_AFTER.match(after):
            roles.append("baseline")
        elif _TARGET_BEFORE.search(before):
            roles.append("target")
        elif _CHANGE_BY.search(before):
            roles.append("change")
        else:
            roles.append(None)
    return roles


def _row_names(record: dict[str, str], words: set[str], head: str | None = None) -> bool:
    """Whether a row's first cell names the metric (a table with a row per metric)."""
    if not record or not words:
        return False
    stems = {stem(w) for w in words}
    name = next(iter(record.values()))
    named = stems & {stem(w) for w in re.split(r"[\s_/()-]+", name.lower()) if w}
    # Two of its words, or its head noun ("parts stock-outs" in "stockout_rate_pct").
    return len(named) >= min(2, len(stems)) or (head is not None and stem(head) in named)


def _record_value(fact: Typed, words: set[str], head: str | None = None) -> list[str]:
    """In a "column: value; ..." row, the values of the columns named like the metric."""
    record = parse_record(fact.text)
    if len(record) < 2:
        return []
    stems = {stem(w) for w in words}
    if _row_names(record, words, head):
        if measures(record.get("current", "")):
            return [record["current"]]  # a table row whose header says where it stands now
        # A row per metric with a column per period: its last value is the latest.
        latest = [value for value in list(record.values())[1:] if measures(value)]
        return latest[-1:]
    return [
        value
        for column, value in record.items()
        if stems & {stem(w) for w in re.split(r"[\s_/()-]+", column.lower()) if w}
        and measures(value)
    ]


def superseded_rows(facts: list[Typed]) -> set[tuple[str, int]]:
    """Of the rows of one table (same chunk, same columns), all but the last: a table with a
    row per period reports the metric's current value in its latest row."""
    last: dict[tuple[str, tuple[str, ...]], Typed] = {}
    rows = []
    for fact in facts:
        record = parse_record(fact.text)
        if len(record) >= 2:
            key = (fact.chunk_id, tuple(record))
            rows.append((key, fact))
            if key not in last or fact.position > last[key].position:
                last[key] = fact
    return {fact.key for key, fact in rows if last[key] is not fact}


def _row_baseline(
    kr: KeyResult, goal: Typed, facts: list[Typed], superseded: set[tuple[str, int]]
) -> KeyResult:
    """A table row's key result with the baseline another statement gives for its metric."""
    target = measures(kr.target)[0]
    unit = unit_of(kr.target, target)
    baseline, source = _baseline(goal, facts, target, unit, superseded, kr.metric)
    if baseline is None or source is None:
        return kr
    kr.baseline = baseline
    if source.chunk_id not in kr.sources:
        kr.sources.append(source.chunk_id)
    kr.statements.append(source)
    when = f" by {kr.due}" if kr.due else ""
    kr.text = f"{kr.metric[0].upper()}{kr.metric[1:]} from {baseline} to {kr.target}{when}."
    return kr


def _baseline(
    goal: Typed,
    facts: list[Typed],
    target: str,
    unit: str,
    superseded: set[tuple[str, int]],
    metric: str | None = None,
) -> tuple[str | None, Typed | None]:
    metric = metric or metric_name(without_lead_label(goal.text))
    words = content_words(metric)
    head = head_word(metric)
    best: tuple[float, str, Typed] | None = None
    for fact in facts:
        if fact.key in superseded and not _row_names(parse_record(fact.text), words, head):
            continue
        in_row = _record_value(fact, words, head)
        if not in_row and "current" in parse_record(fact.text):
            continue  # a row that states where another metric stands
        candidates = in_row or measures(fact.text)
        same_unit = [v for v in candidates if unit_of(fact.text, v) == unit and v != target]
        if in_row and not same_unit:
            same_unit = [v for v in in_row if v != target]  # CSV cells carry no unit
        if not same_unit:
            continue
        if " | " in fact.text and not in_row and len(same_unit) > 1:
            # A table row read without its header ("Incidents | 31 | 46 | 35"): which cell is
            # last year, this year or the plan is unknown, so it states no one baseline.
            continue
        if not _plausible(same_unit[0], target):
            continue
        similarity = float(goal.vector @ fact.vector)
        overlap = word_overlap(words, fact.text)
        if in_row:
            # A row names its metric in a column, not in words its vector carries: the
            # match of those names is the evidence.
            similarity = max(similarity, MIN_BASELINE_SIMILARITY)
        named_head = named_as(head, fact.text) if head else None
        if named_head == "acronym":
            # A metric's acronym spelled out is its name, however differently the sentences
            # around it read.
            similarity = max(similarity, MIN_BASELINE_SIMILARITY)
        if similarity < MIN_BASELINE_SIMILARITY:
            continue
        # The head noun names what is measured ("availability"); its modifiers ("booking
        # app") may be left unsaid in the sentence that reports it.
        if overlap < MIN_WORD_OVERLAP and named_head is None:
            continue
        # Rows of one table are alike but for the period they report: the later row, later
        # in its document, is the more recent baseline.
        score = similarity + 0.5 * overlap + 1e-4 * _order(fact)
        if best is None or score > best[0]:
            value = with_unit(fact.text, same_unit[0])
            if in_row and unit == "%" and "%" not in value and _PERCENT_NAME.search(fact.text):
                # A CSV cell carries no unit; a column or row named "..._pct" says it.
                value += "%"
            best = (score, value, fact)
    return (best[1], best[2]) if best else (None, None)


_PERCENT_NAME = re.compile(r"(?:\b|_)(?:pct|percent|percentage)(?:\b|_)", re.I)


def _order(statement: Typed) -> float:
    """Where a statement sits in its document: chunk number, then position in the chunk."""
    chunk = statement.chunk_id.rsplit("#", 1)[-1]
    return (int(chunk) if chunk.isdigit() else 0) * 1000 + statement.position


def _number(surface: str) -> float | None:
    match = re.search(r"\d+(?:[.,]\d+)*", surface)
    if match is None:
        return None
    value = float(match.group(0).replace(",", ""))
    scale = re.search(r"\b(?:k|thousand)\b|(?<=\d)k", surface, re.I)
    big = re.search(r"million|\bm\b|(?<=\d)m\b", surface, re.I)
    huge = re.search(r"billion|\bbn\b", surface, re.I)
    return value * (1e3 if scale else 1) * (1e6 if big else 1) * (1e9 if huge else 1)


def _plausible(baseline: str, target: str) -> bool:
    """A plan moves a metric, it does not multiply it tenfold: a value that far from the
    target measures something else."""
    a, b = _number(baseline), _number(target)
    if not a or not b:
        return True
    return 0.1 <= a / b <= 10


# Units a metric is read in: a rate, an amount, a duration, a score. A bare count ("went live
# for 12 customers", "46 deploys") is an event, not a level to set a target for.
_METRIC_UNITS = frozenset(("%", "money", "out", "point", "score", *TIME_UNITS))


_CHANGE_BEFORE = re.compile(
    r"\b(?:rose|risen|grew|fell|dropped|declined|increased|decreased|climbed|jumped|slipped|"
    r"up|down|by)\s+(?:about\s+|around\s+|nearly\s+|almost\s+)?[$€£]?$",
    re.I,
)


def baseline_only(fact: Typed, label: str) -> KeyResult | None:
    """A measured problem with no stated target: its baseline, and a target still to set."""
    values = measures(fact.text)
    if not values or unit_of(fact.text, values[0]) not in _METRIC_UNITS:
        return None
    metric = re.sub(r"^(?:the|our|a|an)\s+", "", metric_name(fact.text), flags=re.I)
    # The metric must be named by words before its value, in a few of them, none a figure.
    if not re.match(r"[A-Za-z]", metric) or not 1 <= len(metric.split()) <= 6:
        return None
    if re.search(r"\d", metric) or metric.split()[0].lower() in FUNCTION_WORDS:
        return None
    # "fell 23%", "rose by 38%", "up 17%": a change is not the level a target is set from.
    if _CHANGE_BEFORE.search(fact.text[: fact.text.find(values[0])]):
        return None
    value = with_unit(fact.text, values[0])
    text = f"{metric[0].upper()}{metric[1:]}: from {value} today; {TARGET_TO_BE_SET}."
    kr = KeyResult(label, text, [fact.chunk_id], TARGET_TO_BE_SET, fact.vector, metric)
    kr.baseline, kr.kind = value, "baseline_only"
    return kr

"""Key results from the knowledge base's goals: each target paired with its metric's baseline.

A goal ("Cut onboarding to 6 weeks by Q3 2027") states a target; a fact elsewhere ("Onboarding
takes 11 weeks") states the baseline. They pair when they measure the same thing: the same unit
and close in meaning or words. The key result cites both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from drafting.grounding import extract_figures
from drafting.labels import FUNCTION_WORDS
from drafting.statement_pool import Typed, without_owner
from knowledge.statements import display_text

TARGET_TO_BE_SET = "target to be set"
# A fact is a goal's baseline when it is close in meaning (cosine of MiniLM vectors) and
# shares the words that name the metric; either alone pairs unrelated numbers.
MIN_BASELINE_SIMILARITY = 0.4
MIN_WORD_OVERLAP = 0.34
_DATE = re.compile(
    r"^(?:[QH][1-4](?:\s*(?:FY\s*)?'?\d{2,4})?|FY\s*'?\d{2,4}|(?:19|20)\d\d|\d{4}-\d{2}-\d{2}|"
    r"(?:\d{1,2}\s+)?[A-Za-z]{3,9}\.?\s+(?:\d{1,2},?\s+)?\d{4})$"
)
_DUE = re.compile(
    r"\b(?:by|before|until)\s+((?:the\s+)?(?:end\s+of\s+)?(?:[QH][1-4]\s*(?:FY\s*)?"
    r"'?\d{2,4}|FY\s*'?\d{2,4}|[A-Z][a-z]{2,8}\s+\d{4}|(?:19|20)\d\d))",
)
_FROM_TO = re.compile(
    r"\bfrom\s+(?P<base>[^,;]*?\d[^,;]*?)\s+(?:down\s+|up\s+)?to\s+(?P<target>[^,;]*?\d[\w%.,]*)",
    re.I,
)
_RECORD_PAIR = re.compile(r"(?:^|;\s*)([\w ()/-]{1,40}):\s*([^;]+?)(?=;|\.?$)")
_SHARE_OF = re.compile(r"of\s+(?:the\s+|our\s+)?(\d[\d,.]*)\s")
_TIME_UNITS = ("second", "minute", "hour", "day", "week", "month", "year", "ms")
# Verbs of change that open a goal; what follows them names the metric.
_CHANGE_VERB = re.compile(
    r"^(?:reduce|cut|lower|decrease|raise|increase|grow|lift|improve|reach|hit|achieve|get|"
    r"bring|keep|hold|double|halve|move|boost|expand|shorten|deliver)\s+",
    re.I,
)
# What introduces a value: a number, with an optional currency or hedge before it, or a date.
_VALUE_AHEAD = (
    r"(?=\s+(?:(?:about|around|roughly|nearly|at least|at most|under|over|just)\s+)?"
    r"(?:[$€£]|USD|EUR|GBP|CHF)?\s?\d|\s+(?:the\s+)?end\b|\s+[QH][1-4]\b|\s+FY\b|"
    r"\s+[A-Z][a-z]{2,8}\s+\d{4})"
)
# Where the name of a metric ends: a verb before its value, a preposition that introduces a
# value ("from 63 days", "by Q2 2027"; "time to hire" and "share of voice" keep theirs), or a
# colon.
_METRIC_END = re.compile(
    r"\s+(?:is|are|was|were|reached|fell|rose|grew|dropped|stood|averaged|must|should|will|"
    r"aims?|targets?|came)\b|\s+(?:from|to|at|of|above|below|under|over|by|than|within)\b"
    + _VALUE_AHEAD
    # "lengthened to 94 days", "rose by 9%": any past-tense verb right before a moved value.
    + r"|\s+\w{3,}ed\b(?=\s+(?:to|by|from|at)\b"
    + _VALUE_AHEAD
    # A comma ends the name, unless it sits inside a number ("25,000 subscribers").
    + r")|:|;|,(?!\d)",
    re.I,
)
# Goals that count things done ("Hire 6 ...", "Sign 20 ..."): the verb as a participle names
# the metric ("engineers hired").
_PARTICIPLE = {
    "hire": "hired",
    "recruit": "recruited",
    "add": "added",
    "sign": "signed",
    "win": "won",
    "close": "closed",
    "onboard": "onboarded",
    "open": "opened",
    "launch": "launched",
    "ship": "shipped",
    "publish": "published",
    "train": "trained",
    "certify": "certified",
    "enrol": "enrolled",
    "enroll": "enrolled",
    "complete": "completed",
}
_COUNT_GOAL = re.compile(
    r"^(" + "|".join(_PARTICIPLE) + r")\s+(?:at least\s+|another\s+)?(\d[\d,]*)\s+(.+)$", re.I
)
# A change verb inside a goal ("aims to bring X from ..."): the metric follows the last one.
_INNER_CHANGE_VERB = re.compile(
    r"\b(?:reduce|cut|lower|decrease|raise|increase|grow|lift|improve|bring|move|boost|"
    r"shorten|reach|hit|achieve)\s+",
    re.I,
)
# Words that end a value without being its unit ("50 by Q4", "38 from 46", "9 a month").
_NOT_UNITS = frozenset(FUNCTION_WORDS | {"every", "each", "per", "a", "an", "the"})
_STOP = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "for",
    "and",
    "by",
    "on",
    "our",
    "we",
    "is",
    "are",
    "was",
    "were",
    "from",
    "at",
    "with",
    "per",
    "this",
    "that",
    "target",
    "goal",
    "be",
    "will",
}


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


def is_date(surface: str) -> bool:
    return bool(_DATE.match(surface.strip()))


def measures(text: str) -> list[str]:
    """The figures of a statement that are values, not the dates they fall on."""
    return [f.surface for f in extract_figures(text) if not is_date(f.surface)]


def unit_of(text: str, surface: str) -> str:
    if "%" in surface or "percent" in surface.lower():
        return "%"
    if re.search(r"[$€£]|USD|EUR|GBP|CHF|million|billion|\d[kmb]\b", surface, re.I):
        return "money"
    after = text[text.find(surface) + len(surface) :].strip().lower()
    share = _SHARE_OF.match(after)
    if share:
        # "2 of the 6 engineers": the count is in the unit of the whole it is part of.
        return unit_of(after[share.start(1) :], share.group(1))
    word = re.match(r"[a-z]+", after)
    if word and word.group(0) not in _NOT_UNITS:
        for unit in _TIME_UNITS:
            if word.group(0).startswith(unit):
                return unit
        return word.group(0).rstrip("s")
    return "number"


def with_unit(text: str, surface: str) -> str:
    """ "4" in "4 days" as "4 days": a value reads and compares with its unit."""
    at = text.find(surface)
    if at < 0:
        return surface
    after = re.match(r"\s?([A-Za-z]+)", text[at + len(surface) :])
    if _SHARE_OF.match(text[at + len(surface) :].strip().lower()):
        return surface
    # Only durations read wrong without their unit ("from 63 to 45" days or hours?); a count's
    # noun may be the first word of a compound ("6 machine-learning engineers").
    if after and unit_of(text, surface) in _TIME_UNITS:
        return f"{surface} {after.group(1)}"
    return surface


def _unit_after(text: str, end: int, surface: str) -> str | None:
    """The value ending at `end` with the time or count unit written after it, if one is."""
    after = re.match(r"\s?([A-Za-z]+)", text[end:])
    if after is None or unit_of(surface + " " + after.group(1), surface) in ("%", "money"):
        return None
    word = after.group(1).lower()
    if any(word.startswith(unit) for unit in _TIME_UNITS):
        return f"{surface} {after.group(1)}"
    return None


def _borrow_unit(base: str, target: str) -> str:
    """A bare target takes the unit its baseline is written with ("11 weeks ... to 6")."""
    unit = re.match(r"^\S*\d\S*\s+([A-Za-z]+)$", base.strip())
    if (
        unit
        and re.fullmatch(r"\S*\d\S*", target.strip())
        and any(unit.group(1).lower().startswith(u) for u in _TIME_UNITS)
    ):
        return f"{target} {unit.group(1)}"
    return target


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in _STOP}


def _stem(word: str) -> str:
    # The first five letters stand for a word's family: "enrolled" and "enrolments", "page"
    # and "pages" name the same metric however they are inflected.
    return word[:5]


def _named(word: str, text: str) -> str | None:
    """How the text names one of a metric's words: "word" (inflected or not), "acronym" (the
    text spells out "NPS" as "net promoter score"), or None."""
    if _stem(word) in {_stem(w) for w in content_words(text)}:
        return "word"
    initials = "".join(w[0] for w in re.findall(r"[a-z]+", text.lower()))
    if 2 <= len(word) <= 5 and word.isalpha() and word in initials:
        return "acronym"
    return None


def word_overlap(metric_words: set[str], text: str) -> float:
    """Share of a metric's words the text names."""
    if not metric_words:
        return 0.0
    return sum(_named(w, text) is not None for w in metric_words) / len(metric_words)


def head_word(metric: str) -> str | None:
    """The last content word of a metric's name, its head noun in English ("booking app
    availability" is an availability, "member NPS" an NPS)."""
    words = [w for w in re.findall(r"[a-z][a-z-]+", metric.lower()) if w not in _STOP]
    return words[-1] if words else None


def metric_name(text: str) -> str:
    """The measured thing a goal names: "Cut median onboarding time to 6 weeks" -> its metric."""
    clean = display_text(without_owner(text)).rstrip(".")
    stated = _FROM_TO.search(clean)
    if stated:
        # "A programme aims to bring average onboarding time from 11 weeks ...": the metric is
        # what stands just before "from", after the last verb of change.
        before = clean[: stated.start()].strip()
        verbs = list(_INNER_CHANGE_VERB.finditer(before))
        if verbs and verbs[-1].end() < len(before):
            before = before[verbs[-1].end() :]
        if re.search(r"[A-Za-z]", before):
            clean = before
    verbs = list(_INNER_CHANGE_VERB.finditer(clean))
    if not stated and verbs and not _CHANGE_VERB.match(clean) and not _COUNT_GOAL.match(clean):
        # "We aim to reach 25,000 subscribers": the goal's verb is inside the sentence.
        clean = clean[verbs[-1].start() :]
    counted = _COUNT_GOAL.match(clean)
    if counted:
        # "Hire 6 engineers for X by March": the metric is the count of engineers hired.
        thing = re.split(_METRIC_END, counted.group(3))[0].strip(" ,")
        return f"{thing} {_PARTICIPLE[counted.group(1).lower()]}"
    clean = _CHANGE_VERB.sub("", clean)
    # "Reach 25,000 digital subscribers by ...": a count names its metric after the number.
    clean = re.sub(r"^(?:about\s+|at least\s+)?[$€£]?\d[\d,.]*\s*(?=[A-Za-z])", "", clean)
    match = re.split(_METRIC_END, clean)
    name = match[0].strip(" ,")
    words = name.split()
    return " ".join(words[:8]) if words else clean


def parse_record(text: str) -> dict[str, str]:
    """ "metric: X; current: Y; target: Z." as {"metric": "X", ...} (table and CSV rows)."""
    return {k.strip().lower(): v.strip() for k, v in _RECORD_PAIR.findall(text.strip().rstrip("."))}


def _due(text: str) -> str | None:
    match = _DUE.search(text)
    return match.group(1) if match else None


_COLUMNS = (
    ("metric", ("metric", "kpi", "measure", "key result", "kr", "indicator", "name")),
    ("current", ("current", "baseline", "actual", "today", "now", "latest", "start")),
    ("target", ("target", "goal", "ambition")),
    ("due", ("due", "deadline", "by", "date", "when", "timeline")),
)


def table_record(row: str, header: str) -> str:
    """A table row as "column: value; ..." using the row of column names above it; the
    standard names (metric, current, target, due) replace recognised synonyms."""
    names = [c.strip() for c in header.split(" | ")]
    cells = [c.strip() for c in row.split(" | ")]
    if len(names) != len(cells):
        return row
    pairs = []
    for name, cell in zip(names, cells, strict=True):
        lowered = name.lower()
        standard = next((std for std, words in _COLUMNS if any(w in lowered for w in words)), name)
        pairs.append(f"{standard}: {cell}")
    return "; ".join(pairs) + "."


def from_record(goal: Typed, label: str, text: str | None = None) -> KeyResult | None:
    record = parse_record(text or goal.text)
    name = record.get("metric") or record.get("kpi") or record.get("measure") or record.get("name")
    current = record.get("current") or record.get("baseline") or record.get("actual")
    target = record.get("target") or record.get("goal")
    if not name or not target:
        return None
    due = record.get("due") or record.get("deadline") or record.get("by")
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
) -> KeyResult | None:
    """The goal as a key result, with the baseline of its metric when the knowledge base has it."""
    if header is not None:
        return from_record(goal, label, table_record(goal.text, header))
    record = from_record(goal, label) if ";" in goal.text else None
    if record is not None:
        return record
    values = measures(goal.text)
    if not values:
        return None
    text = display_text(goal.text)
    metric = metric_name(goal.text)
    due = _due(goal.text)
    stated = _FROM_TO.search(text)
    if stated:
        # "from 63 days to 45 days" and "from 11 weeks down to 6": both ends keep the unit.
        base, target = stated.group("base"), stated.group("target")
        target = _unit_after(text, stated.end("target"), target) or _borrow_unit(base, target)
        kr = KeyResult(label, text, [goal.chunk_id], target, goal.vector, metric)
        kr.baseline, kr.due = base, due
        return kr
    target = values[-1]
    unit = unit_of(goal.text, target)
    target_read = with_unit(goal.text, target)
    same = [v for v in values[:-1] if unit_of(goal.text, v) == unit and v != target]
    if same:
        # "Coverage is 64%; the target is 80%": the goal states its own baseline.
        own = with_unit(goal.text, same[0])
        return KeyResult(label, text, [goal.chunk_id], target_read, goal.vector, metric, own, due)
    if superseded is None:
        superseded = superseded_rows(facts)
    baseline, source = _baseline(goal, facts, target, unit, superseded)
    kr = KeyResult(label, text, [goal.chunk_id], target_read, goal.vector, metric, due=due)
    if baseline is None or source is None:
        return kr
    kr.baseline = baseline
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


def _row_names(record: dict[str, str], words: set[str], head: str | None = None) -> bool:
    """Whether a row's first cell names the metric (a table with a row per metric)."""
    if not record or not words:
        return False
    stems = {_stem(w) for w in words}
    name = next(iter(record.values()))
    named = stems & {_stem(w) for w in re.split(r"[\s_/()-]+", name.lower()) if w}
    # Two of its words, or its head noun ("parts stock-outs" in "stockout_rate_pct").
    return len(named) >= min(2, len(stems)) or (head is not None and _stem(head) in named)


def _record_value(fact: Typed, words: set[str], head: str | None = None) -> list[str]:
    """In a "column: value; ..." row, the values of the columns named like the metric."""
    record = parse_record(fact.text)
    if len(record) < 2:
        return []
    stems = {_stem(w) for w in words}
    if _row_names(record, words, head):
        # A row per metric with a column per period: its last value is the latest.
        latest = [value for value in list(record.values())[1:] if measures(value)]
        return latest[-1:]
    return [
        value
        for column, value in record.items()
        if stems & {_stem(w) for w in re.split(r"[\s_/()-]+", column.lower()) if w}
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


def _baseline(
    goal: Typed, facts: list[Typed], target: str, unit: str, superseded: set[tuple[str, int]]
) -> tuple[str | None, Typed | None]:
    metric = metric_name(goal.text)
    words = content_words(metric)
    head = head_word(metric)
    best: tuple[float, str, Typed] | None = None
    for fact in facts:
        if fact.key in superseded and not _row_names(parse_record(fact.text), words, head):
            continue
        in_row = _record_value(fact, words, head)
        candidates = in_row or measures(fact.text)
        same_unit = [v for v in candidates if unit_of(fact.text, v) == unit and v != target]
        if in_row and not same_unit:
            same_unit = [v for v in in_row if v != target]  # CSV cells carry no unit
        if not same_unit:
            continue
        if not _plausible(same_unit[0], target):
            continue
        similarity = float(goal.vector @ fact.vector)
        overlap = word_overlap(words, fact.text)
        if in_row:
            # A row names its metric in a column, not in words its vector carries: the
            # match of those names is the evidence.
            similarity = max(similarity, MIN_BASELINE_SIMILARITY)
        named_head = _named(head, fact.text) if head else None
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
            best = (score, with_unit(fact.text, same_unit[0]), fact)
    return (best[1], best[2]) if best else (None, None)


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
_METRIC_UNITS = frozenset(("%", "money", "out", "point", "score", *_TIME_UNITS))


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

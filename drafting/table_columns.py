"""What a table's columns mean to a key result: which names the metric, which holds where it
stands now, which holds the level it is held to, and which says by when.

Plans, contracts, regulators' letters and board packs rarely call the level a metric must reach
a "target": it is a "Contract level", an "Agreed level", a "Budget", a "Plan", a "Threshold" or a
column headed "By March 2027". Where the metric stands is an "Actual", a "Q3 actual", a
"Position at 30 Sept" or simply the latest period. The roles below are classes of such header
words, so a table written in any of these vocabularies reads as "metric: ...; current: ...;
target: ...; due: ...".
"""

from __future__ import annotations

import re
from dataclasses import replace

from drafting.metric_text import is_date, measures, parse_record
from drafting.polarity import BAD_WHEN_UP, GOOD_WHEN_UP
from drafting.statement_pool import Typed

METRIC, CURRENT, REFERENCE, DUE = "metric", "current", "target", "due"

# A column that names what each row measures.
_METRIC_NAME = re.compile(
    r"\b(?:metrics?|kpis?|measures?|key results?|krs?|indicators?|names?)\b", re.I
)
# A column that only says when: "Due", "Deadline", "Target date", "By" on its own.
_DUE_NAME = re.compile(
    r"^(?:(?:target|due|completion|delivery|review)\s+)?"
    r"(?:dates?|due|deadlines?|when|timelines?|timescales?|by)$",
    re.I,
)
# The level a metric is held to, by who sets it: the planners' own intent (target, goal, aim,
# ambition), a plan or budget the board approved, an agreement with a customer or regulator
# (contract, commitment, agreed, promise, pledge, obligation, licence, SLA), or a norm it must
# stay within (standard, threshold, limit, cap, ceiling, floor, minimum, maximum, required).
_INTENT = r"targets?|goals?|aims?|ambitions?|objectives?|aspirations?"
_REFERENCE_NAME = re.compile(
    r"\b(?:" + _INTENT + r"|plan(?:ned)?|budget(?:ed)?|commit(?:ment|ments|ted|s)?|"
    r"contract(?:ual|ed)?|agreed|agreements?|promise[sd]?|pledge[sd]?|obligations?|"
    r"required|requirements?|licen[cs]e[sd]?|covenants?|sla|slo|standards?|thresholds?|"
    r"limits?|caps?|ceilings?|floors?|minimum|maximum|min|max|tolerances?)\b",
    re.I,
)
_INTENT_NAME = re.compile(r"\b(?:" + _INTENT + r")\b", re.I)
# "By March 2027", "Due Q2 2027": a column named for a future date holds where the metric
# should be by then.
_BY_DATE_NAME = re.compile(r"^(?:by|before|due|for)\s+(?P<date>.+)$", re.I)
# Where the metric stands: a word for the present or for what was measured, or a statement
# date ("Position at 30 Sept", "As at June").
_CURRENT_NAME = re.compile(
    r"\b(?:current(?:ly)?|baseline|actuals?|today|now|latest|start(?:ing)?|achieved|"
    r"out-?turn|results?|reported|measured|observed|position|as at|at present|so far|to date)\b",
    re.I,
)
# A column named for a period: a year, a quarter or half, a financial year, year to date, or
# a year named relative to this one ("Last year").
_PERIOD_NAME = re.compile(
    r"\b(?:(?:19|20)\d\d|[QH][1-4]|FY\s?'?\d{2,4}|ytd|year to date|"
    r"(?:last|this|prior|previous|current)\s+(?:year|quarter|month|season|half|term|period))\b",
    re.I,
)
_PERIOD_IN_NAME = re.compile(r"\b(?:(?:19|20)\d\d|[QH][1-4]\s*(?:19|20)?\d\d|FY\s?'?\d{2,4})\b")


# A difference from the reference level ("vs budget", "Variance", "Gap to plan") is neither the
# level nor where the metric stands, though it names the reference.
_DIFFERENCE_NAME = re.compile(
    r"\b(?:vs\.?|versus|against|variances?|var|delta|diff(?:erence)?|gap|over|under|shortfall)\b",
    re.I,
)
# A column that judges the row against its reference: "Status", "RAG", "On track?".
_STATUS_NAME = re.compile(r"\b(?:status|rag|on track|progress|assessment)\b", re.I)
STATUS = "status"


def _role(name: str) -> str | None:
    if _METRIC_NAME.search(name):
        return METRIC
    if _DIFFERENCE_NAME.search(name):
        return None
    if _STATUS_NAME.search(name):
        return STATUS
    if _DUE_NAME.match(name.strip()):
        return DUE
    if _REFERENCE_NAME.search(name) or _BY_DATE_NAME.match(name.strip()):
        return REFERENCE
    if _CURRENT_NAME.search(name):
        return CURRENT
    if _PERIOD_NAME.search(name):
        return "period"
    return None


def column_roles(names: list[str]) -> list[str | None]:
    """Per column of a header: metric, current, target (the reference level), due, or None
    (a column a key result does not use: variance, status, owner, an earlier period)."""
    found = [_role(name) for name in names]
    roles: list[str | None] = [None] * len(names)
    metric = found.index(METRIC) if METRIC in found else 0
    # A table with a row per metric names it in its first column, whatever that column is
    # called ("Commitment", "Promise to X", "Cost line").
    roles[metric] = METRIC
    others = [i for i in range(len(names)) if i != metric]
    references = [i for i in others if found[i] == REFERENCE]
    if references:
        # Of a floor and an ambition ("Minimum | Target"), the plan aims at its own intent.
        intent = [i for i in references if _INTENT_NAME.search(names[i])]
        roles[(intent or references)[-1]] = REFERENCE
    currents = [i for i in others if found[i] == CURRENT]
    if not currents:
        # "| Measure | 2025 | 2026 YTD | 2027 target |": the latest period before the reference
        # column is where the metric stands now; after it, a period is a later plan.
        before = references[0] if references else len(names)
        currents = [i for i in others if found[i] == "period" and i < before]
    if currents:
        roles[currents[-1]] = CURRENT
    for role in (DUE, STATUS):
        named = [i for i in others if found[i] == role]
        if named:
            roles[named[-1]] = role
    return roles


def header_due(name: str) -> str | None:
    """The deadline a reference column's name carries: "By March 2027", "2027 target"."""
    by = _BY_DATE_NAME.match(name.strip())
    if by and is_date(by.group("date")):
        return by.group("date").strip()
    period = _PERIOD_IN_NAME.search(name)
    return period.group(0) if period and _INTENT_NAME.search(name) else None


# A unit a column's name gives its values: "(£m)", "(%)", "(days)".
_UNIT_IN_NAME = re.compile(r"\([^()\d]{1,12}\)")


def has_reference(header: str) -> bool:
    """Whether a table's header names a column holding a level its metrics are held to."""
    return REFERENCE in column_roles([c.strip() for c in header.split(" | ")])


def table_record(row: str, header: str) -> str:
    """A table row as "column: value; ..." using the row of column names above it; the
    standard names (metric, current, target, due) replace the names the roles recognise."""
    names = [c.strip() for c in header.split(" | ")]
    cells = [c.strip() for c in row.split(" | ")]
    if len(names) != len(cells):
        return row
    roles = column_roles(names)
    pairs: list[tuple[str, str]] = []
    due = None
    for name, cell, role in zip(names, cells, roles, strict=True):
        if role in (CURRENT, REFERENCE) and not measures(cell):
            continue  # "–", "TBD": no value stands in that column for this row
        if role == REFERENCE and is_date(cell):
            role = DUE  # a date in the plan column says when, not how much
        if role == REFERENCE:
            due = header_due(name)
        pairs.append((role or name, cell))
    if due and DUE not in roles:
        pairs.append((DUE, due))
    unit = _UNIT_IN_NAME.search(names[roles.index(REFERENCE)]) if REFERENCE in roles else None
    if unit and pairs and pairs[0][0] == METRIC and "(" not in pairs[0][1]:
        # "| Line | Actual (£m) | Budget (£m) |": the values are read in the unit the columns
        # name, which the row's own name does not repeat.
        pairs[0] = (METRIC, f"{pairs[0][1]} {unit.group(0)}")
    return "; ".join(f"{column}: {cell}" for column, cell in pairs) + "."


# A status that says the reference level is reached: a key result would move nothing.
_MET = re.compile(r"\b(?:ahead|met|achieved|exceeded|beaten|on track|on target|green|done)\b", re.I)
_NOT_MET = re.compile(r"\b(?:not|un\w+|missed|behind|off track|below|red|amber)\b", re.I)


# A bound says which side of it is good: a ceiling is kept by staying under it, a floor by
# staying over it; in the column's name ("Maximum", "Floor") or in the cell ("at most 4").
_UPPER = re.compile(
    r"\b(?:limits?|caps?|ceilings?|maximum|max|at most|no more than|up to|below|under|within)\b|[<≤]",
    re.I,
)
_LOWER = re.compile(r"\b(?:floors?|minimum|min|at least|no less than|above|over)\b|[>≥]", re.I)


def reached(row: str, header: str, table: list[str] | None = None) -> bool:
    """Whether a table row says its metric already stands at its reference level or better: by
    its status column; by the bound its reference column or cell names; or, for a measure known
    to be wanted up or down (by the row's name, else the name of the column of names: "Cost
    line", else its table's other rows), by its two values. Where none says which way is better,
    the level still stands."""
    names = [c.strip() for c in header.split(" | ")]
    roles = column_roles(names)
    record = standard_record(parse_record(table_record(row, header)))
    status = record.get(STATUS, "")
    if _MET.search(status) and not _NOT_MET.search(status):
        return True
    now, goal = _amount(record.get(CURRENT)), _amount(record.get(REFERENCE))
    if now is None or goal is None:
        return False
    bound = f"{names[roles.index(REFERENCE)]} {record[REFERENCE]}"
    if _UPPER.search(bound) and not _LOWER.search(bound):
        return now <= goal
    if _LOWER.search(bound) and not _UPPER.search(bound):
        return now >= goal
    for name in (record.get(METRIC, ""), names[roles.index(METRIC)]):
        wanted = _wanted_up(name)
        if wanted is not None:
            return now >= goal if wanted else now <= goal
    # The lines of one table are alike (a budget's revenue lines, a regulator's failure
    # counts): when every row whose measure is known is wanted the same way, so is this one.
    first = roles.index(METRIC)
    kinds = {_wanted_up(other.split(" | ")[first]) for other in table or [] if " | " in other}
    kinds.discard(None)
    if len(kinds) == 1:
        return now >= goal if kinds.pop() else now <= goal
    return False


def _wanted_up(name: str) -> bool | None:
    """Whether more of what a name measures is good: its last word of known polarity decides
    ("cost per customer" is a cost)."""
    words = re.findall(r"[a-z]+", name.lower())
    known = [w for w in words if w in GOOD_WHEN_UP or w in BAD_WHEN_UP]
    return (known[-1] in GOOD_WHEN_UP) if known else None


def table_rows(statements: list[Typed]) -> dict[str, list[str]]:
    """Per chunk, its table rows (header included)."""
    rows: dict[str, list[str]] = {}
    for statement in statements:
        if " | " in statement.text:
            rows.setdefault(statement.chunk_id, []).append(statement.text)
    return rows


def _amount(cell: str | None) -> float | None:
    values = measures(cell or "")
    if not values:
        return None
    number = re.search(r"\d+(?:[.,]\d+)*", values[0])
    return float(number.group(0).replace(",", "")) if number else None


def standard_record(record: dict[str, str]) -> dict[str, str]:
    """A "column: value" record (a CSV row) with its columns renamed to their roles."""
    if not record:
        return record
    roles = column_roles(list(record))
    return {role or name: value for (name, value), role in zip(record.items(), roles, strict=True)}


# Column names hold no values, though they may name periods ("2026 YTD") and dates ("Position
# at 30 Sept 2026", "By March 2027").
_NAMES_OF_TIME = re.compile(
    r"\b(?:(?:19|20)\d\d|[QH][1-4]|FY\s?'?\d{2,4})\b|\b\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]{2,8}\b",
)


def is_header(row: str) -> bool:
    return bool(re.search(r"[A-Za-z]", row)) and not re.search(r"\d", _NAMES_OF_TIME.sub("", row))


def read_by_header(fact: Typed, headers: dict[str, str]) -> Typed:
    """A table row of figures as the record its header makes of it, when the header says which
    column holds where the metric stands ("| Measure | 2025 | Q3 actual | Plan |"): read without
    it, the row's cells are values of unknown periods."""
    header = headers.get(fact.chunk_id)
    if header is None or " | " not in fact.text:
        return fact
    if CURRENT not in column_roles([c.strip() for c in header.split(" | ")]):
        return fact
    record = table_record(fact.text, header)
    return fact if record == fact.text else replace(fact, text=record)

"""Key results from one retrieved fact, for "add a key result on <topic>" revisions.

Drafted plans pair typed goals with baselines (key_results.py); a revision picks from the
chunks a topic search returns, so it reads a single fact's form instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafting.facts import Fact, as_sentence
from drafting.grounding import extract_figures
from drafting.labels import label_for, tidy_label
from drafting.table_columns import standard_record

TARGET_TO_BE_SET = "target to be set"

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
    # The same column vocabulary as drafted plans: a "plan" or "budget" column is the target,
    # an "actual" or "latest" one where the metric stands.
    record = standard_record(record)
    name = record.get("metric")
    current = record.get("current") or record.get("value")
    target = record.get("target")
    due = record.get("due")
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

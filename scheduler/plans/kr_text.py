"""Read a key-result sentence: its metric, unit, baseline, target, direction and due date.

The sentences come from OKR drafts ("Cut median onboarding time from 11 weeks to 6 weeks by
Q3 2027", "Baseline: churn was 6.8% …; target to be set") or are typed by people. What cannot
be read stays None for the adopt modal to ask about; nothing is invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from scheduler.plans.progress import due_of
from scheduler.plans.values import ParsedValue, ValueRefused, convert, parse_value
from scheduler.plans.views import Direction

TO_BE_SET = re.compile(r"\btarget(?:s)?\s+(?:is\s+|are\s+)?(?:still\s+)?to\s+be\s+set\b", re.I)
_DUE = re.compile(
    r",?\s*\b(?:by|before|until|due)\s+(?P<due>(?:the\s+)?(?:end\s+of\s+)?(?:[QH][1-4]\s*(?:FY\s*)?'?\d{4}|"
    r"FY\s*'?\d{2,4}|\d{4}-\d{2}-\d{2}|(?:\d{1,2}\s+)?[A-Z][a-z]{2,8}\.?\s+(?:\d{1,2},?\s+)?\d{4}|(?:19|20)\d\d))",
    re.I,
)
# One value: a currency, a number with scale, and a unit word when it is a known unit.
_VAL = (
    r"(?:[$€£]\s?|(?:USD|EUR|GBP)\s?)?[-+]?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|million|billion|bn|mn|m|b)\b)?"
    r"(?:\s?(?:%|percent\b|per cent\b|pct\b|USD\b|EUR\b|GBP\b|"
    r"(?:ms|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b))?"
)
_FROM_TO = re.compile(
    rf"\bfrom\s+(?:a\s+baseline\s+of\s+)?(?P<base>{_VAL})(?:\s+today)?\s+(?:down\s+|up\s+)?to\s+"
    rf"(?P<target>{_VAL}|target to be set)",
    re.I,
)
_BASELINE_OF = re.compile(rf"\b(?:from\s+)?a\s+baseline\s+of\s+(?P<base>{_VAL})", re.I)
# "target is 80%", "target: 80%", "target for 2027 is 99.95%" (the period named in between).
_TARGET_IS = re.compile(
    rf"\btarget\s*(?:for\s+(?:the\s+end\s+of\s+)?(?P<period>[^,;:]{{1,24}}?)\s+)?(?:is|of|:)\s*"
    rf"(?P<target>{_VAL})",
    re.I,
)
_STAY = re.compile(
    rf"\b(?P<word>above|at least|over|no less than|≥|>=|below|under|at most|no more than|≤|<=)\s+"
    rf"(?P<target>{_VAL})",
    re.I,
)
_TO = re.compile(
    rf"\b(?:to|at|reach(?:es)?|hit)\s+(?:(?:above|below|under|over)\s+)?(?P<target>{_VAL})", re.I
)
_ANY = re.compile(_VAL, re.I)
_DECREASE_WORDS = re.compile(
    r"\b(?:cut|reduce|lower|decrease|shorten|halve|shrink|drop|bring\s+down|come\s+down|"
    r"down\s+to|fewer|less)\b",
    re.I,
)
_CHANGE_VERB = re.compile(
    r"^\s*(?:cut|reduce|lower|decrease|shorten|halve|raise|increase|grow|lift|improve|double|"
    r"boost|expand|bring)\b",
    re.I,
)
_KEEP_WORDS = re.compile(r"^\s*(?:keep|hold|maintain|stay|sustain|remain)\b", re.I)
# Metrics where lower is better, for a direction no number or verb decides.
_LOWER_IS_BETTER = re.compile(
    r"\b(?:churn|cost|costs|spend|expenses?|latency|incidents?|errors?|defects?|bugs?|attrition|"
    r"turnover|backlog|downtime|(?<!-)time|duration|delay|lead time|cycle time|outages?|complaints?)\b",
    re.I,
)
_LEADING = re.compile(
    r"^(?:baseline:\s*|kr\s*\d+(?:\.\d+)?\s*[:.-]\s*)?(?:(?:cut|reduce|lower|decrease|raise|increase|"
    r"grow|lift|improve|reach|hit|achieve|get|bring|keep|hold|maintain|double|halve|move|boost|"
    r"expand|shorten)\s+)?(?:the\s+|our\s+)?",
    re.I,
)
_METRIC_END = re.compile(
    r"\s+(?:from|must|should|will|is|are|was|were|stays?|by|target|goal)\b|"
    # "time to hire" is a name; "to 45 days" starts the target.
    r"\s+(?:to|at|above|below|under|over)\s+(?=[$€£]|\d|(?:above|below|under|over)\s)|"
    r"[:;,(]|\s+(?=[$€£]|\d)",
    re.I,
)
_COUNT_GOAL = re.compile(
    r"^(?P<verb>hire|recruit|add|sign|win|close|onboard|open|launch|ship|publish|train|certify|"
    r"complete)\s+(?:at\s+least\s+)?(?P<n>\d[\d,]*)\s+(?P<thing>.+)$",
    re.I,
)


@dataclass(frozen=True)
class KrFacts:
    metric: str
    unit: str
    baseline: float | None
    target: float | None
    direction: Direction
    due: date | None


def read_kr(text: str) -> KrFacts:
    """What a key-result sentence says; a sentence with no figure is a deliverable."""
    clean = " ".join(text.strip().split()).rstrip(".")
    due_match = _DUE.search(clean)
    due = due_of(due_match.group("due")) if due_match else None
    body = (clean[: due_match.start()] + clean[due_match.end() :]) if due_match else clean
    to_be_set = bool(TO_BE_SET.search(body))
    body = TO_BE_SET.sub("", body).strip(" ;,")
    metric = metric_of(body)

    base_text: str | None = None
    target_text: str | None = None
    direction: Direction | None = None
    if m := _FROM_TO.search(body):
        base_text = m.group("base")
        target_text = None if m.group("target").lower() == "target to be set" else m.group("target")
    elif (m := _STAY.search(body)) and (
        _KEEP_WORDS.search(body) or not (_ANY.search(body[: m.start()]) or _CHANGE_VERB.match(body))
    ):
        # "Keep uptime above 99.9%", "Incidents below 3 a month"; "Grow ARR above $50M" is a
        # change towards a target, read further down.
        target_text = m.group("target")
        word = m.group("word").lower()
        direction = (
            "stay_above"
            if word in ("above", "at least", "over", "no less than", "≥", ">=")
            else "stay_below"
        )
    elif m := _COUNT_GOAL.match(body):
        target_text, direction = m.group("n"), "increase"
        metric = _count_metric(m.group("verb"), m.group("thing"))
        if b := _BASELINE_OF.search(body):
            base_text = b.group("base")  # "Hire 6 engineers …, from a baseline of 2"
    else:
        stated = _TARGET_IS.search(body) or (
            None if to_be_set else _TO.search(body) or _STAY.search(body)
        )
        if stated:
            target_text = stated.group("target")
            period = stated.groupdict().get("period")
            if due is None and period:
                # "target for 2027 is …": the period it is set for is when it is due.
                due = due_of(period)
        if m := _BASELINE_OF.search(body):
            base_text = m.group("base")
        else:
            others = [v for v in _ANY.findall(body) if v.strip() and v != target_text]
            base_text = others[0] if others else None
    if base_text is None and target_text is None:
        return KrFacts(
            metric=metric, unit="", baseline=None, target=None, direction="deliverable", due=due
        )

    unit, baseline, target = _numbers(base_text, target_text)
    if direction is None:
        direction = _direction(body, metric, baseline, target)
    return KrFacts(
        metric=metric, unit=unit, baseline=baseline, target=target, direction=direction, due=due
    )


def _numbers(
    base_text: str | None, target_text: str | None
) -> tuple[str, float | None, float | None]:
    """The unit (the target's, else the baseline's) and both numbers in it."""
    base = _parse(base_text)
    target = _parse(target_text)
    unit = next((p.unit for p in (target, base) if p is not None and p.unit), "")
    return unit, _in(base, unit), _in(target, unit)


def _parse(text: str | None) -> ParsedValue | None:
    if not text:
        return None
    try:
        return parse_value(text)
    except ValueRefused:
        return None


def _in(value: ParsedValue | None, unit: str) -> float | None:
    if value is None:
        return None
    try:
        return convert(value, unit)
    except ValueRefused:
        return None  # "from 6.8% to 12 days" measures two things: ask rather than guess


def _direction(body: str, metric: str, baseline: float | None, target: float | None) -> Direction:
    if baseline is not None and target is not None and baseline != target:
        return "decrease" if target < baseline else "increase"
    if _DECREASE_WORDS.search(body):
        return "decrease"
    if _LOWER_IS_BETTER.search(metric) and not re.search(r"\buptime\b", metric, re.I):
        return "decrease"
    return "increase"


def metric_of(body: str) -> str:
    """The measured thing: the words before the first value or verb, without the verb of change."""
    text = _LEADING.sub("", body.strip(), count=1)
    name = _METRIC_END.split(text, maxsplit=1)[0].strip(" ,;:")
    words = name.split()
    if not words:
        words = body.split()[:6]
    name = re.sub(r"\s+(?:target|goal)$", "", " ".join(words[:8]), flags=re.I)
    return name[:1].upper() + name[1:]


def _count_metric(verb: str, thing: str) -> str:
    participle = {"win": "won", "sign": "signed", "ship": "shipped", "open": "opened"}.get(
        verb.lower(), verb.lower().rstrip("e") + "ed"
    )
    noun = _METRIC_END.split(thing, maxsplit=1)[0].strip()
    return f"{noun[:1].upper()}{noun[1:]} {participle}"

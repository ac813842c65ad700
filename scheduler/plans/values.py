"""Values with their units, as people type them: "42%", "8.1 days", "$1.2M", "1,340", "done".

A key result has one unit ("%", "$", "days", "" for a count); a value typed for it is read in
that unit, converted between time units (a "weeks" key result takes "10 days"), and refused with
a reason when it measures something else ("42%" for a key result counted in days).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scheduler.plans.views import Direction

CURRENCIES = {"$": "$", "usd": "$", "€": "€", "eur": "€", "£": "£", "gbp": "£"}
# Time units in days, so any of them converts to any other.
TIME_UNITS = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "weeks": 7.0, "months": 30.44}
TIME_UNITS["years"] = 365.25
TIME_UNITS["seconds"] = 1 / 86_400
TIME_UNITS["milliseconds"] = 1 / 86_400_000
_TIME_WORDS = {
    "ms": "milliseconds",
    "msec": "milliseconds",
    "millisecond": "milliseconds",
    "milliseconds": "milliseconds",
    "s": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "second": "seconds",
    "seconds": "seconds",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "mo": "months",
    "month": "months",
    "months": "months",
    "yr": "years",
    "year": "years",
    "years": "years",
}
_PERCENT_WORDS = {"%", "percent", "pct", "per cent"}
_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mm": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
DONE_WORDS = {"done", "complete", "completed", "shipped", "launched", "delivered", "yes", "true"}
NOT_DONE_WORDS = {
    "not done",
    "not yet",
    "open",
    "pending",
    "in progress",
    "incomplete",
    "no",
    "false",
    "todo",
    "to do",
}

_VALUE = re.compile(
    r"^(?P<sign>[-+−])?\s*(?P<pre>[$€£]|usd|eur|gbp)?\s*(?P<sign2>[-+−])?\s*"
    r"(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*"
    r"(?P<scale>k|thousand|mn|mm|million|bn|billion|m|b)?\b\s*"
    r"(?P<unit>%|percent|per cent|pct|usd|eur|gbp|[a-z]+)?\.?$",
    re.I,
)


class ValueRefused(ValueError):
    """A value we cannot use; the message says why in one line (shown to the person)."""


@dataclass(frozen=True)
class ParsedValue:
    number: float
    unit: str | None  # None: a bare number, read in the key result's own unit
    text: str


def _number(raw: str) -> float:
    # "1,340" groups thousands; "8,1" is a decimal comma.
    if "," in raw and "." not in raw and not re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw):
        raw = raw.replace(",", ".")
    return float(raw.replace(",", ""))


def normalise_unit(word: str) -> str:
    """The stored spelling of a unit word: "%", "$", "days", ... ("" for a count)."""
    lowered = word.strip().lower()
    if lowered in _PERCENT_WORDS:
        return "%"
    if lowered in CURRENCIES:
        return CURRENCIES[lowered]
    return _TIME_WORDS.get(lowered, "")


def parse_value(text: str) -> ParsedValue:
    """A number with an optional unit; raises ValueRefused when the text is not one."""
    body = " ".join(text.strip().split())
    match = _VALUE.match(body)
    if not body or match is None:
        raise ValueRefused(
            f"“{text.strip()}” is not a value I can read (try 42%, 8.1 days, $1.2M)."
        )
    number = _number(match.group("num"))
    scale = (match.group("scale") or "").lower()
    unit_word = (match.group("unit") or "").lower()
    pre = (match.group("pre") or "").lower()
    if scale == "m" and not pre and not unit_word:
        # "5m" with no currency: minutes or million? Ask rather than guess.
        raise ValueRefused(f"“{body}”: write 5 min or $5M, so I know which you mean.")
    number *= _SCALES.get(scale, 1.0)
    if match.group("sign") in ("-", "−") or match.group("sign2") in ("-", "−"):
        number = -number
    unit: str | None = None
    if pre:
        unit = CURRENCIES[pre]
        if unit_word and normalise_unit(unit_word) != unit:
            raise ValueRefused(f"“{body}” names two units.")
    elif unit_word:
        # An unknown word is the thing counted ("42 customers"): a count.
        unit = normalise_unit(unit_word)
    if not math.isfinite(number):
        raise ValueRefused(f"“{body}” is not a finite number.")
    return ParsedValue(number=number, unit=unit, text=body)


def pick_word(text: str, choices: Sequence[str], synonyms: Mapping[str, str]) -> str | None:
    """One of `choices` for a word people type ("at risk", "at-risk", "at_risk", "amber")."""
    word = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
    if word.replace(" ", "_") in choices:
        return word.replace(" ", "_")
    return synonyms.get(word)


def describe_unit(unit: str) -> str:
    if unit == "%":
        return "a percentage"
    if unit in ("$", "€", "£"):
        return f"money ({unit})"
    if unit in TIME_UNITS:
        return unit
    return "a count"


def value_for(text: str, *, unit: str, direction: Direction) -> tuple[float, str]:
    """The number a key result in `unit` stores for `text`, and the text as typed.

    Raises ValueRefused with a one-line reason: not a value, a deliverable answered with a
    number, or a value in another unit.
    """
    body = " ".join(text.strip().split())
    if not body:
        raise ValueRefused("Give a value (for example 42%, 8.1 days, $1.2M, 1,340).")
    if direction == "deliverable":
        lowered = body.lower().rstrip(".!")
        if lowered in DONE_WORDS or lowered in ("100%", "1"):
            return 1.0, body
        if lowered in NOT_DONE_WORDS or lowered in ("0%", "0"):
            return 0.0, body
        raise ValueRefused(
            f"This key result is a deliverable: answer “done” or “not done”, not “{body}”."
        )
    if body.lower().rstrip(".!") in DONE_WORDS | NOT_DONE_WORDS:
        raise ValueRefused(
            f"This key result is measured in {describe_unit(unit)}; give a number, not “{body}”."
        )
    parsed = parse_value(body)
    return convert(parsed, unit), body


def convert(parsed: ParsedValue, unit: str) -> float:
    """`parsed` in `unit`: a bare number is already in it; time converts; others must match."""
    if parsed.unit is None or parsed.unit == unit:
        return parsed.number
    if parsed.unit in TIME_UNITS and unit in TIME_UNITS:
        return parsed.number * TIME_UNITS[parsed.unit] / TIME_UNITS[unit]
    if parsed.unit == "" and unit not in ("%",) and unit not in CURRENCIES.values():
        return parsed.number
    raise ValueRefused(
        f"“{parsed.text}” is {describe_unit(parsed.unit)}, but this key result is measured in "
        f"{describe_unit(unit)}."
    )


def format_value(number: float | None, unit: str) -> str:
    """A stored number as people write it: "42%", "$1.2M", "8.1 days", "1,340"."""
    if number is None:
        return "—"
    if unit == "%":
        return f"{_plain(number)}%"
    if unit in ("$", "€", "£"):
        sign = "-" if number < 0 else ""
        size = abs(number)
        for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if size >= scale:
                return f"{sign}{unit}{_plain(size / scale)}{suffix}"
        return f"{sign}{unit}{_plain(size)}"
    if unit in TIME_UNITS:
        word = unit[:-1] if abs(number) == 1 else unit
        return f"{_plain(number)} {word}"
    return _plain(number, group=True)


def _plain(number: float, *, group: bool = False) -> str:
    rounded = round(number, 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}" if group else str(int(rounded))
    text = f"{rounded:,.2f}" if group else f"{rounded:.2f}"
    return text.rstrip("0").rstrip(".")

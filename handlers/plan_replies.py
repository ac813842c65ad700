"""A check-in typed as a thread reply: `KR 2.3: 42% at risk, blocked on hiring`.

Only the shape is read here (which key result, the value as typed, a confidence, a note); the
plan service parses the value with the key result's unit and refuses what does not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.plans.views import Confidence

# "KR 2.3:", "kr2.3 -", "KR 2.3 —": the key result's reference, then the check-in.
_REPLY = re.compile(
    r"^\s*KR\s*#?(?P<ref>\d{1,3}\.\d{1,3})\s*(?::|-|–|—)\s*(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_CONFIDENCE = re.compile(
    r"(?:^|[\s,;(])(?P<said>on[\s-]track|at[\s-]risk|off[\s-]track)(?=$|[\s,;:.)!—–-])",
    re.IGNORECASE,
)
# Where a value ends when no confidence follows it: ", " (not "1,340"), ";", or a spaced dash.
_VALUE_END = re.compile(r",\s|;|\s[-–—]\s")
# A value keeps a leading minus ("-5%"); a note keeps its closing full stop.
_VALUE_TRIM, _NOTE_TRIM = " ,;:", " ,;:-–—"


CONFIDENCE_OF: dict[str, Confidence] = {
    "on_track": "on_track",
    "at_risk": "at_risk",
    "off_track": "off_track",
}


@dataclass(frozen=True)
class ThreadCheckIn:
    ref: str  # "2.3"
    value_text: str  # "42%", as typed
    confidence: Confidence | None
    note: str | None


def parse_checkin_reply(text: str) -> ThreadCheckIn | None:
    """The check-in in a reply, or None when the reply is not one (it stays conversation)."""
    match = _REPLY.match(text)
    if match is None:
        return None
    rest = " ".join(match["rest"].split())
    confidence: Confidence | None = None
    found = _CONFIDENCE.search(rest)
    if found is not None:
        confidence = CONFIDENCE_OF[re.sub(r"[\s-]", "_", found["said"].lower())]
        value, note = rest[: found.start("said")], rest[found.end("said") :]
    elif (end := _VALUE_END.search(rest)) is not None:
        value, note = rest[: end.start()], rest[end.end() :]
    else:
        value, note = rest, ""
    value = value.strip(_VALUE_TRIM).rstrip(" -–—.").strip(_VALUE_TRIM)
    note = note.strip(_NOTE_TRIM)
    if not value:
        return None
    return ThreadCheckIn(match["ref"], value, confidence, note or None)

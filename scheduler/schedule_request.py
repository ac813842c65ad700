"""The `/retro schedule` arguments as plain data: the schedule phrase, window, nudge and title."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.when import ScheduleParseError, ScheduleSpec, parse_when

_UNIT_SECONDS = {
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
}
_DURATION_PART = r"\d+(?:\.\d+)?\s*(?:days?|d|hours?|hrs?|h|minutes?|mins?|m)(?![a-z])"
_DURATION = rf"(?:{_DURATION_PART}\s*)+"
DEFAULT_WINDOW = timedelta(hours=2)
MIN_WINDOW = timedelta(minutes=5)
MAX_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class ScheduleRequest:
    """Everything `/retro schedule ...` asked for, validated, before anything is stored."""

    spec: ScheduleSpec
    channel_id: str
    window: timedelta
    nudge: timedelta | None
    title: str | None


def parse_duration(text: str) -> timedelta:
    """'2h', '90m', '1d', '2 hours', '1h30m' -> timedelta."""
    cleaned = text.strip().lower()
    if not re.fullmatch(_DURATION, cleaned + " "):
        raise ScheduleParseError(f"“{text.strip()}” is not a duration (try `2h`, `90m`, `1d`).")
    seconds = 0.0
    for m in re.finditer(r"(\d+(?:\.\d+)?)\s*([a-z]+)", cleaned):
        seconds += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    return timedelta(seconds=round(seconds))


def parse_schedule_command(
    text: str, *, channel_id: str, default_tz: str, now: datetime
) -> ScheduleRequest:
    """Parse `<when> [window <duration>] [nudge <duration>] [title "..."]` for `channel_id`.

    The caller has already taken the channel out of the text: naming one is chat syntax.
    """
    rest = " ".join(text.split())
    title: str | None = None
    if m := re.search(r"\b(?:title|titled|called)\s+[\"“](?P<t>[^\"”]+)[\"”]", rest):
        title = m.group("t").strip()[:200] or None
        rest = _cut(rest, m)
    window = DEFAULT_WINDOW
    if m := re.search(rf"\b(?:window|for)\s+(?P<d>{_DURATION})", rest + " "):
        window = parse_duration(m.group("d"))
        rest = _cut(rest, m)
    nudge: timedelta | None = None
    if m := re.search(rf"\bnudge\s+(?P<d>{_DURATION})(?:before(?:\s+clos(?:e|ing))?)?", rest + " "):
        nudge = parse_duration(m.group("d"))
        rest = _cut(rest, m)
    spec = parse_when(rest, default_tz=default_tz, now=now)
    validate_timing(spec, window=window, nudge=nudge, now=now)
    return ScheduleRequest(
        spec=spec, channel_id=channel_id, window=window, nudge=nudge, title=title
    )


def validate_timing(
    spec: ScheduleSpec, *, window: timedelta, nudge: timedelta | None, now: datetime
) -> None:
    if not MIN_WINDOW <= window <= MAX_WINDOW:
        raise ScheduleParseError("The window must be between 5 minutes and 14 days.")
    if nudge is not None and not timedelta(0) < nudge < window:
        raise ScheduleParseError("The nudge must come before the window closes (shorter than it).")
    upcoming = spec.next_occurrences(6, after=now)
    if not upcoming:
        raise ScheduleParseError("That schedule never happens.")
    gaps = [b - a for a, b in itertools.pairwise(upcoming)]
    if gaps and min(gaps) < window:
        # Overlapping windows would leave two retros of one series open at once.
        raise ScheduleParseError(
            f"The window ({format_duration(window)}) is longer than the "
            f"{format_duration(min(gaps))} between retros."
        )


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes = seconds // 60
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
    ]
    return "".join(parts) or "0m"


def _cut(text: str, m: re.Match[str]) -> str:
    return " ".join((text[: m.start()] + " " + text[m.end() :]).split())

"""Turn schedule phrases ("weekly on friday at 15:00", cron) into APScheduler triggers."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger
from apscheduler.triggers.cron import CronTrigger

EXAMPLES = (
    "Try one of:\n"
    "• `weekly on friday at 15:00`\n"
    "• `every 2 weeks on monday 10:00`\n"
    "• `monthly on the last thursday at 16:00`\n"
    "• `cron 0 15 * * FRI`\n"
    "Add `in Europe/Berlin` for another timezone."
)

TriggerKind = Literal["cron", "weeks"]

DAYS = {
    "mon": "mon",
    "monday": "mon",
    "tue": "tue",
    "tues": "tue",
    "tuesday": "tue",
    "wed": "wed",
    "weds": "wed",
    "wednesday": "wed",
    "thu": "thu",
    "thur": "thu",
    "thurs": "thu",
    "thursday": "thu",
    "fri": "fri",
    "friday": "fri",
    "sat": "sat",
    "saturday": "sat",
    "sun": "sun",
    "sunday": "sun",
}
DAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
ORDINALS = {
    "first": "1st",
    "1st": "1st",
    "second": "2nd",
    "2nd": "2nd",
    "third": "3rd",
    "3rd": "3rd",
    "fourth": "4th",
    "4th": "4th",
    "fifth": "5th",
    "5th": "5th",
    "last": "last",
}
WEEK_COUNTS = {"other": 2, "second": 2, "two": 2, "three": 3, "third": 3, "four": 4, "fourth": 4}
# Standard cron counts Sunday as 0 (and 7); APScheduler 3 counts Monday as 0, so numbers are
# rewritten as names before they reach CronTrigger.
CRON_DOW = {
    "0": "sun",
    "1": "mon",
    "2": "tue",
    "3": "wed",
    "4": "thu",
    "5": "fri",
    "6": "sat",
    "7": "sun",
}

_DAY = r"(?:mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)(?:day)?s?|wednesdays?|saturdays?|thursdays?|tuesdays?"
_DAY_LIST = rf"(?:{_DAY})(?:\s*(?:,|and|&)\s*(?:{_DAY}))*"
_ORD = "|".join(ORDINALS)
_EVERY = r"(?:every|each)"


class ScheduleParseError(ValueError):
    """Input we cannot turn into a schedule; the message says why and shows examples."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}\n{EXAMPLES}")


@dataclass(frozen=True)
class ScheduleSpec:
    """A parsed schedule: what is stored (kind, expression, timezone) and what we tell people."""

    kind: TriggerKind
    expression: str
    timezone: str
    description: str

    @property
    def fields(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.expression)
        return loaded

    def trigger(self, *, now: datetime) -> BaseTrigger:
        """An APScheduler trigger whose first fire time is the next occurrence after `now`."""
        tz = ZoneInfo(self.timezone)
        fields = self.fields
        if self.kind == "cron":
            return CronTrigger(timezone=tz, **fields)
        return CalendarIntervalTrigger(
            weeks=int(fields["weeks"]),
            hour=int(fields["hour"]),
            minute=int(fields["minute"]),
            start_date=_first_anchored_date(fields, tz=tz, now=now),
            timezone=tz,
        )

    def next_occurrences(self, n: int = 3, *, after: datetime) -> list[datetime]:
        return next_fire_times(self.trigger(now=after), n, after=after)


def next_fire_times(trigger: BaseTrigger, n: int, *, after: datetime) -> list[datetime]:
    times: list[datetime] = []
    previous: datetime | None = None
    now = after
    while len(times) < n:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        if fire > after:
            times.append(fire)
        previous = fire
        now = fire + timedelta(microseconds=1)
    return times


def _first_anchored_date(fields: dict[str, Any], *, tz: ZoneInfo, now: datetime) -> date:
    """The first date on or after `now` that keeps the series' week parity with its anchor."""
    anchor = date.fromisoformat(fields["anchor"])
    step = 7 * int(fields["weeks"])
    at = time(int(fields["hour"]), int(fields["minute"]))
    today = now.astimezone(tz).date()
    periods = max(0, math.ceil((today - anchor).days / step))
    candidate = anchor + timedelta(days=step * periods)
    if datetime.combine(candidate, at, tzinfo=tz) <= now:
        candidate += timedelta(days=step)
    return candidate


# parsing -------------------------------------------------------------------------------------


def parse_when(text: str, *, default_tz: str, now: datetime) -> ScheduleSpec:
    """Parse a schedule phrase; `default_tz` is the requesting user's Slack timezone."""
    body = " ".join(text.split())
    if not body:
        raise ScheduleParseError("Say when the retro should happen.")
    body, tz_name = _split_timezone(body, default_tz)
    tz = ZoneInfo(tz_name)
    if body.lower().startswith("cron "):
        return _parse_cron(body[5:], tz_name)
    lowered = body.lower()
    lowered, at = _extract_time(lowered)
    phrase = re.sub(r"\s+", " ", lowered.replace(" ,", ",")).strip(" ,")
    when = f"{at:%H:%M}"
    fields: dict[str, Any] = {"hour": str(at.hour), "minute": str(at.minute)}

    if re.fullmatch(rf"(?:daily|{_EVERY} ?day)", phrase):
        return _cron_spec(fields, tz_name, f"every day at {when}")
    if re.fullmatch(rf"(?:{_EVERY} |on )?weekdays?", phrase):
        return _cron_spec({**fields, "day_of_week": "mon-fri"}, tz_name, f"every weekday at {when}")
    if m := re.fullmatch(
        rf"(?:{_EVERY} (?P<n>\d+|{'|'.join(WEEK_COUNTS)}) weeks?|biweekly|bi-weekly|fortnightly)"
        rf"(?: on)? (?:the )?(?P<day>{_DAY})",
        phrase,
    ):
        weeks = _week_count(m.group("n"))
        day = _day(m.group("day"))
        if weeks == 1:
            return _weekly([day], fields, tz_name, when)
        return _every_n_weeks(weeks, day, at, tz, tz_name, now)
    if m := re.fullmatch(
        rf"(?:(?:weekly|{_EVERY} week)(?: on)? )?(?:{_EVERY} |on )?(?P<days>{_DAY_LIST})", phrase
    ):
        days = [_day(d) for d in re.split(r"\s*(?:,|and|&)\s*", m.group("days"))]
        return _weekly(days, fields, tz_name, when)
    monthly = rf"(?:monthly|{_EVERY} month)(?: on)?(?: the)?"
    if m := re.fullmatch(
        rf"{monthly} (?P<ord>{_ORD}) (?P<day>{_DAY})(?: of (?:the|each|every) month)?", phrase
    ):
        ordinal = ORDINALS[m.group("ord")]
        day = _day(m.group("day"))
        label = "last" if ordinal == "last" else ordinal
        return _cron_spec(
            {**fields, "day": f"{ordinal} {day}"},
            tz_name,
            f"monthly on the {label} {DAY_NAMES[day]} at {when}",
        )
    if m := re.fullmatch(rf"{monthly}(?: day)? (?P<dom>\d{{1,2}})(?:st|nd|rd|th)?", phrase):
        dom = int(m.group("dom"))
        if not 1 <= dom <= 31:
            raise ScheduleParseError(f"There is no day {dom} in a month.")
        return _cron_spec({**fields, "day": str(dom)}, tz_name, f"monthly on day {dom} at {when}")
    if re.fullmatch(rf"{monthly} last day", phrase):
        return _cron_spec({**fields, "day": "last"}, tz_name, f"monthly on the last day at {when}")
    raise ScheduleParseError(f"I could not read “{text.strip()}” as a schedule.")


def _split_timezone(body: str, default_tz: str) -> tuple[str, str]:
    m = re.search(r"(?:^|\s)(?:in|tz|timezone)\s+(?P<tz>[A-Za-z][\w+\-]*(?:/[\w+\-]+)*)\s*$", body)
    if m is None:
        return body, _zone(default_tz)
    return body[: m.start()].strip(), _zone(m.group("tz"))


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    folded = _zones_by_folded_name().get(name.lower())
    if folded is None:
        raise ScheduleParseError(f"“{name}” is not a timezone I know (try `Europe/Berlin`).")
    return folded


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _extract_time(phrase: str) -> tuple[str, time]:
    patterns = (
        r"(?:\bat\s+)?\b(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ap>am|pm)?\b",
        r"(?:\bat\s+)?\b(?P<h>\d{1,2})\s*(?P<ap>am|pm)\b",
        r"\bat\s+(?P<h>\d{1,2})\b",
        r"\bat\s+(?P<noon>noon|midday|midnight)\b",
    )
    for pattern in patterns:
        matches = list(re.finditer(pattern, phrase))
        if not matches:
            continue
        if len(matches) > 1:
            raise ScheduleParseError("Give one time of day per schedule.")
        m = matches[0]
        groups = m.groupdict()
        if groups.get("noon"):
            hour, minute = (0, 0) if groups["noon"] == "midnight" else (12, 0)
        else:
            hour, minute = int(groups["h"]), int(groups.get("m") or 0)
            ap = groups.get("ap")
            if ap is not None:
                if not 1 <= hour <= 12:
                    raise ScheduleParseError(f"{hour}{ap} is not a time of day.")
                hour = hour % 12 + (12 if ap == "pm" else 0)
        if hour > 23 or minute > 59:
            raise ScheduleParseError(f"{hour:02d}:{minute:02d} is not a time of day.")
        rest = phrase[: m.start()] + " " + phrase[m.end() :]
        return rest, time(hour, minute)
    raise ScheduleParseError("Add a time of day, like `at 15:00`.")


def _week_count(word: str | None) -> int:
    if word is None:
        return 2  # biweekly / fortnightly
    count = int(word) if word.isdigit() else WEEK_COUNTS[word]
    if not 1 <= count <= 12:
        raise ScheduleParseError("Repeat every 1 to 12 weeks.")
    return count


def _day(word: str) -> str:
    word = word.strip().lower()
    key = word[:-1] if word.endswith("s") and word[:-1] in DAYS else word
    if key not in DAYS:
        raise ScheduleParseError(f"“{word}” is not a day of the week.")
    return DAYS[key]


def _weekly(days: list[str], fields: dict[str, Any], tz_name: str, when: str) -> ScheduleSpec:
    ordered = sorted(set(days), key=DAY_INDEX.__getitem__)
    names = " and ".join(DAY_NAMES[d] for d in ordered)
    return _cron_spec(
        {**fields, "day_of_week": ",".join(ordered)}, tz_name, f"weekly on {names} at {when}"
    )


def _every_n_weeks(
    weeks: int, day: str, at: time, tz: ZoneInfo, tz_name: str, now: datetime
) -> ScheduleSpec:
    local = now.astimezone(tz)
    ahead = (DAY_INDEX[day] - local.weekday()) % 7
    first = local.date() + timedelta(days=ahead)
    if datetime.combine(first, at, tzinfo=tz) <= now:
        first += timedelta(days=7)
    fields = {"weeks": weeks, "hour": at.hour, "minute": at.minute, "anchor": first.isoformat()}
    return ScheduleSpec(
        kind="weeks",
        expression=json.dumps(fields, sort_keys=True),
        timezone=tz_name,
        description=f"every {weeks} weeks on {DAY_NAMES[day]} at {at:%H:%M}",
    )


def _cron_spec(fields: dict[str, Any], tz_name: str, description: str) -> ScheduleSpec:
    fields = {k: str(v) for k, v in fields.items()}
    try:
        CronTrigger(timezone=ZoneInfo(tz_name), **fields)
    except ValueError as exc:
        raise ScheduleParseError(f"That schedule is not valid: {exc}.") from exc
    return ScheduleSpec(
        kind="cron",
        expression=json.dumps(fields, sort_keys=True),
        timezone=tz_name,
        description=description,
    )


def _parse_cron(expr: str, tz_name: str) -> ScheduleSpec:
    parts = expr.split()
    if len(parts) != 5:
        raise ScheduleParseError(
            f"A cron schedule has 5 fields (minute hour day month weekday); got {len(parts)}."
        )
    minute, hour, dom, month, dow = parts
    if dom != "*" and dow != "*":
        # Classic cron ORs these two fields while APScheduler ANDs them: refuse, not guess.
        raise ScheduleParseError("Use either a day of the month or a day of the week, not both.")
    fields = {"minute": minute, "hour": hour, "day": dom, "month": month}
    if dow != "*":
        fields["day_of_week"] = _cron_weekdays(dow)
    return _cron_spec(fields, tz_name, f"cron `{' '.join(parts)}`")


def _cron_weekdays(dow: str) -> str:
    if "/" in dow:
        raise ScheduleParseError("Steps (`/`) in the weekday field are not supported.")
    return re.sub(r"\d+", lambda m: CRON_DOW.get(m.group(0), m.group(0)), dow.lower())

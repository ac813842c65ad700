"""The schedule parser: natural forms, cron, timezones, the command tail and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.schedule_request import parse_duration, parse_schedule_command
from scheduler.when import ScheduleParseError, parse_when

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)  # a Tuesday
BERLIN = ZoneInfo("Europe/Berlin")


def local(values: list[datetime], tz: ZoneInfo = BERLIN) -> list[str]:
    return [v.astimezone(tz).strftime("%a %Y-%m-%d %H:%M") for v in values]


def test_weekly_on_friday() -> None:
    spec = parse_when("weekly on friday at 15:00", default_tz="Europe/Berlin", now=NOW)
    assert local(spec.next_occurrences(3, after=NOW)) == [
        "Fri 2026-10-23 15:00",
        "Fri 2026-10-30 15:00",
        "Fri 2026-11-06 15:00",
    ]
    assert spec.timezone == "Europe/Berlin"


def test_every_two_weeks_keeps_parity() -> None:
    spec = parse_when("every 2 weeks on monday 10:00", default_tz="Europe/Berlin", now=NOW)
    upcoming = spec.next_occurrences(3, after=NOW)
    assert local(upcoming) == [
        "Mon 2026-10-26 10:00",
        "Mon 2026-11-09 10:00",
        "Mon 2026-11-23 10:00",
    ]
    # Asked again a week later (e.g. after resume), the series stays on its own weeks.
    later = NOW + timedelta(days=8)
    assert local(spec.next_occurrences(2, after=later)) == [
        "Mon 2026-11-09 10:00",
        "Mon 2026-11-23 10:00",
    ]


def test_monthly_last_thursday() -> None:
    spec = parse_when("monthly on the last thursday at 16:00", default_tz="Europe/Berlin", now=NOW)
    assert local(spec.next_occurrences(3, after=NOW)) == [
        "Thu 2026-10-29 16:00",
        "Thu 2026-11-26 16:00",
        "Thu 2026-12-31 16:00",
    ]


def test_cron_uses_classic_weekday_numbers() -> None:
    by_name = parse_when("cron 0 15 * * FRI", default_tz="Europe/Berlin", now=NOW)
    by_number = parse_when("cron 0 15 * * 5", default_tz="Europe/Berlin", now=NOW)
    expected = ["Fri 2026-10-23 15:00", "Fri 2026-10-30 15:00", "Fri 2026-11-06 15:00"]
    assert local(by_name.next_occurrences(3, after=NOW)) == expected
    assert local(by_number.next_occurrences(3, after=NOW)) == expected
    sunday = parse_when("cron 30 9 * * 0", default_tz="UTC", now=NOW)
    assert sunday.next_occurrences(1, after=NOW)[0].strftime("%a %H:%M") == "Sun 09:30"


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("weekly on friday at 15:00 in America/New_York", "America/New_York"),
        ("weekly on friday at 3pm tz Asia/Tokyo", "Asia/Tokyo"),
        ("weekly on friday at 15:00 in europe/london", "Europe/London"),
        ("weekly on friday at 15:00", "Europe/Berlin"),
    ],
)
def test_timezone_override_beats_the_profile_default(text: str, tz: str) -> None:
    spec = parse_when(text, default_tz="Europe/Berlin", now=NOW)
    assert spec.timezone == tz
    first = spec.next_occurrences(1, after=NOW)[0].astimezone(ZoneInfo(tz))
    assert (first.strftime("%a"), first.hour, first.minute) == ("Fri", 15, 0)


@pytest.mark.parametrize(
    ("text", "weekday", "hour"),
    [
        ("every friday at 3pm", "Fri", 15),
        ("fridays at 09:30", "Fri", 9),
        ("biweekly on tuesday at 11:00", "Tue", 11),
        ("every other week on wednesday at 14:00", "Wed", 14),
        ("every weekday at 9am", "Wed", 9),
        ("daily at noon", "Wed", 12),
    ],
)
def test_other_natural_forms(text: str, weekday: str, hour: int) -> None:
    spec = parse_when(text, default_tz="UTC", now=NOW)
    first = spec.next_occurrences(1, after=NOW)[0]
    assert (first.strftime("%a"), first.hour) == (weekday, hour)


def test_next_three_across_the_autumn_dst_change_keep_wall_time() -> None:
    # Berlin leaves summer time on Sunday 25 October 2026.
    spec = parse_when("weekly on friday at 15:00", default_tz="Europe/Berlin", now=NOW)
    upcoming = spec.next_occurrences(3, after=NOW)
    assert [u.astimezone(BERLIN).hour for u in upcoming] == [15, 15, 15]
    assert [u.astimezone(UTC).hour for u in upcoming] == [13, 14, 14]


def test_every_two_weeks_across_the_spring_dst_change() -> None:
    march = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)  # Berlin moves its clocks on 29 March
    spec = parse_when("every 2 weeks on monday 10:00", default_tz="Europe/Berlin", now=march)
    upcoming = spec.next_occurrences(3, after=march)
    assert local(upcoming) == [
        "Mon 2026-03-23 10:00",
        "Mon 2026-04-06 10:00",
        "Mon 2026-04-20 10:00",
    ]
    assert [u.astimezone(UTC).hour for u in upcoming] == [9, 8, 8]


def test_us_and_europe_change_on_different_weeks() -> None:
    # New York changes on 1 November 2026, a week after Berlin.
    spec = parse_when("weekly on monday at 10:00 in America/New_York", default_tz="UTC", now=NOW)
    utc_hours = [u.astimezone(UTC).hour for u in spec.next_occurrences(3, after=NOW)]
    assert utc_hours == [14, 15, 15]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Say when"),
        ("whenever you like", "time of day"),
        ("weekly on funday at 15:00", "could not read"),
        ("weekly on friday", "time of day"),
        ("weekly on friday at 25:00", "not a time of day"),
        ("weekly on friday at 15:00 in Mars/Olympus", "not a timezone"),
        ("cron 0 15 * *", "5 fields"),
        ("cron 99 15 * * FRI", "not valid"),
        ("cron 0 15 1 * FRI", "not both"),
        ("every 40 weeks on monday at 10:00", "1 to 12 weeks"),
        ("monthly on day 32 at 10:00", "no day 32"),
    ],
)
def test_bad_input_explains_and_shows_examples(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleParseError) as err:
        parse_when(text, default_tz="UTC", now=NOW)
    assert fragment in str(err.value)
    assert "weekly on friday at 15:00" in str(err.value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2h", 7200),
        ("90m", 5400),
        ("1d", 86400),
        ("2 hours", 7200),
        ("1h30m", 5400),
        ("45 min", 2700),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_command_tail_with_window_nudge_and_title() -> None:
    request = parse_schedule_command(
        'every 2 weeks on monday 10:00 window 90m nudge 30m title "Sprint retro"',
        channel_id="C0TEAM001",
        default_tz="Europe/Berlin",
        now=NOW,
    )
    assert request.channel_id == "C0TEAM001"
    assert request.window == timedelta(minutes=90)
    assert request.nudge == timedelta(minutes=30)
    assert request.title == "Sprint retro"
    assert request.spec.kind == "weeks"
    assert request.spec.timezone == "Europe/Berlin"


def test_command_tail_accepts_a_timezone() -> None:
    request = parse_schedule_command(
        "weekly on friday at 15:00 in Asia/Tokyo",
        channel_id="C0TEAM002",
        default_tz="Europe/Berlin",
        now=NOW,
    )
    assert (request.spec.timezone, request.nudge) == ("Asia/Tokyo", None)


@pytest.mark.parametrize(
    ("tail", "fragment"),
    [
        ("weekly on friday at 15:00 window 8d", "longer than"),
        ("weekly on friday at 15:00 window 2h nudge 3h", "nudge"),
        ("weekly on friday at 15:00 window 1m", "between 5 minutes"),
        ("weekly on friday at 15:00 window soon", "could not read"),
    ],
)
def test_command_tail_rejections(tail: str, fragment: str) -> None:
    with pytest.raises(ScheduleParseError) as err:
        parse_schedule_command(tail, channel_id="C0HERE", default_tz="UTC", now=NOW)
    assert fragment in str(err.value)

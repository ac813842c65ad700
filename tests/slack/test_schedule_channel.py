"""The channel in `/retro schedule ... in #team`: Slack's channel link becomes a plain id."""

from __future__ import annotations

import pytest

from handlers.retro import split_channel
from scheduler.when import ScheduleParseError


@pytest.mark.parametrize(
    ("text", "channel", "rest"),
    [
        (
            'every 2 weeks on monday 10:00 in <#C0TEAM001|team-alpha> window 90m title "Sprint"',
            "C0TEAM001",
            'every 2 weeks on monday 10:00 window 90m title "Sprint"',
        ),
        (
            "weekly on friday at 15:00 in <#C0TEAM002> in Asia/Tokyo",
            "C0TEAM002",
            "weekly on friday at 15:00 in Asia/Tokyo",
        ),
        ("weekly on friday at 15:00", "C0HERE", "weekly on friday at 15:00"),
        (
            'weekly on friday at 15:00 title "Fix #incidents"',
            "C0HERE",
            'weekly on friday at 15:00 title "Fix #incidents"',
        ),
    ],
)
def test_the_channel_link_becomes_an_id_and_leaves_the_rest(
    text: str, channel: str, rest: str
) -> None:
    assert split_channel(text, default="C0HERE") == (channel, rest)


def test_a_channel_typed_by_hand_is_refused() -> None:
    with pytest.raises(ScheduleParseError, match="autocomplete"):
        split_channel("weekly on friday at 15:00 in #team", default="C0HERE")

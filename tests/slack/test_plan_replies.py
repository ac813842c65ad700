"""Reading a check-in typed as a thread reply."""

from __future__ import annotations

import pytest

from handlers.plan_replies import ThreadCheckIn, parse_checkin_reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "KR 2.3: 42% at risk, blocked on hiring",
            ThreadCheckIn("2.3", "42%", "at_risk", "blocked on hiring"),
        ),
        ("kr 1.2 - 98% on track", ThreadCheckIn("1.2", "98%", "on_track", None)),
        (
            "KR1.1: 1,340 off-track (two deals slipped).",
            ThreadCheckIn("1.1", "1,340", "off_track", "(two deals slipped)."),
        ),
        ("KR 3.1: $1.2M, ahead of plan", ThreadCheckIn("3.1", "$1.2M", None, "ahead of plan")),
        ("KR 2.2: 8.1 days", ThreadCheckIn("2.2", "8.1 days", None, None)),
        ("KR 2.2 — -5% — churn fell", ThreadCheckIn("2.2", "-5%", None, "churn fell")),
        ("KR 4.1: not done at risk", ThreadCheckIn("4.1", "not done", "at_risk", None)),
    ],
)
def test_check_in_replies_are_read(text, expected):
    assert parse_checkin_reply(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "thanks, looks good",
        "drop weakness 3",
        "KR 2.3",
        "KR 2.3:  ",
        "KR 2: 40%",
        "what about KR 2.3: 4%?",
    ],
)
def test_other_replies_are_not_check_ins(text):
    assert parse_checkin_reply(text) is None

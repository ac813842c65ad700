"""A draft's thread: chatter gets no reply, a bad reference a clear refusal, long text a short quote."""

from __future__ import annotations

import time

import pytest

from handlers.thread_replies import is_chatter, short_quotes
from tests.fakes.slack_api import Call, FakeSlack
from tests.slack.test_threads_and_buttons import new_channel, post_swot, thread_reply
from tests.slack_requests import SlackSender


@pytest.mark.parametrize(
    ("text", "chatter"),
    [
        ("thanks, looks good to me!", True),
        ("lgtm :+1:", True),
        ("Great work, thank you 🙏", True),
        ("thanks! now drop weakness 2", False),
        ("make it sound more upbeat", False),
        ("what are the open threats?", False),
    ],
)
def test_chatter_is_told_from_instructions(text: str, chatter: bool) -> None:
    assert is_chatter(text) is chatter


def test_long_quotes_are_cut() -> None:
    note = short_quotes(f"Not done: “{'very ' * 8000}” — needs a language model.")
    assert len(note) < 400 and "…”" in note and note.endswith("needs a language model.")


def replies(fake: FakeSlack, root: str) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == root]


def test_thread_answers_what_it_understands(sender: SlackSender, fake: FakeSlack) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    before = len(replies(fake, root))
    said = iter(range(1, 100))

    def say(text: str) -> None:
        n = next(said)
        thread_reply(
            sender,
            channel=channel,
            thread_ts=root,
            text=text,
            ts=f"1767710{n:03d}.000100",
            event_id=f"Ev0DT{n:05d}",
        )

    say("thanks, looks good to me!")
    say("drop weakness 99")
    [refusal] = fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == root and "weakness 99" in c.params.get("text", ""),
    )
    text = refusal.params["text"]
    assert "There is no weakness 99" in text and "Weaknesses has" in text
    assert "Nothing was changed" in text and "language model" not in text

    say("please rewrite this " + "very " * 8000 + "carefully")
    [echo] = fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == root and "very very" in c.params.get("text", ""),
    )
    assert len(echo.params["text"]) <= 3000
    time.sleep(1.0)  # the chatter's job ran long before; give a stray reply time to show
    texts = [c.params["text"] for c in replies(fake, root)[before:]]
    assert len(texts) == 2, texts  # the refusal and the short echo: nothing for "thanks"
    assert not [
        c
        for c in fake.calls_to("chat.postMessage")
        if "(version 2)" in c.params["text"] and c.params.get("thread_ts") == root
    ]

"""User text the bot repeats never becomes a live mention in the bot's own messages."""

from __future__ import annotations

import json
import re

from drafting.draft import Draft, Item, Section
from handlers.draft_blocks import build_draft_blocks
from handlers.slack_text import quote, safe_text
from tests.fakes.slack_api import Call, FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_retro_flow import thread_entry, wait_for_row
from tests.slack.test_threads_and_buttons import new_channel, post_swot, thread_reply
from tests.slack_requests import SlackSender

# What Slack turns into a notification or a link when the bot posts it.
LIVE = re.compile(r"<(?:!channel|!here|!everyone|!subteam\^|@U0STRANGER|#C0SECRET)")
HOSTILE = "<!channel> <!here> <!everyone> <!subteam^S0ENG|@eng> <@U0STRANGER> <#C0SECRET|secret>"


def assert_inert(call: Call) -> None:
    """Nothing the bot sent in this call (text, blocks, anything) pings anyone."""
    sent = json.dumps(call.params, ensure_ascii=False)
    assert not LIVE.search(sent), sent


def test_safe_text_makes_every_mention_inert_and_keeps_it_readable() -> None:
    out = safe_text(HOSTILE + " a &amp; b &lt;3 <https://x.example|click>")
    assert not LIVE.search(out)
    assert "@channel" in out and "@here" in out and "@everyone" in out and "@eng" in out
    assert "#secret" in out and "@U0STRANGER" in out
    # Slack's own escapes are decoded once, never doubled.
    assert "a &amp; b &lt;3" in out and "&amp;amp;" not in out
    assert "click (https://x.example)" in out
    assert quote("x" * 5000, 100).endswith("…") and len(quote("x" * 5000, 100)) == 100


def test_draft_items_quoting_knowledge_are_inert() -> None:
    item = Item(label="Risk", text=f"{HOSTILE} churn is up", sources=[])
    draft = Draft(
        kind="swot",
        subject="<!here> payments",
        engine="offline",
        sections=[Section(key="threats", title="Threats", items=[item])],
    )
    blocks = build_draft_blocks(draft, draft_id=None, version=1)
    assert not LIVE.search(json.dumps(blocks)), blocks


def test_swot_subject_is_not_a_live_mention(sender: SlackSender, fake: FakeSlack) -> None:
    channel = new_channel()
    resp = sender.command("/swot", "<!here> roadmap", channel_id=channel)
    assert "<!here>" not in resp.text and "@here" in resp.text
    [post] = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == channel)
    assert_inert(post)


def test_thread_reply_echoed_in_a_note_is_inert(sender: SlackSender, fake: FakeSlack) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    thread_reply(
        sender,
        channel=channel,
        thread_ts=root,
        text=f"{HOSTILE} rewrite everything in a cheerful voice",
        ts="1767700500.000100",
        event_id="Ev0SAFE0001",
    )
    [answer] = fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root)
    assert_inert(answer)


def test_retro_title_and_entries_are_inert(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    channel = "C0RETRO001"
    sender.command("/retro", "<!channel> retro", channel_id=channel)
    [prompt] = fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("channel") == channel and "@channel" in c.params.get("text", ""),
    )
    assert_inert(prompt)
    prompt_ts = prompt.response["ts"]
    wait_for_row(seeded_app, "SELECT 1 FROM retros WHERE prompt_ts = ?", prompt_ts)
    thread_entry(
        sender,
        prompt_ts=prompt_ts,
        text=f"+ {HOSTILE} shipped the release early",
        ts="1767900001.000100",
        user="U0LEAD001",
    )
    fake.wait_for("reactions.add", lambda c: c.params.get("timestamp") == "1767900001.000100")
    sender.command("/retro", "close", channel_id=channel)
    [synthesis] = fake.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == prompt_ts
    )
    assert "shipped the release early" in json.dumps(synthesis.params)
    assert_inert(synthesis)
    [closed] = fake.wait_for("chat.update", lambda c: c.params.get("ts") == prompt_ts)
    assert_inert(closed)

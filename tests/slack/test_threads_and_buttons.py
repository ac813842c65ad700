"""Refining a posted draft: thread replies make new versions, and every button does its job."""

from __future__ import annotations

import copy
import itertools
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.slack_api import Call, FakeSlack
from tests.slack.test_slash_drafts import block_texts, in_channel
from tests.slack_requests import SlackSender, payload

_channels = itertools.count(1)


def new_channel() -> str:
    return f"C0THR{next(_channels):04d}"


def post_swot(sender: SlackSender, fake: FakeSlack, channel: str, subject: str) -> Call:
    sender.command("/swot", subject, channel_id=channel)
    [post] = fake.wait_for("chat.postMessage", in_channel(channel, f"SWOT for {subject}"))
    assert post.response is not None
    assert sender.db is not None
    wait_recorded(sender.db, post.response["ts"])
    return post


def wait_recorded(db: Path, message_ts: str, timeout: float = 60) -> None:
    """The app saves the version right after Slack answers; a person can't reply faster."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with sqlite3.connect(db) as conn:
            if conn.execute(
                "SELECT 1 FROM draft_versions WHERE message_ts = ?", (message_ts,)
            ).fetchone():
                return
        time.sleep(0.05)
    raise AssertionError(f"version for {message_ts} never recorded")


def click(
    sender: SlackSender,
    *,
    channel: str,
    message_ts: str,
    action: dict[str, Any],
    thread_ts: str | None = None,
) -> None:
    body = payload("interactive_block_actions")
    body["container"].update({"channel_id": channel, "message_ts": message_ts})
    body["channel"]["id"] = channel
    body["message"]["ts"] = message_ts
    if thread_ts:
        body["message"]["thread_ts"] = thread_ts
    body["actions"] = [action]
    assert sender.interactive(body).status_code == 200


def button(action_id: str) -> dict[str, Any]:
    return {
        "action_id": action_id,
        "block_id": "draft_actions",
        "type": "button",
        "value": "swot",
        "action_ts": "1767609700.512300",
    }


def thread_reply(
    sender: SlackSender, *, channel: str, thread_ts: str, text: str, ts: str, event_id: str
) -> None:
    body = payload("event_message_thread_reply", event_id=event_id)
    body["event"].update(
        {"channel": channel, "thread_ts": thread_ts, "text": text, "ts": ts, "event_ts": ts}
    )
    assert sender.event(body).status_code == 200


def test_thread_reply_posts_version_2_and_updates_the_board(
    sender: SlackSender, fake: FakeSlack
) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    thread_reply(
        sender,
        channel=channel,
        thread_ts=root,
        text="drop weakness 2",
        ts="1767700000.000100",
        event_id="Ev0THREAD01",
    )
    [v2] = fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == root and "(version 2)" in c.params.get("text", ""),
    )
    assert "version 2" in block_texts(v2.params["blocks"])
    [update] = fake.wait_for("chat.update", lambda c: c.params.get("ts") == root)
    assert "version 2" in block_texts(update.params["blocks"])
    before = board.params["blocks"]
    assert block_texts(before) != block_texts(v2.params["blocks"])


def test_free_form_instruction_offline_says_it_needs_an_llm(
    sender: SlackSender, fake: FakeSlack
) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    thread_reply(
        sender,
        channel=channel,
        thread_ts=root,
        text="make it sound more upbeat",
        ts="1767700001.000100",
        event_id="Ev0THREAD02",
    )
    [answer] = fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root)
    assert "LLM" in answer.params["text"] or "language model" in answer.params["text"]


def test_regenerate_section_from_the_menu(sender: SlackSender, fake: FakeSlack) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    select = copy.deepcopy(payload("interactive_static_select")["actions"][0])
    select["action_id"] = "draft_regenerate_section"
    click(sender, channel=channel, message_ts=root, action=select)
    [v2] = fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root)
    assert "Regenerated Threats" in block_texts(v2.params["blocks"])


def test_save_final_marks_the_board_and_feeds_the_knowledge_base(
    sender: SlackSender, fake: FakeSlack
) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Save Final Co")
    root = board.response["ts"]
    click(sender, channel=channel, message_ts=root, action=button("draft_save_final"))
    [note] = fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("thread_ts") == root
            and "saved version 1 as final" in c.params.get("text", "")
        ),
    )
    [update] = fake.wait_for("chat.update", lambda c: c.params.get("ts") == root)
    assert "Saved as final" in block_texts(update.params["blocks"])
    assert note.params["channel"] == channel


def test_publish_as_canvas_posts_the_link(sender: SlackSender, fake: FakeSlack) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    click(sender, channel=channel, message_ts=root, action=button("draft_publish_canvas"))
    [canvas] = fake.wait_for("canvases.create", lambda c: "Larkspur" in c.params.get("title", ""))
    content = canvas.params["document_content"]
    content = content if isinstance(content, dict) else __import__("json").loads(content)
    assert content["type"] == "markdown" and "## Strengths" in content["markdown"]
    fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == root and "canvas" in c.params.get("text", ""),
    )


def test_export_markdown_uploads_a_file(sender: SlackSender, fake: FakeSlack) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Export Co")
    root = board.response["ts"]
    click(sender, channel=channel, message_ts=root, action=button("draft_export_markdown"))
    # The draft's picture is uploaded into the same thread at about the same time: pick the export.
    [done] = fake.wait_for(
        "files.completeUploadExternal",
        lambda c: (
            c.params.get("channel_id") == channel
            and "Markdown export" in str(c.params.get("initial_comment"))
        ),
    )
    assert done.params.get("thread_ts") == root
    file_id = done.params["files"][0]["id"]
    assert b"Strengths" in fake.uploads[file_id]


@pytest.mark.parametrize(
    "action_id,mark", [("draft_feedback_up", "👍 1"), ("draft_feedback_down", "👎 1")]
)
def test_feedback_is_stored_and_counted(
    sender: SlackSender, fake: FakeSlack, action_id: str, mark: str
) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    click(sender, channel=channel, message_ts=root, action=button(action_id))
    [thanks] = fake.wait_for("chat.postEphemeral", lambda c: c.params.get("channel") == channel)
    assert mark in thanks.params["text"]
    # Voting again changes the vote instead of adding one.
    click(sender, channel=channel, message_ts=root, action=button(action_id))
    calls = fake.wait_for(
        "chat.postEphemeral", lambda c: c.params.get("channel") == channel, count=2
    )
    assert mark in calls[-1].params["text"]

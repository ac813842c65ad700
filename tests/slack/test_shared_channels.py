"""Slack Connect: in a channel shared with another organisation, only the owning workspace's
members act on its drafts and retros; others are told why and nothing changes."""

from __future__ import annotations

import sqlite3
from typing import Any

from handlers.authorization import REFUSAL
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_threads_and_buttons import button, new_channel, post_swot
from tests.slack_requests import SlackSender, payload

OTHER_ORG_TEAM = "T0OTHERORG"


def foreign_click(sender: SlackSender, *, channel: str, message_ts: str, action_id: str) -> int:
    """A click whose payload names this workspace as owner (`team.id`) but a user of another."""
    body = payload("interactive_block_actions")
    body["container"].update({"channel_id": channel, "message_ts": message_ts})
    body["channel"]["id"] = channel
    body["message"]["ts"] = message_ts
    body["user"].update({"id": "U0GUEST01", "team_id": OTHER_ORG_TEAM})
    body["actions"] = [button(action_id)]
    return sender.interactive(body).status_code


def rows(sender: SlackSender, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    assert sender.db is not None
    with sqlite3.connect(sender.db) as conn:
        return conn.execute(sql, args).fetchall()


def test_another_organisations_user_cannot_save_a_draft_as_final(
    sender: SlackSender, fake: FakeSlack, seeded_app: InProcessApp
) -> None:
    channel = new_channel()
    root = post_swot(sender, fake, channel, "Shared Channel Co").response["ts"]
    documents_before = rows(sender, "SELECT id FROM kb_documents")

    assert foreign_click(sender, channel=channel, message_ts=root, action_id="draft_save_final")
    [refusal] = fake.wait_for(
        "chat.postEphemeral",
        lambda c: c.params.get("channel") == channel and c.params.get("user") == "U0GUEST01",
    )
    assert refusal.params["text"] == REFUSAL
    seeded_app.wait_idle()  # a wrongly queued job would have run by now
    final = "SELECT COUNT(*) FROM draft_versions WHERE is_final AND thread_ts = ?"
    assert rows(sender, final, root) == [(0,)]
    assert rows(sender, "SELECT id FROM kb_documents") == documents_before
    assert not [c for c in fake.calls_to("chat.update") if c.params.get("ts") == root]


def test_another_organisations_vote_is_not_stored(
    sender: SlackSender, fake: FakeSlack, seeded_app: InProcessApp
) -> None:
    channel = new_channel()
    root = post_swot(sender, fake, channel, "Shared Vote Co").response["ts"]
    assert foreign_click(sender, channel=channel, message_ts=root, action_id="draft_feedback_up")
    fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == "U0GUEST01")
    seeded_app.wait_idle()
    assert rows(sender, "SELECT COUNT(*) FROM draft_feedback WHERE user_id = 'U0GUEST01'") == [(0,)]


def test_another_organisations_thread_reply_does_not_revise_a_draft(
    sender: SlackSender, fake: FakeSlack, seeded_app: InProcessApp
) -> None:
    channel = new_channel()
    root = post_swot(sender, fake, channel, "Shared Thread Co").response["ts"]
    body = payload("event_message_thread_reply", event_id="Ev0SHARED01")
    body["event"].update(
        {
            "channel": channel,
            "thread_ts": root,
            "text": "drop weakness 1",
            "ts": "1767609999.000100",
            "event_ts": "1767609999.000100",
            "user": "U0GUEST01",
            "user_team": OTHER_ORG_TEAM,
        }
    )
    body["is_ext_shared_channel"] = True
    assert sender.event(body).status_code == 200
    seeded_app.wait_idle()
    assert rows(sender, "SELECT COUNT(*) FROM thread_messages WHERE user_id = 'U0GUEST01'") == [
        (0,)
    ]
    assert rows(sender, "SELECT MAX(version) FROM draft_versions WHERE thread_ts = ?", root) == [
        (1,)
    ]


def test_the_owning_workspaces_own_member_still_can(sender: SlackSender, fake: FakeSlack) -> None:
    channel = new_channel()
    root = post_swot(sender, fake, channel, "Own Member Co").response["ts"]
    body = payload("interactive_block_actions")
    body["container"].update({"channel_id": channel, "message_ts": root})
    body["channel"]["id"] = channel
    body["message"]["ts"] = root
    body["actions"] = [button("draft_feedback_up")]
    assert sender.interactive(body).status_code == 200
    [thanks] = fake.wait_for("chat.postEphemeral", lambda c: c.params.get("channel") == channel)
    assert thanks.params["text"] != REFUSAL

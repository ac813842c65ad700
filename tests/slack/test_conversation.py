"""Mentions, DMs, the agent view and Slack's delivery rules, through the served app."""

from __future__ import annotations

import copy

from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack_requests import SlackSender, payload


def test_mention_drafts_in_the_thread(sender: SlackSender, fake: FakeSlack) -> None:
    body = payload("event_app_mention", event_id="Ev0MENTION1")
    body["event"]["channel"] = "C0MENTION1"
    assert sender.event(body).status_code == 200
    mention_ts = body["event"]["ts"]
    post = fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("channel") == "C0MENTION1"
            and c.params.get("thread_ts") == mention_ts
            and "SWOT for Q3 launch plan" in c.params.get("text", "")
        ),
    )[0]
    assert any(b["type"] == "actions" for b in post.params["blocks"])


def test_dm_drafts_an_okr_plan(sender: SlackSender, fake: FakeSlack) -> None:
    body = payload("event_message_im", event_id="Ev0DM000001")
    body["event"]["text"] = "okr for Project Kestrel"
    assert sender.event(body).status_code == 200
    fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("channel") == "D0DMLEAD01"
            and c.params.get("thread_ts") == body["event"]["ts"]
            and "OKR plan for Project Kestrel" in c.params.get("text", "")
        ),
    )


def test_unclear_dm_gets_one_short_question(sender: SlackSender, fake: FakeSlack) -> None:
    body = payload("event_message_im", event_id="Ev0DM000002")
    body["event"].update({"text": "hello there", "ts": "1767609341.000001"})
    sender.event(body)
    answer = fake.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == "1767609341.000001"
    )[0]
    assert "SWOT" in answer.params["text"] and "?" in answer.params["text"]


def test_agent_view_thread_start_offers_suggested_prompts(
    sender: SlackSender, fake: FakeSlack
) -> None:
    body = payload("event_assistant_thread_started", event_id="Ev0ASSIST01")
    assert sender.event(body).status_code == 200
    prompts = fake.wait_for("assistant.threads.setSuggestedPrompts")[0]
    titles = str(prompts.params["prompts"])
    assert "Draft a SWOT" in titles and "Turn our last SWOT into OKRs" in titles
    assert prompts.params["thread_ts"] == body["event"]["assistant_thread"]["thread_ts"]


def test_agent_view_message_sets_status_and_drafts(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    thread_ts = "1767609500.331100"
    body = payload("event_message_im", event_id="Ev0ASSIST02")
    body["event"].update(
        {"text": "Draft a SWOT for our team", "ts": "1767609510.000001", "thread_ts": thread_ts}
    )
    sender.event(body)
    fake.wait_for(
        "assistant.threads.setStatus",
        lambda c: c.params.get("thread_ts") == thread_ts and c.params.get("status"),
    )
    fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("thread_ts") == thread_ts
            and "SWOT for our team" in c.params.get("text", "")
        ),
    )
    # Handled once: by the assistant listener, not also by the plain DM listener.
    seeded_app.wait_idle()
    drafts = [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == thread_ts
        and "SWOT for our team" in c.params.get("text", "")
    ]
    assert len(drafts) == 1


def test_same_event_delivered_three_times_gives_one_reply(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    body = payload("event_app_mention", event_id="Ev0TRIPLE01")
    body["event"].update({"channel": "C0TRIPLE01", "text": "<@U0BOT0001> swot for Triple Co"})
    for retry in (None, 1, 2):
        assert sender.event(copy.deepcopy(body), retry_num=retry).status_code == 200
    fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0TRIPLE01")
    seeded_app.wait_idle()  # any duplicate has shown up by now
    assert (
        len(
            [
                c
                for c in fake.calls_to("chat.postMessage")
                if c.params.get("channel") == "C0TRIPLE01"
            ]
        )
        == 1
    )


def test_own_messages_and_edits_are_ignored(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    before = len(fake.calls)
    for name, event_id in (
        ("event_message_bot", "Ev0BOTMSG01"),
        ("event_message_changed", "Ev0EDIT0001"),
    ):
        assert sender.event(payload(name, event_id=event_id)).status_code == 200
    seeded_app.wait_idle()  # whatever the events started has finished
    assert [c.method for c in fake.calls[before:] if c.method.startswith("chat.")] == []


def test_slack_error_after_ack_reaches_the_user_with_retry(
    sender: SlackSender, fake: FakeSlack
) -> None:
    fake.fail("chat.postMessage", 200, times=1, body={"ok": False, "error": "channel_not_found"})
    sender.command("/swot", "Broken Channel Co", channel_id="C0BROKEN01")
    note = fake.wait_for("chat.postEphemeral", lambda c: c.params.get("channel") == "C0BROKEN01")[0]
    assert "channel_not_found" in note.params["text"]
    retry = [e for b in note.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert retry and retry[0]["action_id"] == "draft_retry_request"
    # Nothing was lost: Retry drafts the stored request.
    click = payload("interactive_block_actions")
    click["channel"]["id"] = "C0BROKEN01"
    click["container"].update({"channel_id": "C0BROKEN01", "message_ts": "1767609999.000001"})
    click["actions"] = [{**retry[0], "action_ts": "1767610000.000001"}]
    assert sender.interactive(click).status_code == 200
    fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("channel") == "C0BROKEN01"
            and c.status == 200
            and "SWOT for Broken Channel Co" in c.params.get("text", "")
        ),
    )

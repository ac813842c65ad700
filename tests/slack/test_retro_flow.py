"""A whole retro through the served app: open, modal and thread entries, close, carry-over."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_slash_drafts import block_texts
from tests.slack_requests import SlackSender, payload

CHANNEL = "C0RETRO001"
LEAD, DEV = "U0LEAD001", "U0DEV0002"


def modal_entry(
    sender: SlackSender,
    *,
    retro_id: int,
    section: str,
    text: str,
    user: str,
    anonymous: bool,
    view_id: str,
) -> None:
    body = payload("interactive_view_submission")
    body["user"]["id"] = user
    view = body["view"]
    view.update(
        {
            "id": view_id,
            "callback_id": "retro_entry_modal",
            "private_metadata": json.dumps({"r": retro_id, "s": section}),
        }
    )
    view["state"]["values"] = {
        "retro_entry_block": {"retro_entry_input": {"type": "plain_text_input", "value": text}},
        "retro_anon_block": {
            "retro_anon_input": {
                "type": "checkboxes",
                "selected_options": [
                    {
                        "text": {"type": "plain_text", "text": "Post anonymously"},
                        "value": "anonymous",
                    }
                ]
                if anonymous
                else [],
            }
        },
    }
    resp = sender.interactive(body)
    assert resp.status_code == 200 and "errors" not in resp.text


def wait_for_row(app: InProcessApp, sql: str, *args: str, timeout: float = 60) -> None:
    """The app records the prompt's ts right after Slack answers; people reply later than that."""
    db = Path(app.env["DATA_DIR"]) / "alignbot.db"
    deadline = time.time() + timeout
    while time.time() < deadline:
        with sqlite3.connect(db) as conn:
            if conn.execute(sql, args).fetchone():
                return
        time.sleep(0.05)
    raise AssertionError(f"no row for {sql} {args}")


def thread_entry(sender: SlackSender, *, prompt_ts: str, text: str, ts: str, user: str) -> None:
    body = payload("event_message_thread_reply", event_id=f"Ev0R{ts.replace('.', '')}")
    body["event"].update(
        {
            "channel": CHANNEL,
            "thread_ts": prompt_ts,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "user": user,
        }
    )
    assert sender.event(body).status_code == 200


def test_retro_from_open_to_carried_action_items(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    resp = sender.command("/retro", "Sprint 42", channel_id=CHANNEL)
    assert resp.status_code == 200 and "Opening a retro" in resp.text
    prompt = fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("channel") == CHANNEL and "Retro: Sprint 42" in c.params.get("text", "")
        ),
    )[0]
    prompt_ts = prompt.response["ts"]
    wait_for_row(seeded_app, "SELECT 1 FROM retros WHERE prompt_ts = ?", prompt_ts)
    buttons = [e for b in prompt.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    add_buttons = [b for b in buttons if b["action_id"].startswith("retro_add_entry:")]
    assert len(add_buttons) == 4 and any(b["action_id"] == "retro_close" for b in buttons)
    retro_id = json.loads(add_buttons[0]["value"])["r"]

    modal_entry(
        sender,
        retro_id=retro_id,
        section="went_well",
        text="Release went out two days early",
        user=LEAD,
        anonymous=False,
        view_id="V0RETRO1",
    )
    modal_entry(
        sender,
        retro_id=retro_id,
        section="not_so_well",
        text="Standups ran 25 minutes over",
        user=DEV,
        anonymous=True,
        view_id="V0RETRO2",
    )
    thread_entry(
        sender,
        prompt_ts=prompt_ts,
        text="+ The release went out early",
        ts="1767800001.000100",
        user=DEV,
    )
    thread_entry(
        sender,
        prompt_ts=prompt_ts,
        text=f"! <@{DEV}> automate the changelog",
        ts="1767800002.000100",
        user=LEAD,
    )
    thread_entry(
        sender,
        prompt_ts=prompt_ts,
        text="pairing on reviews helped a lot",
        ts="1767800003.000100",
        user=DEV,
    )
    for ts in ("1767800001.000100", "1767800002.000100"):
        fake.wait_for(
            "reactions.add",
            lambda c, ts=ts: (
                c.params.get("timestamp") == ts and c.params.get("name") == "white_check_mark"
            ),
        )
    # A reply with no prefix is conversation: no ✅, not stored, and the thread hears how once.
    fake.wait_for(
        "chat.postEphemeral",
        lambda c: c.params.get("thread_ts") == prompt_ts and "prefix" in c.params.get("text", ""),
    )
    assert not [
        c for c in fake.calls_to("reactions.add") if c.params["timestamp"].endswith("3.000100")
    ]

    sender.command("/retro", "close", channel_id=CHANNEL)
    synthesis = fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("thread_ts") == prompt_ts
            and "synthesis" in c.params.get("text", "").lower()
        ),
    )[0]
    text = block_texts(synthesis.params["blocks"])
    assert "Went Well" in text and "Action Items" in text
    assert "changelog" in text.lower()
    fake.wait_for(
        "chat.update",
        lambda c: c.params.get("ts") == prompt_ts and "closed" in c.params.get("text", "").lower(),
    )

    # The anonymous entry's author is stored nowhere and logged nowhere.
    db = Path(seeded_app.env["DATA_DIR"]) / "alignbot.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT text, author FROM retro_entries ORDER BY id").fetchall()
    assert ("Standups ran 25 minutes over", None) in rows
    assert ("Release went out two days early", LEAD) in rows
    assert len(rows) == 4
    assert DEV not in seeded_app.logs()

    # The next retro in the channel shows the open action item with Done / Still open.
    sender.command("/retro", "Sprint 43", channel_id=CHANNEL)
    nxt = fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("channel") == CHANNEL and "Retro: Sprint 43" in c.params.get("text", "")
        ),
    )[0]
    text = block_texts(nxt.params["blocks"])
    assert "Open action items from last time" in text and "changelog" in text.lower()
    ids = [
        e["action_id"]
        for b in nxt.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert "retro_action_done" in ids and "retro_action_open" in ids


def test_empty_retro_closes_with_no_entries(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    sender.command("/retro", "Quiet week", channel_id="C0RETRO002")
    prompt = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0RETRO002")[0]
    wait_for_row(seeded_app, "SELECT 1 FROM retros WHERE prompt_ts = ?", prompt.response["ts"])
    sender.command("/retro", "close", channel_id="C0RETRO002")
    note = fake.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == prompt.response["ts"]
    )[0]
    assert "No entries" in note.params["text"]


def test_bad_schedule_creates_nothing_and_shows_examples(
    sender: SlackSender, fake: FakeSlack
) -> None:
    sender.command("/retro", "schedule whenever you like", channel_id="C0PLAN001")
    note = fake.wait_for(
        "chat.postEphemeral", lambda c: "Nothing was scheduled" in c.params.get("text", "")
    )[0]
    assert "weekly on friday at 15:00" in note.params["text"]
    assert (
        "No retro schedules" in sender.command("/retro", "schedules", channel_id="C0PLAN001").text
    )


def test_schedule_shows_next_three_in_the_users_timezone(
    sender: SlackSender, fake: FakeSlack
) -> None:
    sender.command(
        "/retro", "schedule weekly on friday at 15:00 window 2h nudge 30m", channel_id="C0PLAN001"
    )
    note = fake.wait_for("chat.postEphemeral", lambda c: "Scheduled:" in c.params.get("text", ""))[
        0
    ]
    assert note.params["text"].count("<!date^") == 3
    assert "Europe/Berlin" in note.params["text"]
    listing = sender.command("/retro", "schedules", channel_id="C0PLAN001").text
    assert "weekly" in listing.lower()


def test_schedule_refused_when_bot_is_not_in_channel(sender: SlackSender, fake: FakeSlack) -> None:
    sender.command(
        "/retro",
        "schedule weekly on monday at 10:00 in <#C0NOTIN01|secret>",
        channel_id="C0PLAN001",
    )
    note = fake.wait_for("chat.postEphemeral", lambda c: "C0NOTIN01" in c.params.get("text", ""))[0]
    assert "/invite" in note.params["text"]


def test_retro_thread_takes_only_prefixed_entries_and_hints_once(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    channel = "C0RETRO003"
    sender.command("/retro", "Chatty week", channel_id=channel)
    prompt = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == channel)[0]
    prompt_ts = prompt.response["ts"]
    wait_for_row(seeded_app, "SELECT 1 FROM retros WHERE prompt_ts = ?", prompt_ts)
    replies = [
        ("just chatting, no prefix", "1767810001.000100"),
        ("+", "1767810002.000100"),
        ("another aside", "1767810003.000100"),
        ("- the build broke twice", "1767810004.000100"),
    ]
    for text, ts in replies:
        body = payload("event_message_thread_reply", event_id=f"Ev0C{ts.replace('.', '')}")
        body["event"].update(
            {"channel": channel, "thread_ts": prompt_ts, "text": text, "ts": ts, "user": DEV}
        )
        assert sender.event(body).status_code == 200
    fake.wait_for("reactions.add", lambda c: c.params.get("timestamp") == "1767810004.000100")
    for words in ("start with a prefix", "needs some text"):
        fake.wait_for(
            "chat.postEphemeral",
            lambda c, w=words: c.params.get("channel") == channel and w in c.params["text"],
        )
    in_thread = [
        c for c in fake.calls_to("chat.postEphemeral") if c.params.get("channel") == channel
    ]
    hints = [c for c in in_thread if "start with a prefix" in c.params["text"]]
    assert len(hints) == 1, [c.params["text"] for c in in_thread]
    assert any("needs some text" in c.params["text"] for c in in_thread)  # the bare "+"
    reacted = {c.params["timestamp"] for c in fake.calls_to("reactions.add")}
    assert reacted.isdisjoint({"1767810001.000100", "1767810002.000100", "1767810003.000100"})
    db = Path(seeded_app.env["DATA_DIR"]) / "alignbot.db"
    with sqlite3.connect(db) as conn:
        texts = [
            r[0]
            for r in conn.execute(
                "SELECT text FROM retro_entries e JOIN retros r ON r.id = e.retro_id WHERE r.channel_id = ?",
                (channel,),
            )
        ]
    assert texts == ["the build broke twice"]


def test_a_prompt_that_cannot_be_posted_opens_nothing_and_offers_retry(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    channel = "C0RETRYNO1"

    def not_in_channel(p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel") == channel:
            return {"ok": False, "error": "not_in_channel"}
        return {"ok": True, "channel": p.get("channel"), "ts": f"{time.time():.6f}"}

    fake.override("chat.postMessage", not_in_channel)
    try:
        sender.command("/retro", "Launch week", channel_id=channel)
        [note] = fake.wait_for(
            "chat.postEphemeral",
            lambda c: (
                c.params.get("channel") == channel and "no retro was opened" in c.params["text"]
            ),
        )
    finally:
        fake.end_override("chat.postMessage")
    seeded_app.wait_idle()
    with sqlite3.connect(seeded_app.db_path) as conn:
        assert conn.execute(
            "SELECT COUNT(*) FROM retros WHERE channel_id = ?", (channel,)
        ).fetchone() == (0,)
    blocks = note.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert "/invite" in block_texts(blocks)
    [retry] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]

    body = payload("interactive_block_actions")
    body["container"].update({"channel_id": channel, "message_ts": "1767609999.000001"})
    body["channel"]["id"] = channel
    body["actions"] = [{**retry, "block_id": "retro_open_failed", "action_ts": "1767609999.1"}]
    assert sender.interactive(body).status_code == 200
    [prompt] = fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("channel") == channel and bool((c.response or {}).get("ok")),
    )
    assert "Launch week" in prompt.params["text"]
    wait_for_row(seeded_app, "SELECT 1 FROM retros WHERE prompt_ts = ?", prompt.response["ts"])


def test_the_same_schedule_twice_is_refused(sender: SlackSender, fake: FakeSlack) -> None:
    text = 'schedule weekly on tuesday at 09:30 window 1h title "Twice"'
    sender.command("/retro", text, channel_id="C0PLAN001")
    fake.wait_for("chat.postEphemeral", lambda c: "Twice" in c.params.get("text", ""))
    sender.command("/retro", text, channel_id="C0PLAN001")
    [refusal] = fake.wait_for(
        "chat.postEphemeral", lambda c: "already has that schedule" in c.params.get("text", "")
    )
    assert "nothing was added" in refusal.params["text"]
    listing = sender.command("/retro", "schedules", channel_id="C0PLAN001").text
    assert listing.count("Twice") == 1

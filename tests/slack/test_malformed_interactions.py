"""Signed but malformed interactions get a clear answer, change nothing and log no traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_threads_and_buttons import click, new_channel, post_swot
from tests.slack_requests import SlackSender, payload


def action(action_id: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "action_id": action_id,
        "block_id": "b",
        "type": "button",
        "value": value,
        "action_ts": "1767609700.512300",
        **extra,
    }


def told(fake: FakeSlack, channel: str, words: str) -> str:
    [note] = fake.wait_for(
        "chat.postEphemeral",
        lambda c: c.params.get("channel") == channel and words in c.params.get("text", ""),
        timeout=30,
    )
    return str(note.params["text"])


def no_traceback(app: InProcessApp) -> None:
    assert "Traceback" not in app.logs()


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        ("retro_add_entry:went_well", "{oops"),
        ("retro_add_entry", json.dumps({"r": 1, "s": "gossip"})),
        ("retro_action_done", "abc"),
        ("retro_action_open", "-3"),
        ("retro_close", "9" * 400),
        ("draft_retry_request", "null"),
        ("no_such_button", "whatever"),
    ],
)
def test_bad_button_values_get_an_ephemeral_and_change_nothing(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack, action_id: str, value: str
) -> None:
    channel = new_channel()
    click(sender, channel=channel, message_ts="1767609013.000100", action=action(action_id, value))
    assert "nothing was changed" in told(fake, channel, "couldn't read")
    assert not fake.calls_to("views.open")
    no_traceback(seeded_app)


def _submission(callback_id: str, metadata: str) -> dict[str, Any]:
    body = payload("interactive_view_submission")
    view = body["view"]
    view.update({"callback_id": callback_id, "private_metadata": metadata})
    view["blocks"] = [{"type": "input", "block_id": "retro_entry_block", "label": {}}]
    view["state"]["values"] = {
        "retro_entry_block": {"retro_entry_input": {"type": "plain_text_input", "value": "hi"}}
    }
    return body


@pytest.mark.parametrize("metadata", ["not json", "[]", '{"r": "x", "s": "went_well"}', ""])
def test_retro_entry_modal_with_bad_metadata_gets_field_errors(
    seeded_app: InProcessApp, sender: SlackSender, metadata: str
) -> None:
    resp = sender.interactive(_submission("retro_entry_modal", metadata))
    assert resp.status_code == 200
    answer = resp.json()
    assert answer["response_action"] == "errors"
    assert "couldn't read" in answer["errors"]["retro_entry_block"]
    no_traceback(seeded_app)


def test_unknown_view_submission_gets_a_clean_modal(
    seeded_app: InProcessApp, sender: SlackSender
) -> None:
    resp = sender.interactive(payload("interactive_view_submission"))  # swot_create_modal
    assert resp.status_code == 200
    answer = resp.json()
    assert answer["response_action"] == "update"
    assert "older version of alignbot" in json.dumps(answer["view"])
    no_traceback(seeded_app)


def test_regenerate_bogus_section_says_which_exist(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    for value in ("bogus", "DROP TABLE; --"):
        select = {
            "action_id": "draft_regenerate_section",
            "block_id": "draft_actions",
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
            "action_ts": "1767609700.512300",
        }
        click(sender, channel=channel, message_ts=root, action=select)
    note = told(fake, channel, "no section “bogus”")
    assert "strengths" in note and "Nothing was changed" in note
    told(fake, channel, "couldn't read")
    versions = [c for c in fake.calls_to("chat.postMessage") if "(version 2)" in c.params["text"]]
    assert not versions
    assert "Something went wrong" not in json.dumps([c.params for c in fake.calls])
    no_traceback(seeded_app)

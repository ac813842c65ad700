"""The fake Slack refuses what Slack refuses, so a lenient fake never hides a bug."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.block_kit import Refused, check_call
from tests.fakes.slack_api import FakeSlack


def _button(action_id: str, text: str = "Go", value: str = "v") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": value,
    }


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


BAD_MESSAGES: dict[str, dict[str, Any]] = {
    "duplicate action_id": {
        "blocks": [{"type": "actions", "elements": [_button("a"), _button("a")]}],
    },
    "duplicate block_id": {
        "blocks": [{**_section("x"), "block_id": "b"}, {**_section("y"), "block_id": "b"}],
    },
    "51 blocks": {"blocks": [_section("x")] * 51},
    "section text 3,001": {"blocks": [_section("x" * 3001)]},
    "header 151": {
        "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    },
    "button text 76": {"blocks": [{"type": "actions", "elements": [_button("a", "t" * 76)]}]},
    "button value 2,001": {
        "blocks": [{"type": "actions", "elements": [_button("a", value="v" * 2001)]}]
    },
    "26 elements": {
        "blocks": [{"type": "actions", "elements": [_button(f"a{i}") for i in range(26)]}]
    },
    "unknown field": {"blocks": [{**_section("x"), "colour": "red"}]},
    "empty text": {"blocks": [_section("")]},
    "unknown block type": {"blocks": [{"type": "carousel_of_dreams"}]},
}


@pytest.mark.parametrize("case", sorted(BAD_MESSAGES))
def test_refuses_blocks_slack_refuses(case: str) -> None:
    with pytest.raises(Refused) as refused:
        check_call("chat.postMessage", {"channel": "C1", "text": "t", **BAD_MESSAGES[case]})
    assert refused.value.error == "invalid_blocks"


def test_refuses_text_over_40000_and_views_over_100_blocks() -> None:
    with pytest.raises(Refused) as empty:
        check_call("chat.postMessage", {"channel": "C1", "text": ""})
    assert empty.value.error == "no_text"
    with pytest.raises(Refused) as too_long:
        check_call("chat.postEphemeral", {"channel": "C1", "text": "x" * 40_001})
    assert too_long.value.error == "msg_too_long"
    home = {"type": "home", "blocks": [_section("x")] * 101}
    with pytest.raises(Refused):
        check_call("views.publish", {"user_id": "U1", "view": home})
    check_call(
        "views.publish", {"user_id": "U1", "view": {**home, "blocks": [_section("x")] * 100}}
    )


@pytest.mark.slack_refusals
def test_answers_over_http_like_slack() -> None:
    with FakeSlack() as fake:
        client = WebClient(token="xoxb-t", base_url=fake.api_url)
        blocks = [{"type": "actions", "elements": [_button("same"), _button("same")]}]
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="t", blocks=blocks)
        assert exc.value.response["error"] == "invalid_blocks"
        assert fake.calls_to("chat.postMessage")[0].response == exc.value.response.data
        # A valid message still goes through.
        client.chat_postMessage(channel="C1", text="t", blocks=[_section("fine")])

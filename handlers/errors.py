"""The last word on a listener that failed: malformed input gets a clear answer, never a 500.

Listeners read payloads through handlers/payloads.py, which raises `BadPayload`. A signed
interaction whose shape is wrong in a way no helper anticipated (a missing key, a wrong type)
is answered the same way: the person hears that nothing changed, and the log gets one line,
not a traceback, because nothing in the app is broken. Any other failure is a real fault and
keeps Bolt's behaviour (a logged traceback, a 500).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient

from handlers.payloads import GENERIC, BadPayload
from handlers.replies import post_ephemeral

log = logging.getLogger(__name__)
INTERACTIONS = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}
MALFORMED = (BadPayload, KeyError, TypeError, ValueError, AttributeError, IndexError)
STALE_FORM = "This form is from an older version of alignbot and can't be submitted. Nothing was changed; please start again."


def notice_view(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "alignbot"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def view_refusal(view: dict[str, Any], message: str) -> dict[str, Any]:
    """Field errors on the modal's first input when it has one, else the modal says it."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    for block in blocks if isinstance(blocks, list) else []:
        block = _dict(block)
        block_id = block.get("block_id")
        if block.get("type") == "input" and isinstance(block_id, str) and block_id:
            return {"response_action": "errors", "errors": {block_id: message[:150]}}
    return {"response_action": "update", "view": notice_view(message)}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def tell_user(client: WebClient, body: dict[str, Any], message: str) -> None:
    user, channel, container = (_dict(body.get(key)) for key in ("user", "channel", "container"))
    channel_id = channel.get("id") or container.get("channel_id")
    if isinstance(user.get("id"), str) and isinstance(channel_id, str):
        post_ephemeral(client, channel=channel_id, user=user["id"], text=message)


def register(app: App) -> None:
    @app.error
    def handle_listener_error(
        error: Exception, body: dict[str, Any], client: WebClient
    ) -> BoltResponse | None:
        kind = body.get("type") if isinstance(body, dict) else None
        if not isinstance(error, MALFORMED):
            log.error("listener failed: %s", type(error).__name__, exc_info=error)
            return None
        if kind == "event_callback" or (kind is None and "command" in body):
            # An event or command without what Slack always sends (a message with no ts, a
            # reply with no channel): refused, and nothing was stored.
            log.warning("malformed %s refused: %s", kind or "command", type(error).__name__)
            if kind is None:
                return BoltResponse(status=200, body=GENERIC)
            return BoltResponse(status=400, body="Malformed event.")
        if kind not in INTERACTIONS:
            log.error("listener failed: %s", type(error).__name__, exc_info=error)
            return None
        message = str(error) if isinstance(error, BadPayload) else GENERIC
        log.warning("malformed %s payload refused: %s", kind, type(error).__name__)
        if kind == "view_submission":
            answer = view_refusal(body.get("view") or {}, message)
            return BoltResponse(
                status=200,
                body=json.dumps(answer),
                headers={"content-type": "application/json"},
            )
        tell_user(client, body, message)
        return BoltResponse(status=200, body="")


def register_fallbacks(app: App) -> None:
    """Registered after every other listener: what no listener claims gets a clean answer."""

    @app.view(re.compile(".*"))
    def handle_unknown_view(ack: Ack, body: dict[str, Any]) -> None:
        if body.get("type") == "view_submission":
            log.warning("view_submission with an unknown callback_id refused")
            ack(response_action="update", view=notice_view(STALE_FORM))
        else:
            ack()

    @app.action(re.compile(".*"))
    def handle_unknown_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        log.warning("block action with an unknown action_id refused")
        tell_user(client, body, GENERIC)

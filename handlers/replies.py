"""Small reply helpers shared by listeners: ephemeral notes and user-facing error text."""

from __future__ import annotations

import logging
from typing import Any
from urllib.error import URLError

import httpx
from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from drafting.intent import clean_text

log = logging.getLogger(__name__)

# Slack rejects slash-command text past this length anyway; we say so instead of truncating.
MAX_COMMAND_TEXT = 4000


def post_ephemeral(
    client: WebClient,
    *,
    channel: str,
    user: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
) -> None:
    """Best effort: an ephemeral note must never turn a finished job into a failed one."""
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts
        )
    except SlackApiError as exc:
        log.warning("could not post ephemeral message: %s", exc.response.get("error"))
    except OSError as exc:  # Slack unreachable (urllib's URLError): nobody to tell
        log.warning("could not post ephemeral message: %s", type(exc).__name__)


def describe_failure(exc: BaseException) -> str:
    """A sentence for the person who asked: what failed, never a stack trace or a secret."""
    from knowledge.errors import KnowledgeError

    if isinstance(exc, KnowledgeError):
        return str(exc)
    if isinstance(exc, SlackApiError):
        return f"Slack refused a call ({exc.response.get('error', 'unknown error')})."
    if isinstance(exc, URLError):  # slack_sdk is the only urllib client here
        return "Slack could not be reached."
    if isinstance(exc, httpx.HTTPStatusError):  # a Slack file download
        host = exc.request.url.host
        return f"The download was refused ({host} answered HTTP {exc.response.status_code})."
    if isinstance(exc, httpx.TransportError):  # chromadb's HttpClient; other clients wrap these
        return "The knowledge base (vector store) is unreachable right now."
    name = type(exc).__name__
    if name == "IntegrityError":  # e.g. two replicas saving the same draft version at once
        return "Another change was saved at the same moment."
    if "Chroma" in name or "chroma" in type(exc).__module__:
        return "The knowledge base (vector store) is unreachable right now."
    if "Timeout" in name:
        return "The drafting engine timed out."
    if "Operational" in name or "sqlalchemy" in type(exc).__module__:
        return "The database is unreachable right now."
    return f"Something went wrong ({name})."


def command_text(ack: Ack, command: dict[str, Any]) -> str | None:
    """A slash command's text without control characters.

    None once it has acked text past Slack's limit: that is refused, never cut.
    """
    text = command.get("text") or ""
    if len(text) > MAX_COMMAND_TEXT:
        ack(text=f"That is {len(text)} characters; commands take up to {MAX_COMMAND_TEXT}.")
        return None
    return clean_text(text)

"""The shape every signed payload must have before Bolt or a listener reads it.

Bolt reads a payload's ids and structure without checking their types (`body["event"]["type"]`,
`"id" in body["user"]`), and so do our listeners (an id goes straight into a SQL query). A
signed payload with a list where Slack always sends a string would crash deep inside either and
answer 500 with a traceback. Slack's own payloads always have these types, so anything else is
refused up front with a 400, and the listeners can trust what they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NONE = type(None)
TEXT = (str, NONE)  # Slack sends these as strings, or null where they do not apply
FLAG = (bool, str, NONE)  # "true" in slash commands, true in JSON payloads


@dataclass(frozen=True)
class Nullable:
    spec: Any


@dataclass(frozen=True)
class EachValue:
    """A dict whose keys are data (block ids, action ids) and whose every value has `spec`."""

    spec: Any


MESSAGE = {
    key: TEXT for key in ("type", "subtype", "ts", "thread_ts", "text", "user", "bot_id", "team")
} | {"blocks": Nullable([dict])}
FILE = {
    key: TEXT
    for key in (
        "id",
        "name",
        "title",
        "mimetype",
        "filetype",
        "url_private",
        "url_private_download",
    )
} | {"size": (int, NONE)}
EVENT = {
    key: TEXT
    for key in (
        "type",
        "subtype",
        "user",
        "channel",
        "channel_type",
        "text",
        "ts",
        "thread_ts",
        "event_ts",
        "team",
        "user_team",
        "bot_id",
        "app_id",
        "tab",
        "file_id",
        "client_msg_id",
    )
} | {
    "message": Nullable(MESSAGE),
    "previous_message": Nullable(MESSAGE),
    "files": Nullable([FILE]),
    "blocks": Nullable([dict]),
    "view": Nullable(dict),
    "item": Nullable(dict),
    "file": Nullable(dict),
    "tokens": Nullable(dict),
    "assistant_thread": Nullable(
        {
            "channel_id": TEXT,
            "thread_ts": TEXT,
            "user_id": TEXT,
            "context": Nullable({"channel_id": TEXT, "team_id": TEXT, "enterprise_id": TEXT}),
        }
    ),
}
STATE_VALUE = {
    "type": TEXT,
    "value": TEXT,
    "selected_option": Nullable({"value": TEXT}),
    "selected_options": Nullable([{"value": TEXT}]),
}
VIEW = {
    key: TEXT
    for key in (
        "id",
        "type",
        "callback_id",
        "private_metadata",
        "team_id",
        "app_installed_team_id",
        "hash",
        "root_view_id",
        "previous_view_id",
        "external_id",
    )
} | {
    "blocks": Nullable([dict]),
    "state": Nullable({"values": Nullable(EachValue(EachValue(STATE_VALUE)))}),
}
ACTION = {key: TEXT for key in ("type", "action_id", "block_id", "value", "action_ts")} | {
    "selected_option": Nullable({"value": TEXT}),
    "selected_options": Nullable([{"value": TEXT}]),
}
PAYLOAD = {
    key: TEXT
    for key in (
        "type",
        "token",
        "team_id",
        "enterprise_id",
        "api_app_id",
        "event_id",
        "user_id",
        "channel_id",
        "command",
        "text",
        "trigger_id",
        "response_url",
        "callback_id",
        "challenge",
    )
} | {
    "is_enterprise_install": FLAG,
    "event": EVENT,
    "user": Nullable({"id": TEXT, "team_id": TEXT, "name": TEXT, "username": TEXT}),
    "team": Nullable({"id": TEXT, "domain": TEXT, "enterprise_id": TEXT}),
    "enterprise": Nullable({"id": TEXT, "name": TEXT}),
    "channel": Nullable({"id": TEXT, "name": TEXT}),
    "container": Nullable({key: TEXT for key in ("type", "channel_id", "message_ts", "view_id")}),
    "message": Nullable(MESSAGE),
    "view": Nullable(VIEW),
    "actions": [ACTION],
    "authorizations": Nullable(
        [{"team_id": TEXT, "user_id": TEXT, "enterprise_id": TEXT, "is_enterprise_install": FLAG}]
    ),
    "response_urls": Nullable([{"response_url": TEXT}]),
}


def shape_problem(body: Any) -> str | None:
    """Where a payload departs from the shape Slack sends (e.g. "payload.event.user"), or None."""
    if problem := _problem(body, PAYLOAD, "payload"):
        return problem
    # Bolt reads the first action of every block_actions payload.
    if body.get("type") == "block_actions" and not body.get("actions"):
        return "payload.actions"
    return None


def _problem(value: Any, spec: Any, where: str) -> str | None:
    if isinstance(spec, Nullable):
        return None if value is None else _problem(value, spec.spec, where)
    if isinstance(spec, EachValue):
        if not isinstance(value, dict):
            return where
        return next(
            (p for k, v in value.items() if (p := _problem(v, spec.spec, f"{where}.{k}"))), None
        )
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return where
        return next(
            (
                p
                for key, sub in spec.items()
                if key in value and (p := _problem(value[key], sub, f"{where}.{key}"))
            ),
            None,
        )
    if isinstance(spec, list):
        if not isinstance(value, list):
            return where
        return next(
            (p for i, item in enumerate(value) if (p := _problem(item, spec[0], f"{where}[{i}]"))),
            None,
        )
    return None if isinstance(value, spec) else where

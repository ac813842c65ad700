"""Block Kit checked the way Slack checks it, for the fake Web API.

slack_sdk's block models carry most of Slack's documented limits (section text 3,000, header
150, button text 75 and value 2,000, 25 elements per actions block, modal titles 24, ...).
What they do not check is added here: block and message counts, unique ids, message text
length, unknown fields (the models accept and drop them; Slack refuses the whole message).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
# Fields Slack accepts that the models do not echo back from to_dict().
_PASSTHROUGH = {"emoji", "verbatim"}


class Refused(Exception):
    """What Slack would answer: `error` is its error code, `detail` says why (for test output)."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = error
        self.detail = detail


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise Refused("invalid_blocks_format", f"not JSON: {exc}") from exc
    return value


def _dropped_keys(original: Any, rendered: Any, path: str) -> list[str]:
    """Keys of `original` that the model did not keep: fields Slack does not know."""
    if isinstance(original, dict) and isinstance(rendered, dict):
        missing = []
        for key, value in original.items():
            if key in rendered:
                missing += _dropped_keys(value, rendered[key], f"{path}.{key}")
            elif key not in _PASSTHROUGH and value not in (None, [], "", {}):
                missing.append(f"{path}.{key}")
        return missing
    if isinstance(original, list) and isinstance(rendered, list):
        return [
            k
            for i, (o, r) in enumerate(zip(original, rendered, strict=False))
            for k in _dropped_keys(o, r, f"{path}[{i}]")
        ]
    return []


def _check_ids(blocks: Sequence[dict[str, Any]], where: str) -> None:
    seen_blocks: set[str] = set()
    for i, block in enumerate(blocks):
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_blocks:
                raise Refused("invalid_blocks", f"{where}[{i}]: duplicate block_id {block_id!r}")
            seen_blocks.add(block_id)
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        if isinstance(block.get("element"), dict):
            elements.append(block["element"])
        seen_actions: set[str] = set()
        for element in elements:
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id is None:
                continue
            if action_id in seen_actions:
                raise Refused(
                    "invalid_blocks", f"{where}[{i}]: duplicate action_id {action_id!r} in a block"
                )
            seen_actions.add(action_id)


def _check_text_objects(value: Any, path: str) -> None:
    """Slack refuses empty text objects; the models let them through."""
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and not str(value.get("text") or ""):
            raise Refused("invalid_blocks", f"{path}: empty text")
        for key, inner in value.items():
            _check_text_objects(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _check_text_objects(inner, f"{path}[{i}]")


def check_blocks(raw: Any, *, limit: int, where: str = "blocks") -> list[dict[str, Any]]:
    blocks = _decode(raw)
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise Refused("invalid_blocks_format", f"{where} must be a list of objects")
    if len(blocks) > limit:
        raise Refused("invalid_blocks", f"{len(blocks)} blocks; at most {limit}")
    for i, block in enumerate(blocks):
        try:
            model = Block.parse(block)
            if model is None:
                raise Refused("invalid_blocks", f"{where}[{i}]: unknown block type")
            model.validate_json()
            rendered = model.to_dict()
        except SlackObjectFormationError as exc:
            raise Refused("invalid_blocks", f"{where}[{i}]: {exc}") from exc
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise Refused("invalid_blocks", f"{where}[{i}]: {exc!r}") from exc
        if dropped := _dropped_keys(block, rendered, f"{where}[{i}]"):
            raise Refused("invalid_blocks", f"unknown or misplaced fields {dropped}")
        _check_text_objects(block, f"{where}[{i}]")
    _check_ids(blocks, where)
    return blocks


def check_message(params: dict[str, Any]) -> None:
    """chat.postMessage / postEphemeral / update / scheduleMessage and files' initial comments."""
    text = params.get("text")
    if text is not None and len(str(text)) > MAX_MESSAGE_TEXT:
        raise Refused("msg_too_long", f"text is {len(str(text))} characters")
    comment = params.get("initial_comment")
    if comment is not None and len(str(comment)) > MAX_MESSAGE_TEXT:
        raise Refused("msg_too_long", f"initial_comment is {len(str(comment))} characters")
    if params.get("blocks") not in (None, "", []):
        check_blocks(params["blocks"], limit=MAX_MESSAGE_BLOCKS)
    markdown = params.get("markdown_text")
    if markdown is not None and len(str(markdown)) > 12_000:
        raise Refused("msg_too_long", f"markdown_text is {len(str(markdown))} characters")


def check_view(raw: Any) -> None:
    view = _decode(raw)
    if not isinstance(view, dict):
        raise Refused("invalid_arguments", "view must be an object")
    blocks = check_blocks(view.get("blocks") or [], limit=MAX_VIEW_BLOCKS, where="view.blocks")
    try:
        model = View(**view)
        model.validate_json()
        model.to_dict()
    except SlackObjectFormationError as exc:
        raise Refused("invalid_arguments", f"view: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise Refused("invalid_arguments", f"view: {exc!r}") from exc
    if view.get("type") == "modal" and not view.get("title"):
        raise Refused("invalid_arguments", "a modal needs a title")
    has_inputs = any(b.get("type") == "input" for b in blocks)
    if has_inputs and view.get("type") == "modal" and not view.get("submit"):
        raise Refused("invalid_arguments", "a modal with inputs needs a submit button")


# Methods that post a message: Slack answers `no_text` when there is nothing to show.
_POSTING = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}


def check_call(method: str, params: dict[str, Any]) -> None:
    """Raise Refused when Slack would refuse this call's Block Kit or text."""
    if method in _POSTING and not any(
        params.get(k) not in (None, "", []) for k in ("text", "blocks", "attachments")
    ):
        raise Refused("no_text", "no text, blocks or attachments")
    if method.startswith("chat.") or method.startswith("files."):
        check_message(params)
    elif method.startswith("views.") and "view" in params:
        check_view(params["view"])

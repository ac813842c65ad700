"""Reading what a signed interaction says, and refusing cleanly what it cannot mean.

A signed payload can still be malformed: an old message's button, a value altered by a client,
a modal from a retired version of the app. Those are the user's problem to hear about, not a
server error: listeners read values through these helpers, which raise `BadPayload` with a
sentence for the user, and `handlers/errors.py` answers it (an ephemeral note, a modal error).
"""

from __future__ import annotations

import json
from typing import Any

from core.retro_sections import SECTIONS, Section

GENERIC = (
    "I couldn't read that request (it may come from an old or altered message), "
    "so nothing was changed."
)
# Ids are database integers; anything longer is not one of ours.
_MAX_ID_DIGITS = 18


class BadPayload(Exception):
    """A signed payload the app cannot act on; `str(exc)` is the sentence for the user."""

    def __init__(self, message: str = GENERIC) -> None:
        super().__init__(message)


def positive_id(raw: Any) -> int:
    text = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not text.isdigit() or len(text) > _MAX_ID_DIGITS or int(text) <= 0:
        raise BadPayload()
    return int(text)


def action_id_value(action: dict[str, Any]) -> int:
    """A button whose value is a row id (retro, action item, request)."""
    return positive_id(action.get("value"))


def json_object(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, str):
        raise BadPayload()
    try:
        value = json.loads(raw)
    except ValueError:
        raise BadPayload() from None
    if not isinstance(value, dict):
        raise BadPayload()
    return value


def retro_ref(raw: Any) -> tuple[int, Section]:
    """`{"r": retro id, "s": section}` from a retro button's value or a modal's metadata."""
    ref = json_object(raw)
    section = next((s for s in SECTIONS if s == ref.get("s")), None)
    if section is None:
        raise BadPayload()
    return positive_id(ref.get("r")), section


def text_input(view: dict[str, Any], block_id: str, action_id: str) -> str:
    """The value typed in one plain-text input of a submitted modal ('' when absent)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    block = values.get(block_id) if isinstance(values, dict) else None
    element = block.get(action_id) if isinstance(block, dict) else None
    value = element.get("value") if isinstance(element, dict) else None
    return value if isinstance(value, str) else ""

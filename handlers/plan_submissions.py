"""Reading a submitted plan modal (handlers/plan_modals.py builds them): each key result's
fields by id, the modal's metadata, and the service's errors mapped back onto its inputs.

A value that no form of ours could have sent (an altered client, an old modal) raises
`BadPayload`, which handlers/errors.py answers without changing anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers import ids
from handlers.payloads import BadPayload, json_object, positive_id
from scheduler.plans.views import CONFIDENCES, DIRECTIONS, Confidence


@dataclass(frozen=True)
class KrInput:
    """What one key result's inputs said in a submitted modal ('' / None when left empty)."""

    kr_id: int
    owner: str | None = None
    target: str = ""
    baseline: str = ""
    value: str = ""
    confidence: Confidence | None = None
    note: str = ""
    direction: str | None = None
    due: str | None = None


def _element_value(element: Any) -> str | None:
    if not isinstance(element, dict):
        raise BadPayload()
    for key in ("value", "selected_user", "selected_date"):
        if key in element:
            value = element[key]
            if value is not None and not isinstance(value, str):
                raise BadPayload()
            return value
    if "selected_option" in element:
        option = element["selected_option"]
        if option is None:
            return None
        if not isinstance(option, dict) or not isinstance(option.get("value"), str):
            raise BadPayload()
        return str(option["value"])
    return None


def read_kr_inputs(view: dict[str, Any]) -> dict[int, KrInput]:
    """Each key result's submitted fields, by key result id, from `okr_<field>:<id>` blocks."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        raise BadPayload()
    fields: dict[int, dict[str, Any]] = {}
    for block_id, actions in values.items():
        parsed = ids.parse_kr_block(str(block_id))
        if parsed is None:
            continue
        if not isinstance(actions, dict) or len(actions) != 1:
            raise BadPayload()
        field, kr_id = parsed
        raw = _element_value(next(iter(actions.values())))
        if field == "confidence" and raw is not None and raw not in CONFIDENCES:
            raise BadPayload()
        if field == "direction" and raw is not None and raw not in DIRECTIONS:
            raise BadPayload()
        text = (raw or "").strip()
        fields.setdefault(kr_id, {})[field] = (
            text if field in ("target", "baseline", "value", "note") else (raw or None)
        )
    return {kr_id: KrInput(kr_id=kr_id, **f) for kr_id, f in fields.items()}


_CHANNEL_ID = re.compile(r"^[CDG][A-Z0-9]{2,20}$")
_TS = re.compile(r"^\d{9,11}\.\d{1,8}$")


def read_dm(view: dict[str, Any]) -> tuple[str, str] | None:
    """The (channel, ts) of the check-in DM a modal came from, when it came from one."""
    meta = json_object(view.get("private_metadata"))
    channel, ts = meta.get("c"), meta.get("t")
    if channel is None and ts is None:
        return None
    if not (isinstance(channel, str) and isinstance(ts, str)):
        raise BadPayload()
    if not (_CHANNEL_ID.match(channel) and _TS.match(ts)):
        raise BadPayload()
    return channel, ts


def read_metadata(view: dict[str, Any]) -> tuple[int, int | None, list[int]]:
    """(plan id, round id or None, key result ids) from a plan modal's private_metadata."""
    meta = json_object(view.get("private_metadata"))
    round_id = meta.get("r")
    kr_ids = meta.get("k", [])
    if isinstance(kr_ids, int):
        kr_ids = [kr_ids]
    if not isinstance(kr_ids, list):
        raise BadPayload()
    return (
        positive_id(meta.get("p")),
        None if round_id is None else positive_id(round_id),
        [positive_id(k) for k in kr_ids],
    )


def field_errors(
    errors: dict[int, str], *, view: dict[str, Any], prefer: Sequence[str] = ("target", "value")
) -> dict[str, str]:
    """The service's errors by key result id, as Slack's errors by block_id: on the first of
    `prefer`'s inputs the modal has for that key result, else on its owner input."""
    present = {
        str(b.get("block_id"))
        for b in view.get("blocks") or []
        if isinstance(b, dict) and b.get("type") == "input"
    }
    answer: dict[str, str] = {}
    for kr_id, message in errors.items():
        for field in (*prefer, "owner", "baseline", "note"):
            block_id = ids.kr_block(field, kr_id)
            if block_id in present:
                answer[block_id] = message[:150]
                break
    return answer

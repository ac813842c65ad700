"""Every payload Slack sends passes the shape check; one field of the wrong type does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.payload_shape import shape_problem
from tests.slack_requests import PAYLOADS

REQUESTS = [
    p
    for p in sorted(PAYLOADS.glob("*.json"))
    if p.name.startswith(("event_", "interactive_", "slash_"))
]


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.name)
def test_slacks_own_payloads_have_the_shape(path: Path) -> None:
    assert shape_problem(json.loads(path.read_text())) is None


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b.update(event=None), "payload.event"),
        (lambda b: b["event"].update(user=["U1"]), "payload.event.user"),
        (lambda b: b.update(team_id={"id": "T1"}), "payload.team_id"),
        (lambda b: b.update(authorizations={"0": {}}), "payload.authorizations"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(change: object, where: str) -> None:
    body = json.loads((PAYLOADS / "event_app_mention.json").read_text())
    change(body)  # type: ignore[operator]
    assert shape_problem(body) == where


def test_a_block_action_without_actions_is_refused() -> None:
    body = json.loads((PAYLOADS / "interactive_block_actions.json").read_text())
    body["actions"] = []
    assert shape_problem(body) == "payload.actions"

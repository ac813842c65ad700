"""Socket Mode (the transport's one `serve` smoke test): apps.connections.open on the fake API hands out a local WebSocket that plays Slack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode
from tests.served_app import ServedApp
from tests.slack_requests import payload


@pytest.fixture
def socket_slack(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as ws:
        fake_slack.ws_url = ws.url
        yield ws


@pytest.mark.slow
def test_slash_command_over_socket_mode_is_acked(
    tmp_path: Path, fake_slack: FakeSlack, socket_slack: FakeSocketMode
) -> None:
    env = app_env(tmp_path, fake_slack, SLACK__APP_TOKEN="xapp-1-fixture-app-token")
    del env["SLACK__SIGNING_SECRET"]
    app = ServedApp(env, tmp_path).start()
    try:
        assert socket_slack.connected.wait(30)
        opened = fake_slack.calls_to("apps.connections.open")
        assert opened and opened[0].token == "xapp-1-fixture-app-token"
        socket_slack.send(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": payload("slash_command", command="/align", text="help"),
            }
        )
        ack = socket_slack.acks.get(timeout=30)
        assert ack["envelope_id"] == "env-1"
        assert "/swot" in ack["payload"]["text"]
    finally:
        app.stop()

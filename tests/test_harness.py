"""The app answers Slack's handshake, acks /align help, reports health, and talks to no host but
the ones it is configured with. (Forged and stale requests: tests/abuse/test_inputs.py.)"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import StartApp
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack_requests import SlackSender, payload


def test_url_verification_is_answered(slack: SlackSender) -> None:
    body = payload("event_url_verification")
    resp = slack.event(body)
    assert resp.status_code == 200
    assert body["challenge"] in resp.text


def test_align_help_is_acked_with_usage(slack: SlackSender) -> None:
    resp = slack.command("/align", "help")
    assert resp.status_code == 200
    text = (
        resp.json()["text"]
        if resp.headers["content-type"].startswith("application/json")
        else resp.text
    )
    assert "/swot" in text and "/okr" in text and "/retro" in text


def test_unknown_align_subcommand_gets_usage(slack: SlackSender) -> None:
    resp = slack.command("/align", "frobnicate")
    assert resp.status_code == 200
    assert "frobnicate" in resp.text and "/swot" in resp.text


def _loopback(host: object) -> bool:
    if host in ("localhost", "testserver"):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


@pytest.fixture
def other_hosts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every host the process tries to resolve or connect to besides loopback; each try fails."""
    tried: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback(host):
            tried.append(str(host))
            raise socket.gaierror(f"test: no network to {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and not _loopback(address[0]):
            tried.append(str(address[0]))
            raise ConnectionRefusedError(f"test: no network to {address[0]}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield tried


def test_app_talks_only_to_the_configured_slack_api(
    other_hosts: list[str], start_app: StartApp, fake_slack: FakeSlack
) -> None:
    app = start_app(seeded=True)
    sender = app.sender()
    assert sender.command("/swot", "Larkspur", channel_id="C0ONLY001").status_code == 200
    assert sender.event(payload("event_app_home_opened", event_id="Ev0ONLY001")).status_code == 200
    fake_slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0ONLY001")
    fake_slack.wait_for("views.publish")
    app.wait_idle()
    assert other_hosts == []
    # Start-up (auth.test) and the work after the ack both went to the fake, with the bot token.
    assert {"auth.test", "chat.postMessage", "views.publish"} <= {
        c.method for c in fake_slack.calls
    }
    # Every Web API call carries the bot token; a file's bytes go to the pre-authorised URL
    # files.getUploadURLExternal returned, which takes none.
    api_calls = [c for c in fake_slack.calls if c.method != "files.upload"]
    assert all(c.token and c.token.startswith("xoxb-") for c in api_calls)


def test_healthz_reports_database_and_vector_store(inproc_app: InProcessApp) -> None:
    assert inproc_app.http is not None
    resp = inproc_app.http.get("/healthz")
    assert resp.status_code == 200
    # With work on threads there is no worker process to report (see tests/lifecycle).
    assert resp.json() == {"ok": True, "database": "ok", "vector_store": "ok"}


def test_same_event_id_is_processed_once(slack: SlackSender, inproc_app: InProcessApp) -> None:
    body = payload("event_app_mention")
    slack.event(body)
    again = slack.event(json.loads(json.dumps(body)), retry_num=1)
    assert again.status_code == 200
    assert "skipping redelivered event Ev0ALGN0001" in inproc_app.logs()

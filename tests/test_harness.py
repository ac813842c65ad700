"""The served app answers Slack's handshake, rejects forged or stale requests, and acks /align help."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import httpx

from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp
from tests.slack_requests import SlackSender, payload


def test_url_verification_is_answered(slack: SlackSender) -> None:
    body = payload("event_url_verification")
    resp = slack.event(body)
    assert resp.status_code == 200
    assert body["challenge"] in resp.text


def test_bad_signature_gets_401_and_runs_nothing(
    served_app: ServedApp, fake_slack: FakeSlack
) -> None:
    forger = SlackSender(served_app.base_url, secret="not-the-signing-secret")
    fake_slack.reset()
    resp = forger.command("/align", "help")
    assert resp.status_code == 401
    assert "alignbot" not in resp.text
    time.sleep(0.3)
    assert [c.method for c in fake_slack.calls] == []


def test_missing_signature_header_gets_401(served_app: ServedApp) -> None:
    body = urlencode(payload("slash_command", command="/align", text="help"))
    resp = httpx.post(
        f"{served_app.base_url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 401


def test_stale_timestamp_gets_401(slack: SlackSender) -> None:
    body = urlencode(payload("slash_command", command="/align", text="help"))
    resp = slack.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60
    )
    assert resp.status_code == 401


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


def test_app_talks_only_to_the_configured_slack_api(
    served_app: ServedApp, fake_slack: FakeSlack
) -> None:
    # auth.test at startup proves every WebClient got SLACK__API_BASE_URL.
    calls = fake_slack.calls_to("auth.test")
    assert calls and calls[0].token and calls[0].token.startswith("xoxb-")


def test_healthz_reports_database_and_vector_store(served_app: ServedApp) -> None:
    resp = httpx.get(f"{served_app.base_url}/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"ok": True, "database": "ok", "vector_store": "ok", "worker": "ok"}


def test_same_event_id_is_processed_once(slack: SlackSender, served_app: ServedApp) -> None:
    body = payload("event_app_mention")
    slack.event(body)
    again = slack.event(json.loads(json.dumps(body)), retry_num=1)
    assert again.status_code == 200
    assert "skipping redelivered event Ev0ALGN0001" in served_app.logs()

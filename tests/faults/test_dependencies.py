"""Slack, the LLM and the database failing under a running app: clear words, nothing lost."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import BOT_TOKEN, start_inprocess
from tests.fakes.slack_api import FakeSlack
from tests.faults.conftest import (
    LLM_KEY,
    Rig,
    block_text,
    ephemerals,
    posts,
    wait_until,
)
from tests.servers import terminate_backends
from tests.slack_requests import SIGNING_SECRET

pytestmark = [pytest.mark.postgres]
OFFLINE_NOTICE = "the offline engine wrote this draft"


def request_status(rig: Rig, channel: str) -> str:
    [request] = rig.requests(channel)
    return str(request["status"])


def test_rate_limited_post_is_retried_after_retry_after(rig: Rig) -> None:
    rig.llm.reply("{}")
    rig.slack.fail("chat.postMessage", 429, retry_after=1)
    resp = rig.sender().command("/swot", "Larkspur", channel_id="C0F429")
    assert "Drafting a SWOT" in resp.text
    wait_until(lambda: posts(rig.slack, "C0F429"), what="the draft after the 429")
    wait_until(lambda: request_status(rig, "C0F429") == "done")
    attempts = [
        c for c in rig.slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0F429"
    ]
    assert [c.status for c in attempts] == [429, 200]
    assert len(posts(rig.slack, "C0F429")) == 1


def test_slack_500s_leave_the_request_stored_with_a_retry_button(rig: Rig) -> None:
    rig.llm.reply("{}")
    rig.slack.fail("chat.postMessage", 500, times=3)  # the client's own retries are used up
    rig.sender().command("/swot", "Larkspur", channel_id="C0F500")
    wait_until(lambda: ephemerals(rig.slack, "C0F500"), what="the failure note")
    [note] = ephemerals(rig.slack, "C0F500")
    assert "Slack refused a call (fatal_error)" in block_text(note)
    assert "Your request is saved" in block_text(note)
    [request] = rig.requests("C0F500")
    assert request["status"] == "failed" and request["subject"] == "Larkspur"

    retry = {
        "type": "block_actions",
        "user": {"id": "U0LEAD001", "team_id": "T0ALIGN01"},
        "team": {"id": "T0ALIGN01", "domain": "align-demo"},
        "api_app_id": "A0ALIGN01",
        "trigger_id": "1.2.3",
        "container": {
            "type": "message",
            "message_ts": note.response["message_ts"] if note.response else "1.1",
            "channel_id": "C0F500",
            "is_ephemeral": True,
        },
        "channel": {"id": "C0F500"},
        "actions": [
            {"type": "button", "action_id": "draft_retry_request", "value": str(request["id"])}
        ],
    }
    assert rig.sender().interactive(retry).status_code == 200
    wait_until(lambda: posts(rig.slack, "C0F500"), what="the retried draft")
    assert "SWOT for Larkspur" in posts(rig.slack, "C0F500")[0].params["text"]


def test_unreachable_slack_keeps_the_acknowledged_request(rig: Rig) -> None:
    with FakeSlack() as doomed:
        env = {**rig.env, "SLACK__API_BASE_URL": doomed.api_url}
        other = start_inprocess(env, rig.workdir)
        rig.extra_apps.append(other)
    # The fake is gone: its port now refuses connections.
    with httpx.Client() as http, pytest.raises(httpx.ConnectError):
        http.post(doomed.api_url + "auth.test")
    rig.llm.reply("{}")
    resp = other.sender().command("/swot", "Larkspur", channel_id="C0FREFUSED")
    assert resp.status_code == 200 and "Drafting a SWOT" in resp.text
    wait_until(lambda: request_status(rig, "C0FREFUSED") == "failed", what="the failed request")
    [request] = rig.requests("C0FREFUSED")
    assert request["error"] == "Slack could not be reached."
    assert request["subject"] == "Larkspur"
    assert other.get("/healthz").status_code == 200
    other.stop()


@pytest.mark.parametrize(
    ("case", "script", "reason"),
    [
        ("timeout", {"content": "{}", "delay": 4.0}, "timed out"),
        ("http 500", {"status": 500}, "did not answer in 1 attempt(s)"),
        ("garbage envelope", {"raw": "<html>bad gateway</html>", "status": 200}, ""),
        ("garbage content", {"content": "Sure! Strengths are many."}, "still invalid"),
    ],
)
def test_llm_failure_falls_back_to_the_offline_engine_and_says_so(
    rig: Rig, case: str, script: dict, reason: str
) -> None:
    channel = "C0LLM" + "".join(w[:3] for w in case.split()).upper()
    rig.llm.reply(**script)
    before = len(rig.llm.requests)
    rig.sender().command("/swot", "Larkspur", channel_id=channel)
    wait_until(lambda: posts(rig.slack, channel), what=f"the fallback draft ({case})")
    text = block_text(posts(rig.slack, channel)[0])
    assert OFFLINE_NOTICE in text
    assert reason in text, text
    assert "Strengths" in text
    assert len(rig.llm.requests) > before  # the LLM really was asked first
    wait_until(lambda: request_status(rig, channel) == "done", what="the request marked done")


def test_database_connections_killed_mid_run_are_replaced(rig: Rig) -> None:
    sender = rig.sender()
    assert sender.command("/align", "kb list").status_code == 200
    assert terminate_backends(rig.database_url) >= 1
    listed = sender.command("/align", "kb list")
    assert listed.status_code == 200 and "documents" in listed.json()["text"]
    rig.llm.reply("{}")
    sender.command("/swot", "Larkspur", channel_id="C0FDBRESTART")
    wait_until(lambda: posts(rig.slack, "C0FDBRESTART"), what="a draft after the reconnect")
    health = rig.app.get("/healthz").json()
    assert health["database"] == "ok"


def test_no_secret_reaches_logs_or_slack(rig: Rig) -> None:
    """Runs last in this module: the log now covers 429s, 500s, refusals and LLM failures."""
    logs = rig.app.logs() + "".join(a.logs() for a in rig.extra_apps)
    assert "WARNING" in logs  # the failures above were logged
    said = json.dumps([c.params for c in rig.slack.calls])
    for secret in (BOT_TOKEN, SIGNING_SECRET, LLM_KEY):
        assert secret not in logs
        assert secret not in said

"""Requests spread over two replicas, Slack retries and one event_id sent to both: one reply each."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from drafting.models import DraftRequest
from tests.fakes.slack_api import Call, FakeSlack
from tests.scale.conftest import Cluster
from tests.slack_requests import SlackSender, payload

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def posted(slack: FakeSlack, channel: str, thread_ts: str | None = None) -> list[Call]:
    """Messages Slack accepted in a channel (top level) or in one thread."""
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.status == 200
        and c.params.get("channel") == channel
        and c.params.get("thread_ts") == thread_ts
    ]


def wait_until(check: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


def wait_idle(cluster: Cluster) -> None:
    """Every stored draft request finished, then a moment for any duplicate post to surface."""
    engine = create_engine(cluster.database_url)
    try:

        def idle() -> bool:
            with engine.connect() as conn:
                pending = conn.scalar(
                    select(func.count())
                    .select_from(DraftRequest)
                    .where(DraftRequest.status == "pending")
                )
            return pending == 0

        wait_until(idle)
    finally:
        engine.dispose()
    time.sleep(2)


def mention(n: int, text: str) -> dict[str, Any]:
    body = payload("event_app_mention", event_id=f"Ev0SCALE{n:03d}")
    ts = f"1767700{n:03d}.000100"
    body["event"].update(text=f"<@U0BOT0001> {text}", channel=f"C0MENT{n:03d}", ts=ts, event_ts=ts)
    return body


def thread_reply(event_id: str, channel: str, root: str, ts: str, text: str) -> dict[str, Any]:
    body = payload("event_message_thread_reply", event_id=event_id)
    body["event"].update(channel=channel, thread_ts=root, ts=ts, event_ts=ts, text=text)
    return body


def both(first: SlackSender, second: SlackSender, body: dict[str, Any]) -> list[httpx.Response]:
    """The same delivery to two replicas at once; the second carries Slack's retry headers."""
    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(first.event, body)
        two = pool.submit(second.event, copy.deepcopy(body), retry_num=1)
        return [one.result(), two.result()]


def test_spread_requests_and_redeliveries_get_exactly_one_reply(cluster: Cluster) -> None:
    a, b = cluster.senders()
    slack = cluster.slack
    channels = [f"C0SLASH{i:02d}" for i in range(6)]
    for i, channel in enumerate(channels):
        resp = (a, b)[i % 2].command("/swot", "Larkspur", channel_id=channel)
        assert resp.status_code == 200
        assert "Drafting a SWOT for *Larkspur*" in resp.text

    mentions = [
        mention(i, "draft a SWOT for Larkspur" if i % 2 else "hello there") for i in range(6)
    ]
    with ThreadPoolExecutor(6) as pool:
        pairs = [
            pool.submit(both, *((a, b) if i % 2 else (b, a)), body)
            for i, body in enumerate(mentions)
        ]
        for pair in pairs:
            assert [r.status_code for r in pair.result()] == [200, 200]

    for channel in channels:
        wait_until(lambda channel=channel: len(posted(slack, channel)) >= 1)
    for body in mentions:
        event = body["event"]
        wait_until(lambda e=event: len(posted(slack, e["channel"], e["ts"])) >= 1)

    # A late retry after the work is done changes nothing either.
    for i, body in enumerate(mentions):
        assert (a, b)[i % 2].event(copy.deepcopy(body), retry_num=2).status_code == 200
    wait_idle(cluster)

    for channel in channels:
        assert len(posted(slack, channel)) == 1, channel
    for body in mentions:
        event = body["event"]
        assert len(posted(slack, event["channel"], event["ts"])) == 1, event["channel"]
    logs = [r.logs() for r in cluster.replicas]
    assert all("drafted request" in log for log in logs), "both replicas should have drafted"
    assert "skipping redelivered event Ev0SCALE" in "\n".join(logs)


def test_thread_reply_revises_once_whichever_replica_gets_it(cluster: Cluster) -> None:
    a, b = cluster.senders()
    slack = cluster.slack
    body = mention(50, "draft a SWOT for Larkspur")
    event = body["event"]
    channel, root = event["channel"], event["ts"]
    assert a.event(body).status_code == 200
    wait_until(lambda: len(posted(slack, channel, root)) == 1)
    # A person replies to a draft they can read, by which time the request that posted it has
    # been recorded as done; on a loaded machine the post can land well before that commit.
    wait_idle(cluster)

    reply = thread_reply("Ev0SCALEREPLY1", channel, root, "1767800000.000200", "drop weakness 1")
    assert [r.status_code for r in both(b, a, reply)] == [200, 200]
    wait_until(lambda: len(posted(slack, channel, root)) >= 2)
    # The same message under another event id (Slack sends message and app_mention
    # separately): the thread transcript's (channel, ts) key stops the second revision.
    again = thread_reply("Ev0SCALEREPLY2", channel, root, "1767800000.000200", "drop weakness 1")
    assert a.event(again).status_code == 200
    wait_idle(cluster)

    replies = posted(slack, channel, root)
    assert len(replies) == 2, [c.params.get("text") for c in replies]
    assert "version 2" in replies[1].params["text"]


def test_both_replicas_report_healthy_on_the_shared_servers(cluster: Cluster) -> None:
    for replica in cluster.replicas:
        resp = httpx.get(f"{replica.base_url}/healthz", timeout=10)
        assert resp.json() == {"ok": True, "database": "ok", "vector_store": "ok", "worker": "ok"}
    # Both replicas answer from the one Chroma server and the one database.
    a, b = cluster.senders()
    listed = [s.command("/align", "kb list").json()["text"] for s in (a, b)]
    assert listed[0] == listed[1] and listed[0].endswith("documents")

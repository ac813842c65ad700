"""Check-in DMs due together go out concurrently through DmBurst (slack_sdk's AsyncWebClient)
to the fake Slack over real HTTP: each reported once, Slack's refusals and outages included."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from handlers.dm_burst import DmBurst
from handlers.plan_notifier import undeliverable
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack


class Reports:
    def __init__(self, expected: int) -> None:
        self.errors: dict[str, Exception | None] = {}
        self._lock = threading.Lock()
        self._all = threading.Event()
        self._expected = expected

    def on_done(self, channel: str) -> Any:
        def done(error: Exception | None) -> None:
            with self._lock:
                assert channel not in self.errors, "reported twice"
                self.errors[channel] = error
                if len(self.errors) == self._expected:
                    self._all.set()

        return done

    def wait(self) -> None:
        assert self._all.wait(30), f"only {len(self.errors)} of {self._expected} reported"


@pytest.fixture
def burst(fake_slack: FakeSlack) -> Iterator[DmBurst]:
    burst = DmBurst(base_url=fake_slack.api_url, concurrency=8)
    yield burst
    burst.close()


def test_many_dms_are_each_sent_and_reported_once(fake_slack: FakeSlack, burst: DmBurst) -> None:
    owners = [f"U0OWNER{n:03d}" for n in range(60)]
    reports = Reports(len(owners))
    for owner in owners:
        burst.post(
            BOT_TOKEN, {"channel": owner, "text": "Time to check in"}, reports.on_done(owner)
        )
    reports.wait()
    assert reports.errors == dict.fromkeys(owners)
    posted = [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")]
    assert sorted(posted) == owners


def test_a_dm_slack_refuses_or_cannot_take_is_reported_failed(
    fake_slack: FakeSlack, burst: DmBurst
) -> None:
    def refuse(params: dict[str, Any]) -> dict[str, Any]:
        if params["channel"] == "U0GONE0001":
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": params["channel"], "ts": "1767700000.000100"}

    fake_slack.override("chat.postMessage", refuse)
    reports = Reports(2)
    for owner in ("U0GONE0001", "U0HERE0001"):
        burst.post(
            BOT_TOKEN, {"channel": owner, "text": "Time to check in"}, reports.on_done(owner)
        )
    reports.wait()
    gone = reports.errors["U0GONE0001"]
    assert isinstance(gone, SlackApiError) and undeliverable(gone, plan_id=1)
    assert reports.errors["U0HERE0001"] is None
    fake_slack.end_override("chat.postMessage")

    # Slack down for longer than the retries: reported failed (for recovery), not lost.
    fake_slack.fail("chat.postMessage", 503, times=10)
    reports = Reports(1)
    burst.post(BOT_TOKEN, {"channel": "U0LATE0001", "text": "x"}, reports.on_done("U0LATE0001"))
    reports.wait()
    late = reports.errors["U0LATE0001"]
    assert late is not None and not undeliverable(late, plan_id=1)


def test_dms_still_queued_when_the_sender_closes_are_reported_failed(
    fake_slack: FakeSlack, burst: DmBurst
) -> None:
    release = threading.Event()
    reached: list[str] = []  # channels whose call Slack has received

    def slow(params: dict[str, Any]) -> dict[str, Any]:
        reached.append(params["channel"])
        release.wait(10)
        return {"ok": True, "channel": params["channel"], "ts": "1767700000.000100"}

    fake_slack.override("chat.postMessage", slow)
    owners = [f"U0QUEUE{n:03d}" for n in range(40)]
    reports = Reports(len(owners))
    for owner in owners:
        burst.post(BOT_TOKEN, {"channel": owner, "text": "x"}, reports.on_done(owner))
    deadline = time.monotonic() + 10
    while len(reached) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    burst.close()
    release.set()
    queued = [owner for owner in owners if owner not in reached]
    # Eight were in flight (the burst's concurrency); the other 32 never left the queue, and
    # each is reported failed by the time close returns, so recovery sends it later.
    assert len(queued) == 32
    assert all(isinstance(reports.errors.get(owner), RuntimeError) for owner in queued)
    fake_slack.end_override("chat.postMessage")

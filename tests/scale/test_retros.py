"""Retros on two replicas: every entry stored once, and each scheduled occurrence opens once."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update

from core.db import make_session_factory
from handlers import ids
from scheduler.models import OccurrenceClaim, Retro, RetroEntryRow, RetroSeries
from tests.fakes.slack_api import BOT_USER
from tests.scale.conftest import TEAM, Cluster
from tests.scale.test_replicas import both, posted, thread_reply, wait_until
from tests.scheduler.helpers import add_fast_series
from tests.slack_requests import payload

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def entry_view(retro_id: int, view_id: str, text: str) -> dict[str, Any]:
    body = payload("interactive_view_submission")
    body["view"].update(
        id=view_id,
        callback_id=ids.RETRO_ENTRY_MODAL,
        private_metadata=f'{{"r": {retro_id}, "s": "went_well"}}',
        state={
            "values": {
                ids.RETRO_ENTRY_BLOCK: {
                    ids.RETRO_ENTRY_INPUT: {"type": "plain_text_input", "value": text}
                }
            }
        },
    )
    return body


def test_every_retro_entry_is_stored_once(cluster: Cluster) -> None:
    a, b = cluster.senders()
    channel = "C0RETRO01"
    cluster.slack.channel_members[channel] = [BOT_USER, "U0LEAD001"]
    db = create_engine(cluster.database_url)
    assert a.command("/retro", "Sprint 7", channel_id=channel).status_code == 200
    retro: list[Any] = []

    def opened() -> bool:
        with db.connect() as conn:
            retro[:] = conn.execute(
                select(Retro.id, Retro.prompt_ts).where(Retro.channel_id == channel)
            ).all()
        return bool(retro) and bool(retro[0][1])

    wait_until(opened)
    retro_id, prompt = retro[0]

    texts = [f"+ thread entry {n}" for n in range(6)]
    with ThreadPoolExecutor(8) as pool:
        jobs = []
        for n, text in enumerate(texts):
            ts = f"1769200{n:03d}.000100"
            body = thread_reply(f"Ev0RETRO{n:03d}", channel, prompt, ts, text)
            jobs.append(pool.submit(both, *((a, b) if n % 2 else (b, a)), body))
            if n < 2:  # the same message under another event id, on the other replica
                again = thread_reply(f"Ev0RETROX{n:02d}", channel, prompt, ts, text)
                jobs.append(pool.submit((b, a)[n % 2].event, again))
        for n in range(3):
            view = entry_view(retro_id, f"V0ENTRY{n:03d}", f"modal entry {n}")
            jobs += [pool.submit(a.interactive, view), pool.submit(b.interactive, view)]
        for job in jobs:
            result = job.result()
            statuses = (
                [r.status_code for r in result]
                if isinstance(result, list)
                else [result.status_code]
            )
            assert set(statuses) == {200}

    def stored() -> list[str]:
        with db.connect() as conn:
            return list(
                conn.execute(
                    select(RetroEntryRow.text).where(RetroEntryRow.retro_id == retro_id)
                ).scalars()
            )

    wait_until(lambda: len(stored()) >= 9)
    time.sleep(2)  # room for a duplicate to land, if one were coming
    counts = Counter(stored())
    assert counts == Counter(
        [f"thread entry {n}" for n in range(6)] + [f"modal entry {n}" for n in range(3)]
    )

    def confirmations() -> list[Any]:
        calls = cluster.slack.calls_to("reactions.add")
        return [c for c in calls if c.params.get("channel") == channel]

    # Each thread entry gets its ✓ from a worker process, after the entry is stored.
    wait_until(lambda: len(confirmations()) >= 6)
    assert len(confirmations()) == 6
    db.dispose()


def test_a_scheduled_retro_opens_once_across_replicas(cluster: Cluster) -> None:
    channel = "C0RETRO02"
    cluster.slack.channel_members[channel] = [BOT_USER, "U0LEAD001"]
    db = create_engine(cluster.database_url)
    series = add_fast_series(
        make_session_factory(db), every_seconds=2, workspace_id=TEAM, channel_id=channel
    )

    def fires() -> int:
        with db.connect() as conn:
            return len(
                conn.execute(
                    select(OccurrenceClaim).where(
                        OccurrenceClaim.kind == "retro", OccurrenceClaim.series_key == series
                    )
                ).all()
            )

    wait_until(lambda: fires() >= 3, timeout=60)
    with db.begin() as conn:
        conn.execute(update(RetroSeries).where(RetroSeries.id == series).values(status="paused"))
    # Settle: the engines' sync (every 5 s) drops the job; then nothing more fires.
    last, stable_since = fires(), time.monotonic()
    while time.monotonic() - stable_since < 7:
        time.sleep(0.5)
        if fires() != last:
            last, stable_since = fires(), time.monotonic()

    with db.connect() as conn:
        occurrences = list(
            conn.execute(select(Retro.occurrence_at).where(Retro.series_id == series)).scalars()
        )
    assert len(occurrences) == fires()
    assert len(set(occurrences)) == len(occurrences)
    wait_until(lambda: len(posted(cluster.slack, channel)) >= len(occurrences))
    assert len(posted(cluster.slack, channel)) == len(occurrences)
    logs = cluster.logs()
    assert logs.count("this process is now the scheduler leader") == 1
    db.dispose()

"""Separate OS processes: two scheduler replicas on one Postgres, and a kill between entries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.db import make_engine, make_session_factory
from core.clock import SystemClock
from scheduler.models import RetroEntryRow, ScheduleFire
from scheduler.retro_service import RetroService
from tests.scheduler.helpers import add_fast_series, wait_for
from tests.scheduler.notifiers import NOTIFICATIONS_DDL, FakeSynthesiser, LoggingNotifier

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def spawn(module: str, url: str, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENV": "test",
        "DATA_DIR": str(ROOT / ".alignbot-test"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def opened_by_pid(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [
            (row.occurrence_at, row.pid)
            for row in conn.execute(
                text("SELECT occurrence_at, pid FROM test_notifications WHERE kind = 'opened'")
            )
        ]


@pytest.mark.postgres
def test_two_replicas_fire_each_occurrence_once_and_fail_over(
    postgres_url: str, procs: list[subprocess.Popen[str]]
) -> None:
    engine = make_engine(postgres_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(NOTIFICATIONS_DDL))
    sessions = make_session_factory(engine)
    series_id = add_fast_series(sessions, every_seconds=1)
    procs.extend(spawn("tests.scheduler.engine_proc", postgres_url) for _ in range(2))
    pids = {p.pid for p in procs}

    wait_for(lambda: len(opened_by_pid(engine)) >= 4, timeout=30, what="four fires")
    leaders = {pid for _, pid in opened_by_pid(engine)}
    assert len(leaders) == 1, "only the lock holder schedules"
    (leader,) = leaders
    os.kill(leader, signal.SIGKILL)
    killed_at = len(opened_by_pid(engine))

    survivor = (pids - {leader}).pop()
    wait_for(
        lambda: len([1 for _, pid in opened_by_pid(engine) if pid == survivor]) >= 3,
        timeout=30,
        what="the other replica to take over",
    )
    fires = opened_by_pid(engine)
    assert len(fires) > killed_at
    counts = Counter(occurrence for occurrence, _ in fires)
    assert [o for o, n in counts.items() if n > 1] == [], "an occurrence fired twice"
    with sessions() as s:
        claims = s.scalars(select(ScheduleFire).where(ScheduleFire.schedule_id == series_id)).all()
        assert len(claims) == len(fires)
    engine.dispose()


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_killing_the_process_between_entries_loses_no_acknowledged_entry(
    db: str, tmp_path: Path, request: pytest.FixtureRequest, procs: list[subprocess.Popen[str]]
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'alignbot.db'}"
        if db == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions: sessionmaker[Session] = make_session_factory(engine)
    service = RetroService(
        sessions=sessions,
        clock=SystemClock(),
        synthesiser=FakeSynthesiser(),
        notifier=LoggingNotifier(),
    )
    retro = service.open_retro(
        "T0ALIGN", "C0TEAM", "Kill test", opened_by="U0LEAD", window=timedelta(hours=1)
    )

    proc = spawn("tests.scheduler.entry_proc", url, str(retro.id))
    procs.append(proc)
    assert proc.stdout is not None
    acked: list[int] = []
    deadline = time.monotonic() + 60
    while len(acked) < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acked.append(int(line.split()[1]))
    assert len(acked) >= 40, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    acked.extend(
        int(line.split()[1]) for line in proc.stdout.read().splitlines() if line.startswith("ack")
    )

    with sessions() as s:
        stored = {
            int(t.split()[1])
            for t in s.scalars(select(RetroEntryRow.text).where(RetroEntryRow.retro_id == retro.id))
        }
    assert set(acked) <= stored
    engine.dispose()

"""Separate OS processes: two scheduler replicas on one Postgres, a leader killed between
claiming an occurrence and posting its prompt, and a kill between entries."""

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
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from scheduler.models import OccurrenceClaim, Retro, RetroEntryRow, RetroSeries
from scheduler.retro_service import RetroService
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.scheduler.helpers import add_fast_series, wait_for
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier

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


def scheduler_replica(
    url: str, fake_slack: FakeSlack, log: Path, **extra_env: str
) -> subprocess.Popen[str]:
    """`alignbot scheduler`, the command docker-compose runs, against the fake Slack."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENV": "test",
        "DATA_DIR": str(log.parent / "data"),
        "LOG_LEVEL": "INFO",
        "SLACK__BOT_TOKEN": BOT_TOKEN,
        "SLACK__API_BASE_URL": fake_slack.api_url,
        "SCHEDULER__SYNC_SECONDS": "0.5",
        "SCHEDULER__LEADER_RETRY_SECONDS": "0.3",
        "SCHEDULER__FIRE_THREADS": "4",
        "SCHEDULER__WORK_THREADS": "2",
        **extra_env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler", "--no-migrate"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )


def is_leader(log: Path) -> bool:
    return "now the scheduler leader" in log.read_text(errors="replace")


def opened_occurrences(sessions: sessionmaker[Session], series_id: int) -> list[object]:
    with sessions() as s:
        return list(s.scalars(select(Retro.occurrence_at).where(Retro.series_id == series_id)))


@pytest.mark.postgres
def test_two_replicas_fire_each_occurrence_once_and_fail_over(
    postgres_url: str, procs: list[subprocess.Popen[str]], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    engine = make_engine(postgres_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    series_id = add_fast_series(sessions, every_seconds=1)
    logs = [tmp_path / f"scheduler-{n}.log" for n in range(2)]
    procs.extend(scheduler_replica(postgres_url, fake_slack, log) for log in logs)

    wait_for(lambda: len(opened_occurrences(sessions, series_id)) >= 4, timeout=60, what="fires")
    leaders = [n for n, log in enumerate(logs) if is_leader(log)]
    assert len(leaders) == 1, "only the lock holder schedules"
    (leader,) = leaders
    procs[leader].send_signal(signal.SIGKILL)
    procs[leader].wait(10)
    killed_at = len(opened_occurrences(sessions, series_id))

    survivor = 1 - leader
    wait_for(lambda: is_leader(logs[survivor]), timeout=30, what="the other replica to lead")
    wait_for(
        lambda: len(opened_occurrences(sessions, series_id)) >= killed_at + 3,
        timeout=30,
        what="the other replica to keep firing",
    )
    fires = opened_occurrences(sessions, series_id)
    counts = Counter(fires)
    assert [o for o, n in counts.items() if n > 1] == [], "an occurrence fired twice"
    with sessions() as s:
        claims = s.scalars(
            select(OccurrenceClaim).where(
                OccurrenceClaim.kind == "retro", OccurrenceClaim.series_key == series_id
            )
        ).all()
        assert len(claims) == len(fires)
    # Each opened retro's prompt went to Slack through the real notifier, once at most (a
    # SIGKILL can land between opening a retro and posting its prompt).
    prompts = [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("channel")]
    assert killed_at <= len(prompts) <= len(fires)
    engine.dispose()


def database_url(db: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if db == "sqlite":
        return f"sqlite:///{tmp_path / 'alignbot.db'}"
    return str(request.getfixturevalue("postgres_url"))


def retro_claims(sessions: sessionmaker[Session], series_id: int) -> list[OccurrenceClaim]:
    with sessions() as s:
        return list(
            s.scalars(
                select(OccurrenceClaim).where(
                    OccurrenceClaim.kind == "retro", OccurrenceClaim.series_key == series_id
                )
            )
        )


def series_retros(sessions: sessionmaker[Session], series_id: int) -> list[Retro]:
    with sessions() as s:
        return list(s.scalars(select(Retro).where(Retro.series_id == series_id)))


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_leader_killed_between_claim_and_prompt_loses_no_prompt(
    db: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    procs: list[subprocess.Popen[str]],
    fake_slack: FakeSlack,
) -> None:
    url = database_url(db, tmp_path, request)
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    series_id = add_fast_series(sessions, every_seconds=1)

    # A leader that claims occurrences (and opens their retros), then hangs posting the prompt.
    stalled = spawn("tests.scheduler.stall_proc", url)
    procs.append(stalled)
    assert stalled.stdout is not None
    claimed = []
    while len(claimed) < 2:
        line = stalled.stdout.readline()
        assert line, stalled.stderr.read() if stalled.stderr else "the stalling leader exited"
        claimed.append(int(line.split()[1]))
    # No occurrence after these: every retro left to account for was claimed by the dead leader.
    with sessions.begin() as s:
        s.execute(update(RetroSeries).where(RetroSeries.id == series_id).values(status="paused"))
    stalled.send_signal(signal.SIGKILL)
    stalled.wait(timeout=10)

    orphans = series_retros(sessions, series_id)
    assert set(claimed) <= {r.id for r in orphans}
    assert all(r.prompt_ts is None and r.status == "open" for r in orphans)
    assert len(retro_claims(sessions, series_id)) == len(orphans)
    assert all(c.finished_at is None for c in retro_claims(sessions, series_id))
    assert fake_slack.calls_to("chat.postMessage") == []

    # The next leader (the real `alignbot scheduler`) resumes every unfinished claim.
    log = tmp_path / "scheduler.log"
    procs.append(
        scheduler_replica(
            url,
            fake_slack,
            log,
            SCHEDULER__RECOVER_AFTER="PT1S",
            # Rounds prepared ahead would count as interrupted within a second.
            SCHEDULER__PREPARE_AHEAD="PT0S",
        )
    )
    try:
        wait_for(
            lambda: all(c.finished_at for c in retro_claims(sessions, series_id)),
            timeout=60,
            what="the next leader to finish the dead leader's claims",
        )
    except AssertionError as exc:
        raise AssertionError(log.read_text(errors="replace")[-4000:]) from exc
    # A few more syncs (every 0.5 s): a resumed claim must not be resumed again.
    time.sleep(2)
    retros = series_retros(sessions, series_id)
    assert {r.id for r in retros} == {r.id for r in orphans}, "an occurrence opened twice"
    assert all(r.prompt_ts for r in retros)
    claims = retro_claims(sessions, series_id)
    assert {c.result_id for c in claims} == {r.id for r in retros}
    prompts = [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("channel")]
    assert len(prompts) == len(retros), "each claimed occurrence gets its prompt exactly once"
    assert len({r.prompt_ts for r in retros}) == len(retros)
    engine.dispose()


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_killing_the_process_between_entries_loses_no_acknowledged_entry(
    db: str, tmp_path: Path, request: pytest.FixtureRequest, procs: list[subprocess.Popen[str]]
) -> None:
    url = database_url(db, tmp_path, request)
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions: sessionmaker[Session] = make_session_factory(engine)
    service = RetroService.build(
        sessions=sessions,
        clock=SystemClock(),
        synthesiser=FakeSynthesiser(),
        notifier=LoggingNotifier(),
    )
    retro = service.opening.open_retro(
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

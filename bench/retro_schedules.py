"""Benchmark: 10,000 retro schedules, 1,000 due in the same second, posting to a fake Slack.

    ./.venv/bin/python -m bench.retro_schedules [--db sqlite|postgres] [--overlap]

Prints how many fired, duplicates, lateness p50/p99 (scheduled time -> prompt posted) and
start-up time with 10,000 jobs. `--overlap` runs two schedulers that both think they lead,
to show the (schedule, occurrence) claim alone still keeps every fire single.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import create_engine, func, insert, select, text

from bot import migrate
from core.clock import SystemClock, as_utc
from core.db import make_engine, make_session_factory
from scheduler.engine import ScheduleEngine
from scheduler.leader import LeaderLock
from scheduler.models import Retro, RetroSeries
from scheduler.ports import CloseResult, RetroInfo
from scheduler.retro_kind import RetroKind
from scheduler.retro_service import RetroService
from scheduler.settings import SchedulerSettings

TOTAL = 10_000
DUE = 1_000
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class SlackPostingNotifier:
    """Posts each prompt with chat.postMessage through a real WebClient, timing the post."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self.posted: dict[int, float] = {}
        self.lateness: list[float] = []
        self._lock = threading.Lock()

    def retro_opened(self, retro: RetroInfo) -> str | None:
        resp = self.client.chat_postMessage(channel=retro.channel_id, text=f"Retro: {retro.title}")
        done = time.time()
        with self._lock:
            self.posted[retro.id] = done
            if retro.occurrence_at is not None:
                self.lateness.append(done - retro.occurrence_at.timestamp())
        return str(resp["ts"])

    def retro_closed(self, result: CloseResult) -> None:
        pass

    def channel_members(self, workspace_id: str, channel_id: str) -> list[str]:
        return []

    def send_nudge(self, retro: RetroInfo, user_ids: list[str]) -> None:
        pass


FAKE_SLACK_CHILD = """
import json, sys
from tests.fakes.slack_api import FakeSlack
with FakeSlack() as slack:
    print(slack.api_url, flush=True)
    sys.stdin.readline()
    print(json.dumps([c.params.get("channel") for c in slack.calls_to("chat.postMessage")]), flush=True)
"""


# Slack's chat.postMessage and nothing else, on aiohttp: a bench that posts thousands of calls a
# second measures our side, not the strict fake's own validation (FakeSlack takes about 1 ms of
# its Python a call, so 4,000 DMs cost it 3-4 s on two cores whatever the sender does).
LEAN_SLACK_CHILD = """
import asyncio, json, socket, sys, threading
from aiohttp import web
posted = []
async def post_message(request):
    if not request.headers.get("Authorization", "").startswith("Bearer xox"):
        return web.json_response({"ok": False, "error": "not_authed"})
    form = await request.post() if request.content_type != "application/json" else await request.json()
    channel = form.get("channel")
    if not channel or not (form.get("text") or form.get("blocks")):
        return web.json_response({"ok": False, "error": "no_text" if channel else "channel_not_found"})
    posted.append(channel)
    return web.json_response({"ok": True, "channel": channel, "ts": f"{len(posted)}.000100"})
def report():
    sys.stdin.readline()
    print(json.dumps(posted), flush=True)
sock = socket.socket(); sock.bind(("127.0.0.1", 0))
app = web.Application(); app.router.add_post("/api/chat.postMessage", post_message)
print(f"http://127.0.0.1:{sock.getsockname()[1]}/api/", flush=True)
threading.Thread(target=report, daemon=True).start()
web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=False)
"""


class FakeSlackProcess:
    """FakeSlack in its own process, as Slack is elsewhere: its threads do not share our GIL.
    `lean=True` answers chat.postMessage only, without FakeSlack's strict checks."""

    def __init__(self, *, lean: bool = False) -> None:
        self._child = LEAN_SLACK_CHILD if lean else FAKE_SLACK_CHILD

    def __enter__(self) -> FakeSlackProcess:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", self._child],
            cwd=Path(__file__).resolve().parents[1],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self.api_url = self._proc.stdout.readline().strip()
        return self

    def posted_channels(self) -> list[str]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write("report\n")
        self._proc.stdin.flush()
        channels: list[str] = json.loads(self._proc.stdout.readline())
        return channels

    def __exit__(self, *exc: object) -> None:
        self._proc.kill()
        self._proc.wait()


class AlwaysLeader:
    """A lock that every holder gets: simulates two leaders overlapping during a handover."""

    def try_acquire(self) -> bool:
        return True

    def is_held(self) -> bool:
        return True

    def release(self) -> None:
        pass


class NoSynthesis:
    def draft_retro(
        self, workspace_id: str, subject: str, entries: list[object], **_: object
    ) -> None:
        return None

    def classify_retro_entry(self, text: str) -> str:
        return "went_well"


def database(kind: str) -> tuple[str, object]:
    if kind == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="retro-bench-"))
        return f"sqlite:///{tmp / 'bench.db'}", tmp
    name = f"alignbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", (admin, name)


def drop_database(cleanup: object) -> None:
    """Remove the throwaway database `database()` made: a SQLite file's folder, or a Postgres
    database."""
    if isinstance(cleanup, Path):
        shutil.rmtree(cleanup, ignore_errors=True)
    elif cleanup is not None:
        admin, name = cleanup  # type: ignore[misc]
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def register(url: str, due_at: datetime) -> tuple[float, set[int]]:
    """10,000 active schedules: 1,000 due at `due_at`, the rest weekly at other times."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(7)
    rows = []
    for i in range(TOTAL):
        if i < DUE:
            fields = {"hour": due_at.hour, "minute": due_at.minute, "second": due_at.second}
            text_ = "daily at the bench instant"
        else:
            day = rng.choice(["mon", "tue", "wed", "thu", "fri"])
            # Never in the bench's hour, so only the 1,000 are due.
            hour = (due_at.hour + 1 + rng.randrange(20)) % 24
            fields = {"day_of_week": day, "hour": hour, "minute": rng.randrange(60)}
            text_ = f"weekly on {day}"
        rows.append(
            {
                "workspace_id": f"T{i % 50:04d}",
                "channel_id": f"C{i:06d}",
                "title": f"Retro {i}",
                "trigger_kind": "cron",
                "trigger_expr": json.dumps({k: str(v) for k, v in fields.items()}),
                "schedule_text": text_,
                "timezone": "UTC",
                "window_seconds": 7200,
                "nudge_seconds": None,
                "status": "active",
                "created_by": "U0BENCH",
            }
        )
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(RetroSeries), rows)
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        due_ids = set(
            conn.scalars(select(RetroSeries.id).order_by(RetroSeries.id).limit(DUE)).all()
        )
    engine.dispose()
    return elapsed, due_ids


def run_engines(
    engines: list[ScheduleEngine],
    *,
    overlap: bool,
    due_at: datetime,
    done: Callable[[], bool],
    patience: timedelta,
) -> float:
    """Start a leader and a standby (or, overlapping, a second leader), then wait until `done`
    or `patience` after the due instant, and a little more for duplicate stragglers.
    Returns the leader's start-up time (taking the lock and the first sync)."""
    t0 = time.perf_counter()
    engines[0].start()
    assert engines[0].wait_until_leader(120), "no leader"
    start_up = time.perf_counter() - t0
    for engine in engines[1:]:
        engine.start()
        if overlap:
            assert engine.wait_until_leader(120)
    seconds_left = (due_at - datetime.now(UTC)).total_seconds()
    if seconds_left < 1:
        print(f"start-up overran the due instant by {-seconds_left:.1f}s; raise --lead")
    deadline = due_at + patience
    while datetime.now(UTC) < deadline and not done():
        time.sleep(0.2)
    time.sleep(2)
    return start_up


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--overlap", action="store_true", help="two schedulers both leading")
    parser.add_argument("--threads", type=int, default=SchedulerSettings().post_threads)
    parser.add_argument("--lead", type=int, default=45, help="seconds until the due instant")
    args = parser.parse_args()

    url, cleanup = database(args.db)
    due_at = (datetime.now(UTC) + timedelta(seconds=args.lead)).replace(microsecond=0)
    reg_seconds, due_ids = register(url, due_at)

    config = SchedulerSettings(
        post_threads=args.threads, sync_seconds=5.0, leader_retry_seconds=1.0
    )
    db = make_engine(url)
    sessions = make_session_factory(db)
    with FakeSlackProcess() as slack:
        client = WebClient(token="xoxb-bench", base_url=slack.api_url)
        notifier = SlackPostingNotifier(client)
        service = RetroService.build(
            sessions=sessions, clock=SystemClock(), synthesiser=NoSynthesis(), notifier=notifier
        )
        locks: list[LeaderLock | None] = (
            [AlwaysLeader(), AlwaysLeader()] if args.overlap else [None, None]
        )
        engines = [
            ScheduleEngine(
                kinds=[RetroKind(service, post_threads=config.post_threads)],
                db_engine=db,
                sessions=sessions,
                config=config,
                lock=lock,
            )
            for lock in locks
        ]
        cold_start = run_engines(
            engines,
            overlap=args.overlap,
            due_at=due_at,
            done=lambda: len(notifier.posted) >= DUE,
            patience=timedelta(seconds=30),
        )

        with sessions() as s:
            fired = s.execute(
                select(Retro.series_id, Retro.occurrence_at).where(Retro.series_id.in_(due_ids))
            ).all()
            total_retros = s.scalar(select(func.count()).select_from(Retro))
        posts = slack.posted_channels()
        per_channel = Counter(posts)
        duplicates = sum(n - 1 for n in per_channel.values() if n > 1)
        per_occurrence = Counter((sid, as_utc(at)) for sid, at in fired)
        claim_dupes = sum(n - 1 for n in per_occurrence.values() if n > 1)
        lateness = notifier.lateness

        for engine in engines:
            engine.stop()
        t1 = time.perf_counter()
        warm = ScheduleEngine(
            kinds=[RetroKind(service, post_threads=config.post_threads)],
            db_engine=db,
            sessions=sessions,
            config=config,
        )
        warm.start()
        assert warm.wait_until_leader(120)
        warm_start = time.perf_counter() - t1
        warm.stop()

    print(
        f"database                      {args.db}{' (two overlapping leaders)' if args.overlap else ''}"
    )
    print(f"schedules registered          {TOTAL} in {reg_seconds:.2f}s (one bulk insert)")
    print(f"post threads                  {args.threads}")
    print(f"start-up, empty job store     {cold_start:.2f}s (leader + 10,000 jobs added)")
    print(f"start-up, 10,000 jobs stored  {warm_start:.2f}s")
    print(f"due in the same second        {DUE}")
    print(
        f"fired (prompts posted)        {len(posts)} / retros opened {len(fired)} (all: {total_retros})"
    )
    print(
        f"duplicate posts               {duplicates}; duplicate retros per occurrence {claim_dupes}"
    )
    print(
        f"lateness p50                  {statistics.median(lateness) if lateness else float('nan'):.3f}s"
    )
    print(f"lateness p99                  {percentile(lateness, 99):.3f}s")
    print(f"lateness max                  {max(lateness) if lateness else float('nan'):.3f}s")
    db.dispose()
    drop_database(cleanup)


if __name__ == "__main__":
    main()

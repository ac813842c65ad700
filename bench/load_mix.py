"""Steady mixed load on two replicas (Postgres + one Chroma server, as in production).

    .venv/bin/python -m bench.load_mix [--rates 4,8,16,32,64] [--step-seconds 25]

The mix, sent round-robin to two `alignbot serve` processes like a proxy would: /swot drafts,
/align kb search and kb list, replies in draft threads (revisions) and retro entries (replies
to an open retro's prompt). The rate steps up until a step has a failure or a p99 ack of 1 s or
more. Latency is measured from each request's scheduled send time, so a client that falls
behind shows up as latency instead of hiding it. Prints every step, the highest rate that
passed, the RSS of each process at the start and the end, and any error the replicas logged.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select

from bench.http_load import Client, Tally, log_errors, pct, rss_mb, run_cli, wait_for
from drafting.models import DraftRequest
from scheduler.models import Retro
from tests.conftest import PG_AVAILABLE
from tests.fakes.slack_api import BOT_USER, FakeSlack
from tests.scale.cluster import cluster_env
from tests.served_app import ServedApp
from tests.servers import ChromaServer, throwaway_database
from tests.slack_requests import payload

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "bot" / "sample_data"
DRAFT_THREADS = 4
WALL_LIMIT = 10 * 60


class Mix:
    """Builds the next request of the mix and sends it to the next replica."""

    def __init__(self, clients: list[Client], threads: list[tuple[str, str]], prompt: str) -> None:
        self.clients = itertools.cycle(clients)
        self.threads = threads
        self.prompt = prompt
        self.seq = itertools.count()
        self.lock = threading.Lock()
        self.kinds: list[tuple[str, float, Callable[[Client, Tally, int], None]]] = [
            ("swot", 0.25, self.swot),
            ("kb search", 0.10, self.search),
            ("kb list", 0.15, self.kb_list),
            ("thread reply", 0.20, self.thread_reply),
            ("retro entry", 0.30, self.retro_entry),
        ]

    def next(self) -> tuple[Client, Callable[[Client, Tally, int], None], int]:
        with self.lock:
            n = next(self.seq)
            client = next(self.clients)
        roll, acc = random.random(), 0.0
        for _, weight, send in self.kinds:
            acc += weight
            if roll < acc:
                return client, send, n
        return client, self.kinds[-1][2], n

    def swot(self, client: Client, tally: Tally, n: int) -> None:
        client.command(tally, "/swot", "Larkspur", channel_id=f"C0LS{n:06d}")

    def search(self, client: Client, tally: Tally, n: int) -> None:
        client.command(tally, "/align", "kb search revenue growth", channel_id=f"C0LQ{n:06d}")

    def kb_list(self, client: Client, tally: Tally, n: int) -> None:
        client.command(tally, "/align", "kb list", channel_id="C0LLIST")

    def thread_reply(self, client: Client, tally: Tally, n: int) -> None:
        channel, root = self.threads[n % len(self.threads)]
        body = payload("event_message_thread_reply", event_id=f"Ev0LT{n:08d}")
        ts = f"{1770000000 + n}.000100"
        text = random.choice(
            ["drop weakness 1", "regenerate threats", "add a strength: fast depots"]
        )
        body["event"].update(channel=channel, thread_ts=root, ts=ts, event_ts=ts, text=text)
        client.event(tally, body)

    def retro_entry(self, client: Client, tally: Tally, n: int) -> None:
        body = payload("event_message_thread_reply", event_id=f"Ev0LR{n:08d}")
        ts = f"{1780000000 + n}.000100"
        body["event"].update(
            channel="C0LRETRO", thread_ts=self.prompt, ts=ts, event_ts=ts, text=f"+ entry {n}"
        )
        client.event(tally, body)


def run_step(mix: Mix, rate: float, seconds: float) -> Tally:
    """Open loop: request i is due at start + i / rate, whatever happened to the others."""
    tally = Tally()
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=256) as pool:
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            client, send, n = mix.next()
            pool.submit(timed, send, client, n, due, tally)
    return tally


def timed(
    send: Callable[[Client, Tally, int], None], client: Client, n: int, due: float, tally: Tally
) -> None:
    inner = Tally()
    send(client, inner, n)
    # Charge the wait between the due time and the send to the request.
    late = max(0.0, time.perf_counter() - due - inner.latencies[0])
    tally.add(inner.latencies[0] + late, inner.failures[0] if inner.failures else None)


def pending_requests(db: Engine) -> int:
    with db.connect() as conn:
        return int(
            conn.scalar(
                select(func.count())
                .select_from(DraftRequest)
                .where(DraftRequest.status == "pending")
            )
            or 0
        )


def prepare(replicas: list[ServedApp], slack: FakeSlack, db: Engine) -> Mix:
    clients = [Client(r.base_url) for r in replicas]
    tally = Tally()
    threads = []
    for n in range(DRAFT_THREADS):
        channel, root = f"C0LT{n}", f"{1760000000 + n}.000100"
        body = payload("event_app_mention", event_id=f"Ev0LPREP{n}")
        body["event"].update(
            channel=channel, ts=root, event_ts=root, text="<@U0BOT0001> draft a SWOT for Larkspur"
        )
        clients[n % 2].event(tally, body)
        threads.append((channel, root))
    slack.channel_members["C0LRETRO"] = [BOT_USER, "U0LEAD001"]
    clients[0].command(tally, "/retro", "Load test", channel_id="C0LRETRO")
    prompt: list[str] = []

    def ready() -> bool:
        with db.connect() as conn:
            prompt[:] = [t for t in conn.scalars(select(Retro.prompt_ts)) if t]
        drafted = {
            c.params.get("channel") for c in slack.calls_to("chat.postMessage") if c.status == 200
        }
        return bool(prompt) and all(ch in drafted for ch, _ in threads)

    if not wait_for(ready, timeout=120) or tally.failures:
        raise RuntimeError(f"could not prepare the draft threads and the retro: {tally.failures}")
    return Mix(clients, threads, prompt[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="4,8,16,32,64")
    parser.add_argument("--step-seconds", type=float, default=25.0)
    args = parser.parse_args()
    if not PG_AVAILABLE:
        sys.exit("needs PostgreSQL on 127.0.0.1:5432")
    began = time.monotonic()
    rates = [float(r) for r in args.rates.split(",")]
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        workdir = Path(tmp)
        chroma = ChromaServer(workdir / "chroma").start()
        try:
            with throwaway_database() as url:
                env = cluster_env(
                    workdir, slack, url, chroma, SERVER__WORK_THREADS="4", LOG_LEVEL="WARNING"
                )
                run_cli(env, workdir, "kb", "add", "--workspace", "T0ALIGN01", str(SAMPLE))
                replicas = [ServedApp(env, workdir).start() for _ in range(2)]
                db = create_engine(url)
                try:
                    report(replicas, chroma, slack, db, rates, args.step_seconds, began)
                finally:
                    for replica in replicas:
                        replica.stop()
                    db.dispose()
        finally:
            chroma.stop()


def report(
    replicas: list[ServedApp],
    chroma: ChromaServer,
    slack: FakeSlack,
    db: Engine,
    rates: list[float],
    step_seconds: float,
    began: float,
) -> None:
    procs = {f"replica {i + 1}": r.proc.pid for i, r in enumerate(replicas) if r.proc}
    if chroma.proc:
        procs["chroma"] = chroma.proc.pid
    mix = prepare(replicas, slack, db)
    rss_start = {name: rss_mb(pid) for name, pid in procs.items()}
    print(
        f"two replicas, Postgres, one Chroma server; {step_seconds:g} s per step; mix: "
        + ", ".join(f"{name} {weight:.0%}" for name, weight, _ in mix.kinds)
    )
    best = None
    for rate in rates:
        if time.monotonic() - began + step_seconds + 120 > WALL_LIMIT:
            print(f"{rate:g}/s: skipped (the run would pass {WALL_LIMIT // 60} minutes)")
            break
        tally = run_step(mix, rate, step_seconds)
        p99 = pct(sorted(tally.latencies), 99)
        passed = not tally.failures and p99 < 1.0
        backlog = pending_requests(db)
        print(
            f"{rate:g}/s: {tally.summary()}; drafts still queued {backlog}; "
            + ("PASS" if passed else "FAIL")
        )
        if not passed:
            break
        best = rate
    drained_at, queued = time.monotonic(), pending_requests(db)
    drained = wait_for(
        lambda: pending_requests(db) == 0, timeout=max(30.0, WALL_LIMIT - (drained_at - began) - 30)
    )
    print(
        f"highest rate with 0 failures and p99 ack < 1 s: {best:g} req/s"
        if best
        else "no rate passed"
    )
    drain = time.monotonic() - drained_at
    print(
        f"draft backlog of {queued} {'drained' if drained else 'NOT drained'} {drain:.0f} s "
        f"after the last step: drafting keeps up with ~{queued / max(drain, 1):.1f} drafts/s"
    )
    rss_end = {name: rss_mb(pid) for name, pid in procs.items()}
    for name in procs:
        print(f"RSS {name}: {rss_start[name]:.0f} MB -> {rss_end[name]:.0f} MB")
    errors = [line for r in replicas for line in log_errors(r.logs())]
    print(f"errors in replica logs: {len(errors)}")
    for line in errors[:10]:
        print(f"  {line[:200]}")
    print(f"wall time {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()

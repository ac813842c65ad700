"""Issue 5: ack latency of `alignbot serve` under 300 /swot drafts, against a bare Bolt app.

    .venv/bin/python -m bench.ack_latency [--requests 300] [--concurrency 30]

Both apps run as `build_asgi` under uvicorn in their own process, on the embedded defaults
(SQLite, embedded Chroma) with the sample company's knowledge, and talk to one fake Slack.
Prints ack p50/p99/max and failures for each, and for alignbot the time until every draft
was posted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.http_load import Client, Tally, log_errors, rss_mb, run_cli, wait_for
from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp, free_port

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "bot" / "sample_data"


def serve_bare(port: int) -> None:
    """A Bolt App with one trivial listener, served exactly as `alignbot serve` serves ours."""
    from slack_bolt import Ack, App

    from bot.cli.common import load_settings
    from bot.server import serve_http
    from bot.serving import build_serving_process
    from handlers.slack_client import make_web_client

    loaded = load_settings()
    # No worker child: the bare app's only work is its ack, as before the split.
    settings = loaded.model_copy(
        update={"server": loaded.server.model_copy(update={"worker_process": False})}
    )
    process = build_serving_process(settings, run_scheduler=False)
    assert settings.slack.signing_secret is not None
    app = App(
        signing_secret=settings.slack.signing_secret.get_secret_value(),
        client=make_web_client(settings.slack),
    )

    @app.command("/swot")
    def handle(ack: Ack) -> None:
        ack(text="ok")

    serve_http(app, process, host="127.0.0.1", port=port)


def start_bare(env: dict[str, str], workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (workdir / "bare.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.ack_latency", "--serve-bare", str(port)],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    ok = wait_for(lambda: healthy(url), timeout=90)
    if not ok:
        proc.kill()
        raise RuntimeError((workdir / "bare.log").read_text())
    return proc, url


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def hammer(base_url: str, requests: int, concurrency: int) -> Tally:
    client, tally = Client(base_url), Tally()
    with ThreadPoolExecutor(concurrency) as pool:
        for n in range(requests):
            pool.submit(client.command, tally, "/swot", "Larkspur", channel_id=f"C0ACK{n:04d}")
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--serve-bare", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare is not None:
        serve_bare(args.serve_bare)
        return

    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # Production's thread settings (app_env trims the work pool for tests).
        env = app_env(
            workdir,
            slack,
            SERVER__WORK_THREADS=os.environ.get("SERVER__WORK_THREADS", "4"),
            SERVER__WORKER_NICENESS=os.environ.get("SERVER__WORKER_NICENESS", "10"),
            LOG_LEVEL="WARNING",
        )
        run_cli(env, workdir, "kb", "add", "--workspace", "T0ALIGN01", str(SAMPLE))
        served = ServedApp(env, workdir).start()
        assert served.proc is not None
        start_rss = rss_mb(served.proc.pid)
        began = time.monotonic()
        tally = hammer(served.base_url, args.requests, args.concurrency)
        acked = time.monotonic() - began

        def drafts() -> int:
            return sum(
                1
                for c in slack.calls_to("chat.postMessage")
                if str(c.params.get("channel", "")).startswith("C0ACK")
                and "SWOT for" in str(c.params.get("text"))
            )

        wait_for(lambda: drafts() >= args.requests, timeout=900)
        all_posted = time.monotonic() - began
        end_rss = rss_mb(served.proc.pid)
        errors = log_errors(served.logs())
        served.stop()

        bare_proc, bare_url = start_bare(env, workdir)
        bare = hammer(bare_url, args.requests, args.concurrency)
        bare_proc.terminate()
        bare_proc.wait(15)

    print(f"{args.requests} signed /swot requests at concurrency {args.concurrency}")
    print(f"alignbot serve : ack {tally.summary()}")
    print(f"                 all acked in {acked:.1f} s")
    print(
        f"                 drafts posted: {drafts()} of {args.requests}, the last "
        f"{all_posted:.1f} s after the first request"
    )
    print(f"                 RSS {start_rss:.0f} MB -> {end_rss:.0f} MB; log errors: {len(errors)}")
    for line in errors[:5]:
        print(f"                   {line}")
    print(f"bare Bolt app  : ack {bare.summary()}")
    for label, run in (("alignbot serve", tally), ("bare Bolt app ", bare)):
        head, tail = run.split(args.concurrency)
        print(f"{label} : first {args.concurrency} sent {head.summary()}")
        print(f"{' ' * len(label)}   the rest     {tail.summary()}")


if __name__ == "__main__":
    main()

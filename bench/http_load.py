"""Shared pieces of the HTTP benchmarks: signed requests, timing, percentiles and process RSS."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

from tests.slack_requests import SIGNING_SECRET, SlackSender, payload


@dataclass
class Tally:
    """Ack latencies (seconds) and failures of one run, safe to fill from many threads."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None, started: float = 0.0) -> None:
        with self._lock:
            self.latencies.append(seconds)
            self.started.append(started)
            if error:
                self.failures.append(error)

    def split(self, first: int) -> tuple[Tally, Tally]:
        """The `first` requests sent, and the rest: a cold server's first burst (new
        connections, first use of every code path) against its steady state."""
        order = sorted(range(len(self.latencies)), key=lambda i: self.started[i])
        head, tail = Tally(), Tally()
        for rank, i in enumerate(order):
            (head if rank < first else tail).add(self.latencies[i], None, self.started[i])
        return head, tail

    def summary(self) -> str:
        lat = sorted(self.latencies)
        if not lat:
            return "no requests"
        return (
            f"n={len(lat)} p50={pct(lat, 50) * 1000:.0f} ms p99={pct(lat, 99) * 1000:.0f} ms "
            f"max={lat[-1] * 1000:.0f} ms failures={len(self.failures)}"
            + (f" (first: {self.failures[0]})" if self.failures else "")
        )


def pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    index = min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1)
    return sorted_values[max(index, 0)]


class Client:
    """One keep-alive connection per thread, signing each request like Slack does."""

    def __init__(self, base_url: str) -> None:
        self.signer = SlackSender(base_url, SIGNING_SECRET)
        self._local = threading.local()

    def _http(self) -> httpx.Client:
        if not hasattr(self._local, "http"):
            self._local.http = httpx.Client(timeout=30)
        return self._local.http

    def send(self, body: str, content_type: str, tally: Tally) -> None:
        headers = self.signer.headers(body, content_type)
        started = time.perf_counter()
        error = None
        try:
            resp = self._http().post(self.signer.url, content=body.encode(), headers=headers)
            if resp.status_code != 200:
                error = f"HTTP {resp.status_code}"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        elapsed = time.perf_counter() - started
        if error is None and elapsed > 3.0:
            error = "ack later than Slack's 3 s"
        tally.add(elapsed, error, started)

    def command(self, tally: Tally, command: str, text: str, **fields: str) -> None:
        form = payload("slash_command", command=command, text=text, **fields)
        self.send(urlencode(form), "application/x-www-form-urlencoded", tally)

    def event(self, tally: Tally, body: dict) -> None:
        self.send(json.dumps(body), "application/json", tally)

    def interactive(self, tally: Tally, body: dict) -> None:
        self.send(
            urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded", tally
        )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def wait_for(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def log_errors(text: str) -> list[str]:
    """ERROR lines, and each traceback as its logged header plus the exception line."""
    lines, found = text.splitlines(), []
    for i, line in enumerate(lines):
        if " ERROR " in line:
            found.append(line)
        elif line.startswith("Traceback"):
            end = i + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end]):
                end += 1
            header = lines[i - 1] if i else ""
            found.append(f"{header} | {lines[end] if end < len(lines) else '?'}")
    return found


def run_cli(env: dict[str, str], workdir: Path, *args: str, timeout: float = 300) -> str:
    """`alignbot <args>` as an operator would run it; returns stdout, raises on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, **env},
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"alignbot {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout

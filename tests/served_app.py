"""Runs `alignbot serve` as a subprocess, exactly as production does, against fakes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.slack_requests import SIGNING_SECRET, SlackSender


def wait_ok(proc: subprocess.Popen[bytes], url: str, timeout: float) -> bool:
    """Until GET `url` answers 200 (True), or the process exits or time runs out (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def kill_process(proc: subprocess.Popen[bytes] | None) -> None:
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)


def stop_process(proc: subprocess.Popen[bytes] | None, grace: float) -> None:
    """SIGTERM, and SIGKILL if it has not exited after `grace` seconds."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            kill_process(proc)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServedApp:
    def __init__(self, env: dict[str, str], workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = {**os.environ, **env}
        self.workdir = workdir
        self.log_path = workdir / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sender(self, secret: str = SIGNING_SECRET) -> SlackSender:
        return SlackSender(self.base_url, secret=secret)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base_url + path, timeout=10)

    def start(self, timeout: float = 90.0) -> ServedApp:
        return self.launch().wait_healthy(timeout)

    def launch(self) -> ServedApp:
        """The process, started; `wait_healthy` waits for it to answer."""
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_healthy(self, timeout: float = 90.0) -> ServedApp:
        assert self.proc is not None, "launch() first"
        if wait_ok(self.proc, f"{self.base_url}/healthz", timeout):
            return self
        if self.proc.poll() is not None:
            raise RuntimeError(f"alignbot serve exited early:\n{self.logs()}")
        self.stop()
        raise RuntimeError(f"alignbot serve did not become healthy:\n{self.logs()}")

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        kill_process(self.proc)

    def stop(self) -> None:
        stop_process(self.proc, 15)

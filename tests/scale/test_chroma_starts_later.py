"""A replica starts while the Chroma server is down: unhealthy, still answering, then recovers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.served_app import free_port
from tests.servers import ChromaServer
from tests.slack_requests import SlackSender


def health(base: str) -> httpx.Response | None:
    try:
        return httpx.get(f"{base}/healthz", timeout=5)
    except httpx.HTTPError:
        return None


@pytest.mark.slow
def test_replica_reports_unhealthy_until_chroma_is_up(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    chroma = ChromaServer(tmp_path / "chroma")  # a port, but no server yet
    port = free_port()
    env = {
        **os.environ,
        **app_env(tmp_path, fake_slack, CHROMA__HOST="127.0.0.1", CHROMA__PORT=str(chroma.port)),
    }
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        resp = None
        while time.monotonic() < deadline and (resp := health(base)) is None:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        assert resp is not None and resp.status_code == 503
        assert resp.json()["database"] == "ok" and resp.json()["vector_store"] != "ok"
        assert "/swot" in SlackSender(base).command("/align", "help").text

        chroma.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            resp = health(base)
            if resp is not None and resp.status_code == 200:
                break
            time.sleep(0.5)
        assert resp is not None and resp.json() == {
            "ok": True,
            "database": "ok",
            "vector_store": "ok",
            "worker": "ok",
        }
    finally:
        proc.terminate()
        proc.wait(15)
        chroma.stop()

"""`alignbot serve` drafts in a worker process: lower CPU priority, replaced when it dies, and
never left running when the serving process is killed. The first test is also the HTTP
transport's `serve` smoke test: signed requests over a real socket, /healthz, a draft."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import app_env
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import Call, FakeSlack
from tests.served_app import ServedApp
from tests.slack_requests import SlackSender


def children(pid: int) -> list[int]:
    """Children of every thread: a replacement worker is started by a watcher thread."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def niceness(pid: int) -> int:
    # Field 19 of /proc/PID/stat; the command name (field 2) may hold spaces, so split after it.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[16])


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for a reaper."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def worker_pid(served: ServedApp) -> int | None:
    assert served.proc is not None
    for pid in children(served.proc.pid):
        line = cmdline(pid)
        if "multiprocessing" in line and "resource_tracker" not in line and running(pid):
            return pid
    return None


def wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


pytestmark = pytest.mark.slow


def swot_posted(channel: str) -> Callable[[Call], bool]:
    def match(call: Call) -> bool:
        return call.params.get("channel") == channel and "SWOT for" in call.params.get("text", "")

    return match


def test_drafts_run_in_a_lower_priority_worker_that_is_replaced_when_it_dies(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    served = ServedApp(app_env(tmp_path, fake_slack), tmp_path).start()
    sender = SlackSender(served.base_url)
    try:
        assert served.proc is not None
        wait_until(lambda: worker_pid(served), 30, "the worker process")
        first = worker_pid(served)
        assert first is not None
        assert niceness(first) == niceness(served.proc.pid) + 10
        health = httpx.get(f"{served.base_url}/healthz", timeout=5).json()
        assert health["worker"] == "ok"

        assert sender.command("/swot", "Larkspur", channel_id="C0WORKER1").status_code == 200
        fake_slack.wait_for("chat.postMessage", swot_posted("C0WORKER1"), timeout=120)

        os.kill(first, signal.SIGKILL)
        wait_until(
            lambda: worker_pid(served) not in (None, first), 60, "a replacement worker process"
        )
        assert "exited" in served.logs()
        # Acks never depended on the worker; the replacement picks up new drafts.
        assert sender.command("/swot", "Larkspur", channel_id="C0WORKER2").status_code == 200
        fake_slack.wait_for("chat.postMessage", swot_posted("C0WORKER2"), timeout=120)
    finally:
        sender.close()
        served.stop()


def test_the_worker_exits_when_the_serving_process_is_killed(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    served = ServedApp(app_env(tmp_path, fake_slack), tmp_path).start()
    wait_until(lambda: worker_pid(served), 30, "the worker process")
    worker = worker_pid(served)
    assert worker is not None
    served.kill()  # SIGKILL: no shutdown code runs in the serving process
    wait_until(lambda: not running(worker), 15, "the orphaned worker to exit")


def test_a_stopped_server_stops_its_worker_even_mid_draft(
    tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    env = app_env(
        tmp_path,
        fake_slack,
        LLM__MODEL="openai:gpt-test",
        LLM__BASE_URL=fake_openai.base_url,
        LLM__API_KEY="sk-test-llm-key-123456",
        LLM__TIMEOUT_SECONDS="60",
        LLM__MAX_RETRIES="0",
    )
    fake_openai.reply("{}", delay=30)  # the model keeps the draft busy past the stop
    served = ServedApp(env, tmp_path).start()
    wait_until(lambda: worker_pid(served), 30, "the worker process")
    worker = worker_pid(served)
    assert worker is not None
    assert served.sender().command("/swot", "Larkspur", channel_id="C0STOP001").status_code == 200
    wait_until(lambda: fake_openai.requests, 60, "the draft waiting on the model")
    served.stop()
    assert served.proc is not None and served.proc.returncode is not None
    wait_until(lambda: not running(worker), 15, "the busy worker to exit")

"""A draft cut off by a crash is not silently lost: the next start tells the requester."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot import migrate
from core.db import make_engine
from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp


def test_interrupted_request_is_reported_with_retry(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = app_env(tmp_path, fake_slack, SERVER__STALE_REQUEST_SECONDS="60")
    data = Path(env["DATA_DIR"])
    data.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{data / 'alignbot.db'}")
    migrate.upgrade(engine)
    engine.dispose()
    with sqlite3.connect(data / "alignbot.db") as conn:
        conn.execute(
            "INSERT INTO draft_requests (workspace_id, channel_id, user_id, kind, subject, text,"
            " status, created_at, updated_at) VALUES ('T0ALIGN01', 'C0CRASH01', 'U0LEAD001',"
            " 'swot', 'Crash Co', 'Crash Co', 'pending', datetime('now', '-1 hour'),"
            " datetime('now', '-1 hour'))"
        )
        conn.execute(
            "INSERT INTO draft_requests (workspace_id, channel_id, user_id, kind, subject, text,"
            " status) VALUES ('T0ALIGN01', 'C0FRESH01', 'U0LEAD001', 'swot', 'Fresh Co',"
            " 'Fresh Co', 'pending')"
        )
    app = InProcessApp(env, tmp_path).start()
    try:
        note = fake_slack.wait_for(
            "chat.postEphemeral", lambda c: c.params.get("channel") == "C0CRASH01"
        )[0]
        assert "restarted" in note.params["text"]
        actions = [
            e["action_id"]
            for b in note.params["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ]
        assert actions == ["draft_retry_request"]
    finally:
        app.stop()
    with sqlite3.connect(data / "alignbot.db") as conn:
        statuses = dict(conn.execute("SELECT channel_id, status FROM draft_requests").fetchall())
    # A young pending request may still be in progress on another replica: left alone.
    assert statuses == {"C0CRASH01": "failed", "C0FRESH01": "pending"}
    assert not [c for c in fake_slack.calls if c.params.get("channel") == "C0FRESH01"]

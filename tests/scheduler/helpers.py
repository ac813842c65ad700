"""Shared helpers for engine tests: second-level schedules and polling without long sleeps."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from scheduler.models import RetroSeries

T = TypeVar("T")


def add_fast_series(
    sessions: sessionmaker[Session],
    *,
    every_seconds: int = 1,
    fields: dict[str, str] | None = None,
    window_seconds: int = 3600,
    nudge_seconds: int | None = None,
    workspace_id: str = "T0ALIGN",
    channel_id: str = "C0TEAM",
) -> int:
    """A schedule firing every few seconds: the parser refuses these, the engine does not care."""
    with session_scope(sessions) as s:
        row = RetroSeries(
            workspace_id=workspace_id,
            channel_id=channel_id,
            title="Fast retro",
            trigger_kind="cron",
            trigger_expr=json.dumps(fields or {"second": f"*/{every_seconds}"}),
            schedule_text=f"every {every_seconds} s (UTC)",
            timezone="UTC",
            window_seconds=window_seconds,
            nudge_seconds=nudge_seconds,
            status="active",
            created_by="U0LEAD",
        )
        s.add(row)
        s.flush()
        return row.id


def wait_for(probe: Callable[[], T | None], *, timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def utc(value: datetime) -> datetime:
    from core.clock import as_utc

    return as_utc(value)

"""Slack-free notifiers and a synthesiser stand-in for retro tests (no Slack, no LLM)."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text

from scheduler.ports import CloseResult, RetroInfo

log = logging.getLogger(__name__)


class LoggingNotifier:
    """Logs every notification and keeps it in memory; answers prompts with a fake ts."""

    def __init__(self, members: dict[str, list[str]] | None = None) -> None:
        self.opened: list[RetroInfo] = []
        self.closed: list[CloseResult] = []
        self.nudged: list[tuple[int, list[str]]] = []
        self.members = members or {}
        self._lock = threading.Lock()
        self._ts = 1700000000

    def retro_opened(self, retro: RetroInfo) -> str | None:
        with self._lock:
            self._ts += 1
            self.opened.append(retro)
            ts = f"{self._ts}.000100"
        log.info(
            "retro %s opened in %s (late by %s)", retro.id, retro.channel_id, retro.late_by_seconds
        )
        return ts

    def retro_closed(self, result: CloseResult) -> None:
        with self._lock:
            self.closed.append(result)
        log.info("retro %s closed with %s entries", result.retro.id, result.entry_count)

    def channel_members(self, workspace_id: str, channel_id: str) -> list[str]:
        return list(self.members.get(channel_id, []))

    def send_nudge(self, retro: RetroInfo, user_ids: list[str]) -> None:
        with self._lock:
            self.nudged.append((retro.id, list(user_ids)))
        log.info("retro %s: nudged %d people", retro.id, len(user_ids))


NOTIFICATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS test_notifications ("
    " kind VARCHAR(16) NOT NULL, retro_id INTEGER NOT NULL, series_id INTEGER,"
    " occurrence_at VARCHAR(40), pid INTEGER NOT NULL, late_by INTEGER)"
)


class DbNotifier(LoggingNotifier):
    """Also writes each notification to `test_notifications`, so a parent process can count
    what several scheduler processes did."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        with engine.begin() as conn:
            conn.execute(text(NOTIFICATIONS_DDL))

    def retro_opened(self, retro: RetroInfo) -> str | None:
        ts = super().retro_opened(retro)
        with self._engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO test_notifications (kind, retro_id, series_id, occurrence_at, pid, late_by)"
                    " VALUES ('opened', :r, :s, :o, :p, :l)"
                ),
                {
                    "r": retro.id,
                    "s": retro.series_id,
                    "o": retro.occurrence_at.isoformat() if retro.occurrence_at else None,
                    "p": os.getpid(),
                    "l": retro.late_by_seconds,
                },
            )
        return ts


@dataclass
class FakeItem:
    label: str
    text: str
    owner: str | None = None
    mentions: int | None = None


@dataclass
class FakeSection:
    key: str
    items: list[FakeItem] = field(default_factory=list)


@dataclass
class FakeDraft:
    subject: str
    sections: list[FakeSection]


class FakeSynthesiser:
    """Sorts by keyword and drafts one item per entry; action items keep a mentioned owner."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.drafted: list[tuple[str, str, list[Any]]] = []
        self.classified: list[str] = []

    def classify_retro_entry(self, text: str) -> str:
        self.classified.append(text)
        lowered = text.lower()
        if "should" in lowered or "todo" in lowered:
            return "action_items"
        if "learned" in lowered:
            return "learnings"
        if "slow" in lowered or "bad" in lowered:
            return "not_so_well"
        return "went_well"

    def draft_retro(
        self, workspace_id: str, subject: str, entries: list[Any], *, on_progress: Any = None
    ) -> FakeDraft:
        self.drafted.append((workspace_id, subject, list(entries)))
        if self.fail:
            raise RuntimeError("model unavailable")
        sections = {
            k: FakeSection(k) for k in ("went_well", "not_so_well", "learnings", "action_items")
        }
        for i, entry in enumerate(entries):
            owner = None
            if entry.section == "action_items":
                words = [w for w in entry.text.split() if w.startswith("<@")]
                owner = words[0].strip("<@>") if words else entry.author
            key = entry.section or "went_well"
            sections[key].items.append(
                FakeItem(label=f"{key[:1].upper()}{i + 1}", text=entry.text, owner=owner)
            )
        return FakeDraft(subject=subject, sections=list(sections.values()))

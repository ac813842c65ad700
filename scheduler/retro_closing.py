"""Closing retros: sort the unsorted, synthesise, track action items and post the result."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import session_scope
from core.retro_sections import SECTIONS
from scheduler import store
from scheduler.contributions import forget_contributors
from scheduler.models import MAX_ENTRY_CHARS, ActionItem, Retro, RetroEntryRow
from scheduler.ports import (
    CloseResult,
    DraftLike,
    RetroEntryData,
    RetroInfo,
    RetroNotifier,
    RetroSynthesiser,
)
from scheduler.retro_lookup import load_retro

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RetroClosing:
    """The one retro part that drafts: it runs where the synthesiser (an LLM) may run."""

    sessions: sessionmaker[Session]
    clock: Clock
    synthesiser: RetroSynthesiser
    notifier: RetroNotifier
    # drafting.draft.RetroEntry in production, so the Drafter gets the type it declares.
    make_entry: Callable[..., Any] = RetroEntryData

    def close_retro(
        self, retro_id: int, *, reason: str, workspace_id: str | None = None
    ) -> CloseResult:
        """Close, synthesise, track action items and notify. A second close does nothing."""
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            claimed = store.claim_close(
                session=session,
                retro_id=retro_id,
                reason=reason,
                now=now,
                workspace_id=workspace_id,
            )
            if claimed:
                forget_contributors(session=session, retro_id=retro_id)
            row = load_retro(session, retro_id, workspace_id)
            info = store.retro_info(row)
            count = store.entry_count(session=session, retro_id=retro_id)
        if not claimed:
            return CloseResult(retro=info, closed_now=False, entry_count=count, contributor_count=0)
        return self._complete_close(retro_id, info, count)

    def resume_interrupted_closes(self, *, older_than: timedelta) -> list[int]:
        """Finish closes a killed process left half-done (synthesis and action items missing)."""
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            stuck = store.claim_stuck_closes(session=session, older_than=now - older_than, now=now)
        for retro_id in stuck:
            with session_scope(self.sessions) as session:
                row = load_retro(session, retro_id, None)
                info = store.retro_info(row)
                count = store.entry_count(session=session, retro_id=retro_id)
            log.warning("finishing the close of retro %s, interrupted by a crash", retro_id)
            self._complete_close(retro_id, info, count)
        return stuck

    def classify_unsorted(self, retro_id: int) -> int:
        """Sort unprefixed entries with the drafting engine; returns how many were sorted."""
        with session_scope(self.sessions) as session:
            pending = list(
                session.execute(
                    select(RetroEntryRow.id, RetroEntryRow.text).where(
                        RetroEntryRow.retro_id == retro_id, RetroEntryRow.section.is_(None)
                    )
                )
            )
        sorted_count = 0
        for entry_id, text in pending:
            try:
                section = self.synthesiser.classify_retro_entry(text)
            except Exception:
                log.exception("classifying entry %s failed; it stays unsorted", entry_id)
                continue
            if section not in SECTIONS:
                continue
            with session_scope(self.sessions) as session:
                session.execute(
                    update(RetroEntryRow)
                    .where(RetroEntryRow.id == entry_id, RetroEntryRow.section.is_(None))
                    .values(section=section)
                )
            sorted_count += 1
        return sorted_count

    def _complete_close(self, retro_id: int, info: RetroInfo, count: int) -> CloseResult:
        if count == 0:
            with session_scope(self.sessions) as session:
                if not store.finish_close(session=session, retro_id=retro_id):
                    return CloseResult(
                        retro=info, closed_now=False, entry_count=0, contributor_count=0
                    )
            result = CloseResult(retro=info, closed_now=True, entry_count=0, contributor_count=0)
            self._notify_closed(result)
            return result

        self.classify_unsorted(retro_id)
        with session_scope(self.sessions) as session:
            rows = list(
                session.scalars(
                    select(RetroEntryRow)
                    .where(RetroEntryRow.retro_id == retro_id)
                    .order_by(RetroEntryRow.id)
                )
            )
            entries = [
                self.make_entry(section=r.section, text=r.text, author=r.author) for r in rows
            ]
            raw_actions = [r.text for r in rows if r.section == "action_items"]
            contributor_count = len({r.author for r in rows if r.author})
        draft: Any = None
        error: str | None = None
        try:
            draft = self.synthesiser.draft_retro(info.workspace_id, info.title, entries)
        except Exception as exc:
            log.exception("synthesising retro %s failed", retro_id)
            error = f"{type(exc).__name__}: {exc}"[:500]
        if draft is not None:
            actions = _draft_actions(draft)
        else:
            # Without a synthesis, the team's own "!" entries still become tracked items.
            actions = [(text, None) for text in raw_actions]
        with session_scope(self.sessions) as session:
            # Items and the final state commit together: a crash before here is resumed whole,
            # and of two processes finishing one close, only the first stores anything.
            if not store.finish_close(session=session, retro_id=retro_id):
                return CloseResult(
                    retro=info, closed_now=False, entry_count=count, contributor_count=0
                )
            items = [
                ActionItem(
                    workspace_id=info.workspace_id,
                    series_id=info.series_id,
                    retro_id=retro_id,
                    channel_id=info.channel_id,
                    text=text[:MAX_ENTRY_CHARS],
                    owner=(owner or None) and owner[:64],
                    status="open",
                )
                for text, owner in actions
                if text.strip()
            ]
            session.add_all(items)
            if error:
                session.execute(
                    update(Retro).where(Retro.id == retro_id).values(synthesis_error=error)
                )
            session.flush()
            action_infos = [store.action_info(i) for i in items]
        result = CloseResult(
            retro=info,
            closed_now=True,
            entry_count=count,
            contributor_count=contributor_count,
            draft=draft,
            action_items=action_infos,
            error=error,
        )
        self._notify_closed(result)
        return result

    def _notify_closed(self, result: CloseResult) -> None:
        try:
            self.notifier.retro_closed(result)
        except Exception:
            log.exception("posting the close of retro %s failed", result.retro.id)


def _draft_actions(draft: DraftLike) -> list[tuple[str, str | None]]:
    actions: list[tuple[str, str | None]] = []
    for section in draft.sections:
        if section.key != "action_items":
            continue
        for item in section.items:
            actions.append((item.text, getattr(item, "owner", None)))
    return actions

"""RetroService: open, collect, nudge and close retros, and manage their schedules (no Slack)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from scheduler import store
from core.clock import Clock, as_utc
from scheduler.errors import (
    ActionItemNotFound,
    EntryRejected,
    RetroAlreadyOpen,
    RetroClosed,
    RetroNotFound,
    ScheduleNotFound,
    ScheduleStateError,
)
from scheduler.models import SECTIONS, ActionItem, Retro, RetroEntryRow, RetroSeries, ScheduleFire
from scheduler.ports import (
    ActionItemInfo,
    CloseResult,
    DraftLike,
    EntryResult,
    EntrySource,
    RetroEntryData,
    RetroInfo,
    RetroNotifier,
    RetroSynthesiser,
    ScheduleInfo,
    Section,
)
from scheduler.when import ScheduleRequest, validate_timing

log = logging.getLogger(__name__)

PREFIXES: dict[str, Section] = {
    "+": "went_well",
    "-": "not_so_well",
    "*": "learnings",
    "!": "action_items",
}
# "*word*" is Slack bold, not the learnings prefix.
_BOLD_START = re.compile(r"^\*[^*\s][^*\n]*\*")
MAX_ENTRY_CHARS = 3000
DEFAULT_TITLE = "Team retro"


def parse_prefixed_entry(text: str) -> tuple[Section | None, str]:
    """`+ went well`, `- not so well`, `* learning`, `! action`; anything else is unsorted."""
    stripped = text.strip()
    head = stripped[:1]
    if head in PREFIXES and not (head == "*" and _BOLD_START.match(stripped)):
        body = stripped[1:].strip()
        if body:
            return PREFIXES[head], body
    return None, stripped


class RetroService:
    """The retro domain. Every method opens its own unit of work; ids are the currency."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        synthesiser: RetroSynthesiser,
        notifier: RetroNotifier,
        make_entry: Callable[..., Any] = RetroEntryData,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._synth = synthesiser
        self._notifier = notifier
        # drafting.draft.RetroEntry in production, so the Drafter gets the type it declares.
        self._make_entry = make_entry
        self._listeners: list[Callable[[], None]] = []

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self._sessions

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Called after schedules or retro deadlines change (the engine re-syncs its jobs)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("retro change listener failed")

    # opening ---------------------------------------------------------------------------------

    def open_retro(
        self,
        workspace_id: str,
        channel_id: str,
        title: str | None,
        *,
        opened_by: str | None,
        window: timedelta,
        nudge: timedelta | None = None,
        series_id: int | None = None,
        occurrence_at: datetime | None = None,
    ) -> RetroInfo:
        """Open a retro now and post its prompt. One-off retros refuse a second open one."""
        with session_scope(self._sessions) as session:
            if series_id is None:
                existing = store.open_retro_in_channel(
                    session=session, workspace_id=workspace_id, channel_id=channel_id
                )
                if existing is not None:
                    raise RetroAlreadyOpen(existing.id, channel_id)
            info = self._insert_retro(
                session,
                workspace_id=workspace_id,
                channel_id=channel_id,
                title=title,
                opened_by=opened_by,
                window=window,
                nudge=nudge,
                series_id=series_id,
                occurrence_at=occurrence_at,
            )
        return self.announce(info)

    def fire_schedule(self, schedule_id: int, occurrence_at: datetime) -> RetroInfo | None:
        """Open and announce the retro for one scheduled occurrence, exactly once anywhere.

        Returns None when the occurrence was already claimed or the schedule is not active.
        """
        opened = self.claim_occurrences([(schedule_id, occurrence_at)])
        return self.announce(opened[0]) if opened else None

    def claim_occurrences(self, occurrences: Sequence[tuple[int, datetime]]) -> list[RetroInfo]:
        """Claim occurrences and open their retros in one transaction, without posting.

        The engine batches simultaneous fires through this, then announces each. Claims that
        another process already holds are skipped: the claim and the retro commit together.
        Set-based (a handful of statements for any batch size), because 1,000 schedules can
        fall due in the same second.
        """
        keys = list(dict.fromkeys((sid, as_utc(at)) for sid, at in occurrences))
        if not keys:
            return []
        with session_scope(self._sessions) as session:
            series = {
                row.id: row
                for row in session.scalars(
                    select(RetroSeries).where(
                        RetroSeries.id.in_({sid for sid, _ in keys}),
                        RetroSeries.status == "active",
                    )
                )
            }
            keys = [k for k in keys if k[0] in series]
            if not keys:
                return []
            claimed = self._claim_fires(session, keys)
            if len(claimed) < len(keys):
                log.info("%d occurrence(s) already fired elsewhere", len(keys) - len(claimed))
            values = [
                self._retro_values(
                    workspace_id=series[sid].workspace_id,
                    channel_id=series[sid].channel_id,
                    title=series[sid].title,
                    opened_by=None,
                    window=timedelta(seconds=series[sid].window_seconds),
                    nudge=_seconds(series[sid].nudge_seconds),
                    series_id=sid,
                    occurrence_at=at,
                )
                for sid, at in keys
                if (sid, at) in claimed
            ]
            if not values:
                return []
            rows = session.execute(
                insert(Retro).returning(Retro, sort_by_parameter_order=True), values
            ).scalars()
            inserted = list(rows)
            carried = store.open_actions_by_series(
                session=session, series_ids={row.series_id for row in inserted if row.series_id}
            )
            opened = [
                store.retro_info(row, carried.get(row.series_id or 0, [])) for row in inserted
            ]
            session.connection().execute(
                update(ScheduleFire.__table__)  # type: ignore[arg-type]
                .where(
                    ScheduleFire.__table__.c.schedule_id == bindparam("sid"),
                    ScheduleFire.__table__.c.occurrence_at == bindparam("at"),
                )
                .values(retro_id=bindparam("rid")),
                [
                    {"sid": info.series_id, "at": info.occurrence_at, "rid": info.id}
                    for info in opened
                ],
            )
        return opened

    @staticmethod
    def _claim_fires(
        session: Session, keys: list[tuple[int, datetime]]
    ) -> set[tuple[int, datetime]]:
        dialect = session.get_bind().dialect.name
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            insert_(ScheduleFire)
            .values([{"schedule_id": sid, "occurrence_at": at} for sid, at in keys])
            .on_conflict_do_nothing(index_elements=["schedule_id", "occurrence_at"])
            .returning(ScheduleFire.schedule_id, ScheduleFire.occurrence_at)
        )
        return {(sid, as_utc(at)) for sid, at in session.execute(stmt)}

    def _retro_values(
        self,
        *,
        workspace_id: str,
        channel_id: str,
        title: str | None,
        opened_by: str | None,
        window: timedelta,
        nudge: timedelta | None,
        series_id: int | None,
        occurrence_at: datetime | None,
    ) -> dict[str, Any]:
        now = as_utc(self._clock.now())
        # A late (catch-up) retro still gets its full window, counted from when it opens.
        closes_at = now + window
        nudge_at = closes_at - nudge if nudge else None
        late_by = None
        if occurrence_at is not None:
            late_by = max(0, int((now - as_utc(occurrence_at)).total_seconds()))
        return {
            "workspace_id": workspace_id,
            "channel_id": channel_id,
            "series_id": series_id,
            "title": (title or DEFAULT_TITLE).strip()[:200] or DEFAULT_TITLE,
            "opened_by": opened_by,
            "opened_at": now,
            "closes_at": closes_at,
            "nudge_at": nudge_at if nudge_at and nudge_at > now else None,
            "status": "open",
            "late_by_seconds": late_by,
            "occurrence_at": as_utc(occurrence_at) if occurrence_at else None,
        }

    def _insert_retro(self, session: Session, **fields: Any) -> RetroInfo:
        row = Retro(**self._retro_values(**fields))
        session.add(row)
        session.flush()
        carried = store.open_action_items(
            session=session,
            workspace_id=row.workspace_id,
            series_id=row.series_id,
            channel_id=row.channel_id,
        )
        return store.retro_info(row, [store.action_info(a) for a in carried])

    def announce(self, info: RetroInfo, *, record: bool = True) -> RetroInfo:
        """Post the prompt of a freshly opened retro and remember its ts.

        With record=False the caller stores the ts itself (the engine batches those writes).
        """
        try:
            ts = self._notifier.retro_opened(info)
        except Exception:
            # The retro exists and collects modal entries; only the prompt post failed.
            log.exception("posting the prompt for retro %s failed", info.id)
            ts = None
        if ts:
            if record:
                self.record_prompt_ts(info.id, ts)
            info = info.model_copy(update={"prompt_ts": ts})
        self._changed()
        return info

    def record_prompt_ts(self, retro_id: int, ts: str) -> None:
        self.record_prompt_ts_many([(retro_id, ts)])

    def record_prompt_ts_many(self, pairs: Sequence[tuple[int, str]]) -> None:
        if not pairs:
            return
        with session_scope(self._sessions) as session:
            # ORM bulk UPDATE by primary key: one executemany for the whole batch.
            session.execute(update(Retro), [{"id": rid, "prompt_ts": ts} for rid, ts in pairs])

    # reading ---------------------------------------------------------------------------------

    def get_retro(self, retro_id: int, *, workspace_id: str | None = None) -> RetroInfo:
        with session_scope(self._sessions) as session:
            row = self._retro(session, retro_id, workspace_id)
            carried = store.open_action_items(
                session=session,
                workspace_id=row.workspace_id,
                series_id=row.series_id,
                channel_id=row.channel_id,
            )
            carried = [a for a in carried if a.retro_id != row.id]
            return store.retro_info(row, [store.action_info(a) for a in carried])

    def find_retro_by_prompt(
        self, workspace_id: str, channel_id: str, prompt_ts: str
    ) -> RetroInfo | None:
        """The retro whose prompt a thread reply hangs off, if any."""
        with session_scope(self._sessions) as session:
            row = session.scalar(
                select(Retro).where(
                    Retro.workspace_id == workspace_id,
                    Retro.channel_id == channel_id,
                    Retro.prompt_ts == prompt_ts,
                )
            )
            return store.retro_info(row) if row else None

    def list_open_retros(
        self, workspace_id: str, *, channel_id: str | None = None
    ) -> list[RetroInfo]:
        with session_scope(self._sessions) as session:
            query = select(Retro).where(Retro.workspace_id == workspace_id, Retro.status == "open")
            if channel_id is not None:
                query = query.where(Retro.channel_id == channel_id)
            return [store.retro_info(r) for r in session.scalars(query.order_by(Retro.id))]

    def list_entries(self, retro_id: int, *, workspace_id: str) -> list[RetroEntryData]:
        with session_scope(self._sessions) as session:
            self._retro(session, retro_id, workspace_id)
            rows = session.scalars(
                select(RetroEntryRow)
                .where(RetroEntryRow.retro_id == retro_id)
                .order_by(RetroEntryRow.id)
            )
            return [RetroEntryData(section=r.section, text=r.text, author=r.author) for r in rows]

    # collecting ------------------------------------------------------------------------------

    def add_entry(
        self,
        retro_id: int,
        *,
        workspace_id: str,
        section: Section | None,
        text: str,
        author: str | None,
        anonymous: bool,
        source: EntrySource,
        source_ts: str | None = None,
    ) -> EntryResult:
        """Store one entry now (committed before returning, so acknowledging it is safe).

        Anonymous entries are stored without an author. A repeated `source_ts` (a redelivered
        thread reply, a resubmitted modal) returns the stored entry with created=False.
        """
        body = text.strip()
        if not body:
            raise EntryRejected("An entry needs some text.")
        if section is not None and section not in SECTIONS:
            raise EntryRejected(f"Unknown section {section!r}.")
        stored_author = None if anonymous else author
        with session_scope(self._sessions) as session:
            # Row lock on Postgres: a concurrent close waits for this entry, or we see it closed.
            retro = session.scalar(
                select(Retro)
                .where(Retro.id == retro_id, Retro.workspace_id == workspace_id)
                .with_for_update()
            )
            if retro is None:
                raise RetroNotFound(f"Retro {retro_id} was not found.")
            if retro.status != "open":
                raise RetroClosed("This retro has closed; entries are no longer collected.")
            values = {
                "retro_id": retro_id,
                "workspace_id": workspace_id,
                "section": section,
                "text": body[:MAX_ENTRY_CHARS],
                "author": stored_author,
                "source": source,
                "source_ts": source_ts,
                "created_at": as_utc(self._clock.now()),
            }
            entry_id = self._insert_entry(session, values)
            created = entry_id is not None
            if entry_id is None:
                existing = session.execute(
                    select(RetroEntryRow.id, RetroEntryRow.section).where(
                        RetroEntryRow.retro_id == retro_id, RetroEntryRow.source_ts == source_ts
                    )
                ).one()
                entry_id, section = existing.id, existing.section
        # Never log the author: anonymous or not, logs are not where people's names go.
        log.info("retro %s: entry %s stored (created=%s)", retro_id, entry_id, created)
        return EntryResult(entry_id=entry_id, retro_id=retro_id, section=section, created=created)

    @staticmethod
    def _insert_entry(session: Session, values: dict[str, Any]) -> int | None:
        if values["source_ts"] is None:
            row = RetroEntryRow(**values)
            session.add(row)
            session.flush()
            return row.id
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            insert(RetroEntryRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["retro_id", "source_ts"])
            .returning(RetroEntryRow.id)
        )
        return session.scalar(stmt)

    def add_thread_reply(
        self,
        workspace_id: str,
        channel_id: str,
        thread_ts: str,
        *,
        text: str,
        author: str | None,
        message_ts: str,
    ) -> EntryResult | None:
        """A reply in a prompt's thread becomes an entry; None when the thread is no retro's."""
        retro = self.find_retro_by_prompt(workspace_id, channel_id, thread_ts)
        if retro is None:
            return None
        section, body = parse_prefixed_entry(text)
        return self.add_entry(
            retro.id,
            workspace_id=workspace_id,
            section=section,
            text=body,
            author=author,
            anonymous=False,
            source="thread",
            source_ts=message_ts,
        )

    def classify_unsorted(self, retro_id: int) -> int:
        """Sort unprefixed entries with the drafting engine; returns how many were sorted."""
        with session_scope(self._sessions) as session:
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
                section = self._synth.classify_retro_entry(text)
            except Exception:
                log.exception("classifying entry %s failed; it stays unsorted", entry_id)
                continue
            if section not in SECTIONS:
                continue
            with session_scope(self._sessions) as session:
                session.execute(
                    update(RetroEntryRow)
                    .where(RetroEntryRow.id == entry_id, RetroEntryRow.section.is_(None))
                    .values(section=section)
                )
            sorted_count += 1
        return sorted_count

    # nudging ---------------------------------------------------------------------------------

    def nudge_targets(self, retro_id: int, members: list[str]) -> list[str]:
        """Members who have not contributed under their name (anonymous authors are unknowable)."""
        with session_scope(self._sessions) as session:
            done = store.contributors(session=session, retro_id=retro_id)
            retro = session.get(Retro, retro_id)
            if retro is not None and retro.opened_by:
                # Whoever opened it is running it; a reminder to them is noise.
                done.add(retro.opened_by)
        return [m for m in dict.fromkeys(members) if m not in done]

    def send_nudge(self, retro_id: int) -> list[str]:
        """Send the pre-close reminder once (claimed in SQL); returns who was nudged."""
        now = as_utc(self._clock.now())
        with session_scope(self._sessions) as session:
            if not store.claim_nudge(session=session, retro_id=retro_id, now=now):
                return []
            retro = store.retro_info(self._retro(session, retro_id, None))
        members = self._notifier.channel_members(retro.workspace_id, retro.channel_id)
        targets = self.nudge_targets(retro_id, members)
        if targets:
            self._notifier.send_nudge(retro, targets)
        return targets

    # closing ---------------------------------------------------------------------------------

    def close_retro(
        self, retro_id: int, *, reason: str, workspace_id: str | None = None
    ) -> CloseResult:
        """Close, synthesise, track action items and notify. A second close does nothing."""
        now = as_utc(self._clock.now())
        with session_scope(self._sessions) as session:
            claimed = store.claim_close(
                session=session,
                retro_id=retro_id,
                reason=reason,
                now=now,
                workspace_id=workspace_id,
            )
            row = self._retro(session, retro_id, workspace_id)
            info = store.retro_info(row)
            count = store.entry_count(session=session, retro_id=retro_id)
        if not claimed:
            return CloseResult(retro=info, closed_now=False, entry_count=count, contributor_count=0)
        return self._complete_close(retro_id, info, count)

    def resume_interrupted_closes(self, *, older_than: timedelta) -> list[int]:
        """Finish closes a killed process left half-done (synthesis and action items missing)."""
        now = as_utc(self._clock.now())
        with session_scope(self._sessions) as session:
            stuck = store.claim_stuck_closes(session=session, older_than=now - older_than, now=now)
        for retro_id in stuck:
            with session_scope(self._sessions) as session:
                row = self._retro(session, retro_id, None)
                info = store.retro_info(row)
                count = store.entry_count(session=session, retro_id=retro_id)
            log.warning("finishing the close of retro %s, interrupted by a crash", retro_id)
            self._complete_close(retro_id, info, count)
        return stuck

    def _complete_close(self, retro_id: int, info: RetroInfo, count: int) -> CloseResult:
        if count == 0:
            with session_scope(self._sessions) as session:
                if not store.finish_close(session=session, retro_id=retro_id):
                    return CloseResult(
                        retro=info, closed_now=False, entry_count=0, contributor_count=0
                    )
            result = CloseResult(retro=info, closed_now=True, entry_count=0, contributor_count=0)
            self._notify_closed(result)
            return result

        self.classify_unsorted(retro_id)
        with session_scope(self._sessions) as session:
            rows = list(
                session.scalars(
                    select(RetroEntryRow)
                    .where(RetroEntryRow.retro_id == retro_id)
                    .order_by(RetroEntryRow.id)
                )
            )
            entries = [
                self._make_entry(section=r.section, text=r.text, author=r.author) for r in rows
            ]
            raw_actions = [r.text for r in rows if r.section == "action_items"]
            contributor_count = len({r.author for r in rows if r.author})
        draft: Any = None
        error: str | None = None
        try:
            draft = self._synth.draft_retro(info.workspace_id, info.title, entries)
        except Exception as exc:
            log.exception("synthesising retro %s failed", retro_id)
            error = f"{type(exc).__name__}: {exc}"[:500]
        if draft is not None:
            actions = _draft_actions(draft)
        else:
            # Without a synthesis, the team's own "!" entries still become tracked items.
            actions = [(text, None) for text in raw_actions]
        with session_scope(self._sessions) as session:
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
            self._notifier.retro_closed(result)
        except Exception:
            log.exception("posting the close of retro %s failed", result.retro.id)
        self._changed()

    # action items ----------------------------------------------------------------------------

    def set_action_status(
        self, action_id: int, status: str, *, workspace_id: str
    ) -> ActionItemInfo:
        if status not in ("open", "done"):
            raise ScheduleStateError(f"Unknown action item status {status!r}.")
        with session_scope(self._sessions) as session:
            item = session.scalar(
                select(ActionItem).where(
                    ActionItem.id == action_id, ActionItem.workspace_id == workspace_id
                )
            )
            if item is None:
                raise ActionItemNotFound(f"Action item {action_id} was not found.")
            item.status = status
            item.updated_at = as_utc(self._clock.now())
            session.flush()
            return store.action_info(item)

    def list_action_items(
        self,
        workspace_id: str,
        *,
        series_id: int | None = None,
        channel_id: str | None = None,
        include_done: bool = False,
    ) -> list[ActionItemInfo]:
        with session_scope(self._sessions) as session:
            query = select(ActionItem).where(ActionItem.workspace_id == workspace_id)
            if series_id is not None:
                query = query.where(ActionItem.series_id == series_id)
            if channel_id is not None:
                query = query.where(ActionItem.channel_id == channel_id)
            if not include_done:
                query = query.where(ActionItem.status == "open")
            return [store.action_info(a) for a in session.scalars(query.order_by(ActionItem.id))]

    # schedules -------------------------------------------------------------------------------

    def create_schedule(
        self, workspace_id: str, *, request: ScheduleRequest, created_by: str
    ) -> ScheduleInfo:
        """Store a validated schedule; the reply shows `next_occurrences` (three)."""
        now = self._clock.now()
        validate_timing(request.spec, window=request.window, nudge=request.nudge, now=now)
        spec = request.spec
        with session_scope(self._sessions) as session:
            row = RetroSeries(
                workspace_id=workspace_id,
                channel_id=request.channel_id,
                title=(request.title or DEFAULT_TITLE)[:200],
                trigger_kind=spec.kind,
                trigger_expr=spec.expression,
                schedule_text=f"{spec.description} ({spec.timezone})",
                timezone=spec.timezone,
                window_seconds=int(request.window.total_seconds()),
                nudge_seconds=int(request.nudge.total_seconds()) if request.nudge else None,
                status="active",
                created_by=created_by,
                created_at=as_utc(now),
            )
            session.add(row)
            session.flush()
            info = store.schedule_info(row, now=now)
        self._changed()
        return info

    def list_schedules(
        self, workspace_id: str, *, channel_id: str | None = None, include_cancelled: bool = False
    ) -> list[ScheduleInfo]:
        now = self._clock.now()
        with session_scope(self._sessions) as session:
            query = select(RetroSeries).where(RetroSeries.workspace_id == workspace_id)
            if channel_id is not None:
                query = query.where(RetroSeries.channel_id == channel_id)
            if not include_cancelled:
                query = query.where(RetroSeries.status != "cancelled")
            rows = session.scalars(query.order_by(RetroSeries.id))
            return [store.schedule_info(r, now=now) for r in rows]

    def get_schedule(self, workspace_id: str, schedule_id: int) -> ScheduleInfo:
        with session_scope(self._sessions) as session:
            return store.schedule_info(
                self._series(session, workspace_id, schedule_id), now=self._clock.now()
            )

    def pause_schedule(self, workspace_id: str, schedule_id: int) -> ScheduleInfo:
        return self._transition(workspace_id, schedule_id, "paused", allowed_from=("active",))

    def resume_schedule(self, workspace_id: str, schedule_id: int) -> ScheduleInfo:
        return self._transition(workspace_id, schedule_id, "active", allowed_from=("paused",))

    def cancel_schedule(self, workspace_id: str, schedule_id: int) -> ScheduleInfo:
        return self._transition(
            workspace_id, schedule_id, "cancelled", allowed_from=("active", "paused")
        )

    def _transition(
        self, workspace_id: str, schedule_id: int, status: str, *, allowed_from: tuple[str, ...]
    ) -> ScheduleInfo:
        now = self._clock.now()
        with session_scope(self._sessions) as session:
            row = self._series(session, workspace_id, schedule_id)
            if row.status == status:
                return store.schedule_info(row, now=now)
            if row.status not in allowed_from:
                raise ScheduleStateError(
                    f"Schedule {schedule_id} is {row.status}; it cannot become {status}."
                )
            row.status = status
            row.updated_at = as_utc(now)
            session.flush()
            info = store.schedule_info(row, now=now)
        self._changed()
        return info

    # helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _retro(session: Session, retro_id: int, workspace_id: str | None) -> Retro:
        row = session.get(Retro, retro_id)
        if row is None or (workspace_id is not None and row.workspace_id != workspace_id):
            raise RetroNotFound(f"Retro {retro_id} was not found.")
        return row

    @staticmethod
    def _series(session: Session, workspace_id: str, schedule_id: int) -> RetroSeries:
        row = session.scalar(
            select(RetroSeries).where(
                RetroSeries.id == schedule_id, RetroSeries.workspace_id == workspace_id
            )
        )
        if row is None:
            raise ScheduleNotFound(f"There is no schedule {schedule_id} in this workspace.")
        return row


def _draft_actions(draft: DraftLike) -> list[tuple[str, str | None]]:
    actions: list[tuple[str, str | None]] = []
    for section in draft.sections:
        if section.key != "action_items":
            continue
        for item in section.items:
            actions.append((item.text, getattr(item, "owner", None)))
    return actions


def _seconds(value: int | None) -> timedelta | None:
    return timedelta(seconds=value) if value else None

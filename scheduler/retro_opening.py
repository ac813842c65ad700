"""Opening retros: now on request, or for a schedule's occurrence, and posting their prompt."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import insert_ignore, session_scope
from scheduler import store
from scheduler.errors import RetroAlreadyOpen, RetroPromptNotPosted
from scheduler.models import DEFAULT_TITLE, Retro, RetroSeries, ScheduleFire
from scheduler.ports import RetroInfo, RetroNotifier

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RetroOpening:
    """Opens retros and posts their prompts through the notifier."""

    sessions: sessionmaker[Session]
    clock: Clock
    notifier: RetroNotifier

    def open_retro(
        self,
        workspace_id: str,
        channel_id: str,
        title: str | None,
        *,
        opened_by: str | None,
        window: timedelta,
        nudge: timedelta | None = None,
    ) -> RetroInfo:
        """Open a one-off retro now and post its prompt; refused while one is open there.

        Scheduled retros open through `claim_occurrences` instead.
        """
        with session_scope(self.sessions) as session:
            existing = store.open_retro_in_channel(
                session=session, workspace_id=workspace_id, channel_id=channel_id
            )
            if existing is not None:
                raise RetroAlreadyOpen(existing.id, channel_id)
            row = Retro(
                **self._retro_values(
                    workspace_id=workspace_id,
                    channel_id=channel_id,
                    title=title,
                    opened_by=opened_by,
                    window=window,
                    nudge=nudge,
                    series_id=None,
                    occurrence_at=None,
                )
            )
            session.add(row)
            session.flush()
            carried = store.open_action_items(
                session=session,
                workspace_id=row.workspace_id,
                series_id=row.series_id,
                channel_id=row.channel_id,
            )
            info = store.retro_info(row, [store.action_info(a) for a in carried])
        # Asked for now, by someone waiting: a prompt that cannot be posted withdraws the retro,
        # so the channel is not left with an open retro nobody can see, and the caller says why.
        try:
            ts = self.notifier.retro_opened(info)
        except Exception as exc:
            self._withdraw(info.id)
            raise RetroPromptNotPosted(_reason(exc)) from exc
        if not ts:
            self._withdraw(info.id)
            raise RetroPromptNotPosted("no message was posted")
        self.record_prompt_ts_many([(info.id, ts)])
        return info.model_copy(update={"prompt_ts": ts})

    def _withdraw(self, retro_id: int) -> None:
        with session_scope(self.sessions) as session:
            session.execute(delete(Retro).where(Retro.id == retro_id))

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
        with session_scope(self.sessions) as session:
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
            claimed = {
                (sid, as_utc(at))
                for sid, at in insert_ignore(
                    session,
                    ScheduleFire,
                    [{"schedule_id": sid, "occurrence_at": at} for sid, at in keys],
                    ["schedule_id", "occurrence_at"],
                    returning=["schedule_id", "occurrence_at"],
                )
            }
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
        now = as_utc(self.clock.now())
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

    def announce(self, info: RetroInfo, *, record: bool = True) -> RetroInfo:
        """Post the prompt of a freshly opened retro and remember its ts.

        With record=False the caller stores the ts itself (the engine batches those writes).
        """
        try:
            ts = self.notifier.retro_opened(info)
        except Exception:
            # The retro exists and collects modal entries; only the prompt post failed.
            log.exception("posting the prompt for retro %s failed", info.id)
            ts = None
        if ts:
            if record:
                self.record_prompt_ts_many([(info.id, ts)])
            info = info.model_copy(update={"prompt_ts": ts})
        return info

    def record_prompt_ts_many(self, pairs: Sequence[tuple[int, str]]) -> None:
        if not pairs:
            return
        with session_scope(self.sessions) as session:
            # ORM bulk UPDATE by primary key: one executemany for the whole batch.
            session.execute(update(Retro), [{"id": rid, "prompt_ts": ts} for rid, ts in pairs])


def _seconds(value: int | None) -> timedelta | None:
    return timedelta(seconds=value) if value else None


def _reason(exc: Exception) -> str:
    """A short reason to show: the platform's error code when the notifier's client carries one
    (slack_sdk's errors hold the API response), else the exception's name."""
    response: Any = getattr(exc, "response", None)
    code = response.get("error") if response is not None and hasattr(response, "get") else None
    return str(code or type(exc).__name__)

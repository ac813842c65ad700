"""Opening retros: now on request, or for a schedule's occurrence, and posting their prompt."""

from __future__ import annotations

import logging
from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import insert_ignore, session_scope
from scheduler import store
from scheduler.errors import RetroAlreadyOpen, RetroPromptNotPosted
from scheduler.models import DEFAULT_TITLE, OccurrenceClaim, Retro, RetroSeries
from scheduler.occurrences import finish_occurrences, record_results, take_over_unfinished
from scheduler.ports import RetroInfo, RetroNotifier

log = logging.getLogger(__name__)
# The kind scheduled retros claim their occurrences under (scheduler/occurrences.py).
RETRO_KIND = "retro"


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
            now = as_utc(self.clock.now())
            claimed = {
                (sid, as_utc(at))
                for sid, at in insert_ignore(
                    session,
                    OccurrenceClaim,
                    [
                        {
                            "kind": RETRO_KIND,
                            "series_key": sid,
                            "occurrence_at": at,
                            "claimed_at": now,
                            "workspace_id": series[sid].workspace_id,
                        }
                        for sid, at in keys
                    ],
                    ["kind", "series_key", "occurrence_at"],
                    returning=["series_key", "occurrence_at"],
                )
            }
            if len(claimed) < len(keys):
                log.info("%d occurrence(s) already fired elsewhere", len(keys) - len(claimed))
            due = [(series[sid], at) for sid, at in keys if (sid, at) in claimed]
            opened = self._insert_retros(session, due)
            # The claim names its retro at once, unfinished until the prompt is posted: a
            # process killed in between leaves it for `resume_claims`.
            record_results(
                session,
                kind=RETRO_KIND,
                results=[
                    (row.id, at, info.id) for (row, at), info in zip(due, opened, strict=True)
                ],
            )
        return opened

    def _insert_retros(
        self, session: Session, due: Sequence[tuple[RetroSeries, datetime]]
    ) -> list[RetroInfo]:
        """Open a retro per (series, occurrence) in one INSERT, with carried action items."""
        if not due:
            return []
        values = [
            self._retro_values(
                workspace_id=row.workspace_id,
                channel_id=row.channel_id,
                title=row.title,
                opened_by=None,
                window=timedelta(seconds=row.window_seconds),
                nudge=_seconds(row.nudge_seconds),
                series_id=row.id,
                occurrence_at=at,
            )
            for row, at in due
        ]
        inserted = list(
            session.execute(
                insert(Retro).returning(Retro, sort_by_parameter_order=True), values
            ).scalars()
        )
        carried = store.open_actions_by_series(
            session=session, series_ids={row.series_id for row in inserted if row.series_id}
        )
        return [store.retro_info(row, carried.get(row.series_id or 0, [])) for row in inserted]

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
        """Post the prompt of a freshly opened retro; with `record`, store its ts and finish
        its occurrence claim (`finish_announced`). The engine passes record=False and batches
        those writes itself."""
        try:
            ts = self.notifier.retro_opened(info)
        except Exception:
            # The retro exists and collects modal entries; only the prompt post failed.
            log.exception("posting the prompt for retro %s failed", info.id)
            ts = None
        if ts:
            info = info.model_copy(update={"prompt_ts": ts})
        if record:
            self.finish_announced([info])
        return info

    def finish_announced(self, infos: Sequence[RetroInfo]) -> None:
        """Store the posted prompts' ts and finish their claims, in one transaction.

        A post that failed finishes its claim too (a retry would likely fail the same way, and
        the retro takes entries through the modal); only a process that died before it knew
        the outcome leaves a claim for `resume_claims`.
        """
        if not infos:
            return
        with session_scope(self.sessions) as session:
            posted = [{"id": i.id, "prompt_ts": i.prompt_ts} for i in infos if i.prompt_ts]
            if posted:
                session.execute(update(Retro), posted)
            finish_occurrences(
                session,
                kind=RETRO_KIND,
                finished=[
                    (i.series_id, i.occurrence_at, i.id)
                    for i in infos
                    if i.series_id is not None and i.occurrence_at is not None
                ],
                now=as_utc(self.clock.now()),
            )

    def resume_claims(
        self, *, older_than: timedelta, skip: Container[tuple[int, datetime]] = ()
    ) -> list[RetroInfo]:
        """Finish the scheduled occurrences a dead process claimed but never announced.

        A missing retro is opened (if its schedule is still active), a prompt never posted is
        posted; a retro already announced or closed only needs its claim finished. `skip`:
        occurrences this process is still announcing itself.
        """
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            taken = take_over_unfinished(
                session, kind=RETRO_KIND, claimed_before=now - older_than, now=now, skip=skip
            )
            done: list[tuple[int, datetime, int | None]] = []
            unannounced: list[Retro] = []
            missing: list[tuple[RetroSeries, datetime]] = []
            for claim in taken:
                retro = session.get(Retro, claim.result_id) if claim.result_id else None
                if retro is None:
                    retro = session.scalar(
                        select(Retro).where(
                            Retro.series_id == claim.key,
                            Retro.occurrence_at == claim.occurrence_at,
                        )
                    )
                series = session.get(RetroSeries, claim.key) if retro is None else None
                if retro is not None and retro.status == "open" and not retro.prompt_ts:
                    unannounced.append(retro)
                elif retro is not None:
                    done.append((claim.key, claim.occurrence_at, retro.id))
                elif series is not None and series.status == "active":
                    missing.append((series, claim.occurrence_at))
                else:
                    done.append((claim.key, claim.occurrence_at, None))
            finish_occurrences(session, kind=RETRO_KIND, finished=done, now=now)
            carried = store.open_actions_by_series(
                session=session, series_ids={r.series_id for r in unannounced if r.series_id}
            )
            to_post = [store.retro_info(r, carried.get(r.series_id or 0, [])) for r in unannounced]
            to_post += self._insert_retros(session, missing)
        if taken:
            log.warning(
                "resuming %d interrupted retro occurrence(s): %d prompt(s) to post",
                len(taken),
                len(to_post),
            )
        return [self.announce(info) for info in to_post]

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

"""Plans as a recurring kind for the engine: check-in rounds, reminders, digests, the period's close.

Each active plan's check-in schedule is a series. An occurrence is claimed (with its round, in
one transaction) before anything is sent; each owner's DM and reminder is claimed on its own, so
two replicas, or a leader resuming a dead one's round, never send one twice. While this process
leads, fires due together are batched (scheduler/plans/rounds.py). The close scores
every key result and opens a quarter-close retro in the plan's channel with the scores and notes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import session_scope
from scheduler.occurrences import take_over_unfinished, unfinished
from scheduler.plans.closing import CLOSE_KIND, PlanClosing, close_at, finish_claim
from scheduler.plans.models import OkrPlan, OkrRound, OkrRoundNotice
from scheduler.plans.ports import PlanNotifier, deliver
from scheduler.plans.reading import build_plan_view, dm_views, owners_missing, spec_of
from scheduler.plans.round_dispatcher import RoundDispatcher
from scheduler.plans.rounds import (
    KIND,
    claim_dms,
    mark_sent,
    open_rounds,
    owners_of,
    round_of,
)
from scheduler.plans.views import KeyResultView, PlanView
from scheduler.recurring import Deadline, Series
from scheduler.retro_opening import RetroOpening

log = logging.getLogger(__name__)
__all__ = ["CLOSE_KIND", "KIND", "PlanCheckins", "close_at"]


class _DispatcherSlot:
    """The batcher of the process's leading term, if it leads (set by start, taken by stop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dispatcher: RoundDispatcher | None = None

    def get(self) -> RoundDispatcher | None:
        with self._lock:
            return self._dispatcher

    def set(self, dispatcher: RoundDispatcher) -> None:
        with self._lock:
            self._dispatcher = dispatcher

    def take(self) -> RoundDispatcher | None:
        with self._lock:
            dispatcher, self._dispatcher = self._dispatcher, None
            return dispatcher


@dataclass(frozen=True, kw_only=True)
class PlanCheckins:
    """The engine's "okr" kind. Deadlines: "remind" and "digest" (keyed by round id) and
    "close" (keyed by plan id)."""

    sessions: sessionmaker[Session]
    clock: Clock
    notifier: PlanNotifier
    retro_opening: RetroOpening
    name: str = KIND
    # Threads sending a batch's DMs (each a Slack call; the client retries rate limits).
    post_threads: int = 16
    # Rounds open this long before their minute (claims, rows, each owner's DM claimed), so at
    # the minute only the DMs are left to send. Shorter than the engine's `recover_after`.
    lead: timedelta = timedelta(seconds=30)
    _dispatcher: _DispatcherSlot = field(
        default_factory=_DispatcherSlot, init=False, repr=False, compare=False
    )

    @property
    def closing(self) -> PlanClosing:
        return PlanClosing(
            sessions=self.sessions,
            clock=self.clock,
            notifier=self.notifier,
            retro_opening=self.retro_opening,
        )

    # what the engine asks ---------------------------------------------------------------------

    def active_keys(self, session: Session) -> set[int]:
        return set(
            session.scalars(
                select(OkrPlan.id).where(
                    OkrPlan.status == "active",
                    OkrPlan.checkins_paused.is_(False),
                    OkrPlan.checkin_kind.is_not(None),
                )
            )
        )

    def series(self, session: Session, keys: Iterable[int]) -> list[Series]:
        wanted = list(keys)
        if not wanted:
            return []
        rows = session.scalars(select(OkrPlan).where(OkrPlan.id.in_(wanted)))
        found = []
        for plan in rows:
            spec = spec_of(plan)
            if spec is not None:
                found.append(
                    Series(
                        key=plan.id,
                        spec=spec,
                        name=f"OKR check-ins: {plan.title}",
                        lead=self.lead,
                    )
                )
        return found

    def deadlines(self, session: Session) -> list[Deadline]:
        # Columns, not ORM objects: this runs at every sync, and loading thousands of plans as
        # objects took over a second of the GIL from check-in DMs being sent at that moment.
        # A paused plan (its workspace uninstalled) has no token to post its close with: it
        # closes, late, once its check-ins resume (a schedule set after a reinstall).
        plans = session.execute(
            select(OkrPlan.id, OkrPlan.ends, OkrPlan.timezone).where(
                OkrPlan.status == "active", OkrPlan.checkins_paused.is_(False)
            )
        )
        found = [Deadline("close", plan.id, close_at(plan)) for plan in plans]
        # A paused plan (its workspace uninstalled) sends no more reminders or digests.
        latest = (
            select(func.max(OkrRound.id))
            .join(OkrPlan, OkrPlan.id == OkrRound.plan_id)
            .where(OkrPlan.status == "active", OkrPlan.checkins_paused.is_(False))
            .group_by(OkrRound.plan_id)
        )
        rounds = session.execute(
            select(
                OkrRound.id,
                OkrRound.reminded_at,
                OkrRound.remind_at,
                OkrRound.digested_at,
                OkrRound.digest_at,
            ).where(OkrRound.id.in_(latest))
        )
        for row in rounds:
            if row.reminded_at is None:
                found.append(Deadline("remind", row.id, as_utc(row.remind_at)))
            if row.digested_at is None:
                found.append(Deadline("digest", row.id, as_utc(row.digest_at)))
        return found

    # while leading: fires batched -----------------------------------------------------------

    def start(self) -> None:
        dispatcher = RoundDispatcher(
            sessions=self.sessions,
            clock=self.clock,
            notifier=self.notifier,
            post_threads=self.post_threads,
        )
        dispatcher.start()
        self._dispatcher.set(dispatcher)

    def stop(self) -> None:
        dispatcher = self._dispatcher.take()
        if dispatcher is not None:
            dispatcher.stop()

    # an occurrence: one round -----------------------------------------------------------------

    def fire(self, key: int, occurrence_at: datetime) -> None:
        dispatcher = self._dispatcher.get()
        if dispatcher is not None:
            dispatcher.fire(key, occurrence_at)
            return
        # Not leading an engine (called directly): the same steps, inline.
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            opened = open_rounds(session, [(key, occurrence_at)], now)
        if opened and (ahead := (as_utc(occurrence_at) - now).total_seconds()) > 0:
            time.sleep(ahead)  # fired ahead of its minute: the DMs wait for it
        for item in opened:
            if self._deliver_all(item.view, item.round_id, item.dms, kind="dm"):
                continue  # left unfinished: `recover` retries the DMs that failed, once
            finish_claim(
                self.sessions,
                self.clock,
                kind=KIND,
                key=key,
                occurrence_at=item.occurrence_at,
                result_id=item.round_id,
            )

    def _send(self, round_id: int, *, kind: str, stale_before: datetime | None = None) -> int:
        """DM each owner of the round (kind "dm"), or remind each owner still missing a check-in
        ("reminder"); each claimed first. With `stale_before`, claims never marked sent and
        older than it are taken over (their sender died). Returns how many failed to send."""
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            row = session.get(OkrRound, round_id)
            plan = session.get(OkrPlan, row.plan_id) if row else None
            if row is None or plan is None or plan.status != "active":
                return 0
            view = dm_views(session, [plan], now=now)[plan.id]
            if kind == "dm":
                wanted = owners_of(view)
            else:
                by_id = {kr.id: kr for kr in view.key_results()}
                missing = owners_missing(session, row)
                wanted = {owner: [by_id[i] for i in ids] for owner, ids in missing.items()}
            if not wanted:
                return 0
            notices = [(round_id, owner, plan.workspace_id) for owner in wanted]
            claimed = {o for _, o in claim_dms(session, notices, kind=kind, now=now)}
            if stale_before is not None:
                claimed |= self._take_over(
                    session, round_id, kind, set(wanted) - claimed, stale_before, now
                )
        return self._deliver_all(
            view, round_id, {o: krs for o, krs in wanted.items() if o in claimed}, kind=kind
        )

    def _deliver_all(
        self, view: PlanView, round_id: int, dms: dict[str, list[KeyResultView]], *, kind: str
    ) -> int:
        """Send claimed notices one by one, each marked sent as soon as it went (a crash then
        repeats none). Returns how many failed."""
        failed = 0
        for owner in sorted(dms):
            if not deliver(
                self.notifier, view, owner, dms[owner], round_id, reminder=kind == "reminder"
            ):
                failed += 1
                continue
            with session_scope(self.sessions) as session:
                mark_sent(session, [(round_id, owner)], kind=kind, now=as_utc(self.clock.now()))
        return failed

    @staticmethod
    def _take_over(
        session: Session,
        round_id: int,
        kind: str,
        owners: set[str],
        stale_before: datetime,
        now: datetime,
    ) -> set[str]:
        taken: set[str] = set()
        for owner in owners:
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(OkrRoundNotice)
                    .where(
                        OkrRoundNotice.round_id == round_id,
                        OkrRoundNotice.owner == owner,
                        OkrRoundNotice.kind == kind,
                        OkrRoundNotice.sent_at.is_(None),
                        OkrRoundNotice.claimed_at < stale_before,
                    )
                    .values(claimed_at=now)
                ),
            )
            if result.rowcount:
                taken.add(owner)
        return taken

    # deadlines --------------------------------------------------------------------------------

    def run_deadline(self, action: str, key: int) -> None:
        if action == "remind":
            if self._claim_round_mark(key, OkrRound.reminded_at):
                self._send(key, kind="reminder")
        elif action == "digest":
            if self._claim_round_mark(key, OkrRound.digested_at):
                self._post_digest(key)
        elif action == "close":
            self.closing.close_once(key)
        else:
            log.warning("okr: unknown deadline action %r for %s", action, key)

    def _claim_round_mark(self, round_id: int, column: Any) -> bool:
        """Set the round's reminded/digested mark; True for the one caller that set it, and only
        for the plan's latest round (a newer round's own reminder and digest supersede it)."""
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(OkrRound)
                    .where(OkrRound.id == round_id, column.is_(None))
                    .values({column.key: now})
                ),
            )
            if not result.rowcount:
                return False
            row = session.get(OkrRound, round_id)
            assert row is not None
            newest = session.scalar(
                select(func.max(OkrRound.id)).where(OkrRound.plan_id == row.plan_id)
            )
            return newest == round_id

    def _post_digest(self, round_id: int) -> None:
        with session_scope(self.sessions) as session:
            row = session.get(OkrRound, round_id)
            plan = session.get(OkrPlan, row.plan_id) if row else None
            if plan is None or plan.status != "active":
                return
            view = build_plan_view(session, plan, now=self.clock.now())
            first = session.scalar(select(func.min(OkrRound.id)).where(OkrRound.plan_id == plan.id))
        if first != round_id:
            # What carried over from the previous period is shown once, in the first digest.
            view = replace(view, predecessor=None)
        self.notifier.post_digest(view.workspace_id, view)

    # recovery -------------------------------------------------------------------------------------

    def recover(self, *, older_than: timedelta) -> None:
        now = as_utc(self.clock.now())
        cutoff = now - older_than
        dispatcher = self._dispatcher.get()
        skip = dispatcher.in_flight() if dispatcher is not None else set()
        with session_scope(self.sessions) as session:
            rounds = take_over_unfinished(
                session, kind=KIND, claimed_before=cutoff, now=now, skip=skip
            )
            closes = unfinished(session, kind=CLOSE_KIND, claimed_before=cutoff)
        for taken in rounds:
            round_id = taken.result_id
            if round_id is None:
                with session_scope(self.sessions) as session:
                    round_id = round_of(session, taken.key, taken.occurrence_at)
            if round_id is not None:
                log.warning(
                    "plan %s: resuming the check-in round of %s", taken.key, taken.occurrence_at
                )
                self._send(round_id, kind="dm", stale_before=cutoff)
            finish_claim(
                self.sessions,
                self.clock,
                kind=KIND,
                key=taken.key,
                occurrence_at=taken.occurrence_at,
                result_id=round_id,
            )
        for key, at in closes:
            log.warning("plan %s: resuming its close", key)
            self.closing.close(key)
            finish_claim(self.sessions, self.clock, kind=CLOSE_KIND, key=key, occurrence_at=at)

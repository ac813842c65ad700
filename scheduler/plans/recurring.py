"""Plans as a recurring kind for the engine: check-in rounds, reminders, digests, the period's close.

Each active plan's check-in schedule is a series. An occurrence is claimed (with its round, in
one transaction) before anything is sent; each owner's DM and reminder is claimed on its own, so
two replicas, or a leader resuming a dead one's round, never send one twice. The close scores
every key result and opens a quarter-close retro in the plan's channel with the scores and notes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import insert_ignore, session_scope
from scheduler.occurrences import claim_occurrence, unfinished
from scheduler.plans.closing import CLOSE_KIND, PlanClosing, close_at, finish_claim
from scheduler.plans.models import OkrPlan, OkrRound, OkrRoundNotice
from scheduler.plans.ports import PlanNotifier
from scheduler.plans.reading import build_plan_view, owners_missing, spec_of
from scheduler.plans.views import KeyResultView, PlanView
from scheduler.recurring import Deadline, Series
from scheduler.retro_opening import RetroOpening

log = logging.getLogger(__name__)
KIND = "okr"


@dataclass(frozen=True, kw_only=True)
class PlanCheckins:
    """The engine's "okr" kind. Deadlines: "remind" and "digest" (keyed by round id) and
    "close" (keyed by plan id)."""

    sessions: sessionmaker[Session]
    clock: Clock
    notifier: PlanNotifier
    retro_opening: RetroOpening
    name: str = KIND

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
                found.append(Series(key=plan.id, spec=spec, name=f"OKR check-ins: {plan.title}"))
        return found

    def deadlines(self, session: Session) -> list[Deadline]:
        plans = list(session.scalars(select(OkrPlan).where(OkrPlan.status == "active")))
        found = [Deadline("close", plan.id, close_at(plan)) for plan in plans]
        # A paused plan (its workspace uninstalled) sends no more reminders or digests.
        latest = (
            select(func.max(OkrRound.id))
            .join(OkrPlan, OkrPlan.id == OkrRound.plan_id)
            .where(OkrPlan.status == "active", OkrPlan.checkins_paused.is_(False))
            .group_by(OkrRound.plan_id)
        )
        for row in session.scalars(select(OkrRound).where(OkrRound.id.in_(latest))):
            if row.reminded_at is None:
                found.append(Deadline("remind", row.id, as_utc(row.remind_at)))
            if row.digested_at is None:
                found.append(Deadline("digest", row.id, as_utc(row.digest_at)))
        return found

    # an occurrence: one round -----------------------------------------------------------------

    def fire(self, key: int, occurrence_at: datetime) -> None:
        occurrence = as_utc(occurrence_at)
        now = as_utc(self.clock.now())
        with session_scope(self.sessions) as session:
            # Loaded once: the round below reads the same row from the session.
            plan = session.get(OkrPlan, key)
            if not claim_occurrence(
                session,
                kind=KIND,
                key=key,
                occurrence_at=occurrence,
                now=now,
                workspace_id=plan.workspace_id if plan else None,
            ):
                return
            round_id = self._open_round(session, key, occurrence, now)
        failed = self._send(round_id, kind="dm") if round_id is not None else 0
        if failed:
            # Left unfinished: `recover` retries the DMs that failed (a Slack outage), once.
            return
        finish_claim(
            self.sessions,
            self.clock,
            kind=KIND,
            key=key,
            occurrence_at=occurrence,
            result_id=round_id,
        )

    def _open_round(
        self, session: Session, plan_id: int, occurrence: datetime, now: datetime
    ) -> int | None:
        plan = session.get(OkrPlan, plan_id)
        if plan is None or plan.status != "active" or plan.checkins_paused:
            return None
        day = occurrence.astimezone(ZoneInfo(plan.timezone)).date()
        if not plan.starts <= day <= plan.ends:
            return None  # adopted ahead of its period, or waiting for its close
        row = OkrRound(
            plan_id=plan.id,
            workspace_id=plan.workspace_id,
            occurrence_at=occurrence,
            opened_at=now,
            remind_at=now + timedelta(seconds=plan.remind_after_seconds),
            digest_at=now + timedelta(seconds=plan.digest_after_seconds),
        )
        session.add(row)
        session.flush()
        return row.id

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
            # A DM never shows what carried over from the previous period: skip looking it up.
            view = build_plan_view(session, plan, now=now, with_predecessor=False)
            if kind == "dm":
                wanted: dict[str, list[int]] = defaultdict(list)
                for kr in view.key_results():
                    if kr.owner:
                        wanted[kr.owner].append(kr.id)
            else:
                wanted = owners_missing(session, row)
            if not wanted:
                return 0
            values = [
                {
                    "round_id": round_id,
                    "owner": owner,
                    "kind": kind,
                    "workspace_id": plan.workspace_id,
                    "claimed_at": now,
                }
                for owner in wanted
            ]
            claimed = {
                r[0]
                for r in insert_ignore(
                    session,
                    OkrRoundNotice,
                    values,
                    ["round_id", "owner", "kind"],
                    returning=["owner"],
                )
            }
            if stale_before is not None:
                claimed |= self._take_over(
                    session, round_id, kind, set(wanted) - claimed, stale_before, now
                )
        by_id = {kr.id: kr for kr in view.key_results()}
        failed = 0
        for owner in sorted(claimed):
            key_results = [by_id[i] for i in wanted[owner]]
            if not self._deliver(view, owner, key_results, round_id, reminder=kind == "reminder"):
                failed += 1
            else:
                with session_scope(self.sessions) as session:
                    session.execute(
                        update(OkrRoundNotice)
                        .where(
                            OkrRoundNotice.round_id == round_id,
                            OkrRoundNotice.owner == owner,
                            OkrRoundNotice.kind == kind,
                        )
                        .values(sent_at=as_utc(self.clock.now()))
                    )
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

    def _deliver(
        self, view: PlanView, owner: str, krs: list[KeyResultView], round_id: int, *, reminder: bool
    ) -> bool:
        try:
            self.notifier.send_checkin_dm(view.workspace_id, owner, view, krs, round_id, reminder)
            return True
        except Exception:
            # Claimed and not marked sent: a leader resuming this round tries it again.
            log.exception("plan %s round %s: the check-in DM to an owner failed", view.id, round_id)
            return False

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
        cutoff = as_utc(self.clock.now()) - older_than
        with session_scope(self.sessions) as session:
            rounds = unfinished(session, kind=KIND, claimed_before=cutoff)
            closes = unfinished(session, kind=CLOSE_KIND, claimed_before=cutoff)
        for key, at in rounds:
            with session_scope(self.sessions) as session:
                round_id = session.scalar(
                    select(OkrRound.id).where(
                        OkrRound.plan_id == key, OkrRound.occurrence_at == as_utc(at)
                    )
                )
            if round_id is not None:
                log.warning("plan %s: resuming the check-in round of %s", key, at)
                self._send(round_id, kind="dm", stale_before=cutoff)
            finish_claim(
                self.sessions, self.clock, kind=KIND, key=key, occurrence_at=at, result_id=round_id
            )
        for key, at in closes:
            log.warning("plan %s: resuming its close", key)
            self.closing.close(key)
            finish_claim(self.sessions, self.clock, kind=CLOSE_KIND, key=key, occurrence_at=at)

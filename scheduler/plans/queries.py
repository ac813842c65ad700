"""Reading plans: one plan, a workspace's plans, a person's, a channel's, a key result by "2.3"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.db import session_scope
from scheduler.plans.errors import KeyResultNotFound, PlanNotFound
from scheduler.plans.models import OkrKeyResult, OkrPlan
from scheduler.plans.reading import build_plan_view
from scheduler.plans.views import KeyResultView, PlanView

OPEN_STATUSES = ("setup", "active")
_REF = re.compile(r"^\s*(?:kr\s*)?(?P<o>\d+)\.(?P<k>\d+)\.?\s*$", re.I)


@dataclass(frozen=True, kw_only=True)
class PlanReads:
    """The read side of PlanService (which adds the writes); scoped by workspace throughout."""

    sessions: sessionmaker[Session]
    clock: Clock

    # reading --------------------------------------------------------------------------------

    def status(self, *, workspace_id: str, plan_id: int) -> PlanView:
        with session_scope(self.sessions) as session:
            plan = self._plan(session, workspace_id, plan_id)
            return build_plan_view(session, plan, now=self.clock.now())

    def plans(self, *, workspace_id: str, include_archived: bool = False) -> list[PlanView]:
        with session_scope(self.sessions) as session:
            query = select(OkrPlan).where(OkrPlan.workspace_id == workspace_id)
            if not include_archived:
                query = query.where(OkrPlan.status != "archived")
            rows = session.scalars(query.order_by(OkrPlan.starts.desc(), OkrPlan.id.desc()))
            now = self.clock.now()
            return [build_plan_view(session, plan, now=now) for plan in rows]

    def plans_owned_by(self, *, workspace_id: str, user: str) -> list[PlanView]:
        """Open plans where `user` owns at least one key result (App Home)."""
        with session_scope(self.sessions) as session:
            ids = select(OkrKeyResult.plan_id).where(
                OkrKeyResult.workspace_id == workspace_id, OkrKeyResult.owner == user
            )
            rows = session.scalars(
                select(OkrPlan)
                .where(OkrPlan.id.in_(ids), OkrPlan.status.in_(OPEN_STATUSES))
                .order_by(OkrPlan.starts, OkrPlan.id)
            )
            now = self.clock.now()
            return [build_plan_view(session, plan, now=now) for plan in rows]

    def kr_by_ref(self, *, workspace_id: str, plan_id: int, ref: str) -> KeyResultView:
        """A key result by what people type: "2.3" or "KR 2.3"."""
        match = _REF.match(ref)
        if match is None:
            raise KeyResultNotFound(f"“{ref.strip()}” is not a key result reference (like 2.3).")
        view = self.status(workspace_id=workspace_id, plan_id=plan_id)
        wanted = f"{int(match.group('o'))}.{int(match.group('k'))}"
        found = next((kr for kr in view.key_results() if kr.ref == wanted), None)
        if found is None:
            raise KeyResultNotFound(f"Plan {plan_id} has no KR {wanted}.")
        return found

    def plan_for_channel(self, *, workspace_id: str, channel_id: str) -> PlanView | None:
        """The channel's active plan, else the one being set up, else the newest closed one."""
        with session_scope(self.sessions) as session:
            rows = list(
                session.scalars(
                    select(OkrPlan)
                    .where(
                        OkrPlan.workspace_id == workspace_id,
                        OkrPlan.channel_id == channel_id,
                        OkrPlan.status != "archived",
                    )
                    .order_by(OkrPlan.starts.desc(), OkrPlan.id.desc())
                )
            )
            rank = {"active": 0, "setup": 1, "closed": 2}
            rows.sort(key=lambda p: rank.get(p.status, 3))
            return build_plan_view(session, rows[0], now=self.clock.now()) if rows else None

    def key_result_plan(self, *, workspace_id: str, kr_id: int) -> PlanView:
        """The plan a key result id belongs to (the CLI addresses key results by id)."""
        with session_scope(self.sessions) as session:
            _, plan = self._kr(session, workspace_id, kr_id)
            return build_plan_view(session, plan, now=self.clock.now())

    # helpers --------------------------------------------------------------------------------

    @staticmethod
    def _plan(session: Session, workspace_id: str, plan_id: int, *, lock: bool = False) -> OkrPlan:
        query = select(OkrPlan).where(OkrPlan.id == plan_id, OkrPlan.workspace_id == workspace_id)
        plan = session.scalar(query.with_for_update() if lock else query)
        if plan is None:
            raise PlanNotFound(f"There is no plan {plan_id} in this workspace.")
        return plan

    def _kr(
        self, session: Session, workspace_id: str, kr_id: int, *, lock: bool = False
    ) -> tuple[OkrKeyResult, OkrPlan]:
        kr = session.scalar(
            select(OkrKeyResult).where(
                OkrKeyResult.id == kr_id, OkrKeyResult.workspace_id == workspace_id
            )
        )
        if kr is None:
            raise KeyResultNotFound(f"There is no key result {kr_id} in this workspace.")
        return kr, self._plan(session, workspace_id, kr.plan_id, lock=lock)

    @staticmethod
    def _krs(session: Session, plan_id: int) -> list[OkrKeyResult]:
        return list(session.scalars(select(OkrKeyResult).where(OkrKeyResult.plan_id == plan_id)))


def find_kr(view: PlanView, kr_id: int) -> KeyResultView:
    return next(kr for kr in view.key_results() if kr.id == kr_id)

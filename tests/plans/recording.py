"""A PlanNotifier that records what it was asked to send (our own port, implemented for tests)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from scheduler.plans.ports import CheckinDm, OnSent, send_one_by_one
from scheduler.plans.views import KeyResultView, PlanView


@dataclass
class RecordingNotifier:
    dms: list[tuple[str, tuple[str, ...], int, bool]] = field(default_factory=list)
    digests: list[PlanView] = field(default_factory=list)
    knowledge: list[tuple[str, str, str]] = field(default_factory=list)
    closed: list[tuple[PlanView, int | None]] = field(default_factory=list)
    # Owners whose DM raises once, as a Slack outage would.
    fail_once: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send_checkin_dm(
        self,
        workspace_id: str,
        owner: str,
        plan: PlanView,
        key_results: list[KeyResultView],
        round_id: int,
        reminder: bool,
    ) -> None:
        with self._lock:
            if owner in self.fail_once:
                self.fail_once.discard(owner)
                raise ConnectionError("slack is down")
            self.dms.append((owner, tuple(kr.ref for kr in key_results), round_id, reminder))

    def send_checkin_dms(self, dms: Sequence[CheckinDm], on_sent: OnSent) -> None:
        send_one_by_one(self, dms, on_sent)

    def post_digest(self, workspace_id: str, plan: PlanView) -> None:
        with self._lock:
            self.digests.append(plan)

    def add_checkin_knowledge(self, workspace_id: str, title: str, text: str) -> None:
        with self._lock:
            self.knowledge.append((workspace_id, title, text))

    def plan_closed(self, workspace_id: str, plan: PlanView, retro_id: int | None) -> None:
        with self._lock:
            self.closed.append((plan, retro_id))

    def owners(self, *, reminder: bool = False) -> list[str]:
        return sorted(owner for owner, _, _, r in self.dms if r == reminder)

"""How plans reach people: the seam the Slack side implements (handlers/), no Slack here."""

from __future__ import annotations

from typing import Protocol

from scheduler.plans.views import KeyResultView, PlanView


class PlanNotifier(Protocol):
    def send_checkin_dm(
        self,
        workspace_id: str,
        owner: str,
        plan: PlanView,
        key_results: list[KeyResultView],
        round_id: int,
        reminder: bool,
    ) -> None:
        """One DM to `owner` listing their key results to check in on (a reminder lists only
        the ones not checked in yet)."""
        ...

    def post_digest(self, workspace_id: str, plan: PlanView) -> None:
        """The round's digest in the plan's channel."""
        ...

    def add_checkin_knowledge(self, workspace_id: str, title: str, text: str) -> None:
        """A note into the knowledge base: a check-in's, titled "Check-in 7 Dec 2026 · KR 1.2 ·
        <@U123>", or the period's scores at its close, titled "2027-Q1 close · <plan title>"."""
        ...

    def plan_closed(self, workspace_id: str, plan: PlanView, retro_id: int | None) -> None:
        """The period ended: scores are set and the quarter-close retro (if one opened) is open."""
        ...

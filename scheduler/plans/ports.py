"""How plans reach people: the seam the Slack side implements (handlers/), no Slack here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from scheduler.plans.views import KeyResultView, PlanView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckinDm:
    """One owner's check-in DM of a round."""

    workspace_id: str
    owner: str
    plan: PlanView
    key_results: list[KeyResultView]
    round_id: int
    reminder: bool = False


OnSent = Callable[[CheckinDm, bool], None]


class PlanNotifier(Protocol):
    def send_checkin_dms(self, dms: Sequence[CheckinDm], on_sent: OnSent) -> None:
        """Many DMs due together, sent as concurrently as the notifier can. `on_sent(dm, ok)`
        is called once per DM, from any thread and possibly after this returns; `ok` is False
        when it should be tried again later. Never raises."""
        ...

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


def deliver(
    notifier: PlanNotifier,
    view: PlanView,
    owner: str,
    key_results: list[KeyResultView],
    round_id: int,
    *,
    reminder: bool,
) -> bool:
    """One DM; False (logged) when it failed and should be tried again."""
    try:
        notifier.send_checkin_dm(view.workspace_id, owner, view, key_results, round_id, reminder)
        return True
    except Exception:
        # Claimed and not marked sent: a leader resuming this round tries it again.
        log.exception("plan %s round %s: the check-in DM to an owner failed", view.id, round_id)
        return False


def send_one_by_one(notifier: PlanNotifier, dms: Sequence[CheckinDm], on_sent: OnSent) -> None:
    """`send_checkin_dms` for a notifier with nothing better than one call after another."""
    for dm in dms:
        ok = deliver(notifier, dm.plan, dm.owner, dm.key_results, dm.round_id, reminder=dm.reminder)
        on_sent(dm, ok)

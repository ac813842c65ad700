"""The Slack side of tracked plans: check-in DMs, the digest with its chart, the quarter's close,
and check-in notes on their way to the knowledge base.

Implements scheduler.plans.ports.PlanNotifier; the composition root builds one per process with
that workspace's client and a way to add a note (a queued job in the serving process, the
knowledge base itself in the worker).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from drafting.pictures import ChartData, chart_alt_text, render_progress_chart
from handlers.block_pages import post_paged
from handlers.deps import WorkerDeps
from handlers.dm_burst import DmBurst
from handlers.plan_announcements import build_plan_closed
from handlers.plan_text import percent
from handlers.plan_views import (
    build_checkin_dm,
    build_digest,
    checkin_dm_text,
    digest_text,
    plan_name,
)
from knowledge.service import KnowledgeBase
from scheduler.plans.ports import CheckinDm, OnSent, send_one_by_one
from scheduler.plans.views import KeyResultView, PlanView

log = logging.getLogger(__name__)
ClientFor = Callable[[str], WebClient]
AddNote = Callable[[str, str, str], None]  # (workspace, title, text)
# A DM that can never arrive (the person left, or blocks the app): retrying would not help.
UNDELIVERABLE = {
    "user_not_found",
    "user_disabled",
    "account_inactive",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "messages_tab_disabled",
}
CHART_FAILED = "I couldn't attach the progress chart this time; the numbers above are complete."


def chart_data(plan: PlanView) -> ChartData:
    """The plan's history per objective, as the chart takes it (plain dates and fractions)."""
    span = (plan.ends - plan.starts).days
    today = plan.starts + timedelta(days=round(plan.elapsed * span))
    series = {
        f"{objective.ref} · {objective.title}": [
            (point.day, point.progress) for point in plan.history.get(objective.ref, ())
        ]
        for objective in plan.objectives
    }
    return ChartData(
        title="Progress by objective",
        subtitle=f"{plan.title} · {plan.period} · plan at {percent(plan.progress)}, "
        f"expected {percent(plan.elapsed)} by now",
        starts=plan.starts,
        ends=plan.ends,
        series=series,
        today=today,
    )


def upload_chart(client: WebClient, plan: PlanView, *, thread_ts: str) -> str | None:
    """The chart in the digest's thread; a chart that fails never takes the digest with it."""
    data = chart_data(plan)
    try:
        response = client.files_upload_v2(
            channel=plan.channel_id,
            thread_ts=thread_ts,
            content=render_progress_chart(data),
            filename=f"okr-progress-{plan.id}-{plan.period}.png",
            title=f"Progress by objective: {plan.title} ({plan.period})",
            alt_txt=chart_alt_text(data.series, expected=plan.elapsed),
        )
        return str((response.get("file") or {}).get("id") or "") or None
    except Exception as exc:
        log.warning("progress chart of plan %s not attached: %s", plan.id, exc)
        try:
            client.chat_postMessage(channel=plan.channel_id, thread_ts=thread_ts, text=CHART_FAILED)
        except SlackApiError as inner:
            log.info("could not say the chart failed: %s", inner.response.get("error"))
        return None


def checkin_message(dm: CheckinDm) -> dict[str, Any]:
    """chat.postMessage's arguments for one check-in DM."""
    return {
        # A user id as the channel opens (or reuses) the bot's DM with that person.
        "channel": dm.owner,
        "text": checkin_dm_text(dm.plan, reminder=dm.reminder),
        "blocks": build_checkin_dm(
            dm.plan, dm.owner, dm.key_results, round_id=dm.round_id, reminder=dm.reminder
        ),
    }


def undeliverable(exc: Exception, plan_id: int) -> bool:
    """A DM that can never arrive counts as done: sending it again would not help."""
    error = exc.response.get("error") if isinstance(exc, SlackApiError) else None
    if error in UNDELIVERABLE:
        log.info("check-in DM for plan %s not deliverable: %s", plan_id, error)
        return True
    return False


class SlackPlanNotifier:
    """scheduler.plans.ports.PlanNotifier over the workspace's bot token."""

    def __init__(self, client_for: ClientFor, add_note: AddNote, burst: DmBurst) -> None:
        self._client_for = client_for
        self._add_note = add_note
        self._burst = burst

    def send_checkin_dm(
        self,
        workspace_id: str,
        owner: str,
        plan: PlanView,
        key_results: list[KeyResultView],
        round_id: int,
        reminder: bool,
    ) -> None:
        dm = CheckinDm(workspace_id, owner, plan, key_results, round_id, reminder)
        try:
            self._client_for(workspace_id).chat_postMessage(**checkin_message(dm))
        except SlackApiError as exc:
            if not undeliverable(exc, plan.id):
                raise

    def send_checkin_dms(self, dms: Sequence[CheckinDm], on_sent: OnSent) -> None:
        by_workspace: dict[str, list[CheckinDm]] = {}
        for dm in dms:
            by_workspace.setdefault(dm.workspace_id, []).append(dm)
        for workspace_id, group in by_workspace.items():
            try:
                token = self._client_for(workspace_id).token
            except Exception as exc:
                log.warning("no token for workspace %s: %s", workspace_id, exc)
                token = None
            if token is None:
                for dm in group:
                    on_sent(dm, False)
                continue
            self._burst.post_many(
                [(token, checkin_message(dm), partial(_landed, dm, on_sent)) for dm in group]
            )

    def post_digest(self, workspace_id: str, plan: PlanView) -> None:
        client = self._client_for(workspace_id)
        ts = post_paged(
            client,
            channel=plan.channel_id,
            thread_ts=None,
            text=digest_text(plan),
            blocks=build_digest(plan),
        )
        upload_chart(client, plan, thread_ts=ts)

    def add_checkin_knowledge(self, workspace_id: str, title: str, text: str) -> None:
        self._add_note(workspace_id, title, text)

    def plan_closed(self, workspace_id: str, plan: PlanView, retro_id: int | None) -> None:
        client = self._client_for(workspace_id)
        post_paged(
            client,
            channel=plan.channel_id,
            thread_ts=None,
            text=f"Quarter closed: {plan_name(plan)}",
            blocks=build_plan_closed(plan, retro_id=retro_id),
        )


class KnowledgeOnlyNotifier:
    """The command line's PlanNotifier: no Slack. Check-in notes go straight to the knowledge
    base through `add_note`; the CLI runs no rounds or closes, so the rest is never asked of it
    and says so in the log if it ever is."""

    def __init__(self, add_note: AddNote) -> None:
        self._add_note = add_note

    def send_checkin_dm(
        self,
        workspace_id: str,
        owner: str,
        plan: PlanView,
        key_results: list[KeyResultView],
        round_id: int,
        reminder: bool,
    ) -> None:
        log.warning("plan %s: no Slack here, the check-in DM was not sent", plan.id)

    def send_checkin_dms(self, dms: Sequence[CheckinDm], on_sent: OnSent) -> None:
        send_one_by_one(self, dms, on_sent)

    def post_digest(self, workspace_id: str, plan: PlanView) -> None:
        log.warning("plan %s: no Slack here, the digest was not posted", plan.id)

    def add_checkin_knowledge(self, workspace_id: str, title: str, text: str) -> None:
        self._add_note(workspace_id, title, text)

    def plan_closed(self, workspace_id: str, plan: PlanView, retro_id: int | None) -> None:
        log.warning("plan %s: no Slack here, its close was not announced", plan.id)


def _landed(dm: CheckinDm, on_sent: OnSent, error: Exception | None) -> None:
    """A DM of a burst came back: sent, never deliverable (done too), or to be tried again."""
    done = error is None or undeliverable(error, dm.plan.id)
    if not done:
        log.warning("plan %s round %s: a check-in DM failed: %s", dm.plan.id, dm.round_id, error)
    on_sent(dm, done)


def add_note_to(kb: KnowledgeBase, workspace_id: str, title: str, text: str) -> None:
    """One check-in note into the workspace's knowledge base, cited by its title."""
    try:
        kb.add_text(workspace_id, title=title, text=text, added_by="okr", source_kind="checkin")
    except Exception as exc:
        # The check-in itself is stored; only its note's trip to the knowledge base failed.
        log.warning("check-in note not added to knowledge: %s", type(exc).__name__)


def add_checkin_note(
    deps: WorkerDeps, _client: WebClient, workspace_id: str, title: str, text: str
) -> None:
    """The job the serving process queues for a note: embedding is the worker's work."""
    add_note_to(deps.kb, workspace_id, title, text)

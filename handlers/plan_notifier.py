"""The Slack side of tracked plans: check-in DMs, the digest with its chart, the quarter's close,
and check-in notes on their way to the knowledge base.

Implements scheduler.plans.ports.PlanNotifier; the composition root builds one per process with
that workspace's client and a way to add a note (a queued job in the serving process, the
knowledge base itself in the worker).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from drafting.pictures import ChartData, chart_alt_text, render_progress_chart
from handlers.block_pages import post_paged
from handlers.deps import WorkerDeps
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


class SlackPlanNotifier:
    """scheduler.plans.ports.PlanNotifier over the workspace's bot token."""

    def __init__(self, client_for: ClientFor, add_note: AddNote) -> None:
        self._client_for = client_for
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
        client = self._client_for(workspace_id)
        try:
            # A user id as the channel opens (or reuses) the bot's DM with that person.
            client.chat_postMessage(
                channel=owner,
                text=checkin_dm_text(plan, reminder=reminder),
                blocks=build_checkin_dm(
                    plan, owner, key_results, round_id=round_id, reminder=reminder
                ),
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error not in UNDELIVERABLE:
                raise
            log.info("check-in DM for plan %s not deliverable: %s", plan.id, error)

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

    def post_digest(self, workspace_id: str, plan: PlanView) -> None:
        log.warning("plan %s: no Slack here, the digest was not posted", plan.id)

    def add_checkin_knowledge(self, workspace_id: str, title: str, text: str) -> None:
        self._add_note(workspace_id, title, text)

    def plan_closed(self, workspace_id: str, plan: PlanView, retro_id: int | None) -> None:
        log.warning("plan %s: no Slack here, its close was not announced", plan.id)


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

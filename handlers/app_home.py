"""App Home: the workspace's mission, recent drafts, knowledge base and retro schedules."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from core.db import session_scope
from core.workspaces import get_mission, set_mission
from handlers import ids, views
from handlers.deps import ServingDeps, WorkerDeps
from handlers.plan_announcements import build_home_plans
from handlers.slack_text import safe_text

log = logging.getLogger(__name__)
MAX_MISSION_CHARS = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def register(app: App, deps: ServingDeps) -> None:
    @app.event("app_home_opened")
    def handle_app_home_opened(event: dict, context: BoltContext, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        team = context.team_id or ""
        deps.jobs.submit(publish_home, team, team=team, user=event["user"])

    @app.action(ids.HOME_EDIT_MISSION)
    def handle_edit_mission(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team = body["user"]["team_id"]
        with session_scope(deps.sessions) as session:
            mission = get_mission(session=session, workspace_id=team)
        client.views_open(trigger_id=body["trigger_id"], view=views.build_mission_modal(mission))

    @app.view(ids.MISSION_MODAL)
    def handle_mission_submitted(
        ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient
    ) -> None:
        value = view["state"]["values"][ids.MISSION_BLOCK][ids.MISSION_INPUT].get("value") or ""
        mission = value.strip()
        if not mission or len(mission) > MAX_MISSION_CHARS:
            ack(
                response_action="errors",
                errors={
                    ids.MISSION_BLOCK: f"Write a mission of 1 to {MAX_MISSION_CHARS} characters."
                },
            )
            return
        ack()
        team = context.team_id or body["user"]["team_id"]
        with session_scope(deps.sessions) as session:
            set_mission(session=session, workspace_id=team, mission=mission)
        deps.jobs.submit(publish_home, team, team=team, user=body["user"]["id"])


def publish_home(deps: WorkerDeps, client: WebClient, *, team: str, user: str) -> None:
    with session_scope(deps.sessions) as session:
        mission = get_mission(session=session, workspace_id=team)
    docs = deps.kb.list_documents(team)
    recent = [
        (
            f"{d.kind.upper()} · {safe_text(d.subject)} (v{d.version}{', final' if d.final else ''})",
            d.created_at.strftime("%d %b %H:%M"),
            None,
        )
        for d in deps.desk.recent(workspace_id=team, limit=8)
    ]
    schedules = [
        f"<#{s.channel_id}> · {safe_text(s.title)}: {s.schedule_text} ({s.status})"
        for s in deps.retros.schedules.list_schedules(team)
    ]
    plans = deps.plans.plans_owned_by(workspace_id=team, user=user)
    view = views.build_app_home(
        mission=mission,
        recent_drafts=recent,
        doc_count=len(docs),
        chunk_count=sum(d.chunks for d in docs),
        latest_docs=sorted(docs, key=lambda d: d.added_at or EPOCH, reverse=True)[:5],
        schedules=schedules,
        plans=build_home_plans(plans, user=user),
    )
    client.views_publish(user_id=user, view=view)

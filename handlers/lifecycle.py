"""app_uninstalled and tokens_revoked: drop the installation and stop the workspace's schedules.

The two events can arrive in either order and both mean "this workspace's token is dead", so
each does the whole job; doing it twice is harmless. Data is kept (an uninstall is not a
request to delete; `/align forget` is), but nothing runs for the workspace any more.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext

from handlers.deps import ServingDeps

log = logging.getLogger(__name__)


def register(app: App, deps: ServingDeps) -> None:
    @app.event("app_uninstalled")
    def handle_app_uninstalled(body: dict, context: BoltContext) -> None:
        team = context.team_id or body.get("team_id") or ""
        store = app.installation_store
        if store is not None:
            store.delete_all(enterprise_id=context.enterprise_id, team_id=team)
        stop_workspace(deps, team, reason="app uninstalled", oauth=store is not None)

    @app.event("tokens_revoked")
    def handle_tokens_revoked(body: dict, event: dict, context: BoltContext) -> None:
        team = context.team_id or body.get("team_id") or ""
        tokens = event.get("tokens") or {}
        store = app.installation_store
        if store is not None:
            for user_id in tokens.get("oauth") or []:
                store.delete_installation(
                    enterprise_id=context.enterprise_id, team_id=team, user_id=user_id
                )
        if not tokens.get("bot"):
            return  # only user tokens went; the bot still works
        if store is not None:
            store.delete_bot(enterprise_id=context.enterprise_id, team_id=team)
        stop_workspace(deps, team, reason="bot token revoked", oauth=store is not None)


def stop_workspace(deps: ServingDeps, team: str, *, reason: str, oauth: bool) -> None:
    paused = 0
    for schedule in deps.retros.schedules.list_schedules(team):
        if schedule.status == "active":
            deps.retros.schedules.pause_schedule(team, schedule.id)
            paused += 1
    # Paused in the database: the leader drops their jobs at its next sync (seconds later), and
    # a fire before then opens nothing, since only active schedules open retros. A workspace
    # that reinstalls resumes them with `/retro resume <id>`.
    # Plans' check-in rounds stop the same way (a round on a paused plan opens nothing); a new
    # `/okr checkins <schedule>` resumes one. Their data, and the period's close, stay.
    plans = deps.plans.pause_workspace(workspace_id=team)
    # In single-workspace token mode there is no installation row to delete: the log line is
    # the record, and the operator must replace SLACK__BOT_TOKEN before the bot works again.
    log.warning(
        "workspace %s: %s; %s; %d retro schedule(s) and %d plan(s)' check-ins paused",
        team,
        reason,
        "installation deleted" if oauth else "SLACK__BOT_TOKEN no longer works",
        paused,
        plans,
    )

"""Who may act on what: one rule, enforced here for every listener.

A workspace's drafts, retros and schedules belong to the workspace that installed alignbot
there (Bolt's `context.team_id`, or the enterprise for an org-wide Grid install). In a channel
shared with another organisation (Slack Connect) people of both see the bot's messages, but
only the owning workspace's own members may act on them: click, submit, add retro entries or
revise a draft in its thread. Admin-only actions (`/align forget`) check admin rights on top.

The acting user's own team is `user.team_id` in interactions and `user_team` (else `team`) in
message events; slash commands only reach an app from the user's own workspace.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

REFUSAL = (
    "Only members of the workspace that owns this can act on it. You're in another "
    "organisation's workspace, so nothing was changed."
)
REFUSAL_VIEW = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "alignbot"},
    "close": {"type": "plain_text", "text": "Close"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": REFUSAL}}],
}
INTERACTIONS = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}


def acting_party(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(team, enterprise) of the person who acted, as far as the payload says."""
    user = body.get("user")
    if body.get("type") in INTERACTIONS and isinstance(user, dict):
        enterprise = body.get("enterprise") if isinstance(body.get("enterprise"), dict) else None
        return user.get("team_id"), (enterprise or {}).get("id")
    event = body.get("event")
    if isinstance(event, dict) and event.get("user") and not event.get("bot_id"):
        return event.get("user_team") or event.get("team"), None
    return None, None


def is_foreign(body: dict[str, Any], context: BoltContext) -> bool:
    """True when the actor's own team is known and is not the owner of this request."""
    team, enterprise = acting_party(body)
    if context.is_enterprise_install and context.enterprise_id:
        return enterprise is not None and enterprise != context.enterprise_id
    return team is not None and context.team_id is not None and team != context.team_id


def tell_refused(client: WebClient, body: dict[str, Any]) -> None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    user = (body.get("user") or {}).get("id")
    if not channel or not user:
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=REFUSAL)
    except SlackApiError as exc:
        log.info("could not tell a foreign user why: %s", exc.response.get("error"))


def register(app: App) -> None:
    @app.middleware
    def refuse_other_organisations(
        req: BoltRequest, resp: BoltResponse, next: Any
    ) -> BoltResponse | None:
        body = req.body
        if not is_foreign(body, req.context):
            return next()
        log.info(
            "refused %s from a user of another organisation in workspace %s",
            body.get("type"),
            req.context.team_id,
        )
        if body.get("type") == "view_submission":
            # The modal says why instead of closing as if it had worked.
            return BoltResponse(
                status=200,
                body=json.dumps({"response_action": "update", "view": REFUSAL_VIEW}),
                headers={"content-type": "application/json"},
            )
        if body.get("type") in INTERACTIONS and req.context.client is not None:
            tell_refused(req.context.client, body)
        return BoltResponse(status=200, body="")

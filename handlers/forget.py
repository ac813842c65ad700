"""/align forget: a workspace admin deletes everything alignbot stored for the workspace.

The admin check runs twice (before the modal opens and when it is submitted), and the modal
asks for a typed confirmation; the deletion itself is bot.forget, which knows nothing of Slack.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.forget import forget_workspace
from handlers import ids
from handlers.replies import describe_failure, post_ephemeral

log = logging.getLogger(__name__)
CONFIRM_WORD = "DELETE"


def register(app: App, deps: Deps) -> None:
    @app.view(ids.FORGET_MODAL)
    def handle_forget_submitted(
        ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient
    ) -> None:
        typed = view["state"]["values"][ids.FORGET_BLOCK][ids.FORGET_INPUT].get("value") or ""
        if typed.strip() != CONFIRM_WORD:
            ack(
                response_action="errors",
                errors={ids.FORGET_BLOCK: f"Type {CONFIRM_WORD} in capitals to confirm."},
            )
            return
        user = body["user"]["id"]
        team = context.team_id or body["user"]["team_id"]
        meta = json.loads(view.get("private_metadata") or "{}")
        channel = meta.get("channel") or ""
        if meta.get("team") != team or not is_workspace_admin(client, user):
            ack(
                response_action="errors",
                errors={ids.FORGET_BLOCK: "Only workspace admins and owners can do this."},
            )
            return
        ack()
        deps.work.submit(forget_reply, team, team, channel, user)


def handle_forget_command(ack: Ack, deps: Deps, client: WebClient, command: dict) -> None:
    """`/align forget`: open the confirmation modal for admins, explain to everyone else."""
    ack()
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    if not is_workspace_admin(client, user):
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            text="Only workspace admins and owners can delete this workspace's alignbot data.",
        )
        return
    try:
        client.views_open(
            trigger_id=command["trigger_id"], view=build_forget_modal(team=team, channel=channel)
        )
    except SlackApiError as exc:
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            text=f"I couldn't open the confirmation dialog. {describe_failure(exc)}",
        )


def is_workspace_admin(client: WebClient, user: str) -> bool:
    try:
        info = client.users_info(user=user).get("user") or {}
    except SlackApiError as exc:
        log.info("users.info failed for the forget check: %s", exc.response.get("error"))
        return False
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))


def forget_reply(deps: Deps, client: WebClient, team: str, channel: str, user: str) -> None:
    log.warning("workspace %s: %s asked to delete all alignbot data", team, user)
    try:
        report = forget_workspace(
            engine=deps.engine, sessions=deps.sessions, kb=deps.kb, workspace_id=team
        )
        text = (
            "Done: every document, draft, request, thread transcript, piece of feedback, "
            f"retro and schedule alignbot stored for this workspace is deleted ({report.total} "
            "records and the search index)."
        )
    except Exception as exc:
        log.warning("forget of workspace %s failed: %s", team, type(exc).__name__)
        text = f"Nothing was deleted, or not all of it. {describe_failure(exc)} Run it again."
    if channel:
        post_ephemeral(client, channel=channel, user=user, text=text)
    else:
        client.chat_postMessage(channel=user, text=text)


def build_forget_modal(*, team: str, channel: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ids.FORGET_MODAL,
        "private_metadata": json.dumps({"team": team, "channel": channel}),
        "title": {"type": "plain_text", "text": "Delete all data"},
        "submit": {"type": "plain_text", "text": "Delete everything"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": (
                        "This deletes *everything alignbot stored for this workspace*: the "
                        "knowledge base and its search index, drafts and their history, draft "
                        "requests and thread transcripts, feedback, retros, action items and "
                        "retro schedules. It cannot be undone."
                    ),
                },
            },
            {
                "type": "input",
                "block_id": ids.FORGET_BLOCK,
                "label": {"type": "plain_text", "text": f"Type {CONFIRM_WORD} to confirm"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.FORGET_INPUT,
                    "max_length": 20,
                },
            },
        ],
    }

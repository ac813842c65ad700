"""/align forget: a workspace admin deletes everything alignbot stored for the workspace.

The admin check runs twice (before the modal opens and when it is submitted), and the modal
asks for a typed confirmation; the deletion itself (`forget_workspace`, below) knows nothing of Slack.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, cast

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import CursorResult, Engine, Executable, MetaData, Table, delete, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.workspaces import Workspace
from handlers import ids
from handlers.deps import ServingDeps, WorkerDeps
from handlers.replies import describe_failure, post_ephemeral
from knowledge.service import KnowledgeBase
from scheduler.models import OccurrenceClaim, RetroSeries
from scheduler.plans.closing import CLOSE_KIND
from scheduler.plans.models import OkrPlan
from scheduler.plans.recurring import KIND as PLAN_KIND
from scheduler.retro_opening import RETRO_KIND

log = logging.getLogger(__name__)
CONFIRM_WORD = "DELETE"


def register(app: App, deps: ServingDeps) -> None:
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
        deps.jobs.submit(forget_reply, team, team, channel, user)


def handle_forget_command(ack: Ack, deps: ServingDeps, client: WebClient, command: dict) -> None:
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


def forget_reply(deps: WorkerDeps, client: WebClient, team: str, channel: str, user: str) -> None:
    log.warning("workspace %s: %s asked to delete all alignbot data", team, user)
    try:
        report = forget_workspace(
            engine=deps.engine, sessions=deps.sessions, kb=deps.kb, workspace_id=team
        )
        text = (
            "Done: every document, draft, request, thread transcript, piece of feedback, "
            "retro, schedule and OKR plan (with its check-ins) alignbot stored for this "
            f"workspace is deleted ({report.total} "
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
                        "requests and thread transcripts, feedback, retros, action items, "
                        "retro schedules and OKR plans with their check-ins. It cannot be "
                        "undone."
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


# ---- the erasure itself: every table with a workspace id, then the vectors; no Slack ----

WORKSPACE_COLUMN = "workspace_id"
PLAN_CLAIM_KINDS = (PLAN_KIND, CLOSE_KIND)


@dataclass(frozen=True)
class ForgetReport:
    workspace_id: str
    # table name -> rows deleted (tables with nothing to delete are left out)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def workspace_tables(engine: Engine) -> tuple[list[Table], list[Table]]:
    """(tables with a workspace_id column, tables that only reference one), children first."""
    metadata = MetaData()
    metadata.reflect(engine, views=False)
    owned = [t for t in metadata.sorted_tables if WORKSPACE_COLUMN in t.c]
    owned_names = {t.name for t in owned}
    dependent = [
        t
        for t in metadata.sorted_tables
        if WORKSPACE_COLUMN not in t.c
        and any(fk.column.table.name in owned_names for fk in t.foreign_keys)
    ]
    return list(reversed(owned)), list(reversed(dependent))


def forget_workspace(
    *, engine: Engine, sessions: sessionmaker[Session], kb: KnowledgeBase, workspace_id: str
) -> ForgetReport:
    """Delete everything the workspace stored. Vectors go first: if Chroma is unreachable this
    raises before any SQL row is touched, so a retry starts from a whole workspace, not half."""
    if not workspace_id:
        raise ValueError("a workspace id is required")
    kb.vectors.drop(workspace_id)
    _drop_rebuild_leftovers(kb, workspace_id)
    kb.forget_workspace(workspace_id)
    owned, dependent = workspace_tables(engine)
    rows: dict[str, int] = {}
    with session_scope(sessions) as session:
        # Occurrence claims name their series by key (their workspace_id column may be empty
        # on older rows): the claims of the workspace's plans and retro schedules go with them.
        for kinds, keys in (
            (PLAN_CLAIM_KINDS, select(OkrPlan.id).where(OkrPlan.workspace_id == workspace_id)),
            (
                (RETRO_KIND,),
                select(RetroSeries.id).where(RetroSeries.workspace_id == workspace_id),
            ),
        ):
            claims = delete(OccurrenceClaim).where(
                OccurrenceClaim.kind.in_(kinds), OccurrenceClaim.series_key.in_(keys)
            )
            _count(rows, OccurrenceClaim.__tablename__, _run(session, claims))
        for table in dependent:
            for fk in table.foreign_keys:
                parent = fk.column.table
                if WORKSPACE_COLUMN not in parent.c:
                    continue
                keys = select(fk.column).where(parent.c[WORKSPACE_COLUMN] == workspace_id)
                _count(rows, table.name, _run(session, delete(table).where(fk.parent.in_(keys))))
        for table in owned:
            stmt = delete(table).where(table.c[WORKSPACE_COLUMN] == workspace_id)
            _count(rows, table.name, _run(session, stmt))
        stmt = delete(Workspace).where(Workspace.id == workspace_id)
        _count(rows, Workspace.__tablename__, _run(session, stmt))
    report = ForgetReport(workspace_id=workspace_id, rows=rows)
    log.warning("forgot workspace %s: %s rows deleted %s", workspace_id, report.total, rows)
    return report


def _drop_rebuild_leftovers(kb: KnowledgeBase, workspace_id: str) -> None:
    from knowledge.vector_store import collection_name

    prefix = f"{collection_name(workspace_id)}-rebuild-"
    for collection in kb.vectors.client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        if name.startswith(prefix):
            kb.vectors.client.delete_collection(name)


def _run(session: Session, stmt: Executable) -> int:
    """Rows a DELETE or UPDATE touched."""
    result = cast(CursorResult[Any], session.execute(stmt))
    return int(result.rowcount or 0)


def _count(rows: dict[str, int], table: str, count: int) -> None:
    if count:
        rows[table] = rows.get(table, 0) + int(count)

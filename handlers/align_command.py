"""The /align command: help, the workspace mission and the knowledge base."""

from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from core.db import session_scope
from core.workspaces import set_mission
from handlers import forget, views
from handlers.deps import ServingDeps, WorkerDeps
from handlers.replies import command_text, describe_failure, post_ephemeral
from handlers.usage import ALIGN_USAGE, KB_USAGE, MISSION_USAGE

log = logging.getLogger(__name__)
MAX_MISSION_CHARS = 1000


def register(app: App, deps: ServingDeps) -> None:
    @app.command("/align")
    def handle_align(ack: Ack, command: dict, client: WebClient) -> None:
        text = command_text(ack, command)
        if text is None:
            return
        sub, _, rest = text.partition(" ")
        sub = sub.lower() or "help"
        rest = rest.strip()
        team = command["team_id"]
        if sub == "help":
            ack(text=ALIGN_USAGE)
        elif sub == "mission":
            handle_mission(ack, deps, team, rest)
        elif sub == "kb":
            handle_kb(ack, deps, client, command, rest)
        elif sub == "forget":
            forget.handle_forget_command(ack, deps, client, command)
        else:
            ack(text=f"I don't know `/align {sub}`.\n\n{ALIGN_USAGE}")


def handle_mission(ack: Ack, deps: ServingDeps, team: str, mission: str) -> None:
    if not mission:
        ack(text=MISSION_USAGE)
        return
    if len(mission) > MAX_MISSION_CHARS:
        ack(text=f"Keep the mission under {MAX_MISSION_CHARS} characters.\n{MISSION_USAGE}")
        return
    with session_scope(deps.sessions) as session:
        set_mission(session=session, workspace_id=team, mission=mission)
    ack(text=f"Mission saved. Plans will open with:\n> {mission}")


def handle_kb(ack: Ack, deps: ServingDeps, client: WebClient, command: dict, rest: str) -> None:
    action, _, arg = rest.partition(" ")
    action, arg = action.lower(), arg.strip()
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    if action == "list":
        docs = deps.documents.list_documents(team)
        ack(blocks=views.build_kb_list(docs), text=f"{len(docs)} documents")
    elif action == "search" and arg:
        ack(text=f"Searching for “{arg}”…")
        deps.jobs.submit(search_kb_reply, team, team, channel, user, arg)
    elif action == "remove" and arg:
        ack(text=f"Removing document `{arg}`…")
        deps.jobs.submit(remove_from_kb_reply, team, team, channel, user, arg)
    elif action == "add" and arg and (scheme := _unsupported_scheme(arg)):
        ack(
            text=f"I can only add web pages (`https://…`) or text, not `{scheme}:` links. "
            "To add a file, share it in a channel with me. Nothing was added."
        )
    elif action == "add" and arg:
        ack(text="Adding that to the knowledge base…")
        deps.jobs.submit(add_to_kb_reply, team, team, channel, user, arg)
    else:
        ack(text=KB_USAGE)


def add_to_kb_reply(
    deps: WorkerDeps, client: WebClient, team: str, channel: str, user: str, text: str
) -> None:
    try:
        url = text.strip("<>").split("|", 1)[0]
        if url.lower().startswith(("http://", "https://")) and " " not in url:
            result = deps.kb.add_url(team, url, added_by=user)
        else:
            title = text.splitlines()[0][:80]
            result = deps.kb.add_text(
                team, title=title, text=text, added_by=user, source_kind="text"
            )
        message = f"{result.message} (id `{result.doc_id}`)"
    except Exception as exc:
        log.info("kb add failed: %s", type(exc).__name__)
        message = f"Nothing was added. {describe_failure(exc)}"
    post_ephemeral(client, channel=channel, user=user, text=message)


def remove_from_kb_reply(
    deps: WorkerDeps, client: WebClient, team: str, channel: str, user: str, doc_id: str
) -> None:
    try:
        removed = deps.kb.remove(team, doc_id)
    except Exception as exc:
        text = f"Could not remove `{doc_id}`. {describe_failure(exc)}"
    else:
        text = (
            f"Removed document `{doc_id}` and its chunks."
            if removed
            else f"There is no document `{doc_id}` here. `/align kb list` shows the ids."
        )
    post_ephemeral(client, channel=channel, user=user, text=text)


def search_kb_reply(
    deps: WorkerDeps, client: WebClient, team: str, channel: str, user: str, query: str
) -> None:
    try:
        hits = deps.kb.search(team, query, k=5)
        blocks = views.build_kb_search(query, hits)
        post_ephemeral(
            client, channel=channel, user=user, text=f"Results for {query}", blocks=blocks
        )
    except Exception as exc:
        post_ephemeral(
            client, channel=channel, user=user, text=f"Search failed. {describe_failure(exc)}"
        )


_SCHEME = re.compile(r"^<?([a-z][a-z0-9+.-]{1,20}):/", re.IGNORECASE)


def _unsupported_scheme(text: str) -> str | None:
    """`file:///etc/passwd` and other non-web links would otherwise be stored as a text note."""
    match = _SCHEME.match(text.strip())
    if match and match.group(1).lower() not in ("http", "https"):
        return match.group(1).lower()
    return None

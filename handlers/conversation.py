"""Mentions, DMs, draft-thread replies and the agent view: free text routed to drafting."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts
from slack_sdk import WebClient

from drafting.intent import clean_text, route
from drafting.revise import missing_item
from handlers.deps import ServingDeps, WorkerDeps
from handlers.draft_actions import post_new_version
from handlers.draft_jobs import post_draft_reply
from handlers.plan_actions import take_plan_checkin
from handlers.replies import describe_failure
from handlers.retro import take_thread_entry
from handlers.slack_files import ingest_shared_files
from handlers.slack_text import safe_text
from handlers.thread_replies import is_chatter, short_quotes
from handlers.usage import ALIGN_USAGE

log = logging.getLogger(__name__)
IGNORED_SUBTYPES = {
    "message_changed",
    "message_deleted",
    "bot_message",
    "channel_join",
    "channel_leave",
    "thread_broadcast",
}
SUGGESTED_PROMPTS = [
    {"title": "Draft a SWOT", "message": "Draft a SWOT for our team"},
    {"title": "Turn our last SWOT into OKRs", "message": "Turn our last SWOT into OKRs"},
    {"title": "Schedule a retro", "message": "Schedule a retro weekly on friday at 15:00"},
]


def register(app: App, deps: ServingDeps) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def handle_assistant_thread_started(
        say: Say, set_suggested_prompts: SetSuggestedPrompts
    ) -> None:
        say("Hi! I draft SWOTs, OKR plans and retros from your team's knowledge, with sources.")
        set_suggested_prompts(prompts=SUGGESTED_PROMPTS, title="Try one of these")

    @assistant.user_message
    def handle_assistant_message(payload: dict, context: BoltContext, client: WebClient) -> None:
        team = context.team_id or payload.get("team", "")

        handle_chat(deps, client, team=team, event=payload, in_agent_view=True)

    app.use(assistant)

    @app.event("app_mention")
    def handle_app_mention(event: dict, context: BoltContext, client: WebClient) -> None:
        handle_chat(deps, client, team=context.team_id or event.get("team", ""), event=event)

    @app.event("message")
    def handle_message(event: dict, context: BoltContext, client: WebClient) -> None:
        if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id"):
            return
        team = context.team_id or event.get("team", "")
        bot_user = context.bot_user_id or ""
        text = event.get("text") or ""
        if bot_user and f"<@{bot_user}>" in text and event.get("channel_type") != "im":
            return  # the app_mention event for this message does the work
        thread_ts = event.get("thread_ts")
        is_reply = thread_ts is not None and thread_ts != event.get("ts")
        if event.get("channel_type") == "im":
            handle_chat(deps, client, team=team, event=event)
        # Retro entries and plan check-ins are stored right here, before anything else can fail.
        elif (
            is_reply
            and not take_thread_entry(deps, client, team, event)
            and not take_plan_checkin(deps, client, team, event)
        ):
            deps.jobs.submit(revise_draft_in_thread, team, team, event)

    @app.event("file_shared")
    def handle_file_shared(ack: Ack) -> None:
        # The matching message event (subtype file_share) carries the file list and does the work.
        ack()


def handle_chat(
    deps: ServingDeps,
    client: WebClient,
    *,
    team: str,
    event: dict[str, Any],
    in_agent_view: bool = False,
) -> None:
    """Quick part (on the listener thread): store what was said; the rest goes to the work pool."""
    channel, user = event["channel"], event.get("user")
    root = event.get("thread_ts") or event["ts"]
    text = clean_text(event.get("text") or "")
    deps.desk.remember(
        workspace_id=team,
        channel_id=channel,
        thread_ts=root,
        ts=event["ts"],
        user_id=user,
        role="user",
        text=text,
    )
    deps.jobs.submit(chat_reply, team, team, event, root, text, in_agent_view)


def chat_reply(
    deps: WorkerDeps,
    client: WebClient,
    team: str,
    event: dict[str, Any],
    root: str,
    text: str,
    in_agent_view: bool,
) -> None:
    channel, user = event["channel"], event.get("user") or ""
    # Bolt's own status setter, rebuilt here: this may run in the worker process.
    set_status = SetStatus(client, channel, root) if in_agent_view else None
    if event.get("files"):
        ingest_shared_files(
            deps,
            client,
            team=team,
            channel=channel,
            thread_ts=root,
            user=user,
            files=event["files"],
        )
        if route(text).kind not in ("swot", "okr"):
            return
    if deps.desk.current(workspace_id=team, channel_id=channel, thread_ts=root) is not None:
        revise_reply(deps, client, team=team, channel=channel, root=root, user=user, text=text)
        return
    intent = deps.router.route(text)
    if intent.kind in ("swot", "okr"):
        request_id = deps.desk.take_request(
            workspace_id=team,
            channel_id=channel,
            user_id=user,
            kind=intent.kind,
            subject=intent.subject,
            lens=intent.lens,
            text=text,
            thread_ts=root,
        )
        post_draft_reply(
            deps,
            client,
            request_id=request_id,
            team=team,
            channel=channel,
            user=user,
            thread_ts=root,
            set_status=set_status,
        )
        return
    if intent.kind in ("retro", "schedule_retro"):
        answer = (
            "Retros run in a channel: type `/retro` there to open one now, or "
            "`/retro schedule weekly on friday at 15:00` to run them on a schedule."
        )
    elif intent.kind == "help":
        answer = ALIGN_USAGE
    else:
        answer = intent.question or ALIGN_USAGE
    say_in_thread(deps, client, team=team, channel=channel, root=root, text=answer)


def say_in_thread(
    deps: WorkerDeps, client: WebClient, *, team: str, channel: str, root: str, text: str
) -> None:
    resp = client.chat_postMessage(channel=channel, thread_ts=root, text=text)
    deps.desk.remember(
        workspace_id=team,
        channel_id=channel,
        thread_ts=root,
        ts=resp["ts"],
        user_id=None,
        role="bot",
        text=text,
    )


def revise_draft_in_thread(
    deps: WorkerDeps, client: WebClient, team: str, event: dict[str, Any]
) -> None:
    """A reply in a channel thread: revises the draft there, if that thread holds one."""
    channel, root = event["channel"], event["thread_ts"]
    if deps.desk.current(workspace_id=team, channel_id=channel, thread_ts=root) is None:
        return
    text = clean_text(event.get("text") or "")
    fresh = deps.desk.remember(
        workspace_id=team,
        channel_id=channel,
        thread_ts=root,
        ts=event["ts"],
        user_id=event.get("user"),
        role="user",
        text=text,
    )
    if fresh:
        revise_reply(
            deps,
            client,
            team=team,
            channel=channel,
            root=root,
            user=event.get("user") or "",
            text=text,
        )


def revise_reply(
    deps: WorkerDeps, client: WebClient, *, team: str, channel: str, root: str, user: str, text: str
) -> None:
    try:
        current = deps.desk.current(workspace_id=team, channel_id=channel, thread_ts=root)
        if current is None:
            return
        if is_chatter(text):
            return  # "thanks, looks good": nothing to do, and a reply would only be noise
        if refusal := missing_item(current.draft, text):
            say_in_thread(deps, client, team=team, channel=channel, root=root, text=refusal)
            return
        history = deps.desk.transcript(workspace_id=team, channel_id=channel, thread_ts=root)
        result = deps.drafter.revise(current.draft, text, history, workspace_id=team)
        # The note quotes the user's instruction: repeated, it must stay short and ping no one.
        note = safe_text(short_quotes(result.note))
        if not result.changed:
            say_in_thread(deps, client, team=team, channel=channel, root=root, text=note)
            return
        post_new_version(
            deps,
            client,
            team=team,
            channel=channel,
            root=root,
            draft=result.draft,
            note=note,
            user=user,
        )
    except Exception as exc:
        log.warning("revision failed: %s", type(exc).__name__, exc_info=exc)
        say_in_thread(
            deps,
            client,
            team=team,
            channel=channel,
            root=root,
            text=f"I couldn't revise the draft. {describe_failure(exc)} "
            "Your message is saved; send it again to retry.",
        )

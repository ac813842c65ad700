"""/retro, its buttons and entry modal, and thread replies to a retro prompt."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from core.db import session_scope
from core.retro_sections import parse_prefixed_entry
from core.workspaces import claim_event, finish_event
from drafting.intent import clean_text
from handlers import ids
from handlers.deps import ServingDeps, WorkerDeps
from handlers.payloads import BadPayload, action_id_value, json_object, retro_ref, text_input
from handlers.replies import command_text, describe_failure, post_ephemeral
from handlers.retro_views import (
    build_entry_modal,
    build_open_failed,
    build_schedule_created,
    build_schedule_list,
)
from handlers.slack_text import quote
from scheduler.errors import RetroError, RetroPromptNotPosted
from scheduler.schedule_request import DEFAULT_WINDOW, parse_duration, parse_schedule_command
from scheduler.when import ScheduleParseError

log = logging.getLogger(__name__)

RETRO_USAGE = """Usage:
• `/retro [title]` open a retro in this channel now, e.g. `/retro Sprint 42` or `/retro Sprint 42 window 4h`
• `/retro close` close this channel's open retro and post the synthesis
• `/retro schedule <when> [in #channel] [window <duration>] [nudge <duration>]`
   e.g. `/retro schedule weekly on friday at 15:00 window 2h nudge 30m`
   `every 2 weeks on monday 10:00` · `monthly on the last thursday at 16:00` · `cron 0 15 * * FRI`
• `/retro schedules` list them · `/retro pause|resume|cancel <id>`
In the prompt's thread, start a reply with `+` went well, `-` not so well, `*` learning, `!` action."""
ENTRY_HINT = (
    "Only replies that start with a prefix become retro entries: `+` went well, "
    "`-` not so well, `*` learning, `!` action (e.g. `+ the release went out early`). "
    "Other replies here stay conversation. You can also use the buttons on the prompt."
)


def register(app: App, deps: ServingDeps) -> None:
    @app.command("/retro")
    def handle_retro(ack: Ack, command: dict, client: WebClient) -> None:
        text = command_text(ack, command)
        if text is None:
            return
        sub, _, rest = text.partition(" ")
        sub = sub.lower()
        team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
        if sub == "help":
            ack(text=RETRO_USAGE)
        elif sub == "close" and not rest:
            ack(text="Closing this channel's retro…")
            deps.jobs.submit(close_retro_reply, team, team, channel, user)
        elif sub == "schedule":
            ack(text="Checking that schedule…")
            deps.jobs.submit(schedule_reply, team, team, channel, user, rest)
        elif sub == "schedules" and not rest:
            ack(text=build_schedule_list(deps.retros.schedules.list_schedules(team)))
        elif sub in ("pause", "resume", "cancel"):
            manage_schedule(ack, deps, team, sub, rest)
        else:
            title, window = split_window(text)
            if window is None:
                ack(text=f"I couldn't read that window.\n\n{RETRO_USAGE}")
                return
            ack(text="Opening a retro…")
            deps.jobs.submit(open_retro_reply, team, team, channel, user, title, window)

    @app.action(ids.RETRO_ADD_ENTRY_PATTERN)
    def handle_add_entry(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        retro_id, section = retro_ref(action.get("value"))
        client.views_open(trigger_id=body["trigger_id"], view=build_entry_modal(retro_id, section))

    @app.view(ids.RETRO_ENTRY_MODAL)
    def handle_entry_submitted(
        ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient
    ) -> None:
        retro_id, section = retro_ref(view.get("private_metadata"))
        text = clean_text(text_input(view, ids.RETRO_ENTRY_BLOCK, ids.RETRO_ENTRY_INPUT))
        values = view["state"]["values"]
        anonymous = bool(
            values.get(ids.RETRO_ANON_BLOCK, {})
            .get(ids.RETRO_ANON_INPUT, {})
            .get("selected_options")
        )
        if not text:
            ack(response_action="errors", errors={ids.RETRO_ENTRY_BLOCK: "Write something first."})
            return
        team = context.team_id or body["user"]["team_id"]
        user = body["user"]["id"]
        try:
            # Stored before the ack, so an acknowledged entry is never lost.
            deps.retros.entries.add_entry(
                retro_id,
                workspace_id=team,
                section=section,
                text=text,
                # The service stores no author for an anonymous entry (only that they wrote).
                author=user,
                anonymous=anonymous,
                source="modal",
                source_ts=view.get("id"),
            )
        except RetroError as exc:
            ack(response_action="errors", errors={ids.RETRO_ENTRY_BLOCK: str(exc)})
            return
        ack()

    @app.action(ids.RETRO_OPEN_RETRY)
    def handle_open_retry(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        asked = json_object(action.get("value"))
        title, seconds = asked.get("title"), asked.get("window")
        if not isinstance(seconds, int) or seconds <= 0 or not isinstance(title, str | None):
            raise BadPayload()
        team = body["user"]["team_id"]
        deps.jobs.submit(
            open_retro_reply,
            team,
            team,
            body["channel"]["id"],
            body["user"]["id"],
            title,
            timedelta(seconds=seconds),
        )

    @app.action(ids.RETRO_CLOSE)
    def handle_close_button(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        team = body["user"]["team_id"]
        deps.jobs.submit(
            close_by_id_reply,
            team,
            team,
            body["channel"]["id"],
            body["user"]["id"],
            action_id_value(action),
        )

    @app.action(ids.ACTION_ITEM_DONE)
    def handle_action_done(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        set_action_status(deps, client, body, action_id_value(action), "done")

    @app.action(ids.ACTION_ITEM_OPEN)
    def handle_action_open(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        set_action_status(deps, client, body, action_id_value(action), "open")


def split_window(text: str) -> tuple[str | None, Any]:
    """`Sprint 42 window 4h` → ("Sprint 42", 4h); the window defaults to the schedule default."""
    title, marker, duration = text.rpartition(" window ")
    if not marker:
        return (text or None), DEFAULT_WINDOW
    try:
        return (title.strip() or None), parse_duration(duration)
    except ScheduleParseError:
        return None, None


_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")
_CHANNEL_LINK = re.compile(r"(?:\bin\s+)?<#(?P<id>[CGD][A-Z0-9]+)(?:\|[^>]*)?>")
_TYPED_CHANNEL = re.compile(r"(?:^|\s)#[\w-]+")


def split_channel(text: str, *, default: str) -> tuple[str, str]:
    """`weekly on friday at 15:00 in <#C0TEAM|team>` → ("C0TEAM", "weekly on friday at 15:00").

    Slack sends a channel picked with # autocomplete as `<#id|name>`; a `#name` typed by hand
    stays text with no id, so it is refused. A quoted title may say anything.
    """
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), text)
    if m := _CHANNEL_LINK.search(masked):
        return m.group("id"), " ".join(f"{text[: m.start()]} {text[m.end() :]}".split())
    if _TYPED_CHANNEL.search(masked):
        raise ScheduleParseError("Pick the channel with Slack's # autocomplete, like `in #team`.")
    return default, text


def open_retro_reply(
    deps: WorkerDeps,
    client: WebClient,
    team: str,
    channel: str,
    user: str,
    title: str | None,
    window: Any,
) -> None:
    try:
        deps.retros.opening.open_retro(team, channel, title, opened_by=user, window=window)
    except RetroPromptNotPosted as exc:
        # The retro was withdrawn, so the channel is free; the opener can retry in one click.
        blocks = build_open_failed(
            exc.reason, title=title, window_seconds=int(window.total_seconds())
        )
        post_ephemeral(client, channel=channel, user=user, text=str(exc), blocks=blocks)
    except RetroError as exc:
        post_ephemeral(client, channel=channel, user=user, text=str(exc))


def close_retro_reply(
    deps: WorkerDeps, client: WebClient, team: str, channel: str, user: str
) -> None:
    open_ones = deps.retros.lookup.list_open_retros(team, channel_id=channel)
    if not open_ones:
        post_ephemeral(
            client, channel=channel, user=user, text="There is no open retro in this channel."
        )
        return
    close_by_id_reply(deps, client, team, channel, user, open_ones[-1].id)


def close_by_id_reply(
    deps: WorkerDeps, client: WebClient, team: str, channel: str, user: str, retro_id: int
) -> None:
    try:
        result = deps.retros.closing.close_retro(retro_id, reason="command", workspace_id=team)
        if not result.closed_now:
            post_ephemeral(client, channel=channel, user=user, text="That retro is already closed.")
    except Exception as exc:
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            text=f"Closing failed; every entry is saved. {describe_failure(exc)}",
        )


def user_timezone(client: WebClient, user: str) -> str:
    try:
        return str(client.users_info(user=user)["user"].get("tz") or "UTC")
    except SlackApiError:
        return "UTC"


def schedule_reply(
    deps: WorkerDeps, client: WebClient, team: str, channel: str, user: str, text: str
) -> None:
    clock = deps.retros.clock
    try:
        target, rest = split_channel(text, default=channel)
        request = parse_schedule_command(
            rest, channel_id=target, default_tz=user_timezone(client, user), now=clock.now()
        )
    except ScheduleParseError as exc:
        post_ephemeral(client, channel=channel, user=user, text=f"Nothing was scheduled. {exc}")
        return
    try:
        info = client.conversations_info(channel=request.channel_id)["channel"]
        member = bool(info.get("is_member") or info.get("is_im"))
    except SlackApiError:
        member = False
    if not member:
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            text=f"I'm not in <#{request.channel_id}>, so nothing was scheduled. "
            "Invite me there with `/invite @alignbot`, then try again.",
        )
        return
    try:
        created = deps.retros.schedules.create_schedule(team, request=request, created_by=user)
    except RetroError as exc:
        post_ephemeral(client, channel=channel, user=user, text=str(exc))
        return
    post_ephemeral(client, channel=channel, user=user, text=build_schedule_created(created))


def manage_schedule(ack: Ack, deps: ServingDeps, team: str, verb: str, arg: str) -> None:
    schedule_id = arg.strip().lstrip("#")
    if not schedule_id.isdigit():
        ack(text=f"Usage: `/retro {verb} <id>`; `/retro schedules` lists the ids.")
        return
    action = {
        "pause": deps.retros.schedules.pause_schedule,
        "resume": deps.retros.schedules.resume_schedule,
        "cancel": deps.retros.schedules.cancel_schedule,
    }[verb]
    try:
        info = action(team, int(schedule_id))
    except RetroError as exc:
        ack(text=str(exc))
        return
    ack(text=f"Schedule `#{info.id}` is now {info.status}.")


def set_action_status(
    deps: ServingDeps, client: WebClient, body: dict, action_id: int, status: str
) -> None:
    team = body["user"]["team_id"]
    channel = body["channel"]["id"]
    try:
        item = deps.retros.actions.set_action_status(action_id, status, workspace_id=team)
        post_ephemeral(
            client,
            channel=channel,
            user=body["user"]["id"],
            text=f"Marked “{quote(item.text)}” as {'done' if status == 'done' else 'still open'}.",
        )
    except RetroError as exc:
        post_ephemeral(client, channel=channel, user=body["user"]["id"], text=str(exc))


def take_thread_entry(
    deps: ServingDeps, client: WebClient, team: str, event: dict[str, Any]
) -> bool:
    """A prefixed reply under a retro prompt becomes an entry, confirmed with ✅.

    False when the thread is no retro's. Anything without a prefix is conversation, not an
    entry: it is left alone, and the thread is told once (the first time) how to add one.
    """
    channel, thread_ts = event["channel"], event["thread_ts"]
    text = clean_text(event.get("text") or "")
    section, _ = parse_prefixed_entry(text)
    if section is None:
        retro = deps.retros.lookup.find_by_prompt(team, channel, thread_ts)
        if retro is None:
            return False
        if retro.status == "open" and first_hint(deps, team, channel, thread_ts):
            deps.jobs.submit(
                tell_entry_refused,
                team,
                channel=channel,
                user=event.get("user", ""),
                thread_ts=thread_ts,
                text=ENTRY_HINT,
            )
        return True
    try:
        result = deps.retros.entries.add_thread_reply(
            team, channel, thread_ts, text=text, author=event.get("user"), message_ts=event["ts"]
        )
    except RetroError as exc:
        deps.jobs.submit(
            tell_entry_refused,
            team,
            channel=channel,
            user=event.get("user", ""),
            thread_ts=thread_ts,
            text=str(exc),
        )
        return True
    if result is None:
        return False
    if result.created:
        deps.jobs.submit(confirm_entry, team, channel, event["ts"])
    return True


def first_hint(deps: ServingDeps, team: str, channel: str, thread_ts: str) -> bool:
    """True once per retro thread, on every replica: the hint is claimed like an event id."""
    with session_scope(deps.sessions) as session:
        fresh = claim_event(
            session=session,
            event_id=f"retro-hint:{channel}:{thread_ts}",
            workspace_id=team,
            abandoned_after=timedelta(days=3650),
        )
        if fresh:
            finish_event(
                session=session, event_id=f"retro-hint:{channel}:{thread_ts}", handled=True
            )
    return fresh


def tell_entry_refused(
    _deps: WorkerDeps, client: WebClient, *, channel: str, user: str, thread_ts: str, text: str
) -> None:
    post_ephemeral(client, channel=channel, user=user, thread_ts=thread_ts, text=text)


def confirm_entry(_deps: WorkerDeps, client: WebClient, channel: str, ts: str) -> None:
    try:
        client.reactions_add(channel=channel, timestamp=ts, name="white_check_mark")
    except SlackApiError as exc:
        log.info("could not confirm the entry with a reaction: %s", exc.response.get("error"))

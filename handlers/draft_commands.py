"""/swot and /okr: ack at once, store the request, draft after the ack (`/okr adopt`, `status`
and the other plan words go to handlers/plan_commands.py)."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from drafting.intent import ArgumentError, parse_subject_and_lens
from handlers.deps import ServingDeps
from handlers.draft_jobs import post_draft_reply
from handlers.plan_commands import handle_plan_command, is_plan_command
from handlers.replies import MAX_COMMAND_TEXT, command_text
from handlers.slack_text import safe_text
from handlers.usage import OKR_USAGE, SWOT_USAGE


def register(app: App, deps: ServingDeps) -> None:
    @app.command("/swot")
    def handle_swot(ack: Ack, command: dict, client: WebClient) -> None:
        start_draft(ack, deps, client, command, kind="swot", usage=SWOT_USAGE)

    @app.command("/okr")
    def handle_okr(ack: Ack, command: dict, client: WebClient) -> None:
        text = command_text(ack, command)
        if text is not None and is_plan_command(text):
            handle_plan_command(ack, deps, client, command, text)
            return
        start_draft(ack, deps, client, command, kind="okr", usage=OKR_USAGE)


def start_draft(
    ack: Ack, deps: ServingDeps, client: WebClient, command: dict, *, kind: str, usage: str
) -> None:
    text = command.get("text") or ""
    if len(text) > MAX_COMMAND_TEXT:
        ack(
            text=f"That is {len(text)} characters; commands take up to {MAX_COMMAND_TEXT}.\n{usage}"
        )
        return
    if text.strip().lower() in ("help", "-h", "--help", "?"):
        ack(text=usage)
        return
    try:
        subject, lens = parse_subject_and_lens(text)
    except ArgumentError as exc:
        ack(text=f"{exc}\n\n{usage}")
        return
    if kind == "okr" and lens:
        ack(text=f"`/okr` takes no lens; lenses belong to SWOTs.\n\n{usage}")
        return
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    request_id = deps.desk.take_request(
        workspace_id=team,
        channel_id=channel,
        user_id=user,
        kind=kind,
        subject=subject,
        lens=lens,
        text=text,
    )
    what = "a SWOT" if kind == "swot" else "an OKR plan"
    about = f" for *{safe_text(subject)}*" if subject else ""
    with_lens = f" (lens: {safe_text(lens)})" if lens else ""
    ack(text=f"Drafting {what}{about}{with_lens}… I'll post it in this channel.")
    deps.jobs.submit(
        post_draft_reply, team, request_id=request_id, team=team, channel=channel, user=user
    )

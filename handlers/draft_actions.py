"""Buttons and the section menu under every draft, and the Retry button on failures."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from drafting.desk import PostedVersion
from drafting.draft import Draft
from drafting.origins import knowledge_passages
from drafting.render_markdown import render_markdown
from handlers import ids
from handlers.deps import ServingDeps, WorkerDeps
from handlers.draft_jobs import draft_message_blocks, fallback_text, post_draft_reply, post_overflow
from handlers.draft_pictures import attach_picture, upload_pdf
from handlers.payloads import BadPayload, action_id_value
from handlers.replies import describe_failure, post_ephemeral
from handlers.slack_text import safe_text

log = logging.getLogger(__name__)
# Section keys are short snake_case words (strengths, key_priorities, objective_2, ...).
SECTION_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
DRAFT_GONE = "I can't find that draft any more (it may have been deleted with /align forget)."


def where(body: dict[str, Any]) -> tuple[str, str, str, str]:
    """(team, channel, thread root ts, user) of the draft message a click came from."""
    team = (body.get("team") or {}).get("id") or body["user"]["team_id"]
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container["channel_id"]
    message = body.get("message") or {}
    root = message.get("thread_ts") or container.get("thread_ts") or container["message_ts"]
    return team, channel, root, body["user"]["id"]


def register(app: App, deps: ServingDeps) -> None:
    @app.action(ids.REGENERATE_SECTION)
    def handle_regenerate(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        key = (action.get("selected_option") or {}).get("value")
        if not isinstance(key, str) or not SECTION_KEY.fullmatch(key):
            raise BadPayload()
        deps.jobs.submit(regenerate_section_reply, where(body)[0], body, key)

    @app.action(ids.SAVE_FINAL)
    def handle_save_final(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.jobs.submit(save_final_reply, where(body)[0], body)

    @app.action(ids.PUBLISH_CANVAS)
    def handle_publish_canvas(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.jobs.submit(publish_canvas_reply, where(body)[0], body)

    @app.action(ids.EXPORT_MARKDOWN)
    def handle_export(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.jobs.submit(export_markdown_reply, where(body)[0], body)

    @app.action(ids.DOWNLOAD_PDF)
    def handle_download_pdf(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.jobs.submit(download_pdf_reply, where(body)[0], body)

    @app.action(ids.FEEDBACK_UP)
    def handle_feedback_up(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.jobs.submit(record_feedback, where(body)[0], body, rating=1)

    @app.action(ids.FEEDBACK_DOWN)
    def handle_feedback_down(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.jobs.submit(record_feedback, where(body)[0], body, rating=-1)

    @app.action(ids.RETRY_REQUEST)
    def handle_retry(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        team, channel, _, user = where(body)
        request = deps.desk.request(workspace_id=team, request_id=action_id_value(action))
        if request is None:
            post_ephemeral(client, channel=channel, user=user, text="That request is gone.")
            return
        deps.jobs.submit(
            post_draft_reply,
            team,
            request_id=request.id,
            team=team,
            channel=request.channel_id,
            user=user,
            thread_ts=request.thread_ts,
        )


def current_or_say(
    deps: WorkerDeps, client: WebClient, body: dict[str, Any]
) -> PostedVersion | None:
    """The latest version in the clicked message's thread, or a note that it is gone."""
    team, channel, root, user = where(body)
    current = deps.desk.current(workspace_id=team, channel_id=channel, thread_ts=root)
    if current is None:
        post_ephemeral(client, channel=channel, user=user, text=DRAFT_GONE)
    return current


def post_new_version(
    deps: WorkerDeps,
    client: WebClient,
    *,
    team: str,
    channel: str,
    root: str,
    draft: Draft,
    note: str | None,
    user: str | None,
) -> PostedVersion:
    """A revision: the new version goes into the thread, and the board message shows it too.

    The version number is reserved before posting, so two replicas revising one thread at once
    post versions 2 and 3, never two messages that both claim version 2.
    """
    posted = deps.desk.reserve_version(
        workspace_id=team, channel_id=channel, thread_ts=root, draft=draft, created_by=user
    )
    blocks, overflow = draft_message_blocks(draft, version=posted.version, final=False, note=note)
    try:
        resp = client.chat_postMessage(
            channel=channel,
            thread_ts=root,
            text=fallback_text(draft) + f" (version {posted.version})",
            blocks=blocks,
        )
    except Exception:
        deps.desk.discard_version(version_id=posted.version_id)
        raise
    deps.desk.attach_message(version_id=posted.version_id, message_ts=resp["ts"])
    post_overflow(client, channel=channel, thread_ts=root, draft=draft, overflow=overflow)
    update_board(deps, client, team=team, channel=channel, root=root, posted=posted, note=note)
    attach_picture(
        deps.sessions,
        client,
        team=team,
        channel=channel,
        thread_ts=root,
        draft=draft,
        version=posted.version,
    )
    return posted


def update_board(
    deps: WorkerDeps,
    client: WebClient,
    *,
    team: str,
    channel: str,
    root: str,
    posted: PostedVersion,
    note: str | None = None,
) -> None:
    board = deps.desk.board_ts(workspace_id=team, channel_id=channel, thread_ts=root)
    if board is None:
        return
    blocks, _ = draft_message_blocks(
        posted.draft, version=posted.version, final=posted.final, note=note
    )
    try:
        client.chat_update(
            channel=channel, ts=board, text=fallback_text(posted.draft), blocks=blocks
        )
    except SlackApiError as exc:
        log.info("could not update the board message: %s", exc.response.get("error"))


def regenerate_section_reply(deps: WorkerDeps, client: WebClient, body: dict, key: str) -> None:
    team, channel, root, user = where(body)
    try:
        current = deps.desk.current(workspace_id=team, channel_id=channel, thread_ts=root)
        if current is None:
            post_ephemeral(client, channel=channel, user=user, text=DRAFT_GONE)
            return
        keys = [s.key for s in current.draft.sections]
        if key not in keys:
            post_ephemeral(
                client,
                channel=channel,
                user=user,
                thread_ts=root,
                text=f"This draft has no section “{key}”; it has {', '.join(keys)}. "
                "Nothing was changed.",
            )
            return
        draft = deps.drafter.regenerate(current.draft, key, workspace_id=team)
        title = next((s.title for s in draft.sections if s.key == key), key)
        post_new_version(
            deps,
            client,
            team=team,
            channel=channel,
            root=root,
            draft=draft,
            note=f"Regenerated {safe_text(title)} for <@{user}>.",
            user=user,
        )
    except Exception as exc:
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            thread_ts=root,
            text=f"Couldn't regenerate that section. {describe_failure(exc)}",
        )


def save_final_reply(deps: WorkerDeps, client: WebClient, body: dict) -> None:
    team, channel, root, user = where(body)
    posted = deps.desk.mark_final(workspace_id=team, channel_id=channel, thread_ts=root)
    if posted is None:
        post_ephemeral(client, channel=channel, user=user, text=DRAFT_GONE)
        return
    update_board(deps, client, team=team, channel=channel, root=root, posted=posted)
    client.chat_postMessage(
        channel=channel,
        thread_ts=root,
        text=f"<@{user}> saved version {posted.version} as final. "
        "Later drafts can cite it, and `/okr` builds on a final SWOT.",
    )
    try:
        deps.kb.add_passages(
            team,
            title=f"{fallback_text(posted.draft)} (final, v{posted.version})",
            passages=knowledge_passages(posted.draft),
            added_by=user,
            source_kind="draft",
        )
    except Exception as exc:
        log.warning("final draft not added to knowledge: %s", type(exc).__name__)


def publish_canvas_reply(deps: WorkerDeps, client: WebClient, body: dict) -> None:
    team, channel, root, user = where(body)
    current = current_or_say(deps, client, body)
    if current is None:
        return
    try:
        resp = client.canvases_create(
            title=f"{fallback_text(current.draft)} (v{current.version})",
            document_content={"type": "markdown", "markdown": render_markdown(current.draft)},
        )
        canvas_id = resp["canvas_id"]
        domain = ((body.get("team") or {}).get("domain")) or "app"
        link = f"https://{domain}.slack.com/docs/{team}/{canvas_id}"
        client.chat_postMessage(
            channel=channel,
            thread_ts=root,
            text=f"<@{user}> published version {current.version} as a canvas: <{link}|open canvas>",
        )
    except SlackApiError as exc:
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            thread_ts=root,
            text=f"Couldn't create the canvas. {describe_failure(exc)}",
        )


def export_markdown_reply(deps: WorkerDeps, client: WebClient, body: dict) -> None:
    _, channel, root, user = where(body)
    current = current_or_say(deps, client, body)
    if current is None:
        return
    slug = re.sub(r"[^a-z0-9]+", "-", current.draft.subject.lower()).strip("-") or "draft"
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=root,
            content=render_markdown(current.draft),
            filename=f"{current.draft.kind}-{slug}-v{current.version}.md",
            title=f"{fallback_text(current.draft)} (v{current.version})",
            initial_comment=f"Markdown export for <@{user}>",
        )
    except SlackApiError as exc:
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            thread_ts=root,
            text=f"Couldn't upload the export. {describe_failure(exc)}",
        )


def download_pdf_reply(deps: WorkerDeps, client: WebClient, body: dict) -> None:
    team, channel, root, user = where(body)
    current = current_or_say(deps, client, body)
    if current is None:
        return
    try:
        upload_pdf(
            deps.sessions,
            client,
            team=team,
            channel=channel,
            thread_ts=root,
            user=user,
            draft=current.draft,
            version=current.version,
        )
    except Exception as exc:
        post_ephemeral(
            client,
            channel=channel,
            user=user,
            thread_ts=root,
            text=f"Couldn't make the PDF. {describe_failure(exc)}",
        )


def record_feedback(deps: WorkerDeps, client: WebClient, body: dict, *, rating: int) -> None:
    team, channel, _, user = where(body)
    message_ts = body["container"]["message_ts"]
    up, down = deps.desk.feedback(
        workspace_id=team, channel_id=channel, message_ts=message_ts, user_id=user, rating=rating
    )
    post_ephemeral(
        client,
        channel=channel,
        user=user,
        text=f"Thanks for the feedback. This draft so far: 👍 {up} · 👎 {down}",
    )

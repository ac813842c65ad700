"""The picture of a draft in its Slack thread, and the PDF behind the "Download PDF" button.

Both render in the worker's jobs (rendering is CPU work, never a listener's). A picture that
cannot be attached never takes the text draft with it: the thread gets a short note instead.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.workspaces import Workspace
from drafting.draft import Draft
from drafting.pictures import PageMeta, alt_text, render_pdf, render_png
from drafting.render_common import KIND_TITLES
from handlers.models import DraftPicture

log = logging.getLogger(__name__)
# The kinds presented as a picture: the SWOT grid and the one-page plan. A retro is read in the
# thread; its PDF is one button away.
PICTURE_KINDS = ("swot", "okr")
PICTURE_FAILED = "I couldn't attach the picture of this draft; the text above is complete."
_names: dict[str, str] = {}
_names_lock = threading.Lock()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "draft"


def file_name(draft: Draft, version: int, extension: str) -> str:
    return f"{draft.kind}-{_slug(draft.subject)}-v{version}.{extension}"


def file_title(draft: Draft, version: int) -> str:
    return f"{KIND_TITLES.get(draft.kind, draft.kind)}: {draft.subject} (version {version})"


def workspace_name(sessions: sessionmaker[Session], client: WebClient, team: str) -> str:
    """The workspace's name for the footer: stored, else Slack's auth.test (no extra scope)."""
    with _names_lock:
        if team in _names:
            return _names[team]
    with session_scope(sessions) as session:
        name = session.scalar(select(Workspace.name).where(Workspace.id == team))
    if not name:
        try:
            name = str(client.auth_test().get("team") or "")
        except SlackApiError:
            name = ""
    name = name or team
    with _names_lock:
        _names[team] = name
    return name


def attach_picture(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    team: str,
    channel: str,
    thread_ts: str,
    draft: Draft,
    version: int,
) -> str | None:
    """Uploads the draft's picture into its thread and deletes the previous version's picture.

    Returns the new file id, or None when there is no picture for this kind or it failed (the
    thread then says so in one line).
    """
    if draft.kind not in PICTURE_KINDS:
        return None
    try:
        meta = PageMeta(workspace_name(sessions, client, team), date.today(), version)
        png = render_png(draft, meta)
        response = client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=png,
            filename=file_name(draft, version, "png"),
            title=file_title(draft, version),
            alt_txt=alt_text(draft),
        )
        file_id = str((response.get("file") or {}).get("id") or "")
    except Exception as exc:  # a picture is a bonus: never fail the draft for it
        log.warning("picture of %s v%s not attached: %s", draft.kind, version, exc)
        _say_failed(client, channel=channel, thread_ts=thread_ts)
        return None
    replaced = _remember(sessions, team, channel, thread_ts, version, file_id)
    for old in replaced:
        try:
            client.files_delete(file=old)
        except SlackApiError as exc:
            log.info("old picture %s not deleted: %s", old, exc.response.get("error"))
    return file_id


def _remember(
    sessions: sessionmaker[Session],
    team: str,
    channel: str,
    thread_ts: str,
    version: int,
    file_id: str,
) -> list[str]:
    """Records the new picture; returns the file ids of the thread's older pictures."""
    with session_scope(sessions) as session:
        older = session.scalars(
            select(DraftPicture).where(
                DraftPicture.workspace_id == team,
                DraftPicture.channel_id == channel,
                DraftPicture.thread_ts == thread_ts,
                DraftPicture.file_id.is_not(None),
            )
        ).all()
        replaced = [row.file_id for row in older if row.file_id and row.file_id != file_id]
        for row in older:
            row.file_id = None
        session.add(
            DraftPicture(
                workspace_id=team,
                channel_id=channel,
                thread_ts=thread_ts,
                version=version,
                file_id=file_id or None,
            )
        )
    return replaced


def _say_failed(client: WebClient, *, channel: str, thread_ts: str) -> None:
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=PICTURE_FAILED)
    except SlackApiError as exc:
        log.info("could not say the picture failed: %s", exc.response.get("error"))


def upload_pdf(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    team: str,
    channel: str,
    thread_ts: str,
    user: str,
    draft: Draft,
    version: int,
    paper: str = "a4",
) -> None:
    """The printable page, uploaded into the draft's thread for the person who asked."""
    meta = PageMeta(workspace_name(sessions, client, team), date.today(), version)
    pdf = render_pdf(draft, meta, paper="letter" if paper == "letter" else "a4")
    client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=pdf,
        filename=file_name(draft, version, "pdf"),
        title=file_title(draft, version),
        initial_comment=f"PDF of version {version} for <@{user}>",
    )

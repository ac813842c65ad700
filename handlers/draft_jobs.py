"""Drafting work that runs after the ack: draft, post, stream progress, and report failures."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.chat_stream import ChatStream

from core.db import session_scope
from drafting.conversations import claim_stale_requests
from drafting.draft import Draft
from handlers import views
from handlers.block_pages import NO_CUT, block_pages, post_pages_in_thread
from handlers.deps import WorkerDeps
from handlers.draft_blocks import build_draft_blocks
from handlers.draft_pictures import attach_picture
from handlers.replies import describe_failure, post_ephemeral
from handlers.slack_client import make_client_for
from handlers.slack_text import safe_text

log = logging.getLogger(__name__)
# Room left under Slack's 50-block limit for the note, final badge and the actions block.
BLOCKS_PER_MESSAGE = 45


def fallback_text(draft: Draft) -> str:
    kind = {"swot": "SWOT", "okr": "OKR plan", "retro": "Retro"}[draft.kind]
    return f"{kind} for {safe_text(draft.subject)}"


def draft_message_blocks(
    draft: Draft, *, version: int, final: bool, note: str | None
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The board message's blocks, plus any overflow to post as thread replies (never cut).

    Buttons act on the latest version of the thread they sit in, so they carry no draft id.
    """
    blocks = build_draft_blocks(draft, draft_id=None, version=version, max_blocks=NO_CUT)
    head, *overflow = block_pages(blocks, per_page=BLOCKS_PER_MESSAGE) or [[]]
    if overflow:
        note = f"{note + ' ' if note else ''}Continued in the thread ({len(overflow)} more)."
    message = views.build_draft_message(head, draft, draft_ref=draft.kind, final=final, note=note)
    return message, overflow


class ProgressStream:
    """chat.startStream/appendStream/stopStream; falls back to post + chat.update on failure."""

    def __init__(
        self, client: WebClient, *, channel: str, thread_ts: str, team: str, user: str
    ) -> None:
        self._client = client
        self._channel, self._thread_ts = channel, thread_ts
        self._team, self._user = team, user
        self._stream: ChatStream | None = None
        self._streaming_failed = False
        self._fallback_ts: str | None = None
        self._text = "Drafting…\n"
        self._pending = 0

    def start(self) -> None:
        """Show "Drafting…" at once: a model's first words can take many seconds to come."""
        self.emit("")

    def emit(self, piece: str) -> None:
        self._text += piece
        if not self._streaming_failed:
            try:
                if self._stream is None:
                    self._stream = self._client.chat_stream(
                        channel=self._channel,
                        thread_ts=self._thread_ts,
                        recipient_team_id=self._team,
                        recipient_user_id=self._user,
                        buffer_size=64,
                    )
                    # Passing chunks (even none) flushes at once: "Drafting…" shows before the
                    # model's first words, which can take many seconds.
                    self._stream.append(markdown_text="Drafting…\n", chunks=[])
                if piece:
                    self._stream.append(markdown_text=piece)
                return
            except SlackApiError as exc:
                # e.g. message_not_in_streaming_state, or streaming not enabled for this app
                log.info("streaming unavailable (%s); using chat.update", exc.response.get("error"))
                self._streaming_failed = True
        self._update_fallback()

    def _update_fallback(self) -> None:
        self._pending += 1
        if self._fallback_ts is None:
            resp = self._client.chat_postMessage(
                channel=self._channel, thread_ts=self._thread_ts, text=self._text
            )
            self._fallback_ts = resp["ts"]
            self._pending = 0
        elif self._pending >= 3:
            self._client.chat_update(channel=self._channel, ts=self._fallback_ts, text=self._text)
            self._pending = 0

    def finish(self) -> None:
        if self._stream is not None and not self._streaming_failed:
            try:
                self._stream.stop(markdown_text="\nDone.")
            except SlackApiError as exc:
                log.info("could not stop the stream: %s", exc.response.get("error"))
        elif self._fallback_ts is not None:
            self._client.chat_update(
                channel=self._channel, ts=self._fallback_ts, text=self._text + "\nDone."
            )


def post_draft_reply(
    deps: WorkerDeps,
    client: WebClient,
    *,
    request_id: int,
    team: str,
    channel: str,
    user: str,
    thread_ts: str | None = None,
    set_status: Callable[[str], object] | None = None,
) -> None:
    """Drafts a stored request and posts it: in the channel (slash) or in a thread (chat)."""
    desk = deps.desk
    streaming = not deps.drafter.engine_name.startswith("offline") and thread_ts is not None
    progress: ProgressStream | None = None
    on_progress = None
    if streaming and thread_ts is not None:
        progress = ProgressStream(
            client, channel=channel, thread_ts=thread_ts, team=team, user=user
        )
        on_progress = progress.emit  # the drafter sends "• LABEL" lines as items are written
        progress.start()
    try:
        if set_status:
            set_status("is drafting…")
        started = time.monotonic()
        request = desk.request(workspace_id=team, request_id=request_id)
        if request is None:
            raise LookupError(f"request {request_id} not found in this workspace")
        draft = deps.drafter.draft_request(request, on_progress=on_progress)
        if progress is not None:
            progress.finish()
        log.info("drafted request %s in %.1fs", request_id, time.monotonic() - started)
        publish_draft(
            deps,
            client,
            draft=draft,
            # The renderer shows draft.notice (which SWOT a plan builds on, engine fallbacks).
            note=None,
            team=team,
            channel=channel,
            user=user,
            thread_ts=thread_ts,
            request_id=request_id,
        )
    except Exception as exc:
        log.warning("draft request %s failed: %s", request_id, type(exc).__name__, exc_info=exc)
        reason = describe_failure(exc)
        desk.fail(request_id=request_id, reason=reason)
        report_failure(
            client,
            reason=reason,
            request_id=request_id,
            channel=channel,
            user=user,
            thread_ts=thread_ts,
        )
    finally:
        if set_status:
            set_status("")


def publish_draft(
    deps: WorkerDeps,
    client: WebClient,
    *,
    draft: Draft,
    note: str | None,
    team: str,
    channel: str,
    user: str | None,
    thread_ts: str | None,
    request_id: int | None = None,
) -> str:
    """Posts version 1 of a draft; its message starts (or joins) the thread that refines it."""
    blocks, overflow = draft_message_blocks(draft, version=1, final=False, note=note)
    resp = client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=fallback_text(draft),
        blocks=blocks,
        unfurl_links=False,
    )
    message_ts = resp["ts"]
    root = thread_ts or message_ts
    deps.desk.record_posted(
        workspace_id=team,
        channel_id=channel,
        thread_ts=root,
        message_ts=message_ts,
        draft=draft,
        created_by=user,
        request_id=request_id,
    )
    post_overflow(client, channel=channel, thread_ts=root, draft=draft, overflow=overflow)
    attach_picture(
        deps.sessions, client, team=team, channel=channel, thread_ts=root, draft=draft, version=1
    )
    return message_ts


def post_overflow(
    client: WebClient,
    *,
    channel: str,
    thread_ts: str,
    draft: Draft,
    overflow: list[list[dict[str, Any]]],
) -> None:
    post_pages_in_thread(
        client,
        channel=channel,
        thread_ts=thread_ts,
        text=fallback_text(draft) + " (continued)",
        pages=overflow,
    )


def report_failure(
    client: WebClient,
    *,
    reason: str,
    request_id: int,
    channel: str,
    user: str,
    thread_ts: str | None,
) -> None:
    blocks = views.build_failure_message(reason, request_id=request_id)
    if thread_ts:
        try:
            client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=f"Draft failed: {reason}", blocks=blocks
            )
            return
        except SlackApiError:
            pass
    post_ephemeral(
        client, channel=channel, user=user, text=f"Draft failed: {reason}", blocks=blocks
    )


INTERRUPTED = "alignbot restarted while drafting this."


def report_interrupted_requests(deps: WorkerDeps) -> int:
    """After a crash: tell each person whose draft never came, with a Retry button."""
    client_for = make_client_for(deps.slack, deps.engine)
    cutoff = datetime.now(UTC) - timedelta(seconds=deps.server.stale_request_seconds)
    with session_scope(deps.sessions) as session:
        stale = [
            (r.id, r.workspace_id, r.channel_id, r.user_id, r.thread_ts)
            for r in claim_stale_requests(session=session, older_than=cutoff, reason=INTERRUPTED)
        ]
    for request_id, team, channel, user, thread_ts in stale:
        try:
            report_failure(
                client_for(team),
                reason=INTERRUPTED,
                request_id=request_id,
                channel=channel,
                user=user or "",
                thread_ts=thread_ts,
            )
        except Exception as exc:
            log.warning(
                "could not report interrupted request %s: %s", request_id, type(exc).__name__
            )
    if stale:
        log.info("reported %d draft request(s) interrupted by a restart", len(stale))
    return len(stale)

"""The drafting desk: the records of drafting work, from the stored request to every posted version.

It only reads and writes the database (requests, versions, thread transcripts, feedback), so
the serving process can use it to store what arrived; drafting itself is the Drafter's, in the
worker. Nothing here knows about Slack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.group_commit import GroupCommit
from core.workspaces import ensure_workspace
from drafting import conversations, store
from drafting.draft import Draft
from drafting.models import DraftRequest, DraftVersion

ProgressCallback = Callable[[str], None]
RESERVE_ATTEMPTS = 10


@dataclass(frozen=True)
class DraftSummary:
    kind: str
    subject: str
    version: int
    final: bool
    created_at: datetime
    channel_id: str | None
    message_ts: str | None


@dataclass(frozen=True)
class PostedVersion:
    version_id: int
    version: int
    draft: Draft
    final: bool


class DraftDesk:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        group_commit: GroupCommit | None = None,
    ) -> None:
        self._sessions = sessions
        self._group_commit = group_commit

    # requests -------------------------------------------------------------------------------
    def take_request(
        self,
        *,
        workspace_id: str,
        channel_id: str,
        user_id: str | None,
        kind: str,
        subject: str | None,
        lens: str | None = None,
        text: str = "",
        thread_ts: str | None = None,
    ) -> int:
        """Stores what was asked before any work starts, so a failure never loses it."""

        def store_request(session: Session) -> int:
            ensure_workspace(session=session, workspace_id=workspace_id)
            request = conversations.create_request(
                session=session,
                workspace_id=workspace_id,
                channel_id=channel_id,
                user_id=user_id,
                kind=kind,
                subject=subject,
                lens=lens,
                text=text,
                thread_ts=thread_ts,
            )
            return request.id

        if self._group_commit is not None:
            return self._group_commit.run(store_request)
        with session_scope(self._sessions) as session:
            return store_request(session)

    def request(self, *, workspace_id: str, request_id: int) -> DraftRequest | None:
        with session_scope(self._sessions) as session:
            return conversations.get_request(
                session=session, workspace_id=workspace_id, request_id=request_id
            )

    def fail(self, *, request_id: int, reason: str) -> None:
        with session_scope(self._sessions) as session:
            conversations.finish_request(session=session, request_id=request_id, error=reason)

    # versions ---------------------------------------------------------------------------------
    def record_posted(
        self,
        *,
        workspace_id: str,
        channel_id: str,
        thread_ts: str,
        message_ts: str,
        draft: Draft,
        created_by: str | None,
        request_id: int | None = None,
    ) -> PostedVersion:
        """Saves a new version of the draft whose thread starts at `thread_ts`."""
        with session_scope(self._sessions) as session:
            row = _save_next(
                session, workspace_id, channel_id, thread_ts, draft, created_by, message_ts
            )
            if request_id is not None:
                conversations.finish_request(
                    session=session, request_id=request_id, result_ts=message_ts
                )
            return PostedVersion(row.id, row.version, draft, row.is_final)

    def reserve_version(
        self,
        *,
        workspace_id: str,
        channel_id: str,
        thread_ts: str,
        draft: Draft,
        created_by: str | None,
    ) -> PostedVersion:
        """Saves the next version of a thread's draft before it is posted (see attach_message).

        Two concurrent revisions race for the same number; the loser takes the next one.
        """
        for attempt in range(RESERVE_ATTEMPTS):
            try:
                with session_scope(self._sessions) as session:
                    row = _save_next(
                        session, workspace_id, channel_id, thread_ts, draft, created_by, None
                    )
                    return PostedVersion(row.id, row.version, draft, row.is_final)
            except IntegrityError:
                if attempt + 1 == RESERVE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def attach_message(self, *, version_id: int, message_ts: str) -> None:
        with session_scope(self._sessions) as session:
            store.set_message_ts(session=session, version_id=version_id, message_ts=message_ts)

    def discard_version(self, *, version_id: int) -> None:
        """A reserved version whose message never reached Slack."""
        with session_scope(self._sessions) as session:
            session.execute(delete(DraftVersion).where(DraftVersion.id == version_id))

    def current(
        self, *, workspace_id: str, channel_id: str, thread_ts: str
    ) -> PostedVersion | None:
        with session_scope(self._sessions) as session:
            row = _latest(session, workspace_id, channel_id, thread_ts)
            if row is None:
                return None
            return PostedVersion(row.id, row.version, row.draft(), row.is_final)

    def latest_in_channel(
        self, *, workspace_id: str, channel_id: str, kind: str
    ) -> tuple[str, PostedVersion] | None:
        """(thread ts, its latest version) of the `kind` draft most recently revised in a
        channel: what `/okr adopt` adopts."""
        with session_scope(self._sessions) as session:
            newest = store.latest_of_kind(
                session=session, workspace_id=workspace_id, channel_id=channel_id, kind=kind
            )
            if newest is None or newest.thread_ts is None:
                return None
            row = _latest(session, workspace_id, channel_id, newest.thread_ts) or newest
            return newest.thread_ts, PostedVersion(row.id, row.version, row.draft(), row.is_final)

    def board_ts(self, *, workspace_id: str, channel_id: str, thread_ts: str) -> str | None:
        """The message that shows the latest version: where version 1 was posted."""
        with session_scope(self._sessions) as session:
            row = _latest(session, workspace_id, channel_id, thread_ts)
            if row is None:
                return None
            first = store.get_version(session=session, draft_id=row.draft_id, version=1)
            return first.message_ts if first else None

    def mark_final(
        self, *, workspace_id: str, channel_id: str, thread_ts: str
    ) -> PostedVersion | None:
        with session_scope(self._sessions) as session:
            row = _latest(session, workspace_id, channel_id, thread_ts)
            if row is None:
                return None
            final = store.mark_final(
                session=session, draft_id=row.draft_id, workspace_id=workspace_id
            )
            if final is None:
                return None
            return PostedVersion(final.id, final.version, final.draft(), True)

    def recent(self, *, workspace_id: str, limit: int = 8) -> list[DraftSummary]:
        with session_scope(self._sessions) as session:
            return [
                DraftSummary(
                    kind=row.kind,
                    subject=row.subject,
                    version=row.version,
                    final=row.is_final,
                    created_at=row.created_at,
                    channel_id=row.channel_id,
                    message_ts=row.message_ts,
                )
                for row in store.recent_drafts(
                    session=session, workspace_id=workspace_id, limit=limit
                )
            ]

    # conversation -----------------------------------------------------------------------------
    def remember(
        self,
        *,
        workspace_id: str,
        channel_id: str,
        thread_ts: str,
        ts: str,
        user_id: str | None,
        role: str,
        text: str,
    ) -> bool:
        with session_scope(self._sessions) as session:
            return conversations.add_thread_message(
                session=session,
                workspace_id=workspace_id,
                channel_id=channel_id,
                thread_ts=thread_ts,
                ts=ts,
                user_id=user_id,
                role=role,
                text=text,
            )

    def transcript(self, *, workspace_id: str, channel_id: str, thread_ts: str) -> list[str]:
        """The thread's earlier messages, "role: text", oldest first (revisions read it)."""
        with session_scope(self._sessions) as session:
            return [
                f"{m.role}: {m.text}"
                for m in conversations.thread_transcript(
                    session=session,
                    workspace_id=workspace_id,
                    channel_id=channel_id,
                    thread_ts=thread_ts,
                )
            ]

    def feedback(
        self, *, workspace_id: str, channel_id: str, message_ts: str, user_id: str, rating: int
    ) -> tuple[int, int]:
        with session_scope(self._sessions) as session:
            conversations.record_feedback(
                session=session,
                workspace_id=workspace_id,
                channel_id=channel_id,
                message_ts=message_ts,
                user_id=user_id,
                rating=rating,
            )
        with session_scope(self._sessions) as session:
            return conversations.feedback_totals(
                session=session,
                workspace_id=workspace_id,
                channel_id=channel_id,
                message_ts=message_ts,
            )


def _latest(
    session: Session, workspace_id: str, channel_id: str, thread_ts: str
) -> DraftVersion | None:
    return store.latest_version(
        session=session, workspace_id=workspace_id, channel_id=channel_id, thread_ts=thread_ts
    )


def _save_next(
    session: Session,
    workspace_id: str,
    channel_id: str,
    thread_ts: str,
    draft: Draft,
    created_by: str | None,
    message_ts: str | None,
) -> DraftVersion:
    """The thread's next version (version 1 of a new draft when the thread has none)."""
    current = _latest(session, workspace_id, channel_id, thread_ts)
    return store.save_version(
        session=session,
        workspace_id=workspace_id,
        draft=draft,
        draft_id=current.draft_id if current else None,
        channel_id=channel_id,
        thread_ts=thread_ts,
        message_ts=message_ts,
        created_by=created_by,
    )

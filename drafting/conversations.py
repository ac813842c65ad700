"""What people asked for and said in drafting threads, stored before any work starts.

Requests are saved the moment they arrive so a failure after the ack never loses what someone
wrote, and thread transcripts are kept here so revisions never re-read Slack history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base
from core.db import insert_ignore


class DraftRequest(Base):
    __tablename__ = "draft_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # swot | okr | revise | regenerate
    subject: Mapped[str | None] = mapped_column(String(255))
    lens: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|failed
    error: Mapped[str | None] = mapped_column(Text)
    result_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class ThreadMessage(Base):
    __tablename__ = "thread_messages"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32), index=True)
    ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(8))  # user | bot
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DraftFeedback(Base):
    __tablename__ = "draft_feedback"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", "message_ts", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    rating: Mapped[int] = mapped_column(Integer)  # +1 or -1
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


def create_request(
    *,
    session: Session,
    workspace_id: str,
    channel_id: str,
    user_id: str | None,
    kind: str,
    subject: str | None = None,
    lens: str | None = None,
    text: str = "",
    thread_ts: str | None = None,
) -> DraftRequest:
    request = DraftRequest(
        workspace_id=workspace_id,
        channel_id=channel_id,
        user_id=user_id,
        kind=kind,
        subject=subject,
        lens=lens,
        text=text,
        thread_ts=thread_ts,
    )
    session.add(request)
    session.flush()
    return request


def get_request(*, session: Session, workspace_id: str, request_id: int) -> DraftRequest | None:
    request = session.get(DraftRequest, request_id)
    return request if request is not None and request.workspace_id == workspace_id else None


def finish_request(
    *, session: Session, request_id: int, result_ts: str | None = None, error: str | None = None
) -> None:
    request = session.get(DraftRequest, request_id)
    if request is None:
        return
    request.status = "failed" if error else "done"
    request.error = error
    request.result_ts = result_ts


def pending_requests(*, session: Session, workspace_id: str | None = None) -> list[DraftRequest]:
    stmt = select(DraftRequest).where(DraftRequest.status == "pending")
    if workspace_id is not None:
        stmt = stmt.where(DraftRequest.workspace_id == workspace_id)
    return list(session.scalars(stmt.order_by(DraftRequest.id)))


def claim_stale_requests(
    *, session: Session, older_than: datetime, reason: str
) -> list[DraftRequest]:
    """Marks requests a dead process left pending as failed; each is claimed by one replica only."""
    stale = session.scalars(
        select(DraftRequest.id).where(
            DraftRequest.status == "pending", DraftRequest.created_at < older_than
        )
    ).all()
    claimed = []
    for request_id in stale:
        won = session.scalar(
            update(DraftRequest)
            .where(DraftRequest.id == request_id, DraftRequest.status == "pending")
            .values(status="failed", error=reason)
            .returning(DraftRequest.id)
        )
        if won is not None:
            request = session.get(DraftRequest, request_id)
            if request is not None:
                claimed.append(request)
    return claimed


def add_thread_message(
    *,
    session: Session,
    workspace_id: str,
    channel_id: str,
    thread_ts: str,
    ts: str,
    user_id: str | None,
    role: str,
    text: str,
) -> bool:
    """Stores one message of a thread; False when this ts was stored before (a redelivery)."""
    return (
        insert_ignore(
            session,
            ThreadMessage,
            {
                "workspace_id": workspace_id,
                "channel_id": channel_id,
                "thread_ts": thread_ts,
                "ts": ts,
                "user_id": user_id,
                "role": role,
                "text": text,
            },
            ["workspace_id", "channel_id", "ts"],
        )
        > 0
    )


def thread_transcript(
    *, session: Session, workspace_id: str, channel_id: str, thread_ts: str
) -> list[ThreadMessage]:
    stmt = (
        select(ThreadMessage)
        .where(
            ThreadMessage.workspace_id == workspace_id,
            ThreadMessage.channel_id == channel_id,
            ThreadMessage.thread_ts == thread_ts,
        )
        .order_by(ThreadMessage.ts)
    )
    return list(session.scalars(stmt))


def record_feedback(
    *,
    session: Session,
    workspace_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    rating: int,
) -> None:
    """One vote per person per draft message; voting again changes it."""
    existing = session.scalar(
        select(DraftFeedback).where(
            DraftFeedback.workspace_id == workspace_id,
            DraftFeedback.channel_id == channel_id,
            DraftFeedback.message_ts == message_ts,
            DraftFeedback.user_id == user_id,
        )
    )
    if existing is not None:
        existing.rating = rating
        return
    session.add(
        DraftFeedback(
            workspace_id=workspace_id,
            channel_id=channel_id,
            message_ts=message_ts,
            user_id=user_id,
            rating=rating,
        )
    )


def feedback_totals(
    *, session: Session, workspace_id: str, channel_id: str, message_ts: str
) -> tuple[int, int]:
    rows = session.scalars(
        select(DraftFeedback.rating).where(
            DraftFeedback.workspace_id == workspace_id,
            DraftFeedback.channel_id == channel_id,
            DraftFeedback.message_ts == message_ts,
        )
    ).all()
    return sum(1 for r in rows if r > 0), sum(1 for r in rows if r < 0)

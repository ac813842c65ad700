"""Saving and finding draft versions; functions take the session as a keyword argument."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from drafting.draft import Draft
from drafting.models import DraftVersion


def subject_key(subject: str) -> str:
    return " ".join(subject.lower().split())[:255]


def save_version(
    *,
    session: Session,
    workspace_id: str,
    draft: Draft,
    draft_id: str | None = None,
    channel_id: str | None = None,
    thread_ts: str | None = None,
    message_ts: str | None = None,
    created_by: str | None = None,
) -> DraftVersion:
    """A new version of `draft_id` (or version 1 of a new draft when it is None)."""
    if draft_id is None:
        draft_id = uuid.uuid4().hex
        version = 1
    else:
        latest = session.scalar(
            select(func.max(DraftVersion.version)).where(DraftVersion.draft_id == draft_id)
        )
        version = (latest or 0) + 1
    record = DraftVersion(
        draft_id=draft_id,
        version=version,
        workspace_id=workspace_id,
        channel_id=channel_id,
        thread_ts=thread_ts,
        message_ts=message_ts,
        kind=draft.kind,
        subject=draft.subject[:255],
        subject_key=subject_key(draft.subject),
        content=draft.model_dump(mode="json"),
        is_final=False,
        created_by=created_by,
    )
    session.add(record)
    session.flush()
    return record


def set_message_ts(*, session: Session, version_id: int, message_ts: str) -> None:
    """Record the Slack message a version was posted as, once Slack has answered."""
    session.execute(
        update(DraftVersion).where(DraftVersion.id == version_id).values(message_ts=message_ts)
    )


def get_version(
    *, session: Session, draft_id: str, version: int | None = None
) -> DraftVersion | None:
    """One version of a draft; its newest when `version` is None."""
    query = select(DraftVersion).where(DraftVersion.draft_id == draft_id)
    if version is not None:
        query = query.where(DraftVersion.version == version)
    return session.scalar(query.order_by(DraftVersion.version.desc()).limit(1))


def latest_of_kind(
    *, session: Session, workspace_id: str, channel_id: str, kind: str
) -> DraftVersion | None:
    """The newest version of any `kind` draft posted in a channel (by insertion order)."""
    return session.scalars(
        select(DraftVersion)
        .where(
            DraftVersion.workspace_id == workspace_id,
            DraftVersion.channel_id == channel_id,
            DraftVersion.kind == kind,
            DraftVersion.thread_ts.is_not(None),
        )
        .order_by(DraftVersion.id.desc())
        .limit(1)
    ).first()


def latest_version(
    *, session: Session, workspace_id: str, channel_id: str | None, thread_ts: str | None
) -> DraftVersion | None:
    """The newest version posted in a thread (or, with no thread, in the channel itself)."""
    query = select(DraftVersion).where(DraftVersion.workspace_id == workspace_id)
    query = query.where(
        DraftVersion.channel_id.is_(None)
        if channel_id is None
        else DraftVersion.channel_id == channel_id
    )
    query = query.where(
        DraftVersion.thread_ts.is_(None)
        if thread_ts is None
        else DraftVersion.thread_ts == thread_ts
    )
    # By id, the order rows were inserted: a version is inserted only once the one before it
    # is committed. created_at is the inserting transaction's start (Postgres now()), which
    # concurrent revisions can reorder.
    return session.scalar(query.order_by(DraftVersion.id.desc()).limit(1))


def find_by_message(
    *, session: Session, workspace_id: str, channel_id: str, message_ts: str
) -> DraftVersion | None:
    return session.scalar(
        select(DraftVersion)
        .where(
            DraftVersion.workspace_id == workspace_id,
            DraftVersion.channel_id == channel_id,
            DraftVersion.message_ts == message_ts,
        )
        .order_by(DraftVersion.id.desc())
        .limit(1)
    )


def mark_final(
    *, session: Session, draft_id: str, version: int | None = None, workspace_id: str | None = None
) -> DraftVersion | None:
    """Mark one version final (the newest by default); other versions of that draft stop being final."""
    record = get_version(session=session, draft_id=draft_id, version=version)
    if record is None or (workspace_id is not None and record.workspace_id != workspace_id):
        return None
    session.execute(
        update(DraftVersion)
        .where(DraftVersion.draft_id == draft_id, DraftVersion.id != record.id)
        .values(is_final=False)
    )
    record.is_final = True
    session.flush()
    return record


def latest_final_swot(
    *, session: Session, workspace_id: str, subject: str, lens: str | None = None
) -> DraftVersion | None:
    """The SWOT a plan for `subject` should build on.

    A lens never carries over unasked: a SWOT with the same lens as the plan (none for a plan
    without one) is preferred, and one with another lens is used only when no other SWOT of
    the subject was saved (the plan then says so). Within that, the newest version marked final
    wins, else the newest version, because a team that drafted a SWOT and then asks for a plan
    expects the two to connect. Subjects and lenses match case- and space-insensitively.
    """
    base = select(DraftVersion).where(
        DraftVersion.workspace_id == workspace_id,
        DraftVersion.kind == "swot",
        DraftVersion.subject_key == subject_key(subject),
    )
    newest = (DraftVersion.created_at.desc(), DraftVersion.id.desc())
    # The lens lives in the stored draft, not in a column; a subject has few SWOTs.
    records = list(session.scalars(base.order_by(*newest).limit(500)))
    wanted = subject_key(lens or "")
    same_lens = [r for r in records if subject_key(str(r.content.get("lens") or "")) == wanted]
    for group in (same_lens, records):
        chosen = next((r for r in group if r.is_final), None) or next(iter(group), None)
        if chosen is not None:
            return chosen
    return None


def recent_drafts(*, session: Session, workspace_id: str, limit: int = 10) -> list[DraftVersion]:
    """The newest version of each of the workspace's most recent drafts."""
    newest = (
        select(DraftVersion.draft_id, func.max(DraftVersion.version).label("version"))
        .where(DraftVersion.workspace_id == workspace_id)
        .group_by(DraftVersion.draft_id)
        .subquery()
    )
    query = (
        select(DraftVersion)
        .join(
            newest,
            (DraftVersion.draft_id == newest.c.draft_id)
            & (DraftVersion.version == newest.c.version),
        )
        .order_by(DraftVersion.created_at.desc(), DraftVersion.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))

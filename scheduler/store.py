"""Data functions for retro rows: small keyword-only queries the service composes into units."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.clock import as_utc
from scheduler.models import ActionItem, Retro, RetroEntryRow, RetroSeries
from scheduler.ports import ActionItemInfo, RetroInfo, ScheduleInfo
from scheduler.when import ScheduleSpec


def retro_info(row: Retro, carried: list[ActionItemInfo] | None = None) -> RetroInfo:
    return RetroInfo(
        id=row.id,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        series_id=row.series_id,
        title=row.title,
        opened_by=row.opened_by,
        opened_at=as_utc(row.opened_at),
        closes_at=as_utc(row.closes_at),
        nudge_at=as_utc(row.nudge_at) if row.nudge_at else None,
        closed_at=as_utc(row.closed_at) if row.closed_at else None,
        close_reason=row.close_reason,
        status="open" if row.status == "open" else "closed",
        prompt_ts=row.prompt_ts,
        late_by_seconds=row.late_by_seconds,
        occurrence_at=as_utc(row.occurrence_at) if row.occurrence_at else None,
        carried_actions=carried or [],
    )


def action_info(row: ActionItem) -> ActionItemInfo:
    return ActionItemInfo(
        id=row.id,
        workspace_id=row.workspace_id,
        retro_id=row.retro_id,
        series_id=row.series_id,
        channel_id=row.channel_id,
        text=row.text,
        owner=row.owner,
        status="done" if row.status == "done" else "open",
    )


def spec_of(row: RetroSeries) -> ScheduleSpec:
    return ScheduleSpec(
        kind="weeks" if row.trigger_kind == "weeks" else "cron",
        expression=row.trigger_expr,
        timezone=row.timezone,
        description=row.schedule_text,
    )


def schedule_info(row: RetroSeries, *, now: datetime) -> ScheduleInfo:
    spec = spec_of(row)
    upcoming = spec.next_occurrences(3, after=now) if row.status == "active" else []
    status = row.status if row.status in ("active", "paused", "cancelled") else "cancelled"
    return ScheduleInfo(
        id=row.id,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        title=row.title,
        description=row.schedule_text,
        schedule_text=row.schedule_text,
        timezone=row.timezone,
        window=timedelta(seconds=row.window_seconds),
        nudge=timedelta(seconds=row.nudge_seconds) if row.nudge_seconds else None,
        status=status,
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        next_occurrences=upcoming,
    )


def open_action_items(
    *, session: Session, workspace_id: str, series_id: int | None, channel_id: str
) -> list[ActionItem]:
    """Open items of the series; for one-off retros, open items of one-off retros in the channel."""
    scope = (
        ActionItem.series_id == series_id
        if series_id is not None
        else (ActionItem.series_id.is_(None)) & (ActionItem.channel_id == channel_id)
    )
    rows = session.scalars(
        select(ActionItem)
        .where(ActionItem.workspace_id == workspace_id, ActionItem.status == "open", scope)
        .order_by(ActionItem.id)
    )
    return list(rows)


def open_actions_by_series(
    *, session: Session, series_ids: set[int]
) -> dict[int, list[ActionItemInfo]]:
    """Open action items for many series at once (a batch of scheduled retros opening)."""
    found: dict[int, list[ActionItemInfo]] = {}
    if not series_ids:
        return found
    rows = session.scalars(
        select(ActionItem)
        .where(ActionItem.series_id.in_(series_ids), ActionItem.status == "open")
        .order_by(ActionItem.id)
    )
    for row in rows:
        found.setdefault(row.series_id or 0, []).append(action_info(row))
    return found


def open_retro_in_channel(*, session: Session, workspace_id: str, channel_id: str) -> Retro | None:
    return session.scalar(
        select(Retro)
        .where(
            Retro.workspace_id == workspace_id,
            Retro.channel_id == channel_id,
            Retro.status == "open",
        )
        .order_by(Retro.id.desc())
        .limit(1)
    )


def claim_close(
    *, session: Session, retro_id: int, reason: str, now: datetime, workspace_id: str | None
) -> bool:
    """Flip open -> closed in one statement, so concurrent closers agree on a single winner."""
    stmt = (
        update(Retro)
        .where(Retro.id == retro_id, Retro.status == "open")
        # "closing" until the synthesis and action items are stored (see finish_close).
        .values(status="closing", closed_at=now, close_reason=reason)
    )
    if workspace_id is not None:
        stmt = stmt.where(Retro.workspace_id == workspace_id)
    result = session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


def claim_stuck_closes(*, session: Session, older_than: datetime, now: datetime) -> list[int]:
    """Retros a dead process left half-closed; each is claimed by one process only."""
    stuck = session.scalars(
        select(Retro.id).where(Retro.status == "closing", Retro.closed_at < older_than)
    ).all()
    claimed = []
    for retro_id in stuck:
        won = session.scalar(
            update(Retro)
            .where(Retro.id == retro_id, Retro.status == "closing", Retro.closed_at < older_than)
            .values(closed_at=now)
            .returning(Retro.id)
        )
        if won is not None:
            claimed.append(int(won))
    return claimed


def finish_close(*, session: Session, retro_id: int) -> bool:
    """closing -> closed; False when another process finished this close first."""
    won = session.scalar(
        update(Retro)
        .where(Retro.id == retro_id, Retro.status == "closing")
        .values(status="closed")
        .returning(Retro.id)
    )
    return won is not None


def claim_nudge(*, session: Session, retro_id: int, now: datetime) -> bool:
    result = session.execute(
        update(Retro)
        .where(Retro.id == retro_id, Retro.status == "open", Retro.nudged_at.is_(None))
        .values(nudged_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def contributors(*, session: Session, retro_id: int) -> set[str]:
    authors = session.scalars(
        select(RetroEntryRow.author)
        .where(RetroEntryRow.retro_id == retro_id, RetroEntryRow.author.is_not(None))
        .distinct()
    )
    return {a for a in authors if a}


def entry_count(*, session: Session, retro_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RetroEntryRow)
            .where(RetroEntryRow.retro_id == retro_id)
        )
        or 0
    )


def open_retro_deadlines(
    *, session: Session
) -> tuple[list[tuple[int, datetime]], list[tuple[int, datetime]]]:
    """Open retros' (id, closes_at) and their pending (id, nudge_at), for the engine's jobs."""
    closes: list[tuple[int, datetime]] = []
    nudges: list[tuple[int, datetime]] = []
    rows = session.execute(
        select(Retro.id, Retro.closes_at, Retro.nudge_at, Retro.nudged_at).where(
            Retro.status == "open"
        )
    )
    for rid, closes_at, nudge_at, nudged_at in rows:
        closes.append((rid, as_utc(closes_at)))
        if nudge_at is not None and nudged_at is None:
            nudges.append((rid, as_utc(nudge_at)))
    return closes, nudges

"""Exactly-once claims for scheduled occurrences of any kind, with a finish mark for recovery.

A claim row is written before the work (prompt, DMs) is done and finished after it; a claim
still unfinished after a while belonged to a leader that died mid-way, and `unfinished` hands
it to the next one. The work itself must then tolerate being resumed (each kind's own per-item
claims make that so, e.g. one DM per owner per round).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import insert_ignore
from scheduler.models import OccurrenceClaim


def claim_occurrence(
    session: Session, *, kind: str, key: int, occurrence_at: datetime, now: datetime
) -> bool:
    """True for the one caller that claims (kind, key, occurrence); False for every repeat."""
    rows = insert_ignore(
        session,
        OccurrenceClaim,
        {"kind": kind, "series_key": key, "occurrence_at": occurrence_at, "claimed_at": now},
        ["kind", "series_key", "occurrence_at"],
    )
    return bool(rows)


def finish_occurrence(
    session: Session,
    *,
    kind: str,
    key: int,
    occurrence_at: datetime,
    now: datetime,
    result_id: int | None = None,
) -> None:
    session.execute(
        update(OccurrenceClaim)
        .where(
            OccurrenceClaim.kind == kind,
            OccurrenceClaim.series_key == key,
            OccurrenceClaim.occurrence_at == occurrence_at,
        )
        .values(finished_at=now, result_id=result_id)
    )


def unfinished(
    session: Session, *, kind: str, claimed_before: datetime
) -> list[tuple[int, datetime]]:
    """(key, occurrence) of claims taken before `claimed_before` and never finished."""
    rows = session.execute(
        select(OccurrenceClaim.series_key, OccurrenceClaim.occurrence_at).where(
            OccurrenceClaim.kind == kind,
            OccurrenceClaim.finished_at.is_(None),
            OccurrenceClaim.claimed_at < claimed_before,
        )
    )
    return [(key, at) for key, at in rows]

"""Exactly-once claims for scheduled occurrences of any kind, with a finish mark for recovery.

A claim row is written before the work (prompt, DMs) is done and finished after it; a claim
still unfinished after a while belonged to a leader that died mid-way, and `unfinished` hands
it to the next one. The work itself must then tolerate being resumed (each kind's own per-item
claims make that so, e.g. one DM per owner per round).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.db import insert_ignore
from scheduler.models import OccurrenceClaim


@dataclass(frozen=True)
class TakenClaim:
    """An unfinished claim a recovering leader took over: what to resume."""

    key: int
    occurrence_at: datetime
    result_id: int | None


def claim_occurrence(
    session: Session,
    *,
    kind: str,
    key: int,
    occurrence_at: datetime,
    now: datetime,
    workspace_id: str | None = None,
) -> bool:
    """True for the one caller that claims (kind, key, occurrence); False for every repeat.

    `workspace_id` lets /align forget clear the workspace's claims with its other rows.
    """
    rows = insert_ignore(
        session,
        OccurrenceClaim,
        {
            "kind": kind,
            "series_key": key,
            "occurrence_at": occurrence_at,
            "claimed_at": now,
            "workspace_id": workspace_id,
        },
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


def record_results(
    session: Session, *, kind: str, results: Sequence[tuple[int, datetime, int | None]]
) -> None:
    """Name what each (key, occurrence) claim made, leaving it unfinished (work still to do)."""
    _update_many(session, kind, results, {})


def finish_occurrences(
    session: Session,
    *,
    kind: str,
    finished: Sequence[tuple[int, datetime, int | None]],
    now: datetime,
) -> None:
    """Finish many (key, occurrence, result_id) claims with one executemany (a batch of fires)."""
    _update_many(session, kind, finished, {"finished_at": now})


def _update_many(
    session: Session,
    kind: str,
    rows: Sequence[tuple[int, datetime, int | None]],
    values: dict[str, Any],
) -> None:
    if not rows:
        return
    table = OccurrenceClaim.__table__
    session.connection().execute(
        update(table)  # type: ignore[arg-type]
        .where(
            table.c.kind == kind,
            table.c.series_key == bindparam("key"),
            table.c.occurrence_at == bindparam("at"),
        )
        .values(result_id=bindparam("result"), **values),
        [{"key": key, "at": at, "result": result} for key, at, result in rows],
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


def take_over_unfinished(
    session: Session,
    *,
    kind: str,
    claimed_before: datetime,
    now: datetime,
    skip: Container[tuple[int, datetime]] = (),
) -> list[TakenClaim]:
    """Unfinished claims taken before `claimed_before`, each re-stamped `claimed_at=now` by a
    conditional UPDATE so that of two leaders recovering at once only one resumes it (and if
    this one dies too, the next finds it again a grace period later).

    `skip` holds (key, occurrence) pairs this process is still working on itself.
    """
    taken = []
    for key, at, result_id in session.execute(
        select(
            OccurrenceClaim.series_key, OccurrenceClaim.occurrence_at, OccurrenceClaim.result_id
        ).where(
            OccurrenceClaim.kind == kind,
            OccurrenceClaim.finished_at.is_(None),
            OccurrenceClaim.claimed_at < claimed_before,
        )
    ).all():
        if (key, as_utc(at)) in skip:
            continue
        won = session.scalar(
            update(OccurrenceClaim)
            .where(
                OccurrenceClaim.kind == kind,
                OccurrenceClaim.series_key == key,
                OccurrenceClaim.occurrence_at == at,
                OccurrenceClaim.finished_at.is_(None),
                OccurrenceClaim.claimed_at < claimed_before,
            )
            .values(claimed_at=now)
            .returning(OccurrenceClaim.series_key)
        )
        if won is not None:
            taken.append(TakenClaim(key, as_utc(at), result_id))
    return taken

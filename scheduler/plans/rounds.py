"""Check-in rounds opened in batches: many plans due in the same minute cost a few transactions.

A fire used to claim its occurrence, open its round, build the whole plan view to find its
owners, claim and send each DM and mark it sent, one plan at a time and one transaction per
step: about 25 ms of Python per plan, so 2,000 plans due at 10:00 drained at 40 a second. Here
one writer thread takes every fire queued at once and, in one transaction, claims their
occurrences, opens their rounds, reads owners and key results set-based (`dm_views`) and claims
each (round, owner) DM. The engine's fire job returns once that is committed; the DMs go out on
a bounded pool (Slack's rate limits are the client's retry handlers' business), and the writer
marks them sent and finishes the rounds' claims in batches.

Exactly once: a DM is claimed before it is sent and marked sent after, as before. A round whose
DMs partly failed is left unfinished, so `recover` retries the failed DMs once; rounds still in
flight here are never resumed by this process's own recovery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.clock import as_utc
from core.db import Base
from scheduler.models import OccurrenceClaim
from scheduler.occurrences import finish_occurrences, record_results
from scheduler.plans.models import OkrPlan, OkrRound, OkrRoundNotice
from scheduler.plans.reading import dm_views
from scheduler.plans.views import KeyResultView, PlanView

log = logging.getLogger(__name__)

KIND = "okr"
ROWS_PER_INSERT = 500
Occurrence = tuple[int, datetime]  # (plan id, occurrence)
_T = TypeVar("_T")


@dataclass
class OpenedRound:
    """A round this process opened, with the DMs it claimed: owner -> their key results."""

    plan_id: int
    occurrence_at: datetime
    round_id: int
    view: PlanView
    dms: dict[str, list[KeyResultView]]


def open_rounds(session: Session, fires: Iterable[Occurrence], now: datetime) -> list[OpenedRound]:
    """Claim each (plan, occurrence), open the round of each one won whose plan is active and
    inside its period, and claim one DM per owner of each: the caller's one transaction.

    Returns the rounds opened (repeats and claims lost to another replica are left out); a
    claim that opens no round, or a round with no owner to DM, is finished here."""
    wanted = sorted({(key, as_utc(at)) for key, at in fires})
    plans = {
        plan.id: plan
        for plan in session.scalars(
            select(OkrPlan).where(OkrPlan.id.in_({key for key, _ in wanted}))
        )
    }
    won = _claim(session, wanted, plans, now)
    due = [(plans[key], at) for key, at in won if key in plans and _due(plans[key], at)]
    idle: list[tuple[int, datetime, int | None]] = [
        (key, at, None) for key, at in won if key not in plans or not _due(plans[key], at)
    ]
    round_ids = _insert_rounds(session, due, now)
    record_results(
        session,
        kind=KIND,
        results=[(p.id, at, rid) for (p, at), rid in zip(due, round_ids, strict=True)],
    )
    views = dm_views(session, [plan for plan, _ in due], now=now)
    opened = [
        OpenedRound(plan.id, at, round_id, views[plan.id], owners_of(views[plan.id]))
        for (plan, at), round_id in zip(due, round_ids, strict=True)
    ]
    claimed = claim_dms(
        session,
        [(r.round_id, owner, r.view.workspace_id) for r in opened for owner in r.dms],
        kind="dm",
        now=now,
    )
    for item in opened:
        item.dms = {o: krs for o, krs in item.dms.items() if (item.round_id, o) in claimed}
    idle += [(r.plan_id, r.occurrence_at, r.round_id) for r in opened if not r.dms]
    finish_occurrences(session, kind=KIND, finished=idle, now=now)
    return [r for r in opened if r.dms]


def owners_of(view: PlanView) -> dict[str, list[KeyResultView]]:
    """Each owner's key results, in the plan's order."""
    owners: dict[str, list[KeyResultView]] = {}
    for kr in view.key_results():
        if kr.owner:
            owners.setdefault(kr.owner, []).append(kr)
    return owners


def claim_dms(
    session: Session, notices: Sequence[tuple[int, str, str]], *, kind: str, now: datetime
) -> set[tuple[int, str]]:
    """Claim (round, owner, workspace) notices of `kind`; returns the (round, owner) won."""
    won: set[tuple[int, str]] = set()
    for chunk in _chunks(notices):
        rows = [
            {"round_id": r, "owner": o, "kind": kind, "workspace_id": w, "claimed_at": now}
            for r, o, w in chunk
        ]
        won.update(
            (r, o)
            for r, o in _insert_new(
                session, OkrRoundNotice, rows, ["round_id", "owner", "kind"], ["round_id", "owner"]
            )
        )
    return won


def mark_sent(
    session: Session, sent: Sequence[tuple[int, str]], *, kind: str, now: datetime
) -> None:
    """Mark many (round, owner) notices sent with one executemany."""
    if not sent:
        return
    table = OkrRoundNotice.__table__
    session.connection().execute(
        update(table)  # type: ignore[arg-type]
        .where(
            table.c.round_id == bindparam("r"),
            table.c.owner == bindparam("o"),
            table.c.kind == kind,
        )
        .values(sent_at=now),
        [{"r": round_id, "o": owner} for round_id, owner in sent],
    )


def _claim(
    session: Session, wanted: list[Occurrence], plans: dict[int, OkrPlan], now: datetime
) -> list[Occurrence]:
    won: list[Occurrence] = []
    for chunk in _chunks(wanted):
        rows = [
            {
                "kind": KIND,
                "series_key": key,
                "occurrence_at": at,
                "claimed_at": now,
                "workspace_id": plans[key].workspace_id if key in plans else None,
            }
            for key, at in chunk
        ]
        won += [
            (key, as_utc(at))
            for key, at in _insert_new(
                session,
                OccurrenceClaim,
                rows,
                ["kind", "series_key", "occurrence_at"],
                ["series_key", "occurrence_at"],
            )
        ]
    return sorted(won)


def _due(plan: OkrPlan, occurrence: datetime) -> bool:
    if plan.status != "active" or plan.checkins_paused:
        return False
    day = occurrence.astimezone(ZoneInfo(plan.timezone)).date()
    # Outside: adopted ahead of its period, or waiting for its close.
    return plan.starts <= day <= plan.ends


def _insert_rounds(
    session: Session, due: list[tuple[OkrPlan, datetime]], now: datetime
) -> list[int]:
    if not due:
        return []
    # Opened ahead of its occurrence (a series' lead), a round's reminder and digest still
    # count from the occurrence, when the DMs go out.
    rows = [
        {
            "plan_id": plan.id,
            "workspace_id": plan.workspace_id,
            "occurrence_at": at,
            "opened_at": now,
            "remind_at": max(now, at) + timedelta(seconds=plan.remind_after_seconds),
            "digest_at": max(now, at) + timedelta(seconds=plan.digest_after_seconds),
        }
        for plan, at in due
    ]
    table = OkrRound.__table__
    result = session.connection().execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),  # type: ignore[arg-type]
        rows,
    )
    return list(result.scalars())


def _insert_new(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    keys: list[str],
    returning: list[str],
) -> list[tuple[Any, ...]]:
    """`core.db.insert_ignore` as one executemany: compiled once whatever the batch's size (a
    multi-row VALUES is compiled anew for each row count, tens of ms a time)."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert_into = pg_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__
    stmt = (
        insert_into(table)  # type: ignore[arg-type]
        .on_conflict_do_nothing(index_elements=keys)
        .returning(*(table.c[name] for name in returning))
    )
    return [tuple(row) for row in session.connection().execute(stmt, list(rows))]


def _chunks(items: Sequence[_T]) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), ROWS_PER_INSERT):
        yield items[start : start + ROWS_PER_INSERT]


def round_of(session: Session, plan_id: int, occurrence_at: datetime) -> int | None:
    return session.scalar(
        select(OkrRound.id).where(
            OkrRound.plan_id == plan_id, OkrRound.occurrence_at == as_utc(occurrence_at)
        )
    )

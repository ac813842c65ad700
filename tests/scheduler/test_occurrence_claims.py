"""Occurrence claims for retros: a claim finishes only once the prompt is posted, and the next
leader resumes one a dead process left unfinished; old `schedule_fires` rows migrate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, inspect, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.clock import ManualClock, as_utc
from core.db import make_engine, session_scope
from scheduler.models import OccurrenceClaim, Retro
from scheduler.occurrences import take_over_unfinished
from scheduler.retro_service import RetroService
from tests.scheduler.helpers import add_fast_series
from tests.scheduler.notifiers import LoggingNotifier

GRACE = timedelta(minutes=2)


def claims(sessions: sessionmaker[Session], series_id: int) -> list[OccurrenceClaim]:
    with sessions() as s:
        return list(
            s.scalars(
                select(OccurrenceClaim).where(
                    OccurrenceClaim.kind == "retro", OccurrenceClaim.series_key == series_id
                )
            )
        )


def test_a_fire_finishes_its_claim_with_the_retro_it_opened(
    service: RetroService, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    series_id = add_fast_series(sessions)
    info = service.opening.fire_schedule(series_id, clock.now())
    assert info is not None and info.prompt_ts
    [claim] = claims(sessions, series_id)
    assert claim.result_id == info.id and claim.finished_at is not None
    assert claim.workspace_id == "T0ALIGN"
    assert service.opening.resume_claims(older_than=timedelta(0)) == []


def test_a_claim_whose_prompt_was_never_posted_is_posted_once_after_the_grace_period(
    service: RetroService,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    notifier: LoggingNotifier,
) -> None:
    series_id = add_fast_series(sessions)
    # A leader claims and opens the retro, then dies before posting.
    [opened] = service.opening.claim_occurrences([(series_id, clock.now())])
    assert notifier.opened == []
    [claim] = claims(sessions, series_id)
    assert claim.finished_at is None and claim.result_id == opened.id

    # Within the grace period the claim may still be a live leader's: left alone.
    assert service.opening.resume_claims(older_than=GRACE) == []
    clock.advance(GRACE + timedelta(seconds=1))
    # A claim this process is still announcing itself is skipped too.
    key = (series_id, as_utc(claim.occurrence_at))
    assert service.opening.resume_claims(older_than=GRACE, skip={key}) == []

    [resumed] = service.opening.resume_claims(older_than=GRACE)
    assert resumed.id == opened.id and resumed.prompt_ts
    assert [o.id for o in notifier.opened] == [opened.id]
    [claim] = claims(sessions, series_id)
    assert claim.finished_at is not None and claim.result_id == opened.id
    with sessions() as s:
        assert s.get(Retro, opened.id).prompt_ts == resumed.prompt_ts  # type: ignore[union-attr]
    clock.advance(GRACE * 2)
    assert service.opening.resume_claims(older_than=GRACE) == []
    assert len(notifier.opened) == 1


def test_a_claim_without_its_retro_opens_it_and_a_closed_retro_only_finishes(
    service: RetroService,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    notifier: LoggingNotifier,
) -> None:
    lost = add_fast_series(sessions, channel_id="C0LOST")
    done = add_fast_series(sessions, channel_id="C0DONE")
    at = clock.now()
    [gone, closed] = service.opening.claim_occurrences([(lost, at), (done, at)])
    with session_scope(sessions) as s:
        s.execute(delete(Retro).where(Retro.id == gone.id))
        s.execute(update(Retro).where(Retro.id == closed.id).values(status="closed"))
    clock.advance(GRACE + timedelta(seconds=1))

    [reopened] = service.opening.resume_claims(older_than=GRACE)
    assert reopened.series_id == lost and reopened.id != gone.id and reopened.prompt_ts
    assert as_utc(reopened.occurrence_at) == as_utc(at)  # type: ignore[arg-type]
    assert [o.channel_id for o in notifier.opened] == ["C0LOST"]
    [lost_claim] = claims(sessions, lost)
    [done_claim] = claims(sessions, done)
    assert lost_claim.finished_at and lost_claim.result_id == reopened.id
    assert done_claim.finished_at and done_claim.result_id == closed.id


def test_two_recovering_leaders_take_each_claim_once(
    service: RetroService, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    series_id = add_fast_series(sessions)
    service.opening.claim_occurrences([(series_id, clock.now())])
    now = clock.advance(GRACE + timedelta(seconds=1))
    with session_scope(sessions) as first, session_scope(sessions) as second:
        taken = take_over_unfinished(first, kind="retro", claimed_before=now - GRACE, now=now)
        first.commit()
        again = take_over_unfinished(second, kind="retro", claimed_before=now - GRACE, now=now)
    assert [t.key for t in taken] == [series_id] and again == []


def test_existing_schedule_fires_become_finished_claims(db_url: str) -> None:
    engine: Engine = make_engine(db_url)
    migrate.upgrade(engine, "0008_statements")
    fired = datetime(2026, 11, 6, 14, 0, 3, tzinfo=UTC)
    occurrence = datetime(2026, 11, 6, 14, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO retro_series (id, workspace_id, channel_id, title, trigger_kind,"
                " trigger_expr, schedule_text, timezone, window_seconds, status, created_by)"
                " VALUES (7, 'T0ALIGN', 'C0TEAM', 'Weekly', 'cron', '{}', 'weekly', 'UTC',"
                " 3600, 'active', 'U0LEAD')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO retros (id, workspace_id, channel_id, series_id, title, closes_at,"
                " status, occurrence_at) VALUES (70, 'T0ALIGN', 'C0TEAM', 7, 'Weekly', :c,"
                " 'closed', :o)"
            ),
            {"c": occurrence + timedelta(hours=1), "o": occurrence},
        )
        conn.execute(
            text(
                "INSERT INTO schedule_fires (schedule_id, occurrence_at, fired_at, retro_id)"
                " VALUES (7, :o, :f, 70)"
            ),
            {"o": occurrence, "f": fired},
        )
    migrate.upgrade(engine)
    assert "schedule_fires" not in inspect(engine).get_table_names()
    with Session(engine) as s:
        [claim] = s.scalars(select(OccurrenceClaim)).all()
    assert (claim.kind, claim.series_key, claim.result_id) == ("retro", 7, 70)
    assert as_utc(claim.occurrence_at) == occurrence
    assert claim.finished_at is not None and claim.workspace_id == "T0ALIGN"

    migrate.downgrade(engine, "0008_statements")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT schedule_id, retro_id FROM schedule_fires")).all()
    assert [tuple(r) for r in rows] == [(7, 70)]
    engine.dispose()

"""/align forget deletes a workspace's plans, check-ins, edits, rounds and their occurrence
claims, and leaves another workspace's alone; an uninstall pauses check-ins and keeps the data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from langchain_core.embeddings import FakeEmbeddings
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import ManualClock
from core.db import session_scope
from handlers.forget import forget_workspace
from knowledge.chroma_client import make_chroma_client
from knowledge.service import KnowledgeBase
from knowledge.settings import KnowledgeSettings
from scheduler.models import OccurrenceClaim, RetroSeries
from scheduler.occurrences import claim_occurrence
from scheduler.plans import models
from scheduler.plans.changes import KrChanges
from scheduler.plans.recurring import PlanCheckins
from scheduler.plans.service import PlanService
from scheduler.retro_opening import RETRO_KIND, RetroOpening
from tests.plans.conftest import ANA, LEAD, OTHER_WS, WS
from tests.plans.recording import RecordingNotifier
from tests.plans.test_recurring import FIRST_ROUND
from tests.plans.test_service import activate, adopt
from tests.scheduler.notifiers import LoggingNotifier

TABLES = (
    models.OkrPlan,
    models.OkrObjective,
    models.OkrKeyResult,
    models.OkrCheckIn,
    models.OkrEdit,
    models.OkrRound,
    models.OkrRoundNotice,
)


def counts(sessions: sessionmaker[Session], workspace: str) -> dict[str, int]:
    with sessions() as session:
        found = {
            t.__tablename__: session.scalar(
                select(func.count()).select_from(t).where(t.workspace_id == workspace)
            )
            or 0
            for t in TABLES
        }
        plans = select(models.OkrPlan.id).where(models.OkrPlan.workspace_id == workspace)
        found["occurrence_claims"] = (
            session.scalar(
                select(func.count())
                .select_from(OccurrenceClaim)
                .where(OccurrenceClaim.series_key.in_(plans))
            )
            or 0
        )
        return found


def fill(service: PlanService, checkins: PlanCheckins, clock: ManualClock, workspace: str) -> None:
    """An active plan with a round, its DMs, a check-in and edits in `workspace`."""
    clock.set(FIRST_ROUND - timedelta(days=40))
    plan = adopt(service, workspace_id=workspace)
    churn = service.kr_by_ref(workspace_id=workspace, plan_id=plan.id, ref="2.1")
    service.setup(
        workspace_id=workspace,
        plan_id=plan.id,
        actor=LEAD,
        changes={churn.id: KrChanges(target="4%")},
    )
    clock.set(FIRST_ROUND)
    checkins.fire(plan.id, FIRST_ROUND)
    uptime = plan.key_results()[0]
    service.check_in(
        workspace_id=workspace, kr_id=uptime.id, author=LEAD, value_text="98%", note="ok"
    )


def fake_kb(sessions: sessionmaker[Session], tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(
        sessions=sessions,
        chroma=make_chroma_client(path=tmp_path / "chroma"),
        embeddings=FakeEmbeddings(size=384),
        model_id="fake",
        settings=KnowledgeSettings(),
    )


def test_forget_deletes_every_plan_table_of_the_workspace_only(
    db: Engine,
    plan_sessions: sessionmaker[Session],
    service: PlanService,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    opening = RetroOpening(sessions=plan_sessions, clock=clock, notifier=LoggingNotifier())
    checkins = PlanCheckins(
        sessions=plan_sessions, clock=clock, notifier=RecordingNotifier(), retro_opening=opening
    )
    fill(service, checkins, clock, WS)
    fill(service, checkins, clock, OTHER_WS)
    before, other = counts(plan_sessions, WS), counts(plan_sessions, OTHER_WS)
    assert all(before.values()), before
    kb = fake_kb(plan_sessions, tmp_path)
    report = forget_workspace(engine=db, sessions=plan_sessions, kb=kb, workspace_id=WS)
    assert report.rows["okr_checkins"] == before["okr_checkins"]
    assert report.rows["occurrence_claims"] == before["occurrence_claims"]
    assert set(counts(plan_sessions, WS).values()) == {0}
    assert counts(plan_sessions, OTHER_WS) == other


def test_an_uninstall_pauses_check_ins_and_a_new_schedule_resumes_them(
    plan_sessions: sessionmaker[Session], service: PlanService, clock: ManualClock
) -> None:
    plan = activate(service)
    opening = RetroOpening(sessions=plan_sessions, clock=clock, notifier=LoggingNotifier())
    checkins = PlanCheckins(
        sessions=plan_sessions, clock=clock, notifier=RecordingNotifier(), retro_opening=opening
    )
    assert service.pause_workspace(workspace_id=WS) == 1
    with plan_sessions() as session:
        assert checkins.active_keys(session) == set()
        # Nor is it closed with a token that is gone: it closes once check-ins resume.
        assert ("close", plan.id) not in {(d.action, d.key) for d in checkins.deadlines(session)}
    assert service.status(workspace_id=WS, plan_id=plan.id).key_results() == plan.key_results()
    service.set_checkin_schedule(
        workspace_id=WS,
        plan_id=plan.id,
        text="weekly on monday at 10:00",
        default_tz="UTC",
        actor=ANA,
    )
    with plan_sessions() as session:
        assert checkins.active_keys(session) == {plan.id}
        assert ("close", plan.id) in {(d.action, d.key) for d in checkins.deadlines(session)}


def test_forget_deletes_the_workspace_retro_schedules_occurrence_claims(
    db: Engine, plan_sessions: sessionmaker[Session], clock: ManualClock, tmp_path: Path
) -> None:
    opening = RetroOpening(sessions=plan_sessions, clock=clock, notifier=LoggingNotifier())
    series = {}
    with session_scope(plan_sessions) as session:
        for workspace in (WS, OTHER_WS):
            row = RetroSeries(
                workspace_id=workspace,
                channel_id="C0RETRO01",
                title="Weekly retro",
                trigger_kind="cron",
                trigger_expr='{"day_of_week": "fri", "hour": 16}',
                schedule_text="every friday at 16:00",
                timezone="UTC",
                window_seconds=3600,
                created_by=LEAD,
            )
            session.add(row)
            session.flush()
            series[workspace] = row.id
    # One claim as the engine makes them (with its retro), one as older rows are (no workspace).
    opened = opening.claim_occurrences([(sid, FIRST_ROUND) for sid in series.values()])
    assert len(opened) == 2
    with session_scope(plan_sessions) as session:
        for sid in series.values():
            claim_occurrence(
                session,
                kind=RETRO_KIND,
                key=sid,
                occurrence_at=FIRST_ROUND - timedelta(days=7),
                now=FIRST_ROUND,
            )

    def retro_claims(workspace: str) -> int:
        with plan_sessions() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(OccurrenceClaim)
                    .where(
                        OccurrenceClaim.kind == RETRO_KIND,
                        OccurrenceClaim.series_key == series[workspace],
                    )
                )
                or 0
            )

    assert (retro_claims(WS), retro_claims(OTHER_WS)) == (2, 2)
    kb = fake_kb(plan_sessions, tmp_path)
    report = forget_workspace(engine=db, sessions=plan_sessions, kb=kb, workspace_id=WS)
    assert report.rows["occurrence_claims"] == 2
    assert (retro_claims(WS), retro_claims(OTHER_WS)) == (0, 2)

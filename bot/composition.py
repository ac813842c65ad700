"""The composition root: each process's services, built explicitly from one Settings object.

Three processes, three builders, and nothing else builds a service:
- `build_serving`: the Slack-facing process (acks, storing requests, event claims). It gets
  the database and a job queue; it never opens the vector store or loads a model.
- `build_worker`: where jobs run (the child of `alignbot serve`, or threads of the CLI and
  tests): the knowledge base, the drafter and retro closing.
- `build_schedule_engine`: the one scheduling engine, in the worker or in `alignbot
  scheduler`, running every recurring kind `recurring_kinds` lists (retros; OKR check-ins).
  It gets a retro synthesis; standalone, that one loads the embedding model only when a close
  needs it, and the vector store opens only when a plan's period closes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from bot import migrate
from bot.recovery import recover_interrupted
from bot.settings import Settings
from bot.work import StartupTask, WorkPool
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from core.group_commit import GroupCommit
from core.jobs import JobQueue
from drafting.desk import DraftDesk
from drafting.draft import RetroEntry
from drafting.intent import IntentRouter, KeywordRouter
from drafting.intent_llm import LLMIntentRouter
from drafting.retro_synthesis import RetroSynthesis
from drafting.service import Drafter, EngineChoice
from handlers.deps import ServingDeps, WorkerDeps
from handlers.dm_burst import DmBurst
from handlers.draft_jobs import report_interrupted_requests
from handlers.plan_notifier import (
    AddNote,
    KnowledgeOnlyNotifier,
    SlackPlanNotifier,
    add_checkin_note,
    add_note_to,
)
from handlers.retro_notifier import SlackRetroNotifier
from handlers.slack_client import make_client_for
from knowledge.catalog import DocumentCatalog
from knowledge.chroma_client import make_chroma_client
from knowledge.embedding_models import make_embeddings
from knowledge.service import KnowledgeBase, build_knowledge_base
from scheduler.engine import ScheduleEngine
from scheduler.plans.ports import PlanNotifier
from scheduler.plans.recurring import PlanCheckins
from scheduler.plans.service import PlanService
from scheduler.ports import RetroSynthesiser
from scheduler.recurring import RecurringKind
from scheduler.retro_kind import RetroKind
from scheduler.retro_service import RetroRecords, RetroService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, *, upgrade: bool) -> Database:
    """The engine and sessions; `upgrade` applies pending migrations first (serve, CLI)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    if upgrade:
        migrate.upgrade(engine)
    # Mappers configure themselves on the first query otherwise: under a lock, inside the
    # first Slack request, with every request that arrives meanwhile queued behind it.
    configure_mappers()
    return Database(engine, make_session_factory(engine))


def retro_service(settings: Settings, db: Database, synthesis: RetroSynthesiser) -> RetroService:
    return RetroService.build(
        sessions=db.sessions,
        clock=SystemClock(),
        synthesiser=synthesis,
        notifier=SlackRetroNotifier(make_client_for(settings.slack, db.engine)),
        make_entry=RetroEntry,
    )


def plan_service(
    settings: Settings, db: Database, *, notifier: PlanNotifier | None = None
) -> PlanService:
    """Adopted OKR plans; with a notifier, check-in notes also go to the knowledge base."""
    return PlanService(sessions=db.sessions, clock=SystemClock(), notifier=notifier)


def cli_plan_service(settings: Settings, db: Database) -> PlanService:
    """The command line's plans: no Slack, and check-in notes go to the knowledge base directly."""
    return plan_service(settings, db, notifier=KnowledgeOnlyNotifier(notes_on_demand(settings, db)))


def notes_on_demand(settings: Settings, db: Database) -> AddNote:
    """Notes straight into the knowledge base, opened with the first note: a process that has
    none to add (`okr status`, a scheduler between quarter closes) never loads the model."""
    knowledge = cache(partial(build_knowledge, settings, db))

    def add_note(workspace_id: str, title: str, text: str) -> None:
        add_note_to(knowledge(), workspace_id, title, text)

    return add_note


def standalone_retro_synthesis(settings: Settings) -> RetroSynthesis:
    """Retro syntheses without a knowledge base; the embedding model loads on first use."""
    return RetroSynthesis.build(make_embeddings(settings.embedding), settings.llm)


def slack_plan_notifier(settings: Settings, db: Database, add_note: AddNote) -> SlackPlanNotifier:
    """Plans' DMs, digests and closes go out through Slack; check-in notes reach the knowledge
    base through `add_note`."""
    burst = DmBurst(
        base_url=settings.slack.api_base_url, concurrency=settings.scheduler.dm_concurrency
    )
    return SlackPlanNotifier(make_client_for(settings.slack, db.engine), add_note, burst)


def build_serving(settings: Settings, db: Database, *, jobs: JobQueue) -> ServingDeps:
    def queue_note(workspace_id: str, title: str, text: str) -> None:
        # This process never opens the vector store: the worker embeds the note.
        jobs.submit(add_checkin_note, workspace_id, workspace_id, title, text)

    return ServingDeps(
        slack=settings.slack,
        server=settings.server,
        engine=db.engine,
        sessions=db.sessions,
        jobs=jobs,
        desk=DraftDesk(sessions=db.sessions, group_commit=GroupCommit(db.sessions)),
        documents=DocumentCatalog(db.sessions),
        retros=RetroRecords.build(sessions=db.sessions, clock=SystemClock()),
        plans=plan_service(settings, db, notifier=slack_plan_notifier(settings, db, queue_note)),
    )


def build_knowledge(settings: Settings, db: Database) -> KnowledgeBase:
    """The knowledge base; the embedding model loads on first use."""
    chroma = make_chroma_client(
        path=settings.chroma_path,
        host=settings.chroma.host,
        port=settings.chroma.port,
        ssl=settings.chroma.ssl,
    )
    return build_knowledge_base(
        sessions=db.sessions,
        chroma=chroma,
        embedding=settings.embedding,
        knowledge=settings.knowledge,
    )


def build_worker(settings: Settings, db: Database, *, engine: EngineChoice = "auto") -> WorkerDeps:
    """`engine` picks the drafting engine ("auto": the LLM when LLM__MODEL is set)."""
    kb = build_knowledge(settings, db)
    drafter = Drafter(retriever=kb, llm=settings.llm, sessions=db.sessions, engine=engine)
    router: IntentRouter = LLMIntentRouter(settings.llm) if settings.llm.model else KeywordRouter()
    return WorkerDeps(
        slack=settings.slack,
        server=settings.server,
        knowledge=settings.knowledge,
        engine=db.engine,
        sessions=db.sessions,
        desk=DraftDesk(sessions=db.sessions),
        kb=kb,
        drafter=drafter,
        router=router,
        retros=retro_service(settings, db, drafter.retro),
        plans=plan_service(
            settings, db, notifier=slack_plan_notifier(settings, db, partial(add_note_to, kb))
        ),
    )


# Run once when a work pool starts, as any starting replica does: clean interrupted ingests,
# and tell the people whose draft requests a crash cut off.
WORKER_STARTUP: tuple[StartupTask, ...] = (recover_interrupted, report_interrupted_requests)


def build_work_pool(settings: Settings, deps: WorkerDeps) -> WorkPool:
    """Jobs on threads of this process; on start, it recovers what a killed process left."""
    return WorkPool(
        deps,
        make_client_for(settings.slack, deps.engine),
        threads=settings.server.work_threads,
        startup=WORKER_STARTUP,
    )


def recurring_kinds(
    settings: Settings, db: Database, retros: RetroService, kb: KnowledgeBase | None = None
) -> list[RecurringKind]:
    """Everything that recurs, in one list: the engine runs these and nothing else. OKR
    check-ins send DMs, reminders and digests and close the quarter with a retro; the close's
    scores become knowledge in `kb` (the worker's), or without one (`alignbot scheduler`) in a
    knowledge base opened when the first close needs it."""
    add_note = partial(add_note_to, kb) if kb is not None else notes_on_demand(settings, db)
    checkins = PlanCheckins(
        sessions=db.sessions,
        clock=SystemClock(),
        notifier=slack_plan_notifier(settings, db, add_note),
        retro_opening=retros.opening,
        post_threads=settings.scheduler.post_threads,
        lead=settings.scheduler.prepare_ahead,
    )
    return [RetroKind(retros, post_threads=settings.scheduler.post_threads), checkins]


def build_schedule_engine(
    settings: Settings, db: Database, *, kinds: Sequence[RecurringKind]
) -> ScheduleEngine:
    return ScheduleEngine(
        kinds=kinds, db_engine=db.engine, sessions=db.sessions, config=settings.scheduler
    )

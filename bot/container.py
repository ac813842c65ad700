"""The composition root: builds every service explicitly from one Settings object."""

from __future__ import annotations

from sqlalchemy.orm import configure_mappers

from bot import migrate
from core.db import make_engine, make_session_factory
from bot.deps import Deps
from core.group_commit import GroupCommit
from bot.settings import Settings
from handlers.slack_client import make_client_for
from bot.work import Background, WorkPool
from bot.worker_process import WorkerProcess
from drafting.desk import DraftDesk
from drafting.intent import KeywordRouter
from drafting.intent_llm import LLMIntentRouter
from drafting.draft import RetroEntry
from drafting.service import Drafter
from handlers.retro_notifier import SlackRetroNotifier
from knowledge.chroma_client import make_chroma_client
from knowledge.service import build_knowledge_base
from core.clock import SystemClock
from scheduler.engine import RetroEngine
from scheduler.retro_service import RetroService


def build_deps(
    settings: Settings, *, upgrade_db: bool = True, work: Background | None = None
) -> Deps:
    """Everything, wired. `work` defaults to threads of this process; `serve` passes a
    WorkerProcess, and then this process never opens the vector store itself."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    if upgrade_db:
        migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    # Mappers configure themselves on the first query otherwise: under a lock, inside the
    # first Slack request, with every request that arrives meanwhile queued behind it.
    configure_mappers()
    chroma = make_chroma_client(
        path=settings.chroma_path,
        host=settings.chroma.host,
        port=settings.chroma.port,
        ssl=settings.chroma.ssl,
        lazy=isinstance(work, WorkerProcess),
    )
    kb = build_knowledge_base(
        sessions=sessions,
        chroma=chroma,
        embedding=settings.embedding,
        knowledge=settings.knowledge,
    )
    drafter = Drafter(retriever=kb, llm=settings.llm, sessions=sessions)
    retros = RetroService(
        sessions=sessions,
        clock=SystemClock(),
        synthesiser=drafter,
        notifier=SlackRetroNotifier(make_client_for(settings, engine)),
        make_entry=RetroEntry,
    )
    deps = Deps(
        settings=settings,
        engine=engine,
        sessions=sessions,
        work=work or WorkPool(settings.server.work_threads),
        chroma=chroma,
        kb=kb,
        drafter=drafter,
        desk=DraftDesk(sessions=sessions, drafter=drafter, group_commit=GroupCommit(sessions)),
        router=LLMIntentRouter(settings.llm) if settings.llm.model else KeywordRouter(),
        retros=retros,
        # Built here, started only by `serve` and `scheduler`: the CLI never schedules.
        retro_engine=RetroEngine(service=retros, db_engine=engine),
    )
    deps.work.attach(deps)
    return deps

"""The composition root: builds every service explicitly from one Settings object."""

from __future__ import annotations

from bot import migrate
from bot.db import make_engine, make_session_factory
from bot.deps import Deps
from bot.settings import Settings
from bot.slack_client import make_client_for
from bot.work import WorkPool
from drafting.desk import DraftDesk
from drafting.intent import KeywordRouter
from drafting.intent_llm import LLMIntentRouter
from drafting.models import RetroEntry
from drafting.service import Drafter
from handlers.retro_notifier import SlackRetroNotifier
from knowledge.chroma_client import make_chroma_client
from knowledge.service import build_knowledge_base
from scheduler.clock import SystemClock
from scheduler.engine import RetroEngine
from scheduler.retro_service import RetroService


def build_deps(settings: Settings, *, upgrade_db: bool = True) -> Deps:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    if upgrade_db:
        migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    chroma = make_chroma_client(
        path=settings.chroma_path,
        host=settings.chroma.host,
        port=settings.chroma.port,
        ssl=settings.chroma.ssl,
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
    return Deps(
        settings=settings,
        engine=engine,
        sessions=sessions,
        work=WorkPool(settings.server.work_threads),
        chroma=chroma,
        kb=kb,
        drafter=drafter,
        desk=DraftDesk(sessions=sessions, drafter=drafter),
        router=LLMIntentRouter(settings.llm) if settings.llm.model else KeywordRouter(),
        retros=retros,
        # Built here, started only by `serve` and `scheduler`: the CLI never schedules.
        retro_engine=RetroEngine(service=retros, db_engine=engine),
    )

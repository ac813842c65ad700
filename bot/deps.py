"""The typed bundle of services that the composition root hands to handlers and jobs."""

from __future__ import annotations

from dataclasses import dataclass

from chromadb.api import ClientAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.work import Background
from drafting.desk import DraftDesk
from drafting.intent import KeywordRouter
from drafting.intent_llm import LLMIntentRouter
from drafting.service import Drafter
from knowledge.service import KnowledgeBase
from scheduler.engine import RetroEngine
from scheduler.retro_service import RetroService


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    work: Background
    chroma: ClientAPI
    kb: KnowledgeBase
    drafter: Drafter
    desk: DraftDesk
    router: KeywordRouter | LLMIntentRouter
    retros: RetroService
    retro_engine: RetroEngine

    def close(self) -> None:
        self.retro_engine.stop(wait=False)
        self.work.shutdown(wait=False)
        self.engine.dispose()

"""Drafting fixtures: one real knowledge base (MiniLM, Chroma, SQLite) over the sample company."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from core.db import make_engine, make_session_factory
from bot.demo import sample_documents
from drafting.settings import LLMSettings
from knowledge.settings import KnowledgeSettings
from drafting.service import Drafter
from knowledge.chroma_client import make_chroma_client
from knowledge.minilm import BUILTIN_MODEL_ID, MiniLMEmbeddings
from knowledge.models import KbChunk
from knowledge.service import KnowledgeBase

WORKSPACE = "TSAMPLE01"
OTHER_WORKSPACE = "TOTHER001"
SUBJECT = "Larkspur Freight Systems"
# Only the other workspace knows this; it must never surface in WORKSPACE's drafts.
OTHER_SECRET = "Project Osprey cut warehouse costs by 73.6% and grew revenue 412% in Q3 2026."


@dataclass
class SampleKB:
    kb: KnowledgeBase
    sessions: sessionmaker[Session]

    def all_chunks(self, workspace_id: str) -> dict[str, str]:
        """source id -> text for every chunk of a workspace (to resolve citations)."""
        with self.sessions() as session:
            rows = session.execute(
                select(KbChunk.chunk_id, KbChunk.text).where(KbChunk.workspace_id == workspace_id)
            ).all()
        return {chunk_id: text for chunk_id, text in rows}


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


@pytest.fixture(scope="session")
def sample_kb(
    tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbeddings
) -> Iterator[SampleKB]:
    root: Path = tmp_path_factory.mktemp("sample_kb")
    engine = make_engine(f"sqlite:///{root / 'alignbot.db'}")
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    kb = KnowledgeBase(
        sessions=sessions,
        chroma=make_chroma_client(path=root / "chroma"),
        embeddings=minilm,
        model_id=BUILTIN_MODEL_ID,
        settings=KnowledgeSettings(),
    )
    for path in sample_documents():
        kb.add_path(WORKSPACE, path)
    kb.add_text(OTHER_WORKSPACE, title="Osprey results", text=OTHER_SECRET)
    yield SampleKB(kb, sessions)
    engine.dispose()


@pytest.fixture(scope="session")
def offline_drafter(sample_kb: SampleKB) -> Drafter:
    return Drafter(retriever=sample_kb.kb, llm=LLMSettings(), sessions=sample_kb.sessions)

"""Knowledge base fixtures: the real embedding model (loaded once), real Chroma, real SQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chromadb.api import ClientAPI
from langchain_core.embeddings import Embeddings
from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import KnowledgeSettings
from knowledge.chroma_client import make_chroma_client
from knowledge.minilm import BUILTIN_MODEL_ID, MiniLMEmbeddings
from knowledge.service import KnowledgeBase

MakeKB = Callable[..., KnowledgeBase]


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


@pytest.fixture
def chroma(tmp_path: Path) -> ClientAPI:
    return make_chroma_client(path=tmp_path / "chroma")


@pytest.fixture
def make_kb(sessions: sessionmaker[Session], chroma: ClientAPI, minilm: MiniLMEmbeddings) -> MakeKB:
    """A KnowledgeBase on this test's database and Chroma; override any part of it."""

    def build(
        *,
        embeddings: Embeddings | None = None,
        model_id: str = BUILTIN_MODEL_ID,
        client: ClientAPI | None = None,
        **knowledge: Any,
    ) -> KnowledgeBase:
        return KnowledgeBase(
            sessions=sessions,
            chroma=client or chroma,
            embeddings=embeddings or minilm,
            model_id=model_id,
            settings=KnowledgeSettings(**knowledge),
        )

    return build


@pytest.fixture
def kb(make_kb: MakeKB) -> KnowledgeBase:
    return make_kb()

"""The same document added twice at once is stored once (issue 13): threads on SQLite and
Postgres, each with its own sessions, as two workers or replicas would be."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import KbChunk, KbDocument
from knowledge.service import KnowledgeBase
from knowledge.types import IngestResult
from tests.knowledge.corpus import NOTES

TEXT = "\n\n".join(f"# {title}\n{body}" for title, body in NOTES.items())

WS = "T0TWICE"
RACERS = 6


def test_identical_adds_at_once_store_one_document(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    start = threading.Barrier(RACERS)
    results: list[IngestResult] = []
    errors: list[BaseException] = []

    def add() -> None:
        start.wait()
        try:
            results.append(kb.add_text(WS, title="Team notes", text=TEXT, added_by="U1"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(results) == RACERS
    with sessions() as session:
        docs = session.scalars(select(KbDocument).where(KbDocument.workspace_id == WS)).all()
        chunks = session.scalar(select(func.count()).where(KbChunk.workspace_id == WS))
    assert len(docs) == 1 and docs[0].status == "ready"
    assert chunks == docs[0].chunk_count
    assert sorted(r.status for r in results).count("added") == 1
    assert {r.doc_id for r in results} == {docs[0].id}
    assert len(kb.search(WS, "team notes", k=20)) == docs[0].chunk_count

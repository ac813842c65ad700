"""Typed statements: split at ingestion, stored with their chunks, removed and retyped with them."""

from __future__ import annotations

from sqlalchemy import delete

from core.db import session_scope
from knowledge.models import KbStatement
from knowledge.service import KnowledgeBase
from knowledge.statements import STATEMENT_KINDS, split_chunk

NOTE = """# Harbour ferry review

Updated by the ops desk on 2 May

## Results
- Punctuality was 96% this spring, up from 91%.
- Two vessels were out of service for 11 days after a gearbox failure.

| Route | Crossings |
|---|---|
| North | 412 |

## Plans
- Raise punctuality to 98% by Q2 2027.
"""


def test_a_chunk_splits_into_sentences_bullets_and_table_rows() -> None:
    statements = split_chunk(
        "- **Punctuality** was 96%. It rose.\n| a | b |\n|---|---|\n| x | 1 |", "Results"
    )
    assert [s.text for s in statements] == ["Punctuality was 96%.", "It rose.", "a | b", "x | 1"]
    assert {s.shape for s in statements} == {"bullet", "table"}
    assert all(s.heading == "Results" for s in statements)


def test_ingestion_types_every_statement_and_removal_takes_them_away(kb: KnowledgeBase) -> None:
    result = kb.add_text("TSTMT0001", title="Ferry review", text=NOTE)
    stored = kb.statements("TSTMT0001")
    assert len(stored) >= 5
    assert all(s.kind in STATEMENT_KINDS and 0 < s.confidence <= 1 for s in stored)
    assert all(s.vector and len(s.vector) == 384 * 2 for s in stored)
    assert {s.chunk_id.split("#")[0] for s in stored} == {result.doc_id}
    goals = [s.text for s in kb.statements("TSTMT0001", kinds=["goal"])]
    assert any("98%" in text for text in goals)
    assert kb.statements("TOTHER0001") == []
    kb.remove("TSTMT0001", result.doc_id)
    assert kb.statements("TSTMT0001") == []


def test_reindex_types_knowledge_stored_before_statements_existed(kb: KnowledgeBase) -> None:
    kb.add_text("TSTMT0002", title="Ferry review", text=NOTE)
    before = len(kb.statements("TSTMT0002"))
    with session_scope(kb.sessions) as session:
        session.execute(delete(KbStatement).where(KbStatement.workspace_id == "TSTMT0002"))
    assert kb.statements("TSTMT0002") == []
    kb.reindex("TSTMT0002")
    assert len(kb.statements("TSTMT0002")) == before

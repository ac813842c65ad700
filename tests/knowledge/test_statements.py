"""Typed statements: split at ingestion, stored with their chunks, removed and retyped with them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import delete

from core.db import session_scope
from knowledge.minilm import MiniLMEmbeddings
from knowledge.models import KbStatement
from knowledge.service import KnowledgeBase
from knowledge.statement_classifier import Weights, default_weights_path
from knowledge.statement_features import change_sign
from knowledge.statement_typing import ChunkText, StatementTyper
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


def test_the_sign_of_a_change_depends_on_what_is_measured() -> None:
    favourable, unfavourable = (1.0, 0.0), (0.0, 1.0)
    assert change_sign("Churn fell to 3% a month.") == favourable
    assert change_sign("Churn rose to 7% a month.") == unfavourable
    assert change_sign("Revenue grew 12% on last year.") == favourable
    assert change_sign("Bookings dropped by a third.") == unfavourable
    assert change_sign("The board meets in March.") == (0.0, 0.0)


def test_weights_saved_before_calibration_load_with_a_neutral_temperature(tmp_path: Path) -> None:
    weights = Weights.load(default_weights_path())
    assert 0.3 < weights.temperature < 5
    old = tmp_path / "old.npz"
    arrays = {"mean": weights.mean, "scale": weights.scale, "w1": weights.w1, "b1": weights.b1}
    np.savez(old, **arrays, w2=weights.w2, b2=weights.b2, kinds=np.asarray(weights.kinds))
    assert Weights.load(old).temperature == 1.0


def test_the_shipped_classifier_types_unambiguous_lines() -> None:
    text = (
        "## Key results\n"
        "- KR 2.1: Cut median resolution time from 5 days to 2 days by Q3 2028.\n"
        "- KR 2.2: Raise activation by [N4]%.\n\n"
        "## Page info\n"
        "Last updated by jdoe on 3 May\n"
    )
    chunk = ChunkText("doc#0", "Support plan — Key results\n" + text, text, None)
    _, typed = StatementTyper(MiniLMEmbeddings()).embed_and_type(MiniLMEmbeddings(), [chunk])
    kinds = {t.statement.text[:9]: t.kind for t in typed}
    assert kinds == {"KR 2.1: C": "goal", "KR 2.2: R": "noise", "Last upda": "noise"}
    assert all(0 < t.confidence <= 1 for t in typed)

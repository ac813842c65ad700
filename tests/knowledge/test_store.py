"""SQL and Chroma agree: dedupe, replace, removal, isolation, atomicity and recovery (SQLite and Postgres)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chromadb.api import ClientAPI
from langchain_core.embeddings import Embeddings
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from knowledge.errors import EmbeddingModelMismatch, IngestError
from knowledge.indexing import STEP_CHUNKS
from knowledge.models import KbChunk, KbDocument
from knowledge.service import KnowledgeBase
from tests.knowledge.conftest import MakeKB
from tests.knowledge.corpus import NOTES

A, B = "TALPHA", "TBRAVO"


def many_sentences(n: int, topic: str = "launch") -> str:
    return "\n\n".join(f"Note {i} about the {topic}: milestone {i} is on track." for i in range(n))


def stored_state(
    kb: KnowledgeBase, sessions: sessionmaker[Session], workspace: str
) -> tuple[int, int, int]:
    """(documents in SQL, chunk rows in SQL, vectors in Chroma) for one workspace."""
    with sessions() as session:
        docs = session.scalar(
            select(func.count()).select_from(KbDocument).where(KbDocument.workspace_id == workspace)
        )
        rows = session.scalar(
            select(func.count()).select_from(KbChunk).where(KbChunk.workspace_id == workspace)
        )
    collection = kb.vectors.open(workspace, create=False)
    return int(docs or 0), int(rows or 0), collection.count() if collection else 0


class FailingEmbeddings(Embeddings):
    """The real model, failing on the n-th document batch (a provider outage mid-document)."""

    def __init__(self, inner: Embeddings, fail_on_call: int) -> None:
        self.inner = inner
        self.fail_on_call = fail_on_call
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise RuntimeError("embedding provider timed out")
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class FailingCollection:
    """A real Chroma collection whose n-th `add` fails (a Chroma server dropping mid-write)."""

    def __init__(self, inner: Any, fail_on_add: int) -> None:
        self._inner = inner
        self._fail_on_add = fail_on_add
        self.adds = 0

    def add(self, **kwargs: Any) -> None:
        self.adds += 1
        if self.adds == self._fail_on_add:
            raise ConnectionError("chroma went away")
        self._inner.add(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class FailingChroma:
    """Delegates to a real client; hands out collections that fail on their n-th add."""

    def __init__(self, inner: ClientAPI, fail_on_add: int) -> None:
        self._inner = inner
        self._fail_on_add = fail_on_add

    def get_or_create_collection(self, *args: Any, **kwargs: Any) -> Any:
        return FailingCollection(
            self._inner.get_or_create_collection(*args, **kwargs), self._fail_on_add
        )

    def get_collection(self, *args: Any, **kwargs: Any) -> Any:
        return FailingCollection(self._inner.get_collection(*args, **kwargs), self._fail_on_add)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_same_content_again_is_a_noop_that_says_so(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    first = kb.add_bytes(A, filename="plan.md", data=b"# Plan\n\nShip the beta in June.\n")
    again = kb.add_bytes(A, filename="plan-copy.md", data=b"# Plan\n\nShip the beta in June.\n")
    assert again.status == "unchanged"
    assert again.doc_id == first.doc_id
    assert again.message.startswith("Already up to date: “Plan”")
    assert stored_state(kb, sessions, A) == (1, 1, 1)


def test_changed_file_replaces_its_old_chunks(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    old = kb.add_bytes(
        A, filename="plan.md", data=("# Plan\n\n" + many_sentences(30, "beta")).encode()
    )
    assert old.chunks > 1
    new = kb.add_bytes(A, filename="plan.md", data=b"# Plan\n\nThe beta slipped to September.\n")
    assert new.status == "replaced"
    assert new.doc_id != old.doc_id
    assert "previous version was replaced" in new.message
    assert [d.doc_id for d in kb.list_documents(A)] == [new.doc_id]
    assert stored_state(kb, sessions, A) == (1, 1, 1)
    texts = [h.text for h in kb.search(A, "beta milestone on track", k=10)]
    assert texts == ["The beta slipped to September."]


def test_removing_a_document_removes_its_chunks(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    keep = kb.add_text(A, title="Keep", text="Kestrel launches in March.")
    gone = kb.add_text(A, title="Gone", text=many_sentences(20, "Kestrel"))
    assert kb.remove(A, gone.doc_id) is True
    assert kb.remove(A, gone.doc_id) is False
    assert kb.remove(B, keep.doc_id) is False  # another workspace cannot remove it
    assert stored_state(kb, sessions, A) == (1, 1, 1)
    assert {h.doc_id for h in kb.search(A, "Kestrel milestone", k=10)} == {keep.doc_id}


def test_workspaces_never_see_each_others_chunks(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    kb.add_text(
        A, title="Alpha secret", text="Project Kestrel margin is 42.7% in the alpha company."
    )
    kb.add_text(B, title="Bravo plan", text="Bravo sells garden furniture online.")
    for query in ("Project Kestrel", "42.7%", "margin of the alpha company"):
        assert all(h.title == "Bravo plan" for h in kb.search(B, query, k=10))
        assert kb.search(A, query, k=1)[0].title == "Alpha secret"
    assert [d.title for d in kb.list_documents(B)] == ["Bravo plan"]
    assert kb.count_chunks(B) == 1
    # The same bytes in another workspace are new there, not "unchanged".
    assert (
        kb.add_text(
            B, title="Alpha secret", text="Project Kestrel margin is 42.7% in the alpha company."
        ).status
        == "added"
    )
    kb.forget_workspace(A)
    assert stored_state(kb, sessions, A) == (0, 0, 0)
    assert len(kb.search(B, "Kestrel", k=10)) == 2


def test_hybrid_finds_an_exact_rare_term_that_vector_search_misses(kb: KnowledgeBase) -> None:
    for title, text in NOTES.items():
        kb.add_text(A, title=title, text=text)
    query = "revenue target for Kestrel"
    vector_titles = [h.title for h in kb.search(A, query, k=5, mode="vector")]
    hybrid_titles = [h.title for h in kb.search(A, query, k=5)]
    assert "Office move" not in vector_titles  # the premise: the meaning points elsewhere
    assert "Office move" in hybrid_titles
    figures = kb.search(A, "115%", k=5)
    assert figures[0].title == "Quarterly goals"
    assert kb.search(A, "QX-7731", k=1, mode="keyword")[0].title == "Procurement"


def test_embedding_failure_mid_document_leaves_nothing(
    make_kb: MakeKB, minilm: Embeddings, sessions: sessionmaker[Session]
) -> None:
    kb = make_kb(
        embeddings=FailingEmbeddings(minilm, fail_on_call=2), chunk_size=60, chunk_overlap=0
    )
    text = many_sentences(STEP_CHUNKS + 20)
    with pytest.raises(IngestError, match=r"embedding provider timed out\. Nothing was stored"):
        kb.add_text(A, title="Long plan", text=text)
    assert stored_state(kb, sessions, A) == (0, 0, 0)


def test_chroma_failure_mid_document_keeps_the_previous_version(
    make_kb: MakeKB, chroma: ClientAPI, sessions: sessionmaker[Session]
) -> None:
    healthy = make_kb(chunk_size=60, chunk_overlap=0)
    first = healthy.add_text(A, title="Plan", text="The beta ships in June.")
    flaky = make_kb(client=FailingChroma(chroma, fail_on_add=2), chunk_size=60, chunk_overlap=0)
    with pytest.raises(IngestError, match="chroma went away"):
        flaky.add_text(A, title="Plan", text=many_sentences(STEP_CHUNKS + 20))
    assert stored_state(healthy, sessions, A) == (1, 1, 1)
    assert [h.doc_id for h in healthy.search(A, "when does the beta ship", k=5)] == [first.doc_id]


def test_ctrl_c_mid_document_still_cleans_up(
    make_kb: MakeKB, minilm: Embeddings, sessions: sessionmaker[Session]
) -> None:
    class InterruptedEmbeddings(FailingEmbeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            self.calls += 1
            if self.calls == 2:
                raise KeyboardInterrupt
            return self.inner.embed_documents(texts)

    kb = make_kb(embeddings=InterruptedEmbeddings(minilm, 2), chunk_size=60, chunk_overlap=0)
    with pytest.raises(KeyboardInterrupt):
        kb.add_text(A, title="Half done", text=many_sentences(STEP_CHUNKS + 20))
    assert stored_state(kb, sessions, A) == (0, 0, 0)


def test_leftovers_of_a_killed_process_are_cleaned_on_next_use(
    make_kb: MakeKB, sessions: sessionmaker[Session]
) -> None:
    kb = make_kb()
    done = kb.add_text(A, title="Done", text="The beta ships in June.")
    killed = kb.add_text(A, title="Killed midway", text="Kestrel pricing notes.")
    # What a SIGKILL between the Chroma writes and "ready" leaves: a pending row, its vectors.
    with sessions.begin() as session:
        session.execute(
            update(KbDocument)
            .where(KbDocument.id == killed.doc_id)
            .values(status="pending", updated_at=datetime.now(UTC) - timedelta(hours=1))
        )
    assert [d.title for d in kb.list_documents(A)] == ["Done"]
    assert all(h.doc_id == done.doc_id for h in kb.search(A, "Kestrel pricing", k=5))
    cleaned = kb.clean_interrupted(A)
    assert [d.title for d in cleaned] == ["Killed midway"]
    assert stored_state(kb, sessions, A) == (1, 1, 1)
    assert kb.clean_interrupted(A) == []


def test_a_fresh_pending_ingest_is_not_mistaken_for_a_crash(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    other = kb.add_text(
        A, title="In flight elsewhere", text="Another process is still writing this."
    )
    with sessions.begin() as session:
        session.execute(
            update(KbDocument).where(KbDocument.id == other.doc_id).values(status="pending")
        )
    assert kb.clean_interrupted(A) == []
    assert stored_state(kb, sessions, A)[0] == 1


def test_progress_is_reported_for_large_documents(make_kb: MakeKB) -> None:
    kb = make_kb(chunk_size=60, chunk_overlap=0)
    seen: list[tuple[int, int]] = []
    result = kb.add_text(
        A,
        title="Long",
        text=many_sentences(STEP_CHUNKS + 20),
        on_progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(STEP_CHUNKS, result.chunks), (result.chunks, result.chunks)]


def test_other_embedding_model_is_a_clear_error_until_reindexed(
    make_kb: MakeKB, minilm: Embeddings, sessions: sessionmaker[Session]
) -> None:
    builtin = make_kb()
    builtin.add_text(A, title="Plan", text="The beta ships in June.")
    switched = make_kb(embeddings=minilm, model_id="openai:text-embedding-3-small")
    with pytest.raises(EmbeddingModelMismatch, match=f"alignbot kb reindex --workspace {A}"):
        switched.search(A, "beta")
    with pytest.raises(EmbeddingModelMismatch):
        switched.add_text(A, title="More", text="Another note.")
    assert stored_state(builtin, sessions, A) == (1, 1, 1)
    assert switched.search(A, "beta", mode="keyword")[0].title == "Plan"
    assert switched.reindex(A) == 1
    assert switched.search(A, "when does the beta ship")[0].title == "Plan"
    with pytest.raises(EmbeddingModelMismatch):
        builtin.search(A, "beta")


def test_reindex_rebuilds_vectors_from_sql(
    kb: KnowledgeBase, sessions: sessionmaker[Session]
) -> None:
    for title, text in list(NOTES.items())[:5]:
        kb.add_text(A, title=title, text=text)
    kb.vectors.drop(A)  # a lost or corrupted Chroma directory
    assert kb.search(A, "hiring data engineers", mode="vector") == []
    progress: list[tuple[int, int]] = []
    assert kb.reindex(A, on_progress=lambda d, t: progress.append((d, t))) == 5
    assert progress[-1] == (5, 5)
    assert kb.search(A, "hiring data engineers", mode="vector")[0].title == "Hiring plan"
    assert stored_state(kb, sessions, A) == (5, 5, 5)


def keyword_titles(kb: KnowledgeBase, query: str) -> Sequence[str]:
    return [h.title for h in kb.search(A, query, k=5, mode="keyword")]


def test_keyword_index_handles_figures_stems_and_syntax(kb: KnowledgeBase) -> None:
    kb.add_text(A, title="Churn", text="Churn in EMEA rose to 42.7% after the price change.")
    kb.add_text(A, title="Other", text="Revenue grew 42% and margins 7 points.")
    assert keyword_titles(kb, "42.7%")[0] == "Churn"
    assert keyword_titles(kb, "prices changing")[0] == "Churn"  # stemmed on both dialects
    assert keyword_titles(kb, 'what "about" AND OR NOT * ( churn') == ["Churn"]
    assert keyword_titles(kb, "the of and") == []

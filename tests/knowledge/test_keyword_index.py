"""The keyword index on SQLite FTS5 and Postgres full-text search: terms, scoping and cost control."""

from __future__ import annotations

from sqlalchemy import insert, text
from sqlalchemy.orm import Session, sessionmaker

from knowledge.keyword_index import (
    RANKING_BUDGET,
    TermCounts,
    common_lexemes,
    query_terms,
    search_keywords,
    selective_terms,
)
from knowledge.models import READY, KbChunk, KbDocument


def add_chunks(
    sessions: sessionmaker[Session], workspace: str, doc_id: str, texts: list[str]
) -> None:
    with sessions.begin() as session:
        session.execute(
            insert(KbDocument).values(
                id=doc_id,
                workspace_id=workspace,
                title=doc_id,
                source_kind="text",
                source_key=doc_id,
                content_hash=doc_id,
                chunk_count=len(texts),
                status=READY,
            )
        )
        session.execute(
            insert(KbChunk),
            [
                {
                    "chunk_id": f"{doc_id}#{n}",
                    "workspace_id": workspace,
                    "doc_id": doc_id,
                    "n": n,
                    "text": t,
                }
                for n, t in enumerate(texts)
            ],
        )


def test_query_terms_keep_figures_and_codes_and_drop_noise() -> None:
    assert query_terms('What is the churn of "Project Kestrel" (42.7%)?') == [
        "churn",
        "Project",
        "Kestrel",
        "42.7%",
    ]
    assert query_terms("QX-7731, please.") == ["QX-7731", "please"]
    assert query_terms("the of ... ?!") == []


def test_common_words_are_left_to_the_vector_side(sessions: sessionmaker[Session]) -> None:
    filler = [f"The team reviewed the plan for week {i}." for i in range(RANKING_BUDGET + 50)]
    add_chunks(sessions, "TBIG", "filler", filler)
    add_chunks(sessions, "TBIG", "needle", ["The team plan names Kestrel as the pilot."])
    with sessions() as session:
        assert selective_terms(
            session,
            ["team", "plan", "Kestrel"],
            postgres=session.get_bind().dialect.name == "postgresql",
        ) == ["Kestrel"]
        assert search_keywords(
            session=session, workspace_id="TBIG", query="team plan Kestrel", limit=5
        ) == ["needle#0"]
        # Only common words: nothing worth ranking on the keyword side.
        assert (
            search_keywords(session=session, workspace_id="TBIG", query="team plan", limit=5) == []
        )


def test_results_are_scoped_to_the_workspace(sessions: sessionmaker[Session]) -> None:
    add_chunks(sessions, "TONE", "one", ["Kestrel pricing for the one company."])
    add_chunks(sessions, "TTWO", "two", ["Kestrel pricing for the two company."])
    with sessions() as session:
        assert search_keywords(session=session, workspace_id="TONE", query="Kestrel", limit=5) == [
            "one#0"
        ]
        assert search_keywords(
            session=session, workspace_id="TTWO", query="Kestrel pricing", limit=5
        ) == ["two#0"]
        assert (
            search_keywords(session=session, workspace_id="TTHREE", query="Kestrel", limit=5) == []
        )
        # A query naming another workspace's id finds nothing there either.
        assert search_keywords(session=session, workspace_id="TONE", query="TTWO", limit=5) == []


def test_remembered_counts_spare_the_recount_but_not_the_answer(
    sessions: sessionmaker[Session],
) -> None:
    add_chunks(sessions, "TCACHE", "doc", ["Kestrel pricing review."])
    counts = TermCounts()
    with sessions() as session:
        assert search_keywords(
            session=session, workspace_id="TCACHE", query="Kestrel", limit=5, counts=counts
        ) == ["doc#0"]
        assert counts.get("kestrel") == 1
        assert search_keywords(
            session=session, workspace_id="TCACHE", query="Kestrel", limit=5, counts=counts
        ) == ["doc#0"]
    expired = TermCounts(ttl_seconds=0.0)
    expired.put("kestrel", 5)
    assert expired.get("kestrel") is None


def test_postgres_estimates_common_words_from_its_statistics_instead_of_counting(
    sessions: sessionmaker[Session],
) -> None:
    """Counting a word in most of the table costs a bitmap of most of the table. After ANALYZE,
    Postgres's own statistics say it is common, and only the rare word is counted."""
    with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            return
    filler = [f"The team reviewed the plan for week {i}." for i in range(RANKING_BUDGET + 50)]
    add_chunks(sessions, "TSTATS", "filler", filler)
    add_chunks(sessions, "TSTATS", "needle", ["The team plan names Kestrel as the pilot."])
    counts = TermCounts()
    with sessions() as session:
        session.execute(text("ANALYZE kb_chunks"))
        common = common_lexemes(session)
        assert common["team"] >= RANKING_BUDGET and common["plan"] >= RANKING_BUDGET
        # On a table this small ANALYZE sees every row, so even the rare word has a (true) estimate.
        assert common.get("kestrel", 1) == 1
        assert search_keywords(
            session=session,
            workspace_id="TSTATS",
            query="team plan Kestrel",
            limit=5,
            counts=counts,
        ) == ["needle#0"]
    assert counts.get("team") is None and counts.get("plan") is None

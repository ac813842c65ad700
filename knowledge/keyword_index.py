"""Keyword (BM25-style) search over chunk text: SQLite FTS5 or Postgres full-text search."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

# Words so common that they only slow the index down and add noise to the ranking.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
MAX_TERMS = 24
EDGE_PUNCTUATION = "\"'“”‘’()[]{}<>,;:!?¿¡…"


def query_terms(query: str) -> list[str]:
    """Whitespace-separated terms with edge punctuation removed; "42.7%" stays one term."""
    terms: list[str] = []
    for raw in query.split():
        term = raw.strip(EDGE_PUNCTUATION).rstrip(".")
        if not re.search(r"\w", term) or term.lower() in STOP_WORDS:
            continue
        if term.lower() not in (t.lower() for t in terms):
            terms.append(term)
    return terms[:MAX_TERMS]


def search_keywords(*, session: Session, workspace_id: str, query: str, limit: int) -> list[str]:
    """Chunk ids of the workspace's ready documents, best match first."""
    terms = query_terms(query)
    if not terms:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgres(session, workspace_id, terms, limit)
    return _search_sqlite(session, workspace_id, terms, limit)


def _search_sqlite(session: Session, workspace_id: str, terms: list[str], limit: int) -> list[str]:
    # Each term is a quoted phrase: FTS5 syntax in user text cannot break the query, and
    # "42.7%" matches the adjacent tokens 42 and 7.
    match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    rows = session.execute(
        text(
            "SELECT c.chunk_id FROM kb_chunks_fts "
            "JOIN kb_chunks c ON c.id = kb_chunks_fts.rowid "
            "JOIN kb_documents d ON d.id = c.doc_id "
            "WHERE kb_chunks_fts MATCH :match AND c.workspace_id = :ws AND d.status = 'ready' "
            "ORDER BY bm25(kb_chunks_fts) LIMIT :limit"
        ),
        {"match": match, "ws": workspace_id, "limit": limit},
    )
    return [row[0] for row in rows]


def _search_postgres(
    session: Session, workspace_id: str, terms: list[str], limit: int
) -> list[str]:
    params: dict[str, object] = {"ws": workspace_id, "limit": limit}
    parts = []
    for i, term in enumerate(terms):
        params[f"t{i}"] = term
        parts.append(f"phraseto_tsquery('english'::regconfig, :t{i})")
    tsquery = " || ".join(parts)
    # The expression must match the GIN index's expression exactly for the planner to use it.
    vector = "to_tsvector('english'::regconfig, c.text)"
    rows = session.execute(
        text(
            f"SELECT c.chunk_id FROM kb_chunks c JOIN kb_documents d ON d.id = c.doc_id, "
            f"(SELECT {tsquery} AS query) AS q "
            f"WHERE c.workspace_id = :ws AND d.status = 'ready' AND {vector} @@ q.query "
            f"ORDER BY ts_rank_cd({vector}, q.query) DESC LIMIT :limit"
        ),
        params,
    )
    return [row[0] for row in rows]

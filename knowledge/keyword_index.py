"""Keyword (BM25-style) search over chunk text: SQLite FTS5 or Postgres full-text search."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

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
# Most chunk matches one query ranks; see selective_terms.
RANKING_BUDGET = 1000
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


class TermCounts:
    """Recently counted term matches, shared by the queries of one process.

    Counting is cheap for rare terms but not for common ones (Postgres builds a bitmap of
    every match), and common terms are exactly the ones that recur in queries. Counts drift
    slowly as documents come and go; a few minutes' staleness only shifts a budget decision.
    On Postgres the common words are not counted at all: the statistics ANALYZE keeps for the
    text-search column already estimate them (see `common_lexemes`).
    """

    def __init__(self, ttl_seconds: float = 300.0, max_terms: int = 50_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_terms = max_terms
        self._counts: dict[str, tuple[float, int]] = {}
        self._common: tuple[float, dict[str, int]] | None = None
        self._lock = threading.Lock()

    def get(self, term: str) -> int | None:
        with self._lock:
            entry = self._counts.get(term.lower())
        if entry is None or self._expired(entry[0]):
            return None
        return entry[1]

    def put(self, term: str, count: int) -> None:
        with self._lock:
            if len(self._counts) >= self.max_terms:
                self._counts.clear()
            self._counts[term.lower()] = (time.monotonic(), count)

    def common(self, load: Callable[[], dict[str, int]]) -> dict[str, int]:
        with self._lock:
            cached = self._common
        if cached is not None and not self._expired(cached[0]):
            return cached[1]
        loaded = load()
        with self._lock:
            self._common = (time.monotonic(), loaded)
        return loaded

    def _expired(self, stamp: float) -> bool:
        return time.monotonic() - stamp > self.ttl_seconds


def search_keywords(
    *,
    session: Session,
    workspace_id: str,
    query: str,
    limit: int,
    counts: TermCounts | None = None,
) -> list[str]:
    """Chunk ids of the workspace's ready documents, best match first."""
    postgres = session.get_bind().dialect.name == "postgresql"
    terms = selective_terms(session, query_terms(query), postgres=postgres, counts=counts)
    if not terms:
        return []
    if postgres:
        return _search_postgres(session, workspace_id, terms, limit)
    return _search_sqlite(session, workspace_id, terms, limit)


def selective_terms(
    session: Session, terms: list[str], *, postgres: bool, counts: TermCounts | None = None
) -> list[str]:
    """The rarest terms whose matches together fit the ranking budget.

    Ranking costs a lookup per matching chunk while finding matches is nearly free, so a word
    found in half the corpus would dominate query time and, having almost no BM25 weight,
    would barely move the ranking. The vector side already covers such common words; the
    keyword side exists for rare, exact ones ("Kestrel", "QX-7731", "42.7%").
    """
    if postgres:
        counted = _postgres_counts(session, terms, counts)
    else:
        counted = [(_counted(session, term, counts, postgres=False), term) for term in terms]
    kept, total = [], 0
    for count, term in sorted(counted, key=lambda pair: pair[0]):
        if count == 0:
            continue
        if total + count > RANKING_BUDGET:
            break
        kept.append(term)
        total += count
    return kept


def _counted(session: Session, term: str, counts: TermCounts | None, *, postgres: bool) -> int:
    count = counts.get(term) if counts is not None else None
    if count is None:
        count = _matches(session, term, RANKING_BUDGET + 1, postgres=postgres)
        if counts is not None:
            counts.put(term, count)
    return count


def _postgres_counts(
    session: Session, terms: list[str], counts: TermCounts | None
) -> list[tuple[int, str]]:
    """Match counts per term: estimated from ANALYZE's statistics for common words, counted
    for the rest. A common word costs a bitmap of most of the table to count, and its
    estimate only decides that it is left out; a rare word is cheap to count exactly."""
    if not terms:
        return []
    common = (
        counts.common(lambda: common_lexemes(session))
        if counts is not None
        else common_lexemes(session)
    )
    words: list[list[str]] = list(
        session.scalars(
            text(
                "SELECT tsvector_to_array(to_tsvector('english'::regconfig, t.term)) "
                "FROM unnest(CAST(:terms AS text[])) WITH ORDINALITY AS t(term, n) ORDER BY t.n"
            ),
            {"terms": terms},
        )
    )
    counted = []
    for term, lexemes in zip(terms, words, strict=True):
        if not lexemes:  # only words the parser drops: it can match nothing
            continue
        # A phrase matches no more chunks than its rarest word.
        estimates = [common[lexeme] for lexeme in lexemes if lexeme in common]
        if estimates:
            counted.append((min(estimates), term))
        else:
            counted.append((_counted(session, term, counts, postgres=True), term))
    return counted


def common_lexemes(session: Session) -> dict[str, int]:
    """Estimated chunk counts of the most common words, from the statistics ANALYZE keeps for
    the text-search column (autovacuum refreshes them). Empty until the table is analyzed."""
    row = session.execute(
        text(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
            "FROM pg_stats s JOIN pg_class c ON c.oid = 'kb_chunks'::regclass "
            "WHERE s.schemaname = current_schema() AND s.tablename = 'kb_chunks' "
            "AND s.attname = 'text_search'"
        )
    ).first()
    if row is None or row[0] is None or row[2] is None or row[2] <= 0:
        return {}
    lexemes: list[str] = row[0]
    frequencies: list[float] = row[1]
    rows: float = row[2]
    # The frequency array ends with three summary figures that belong to no lexeme.
    return {
        lexeme: round(frequency * rows)
        for lexeme, frequency in zip(lexemes, frequencies[: len(lexemes)], strict=True)
    }


def _matches(session: Session, term: str, cap: int, *, postgres: bool) -> int:
    """How many chunks (in any workspace) contain the term, counting no further than `cap`."""
    if postgres:
        # A literal LIMIT: with a parameter the planner guesses a large share of the table
        # and prefers a sequential scan over the GIN index.
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM kb_chunks WHERE text_search @@ "
            f"phraseto_tsquery('english'::regconfig, :term) LIMIT {int(cap)}) AS m"
        )
        return int(session.execute(text(sql), {"term": term}).scalar_one())
    sql = (
        "SELECT count(*) FROM (SELECT rowid FROM kb_chunks_fts "
        "WHERE kb_chunks_fts MATCH :match LIMIT :cap)"
    )
    match = f"{{text section}} : {_quoted(term)}"
    return int(session.execute(text(sql), {"match": match, "cap": cap}).scalar_one())


def _search_sqlite(session: Session, workspace_id: str, terms: list[str], limit: int) -> list[str]:
    # Each term is a quoted phrase: FTS5 syntax in user text cannot break the query, and
    # "42.7%" matches the adjacent tokens 42 and 7.
    any_term = " OR ".join(_quoted(t) for t in terms)
    match = f"workspace_id : {_quoted(workspace_id)} AND {{text section}} : ({any_term})"
    # The index narrows to the workspace and ranks there; the join re-checks the workspace
    # exactly (tokenising an id could in theory conflate two) and drops unfinished documents.
    rows = session.execute(
        text(
            "SELECT c.chunk_id FROM ("
            "  SELECT rowid, rank FROM kb_chunks_fts WHERE kb_chunks_fts MATCH :match "
            "  ORDER BY rank LIMIT :inner"
            ") AS m "
            "JOIN kb_chunks c ON c.id = m.rowid "
            "JOIN kb_documents d ON d.id = c.doc_id "
            "WHERE c.workspace_id = :ws AND d.status = 'ready' "
            "ORDER BY m.rank LIMIT :limit"
        ),
        {"match": match, "ws": workspace_id, "limit": limit, "inner": limit * 2},
    )
    return [row[0] for row in rows]


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _search_postgres(
    session: Session, workspace_id: str, terms: list[str], limit: int
) -> list[str]:
    params: dict[str, object] = {"ws": workspace_id}
    parts = []
    for i, term in enumerate(terms):
        params[f"t{i}"] = term
        parts.append(f"phraseto_tsquery('english'::regconfig, :t{i})")
    tsquery = " || ".join(parts)
    # Matches come from the GIN index alone: `workspace_id || ''` keeps the planner (which may
    # have no statistics yet after a bulk load) from intersecting with the workspace index
    # and re-checking every chunk of the workspace. The budget bounds how many rows match.
    rows = session.execute(
        text(
            f"WITH q AS (SELECT {tsquery} AS query), "
            f"m AS MATERIALIZED ("
            f"  SELECT c.chunk_id, c.doc_id, ts_rank_cd(c.text_search, q.query) AS rank "
            f"  FROM kb_chunks c, q "
            f"  WHERE c.text_search @@ q.query AND (c.workspace_id || '') = :ws "
            f"  ORDER BY rank DESC LIMIT {int(limit) * 2}"
            f") "
            f"SELECT m.chunk_id FROM m JOIN kb_documents d ON d.id = m.doc_id "
            f"WHERE d.status = 'ready' ORDER BY m.rank DESC LIMIT {int(limit)}"
        ),
        params,
    )
    return [row[0] for row in rows]

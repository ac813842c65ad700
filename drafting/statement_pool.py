"""The typed statements a draft draws on, with their vectors, ranked against subject and lens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from langchain_core.embeddings import Embeddings

from drafting.lens import lens_query, mentions_lens
from drafting.parties import party
from drafting.polarity import favourable
from drafting.retriever import Retriever
from drafting.sourcebook import SourceBook
from knowledge.statement_typing import ChunkText, StatementTyper
from knowledge.statements import has_placeholder
from knowledge.types import Hit

# Below this the classifier is guessing; such a statement never fills a section.
MIN_CONFIDENCE = 0.4
# Cosine between a statement and a lens query above which it is about the lens even when it
# does not name it in any form. MiniLM similarities of related sentences sit around 0.3-0.5,
# but a lens is a query of one or two words, and against it the unrelated findings of one
# organisation (which share its domain's vocabulary) already reach 0.35-0.4; meaning alone
# must clear more than that. A statement that names the lens (mentions_lens) needs no
# similarity at all.
LENS_MIN_SIMILARITY = 0.42
SUBJECT_MIN_SIMILARITY = 0.3
# Words that say nothing about which part of a company a subject is.
_GENERIC = {
    "our",
    "the",
    "a",
    "an",
    "company",
    "team",
    "teams",
    "group",
    "business",
    "org",
    "organisation",
    "organization",
    "department",
    "unit",
    "of",
    "for",
    "and",
    "we",
    "us",
}
_FALLBACK_K = 60
# "… — owner: Sam", "Owner: People team": someone is put in charge of it, which makes it a
# plan item (a goal or an action), whatever its verbs read like; a fact has no owner.
_OWNER = re.compile(r"(?:^|[\s(—–-])owners?\s*[:=]\s*\S", re.IGNORECASE)
# "09:12 The sync locked the table", "2026-10-18 14:03 paged": a log or timeline line tells
# how an incident unfolded (its mechanics), not where the organisation stands.
_TIMESTAMPED = re.compile(r"^\s*(?:\d{4}-\d{2}-\d{2}[ T]?)?\d{1,2}:\d{2}\b")
_MEASURED = re.compile(r"\d")
_FACT_KINDS = ("strength", "weakness", "opportunity", "threat")
_ADDRESSES_READER = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
# "ours" stands for something of ours set against another party's thing.
_ABOUT_ANOTHER = re.compile(r"\bours\b", re.IGNORECASE)
_PLAN_HEADING = re.compile(
    r"\b(?:targets?|goals?|okrs?|objectives?|key results?|krs?|ambitions?|vision)\b", re.I
)
_REVIEW_HEADING = re.compile(
    r"\b(?:progress|results?|review|status|update|performance|vs\.?|versus|against|scorecard|"
    r"achieved|missed|retro\w*)\b",
    re.I,
)
_BOUND = re.compile(
    r"\b(?:within|under|below|above|over|at (?:least|most)|no (?:more|less) than|"
    r"(?:fewer|less|more) than|to)\s+[$€£]?\d",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Typed:
    """One typed statement, ready to rank and cite."""

    chunk_id: str
    doc_id: str
    position: int
    text: str
    heading: str | None
    kind: str
    confidence: float
    vector: np.ndarray

    @property
    def key(self) -> tuple[str, int]:
        return (self.chunk_id, self.position)


@dataclass
class Pool:
    statements: list[Typed]
    embeddings: Embeddings  # the model the statement vectors live in
    titles: dict[str, str]  # doc id -> title, for subject matching
    _cache: dict[str, np.ndarray] = field(default_factory=dict)

    def of(self, *kinds: str, min_confidence: float = MIN_CONFIDENCE) -> list[Typed]:
        return [
            s
            for s in self.statements
            if s.kind in kinds and s.confidence >= min_confidence and not has_placeholder(s.text)
        ]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = np.asarray(self.embeddings.embed_documents(missing), dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            for text, vector in zip(missing, vectors / np.clip(norms, 1e-12, None), strict=True):
                self._cache[text] = vector
        return np.vstack([self._cache[t] for t in texts])


def without_owner(text: str) -> str:
    """A plan line without the owner put in charge of it ("… — owner: Sam")."""
    return _OWNER.split(text)[0].rstrip(" —–-(")


def retyped(statement: Typed, subject: str = "") -> Typed:
    """The statement's type after the general rules the classifier cannot see from one
    sentence's meaning: an owned line is a plan item, a timestamped line incident mechanics,
    and whose fact it is (ours or another party's) decides internal or external."""
    kind, confidence = statement.kind, statement.confidence
    whose = party(statement.text, subject)
    if _OWNER.search(statement.text) and kind != "goal":
        plan = without_owner(statement.text)
        # Measured, it is a goal when it bounds a value ("within 3%"); an owned action keeps
        # its numbers as settings ("alert at 80% disk").
        if kind != "action" or _BOUND.search(plan):
            kind = "goal" if _MEASURED.search(plan) else "action"
            confidence = max(confidence, 0.6)
    elif _TIMESTAMPED.match(statement.text) and kind != "noise":
        kind = "context"
    elif kind in _FACT_KINDS and _ADDRESSES_READER.search(statement.text):
        # "Retain control of your data", "Bring a friend on your first visit": a sentence
        # that speaks to the reader sells or instructs; findings are about us and our world.
        kind = "context"
    elif kind in ("strength", "weakness") and (
        _ABOUT_ANOTHER.search(statement.text) or whose == "theirs"
    ):
        # "Their traffic grew to 400,000 visitors, close to ours", "They hired two of our
        # reporters": the subject is another organisation (measured against ours, or named by a
        # third-person pronoun); its strength is our threat, its gap our opening.
        verdict = favourable(statement.text)
        good = kind == "strength" if verdict is None else verdict
        kind = "threat" if good else "opportunity"
    elif kind in ("opportunity", "threat") and whose == "ours":
        # "Our two oldest sites need €1.4 million of repairs", "We lost the tender": the
        # subject is the organisation itself, so the fact is internal whatever its topic (the
        # classifier reads topics such as energy prices or rents as the outside world). Which
        # way the fact cuts decides strength or weakness; without a clear direction an
        # opening reads as favourable and a threat as not.
        verdict = favourable(statement.text)
        good = kind == "opportunity" if verdict is None else verdict
        kind = "strength" if good else "weakness"
    elif (
        kind in _FACT_KINDS
        and _PLAN_HEADING.search(statement.heading or "")
        and not _REVIEW_HEADING.search(statement.heading or "")
    ):
        # Under a targets, OKR or vision heading a sentence states where we want to be, even
        # in the present tense with a number ("We are the market leader in the Nordics",
        # "Win rate has increased to 35%"); a review of progress against goals reports facts.
        # The heading is the evidence, so the goal is as sure as an owned plan line.
        kind, confidence = "goal", max(confidence, 0.6)
    if kind == statement.kind:
        return statement
    return replace(statement, kind=kind, confidence=confidence)


def load_pool(retriever: Retriever, workspace_id: str, subject: str) -> Pool:
    """Every typed statement of the workspace; a retriever without a statement store (a test's
    in-memory one) has the chunks a subject search finds typed on the spot instead."""
    reader = getattr(retriever, "statements", None)
    if reader is not None:
        rows = reader(workspace_id)
        embeddings: Embeddings = retriever.statement_embeddings  # type: ignore[attr-defined]
        statements = [
            Typed(
                r.chunk_id,
                r.doc_id,
                r.position,
                r.text,
                r.heading,
                r.kind,
                r.confidence,
                np.frombuffer(r.vector, dtype=np.float16).astype(np.float32)
                if r.vector
                else np.zeros(384, dtype=np.float32),
            )
            for r in rows
        ]
        return Pool([retyped(s, subject) for s in statements], embeddings, {})
    hits = retriever.search(workspace_id, subject, k=_FALLBACK_K)
    return _typed_on_the_spot(hits, retriever.embeddings, subject)


def _typed_on_the_spot(hits: list[Hit], embeddings: Embeddings, subject: str) -> Pool:
    from knowledge.minilm import MiniLMEmbeddings

    model = embeddings if isinstance(embeddings, MiniLMEmbeddings) else MiniLMEmbeddings()
    typer = StatementTyper(model)
    chunks = [ChunkText(h.source_id, h.text, h.text, h.section) for h in hits]
    _, typed = typer.embed_and_type(model, chunks)
    doc_of = {h.source_id: h.doc_id for h in hits}
    statements = [
        Typed(
            t.chunk_id,
            doc_of[t.chunk_id],
            t.statement.position,
            t.statement.text,
            t.statement.heading,
            t.kind,
            t.confidence,
            t.vector.astype(np.float32),
        )
        for t in typed
    ]
    return Pool([retyped(s, subject) for s in statements], model, {h.doc_id: h.title for h in hits})


def subject_words(subject: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", subject.lower()) if w not in _GENERIC}


def _names(statement: Typed, words: set[str]) -> bool:
    found = set(re.findall(r"[a-z0-9]+", f"{statement.text} {statement.heading or ''}".lower()))
    return bool(words & found)


# Words that make a subject a part of an organisation rather than the organisation.
_PART_WORDS = {
    "team",
    "teams",
    "squad",
    "department",
    "unit",
    "division",
    "office",
    "product",
    "project",
    "programme",
    "program",
    "service",
    "app",
    "platform",
    "function",
}


def is_whole_knowledge_base(pool: Pool, subject: str) -> bool:
    """Whether a subject covers every statement: nothing specific ("our company"), a proper
    name that is not a team or product (the organisation itself, which its own documents
    mostly call "we"), or words named across most documents."""
    words = subject_words(subject)
    if not words:
        return True
    tokens = re.findall(r"[A-Za-z][\w&'-]*", subject)
    proper = all(t[0].isupper() for t in tokens if t.lower() not in _GENERIC)
    if proper and not {t.lower() for t in tokens} & _PART_WORDS:
        return True
    docs = {s.doc_id for s in pool.statements}
    naming = {s.doc_id for s in pool.statements if _names(s, words)}
    return len(naming) >= 0.5 * max(len(docs), 1)


def relevance(
    pool: Pool, statements: list[Typed], subject: str, lens: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per statement: how much it is about the subject (0-1), and about the lens (or None);
    0 means below the threshold, so not about it at all."""
    if not statements:
        return np.zeros(0), None
    matrix = np.vstack([s.vector for s in statements])
    if is_whole_knowledge_base(pool, subject):
        subject_score = np.ones(len(statements), dtype=np.float32)
    else:
        # A team or product: statements that name it, or mean it.
        words = subject_words(subject)
        by_meaning = matrix @ pool.embed([subject])[0]
        named = np.asarray([_names(s, words) for s in statements], dtype=np.float32)
        best = np.maximum(named, by_meaning)
        subject_score = np.where(best >= SUBJECT_MIN_SIMILARITY, best, 0.0)
    if not lens:
        return subject_score, None
    by_lens = matrix @ pool.embed([lens_query(lens)])[0]
    lens_score = np.asarray(
        [
            1.0 if mentions_lens(s.text, lens) else float(v)
            for s, v in zip(statements, by_lens, strict=True)
        ]
    )
    return subject_score, np.where(lens_score >= LENS_MIN_SIMILARITY, lens_score, 0.0)


def source_book(retriever: Retriever, workspace_id: str, chunk_ids: set[str]) -> SourceBook:
    """The cited chunks as sources, with their full text for the grounding check."""
    book = SourceBook()
    loader = getattr(retriever, "chunks", None)
    hits: list[Hit] = loader(workspace_id, sorted(chunk_ids)) if loader else []
    if loader is None:
        # An in-memory retriever: its search results are the only chunks it has.
        seen = set()
        for hit in retriever.search(workspace_id, " ", k=10_000):
            if hit.source_id in chunk_ids and hit.source_id not in seen:
                seen.add(hit.source_id)
                hits.append(hit)
    for hit in hits:
        book.add_hit(hit)
    return book

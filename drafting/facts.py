"""Turning retrieved chunks into single facts: one clean sentence each, figures kept verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafting.grounding import extract_figures
from knowledge.types import Hit

_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`)")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
# Split after a full stop only when a capital or digit follows, so "17.8M" and "e.g. x" survive.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
MIN_FACT_CHARS = 25
MAX_FACT_CHARS = 260


@dataclass(frozen=True)
class Fact:
    """One sentence from one chunk, remembered with where it came from."""

    text: str
    hit: Hit
    heading: str | None
    rank: int  # best rank of its chunk across the queries that found it

    @property
    def source_id(self) -> str:
        return self.hit.source_id

    @property
    def has_figure(self) -> bool:
        return bool(extract_figures(self.text))


def clean_inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def _table_row(line: str, header: list[str] | None) -> tuple[str | None, list[str] | None]:
    cells = [clean_inline(c) for c in line.strip().strip("|").split("|")]
    if header is None:
        return None, cells
    if len(cells) != len(header):
        return None, header
    pairs = [f"{h}: {c}" for h, c in zip(header, cells, strict=True) if c]
    return "; ".join(pairs), header


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _split_long(sentence: str) -> list[str]:
    if len(sentence) <= MAX_FACT_CHARS:
        return [sentence]
    parts = [p.strip() for p in re.split(r";\s+", sentence) if p.strip()]
    return [p for p in parts if len(p) <= MAX_FACT_CHARS]


def chunk_facts(hit: Hit, rank: int) -> list[Fact]:
    """Sentences, bullets and table rows of a chunk, each with the heading above it."""
    heading = hit.section
    header: list[str] | None = None
    facts: list[Fact] = []
    for raw in hit.text.splitlines():
        if not raw.strip() or _TABLE_RULE.match(raw):
            continue
        if match := _HEADING.match(raw):
            heading = clean_inline(match.group(1))
            header = None
            continue
        if raw.lstrip().startswith("|"):
            row, header = _table_row(raw, header)
            if row:
                facts.append(Fact(row, hit, heading, rank))
            continue
        header = None
        line = clean_inline(_BULLET.sub("", raw))
        for sentence in split_sentences(line):
            for part in _split_long(sentence):
                if len(part) >= MIN_FACT_CHARS:
                    facts.append(Fact(part, hit, heading, rank))
    return facts


def as_sentence(text: str) -> str:
    """Capitalised, ending with a full stop; the words and figures themselves stay as written."""
    text = text.strip().rstrip(" ,;:-—")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def lower_first(text: str, context: str = "") -> str:
    """Lower-case the first letter for a sentence placed after a dash; names keep their capital.

    A word counts as a name when it is an acronym, has inner capitals or digits, or appears
    capitalised mid-sentence somewhere in `context` (its source chunk).
    """
    first = text.split(" ", 1)[0]
    if first.lower() in _COMMON_STARTERS:
        return text[:1].lower() + text[1:]
    if not first[:1].isupper() or not first.isalpha() or any(c.isupper() for c in first[1:]):
        return text
    if _capitalised_mid_sentence(first, context):
        return text
    return text[:1].lower() + text[1:]


def _capitalised_mid_sentence(word: str, context: str) -> bool:
    for match in re.finditer(rf"\b{re.escape(word)}\b", context):
        before = context[: match.start()].rstrip(" ")
        if before and before[-1] not in ".!?:\n-•*#|":
            return True
    return False


_COMMON_STARTERS = {
    "the",
    "our",
    "we",
    "a",
    "an",
    "average",
    "customer",
    "customers",
    "revenue",
    "annual",
    "overall",
    "total",
    "median",
    "monthly",
    "quarterly",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "one",
    "most",
    "more",
    "fewer",
    "less",
    "only",
    "each",
    "every",
    "all",
    "new",
    "net",
    "gross",
    "first",
    "support",
    "engineering",
    "sales",
    "hiring",
    "deployment",
    "deployments",
    "incidents",
    "incident",
    "uptime",
    "churn",
    "attrition",
    "competitors",
    "competitor",
    "demand",
    "prices",
    "pricing",
    "costs",
    "cost",
    "shipments",
    "delivery",
    "on-time",
    "tickets",
    "pilot",
    "pilots",
    "mobile",
    "enterprise",
    "mid-market",
    "since",
    "on",
    "in",
    "at",
    "for",
    "after",
    "by",
    "with",
    "over",
    "during",
    "across",
    "this",
    "there",
    "it",
    "its",
    "their",
    "these",
    "those",
}


def normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

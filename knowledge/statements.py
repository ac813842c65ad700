"""Statements: a chunk split into sentences, bullets and table rows, each with its shape.

The statement classifier (statement_classifier.py) reads these; drafting reads the typed rows
back from `kb_statements`. Spans are character offsets into the chunk's text, so the chunk's
own token states can be pooled per statement instead of embedding every statement again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATEMENT_KINDS = (
    "strength",
    "weakness",
    "opportunity",
    "threat",
    "goal",
    "action",
    "mission",
    "value",
    "context",
    "noise",
)
FACT_KINDS = ("strength", "weakness", "opportunity", "threat")

_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•→]|\d+[.)]|[a-z][.)])\s+")
_CHECKBOX = re.compile(r"^\[[ xX]\]\s*")
_QUOTE = re.compile(r"^\s*>\s?")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
# Lines that only draw: horizontal rules, table rules, code fences.
_SCAFFOLD = re.compile(r"^\s*(?:[-=_*`~|:+ ]{3,}|```.*)\s*$")
# A sentence ends at .!? followed by space and a capital, digit or quote; "17.8M", "e.g. x",
# "Dr. Smith" (lower-case or short abbreviation before the dot) survive; "**Name.** Text"
# splits after the bold name.
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z]\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?])(?:\*\*|__)?\s+(?=[A-Z0-9\"“(\[*_])"
)
MAX_STATEMENT_CHARS = 600


@dataclass(frozen=True)
class Statement:
    """One statement of a chunk: clean text, the heading above it, and how it was written."""

    text: str
    heading: str | None
    position: int
    start: int  # character span in the chunk text (for pooling its token states)
    end: int
    shape: str  # prose | bullet | numbered | table | quote | checkbox


def clean_inline(text: str) -> str:
    """Markdown links to their text, emphasis marks dropped, whitespace collapsed."""
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of one line."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def split_chunk(text: str, heading: str | None) -> list[Statement]:
    """Every statement of a chunk in order; headings update the heading path, rules are skipped."""
    statements: list[Statement] = []
    offset = 0
    current = heading
    for line in text.splitlines(keepends=True):
        line_start, offset = offset, offset + len(line)
        body = line.rstrip("\r\n")
        if not body.strip() or _SCAFFOLD.match(body):
            continue
        if match := _HEADING.match(body):
            title = clean_inline(match.group(1))
            current = f"{heading} > {title}" if heading else title
            continue
        if body.lstrip().startswith("|"):
            cells = [clean_inline(c) for c in body.strip().strip("|").split("|")]
            row = " | ".join(c for c in cells if c)
            if row:
                statements.append(
                    Statement(row, current, len(statements), line_start, offset, "table")
                )
            continue
        shape, skip = _shape_of(body)
        rest = body[skip:]
        for s, e in split_sentences(rest):
            clean = clean_inline(rest[s:e])
            if not clean:
                continue
            start = line_start + skip + s
            statements.append(
                Statement(
                    clean[:MAX_STATEMENT_CHARS],
                    current,
                    len(statements),
                    start,
                    line_start + skip + e,
                    shape,
                )
            )
    return statements


def _shape_of(line: str) -> tuple[str, int]:
    """How a line is written, and how many leading characters are markup."""
    skip = 0
    shape = "prose"
    if match := _QUOTE.match(line):
        shape, skip = "quote", match.end()
    if match := _LIST_MARK.match(line[skip:]):
        marker = match.group(0).strip()
        shape = "numbered" if marker[:1].isdigit() else "bullet"
        skip += match.end()
    if match := _CHECKBOX.match(line[skip:]):
        shape, skip = "checkbox", skip + match.end()
    return shape, skip


# ---- display text ------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"\[_?N\d+_?\]|\bTBD\b|\bTBC\b|\?{2,}|\bX{1,2}(?:\.X)?\s?%|\bNN%?|\bX\.X\b", re.IGNORECASE
)
_LEAD_LABEL = re.compile(r"^(?:KR|O|Objective|Measure|Goal|Target)\s*\d*(?:\.\d+)*\s*[:—–-]\s*")


def has_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def without_lead_label(text: str) -> str:
    """A list line without its "KR 1.2:" or "Target 1:" lead: that number names the line, it
    is not a value the line states."""
    return _LEAD_LABEL.sub("", text.lstrip())


def display_text(text: str) -> str:
    """A statement as a draft shows it: no markup, no "KR 1.2:" lead, a capital and a full stop."""
    text = clean_inline(text)
    text = without_lead_label(text).strip().rstrip(" ,;:-—")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."

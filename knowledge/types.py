"""Plain data the knowledge base hands to its callers (drafting, handlers, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk, with everything a citation needs."""

    source_id: str  # "<doc_id>#<chunk number>"
    doc_id: str
    title: str
    text: str
    score: float
    section: str | None = None
    url: str | None = None  # source URL or Slack permalink, when there is one
    source_kind: str = (
        "text"  # text | markdown | html | pdf | docx | csv | url | slack_file | draft | retro
    )
    page: int | None = None
    # Chunk ids of the documents this chunk's text came from (a final draft's item), or none.
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Passage:
    """One piece of knowledge handed over already cut (a final draft's item), with the chunk
    ids of the documents it came from."""

    text: str
    section: str | None = None
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentInfo:
    """One document in a workspace's registry."""

    doc_id: str
    title: str
    source_kind: str
    url: str | None
    chunks: int
    pages: int | None
    added_by: str | None
    added_at: datetime | None
    status: str = "ready"


@dataclass(frozen=True)
class IngestResult:
    """What happened to one document handed to the knowledge base."""

    doc_id: str
    title: str
    chunks: int
    pages: int | None
    status: Literal["added", "unchanged", "replaced"]
    message: str  # a sentence for the person who added it
    source_kind: str = "text"
    url: str | None = None

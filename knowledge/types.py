"""Plain data the knowledge base hands to its callers (drafting, handlers, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass


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
    source_kind: str = "text"  # text | markdown | html | pdf | docx | csv | url | slack_file | draft | retro
    page: int | None = None

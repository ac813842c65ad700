"""Collects the chunks a draft cites, as `SourceRef`s keyed by source id, plus their full text."""

from __future__ import annotations

import re

from drafting.draft import SourceRef
from knowledge.types import Hit

# Long enough to hold a whole chunk, so figures can be re-checked after a revision.
EXCERPT_CHARS = 4000


def excerpt_of(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def source_title(hit: Hit) -> str:
    """ "Document › Section", without repeating a section that only restates the title."""
    if not hit.section or hit.section.strip() == hit.title.strip():
        return hit.title
    return f"{hit.title} › {hit.section}"


class SourceBook:
    def __init__(self) -> None:
        self.refs: dict[str, SourceRef] = {}
        self.texts: dict[str, str] = {}

    def add_hit(self, hit: Hit) -> str:
        if hit.source_id not in self.refs:
            title = source_title(hit)
            self.refs[hit.source_id] = SourceRef(
                title=title, url=hit.url, excerpt=excerpt_of(hit.text)
            )
            self.texts[hit.source_id] = hit.text
        return hit.source_id

    def add_refs(self, refs: dict[str, SourceRef]) -> None:
        """Sources another draft already cites (a plan quoting its SWOT), kept with their text."""
        for source_id, ref in refs.items():
            if source_id not in self.refs:
                self.refs[source_id] = ref
                self.texts[source_id] = ref.excerpt

    def add_input(self, text: str, title: str) -> str:
        source_id = f"input:{sum(1 for s in self.refs if s.startswith('input:')) + 1}"
        self.refs[source_id] = SourceRef(title=title, url=None, excerpt=excerpt_of(text))
        self.texts[source_id] = text
        return source_id

    def cited(self, source_ids: set[str]) -> dict[str, SourceRef]:
        """Only the sources some item cites, in the order they were first added."""
        return {sid: ref for sid, ref in self.refs.items() if sid in source_ids}

"""Retro syntheses and entry sorting: drafted from what the team wrote, not from the knowledge base.

Kept apart from the Drafter so the retro scheduler can close retros with only the embedding
model (loaded on first use) and the language model, never opening the vector store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from drafting.draft import Draft, RetroEntry
from drafting.llm import LLMError
from drafting.llm_engine import LLMEngine
from drafting.retro_offline import classify_entry, draft_retro_offline
from drafting.settings import LLMSettings
from drafting.vectors import CachedEmbedder

log = logging.getLogger(__name__)
ProgressCallback = Callable[[str], None]


def with_fallback_notice(draft: Draft, exc: Exception, extra: str | None = None) -> Draft:
    """The offline draft, saying why the language model's could not be used."""
    log.warning("LLM drafting failed, offline engine used instead: %s", exc)
    notice = f"The language model could not be used ({exc}); the offline engine wrote this draft."
    notes = [notice, extra, draft.notice]
    return draft.model_copy(update={"notice": " ".join(n for n in notes if n)})


class RetroSynthesis:
    def __init__(
        self,
        *,
        embedder: CachedEmbedder,
        llm: LLMEngine | None,
    ) -> None:
        self.embedder = embedder
        self.llm = llm

    @classmethod
    def build(
        cls, embeddings: Embeddings, llm: LLMSettings, *, chat_model: BaseChatModel | None = None
    ) -> RetroSynthesis:
        engine = LLMEngine(llm, None, model=chat_model) if llm.model or chat_model else None
        return cls(embedder=CachedEmbedder(embeddings), llm=engine)

    def draft_retro(
        self,
        workspace_id: str,
        subject: str,
        entries: list[RetroEntry],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        """Retros draw on what the team wrote; `workspace_id` is kept for logging."""
        if self.llm is not None and entries:
            try:
                return self.llm.draft_retro(subject, entries, on_progress=on_progress)
            except LLMError as exc:
                log.warning("retro synthesis for %s fell back to offline: %s", workspace_id, exc)
                return with_fallback_notice(
                    draft_retro_offline(self.embedder, subject, entries), exc
                )
        return draft_retro_offline(self.embedder, subject, entries)

    def classify_retro_entry(self, text: str) -> str:
        """went_well | not_so_well | learnings | action_items, for an entry written with no prefix."""
        return classify_entry(text, self.embedder)

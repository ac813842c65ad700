"""Drafts with a language model: retrieval as numbered sources, then an `LLMConversation`."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel

from drafting.draft import Draft, RetroEntry
from drafting.gather import search_all
from drafting.llm import LLMConversation, LLMUnavailable, ProgressCallback, make_chat_model
from drafting.llm_build import DraftPayload, build_draft, expected_keys
from drafting.prompts import (
    NumberedSource,
    TypedStatement,
    okr_task,
    regenerate_task,
    retro_task,
    revise_task,
    statement_sources,
    swot_task,
)
from drafting.retriever import Retriever
from drafting.sections import SWOT_SPECS
from drafting.settings import LLMSettings
from drafting.sourcebook import source_title
from knowledge.types import Hit

MAX_SOURCES = 16
MAX_SOURCE_CHARS = 16_000
SEARCH_K = 6


def numbered_hit(number: int, hit: Hit) -> NumberedSource:
    return NumberedSource(number, hit.source_id, source_title(hit), hit.text, hit.url)


class LLMEngine:
    def __init__(
        self,
        settings: LLMSettings,
        retriever: Retriever | None,
        *,
        model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        # None where only retros are drafted (the scheduler): they need no knowledge base.
        self._retriever = retriever
        self._model = model

    def retriever_or_fail(self) -> Retriever:
        if self._retriever is None:
            raise RuntimeError("this engine drafts retros only; it has no knowledge base")
        return self._retriever

    @property
    def name(self) -> str:
        return f"llm:{self.settings.model}"

    def _conversation(self) -> LLMConversation:
        if self._model is None:
            try:
                self._model = make_chat_model(self.settings)
            except LLMUnavailable:
                raise
            except Exception as exc:  # a missing provider package, an unknown provider, bad keys
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise LLMUnavailable(
                    f"cannot set up the model {self.settings.model!r}: "
                    f"{type(exc).__name__}: {first_line}"
                ) from exc
        return LLMConversation(self._model, self.settings)

    def sources_for(self, workspace_id: str, queries: list[str]) -> list[NumberedSource]:
        """The best chunks across the queries, numbered 1..n, within a prompt budget."""
        found = search_all(
            self.retriever_or_fail(), workspace_id, [(None, q) for q in queries], SEARCH_K
        )
        numbered: list[NumberedSource] = []
        budget = MAX_SOURCE_CHARS
        for entry in sorted(found.values(), key=lambda e: e.rank):
            hit = entry.hit
            if len(numbered) >= MAX_SOURCES or len(hit.text) > budget:
                break
            budget -= len(hit.text)
            numbered.append(numbered_hit(len(numbered) + 1, hit))
        return numbered

    def draft_swot(
        self,
        workspace_id: str,
        subject: str,
        lens: str | None,
        *,
        mission: str | None = None,
        per_section: int = 5,
        priorities: int = 4,
        statements: Sequence[TypedStatement] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        """`statements`: typed statements of the knowledge base, when ingestion provides them;
        they join the numbered sources, each citing its chunk."""
        topic = f"{subject} {lens}" if lens else subject
        queries = [topic] + [q.format(topic=topic) for spec in SWOT_SPECS for q in spec.queries]
        sources = self.sources_for(workspace_id, queries)
        sources += statement_sources(statements or [], len(sources) + 1)

        def build(payload: DraftPayload) -> Draft:
            return build_draft(
                payload,
                kind="swot",
                subject=subject,
                lens=lens,
                mission=mission,
                engine=self.name,
                sources=sources,
            )

        return self._conversation().run(
            task=swot_task(subject, lens, per_section, priorities, statements),
            sources=sources,
            user_text=" ".join(filter(None, [subject, lens or "", mission or ""])),
            expected=expected_keys("swot"),
            build=build,
            on_progress=on_progress,
        )

    def draft_okr(
        self,
        workspace_id: str,
        subject: str,
        *,
        mission: str | None,
        swot: Draft | None,
        objectives: int = 4,
        statements: Sequence[TypedStatement] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        """`statements` as for `draft_swot`: goals give key results their targets."""
        priorities = swot.section("priorities") if swot else None
        lines = [f"{i.label}: {i.text}" for i in priorities.items] if priorities else []
        queries = [
            f"{subject} targets goals",
            f"{subject} metrics current target",
            f"{subject} values mission",
        ]
        queries += [line for line in lines]
        sources = self.sources_for(workspace_id, queries)
        sources += statement_sources(statements or [], len(sources) + 1)
        user_text = "\n".join(
            filter(
                None,
                [
                    f"Subject: {subject}",
                    f"Mission: {mission}" if mission else "",
                    "SWOT priorities:" if lines else "",
                    *lines,
                ],
            )
        )

        def build(payload: DraftPayload) -> Draft:
            return build_draft(
                payload,
                kind="okr",
                subject=subject,
                lens=swot.lens if swot else None,
                mission=mission,
                engine=self.name,
                sources=sources,
            )

        return self._conversation().run(
            task=okr_task(subject, mission, objectives, 4, statements),
            sources=sources,
            user_text=user_text,
            expected=expected_keys("okr", objectives),
            build=build,
            on_progress=on_progress,
        )

    def draft_retro(
        self,
        subject: str,
        entries: list[RetroEntry],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        sources = [
            NumberedSource(
                n,
                f"input:{n}",
                # Authors are not sent: the model needs what was said, not who said it.
                "Retro entry" + (f" ({e.section})" if e.section else ""),
                e.text,
            )
            for n, e in enumerate(entries, start=1)
        ]

        def build(payload: DraftPayload) -> Draft:
            return build_draft(
                payload,
                kind="retro",
                subject=subject,
                lens=None,
                mission=None,
                engine=self.name,
                sources=sources,
                entries=entries,
            )

        return self._conversation().run(
            task=retro_task(subject),
            sources=sources,
            user_text=subject,
            expected=expected_keys("retro"),
            build=build,
            on_progress=on_progress,
        )

    def _draft_sources(
        self, draft: Draft, workspace_id: str | None, query: str
    ) -> list[NumberedSource]:
        numbered = [
            NumberedSource(n, sid, ref.title, ref.excerpt, ref.url)
            for n, (sid, ref) in enumerate(draft.sources.items(), start=1)
        ]
        if workspace_id and query.strip():
            known = {s.source_id for s in numbered}
            for hit in self.retriever_or_fail().search(workspace_id, query, k=SEARCH_K):
                if hit.source_id not in known:
                    numbered.append(numbered_hit(len(numbered) + 1, hit))
        return numbered

    def revise(
        self,
        draft: Draft,
        instruction: str,
        history: list[str],
        *,
        workspace_id: str | None,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        sources = self._draft_sources(draft, workspace_id, f"{draft.subject} {instruction}")
        numbers = {s.source_id: s.number for s in sources}

        def build(payload: DraftPayload) -> Draft:
            return build_draft(
                payload,
                kind=draft.kind,
                subject=draft.subject,
                lens=draft.lens,
                mission=draft.mission,
                engine=self.name,
                sources=sources,
            )

        return self._conversation().run(
            task=revise_task(draft, instruction, history, numbers),
            sources=sources,
            user_text="\n".join([instruction, *history, draft.subject]),
            expected=None,
            build=build,
            on_progress=on_progress,
        )

    def regenerate(
        self,
        draft: Draft,
        section_key: str,
        *,
        workspace_id: str | None,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        """A draft holding only the regenerated section and the sources it cites."""
        section = draft.section(section_key)
        query = f"{draft.subject} {draft.lens or ''} {section.title if section else section_key}"
        sources = self._draft_sources(draft, workspace_id, query)
        numbers = {s.source_id: s.number for s in sources}

        def build(payload: DraftPayload) -> Draft:
            return build_draft(
                payload,
                kind=draft.kind,
                subject=draft.subject,
                lens=draft.lens,
                mission=draft.mission,
                engine=self.name,
                sources=sources,
            )

        fresh = self._conversation().run(
            task=regenerate_task(draft, section_key, numbers),
            sources=sources,
            user_text=draft.subject,
            expected=[section_key],
            build=build,
            on_progress=on_progress,
        )
        if section is not None:
            kept = fresh.sections[0].model_copy(
                update={
                    "title": section.title,
                    "intent": fresh.sections[0].intent or section.intent,
                }
            )
            fresh = fresh.model_copy(update={"sections": [kept]})
        return fresh

"""`Drafter`: the one entry point for SWOT, OKR and retro drafts, revisions and regeneration."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from drafting.add_offline import AddRequest, add_from_knowledge
from drafting.draft import OFFLINE_ENGINE, Draft, RetroEntry, RevisionResult, Section
from drafting.facts import normalised
from drafting.grounding import check_draft
from drafting.llm import LLMError
from drafting.llm_engine import LLMEngine
from drafting.models import DraftRequest
from drafting.okr_offline import draft_okr_offline
from drafting.origins import cite_originals
from drafting.retriever import Retriever
from drafting.retro_offline import draft_retro_offline
from drafting.retro_synthesis import RetroSynthesis, with_fallback_notice
from drafting.revise import apply_structural, describe, prune_sources
from drafting.settings import LLMSettings
from drafting.store import latest_final_swot
from drafting.swot_offline import draft_swot_offline, priorities_from
from drafting.vectors import CachedEmbedder

log = logging.getLogger(__name__)

EngineChoice = Literal["auto", "offline", "llm"]
ProgressCallback = Callable[[str], None]


class Drafter:
    """Drafts with the LLM when one is configured (falling back to offline on failure), else offline."""

    def __init__(
        self,
        *,
        retriever: Retriever,
        llm: LLMSettings,
        sessions: sessionmaker[Session] | None = None,
        engine: EngineChoice = "auto",
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.retriever = retriever
        self.sessions = sessions
        self.embedder = CachedEmbedder(retriever.embeddings)
        use_llm = engine == "llm" or (engine == "auto" and bool(llm.model))
        if use_llm and not llm.model and chat_model is None:
            raise ValueError("--engine llm needs LLM__MODEL, e.g. openai:gpt-4o-mini")
        self.llm: LLMEngine | None = (
            LLMEngine(llm, retriever, model=chat_model) if use_llm else None
        )
        # Retros are drafted from what the team wrote, with the same engines.
        self.retro = RetroSynthesis(embedder=self.embedder, llm=self.llm)

    @property
    def engine_name(self) -> str:
        return self.llm.name if self.llm else OFFLINE_ENGINE

    # ---- drafts ---------------------------------------------------------------------------

    def draft_request(
        self, request: DraftRequest, *, on_progress: ProgressCallback | None = None
    ) -> Draft:
        """The draft a stored request asked for (a SWOT or an OKR plan)."""
        workspace_id, subject = request.workspace_id, request.subject or "our company"
        if request.kind == "swot":
            return self.draft_swot(workspace_id, subject, request.lens, on_progress=on_progress)
        if request.kind == "okr":
            # draft_okr finds the saved mission and the SWOT to build on, and says which.
            draft = self.draft_okr(
                workspace_id, subject, lens=request.lens, on_progress=on_progress
            )
            if draft.notice is None:
                draft = draft.model_copy(
                    update={
                        "notice": "No saved SWOT for this subject, so the plan starts from a "
                        "fresh SWOT of the knowledge base."
                    }
                )
            return draft
        raise ValueError(f"unknown draft kind {request.kind!r}")

    def draft_swot(
        self,
        workspace_id: str,
        subject: str,
        lens: str | None = None,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        mission = self._saved_mission(workspace_id)
        if self.llm is not None:
            try:
                draft = self.llm.draft_swot(
                    workspace_id, subject, lens, mission=mission, on_progress=on_progress
                )
            except LLMError as exc:
                draft = with_fallback_notice(
                    self._offline_swot(workspace_id, subject, lens, mission), exc
                )
        else:
            draft = self._offline_swot(workspace_id, subject, lens, mission)
        return cite_originals(draft, self.retriever, workspace_id)

    def _offline_swot(
        self, workspace_id: str, subject: str, lens: str | None, mission: str | None
    ) -> Draft:
        draft = draft_swot_offline(self.retriever, self.embedder, workspace_id, subject, lens)
        return _note_if_empty(draft.model_copy(update={"mission": mission}))

    def draft_okr(
        self,
        workspace_id: str,
        subject: str,
        *,
        lens: str | None = None,
        mission: str | None = None,
        from_swot: Draft | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Draft:
        """A plan for `subject`, built on `from_swot` or the saved SWOT with the same lens.

        The plan takes its SWOT's lens, and its notice says so whenever that SWOT has one.
        """
        plan = self._draft_okr(workspace_id, subject, lens, mission, from_swot, on_progress)
        return cite_originals(plan, self.retriever, workspace_id)

    def _draft_okr(
        self,
        workspace_id: str,
        subject: str,
        lens: str | None,
        mission: str | None,
        from_swot: Draft | None,
        on_progress: ProgressCallback | None,
    ) -> Draft:
        mission = mission or self._saved_mission(workspace_id)
        swot, basis_note = from_swot, lens_note(from_swot, lens) if from_swot else None
        if swot is None:
            swot, basis_note = self._saved_swot(workspace_id, subject, lens)
        if self.llm is not None:
            try:
                draft = self.llm.draft_okr(
                    workspace_id, subject, mission=mission, swot=swot, on_progress=on_progress
                )
                return draft.model_copy(update={"notice": basis_note})
            except LLMError as exc:
                offline = self._offline_okr(workspace_id, subject, mission, swot, lens=lens)
                return with_fallback_notice(offline, exc, basis_note)
        offline = self._offline_okr(workspace_id, subject, mission, swot, lens=lens)
        notice = " ".join(filter(None, [basis_note, offline.notice])) or None
        return offline.model_copy(update={"notice": notice})

    def _offline_okr(
        self,
        workspace_id: str,
        subject: str,
        mission: str | None,
        swot: Draft | None,
        exclude: set[str] | None = None,
        *,
        lens: str | None = None,
    ) -> Draft:
        if swot is None or swot.kind != "swot" or not swot.section("priorities"):
            # The plan always follows from a SWOT: without a saved one, draft one first.
            swot = draft_swot_offline(self.retriever, self.embedder, workspace_id, subject, lens)
        return _note_if_empty(
            draft_okr_offline(
                self.retriever,
                self.embedder,
                workspace_id,
                subject,
                mission=mission,
                swot=swot,
                exclude=exclude,
            )
        )

    # ---- revisions --------------------------------------------------------------------------

    def revise(
        self,
        draft: Draft,
        instruction: str,
        history: list[str],
        *,
        workspace_id: str | None = None,
    ) -> RevisionResult:
        """A new version following `instruction`; `history` is the thread's earlier requests."""

        def add(current: Draft, request: AddRequest) -> tuple[Draft, str]:
            assert workspace_id is not None
            return add_from_knowledge(self.retriever, self.embedder, workspace_id, current, request)

        # With an LLM, "add ..." is better written by the model; offline, the KB supplies it.
        offline_add = add if workspace_id is not None and self.llm is None else None
        outcome = apply_structural(draft, instruction, offline_add)
        if outcome.needs_llm and self.llm is not None:
            try:
                revised = self.llm.revise(draft, instruction, history, workspace_id=workspace_id)
                revised = self._citing_originals(prune_sources(revised), workspace_id)
                return RevisionResult(revised, "Revised as asked.", True)
            except LLMError as exc:
                log.warning("LLM revision failed, applying what the offline engine can: %s", exc)
                note = describe(outcome, engine_is_offline=True)
                note = f"The language model could not be used ({exc}). {note}"
                return self._finish_revision(
                    draft, outcome.draft, outcome.regenerate, note, workspace_id
                )
        note = describe(outcome, engine_is_offline=self.llm is None)
        return self._finish_revision(draft, outcome.draft, outcome.regenerate, note, workspace_id)

    def _finish_revision(
        self,
        original: Draft,
        revised: Draft,
        regenerate: list[str],
        note: str,
        workspace_id: str | None,
    ) -> RevisionResult:
        for key in regenerate:
            revised = self.regenerate(revised, key, workspace_id=workspace_id)
        revised = self._citing_originals(check_draft(prune_sources(revised), {}), workspace_id)
        changed = revised.model_dump() != original.model_dump()
        return RevisionResult(revised, note, changed)

    def regenerate(
        self, draft: Draft, section_key: str, *, workspace_id: str | None = None
    ) -> Draft:
        """The draft with one section redone; without `workspace_id` only its own sources are used."""
        if draft.section(section_key) is None:
            raise ValueError(f"this draft has no section {section_key!r}")
        redone: Draft | None = None
        if self.llm is not None:
            try:
                fresh = self.llm.regenerate(draft, section_key, workspace_id=workspace_id)
                redone = _merge_section(draft, fresh.sections[0], fresh)
            except LLMError as exc:
                log.warning("LLM regenerate failed, using the offline engine: %s", exc)
        if redone is None:
            redone = self._regenerate_offline(draft, section_key, workspace_id)
        return self._citing_originals(redone, workspace_id)

    def _regenerate_offline(self, draft: Draft, key: str, workspace_id: str | None) -> Draft:
        if draft.kind == "swot" and key == "priorities":
            quadrants = {s.key: s.items for s in draft.sections if s.key != "priorities"}
            section = draft.section(key)
            assert section is not None
            fresh_items = priorities_from(quadrants, max(len(section.items), 4), self.embedder)
            return _merge_section(draft, section.model_copy(update={"items": fresh_items}), draft)
        if draft.kind == "swot" and workspace_id:
            shown = {normalised(item.text) for item in draft.items()}
            fresh = draft_swot_offline(
                self.retriever,
                self.embedder,
                workspace_id,
                draft.subject,
                draft.lens,
                exclude=shown,
            )
            section = fresh.section(key)
            if section is not None and section.items:
                return _merge_section(draft, section, fresh)
            return draft
        if draft.kind == "okr" and workspace_id:
            shown = {normalised(item.text) for item in draft.items()}
            fresh = self._offline_okr(workspace_id, draft.subject, draft.mission, None, shown)
            section = fresh.section(key)
            return _merge_section(draft, section, fresh) if section else draft
        if draft.kind == "retro":
            ids, entries = _entries_of(draft)
            fresh = _renumbered(draft_retro_offline(self.embedder, draft.subject, entries), ids)
            section = fresh.section(key)
            return _merge_section(draft, section, fresh) if section else draft
        return draft

    # ---- helpers ----------------------------------------------------------------------------

    def _citing_originals(self, draft: Draft, workspace_id: str | None) -> Draft:
        """Knowledge a revision or new section took from a final draft cites its documents."""
        return cite_originals(draft, self.retriever, workspace_id) if workspace_id else draft

    def _saved_mission(self, workspace_id: str) -> str | None:
        if self.sessions is None:
            return None
        from core.workspaces import get_mission

        with session_scope(self.sessions) as session:
            return get_mission(session=session, workspace_id=workspace_id)

    def _saved_swot(
        self, workspace_id: str, subject: str, lens: str | None
    ) -> tuple[Draft | None, str | None]:
        if self.sessions is None:
            return None, None
        with session_scope(self.sessions) as session:
            record = latest_final_swot(
                session=session, workspace_id=workspace_id, subject=subject, lens=lens
            )
            if record is None:
                return None, None
            state = "final" if record.is_final else "latest, not yet marked final"
            swot = record.draft()
            basis = f"Built from the saved SWOT for “{record.subject}” (version {record.version}, {state})."
            return swot, " ".join(filter(None, [basis, lens_note(swot, lens)]))


def lens_note(swot: Draft, wanted: str | None) -> str | None:
    """What the reader must know when the SWOT under a plan has a lens: the plan keeps it."""
    if not swot.lens:
        return None
    if wanted and wanted.strip().lower() == swot.lens.strip().lower():
        return f"The SWOT has the “{swot.lens}” lens, and so does this plan."
    if wanted:
        return (
            f"No SWOT with the “{wanted}” lens was saved for this subject; the plan builds on "
            f"one with the “{swot.lens}” lens and keeps it."
        )
    return (
        f"That SWOT has the “{swot.lens}” lens, so this plan keeps it: no SWOT without a lens "
        "was saved for this subject. Draft `/swot` without a lens for a plan without one."
    )


EMPTY_KB_NOTICE = (
    "The knowledge base of this workspace had nothing to draw on for this subject, so the draft "
    "is empty. Add documents first (`/align kb add` in Slack, `alignbot kb add` in a shell)."
)


def _note_if_empty(draft: Draft) -> Draft:
    if draft.items():
        return draft
    return draft.model_copy(update={"notice": EMPTY_KB_NOTICE})


def _merge_section(draft: Draft, section: Section, fresh: Draft) -> Draft:
    sections = [section if s.key == section.key else s for s in draft.sections]
    sources = dict(draft.sources)
    for sid in {sid for item in section.items for sid in item.sources}:
        if sid in fresh.sources:
            sources[sid] = fresh.sources[sid]
    # Re-checked against the merged sources, as a revision is: the figures must still be there.
    merged = draft.model_copy(update={"sections": sections, "sources": sources})
    return check_draft(prune_sources(merged), {})


def _entries_of(draft: Draft) -> tuple[list[str], list[RetroEntry]]:
    """A retro's entries rebuilt from its `input:n` sources (and their ids, in the same order).

    Drafts do not keep authors, so each entry counts as one person when a section is redone.
    """
    section_of = {sid: s.key for s in draft.sections for i in s.items for sid in i.sources}
    inputs = sorted(
        (sid for sid in draft.sources if sid.startswith("input:")),
        key=lambda sid: int(sid.split(":")[1]),
    )
    entries = [RetroEntry(section_of.get(sid), draft.sources[sid].excerpt, None) for sid in inputs]
    return inputs, entries


def _renumbered(fresh: Draft, ids: list[str]) -> Draft:
    """A re-drafted retro numbers its entries from 1 again; give them back their original ids,
    or a regenerated section would overwrite another entry's source with its own text."""
    mapping = {f"input:{n}": sid for n, sid in enumerate(ids, start=1)}
    sections = [
        s.model_copy(
            update={
                "items": [
                    i.model_copy(update={"sources": [mapping.get(x, x) for x in i.sources]})
                    for i in s.items
                ]
            }
        )
        for s in fresh.sections
    ]
    sources = {mapping.get(sid, sid): ref for sid, ref in fresh.sources.items()}
    return fresh.model_copy(update={"sections": sections, "sources": sources})

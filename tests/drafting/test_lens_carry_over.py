"""A lens never carries silently from a SWOT into the next plan (issue 12, item 5)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from drafting.draft import Draft, Item, Section, SourceRef
from drafting.models import DraftRequest
from drafting.service import Drafter
from drafting.settings import LLMSettings
from drafting.store import mark_final, save_version
from knowledge.minilm import MiniLMEmbeddings
from knowledge.types import Hit
from tests.drafting.memory_kb import MemoryRetriever

WS = "TLENS0001"
SUBJECT = "Quillmark Analytics"
# A small knowledge base of a fictional company, written for this test.
HITS = [
    Hit("ops#0", "ops", "Ops review", "Median ticket resolution took 4.5 days in May.", 0.0),
    Hit("ai#0", "ai", "AI notes", "Our churn-prediction model flags 70% of lost accounts.", 0.0),
    Hit("okr#0", "okr", "Targets", "Target: cut median resolution to 2 days by Q4 2027.", 0.0),
]


def swot(lens: str | None, priority: str, source: str) -> Draft:
    hit = next(h for h in HITS if h.source_id == source)
    return Draft(
        kind="swot",
        subject=SUBJECT,
        lens=lens,
        engine="offline",
        sections=[
            Section(
                key="priorities",
                title="Key Priorities",
                items=[Item(label="SUPPORT", text=priority, sources=[source])],
            )
        ],
        sources={source: SourceRef(title=hit.title, excerpt=hit.text)},
    )


PLAIN = swot(None, "Bring ticket resolution down from 4.5 days.", "ops#0")
AI = swot("AI", "Put the churn-prediction model in front of account managers.", "ai#0")


@pytest.fixture
def drafter(minilm: MiniLMEmbeddings, sessions: sessionmaker[Session]) -> Drafter:
    return Drafter(
        retriever=MemoryRetriever(minilm, {WS: HITS}), llm=LLMSettings(), sessions=sessions
    )


def save(sessions: sessionmaker[Session], draft: Draft, *, final: bool = False) -> None:
    with session_scope(sessions) as session:
        record = save_version(session=session, workspace_id=WS, draft=draft)
        if final:
            mark_final(session=session, draft_id=record.draft_id)


def intents(plan: Draft) -> list[str | None]:
    return [s.intent for s in plan.sections if s.key.startswith("objective")]


def test_okr_without_a_lens_uses_the_swot_without_one_even_when_a_lens_swot_is_newer(
    drafter: Drafter, sessions: sessionmaker[Session]
) -> None:
    save(sessions, PLAIN)
    save(sessions, AI, final=True)  # newer, and even marked final
    plan = drafter.draft_okr(WS, SUBJECT)
    assert intents(plan) == [PLAIN.items()[0].text]
    assert plan.lens is None
    assert plan.notice and "saved SWOT" in plan.notice and "lens" not in plan.notice


def test_a_plan_built_on_a_lens_swot_says_so(
    drafter: Drafter, sessions: sessionmaker[Session]
) -> None:
    save(sessions, AI)
    plan = drafter.draft_okr(WS, SUBJECT)
    assert intents(plan) == [AI.items()[0].text]
    assert plan.lens == "AI"
    assert plan.notice and "“AI” lens" in plan.notice and "keeps it" in plan.notice


def test_a_plan_asked_with_a_lens_builds_on_the_swot_with_that_lens(
    drafter: Drafter, sessions: sessionmaker[Session]
) -> None:
    save(sessions, AI)
    save(sessions, PLAIN, final=True)
    request = DraftRequest(workspace_id=WS, kind="okr", subject=SUBJECT, lens="ai")
    plan = drafter.draft_request(request)
    assert intents(plan) == [AI.items()[0].text]
    assert plan.notice and "“AI” lens, and so does this plan" in plan.notice


def test_a_plan_made_from_a_lens_swot_in_hand_says_so(drafter: Drafter) -> None:
    plan = drafter.draft_okr(WS, SUBJECT, from_swot=AI)
    assert plan.lens == "AI" and plan.notice and "“AI” lens" in plan.notice
    plain = drafter.draft_okr(WS, SUBJECT, from_swot=PLAIN)
    assert plain.lens is None and "lens" not in (plain.notice or "")

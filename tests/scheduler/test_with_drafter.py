"""RetroService with the real offline Drafter: sorting, synthesis and tracked action items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from drafting.settings import LLMSettings
from drafting.draft import RetroEntry
from drafting.service import Drafter
from knowledge.minilm import MiniLMEmbeddings
from core.clock import ManualClock
from scheduler.models import SECTIONS
from scheduler.retro_service import RetroService
from tests.drafting.memory_kb import MemoryRetriever
from tests.scheduler.notifiers import LoggingNotifier

WS = "T0ALIGN"


@pytest.fixture(scope="module")
def drafter() -> Drafter:
    # Retros draw only on what the team wrote, so the knowledge base can be empty.
    return Drafter(retriever=MemoryRetriever(MiniLMEmbeddings(), {}), llm=LLMSettings())


def test_close_synthesises_with_the_real_drafter(
    sessions: sessionmaker[Session], clock: ManualClock, drafter: Drafter
) -> None:
    notifier = LoggingNotifier()
    service = RetroService(
        sessions=sessions,
        clock=clock,
        synthesiser=drafter,
        notifier=notifier,
        make_entry=RetroEntry,
    )
    retro = service.open_retro(
        WS, "C0TEAM", "Sprint 7", opened_by="U0LEAD", window=timedelta(hours=1)
    )
    assert retro.prompt_ts
    entries = [
        ("+ the release went out without a rollback", "U0ANA"),
        ("+ release had no rollback this time", "U0BEN"),
        ("- code reviews waited two days", "U0CAT"),
        ("! <@U0BEN> set a review SLA of one day", "U0ANA"),
        ("pairing on the migration taught us a lot about the schema", "U0CAT"),
    ]
    for i, (text, author) in enumerate(entries):
        service.add_thread_reply(
            WS, "C0TEAM", retro.prompt_ts, text=text, author=author, message_ts=f"1700000{i}.000100"
        )
    service.add_entry(
        retro.id,
        workspace_id=WS,
        section="not_so_well",
        text="standups run long",
        author="U0DAN",
        anonymous=True,
        source="modal",
    )

    clock.advance(timedelta(hours=1))
    result = service.close_retro(retro.id, reason="window_end")
    assert result.closed_now and result.error is None and result.entry_count == 6
    stored = service.list_entries(retro.id, workspace_id=WS)
    assert all(e.section in SECTIONS for e in stored), "unsorted entries were classified"
    keys = [s.key for s in result.draft.sections]
    assert {"went_well", "not_so_well", "action_items"} <= set(keys)
    went_well = next(s for s in result.draft.sections if s.key == "went_well")
    assert len(went_well.items) == 1 and went_well.items[0].mentions == 2  # merged duplicates
    assert [(a.owner, a.status) for a in result.action_items] == [("U0BEN", "open")]
    assert "review" in result.action_items[0].text.lower()
    assert notifier.closed[0].draft is result.draft

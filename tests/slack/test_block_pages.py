"""Slack's 50-block limit: long block lists are paged, never cut, and retro syntheses overflow."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from drafting.draft import Draft, Item, Section
from handlers.block_pages import block_pages
from handlers.retro_notifier import SlackRetroNotifier
from scheduler.ports import CloseResult, RetroInfo
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack


def numbered(n: int) -> list[dict[str, str]]:
    return [{"type": "divider", "block_id": str(i)} for i in range(n)]


@pytest.mark.parametrize(
    ("count", "per_page", "sizes"),
    [(120, 50, [50, 50, 20]), (90, 45, [45, 45]), (1, 50, [1]), (0, 50, [])],
)
def test_pages_keep_every_block_in_order(count: int, per_page: int, sizes: list[int]) -> None:
    blocks = numbered(count)
    pages = block_pages(blocks, per_page=per_page)
    assert [len(p) for p in pages] == sizes
    assert [b for page in pages for b in page] == blocks


def test_a_page_never_exceeds_slacks_limit() -> None:
    with pytest.raises(ValueError):
        block_pages(numbered(3), per_page=51)


def long_retro() -> Draft:
    sections = [
        Section(
            key=key,
            title=key,
            items=[
                Item(label=f"POINT {n}", text=f"{key} point {n}: " + "detail " * 100)
                for n in range(60)
            ],
        )
        for key in ("went_well", "not_so_well", "learnings", "action_items")
    ]
    return Draft(kind="retro", subject="Sprint 42", engine="offline", sections=sections)


def test_a_long_retro_synthesis_continues_in_the_thread_instead_of_being_cut() -> None:
    now = datetime(2026, 10, 20, 13, 0, tzinfo=UTC)
    retro = RetroInfo(
        id=7,
        workspace_id="T0ALIGN01",
        channel_id="C0PLAN001",
        series_id=None,
        title="Sprint 42",
        opened_by="U0LEAD001",
        opened_at=now,
        closes_at=now + timedelta(hours=2),
        nudge_at=None,
        closed_at=now + timedelta(hours=2),
        close_reason="window_end",
        status="closed",
        prompt_ts="1700000000.000100",
        late_by_seconds=None,
        occurrence_at=None,
    )
    result = CloseResult(
        retro=retro, closed_now=True, entry_count=240, contributor_count=6, draft=long_retro()
    )
    with FakeSlack() as fake:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
        SlackRetroNotifier(lambda _team: client).retro_closed(result)
        posts = fake.calls_to("chat.postMessage")

    pages = [c.params["blocks"] for c in posts]
    assert len(pages) > 1, "the synthesis needs more than one message"
    assert all(len(page) <= 50 for page in pages)
    assert {c.params.get("thread_ts") for c in posts} == {retro.prompt_ts}
    posted = json.dumps(pages)
    for key in ("went_well", "not_so_well", "learnings", "action_items"):
        assert f"{key} point 59" in posted
    assert "did not fit" not in posted

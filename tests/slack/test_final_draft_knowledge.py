"""A final draft feeds later drafts, which cite the documents its items came from (issue 13)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.conftest import TEAM
from tests.slack.test_threads_and_buttons import button, click, new_channel, post_swot
from tests.slack_requests import SlackSender


def stored_draft(app: InProcessApp, message_ts: str) -> dict[str, Any]:
    with sqlite3.connect(app.db_path) as conn:
        (content,) = conn.execute(
            "SELECT content FROM draft_versions WHERE message_ts = ?", (message_ts,)
        ).fetchone()
    return dict(json.loads(content))


def findings(draft: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The SWOT's quadrant items by text (priorities are built from them)."""
    return {i["text"]: i for s in draft["sections"] if s["key"] != "priorities" for i in s["items"]}


def test_a_later_draft_cites_the_documents_a_final_drafts_items_came_from(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    channel = new_channel()
    board = post_swot(sender, fake, channel, "Larkspur")
    root = board.response["ts"]
    click(sender, channel=channel, message_ts=root, action=button("draft_save_final"))
    fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == root and "as final" in c.params.get("text", ""),
    )
    seeded_app.wait_idle()
    final = stored_draft(seeded_app, root)
    documents = {d.title: d for d in seeded_app.deps.kb.list_documents(TEAM)}
    [saved] = [t for t, d in documents.items() if d.source_kind == "draft"]
    assert "(final, v1)" in saved

    later = post_swot(sender, fake, new_channel(), "Larkspur")
    draft = stored_draft(seeded_app, later.response["ts"])
    titles = [ref["title"] for ref in draft["sources"].values()]
    assert titles and not [t for t in titles if "(final, v" in t], titles
    originals = {t for t in documents if t != saved}
    assert all(t.split(" › ")[0] in originals for t in titles), titles
    # The findings the later draft shares with the final one cite the documents the final one
    # cited for them, and their figures were checked against those documents.
    shared = [
        (item, findings(final)[text])
        for text, item in findings(draft).items()
        if text in findings(final)
    ]
    assert len(shared) >= 5
    for item, before in shared:
        assert item["sources"] and set(item["sources"]) <= set(before["sources"]), item
        assert item["unsupported_figures"] == before["unsupported_figures"] == []
    # What the Slack message shows: titles of the documents, not of the final draft.
    assert "(final, v" not in json.dumps(later.params["blocks"])

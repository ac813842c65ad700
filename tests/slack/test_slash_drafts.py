"""/swot and /okr end to end: ack at once, then a grounded draft with sources and buttons."""

from __future__ import annotations

import re

from tests.fakes.slack_api import Call, FakeSlack
from tests.slack_requests import SlackSender


def block_texts(blocks: list[dict]) -> str:
    out = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element, dict) and isinstance(element.get("text"), str):
                out.append(element["text"])
            elif isinstance(element, dict) and isinstance(element.get("text"), dict):
                out.append(element["text"]["text"])
    return "\n".join(out)


def action_ids(blocks: list[dict]) -> set[str]:
    return {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def in_channel(channel: str, text: str) -> callable:
    def match(call: Call) -> bool:
        return call.params.get("channel") == channel and text in call.params.get("text", "")

    return match


def test_swot_acks_then_posts_grounded_draft(sender: SlackSender, fake: FakeSlack) -> None:
    resp = sender.command("/swot", "Larkspur lens:AI", channel_id="C0SWOT001")
    assert resp.status_code == 200
    assert "Drafting a SWOT for *Larkspur* (lens: AI)" in resp.text
    [post] = fake.wait_for("chat.postMessage", in_channel("C0SWOT001", "SWOT for Larkspur"))
    blocks = post.params["blocks"]
    text = block_texts(blocks)
    for title in ("Strengths", "Weaknesses", "Opportunities", "Threats", "Priorities"):
        assert title in text
    assert "Sources:" in text
    assert "offline" in text.lower()
    assert {
        "draft_regenerate_section",
        "draft_save_final",
        "draft_publish_canvas",
        "draft_export_markdown",
        "draft_feedback_up",
        "draft_feedback_down",
    } <= action_ids(blocks)
    assert len(blocks) <= 50
    assert post.params.get("thread_ts") is None


def test_empty_lens_gets_usage_and_posts_nothing(sender: SlackSender, fake: FakeSlack) -> None:
    resp = sender.command("/swot", "platform lens:", channel_id="C0BAD0001")
    assert resp.status_code == 200
    assert "Usage: `/swot" in resp.text
    assert not [
        c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == "C0BAD0001"
    ]


def test_okr_says_which_swot_it_builds_on(sender: SlackSender, fake: FakeSlack) -> None:
    from tests.slack.test_threads_and_buttons import wait_recorded

    sender.command("/swot", "Project Kestrel", channel_id="C0OKR0001")
    swot = fake.wait_for("chat.postMessage", in_channel("C0OKR0001", "SWOT for Project Kestrel"))[0]
    assert sender.db is not None
    wait_recorded(sender.db, swot.response["ts"])
    resp = sender.command("/okr", "project kestrel", channel_id="C0OKR0001")
    assert "Drafting an OKR plan for *project kestrel*" in resp.text
    [post] = fake.wait_for("chat.postMessage", in_channel("C0OKR0001", "OKR plan for"))
    text = block_texts(post.params["blocks"])
    assert text.count("Built from the saved SWOT for “Project Kestrel”") == 1
    assert "*Mission:*" in text and "Metrics" in text
    # Measurable key results: a baseline and a target ("from X to Y", "X → Y"), or a named
    # baseline whose target is still to be set.
    # Three in the sample: the two Kestrel hiring goals and their metric lines (attrition, not
    # about Kestrel, no longer rides along since the drafts keep to the subject).
    measurable = re.findall(r"→|\bfrom [^\n]+? to |target to be set", text)
    assert len(measurable) >= 3, text

"""Block Kit, Markdown and terminal renderers: content, flags, and Slack's limits on big drafts."""

from __future__ import annotations

import io
import json

from rich.console import Console

from drafting.draft import Draft, Item, Section, SourceRef
from drafting.origins import knowledge_passages
from drafting.render_markdown import render_markdown
from drafting.render_terminal import render_terminal
from handlers.draft_blocks import MAX_BLOCKS, build_draft_blocks
from knowledge.types import Passage


def small_draft() -> Draft:
    return Draft(
        kind="swot",
        subject="Platform <team> & friends",
        lens="AI",
        mission="Make freight predictable.",
        engine="offline",
        sections=[
            Section(
                key="strengths",
                title="Strengths",
                items=[
                    Item(label="REVENUE", text="ARR reached USD 38.4 million.", sources=["qbr#0"]),
                    Item(
                        label="RELIABILITY",
                        text="Uptime was 99.99%.",
                        sources=["eng#1"],
                        unsupported_figures=["99.99%"],
                    ),
                ],
            ),
            Section(key="weaknesses", title="Weaknesses", items=[]),
        ],
        sources={
            "qbr#0": SourceRef(
                title="QBR Q3",
                url="https://wiki.example/qbr",
                excerpt="ARR reached USD 38.4 million.",
            ),
            "eng#1": SourceRef(title="Eng metrics", excerpt="Uptime was 99.91%."),
        },
    )


def huge_draft() -> Draft:
    long_text = "Revenue grew 12% " * 200
    sections = [
        Section(
            key=f"objective-{n}",
            title=f"Objective {n} " + "x" * 300,
            intent="i" * 900,
            items=[
                Item(label=f"AREA {k}", text=long_text, sources=[f"d{n}#{k}", f"d{n}#{k + 1}"])
                for k in range(30)
            ],
        )
        for n in range(1, 40)
    ]
    sources = {
        f"d{n}#{k}": SourceRef(
            title="T" * 500, url=f"https://x.example/{n}/{k}", excerpt="Revenue grew 12%"
        )
        for n in range(1, 40)
        for k in range(31)
    }
    return Draft(
        kind="okr", subject="S" * 400, engine="offline", sections=sections, sources=sources
    )


def all_texts(blocks: list[dict]) -> list[str]:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        for element in block.get("elements", []):
            texts.append(element["text"])
    return texts


def test_blocks_have_header_sections_sources_and_marked_flags() -> None:
    blocks = build_draft_blocks(small_draft(), draft_id="abcdef1234567890", version=2)
    assert blocks[0]["type"] == "header"
    assert "SWOT analysis" in blocks[0]["text"]["text"] and "AI lens" in blocks[0]["text"]["text"]
    text = "\n".join(all_texts(blocks))
    assert "offline engine" in text and "version 2" in text
    strengths = next(t for t in all_texts(blocks) if t.startswith("*Strengths*"))
    assert strengths.splitlines() == [
        "*Strengths*",
        "• *REVENUE*: ARR reached USD 38.4 million. [1]",
        "• *RELIABILITY*: Uptime was 99.99%. [2] :warning: _unverified: 99.99%_",
    ]
    assert ":warning: _unverified: 99.99%_" in text
    assert "[1] <https://wiki.example/qbr|QBR Q3>" in text and "[2] Eng metrics" in text
    assert (
        "&lt;team&gt; &amp; friends" not in blocks[0]["text"]["text"]
    )  # plain_text needs no escaping
    assert "_No items._" in text
    assert not any(b["type"] == "actions" for b in blocks)  # the Slack layer adds buttons
    json.dumps(blocks)


def test_huge_draft_respects_slack_limits() -> None:
    blocks = build_draft_blocks(huge_draft(), draft_id=None, version=None)
    assert len(blocks) <= MAX_BLOCKS - 3
    assert len(blocks[0]["text"]["text"]) <= 150
    for text in all_texts(blocks):
        assert len(text) <= 3000
    assert "did not fit" in all_texts(blocks)[-1]


def test_markdown_lists_sources_and_flags() -> None:
    md = render_markdown(small_draft())
    assert md.startswith("# SWOT analysis: Platform <team> & friends (AI lens)")
    assert "**Mission:** Make freight predictable." in md
    assert "- **REVENUE**: ARR reached USD 38.4 million. [1]" in md
    assert "⚠️ _unverified: 99.99%_" in md
    assert "## Sources" in md and "1. [QBR Q3](https://wiki.example/qbr)" in md
    assert "2. Eng metrics" in md


def test_markdown_export_names_sources_by_title_never_by_chunk_id() -> None:
    md = render_markdown(small_draft())
    assert "qbr#0" not in md and "eng#1" not in md


def test_a_final_draft_enters_the_knowledge_base_as_its_items_naming_their_documents() -> None:
    passages = knowledge_passages(small_draft())
    assert passages == [
        Passage("ARR reached USD 38.4 million.", "Strengths", ("qbr#0",)),
        Passage("Uptime was 99.99%.", "Strengths", ("eng#1",)),
    ]
    # Nothing a later draft could quote as if it were a finding.
    for noise in ("Sources", "[1]", "qbr#0", "eng#1", "No items", "offline engine"):
        assert not any(noise in p.text for p in passages)


def test_retro_items_show_people_and_owners() -> None:
    draft = Draft(
        kind="retro",
        subject="sprint",
        engine="offline",
        sections=[
            Section(
                key="action_items",
                title="Action Items",
                items=[
                    Item(
                        label="ON-CALL",
                        text="Tune paging.",
                        sources=["input:1"],
                        mentions=3,
                        owner="U1",
                    )
                ],
            )
        ],
        sources={"input:1": SourceRef(title="Retro entry", excerpt="tune paging @U1")},
    )
    assert "_(3 people; owner <@U1>)_" in "\n".join(
        all_texts(build_draft_blocks(draft, draft_id=None, version=None))
    )
    assert "_(3 people; owner @U1)_" in render_markdown(draft)
    dumped = json.loads(draft.model_dump_json())
    assert dumped["sections"][0]["items"][0]["owner"] == "U1"


def test_swot_json_has_exactly_the_issue_shape() -> None:
    dumped = json.loads(small_draft().model_dump_json())
    assert set(dumped) == {"kind", "subject", "lens", "mission", "engine", "sections", "sources"}
    assert set(dumped["sections"][0]) == {"key", "title", "intent", "items"}
    assert set(dumped["sections"][0]["items"][0]) == {
        "label",
        "text",
        "sources",
        "unsupported_figures",
    }
    assert set(dumped["sources"]["qbr#0"]) == {"title", "url", "excerpt"}
    assert Draft.model_validate(dumped) == small_draft()


def test_terminal_renderer_prints_everything() -> None:
    buffer = io.StringIO()
    render_terminal(small_draft(), Console(file=buffer, width=120, color_system=None))
    out = buffer.getvalue()
    assert "STRENGTHS" in out and "REVENUE: ARR reached USD 38.4 million. [1]" in out
    assert "⚠ unverified: 99.99%" in out and "SOURCES" in out and "offline engine" in out

"""Block Kit for a draft: header, one section per quadrant or objective, sources in context lines."""

from __future__ import annotations

from typing import Any

from drafting.draft import Draft, Item, Section
from drafting.render_common import (
    citation_marks,
    clip,
    draft_title,
    engine_note,
    people_note,
    short,
    source_numbers,
    unsupported_note,
)
from handlers.slack_text import safe_text

MAX_BLOCKS = 50
TEXT_LIMIT = 3000
HEADER_LIMIT = 150
# The Slack layer appends an actions block (and may add a divider): leave it room.
RESERVED_FOR_CALLER = 3

Block = dict[str, Any]


def _mrkdwn_section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, TEXT_LIMIT)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": short(text, TEXT_LIMIT)}]}


def item_line(item: Item, numbers: dict[str, int]) -> str:
    line = f"• *{safe_text(item.label)}*: {safe_text(item.text)}"
    marks = citation_marks(item, numbers)
    if marks:
        line += f" {marks}"
    extras = []
    if note := people_note(item):
        extras.append(safe_text(note))
    if item.owner:
        extras.append(f"owner <@{item.owner}>")
    if extras:
        line += f" _({'; '.join(extras)})_"
    if flag := unsupported_note(item):
        line += f" :warning: _{safe_text(flag)}_"
    return line


def _section_texts(section: Section, numbers: dict[str, int]) -> list[str]:
    """The section as one or more mrkdwn texts, each within Slack's 3000-character limit."""
    head = f"*{safe_text(section.title)}*"
    if section.intent:
        head += f"\n_{safe_text(short(section.intent, 400))}_"
    lines = [item_line(item, numbers) for item in section.items] or ["_No items._"]
    texts: list[str] = []
    current = head
    for line in lines:
        line = clip(line, TEXT_LIMIT - 10)
        if len(current) + 1 + len(line) > TEXT_LIMIT:
            texts.append(current)
            current = line
        else:
            current += "\n" + line
    texts.append(current)
    return texts


def _sources_line(section: Section, draft: Draft, numbers: dict[str, int]) -> str | None:
    cited = list(
        dict.fromkeys(sid for item in section.items for sid in item.sources if sid in numbers)
    )
    if not cited:
        return None
    parts = []
    for sid in cited:
        ref = draft.sources[sid]
        title = safe_text(short(ref.title, 80))
        parts.append(
            f"[{numbers[sid]}] <{ref.url}|{title}>" if ref.url else f"[{numbers[sid]}] {title}"
        )
    return "Sources: " + " · ".join(parts)


def build_draft_blocks(
    draft: Draft,
    *,
    draft_id: str | None,
    version: int | None,
    max_blocks: int = MAX_BLOCKS - RESERVED_FOR_CALLER,
) -> list[Block]:
    """Blocks for a draft message, without the action buttons (the Slack layer adds those)."""
    numbers = source_numbers(draft)
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": short(safe_text(draft_title(draft)), HEADER_LIMIT),
                "emoji": True,
            },
        }
    ]
    meta = engine_note(draft)
    if version is not None:
        meta += f" · version {version}"
    if draft_id:
        meta += f" · draft {draft_id[:8]}"
    blocks.append(_context(safe_text(meta)))
    if draft.notice:
        blocks.append(_context(f":information_source: {safe_text(draft.notice)}"))
    if draft.mission:
        blocks.append(_mrkdwn_section(f"*Mission:* {safe_text(draft.mission)}"))

    body: list[list[Block]] = []
    for section in draft.sections:
        group = [_mrkdwn_section(text) for text in _section_texts(section, numbers)]
        if line := _sources_line(section, draft, numbers):
            group.append(_context(line))
        body.append(group)

    room = max_blocks - len(blocks)
    for index, group in enumerate(body):
        remaining_groups = len(body) - index - 1
        needs_tail = 1 if remaining_groups else 0
        if len(group) + needs_tail > room:
            left = sum(1 for _ in draft.sections[index:])
            if room >= 1:
                blocks.append(
                    _context(
                        f":scissors: {left} more section(s) did not fit in one Slack message; "
                        "export the draft as Markdown to see all of it."
                    )
                )
            break
        blocks.extend(group)
        room -= len(group)
    return blocks

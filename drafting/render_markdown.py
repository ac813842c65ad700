"""Markdown for a draft (canvases and export), with a numbered Sources list at the end."""

from __future__ import annotations

from drafting.draft import Draft, Item
from drafting.render_common import (
    citation_marks,
    draft_title,
    engine_note,
    people_note,
    short,
    source_numbers,
    unsupported_note,
)


def _item_line(item: Item, numbers: dict[str, int]) -> str:
    line = f"- **{item.label}**: {item.text}"
    marks = citation_marks(item, numbers)
    if marks:
        line += f" {marks}"
    extras = [note] if (note := people_note(item)) else []
    if item.owner:
        extras.append(f"owner @{item.owner}")
    if extras:
        line += f" _({'; '.join(extras)})_"
    if flag := unsupported_note(item):
        line += f" ⚠️ _{flag}_"
    return line


def render_markdown(draft: Draft) -> str:
    numbers = source_numbers(draft)
    lines = [f"# {draft_title(draft)}", ""]
    if draft.mission:
        lines += [f"**Mission:** {draft.mission}", ""]
    lines += [f"> {engine_note(draft)}"]
    if draft.notice:
        lines += [">", f"> {draft.notice}"]
    lines.append("")
    for section in draft.sections:
        lines += [f"## {section.title}", ""]
        if section.intent:
            lines += [f"_{section.intent}_", ""]
        if section.items:
            lines += [_item_line(item, numbers) for item in section.items]
        else:
            lines.append("_No items._")
        lines.append("")
    if numbers:
        lines += ["## Sources", ""]
        for sid, number in numbers.items():
            ref = draft.sources[sid]
            title = f"[{ref.title}]({ref.url})" if ref.url else ref.title
            # Titles, not chunk ids: an export is read by people.
            lines.append(f"{number}. {title}: “{short(ref.excerpt, 220)}”")
        lines.append("")
    return "\n".join(lines)

"""The terminal view of a draft, with rich: labels in bold, sources numbered, flags in red."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

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


def _item_text(item: Item, numbers: dict[str, int]) -> Text:
    text = Text("  • ")
    text.append(item.label, style="bold cyan")
    text.append(f": {item.text}")
    marks = citation_marks(item, numbers)
    if marks:
        text.append(f" {marks}", style="dim")
    extras = [note] if (note := people_note(item)) else []
    if item.owner:
        extras.append(f"owner @{item.owner}")
    if extras:
        text.append(f" ({'; '.join(extras)})", style="magenta")
    if flag := unsupported_note(item):
        text.append(f" ⚠ {flag}", style="bold red")
    return text


def render_terminal(draft: Draft, console: Console, *, show_sources: bool = True) -> None:
    numbers = source_numbers(draft)
    subtitle = engine_note(draft)
    body = Text()
    if draft.mission:
        body.append("Mission: ", style="bold")
        body.append(draft.mission + "\n")
    if draft.notice:
        body.append(draft.notice + "\n", style="yellow")
    body.append(subtitle, style="dim")
    console.print(
        Panel(body, title=escape(draft_title(draft)), title_align="left", border_style="blue")
    )
    for section in draft.sections:
        console.print(Text(section.title.upper(), style="bold"))
        if section.intent:
            console.print(Text(f"  {section.intent}", style="italic"))
        if not section.items:
            console.print(Text("  (no items)", style="dim"))
        for item in section.items:
            console.print(_item_text(item, numbers))
        console.print()
    # A retro's sources are the entries themselves, already summarised above.
    if show_sources and numbers and draft.kind != "retro":
        console.print(Text("SOURCES", style="bold"))
        for sid, number in numbers.items():
            ref = draft.sources[sid]
            line = Text(f"  [{number}] ", style="dim")
            line.append(ref.title)
            if ref.url:
                line.append(f" <{ref.url}>", style="dim")
            line.append(f"  {short(ref.excerpt, 90)}", style="dim")
            console.print(line)
        console.print()

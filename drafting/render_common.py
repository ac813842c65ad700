"""What every renderer shares: titles, source numbering and the wording of flags and counts."""

from __future__ import annotations

from drafting.draft import Draft, Item

KIND_TITLES = {"swot": "SWOT analysis", "okr": "Strategic plan (OKRs)", "retro": "Retrospective"}
OFFLINE_NOTE = "Drafted by the offline engine (no language model): facts quoted from your sources."


def draft_title(draft: Draft) -> str:
    title = f"{KIND_TITLES.get(draft.kind, draft.kind)}: {draft.subject}"
    return f"{title} ({draft.lens} lens)" if draft.lens else title


def engine_note(draft: Draft) -> str:
    if draft.is_offline:
        return OFFLINE_NOTE
    return (
        f"Drafted by {draft.engine.removeprefix('llm:')}; every figure checked against its sources."
    )


def source_numbers(draft: Draft) -> dict[str, int]:
    """1, 2, 3… in order of first citation, so the numbers read top to bottom."""
    numbers: dict[str, int] = {}
    for item in draft.items():
        for sid in item.sources:
            if sid in draft.sources and sid not in numbers:
                numbers[sid] = len(numbers) + 1
    return numbers


def citation_marks(item: Item, numbers: dict[str, int]) -> str:
    return "".join(f"[{numbers[sid]}]" for sid in item.sources if sid in numbers)


def people_note(item: Item) -> str:
    parts = []
    if item.mentions and item.mentions > 1:
        parts.append(f"{item.mentions} people")
    return ", ".join(parts)


def unsupported_note(item: Item) -> str:
    if not item.unsupported_figures:
        return ""
    return "unverified: " + ", ".join(item.unsupported_figures)


def short(text: str, limit: int) -> str:
    """One line (whitespace collapsed), cut to `limit` characters with an ellipsis."""
    return clip(" ".join(text.split()), limit)


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis, keeping line breaks."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"

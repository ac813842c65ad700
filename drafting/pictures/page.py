"""What a printed page of a draft shows, as plain data the templates lay out (no HTML here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from drafting.draft import Draft, Item, Section
from drafting.render_common import (
    KIND_TITLES,
    citation_marks,
    engine_note,
    people_note,
    short,
    source_numbers,
    unsupported_note,
)

SWOT_QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats")
# "from 6.8% to 4% by Q4 2027" and "churn: 6.8% → 4% by Q4 2027": a key result's baseline, target
# and date, shown on the page as "6.8% → 4%".
_END = r"(?=\s+by\s|\s+before\s|[.;,]?\s*$)"
_FROM_TO = re.compile(
    r"\bfrom\s+(?P<base>[^,;]*?\d[^,;]*?)\s+(?:(?:down|up)\s+)?to\s+(?P<target>[^,;]+?)" + _END,
    re.IGNORECASE,
)
_ARROW = re.compile(r"(?P<base>[^:→]*?\d[^:→]*?)\s*→\s*(?P<target>[^,;]+?)" + _END)
_WHEN = re.compile(r"\s(?:by|before)\s+(?P<when>[^,;]+?)[.;]?\s*$", re.IGNORECASE)
PENDING = "target to be set"


@dataclass(frozen=True)
class PageMeta:
    """What the footer says: whose workspace, which day, which version."""

    workspace: str
    on: date
    version: int | None = None


@dataclass(frozen=True)
class ItemView:
    label: str
    text: str
    marks: str = ""  # "[1][3]": the footnotes this item cites
    note: str = ""  # "3 people; owner @U123"
    flag: str = ""  # "unverified: 40%"
    baseline: str = ""  # key results only
    target: str = ""


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    intent: str | None
    items: list[ItemView]
    tone: str  # the CSS class that colours it: s, w, o, t, p, or neutral


@dataclass(frozen=True)
class Footnote:
    number: int
    title: str
    url: str | None


@dataclass(frozen=True)
class Page:
    kind: str
    kicker: str  # "SWOT analysis"
    subject: str
    lens: str | None
    mission: str | None
    notice: str | None
    sections: list[SectionView]
    footnotes: list[Footnote]
    meta: PageMeta
    engine: str
    extra: dict[str, list[SectionView]] = field(default_factory=dict)

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections) + sum(
            len(s.items) for group in self.extra.values() for s in group
        )

    @property
    def text_weight(self) -> int:
        """Characters of body text: how dense the page will be, to pick a starting type size."""
        views = [*self.sections, *(s for g in self.extra.values() for s in g)]
        body = sum(len(i.label) + len(i.text) + len(i.note) + 4 for s in views for i in s.items)
        intents = sum(len(s.intent or "") for s in views)
        return body + intents + len(self.mission or "") + 40 * len(self.footnotes)


def key_result_range(text: str) -> tuple[str, str]:
    """("6.8%", "4% · Q4 2027") from "… from 6.8% to 4% by Q4 2027"; ("", "") when none."""
    match = _FROM_TO.search(text) or _ARROW.search(text)
    if match is None:
        return "", ""
    base, target = match["base"].strip(), match["target"].strip().rstrip(".")
    if len(base) > 28 or len(target) > 28:  # prose, not a figure: the text says it better
        return "", ""
    if target.lower() == PENDING:
        target = PENDING
    elif when := _WHEN.search(text):
        target = f"{target} · {when['when']}"
    return base, target


def _item_view(item: Item, numbers: dict[str, int], *, key_result: bool = False) -> ItemView:
    extras = [note] if (note := people_note(item)) else []
    if item.owner:
        extras.append(f"owner @{item.owner}")
    base = target = ""
    text = item.text
    if key_result:
        base, target = key_result_range(text)
    return ItemView(
        label=item.label,
        text=text,
        marks=citation_marks(item, numbers),
        note="; ".join(extras),
        flag=unsupported_note(item),
        baseline=base,
        target=target,
    )


def _tone(section: Section, kind: str) -> str:
    if kind == "swot":
        return {"strengths": "s", "weaknesses": "w", "opportunities": "o", "threats": "t"}.get(
            section.key, "p"
        )
    if kind == "retro":
        return {
            "went_well": "s",
            "not_so_well": "w",
            "learnings": "o",
            "action_items": "p",
        }.get(section.key, "neutral")
    return "neutral"


def _section_view(section: Section, kind: str, numbers: dict[str, int]) -> SectionView:
    key_results = kind == "okr" and (
        section.key.startswith("objective") or section.key == "metrics"
    )
    return SectionView(
        key=section.key,
        title=section.title,
        intent=short(section.intent, 240) if section.intent else None,
        items=[_item_view(i, numbers, key_result=key_results) for i in section.items],
        tone=_tone(section, kind),
    )


def build_page(draft: Draft, meta: PageMeta) -> Page:
    """The draft as a page: sections in reading order, sources numbered as footnotes.

    A SWOT's four quadrants are `sections` and its priorities go to `extra["priorities"]`; a
    plan's objectives are `sections` with metrics and values in `extra`.
    """
    # A retro's sources are its own entries, already on the page: no footnotes to point at them.
    numbers = source_numbers(draft) if draft.kind != "retro" else {}
    views = [_section_view(s, draft.kind, numbers) for s in draft.sections]
    extra: dict[str, list[SectionView]] = {}
    if draft.kind == "swot":
        by_key = {v.key: v for v in views}
        quadrants = [
            by_key.get(k)
            or SectionView(k, k.title(), None, [], _tone(Section(key=k, title=k), "swot"))
            for k in SWOT_QUADRANTS
        ]
        extra["priorities"] = [v for v in views if v.key not in SWOT_QUADRANTS]
        views = quadrants
    elif draft.kind == "okr":
        extra["summary"] = [v for v in views if not v.key.startswith("objective")]
        views = [v for v in views if v.key.startswith("objective")]
    footnotes = [
        Footnote(number, short(draft.sources[sid].title, 140), draft.sources[sid].url)
        for sid, number in numbers.items()
    ]
    return Page(
        kind=draft.kind,
        kicker=KIND_TITLES.get(draft.kind, draft.kind),
        subject=draft.subject,
        lens=draft.lens,
        mission=draft.mission,
        notice=draft.notice,
        sections=views,
        footnotes=footnotes,
        meta=meta,
        engine=engine_note(draft),
        extra=extra,
    )


def alt_text(draft: Draft, *, limit: int = 1000) -> str:
    """A screen reader's version of the picture: the title, then each section's labels."""
    parts = [f"{KIND_TITLES.get(draft.kind, draft.kind)} for {draft.subject}."]
    if draft.lens:
        parts.append(f"Lens: {draft.lens}.")
    for section in draft.sections:
        labels = ", ".join(item.label.lower() for item in section.items)
        parts.append(f"{section.title}: {labels}." if labels else f"{section.title}: none.")
    return short(" ".join(parts), limit)

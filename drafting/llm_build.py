"""From the model's validated `DraftPayload` to a grounded `Draft` (the LLM engine's output side)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.retro_sections import SECTIONS as RETRO_SECTIONS
from drafting.draft import (
    SECTION_TITLES,
    SWOT_KEYS,
    Draft,
    DraftKind,
    Item,
    RetroEntry,
    Section,
    SourceRef,
)
from drafting.facts import normalised
from drafting.grounding import check_item
from drafting.labels import tidy_label
from drafting.prompts import NumberedSource
from drafting.retro_offline import owner_and_text
from drafting.sourcebook import excerpt_of


class DraftItem(BaseModel):
    label: str = Field(min_length=1, description="UPPERCASE business area, 1 to 3 words")
    text: str = Field(min_length=1, description="one sentence; every figure from a cited source")
    sources: list[int] = Field(default_factory=list, description="numbers of the cited sources")


class DraftSection(BaseModel):
    key: str = Field(min_length=1, description="the section key the task names")
    title: str | None = None
    intent: str | None = Field(default=None, description="one line: what the section is for")
    items: list[DraftItem] = Field(default_factory=list)


class DraftPayload(BaseModel):
    """The draft: its sections in the order the task gives, each item citing sources by number."""

    mission: str | None = None
    sections: list[DraftSection]


def okr_keys(objectives: int) -> list[str]:
    return [f"objective-{i}" for i in range(1, objectives + 1)] + ["metrics", "values"]


def expected_keys(kind: DraftKind, objectives: int = 4) -> list[str]:
    if kind == "swot":
        return list(SWOT_KEYS)
    if kind == "retro":
        return list(RETRO_SECTIONS)
    return okr_keys(objectives)


def build_draft(
    payload: DraftPayload,
    *,
    kind: DraftKind,
    subject: str,
    lens: str | None,
    mission: str | None,
    engine: str,
    sources: list[NumberedSource],
    entries: list[RetroEntry] | None = None,
) -> Draft:
    by_number = {s.number: s for s in sources}
    sections: list[Section] = []
    cited: set[str] = set()
    seen_quadrant_texts: set[str] = set()
    for raw in payload.sections:
        items: list[Item] = []
        for raw_item in raw.items:
            if kind == "swot" and raw.key != "priorities":
                # The same fact in two quadrants is a model slip; the first placement stands.
                key_text = normalised(raw_item.text)
                if key_text in seen_quadrant_texts:
                    continue
                seen_quadrant_texts.add(key_text)
            source_ids = list(dict.fromkeys(by_number[n].source_id for n in raw_item.sources))
            cited |= set(source_ids)
            item = Item(
                label=tidy_label(raw_item.label), text=raw_item.text.strip(), sources=source_ids
            )
            if kind == "retro" and entries is not None:
                item = _with_retro_people(item, raw.key, entries)
            items.append(item)
        title = raw.title or SECTION_TITLES.get(raw.key, raw.key)
        if raw.key in SECTION_TITLES and not raw.key.startswith("objective"):
            title = SECTION_TITLES[raw.key]
        sections.append(Section(key=raw.key, title=title, intent=raw.intent, items=items))
    refs: dict[str, SourceRef] = {}
    for s in sources:  # the first numbered source of an id (the chunk, before its statements)
        if s.source_id in cited and s.source_id not in refs:
            refs[s.source_id] = SourceRef(title=s.title, url=s.url, excerpt=excerpt_of(s.text))
    return Draft(
        kind=kind,
        subject=subject,
        lens=lens,
        mission=mission if mission is not None else payload.mission,
        engine=engine,
        sections=sections,
        sources=refs,
    )


def _with_retro_people(item: Item, key: str, entries: list[RetroEntry]) -> Item:
    """Counts and owners come from the entries an item cites, never from the model's sentence."""
    cited = [entries[int(s.split(":")[1]) - 1] for s in item.sources if s.startswith("input:")]
    authors = {e.author for e in cited if e.author}
    mentions = len(authors) + sum(1 for e in cited if not e.author)
    owners = [o for e in cited if (o := owner_and_text(e.text)[0])]
    return item.model_copy(
        update={
            "mentions": mentions or None,
            "owner": owners[0] if key == "action_items" and owners else None,
        }
    )


def ground(draft: Draft, texts: dict[str, str], user_text: str) -> Draft:
    sections = [
        s.model_copy(update={"items": [check_item(i, texts, user_text) for i in s.items]})
        for s in draft.sections
    ]
    return draft.model_copy(update={"sections": sections})


def grounding_problems(draft: Draft) -> dict[str, list[str]]:
    return {i.text: i.unsupported_figures for i in draft.items() if i.unsupported_figures}


def source_texts(sources: list[NumberedSource]) -> dict[str, str]:
    """Full text per source id; several numbered sources (a chunk and statements typed from it)
    can share an id, and an item citing any of them may use the figures of all."""
    texts: dict[str, str] = {}
    for source in sources:
        texts[source.source_id] = "\n".join(
            filter(None, [texts.get(source.source_id), source.text])
        )
    return texts

"""The one JSON shape every draft takes (SWOT, OKR plan, retro), plus the small inputs around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from core.retro_sections import TITLES as RETRO_TITLES

DraftKind = Literal["swot", "okr", "retro"]

SWOT_KEYS = ("strengths", "weaknesses", "opportunities", "threats", "priorities")

SECTION_TITLES: dict[str, str] = {
    "strengths": "Strengths",
    "weaknesses": "Weaknesses",
    "opportunities": "Opportunities",
    "threats": "Threats",
    "priorities": "Key Priorities",
    **RETRO_TITLES,
    "metrics": "Metrics",
    "values": "Values",
}

OFFLINE_ENGINE = "offline"


class Item(BaseModel):
    """One line of a draft: `LABEL: one sentence`, with the sources its figures come from."""

    label: str
    text: str
    sources: list[str] = Field(default_factory=list)
    unsupported_figures: list[str] = Field(default_factory=list)
    # Retro only; left out of the JSON when unset so SWOT and plan items keep the shape.
    mentions: int | None = Field(default=None, exclude_if=lambda v: v is None)  # people who said it
    owner: str | None = Field(default=None, exclude_if=lambda v: v is None)  # Slack user id


class Section(BaseModel):
    key: str
    title: str
    intent: str | None = None
    items: list[Item] = Field(default_factory=list)


class SourceRef(BaseModel):
    title: str
    url: str | None = None
    excerpt: str


class Draft(BaseModel):
    kind: DraftKind
    subject: str
    lens: str | None = None
    mission: str | None = None
    engine: str
    sections: list[Section] = Field(default_factory=list)
    sources: dict[str, SourceRef] = Field(default_factory=dict)
    # How this version came to be when that is worth telling the reader (e.g. the LLM failed and
    # the offline engine stood in). Excluded from the JSON so the stored shape stays the issue's.
    notice: str | None = Field(default=None, exclude=True)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def is_offline(self) -> bool:
        return self.engine == OFFLINE_ENGINE


@dataclass(frozen=True)
class RetroEntry:
    """One thing a team member wrote in a retro; section None means not sorted yet."""

    section: str | None
    text: str
    author: str | None = None


@dataclass(frozen=True)
class RevisionResult:
    draft: Draft
    # What was done, and which instructions need an LLM when the offline engine handled them.
    note: str
    changed: bool = True

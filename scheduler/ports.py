"""The data the retro service returns and the two seams it calls out through (no Slack here).

`RetroNotifier` is implemented with Slack by the handlers; `RetroSynthesiser` is
`drafting.service.Drafter` in production.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from core.retro_sections import Section

EntrySource = Literal["modal", "thread"]
CloseReason = Literal["window_end", "command", "button"]
# Lateness below this is scheduler jitter, not something worth telling the channel about.
LATE_AFTER_SECONDS = 60


@dataclass(frozen=True)
class RetroEntryData:
    """What the synthesiser receives per entry; `drafting.draft.RetroEntry` has the same shape."""

    section: str | None
    text: str
    author: str | None


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ActionItemInfo(_Model):
    id: int
    workspace_id: str
    retro_id: int
    series_id: int | None
    channel_id: str
    text: str
    owner: str | None
    status: Literal["open", "done"]


class RetroInfo(_Model):
    id: int
    workspace_id: str
    channel_id: str
    series_id: int | None
    title: str
    opened_by: str | None
    opened_at: datetime
    closes_at: datetime
    nudge_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    status: Literal["open", "closed"]
    prompt_ts: str | None
    late_by_seconds: int | None
    occurrence_at: datetime | None
    # Open action items from earlier retros of the same series (or channel), oldest first.
    carried_actions: list[ActionItemInfo] = []

    @property
    def is_late(self) -> bool:
        return self.late_by_seconds is not None and self.late_by_seconds >= LATE_AFTER_SECONDS


class EntryResult(_Model):
    entry_id: int
    retro_id: int
    section: Section | None
    # False when this was a redelivery of an entry already stored (same source ts).
    created: bool


class CloseResult(_Model):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    retro: RetroInfo
    # False when the retro was already closed: nothing was synthesised or posted again.
    closed_now: bool
    entry_count: int
    contributor_count: int
    # The synthesiser's Draft (drafting.draft.Draft in production); None when empty or failed.
    draft: Any = None
    action_items: list[ActionItemInfo] = []
    error: str | None = None

    @property
    def no_entries(self) -> bool:
        return self.closed_now and self.entry_count == 0


class ScheduleInfo(_Model):
    id: int
    workspace_id: str
    channel_id: str
    title: str
    description: str
    schedule_text: str
    timezone: str
    window: timedelta
    nudge: timedelta | None
    status: Literal["active", "paused", "cancelled"]
    created_by: str
    created_at: datetime
    # Empty unless the schedule is active.
    next_occurrences: list[datetime] = []


class RetroNotifier(Protocol):
    """How the service tells the channel; the Slack implementation lives in handlers/."""

    def retro_opened(self, retro: RetroInfo) -> str | None:
        """Post the prompt; return its message ts so thread replies can be matched to it."""
        ...

    def retro_closed(self, result: CloseResult) -> None:
        """Post the synthesis (or "no entries") in the thread and update the prompt."""
        ...

    def channel_members(self, workspace_id: str, channel_id: str) -> list[str]:
        """Human members of the channel, for nudges."""
        ...

    def send_nudge(self, retro: RetroInfo, user_ids: list[str]) -> None:
        """DM each user a reminder to contribute before the retro closes."""
        ...


class DraftItemLike(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def owner(self) -> str | None: ...


class DraftSectionLike(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def items(self) -> Sequence[DraftItemLike]: ...


class DraftLike(Protocol):
    @property
    def sections(self) -> Sequence[DraftSectionLike]: ...


class RetroSynthesiser(Protocol):
    """The two drafting calls a retro needs (`drafting.service.Drafter` satisfies it)."""

    def draft_retro(
        self,
        workspace_id: str,
        subject: str,
        entries: list[Any],
        *,
        on_progress: Callable[[str], None] | None = None,
    ) -> Any: ...

    def classify_retro_entry(self, text: str) -> str: ...

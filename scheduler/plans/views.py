"""The read shape of an adopted plan: what Slack surfaces, the CLI's JSON and the digest show.

Frozen dataclasses built by the plan service from its tables; renderers never touch SQL rows.
Fractions are 0..1; `None` means not known yet (no check-in, no target).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

# "deliverable" is a dated piece of work that is done (1) or not (0).
Direction = Literal["increase", "decrease", "stay_above", "stay_below", "deliverable"]
Confidence = Literal["on_track", "at_risk", "off_track"]
Pace = Literal["ahead", "on_pace", "behind"]
# "setup": adopted, waiting for owners or targets; tracking starts at "active".
PlanStatus = Literal["setup", "active", "closed", "archived"]

DIRECTIONS: tuple[Direction, ...] = (
    "increase",
    "decrease",
    "stay_above",
    "stay_below",
    "deliverable",
)
CONFIDENCES: tuple[Confidence, ...] = ("on_track", "at_risk", "off_track")
CONFIDENCE_LABELS: dict[Confidence, str] = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
}


@dataclass(frozen=True)
class CheckInView:
    id: int
    kr_id: int
    author: str  # Slack user id, or "cli" / an importer's name
    value: float
    value_text: str  # as typed, e.g. "$1.2M"
    confidence: Confidence | None
    note: str | None
    source: str  # "modal", "thread", "cli", "csv"
    created_at: datetime


@dataclass(frozen=True)
class KeyResultView:
    id: int
    ref: str  # "1.2": objective 1, key result 2, what people type in threads
    text: str
    metric: str
    unit: str  # "%", "days", "$", "" for a plain count
    baseline: float | None
    target: float | None
    direction: Direction
    weight: float
    owner: str | None
    due: date | None
    latest: CheckInView | None
    progress: float | None  # from baseline to target, clamped 0..1, by direction
    previous_progress: float | None  # before the latest check-in, for the biggest movers
    expected: float  # the share of the period elapsed, clamped 0..1
    pace: Pace | None
    score: float | None  # set at the period's end; the owner may adjust it
    score_reason: str | None = None
    source_ids: tuple[str, ...] = ()  # knowledge-base chunks the baseline and target came from

    @property
    def needs_target(self) -> bool:
        return self.direction != "deliverable" and self.target is None


@dataclass(frozen=True)
class ObjectiveView:
    id: int
    ref: str  # "1"
    title: str
    progress: float | None
    key_results: tuple[KeyResultView, ...]


@dataclass(frozen=True)
class ProgressPoint:
    day: date
    progress: float


@dataclass(frozen=True)
class CarriedItem:
    """An open action item of the previous period's quarter-close retro."""

    id: int
    text: str
    owner: str | None


@dataclass(frozen=True)
class CarriedBaseline:
    """A baseline this plan took from the previous period: the key result, the value and why
    ("carried over: the last value of KR 1.2 in 2027-Q1")."""

    kr_id: int
    value_text: str
    reason: str


@dataclass(frozen=True)
class Predecessor:
    """The plan before this one in its channel, closed: what carries over from it."""

    id: int
    title: str
    period: str
    retro_id: int | None
    action_items: tuple[CarriedItem, ...] = ()
    baselines: tuple[CarriedBaseline, ...] = ()


@dataclass(frozen=True)
class PlanView:
    id: int
    workspace_id: str
    channel_id: str
    title: str
    period: str  # "2027-Q1"
    starts: date
    ends: date
    status: PlanStatus
    progress: float | None
    elapsed: float  # share of the period gone, 0..1
    objectives: tuple[ObjectiveView, ...]
    adopted_by: str
    draft_id: int | None
    checkin_schedule: str | None  # as the user typed it
    timezone: str
    next_checkin: datetime | None
    # Owners with a key result not checked in since the latest round opened.
    missing_checkins: tuple[str, ...] = ()
    # Per objective ref, progress over time (one point per day with a check-in), for the chart.
    history: dict[str, tuple[ProgressPoint, ...]] = field(default_factory=dict)
    # The draft id people type (drafting's ids are uuid hex strings); `draft_id` above is the
    # adopted version's row id.
    draft_ref: str | None = None
    # While the plan is set up or active: the closed plan before it in its channel.
    predecessor: Predecessor | None = None

    def key_results(self) -> list[KeyResultView]:
        return [kr for objective in self.objectives for kr in objective.key_results]

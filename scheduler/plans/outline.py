"""What a plan is adopted from: objectives and their key-result sentences, with their sources.

Built from an OKR draft by `handlers/plan_outline.py` (scheduler does not know drafting's
types); the service reads each sentence for its metric, baseline, target and due date.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyResultOutline:
    text: str
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectiveOutline:
    title: str
    key_results: tuple[KeyResultOutline, ...]
    intent: str | None = None


@dataclass(frozen=True)
class PlanOutline:
    title: str
    objectives: tuple[ObjectiveOutline, ...]
    # The draft id people type (drafting's uuid hex) and the adopted version's row id.
    draft_ref: str | None = None
    draft_version_id: int | None = None

    @property
    def key_result_count(self) -> int:
        return sum(len(o.key_results) for o in self.objectives)

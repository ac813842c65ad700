"""Changes to a key result (owner, baseline, target, direction, due, weight), checked and audited.

Every value is checked before anything is written; each changed field becomes one audit row
(who, when, old, new) in `okr_kr_edits`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import cast

from sqlalchemy.orm import Session

from scheduler.plans.models import OkrEdit, OkrKeyResult, OkrPlan
from scheduler.plans.progress import due_of
from scheduler.plans.values import ValueRefused, format_value, parse_value, pick_word, value_for
from scheduler.plans.views import DIRECTIONS, Direction

_USER = re.compile(r"^<?@?(?P<id>[UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$")
_DIRECTION_WORDS: dict[str, Direction] = {
    "up": "increase",
    "increase": "increase",
    "higher": "increase",
    "down": "decrease",
    "decrease": "decrease",
    "lower": "decrease",
    "stay above": "stay_above",
    "above": "stay_above",
    "at least": "stay_above",
    "stay below": "stay_below",
    "below": "stay_below",
    "at most": "stay_below",
    "deliverable": "deliverable",
    "done": "deliverable",
}
MAX_WEIGHT = 100.0
# Who the audit trail names for what alignbot changed itself (a score at the close, a baseline
# carried over from the previous period).
SYSTEM_ACTOR = "alignbot"


class FieldRefused(ValueError):
    """One field's bad value; the message is shown next to it."""


@dataclass(frozen=True)
class KrChanges:
    """What to change on a key result; None leaves a field as it is. Baseline and target are
    text, read in the key result's unit ("35%", "$1.2M", "6 weeks")."""

    baseline: str | None = None
    target: str | None = None
    direction: str | None = None
    owner: str | None = None
    due: date | str | None = None
    weight: float | str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, "") for f in fields(self))


def is_user_id(text: str) -> bool:
    return _USER.match(text.strip()) is not None


def parse_user(text: str) -> str:
    match = _USER.match(text.strip())
    if match is None:
        raise FieldRefused(f"“{text.strip()}” is not a Slack user id (like U0123ABCD).")
    return match.group("id")


def parse_direction(text: str) -> Direction:
    chosen = pick_word(text, DIRECTIONS, _DIRECTION_WORDS)
    if chosen is None:
        raise FieldRefused(
            f"“{text.strip()}” is not a direction: use increase, decrease, stay_above, "
            "stay_below or deliverable."
        )
    return cast(Direction, chosen)


def _weight(value: float | str) -> float:
    try:
        weight = float(str(value).strip())
    except ValueError as exc:
        raise FieldRefused(f"“{value}” is not a weight (a number such as 1 or 2).") from exc
    if not 0 < weight <= MAX_WEIGHT:
        raise FieldRefused(f"A weight is a number above 0 and at most {MAX_WEIGHT:g}.")
    return weight


def _due(value: date | str, plan: OkrPlan) -> date:
    day = value if isinstance(value, date) else due_of(value)
    if day is None:
        raise FieldRefused(f"“{value}” is not a date (try 2027-03-31 or Q1 2027).")
    if day < plan.starts:
        raise FieldRefused(
            f"{day.isoformat()} is before the plan starts ({plan.starts.isoformat()})."
        )
    return day


def _number(text: str, kr: OkrKeyResult, direction: Direction, what: str) -> float:
    """A baseline or target in the key result's unit; a unitless key result with no numbers
    yet takes the unit typed ("12" stays a count, "35%" makes it a percentage)."""
    if kr.unit == "" and kr.baseline is None and kr.target is None:
        try:
            parsed = parse_value(text)
        except ValueRefused as exc:
            raise FieldRefused(f"{what}: {exc}") from exc
        kr.unit = parsed.unit or ""
        return parsed.number
    try:
        return value_for(
            text, unit=kr.unit, direction="increase" if direction == "deliverable" else direction
        )[0]
    except ValueRefused as exc:
        raise FieldRefused(f"{what}: {exc}") from exc


def apply_changes(
    session: Session,
    *,
    plan: OkrPlan,
    kr: OkrKeyResult,
    changes: KrChanges,
    actor: str,
    now: datetime,
) -> list[str]:
    """Change `kr` in place and add an audit row per field; returns the fields changed.

    Raises FieldRefused before touching anything when a value is bad.
    """
    new: dict[str, object] = {}
    direction = cast(Direction, kr.direction)
    if changes.direction not in (None, ""):
        direction = parse_direction(str(changes.direction))
        new["direction"] = direction
    if changes.owner not in (None, ""):
        new["owner"] = parse_user(str(changes.owner))
    if changes.due not in (None, ""):
        new["due"] = _due(cast(date | str, changes.due), plan)
    if changes.weight not in (None, ""):
        new["weight"] = _weight(cast(float | str, changes.weight))
    unit_before = kr.unit
    try:
        if changes.baseline not in (None, ""):
            new["baseline"] = _number(str(changes.baseline), kr, direction, "Baseline")
        if changes.target not in (None, ""):
            if direction == "deliverable":
                raise FieldRefused("A deliverable has no target: it is done or not done.")
            new["target"] = _number(str(changes.target), kr, direction, "Target")
    except FieldRefused:
        kr.unit = unit_before
        raise
    if "direction" not in new and direction in ("increase", "decrease"):
        base = cast(float | None, new.get("baseline", kr.baseline))
        target = cast(float | None, new.get("target", kr.target))
        if base is not None and target is not None and base != target:
            # A target below the baseline means bringing the metric down, whatever was guessed.
            implied: Direction = "decrease" if target < base else "increase"
            if implied != direction:
                new["direction"] = implied
    changed: list[str] = []
    for name, value in new.items():
        old = getattr(kr, name)
        if old == value:
            continue
        session.add(
            OkrEdit(
                plan_id=plan.id,
                kr_id=kr.id,
                workspace_id=plan.workspace_id,
                actor=actor,
                field=name,
                old_value=_shown(name, old, unit_before),
                new_value=_shown(name, value, kr.unit),
                created_at=now,
            )
        )
        setattr(kr, name, value)
        changed.append(name)
    if kr.unit != unit_before and "unit" not in changed:
        session.add(
            OkrEdit(
                plan_id=plan.id,
                kr_id=kr.id,
                workspace_id=plan.workspace_id,
                actor=actor,
                field="unit",
                old_value=unit_before or None,
                new_value=kr.unit or None,
                created_at=now,
            )
        )
    return changed


def _shown(name: str, value: object, unit: str) -> str | None:
    if value is None:
        return None
    if name in ("baseline", "target"):
        return format_value(cast(float, value), unit)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def audit_plan(
    session: Session,
    *,
    plan: OkrPlan,
    actor: str,
    field: str,
    old: str | None,
    new: str | None,
    now: datetime,
    reason: str | None = None,
    kr_id: int | None = None,
) -> None:
    session.add(
        OkrEdit(
            plan_id=plan.id,
            kr_id=kr_id,
            workspace_id=plan.workspace_id,
            actor=actor,
            field=field,
            old_value=old,
            new_value=new,
            reason=reason,
            created_at=now,
        )
    )

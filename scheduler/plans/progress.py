"""Progress, pace and score of key results, objectives and plans, and the periods they run over.

Pure functions over numbers and dates: the service feeds them stored values, the views show the
results. Progress is a fraction 0..1 (None when not known yet).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from scheduler.plans.views import Direction, Pace

# Ahead or behind means more than this far from where the elapsed time says we should be.
PACE_TOLERANCE = 0.1


class PeriodError(ValueError):
    """A period we cannot read; the message is one line with examples."""


def kr_progress(
    direction: Direction,
    *,
    baseline: float | None,
    target: float | None,
    value: float | None,
    first_value: float | None = None,
) -> float | None:
    """Linear from baseline to target, clamped to 0..1 and aware of direction.

    A deliverable is 0 or 1; stay_above / stay_below are 1 while on the right side of the
    target, else 0. Without a baseline an increase starts at 0 ("hire 6 engineers") and a
    decrease starts at its first check-in. None when there is no value or no target.
    """
    if value is None:
        return None
    if direction == "deliverable":
        return 1.0 if value >= 1 else 0.0
    if target is None:
        return None
    if direction == "stay_above":
        return 1.0 if value >= target else 0.0
    if direction == "stay_below":
        return 1.0 if value <= target else 0.0
    start = baseline
    if start is None:
        start = 0.0 if direction == "increase" else first_value
    if start is None:
        return None
    span = target - start if direction == "increase" else start - target
    moved = value - start if direction == "increase" else start - value
    if span <= 0:
        # The target is already met at the baseline (or set the wrong way round): only being
        # at or past it counts.
        reached = value >= target if direction == "increase" else value <= target
        return 1.0 if reached else 0.0
    return _clamp(moved / span)


def expected_share(starts: date, ends: date, today: date) -> float:
    """How much of [starts, ends] has gone by at the end of `today`, 0..1."""
    days = (ends - starts).days + 1
    if days <= 0:
        return 1.0
    return _clamp(((today - starts).days + 1) / days)


def pace(
    progress: float | None, expected: float, *, direction: Direction, overdue: bool
) -> Pace | None:
    """Ahead, on pace (within PACE_TOLERANCE) or behind; None before the first check-in."""
    if progress is None:
        return None
    if direction in ("stay_above", "stay_below"):
        return "on_pace" if progress >= 1 else "behind"
    if direction == "deliverable":
        if progress >= 1:
            return "on_pace" if overdue else "ahead"
        return "behind" if overdue else "on_pace"
    if progress > expected + PACE_TOLERANCE:
        return "ahead"
    if progress < expected - PACE_TOLERANCE:
        return "behind"
    return "on_pace"


def weighted_mean(values: Iterable[tuple[float | None, float]]) -> float | None:
    """Mean of (progress, weight); a key result not checked in yet counts as 0 (it is still
    at its baseline), and the mean is None when nothing has been checked in at all."""
    pairs = list(values)
    if not pairs or all(p is None for p, _ in pairs):
        return None
    total = sum(w for _, w in pairs)
    if total <= 0:
        return None
    return _clamp(sum((p or 0.0) * w for p, w in pairs) / total)


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


# periods ------------------------------------------------------------------------------------

_QUARTER = re.compile(
    r"^(?:(?P<y1>\d{4})\s*-?\s*Q(?P<q1>[1-4])|Q(?P<q2>[1-4])\s*-?\s*(?P<y2>\d{4}))$", re.I
)
_HALF = re.compile(
    r"^(?:(?P<y1>\d{4})\s*-?\s*H(?P<h1>[12])|H(?P<h2>[12])\s*-?\s*(?P<y2>\d{4}))$", re.I
)
_RANGE = re.compile(r"^(?P<a>\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|–|—)\s*(?P<b>\d{4}-\d{2}-\d{2})$")
PERIOD_EXAMPLES = "2027-Q1, Q1 2027, 2027-H2, 2027, or 2027-01-01..2027-03-31"


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def next_quarter(today: date) -> str:
    """The quarter after today's: a plan adopted in December is for Q1."""
    q = (today.month - 1) // 3 + 1
    return f"{today.year + 1}-Q1" if q == 4 else f"{today.year}-Q{q + 1}"


def parse_period(text: str) -> tuple[str, date, date]:
    """(canonical name, first day, last day) of a period people type."""
    body = " ".join(text.strip().split())
    if m := _QUARTER.match(body):
        year, q = int(m.group("y1") or m.group("y2")), int(m.group("q1") or m.group("q2"))
        start = date(year, 3 * q - 2, 1)
        return f"{year}-Q{q}", start, _month_end(year, 3 * q)
    if m := _HALF.match(body):
        year, h = int(m.group("y1") or m.group("y2")), int(m.group("h1") or m.group("h2"))
        return f"{year}-H{h}", date(year, 6 * h - 5, 1), _month_end(year, 6 * h)
    if re.fullmatch(r"(?:FY\s*)?\d{4}", body, re.I):
        year = int(body[-4:])
        return str(year), date(year, 1, 1), date(year, 12, 31)
    if m := _RANGE.match(body):
        try:
            a, b = date.fromisoformat(m.group("a")), date.fromisoformat(m.group("b"))
        except ValueError as exc:
            raise PeriodError(f"“{body}” has a date that does not exist.") from exc
        if b < a:
            raise PeriodError(f"“{body}” ends before it starts.")
        if (b - a).days > 731:
            raise PeriodError("A plan's period is at most two years.")
        return f"{a.isoformat()}..{b.isoformat()}", a, b
    raise PeriodError(f"“{body}” is not a period I know; try {PERIOD_EXAMPLES}.")


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def due_of(text: str) -> date | None:
    """The last day of "Q3 2027", "H1 2027", "FY2027", "2027", "March 2027", "2027-03-15"."""
    body = " ".join(text.strip().split()).removeprefix("the ").removeprefix("end of ")
    try:
        return date.fromisoformat(body)
    except ValueError:
        pass
    try:
        return parse_period(body)[2]
    except PeriodError:
        pass
    m = re.fullmatch(
        r"(?:(?P<d>\d{1,2})\s+)?(?P<mon>[A-Za-z]{3,9})\.?\s+(?:(?P<d2>\d{1,2}),?\s+)?(?P<y>\d{4})",
        body,
    )
    if m is None:
        return None
    month = _MONTHS.get(m.group("mon").lower()[:3])
    if month is None:
        return None
    year = int(m.group("y"))
    day = m.group("d") or m.group("d2")
    try:
        return date(year, month, int(day)) if day else _month_end(year, month)
    except ValueError:
        return None


_MONTHS = {
    name: i
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}

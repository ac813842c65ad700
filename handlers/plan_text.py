"""How a plan's numbers read in Slack: values with their units, percentages, bars, confidence.

Every builder of plan messages and modals speaks through these, so "99.95%", "48%" and
"█████░░░░░" look the same in a DM, the digest and `/okr status`. User text (titles, key
results, notes) still goes through `safe_text` in the builders.
"""

from __future__ import annotations

from datetime import datetime

from handlers.slack_text import safe_text
from scheduler.plans import values
from scheduler.plans.views import (
    CONFIDENCE_LABELS,
    Confidence,
    KeyResultView,
    Pace,
    PlanView,
)

BAR_CELLS = 10
CONFIDENCE_EMOJI: dict[Confidence, str] = {
    "on_track": ":large_green_circle:",
    "at_risk": ":large_yellow_circle:",
    "off_track": ":red_circle:",
}
PACE_LABELS: dict[Pace, str] = {
    "ahead": "ahead of pace",
    "on_pace": "on pace",
    "behind": "behind pace",
}
DIRECTION_LABELS = {
    "increase": "Increase",
    "decrease": "Decrease",
    "stay_above": "Stay above",
    "stay_below": "Stay below",
    "deliverable": "Deliverable (done or not)",
}


def format_value(value: float | None, unit: str, direction: str = "increase") -> str:
    """A value the way people write it: "99.95%", "8.1 days", "$1.2M", "1,340", "done"."""
    if value is None:
        return "not set"
    if direction == "deliverable":
        return "done" if value >= 1 else "not done"
    return safe_text(values.format_value(value, unit))


def percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{round(fraction * 100)}%"


def bar(fraction: float | None) -> str:
    """A progress bar in text, for mrkdwn: `███░░░░░░░`."""
    filled = 0 if fraction is None else round(min(max(fraction, 0.0), 1.0) * BAR_CELLS)
    return "`" + "█" * filled + "░" * (BAR_CELLS - filled) + "`"


def confidence_text(confidence: Confidence | None) -> str:
    if confidence is None:
        return ""
    return f"{CONFIDENCE_EMOJI[confidence]} {CONFIDENCE_LABELS[confidence].lower()}"


def slack_date(moment: datetime, fallback: str | None = None) -> str:
    """Slack shows <!date^…> in each reader's own timezone."""
    fallback = fallback or moment.strftime("%a %-d %b %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def kr_range(kr: KeyResultView) -> str:
    """ "96.2% → 99.95%", "target to be set", or "due 31 Mar" for a deliverable."""
    if kr.direction == "deliverable":
        return f"due {kr.due.strftime('%-d %b')}" if kr.due else "deliverable"
    target = format_value(kr.target, kr.unit) if kr.target is not None else "_target to be set_"
    if kr.direction in ("stay_above", "stay_below"):
        word = "stay above" if kr.direction == "stay_above" else "stay below"
        return f"{word} {target}"
    if kr.baseline is None:
        return f"target {target}"
    return f"{format_value(kr.baseline, kr.unit)} → {target}"


def kr_latest(kr: KeyResultView) -> str:
    """ "now *98%* (7 Dec, :large_yellow_circle: at risk)", or "no check-in yet"."""
    latest = kr.latest
    if latest is None:
        return "_no check-in yet_"
    said = [latest.created_at.strftime("%-d %b")]
    if latest.confidence:
        said.append(confidence_text(latest.confidence))
    return f"now *{safe_text(latest.value_text)}* ({', '.join(said)})"


def kr_headline(kr: KeyResultView, *, limit: int = 300) -> str:
    """ "*KR 1.2* Reach 99.95% uptime" with the key result's own words, made safe and short."""
    text = " ".join(kr.text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"*KR {kr.ref}* {safe_text(text)}"


def kr_summary(kr: KeyResultView) -> str:
    """One line of figures under a key result: latest value, range, progress and pace."""
    parts = [kr_latest(kr), kr_range(kr), f"{bar(kr.progress)} {percent(kr.progress)}"]
    if kr.pace:
        parts.append(PACE_LABELS[kr.pace])
    if kr.score is not None:
        parts.append(f"score *{kr.score:.1f}*")
    return " · ".join(parts)


def schedule_text(plan: PlanView) -> str:
    """The schedule as the service describes it, timezone included ("weekly on Monday at 10:00
    (Europe/Paris)"), or a hint when none is set yet."""
    if not plan.checkin_schedule:
        return "not scheduled yet"
    return safe_text(plan.checkin_schedule)


def period_position(plan: PlanView) -> str:
    """ "week 3 of 13" of the plan's period."""
    weeks = max(1, round(((plan.ends - plan.starts).days + 1) / 7))
    week = min(weeks, max(1, int(plan.elapsed * weeks) + 1))
    return f"week {week} of {weeks}"

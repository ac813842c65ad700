"""Checking a check-in before it is stored, bulk check-ins from CSV, and the note's knowledge text.

A check-in is refused, with one line saying why, when its value does not parse or is in the
wrong unit, when the key result is someone else's, or when the plan is not tracking.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import as_utc
from scheduler.plans.errors import CheckInRefused
from scheduler.plans.models import OkrCheckIn, OkrKeyResult, OkrObjective, OkrPlan
from scheduler.plans.values import (
    DONE_WORDS,
    NOT_DONE_WORDS,
    ValueRefused,
    parse_value,
    pick_word,
    value_for,
)
from scheduler.plans.views import CONFIDENCE_LABELS, CONFIDENCES, CheckInView, Confidence, Direction

MAX_NOTE_CHARS = 3000
MAX_CSV_ROWS = 5000
_CONFIDENCE_WORDS: dict[str, Confidence] = {
    "on track": "on_track",
    "ok": "on_track",
    "green": "on_track",
    "at risk": "at_risk",
    "risk": "at_risk",
    "amber": "at_risk",
    "yellow": "at_risk",
    "off track": "off_track",
    "red": "off_track",
    "blocked": "off_track",
}


@dataclass(frozen=True)
class CheckInDraft:
    """A check-in as typed, before it is checked; `line` numbers a CSV row for errors."""

    kr_id: int
    value_text: str
    confidence: str | None = None
    note: str | None = None
    line: int | None = None


def parse_confidence(text: str | None) -> Confidence | None:
    if text is None or not text.strip():
        return None
    chosen = pick_word(text, CONFIDENCES, _CONFIDENCE_WORDS)
    if chosen is None:
        raise CheckInRefused(
            f"“{text.strip()}” is not a confidence: say on track, at risk or off track."
        )
    return cast(Confidence, chosen)


def kr_ref(session: Session, kr: OkrKeyResult) -> str:
    position = session.scalar(
        select(OkrObjective.position).where(OkrObjective.id == kr.objective_id)
    )
    return f"{position}.{kr.position}"


def prepare_checkin(
    session: Session,
    plan: OkrPlan,
    kr: OkrKeyResult,
    draft: CheckInDraft,
    *,
    author: str,
    source: str,
    as_owner: bool,
    now: datetime,
) -> OkrCheckIn:
    """The row to store for `draft`, or CheckInRefused naming the key result and the reason."""
    ref = kr_ref(session, kr)
    if plan.status != "active":
        why = {
            "setup": "is not tracking yet: it still needs owners or targets",
            "closed": "is closed",
            "archived": "is archived",
        }.get(plan.status, f"is {plan.status}")
        raise CheckInRefused(f"KR {ref}: plan {plan.id} {why}, so check-ins are not taken.")
    if as_owner and kr.owner != author:
        whose = f"<@{kr.owner}>'s" if kr.owner else "not assigned to anyone yet, so not yours"
        raise CheckInRefused(f"KR {ref} is {whose}; only its owner can check in on it.")
    try:
        value, typed = value_for(
            draft.value_text, unit=kr.unit, direction=cast(Direction, kr.direction)
        )
    except ValueRefused as exc:
        raise CheckInRefused(f"KR {ref}: {exc}") from exc
    confidence = parse_confidence(draft.confidence)
    note = (draft.note or "").strip()[:MAX_NOTE_CHARS] or None
    return OkrCheckIn(
        kr_id=kr.id,
        plan_id=plan.id,
        workspace_id=plan.workspace_id,
        author=author,
        value=value,
        value_text=typed[:100],
        confidence=confidence,
        note=note,
        source=source,
        created_at=as_utc(now),
    )


def knowledge_note(
    session: Session, plan: OkrPlan, kr: OkrKeyResult, checkin: CheckInView
) -> tuple[str, str]:
    """(title, text) of a check-in note for the knowledge base:
    "Check-in 7 Dec 2026 · KR 1.2 · <@U123>", then what it measured and the note."""
    ref = kr_ref(session, kr)
    day = checkin.created_at.astimezone(ZoneInfo(plan.timezone))
    title = f"Check-in {day.day} {day:%b %Y} · KR {ref} · <@{checkin.author}>"
    confidence = f" ({CONFIDENCE_LABELS[checkin.confidence]})" if checkin.confidence else ""
    # A second note the same day has the same title, and so replaces the first in the
    # knowledge base: it carries the day's earlier notes, so none is lost.
    midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
    earlier = session.scalars(
        select(OkrCheckIn)
        .where(
            OkrCheckIn.kr_id == kr.id,
            OkrCheckIn.author == checkin.author,
            OkrCheckIn.id < checkin.id,
            OkrCheckIn.note.is_not(None),
            OkrCheckIn.created_at >= as_utc(midnight),
        )
        .order_by(OkrCheckIn.id)
    )
    before = [f"Earlier that day, at {row.value_text}: {row.note}" for row in earlier if row.note]
    text = "\n".join(
        [
            title,
            f"Plan: {plan.title} ({plan.period}). Key result {ref}: {kr.text}",
            *before,
            f"{kr.metric}: {checkin.value_text}{confidence}.",
            checkin.note or "",
        ]
    ).strip()
    return title, text


def parse_checkin_csv(text: str) -> list[CheckInDraft]:
    """Rows of `kr,value[,confidence][,note]` (a header row names them; `kr_id` also works).

    Raises CheckInRefused for a file with no usable header or a row without a key result id.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = {(n or "").strip().lower(): n for n in reader.fieldnames or []}
    kr_col = names.get("kr") or names.get("kr_id") or names.get("key_result")
    value_col = names.get("value")
    if kr_col is None or value_col is None:
        raise CheckInRefused("The CSV needs a header row with at least the columns kr and value.")
    drafts: list[CheckInDraft] = []
    for line, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        raw = (row.get(kr_col) or "").strip()
        try:
            kr_id = int(raw.removeprefix("#"))
        except ValueError as exc:
            raise CheckInRefused(
                f"Line {line}: “{raw}” is not a key result id (a number, as `okr status` shows)."
            ) from exc
        drafts.append(
            CheckInDraft(
                kr_id=kr_id,
                value_text=(row.get(value_col) or "").strip(),
                confidence=(row.get(names.get("confidence", "")) or "").strip() or None,
                note=(row.get(names.get("note", "")) or "").strip() or None,
                line=line,
            )
        )
        if len(drafts) > MAX_CSV_ROWS:
            raise CheckInRefused(f"The CSV has more than {MAX_CSV_ROWS} rows; split it.")
    if not drafts:
        raise CheckInRefused("The CSV has no rows to check in.")
    return drafts


_REPLY = re.compile(
    r"^\s*(?:KR|key result)\s*#?\s*(?P<ref>\d+\.\d+)\s*[:=\-–—]?\s*(?P<rest>.*)$", re.I | re.S
)
_REPLY_CONFIDENCE = re.compile(
    r"^(?P<word>on[\s_-]track|at[\s_-]?risk|off[\s_-]?track|green|amber|yellow|red|blocked)\b\s*[,;:.\-–—]?\s*",
    re.I,
)


@dataclass(frozen=True)
class CheckInReply:
    """A check-in typed as a thread reply: `KR 2.3: 42% at risk, blocked on hiring`."""

    ref: str
    value_text: str
    confidence: str | None
    note: str | None


def parse_checkin_reply(text: str) -> CheckInReply | None:
    """The parts of a thread reply check-in; None when the reply is not one (no `KR n.m`).

    The value is the longest start of the rest that reads as a value ("42%", "$1.2M",
    "8.1 days", "not done"); then an optional confidence; the remainder is the note. The value
    is checked against the key result's unit when the check-in is stored, not here.
    """
    match = _REPLY.match(text)
    if match is None:
        return None
    rest = match.group("rest").strip()
    words = rest.split()
    value_text = ""
    # The value ends where a confidence starts ("42 on track" is 42, on track).
    limit = next(
        (i for i in range(1, len(words)) if _REPLY_CONFIDENCE.match(" ".join(words[i:]))),
        len(words),
    )
    for n in range(min(4, limit), 0, -1):
        candidate = " ".join(words[:n]).rstrip(",;:.")
        if _reads_as_value(candidate):
            value_text, rest = candidate, rest[len(" ".join(words[:n])) :]
            break
    if not value_text:
        # Not a value we can read: hand the first word on, so the refusal quotes it.
        value_text, rest = (words[0], rest[len(words[0]) :]) if words else ("", "")
    rest = rest.lstrip(" ,;:.-–—")
    confidence = None
    if found := _REPLY_CONFIDENCE.match(rest):
        confidence, rest = found.group("word"), rest[found.end() :]
    note = rest.strip() or None
    return CheckInReply(
        ref=match.group("ref"), value_text=value_text, confidence=confidence, note=note
    )


def _reads_as_value(text: str) -> bool:
    lowered = text.lower()
    if lowered in DONE_WORDS or lowered in NOT_DONE_WORDS:
        return True
    try:
        parse_value(text)
    except ValueRefused:
        return False
    return True

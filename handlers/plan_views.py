"""Pure Block Kit builders for adopted plans' messages: check-in DMs, the digest and `/okr
status` (the plan's announcements and App Home section are in handlers/plan_announcements.py).

They take the plan service's read views (scheduler/plans/views.py) and return blocks; nothing
here calls Slack or the database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from handlers import ids
from handlers.plan_text import (
    CONFIDENCE_EMOJI,
    PACE_LABELS,
    bar,
    kr_headline,
    kr_summary,
    percent,
    period_position,
    schedule_text,
    slack_date,
)
from handlers.slack_text import quote, safe_text
from scheduler.plans.views import CONFIDENCE_LABELS, KeyResultView, ObjectiveView, PlanView

Block = dict[str, Any]
MAX_MESSAGE_BLOCKS = 50
TEXT_LIMIT = 3000
MOVERS = 3
THREAD_HINT = "`KR 2.3: 42% at risk, blocked on hiring`"


def _mrkdwn(text: str) -> dict[str, str]:
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "action_id": action_id, "text": _plain(text, 75)}
    element["value"] = value
    if style:
        element["style"] = style
    return element


def header(text: str) -> Block:
    return {"type": "header", "text": _plain(text)}


def plan_name(plan: PlanView) -> str:
    return f"{safe_text(plan.title)} ({safe_text(plan.period)})"


def checkin_value(plan_id: int, round_id: int | None) -> str:
    """The "Check in" button's value: which plan, and the round it answers (None on demand)."""
    return json.dumps({"p": plan_id, "r": round_id})


# Check-in DM ------------------------------------------------------------------------------------
def build_checkin_dm(
    plan: PlanView,
    owner: str,
    key_results: Sequence[KeyResultView],
    *,
    round_id: int | None,
    reminder: bool = False,
    checked_in: bool = False,
) -> list[Block]:
    """One DM per owner per round: their key results with where they stand, and one button.
    Once they checked in, the same DM shows the new figures and says so."""
    count = len(key_results)
    noun = "key result" if count == 1 else "key results"
    if checked_in:
        opening = (
            f":white_check_mark: Thanks <@{owner}>, your check-in on *{plan_name(plan)}* is "
            "saved. Where your key results stand now:"
        )
    elif reminder:
        opening = (
            f":alarm_clock: <@{owner}>, your check-in on *{plan_name(plan)}* is still open. "
            f"It takes a minute: {count} {noun}."
        )
    else:
        opening = (
            f"Hi <@{owner}>, it's check-in time for *{plan_name(plan)}* "
            f"({period_position(plan)}). Here are your {count} {noun}; update the ones that "
            "moved."
        )
    blocks: list[Block] = [section(opening)]
    room = MAX_MESSAGE_BLOCKS - 4
    for kr in list(key_results)[:room]:
        blocks.append(section(f"{kr_headline(kr)}\n{kr_summary(kr)}"))
    if count > room:
        blocks.append(context(f"…and {count - room} more, all in the check-in form."))
    blocks.append(
        {
            "type": "actions",
            "block_id": "okr_checkin_actions",
            "elements": [
                button(
                    "Check in again" if checked_in else "Check in",
                    ids.OKR_CHECKIN,
                    checkin_value(plan.id, round_id),
                    None if checked_in else "primary",
                )
            ],
        }
    )
    blocks.append(
        context(
            f"Or reply in a thread in <#{plan.channel_id}>, e.g. {THREAD_HINT}. "
            "A check-in never overwrites an earlier one: a correction is a new check-in."
        )
    )
    return blocks


def checkin_dm_text(plan: PlanView, *, reminder: bool) -> str:
    what = "Reminder: check in on" if reminder else "Time to check in on"
    return f"{what} {plan_name(plan)}"


# Digest and status ------------------------------------------------------------------------------
def packed(lines: Sequence[str]) -> list[Block]:
    """`lines` as few sections as Slack's 3,000 characters a section allow, none cut short."""
    texts: list[str] = []
    for line in lines:
        line = line if len(line) <= TEXT_LIMIT else line[: TEXT_LIMIT - 1] + "…"
        if texts and len(texts[-1]) + 1 + len(line) <= TEXT_LIMIT:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return [section(text) for text in texts]


def _objective_lines(objective: ObjectiveView) -> list[str]:
    behind = sum(1 for kr in objective.key_results if kr.pace == "behind")
    lead = f"*{objective.ref} · {safe_text(objective.title)}*\n{bar(objective.progress)} "
    lead += f"*{percent(objective.progress)}*"
    if behind:
        lead += f" · {behind} of {len(objective.key_results)} behind pace"
    lines = [lead]
    for kr in objective.key_results:
        owner = f" · <@{kr.owner}>" if kr.owner else ""
        lines.append(f"• {kr_headline(kr, limit=120)}{owner}\n      {kr_summary(kr)}")
    return lines


def biggest_movers(plan: PlanView, limit: int = MOVERS) -> list[tuple[KeyResultView, float]]:
    """Key results whose progress moved most with their latest check-in, largest first."""
    moves = [
        (kr, kr.progress - kr.previous_progress)
        for kr in plan.key_results()
        if kr.progress is not None and kr.previous_progress is not None
    ]
    moves = [(kr, delta) for kr, delta in moves if abs(delta) >= 0.005]
    return sorted(moves, key=lambda m: (-abs(m[1]), m[0].ref))[:limit]


def _movers_lines(plan: PlanView) -> list[str]:
    movers = biggest_movers(plan)
    if not movers:
        return []
    lines = ["*Biggest movers*"]
    for kr, delta in movers:
        arrow = ":arrow_up_small:" if delta > 0 else ":arrow_down_small:"
        points = round(delta * 100)
        lines.append(
            f"{arrow} {kr_headline(kr, limit=100)}: {points:+d} pts "
            f"({percent(kr.previous_progress)} → {percent(kr.progress)})"
        )
    return lines


def _risks_lines(plan: PlanView) -> list[str]:
    risky = [
        kr
        for kr in plan.key_results()
        if kr.latest is not None and kr.latest.confidence in ("at_risk", "off_track")
    ]
    if not risky:
        return []
    # Off track first: that is where the head of the plan looks first.
    risky.sort(key=lambda kr: (kr.latest.confidence != "off_track" if kr.latest else True, kr.ref))
    lines = ["*At risk or off track*"]
    for kr in risky:
        latest = kr.latest
        assert latest is not None and latest.confidence is not None
        line = (
            f"{CONFIDENCE_EMOJI[latest.confidence]} {kr_headline(kr, limit=100)} · "
            f"{CONFIDENCE_LABELS[latest.confidence].lower()} at *{safe_text(latest.value_text)}*"
        )
        if latest.note:
            line += f": “{quote(latest.note, 240)}”"
        if kr.owner:
            line += f" (<@{kr.owner}>)"
        lines.append(line)
    return lines


def _missing_text(plan: PlanView) -> str:
    if not plan.missing_checkins:
        return ":white_check_mark: Everyone has checked in this round."
    people = ", ".join(f"<@{user}>" for user in plan.missing_checkins)
    return f"*Not checked in yet:* {people}"


def _overview(plan: PlanView) -> str:
    text = f"*Plan progress {percent(plan.progress)}* {bar(plan.progress)}"
    text += f" · expected {percent(plan.elapsed)} by now · {period_position(plan)}"
    key_results = plan.key_results()
    paces = [kr.pace for kr in key_results if kr.pace]
    if paces:
        counts = [f"{paces.count(p)} {PACE_LABELS[p]}" for p in PACE_LABELS if paces.count(p)]
        text += "\n" + " · ".join(counts)
    return text


MAX_CARRIED = 10


def carried_over_lines(plan: PlanView) -> list[str]:
    """What carries over from the previous period: its quarter-close retro's open action items
    and the baselines taken from its last values; nothing when there is no such period."""
    before = plan.predecessor
    if before is None or not (before.action_items or before.baselines):
        return []
    lines = [
        f":arrows_counterclockwise: *Carried over from {safe_text(before.period)}* "
        f"({safe_text(before.title)}):"
    ]
    for item in before.action_items[:MAX_CARRIED]:
        owner = f" (<@{item.owner}>)" if item.owner else ""
        lines.append(f"• {quote(item.text, 200)}{owner}")
    if len(before.action_items) > MAX_CARRIED:
        lines.append(f"…and {len(before.action_items) - MAX_CARRIED} more open action items.")
    refs = {kr.id: kr for kr in plan.key_results()}
    for baseline in before.baselines:
        kr = refs.get(baseline.kr_id)
        if kr is not None:
            lines.append(
                f"• *KR {kr.ref}* {safe_text(kr.metric)} starts from "
                f"*{safe_text(baseline.value_text)}* ({safe_text(baseline.reason)})"
            )
    return lines


def build_plan_report(plan: PlanView, *, title: str) -> list[Block]:
    """The digest's body, also `/okr status`: overview, objectives, movers, risks, missing."""
    blocks: list[Block] = [header(f"{title}: {plan.title}"[:150])]
    blocks.append(section(_overview(plan)))
    blocks.append({"type": "divider"})
    carried = packed(carried_over_lines(plan))[:1]
    blocks.extend(carried)
    # Room for the closing sections (movers, risks, missing, next) and a caller's actions.
    room = MAX_MESSAGE_BLOCKS - len(blocks) - 7
    objectives = list(plan.objectives)
    for index, objective in enumerate(objectives):
        group = packed(_objective_lines(objective))
        if len(group) > room - 1:
            left = len(objectives) - index
            blocks.append(context(f"…and {left} more objective{'s' if left != 1 else ''}."))
            break
        blocks.extend(group)
        room -= len(group)
    blocks.append({"type": "divider"})
    for lines in (_movers_lines(plan), _risks_lines(plan)):
        blocks.extend(packed(lines)[:2])
    if plan.status == "active":
        blocks.append(section(_missing_text(plan)))
    elif plan.status == "setup":
        waiting = [kr for kr in plan.key_results() if kr.needs_target or kr.owner is None]
        refs = ", ".join(f"KR {kr.ref}" for kr in waiting[:20])
        blocks.append(
            section(
                f":hourglass: *Not tracking yet:* {refs or 'nothing'} still needs an owner or a target."
            )
        )
    tail = [f"Check-ins: {schedule_text(plan)}"]
    if plan.next_checkin is not None and plan.status == "active":
        tail.append(f"next {slack_date(plan.next_checkin)}")
    tail.append(
        f"owners check in from their DM, or in a thread in <#{plan.channel_id}>: {THREAD_HINT}"
    )
    blocks.append(context(" · ".join(tail)))
    return blocks


def build_digest(plan: PlanView) -> list[Block]:
    return build_plan_report(plan, title="OKR digest")


def digest_text(plan: PlanView) -> str:
    return f"OKR digest: {plan_name(plan)}, progress {percent(plan.progress)}"


def build_status(plan: PlanView, *, user: str) -> list[Block]:
    """`/okr status`: the digest's view on demand, with the viewer's own controls."""
    blocks = build_plan_report(plan, title="OKR status")
    elements: list[Block] = []
    own = [kr for kr in plan.key_results() if kr.owner == user]
    if own and plan.status == "active":
        elements.append(
            button("Check in", ids.OKR_CHECKIN, checkin_value(plan.id, None), "primary")
        )
    if plan.status == "setup":
        elements.append(button("Finish setup", ids.OKR_SETUP, str(plan.id), "primary"))
    if plan.status in ("setup", "active"):
        options = [
            {"text": _plain(f"KR {kr.ref} · {kr.metric or kr.text}", 75), "value": str(kr.id)}
            for kr in plan.key_results()
        ][:100]
        if options:
            elements.append(
                {
                    "type": "static_select",
                    "action_id": ids.OKR_EDIT_KR,
                    "placeholder": _plain("Edit a key result…"),
                    "options": options,
                }
            )
    if elements:
        blocks.append({"type": "actions", "block_id": ids.OKR_STATUS_ACTIONS, "elements": elements})
    return blocks


def build_plan_list(plans: Sequence[PlanView]) -> str:
    if not plans:
        return (
            "No plans are tracked yet. Draft one with `/okr <subject>`, then press *Adopt plan* "
            "under it (or type `/okr adopt` in its channel)."
        )
    lines = ["*OKR plans*"]
    for plan in plans:
        lines.append(
            f"• `#{plan.id}` *{plan_name(plan)}* in <#{plan.channel_id}> · {plan.status} · "
            f"{percent(plan.progress)}"
        )
    return "\n".join(lines)

"""Pure Block Kit builders for a plan's announcements in its channel (adopted, tracked,
quarter closed) and for its App Home section."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.plan_text import bar, percent, schedule_text, slack_date
from handlers.plan_views import (
    THREAD_HINT,
    Block,
    carried_over_lines,
    context,
    header,
    kr_headline,
    packed,
    plan_name,
    section,
)
from handlers.slack_text import quote, safe_text
from scheduler.plans.views import PlanView


# The plan's thread: adoption, start and close ---------------------------------------------------
def build_plan_adopted(plan: PlanView, *, adopted_by: str) -> list[Block]:
    """The message that opens the plan's thread in its channel."""
    count = len(plan.key_results())
    text = (
        f":dart: <@{adopted_by}> adopted *{plan_name(plan)}*: {len(plan.objectives)} objectives, "
        f"{count} key results."
    )
    carried = packed(carried_over_lines(plan))
    if plan.status == "setup":
        waiting = [kr for kr in plan.key_results() if kr.needs_target or kr.owner is None]
        text += (
            f"\nTracking starts once every key result has an owner and a target "
            f"({len(waiting)} still to set)."
        )
        return [section(text), *carried]
    return [section(text), *carried, *build_plan_started(plan)]


def build_plan_started(plan: PlanView) -> list[Block]:
    owners = sorted({kr.owner for kr in plan.key_results() if kr.owner})
    lines = [
        f":white_check_mark: *{plan_name(plan)}* is being tracked.",
        f"Owners: {', '.join(f'<@{o}>' for o in owners) or 'none yet'}.",
        f"Check-ins: {schedule_text(plan)}"
        + (f", next {slack_date(plan.next_checkin)}" if plan.next_checkin else "")
        + ". Each owner gets a DM with their key results.",
    ]
    return [
        section("\n".join(lines)),
        context(
            f"Check in by replying in this thread, e.g. {THREAD_HINT}. `/okr status` shows "
            "where the plan stands."
        ),
    ]


def build_plan_closed(plan: PlanView, *, retro_id: int | None) -> list[Block]:
    """The period is over: each key result's score, and where the quarter-close retro is."""
    blocks: list[Block] = [
        header(f"Quarter closed: {plan.title}"[:150]),
        section(f"*{plan_name(plan)}* ended with plan progress *{percent(plan.progress)}*."),
    ]
    lines = []
    for objective in plan.objectives:
        lines.append(f"*{objective.ref} · {safe_text(objective.title)}* {bar(objective.progress)}")
        for kr in objective.key_results:
            score = f"*{kr.score:.1f}*" if kr.score is not None else "–"
            reason = f" (adjusted: {quote(kr.score_reason, 160)})" if kr.score_reason else ""
            lines.append(f"• {kr_headline(kr, limit=120)}: score {score}{reason}")
    # Every score, however many: the message is paged into the thread when it runs long.
    blocks.extend(packed(lines))
    closing = (
        "The quarter-close retro is open in this channel: add what you learned, and its "
        "action items carry over to the next plan."
        if retro_id is not None
        else "An owner can adjust a score with its reason: `/okr score 1.2 0.7 <why>`."
    )
    blocks.append(context(closing))
    return blocks


# App Home ---------------------------------------------------------------------------------------
def build_home_plans(plans: Sequence[PlanView], *, user: str) -> list[Block]:
    """App Home's section: the plans the person owns key results in, with the next check-in."""
    if not plans:
        return [
            section(
                "*Your OKRs*\n_You don't own a key result in any tracked plan. Adopt an OKR "
                "draft with its *Adopt plan* button._"
            )
        ]
    lines = ["*Your OKRs*"]
    for plan in plans[:20]:
        own = [kr for kr in plan.key_results() if kr.owner == user]
        next_at = (
            f"next check-in {slack_date(plan.next_checkin)}"
            if plan.next_checkin and plan.status == "active"
            else plan.status
        )
        behind = sum(1 for kr in own if kr.pace == "behind")
        lines.append(
            f"• *{plan_name(plan)}* in <#{plan.channel_id}> · plan {percent(plan.progress)} · "
            f"your {len(own)} key result{'s' if len(own) != 1 else ''}"
            + (f" ({behind} behind pace)" if behind else "")
            + f" · {next_at}"
        )
    return [section("\n".join(lines))]

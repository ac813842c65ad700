"""`/okr adopt|status|list|edit|archive|checkins`: tracked plans from the command line of Slack.

`/okr <subject>` still drafts a plan (handlers/draft_commands.py); these words, first, act on
adopted plans instead. Everything here is database work and answers inside the ack, except
opening a modal, which needs the command's trigger.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from drafting.desk import PostedVersion
from handlers.deps import ServingDeps, WorkerDeps
from handlers.plan_announcements import build_plan_adopted
from handlers.plan_modals import build_adopt_modal, build_edit_modal
from handlers.plan_outline import outline_from_draft
from handlers.plan_text import slack_date
from handlers.plan_views import build_plan_list, build_status, plan_name
from handlers.replies import post_ephemeral
from handlers.retro import user_timezone
from handlers.slack_text import quote
from scheduler.plans.errors import PlanError
from scheduler.plans.views import KeyResultView, PlanView

PLAN_WORDS = ("adopt", "status", "list", "plans", "edit", "archive", "checkins", "score")
_SCORE = re.compile(r"^(?P<ref>\S+)\s+(?P<score>[01](?:\.\d+)?|\.\d+)\s+(?P<reason>.+)$", re.DOTALL)
NO_PLAN = (
    "There is no tracked plan in this channel. Adopt an OKR draft with its *Adopt plan* "
    "button or `/okr adopt`, or name a plan: `/okr status 7` (`/okr list` shows them)."
)
NO_DRAFT = (
    "There is no OKR draft in this channel to adopt. Draft one with `/okr <subject>`, then "
    "adopt it."
)
_PERIOD = re.compile(r"^\d{4}-?Q[1-4]$", re.IGNORECASE)


def is_plan_command(text: str) -> bool:
    return text.split(" ", 1)[0].lower() in PLAN_WORDS


def find_plan(deps: ServingDeps, team: str, channel: str, arg: str) -> PlanView:
    """The plan `arg` names (`7`, `#7`, or words of its title), else this channel's plan."""
    arg = arg.strip()
    if not arg:
        plan = deps.plans.plan_for_channel(workspace_id=team, channel_id=channel)
        if plan is None:
            raise PlanError(NO_PLAN)
        return plan
    if arg.lstrip("#").isdigit() and len(arg) < 12:
        return deps.plans.status(workspace_id=team, plan_id=int(arg.lstrip("#")))
    words = arg.lower()
    found = [p for p in deps.plans.plans(workspace_id=team) if words in p.title.lower()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise PlanError(f"No plan's title contains “{quote(arg, 80)}”; `/okr list` shows them.")
    ids = ", ".join(f"`{p.id}`" for p in found[:10])
    raise PlanError(f"Several plans match “{quote(arg, 80)}” ({ids}): name one by its id.")


def is_admin(client: WebClient, user: str) -> bool:
    try:
        info = client.users_info(user=user)["user"]
    except SlackApiError:
        return False
    return bool(info.get("is_admin") or info.get("is_owner"))


def may_change(client: WebClient, plan: PlanView, user: str, kr: KeyResultView | None) -> bool:
    """Whoever adopted the plan, the key result's owner, or a workspace admin."""
    if user == plan.adopted_by or (kr is not None and kr.owner == user):
        return True
    return is_admin(client, user)


def not_yours(plan: PlanView, kr: KeyResultView | None) -> str:
    who = f"<@{plan.adopted_by}> (who adopted it)"
    if kr is not None and kr.owner:
        who += f", <@{kr.owner}> (its owner)"
    return f"Only {who} or a workspace admin can change {plan_name(plan)}. Nothing was changed."


def handle_plan_command(
    ack: Ack, deps: ServingDeps, client: WebClient, command: dict[str, Any], text: str
) -> None:
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    try:
        if word == "adopt":
            adopt_latest_draft(ack, deps, client, command, rest)
        elif word in ("list", "plans"):
            ack(text=build_plan_list(deps.plans.plans(workspace_id=team)))
        elif word == "status":
            plan = find_plan(deps, team, channel, rest)
            blocks = build_status(plan, user=user)
            ack(text=f"OKR status: {plan_name(plan)}", blocks=blocks)
        elif word == "edit":
            open_edit(ack, deps, client, command, rest)
        elif word == "archive":
            plan = find_plan(deps, team, channel, rest)
            if not may_change(client, plan, user, None):
                ack(text=not_yours(plan, None))
                return
            plan = deps.plans.archive(workspace_id=team, plan_id=plan.id, actor=user)
            ack(text=f"Archived {plan_name(plan)}: no more check-ins; its history stays.")
        elif word == "checkins":
            set_schedule(ack, deps, client, command, rest)
        elif word == "score":
            adjust_score(ack, deps, command, rest)
    except PlanError as exc:
        ack(text=str(exc))


def adopt_latest_draft(
    ack: Ack, deps: ServingDeps, client: WebClient, command: dict[str, Any], rest: str
) -> None:
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    if rest and not _PERIOD.match(rest):
        ack(text=f"“{quote(rest, 40)}” is not a period: use a quarter like `2027-Q2`.")
        return
    latest = deps.desk.latest_in_channel(workspace_id=team, channel_id=channel, kind="okr")
    if latest is None:
        ack(text=NO_DRAFT)
        return
    _, posted = latest
    ack()
    adopt_and_open(
        deps,
        client,
        team=team,
        channel=channel,
        user=user,
        trigger_id=command["trigger_id"],
        posted_draft=posted,
        period=rest.upper() or None,
    )


def adopt_and_open(
    deps: ServingDeps,
    client: WebClient,
    *,
    team: str,
    channel: str,
    user: str,
    trigger_id: str,
    posted_draft: PostedVersion,
    period: str | None,
) -> None:
    """Adopt the draft version (status "setup") and open the modal that assigns owners and
    targets. A plan still being set up in this channel is reopened instead of adopted twice."""
    try:
        current = deps.plans.plan_for_channel(workspace_id=team, channel_id=channel)
        if current is not None and current.status == "setup":
            plan = current
            if current.draft_id != posted_draft.version_id:
                post_ephemeral(
                    client,
                    channel=channel,
                    user=user,
                    text=f"{plan_name(plan)} is still being set up in this channel: finish it "
                    "(or `/okr archive` it) before adopting another draft here.",
                )
        else:
            outline = outline_from_draft(
                posted_draft.draft, None, version_id=posted_draft.version_id
            )
            plan = deps.plans.adopt(
                workspace_id=team,
                channel_id=channel,
                adopted_by=user,
                outline=outline,
                period=period,
                timezone=user_timezone(client, user),
            )
            deps.jobs.submit(announce_adopted, team, team=team, plan_id=plan.id, user=user)
    except PlanError as exc:
        post_ephemeral(client, channel=channel, user=user, text=f"{exc} Nothing was adopted.")
        return
    client.views_open(trigger_id=trigger_id, view=build_adopt_modal(plan, adopter=user))


def open_edit(
    ack: Ack, deps: ServingDeps, client: WebClient, command: dict[str, Any], rest: str
) -> None:
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    ref, _, plan_arg = rest.partition(" ")
    if not ref:
        ack(text="Name the key result: `/okr edit 2.3` (`/okr status` lists them).")
        return
    plan = find_plan(deps, team, channel, plan_arg)
    kr = deps.plans.kr_by_ref(workspace_id=team, plan_id=plan.id, ref=ref)
    if not may_change(client, plan, user, kr):
        ack(text=not_yours(plan, kr))
        return
    ack()
    client.views_open(trigger_id=command["trigger_id"], view=build_edit_modal(plan, kr))


def set_schedule(
    ack: Ack, deps: ServingDeps, client: WebClient, command: dict[str, Any], rest: str
) -> None:
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    if not rest:
        ack(text="Say when: `/okr checkins weekly on monday at 10:00`.")
        return
    plan = find_plan(deps, team, channel, "")
    if not may_change(client, plan, user, None):
        ack(text=not_yours(plan, None))
        return
    plan = deps.plans.set_checkin_schedule(
        workspace_id=team,
        plan_id=plan.id,
        text=rest,
        default_tz=user_timezone(client, user),
        actor=user,
    )
    next_at = f" Next: {slack_date(plan.next_checkin)}." if plan.next_checkin else ""
    ack(text=f"Check-ins for {plan_name(plan)}: {quote(plan.checkin_schedule or rest)}.{next_at}")


def adjust_score(ack: Ack, deps: ServingDeps, command: dict[str, Any], rest: str) -> None:
    """`/okr score 1.2 0.7 the last deal slipped into April`: a score with its reason, kept."""
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    match = _SCORE.match(rest)
    if match is None:
        ack(text="Usage: `/okr score 1.2 0.7 <why>` (a score from 0.0 to 1.0, and the reason).")
        return
    plan = find_plan(deps, team, channel, "")
    kr = deps.plans.kr_by_ref(workspace_id=team, plan_id=plan.id, ref=match["ref"])
    kr = deps.plans.adjust_score(
        workspace_id=team,
        kr_id=kr.id,
        actor=user,
        score=float(match["score"]),
        reason=match["reason"].strip(),
    )
    ack(
        text=f"KR {kr.ref} of {plan_name(plan)} now scores {kr.score:.1f}: “{quote(kr.score_reason or '', 200)}”."
    )


def announce_adopted(
    deps: WorkerDeps, client: WebClient, *, team: str, plan_id: int, user: str
) -> None:
    """The plan's message in its channel: check-ins are replies in a thread there."""
    plan = deps.plans.status(workspace_id=team, plan_id=plan_id)
    client.chat_postMessage(
        channel=plan.channel_id,
        text=f"{plan_name(plan)} adopted",
        blocks=build_plan_adopted(plan, adopted_by=user),
    )

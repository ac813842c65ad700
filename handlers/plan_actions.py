"""Buttons, modals and thread replies of tracked plans: adopt, set up, check in, edit.

Submissions are checked by the plan service before the ack: a bad value comes back as an error
next to its field and nothing is stored; an acknowledged check-in is already stored.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from drafting.intent import clean_text
from handlers import ids
from handlers.deps import ServingDeps, WorkerDeps
from handlers.draft_actions import DRAFT_GONE, where
from handlers.errors import notice_view, tell_user, view_refusal
from handlers.payloads import BadPayload, action_id_value, json_object, positive_id
from handlers.plan_announcements import build_plan_started
from handlers.plan_commands import adopt_and_open, may_change, not_yours
from handlers.plan_modals import (
    build_adopt_modal,
    build_checkin_done,
    build_checkin_modal,
    build_edit_modal,
)
from handlers.plan_submissions import (
    field_errors,
    read_dm,
    read_kr_inputs,
    read_metadata,
)
from handlers.plan_views import build_checkin_dm, checkin_dm_text, plan_name
from handlers.retro import confirm_entry, tell_entry_refused
from scheduler.plans.checkins import CheckInDraft
from scheduler.plans.errors import PlanError, PlanInputError
from scheduler.plans.service import KrChanges

log = logging.getLogger(__name__)
# What a check-in reply starts with; the plan service reads the rest.
CHECKIN_REPLY = re.compile(r"^\s*KR\s*#?\d{1,3}\.\d{1,3}\b", re.IGNORECASE)
NEED_A_VALUE = "Enter the current value of at least one key result."
NOTE_WITHOUT_VALUE = "Add the current value to go with this note (a check-in is a value first)."
# Which input a service message about an edited key result belongs next to.
_EDIT_FIELDS = (
    ("baseline", "baseline"),
    ("target", "target"),
    ("deliverable", "target"),
    ("direction", "direction"),
    ("date", "due"),
    ("starts", "due"),
    ("user", "owner"),
)


def _team_user(body: dict[str, Any], context: BoltContext) -> tuple[str, str]:
    return context.team_id or body["user"]["team_id"], body["user"]["id"]


def register(app: App, deps: ServingDeps) -> None:
    @app.action(ids.OKR_ADOPT)
    def handle_adopt_button(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        team, channel, root, user = where(body)
        posted = deps.desk.current(workspace_id=team, channel_id=channel, thread_ts=root)
        if posted is None:
            tell_user(client, body, DRAFT_GONE)
            return
        adopt_and_open(
            deps,
            client,
            team=team,
            channel=channel,
            user=user,
            trigger_id=body["trigger_id"],
            posted_draft=posted,
            period=None,
        )

    @app.action(ids.OKR_SETUP)
    def handle_setup_button(
        ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient
    ) -> None:
        ack()
        team, user = _team_user(body, context)
        try:
            plan = deps.plans.status(workspace_id=team, plan_id=action_id_value(action))
        except PlanError as exc:
            tell_user(client, body, str(exc))
            return
        if plan.status != "setup":
            tell_user(client, body, f"{plan_name(plan)} is already {plan.status}.")
        elif not may_change(client, plan, user, None):
            tell_user(client, body, not_yours(plan, None))
        else:
            client.views_open(
                trigger_id=body["trigger_id"], view=build_adopt_modal(plan, adopter=user)
            )

    @app.view(ids.OKR_ADOPT_MODAL)
    def handle_adopt_submitted(
        ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient
    ) -> None:
        team, user = _team_user(body, context)
        plan_id, _, _ = read_metadata(view)
        changes = {
            kr_id: KrChanges(
                owner=given.owner, target=given.target or None, baseline=given.baseline or None
            )
            for kr_id, given in read_kr_inputs(view).items()
        }
        try:
            before = deps.plans.status(workspace_id=team, plan_id=plan_id)
            plan = deps.plans.setup(workspace_id=team, plan_id=plan_id, actor=user, changes=changes)
        except PlanInputError as exc:
            answer_errors(ack, view, exc.field_errors, str(exc), prefer=("target", "baseline"))
            return
        except PlanError as exc:
            ack(response_action="update", view=notice_view(f"{exc} Nothing was changed."))
            return
        ack()
        if plan.status == "active" and before.status == "setup":
            deps.jobs.submit(announce_started, team, team=team, plan_id=plan.id)

    @app.action(ids.OKR_CHECKIN)
    def handle_checkin_button(
        ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient
    ) -> None:
        ack()
        team, user = _team_user(body, context)
        ref = json_object(action.get("value"))
        plan_id = positive_id(ref.get("p"))
        round_id = None if ref.get("r") is None else positive_id(ref.get("r"))
        try:
            plan = deps.plans.status(workspace_id=team, plan_id=plan_id)
        except PlanError as exc:
            tell_user(client, body, str(exc))
            return
        own = [kr for kr in plan.key_results() if kr.owner == user]
        if plan.status != "active":
            tell_user(client, body, f"{plan_name(plan)} is {plan.status}: it takes no check-ins.")
        elif not own:
            tell_user(client, body, f"You don't own a key result in {plan_name(plan)}.")
        else:
            container = body.get("container") or {}
            dm = (container.get("channel_id"), container.get("message_ts"))
            in_dm = str(dm[0] or "").startswith("D") and isinstance(dm[1], str)
            client.views_open(
                trigger_id=body["trigger_id"],
                view=build_checkin_modal(
                    plan, own, round_id=round_id, dm=(str(dm[0]), str(dm[1])) if in_dm else None
                ),
            )

    @app.view(ids.OKR_CHECKIN_MODAL)
    def handle_checkin_submitted(
        ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient
    ) -> None:
        team, user = _team_user(body, context)
        plan_id, _, kr_ids = read_metadata(view)
        given = read_kr_inputs(view)
        if not kr_ids or any(kr_id not in kr_ids for kr_id in given):
            raise BadPayload()
        # A note without a value is refused, not dropped: nothing a person wrote is lost.
        refused = {k: NOTE_WITHOUT_VALUE for k, e in given.items() if e.note and not e.value}
        entries = [entry for entry in given.values() if entry.value]
        if not entries and not refused:
            ack(response_action="errors", errors={ids.kr_block("value", kr_ids[0]): NEED_A_VALUE})
            return
        message = NOTE_WITHOUT_VALUE
        try:
            if not entries:
                raise PlanError(NOTE_WITHOUT_VALUE)
            # All or nothing, as the key results' owner; stored notes go on to the knowledge
            # base. With a note already refused, a dry run still finds every other bad value.
            deps.plans.check_in_many(
                workspace_id=team,
                drafts=[
                    CheckInDraft(
                        kr_id=entry.kr_id,
                        value_text=entry.value,
                        confidence=entry.confidence,
                        note=entry.note or None,
                    )
                    for entry in entries
                ],
                author=user,
                source="modal",
                as_owner=True,
                dry_run=bool(refused),
            )
        except PlanError as exc:
            refused.update(getattr(exc, "field_errors", None) or {})
            message = str(exc)
            if not refused:  # not about one key result: the plan closed, or it is gone
                ack(response_action="update", view=notice_view(f"{message} Nothing was stored."))
                return
        if refused:
            answer_errors(ack, view, refused, message, prefer=("value",))
            return
        done = [entry.kr_id for entry in entries]
        fresh = deps.plans.status(workspace_id=team, plan_id=plan_id)
        ack(response_action="update", view=build_checkin_done(fresh, done))
        if (dm := read_dm(view)) is not None:
            deps.jobs.submit(mark_dm_checked_in, team, team=team, plan_id=plan_id, user=user, dm=dm)

    @app.action(ids.OKR_EDIT_KR)
    def handle_edit_select(
        ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient
    ) -> None:
        ack()
        team, user = _team_user(body, context)
        kr_id = positive_id((action.get("selected_option") or {}).get("value"))
        try:
            plan = deps.plans.key_result_plan(workspace_id=team, kr_id=kr_id)
        except PlanError as exc:
            tell_user(client, body, str(exc))
            return
        kr = next(kr for kr in plan.key_results() if kr.id == kr_id)
        if not may_change(client, plan, user, kr):
            tell_user(client, body, not_yours(plan, kr))
            return
        client.views_open(trigger_id=body["trigger_id"], view=build_edit_modal(plan, kr))

    @app.view(ids.OKR_EDIT_MODAL)
    def handle_edit_submitted(
        ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient
    ) -> None:
        team, user = _team_user(body, context)
        plan_id, _, kr_ids = read_metadata(view)
        given = read_kr_inputs(view)
        if len(kr_ids) != 1 or set(given) != set(kr_ids):
            raise BadPayload()
        entry = given[kr_ids[0]]
        try:
            plan = deps.plans.key_result_plan(workspace_id=team, kr_id=entry.kr_id)
            kr = next(kr for kr in plan.key_results() if kr.id == entry.kr_id)
            if plan.id != plan_id:
                raise BadPayload()
            if not may_change(client, plan, user, kr):
                ack(response_action="update", view=notice_view(not_yours(plan, kr)))
                return
            deps.plans.edit_kr(
                workspace_id=team,
                kr_id=entry.kr_id,
                actor=user,
                changes=KrChanges(
                    owner=entry.owner,
                    baseline=entry.baseline or None,
                    target=entry.target or None,
                    direction=entry.direction,
                    due=entry.due,
                ),
            )
        except PlanInputError as exc:
            message = next(iter(exc.field_errors.values()), str(exc))
            ack(response_action="errors", errors={edit_block(entry.kr_id, message): message[:150]})
            return
        except PlanError as exc:
            ack(response_action="update", view=notice_view(f"{exc} Nothing was changed."))
            return
        ack()


def answer_errors(
    ack: Ack, view: dict, errors: dict[int, str], message: str, *, prefer: tuple[str, ...]
) -> None:
    """The service's errors by key result, next to their inputs; the modal says it otherwise."""
    if by_block := field_errors(errors, view=view, prefer=prefer):
        ack(response_action="errors", errors=by_block)
    else:
        ack(view_refusal(view, message))


def edit_block(kr_id: int, message: str) -> str:
    """The edit modal's input a service message is about (the target when it does not say)."""
    lowered = message.lower()
    field = next((f for word, f in _EDIT_FIELDS if word in lowered), "target")
    return ids.kr_block(field, kr_id)


def take_plan_checkin(
    deps: ServingDeps, client: WebClient, team: str, event: dict[str, Any]
) -> bool:
    """`KR 2.3: 42% at risk, blocked on hiring` in a thread of a plan's channel: stored and
    confirmed with ✅, or refused in an ephemeral reply. False when the reply is not one."""
    text = clean_text(event.get("text") or "")
    if not CHECKIN_REPLY.match(text):
        return False  # most replies: no database read at all
    channel, user = event["channel"], event.get("user") or ""
    plan = deps.plans.plan_for_channel(workspace_id=team, channel_id=channel)
    if plan is None:
        return False
    try:
        stored = deps.plans.check_in_reply(
            workspace_id=team, plan_id=plan.id, author=user, text=text
        )
    except PlanError as exc:
        deps.jobs.submit(
            tell_entry_refused,
            team,
            channel=channel,
            user=user,
            thread_ts=event["thread_ts"],
            text=f"{exc} Nothing was stored.",
        )
        return True
    if stored is None:
        return False
    deps.jobs.submit(confirm_entry, team, channel, event["ts"])
    return True


def announce_started(deps: WorkerDeps, client: WebClient, *, team: str, plan_id: int) -> None:
    plan = deps.plans.status(workspace_id=team, plan_id=plan_id)
    try:
        client.chat_postMessage(
            channel=plan.channel_id,
            text=f"{plan_name(plan)} is being tracked",
            blocks=build_plan_started(plan),
        )
    except SlackApiError as exc:
        log.info("could not announce plan %s: %s", plan.id, exc.response.get("error"))


def mark_dm_checked_in(
    deps: WorkerDeps, client: WebClient, *, team: str, plan_id: int, user: str, dm: tuple[str, str]
) -> None:
    """The check-in DM shows the new figures and that it is done (its button still corrects)."""
    plan = deps.plans.status(workspace_id=team, plan_id=plan_id)
    own = [kr for kr in plan.key_results() if kr.owner == user]
    try:
        client.chat_update(
            channel=dm[0],
            ts=dm[1],
            text=checkin_dm_text(plan, reminder=False),
            blocks=build_checkin_dm(plan, user, own, round_id=None, checked_in=True),
        )
    except SlackApiError as exc:
        log.info("check-in DM not updated: %s", exc.response.get("error"))

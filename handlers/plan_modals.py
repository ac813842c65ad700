"""Pure Block Kit builders for the plan modals: adopt (owners and missing targets), check in,
and edit one key result.

Inputs for one key result carry its id in their block_id (`okr_target:42`, handlers/ids.py), so
a submission maps straight back to key results (handlers/plan_submissions.py reads it) and the
service's field errors (keyed by key result id) map straight onto the inputs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from handlers import ids
from handlers.plan_text import DIRECTION_LABELS, format_value, kr_headline, kr_summary
from handlers.slack_text import safe_text
from scheduler.plans.views import (
    CONFIDENCE_LABELS,
    CONFIDENCES,
    DIRECTIONS,
    Confidence,
    KeyResultView,
    PlanView,
)

Block = dict[str, Any]
MAX_VIEW_BLOCKS = 100
LABEL_LIMIT = 2000
NOTE_LIMIT = 2000
VALUE_LIMIT = 60


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _text_input(
    block_id: str,
    action_id: str,
    label: str,
    *,
    optional: bool = False,
    initial: str | None = None,
    placeholder: str | None = None,
    hint: str | None = None,
    multiline: bool = False,
    max_length: int = VALUE_LIMIT,
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "max_length": max_length,
    }
    if multiline:
        element["multiline"] = True
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, LABEL_LIMIT),
        "optional": optional,
        "element": element,
    }
    if hint:
        block["hint"] = _plain(hint, LABEL_LIMIT)
    return block


def _example(kr: KeyResultView) -> str:
    """A placeholder in the key result's own unit: "e.g. 99.95%", "e.g. 8.1 days"."""
    if kr.direction == "deliverable":
        return "done or not done"
    sample = kr.target if kr.target is not None else kr.baseline
    if sample is None:
        sample = 42.0
    return f"e.g. {format_value(sample, kr.unit)}"


def _dm_meta(dm: tuple[str, str] | None) -> dict[str, str]:
    return {"c": dm[0], "t": dm[1]} if dm else {}


def _metadata(**values: Any) -> str:
    return json.dumps(values, separators=(",", ":"))


# Adopt ------------------------------------------------------------------------------------------
def build_adopt_modal(plan: PlanView, *, adopter: str) -> Block:
    """An owner per key result (the adopter by default), and the targets and baselines the draft
    left open. Submitting it starts tracking. The period was chosen when adopting (the service
    sets it then), so it is shown, not asked."""
    waiting = sum(1 for kr in plan.key_results() if kr.needs_target)
    intro = (
        f"*{safe_text(plan.title)}*\nPick an owner for each key result: owners get a check-in "
        "DM each week (Mondays at 10:00 by default; change it with `/okr checkins`)."
    )
    if waiting:
        intro += (
            f"\n:pencil2: {waiting} key result{'s need' if waiting != 1 else ' needs'} a target."
        )
    blocks: list[Block] = [
        _section(intro),
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Period *{safe_text(plan.period)}*, {plan.starts:%-d %b} to "
                    f"{plan.ends:%-d %b %Y}. Another quarter: close this and type "
                    "`/okr adopt 2027-Q2` (any quarter).",
                }
            ],
        },
    ]
    for objective in plan.objectives:
        group: list[Block] = [
            {"type": "divider"},
            _section(f"*Objective {objective.ref} · {safe_text(objective.title)}*"),
        ]
        for kr in objective.key_results:
            group.extend(_adopt_inputs(kr, adopter))
        if len(blocks) + len(group) > MAX_VIEW_BLOCKS - 1:
            blocks.append(
                _section(
                    "_More key results than one form holds: set their owners and targets with "
                    "`/okr edit` after this._"
                )
            )
            break
        blocks.extend(group)
    return {
        "type": "modal",
        "callback_id": ids.OKR_ADOPT_MODAL,
        "private_metadata": _metadata(p=plan.id),
        "title": _plain("Adopt plan", 24),
        "submit": _plain("Start tracking", 24),
        "close": _plain("Later", 24),
        "blocks": blocks,
    }


def _adopt_inputs(kr: KeyResultView, adopter: str) -> list[Block]:
    owner = {
        "type": "input",
        "block_id": ids.kr_block("owner", kr.id),
        "label": _plain(f"KR {kr.ref} · {' '.join(kr.text.split())}", LABEL_LIMIT),
        "element": {
            "type": "users_select",
            "action_id": ids.OKR_OWNER_INPUT,
            "initial_user": kr.owner or adopter,
            "placeholder": _plain("Owner"),
        },
    }
    inputs = [owner]
    if kr.needs_target:
        inputs.append(
            _text_input(
                ids.kr_block("target", kr.id),
                ids.OKR_TARGET_INPUT,
                f"Target for KR {kr.ref}",
                placeholder=_example(kr),
                hint=f"Where {kr.metric or 'this metric'} should be by the period's end.",
            )
        )
    if kr.baseline is None and kr.direction in ("increase", "decrease"):
        inputs.append(
            _text_input(
                ids.kr_block("baseline", kr.id),
                ids.OKR_BASELINE_INPUT,
                f"Baseline for KR {kr.ref}",
                optional=True,
                placeholder=_example(kr),
                hint="Where it stands today; progress is measured from here.",
            )
        )
    return inputs


# Check in ---------------------------------------------------------------------------------------
def _confidence_option(confidence: Confidence) -> Block:
    return {"text": _plain(CONFIDENCE_LABELS[confidence]), "value": confidence}


def build_checkin_modal(
    plan: PlanView,
    key_results: Sequence[KeyResultView],
    *,
    round_id: int | None,
    dm: tuple[str, str] | None = None,
) -> Block:
    """A value, a confidence and a note per key result; the ones left empty are not checked in.
    `dm` is the (channel, ts) of the check-in DM it was opened from, updated once it is done."""
    blocks: list[Block] = [
        _section(
            f"*{safe_text(plan.title)}* ({safe_text(plan.period)})\nFill in the key results "
            "that moved; leave the rest empty. Values take their unit: `42%`, `8.1 days`, "
            "`$1.2M`, `1,340`."
        )
    ]
    shown: list[int] = []
    for kr in key_results:
        group = [{"type": "divider"}, _section(f"{kr_headline(kr)}\n{kr_summary(kr)}")]
        group.append(
            _text_input(
                ids.kr_block("value", kr.id),
                ids.OKR_VALUE_INPUT,
                "Current value",
                optional=True,
                placeholder=_example(kr),
            )
        )
        confidence: Block = {
            "type": "static_select",
            "action_id": ids.OKR_CONFIDENCE_INPUT,
            "placeholder": _plain("How confident are you?"),
            "options": [_confidence_option(c) for c in CONFIDENCES],
        }
        if kr.latest is not None and kr.latest.confidence is not None:
            confidence["initial_option"] = _confidence_option(kr.latest.confidence)
        group.append(
            {
                "type": "input",
                "block_id": ids.kr_block("confidence", kr.id),
                "label": _plain("Confidence"),
                "optional": True,
                "element": confidence,
            }
        )
        group.append(
            _text_input(
                ids.kr_block("note", kr.id),
                ids.OKR_NOTE_INPUT,
                "Note",
                optional=True,
                placeholder="What moved it, what's blocking it",
                multiline=True,
                max_length=NOTE_LIMIT,
            )
        )
        if len(blocks) + len(group) > MAX_VIEW_BLOCKS - 1:
            blocks.append(
                _section("_More key results than one form holds: submit, then check in again._")
            )
            break
        blocks.extend(group)
        shown.append(kr.id)
    return {
        "type": "modal",
        "callback_id": ids.OKR_CHECKIN_MODAL,
        "private_metadata": _metadata(p=plan.id, r=round_id, k=shown, **_dm_meta(dm)),
        "title": _plain("Check in", 24),
        "submit": _plain("Save check-in", 24),
        "close": _plain("Cancel", 24),
        "blocks": blocks,
    }


def build_checkin_done(plan: PlanView, kr_ids: Sequence[int]) -> Block:
    """What the modal turns into once the check-in is stored: each key result where it now is."""
    done = [kr for kr in plan.key_results() if kr.id in set(kr_ids)]
    lines = [f":white_check_mark: {kr_headline(kr, limit=200)}\n{kr_summary(kr)}" for kr in done]
    return {
        "type": "modal",
        "title": _plain("Checked in", 24),
        "close": _plain("Done", 24),
        "blocks": [
            _section(f"Thanks! Your check-in on *{safe_text(plan.title)}* is saved."),
            *(_section(line) for line in lines[:40]),
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "A correction is a new check-in: press *Check in* again.",
                    }
                ],
            },
        ],
    }


# Edit one key result ----------------------------------------------------------------------------
def build_edit_modal(plan: PlanView, kr: KeyResultView) -> Block:
    """Owner, baseline, target, direction and due date of one key result; every change audited."""
    direction = {
        "type": "static_select",
        "action_id": ids.OKR_DIRECTION_INPUT,
        "options": [{"text": _plain(DIRECTION_LABELS[d]), "value": d} for d in DIRECTIONS],
        "initial_option": {"text": _plain(DIRECTION_LABELS[kr.direction]), "value": kr.direction},
    }
    owner: Block = {"type": "users_select", "action_id": ids.OKR_OWNER_INPUT}
    if kr.owner:
        owner["initial_user"] = kr.owner
    due: Block = {"type": "datepicker", "action_id": ids.OKR_DUE_INPUT}
    if kr.due:
        due["initial_date"] = kr.due.isoformat()
    blocks: list[Block] = [
        _section(f"{kr_headline(kr, limit=1500)}\n{kr_summary(kr)}"),
        {
            "type": "input",
            "block_id": ids.kr_block("owner", kr.id),
            "label": _plain("Owner"),
            "element": owner,
        },
        _text_input(
            ids.kr_block("baseline", kr.id),
            ids.OKR_BASELINE_INPUT,
            "Baseline",
            optional=True,
            initial=format_value(kr.baseline, kr.unit) if kr.baseline is not None else None,
            placeholder=_example(kr),
        ),
        _text_input(
            ids.kr_block("target", kr.id),
            ids.OKR_TARGET_INPUT,
            "Target",
            optional=kr.direction == "deliverable",
            initial=format_value(kr.target, kr.unit) if kr.target is not None else None,
            placeholder=_example(kr),
        ),
        {
            "type": "input",
            "block_id": ids.kr_block("direction", kr.id),
            "label": _plain("Direction"),
            "element": direction,
        },
        {
            "type": "input",
            "block_id": ids.kr_block("due", kr.id),
            "label": _plain("Due"),
            "optional": True,
            "element": due,
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Every change is recorded with who made it and the old value.",
                }
            ],
        },
    ]
    return {
        "type": "modal",
        "callback_id": ids.OKR_EDIT_MODAL,
        "private_metadata": _metadata(p=plan.id, k=kr.id),
        "title": _plain(f"Edit KR {kr.ref}", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "blocks": blocks,
    }

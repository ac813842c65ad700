"""Pure Block Kit builders for retros: the prompt, the entry modal and schedule replies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from core.retro_sections import PREFIXES, SECTIONS, TITLES
from handlers import ids
from handlers.slack_text import safe_text
from scheduler.ports import ActionItemInfo, RetroInfo, ScheduleInfo
from scheduler.schedule_request import format_duration

Block = dict[str, Any]
# Buttons and prompts speak in sentence case, as Slack's own interface does.
_PREFIX_OF = {section: prefix for prefix, section in PREFIXES.items()}
SECTION_LABELS: dict[str, tuple[str, str]] = {
    section: (TITLES[section].capitalize(), _PREFIX_OF[section]) for section in SECTIONS
}


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text[:3000]}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "action_id": action_id, "text": _plain(text), "value": value}
    if style:
        button["style"] = style
    return button


def slack_time(moment: datetime, fallback: str) -> str:
    """Slack shows <!date^...> in each reader's own timezone."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def build_retro_prompt(retro: RetroInfo, *, closed_note: str | None = None) -> list[Block]:
    closes = slack_time(retro.closes_at, retro.closes_at.strftime("%Y-%m-%d %H:%M UTC"))
    header = f"*{safe_text(retro.title)}*"
    if retro.is_late and retro.late_by_seconds:
        header += f"\n:hourglass: Opened late by {format_duration_seconds(retro.late_by_seconds)} (the bot was down)."
    lines = [
        f"{label}: reply in this thread starting with `{prefix}`"
        for label, prefix in SECTION_LABELS.values()
    ]
    blocks: list[Block] = [
        {"type": "header", "text": _plain(f"Retro: {safe_text(retro.title)}")},
        {"type": "section", "text": _mrkdwn(header)},
        {
            "type": "section",
            "text": _mrkdwn(
                ("*Closed.* " + closed_note)
                if closed_note
                else f"Open until {closes}. Add entries with the buttons (you can stay "
                "anonymous) or reply in the thread:\n• " + "\n• ".join(lines)
            ),
        },
    ]
    if closed_note is None:
        blocks.append(
            {
                "type": "actions",
                "block_id": ids.RETRO_ACTIONS_BLOCK,
                "elements": [
                    _button(
                        f"Add: {label}",
                        ids.retro_add_entry_id(key),
                        json.dumps({"r": retro.id, "s": key}),
                    )
                    for key, (label, _) in SECTION_LABELS.items()
                ]
                + [_button("Close retro", ids.RETRO_CLOSE, str(retro.id), "danger")],
            }
        )
    if retro.carried_actions:
        blocks.append({"type": "divider"})
        blocks.append({"type": "section", "text": _mrkdwn("*Open action items from last time*")})
        # The oldest fifteen: the prompt is for adding entries, not for reviewing a backlog.
        for item in retro.carried_actions[:15]:
            blocks.extend(build_action_item(item))
    return blocks


def build_action_item(item: ActionItemInfo) -> list[Block]:
    owner = f" (<@{item.owner}>)" if item.owner else ""
    status = "✅ done" if item.status == "done" else "open"
    return [
        {
            "type": "section",
            "text": _mrkdwn(f"• {safe_text(item.text)}{owner} · _{status}_"),
        },
        {
            "type": "actions",
            "elements": [
                _button("Done", ids.ACTION_ITEM_DONE, str(item.id), "primary"),
                _button("Still open", ids.ACTION_ITEM_OPEN, str(item.id)),
            ],
        },
    ]


def format_duration_seconds(seconds: int) -> str:
    return format_duration(timedelta(seconds=seconds))


def build_entry_modal(retro_id: int, section: str) -> Block:
    label = SECTION_LABELS.get(section, ("Entry", ""))[0]
    return {
        "type": "modal",
        "callback_id": ids.RETRO_ENTRY_MODAL,
        "private_metadata": json.dumps({"r": retro_id, "s": section}),
        "title": _plain("Retro entry"),
        "submit": _plain("Add"),
        "close": _plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.RETRO_ENTRY_BLOCK,
                "label": _plain(label),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.RETRO_ENTRY_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
            {
                "type": "input",
                "block_id": ids.RETRO_ANON_BLOCK,
                "optional": True,
                "label": _plain("Privacy"),
                "element": {
                    "type": "checkboxes",
                    "action_id": ids.RETRO_ANON_INPUT,
                    "options": [
                        {
                            "text": _plain("Post anonymously"),
                            "description": _plain("Your name is never stored or shown."),
                            "value": "anonymous",
                        }
                    ],
                },
            },
        ],
    }


def describe_schedule(info: ScheduleInfo) -> str:
    nudge = f", nudge {format_duration(info.nudge)} before closing" if info.nudge else ""
    return (
        f"`#{info.id}` <#{info.channel_id}> *{safe_text(info.title)}*: {info.schedule_text}, "
        f"open for {format_duration(info.window)}{nudge} · {info.status}"
    )


def build_schedule_created(info: ScheduleInfo) -> str:
    upcoming = "\n".join(f"• {slack_time(t, t.isoformat())}" for t in info.next_occurrences[:3])
    return f"Scheduled: {describe_schedule(info)}\nNext retros:\n{upcoming}"


def build_schedule_list(infos: Sequence[ScheduleInfo]) -> str:
    if not infos:
        return "No retro schedules yet. Try `/retro schedule weekly on friday at 15:00`."
    return "*Retro schedules*\n" + "\n".join(f"• {describe_schedule(i)}" for i in infos)


def build_open_failed(reason: str, *, title: str | None, window_seconds: int) -> list[Block]:
    """What the opener sees when the prompt could not be posted: why, and a Retry button that
    carries the same title and window."""
    hint = (
        " Invite me with `/invite @alignbot`, then retry."
        if reason in ("not_in_channel", "channel_not_found")
        else ""
    )
    value = json.dumps({"title": title, "window": window_seconds})
    return [
        {
            "type": "section",
            "text": _mrkdwn(
                f"I couldn't post the retro prompt (`{reason}`), so no retro was opened.{hint}"
            ),
        },
        {
            "type": "actions",
            "block_id": "retro_open_failed",
            "elements": [_button("Retry", ids.RETRO_OPEN_RETRY, value, style="primary")],
        },
    ]

"""Every action_id, callback_id and block_id the app uses, in one place."""

from __future__ import annotations

import re

# Draft message actions
DRAFT_ACTIONS_BLOCK = "draft_actions"
REGENERATE_SECTION = "draft_regenerate_section"
SAVE_FINAL = "draft_save_final"
PUBLISH_CANVAS = "draft_publish_canvas"
EXPORT_MARKDOWN = "draft_export_markdown"
DOWNLOAD_PDF = "draft_download_pdf"
FEEDBACK_UP = "draft_feedback_up"
FEEDBACK_DOWN = "draft_feedback_down"
RETRY_REQUEST = "draft_retry_request"

# App Home and the mission modal
HOME_EDIT_MISSION = "home_edit_mission"
MISSION_MODAL = "mission_modal"
MISSION_BLOCK = "mission_block"
MISSION_INPUT = "mission_input"

# /align forget confirmation modal
FORGET_MODAL = "forget_modal"
FORGET_BLOCK = "forget_block"
FORGET_INPUT = "forget_input"

# Retros
RETRO_ACTIONS_BLOCK = "retro_actions"
RETRO_ADD_ENTRY = "retro_add_entry"
# Slack refuses two buttons with one action_id in a block: each section's button gets a suffix.
# Prompts posted before the suffix (bare `retro_add_entry`) still match.
RETRO_ADD_ENTRY_PATTERN = re.compile(r"^retro_add_entry(?::[a-z_]+)?$")
RETRO_CLOSE = "retro_close"
RETRO_OPEN_RETRY = "retro_open_retry"
RETRO_ENTRY_MODAL = "retro_entry_modal"
RETRO_ENTRY_BLOCK = "retro_entry_block"
RETRO_ENTRY_INPUT = "retro_entry_input"
RETRO_ANON_BLOCK = "retro_anon_block"
RETRO_ANON_INPUT = "retro_anon_input"
ACTION_ITEM_DONE = "retro_action_done"
ACTION_ITEM_OPEN = "retro_action_open"


def retro_add_entry_id(section: str) -> str:
    return f"{RETRO_ADD_ENTRY}:{section}"


# OKR plans: adopting, editing, checking in
OKR_ADOPT = "okr_adopt"
OKR_ADOPT_MODAL = "okr_adopt_modal"
OKR_OWNER_INPUT = "okr_owner_input"
OKR_TARGET_INPUT = "okr_target_input"
OKR_BASELINE_INPUT = "okr_baseline_input"
OKR_CHECKIN = "okr_checkin"
OKR_CHECKIN_MODAL = "okr_checkin_modal"
OKR_VALUE_INPUT = "okr_value_input"
OKR_CONFIDENCE_INPUT = "okr_confidence_input"
OKR_NOTE_INPUT = "okr_note_input"
OKR_STATUS_ACTIONS = "okr_status_actions"
OKR_EDIT_KR = "okr_edit_kr"
OKR_SETUP = "okr_setup"
OKR_EDIT_MODAL = "okr_edit_modal"
OKR_DIRECTION_INPUT = "okr_direction_input"
OKR_DUE_INPUT = "okr_due_input"
# A modal's inputs for one key result share a field name and the key result's id:
# "okr_target:42". Slack keys submitted values by block_id, so the id comes back with the value.
KR_FIELDS = ("owner", "target", "baseline", "value", "confidence", "note", "direction", "due")
_KR_BLOCK = re.compile(r"^okr_(?P<field>[a-z]+):(?P<kr>[1-9][0-9]{0,17})$")


def kr_block(field: str, kr_id: int) -> str:
    return f"okr_{field}:{kr_id}"


def parse_kr_block(block_id: str) -> tuple[str, int] | None:
    """("target", 42) from "okr_target:42"; None for any other block."""
    match = _KR_BLOCK.match(block_id)
    if match is None or match["field"] not in KR_FIELDS:
        return None
    return match["field"], int(match["kr"])

"""Every action_id, callback_id and block_id the app uses, in one place."""

from __future__ import annotations

# Draft message actions
DRAFT_ACTIONS_BLOCK = "draft_actions"
REGENERATE_SECTION = "draft_regenerate_section"
SAVE_FINAL = "draft_save_final"
PUBLISH_CANVAS = "draft_publish_canvas"
EXPORT_MARKDOWN = "draft_export_markdown"
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

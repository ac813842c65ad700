"""The Slack side of retros: posts prompts and syntheses, finds members, sends nudges."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from drafting.draft import Draft
from handlers.block_pages import NO_CUT, post_paged
from handlers.draft_blocks import build_draft_blocks
from handlers.retro_views import build_retro_prompt
from handlers.slack_text import safe_text
from scheduler.ports import CloseResult, RetroInfo

log = logging.getLogger(__name__)
ClientFor = Callable[[str], WebClient]


class SlackRetroNotifier:
    """Implements scheduler.ports.RetroNotifier with the workspace's bot token."""

    def __init__(self, client_for: ClientFor) -> None:
        self._client_for = client_for

    def retro_opened(self, retro: RetroInfo) -> str | None:
        client = self._client_for(retro.workspace_id)
        return post_paged(
            client,
            channel=retro.channel_id,
            thread_ts=None,
            text=f"Retro: {safe_text(retro.title)}",
            blocks=build_retro_prompt(retro),
        )

    def retro_closed(self, result: CloseResult) -> None:
        retro = result.retro
        client = self._client_for(retro.workspace_id)
        if result.no_entries:
            note = "No entries were added, so there is nothing to synthesise."
        elif result.error:
            note = (
                f"{result.entry_count} entries are saved, but the synthesis failed: {result.error}"
            )
        else:
            note = (
                f"{result.entry_count} entries from {result.contributor_count} people; "
                f"the synthesis and {len(result.action_items)} tracked action items are in the thread."
            )
        # Normally in the prompt's thread; at the channel's top level if the prompt's ts was
        # never recorded (closed within moments of opening, or the post failed).
        if isinstance(result.draft, Draft):
            post_paged(
                client,
                channel=retro.channel_id,
                thread_ts=retro.prompt_ts,
                text=f"Retro synthesis: {safe_text(retro.title)}",
                blocks=build_draft_blocks(
                    result.draft, draft_id=None, version=None, max_blocks=NO_CUT
                ),
            )
        else:
            client.chat_postMessage(channel=retro.channel_id, thread_ts=retro.prompt_ts, text=note)
        if retro.prompt_ts:
            client.chat_update(
                channel=retro.channel_id,
                ts=retro.prompt_ts,
                text=f"Retro closed: {safe_text(retro.title)}",
                blocks=build_retro_prompt(retro, closed_note=note),
            )

    def channel_members(self, workspace_id: str, channel_id: str) -> list[str]:
        client = self._client_for(workspace_id)
        members: list[str] = []
        try:
            for page in client.conversations_members(channel=channel_id, limit=500):
                members.extend(page.get("members", []))
        except SlackApiError as exc:
            log.warning("cannot list members of %s: %s", channel_id, exc.response.get("error"))
            return []
        bot = client.auth_test().get("user_id")
        return [m for m in members if m != bot]

    def send_nudge(self, retro: RetroInfo, user_ids: list[str]) -> None:
        client = self._client_for(retro.workspace_id)
        link = f"<#{retro.channel_id}>"
        for user in user_ids:
            try:
                client.chat_postMessage(
                    channel=user,
                    text=f"The retro *{safe_text(retro.title)}* in {link} closes soon. "
                    "Add what went well, what didn't and what to change (anonymously if you like).",
                )
            except SlackApiError as exc:
                log.info("nudge not delivered: %s", exc.response.get("error"))

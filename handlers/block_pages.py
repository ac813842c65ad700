"""Slack's 50-block limit: a long block list goes out as several messages, never cut."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient

from handlers.draft_blocks import MAX_BLOCKS

Block = dict[str, Any]
# A maximum for builders that cut (build_draft_blocks) meaning "cut nothing": pages hold it all.
NO_CUT = 10_000


def block_pages(blocks: Sequence[Block], *, per_page: int = MAX_BLOCKS) -> list[list[Block]]:
    """`blocks` in order, in pages of at most `per_page`; every block lands on some page."""
    if not 1 <= per_page <= MAX_BLOCKS:
        raise ValueError(f"a Slack message holds 1 to {MAX_BLOCKS} blocks, not {per_page}")
    return [list(blocks[i : i + per_page]) for i in range(0, len(blocks), per_page)]


def post_pages_in_thread(
    client: WebClient, *, channel: str, thread_ts: str, text: str, pages: Sequence[list[Block]]
) -> None:
    """The pages that did not fit in a message, as replies in its thread."""
    for page in pages:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, blocks=page)


def post_paged(
    client: WebClient, *, channel: str, thread_ts: str | None, text: str, blocks: Sequence[Block]
) -> str:
    """Post `blocks` as one message, its overflow in the thread; returns the first message's ts.

    With no `thread_ts` the first message goes to the channel and starts the thread.
    """
    first, *rest = block_pages(blocks) or [[]]
    resp = client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=text, blocks=first or None
    )
    ts = str(resp["ts"])
    post_pages_in_thread(
        client, channel=channel, thread_ts=thread_ts or ts, text=f"{text} (continued)", pages=rest
    )
    return ts

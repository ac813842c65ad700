"""Files shared with the bot: download with the bot token, hand the bytes to the knowledge base."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from slack_sdk import WebClient

from handlers.deps import WorkerDeps
from handlers.replies import describe_failure

log = logging.getLogger(__name__)


class FileTooLarge(Exception):
    pass


def download(url: str, *, token: str, limit: int, timeout: float = 30.0) -> bytes:
    """Streams the file and stops at `limit` bytes, whatever Content-Length claims."""
    chunks: list[bytes] = []
    size = 0
    with httpx.stream(
        "GET",
        url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
        follow_redirects=True,
    ) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FileTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


def ingest_shared_files(
    deps: WorkerDeps,
    client: WebClient,
    *,
    team: str,
    channel: str,
    thread_ts: str,
    user: str,
    files: list[dict[str, Any]],
) -> None:
    limit = deps.knowledge.max_file_bytes
    lines = []
    for file in files:
        name = file.get("name") or file.get("title") or file.get("id", "file")
        try:
            if int(file.get("size") or 0) > limit:
                raise FileTooLarge
            url = file.get("url_private_download") or file.get("url_private")
            if not url or not client.token:
                lines.append(f"• *{name}*: I can't read this file (no download link).")
                continue
            data = download(url, token=client.token, limit=limit)
            result = deps.kb.add_bytes(
                team,
                filename=name,
                data=data,
                title=file.get("title") or name,
                added_by=user,
                url=file.get("permalink"),
                source_kind="slack_file",
            )
            lines.append(f"• {result.message}")
        except FileTooLarge:
            lines.append(f"• *{name}*: over the {limit // (1024 * 1024)} MB limit; nothing stored.")
        except Exception as exc:
            log.info("file %s not ingested: %s", file.get("id"), type(exc).__name__)
            lines.append(f"• *{name}*: not added. {describe_failure(exc)}")
    client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text="Knowledge base:\n" + "\n".join(lines)
    )

"""WebClient construction: one base URL for every client, and retries for 429s and 5xx."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    if token is None and settings.slack.bot_token is not None:
        token = settings.slack.bot_token.get_secret_value()
    return WebClient(
        token=token,
        base_url=settings.slack.api_base_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )

"""WebClient construction: one base URL for every client, and retries for 429s and 5xx."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine

from handlers.settings import SlackSettings


def make_web_client(slack: SlackSettings, token: str | None = None) -> WebClient:
    if token is None and slack.bot_token is not None:
        token = slack.bot_token.get_secret_value()
    return WebClient(
        token=token,
        base_url=slack.api_base_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def make_client_for(slack: SlackSettings, engine: Engine) -> Callable[[str], WebClient]:
    """Work that starts outside a Slack request (scheduled retros) finds its workspace's token."""
    if not slack.oauth_enabled:
        shared = make_web_client(slack)
        return lambda _team: shared
    store = SQLAlchemyInstallationStore(client_id=slack.client_id or "", engine=engine)

    def client_for(team_id: str) -> WebClient:
        bot = store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise LookupError(f"alignbot is not installed in workspace {team_id}")
        return make_web_client(slack, token=bot.bot_token)

    return client_for

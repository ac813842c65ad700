"""create_app: the Bolt app, built explicitly from settings and dependencies."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.deps import Deps
from bot.settings import Settings
from bot.slack_client import make_web_client
from handlers import register_listeners

log = logging.getLogger(__name__)


class ConfigError(RuntimeError):
    """Settings that cannot start a Slack app; the message says what to set."""


def create_app(settings: Settings, deps: Deps, *, client: WebClient | None = None) -> App:
    slack = settings.slack
    if slack.signing_secret is None and slack.app_token is None:
        raise ConfigError(
            "Set SLACK__SIGNING_SECRET (HTTP mode) or SLACK__APP_TOKEN (Socket Mode)."
        )
    client = client or make_web_client(settings, token=None)
    if client.token is None and slack.bot_token is not None and not slack.oauth_enabled:
        client.token = slack.bot_token.get_secret_value()
    common = dict(
        signing_secret=slack.signing_secret.get_secret_value() if slack.signing_secret else None,
        client=client,
        # Acks run here; slow work goes to deps.work, so this pool only ever waits on the database.
        listener_executor=ThreadPoolExecutor(
            max_workers=settings.server.listener_threads, thread_name_prefix="bolt-listener"
        ),
        logger=logging.getLogger("slack_bolt"),
        request_verification_enabled=slack.signing_secret is not None,
    )
    if slack.oauth_enabled:
        assert slack.client_id and slack.client_secret
        installation_store = SQLAlchemyInstallationStore(
            client_id=slack.client_id, engine=deps.engine, logger=log
        )
        state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=600, engine=deps.engine, logger=log
        )
        app = App(
            **common,  # type: ignore[arg-type]
            oauth_settings=OAuthSettings(
                client_id=slack.client_id,
                client_secret=slack.client_secret.get_secret_value(),
                scopes=slack.scopes,
                installation_store=installation_store,
                state_store=state_store,
                install_path="/slack/install",
                redirect_uri_path="/slack/oauth_redirect",
            ),
        )
    else:
        if slack.bot_token is None:
            raise ConfigError(
                "Set SLACK__BOT_TOKEN for a single workspace, or SLACK__CLIENT_ID and "
                "SLACK__CLIENT_SECRET for OAuth installs."
            )
        # The client already carries the bot token; Bolt authorizes with it.
        app = App(**common)  # type: ignore[arg-type]
    register_listeners(app, deps)
    return app

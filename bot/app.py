"""create_app: the Bolt app, built explicitly from settings and dependencies."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.payload_shape import shape_problem
from bot.settings import Settings
from handlers import dedupe, register_listeners
from handlers.deps import ServingDeps
from handlers.slack_client import make_web_client

log = logging.getLogger(__name__)


class AlignApp(App):
    """Bolt's App: payloads of the wrong shape refused before Bolt reads them, and each event
    claim closed once dispatch (and so every listener) returned."""

    def __init__(self, *, deps: ServingDeps, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._deps = deps

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        # Before Bolt reads it, on either transport (HTTP or Socket Mode).
        if where := shape_problem(req.body):
            log.info("signed payload of the wrong shape refused (%s)", where[:100])
            return BoltResponse(status=400, body="Malformed payload.")
        resp: BoltResponse | None = None
        try:
            resp = super().dispatch(req)
            return resp
        finally:
            dedupe.finish_claim(self._deps, req, resp)


class ConfigError(RuntimeError):
    """Settings that cannot start a Slack app; the message says what to set."""


def create_app(settings: Settings, deps: ServingDeps, *, client: WebClient | None = None) -> App:
    slack = settings.slack
    if slack.signing_secret is None and slack.app_token is None:
        raise ConfigError(
            "Set SLACK__SIGNING_SECRET (HTTP mode) or SLACK__APP_TOKEN (Socket Mode)."
        )
    client = client or make_web_client(settings.slack, token=None)
    if client.token is None and slack.bot_token is not None and not slack.oauth_enabled:
        client.token = slack.bot_token.get_secret_value()
    common = dict(
        signing_secret=slack.signing_secret.get_secret_value() if slack.signing_secret else None,
        client=client,
        # Listeners run on the server's request threads (sized in bot/server.py from the same
        # setting); this pool only serves lazy listeners, sized so it never defaults to 5.
        listener_executor=ThreadPoolExecutor(
            max_workers=settings.server.listener_threads, thread_name_prefix="bolt-listener"
        ),
        logger=logging.getLogger("slack_bolt"),
        request_verification_enabled=slack.signing_secret is not None,
        # Listeners store what arrived and queue the slow part, then Slack gets its 200: an
        # acknowledged event or entry is always already in the database.
        process_before_response=True,
    )
    if slack.oauth_enabled:
        assert slack.client_id and slack.client_secret
        installation_store = SQLAlchemyInstallationStore(
            client_id=slack.client_id, engine=deps.engine, logger=log
        )
        state_store = SQLAlchemyOAuthStateStore(
            expiration_seconds=600, engine=deps.engine, logger=log
        )
        app = AlignApp(
            deps=deps,
            **common,
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
        app = AlignApp(deps=deps, **common)
    register_listeners(app, deps)
    return app

"""WebClient construction: one base URL for every client, retries for 429s and 5xx, and the
installation that serves a workspace for work that starts outside a Slack request."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.db import session_scope
from core.workspaces import enterprise_of, note_enterprise
from handlers.deps import ServingDeps
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
            # Enterprise Grid: installed in this workspace of the organisation, else once for
            # the whole organisation (that row names the enterprise and no team).
            with Session(engine) as session:
                enterprise = enterprise_of(session=session, workspace_id=team_id)
            if enterprise is not None:
                bot = store.find_bot(enterprise_id=enterprise, team_id=team_id) or store.find_bot(
                    enterprise_id=enterprise, team_id=None, is_enterprise_install=True
                )
        if bot is None:
            raise LookupError(f"alignbot is not installed in workspace {team_id}")
        return make_web_client(slack, token=bot.bot_token)

    return client_for


def register(app: App, deps: ServingDeps) -> None:
    @app.middleware
    def remember_the_organisation(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """A Grid request names the workspace's organisation: kept for `make_client_for`."""
        team, enterprise = req.context.team_id, req.context.enterprise_id
        if team and enterprise:
            with session_scope(deps.sessions) as session:
                note_enterprise(session=session, workspace_id=team, enterprise_id=enterprise)
        return next()

"""Drops Events API redeliveries: an event_id is claimed in the database when it first arrives."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse

from bot.db import session_scope
from bot.deps import Deps
from bot.workspaces import claim_event

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def skip_seen_events(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if not event_id:
            return next()
        team_id = req.context.team_id or req.body.get("team_id") or ""
        # Claimed on arrival, not on completion: Slack retries after 3 s even while we still work.
        with session_scope(deps.sessions) as session:
            fresh = claim_event(session=session, event_id=event_id, workspace_id=team_id)
        if not fresh:
            log.info(
                "skipping redelivered event %s (retry %s)",
                event_id,
                req.headers.get("x-slack-retry-num"),
            )
            return BoltResponse(status=200, body="")
        return next()

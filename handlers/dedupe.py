"""Drops Events API redeliveries: an event_id is claimed in the database when it first arrives.

The app runs listeners before answering Slack (process_before_response), so a 200 means the
event's content is stored. A claim whose process died first is taken over by a later retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from slack_bolt import App, BoltRequest, BoltResponse

from core.db import session_scope
from bot.deps import Deps
from core.workspaces import claim_event, finish_event

log = logging.getLogger(__name__)
CLAIMED_EVENT = "alignbot_claimed_event_id"


def register(app: App, deps: Deps) -> None:
    # Listeners only store and queue, so a claim still processing after this was left by a
    # dead process. Slack's retries come at once, after about a minute and after about five.
    abandoned_after = timedelta(seconds=deps.settings.server.event_claim_timeout_seconds)

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
            fresh = claim_event(
                session=session,
                event_id=event_id,
                workspace_id=team_id,
                abandoned_after=abandoned_after,
            )
        if not fresh:
            log.info(
                "skipping redelivered event %s (retry %s)",
                event_id,
                req.headers.get("x-slack-retry-num"),
            )
            return BoltResponse(status=200, body="")
        req.context[CLAIMED_EVENT] = event_id
        return next()


def finish_claim(deps: Deps, req: BoltRequest, resp: BoltResponse | None) -> None:
    """Called once dispatch has returned: with process_before_response, every listener ran."""
    event_id = req.context.get(CLAIMED_EVENT)
    if not event_id:
        return
    # 404 = no listener wants it; a retry would not change that.
    handled = resp is not None and resp.status < 500
    with session_scope(deps.sessions) as session:
        finish_event(session=session, event_id=event_id, handled=handled)

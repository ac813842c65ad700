"""The Slack side: listeners, the jobs they queue, Block Kit builders and Slack syntax.

Each listener module exposes `register(app, deps)`; `register_listeners` wires them all.
Listeners get `ServingDeps` and jobs get `WorkerDeps` (handlers/deps.py). Below this package
the domain (drafting, scheduler, knowledge) returns plain data and never imports Slack.
"""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    align_command,
    app_home,
    authorization,
    conversation,
    dedupe,
    draft_actions,
    draft_commands,
    errors,
    forget,
    lifecycle,
    plan_actions,
    retro,
    slack_client,
)
from handlers.deps import ServingDeps


def register_listeners(app: App, deps: ServingDeps) -> None:
    dedupe.register(app, deps)
    slack_client.register(app, deps)
    errors.register(app)
    authorization.register(app)
    align_command.register(app, deps)
    draft_commands.register(app, deps)
    draft_actions.register(app, deps)
    conversation.register(app, deps)
    app_home.register(app, deps)
    retro.register(app, deps)
    plan_actions.register(app, deps)
    lifecycle.register(app, deps)
    forget.register(app, deps)
    # Last: they answer what no listener above claims.
    errors.register_fallbacks(app)

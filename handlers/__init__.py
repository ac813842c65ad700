"""Slack listeners. Each module exposes register(app, deps); this wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import (
    align_command,
    app_home,
    conversation,
    dedupe,
    draft_actions,
    draft_commands,
    forget,
    lifecycle,
    retro,
)


def register_listeners(app: App, deps: Deps) -> None:
    dedupe.register(app, deps)
    align_command.register(app, deps)
    draft_commands.register(app, deps)
    draft_actions.register(app, deps)
    conversation.register(app, deps)
    app_home.register(app, deps)
    retro.register(app, deps)
    lifecycle.register(app, deps)
    forget.register(app, deps)

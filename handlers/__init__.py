"""Slack listeners. Each module exposes register(app, deps); this wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import align_command, dedupe


def register_listeners(app: App, deps: Deps) -> None:
    dedupe.register(app, deps)
    align_command.register(app, deps)

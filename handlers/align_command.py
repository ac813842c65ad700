"""The /align command: help, and the workspace-level subcommands."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.deps import Deps
from handlers.usage import ALIGN_USAGE


def register(app: App, deps: Deps) -> None:
    @app.command("/align")
    def handle_align(ack: Ack, command: dict) -> None:
        text = (command.get("text") or "").strip()
        sub = text.split(maxsplit=1)[0].lower() if text else "help"
        if sub == "help":
            ack(text=ALIGN_USAGE)
            return
        ack(text=f"I don't know `/align {sub}`.\n\n{ALIGN_USAGE}")

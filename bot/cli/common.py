"""What every command shares: the settings (with logging set up) and the consoles."""

from __future__ import annotations

from rich.console import Console

from bot.settings import Settings, get_settings
from core.logs import configure_logging

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def load_settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, settings.secret_values())
    return settings

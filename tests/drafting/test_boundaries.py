"""The drafting package stays free of Slack: importing it loads no Slack or handler module."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "drafting.service",
    "drafting.store",
    "handlers.draft_blocks",
    "drafting.render_markdown",
    "drafting.render_terminal",
    "bot.cli_draft",
]


def test_drafting_imports_no_slack_modules() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'slack_bolt', 'slack_sdk', 'handlers'})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""

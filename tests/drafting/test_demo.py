"""`alignbot demo` on a fresh data directory, then again on the same one."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from bot.demo import run_demo, sample_documents
from bot.settings import Settings


def test_demo_prints_real_drafts_and_is_idempotent(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", env="test")
    outputs = []
    for _ in range(2):
        buffer = io.StringIO()
        run_demo(settings, Console(file=buffer, width=160, color_system=None))
        outputs.append(buffer.getvalue())
    first, second = outputs
    docs = len(sample_documents())
    assert f"{docs} added" in first
    assert f"{docs} unchanged" in second and "Added" not in second
    for out in outputs:
        assert "SWOT analysis: Larkspur Freight Systems" in out
        assert "Strategic plan (OKRs): Larkspur Freight Systems" in out
        assert "Retrospective: Platform team, sprint 42" in out
        assert "offline engine" in out
        match = re.search(r"grounding: (\d+) of (\d+) items \((\d+)%\)", out)
        assert match and match.group(1) == match.group(2) and match.group(3) == "100"

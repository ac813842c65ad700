"""`alignbot draft ...` end to end through typer, on a fresh data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.demo import RETRO_ENTRIES, SAMPLE_DATA

WS = "TCLI00001"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.delenv("LLM__MODEL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return CliRunner()


def test_draft_swot_then_plan_then_retro(runner: CliRunner) -> None:
    docs = [
        str(SAMPLE_DATA / n)
        for n in (
            "qbr_q3_2026.md",
            "competitor_notes.md",
            "customer_survey_2026.md",
            "company_metrics.csv",
        )
    ]
    added = runner.invoke(cli, ["kb", "add", "--workspace", WS, *docs])
    assert added.exit_code == 0, added.output

    swot = runner.invoke(
        cli, ["draft", "swot", "--workspace", WS, "--subject", "Larkspur", "--format", "json"]
    )
    assert swot.exit_code == 0, swot.output
    data = json.loads(swot.stdout)
    assert data["kind"] == "swot" and data["engine"] == "offline"
    assert [s["key"] for s in data["sections"]][:4] == [
        "strengths",
        "weaknesses",
        "opportunities",
        "threats",
    ]
    assert all(
        sid in data["sources"] for s in data["sections"] for i in s["items"] for sid in i["sources"]
    )

    plan = runner.invoke(
        cli, ["draft", "okr", "--workspace", WS, "--subject", "larkspur", "--format", "markdown"]
    )
    assert plan.exit_code == 0, plan.output
    assert plan.stdout.startswith("# Strategic plan (OKRs): larkspur")
    assert "## Metrics" in plan.stdout and "## Sources" in plan.stdout
    assert "saved SWOT" in plan.stdout  # the SWOT drafted above fed the plan

    retro = runner.invoke(
        cli,
        ["draft", "retro", "--workspace", WS, "--format", "json", "--no-save"],
        input=RETRO_ENTRIES.read_text(encoding="utf-8"),
    )
    assert retro.exit_code == 0, retro.output
    sections = {s["key"]: s for s in json.loads(retro.stdout)["sections"]}
    owners = {i.get("owner") for i in sections["action_items"]["items"]}
    assert "U02BRUNO" in owners


def test_draft_retro_reads_a_file_and_prints_text(runner: CliRunner, tmp_path: Path) -> None:
    entries = tmp_path / "entries.txt"
    entries.write_text(
        "+ shipped on time\n- build was flaky 3 times\n! @U0FLAKY99 fix the flaky build\n"
    )
    result = runner.invoke(cli, ["draft", "retro", "--workspace", WS, "--file", str(entries)])
    assert result.exit_code == 0, result.output
    assert "WHAT WENT WELL" in result.stdout and "owner @U0FLAKY99" in result.stdout


def test_llm_engine_without_a_model_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["draft", "swot", "--workspace", WS, "--engine", "llm"])
    assert result.exit_code == 2
    assert "LLM__MODEL" in result.output

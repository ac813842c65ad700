"""`alignbot kb ...` end to end on a temporary data directory."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli

W = "TCLI"
Invoke = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("ENV", "test")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CHROMA__HOST", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, ["kb", *args])
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_add_list_search_remove(run: Invoke, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "nested").mkdir(parents=True)
    (docs / "plan.md").write_text(
        "# Q3 plan\n\n## Goals\n\nProject Kestrel ships in Q3.\n", encoding="utf-8"
    )
    (docs / "nested" / "customers.csv").write_text("Customer,Seats\nAcme,420\n", encoding="utf-8")
    (docs / "ignored.png").write_bytes(b"\x89PNG")

    code, out, _ = run("add", "--workspace", W, str(docs))
    assert code == 0
    assert "Added “customers” (1 chunk)" in out
    assert "Added “Q3 plan” (1 chunk)" in out

    code, out, _ = run("add", "--workspace", W, str(docs / "plan.md"))
    assert code == 0 and "Already up to date: “Q3 plan”" in out

    code, out, _ = run("list", "--workspace", W, "--json")
    listed = {d["title"]: d for d in json.loads(out)}
    assert code == 0 and set(listed) == {"Q3 plan", "customers"}
    assert listed["customers"]["chunks"] == 1 and listed["customers"]["source_kind"] == "csv"

    code, out, _ = run("list", "--workspace", W)
    assert code == 0 and "Q3 plan" in out and "2 documents, 2 chunks" in out

    code, out, _ = run("search", "--workspace", W, "Project Kestrel", "--k", "1", "--json")
    (hit,) = json.loads(out)
    assert code == 0
    assert set(hit) >= {"source_id", "doc_id", "title", "text", "score"}
    assert hit["title"] == "Q3 plan" and hit["source_id"] == f"{listed['Q3 plan']['doc_id']}#0"

    code, out, _ = run("search", "--workspace", W, "Kestrel")
    assert code == 0 and "1. Q3 plan" in out and "Goals" in out

    code, out, _ = run("search", "--workspace", "TEMPTY", "Kestrel", "--json")
    assert code == 0 and json.loads(out) == []

    code, out, _ = run("remove", "--workspace", W, hit["doc_id"])
    assert code == 0 and f"Removed {hit['doc_id']}" in out
    code, out, _ = run("list", "--workspace", W, "--json")
    assert [d["title"] for d in json.loads(out)] == ["customers"]

    code, out, _ = run("reindex", "--workspace", W)
    assert code == 0 and "Re-embedded 1 chunks" in out


def test_bad_input_exits_non_zero_with_a_clear_message(run: Invoke, tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n")
    good = tmp_path / "ok.txt"
    good.write_text("Release train moves to Thursdays.", encoding="utf-8")

    code, out, err = run(
        "add", "--workspace", W, str(image), str(tmp_path / "missing.md"), str(good)
    )
    assert code == 1
    assert "not a supported type" in err and "No such file" in err
    assert "Added “ok”" in out  # one bad file does not stop the others

    code, _, err = run("remove", "--workspace", W, "nope")
    assert code == 1 and "No document nope" in err

    code, _, _ = run("add", "--workspace", W)
    assert code != 0

"""`alignbot okr ...` through typer on a fresh data directory: adopt, edit, check in, status, list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.cli.okr_json import checkin_json
from bot.composition import open_database
from bot.settings import get_settings
from core.db import session_scope
from drafting.store import save_version
from knowledge.catalog import DocumentCatalog
from knowledge.types import DocumentInfo
from scheduler.plans.models import OkrCheckIn, OkrEdit
from scheduler.plans.views import CheckInView
from tests.plans.conftest import sample_draft

WS, OTHER = "TCLIOKR01", "TCLIOKR02"
OWNER = "U0OPS0001"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return CliRunner()


@pytest.fixture
def draft_id(runner: CliRunner) -> str:
    db = open_database(get_settings(), upgrade=True)
    try:
        with session_scope(db.sessions) as session:
            return save_version(session=session, workspace_id=WS, draft=sample_draft()).draft_id
    finally:
        db.close()


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["okr", *args])
    return result.exit_code, result.stdout, result.stderr


def rows(model: type) -> int:
    db = open_database(get_settings(), upgrade=False)
    try:
        with db.sessions() as session:
            return session.query(model).count()
    finally:
        db.close()


def test_adopt_edit_checkin_and_status_as_json(
    runner: CliRunner, draft_id: str, tmp_path: Path
) -> None:
    code, out, err = run(
        runner,
        "adopt",
        "-w",
        WS,
        "--draft",
        draft_id,
        "--period",
        "2027-Q1",
        "--owner",
        OWNER,
        "--channel",
        "C0OPS0001",
        "--json",
    )
    assert code == 0, err
    plan = json.loads(out)
    assert (plan["period"], plan["status"], plan["draft_id"]) == ("2027-Q1", "setup", draft_id)
    krs = {kr["ref"]: kr for o in plan["objectives"] for kr in o["key_results"]}
    churn = krs["1.1"]
    assert {
        k: churn[k] for k in ("metric", "unit", "baseline", "target", "direction", "owner", "due")
    } == {
        "metric": "Gross logo churn",
        "unit": "%",
        "baseline": 6.8,
        "target": 4.0,
        "direction": "decrease",
        "owner": OWNER,
        "due": "2027-12-31",
    }
    assert churn["weight"] == 1.0 and churn["sources"] == ["19642819033e#4"]

    # Every key result without a target gets one (or becomes a deliverable): tracking starts.
    for kr in krs.values():
        if kr["target"] is None and kr["direction"] != "deliverable":
            code, out, err = run(
                runner, "edit", "-w", WS, "--kr", str(kr["id"]), "--target", "1", "--json"
            )
            assert code == 0, err
    code, out, err = run(runner, "status", "-w", WS, "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "active"

    code, out, err = run(
        runner,
        "checkin",
        "-w",
        WS,
        "--kr",
        str(churn["id"]),
        "--value",
        "5.9%",
        "--confidence",
        "at risk",
        "--note",
        "Two logos left",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["value"] == 5.9 and json.loads(out)["source"] == "cli"
    # The note is knowledge now, cited by date, key result and who checked in (no Slack).
    [note] = checkin_notes()
    assert note.title.startswith("Check-in ") and note.title.endswith(" · KR 1.1 · <@cli>")
    assert (note.source_kind, note.added_by, note.chunks > 0) == ("checkin", "okr", True)
    status = json.loads(run(runner, "status", "-w", WS, "--plan", str(plan["id"]), "--json")[1])
    first = status["objectives"][0]["key_results"][0]
    assert first["progress"] == pytest.approx(0.3214, abs=1e-4)  # 6.8% → 5.9% of the way to 4%
    assert first["latest"]["value_text"] == "5.9%" and first["pace"] in (
        "ahead",
        "on_pace",
        "behind",
    )
    assert status["objectives"][0]["progress"] is not None

    code, out, err = run(
        runner,
        "checkins",
        "-w",
        WS,
        "--plan",
        str(plan["id"]),
        "every 2 weeks on friday at 15:00",
        "--tz",
        "Europe/Oslo",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["checkin_schedule"] == "every 2 weeks on Friday at 15:00 (Europe/Oslo)"
    # Scores come with the period's close; before it an adjustment is refused.
    score = ("score", "-w", WS, "--kr", str(churn["id"]), "--reason", "Mergers", "--score")
    code, _, err = run(runner, *score, "0.7")
    assert code == 1 and "has not closed yet; scores are set when its period ends" in err
    code, _, err = run(runner, *score, "1.5")
    assert code == 1 and "between 0.0 and 1.0" in err

    listed = json.loads(run(runner, "list", "-w", WS, "--json")[1])
    assert [p["id"] for p in listed] == [plan["id"]]
    assert json.loads(run(runner, "list", "-w", OTHER, "--json")[1]) == []

    csv = tmp_path / "metrics.csv"
    csv.write_text(
        f"kr,value,confidence,note\n{churn['id']},5.1%,on track,\n"
        f"{krs['1.2']['id']},113%,,Exported from the CRM\n"
    )
    code, out, err = run(runner, "checkin", "-w", WS, "--csv", str(csv), "--dry-run", "--json")
    assert code == 0, err
    preview = json.loads(out)
    assert preview["dry_run"] is True
    assert [(c["ref"], c["before"], c["after"]) for c in preview["checkins"]] == [
        ("1.1", "5.9%", "5.1%"),
        ("1.2", None, "113%"),
    ]
    assert rows(OkrCheckIn) == 1
    code, _, err = run(runner, "checkin", "-w", WS, "--csv", str(csv))
    assert code == 0, err
    assert rows(OkrCheckIn) == 3
    assert len(checkin_notes()) == 2  # the CSV's one note, and only after the real import


def checkin_notes() -> list[DocumentInfo]:
    db = open_database(get_settings(), upgrade=False)
    try:
        documents = DocumentCatalog(db.sessions).list_documents(WS)
    finally:
        db.close()
    return [d for d in documents if d.source_kind == "checkin"]


def test_bad_input_exits_non_zero_with_one_line_and_changes_nothing(
    runner: CliRunner, draft_id: str, tmp_path: Path
) -> None:
    code, out, err = run(runner, "adopt", "-w", WS, "--draft", draft_id, "--owner", OWNER, "--json")
    assert code == 0, err
    plan = json.loads(out)
    churn = plan["objectives"][0]["key_results"][0]
    edits_before, checkins_before = rows(OkrEdit), rows(OkrCheckIn)

    cases = [
        (("checkin", "-w", WS, "--kr", str(churn["id"]), "--value", "5.9%"), "is not tracking yet"),
        (
            ("edit", "-w", WS, "--kr", str(churn["id"]), "--target", "4 days"),
            "is days, but this key result is measured in a percentage",
        ),
        (
            ("edit", "-w", WS, "--kr", "999999", "--target", "4%"),
            "There is no key result 999999 in this workspace.",
        ),
        (("edit", "-w", OTHER, "--kr", str(churn["id"]), "--target", "4%"), "no key result"),
        (("edit", "-w", WS, "--kr", str(churn["id"]), "--owner", "bob"), "not a Slack user id"),
        (("adopt", "-w", WS, "--draft", "nope"), "There is no draft nope in this workspace."),
        (("adopt", "-w", WS, "--subject", "Nobody"), "There is no OKR draft for “Nobody”"),
        (("adopt", "-w", WS, "--draft", draft_id, "--period", "soon"), "not a period"),
        (("checkin", "-w", WS, "--kr", str(churn["id"])), "Give --kr KR_ID and --value V"),
        (("status", "-w", OTHER), "Pass --plan: this workspace has 0 open plans"),
    ]
    for args, message in cases:
        code, out, err = run(runner, *args)
        assert code == 1, (args, out, err)
        line = " ".join(err.split())
        assert message in line, (args, err)
        assert err.strip().count("\n") == 0, err
    assert (rows(OkrEdit), rows(OkrCheckIn)) == (edits_before, checkins_before)

    # A bad CSV row names its line; nothing of the file is stored.
    csv = tmp_path / "bad.csv"
    csv.write_text(f"kr,value\n{churn['id']},lots\n")
    code, _, err = run(runner, "checkin", "-w", WS, "--csv", str(csv), "--dry-run")
    assert code == 1 and "Line 2: KR 1.1" in err
    # An archived plan refuses check-ins and edits, and keeps its history.
    assert run(runner, "archive", "-w", WS, "--plan", str(plan["id"]))[0] == 0
    code, _, err = run(runner, "checkin", "-w", WS, "--kr", str(churn["id"]), "--value", "5%")
    assert code == 1 and f"plan {plan['id']} is archived" in err
    assert json.loads(run(runner, "list", "-w", WS, "--json")[1]) == []
    assert len(json.loads(run(runner, "list", "-w", WS, "--all", "--json")[1])) == 1


def test_the_readme_documents_the_json_as_printed(runner: CliRunner, draft_id: str) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("## OKR tracking") :]
    start = section.index("```json") + len("```json")
    documented = json.loads(section[start : section.index("```", start)].replace("…", ""))
    # Adopted by subject: the newest OKR draft for it, matched without regard to case.
    code, out, err = run(
        runner, "adopt", "-w", WS, "--subject", "The Team", "--owner", OWNER, "--json"
    )
    assert code == 0, err
    printed = json.loads(out)
    assert printed["draft_id"] == draft_id
    assert set(printed) == set(documented)
    assert set(printed["objectives"][0]) == set(documented["objectives"][0])
    documented_kr = documented["objectives"][0]["key_results"][0]
    assert set(printed["objectives"][0]["key_results"][0]) == set(documented_kr)
    checkin = CheckInView(
        id=1,
        kr_id=1,
        author=OWNER,
        value=1.0,
        value_text="1",
        confidence=None,
        note=None,
        source="cli",
        created_at=datetime(2027, 1, 4, tzinfo=UTC),
    )
    assert set(checkin_json(checkin)) == set(documented_kr["latest"])

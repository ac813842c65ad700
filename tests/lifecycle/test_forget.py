"""/align forget deletes a workspace everywhere (SQL and Chroma); uninstalling stops its schedules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings as ChromaConfig
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from handlers import ids
from scheduler.models import RetroSeries
from scheduler.occurrences import claim_occurrence
from tests.fakes.slack_api import BOT_USER
from tests.faults.conftest import Rig, ephemerals, posts, wait_until
from tests.inprocess import InProcessApp
from tests.slack_requests import payload

pytestmark = [pytest.mark.postgres]
TEAM, KEEP = "T0ALIGN01", "T0KEEPWS1"
CHANNEL = "C0FORGET1"


def rows_per_table(rig: Rig, team: str) -> dict[str, int]:
    """Rows of `team` in every table that has a workspace_id column, found in the live schema."""
    schema = inspect(rig.db)
    counts = {}
    with rig.db.connect() as conn:
        for table in schema.get_table_names():
            if "workspace_id" in {c["name"] for c in schema.get_columns(table)}:
                counts[table] = conn.execute(
                    text(f'SELECT count(*) FROM "{table}" WHERE workspace_id = :t'), {"t": team}
                ).scalar_one()
        counts["workspaces"] = conn.execute(
            text("SELECT count(*) FROM workspaces WHERE id = :t"), {"t": team}
        ).scalar_one()
    return counts


def collections(rig: Rig) -> list[str]:
    client = chromadb.HttpClient(
        host="127.0.0.1", port=rig.chroma.port, settings=ChromaConfig(anonymized_telemetry=False)
    )
    return sorted(c.name for c in client.list_collections())


def retro_prompt_ts(rig: Rig) -> str:
    """The ts of the retro prompt the bot posted, as the app recorded it."""
    found: list[str] = []

    def recorded() -> bool:
        with rig.db.connect() as conn:
            found[:] = [
                ts
                for ts in conn.execute(
                    text("SELECT prompt_ts FROM retros WHERE workspace_id = :t"), {"t": TEAM}
                ).scalars()
                if ts
            ]
        return bool(found)

    wait_until(recorded, what="the retro prompt")
    return found[0]


def fill_workspace(rig: Rig) -> None:
    """Something in every feature: knowledge, mission, drafts, threads, feedback, retros."""
    sender = rig.sender()
    rig.llm.reply("{}")
    for channel in (CHANNEL, "C0K"):  # schedules need the bot in the channel
        rig.slack.channel_members[channel] = [BOT_USER, "U0LEAD001"]
    sender.command("/align", "mission Carry every parcel on time", channel_id=CHANNEL)
    sender.command("/swot", "Larkspur", channel_id=CHANNEL)
    wait_until(lambda: posts(rig.slack, CHANNEL), what="the draft")
    board = posts(rig.slack, CHANNEL)[0]
    assert board.response is not None
    click = payload("interactive_block_actions")
    click["container"].update(channel_id=CHANNEL, message_ts=board.response["ts"])
    click["channel"]["id"] = CHANNEL
    click["message"].update(ts=board.response["ts"])
    click["actions"] = [{"type": "button", "action_id": ids.FEEDBACK_UP, "value": "swot"}]
    sender.interactive(click)
    mention = payload("event_app_mention", event_id="Ev0FORGET01")
    mention["event"].update(channel=CHANNEL, text="<@U0BOT0001> hello")
    sender.event(mention)
    sender.command("/retro", "Sprint 9", channel_id=CHANNEL)
    prompt = retro_prompt_ts(rig)
    for n, entry in enumerate(["+ scanners worked", "! replace the van batteries"]):
        reply = payload("event_message_thread_reply", event_id=f"Ev0FORGETR{n}")
        ts = f"1769100{n:03d}.000100"
        reply["event"].update(channel=CHANNEL, thread_ts=prompt, ts=ts, event_ts=ts, text=entry)
        sender.event(reply)
    sender.command("/retro", "schedule weekly on friday at 15:00", channel_id=CHANNEL)
    sender.command("/align", "kb add Keep-workspace note about depots.", team_id=KEEP)
    sender.command("/retro", "schedule weekly on monday at 09:00", team_id=KEEP, channel_id="C0K")

    wanted = ["kb_documents", "draft_versions", "draft_feedback", "thread_messages"]
    wanted += ["retro_entries", "retro_series", "retros", "workspaces", "processed_events"]
    missing: list[str] = []

    def filled() -> bool:
        counts = rows_per_table(rig, TEAM)
        missing[:] = [t for t in wanted if not counts.get(t)]
        if not rows_per_table(rig, KEEP)["retro_series"]:
            missing.append(f"{KEEP} retro_series")
        return not missing

    try:
        wait_until(filled, timeout=60, what="data in every feature")
    except AssertionError as exc:
        raise AssertionError(f"nothing stored in {missing}") from exc
    # An occurrence the schedule fired (Friday is days away: claimed here as the engine would).
    with Session(rig.db) as session, session.begin():
        series = session.scalars(
            select(RetroSeries.id).where(RetroSeries.workspace_id == TEAM)
        ).first()
        assert series is not None
        now = datetime.now(UTC)
        assert claim_occurrence(
            session, kind="retro", key=series, occurrence_at=now, now=now, workspace_id=TEAM
        )


def forget_view(
    rig: Rig, typed: str, private_metadata: str, user: str = "U0LEAD001"
) -> dict[str, Any]:
    body = payload("interactive_view_submission")
    body["user"]["id"] = user
    body["view"].update(
        callback_id=ids.FORGET_MODAL,
        private_metadata=private_metadata,
        state={
            "values": {
                ids.FORGET_BLOCK: {ids.FORGET_INPUT: {"type": "plain_text_input", "value": typed}}
            }
        },
    )
    return body


def test_forget_needs_an_admin_and_a_typed_confirmation_then_leaves_nothing(rig: Rig) -> None:
    fill_workspace(rig)
    if isinstance(rig.app, InProcessApp):
        rig.app.wait_idle()  # a draft's picture upload may still be storing its row
    before = rows_per_table(rig, TEAM)
    keep_before = rows_per_table(rig, KEEP)
    assert before["occurrence_claims"] == 1
    assert f"kb-{TEAM}" in collections(rig) and f"kb-{KEEP}" in collections(rig)

    sender = rig.sender()
    sender.command("/align", "forget", channel_id="C0NOTADMIN", user_id="U0MEMBER1")
    wait_until(lambda: ephemerals(rig.slack, "C0NOTADMIN"), what="the refusal")
    assert "Only workspace admins" in ephemerals(rig.slack, "C0NOTADMIN")[0].params["text"]
    assert not rig.slack.calls_to("views.open")

    sender.command("/align", "forget", channel_id=CHANNEL)
    [opened] = rig.slack.wait_for("views.open")
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == ids.FORGET_MODAL
    meta = view["private_metadata"]

    wrong = sender.interactive(forget_view(rig, "delete", meta))
    assert wrong.json()["response_action"] == "errors"
    member = sender.interactive(forget_view(rig, "DELETE", meta, user="U0MEMBER1"))
    assert "Only workspace admins" in json.dumps(member.json())
    assert rows_per_table(rig, TEAM) == before

    assert sender.interactive(forget_view(rig, "DELETE", meta)).status_code == 200
    wait_until(
        lambda: [e for e in ephemerals(rig.slack, CHANNEL) if "Done" in e.params["text"]],
        what="the confirmation",
    )
    remaining = {table: n for table, n in rows_per_table(rig, TEAM).items() if n}
    assert remaining == {}
    assert f"kb-{TEAM}" not in collections(rig)
    # Another workspace keeps everything.
    assert rows_per_table(rig, KEEP) == keep_before
    assert f"kb-{KEEP}" in collections(rig)


def test_uninstall_and_token_revocation_pause_the_workspace_schedules(rig: Rig) -> None:
    def active(team: str) -> int:
        with rig.db.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM retro_series WHERE workspace_id = :t AND status = 'active'"
                    ),
                    {"t": team},
                ).scalar_one()
            )

    assert active(KEEP) == 1
    revoked = payload("event_tokens_revoked", team_id=KEEP, event_id="Ev0REVOKE01")
    assert rig.sender().event(revoked).status_code == 200
    wait_until(lambda: active(KEEP) == 0, what="schedules paused")
    uninstalled = payload("event_app_uninstalled", team_id=KEEP, event_id="Ev0UNINST01")
    assert rig.sender().event(uninstalled).status_code == 200
    wait_until(lambda: "app uninstalled" in rig.app.logs(), what="the uninstall record")
    assert f"workspace {KEEP}: bot token revoked" in rig.app.logs()
    # Data stays until someone asks for it to go: an uninstall is not a deletion request.
    assert rows_per_table(rig, KEEP)["retro_series"] == 1

"""Workspace isolation as a property: random data in several workspaces that share channel and
thread ids, and no read path (search, documents, drafts, App Home, exports, retros, schedules)
ever shows one workspace another's data."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient

from bot.settings import Settings
from drafting.render_markdown import render_markdown
from handlers.app_home import publish_home
from handlers.deps import WorkerDeps
from handlers.draft_actions import export_markdown_reply
from handlers.slack_client import make_web_client
from scheduler.errors import RetroNotFound
from scheduler.schedule_request import parse_schedule_command
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import build_services, worker_deps
from tests.slack_requests import SIGNING_SECRET

CHANNEL = "C0SHARED1"  # every workspace uses the same channel and thread ids on purpose
THREAD = "1769000000.000100"
WORDS = ["revenue", "churn", "depot", "hiring", "latency", "pricing", "partners", "carbon"]
_teams = itertools.count(1)


@dataclass
class World:
    deps: WorkerDeps
    slack: FakeSlack
    client: WebClient


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("isolation")
    with FakeSlack() as slack:
        config = Settings(
            env="test",
            data_dir=tmp / "data",
            slack={
                "bot_token": BOT_TOKEN,
                "signing_secret": SIGNING_SECRET,
                "api_base_url": slack.api_url,
            },
        )
        process = build_services(config)
        try:
            yield World(worker_deps(process), slack, make_web_client(config.slack))
        finally:
            process.close()


def marker(team: str) -> str:
    return f"mk{team.lower()}zz"


notes = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=6).map(" ".join),
    min_size=1,
    max_size=3,
)
retro_entries = st.lists(st.sampled_from(WORDS), min_size=0, max_size=3)


def load_workspace(world: World, team: str, texts: list[str], entries: list[str]) -> None:
    deps, mark = world.deps, marker(team)
    for n, body in enumerate(texts):
        deps.kb.add_text(team, title=f"{mark} note {n}", text=f"{mark} {body}. {mark} grew 5%.")
    request = deps.desk.take_request(
        workspace_id=team, channel_id=CHANNEL, user_id="U0LEAD001", kind="swot", subject=mark
    )
    stored = deps.desk.request(workspace_id=team, request_id=request)
    assert stored is not None
    draft = deps.drafter.draft_request(stored)
    deps.desk.record_posted(
        workspace_id=team,
        channel_id=CHANNEL,
        thread_ts=THREAD,
        message_ts=THREAD,
        draft=draft,
        created_by="U0LEAD001",
        request_id=request,
    )
    retro = deps.retros.opening.open_retro(
        team, CHANNEL, f"{mark} retro", opened_by="U0LEAD001", window=timedelta(hours=1)
    )
    for n, word in enumerate(entries):
        deps.retros.entries.add_entry(
            retro.id,
            workspace_id=team,
            section="went_well",
            text=f"{mark} {word}",
            author="U0LEAD001",
            anonymous=False,
            source="modal",
            source_ts=f"{team}-{n}",
        )
    request_text = f'weekly on friday at 15:00 title "{mark} weekly"'
    schedule = parse_schedule_command(
        request_text, channel_id=CHANNEL, default_tz="UTC", now=datetime.now(UTC)
    )
    deps.retros.schedules.create_schedule(team, request=schedule, created_by="U0LEAD001")


def seen_by(world: World, team: str, others: list[str]) -> str:
    """Everything `team` can read through every path, as one string."""
    deps, out = world.deps, []
    for query in [*WORDS, *(marker(o) for o in others)]:
        out += [f"{h.title} {h.text}" for h in deps.kb.search(team, query, k=10)]
    out += [d.title for d in deps.kb.list_documents(team)]
    out += [f"{d.subject}" for d in deps.desk.recent(workspace_id=team, limit=50)]
    current = deps.desk.current(workspace_id=team, channel_id=CHANNEL, thread_ts=THREAD)
    assert current is not None
    out.append(render_markdown(current.draft))
    out += [r.title for r in deps.retros.lookup.list_open_retros(team, channel_id=CHANNEL)]
    for retro in deps.retros.lookup.list_open_retros(team):
        out += [e.text for e in deps.retros.lookup.list_entries(retro.id, workspace_id=team)]
    out += [s.title for s in deps.retros.schedules.list_schedules(team)]

    world.slack.reset()
    publish_home(deps, world.client, team=team, user="U0LEAD001")
    out.append(json.dumps(world.slack.calls_to("views.publish")[-1].params))
    body = {
        "team": {"id": team},
        "user": {"id": "U0LEAD001", "team_id": team},
        "channel": {"id": CHANNEL},
        "container": {"channel_id": CHANNEL, "message_ts": THREAD},
        "message": {"ts": THREAD, "thread_ts": THREAD},
    }
    before = set(world.slack.uploads)
    export_markdown_reply(deps, world.client, body)
    out += [world.slack.uploads[k].decode() for k in set(world.slack.uploads) - before]
    return "\n".join(out)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.lists(st.tuples(notes, retro_entries), min_size=2, max_size=3))
def test_no_read_path_crosses_a_team_id(
    world: World, data: list[tuple[list[str], list[str]]]
) -> None:
    teams = [f"T0ISO{next(_teams):04d}" for _ in data]
    for team, (texts, entries) in zip(teams, data, strict=True):
        load_workspace(world, team, texts, entries)
    for team in teams:
        others = [t for t in teams if t != team]
        seen = seen_by(world, team, others)
        assert marker(team) in seen  # the paths do return this workspace's own data
        for other in others:
            assert marker(other) not in seen, f"{other}'s data reached {team}"
        other_retros = [r.id for o in others for r in world.deps.retros.lookup.list_open_retros(o)]
        for retro_id in other_retros:
            with pytest.raises(RetroNotFound):
                world.deps.retros.lookup.list_entries(retro_id, workspace_id=team)


def test_property_test_detects_a_leak(world: World) -> None:
    """The property can fail: a note stored under the wrong team id is caught."""
    owner, intruder = f"T0ISO{next(_teams):04d}", f"T0ISO{next(_teams):04d}"
    load_workspace(world, owner, ["revenue churn"], [])
    load_workspace(world, intruder, ["depot hiring"], [])
    world.deps.kb.add_text(owner, title="leak", text=f"{marker(intruder)} pricing leak")
    assert marker(intruder) in seen_by(world, owner, [intruder])

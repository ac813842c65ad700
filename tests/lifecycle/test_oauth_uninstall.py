"""In OAuth (multi-workspace) mode, uninstalling or revoking the bot token deletes the install."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import select

from bot.settings import Settings
from handlers.deps import ServingDeps as Deps
from scheduler.plans.models import OkrPlan
from scheduler.plans.outline import KeyResultOutline, ObjectiveOutline, PlanOutline
from tests.fakes.slack_api import FakeSlack
from tests.faults.conftest import wait_until
from tests.inprocess import build_services, build_slack_app
from tests.slack_requests import SIGNING_SECRET, SlackSender, payload

CLIENT_ID = "111.222"


@pytest.fixture
def oauth_app(tmp_path: Path) -> Iterator[tuple[App, Deps]]:
    with FakeSlack() as slack:
        settings = Settings(
            env="test",
            data_dir=tmp_path / "data",
            slack={
                "signing_secret": SIGNING_SECRET,
                "client_id": CLIENT_ID,
                "client_secret": "oauth-client-secret-xyz",
                "api_base_url": slack.api_url,
            },
            server={"worker_process": False},
        )
        process = build_services(settings)
        try:
            yield build_slack_app(settings, process.deps), process.deps
        finally:
            process.close()


def install(deps: Deps, team: str) -> SQLAlchemyInstallationStore:
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=deps.engine)
    store.save(
        Installation(
            app_id="A0ALIGN01",
            team_id=team,
            user_id="U0LEAD001",
            bot_token=f"xoxb-{team}-token",
            bot_id="B0BOT0001",
            bot_user_id="U0BOT0001",
        )
    )
    return store


def dispatch(app: App, body: dict) -> int:
    raw = json.dumps(body)
    headers = SlackSender("http://unused").headers(raw, "application/json")
    return app.dispatch(BoltRequest(body=raw, headers=headers)).status


@pytest.mark.parametrize("event", ["event_app_uninstalled", "event_tokens_revoked"])
def test_the_installation_is_deleted(oauth_app: tuple[App, Deps], event: str) -> None:
    app, deps = oauth_app
    gone, kept = install(deps, "T0ALIGN01"), install(deps, "T0KEEPWS1")
    assert gone.find_bot(enterprise_id=None, team_id="T0ALIGN01") is not None
    assert dispatch(app, payload(event)) == 200
    # Bolt runs event listeners after the ack, on its listener pool.
    wait_until(lambda: gone.find_bot(enterprise_id=None, team_id="T0ALIGN01") is None)
    assert kept.find_bot(enterprise_id=None, team_id="T0KEEPWS1") is not None


@pytest.mark.parametrize("event", ["event_app_uninstalled", "event_tokens_revoked"])
def test_the_workspace_plans_stop_their_check_ins(oauth_app: tuple[App, Deps], event: str) -> None:
    app, deps = oauth_app
    install(deps, "T0ALIGN01")
    gone, kept = (active_plan(deps, team) for team in ("T0ALIGN01", "T0KEEPWS1"))
    assert dispatch(app, payload(event)) == 200
    wait_until(
        lambda: deps.plans.status(workspace_id="T0ALIGN01", plan_id=gone).next_checkin is None
    )
    with deps.sessions() as session:
        paused = {i: p for i, p in session.execute(select(OkrPlan.id, OkrPlan.checkins_paused))}
    assert paused == {gone: True, kept: False}
    # Data stays: an uninstall is not a deletion request.
    plan = deps.plans.status(workspace_id="T0ALIGN01", plan_id=gone)
    assert plan.status == "active" and len(plan.key_results()) == 1


def active_plan(deps: Deps, team: str) -> int:
    """An active plan in `team` with one owned key result and the default weekly check-ins."""
    outline = PlanOutline(
        title="Platform",
        objectives=(
            ObjectiveOutline(
                title="Be reliable",
                key_results=(KeyResultOutline("Raise uptime from 96.2% to 99.95% by Q1 2027"),),
            ),
        ),
    )
    plan = deps.plans.adopt(
        workspace_id=team,
        channel_id="C0OKRS001",
        adopted_by="U0LEAD001",
        outline=outline,
        period="2030-Q1",
        timezone="UTC",
    )
    plan = deps.plans.setup(workspace_id=team, plan_id=plan.id, actor="U0LEAD001", changes={})
    assert plan.status == "active" and plan.next_checkin is not None
    return plan.id

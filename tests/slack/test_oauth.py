"""Multi-workspace install: /slack/install → Slack → /slack/oauth_redirect → stored installation."""

from __future__ import annotations

import re

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from tests.conftest import StartApp
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp


@pytest.fixture
def oauth_app(start_app: StartApp) -> InProcessApp:
    return start_app(
        SLACK__CLIENT_ID="111.222",
        SLACK__CLIENT_SECRET="oauth-secret-xyz",
        SLACK__BOT_TOKEN=None,
    )


def test_install_flow_stores_the_installation_and_serves_that_team(
    oauth_app: InProcessApp, fake_slack: FakeSlack
) -> None:
    browser = oauth_app.http
    assert browser is not None
    page = browser.get("/slack/install")
    assert page.status_code == 200
    match = re.search(r"https://slack.com/oauth/v2/authorize\?[^\"']*state=([\w-]+)", page.text)
    assert match, page.text[:500]
    assert "client_id=111.222" in page.text
    # The state cookie is Secure (production is https); a browser would send it back.
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    done = browser.get(
        "/slack/oauth_redirect",
        params={"code": "fixture-code", "state": match.group(1)},
        headers={"Cookie": cookie},
    )
    assert done.status_code == 200, done.text[:500]
    access = fake_slack.wait_for("oauth.v2.access")[0]
    assert access.params.get("code") == "fixture-code"

    resp = oauth_app.sender().command("/align", "help")
    assert resp.status_code == 200 and "/swot" in resp.text


def test_forged_state_is_refused(oauth_app: InProcessApp, fake_slack: FakeSlack) -> None:
    assert oauth_app.http is not None
    done = oauth_app.http.get("/slack/oauth_redirect", params={"code": "x", "state": "forged"})
    assert done.status_code == 400
    assert fake_slack.calls_to("oauth.v2.access") == []


def test_uninstalled_team_is_told_to_install_and_not_served(
    oauth_app: InProcessApp, fake_slack: FakeSlack
) -> None:
    # Bolt answers through the command's response_url, so it points at the fake too.
    hook = f"{fake_slack.base_url}/commands/T0NOTHERE1/1/hook"
    resp = oauth_app.sender().command("/align", "help", team_id="T0NOTHERE1", response_url=hook)
    assert resp.status_code == 200
    assert "/swot" not in resp.text
    [told] = [c for c in fake_slack.calls if c.method == "commands/T0NOTHERE1/1/hook"]
    assert "install" in str(told.params.get("text", "")).lower()


GRID, GRID_TEAM, ORG_TOKEN = "E0GRID001", "T0GRIDWS1", "xoxb-org-wide-install-token"


def test_work_in_a_workspace_of_an_org_wide_install_uses_the_organisations_token(
    oauth_app: InProcessApp, fake_slack: FakeSlack
) -> None:
    """Enterprise Grid, installed once for the whole organisation: the installation row names
    the enterprise and no team. Work that starts after the request (a draft, a scheduled
    retro) must find it from the workspace it runs for."""
    SQLAlchemyInstallationStore(client_id="111.222", engine=oauth_app.deps.engine).save(
        Installation(
            app_id="A0ALIGN01",
            enterprise_id=GRID,
            team_id=None,
            is_enterprise_install=True,
            bot_token=ORG_TOKEN,
            bot_id="B0ORGBOT1",
            bot_user_id="U0ORGBOT1",
            user_id="U0ADMIN01",
        )
    )
    resp = oauth_app.sender().command(
        "/swot",
        "Larkspur",
        team_id=GRID_TEAM,
        enterprise_id=GRID,
        is_enterprise_install="true",
        channel_id="C0GRID001",
    )
    assert resp.status_code == 200
    [post] = fake_slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("channel") == "C0GRID001"
    )
    assert post.token == ORG_TOKEN
    # The scheduler's notifier finds it the same way.
    notifier = oauth_app.deps.retros.nudges.notifier
    assert notifier.channel_members(GRID_TEAM, "C0GRID001") == []
    [members] = fake_slack.calls_to("conversations.members")
    assert members.token == ORG_TOKEN

"""Multi-workspace install: /slack/install → Slack → /slack/oauth_redirect → stored installation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import app_env
from tests.fakes.slack_api import FakeSlack
from tests.served_app import ServedApp
from tests.slack_requests import SlackSender


@pytest.fixture
def oauth_app(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[ServedApp]:
    env = app_env(
        tmp_path, fake_slack, SLACK__CLIENT_ID="111.222", SLACK__CLIENT_SECRET="oauth-secret-xyz"
    )
    del env["SLACK__BOT_TOKEN"]
    app = ServedApp(env, tmp_path).start()
    yield app
    app.stop()


def test_install_flow_stores_the_installation_and_serves_that_team(
    oauth_app: ServedApp, fake_slack: FakeSlack
) -> None:
    with httpx.Client(base_url=oauth_app.base_url) as browser:
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

    sender = SlackSender(oauth_app.base_url)
    resp = sender.command("/align", "help")
    assert resp.status_code == 200 and "/swot" in resp.text


def test_forged_state_is_refused(oauth_app: ServedApp, fake_slack: FakeSlack) -> None:
    done = httpx.get(
        f"{oauth_app.base_url}/slack/oauth_redirect", params={"code": "x", "state": "forged"}
    )
    assert done.status_code in (400, 401, 403)
    assert fake_slack.calls_to("oauth.v2.access") == []


def test_uninstalled_team_is_not_served(oauth_app: ServedApp) -> None:
    resp = SlackSender(oauth_app.base_url).command("/align", "help", team_id="T0NOTHERE1")
    assert "/swot" not in resp.text

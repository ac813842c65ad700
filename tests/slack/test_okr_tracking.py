"""A tracked OKR plan through the served app and the strict fake Slack: adopt, assign owners,
check in (DM → modal, thread reply), refusals that store nothing, the digest and `/okr`."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from drafting.draft import Draft, Item, Section
from handlers import ids
from handlers.plan_actions import NOTE_WITHOUT_VALUE
from scheduler.engine import deadline_job, fire_job
from tests.conftest import StartApp
from tests.fakes.block_kit import MAX_MESSAGE_BLOCKS, check_blocks
from tests.fakes.slack_api import Call, FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_slash_drafts import block_texts
from tests.slack.test_threads_and_buttons import post_swot
from tests.slack_requests import SlackSender, payload

TEAM, OTHER_TEAM = "T0ALIGN01", "T0OTHER01"
LEAD, DEV, GUEST = "U0LEAD001", "U0DEV0002", "U0GUEST01"
CHANNEL = "C0OKRS001"
DRAFT_TS = "1767700000.000100"
KEY_RESULTS = {
    "Be reliable": [
        "Raise platform uptime from 96.2% to 99.95% by Q1 2027",
        "Cut median onboarding time from 11 weeks to 6 weeks by Q3 2027",
    ],
    "Keep every customer": [
        "Baseline: Gross logo churn was 6.8% last year; target to be set.",
    ],
}


@pytest.fixture
def app(start_app: StartApp) -> InProcessApp:
    return start_app()


@pytest.fixture
def sender(app: InProcessApp) -> Iterator[SlackSender]:
    s = app.sender()
    yield s
    s.close()


def rows(app: InProcessApp, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(app.db_path) as conn:
        return conn.execute(sql, args).fetchall()


def okr_draft() -> Draft:
    return Draft(
        kind="okr",
        subject="Platform",
        engine="offline",
        sections=[
            Section(
                key=f"objective-{n}",
                title=title,
                items=[Item(label=f"KR {n}.{k}", text=text) for k, text in enumerate(krs, 1)],
            )
            for n, (title, krs) in enumerate(KEY_RESULTS.items(), 1)
        ],
    )


def post_draft(app: InProcessApp) -> None:
    """An OKR draft posted in the channel, as drafting records it (no drafting needed here)."""
    app.deps.desk.record_posted(
        workspace_id=TEAM,
        channel_id=CHANNEL,
        thread_ts=DRAFT_TS,
        message_ts=DRAFT_TS,
        draft=okr_draft(),
        created_by=LEAD,
    )


def click(
    sender: SlackSender,
    action: dict[str, Any],
    *,
    user: str = LEAD,
    team: str = TEAM,
    channel: str = CHANNEL,
    message_ts: str = DRAFT_TS,
) -> None:
    body = payload("interactive_block_actions")
    body["user"].update({"id": user, "team_id": team})
    body["container"].update({"channel_id": channel, "message_ts": message_ts})
    body["channel"]["id"] = channel
    body["message"]["ts"] = message_ts
    body["actions"] = [{"block_id": "b", "action_ts": "1767700001.000100", **action}]
    assert sender.interactive(body).status_code == 200


def submit(
    sender: SlackSender,
    view: dict[str, Any],
    values: dict[str, Any],
    *,
    user: str = LEAD,
    team: str = TEAM,
) -> dict[str, Any]:
    """Submits the modal the app opened, with `values` as Slack's view.state.values."""
    body = payload("interactive_view_submission")
    body["user"].update({"id": user, "team_id": team})
    body["view"].update(
        {
            "id": "V0OKR0001",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "state": {"values": values},
        }
    )
    resp = sender.interactive(body)
    assert resp.status_code == 200
    return json.loads(resp.text) if resp.text else {}


def opened(fake: FakeSlack, callback_id: str, count: int = 1) -> dict[str, Any]:
    call = fake.wait_for(
        "views.open", lambda c: view_of(c).get("callback_id") == callback_id, count=count
    )[-1]
    return view_of(call)


def view_of(call: Call) -> dict[str, Any]:
    view = call.params.get("view")
    return json.loads(view) if isinstance(view, str) else dict(view or {})


def text_value(value: str | None) -> dict[str, Any]:
    return {"x": {"type": "plain_text_input", "value": value}}


def kr_ids(app: InProcessApp) -> dict[str, int]:
    """Key result ids by their reference ("1.1")."""
    plan = app.deps.plans.plan_for_channel(workspace_id=TEAM, channel_id=CHANNEL)
    assert plan is not None
    return {kr.ref: kr.id for kr in plan.key_results()}


def adopt(
    app: InProcessApp, sender: SlackSender, fake: FakeSlack, *, period: str | None = None
) -> dict[str, int]:
    """Adopt plan (or `/okr adopt <period>`) → the modal → owners (uptime: LEAD; the rest:
    DEV) and churn's target."""
    post_draft(app)
    if period:
        sender.command("/okr", f"adopt {period}", channel_id=CHANNEL)
    else:
        click(sender, {"type": "button", "action_id": ids.OKR_ADOPT, "value": "okr"})
    modal = opened(fake, ids.OKR_ADOPT_MODAL)
    refs = kr_ids(app)
    owners = {
        ids.kr_block("owner", refs["1.1"]): {"x": {"type": "users_select", "selected_user": LEAD}},
        ids.kr_block("owner", refs["1.2"]): {"x": {"type": "users_select", "selected_user": DEV}},
        ids.kr_block("owner", refs["2.1"]): {"x": {"type": "users_select", "selected_user": DEV}},
    }
    answer = submit(
        sender, modal, {**owners, ids.kr_block("target", refs["2.1"]): text_value("4%")}
    )
    assert answer == {}, answer
    return refs


def test_adopting_asks_owners_and_targets_and_bad_values_change_nothing(
    app: InProcessApp, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    post_draft(app)
    # The Adopt plan button sits under OKR drafts.
    click(sender, {"type": "button", "action_id": ids.OKR_ADOPT, "value": "okr"})
    modal = opened(fake, ids.OKR_ADOPT_MODAL)
    refs = kr_ids(app)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert blocks[ids.kr_block("owner", refs["1.2"])]["element"]["initial_user"] == LEAD
    assert ids.kr_block("target", refs["2.1"]) in blocks  # "target to be set"
    assert ids.kr_block("target", refs["1.1"]) not in blocks  # the sentence says 99.95%
    announced = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == CHANNEL)
    assert "adopted *Platform (2027-Q1)*" in block_texts(announced[0].params["blocks"])

    owner = {"x": {"type": "users_select", "selected_user": DEV}}
    answer = submit(
        sender,
        modal,
        {
            ids.kr_block("owner", refs["1.1"]): owner,
            ids.kr_block("target", refs["2.1"]): text_value("four percent"),
        },
    )
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [ids.kr_block("target", refs["2.1"])]
    plan = app.deps.plans.plan_for_channel(workspace_id=TEAM, channel_id=CHANNEL)
    assert plan is not None and plan.status == "setup"
    assert {kr.owner for kr in plan.key_results()} == {LEAD}  # the owner change was not kept

    answer = submit(
        sender,
        modal,
        {
            ids.kr_block("owner", refs["1.1"]): owner,
            ids.kr_block("target", refs["2.1"]): text_value("4%"),
        },
    )
    assert answer == {}
    plan = app.deps.plans.plan_for_channel(workspace_id=TEAM, channel_id=CHANNEL)
    assert plan is not None and plan.status == "active"
    started = fake.wait_for(
        "chat.postMessage",
        lambda c: "is being tracked" in block_texts(c.params.get("blocks") or []),
    )
    assert f"<@{DEV}>" in block_texts(started[0].params["blocks"])


def test_check_ins_by_dm_modal_and_thread_reply_feed_the_digest(
    app: InProcessApp, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    refs = adopt(app, sender, fake)
    plan = app.deps.plans.status(workspace_id=TEAM, plan_id=_plan_id(app))
    notifier = app.deps.plans.notifier
    assert notifier is not None
    uptime = next(kr for kr in plan.key_results() if kr.ref == "1.1")
    notifier.send_checkin_dm(TEAM, LEAD, plan, [uptime], 1, False)
    dm = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == LEAD)[0]
    button = next(e for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"])
    click(sender, button, channel="D0DMLEAD01", message_ts=dm.response["ts"])
    modal = opened(fake, ids.OKR_CHECKIN_MODAL)
    value, confidence, note = (
        ids.kr_block(f, refs["1.1"]) for f in ("value", "confidence", "note")
    )

    # A value that does not parse: the error sits next to it, and nothing is stored.
    answer = submit(
        sender, modal, {value: text_value("ninety-eight"), note: text_value("Two incidents")}
    )
    assert answer["response_action"] == "errors" and value in answer["errors"]
    assert rows(app, "SELECT COUNT(*) FROM okr_checkins") == [(0,)]
    # A note with no value is refused, not dropped.
    answer = submit(sender, modal, {value: text_value(None), note: text_value("Two incidents")})
    assert answer["errors"] == {value: NOTE_WITHOUT_VALUE[:150]}
    assert rows(app, "SELECT COUNT(*) FROM okr_checkins") == [(0,)]

    answer = submit(
        sender,
        modal,
        {
            value: text_value("98%"),
            confidence: {"x": {"type": "static_select", "selected_option": {"value": "at_risk"}}},
            note: text_value("Failover still manual <!channel>"),
        },
    )
    assert answer["response_action"] == "update"
    assert "now *98%*" in json.dumps(answer["view"])
    assert rows(app, "SELECT value, confidence, source FROM okr_checkins") == [
        (98.0, "at_risk", "modal")
    ]
    # The DM it came from now says so, with the new figures.
    updated = fake.wait_for("chat.update", lambda c: c.params.get("ts") == dm.response["ts"])[0]
    assert "is saved" in block_texts(updated.params["blocks"])
    assert "now *98%*" in block_texts(updated.params["blocks"])

    # A thread reply from the key result's owner, confirmed with a reaction.
    thread_reply(
        sender,
        text="KR 1.2: 10 weeks on track, two hires started",
        user=DEV,
        ts="1767700100.000100",
    )
    fake.wait_for("reactions.add", lambda c: c.params.get("timestamp") == "1767700100.000100")
    # Another user's key result, and the wrong unit: refused where they typed, nothing stored.
    thread_reply(sender, text="KR 1.1: 99.9%", user=DEV, ts="1767700200.000100")
    thread_reply(sender, text="KR 1.2: 42%", user=DEV, ts="1767700300.000100")
    refusals = fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == DEV, count=2)
    said = " ".join(c.params["text"] for c in refusals)
    assert "only its owner can check in" in said and "Nothing was stored" in said
    app.wait_idle()
    assert rows(app, "SELECT COUNT(*) FROM okr_checkins") == [(2,)]

    # The digest: the numbers, a chart in its thread.
    plan = app.deps.plans.status(workspace_id=TEAM, plan_id=plan.id)
    notifier.post_digest(TEAM, plan)
    digest = fake.wait_for("chat.postMessage", lambda c: "OKR digest" in str(c.params.get("text")))[
        0
    ]
    text = block_texts(digest.params["blocks"])
    assert "*98%*" in text and "48%" in text and "`█████░░░░░`" in text
    assert "Failover still manual @channel" in text  # the note, at risk, made safe
    complete = fake.wait_for("files.completeUploadExternal")[0]
    assert complete.params.get("thread_ts") == digest.response["ts"]
    # The note reached the knowledge base, cited as the issue says.
    app.wait_idle()
    titles = [d.title for d in app.deps.kb.list_documents(TEAM)]
    assert any(t.startswith("Check-in ") and f"KR 1.1 · <@{LEAD}>" in t for t in titles), titles


def wait_for_leader(app: InProcessApp, timeout: float = 30) -> None:
    """Until this app's engine leads (its recurring kinds are what the engine's jobs run)."""
    assert app.process is not None and app.process.schedule_engine is not None
    deadline = time.time() + timeout
    # Its runtime is installed before its APScheduler starts running.
    while not ((s := app.process.schedule_engine.scheduler) and s.apscheduler.running):
        assert time.time() < deadline, "the engine never became leader"
        time.sleep(0.05)


def wait_until(done: Callable[[], object], timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not done():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def _plan_id(app: InProcessApp) -> int:
    plan = app.deps.plans.plan_for_channel(workspace_id=TEAM, channel_id=CHANNEL)
    assert plan is not None
    return plan.id


def thread_reply(sender: SlackSender, *, text: str, user: str, ts: str, team: str = TEAM) -> None:
    body = payload("event_message_thread_reply", event_id=f"Ev0OKR{ts.replace('.', '')}")
    body["event"].update(
        {
            "channel": CHANNEL,
            "thread_ts": "1767700050.000100",
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "user": user,
            "user_team": team,
        }
    )
    assert sender.event(body).status_code == 200


def test_someone_from_another_workspace_cannot_check_in(
    app: InProcessApp, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    refs = adopt(app, sender, fake)
    plan = app.deps.plans.status(workspace_id=TEAM, plan_id=_plan_id(app))
    uptime = next(kr for kr in plan.key_results() if kr.ref == "1.1")
    app.deps.plans.notifier.send_checkin_dm(TEAM, LEAD, plan, [uptime], 1, False)  # type: ignore[union-attr]
    click(
        sender,
        {
            "type": "button",
            "action_id": ids.OKR_CHECKIN,
            "value": json.dumps({"p": plan.id, "r": 1}),
        },
        channel="D0DMLEAD01",
    )
    modal = opened(fake, ids.OKR_CHECKIN_MODAL)
    answer = submit(
        sender,
        modal,
        {ids.kr_block("value", refs["1.1"]): text_value("99%")},
        user=GUEST,
        team=OTHER_TEAM,
    )
    assert answer["response_action"] == "update"
    assert "another organisation" in json.dumps(answer["view"])
    thread_reply(
        sender, text="KR 1.1: 99% on track", user=GUEST, ts="1767700400.000100", team=OTHER_TEAM
    )
    app.wait_idle()
    assert rows(app, "SELECT COUNT(*) FROM okr_checkins") == [(0,)]
    assert not fake.calls_to("reactions.add")


def test_okr_commands_show_schedule_edit_and_archive(
    app: InProcessApp, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    resp = sender.command("/okr", "adopt", channel_id=CHANNEL)
    assert "no OKR draft in this channel" in resp.text
    refs = adopt(app, sender, fake)

    # App Home lists the plans the person owns key results in.
    assert sender.event(payload("event_app_home_opened", event_id="Ev0OKRHOME1")).status_code == 200
    home = fake.wait_for("views.publish")[0]
    home_text = block_texts(view_of(home)["blocks"])
    assert "*Your OKRs*" in home_text and "Platform (2027-Q1)" in home_text
    assert "your 1 key result" in home_text and "next check-in" in home_text

    status = sender.command("/okr", "status", channel_id=CHANNEL).json()
    check_blocks(status["blocks"], limit=MAX_MESSAGE_BLOCKS)
    assert "Platform" in block_texts(status["blocks"])
    assert sender.command("/okr", "list", channel_id=CHANNEL).text.count("`#") == 1

    resp = sender.command("/okr", "checkins every tuesday at 09:30", channel_id=CHANNEL)
    assert "Check-ins for" in resp.text and "tuesday" in resp.text.lower()
    resp = sender.command("/okr", "checkins whenever", channel_id=CHANNEL)
    assert "weekly on monday at 10:00" in resp.text  # the refusal shows the grammar

    sender.command("/okr", "edit 1.1", channel_id=CHANNEL)
    edit = opened(fake, ids.OKR_EDIT_MODAL)
    target = ids.kr_block("target", refs["1.1"])
    answer = submit(sender, edit, {target: text_value("12 days")})
    assert answer["response_action"] == "errors" and target in answer["errors"]
    answer = submit(sender, edit, {target: text_value("99.9%")})
    assert answer == {}
    audit = "SELECT old_value, new_value, actor FROM okr_kr_edits WHERE field = ? AND kr_id = ?"
    assert rows(app, audit, "target", refs["1.1"]) == [("99.95%", "99.9%", LEAD)]

    resp = sender.command("/okr", "score 1.1 0.6 the failover work slipped", channel_id=CHANNEL)
    assert "has not closed yet" in resp.text  # scores come with the quarter's close

    # Only the adopter, the key result's owner or an admin may archive; the fake's DEV is none.
    resp = sender.command("/okr", "archive", channel_id=CHANNEL, user_id=DEV)
    assert "Nothing was changed" in resp.text
    resp = sender.command("/okr", "archive", channel_id=CHANNEL)
    assert "Archived" in resp.text
    assert rows(app, "SELECT status FROM okr_plans") == [("archived",)]


def plan_on_the_engine(
    start_app: StartApp, fake: FakeSlack
) -> tuple[InProcessApp, SlackSender, dict[str, int], datetime]:
    """An app whose engine leads, with a plan adopted for the quarter under way (so a round
    opens today): the app, a sender, the key result ids and now."""
    app = start_app(scheduler=True)
    sender = app.sender()
    now = datetime.now(UTC)
    refs = adopt(app, sender, fake, period=f"{now.year}-Q{(now.month - 1) // 3 + 1}")
    wait_for_leader(app)
    return app, sender, refs, now


def test_a_round_on_the_engine_dms_each_owner_once_and_the_digest_says_who_is_missing(
    start_app: StartApp, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    app, sender, refs, now = plan_on_the_engine(start_app, fake)
    # What the engine's scheduled jobs run, in the leading engine's runtime.
    fire_job("okr", _plan_id(app), now)
    fire_job("okr", _plan_id(app), now)  # a second replica, or a repeat: no second DM
    # The leading engine batches the DMs on its own thread; its claim is finished once they are
    # all sent.
    wait_until(
        lambda: rows(
            app,
            "SELECT 1 FROM occurrence_claims WHERE kind = 'okr' AND finished_at IS NOT NULL",
        )
    )
    dms = {
        c.params["channel"]: c
        for c in fake.calls_to("chat.postMessage")
        if c.params["channel"] in (LEAD, DEV)
    }
    assert set(dms) == {LEAD, DEV}
    assert len([c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == DEV]) == 1
    dev_dm = block_texts(dms[DEV].params["blocks"])
    assert "KR 1.2" in dev_dm and "KR 2.1" in dev_dm and "KR 1.1" not in dev_dm

    # DEV checks in on both key results in one form; LEAD does not check in.
    button = next(
        e for b in dms[DEV].params["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    click(sender, button, user=DEV, channel="D0DMDEV001", message_ts=dms[DEV].response["ts"])
    modal = opened(fake, ids.OKR_CHECKIN_MODAL)
    answer = submit(
        sender,
        modal,
        {
            ids.kr_block("value", refs["1.2"]): text_value("10 weeks"),
            ids.kr_block("value", refs["2.1"]): text_value("5%"),
        },
        user=DEV,
    )
    assert answer["response_action"] == "update"
    round_id = rows(app, "SELECT id FROM okr_rounds")[0][0]
    deadline_job("okr", "digest", round_id)
    digest = fake.wait_for("chat.postMessage", lambda c: "OKR digest" in str(c.params.get("text")))
    text = block_texts(digest[0].params["blocks"])
    assert f"*Not checked in yet:* <@{LEAD}>" in text
    assert "64%" in text  # churn 6.8% → 4%, at 5%: (6.8 − 5) / (6.8 − 4)
    fake.wait_for("files.completeUploadExternal")
    sender.close()


def test_the_quarter_close_posts_scores_and_an_owner_adjusts_one(
    start_app: StartApp, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    app = start_app(scheduler=True)
    sender = app.sender()
    refs = adopt(app, sender, fake, period="2026-Q3")  # a quarter that has ended
    wait_for_leader(app)
    deadline_job("okr", "close", _plan_id(app))
    closed = fake.wait_for(
        "chat.postMessage", lambda c: "Quarter closed" in str(c.params.get("text"))
    )
    text = block_texts(closed[0].params["blocks"])
    assert "KR 1.1" in text and "score" in text and "quarter-close retro is open" in text

    resp = sender.command("/okr", "score 1.1 0.6 the failover work slipped", channel_id=CHANNEL)
    assert "now scores 0.6" in resp.text
    resp = sender.command("/okr", "score 1.1 0.9 mine now", channel_id=CHANNEL, user_id=DEV)
    assert "Only the owner" in resp.text
    score = "SELECT score, score_reason FROM okr_key_results WHERE id = ?"
    assert rows(app, score, refs["1.1"]) == [(0.6, "the failover work slipped")]
    sender.close()


def test_altered_plan_payloads_are_refused_and_change_nothing(
    app: InProcessApp, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    refs = adopt(app, sender, fake)
    click(sender, {"type": "button", "action_id": ids.OKR_CHECKIN, "value": "{not json"})
    note = fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == LEAD)[0]
    assert "nothing was changed" in note.params["text"]
    plan_id = _plan_id(app)
    view = {
        "callback_id": ids.OKR_CHECKIN_MODAL,
        "blocks": [],
        "private_metadata": json.dumps({"p": plan_id, "r": None, "k": [refs["1.1"]]}),
    }
    # A value for a key result the form never showed (another owner's), and a bad plan id.
    answer = submit(sender, view, {ids.kr_block("value", refs["1.2"]): text_value("5 weeks")})
    assert answer["response_action"] == "update"
    view["private_metadata"] = json.dumps({"p": "7; DROP", "k": [refs["1.1"]]})
    answer = submit(sender, view, {ids.kr_block("value", refs["1.1"]): text_value("98%")})
    assert answer["response_action"] == "update"
    assert rows(app, "SELECT COUNT(*) FROM okr_checkins") == [(0,)]


def closed_quarter(
    start_app: StartApp, fake: FakeSlack, *, seeded: bool = False
) -> tuple[InProcessApp, SlackSender]:
    """An app whose plan for 2026-Q3 (ended) had KR 1.1 checked in at 98%, then closed."""
    app = start_app(scheduler=True, seeded=seeded)
    sender = app.sender()
    refs = adopt(app, sender, fake, period="2026-Q3")
    app.deps.plans.check_in(workspace_id=TEAM, kr_id=refs["1.1"], author=LEAD, value_text="98%")
    wait_for_leader(app)
    deadline_job("okr", "close", _plan_id(app))
    fake.wait_for("chat.postMessage", lambda c: "Quarter closed" in str(c.params.get("text")))
    return app, sender


def test_a_swot_after_the_close_builds_on_the_quarter_scores(
    start_app: StartApp, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    app, sender = closed_quarter(start_app, fake, seeded=True)
    app.wait_idle()
    notes = {d.title: d for d in app.deps.kb.list_documents(TEAM) if d.source_kind == "checkin"}
    assert "2026-Q3 close · Platform" in notes, notes

    post = post_swot(sender, fake, "C0SWOT0001", "Platform uptime")
    [(content,)] = rows(
        app, "SELECT content FROM draft_versions WHERE message_ts = ?", post.response["ts"]
    )
    draft = json.loads(content)
    close = {k for k, ref in draft["sources"].items() if ref["title"] == "2026-Q3 close · Platform"}
    # An item of the SWOT is one of the quarter's score sentences, cited to the close (a
    # priority built on it may cite the close too).
    built_on = [
        i["text"] for s in draft["sections"] for i in s["items"] if close & set(i["sources"])
    ]
    assert any("(score " in t and "2026-Q3)" in t for t in built_on), draft
    sender.close()


def test_the_reminder_a_day_later_goes_once_and_only_to_owners_who_have_not_checked_in(
    start_app: StartApp, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    app, sender, _, now = plan_on_the_engine(start_app, fake)
    fire_job("okr", _plan_id(app), now)
    fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == DEV)
    [(round_id, opened_at, remind_at)] = rows(
        app, "SELECT id, opened_at, remind_at FROM okr_rounds"
    )
    gap = datetime.fromisoformat(remind_at) - datetime.fromisoformat(opened_at)
    assert gap.total_seconds() == 24 * 3600
    # DEV checks in on both key results by thread replies; LEAD does not check in.
    for ts, text in (
        ("1767700500.000100", "KR 1.2: 10 weeks"),
        ("1767700600.000100", "KR 2.1: 5%"),
    ):
        thread_reply(sender, text=text, user=DEV, ts=ts)
        fake.wait_for("reactions.add", lambda c, ts=ts: c.params.get("timestamp") == ts)

    deadline_job("okr", "remind", round_id)
    deadline_job("okr", "remind", round_id)  # a second replica, or a repeat: no second reminder
    reminders = [
        c
        for c in fake.calls_to("chat.postMessage")
        if str(c.params.get("text", "")).startswith("Reminder: check in on")
    ]
    assert [c.params["channel"] for c in reminders] == [LEAD]
    reminded = block_texts(reminders[0].params["blocks"])
    assert "KR 1.1" in reminded and "KR 1.2" not in reminded
    sender.close()


def test_the_next_quarter_plan_shows_what_carried_over_from_the_closed_one(
    start_app: StartApp, fake_slack: FakeSlack
) -> None:
    fake = fake_slack
    app, sender = closed_quarter(start_app, fake)
    # The quarter-close retro gets an action item and closes.
    [(retro_id,)] = rows(app, "SELECT retro_id FROM okr_plans")
    retros = app.deps.retros
    retros.entries.add_entry(
        retro_id,
        workspace_id=TEAM,
        section="action_items",
        text=f"Automate the failover drill <@{DEV}>",
        author=DEV,
        anonymous=False,
        source="modal",
    )
    assert retros.closing.close_retro(retro_id, reason="manual").action_items

    # The next quarter's draft: uptime continues, with no baseline in the sentence.
    app.deps.desk.record_posted(
        workspace_id=TEAM,
        channel_id=CHANNEL,
        thread_ts="1767800000.000100",
        message_ts="1767800000.000100",
        draft=Draft(
            kind="okr",
            subject="Platform",
            engine="offline",
            sections=[
                Section(
                    key="objective-1",
                    title="Be reliable",
                    items=[Item(label="KR 1.1", text="Raise platform uptime to 99.99% by Q4 2026")],
                )
            ],
        ),
        created_by=LEAD,
    )
    sender.command("/okr", "adopt 2026-Q4", channel_id=CHANNEL)
    announced = fake.wait_for(
        "chat.postMessage", lambda c: "(2026-Q4) adopted" in str(c.params.get("text"))
    )
    status = sender.command("/okr", "status", channel_id=CHANNEL).json()
    for blocks in (announced[0].params["blocks"], status["blocks"]):
        text = block_texts(blocks)
        assert "Carried over from 2026-Q3" in text, text
        assert "Automate the failover drill" in text
        assert "Platform uptime starts from *98%*" in text
    sender.close()

"""App Home: mission (editable in a modal), recent drafts, knowledge base and retro schedules."""

from __future__ import annotations

from tests.fakes.slack_api import FakeSlack
from tests.slack.test_slash_drafts import block_texts
from tests.slack.test_threads_and_buttons import wait_recorded
from tests.slack_requests import SlackSender, payload


def open_home(sender: SlackSender, event_id: str) -> None:
    assert sender.event(payload("event_app_home_opened", event_id=event_id)).status_code == 200


def test_home_shows_mission_drafts_knowledge_and_schedules(
    sender: SlackSender, fake: FakeSlack
) -> None:
    sender.command("/align", "mission Make every freight movement predictable")
    sender.command("/swot", "Home Co", channel_id="C0HOME0001")
    post = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0HOME0001")[0]
    assert sender.db is not None
    wait_recorded(sender.db, post.response["ts"])
    sender.command("/retro", "schedule weekly on friday at 15:00", channel_id="C0PLAN001")
    fake.wait_for("chat.postEphemeral", lambda c: "Scheduled:" in c.params.get("text", ""))
    open_home(sender, "Ev0HOME0001")
    view = fake.wait_for("views.publish")[-1]
    assert view.params["user_id"] == "U0LEAD001"
    blocks = view.params["view"]["blocks"]
    text = block_texts(blocks)
    assert "Make every freight movement predictable" in text
    assert "SWOT · Home Co" in text
    assert "documents" in text and "Quarterly business review" in text
    assert "weekly" in text.lower()
    edit = [b["accessory"] for b in blocks if "accessory" in b]
    assert edit and edit[0]["action_id"] == "home_edit_mission"


def test_mission_modal_saves_and_republishes(sender: SlackSender, fake: FakeSlack) -> None:
    click = payload("interactive_block_actions")
    click["actions"] = [
        {
            "action_id": "home_edit_mission",
            "block_id": "b",
            "type": "button",
            "value": "edit",
            "action_ts": "1767609700.1",
        }
    ]
    sender.interactive(click)
    opened = fake.wait_for("views.open")[-1]
    assert opened.params["view"]["callback_id"] == "mission_modal"

    submit = payload("interactive_view_submission")
    submit["view"].update({"callback_id": "mission_modal", "private_metadata": ""})
    submit["view"]["state"]["values"] = {
        "mission_block": {
            "mission_input": {"type": "plain_text_input", "value": "Ship calm software"}
        }
    }
    before = len(fake.calls_to("views.publish"))
    assert sender.interactive(submit).status_code == 200
    published = fake.wait_for("views.publish", count=before + 1)[-1]
    assert "Ship calm software" in block_texts(published.params["view"]["blocks"])


def test_empty_mission_keeps_the_modal_open_with_an_error(sender: SlackSender) -> None:
    submit = payload("interactive_view_submission")
    submit["view"].update({"callback_id": "mission_modal", "private_metadata": ""})
    submit["view"]["state"]["values"] = {
        "mission_block": {"mission_input": {"type": "plain_text_input", "value": "   "}}
    }
    resp = sender.interactive(submit)
    assert resp.json()["response_action"] == "errors"

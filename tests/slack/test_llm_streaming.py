"""With an LLM configured: intent routed by the model, drafts streamed with chat_stream."""

from __future__ import annotations

import json

import pytest

from drafting.draft import SWOT_KEYS
from tests.conftest import SAMPLE, TEAM, StartApp
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_slash_drafts import block_texts
from tests.slack_requests import payload


def swot_json() -> str:
    item = {
        "label": "integrations",
        "text": "Prospects rate our carrier integrations higher.",
        "sources": [1],
    }
    sections = [{"key": k, "title": k.title(), "intent": None, "items": [item]} for k in SWOT_KEYS]
    return json.dumps({"mission": None, "sections": sections})


@pytest.fixture
def llm_app(start_app: StartApp, fake_openai: FakeOpenAI) -> InProcessApp:
    app = start_app(
        LLM__MODEL="openai:gpt-test",
        LLM__BASE_URL=fake_openai.base_url,
        LLM__API_KEY="sk-test-llm-key-123456",
        LLM__TIMEOUT_SECONDS="20",
        LLM__MAX_RETRIES="0",
    )
    app.seed(TEAM, SAMPLE / "competitor_notes.md")
    return app


def mention(app: InProcessApp, text: str, event_id: str) -> dict:
    body = payload("event_app_mention", event_id=event_id)
    body["event"]["text"] = text
    assert app.sender().event(body).status_code == 200
    return body["event"]


def test_mention_is_routed_by_the_model_and_streamed(
    llm_app: InProcessApp, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply(json.dumps({"kind": "swot", "subject": "Larkspur", "lens": None}))
    fake_openai.reply(swot_json())
    event = mention(llm_app, "<@U0BOT0001> how do we stand against FreightLoop?", "Ev0LLM00001")
    fake_slack.wait_for("chat.startStream", lambda c: c.params.get("thread_ts") == event["ts"])
    fake_slack.wait_for("chat.stopStream")
    streamed = [
        str(chunk.get("text", ""))
        for c in fake_slack.calls
        if c.method in ("chat.startStream", "chat.appendStream", "chat.stopStream")
        for chunk in c.params.get("chunks") or []
    ]
    assert "• INTEGRATIONS" in "".join(streamed).upper()
    post = fake_slack.wait_for(
        "chat.postMessage", lambda c: "SWOT for Larkspur" in c.params.get("text", "")
    )[0]
    assert "Drafted by openai:gpt-test" in block_texts(post.params["blocks"])
    assert "sk-test-llm-key-123456" not in llm_app.logs()


def test_streaming_unavailable_falls_back_to_post_and_update(
    llm_app: InProcessApp, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    fake_slack.fail(
        "chat.startStream",
        200,
        times=5,
        body={"ok": False, "error": "message_not_in_streaming_state"},
    )
    fake_openai.reply(json.dumps({"kind": "swot", "subject": "Larkspur", "lens": None}))
    fake_openai.reply(swot_json())
    event = mention(llm_app, "<@U0BOT0001> swot please", "Ev0LLM00002")
    progress = fake_slack.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("thread_ts") == event["ts"]
            and c.params.get("text", "").startswith("Drafting…")
        ),
    )[0]
    fake_slack.wait_for(
        "chat.update",
        lambda c: (
            c.params.get("ts") == progress.response["ts"] and "Done." in c.params.get("text", "")
        ),
    )
    fake_slack.wait_for(
        "chat.postMessage", lambda c: "SWOT for Larkspur" in c.params.get("text", "")
    )
    assert fake_slack.calls_to("chat.appendStream") == []


def test_drafting_shows_before_the_models_first_words(
    llm_app: InProcessApp, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply(json.dumps({"kind": "swot", "subject": "Larkspur", "lens": None}))
    fake_openai.reply(swot_json(), delay=3.0)  # a slow model
    event = mention(llm_app, "<@U0BOT0001> draft a swot for Larkspur", "Ev0LLM00003")
    [start] = fake_slack.wait_for(
        "chat.startStream", lambda c: c.params.get("thread_ts") == event["ts"]
    )
    opening = "".join(str(chunk.get("text", "")) for chunk in start.params.get("chunks") or [])
    assert opening == "Drafting…\n"  # alone: sent before any item was written
    # Shown while the model was still silent: the draft came later.
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if "SWOT for" in str(c.params)]
    fake_slack.wait_for("chat.stopStream", lambda c: c.at >= start.at)

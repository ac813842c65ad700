"""The picture of a draft in its thread, through the fake Slack's external upload flow."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from drafting.desk import DraftDesk
from drafting.draft import Draft, Item, Section, SourceRef
from handlers.draft_jobs import publish_draft
from handlers.draft_pictures import PICTURE_FAILED, attach_picture
from tests.fakes.slack_api import FakeSlack

TEAM, CHANNEL, USER = "T0ALIGN01", "C0PIC0001", "U0LEAD001"


def swot() -> Draft:
    sections = [
        Section(key=k, title=k.title(), items=[Item(label="X", text=f"{k} item", sources=["a#0"])])
        for k in ("strengths", "weaknesses", "opportunities", "threats", "priorities")
    ]
    return Draft(
        kind="swot",
        subject="Larkspur",
        engine="offline",
        sections=sections,
        sources={"a#0": SourceRef(title="QBR", excerpt="…")},
    )


def client_for(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def test_a_posted_draft_gets_its_picture_in_the_thread(
    fake_slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    deps = SimpleNamespace(desk=DraftDesk(sessions=sessions), sessions=sessions)
    client = client_for(fake_slack)
    message_ts = publish_draft(
        deps,  # type: ignore[arg-type]
        client,
        draft=swot(),
        note=None,
        team=TEAM,
        channel=CHANNEL,
        user=USER,
        thread_ts=None,
    )
    [ask] = fake_slack.calls_to("files.getUploadURLExternal")
    assert ask.params["filename"] == "swot-larkspur-v1.png"
    assert ask.params["alt_txt"].startswith("SWOT analysis for Larkspur.")
    [done] = fake_slack.calls_to("files.completeUploadExternal")
    assert done.params["channel_id"] == CHANNEL and done.params["thread_ts"] == message_ts
    [shared] = fake_slack.shared_files.values()
    assert fake_slack.uploads[shared["id"]].startswith(b"\x89PNG")
    assert shared["title"] == "SWOT analysis: Larkspur (version 1)"
    # The draft's message carries the Download PDF button.
    [post] = fake_slack.calls_to("chat.postMessage")
    actions = [
        e["action_id"]
        for b in post.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert "draft_download_pdf" in actions

    # Version 2 replaces the picture: the old file is deleted, the new one shared.
    attach_picture(
        sessions, client, team=TEAM, channel=CHANNEL, thread_ts=message_ts, draft=swot(), version=2
    )
    [deleted] = fake_slack.calls_to("files.delete")
    assert deleted.params["file"] == shared["id"]
    [latest] = fake_slack.shared_files.values()
    assert latest["name"] == "swot-larkspur-v2.png"


def test_a_failed_upload_leaves_the_draft_and_says_so(
    fake_slack: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    fake_slack.override(
        "files.getUploadURLExternal", lambda p: {"ok": False, "error": "file_uploads_disabled"}
    )
    deps = SimpleNamespace(desk=DraftDesk(sessions=sessions), sessions=sessions)
    message_ts = publish_draft(
        deps,  # type: ignore[arg-type]
        client_for(fake_slack),
        draft=swot(),
        note=None,
        team=TEAM,
        channel=CHANNEL,
        user=USER,
        thread_ts=None,
    )
    posts = fake_slack.calls_to("chat.postMessage")
    assert posts[0].params.get("blocks"), "the text draft is posted"
    assert posts[-1].params["text"] == PICTURE_FAILED
    assert posts[-1].params["thread_ts"] == message_ts
    assert deps.desk.current(workspace_id=TEAM, channel_id=CHANNEL, thread_ts=message_ts)
    assert not fake_slack.shared_files


def test_the_fake_refuses_what_slack_refuses(fake_slack: FakeSlack) -> None:
    client = client_for(fake_slack)
    with pytest.raises(SlackApiError, match="missing_argument"):
        client.api_call("files.getUploadURLExternal", params={"filename": "a.png"})
    with pytest.raises(SlackApiError, match="file_not_found"):
        client.files_completeUploadExternal(
            files=[{"id": "F0NOPE", "title": "x"}], channel_id=CHANNEL
        )
    ask = client.files_getUploadURLExternal(filename="a.png", length=10)
    client._upload_file(
        url=ask["upload_url"], data=b"12345", logger=client._logger, timeout=5, proxy=None, ssl=None
    )
    with pytest.raises(SlackApiError, match="file_upload_size_mismatch"):
        client.files_completeUploadExternal(files=[{"id": ask["file_id"]}], channel_id=CHANNEL)
    with pytest.raises(SlackApiError, match="file_not_found"):
        client.files_delete(file="F0NOPE")

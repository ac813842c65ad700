"""The Chroma server dying under queries and ingestion, and the app SIGKILLed mid-ingestion and mid-retro."""

from __future__ import annotations

import threading
import time
from typing import Any

import chromadb
import httpx
import pytest
from chromadb.config import Settings as ChromaConfig
from sqlalchemy import select

from scheduler.models import Retro, RetroEntryRow
from tests.fakes.slack_api import BOT_USER
from tests.faults.conftest import Rig, big_markdown, ephemerals, posts, wait_until
from tests.scale.conftest import TEAM
from tests.slack_requests import payload

pytestmark = [pytest.mark.postgres]
DM = "D0DMLEAD01"


def vectors_of(rig: Rig, doc_id: str) -> int:
    client = chromadb.HttpClient(
        host="127.0.0.1", port=rig.chroma.port, settings=ChromaConfig(anonymized_telemetry=False)
    )
    where: Any = {"doc_id": doc_id}
    return len(client.get_collection(f"kb-{TEAM}").get(where=where, include=[])["ids"])


def pending(rig: Rig) -> list[str]:
    return [doc_id for doc_id, _, status in rig.documents() if status == "pending"]


def share_big_file(rig: Rig, n: int) -> str:
    """A DM with a file big enough that embedding it takes a while; returns the thread ts."""
    name = f"field-notes-{n}.md"
    data = big_markdown(400)
    url = rig.slack.serve_file(name, data)
    body = payload("event_message_with_file", event_id=f"Ev0CRASH{n:04d}")
    ts = f"17679{n:05d}.000100"
    body["event"].update(ts=ts, event_ts=ts, text="my notes")
    body["event"]["files"][0].update(
        id=f"F0CRASH{n}", name=name, title=name, size=len(data), url_private_download=url
    )
    assert rig.sender().event(body).status_code == 200
    return ts


def wait_half_ingested(rig: Rig) -> str:
    """The pending document once some, not all, of its vectors are in Chroma."""
    found: list[str] = []

    def started() -> bool:
        found[:] = pending(rig)
        return bool(found) and vectors_of(rig, found[0]) > 0

    wait_until(started, timeout=120, what="a half-written document")
    return found[0]


def kb_reply(rig: Rig, ts: str) -> str:
    replies = [c for c in posts(rig.slack, DM) if c.params.get("thread_ts") == ts]
    return str(replies[0].params["text"]) if replies else ""


def test_search_while_chroma_is_down_says_so_and_recovers(rig: Rig) -> None:
    sender = rig.sender()
    rig.chroma.kill()
    try:
        assert (
            "Searching" in sender.command("/align", "kb search revenue", channel_id="C0DOWN1").text
        )
        wait_until(lambda: ephemerals(rig.slack, "C0DOWN1"), what="the search failure")
        text = ephemerals(rig.slack, "C0DOWN1")[0].params["text"]
        assert text == "Search failed. The knowledge base (vector store) is unreachable right now."
        assert sender.command("/swot", "Larkspur", channel_id="C0DOWN2").status_code == 200
        wait_until(lambda: ephemerals(rig.slack, "C0DOWN2"), what="the draft failure")
        note = ephemerals(rig.slack, "C0DOWN2")[0].params["text"]
        assert "vector store) is unreachable" in note
        [request] = rig.requests("C0DOWN2")
        assert request["status"] == "failed"  # kept, with its Retry button
    finally:
        rig.chroma.start()
    sender.command("/align", "kb search revenue", channel_id="C0UP1")
    wait_until(lambda: ephemerals(rig.slack, "C0UP1"), what="the search after recovery")
    assert ephemerals(rig.slack, "C0UP1")[0].params["text"].startswith("Results for")


def test_chroma_dying_mid_ingestion_leaves_no_half_document(rig: Rig) -> None:
    ready_before = [d for d in rig.documents() if d[2] == "ready"]
    ts = share_big_file(rig, 1)
    doc_id = wait_half_ingested(rig)
    rig.chroma.kill()
    try:
        wait_until(lambda: kb_reply(rig, ts), timeout=120, what="the ingestion failure")
        assert "not added" in kb_reply(rig, ts) and "Nothing was stored" in kb_reply(rig, ts)
    finally:
        rig.chroma.start()
    listed = rig.sender().command("/align", "kb list").json()["text"]
    assert listed == f"{len(ready_before)} documents"
    # The next ingest in the workspace removes what the failed one could not.
    time.sleep(1.1)  # KNOWLEDGE__STALE_INGEST_SECONDS=1 in this rig
    rig.sender().command("/align", "kb add Depot 12 switched to electric vans.", channel_id="C0I")
    wait_until(lambda: ephemerals(rig.slack, "C0I"), what="the next ingest")
    assert "Added" in ephemerals(rig.slack, "C0I")[0].params["text"]
    assert doc_id not in [d[0] for d in rig.documents()]
    assert vectors_of(rig, doc_id) == 0


@pytest.mark.slow
def test_sigkill_mid_ingestion_is_cleaned_up_at_restart(rig: Rig) -> None:
    rig.serve()
    ready_before = sorted(d for d in rig.documents() if d[2] == "ready")
    share_big_file(rig, 2)
    doc_id = wait_half_ingested(rig)
    rig.app.kill()
    assert doc_id in pending(rig)
    time.sleep(1.1)  # older than KNOWLEDGE__STALE_INGEST_SECONDS, as after a real outage
    rig.restart()
    wait_until(
        lambda: "start-up recovery: 1 interrupted ingest(s) cleaned" in rig.app.logs(),
        what="start-up recovery",
    )
    assert "cleaned up interrupted ingest of 'field-notes-2.md'" in rig.app.logs()
    assert sorted(rig.documents()) == ready_before
    assert vectors_of(rig, doc_id) == 0
    # The restarted app searches the knowledge base, and the cleaned-up document is not in it.
    rig.sender().command("/align", "kb search field notes archive", channel_id="C0AFTER")
    wait_until(lambda: ephemerals(rig.slack, "C0AFTER"), what="a search after the restart")
    found = str(ephemerals(rig.slack, "C0AFTER")[0].params.get("blocks"))
    assert "Results for" in found and "field-notes-2" not in found


@pytest.mark.slow
def test_sigkill_while_retro_entries_arrive_keeps_the_retro_consistent(rig: Rig) -> None:
    rig.serve()
    channel = "C0CRASHRETRO"
    rig.slack.channel_members[channel] = [BOT_USER, "U0LEAD001"]
    rig.sender().command("/retro", "Crash retro", channel_id=channel)
    prompt: list[str] = []

    def opened() -> bool:
        with rig.db.connect() as conn:
            prompt[:] = [
                t
                for t in conn.execute(
                    select(Retro.prompt_ts).where(Retro.channel_id == channel)
                ).scalars()
                if t
            ]
        return bool(prompt)

    wait_until(opened, what="the retro prompt")
    bodies = []
    for n in range(40):
        ts = f"1768300{n:03d}.000100"
        bodies.append(
            thread_reply(channel, prompt[0], ts, f"+ crash entry {n}", f"Ev0KILLR{n:03d}")
        )
    acked: list[int] = []
    sender = rig.sender()

    def send_all() -> None:
        for n, body in enumerate(bodies):
            try:
                if sender.event(body).status_code == 200:
                    acked.append(n)
            except httpx.HTTPError:
                pass  # the process is gone: Slack would retry this delivery

    worker = threading.Thread(target=send_all)
    worker.start()
    wait_until(lambda: len(acked) >= 10, what="some entries acknowledged")
    rig.app.kill()
    worker.join(60)
    assert 10 <= len(acked) < len(bodies), "the kill should land mid-stream"
    rig.restart(SERVER__EVENT_CLAIM_TIMEOUT_SECONDS="2")
    # Every acknowledged entry was stored before its 200 went out.
    acked_texts = {f"crash entry {n}" for n in acked}
    assert acked_texts <= set(entries(rig, channel)), "an acknowledged entry was lost"
    # Slack redelivers what was not acknowledged, about a minute later: by then the claim the
    # dead process left is old enough to take over. This test resends everything.
    time.sleep(2.5)
    for body in bodies:
        assert rig.sender().event(body, retry_num=1).status_code == 200
    wait_until(lambda: len(entries(rig, channel)) >= len(bodies), what="every entry")
    time.sleep(2)  # room for any duplicate to land
    stored = entries(rig, channel)
    assert len(stored) == len(set(stored)), "an entry was stored twice"
    assert set(stored) == {f"crash entry {n}" for n in range(len(bodies))}
    rig.sender().command("/retro", "close", channel_id=channel)
    with rig.db.connect() as conn:
        wait_until(
            lambda: (
                conn.execute(select(Retro.status).where(Retro.channel_id == channel)).scalar()
                == "closed"
            ),
            what="the retro closed after the restart",
        )


def thread_reply(channel: str, root: str, ts: str, text: str, event_id: str) -> dict[str, Any]:
    body = payload("event_message_thread_reply", event_id=event_id)
    body["event"].update(channel=channel, thread_ts=root, ts=ts, event_ts=ts, text=text)
    return body


def entries(rig: Rig, channel: str) -> list[str]:
    query = (
        select(RetroEntryRow.text)
        .join(Retro, Retro.id == RetroEntryRow.retro_id)
        .where(Retro.channel_id == channel)
    )
    with rig.db.connect() as conn:
        return list(conn.execute(query).scalars())

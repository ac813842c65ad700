"""Forged, stale, oversized and odd requests: a clear answer, and nothing changes."""

from __future__ import annotations

import io
import json
import time
import zipfile
from urllib.parse import urlencode

import pytest
from pypdf import PdfWriter
from sqlalchemy import text

from tests.faults.conftest import Rig, ephemerals, posts, wait_until
from tests.inprocess import InProcessApp
from tests.slack_requests import payload

pytestmark = [pytest.mark.postgres]
DM = "D0DMLEAD01"


def doc_ids(rig: Rig) -> list[str]:
    return sorted(d[0] for d in rig.documents())


def quiet(rig: Rig, since: int) -> list[str]:
    """Slack methods called after `since` calls, once any work the requests started is done."""
    assert isinstance(rig.app, InProcessApp)
    rig.app.wait_idle()
    return [c.method for c in rig.slack.calls[since:]]


@pytest.mark.parametrize("forgery", ["wrong secret", "missing headers", "replayed 6 min later"])
def test_unverified_requests_get_401_and_run_nothing(rig: Rig, forgery: str) -> None:
    before_calls, before_docs = len(rig.slack.calls), doc_ids(rig)
    mention = payload("event_app_mention", event_id=f"Ev0FORGED{len(forgery)}")
    mention["event"]["channel"] = "C0FORGED"
    bodies = [
        (
            urlencode(payload("slash_command", command="/swot", text="x", channel_id="C0FORGED")),
            "application/x-www-form-urlencoded",
        ),
        (
            urlencode(payload("slash_command", command="/align", text="kb add forged note")),
            "application/x-www-form-urlencoded",
        ),
        (json.dumps(mention), "application/json"),
    ]
    for body, content_type in bodies:
        if forgery == "wrong secret":
            resp = rig.app.sender(secret="not-the-secret").post(body, content_type)
        elif forgery == "missing headers":
            sender = rig.sender()
            resp = sender.http.post(
                sender.url, content=body, headers={"Content-Type": content_type}
            )
        else:
            resp = rig.sender().post(body, content_type, timestamp=int(time.time()) - 6 * 60)
        assert resp.status_code == 401, forgery
    assert quiet(rig, before_calls) == []
    assert rig.requests("C0FORGED") == []
    assert doc_ids(rig) == before_docs


MALFORMED = [
    (b'{"type": ', "application/json"),
    (b"null", "application/json"),
    (b"[1, 2]", "application/json"),
    (b"payload={oops", "application/x-www-form-urlencoded"),
    (b"payload=null", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_unsigned_malformed_bodies_get_401_not_a_crash(
    rig: Rig, body: bytes, content_type: str
) -> None:
    sender = rig.sender()
    resp = sender.http.post(sender.url, content=body, headers={"Content-Type": content_type})
    assert resp.status_code == 401
    assert isinstance(rig.app, InProcessApp)
    assert "Traceback" not in rig.app.logs()


@pytest.mark.parametrize("timestamp", ["abc", "9" * 400, "-5", ""])
def test_malformed_signature_timestamps_get_401(rig: Rig, timestamp: str) -> None:
    sender = rig.sender()
    body = urlencode(payload("slash_command", command="/swot", text="x", channel_id="C0TSBAD"))
    headers = sender.headers(body, "application/x-www-form-urlencoded")
    headers["X-Slack-Request-Timestamp"] = timestamp
    resp = sender.http.post(sender.url, content=body, headers=headers)
    assert resp.status_code == 401
    assert rig.requests("C0TSBAD") == []


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_signed_malformed_bodies_get_400(rig: Rig, body: bytes, content_type: str) -> None:
    before = len(rig.slack.calls)
    sender = rig.sender()
    resp = sender.http.post(
        sender.url, content=body, headers=sender.raw_headers(body, content_type)
    )
    assert resp.status_code == 400
    assert quiet(rig, before) == []


def test_invalid_utf8_body_is_refused_before_anything_runs(rig: Rig) -> None:
    before = len(rig.slack.calls)
    body = b'{"type":"event_callback","event":{"type":"app_mention","text":"\xff\xfe"}}'
    sender = rig.sender()
    # Signed over the raw bytes, as Slack signs: the signature holds, the body still can't parse.
    resp = sender.http.post(
        sender.url, content=body, headers=sender.raw_headers(body, "application/json")
    )
    assert resp.status_code == 400 and "UTF-8" in resp.text
    assert quiet(rig, before) == []


def test_oversized_body_is_refused(rig: Rig) -> None:
    sender = rig.sender()
    resp = sender.http.post(
        sender.url,
        content=b"x" * (2 * 1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 413


@pytest.mark.parametrize("command", ["/swot", "/align"])
def test_slash_text_past_slacks_limit_is_refused(rig: Rig, command: str) -> None:
    before_docs = doc_ids(rig)
    long_text = ("kb add " if command == "/align" else "") + "word " * 1000
    resp = rig.sender().command(command, long_text, channel_id="C0LONG")
    assert resp.status_code == 200
    assert f"That is {len(long_text)} characters; commands take up to 4000." in resp.text
    assert rig.requests("C0LONG") == []
    assert doc_ids(rig) == before_docs


@pytest.mark.parametrize("link", ["file:///etc/passwd", "<ftp://files.example.com/plan.pdf>"])
def test_kb_add_of_a_non_web_link_is_refused_and_stores_nothing(rig: Rig, link: str) -> None:
    before_docs, before_calls = doc_ids(rig), len(rig.slack.calls)
    resp = rig.sender().command("/align", f"kb add {link}", channel_id="C0SCHEME")
    assert "Nothing was added" in resp.text and "https://" in resp.text
    assert quiet(rig, before_calls) == []
    assert doc_ids(rig) == before_docs


def test_control_characters_are_dropped_not_stored(rig: Rig) -> None:
    only_controls = rig.sender().command("/align", "kb add \x00\x07\x1b", channel_id="C0CTL")
    assert "Usage" in only_controls.text
    rig.sender().command(
        "/align", "kb add Depot\x00 9\x1b[31m ships\x07 daily.", channel_id="C0CTL"
    )
    wait_until(lambda: ephemerals(rig.slack, "C0CTL"), what="the kb add reply")
    assert "Added “Depot 9[31m ships daily.”" in ephemerals(rig.slack, "C0CTL")[0].params["text"]
    mention = payload("event_app_mention", event_id="Ev0CONTROL1")
    mention["event"].update(channel="C0CTLM", text="<@U0BOT0001> hi\x00\x08 there\x1b")
    assert rig.sender().event(mention).status_code == 200
    wait_until(lambda: posts(rig.slack, "C0CTLM"), what="the reply to a mention with controls")

    def stored() -> list[str]:
        with rig.db.connect() as conn:
            query = text("SELECT text FROM thread_messages WHERE channel_id = 'C0CTLM' ORDER BY id")
            return [row[0] for row in conn.execute(query)]

    # The bot's reply is recorded just after Slack accepted it.
    wait_until(lambda: len(stored()) == 2, what="both sides of the exchange stored")
    assert stored() == ["<@U0BOT0001> hi there", posts(rig.slack, "C0CTLM")[0].params["text"]]


def test_private_addresses_are_not_fetched(rig: Rig) -> None:
    before_docs = doc_ids(rig)
    internal = rig.slack.serve_file("internal-admin", b"internal only: root password is hunter2")
    port = internal.split(":")[2].split("/")[0]
    targets = [
        internal,
        f"http://localhost:{port}/files/internal-admin",
        f"http://[::1]:{port}/",
        f"http://2130706433:{port}/files/internal-admin",  # 127.0.0.1 as one number
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/admin",
    ]
    for n, url in enumerate(targets):
        channel = f"C0SSRF{n}"
        assert (
            rig.sender().command("/align", f"kb add {url}", channel_id=channel).status_code == 200
        )
        wait_until(lambda channel=channel: ephemerals(rig.slack, channel), what=f"refusal of {url}")
        reply = ephemerals(rig.slack, channel)[0].params["text"]
        assert reply.startswith("Nothing was added."), (url, reply)
        assert "private or local address" in reply, (url, reply)
    assert not rig.slack.calls_to("files.download")
    assert doc_ids(rig) == before_docs


def share(rig: Rig, n: int, name: str, data: bytes, *, claimed_size: int | None = None) -> str:
    url = rig.slack.serve_file(name, data)
    body = payload("event_message_with_file", event_id=f"Ev0ABUSEFILE{n}")
    ts = f"17680{n:05d}.000100"
    body["event"].update(ts=ts, event_ts=ts, text="please add this")
    body["event"]["files"][0].update(
        id=f"F0ABUSE{n}",
        name=name,
        title=name,
        size=len(data) if claimed_size is None else claimed_size,
        url_private_download=url,
    )
    assert rig.sender().event(body).status_code == 200
    return ts


def kb_reply(rig: Rig, ts: str) -> str:
    wait_until(
        lambda: [c for c in posts(rig.slack, DM) if c.params.get("thread_ts") == ts],
        what="the knowledge base reply",
    )
    [reply] = [c for c in posts(rig.slack, DM) if c.params.get("thread_ts") == ts]
    return str(reply.params["text"])


def zip_bomb_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(110):  # 110 MB inflated, past 5 x the 20 MB upload limit
                member.write(block)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("s3cret-owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_hostile_uploads_are_refused_and_store_nothing(rig: Rig) -> None:
    before_docs = doc_ids(rig)
    sixty_mb = b"lorem ipsum dolor sit amet\n" * (60 * 1024 * 1024 // 27)
    honest = share(rig, 1, "huge.txt", sixty_mb)
    assert "over the 20 MB limit; nothing stored" in kb_reply(rig, honest)
    # Slack said 60 MB, so nothing was downloaded at all.
    assert not [c for c in rig.slack.calls_to("files.download") if c.params["file"] == "huge.txt"]
    lying = share(rig, 2, "huge2.txt", sixty_mb, claimed_size=1000)
    assert "over the 20 MB limit; nothing stored" in kb_reply(rig, lying)

    bomb = share(rig, 3, "bomb.docx", zip_bomb_docx())
    assert "expands to 115 MB when unzipped" in kb_reply(rig, bomb)
    locked = share(rig, 4, "locked.pdf", encrypted_pdf())
    assert "password-protected PDF" in kb_reply(rig, locked)
    assert doc_ids(rig) == before_docs

"""Thousands of malformed requests (issue 13): unsigned, badly signed, stale, oversized, of the
wrong type, and signed payloads with random JSON in every field the app reads. None may get a
500 or leave a traceback in the logs, and every call the app makes to Slack must still be one
Slack accepts (the strict fake's check, tests/conftest.py)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from handlers import ids
from tests.inprocess import InProcessApp
from tests.slack_requests import SIGNING_SECRET, SlackSender, payload

SEED = 13
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
FUZZ_TEAM = "T0FUZZ001"
# Junk that has broken parsers and renderers before: mentions, markup, control characters,
# numbers in strings, half JSON, very long text.
NASTY = [
    "",
    " ",
    "<!channel> drop everything",
    "<@U0LEAD001|lead> <#C0PLAN001>",
    "*bold* _it_ ~s~ `code` ```block```",
    "{oops",
    "[1, 2",
    "null",
    "-3",
    "9" * 400,
    "1e309",
    "NaN",
    "\x00\x01\x1b[31m",
    "\u202eevil",
    "💥" * 50,
    "a" * 5000,
    "../../etc/passwd",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    '{"r": "x", "s": "gossip"}',
    '{"r": 1, "s": "went_well"}',
]
KNOWN_ACTIONS = [
    ids.REGENERATE_SECTION,
    ids.SAVE_FINAL,
    ids.PUBLISH_CANVAS,
    ids.EXPORT_MARKDOWN,
    ids.DOWNLOAD_PDF,
    ids.FEEDBACK_UP,
    ids.FEEDBACK_DOWN,
    ids.RETRY_REQUEST,
    ids.HOME_EDIT_MISSION,
    ids.RETRO_ADD_ENTRY,
    ids.retro_add_entry_id("went_well"),
    ids.RETRO_CLOSE,
    ids.RETRO_OPEN_RETRY,
    ids.ACTION_ITEM_DONE,
    ids.ACTION_ITEM_OPEN,
    "no_such_action",
]
KNOWN_VIEWS = [ids.MISSION_MODAL, ids.FORGET_MODAL, ids.RETRO_ENTRY_MODAL, "no_such_view"]
# Events whose handling is cheap whatever they carry; drafting requests are left out, or
# thousands of drafts would be written. Uninstall events name a team of their own.
EVENTS = [
    "event_app_mention",
    "event_message_im",
    "event_message_thread_reply",
    "event_message_changed",
    "event_message_with_file",
    "event_message_bot",
    "event_app_home_opened",
    "event_assistant_thread_started",
    "event_file_shared",
    "event_app_uninstalled",
    "event_tokens_revoked",
    "event_url_verification",
]
HARMLESS_TEXT = "hello there"


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 3 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**31, -(2**63), 10**40, 3])
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e-9, 3.0])
    if kind in (4, 5, 6):
        return rng.choice(NASTY) if rng.random() < 0.6 else _random_text(rng)
    if kind in (7, 8):
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_random_text(rng, 8): random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def _random_text(rng: random.Random, limit: int = 40) -> str:
    alphabet = "abcXYZ019 _-:{}[]<>@#!|&%\"'\\\n\t🙂é"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(limit)))


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a payload: each dict key and list index, at every depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


def mutate(rng: random.Random, body: dict[str, Any], times: int = 1) -> dict[str, Any]:
    """The body with random JSON put in (or a key taken out of) `times` random places."""
    body = copy.deepcopy(body)
    for _ in range(times):
        where = list(paths(body))
        if not where:
            break
        path = rng.choice(where)
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.2:
            del parent[path[-1]]
        else:
            parent[path[-1]] = random_json(rng)
    return body


def event_body(rng: random.Random) -> dict[str, Any]:
    name = rng.choice(EVENTS)
    body = payload(name, event_id=f"Ev0FUZZ{rng.getrandbits(48):x}")
    event = body.get("event")
    if isinstance(event, dict):
        if "text" in event:
            event["text"] = HARMLESS_TEXT
        if name in ("event_app_uninstalled", "event_tokens_revoked"):
            body["team_id"] = FUZZ_TEAM
    if name == "event_message_changed":
        body["event"]["message"]["text"] = HARMLESS_TEXT
    return body


def interactive_body(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.35:
        body = payload("interactive_view_submission")
        body["view"]["callback_id"] = rng.choice(KNOWN_VIEWS)
        body["view"]["private_metadata"] = rng.choice(NASTY)
        return body
    body = payload(rng.choice(["interactive_block_actions", "interactive_static_select"]))
    body["actions"][0]["action_id"] = rng.choice(KNOWN_ACTIONS)
    body["actions"][0]["value"] = rng.choice(NASTY)
    body["container"]["channel_id"] = body["channel"]["id"] = f"C0FZ{rng.randrange(40):04d}"
    return body


def command_form(rng: random.Random) -> dict[str, Any]:
    # /swot and /okr with junk text would each write a draft; the parsing they share with
    # /align and /retro is what is fuzzed here.
    form = payload("slash_command", command=rng.choice(["/align", "/retro", "/nosuch"]))
    form["text"] = rng.choice(
        ["help", "kb list", "kb add", "kb remove", "schedule", "close", *NASTY]
    )
    form["channel_id"] = f"C0FZ{rng.randrange(40):04d}"
    key = rng.choice(list(form))
    if rng.random() < 0.2:
        del form[key]
    else:
        value = random_json(rng)
        form[key] = value if isinstance(value, str) else json.dumps(value)
    return form


class Fuzzer:
    def __init__(self, app: InProcessApp) -> None:
        assert app.http is not None
        self.http = app.http
        self.sender = app.sender()
        self.url = self.sender.url
        self.statuses: Counter[str] = Counter()
        self.failures: list[tuple[str, int, bytes]] = []

    def send(
        self, kind: str, body: bytes, headers: Mapping[str, str | bytes], ok: set[int] | None
    ) -> None:
        resp = self.http.post(self.url, content=body, headers=headers)
        self.statuses[f"{kind} {resp.status_code}"] += 1
        if resp.status_code >= 500 or (ok is not None and resp.status_code not in ok):
            self.failures.append((kind, resp.status_code, body[:300]))

    def signed(self, kind: str, body: bytes, content_type: str, ok: set[int] | None) -> None:
        self.send(kind, body, self.sender.raw_headers(body, content_type), ok)


def unsigned_headers(rng: random.Random, body: bytes) -> dict[str, bytes]:
    now = str(int(time.time()))
    timestamp = rng.choice(["abc", "9" * 400, "-5", "", " ", now, "1e9", "0x10", "١٢٣"])
    signature = rng.choice(["", "v0=", "v0=" + "0" * 64, "v1=abc", "garbage", None])
    headers = {"Content-Type": rng.choice([JSON, FORM, "text/plain", "", "multipart/form-data"])}
    if rng.random() < 0.9:
        headers["X-Slack-Request-Timestamp"] = timestamp
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    # As bytes: a header value that is not ASCII goes on the wire as its UTF-8 bytes.
    return {k: v.encode() for k, v in headers.items()}


def any_body(rng: random.Random) -> bytes:
    choice = rng.randrange(6)
    if choice == 0:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(300)))
    if choice == 1:
        return json.dumps(random_json(rng)).encode()
    if choice == 2:
        return urlencode({"payload": json.dumps(random_json(rng))}).encode()
    if choice == 3:
        return rng.choice([b'{"type": ', b"null", b"payload={oops", b"", b"\xff\xfe"])
    if choice == 4:
        return json.dumps(event_body(rng)).encode()
    return urlencode(command_form(rng)).encode()


def test_two_thousand_malformed_requests_get_no_500_and_log_no_traceback(
    seeded_app: InProcessApp,
) -> None:
    rng = random.Random(SEED)
    fuzz = Fuzzer(seeded_app)
    stale = int(time.time()) - 3600

    def unsigned() -> None:
        body = any_body(rng)
        fuzz.send("unsigned", body, unsigned_headers(rng, body), {401})

    def wrong_secret() -> None:
        body = any_body(rng)
        headers = SlackSender(fuzz.sender.url, secret="not-the-secret").raw_headers(body, FORM)
        fuzz.send("wrong secret", body, headers, {401})

    def replayed() -> None:
        body = any_body(rng)
        base = f"v0:{stale}:".encode() + body
        signature = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": str(stale),
            "X-Slack-Signature": f"v0={signature}",
        }
        fuzz.send("stale", body, headers, {401})

    def oversized() -> None:
        body = b"payload=" + b"x" * (1024 * 1024 + rng.randrange(1, 5000))
        fuzz.signed("oversized", body, FORM, {413})
        fuzz.send("oversized unsigned", body, {"Content-Type": FORM}, {401, 413})

    def wrong_type() -> None:
        body = json.dumps(event_body(rng)).encode()
        fuzz.signed("json as form", body, FORM, None)
        form = urlencode(command_form(rng)).encode()
        fuzz.signed("form as json", form, JSON, None)

    def bad_payload_field() -> None:
        raw = rng.choice(["{oops", "[]", "null", "1", '"x"', "{}", json.dumps(random_json(rng))])
        fuzz.signed("payload field", urlencode({"payload": raw}).encode(), FORM, None)

    def event() -> None:
        body = mutate(rng, event_body(rng), times=rng.randrange(1, 4))
        fuzz.signed("event", json.dumps(body).encode(), JSON, None)

    def interaction() -> None:
        body = mutate(rng, interactive_body(rng), times=rng.randrange(1, 4))
        form = urlencode({"payload": json.dumps(body)}).encode()
        fuzz.signed("interaction", form, FORM, None)

    def command() -> None:
        fuzz.signed("command", urlencode(command_form(rng)).encode(), FORM, None)

    plan: list[tuple[int, Callable[[], None]]] = [
        (500, unsigned),
        (150, wrong_secret),
        (100, replayed),
        (10, oversized),
        (100, wrong_type),
        (100, bad_payload_field),
        (450, event),
        (550, interaction),
        (250, command),
    ]
    for count, step in plan:
        for _ in range(count):
            step()
    seeded_app.wait_idle(timeout=300)

    sent = sum(fuzz.statuses.values())
    assert sent >= 2000, fuzz.statuses
    assert not fuzz.failures, (fuzz.failures[:10], fuzz.statuses)
    logs = seeded_app.logs()
    assert "Traceback" not in logs, logs[logs.index("Traceback") - 2000 :][:6000]
    # The app is still itself afterwards.
    resp = fuzz.sender.command("/align", "help")
    assert resp.status_code == 200 and "/swot" in resp.text

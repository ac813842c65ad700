"""A fake Slack Web API over real HTTP: records every call and answers like Slack does."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

from tests.fakes.block_kit import Refused, check_call
from tests.fakes.slack_uploads import BOT_USER, external_upload

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "slack_payloads"
TEAM_ID = "T0ALIGN01"
BOT_ID = "B0BOT0001"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] | None = None
    at: float = field(default_factory=time.time)

    @property
    def token(self) -> str | None:
        auth = self.headers.get("Authorization") or self.headers.get("authorization")
        return auth.split(" ", 1)[1] if auth and " " in auth else self.params.get("token")


@dataclass
class Failure:
    status: int
    times: int
    retry_after: int | None = None
    body: dict[str, Any] | None = None


class FakeSlack:
    """Start with `with FakeSlack() as slack:`; point WebClient(base_url=slack.api_url) at it."""

    # Every live fake, so one autouse fixture can fail a test whose calls Slack would refuse.
    live: ClassVar[weakref.WeakSet[FakeSlack]] = weakref.WeakSet()

    def __init__(self) -> None:
        FakeSlack.live.add(self)
        self.calls: list[Call] = []
        # Calls answered with Slack's refusal of their Block Kit or text, for tests to assert on.
        self.refusals: list[tuple[str, Refused]] = []
        self._lock = threading.Lock()
        self._failures: dict[str, list[Failure]] = {}
        self._overrides: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self._ts = itertools.count(1)
        self.uploads: dict[str, bytes] = {}
        # The external upload flow: file id -> what getUploadURLExternal was told, then shared.
        self.pending_uploads: dict[str, dict[str, Any]] = {}
        self.shared_files: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.channel_members: dict[str, list[str]] = {"C0PLAN001": [BOT_USER, "U0LEAD001"]}
        self.user_tz: dict[str, str] = {}
        self.ws_url: str | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # scripting -------------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with an HTTP error (429 or 5xx)."""
        self._failures.setdefault(method, []).append(Failure(status, times, retry_after, body))

    def override(self, method: str, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self._overrides[method] = answer

    def end_override(self, method: str) -> None:
        self._overrides.pop(method, None)

    def serve_file(self, path: str, content: bytes) -> str:
        self.files[path] = content
        return f"{self.base_url}/files/{path}"

    # reading the record ------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda c: True,
        *,
        count: int = 1,
        timeout: float = 90.0,
    ) -> list[Call]:
        deadline = time.time() + timeout
        while True:
            found = [c for c in self.calls_to(method) if predicate(c)]
            if len(found) >= count:
                return found
            if time.time() > deadline:
                seen = sorted({c.method for c in self.calls})
                raise AssertionError(
                    f"expected {count} call(s) to {method}, got {len(found)}; methods seen: {seen}"
                )
            time.sleep(0.05)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def clear(self) -> None:
        """Back to a fresh fake on the same port: no calls, scripts, files or settings."""
        with self._lock:
            self.calls.clear()
            self.refusals.clear()
            self._failures.clear()
            self._overrides.clear()
            self.uploads.clear()
            self.files.clear()
            self.channel_members = {"C0PLAN001": [BOT_USER, "U0LEAD001"]}
            self.user_tz.clear()
            self.ws_url = None

    # answering ---------------------------------------------------------------------------------
    def _take_failure(self, method: str) -> Failure | None:
        with self._lock:
            queue = self._failures.get(method) or []
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def _next_ts(self) -> str:
        return f"{1767609013 + next(self._ts)}.{next(self._ts):06d}"

    def answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        try:
            check_call(method, p)
        except Refused as refused:
            with self._lock:
                self.refusals.append((method, refused))
            return {"ok": False, "error": refused.error, "detail": refused.detail}
        if method in self._overrides:
            return self._overrides[method](p)
        if method == "auth.test":
            return _load("web_api_auth_test_response.json")
        if method == "oauth.v2.access":
            return _load("oauth_v2_access_response.json")
        if method == "chat.postMessage":
            ts = self._next_ts()
            return {
                "ok": True,
                "channel": p.get("channel"),
                "ts": ts,
                "message": {
                    "type": "message",
                    "text": p.get("text", ""),
                    "user": BOT_USER,
                    "bot_id": BOT_ID,
                    "ts": ts,
                    "thread_ts": p.get("thread_ts"),
                    "blocks": p.get("blocks") or [],
                },
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": p.get("channel"),
                "ts": p.get("ts"),
                "text": p.get("text"),
            }
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "permalink": f"https://align-demo.slack.com/archives/{p.get('channel')}/p{p.get('message_ts', '').replace('.', '')}",
            }
        if method == "chat.startStream":
            return {"ok": True, "channel": p.get("channel"), "ts": self._next_ts()}
        if method in ("chat.appendStream", "chat.stopStream"):
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
        if method in ("views.publish", "views.open", "views.update", "views.push"):
            view = p.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(view or {})}}
        if method == "users.info":
            user = p.get("user", "U0LEAD001")
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": TEAM_ID,
                    "name": "lead",
                    "real_name": "Team Lead",
                    "is_admin": user == "U0LEAD001",
                    "tz": self.user_tz.get(user, "Europe/Berlin"),
                    "tz_offset": 3600,
                },
            }
        if method == "conversations.members":
            members = self.channel_members.get(p.get("channel", ""), [])
            return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.info":
            channel = p.get("channel", "")
            members = self.channel_members.get(channel)
            if members is None:
                return {"ok": False, "error": "channel_not_found"}
            return {
                "ok": True,
                "channel": {"id": channel, "name": "planning", "is_member": BOT_USER in members},
            }
        if method == "conversations.open":
            return {
                "ok": True,
                "channel": {"id": "D" + str(p.get("users", "U0")).split(",")[0][1:]},
            }
        if method == "reactions.add":
            return {"ok": True}
        if method == "files.info":
            file_id = p.get("file", "F0")
            return {
                "ok": True,
                "file": {
                    "id": file_id,
                    "name": f"{file_id}.md",
                    "title": file_id,
                    "mimetype": "text/markdown",
                    "filetype": "markdown",
                    "size": len(self.files.get(file_id, b"")),
                    "url_private": f"{self.base_url}/files/{file_id}",
                    "url_private_download": f"{self.base_url}/files/{file_id}",
                    "permalink": f"https://align-demo.slack.com/files/U0LEAD001/{file_id}",
                },
            }
        if method.startswith("files.") and method != "files.info":
            return external_upload(self, method, p)
        if method == "canvases.create":
            return {"ok": True, "canvas_id": f"F0CANVAS{next(self._ts):04d}"}
        if method.startswith("assistant.threads."):
            return {"ok": True}
        if method == "apps.connections.open":
            if not self.ws_url:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.ws_url}
        return {"ok": False, "error": "unknown_method"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: on a kept-alive connection Nagle's
            # algorithm would hold the body back for the client's delayed ACK (~40 ms a call).
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _send(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = urlparse(self.path).path
                if path.startswith("/files/"):
                    name = path[len("/files/") :]
                    fake._record("files.download", {"file": name}, dict(self.headers))
                    content = fake.files.get(name)
                    if content is None:
                        self._send(404, b"not found")
                    else:
                        self._send(200, content, {"Content-Type": "application/octet-stream"})
                    return
                self._send(404, b"{}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = urlparse(self.path).path
                if path.startswith("/upload/"):
                    file_id = path[len("/upload/") :]
                    if file_id not in fake.pending_uploads:
                        self._send(404, b"unknown upload")
                        return
                    fake.uploads[file_id] = raw
                    fake._record(
                        "files.upload", {"file_id": file_id, "bytes": len(raw)}, dict(self.headers)
                    )
                    self._send(200, b"OK")
                    return
                method = path.removeprefix("/api/").strip("/")
                params = _parse_body(raw, self.headers.get("Content-Type", ""))
                params.update({k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()})
                failure = fake._take_failure(method)
                if failure is not None:
                    fake._record(method, params, dict(self.headers), status=failure.status)
                    headers = (
                        {"Retry-After": str(failure.retry_after)}
                        if failure.retry_after is not None
                        else {}
                    )
                    body = failure.body or (
                        {"ok": False, "error": "ratelimited"}
                        if failure.status == 429
                        else {"ok": False, "error": "fatal_error"}
                    )
                    self._send(failure.status, json.dumps(body).encode(), headers)
                    return
                answer = fake.answer(method, params)
                fake._record(method, params, dict(self.headers), response=answer)
                self._send(200, json.dumps(answer).encode())

        return Handler

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        headers: dict[str, str],
        *,
        status: int = 200,
        response: dict[str, Any] | None = None,
    ) -> Call:
        call = Call(method, params, headers, status=status, response=response)
        with self._lock:
            self.calls.append(call)
        return call


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        data = json.loads(text)
        return data if isinstance(data, dict) else {"_": data}
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    for key in ("blocks", "view", "attachments", "files", "metadata", "chunks"):
        value = params.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)
    return params


def _load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())

"""Builds Slack requests from the documented fixtures and signs them with the real scheme."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

PAYLOADS = Path(__file__).parent / "fixtures" / "slack_payloads"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"


def payload(name: str, **overrides: Any) -> dict[str, Any]:
    data = json.loads((PAYLOADS / f"{name}.json").read_text())
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


class SlackSender:
    """Sends what Slack would send to the app's Request URL, signed with `secret`."""

    def __init__(
        self, base_url: str, secret: str = SIGNING_SECRET, *, http: httpx.Client | None = None
    ) -> None:
        """`http` carries the requests (an in-process app's ASGI client); it stays open."""
        self.url = base_url.rstrip("/") + "/slack/events"
        self.secret = secret
        self._owns_http = http is None
        self.http = http if http is not None else httpx.Client(timeout=30)
        self.db: Path | None = None  # the app's SQLite file, when a test needs to wait on it

    def headers(
        self, body: str, content_type: str, *, timestamp: int | None = None
    ) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(self.secret).generate_signature(timestamp=ts, body=body)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        }

    def raw_headers(self, body: bytes, content_type: str) -> dict[str, str]:
        """Signed over the raw bytes, as Slack signs (slack_sdk's helper wants UTF-8 text)."""
        ts = str(int(time.time()))
        digest = hmac.new(self.secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + digest.hexdigest(),
        }

    def post(
        self,
        body: str,
        content_type: str,
        *,
        extra_headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        headers = self.headers(body, content_type, timestamp=timestamp)
        headers.update(extra_headers or {})
        return self.http.post(self.url, content=body.encode("utf-8"), headers=headers)

    def command(self, command: str, text: str = "", **fields: Any) -> httpx.Response:
        form = payload("slash_command", command=command, text=text, **fields)
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def event(self, body: dict[str, Any], *, retry_num: int | None = None) -> httpx.Response:
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(body), "application/json", extra_headers=extra)

    def interactive(self, body: dict[str, Any]) -> httpx.Response:
        return self.post(
            urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded"
        )

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

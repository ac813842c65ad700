"""The production HTTP server (Starlette under uvicorn) and the Socket Mode runner."""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import anyio
import uvicorn
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.serving import ServingProcess

log = logging.getLogger(__name__)


SWITCH_INTERVAL_SECONDS = 0.0005

# Slack refuses requests older than this; so do we (replayed requests).
SIGNATURE_MAX_AGE_SECONDS = 300

# Slack's largest payloads (views, messages with blocks) stay far below this.
MAX_BODY_BYTES = 1024 * 1024


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` bytes (unsigned requests are read too)."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


def is_signed(secret: bytes, body: bytes, headers: Mapping[str, str]) -> bool:
    """Slack's v0 signature over the raw body bytes, within five minutes of its timestamp.

    slack_sdk's SignatureVerifier decodes the body as UTF-8 first, so a body that is not UTF-8
    could not be checked with it; Slack signs bytes, and so does this.
    """
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp.isdigit() or len(timestamp) > 12 or not signature:
        return False
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def build_asgi(app: App, process: ServingProcess, *, slack_routes: bool = True) -> Starlette:
    """Bolt's dispatch is synchronous, so it runs in worker threads, never on the event loop.

    In Socket Mode only /healthz is served: Slack's requests arrive over the WebSocket.
    """
    signing_secret = process.settings.slack.signing_secret
    secret = signing_secret.get_secret_value().encode() if signing_secret is not None else None

    async def slack_events(request: Request) -> Response:
        body = await read_limited(request, MAX_BODY_BYTES)
        if body is None:
            return PlainTextResponse("Request body too large.", status_code=413)
        # Signature first: Bolt parses the body before it checks the signature, so an unsigned
        # malformed body would otherwise reach its parser and answer 500 to anyone.
        if secret is None or not is_signed(secret, body, request.headers):
            return PlainTextResponse("Invalid request signature.", status_code=401)
        try:
            bolt_request = to_bolt_request(request, body)
        except UnicodeDecodeError:
            return PlainTextResponse("Request body is not valid UTF-8.", status_code=400)
        # Not JSON, or JSON that is not an object: Bolt's parser raises these.
        except (ValueError, AttributeError, TypeError, KeyError, IndexError):
            log.info("signed request with a malformed body refused")
            return PlainTextResponse("Malformed request body.", status_code=400)
        bolt_resp = await anyio.to_thread.run_sync(app.dispatch, bolt_request)
        return to_starlette_response(bolt_resp)

    async def oauth(request: Request) -> Response:
        flow = app.oauth_flow
        if flow is None:
            return PlainTextResponse("OAuth is not configured on this app.", status_code=404)
        bolt_req = to_bolt_request(request, await request.body())
        handler = (
            flow.handle_installation
            if request.url.path == flow.install_path
            else flow.handle_callback
        )
        bolt_resp = await anyio.to_thread.run_sync(handler, bolt_req)
        return to_starlette_response(bolt_resp)

    async def healthz(_: Request) -> Response:
        checks = await anyio.to_thread.run_sync(process.health)
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"ok": ok, **checks}, status_code=200 if ok else 503)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Every in-flight Slack request holds one thread until Bolt has its ack.
        limiter = anyio.to_thread.current_default_thread_limiter()
        listener_threads = process.settings.server.listener_threads
        limiter.total_tokens = max(limiter.total_tokens, listener_threads * 2)
        process.start()
        yield
        process.close()

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if slack_routes:
        routes += [
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/slack/install", oauth, methods=["GET"]),
            Route("/slack/oauth_redirect", oauth, methods=["GET"]),
        ]
    return Starlette(routes=routes, lifespan=lifespan)


def serve_http(
    app: App, process: ServingProcess, *, host: str, port: int, slack_routes: bool = True
) -> None:
    if not process.in_one_process:
        # Only request threads run here, and each gives up the interpreter lock at every
        # database or socket call. One holding SQLite's write lock then waits a full switch
        # interval (5 ms by default) to get it back while every other writer queues behind.
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    config = uvicorn.Config(
        build_asgi(app, process, slack_routes=slack_routes),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        backlog=2048,
        timeout_keep_alive=30,
    )
    uvicorn.Server(config).run()


def serve_socket_mode(
    app: App, process: ServingProcess, *, app_token: str, host: str, port: int
) -> None:
    """Slack traffic over the WebSocket; /healthz over HTTP for the orchestrator."""
    handler = SocketModeHandler(app, app_token=app_token, web_client=app.client)
    handler.connect()
    try:
        serve_http(app, process, host=host, port=port, slack_routes=False)
    finally:
        handler.close()

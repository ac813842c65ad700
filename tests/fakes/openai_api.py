"""A fake OpenAI-compatible chat-completions server over HTTP, scripted reply by reply.

A scripted reply is the text the model "writes". Asked for structured output the way OpenAI is
asked, it answers the way OpenAI does: when the request offers tools, the text is the
arguments of a call to the tool named by `tool_choice` (else the first tool), in `tool_calls`
(streamed as argument deltas); with a `json_schema` response format, or none, it is the
message content.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay: float = 0.0
    raw: str | None = None  # sent as the body verbatim (garbage, malformed JSON envelope)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a delayed reply (a timeout test, a stopped app)


class FakeOpenAI:
    """Queue replies with `reply(...)`; when the queue is empty the last reply repeats."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._replies: list[Reply] = []
        self._last = Reply(content="{}")
        self._respond: Callable[[dict[str, Any]], str] | None = None
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def reply(
        self, content: str = "", *, status: int = 200, delay: float = 0.0, raw: str | None = None
    ) -> None:
        with self._lock:
            self._replies.append(Reply(content, status, delay, raw))

    def clear(self) -> None:
        """Back to a fresh fake on the same port: no requests seen, no replies queued."""
        with self._lock:
            self.requests.clear()
            self._replies.clear()
            self._last = Reply(content="{}")
            self._respond = None

    def answer_with(self, respond: Callable[[dict[str, Any]], str]) -> None:
        """Once the queue is empty, write each reply from the request (a model that reads)."""
        with self._lock:
            self._respond = respond

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._replies:
                self._last = self._replies.pop(0)
            elif self._respond is not None:
                return Reply(self._respond(body))
            return self._last

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(body)
                reply = fake._next(body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.raw is not None or reply.status != 200:
                    payload = (
                        reply.raw or json.dumps({"error": {"message": "server error"}})
                    ).encode()
                    self._write(reply.status, payload, "application/json")
                    return
                if body.get("stream"):
                    # A client that gave up waiting (a timeout under test) has closed the socket.
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self._stream(body, reply.content)
                    return
                self._write(
                    200, json.dumps(_completion(body, reply.content)).encode(), "application/json"
                )

            def _write(self, status: int, payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, body: dict[str, Any], content: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [content[i : i + 16] for i in range(0, len(content), 16)] or [""]
                tool = _tool_called(body)
                for n, piece in enumerate(pieces):
                    delta: dict[str, Any] = {"content": piece}
                    if tool is not None:
                        call: dict[str, Any] = {"index": 0, "function": {"arguments": piece}}
                        if n == 0:
                            call |= {"id": "call_fake", "type": "function"}
                            call["function"]["name"] = tool
                        delta = {"role": "assistant", "content": None, "tool_calls": [call]}
                    chunk = {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": body.get("model", "fake"),
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                done = {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

        return Handler


def _tool_called(body: dict[str, Any]) -> str | None:
    """The function the model answers with: the one `tool_choice` names, else the first offered."""
    tools = body.get("tools") or []
    if not tools or body.get("tool_choice") == "none":
        return None
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("function", {}).get("name"):
        return str(choice["function"]["name"])
    return str(tools[0]["function"]["name"])


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    tool = _tool_called(body)
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool is not None:
        call = {
            "id": "call_fake",
            "type": "function",
            "function": {"name": tool, "arguments": content},
        }
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_progresss": 1, "total_tokens": 2},
    }

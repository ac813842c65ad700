"""Many DMs at once: slack_sdk's AsyncWebClient on one event-loop thread, connections kept alive.

When 4,000 check-in DMs are due at 10:00, what bounds them is how many calls are in flight
and the CPU each call costs: each waits on Slack for tens of milliseconds. A thread per call in
flight would take hundreds of threads, and slack_sdk's WebClient opens a new connection for
every call. Here one loop (uvloop where installed) runs `concurrency` sender coroutines over one
aiohttp session, each taking the next queued DM when its call returns, and the same 429 and 5xx
retry handlers as every other client apply. `post` returns at once; `on_done` hears of each
call, from the loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
OnDone = Callable[[Exception | None], None]
Post = tuple[str, dict[str, Any], OnDone]  # token, chat.postMessage's arguments, on_done


class DmBurst:
    """chat.postMessage calls sent concurrently; started on the first `post`."""

    def __init__(self, *, base_url: str, concurrency: int = 32, timeout: int = 15) -> None:
        self._base_url = base_url
        self._concurrency = concurrency
        self._timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[str, AsyncWebClient] = {}  # by token; loop thread only
        self._queue: deque[Post] = deque()  # loop thread only
        self._senders: set[asyncio.Future[None]] = set()  # loop thread only

    def post(self, token: str, message: dict[str, Any], on_done: OnDone) -> None:
        """Queue one chat.postMessage with `message`'s arguments under `token`."""
        self.post_many([(token, message, on_done)])

    def post_many(self, posts: Sequence[Post]) -> None:
        """Queue many at once: one wake-up of the loop, not one per DM."""
        if posts:
            self._running_loop().call_soon_threadsafe(self._start, list(posts))

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is None:
            return
        # DMs still queued are reported failed, so their rounds are retried, not left waiting.
        asyncio.run_coroutine_threadsafe(self._abandon_queued(), loop).result(timeout=10)
        if self._session is not None:
            asyncio.run_coroutine_threadsafe(self._session.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        # A later `post` starts a new loop: it must not reuse the closed session's clients.
        self._session = None
        self._clients.clear()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = _new_loop()
                threading.Thread(target=loop.run_forever, name="dm-burst", daemon=True).start()
                self._loop = loop
            return self._loop

    def _start(self, posts: list[Post]) -> None:
        self._queue.extend(posts)
        # One coroutine per call in flight, not one task per DM: 4,000 tasks queued on the
        # connection pool cost more CPU in wake-ups than the calls themselves.
        while len(self._senders) < min(self._concurrency, len(self._queue)):
            sender = asyncio.ensure_future(self._send_queued())
            # The loop keeps only weak references to tasks: held here until each is done.
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)

    async def _abandon_queued(self) -> None:
        while self._queue:
            *_, on_done = self._queue.popleft()
            _report(on_done, RuntimeError("the DM sender closed before this DM was sent"))

    async def _send_queued(self) -> None:
        while self._queue:
            await self._post(*self._queue.popleft())

    def _client(self, token: str) -> AsyncWebClient:
        if self._session is None:
            # Made on the loop: an aiohttp session belongs to the loop it was made on.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._concurrency)
            )
        client = self._clients.get(token)
        if client is None:
            client = AsyncWebClient(
                token=token,
                base_url=self._base_url,
                timeout=self._timeout,
                session=self._session,
                retry_handlers=[
                    AsyncConnectionErrorRetryHandler(max_retry_count=2),
                    AsyncRateLimitErrorRetryHandler(max_retry_count=3),
                    AsyncServerErrorRetryHandler(max_retry_count=2),
                ],
            )
            self._clients[token] = client
        return client

    async def _post(self, token: str, message: dict[str, Any], on_done: OnDone) -> None:
        error: Exception | None = None
        try:
            await self._client(token).chat_postMessage(**message)
        except Exception as exc:
            error = exc
        _report(on_done, error)


def _report(on_done: OnDone, error: Exception | None) -> None:
    try:
        on_done(error)
    except Exception:
        log.exception("a DM's completion callback failed")


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # the standard loop works, with more CPU per call
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()

"""Group commit: small writes from many request threads, stored together in one transaction.

Every slash command stores its request before the ack. Stored one transaction each, a burst of
them queues for the database's write lock (SQLite has one for the whole file) and for the
connection pool, and each waiter's turn also waits for the interpreter lock: acks slowed down
in proportion to the burst. One writer thread instead takes everything queued, runs it in one
transaction and commits once, then wakes each caller with its own result.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 64

Write = Callable[[Session], Any]


class GroupCommit:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._queue: queue.SimpleQueue[tuple[Write, Future[Any]]] = queue.SimpleQueue()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def run(self, write: Callable[[Session], T]) -> T:
        """Runs `write` in a transaction shared with other callers; returns once committed.

        `write` may run twice (alone, after a batch it shared failed), so it only writes.
        """
        self._ensure_started()
        future: Future[T] = Future()
        self._queue.put((write, future))
        return future.result()

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(batch)
            except BaseException as exc:  # this thread must outlive any one batch
                log.exception("group commit failed")
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)

    def _commit(self, batch: list[tuple[Write, Future[Any]]]) -> None:
        try:
            with session_scope(self._sessions) as session:
                results = [write(session) for write, _ in batch]
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            # One bad write must not fail the others: each runs again on its own.
            log.info("a grouped write failed; committing the %d writes one by one", len(batch))
            for write, future in batch:
                self._alone(write, future)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)

    def _alone(self, write: Write, future: Future[Any]) -> None:
        try:
            with session_scope(self._sessions) as session:
                result = write(session)
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)

"""Many threads queue work, one writer takes it in batches: what makes simultaneous fires cheap."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def take_batch(items: queue.Queue[T], *, limit: int, wait: float = 0.05) -> list[T]:
    """Everything queued now, up to `limit`, after waiting up to `wait` seconds for the first
    (an empty list when nothing came)."""
    try:
        batch = [items.get(timeout=wait)]
    except queue.Empty:
        return []
    while len(batch) < limit:
        try:
            batch.append(items.get_nowait())
        except queue.Empty:
            break
    return batch


class BatchWriter:
    """A writer thread that drains queued fires in batches, and a pool that posts to Slack.

    Shared by the retro and check-in dispatchers: one writer keeps the database work to one
    transaction per batch while slow Slack calls go out on `post_threads` threads.
    Subclasses implement `_run` (loop until `_stop` is set and their queue is empty) and may
    flush what is left in `_after_stop`.
    """

    def __init__(self, *, writer_name: str, post_prefix: str, post_threads: int) -> None:
        self._posts = ThreadPoolExecutor(post_threads, thread_name_prefix=post_prefix)
        self._stop = threading.Event()
        self._writer = threading.Thread(target=self._run, name=writer_name, daemon=True)

    def start(self) -> None:
        self._writer.start()

    def stop(self, *, join_timeout: float = 60) -> None:
        self._stop.set()
        if self._writer.ident is not None:
            self._writer.join(timeout=join_timeout)
        self._posts.shutdown(wait=True)
        self._after_stop()

    def _run(self) -> None:
        raise NotImplementedError

    def _after_stop(self) -> None:
        """What is left to write once the posts are done."""

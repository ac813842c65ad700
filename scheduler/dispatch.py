"""Batches simultaneous schedule fires into few transactions and posts prompts off the job pool.

When hundreds of schedules fall due in one second, a transaction per fire makes the database
(one writer on SQLite, a flush per commit on Postgres) the bottleneck. Fire jobs hand their
occurrence to one writer thread, which claims everything queued in a single transaction;
the job returns once its claim is committed, and the prompt is posted by a separate pool.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.ports import RetroInfo
from scheduler.retro_opening import RetroOpening

log = logging.getLogger(__name__)

MAX_BATCH = 250


@dataclass
class _Fire:
    schedule_id: int
    occurrence_at: datetime
    done: Future[RetroInfo | None] = field(default_factory=Future)


class FireDispatcher:
    def __init__(self, opening: RetroOpening, *, post_threads: int) -> None:
        self._opening = opening
        self._fires: queue.Queue[_Fire] = queue.Queue()
        self._prompt_ts: queue.Queue[tuple[int, str]] = queue.Queue()
        self._posts = ThreadPoolExecutor(post_threads, thread_name_prefix="retro-post")
        self._stop = threading.Event()
        self._writer = threading.Thread(target=self._run, name="retro-fire-writer", daemon=True)

    def start(self) -> None:
        self._writer.start()

    def stop(self) -> None:
        self._stop.set()
        if self._writer.ident is not None:
            self._writer.join(timeout=30)
        self._posts.shutdown(wait=True)
        self._flush_prompt_ts()

    def fire(self, schedule_id: int, occurrence_at: datetime, *, timeout: float = 120) -> None:
        """Queue one occurrence and wait until its claim is committed (or found taken)."""
        if self._stop.is_set():
            raise RuntimeError("the fire dispatcher is stopped")
        item = _Fire(schedule_id, occurrence_at)
        self._fires.put(item)
        item.done.result(timeout=timeout)

    def _run(self) -> None:
        while not (self._stop.is_set() and self._fires.empty()):
            batch = self._take_batch()
            if batch:
                self._claim(batch)
            self._flush_prompt_ts()

    def _take_batch(self) -> list[_Fire]:
        try:
            first = self._fires.get(timeout=0.05)
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._fires.get_nowait())
            except queue.Empty:
                break
        return batch

    def _claim(self, batch: list[_Fire]) -> None:
        try:
            opened = self._opening.claim_occurrences(
                [(f.schedule_id, f.occurrence_at) for f in batch]
            )
        except Exception as exc:
            log.exception("claiming %d scheduled retros failed", len(batch))
            for item in batch:
                item.done.set_exception(exc)
            return
        by_key = {(info.series_id, info.occurrence_at): info for info in opened}
        for item in batch:
            # pop: a duplicate fire in the same batch (two schedulers overlapping) gets None.
            info = by_key.pop((item.schedule_id, item.occurrence_at), None)
            item.done.set_result(info)
            if info is not None:
                self._posts.submit(self._announce, info)

    def _announce(self, info: RetroInfo) -> None:
        announced = self._opening.announce(info, record=False)
        if announced.prompt_ts:
            self._prompt_ts.put((announced.id, announced.prompt_ts))

    def _flush_prompt_ts(self) -> None:
        pairs: list[tuple[int, str]] = []
        while True:
            try:
                pairs.append(self._prompt_ts.get_nowait())
            except queue.Empty:
                break
        if pairs:
            try:
                self._opening.record_prompt_ts_many(pairs)
            except Exception:
                log.exception("recording %d prompt timestamps failed", len(pairs))

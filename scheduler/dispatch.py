"""Batches simultaneous schedule fires into few transactions and posts prompts off the job pool.

When hundreds of schedules fall due in one second, a transaction per fire makes the database
(one writer on SQLite, a flush per commit on Postgres) the bottleneck. Fire jobs hand their
occurrence to one writer thread, which claims everything queued in a single transaction;
the job returns once its claim is committed, and the prompt is posted by a separate pool.
The writer also stores the posted prompts' ts and finishes their claims, in batches.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.batches import BatchWriter, take_batch
from scheduler.ports import RetroInfo
from scheduler.retro_opening import RetroOpening

log = logging.getLogger(__name__)

MAX_BATCH = 250


@dataclass
class _Fire:
    schedule_id: int
    occurrence_at: datetime
    done: Future[RetroInfo | None] = field(default_factory=Future)


class FireDispatcher(BatchWriter):
    def __init__(self, opening: RetroOpening, *, post_threads: int) -> None:
        self._opening = opening
        self._fires: queue.Queue[_Fire] = queue.Queue()
        self._announced: queue.Queue[RetroInfo] = queue.Queue()
        # Claimed here and not finished yet: recovery must leave these alone.
        self._in_flight: set[tuple[int, datetime]] = set()
        self._in_flight_lock = threading.Lock()
        super().__init__(
            writer_name="retro-fire-writer", post_prefix="retro-post", post_threads=post_threads
        )

    def _after_stop(self) -> None:
        self._flush_announced()

    def in_flight(self) -> set[tuple[int, datetime]]:
        """(schedule, occurrence) pairs claimed by this dispatcher and not yet finished."""
        with self._in_flight_lock:
            return set(self._in_flight)

    def fire(self, schedule_id: int, occurrence_at: datetime, *, timeout: float = 120) -> None:
        """Queue one occurrence and wait until its claim is committed (or found taken)."""
        if self._stop.is_set():
            raise RuntimeError("the fire dispatcher is stopped")
        item = _Fire(schedule_id, occurrence_at)
        self._fires.put(item)
        item.done.result(timeout=timeout)

    def _run(self) -> None:
        while not (self._stop.is_set() and self._fires.empty()):
            batch = take_batch(self._fires, limit=MAX_BATCH)
            if batch:
                self._claim(batch)
            self._flush_announced()

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
        with self._in_flight_lock:
            self._in_flight.update(_key(info) for info in opened)
        for item in batch:
            # pop: a duplicate fire in the same batch (two schedulers overlapping) gets None.
            info = by_key.pop((item.schedule_id, item.occurrence_at), None)
            item.done.set_result(info)
            if info is not None:
                self._posts.submit(self._announce, info)

    def _announce(self, info: RetroInfo) -> None:
        self._announced.put(self._opening.announce(info, record=False))

    def _flush_announced(self) -> None:
        infos: list[RetroInfo] = []
        while True:
            try:
                infos.append(self._announced.get_nowait())
            except queue.Empty:
                break
        if not infos:
            return
        try:
            self._opening.finish_announced(infos)
        except Exception:
            # Retried at the next pass and kept in flight meanwhile: recovery would post
            # these prompts again, since their ts is not stored.
            log.exception("recording %d posted prompts failed", len(infos))
            for info in infos:
                self._announced.put(info)
            return
        with self._in_flight_lock:
            self._in_flight.difference_update(_key(info) for info in infos)


def _key(info: RetroInfo) -> tuple[int, datetime]:
    return (info.series_id or 0, info.occurrence_at or datetime.min)

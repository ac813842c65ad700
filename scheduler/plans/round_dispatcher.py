"""The batcher of check-in rounds while this process leads: fires queued from the engine's threads
are opened together (`open_rounds`), held until their minute when fired ahead of it, and their
DMs handed to the notifier all at once; the writer marks them sent and finishes the rounds'
claims as reports come back. See scheduler/plans/rounds.py for why batches.
"""

from __future__ import annotations

import heapq
import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import session_scope
from scheduler.batches import BatchWriter, take_batch
from scheduler.occurrences import finish_occurrences
from scheduler.plans.ports import CheckinDm, PlanNotifier
from scheduler.plans.rounds import KIND, Occurrence, OpenedRound, mark_sent, open_rounds

log = logging.getLogger(__name__)

# Plans per transaction: a batch's statements stay well under either database's bind limit.
MAX_BATCH = 200
# How long a stopping dispatcher waits for DMs still in flight to report back.
STOP_WAIT_SECONDS = 60.0
# While DMs are in flight, sent ones are recorded at most this often: each write holds the GIL
# that the sending loop needs, and 4,000 DMs due together came back in some 80 small writes.
# A crash between writes re-sends at most this long's DMs at recovery.
RECORD_EVERY_SECONDS = 0.5


@dataclass
class _Fire:
    plan_id: int
    occurrence_at: datetime
    done: Future[None] = field(default_factory=Future)


@dataclass
class _Pending:
    """A round in flight: owners whose DM is not back yet, and whether one failed."""

    occurrence: Occurrence
    round_id: int
    waiting: set[str]
    failed: bool = False


class RoundDispatcher(BatchWriter):
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        notifier: PlanNotifier,
        post_threads: int,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._notifier = notifier
        self._fires: queue.Queue[_Fire] = queue.Queue()
        self._results: queue.Queue[tuple[int, str, bool]] = queue.Queue()
        self._pending: dict[int, _Pending] = {}  # writer thread only
        # DMs handed to the notifier and not reported back yet.
        self._outstanding = 0
        self._unreported = threading.Condition()
        # Rounds opened before their occurrence, by occurrence: writer thread only.
        self._held: list[tuple[datetime, int, OpenedRound]] = []
        # Claimed here and not finished: recovery must leave these alone.
        self._in_flight: set[Occurrence] = set()
        self._lock = threading.Lock()
        self._recorded_at = 0.0  # time.monotonic() of the last write of sent DMs
        super().__init__(
            writer_name="okr-round-writer", post_prefix="okr-dm", post_threads=post_threads
        )

    def _after_stop(self) -> None:
        # A DM sent and not marked sent would be sent again by recovery: wait for the sends
        # still in flight (a notifier may report after its call returned) before the last flush.
        with self._unreported:
            self._unreported.wait_for(lambda: self._outstanding <= 0, timeout=STOP_WAIT_SECONDS)
        self._flush_results()

    def in_flight(self) -> set[Occurrence]:
        with self._lock:
            return set(self._in_flight)

    def fire(self, plan_id: int, occurrence_at: datetime, *, timeout: float = 120) -> None:
        """Queue one occurrence and wait until its round is committed (or found taken)."""
        if self._stop.is_set():
            raise RuntimeError("the check-in round dispatcher is stopped")
        item = _Fire(plan_id, as_utc(occurrence_at))
        self._fires.put(item)
        item.done.result(timeout=timeout)

    def _run(self) -> None:
        while not (self._stop.is_set() and self._fires.empty()):
            batch = take_batch(self._fires, limit=MAX_BATCH, wait=self._wait())
            if batch:
                self._open(batch)
            self._release()
            try:
                if self._outstanding <= 0 or (
                    time.monotonic() - self._recorded_at >= RECORD_EVERY_SECONDS
                ):
                    self._flush_results()
            except Exception:
                # The writer must outlive a bad pass: every later fire waits on it.
                log.exception("the check-in round writer's pass failed")

    def _open(self, batch: list[_Fire]) -> None:
        now = as_utc(self._clock.now())
        try:
            with session_scope(self._sessions) as session:
                opened = open_rounds(session, [(f.plan_id, f.occurrence_at) for f in batch], now)
        except Exception as exc:
            log.exception("opening %d check-in rounds failed", len(batch))
            for item in batch:
                item.done.set_exception(exc)
            return
        with self._lock:
            self._in_flight.update((r.plan_id, r.occurrence_at) for r in opened)
        for item in batch:
            item.done.set_result(None)
        for r in opened:
            self._pending[r.round_id] = _Pending(
                (r.plan_id, r.occurrence_at), r.round_id, set(r.dms)
            )
            # Opened ahead of its minute (the series' lead): its DMs wait for it.
            heapq.heappush(self._held, (r.occurrence_at, r.round_id, r))
        self._release()

    def _wait(self) -> float:
        """How long to wait for fires: never past the minute of the next held round."""
        if not self._held:
            return 0.05
        left = (self._held[0][0] - as_utc(self._clock.now())).total_seconds()
        return max(0.0, min(0.05, left))

    def _release(self) -> None:
        """Send the DMs of every held round whose occurrence has come, all at once."""
        now = as_utc(self._clock.now())
        dms: list[CheckinDm] = []
        while self._held and self._held[0][0] <= now:
            r = heapq.heappop(self._held)[2]
            dms += [
                CheckinDm(r.view.workspace_id, owner, r.view, krs, r.round_id)
                for owner, krs in r.dms.items()
            ]
        if dms:
            with self._unreported:
                self._outstanding += len(dms)
            # On the pool: a notifier that sends one after another must not hold the writer.
            self._posts.submit(self._send_all, dms)

    def _send_all(self, dms: list[CheckinDm]) -> None:
        try:
            self._notifier.send_checkin_dms(dms, self._sent)
        except Exception:
            # Against the port's word; marking them failed leaves the rounds to `recover`,
            # which skips any DM already marked sent.
            log.exception("sending %d check-in DMs failed", len(dms))
            for dm in dms:
                self._sent(dm, False)

    def _sent(self, dm: CheckinDm, ok: bool) -> None:
        self._results.put((dm.round_id, dm.owner, ok))
        with self._unreported:
            self._outstanding -= 1
            self._unreported.notify_all()

    def _flush_results(self) -> None:
        results: list[tuple[int, str, bool]] = []
        while True:
            try:
                results.append(self._results.get_nowait())
            except queue.Empty:
                break
        if not results:
            return
        self._recorded_at = time.monotonic()
        for round_id, owner, ok in results:
            pending = self._pending[round_id]
            pending.waiting.discard(owner)
            pending.failed |= not ok
        rounds = {round_id for round_id, _, _ in results}
        done = [self._pending[r] for r in rounds if not self._pending[r].waiting]
        now = as_utc(self._clock.now())
        try:
            with session_scope(self._sessions) as session:
                mark_sent(session, [(r, o) for r, o, ok in results if ok], kind="dm", now=now)
                # Left unfinished when a DM failed: `recover` retries those, once.
                finish_occurrences(
                    session,
                    kind=KIND,
                    finished=[(*p.occurrence, p.round_id) for p in done if not p.failed],
                    now=now,
                )
        except Exception:
            # Retried at the next pass and kept in flight meanwhile: recovery would send these
            # DMs again, since they are not marked sent.
            log.exception("recording %d sent check-in DMs failed", len(results))
            for item in results:
                self._results.put(item)
            return
        for p in done:
            del self._pending[p.round_id]
        with self._lock:
            self._in_flight.difference_update(p.occurrence for p in done)

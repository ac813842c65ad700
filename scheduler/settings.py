"""The scheduling engine's settings (SCHEDULER__*): its thread pools and how it keeps in step."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, model_validator


class SchedulerSettings(BaseModel):
    # Fire jobs only queue their occurrence and wait for the batched claim: cheap threads.
    fire_threads: int = 256
    # Threads posting prompts (the notifier's network calls).
    post_threads: int = 16
    # Check-in DMs due together in flight at once (one event loop, connections kept alive).
    dm_concurrency: int = 32
    # Closing runs the synthesis (an LLM call); kept apart so it never delays a fire.
    work_threads: int = 4
    # After downtime, an occurrence up to this late still opens (once, coalesced).
    misfire_grace: timedelta = timedelta(hours=12)
    # How often the leader reloads schedules from the database (added, paused, cancelled).
    sync_seconds: float = 5.0
    # An occurrence claimed this long ago and never finished was cut off by a crash (its
    # leader died between claim and prompt/DMs); the leader's next sync resumes it. Longer
    # than posting a large batch takes; this process's own batches in flight are never resumed.
    recover_after: timedelta = timedelta(minutes=2)
    # Check-in rounds are prepared this long before their minute (claims, rows, each owner's DM
    # claimed), so at the minute only the sending is left. Must be well under `recover_after`:
    # a prepared round is unfinished until its DMs are out.
    prepare_ahead: timedelta = timedelta(seconds=30)
    # How often a standby tries to take the leader lock.
    leader_retry_seconds: float = 3.0

    @model_validator(mode="after")
    def _prepared_rounds_are_not_recovered(self) -> SchedulerSettings:
        if self.prepare_ahead * 2 > self.recover_after:
            raise ValueError(
                "SCHEDULER__PREPARE_AHEAD must be at most half of SCHEDULER__RECOVER_AFTER: a "
                "round prepared ahead is unfinished until its DMs are sent, and would be resumed"
            )
        return self

"""The scheduling engine's settings (SCHEDULER__*): its thread pools and how it keeps in step."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel


class SchedulerSettings(BaseModel):
    # Fire jobs only queue their occurrence and wait for the batched claim: cheap threads.
    fire_threads: int = 256
    # Threads posting prompts (the notifier's network calls).
    post_threads: int = 16
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
    # How often a standby tries to take the leader lock.
    leader_retry_seconds: float = 3.0

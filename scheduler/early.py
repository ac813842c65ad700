"""Fire a series' job a little before each occurrence, so the work that can be done ahead is.

When 2,000 plans share "Monday at 10:00", claiming the occurrences, opening the rounds and
claiming each owner's DM are database work that does not depend on the minute itself. Done
before it, only the posting is left at 10:00. The job fires `lead` before each occurrence of the
wrapped trigger and is told the occurrence's own time (`occurrence_of`); the kind holds back
whatever people see until then. Daylight-saving changes stay the wrapped trigger's business:
the lead is subtracted in absolute time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.job import Job
from apscheduler.triggers.base import BaseTrigger


class EarlyTrigger(BaseTrigger):
    """`trigger`'s fire times, each `lead` earlier."""

    def __init__(self, trigger: BaseTrigger, lead: timedelta) -> None:
        self.trigger = trigger
        self.lead = lead

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None:
            # A new series: its next occurrence after now, even one nearer than the lead (its
            # run time is then already past, and APScheduler runs it at once).
            upcoming = self.trigger.get_next_fire_time(None, now)
        else:
            upcoming = self.trigger.get_next_fire_time(
                previous_fire_time + self.lead, now + self.lead
            )
        return upcoming - self.lead if upcoming is not None else None

    def __getstate__(self) -> dict[str, object]:
        return {"version": 1, "trigger": self.trigger, "lead": self.lead}

    def __setstate__(self, state: dict[str, object]) -> None:
        trigger, lead = state["trigger"], state["lead"]
        assert isinstance(trigger, BaseTrigger) and isinstance(lead, timedelta)
        self.trigger, self.lead = trigger, lead

    def __repr__(self) -> str:
        return f"<EarlyTrigger ({self.trigger!r}, lead={self.lead})>"


def occurrence_of(job: Job, run_time: datetime) -> datetime:
    """The occurrence a run of `job` at `run_time` stands for."""
    trigger = job.trigger
    return run_time + trigger.lead if isinstance(trigger, EarlyTrigger) else run_time

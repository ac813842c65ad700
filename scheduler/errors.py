"""Errors the retro service raises; handlers turn each into a short reply."""

from __future__ import annotations


class RetroError(Exception):
    """Base class: the message is safe to show to the user who asked."""


class RetroNotFound(RetroError):
    pass


class RetroClosed(RetroError):
    """An entry arrived for a retro that has already closed."""


class RetroPromptNotPosted(RetroError):
    """The prompt of an on-demand retro could not be posted; the retro was withdrawn."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"I couldn't post the retro prompt ({reason}), so no retro was opened.")


class RetroAlreadyOpen(RetroError):
    def __init__(self, retro_id: int, channel_id: str) -> None:
        self.retro_id = retro_id
        self.channel_id = channel_id
        super().__init__(f"A retro is already open in <#{channel_id}> (retro {retro_id}).")


class EntryRejected(RetroError):
    pass


class ScheduleNotFound(RetroError):
    pass


class ScheduleStateError(RetroError):
    """A transition that makes no sense, such as resuming a cancelled schedule."""


class ActionItemNotFound(RetroError):
    pass


class ScheduleExists(RetroError):
    def __init__(self, schedule_id: int) -> None:
        self.schedule_id = schedule_id
        super().__init__(
            f"This channel already has that schedule (schedule {schedule_id}); nothing was added. "
            "`/retro schedules` lists them."
        )

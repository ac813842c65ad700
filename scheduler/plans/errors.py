"""Errors the plan service raises: each message is one line, safe to show to whoever asked.

Nothing is stored when one is raised: the service checks everything before it writes.
"""

from __future__ import annotations


class PlanError(Exception):
    """Base class: `str(error)` is the one-line message for the person."""

    @property
    def message(self) -> str:
        return str(self)


class PlanNotFound(PlanError):
    pass


class KeyResultNotFound(PlanError):
    pass


class PlanStateError(PlanError):
    """Something the plan's status forbids: editing an archived plan, a second plan for a period."""


class CheckInRefused(PlanError):
    """A check-in that was not stored: a bad value, the wrong unit, someone else's key result,
    a plan that is not tracking, or a key result of another workspace. From a bulk check-in,
    `field_errors` holds every refused key result's reason by id."""

    def __init__(self, message: str, *, field_errors: dict[int, str] | None = None) -> None:
        self.field_errors = dict(field_errors or {})
        super().__init__(message)


class PlanInputError(PlanError):
    """Bad values in a form, per key result id, so the modal can show each next to its field."""

    def __init__(self, field_errors: dict[int, str]) -> None:
        self.field_errors = dict(field_errors)
        first = next(iter(self.field_errors.values()), "Some values are not valid.")
        more = len(self.field_errors) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))

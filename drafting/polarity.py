"""Which way a quantity moved, and whether that is good: "costs rose" is a weakness however
upbeat the sentence, "churn fell" a strength. The classifier's embedding misses direction."""

from __future__ import annotations

from drafting.sections import count_cues

# Things that are bad when they go up: "costs rose" is a weakness, "churn fell" a strength.
BAD_WHEN_UP = (
    "lead time",
    "sales cycle",
    "time to hire",
    "onboarding time",
    "cost",
    "costs",
    "churn",
    "incident",
    "incidents",
    "outage",
    "outages",
    "latency",
    "downtime",
    "attrition",
    "complaints",
    "tickets",
    "backlog",
    "defects",
    "bugs",
    "spend",
    "burn",
    "mttr",
    "resolution time",
    "response time",
    "errors",
)
GOES_UP = (
    "rose",
    "rise",
    "rising",
    "increased",
    "grew",
    "up ",
    "climbed",
    "doubled",
    "jumped",
    "higher",
    "above",
)
GOES_DOWN = (
    "fell",
    "dropped",
    "decreased",
    "declined",
    "reduced",
    "cut",
    "down ",
    "lower",
    "halved",
    "shrank",
    "below",
)


def polarity_shift(text: str) -> str | None:
    """ "weaknesses" or "strengths" when a bad-when-up quantity moved; None otherwise."""
    lowered = f" {text.lower()} "
    if count_cues(lowered, BAD_WHEN_UP) == 0:
        return None
    up = any(word in lowered for word in GOES_UP)
    down = any(word in lowered for word in GOES_DOWN)
    if up and not down:
        return "weaknesses"
    if down and not up:
        return "strengths"
    return None

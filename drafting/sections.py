"""What each section means to the offline engine: a description to embed, queries and cue words.

The SWOT itself is drafted from typed statements (swot_offline.py); these specs serve the LLM
prompt, revisions and retros. Cue words are single general words of the kind any document
uses; phrases lifted from one company's documents were removed (issue 12).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    key: str
    description: str  # embedded; facts are sorted by similarity to it
    queries: tuple[str, ...]  # "{topic}" is replaced by the subject and lens
    cues: tuple[str, ...]


SWOT_SPECS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "strengths",
        "An internal strength: results that grew, improved or exceeded target; a record high; "
        "an advantage customers praise; something the team does better than others.",
        (
            "{topic} growth exceeded target record high strong results",
            "{topic} improved performance customers praise advantage best",
        ),
        (
            "grew",
            "growth",
            "increased",
            "exceeded",
            "exceeding",
            "exceeds",
            "reached",
            "the only",
            "rose to",
            "up",
            "higher",
            "beat",
            "record",
            "improved",
            "improvement",
            "strong",
            "praised",
            "praise",
            "leader",
            "leading",
            "best",
            "won",
            "ahead",
            "highest",
            "renewed",
            "saved",
            "faster",
            "up from",
            "fell to",
            "down to",
            "cut",
            "reduced",
            "doubled",
            "tripled",
            "advantage",
            "favourite",
        ),
    ),
    SectionSpec(
        "weaknesses",
        "An internal weakness: a missed target, a delay, an outage or incident, a rising cost, "
        "churn, a backlog, a gap in skills or process that holds the team back.",
        (
            "{topic} missed target delayed late outage incident",
            "{topic} problems complaints backlog churn slow over budget",
        ),
        (
            "missed",
            "late",
            "delayed",
            "delay",
            "slipped",
            "outage",
            "outages",
            "incident",
            "incidents",
            "churn",
            "churned",
            "decline",
            "declined",
            "fell",
            "dropped",
            "below",
            "behind",
            "slow",
            "slower",
            "backlog",
            "attrition",
            "over budget",
            "complaint",
            "complaints",
            "debt",
            "manual",
            "shortage",
            "gap",
            "lost",
            "failed",
            "failure",
            "worst",
            "lowest",
            "unfilled",
            "regression",
            "flaky",
            "burnout",
            "detractors",
            "fell short",
            "longest",
            "weakest",
            "unavailable",
            "over budget",
        ),
    ),
    SectionSpec(
        "opportunities",
        "An external opportunity: market demand, customers asking for something, a new segment "
        "or region, a partnership, a pilot or launch that could grow the business.",
        (
            "{topic} opportunity market demand expansion new customers",
            "{topic} pilot launch partnership potential interest requests",
        ),
        (
            "opportunity",
            "opportunities",
            "demand",
            "untapped",
            "expand",
            "expansion",
            "pilot",
            "could",
            "potential",
            "interest",
            "interested",
            "request",
            "requested",
            "asked for",
            "partnership",
            "partner",
            "upsell",
            "rfp",
            "rfps",
            "waitlist",
            "growing market",
            "market is growing",
            "willing to pay",
            "switch",
            "unhappy with",
        ),
    ),
    SectionSpec(
        "threats",
        "An external threat: a competitor winning deals or cutting prices, new regulation, "
        "rising costs or inflation, a dependency on a supplier, a market risk outside our control.",
        (
            "{topic} competitor threat pricing pressure losing deals",
            "{topic} regulation compliance risk rising costs dependency",
        ),
        (
            "competitor",
            "competitors",
            "competition",
            "rival",
            "regulation",
            "regulatory",
            "compliance",
            "law",
            "directive",
            "mandate",
            "undercut",
            "undercutting",
            "risk",
            "threat",
            "tariff",
            "tariffs",
            "inflation",
            "rising",
            "poaching",
            "poached",
            "entrant",
            "consolidation",
            "dependency",
            "depends on",
            "funded",
            "raised",
            "deadline",
            "fines",
            "penalties",
            "launched",
            "force",
        ),
    ),
)

RETRO_SPECS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "went_well",
        "Something that went well: a success, a win, praise, a thing that worked smoothly.",
        (),
        (
            "great",
            "worked",
            "shipped",
            "smooth",
            "smoothly",
            "thanks",
            "kudos",
            "improved",
            "love",
            "loved",
            "good",
            "win",
            "won",
            "on time",
            "happy",
            "fast",
            "faster",
            "helped",
            "nice",
            "solid",
            "celebrate",
            "proud",
            "zero",
            "well",
        ),
    ),
    SectionSpec(
        "not_so_well",
        "Something that went badly: a problem, a delay, a failure, frustration, a blocker.",
        (),
        (
            "slow",
            "late",
            "broke",
            "broken",
            "outage",
            "missed",
            "hard",
            "painful",
            "confusing",
            "blocked",
            "blocker",
            "flaky",
            "too many",
            "lack",
            "lacked",
            "didn't",
            "did not",
            "frustrating",
            "frustrated",
            "delay",
            "delayed",
            "failed",
            "bug",
            "bugs",
            "noisy",
            "unclear",
            "overloaded",
            "crunch",
            "rushed",
            "noise",
            "noisy",
            "slipped",
            "instead of",
            "out of date",
            "outdated",
            "stale",
            "waited",
        ),
    ),
    SectionSpec(
        "learnings",
        "A learning or insight: what the team realised, discovered or would do differently.",
        (),
        (
            "learned",
            "learnt",
            "learning",
            "realised",
            "realized",
            "turns out",
            "turned out",
            "lesson",
            "next time",
            "insight",
            "should have",
            "til",
            "discovered",
            "noticed",
            "found that",
            "understood",
            "worth it",
            "pays off",
            "paid off",
            "better than",
            "works better",
            "beats",
        ),
    ),
    SectionSpec(
        "action_items",
        "An action item: a concrete task someone will do next, with an owner or a date.",
        (),
        (
            "we should",
            "let's",
            "lets",
            "will",
            "need to",
            "needs to",
            "action",
            "todo",
            "to do",
            "owner",
            "set up",
            "next sprint",
            "follow up",
            "follow-up",
            "assign",
        ),
    ),
)

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


def count_cues(text: str, cues: tuple[str, ...]) -> int:
    lowered = f" {text.lower()} "
    total = 0
    for cue in cues:
        if re.search(r"(?<![a-z0-9])" + re.escape(cue.strip()) + r"(?![a-z0-9])", lowered):
            total += 1
    return total


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

"""Which way a quantity moved, and whether that is good for the organisation: "costs rose" is a
weakness however upbeat the sentence, "the score fell to 38" one however calm. The classifier's
embedding of a sentence carries its topic, not the direction its numbers moved in.

The words below are general business English, one word each: what a measure is (something an
organisation wants more of, or less of) and how it moved. A sentence whose measure and movement
are both clear decides the quadrant; any other sentence keeps the classifier's.
"""

from __future__ import annotations

import re

# Measures an organisation wants less of.
_BAD_WHEN_UP_WORDS_TEXT = """cost costs spend spending expense expenses burn churn attrition turnover incident
    incidents outage outages downtime latency delay delays backlog complaints complaint tickets
    defects defect bugs bug errors error mistakes corrections refunds returns debt absence absences
    injuries accidents vacancies write-offs losses loss waiting wait price prices rent rents
    time cycle duration"""
BAD_WHEN_UP = frozenset(_BAD_WHEN_UP_WORDS_TEXT.split())
# Measures an organisation wants more of.
_GOOD_WHEN_UP_WORDS_TEXT = """revenue revenues sales income profit profits margin margins ebitda members membership
    memberships subscribers subscriptions customers clients users readers visitors traffic
    retention renewals nps score scores rating ratings satisfaction applications applicants
    enrolments enrollments bookings orders conversion uptime availability share productivity
    engagement attendance yield growth arr mrr demand"""
GOOD_WHEN_UP = frozenset(_GOOD_WHEN_UP_WORDS_TEXT.split())
_UP_WORDS_TEXT = """rose risen rise rises rising grew grown grows growing increased increase increases up
    climbed climbing doubled tripled jumped higher gained soared lengthened longer"""
UP = frozenset(_UP_WORDS_TEXT.split())
_DOWN_WORDS_TEXT = """fell fallen falls falling dropped drop drops decreased decrease declined declining
    decline reduced cut down lower halved shrank slipped lost fewer shortened shorter
    lowest"""
DOWN = frozenset(_DOWN_WORDS_TEXT.split())
# Movement words that in the active voice always take an object ("cut costs"), and how many
# words after one its object's measure may come ("cut fuel costs"). Those as often without one
# ("bookings doubled, costs fell") are left out.
_TRANSITIVE_MOVES = frozenset(("cut", "reduced"))
_OBJECT_WINDOW = 3
# Superlatives that rank a measure against all others ("the lowest score in the survey").
UP |= {"highest"}
# Comparisons with the plan: a measure below plan went the wrong way for a good measure.
_AGAINST_PLAN = re.compile(
    r"\b(?P<side>below|under|short of|behind|above|over|ahead of)\s+(?:the\s+|our\s+)?"
    r"(?:[^\s,;.]+\s+){0,2}(?:plan|planned|budget|target|forecast|goal)\b",
    re.IGNORECASE,
)
_BELOW = {"below", "under", "short of", "behind"}
# A verdict word says it outright.
_WORSE = frozenset(("worse", "worst", "missed", "failed"))
_BETTER = frozenset(("better", "best", "beat", "exceeded", "record"))
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
# "fell to 38 from 46", "from 8,900 to 11,300": the numbers give the direction.
# A unit may stand between a value and "from" ("to 94 days, from 71 days").
_TO_FROM = re.compile(
    rf"\bto\s+\D{{0,3}}{_NUMBER}\S*(?:\s+[A-Za-z]+){{0,2}},?\s+from\s+\D{{0,3}}{_NUMBER}", re.I
)
_FROM_TO = re.compile(rf"\bfrom\s+\D{{0,3}}{_NUMBER}\S*\s+to\s+\D{{0,3}}{_NUMBER}", re.I)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z-]*", text.lower())


def _value(number: str) -> float:
    return float(number.replace(",", ""))


def _direction(text: str) -> int:
    """+1 when the measure went up (or sits above plan), -1 when down, 0 when unclear."""
    if match := _TO_FROM.search(text):
        return (_value(match.group(1)) > _value(match.group(2))) * 2 - 1
    if match := _FROM_TO.search(text):
        return (_value(match.group(2)) > _value(match.group(1))) * 2 - 1
    if match := _AGAINST_PLAN.search(text):
        return -1 if match.group("side").lower() in _BELOW else 1
    # The first movement in the sentence is its subject's own ("revenue fell 23% and still
    # makes up a third of income").
    for word in _words(text):
        if word in UP or word in DOWN:
            return 1 if word in UP else -1
    return 0


def _valence(text: str) -> int:
    """+1 for a measure wanted up, -1 for one wanted down, 0 when none is named. The measure is
    the head of the sentence's subject, the last measure word before the first movement
    ("the sales cycle lengthened" is about a cycle, "revenue fell as costs rose" about
    revenue); with none before it, the first one after ("the lowest score")."""
    words = _words(text)
    first_move = next((i for i, w in enumerate(words) if w in UP or w in DOWN), len(words))
    before = [w for w in words[:first_move] if w in GOOD_WHEN_UP or w in BAD_WHEN_UP]
    after = [w for w in words[first_move:] if w in GOOD_WHEN_UP or w in BAD_WHEN_UP]
    measure = before[-1] if before else (after[0] if after else None)
    if first_move < len(words) and words[first_move] in _TRANSITIVE_MOVES:
        # "The pilot with 12 customers cut fuel costs by 9%": a verb that moves an object
        # moves the measure right after it, whatever measure the subject mentions.
        following = words[first_move + 1 : first_move + 1 + _OBJECT_WINDOW]
        measure = next((w for w in following if w in after), measure)
    if measure is None:
        return 0
    return 1 if measure in GOOD_WHEN_UP else -1


def favourable(text: str) -> bool | None:
    """Whether the measured change a sentence reports is good for the organisation; None when
    the sentence reports none this rule can read."""
    # "best-run", "worst-hit": a verdict word inside a compound says it too.
    words = {part for word in _words(text) for part in (word, *word.split("-"))}
    if words & _WORSE and not words & _BETTER:
        return False
    valence, direction = _valence(text), _direction(text)
    if valence and direction:
        return valence * direction > 0
    if words & _BETTER and not words & _WORSE:
        return True
    return None


def polarity_shift(text: str) -> str | None:
    """ "weaknesses" or "strengths" when the sentence reports a measured change that says
    which; None otherwise."""
    verdict = favourable(text)
    if verdict is None:
        return None
    return "strengths" if verdict else "weaknesses"

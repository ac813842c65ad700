"""Reading a statement's measures: its values and their units, and the name of the metric it
measures ("Cut median onboarding time to 6 weeks" measures "median onboarding time" in weeks).
"""

from __future__ import annotations

import re

from drafting.grounding import extract_figures
from drafting.labels import FUNCTION_WORDS, area_scores, label_for, label_words, tidy_label
from drafting.statement_pool import without_owner
from knowledge.statements import display_text

_DATE = re.compile(
    r"^(?:[QH][1-4](?:\s*(?:FY\s*)?'?\d{2,4})?|FY\s*'?\d{2,4}|(?:19|20)\d\d|\d{4}-\d{2}-\d{2}|"
    r"(?:\d{1,2}\s+)?[A-Za-z]{3,9}\.?\s+(?:\d{1,2},?\s+)?\d{4})$"
)
FROM_TO = re.compile(
    r"\bfrom\s+(?P<base>[^,;]*?\d[^,;]*?)\s+(?:down\s+|up\s+)?to\s+(?P<target>[^,;]*?\d[\w%.,]*)",
    re.I,
)
_RECORD_PAIR = re.compile(r"(?:^|;\s*)([\w ()/-]{1,40}):\s*([^;]+?)(?=;|\.?$)")
_SHARE_OF = re.compile(r"of\s+(?:the\s+|our\s+)?(\d[\d,.]*)\s")
TIME_UNITS = ("second", "minute", "hour", "day", "week", "month", "year", "ms")
# Verbs of change that open a goal; what follows them names the metric.
_CHANGE_VERB = re.compile(
    r"^(?:reduce|cut|lower|decrease|raise|increase|grow|lift|improve|reach|hit|achieve|get|"
    r"bring|keep|hold|double|halve|move|boost|expand|shorten|deliver)\s+",
    re.I,
)
# What introduces a value: a number, with an optional currency or hedge before it, or a date.
_VALUE_AHEAD = (
    r"(?=\s+(?:(?:about|around|roughly|nearly|at least|at most|under|over|just)\s+)?"
    r"(?:[$€£]|USD|EUR|GBP|CHF)?\s?\d|\s+(?:the\s+)?end\b|\s+[QH][1-4]\b|\s+FY\b|"
    r"\s+[A-Z][a-z]{2,8}\s+\d{4})"
)
# Where the name of a metric ends: a verb before its value, a preposition that introduces a
# value ("from 63 days", "by Q2 2027"; "time to hire" and "share of voice" keep theirs), or a
# colon.
_METRIC_END = re.compile(
    r"\s+(?:is|are|was|were|reached|fell|rose|grew|dropped|stood|averaged|must|should|will|"
    r"aims?|targets?|came)\b|\s+(?:fewer|less|more)\s+than\b|\s+at\s+(?:least|most)\b"
    r"|\s+(?:from|to|at|of|above|below|under|over|by|than|within)\b"
    + _VALUE_AHEAD
    # "lengthened to 94 days", "rose by 9%": any past-tense verb right before a moved value.
    + r"|\s+\w{3,}ed\b(?=\s+(?:to|by|from|at)\b"
    + _VALUE_AHEAD
    # A comma ends the name, unless it sits inside a number ("25,000 subscribers").
    + r")|:|;|,(?!\d)",
    re.I,
)
# Goals that count things done ("Hire 6 ...", "Sign 20 ..."): the verb as a participle names
# the metric ("engineers hired").
_PARTICIPLE = {
    "hire": "hired",
    "recruit": "recruited",
    "add": "added",
    "sign": "signed",
    "win": "won",
    "close": "closed",
    "onboard": "onboarded",
    "open": "opened",
    "launch": "launched",
    "ship": "shipped",
    "publish": "published",
    "train": "trained",
    "certify": "certified",
    "enrol": "enrolled",
    "enroll": "enrolled",
    "complete": "completed",
}
_COUNT_GOAL = re.compile(
    r"^(" + "|".join(_PARTICIPLE) + r")\s+(?:at least\s+|another\s+)?(\d[\d,]*)\s+(.+)$", re.I
)
# A change verb inside a goal ("aims to bring X from ..."): the metric follows the last one.
_INNER_CHANGE_VERB = re.compile(
    r"\b(?:reduce|cut|lower|decrease|raise|increase|grow|lift|improve|bring|move|boost|"
    r"shorten|reach|hit|achieve)\s+",
    re.I,
)
# Words that end a value without being its unit ("50 by Q4", "38 from 46", "9 a month").
_NOT_UNITS = frozenset(FUNCTION_WORDS | {"every", "each", "per", "a", "an", "the"})
STOP_WORDS = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "for",
    "and",
    "by",
    "on",
    "our",
    "we",
    "is",
    "are",
    "was",
    "were",
    "from",
    "at",
    "with",
    "per",
    "this",
    "that",
    "target",
    "goal",
    "be",
    "will",
}


_SCALE_BEFORE = re.compile(r"\bout of\s*$", re.I)


def is_date(surface: str) -> bool:
    return bool(_DATE.match(surface.strip()))


def measures(text: str) -> list[str]:
    """The figures of a statement that are values, not the dates they fall on."""
    # "8 out of 10": the 10 is the scale the value is read on, not a value.
    return [
        f.surface
        for f in extract_figures(text)
        if not is_date(f.surface) and not _SCALE_BEFORE.search(text[: text.find(f.surface)])
    ]


def unit_of(text: str, surface: str) -> str:
    if "%" in surface or "percent" in surface.lower():
        return "%"
    if re.search(r"[$€£]|USD|EUR|GBP|CHF|million|billion|\d[kmb]\b", surface, re.I):
        return "money"
    after = text[text.find(surface) + len(surface) :].strip().lower()
    share = _SHARE_OF.match(after)
    if share:
        # "2 of the 6 engineers": the count is in the unit of the whole it is part of.
        return unit_of(after[share.start(1) :], share.group(1))
    word = re.match(r"[a-z]+", after)
    if word and word.group(0) not in _NOT_UNITS:
        for unit in TIME_UNITS:
            if word.group(0).startswith(unit):
                return unit
        return word.group(0).rstrip("s")
    return "number"


def with_unit(text: str, surface: str) -> str:
    """ "4" in "4 days" as "4 days": a value reads and compares with its unit."""
    at = text.find(surface)
    if at < 0:
        return surface
    after = re.match(r"\s?([A-Za-z]+)", text[at + len(surface) :])
    if _SHARE_OF.match(text[at + len(surface) :].strip().lower()):
        return surface
    # Only durations read wrong without their unit ("from 63 to 45" days or hours?); a count's
    # noun may be the first word of a compound ("6 machine-learning engineers").
    if after and unit_of(text, surface) in TIME_UNITS:
        return f"{surface} {after.group(1)}"
    return surface


def unit_after(text: str, end: int, surface: str) -> str | None:
    """The value ending at `end` with the time or count unit written after it, if one is."""
    after = re.match(r"\s?([A-Za-z]+)", text[end:])
    if after is None or unit_of(surface + " " + after.group(1), surface) in ("%", "money"):
        return None
    word = after.group(1).lower()
    if any(word.startswith(unit) for unit in TIME_UNITS):
        return f"{surface} {after.group(1)}"
    return None


def borrow_unit(base: str, target: str) -> str:
    """A bare target takes the unit its baseline is written with ("11 weeks ... to 6")."""
    unit = re.match(r"^\S*\d\S*\s+([A-Za-z]+)$", base.strip())
    if (
        unit
        and re.fullmatch(r"\S*\d\S*", target.strip())
        and any(unit.group(1).lower().startswith(u) for u in TIME_UNITS)
    ):
        return f"{target} {unit.group(1)}"
    return target


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in STOP_WORDS}


def stem(word: str) -> str:
    # The first five letters stand for a word's family: "enrolled" and "enrolments", "page"
    # and "pages" name the same metric however they are inflected.
    return word[:5]


def named_as(word: str, text: str) -> str | None:
    """How the text names one of a metric's words: "word" (inflected or not), "acronym" (the
    text spells out "NPS" as "net promoter score"), or None."""
    if stem(word) in {stem(w) for w in content_words(text)}:
        return "word"
    initials = "".join(w[0] for w in re.findall(r"[a-z]+", text.lower()))
    if 2 <= len(word) <= 5 and word.isalpha() and word in initials:
        return "acronym"
    return None


def word_overlap(metric_words: set[str], text: str) -> float:
    """Share of a metric's words the text names."""
    if not metric_words:
        return 0.0
    return sum(named_as(w, text) is not None for w in metric_words) / len(metric_words)


def head_word(metric: str) -> str | None:
    """The last content word of a metric's name, its head noun in English ("booking app
    availability" is an availability, "member NPS" an NPS)."""
    words = [w for w in re.findall(r"[a-z][a-z-]+", metric.lower()) if w not in STOP_WORDS]
    return words[-1] if words else None


# How a party binds a metric to a level: a contract or licence "requires", "commits us to",
# "guarantees" it; we "are committed to", "have pledged to", "undertook to" reach it.
BINDS = (
    r"(?:requires?|obliges?\s+us|commits?\s+us|committed\s+us|binds?\s+us|guarantees?|"
    r"promises?|pledges?)"
)
BOUND = (
    r"(?:(?:are|were|remain|have\s+been|is|has\s+been)\s+(?:committed|obliged|required|bound|"
    r"contracted)|(?:have|has)\s+(?:committed|agreed|promised|pledged|undertaken)|committed|"
    r"agreed|promised|pledged|undertook)"
)


# What a goal written in prose opens with before it names its metric: when ("By the end of
# 2027,") and whose intent ("we want", "our aim is to"). Neither is part of the metric's name.
_GOAL_PREAMBLE = re.compile(
    r"^(?:(?:by|before|in|during)\s+(?:the\s+)?(?:end\s+of\s+)?(?:[QH][1-4]\s*)?"
    r"(?:[A-Z][a-z]{2,8}\s+)?'?(?:19|20)?\d\d,?\s+)?"
    r"(?:(?:we|I)\s+(?:want|would like|hope|expect|intend|need|aim|plan)(?:\s+to)?\s+"
    r"(?:(?:see|have|get)\s+)?|our\s+(?:aim|goal|ambition|target|objective)\s+is\s+(?:to\s+)?"
    # Who binds us to the level: "Our licence requires", "The contract commits us to", "We are
    # committed to". The party and its verb are not the metric's name.
    r"|(?:[A-Za-z']+\s+){0,4}?" + BINDS + r"\s+(?:us\s+)?(?:to\s+)?"
    r"|(?:[A-Za-z']+\s+){0,5}?we\s+" + BOUND + r"\s+(?:(?:the|our)\s+[a-z]+\s+)?to\s+)?",
    re.I,
)


def metric_name(text: str) -> str:
    """The measured thing a goal names: "Cut median onboarding time to 6 weeks" -> its metric."""
    clean = display_text(without_owner(text)).rstrip(".")
    clean = _GOAL_PREAMBLE.sub("", clean, count=1) or clean
    stated = FROM_TO.search(clean)
    if stated:
        # "A programme aims to bring average onboarding time from 11 weeks ...": the metric is
        # what stands just before "from", after the last verb of change.
        before = clean[: stated.start()].strip()
        verbs = list(_INNER_CHANGE_VERB.finditer(before))
        if verbs and verbs[-1].end() < len(before):
            before = before[verbs[-1].end() :]
        if re.search(r"[A-Za-z]", before):
            clean = before
    verbs = list(_INNER_CHANGE_VERB.finditer(clean))
    if not stated and verbs and not _CHANGE_VERB.match(clean) and not _COUNT_GOAL.match(clean):
        # "We aim to reach 25,000 subscribers": the goal's verb is inside the sentence.
        clean = clean[verbs[-1].start() :]
    counted = _COUNT_GOAL.match(clean)
    if counted:
        # "Hire 6 engineers for X by March": the metric is the count of engineers hired.
        thing = re.split(_METRIC_END, counted.group(3))[0].strip(" ,")
        # "in 2027" says when, not what is counted.
        thing = re.sub(r"\s+(?:in|during)\s+(?:19|20)\d\d$", "", thing)
        return f"{thing} {_PARTICIPLE[counted.group(1).lower()]}"
    clean = _CHANGE_VERB.sub("", clean)
    # "Reach 25,000 digital subscribers by ...": a count names its metric after the number.
    clean = re.sub(
        r"^(?:about\s+|at least\s+)?[$€£]?\d[\d,.]*(?:%|\s?(?:million|billion|thousand|bn|[kmb])\b)?\s*"
        r"(?=[A-Za-z])",
        "",
        clean,
    )
    match = re.split(_METRIC_END, clean)
    # "at least 98% of properties ...": the share is of what is measured.
    name = re.sub(r"^of\s+", "", match[0].strip(" ,"))
    words = name.split()[:8]
    # A name never ends on a preposition or an article ("Pages load in", "Corrections on").
    while len(words) > 1 and words[-1].lower() in FUNCTION_WORDS:
        words.pop()
    return " ".join(words) if words else clean


def parse_record(text: str) -> dict[str, str]:
    """ "metric: X; current: Y; target: Z." as {"metric": "X", ...} (table and CSV rows)."""
    return {k.strip().lower(): v.strip() for k, v in _RECORD_PAIR.findall(text.strip().rstrip("."))}


def metric_label(text: str, heading: str | None, projects: set[str]) -> str:
    """A goal is labelled by what it measures: its metric's business area, else the metric's
    own name when it is short ("DIGITAL SUBSCRIBERS"), not the verb it opens with ("CUT")."""
    metric = metric_name(text)
    scores = area_scores(metric)
    if scores:
        best = max(n for _, n in scores)
        return next(label for label, n in scores if n == best)
    named = label_words(metric)
    if 1 <= len(named) <= 3 and not re.search(r"\d", metric):
        return tidy_label(" ".join(named))
    return label_for(display_text(text), heading, projects=projects)

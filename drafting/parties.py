"""Whose fact a statement is: ours (the organisation the draft is about) or another party's.

A SWOT splits facts by who they are about: a fact about the organisation itself is a strength or
a weakness, a fact about its world (rivals, the market, regulators, customers outside) an
opportunity or a threat. The classifier reads a sentence's topic, which is often the same on
both sides ("energy costs rose", "a rival's energy costs rose"); the grammatical subject says
whose fact it is. English puts the subject first, so the words before the first verb are read:
"Our two oldest gyms still run on ..." is about us, "They hired two of our reporters" about
someone else, even though both mention us.
"""

from __future__ import annotations

import re
from typing import Literal

Party = Literal["ours", "theirs"]

# First-person words: the writer's organisation speaking of itself.
_OURS = frozenset(("we", "our", "us", "we're", "we've", "we'd"))
# "close to ours", "twice ours": a thing of ours set against another party's, so the sentence
# is about the other party.
_SET_AGAINST_OURS = re.compile(r"\bours\b", re.IGNORECASE)
# Third-person pronouns that open a sentence about another organisation named before it.
_THEIRS = frozenset(("they", "their", "its", "they're", "they've"))
# Where the subject ends: an auxiliary or a very common verb (any past tense counts too: -ed
# below, and irregular ones that are never nouns here). The same general English as a
# priority's name for an item (drafting/naming.gist).
_SUBJECT_END_TEXT = """is are was were be been has have had will would could can should may might must do does
    did not say says said want wants wanted need needs take takes took make makes made get gets
    got keep keeps kept run runs ran fill fills hold holds reach reached grew fell rose won lost
    began became went came saw left lets let plans plan still only also now bought sold brought
    spent sent told gave chose knew wrote thought caught taught found overtook"""
SUBJECT_END = frozenset(_SUBJECT_END_TEXT.split())
# Present-tense verbs common in business prose that are seldom nouns, so their -s form after a
# noun ends the subject ("the website fails", "the rival owns"). Words that are as often
# nouns ("costs", "rates", "calls") are left out: "energy costs rose" keeps its subject.
_PRESENT_TEXT = """own fail lose lack serve cover rank remain stay open carry sell employ exceed ask
    want operate run hold trail lead lag depend rely start begin expect threaten"""
PRESENT_VERBS = frozenset(_PRESENT_TEXT.split())
# Verbs whose bare form follows a plural subject ("queues average 25 minutes").
_PLURAL_PRESENT_TEXT = "average total cost need face use pay offer show rate reach say call"
PLURAL_PRESENT_VERBS = PRESENT_VERBS | frozenset(_PLURAL_PRESENT_TEXT.split())


def ends_subject(word: str, previous: str | None, plural: bool = False) -> bool:
    """Whether `word` (lower case) is the verb that ends a sentence's subject; `plural` when
    the subject before it is plural without showing it ("87% rate ...")."""
    if word in SUBJECT_END or (word.endswith("ed") and len(word) > 4):
        return True
    if plural and word in PLURAL_PRESENT_VERBS:
        return True
    if previous is None:
        return False
    if word.endswith("s") and (word[:-1] in PRESENT_VERBS or word[:-2] in PRESENT_VERBS):
        return True
    return previous.endswith("s") and word in PLURAL_PRESENT_VERBS


_MAX_SUBJECT_WORDS = 8
# Words that name no one: articles, and the kind of thing a subject is ("Project Kestrel",
# "the Payments team"), so the name that remains ("Kestrel") is what sentences call it.
_GENERIC = frozenset(
    (
        "the", "a", "an", "of", "and", "company", "group", "team", "org",
        "project", "programme", "program", "initiative",
    )
)  # fmt: skip


def subject_phrase(text: str) -> list[str]:
    """The words a sentence opens with, up to its first verb (at most a few words)."""
    words: list[str] = []
    for token in text.split():
        word = token.strip(",;:()\"“”'‘’.")
        lowered = word.lower()
        if ends_subject(lowered, words[-1].lower() if words else None):
            break
        words.append(word)
        if token.endswith((",", ";", ":")) or len(words) >= _MAX_SUBJECT_WORDS:
            break
    return words


def party(text: str, subject: str = "") -> Party | None:
    """ "ours" when the sentence's subject is the organisation (we, our X, its own name), "theirs"
    when it is another party named by a pronoun, None when the subject does not say."""
    phrase = subject_phrase(text)
    if not phrase:
        return None
    lowered = [w.lower() for w in phrase]
    if set(lowered) & _OURS:
        return "ours"
    if lowered[0] in _THEIRS or _SET_AGAINST_OURS.search(text):
        return "theirs"
    names = [w for w in re.findall(r"[A-Za-z][\w&'-]*", subject) if w.lower() not in _GENERIC]
    # The organisation's own name: the whole name, or its first (most distinctive) word written
    # as a name. Later words of a name are often ordinary nouns ("... Water", "... Climbing").
    if names:
        joined = " ".join(lowered)
        whole = " ".join(n.lower() for n in names)
        first = names[0]
        if whole in joined or any(w == first or w == f"{first}'s" for w in phrase):
            return "ours"
    return None

"""Key priorities: actions that pair quadrant items the way a strategist would.

Each priority answers one or two items (cited): fix the weakness a threat exploits, use a
strength to seize an opportunity, fix the weakness that blocks an opportunity, use a strength
against a threat. Where the knowledge base states a plan or goal that addresses them, the
priority is that plan, in the imperative, and cites it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from drafting.draft import Item
from drafting.grounding import extract_figures
from drafting.labels import AREAS
from drafting.metric_text import is_date
from drafting.statement_pool import Typed
from knowledge.statements import display_text

# (first quadrant, second quadrant, weight): problems a threat can exploit come first.
PAIRINGS = (
    ("weaknesses", "threats", 0.12),
    ("strengths", "opportunities", 0.1),
    ("weaknesses", "opportunities", 0.06),
    ("strengths", "threats", 0.04),
)
# Two items are worth answering together when they are at least this close in meaning.
MIN_PAIR_SIMILARITY = 0.25
# A plan answers an item when it is this close to it (mean over the items it answers).
MIN_PLAN_SIMILARITY = 0.4
_PLAN_LEAD = re.compile(
    r"^(?:we(?:'ll| will| plan to| aim to| intend to| are going to| must| need to| should)|"
    r"our (?:goal|aim|plan|priority|objective) is to|(?:goal|action|next step|plan|decision)"
    r"\s*:|to)\s+",
    re.IGNORECASE,
)
# Verbs plans open with, in any industry. Without a part-of-speech tagger, a known verb is the
# safe test for an imperative: "Annual revenue reached ..." and "Eleven customers ..." are not.
PLAN_VERBS = frozenset(
    [
        "achieve",
        "add",
        "adopt",
        "align",
        "audit",
        "automate",
        "bring",
        "build",
        "certify",
        "close",
        "complete",
        "consolidate",
        "create",
        "cut",
        "decide",
        "define",
        "deliver",
        "deploy",
        "design",
        "document",
        "double",
        "enter",
        "establish",
        "expand",
        "extend",
        "finish",
        "fix",
        "grow",
        "halve",
        "harden",
        "hire",
        "hit",
        "hold",
        "implement",
        "improve",
        "increase",
        "integrate",
        "introduce",
        "invest",
        "keep",
        "launch",
        "lift",
        "lower",
        "make",
        "measure",
        "migrate",
        "modernise",
        "modernize",
        "monitor",
        "move",
        "negotiate",
        "offer",
        "onboard",
        "open",
        "partner",
        "pilot",
        "prepare",
        "price",
        "prioritise",
        "prioritize",
        "protect",
        "publish",
        "raise",
        "reach",
        "rebuild",
        "recruit",
        "redesign",
        "reduce",
        "refresh",
        "renew",
        "replace",
        "resolve",
        "restructure",
        "retire",
        "review",
        "roll",
        "run",
        "scale",
        "secure",
        "set",
        "ship",
        "shorten",
        "sign",
        "simplify",
        "standardise",
        "standardize",
        "start",
        "stop",
        "strengthen",
        "test",
        "train",
        "upgrade",
        "win",
    ]
)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
AREA_LABELS = frozenset(label for label, _ in AREAS)
# Two stated plans this close in meaning (MiniLM cosine) are one plan written twice.
SAME_PLAN = 0.8


@dataclass(frozen=True)
class Evidence:
    quadrant: str
    item: Item
    vector: np.ndarray


def imperative(text: str) -> str | None:
    """A plan or goal as an imperative sentence, or None when it is not one ("We moved ...")."""
    clean = display_text(text)
    stripped = _PLAN_LEAD.sub("", clean).strip()
    first = _FIRST_WORD.match(stripped)
    if first is None or first.group(0).lower() not in PLAN_VERBS:
        return None
    return stripped[0].upper() + stripped[1:]


def proper_nouns(texts: list[str]) -> set[str]:
    """Words some text capitalises mid-sentence ("the Kestrel pilot"): names, kept as written."""
    found: set[str] = set()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:;])\s+", text):
            words = re.findall(r"[A-Za-z][\w&'-]*", sentence)
            found |= {w for w in words[1:] if w[0].isupper() and not w.isupper()}
    return found


def _area(label: str, proper: set[str]) -> str:
    """A label as a noun in a sentence: a name keeps its capital ("Kestrel"), an acronym its
    capitals, a common noun goes lower case."""
    if len(label) <= 4 and label.isupper():
        return label
    by_lower = {w.lower(): w for w in proper}
    return " ".join(by_lower.get(w.lower(), w.lower()) for w in label.split())


# Where a sentence's subject ends: an auxiliary or a common verb (or any past tense) after it.
_SUBJECT_END_WORDS_TEXT = """is are was were be been has have had will would could can should may might must do does
    did not say says said want wants wanted need needs take takes took make makes made get gets
    got keep keeps kept run runs ran fill fills hold holds reach reached grew fell rose won lost
    began became went came saw left"""
_SUBJECT_END = frozenset(_SUBJECT_END_WORDS_TEXT.split())
MAX_GIST_WORDS = 5


def gist(item: Item, proper: set[str]) -> str | None:
    """What an item is about, as the noun phrase its sentence opens with ("the booking app",
    "employers in the valley"), for a priority to name; None when it opens with no noun."""
    words: list[str] = []
    tokens = item.text.rstrip(".").split()
    # "36% of non-subscribers", "only 8% of readers": the people or things counted are what
    # the item is about, not their share.
    while len(tokens) > 2 and (re.search(r"\d", tokens[0]) or tokens[0].lower() in _QUANTIFIERS):
        tokens = tokens[2:] if tokens[1].lower() == "of" else tokens[1:]
    for token in tokens:
        word = token.strip(',;:()"“”')
        lowered = word.lower()
        verb = lowered in _SUBJECT_END or (lowered.endswith("ed") and len(lowered) > 4)
        if verb and not words:
            return None  # "37% asked for ...": the sentence opens with its verb, no noun
        # A verb or a figure ends the noun phrase ("the pilot with 12 customers cut ...").
        if verb or (words and re.search(r"\d", word)):
            break
        if token != word and words:
            words.append(word)
            break
        words.append(word)
        if len(words) >= MAX_GIST_WORDS:
            break
    by_lower = {w.lower(): w for w in proper}
    phrase = [
        by_lower.get(w.lower(), w if w.isupper() and len(w) > 1 else w.lower()) for w in words
    ]
    while phrase and phrase[-1].lower() in _TRAILING:
        phrase.pop()
    if not phrase or not re.search(r"[A-Za-z]{3}", " ".join(phrase)):
        return None
    return " ".join(phrase)


_QUANTIFIERS = frozenset(("only", "around", "about", "nearly", "almost", "some", "most", "all"))
_TRAILING_TEXT = "a an the of in on at to for and or with by from our their its"
_TRAILING = frozenset(_TRAILING_TEXT.split())


def _name(evidence: Evidence, proper: set[str]) -> str:
    """How a priority names an item: its business area when it has one, else its subject."""
    label = evidence.item.label
    if label in AREA_LABELS:
        return _area(label, proper)
    return gist(evidence.item, proper) or _area(label, proper)


def _target(text: str) -> str | None:
    """The value a plan aims at: its last figure that is not a date."""
    values = [f.surface for f in extract_figures(text) if not is_date(f.surface)]
    return values[-1].replace(" ", "") if values else None


def _template(first: Evidence, second: Evidence | None, proper: set[str]) -> str:
    a = _name(first, proper)
    if second is None:
        return {
            "weaknesses": f"Fix our weakness in {a} before it costs more ground.",
            "threats": f"Prepare our answer to the threat in {a} before it lands.",
            "opportunities": f"Go after the opportunity in {a} with a named owner and budget.",
            "strengths": f"Invest in {a}, where we already lead.",
        }[first.quadrant]
    b = _name(second, proper)
    pair = (first.quadrant, second.quadrant)
    if a.lower() == b.lower():
        # Both items are about one area: the sentence names it once.
        return {
            ("weaknesses", "threats"): f"Fix our weakness in {a} before a threat exploits it.",
            ("strengths", "opportunities"): f"Use our strength in {a} to capture the "
            "opportunity it opens.",
            ("weaknesses", "opportunities"): f"Fix our weakness in {a} so it does not hold back "
            "the opportunity there.",
            ("strengths", "threats"): f"Use our strength in {a} to blunt the threat it faces.",
        }[pair]
    return {
        ("weaknesses", "threats"): f"Fix our weakness in {a} before the threat in {b} exploits it.",
        ("strengths", "opportunities"): f"Use our strength in {a} to capture the opportunity in "
        f"{b}.",
        ("weaknesses", "opportunities"): f"Fix our weakness in {a} so it does not hold back the "
        f"opportunity in {b}.",
        ("strengths", "threats"): f"Use our strength in {a} to blunt the threat in {b}.",
    }[pair]


def _pairs(evidence: dict[str, list[Evidence]]) -> list[tuple[float, Evidence, Evidence]]:
    pairs = []
    for first_key, second_key, weight in PAIRINGS:
        for i, a in enumerate(evidence.get(first_key, [])):
            for j, b in enumerate(evidence.get(second_key, [])):
                similarity = float(a.vector @ b.vector)
                if similarity < MIN_PAIR_SIMILARITY:
                    continue
                # Items near the top of their quadrant matter more.
                rank_bonus = 0.05 / (1 + i) + 0.05 / (1 + j)
                pairs.append((similarity + weight + rank_bonus, a, b))
    pairs.sort(key=lambda p: p[0], reverse=True)
    return pairs


def draft_priorities(
    evidence: dict[str, list[Evidence]],
    plans: list[Typed],
    labels: dict[tuple[str, int], str],
    count: int = 4,
) -> list[Item]:
    """Up to `count` priorities, paired items first, then single problems and openings."""
    used: set[int] = set()
    groups: list[tuple[Evidence, Evidence | None]] = []
    for _score, a, b in _pairs(evidence):
        if len(groups) >= count:
            break
        if id(a) in used or id(b) in used:
            continue
        used |= {id(a), id(b)}
        groups.append((a, b))
    for key in ("weaknesses", "threats", "opportunities", "strengths"):
        for single in evidence.get(key, []):
            if len(groups) >= count:
                break
            if id(single) not in used:
                used.add(id(single))
                groups.append((single, None))
    proper = proper_nouns([e.item.text for group in evidence.values() for e in group])
    usable = [(p, text) for p in plans if (text := imperative(p.text)) is not None]
    plan_matrix = np.vstack([p.vector for p, _ in usable]) if usable else None
    taken_plans: set[int] = set()
    items: list[Item] = []
    for first, second in groups:
        answered = [first] if second is None else [first, second]
        sources = list(dict.fromkeys(sid for e in answered for sid in e.item.sources))
        text, label = _template(first, second, proper), first.item.label
        if plan_matrix is not None:
            fit = np.mean([plan_matrix @ e.vector for e in answered], axis=0)
            for index in np.argsort(-fit):
                if int(index) in taken_plans or fit[index] < MIN_PLAN_SIMILARITY:
                    continue
                # A plan restated in another document (the memo's goal, the OKR page's key
                # result) answers one thing once.
                if any(
                    float(plan_matrix[index] @ plan_matrix[i]) >= SAME_PLAN
                    or (
                        _target(usable[i][1])
                        and _target(usable[i][1]) == _target(usable[int(index)][1])
                    )
                    for i in taken_plans
                ):
                    continue
                plan, plan_text = usable[int(index)]
                taken_plans.add(int(index))
                text = plan_text
                label = labels.get(plan.key, label)
                sources = list(dict.fromkeys([plan.chunk_id, *sources]))
                break
        items.append(Item(label=label, text=text, sources=sources))
    return items

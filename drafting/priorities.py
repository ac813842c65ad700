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
from drafting.naming import Casing, area_name, casing_of, demand, gist
from drafting.statement_pool import Typed, without_owner
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


# "Win rate target: from 27% to 35% by Q2 2027": an OKR line names its measure, then the move.
# It is no imperative, even when its first word could be a verb ("Win", "Change").
_MEASURE_MOVE = re.compile(
    r"^(?P<measure>[A-Za-z][^:]{2,60}?)(?:\s+(?:target|goal|objective))?\s*:\s*"
    r"from\s+(?P<start>[^:]{0,20}?\d[^:]{0,20}?)\s+to\s+"
    r"(?P<end>(?:[A-Za-z]{1,4}\s)?[$€£]?\d[\d.,]*%?)(?P<rest>(?:[\s.;,].*)?)$",
    re.IGNORECASE,
)


def _value(figure: str) -> float | None:
    digits = re.sub(r"[^\d.]", "", figure.replace(",", "")).strip(".")
    return float(digits) if digits else None


def _move(line: str, casing: Casing) -> str | None:
    """An OKR line ("Win rate target: from 27% to 35% by Q2 2027") as the move it asks for:
    "Raise win rate from 27% to 35% by Q2 2027." None when it is no such line."""
    match = _MEASURE_MOVE.match(line)
    if match is None:
        return None
    start, end = _value(match["start"]), _value(match["end"])
    if start is None or end is None or start == end:
        return None
    # The measure moves to the middle of the sentence, so it is cased as a name is.
    words = match["measure"].split()
    measure = " ".join(casing.word(w, first=i == 0) for i, w in enumerate(words))
    verb = "Raise" if end > start else "Cut"
    rest = match["rest"].rstrip(" .;,")
    return f"{verb} {measure} from {match['start']} to {match['end'].rstrip('.,')}{rest}"


def imperative(text: str, casing: Casing | None = None) -> str | None:
    """A plan or goal as an imperative sentence, or None when it is not one ("We moved ...").
    `casing` tells names from common words in a measure that moves mid-sentence."""
    clean = display_text(text)
    stripped = _PLAN_LEAD.sub("", clean).strip()
    # "Cut churn to 2.5% by June. — owner: Sam" reads as one sentence with its owner in
    # brackets: "Cut churn to 2.5% by June (owner: Sam)."
    core = without_owner(stripped)
    owner = stripped[len(core) :].strip(" —–-(.)")
    if _MEASURE_MOVE.match(core):
        moved = _move(core, casing or casing_of([text]))
        if moved is None:
            return None
        core = moved
    else:
        first = _FIRST_WORD.match(stripped)
        if first is None or first.group(0).lower() not in PLAN_VERBS:
            return None
    core = core.rstrip(". ")
    sentence = f"{core} ({owner})." if owner else f"{core}."
    return sentence[0].upper() + sentence[1:]


def _name(evidence: Evidence, casing: Casing) -> str | None:
    """How a priority names an item. Our own strengths and weaknesses by their business area
    when they have one ("reliability"); the outside world by what it is (the demand an
    opening holds, else the subject of its sentence: "commercial rents in the valley"), since
    an area label says too little about a force outside our control."""
    label = evidence.item.label
    area = area_name(label) if label in AREA_LABELS else None
    if evidence.quadrant in ("opportunities", "threats"):
        found = demand(evidence.item.text) if evidence.quadrant == "opportunities" else None
        return found or gist(evidence.item, casing) or area
    # None: nothing names the item well enough for a priority to speak of it.
    return area or gist(evidence.item, casing)


def _target(text: str) -> str | None:
    """The value a plan aims at: its last figure that is not a date."""
    values = [f.surface for f in extract_figures(text) if not is_date(f.surface)]
    return values[-1].replace(" ", "") if values else None


# How a strategist words each kind of priority. Several phrasings per pairing, taken in turn,
# so four priorities do not read as one form filled four times. Each pairs its items by what
# to do with them (fix, build on, defend); the item names go where no verb has to agree with
# them ("before {b} can widen the damage", not "before {b} widens it").
_PAIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("weaknesses", "threats"): (
        "Fix {a} now: {b} will make every gap there costlier.",
        "Shore up {a} before {b} can widen the damage.",
        "Close the gap in {a} ahead of {b}.",
    ),
    ("strengths", "opportunities"): (
        "Build on {a} to go after {b}.",
        "Put {a} to work on {b}.",
        "Turn {a} into an edge with {b}.",
    ),
    ("weaknesses", "opportunities"): (
        "Fix {a} so we are ready for {b}.",
        "Sort out {a} first; {b} will not wait.",
    ),
    ("strengths", "threats"): (
        "Use {a} to hold our ground against {b}.",
        "Lean on {a} to answer {b}.",
    ),
}
# Both items about one area: the sentence names it once.
_ONE_AREA: dict[tuple[str, str], tuple[str, ...]] = {
    ("weaknesses", "threats"): (
        "Fix {a} before outside pressure on it grows.",
        "Shore up {a} while there is still time.",
    ),
    ("strengths", "opportunities"): (
        "Invest in {a}, where we are strong and demand is growing.",
        "Grow {a}: we are good at it and the demand is there.",
    ),
    ("weaknesses", "opportunities"): ("Fix {a} so the demand there does not pass us by.",),
    ("strengths", "threats"): ("Defend {a}, where we lead but face pressure.",),
}
_SINGLE: dict[str, tuple[str, ...]] = {
    "weaknesses": ("Fix {a} this year.", "Put a named owner on {a} and track it monthly."),
    "threats": ("Decide how we answer {a}, and by when.", "Plan our response to {a} now."),
    "opportunities": ("Give {a} an owner and a budget.", "Test {a} with a small pilot."),
    "strengths": ("Keep investing in {a}.", "Make more of {a}."),
}


_FORCE = {"threats": "threat", "opportunities": "opportunity"}


def _as_force(evidence: Evidence, name: str) -> str:
    """An outside item named only by its business area ("pricing") is not something to get
    ahead of or go after; as "the pricing threat" it is."""
    noun = _FORCE.get(evidence.quadrant)
    label = evidence.item.label
    if noun and label in AREA_LABELS and name == area_name(label):
        return f"the {name} {noun}"
    return name


def _template(first: Evidence, second: Evidence | None, casing: Casing, turn: int = 0) -> str:
    """The priority's sentence; `turn` (its place in the list) picks among the phrasings."""
    a = _name(first, casing) or first.item.label.lower()
    if second is None:
        forms = _SINGLE[first.quadrant]
        sentence = forms[turn % len(forms)].format(a=_as_force(first, a))
    else:
        b = _name(second, casing) or second.item.label.lower()
        pair = (first.quadrant, second.quadrant)
        forms = _ONE_AREA[pair] if a.lower() == b.lower() else _PAIRED[pair]
        sentence = forms[turn % len(forms)].format(a=a, b=_as_force(second, b))
    return sentence[0].upper() + sentence[1:]


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
    corpus: list[str] | None = None,
) -> list[Item]:
    """Up to `count` priorities, paired items first, then single problems and openings.
    `corpus`: the knowledge base's statements, whose casing tells names from common words
    (the items and plans alone when not given)."""
    texts = [e.item.text for group in evidence.values() for e in group] + [p.text for p in plans]
    casing = casing_of(texts, corpus)
    # A priority speaks of the items it answers by name; one that cannot be named (its
    # sentence opens with a pronoun or a bare count of respondents) stays out of the pairing
    # rather than be called by a fragment.
    names = {id(e): _name(e, casing) for group in evidence.values() for e in group}
    evidence = {k: [e for e in group if names[id(e)]] for k, group in evidence.items()}
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
    usable = [(p, text) for p in plans if (text := imperative(p.text, casing)) is not None]
    plan_matrix = np.vstack([p.vector for p, _ in usable]) if usable else None
    taken_plans: set[int] = set()
    items: list[Item] = []
    for turn, (first, second) in enumerate(groups):
        answered = [first] if second is None else [first, second]
        sources = list(dict.fromkeys(sid for e in answered for sid in e.item.sources))
        text, label = _template(first, second, casing, turn), first.item.label
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

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
from drafting.parties import ends_subject
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


def imperative(text: str) -> str | None:
    """A plan or goal as an imperative sentence, or None when it is not one ("We moved ...")."""
    clean = display_text(text)
    stripped = _PLAN_LEAD.sub("", clean).strip()
    first = _FIRST_WORD.match(stripped)
    if first is None or first.group(0).lower() not in PLAN_VERBS:
        return None
    # "Cut churn to 2.5% by June. — owner: Sam" reads as one sentence with its owner in
    # brackets: "Cut churn to 2.5% by June (owner: Sam)."
    core = without_owner(stripped)
    owner = stripped[len(core) :].strip(" —–-(.)")
    sentence = f"{core.rstrip('. ')} ({owner})." if owner else stripped
    return sentence[0].upper() + sentence[1:]


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


MAX_GIST_WORDS = 5


def gist(item: Item, proper: set[str]) -> str | None:
    """What an item is about, as the noun phrase its sentence opens with ("the booking app",
    "employers in the valley"), for a priority to name; None when it opens with no noun."""
    words: list[str] = []
    tokens = item.text.rstrip(".").split()
    # "36% of non-subscribers", "only 8% of readers": the people or things counted are what
    # the item is about, not their share.
    counted = False
    while len(tokens) > 2 and (re.search(r"\d", tokens[0]) or tokens[0].lower() in _QUANTIFIERS):
        tokens = tokens[2:] if tokens[1].lower() == "of" else tokens[1:]
        counted = True
    for token in tokens:
        word = token.strip(',;:()"“”')
        lowered = word.lower()
        # After a count ("87% rate ..."), the people counted are a plural subject already.
        verb = ends_subject(lowered, words[-1].lower() if words else None, counted and not words)
        if verb and not words:
            return None  # "37% asked for ...": the sentence opens with its verb, no noun
        # A verb or a figure ends the noun phrase ("the pilot with 12 customers cut ...").
        if verb or (words and re.search(r"\d", word)):
            break
        # "customers who met a field crew": a relative clause describes the noun, the noun
        # alone names it.
        if words and lowered in _RELATIVE:
            break
        if token != word and words:
            words.append(word)
            if len(words) <= 2 and token.endswith(","):
                # "A free, advertiser-funded site": a comma this early cuts a list of
                # describing words, and the noun they describe is not reached.
                return None
            break
        words.append(word)
        if len(words) >= MAX_GIST_WORDS:
            break
    if words and words[0].lower() in _PRONOUNS:
        return None  # "its app", "they": the name it stands for is elsewhere (the label)
    if counted and len(words) == 1:
        # "78% of respondents say ...": the people counted are who answered, not what the
        # finding is about.
        return None
    by_lower = {w.lower(): w for w in proper}
    phrase = [
        by_lower.get(w.lower(), w if w.isupper() and len(w) > 1 else w.lower()) for w in words
    ]
    while phrase and phrase[-1].lower() in _TRAILING:
        phrase.pop()
    if not phrase or not re.search(r"[A-Za-z]{3}", " ".join(phrase)):
        return None
    return " ".join(phrase)


_RELATIVE = frozenset(("who", "which", "that", "whose", "where"))
_PRONOUNS = frozenset(("it", "its", "they", "their", "them", "this", "these", "those", "he", "she"))
_QUANTIFIERS = frozenset(("only", "around", "about", "nearly", "almost", "some", "most", "all"))
_TRAILING_TEXT = "a an the of in on at to for and or with by from our their its"
_TRAILING = frozenset(_TRAILING_TEXT.split())


# Verbs by which people say what they want: what follows is the demand itself.
_DEMAND = re.compile(
    r"\b(?:want|wants|would (?:pay|switch|sign up|come|buy|use) (?:for|to)?|asked (?:us )?for|"
    r"ask (?:us )?for|need|needs|are looking for|is looking for)\s+(?P<what>[^;:.]+)",
    re.IGNORECASE,
)


def _demand(text: str) -> str | None:
    """What an opening asks for ("52% of parents would pay for a structured programme" -> "a
    structured programme"): the demand names an opportunity better than who holds it."""
    match = _DEMAND.search(text)
    if match is None:
        return None
    # The demand ends where a new clause starts ("..., and both have asked us for a price").
    what = re.split(r",\s+(?:and|but|so|which|while|not)\b", match.group("what"))[0]
    words = what.split()
    if words and words[0].lower() == "to":
        return None  # "want to coach": a wish to act, not a thing in demand
    if not 1 <= len(words) <= MAX_GIST_WORDS + 2 or re.search(r"\d", what):
        return None
    return " ".join(words)


def _name(evidence: Evidence, proper: set[str]) -> str | None:
    """How a priority names an item. Our own strengths and weaknesses by their business area
    when they have one ("reliability"); the outside world by what it is (the demand an
    opening holds, else the subject of its sentence: "commercial rents in the valley"), since
    an area label says too little about a force outside our control."""
    label = evidence.item.label
    area = _area(label, proper) if label in AREA_LABELS else None
    if evidence.quadrant in ("opportunities", "threats"):
        found = _demand(evidence.item.text) if evidence.quadrant == "opportunities" else None
        return found or gist(evidence.item, proper) or area
    # None: nothing names the item well enough for a priority to speak of it.
    return area or gist(evidence.item, proper)


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


def _template(first: Evidence, second: Evidence | None, proper: set[str], turn: int = 0) -> str:
    """The priority's sentence; `turn` (its place in the list) picks among the phrasings."""
    a = _name(first, proper) or first.item.label.lower()
    if second is None:
        forms = _SINGLE[first.quadrant]
        sentence = forms[turn % len(forms)].format(a=a)
    else:
        b = _name(second, proper) or second.item.label.lower()
        pair = (first.quadrant, second.quadrant)
        forms = _ONE_AREA[pair] if a.lower() == b.lower() else _PAIRED[pair]
        sentence = forms[turn % len(forms)].format(a=a, b=b)
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
) -> list[Item]:
    """Up to `count` priorities, paired items first, then single problems and openings."""
    proper = proper_nouns([e.item.text for group in evidence.values() for e in group])
    # A priority speaks of the items it answers by name; one that cannot be named (its
    # sentence opens with a pronoun or a bare count of respondents) stays out of the pairing
    # rather than be called by a fragment.
    names = {id(e): _name(e, proper) for group in evidence.values() for e in group}
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
    usable = [(p, text) for p in plans if (text := imperative(p.text)) is not None]
    plan_matrix = np.vstack([p.vector for p, _ in usable]) if usable else None
    taken_plans: set[int] = set()
    items: list[Item] = []
    for turn, (first, second) in enumerate(groups):
        answered = [first] if second is None else [first, second]
        sources = list(dict.fromkeys(sid for e in answered for sid in e.item.sources))
        text, label = _template(first, second, proper, turn), first.item.label
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

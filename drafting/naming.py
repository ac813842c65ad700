"""How a priority names a quadrant item: the noun phrase its sentence opens with, cased as
the sources write it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafting.draft import Item
from drafting.parties import ends_subject
from knowledge.vocabulary import common_words

_WORD = re.compile(r"[A-Za-z][\w&'’-]*")
_SENTENCES = re.compile(r"(?<=[.!?:;])\s+")
# Endings that turn a common word into another ("dispatch" -> "dispatchers", "leak" ->
# "leakage"): a word the vocabulary lacks is still common when its stem is there.
_SUFFIXES = ("ies", "ers", "ing", "age", "es", "er", "ed", "s")


@dataclass(frozen=True)
class Casing:
    """Which words the sources treat as names. `proper`: written with a capital in the middle
    of a sentence ("the Kestrel pilot"); `lower`: written lower case somewhere."""

    proper: dict[str, str]  # lower case -> as written
    lower: frozenset[str]

    def common(self, word: str) -> bool:
        """Whether a capitalised word seen only at the start of sentences is a common word
        (capitalised because it comes first) rather than a name ("Routewise cut ...").

        A word the sources also write lower case is common; so is one in a general English
        vocabulary, or made from one by a usual ending. Anything else (a coined company or
        product name) keeps its capital: lower-casing a name is a visible error, while a
        capital kept on a rare common word is only unusual.
        """
        lowered = word.lower().removesuffix("'s").removesuffix("’s")
        parts = [p for p in lowered.split("-") if p]
        return bool(parts) and all(self._common_part(p) for p in parts)

    def _common_part(self, part: str) -> bool:
        vocabulary = common_words()
        if part in self.lower or part in vocabulary or not part.isalpha():
            return True
        for suffix in _SUFFIXES:
            stem = part[: -len(suffix)]
            if not part.endswith(suffix) or len(stem) < 3:
                continue
            # "insurers" from "insure", "agencies" from "agency".
            forms = (stem, f"{stem}y" if suffix == "ies" else f"{stem}e")
            if any(form in vocabulary for form in forms):
                return True
        return False

    def word(self, word: str, first: bool) -> str:
        """A word as it goes in the middle of a priority's sentence."""
        known = self.proper.get(word.lower())
        if known is not None:
            return known
        if len(word) > 1 and word.isupper():
            return word  # an acronym keeps its capitals
        if first and word[:1].isupper() and not self.common(word):
            return word  # a name only ever seen opening a sentence, kept as written
        return word.lower()


def casing_of(texts: list[str], corpus: list[str] | None = None) -> Casing:
    """The casing evidence in the draft's own `texts` and, for words written lower case, the
    wider `corpus` (the knowledge base's statements). Names come from the draft's texts only:
    a wide corpus holds headings and table rows in title case ("Pricing Review"), which would
    make common words look like names."""
    proper: dict[str, str] = {}
    lower: set[str] = set()
    for text in texts:
        for sentence in _SENTENCES.split(text):
            words = _WORD.findall(sentence)
            proper |= {w.lower(): w for w in words[1:] if w[0].isupper() and not w.isupper()}
    for text in texts + (corpus or []):
        lower.update(w for w in _WORD.findall(text) if w.islower())
    return Casing(proper=proper, lower=frozenset(lower))


def area_name(label: str) -> str:
    """A business-area label (a common noun such as "PRICING", or an acronym such as "AI") as
    a noun in a sentence: lower case, an acronym keeping its capitals."""
    return label if len(label) <= 4 and label.isupper() else label.lower()


# A noun phrase is at most this long in a priority; a subject read this far without reaching
# its verb has not been understood.
MAX_GIST_WORDS = 5
_MAX_SUBJECT_READ = 8
_RELATIVE = frozenset(("who", "which", "that", "whose", "where"))
_PRONOUNS = frozenset(("it", "its", "they", "their", "them", "this", "these", "those", "he", "she"))
_QUANTIFIERS = frozenset(("only", "around", "about", "nearly", "almost", "some", "most", "all"))
# Words that open a noun phrase. Inside a subject one only follows a preposition or a
# conjunction ("employers in the valley"); after any other word that word is the verb:
# "Northgate cut its fares", "the council shut the depot".
_DETERMINERS_TEXT = "the a an its their our his her my your this these those every each"
_DETERMINERS = frozenset(_DETERMINERS_TEXT.split())
# Prepositions and conjunctions: where a noun phrase's head ends and what qualifies it
# begins, so the words before one are a whole noun phrase ("energy prices | for large halls",
# "diesel volatility | and rising insurance costs").
_LINKS_TEXT = """of in on at to for with by from into onto over under about across after before
    behind between beyond during near since through toward towards without within among against
    along around per via than like and or but nor plus versus vs"""
_LINKS = frozenset(_LINKS_TEXT.split())
_BEFORE_DETERMINER = _LINKS | frozenset(("all", "both", "half"))
# Verbs by which a subject passes on news to us ("X has told us", "X warns that"). Not "say"
# or "expect": "44% of care homes said they want ..." gives the view of those who hold it.
_REPORTING_TEXT = """tell tells told warn warns warned announce announces announced notify notifies
    notified inform informs informed"""
_REPORTING = frozenset(_REPORTING_TEXT.split())


def _subject(tokens: list[str], counted: bool) -> tuple[list[str], bool] | None:
    """The words before the sentence's verb, and whether the subject was read to its end;
    None when the sentence opens with its verb."""
    words: list[str] = []
    for i, token in enumerate(tokens):
        word = token.strip(',;:()"“”')
        lowered = word.lower()
        following = tokens[i + 1].strip(',;:()"“”').lower() if i + 1 < len(tokens) else ""
        # After a count ("87% rate ..."), the people counted are a plural subject already.
        verb = ends_subject(lowered, words[-1].lower() if words else None, counted and not words)
        if verb and not words:
            return None  # "37% asked for ...": the sentence opens with its verb, no noun
        verb = verb or (
            bool(words) and following in _DETERMINERS and lowered not in _BEFORE_DETERMINER
        )
        # "12% of passengers book ...": the counted noun is plural and last in its phrase
        # (English compounds put the plural last: "passenger numbers"), so a word after it
        # that is neither a preposition nor another plural is the verb.
        verb = verb or (
            counted
            and bool(words)
            and words[-1].lower().endswith("s")
            and lowered not in _LINKS
            and not lowered.endswith("s")
        )
        # A verb or a figure ends the noun phrase ("the pilot with 12 customers cut ...").
        if verb:
            return words, True
        if words and re.search(r"\d", word):
            # Inside a noun phrase a figure follows a preposition ("vessels over 40 metres");
            # straight after an -s word it is that verb's object ("Harwick supplies 40% of
            # ..."), since a plural noun is not followed by a number.
            last = words[-1].lower()
            if len(words) > 1 and last.endswith("s") and last not in _LINKS:
                words.pop()
            return words, True
        # "customers who met a field crew": a relative clause describes the noun, the noun
        # alone names it.
        if words and lowered in _RELATIVE:
            return words, True
        if token != word and words:
            words.append(word)
            if len(words) <= 2 and token.endswith(","):
                # "A free, advertiser-funded site": a comma this early cuts a list of
                # describing words, and the noun they describe is not reached.
                return None
            return words, True
        words.append(word)
        if len(words) >= _MAX_SUBJECT_READ:
            return words, False
    return words, True


def _at_first_link(words: list[str]) -> list[str] | None:
    """The noun phrase before the first preposition or conjunction, if there is one. A
    conjunction between names ("Brennock and Salt Quay terminals") joins words describing
    one noun, so the phrase does not end there."""
    for i, word in enumerate(words[1:], start=1):
        joins_names = (
            word.lower() in ("and", "or") and i + 1 < len(words) and words[i + 1][:1].isupper()
        )
        if word.lower() in _LINKS and not joins_names:
            return words[:i]
    return None


def gist(item: Item, casing: Casing) -> str | None:
    """What an item is about, as the noun phrase its sentence opens with ("the booking app",
    "employers in the valley"), for a priority to name; None when it opens with no noun or
    its noun phrase cannot be told apart from the rest of the sentence."""
    tokens = item.text.rstrip(".").split()
    # "36% of non-subscribers", "only 8% of readers": the people or things counted are what
    # the item is about, not their share.
    counted = False
    while len(tokens) > 2 and (re.search(r"\d", tokens[0]) or tokens[0].lower() in _QUANTIFIERS):
        tokens = tokens[2:] if tokens[1].lower() == "of" else tokens[1:]
        counted = True
    found = _subject(tokens, counted)
    if found is None:
        return None
    words, whole = found
    after = [t.strip(',;:()"“”').lower() for t in tokens[len(words) : len(words) + 2]]
    if not counted and set(after) & _REPORTING:
        # "The county mill has told us prices will rise": the subject only brings the news,
        # which is in the clause reported; the item's area names it better than its speaker.
        return None
    if not whole or len(words) > MAX_GIST_WORDS:
        # A subject too long to name is cut where its head noun ends: before what qualifies
        # it. Cutting anywhere else leaves a describing word with no noun ("diesel price
        # volatility and rising"), so without such a place the item has no name.
        shorter = _at_first_link(words)
        if shorter is None and not whole:
            return None
        words = shorter or words
    if words and words[0].lower() in _PRONOUNS:
        return None  # "its app", "they": the name it stands for is elsewhere (the label)
    if counted and len(words) == 1:
        # "78% of respondents say ...": the people counted are who answered, not what the
        # finding is about.
        return None
    # Only the sentence's own first word can owe its capital to its place (a count stripped
    # before it leaves the counted noun first, written lower case already).
    opens = not counted
    phrase = [casing.word(w, first=opens and i == 0) for i, w in enumerate(words)]
    # A phrase cut before a figure or a clause can end on a word that only leads into what
    # was cut ("harbour dues for vessels over [40 metres]").
    while phrase and phrase[-1].lower() in _LINKS | _DETERMINERS:
        phrase.pop()
    if not phrase or not re.search(r"[A-Za-z]{3}", " ".join(phrase)):
        return None
    return " ".join(phrase)


# Verbs by which people say what they want: what follows is the demand itself.
_DEMAND = re.compile(
    r"\b(?:want|wants|would (?:pay|switch|sign up|come|buy|use) (?:for|to)?|asked (?:us )?for|"
    r"ask (?:us )?for|need|needs|are looking for|is looking for)\s+(?P<what>[^;:.]+)",
    re.IGNORECASE,
)


def demand(text: str) -> str | None:
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

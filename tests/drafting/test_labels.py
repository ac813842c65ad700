"""Labels are whole, real words that name an area: never a piece of a token, never a function word."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from drafting.labels import AREAS, label_for, subject_label, tidy_label
from knowledge.minilm import default_tokenizer_path

# Written for this test: many industries, styles and sentence shapes; nothing from the sample
# company. (text, heading or None)
SENTENCES: list[tuple[str, str | None]] = [
    ("Enable S3 versioning on every bucket before the audit.", None),
    ("Whether you self-host or not, your dashboards stay private.", None),
    ("source: example.org/handbook/strategy", None),
    ("We write decisions down before we argue about them.", "Below principles"),
    ("Bakery footfall dropped 14% after the road works began.", "Store report"),
    ("Our Kubernetes clusters run at 38% utilisation on weekends.", None),
    ("Most patients wait 9 days for a physiotherapy slot.", "Clinic access"),
    ("The H2 2026 forecast assumes two new franchise openings.", None),
    ("Crop yields on the northern farms rose 6% year on year.", None),
    ("Grain silos in the east are at 91% capacity.", "Harvest"),
    ("Tuition revenue covers 72% of the college budget.", None),
    ("Dropout rates among first-year students reached 11%.", "Student outcomes"),
    ("The v2.3 firmware bricked 40 thermostats in Ohio.", None),
    ("Their app store rating fell from 4.6 to 3.9 after the redesign.", None),
    ("Three of our five largest accounts renew in Q1.", None),
    ("Pharmacists spend 2 hours a day on prior authorisations.", "Operations"),
    ("A new EU directive requires repairable phones from 2027.", None),
    ("Nobody on the night shift knew the freezer alarm code.", None),
    ("Average basket size grew to EUR 41 in the loyalty pilot.", None),
    ("It is unclear who owns the vendor contracts.", None),
    ("Per-seat licences cost us USD 180k a year.", None),
    ("Of 300 applicants, only 12 passed the coding exercise.", "Hiring funnel"),
    ("Below the fold, the checkout page loads in 4.2 seconds.", None),
    ("We are the only insurer in the region with same-day claims.", None),
    ("Claims handlers close 85% of cases within a week.", None),
    ("During the storm 3,000 homes lost power for six hours.", None),
    ("Wind turbine downtime averaged 4% across the fleet.", None),
    ("Anyone can book the 3D printer through the wiki.", None),
    ("Between March and May, ticket volume doubled.", None),
    ("These numbers exclude the Berlin office.", None),
]
FUNCTION_WORDS = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "whether",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "below",
        "above",
        "before",
        "after",
        "between",
        "during",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "to",
        "with",
        "without",
        "about",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "not",
        "no",
        "nobody",
        "anyone",
        "every",
        "some",
        "most",
        "many",
        "much",
        "very",
        "too",
        "per",
    ]
)
AREA_WORDS = {word for area, _ in AREAS for word in area.split()}


@cache
def vocabulary() -> frozenset[str]:
    """Whole words of the MiniLM WordPiece vocabulary (word pieces start with ##)."""
    data = json.loads(default_tokenizer_path().read_text(encoding="utf-8"))
    return frozenset(w for w in data["model"]["vocab"] if w.isalpha())


SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "r", "ers", "ion", "ions", "ity", "ness", "ment")


def is_english(word: str) -> bool:
    """In the vocabulary, or an inflection or compound of words in it ("versioning", "firmware")."""
    word = word.lower()
    words = vocabulary()
    if "-" in word:
        return all(is_english(part) for part in word.split("-"))
    if word in words or any(
        word.endswith(suffix) and word[: -len(suffix)] in words for suffix in SUFFIXES
    ):
        return True
    if len(word) > 6 and any(
        word[:i] in words and word[i:] in words for i in range(3, len(word) - 2)
    ):
        return True
    # A derivation of a word the vocabulary has in another form ("insurer" of "insurance").
    stem = word[:-2]
    return len(stem) >= 5 and any(w.startswith(stem) for w in words)


def tokens(text: str) -> set[str]:
    """Whole tokens as a reader sees them; "S3" and "example.org/handbook" stay whole."""
    return {t.strip(".,;:!?()'\"").upper() for t in text.split()}


@pytest.mark.parametrize(("text", "heading"), SENTENCES)
def test_labels_are_whole_real_words_and_never_function_words(
    text: str, heading: str | None
) -> None:
    label = label_for(text, heading)
    assert re.fullmatch(r"[A-Z][A-Z&'-]*(?: [A-Z][A-Z&'-]*){0,2}", label), label
    whole = tokens(text) | tokens(heading or "")
    for word in label.split():
        assert word.lower() not in FUNCTION_WORDS, (label, text)
        if word in AREA_WORDS or word == "GENERAL":
            continue
        # Not a fragment: the word is a whole token of what was written ("S" from "S3" is not).
        assert word in whole, (label, text)
        assert is_english(word), (label, text)


def test_the_labels_the_issue_reported_do_not_come_back() -> None:
    assert label_for("Enable S3 versioning on every bucket.") != "ENABLE S"
    assert "S" not in label_for("Enable S3 versioning on every bucket.").split()
    assert not {"WHETHER", "YOU"} & set(label_for("Whether you self-host or not.").split())
    assert label_for("source: example.org/handbook") == "GENERAL"
    assert "BELOW" not in label_for("We write decisions down.", "Below principles").split()


def test_tidy_label_keeps_whole_words_only() -> None:
    assert tidy_label("revenue growth") == "REVENUE GROWTH"
    assert tidy_label("the S3 costs") == "COSTS"
    assert tidy_label("of and the") == "GENERAL"
    assert subject_label("Code reviews sat for three days.") == "CODE REVIEWS"
    assert subject_label("The firmware bricked 40 devices.") == "FIRMWARE"
    assert not is_english("zorblax") and is_english("versioning")

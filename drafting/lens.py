"""A SWOT lens ("AI", "security") as the words that signal it, so facts can be matched to it."""

from __future__ import annotations

import re

# Common lenses and their synonyms in general business English; any other lens stands for
# itself, and every lens is matched by meaning too (statement_pool.relevance). No industry's
# vocabulary belongs here: a lens has to work on any company's documents.
LENS_TERMS: dict[str, tuple[str, ...]] = {
    "ai": (
        "ai",
        "artificial intelligence",
        "machine learning",
        "machine-learning",
        "ml",
        "llm",
        "llms",
        "language model",
        "language models",
        "generative",
        "neural",
        "data science",
    ),
    "security": (
        "security",
        "secure",
        "breach",
        "vulnerability",
        "phishing",
        "ransomware",
        "malware",
        "encryption",
        "cyber",
        "cybersecurity",
    ),
    "talent": (
        "talent",
        "hiring",
        "hire",
        "hires",
        "hired",
        "attrition",
        "headcount",
        "salary",
        "salaries",
        "recruiting",
        "recruitment",
        "vacancies",
        "staff",
    ),
    "people": ("people", "hiring", "attrition", "engagement", "headcount", "staff", "burnout"),
    "customers": (
        "customer",
        "customers",
        "client",
        "clients",
        "nps",
        "csat",
        "churn",
        "survey",
        "satisfaction",
        "support",
    ),
    "reliability": (
        "uptime",
        "outage",
        "incident",
        "incidents",
        "downtime",
        "failover",
        "sla",
        "mttr",
        "availability",
    ),
    "growth": (
        "revenue",
        "bookings",
        "pipeline",
        "customers",
        "market",
        "expansion",
        "growing",
        "grew",
        "growth",
    ),
    "cost": ("cost", "costs", "spend", "budget", "margin", "expenses", "burn"),
    "regulation": (
        "regulation",
        "regulatory",
        "regulator",
        "compliance",
        "law",
        "legislation",
        "mandate",
        "gdpr",
    ),
    "sustainability": (
        "sustainability",
        "sustainable",
        "emissions",
        "carbon",
        "co2",
        "climate",
        "net zero",
        "net-zero",
    ),
}
LENS_TERMS["compliance"] = LENS_TERMS["regulation"]
LENS_TERMS["hiring"] = LENS_TERMS["talent"]
LENS_TERMS["costs"] = LENS_TERMS["cost"]
LENS_TERMS["ml"] = LENS_TERMS["ai"]


def lens_terms(lens: str) -> tuple[str, ...]:
    key = lens.strip().lower()
    return (key, *LENS_TERMS.get(key, ()))


# English endings that turn one stem into its relatives ("leakage" / "leaks", "advertising" /
# "advertiser", "coaching" / "coached"), longest first.
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ages",
    "age",
    "ers",
    "er",
    "es",
    "ed",
    "s",
)
# Shorter words are too often parts of other words ("ai" in "said", "ad" in "added").
_MIN_STEM = 4


def stem(word: str) -> str:
    """A word without its inflection or derivation ending, when enough of it remains."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def _by_stems(lowered: str, term: str) -> bool:
    """Every word of the term is in the text in some form: "leaks" for "leakage", "coached
    sessions for youth" for "youth coaching". Whole words only at the start, so a stem is not
    found inside another word."""
    words = re.findall(r"[a-z0-9]+", term)
    if not words or any(len(w) < _MIN_STEM for w in words):
        return False
    return all(re.search(r"(?<![a-z0-9])" + re.escape(stem(w)), lowered) for w in words)


def mentions_lens(text: str, lens: str) -> bool:
    """Whole-word match, so the lens "AI" is not found inside "against" or "said"; a lens of
    longer words is also found in the words' other forms (see _by_stems)."""
    lowered = text.lower()
    return any(
        re.search(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])", lowered)
        or _by_stems(lowered, term)
        for term in lens_terms(lens)
    )


def lens_query(lens: str) -> str:
    """What to search and embed for the lens: its name and the words its facts use."""
    return " ".join(dict.fromkeys(lens_terms(lens)))

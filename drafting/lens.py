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


def mentions_lens(text: str, lens: str) -> bool:
    """Whole-word match, so the lens "AI" is not found inside "against" or "said"."""
    lowered = text.lower()
    return any(
        re.search(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])", lowered)
        for term in lens_terms(lens)
    )


def lens_query(lens: str) -> str:
    """What to search and embed for the lens: its name and the words its facts use."""
    return " ".join(dict.fromkeys(lens_terms(lens)))

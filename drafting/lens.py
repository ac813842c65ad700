"""A SWOT lens ("AI", "security") as the words that signal it, so facts can be matched to it."""

from __future__ import annotations

import re

# Common lenses and the words their facts use; any other lens stands for itself.
LENS_TERMS: dict[str, tuple[str, ...]] = {
    "ai": (
        "ai",
        "artificial intelligence",
        "machine learning",
        "machine-learning",
        "ml",
        "model",
        "models",
        "llm",
        "automation",
        "automated",
        "optimisation",
        "optimization",
        "predictive",
        "prediction",
        "predicted",
        "forecasting",
        "data science",
        "matching",
    ),
    "security": (
        "security",
        "secure",
        "breach",
        "vulnerability",
        "soc 2",
        "iso 27001",
        "phishing",
        "certificate",
        "encryption",
        "access",
        "zero-trust",
    ),
    "talent": (
        "talent",
        "hiring",
        "hire",
        "hires",
        "hired",
        "attrition",
        "engineers",
        "headcount",
        "salary",
        "recruiting",
        "roles",
        "engagement",
        "people",
    ),
    "people": ("people", "hiring", "attrition", "engagement", "headcount", "team", "burnout"),
    "customers": (
        "customer",
        "customers",
        "shippers",
        "nps",
        "csat",
        "churn",
        "survey",
        "onboarding",
        "support",
    ),
    "reliability": (
        "uptime",
        "outage",
        "incident",
        "incidents",
        "sev-1",
        "downtime",
        "failover",
        "sla",
        "mttr",
        "availability",
    ),
    "growth": (
        "revenue",
        "arr",
        "bookings",
        "pipeline",
        "customers",
        "market",
        "expansion",
        "growing",
        "grew",
        "growth",
    ),
    "cost": ("cost", "costs", "spend", "budget", "margin", "expenses", "burn", "cloud spend"),
    "regulation": (
        "regulation",
        "regulatory",
        "compliance",
        "eu",
        "efti",
        "law",
        "mandate",
        "data-residency",
        "gdpr",
    ),
    "sustainability": (
        "emissions",
        "carbon",
        "fuel",
        "empty miles",
        "co2",
        "sustainability",
        "green",
        "diesel",
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

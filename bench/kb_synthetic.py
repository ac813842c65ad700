"""Deterministic synthetic planning prose for the knowledge-base benchmarks (not a benchmark itself)."""

from __future__ import annotations

import random

SUBJECTS = [
    "the platform team",
    "our sales org",
    "the mobile squad",
    "customer success",
    "finance",
    "the data group",
    "support",
    "marketing",
    "the security team",
    "product design",
    "the infrastructure crew",
    "partnerships",
    "the onboarding squad",
    "people ops",
    "legal",
]
VERBS = [
    "plans to reduce",
    "expects to grow",
    "is reviewing",
    "will migrate",
    "has delayed",
    "is hiring for",
    "measured",
    "cut",
    "doubled",
    "shipped",
    "is piloting",
    "renegotiated",
    "automated",
    "documented",
    "deprecated",
]
OBJECTS = [
    "monthly churn",
    "the onboarding flow",
    "enterprise pipeline",
    "cloud spend",
    "release cadence",
    "the pricing page",
    "incident response time",
    "the partner programme",
    "net revenue retention",
    "the analytics warehouse",
    "single sign-on",
    "the mobile app",
    "support backlog",
    "hiring funnel",
    "quarterly planning",
    "the billing system",
    "audit logging",
    "data exports",
]
QUALIFIERS = [
    "before the end of the quarter",
    "in the EMEA region",
    "for mid-market customers",
    "after the price change",
    "ahead of the board meeting",
    "with two extra engineers",
    "despite the vendor delay",
    "as agreed in the retro",
    "to meet the OKR",
    "by 12%",
    "by 30%",
    "without new headcount",
    "in the next release train",
    "for the enterprise tier",
]
TOPICS = [
    "Roadmap",
    "Hiring",
    "Pricing",
    "Churn",
    "Infrastructure",
    "Security",
    "Support",
    "Sales",
    "Marketing",
    "Finance",
    "Partnerships",
    "Onboarding",
    "Analytics",
    "Billing",
    "Compliance",
]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(QUALIFIERS)}."
    )


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def markdown_document(rng: random.Random, title: str, sections: int, paragraphs: int) -> str:
    parts = [f"# {title}", ""]
    for s in range(sections):
        parts += [f"## {rng.choice(TOPICS)} {s + 1}", ""]
        for _ in range(paragraphs):
            parts += [paragraph(rng, rng.randint(5, 9)), ""]
    return "\n".join(parts)


def query(rng: random.Random) -> str:
    return f"what {rng.choice(VERBS).split()[-1]} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"

"""Short UPPERCASE business-area labels (1 to 3 words) for facts, by cue words in the text."""

from __future__ import annotations

import re

# Most specific areas first: the first area whose cues match most often wins.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AI", ("ai", "machine learning", "ml", "llm", "model", "forecasting model", "copilot")),
    ("SECURITY", ("security", "soc 2", "soc2", "breach", "vulnerability", "phishing", "pen test")),
    (
        "REGULATION",
        (
            "regulation",
            "regulatory",
            "compliance",
            "law",
            "directive",
            "gdpr",
            "mandate",
            "e-invoicing",
            "eu ",
        ),
    ),
    (
        "COMPETITION",
        (
            "competitor",
            "competitors",
            "competition",
            "rival",
            "rivals",
            "undercut",
            "undercutting",
            "price war",
            "deals to",
            "series d",
            "series c",
            "vendors",
        ),
    ),
    (
        "RELIABILITY",
        (
            "uptime",
            "outage",
            "outages",
            "incident",
            "incidents",
            "sev-1",
            "sev-2",
            "downtime",
            "availability",
            "mttr",
            "postmortem",
            "failover",
            "sla credits",
            "certificate",
            "unavailable",
        ),
    ),
    ("PERFORMANCE", ("latency", "p95", "p99", "response time", "page load", "throughput")),
    (
        "DELIVERY SPEED",
        (
            "deploy",
            "deploys",
            "deployment",
            "deployments",
            "lead time",
            "cycle time",
            "release",
            "releases",
        ),
    ),
    (
        "QUALITY",
        (
            "change failure",
            "bug",
            "bugs",
            "defect",
            "defects",
            "test coverage",
            "regression",
            "flaky",
        ),
    ),
    ("TECH DEBT", ("tech debt", "technical debt", "legacy", "monolith", "migration")),
    (
        "INFRASTRUCTURE",
        ("cloud", "aws", "hosting", "infrastructure", "kubernetes", "data centre", "data center"),
    ),
    (
        "RETENTION",
        (
            "churn",
            "renewal",
            "renewals",
            "retention",
            "net revenue retention",
            "nrr",
            "logo retention",
        ),
    ),
    ("CUSTOMER SATISFACTION", ("nps", "csat", "satisfaction", "survey", "promoters", "detractors")),
    ("SUPPORT", ("support", "ticket", "tickets", "first response", "resolution time", "backlog")),
    ("ONBOARDING", ("onboarding", "implementation", "time to value", "go-live", "go live")),
    ("PRICING", ("price", "prices", "pricing", "discount", "discounts", "margin", "margins")),
    (
        "REVENUE",
        ("revenue", "arr", "bookings", "sales", "pipeline", "deal", "deals", "win rate", "upsell"),
    ),
    ("COSTS", ("cost", "costs", "spend", "budget", "burn", "expenses", "opex", "inflation")),
    (
        "TALENT",
        (
            "hiring",
            "hire",
            "hires",
            "headcount",
            "attrition",
            "recruit",
            "engineers",
            "salary",
            "salaries",
            "talent",
            "onboarded",
            "vacancies",
            "open roles",
        ),
    ),
    ("ON-CALL", ("on-call", "pages", "paging", "pager", "alerts", "alerting", "night pages")),
    ("COLLABORATION", ("teamwork", "collaboration", "pairing", "kudos", "thanks", "together")),
    ("CULTURE", ("engagement", "morale", "culture", "burnout", "on-call", "wellbeing")),
    (
        "PARTNERSHIPS",
        ("partner", "partners", "partnership", "integration", "integrations", "marketplace"),
    ),
    (
        "EXPANSION",
        ("expand", "expansion", "new market", "market", "markets", "untapped", "international"),
    ),
    ("CUSTOMER BASE", ("new customers", "paying shippers", "paying customers", "customers")),
    ("PRODUCT", ("feature", "features", "roadmap", "product", "launch", "beta", "ga")),
    (
        "OPERATIONS",
        (
            "shipment",
            "shipments",
            "on-time",
            "warehouse",
            "routing",
            "carrier",
            "carriers",
            "fleet",
            "delivery",
        ),
    ),
    ("CODE REVIEW", ("code review", "reviews", "review", "reviewer", "pr", "pull request")),
    ("DOCUMENTATION", ("docs", "documentation", "adr", "adrs", "runbook", "wiki", "readme")),
    ("TEAM EVENTS", ("offsite", "off-site", "social", "team dinner", "hackathon")),
    (
        "PROCESS",
        (
            "process",
            "planning",
            "standup",
            "retro",
            "handoff",
            "handoffs",
            "documentation",
            "meetings",
        ),
    ),
)

_PROJECT = re.compile(r"\bProject\s+([A-Z][a-zA-Z]+)")
_WORD = re.compile(r"[A-Za-z][A-Za-z&/-]*")


def _cue_count(text: str, cues: tuple[str, ...]) -> int:
    """Distinct places in the text where a cue (or its plural) occurs."""
    spans: set[tuple[int, int]] = set()
    for cue in cues:
        pattern = r"(?<![a-z0-9])" + re.escape(cue.strip()) + r"(?:s|es)?(?![a-z0-9])"
        spans |= {m.span() for m in re.finditer(pattern, text)}
    return len(spans)


def area_scores(text: str) -> list[tuple[str, int]]:
    lowered = f" {text.lower()} "
    return [(label, n) for label, cues in AREAS if (n := _cue_count(lowered, cues))]


def tidy_label(raw: str) -> str:
    """Uppercase, 1 to 3 words, letters only at the edges."""
    words = _WORD.findall(raw)
    return " ".join(words[:3]).upper() if words else "GENERAL"


def project_names(texts: list[str]) -> set[str]:
    """Names introduced as "Project X" anywhere, so "the X pilot" is labelled X too."""
    return {m.group(1) for text in texts for m in _PROJECT.finditer(text)}


def label_for(
    text: str,
    heading: str | None = None,
    lens: str | None = None,
    *,
    title: str | None = None,
    projects: set[str] | None = None,
) -> str:
    """The business area a fact is about: a named project, a cue-word area, or its heading."""
    project = _PROJECT.search(text)
    if project:
        return project.group(1).upper()
    for name in sorted(projects or ()):
        if re.search(rf"\b{re.escape(name)}\b", text):
            return name.upper()
    scores = area_scores(text)
    if scores:
        best = max(n for _, n in scores)
        return next(label for label, n in scores if n == best)
    if lens and lens.lower() in text.lower():
        return tidy_label(lens)
    for context in (heading, title):
        context_scores = area_scores(context or "")
        if context_scores:
            return context_scores[0][0]
    if heading and len(_WORD.findall(heading)) <= 3:
        return tidy_label(heading)
    return subject_label(text)


# Words that end the subject of a sentence ("Code reviews | sat for three days").
_SUBJECT_ENDS = {
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
    "must",
    "may",
    "might",
    "in",
    "on",
    "at",
    "for",
    "of",
    "to",
    "from",
    "with",
    "by",
    "and",
    "or",
    "but",
    "that",
    "which",
    "who",
    "as",
    "than",
    "sat",
    "took",
    "made",
    "went",
    "got",
    "kept",
    "ran",
    "felt",
    "saved",
    "cost",
    "broke",
}
_LEADING_SKIP = {
    "the",
    "a",
    "an",
    "our",
    "we",
    "this",
    "that",
    "these",
    "those",
    "some",
    "all",
    "too",
    "many",
    "much",
    "very",
    "more",
    "most",
    "new",
}


def subject_label(text: str) -> str:
    """The sentence's subject as a label ("Code reviews sat…" -> CODE REVIEWS), at most 2 words."""
    words = _WORD.findall(text)
    while words and words[0].lower() in _LEADING_SKIP:
        words = words[1:]
    subject: list[str] = []
    for word in words:
        if word.lower() in _SUBJECT_ENDS or len(subject) == 2:
            break
        subject.append(word)
    return tidy_label(" ".join(subject)) if subject else "GENERAL"


OBJECTIVE_NAMES = {
    "AI": "Put AI to Work",
    "SECURITY": "Earn Security Trust",
    "REGULATION": "Be Ready for Regulation",
    "COMPETITION": "Win Against Competitors",
    "RELIABILITY": "Dependable Platform",
    "PERFORMANCE": "Fast Everywhere",
    "DELIVERY SPEED": "Ship Faster, Safely",
    "QUALITY": "Quality Built In",
    "TECH DEBT": "Pay Down Tech Debt",
    "INFRASTRUCTURE": "Efficient Infrastructure",
    "RETENTION": "Keep Every Customer",
    "CUSTOMER SATISFACTION": "Delight Customers",
    "SUPPORT": "Support That Answers",
    "ONBOARDING": "Fast Time to Value",
    "PRICING": "Price for Value",
    "REVENUE": "Profitable Growth",
    "COSTS": "Spend Wisely",
    "TALENT": "Build the Team",
    "CULTURE": "A Team That Lasts",
    "PARTNERSHIPS": "Stronger Partnerships",
    "EXPANSION": "Open New Markets",
    "CUSTOMER BASE": "Grow the Customer Base",
    "PRODUCT": "A Product People Love",
    "OPERATIONS": "Operational Excellence",
    "PROCESS": "Work That Flows",
}


def objective_name(label: str) -> str:
    """A short, readable objective name for an area; named projects get "Deliver <Name>"."""
    return OBJECTIVE_NAMES.get(label) or f"Deliver {label.title()}"

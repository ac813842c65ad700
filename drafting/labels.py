"""Short UPPERCASE business-area labels (1 to 3 whole words) for facts, by the words in the text."""

from __future__ import annotations

import re

# Business areas and the words that name them, in general business English. Most specific areas
# first: the area whose words occur most often wins, ties going to the earlier one. Each word
# names its area wherever it appears; words that mean different things in different businesses
# ("pages", "review", "delivery", "model") are left out rather than guessed at.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Named technologies only: "model" alone is a pricing or business model as often as an AI one.
    ("AI", ("ai", "artificial intelligence", "machine learning", "llm", "llms", "genai")),
    ("SECURITY", ("security", "soc 2", "breach", "vulnerability", "phishing", "penetration test")),
    # Laws and rules imposed from outside; "compliance" is the work of meeting them.
    (
        "REGULATION",
        ("regulation", "regulatory", "compliance", "law", "directive", "gdpr", "mandate"),
    ),
    # Other companies competing for the same customers, and what they do to win them.
    (
        "COMPETITION",
        ("competitor", "competition", "rival", "undercut", "undercutting", "price war"),
    ),
    # Whether the service is up: incidents, their length and the promises about them.
    (
        "RELIABILITY",
        (
            "uptime",
            "outage",
            "incident",
            "downtime",
            "availability",
            "mttr",
            "postmortem",
            "post-mortem",
            "failover",
            "sla",
        ),
    ),
    ("PERFORMANCE", ("latency", "p95", "p99", "page load", "throughput")),
    # How fast changes reach users.
    ("DELIVERY SPEED", ("deploy", "deployment", "cycle time", "release")),
    ("QUALITY", ("bug", "defect", "regression", "flaky")),
    ("TECH DEBT", ("tech debt", "technical debt", "legacy", "monolith")),
    (
        "INFRASTRUCTURE",
        ("cloud", "hosting", "infrastructure", "kubernetes", "data centre", "data center"),
    ),
    # Customers staying and growing: the measures a subscription business reports.
    ("RETENTION", ("churn", "renewal", "retention", "nrr")),
    ("CUSTOMER SATISFACTION", ("nps", "csat", "satisfaction", "promoters", "detractors")),
    ("SUPPORT", ("support", "ticket", "resolution time")),
    ("ONBOARDING", ("onboarding", "time to value", "go-live")),
    ("PRICING", ("price", "pricing", "discount", "margin")),
    (
        "REVENUE",
        ("revenue", "arr", "mrr", "bookings", "sales", "pipeline", "deal", "upsell"),
    ),
    ("COSTS", ("cost", "spend", "budget", "burn", "expenses", "opex", "inflation")),
    # People joining, leaving and being paid.
    (
        "TALENT",
        (
            "hiring",
            "hire",
            "headcount",
            "attrition",
            "recruit",
            "recruiting",
            "salary",
            "salaries",
            "talent",
            "vacancies",
            "open roles",
        ),
    ),
    # Being woken up by the systems one runs.
    ("ON-CALL", ("on-call", "paging", "pager", "alert", "alerting")),
    ("COLLABORATION", ("teamwork", "collaboration", "pairing", "kudos")),
    ("CULTURE", ("engagement", "morale", "culture", "burnout", "wellbeing")),
    ("PARTNERSHIPS", ("partner", "partnership", "integration", "marketplace")),
    ("EXPANSION", ("expand", "expansion", "new market", "international", "segment")),
    ("CUSTOMER BASE", ("customer base", "customer count", "logos")),
    ("PRODUCT", ("feature", "roadmap", "product", "launch", "beta")),
    # Moving physical goods.
    (
        "OPERATIONS",
        (
            "warehouse",
            "logistics",
            "fulfilment",
            "fulfillment",
            "supply chain",
            "inventory",
            "fleet",
        ),
    ),
    ("CODE REVIEW", ("code review", "reviewer", "pull request")),
    ("DOCUMENTATION", ("docs", "documentation", "runbook", "wiki", "readme")),
    ("TEAM EVENTS", ("offsite", "off-site", "team dinner", "hackathon")),
    ("PROCESS", ("process", "planning", "standup", "retro", "handoff", "meetings")),
)

# Closed-class English words (pronouns, determiners, prepositions, conjunctions, auxiliaries,
# and adverbs of place, time and degree): they never name an area ("WHETHER YOU", "BELOW").
_FUNCTION_WORDS_TEXT = """a about above across after again against all almost along also although always am among an
    and another any anyone anything are around as at back be because been before behind being
    below beneath beside besides between beyond both but by can cannot could did do does doing
    done down during each either else enough even ever every everyone everything few for from
    further had has have having he her here hers herself him himself his how however i if in
    inside instead into is it its itself just least less lest like many may me might mine more
    most much must my myself near neither never next no nobody none nor not nothing now of off
    often on once one only onto or other others otherwise our ours ourselves out outside over
    per perhaps quite rather really same several shall she should since so some someone
    something sometimes soon still such than that the their theirs them themselves then there
    therefore these they this those though through throughout thus to together too toward
    towards under unless until up upon us very via was we well were what whatever when whenever
    where whereas wherever whether which while who whoever whole whom whose why will with within
    without would yet you your yours yourself yourselves"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
# Words that name a part of a document, not an area of the business ("Summary", "The good",
# "Key findings", "Where we stand"): a heading made of them says where a sentence sits, not
# what it is about, so it never becomes a label.
_STRUCTURE_WORDS_TEXT = """summary overview notes note findings finding highlights headlines results background
    context introduction intro conclusion conclusions commentary appendix misc miscellaneous
    update updates details general good bad ugly happened wrong learned learnings takeaways
    key main other strengths weaknesses opportunities opportunity threats threat risks issues
    stand position world changing numbers method methodology timeline actions action next steps
    told want wants say says lot parking went well didn't questions answers faq links"""
STRUCTURE_WORDS = frozenset(_STRUCTURE_WORDS_TEXT.split())

_PROJECT = re.compile(r"\bProject\s+([A-Z][a-zA-Z]+)")
# A token is everything between spaces and sentence punctuation, taken whole: "S3", "v2.1" or
# "posthog.com" is one token, so a label can never hold a piece of one ("ENABLE S").
_TOKEN = re.compile(r"[^\s,;:!?()\[\]{}\"“”*_`|<>]+")
_PLAIN_WORD = re.compile(r"[A-Za-z]+(?:[&'-][A-Za-z]+)*")


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


def _plain_words(text: str) -> list[str]:
    """Whole plain words: codes, versions and links with digits or dots ("S3", "Q3",
    "example.com") are not words, and are skipped whole rather than cut down to their letters."""
    tokens = (token.strip(".'’-&/") for token in _TOKEN.findall(text))
    return [token for token in tokens if _PLAIN_WORD.fullmatch(token)]


def label_words(text: str) -> list[str]:
    """The words of `text` that can stand in a label alone: whole plain words, no function words."""
    return [word for word in _plain_words(text) if word.lower() not in FUNCTION_WORDS]


def tidy_label(raw: str) -> str:
    """Uppercase, 1 to 3 whole words, neither starting nor ending with a function word.

    Inside a name they stay ("OWN THE OUTCOME"); GENERAL when nothing is left.
    """
    words = _plain_words(raw.replace("/", " "))

    def trim(ws: list[str]) -> list[str]:
        while ws and ws[0].lower() in FUNCTION_WORDS:
            ws = ws[1:]
        while ws and ws[-1].lower() in FUNCTION_WORDS:
            ws = ws[:-1]
        return ws

    words = trim(trim(words)[:3])
    return " ".join(words).upper() if words else "GENERAL"


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
    if (
        heading
        and 0 < len(label_words(heading)) <= 3
        and len(heading.split()) <= 4
        and not {w.lower() for w in label_words(heading)} & STRUCTURE_WORDS
    ):
        return tidy_label(heading)
    return subject_label(text)


# Verbs that commonly end the subject of a sentence ("Code reviews | sat for three days");
# auxiliaries, prepositions and conjunctions end it too (they are function words).
_SUBJECT_END_VERBS = (
    "sat took made went got kept ran felt saved cost broke grew fell rose dropped hit reached "
    "became stayed remained caused led"
)
_SUBJECT_ENDS = frozenset(_SUBJECT_END_VERBS.split())


def subject_label(text: str) -> str:
    """The sentence's subject as a label ("Code reviews sat…" -> CODE REVIEWS), at most 2 words.

    The subject runs up to its verb or the first function word after it has begun.
    """
    key, colon, value = text.partition(":")
    if colon and len(key.split()) <= 3 and not label_words(value):
        return "GENERAL"  # "source: example.com/page" is metadata; its key names no area
    subject: list[str] = []
    for token in _TOKEN.findall(text):
        word = token.strip(".'’-&/")
        lowered = word.lower()
        # Once the subject has begun, a past-tense verb ("stalled", "bricked") ends it too.
        ended = lowered in FUNCTION_WORDS or (len(lowered) > 4 and lowered.endswith("ed"))
        if lowered in _SUBJECT_ENDS or (subject and ended):
            break
        if _PLAIN_WORD.fullmatch(word) and lowered not in FUNCTION_WORDS:
            subject.append(word)
        if len(subject) == 2:
            break
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


# Where an imperative's core ends and its purpose, condition, deadline or the values it moves
# between ("Cut churn | from 3% to 2%") begin.
_CLAUSE_END = re.compile(
    r"[,;:(]|\s(?:to|so|before|by|while|until|with|because|and then|in order)\s"
    r"|\sfrom\s(?=[$€£]?\d)",
    re.I,
)
MAX_TITLE_WORDS = 7


def objective_names(priorities: list[tuple[str, str]], projects: set[str]) -> list[str]:
    """One distinct name per (label, priority text): the area's name, "Deliver <Project>" for a
    named project, else the core of the priority itself ("Hire 6 engineers for Kestrel")."""
    names: list[str] = []
    taken: set[str] = set()
    known = {p.upper() for p in projects}
    for label, text in priorities:
        candidates = []
        if label in OBJECTIVE_NAMES:
            candidates.append(OBJECTIVE_NAMES[label])
        elif label in known:
            candidates.append(f"Deliver {label.title()}")
        candidates.append(_core(text))
        name = next((c for c in candidates if c.lower() not in taken), candidates[-1])
        if name.lower() in taken:
            name = f"{name} ({len(names) + 1})"
        taken.add(name.lower())
        names.append(name)
    return names


def _core(text: str) -> str:
    """The imperative's verb and object, without its purpose or deadline, in a few words."""
    clean = text.strip().rstrip(".")
    words = clean.split()
    for match in _CLAUSE_END.finditer(clean):
        if len(clean[: match.start()].split()) >= 3:
            words = clean[: match.start()].split()
            break
    words = words[:MAX_TITLE_WORDS]
    while len(words) > 1 and words[-1].lower() in FUNCTION_WORDS:
        words.pop()
    return " ".join(words) if words else text

"""Cheap, general features of a statement that its embedding does not show well.

MiniLM reads meaning; it is weak at form: whether a line is a table row or front matter, holds a
masked number, a date in the future, or sits under an OKR heading. Each feature below is a
property any company's documents share, not a phrase from one company's documents; the
classifier learns their weights from the training corpus.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from knowledge.statements import Statement, has_placeholder

_DIGIT = re.compile(r"\d")
_PERCENT = re.compile(r"\d\s?(?:%|percent\b|pp\b|points?\b)", re.IGNORECASE)
_MONEY = re.compile(r"(?:[$€£]|\b(?:USD|EUR|GBP|CHF)\b)\s?\d|\d\s?(?:k|m|bn|million|billion)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_PERIOD = re.compile(r"\b(?:[QH][1-4]|FY\s?'?\d{2,4})\b")
_UNIT = re.compile(
    r"\d\s?(?:days?|weeks?|months?|hours?|minutes?|ms|seconds?|x|times|staff|people|customers)\b",
    re.IGNORECASE,
)
# "by Q3", "by June 2027", "by end of year": a deadline is how goals are written.
_DEADLINE = re.compile(
    r"\b(?:by|before|until|no later than)\s+(?:the\s+)?(?:end\s+of\s+)?(?:[QH][1-4]|FY|\d|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|year|quarter|month|summer|spring|autumn|winter)",
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"\bfrom\s+\S*\d\S*\s+(?:\w+\s+)?to\s+\S*\d", re.IGNORECASE)
_FUTURE = re.compile(r"\b(?:will|shall|going to|plan(?:s|ned)? to|aim(?:s)? to|intend)\b", re.I)
# Words that name an intended state rather than a current one, in any industry.
_TARGET_WORDS = re.compile(
    r"\b(?:target|goal|objective|aspiration|ambition|key result|okr|kr\s?\d|milestone)s?\b", re.I
)
_MODAL = re.compile(r"\b(?:should|must|need(?:s)? to|have to|always|never)\b", re.I)
_PAST = re.compile(r"\b(?:was|were|had|did)\b|\b\w{3,}ed\b", re.I)
_PRESENT = re.compile(r"\b(?:is|are|has|have|remains?|stands?)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|ours)\b", re.I)
_THIRD_PARTY = re.compile(r"\b(?:they|their|them|its)\b", re.I)
# External actors and forces: competitors, markets, regulators, customers, suppliers.
_EXTERNAL = re.compile(
    r"\b(?:competitors?|rivals?|incumbents?|entrants?|market|industry|sector|regulat\w*|law|"
    r"legislation|government|directive|customers?|clients?|buyers?|suppliers?|vendors?|"
    r"demand|trend|economy|inflation|attackers?)\b",
    re.I,
)
_NEGATION = re.compile(r"\b(?:no|not|never|without|lack\w*|none|fail\w*|missed)\b|n't\b", re.I)
# Direction against a reference, in plain English: the embedding hears "target" and "record"
# alike, but a strength beats its reference and a weakness falls short of it.
_BETTER = re.compile(
    r"\b(?:above|ahead of|exceed\w*|beat\w*|record|best|highest|lowest ever|only|first|won|"
    r"praised|awards?|leader|leading)\b",
    re.I,
)
_WORSE = re.compile(
    r"\b(?:below|short of|behind|missed|late|over budget|fail\w*|worst|weakest|complain\w*|"
    r"lost|slipp\w*|still|against|only \d)\b",
    re.I,
)
# What an outside party wants or plans (an opening), and pressure put on us from outside.
_WANT = re.compile(
    r"\b(?:ask(?:ed|s)? for|wants?|need(?:s|ed)?|would pay|looking for|plan(?:s)? to (?:buy|switch|"
    r"adopt)|interest(?:ed)? in|demand for|invited us)\b",
    re.I,
)
_PRESSURE = re.compile(
    r"\b(?:cheaper|undercut\w*|cut (?:its|their) prices?|price war|bundl\w*|poach\w*|"
    r"requires?|cap(?:s|ped)?|levy|tariffs?|rising|rose|raised|doubled|squeez\w*)\b",
    re.I,
)
# The sign of a change. MiniLM pools "churn fell" and "churn rose" to nearly the same vector,
# so strength and weakness (and results that read alike) get confused. A rise in something a
# business wants more of, or a fall in something it wants less of (costs, churn, complaints,
# delays), is favourable; the other two combinations are unfavourable. The word lists are plain
# English for movement and for the usual cost-like quantities of any business, not phrases from
# any one company's documents.
_UP = re.compile(
    r"\b(?:rose|risen|rises?|grew|grown|grows?|increas\w*|up|higher|doubled|tripled|gained|"
    r"climbed|jumped|expanded|stretched|added|more than)\b",
    re.I,
)
_DOWN = re.compile(
    r"\b(?:fell|fallen|falls?|dropped|drops?|declin\w*|decreas\w*|down|lower|cut|reduced|"
    r"shrank|shrunk|halved|slipped|less than)\b",
    re.I,
)
_UNWANTED = re.compile(
    r"\b(?:costs?|expenses?|spend|churn|turnover|attrition|complaints?|defects?|errors?|"
    r"incidents?|downtime|outages?|delays?|backlogs?|loss(?:es)?|returns|waste|debt|"
    r"emissions|co2|injur\w*|claims|lead times?|waits?|waiting|burn|vacanc\w*|"
    r"cancell?ations?|tickets|inventory|rents?|commissions?|tariffs?|inflation|fees|"
    r"mortality|failures?|bugs?)\b",
    re.I,
)
# Evaluative words that judge a state as good or bad in any domain ("the best quarter",
# "far too slow", "failed silently"); counted, because several make a judgement firmer.
_GOOD = re.compile(
    r"\b(?:best|record|awards?|award-winning|won|winner|praised|excellent|strong\w*|top|"
    r"leading|certified|trusted|loyal|ahead|beat|outperform\w*|exceed\w*|sold out|zero|"
    r"unaffected|on time|worked|reliable|highest|most|fastest|largest)\b",
    re.I,
)
_BAD = re.compile(
    r"\b(?:worst|weak\w*|poor\w*|fail\w*|crash\w*|broke|broken|late|overdue|behind|"
    r"short of|missed|lost|complain\w*|problems?|difficult|hard to|too|stuck|slow\w*|"
    r"lack\w*|unable|cannot|can't|nobody|no one|silently|lapsed|gaps?|only|lowest|"
    r"far (?:below|above|longer|short)|shortfall|loss-making|unsold|empty)\b",
    re.I,
)
_WE_LEAD = re.compile(r"^(?:we|our|us)\b", re.I)
# An intended state in the first person ("we want churn below 3%", "our aim is to ...") is how
# plans are written in prose; reports of what happened use neither.
_INTENT = re.compile(
    r"\b(?:we|I)\s+(?:want|would like|hope|expect|intend|need)\b|"
    r"\bour\s+(?:aim|goal|ambition|target|objective|aspiration)s?\s+(?:is|are|for)\b",
    re.I,
)
# A sentence that opens with a verb of change in its base form is an instruction ("Bring
# turnover down to 20%"); a report of the same change opens with its subject ("Turnover fell").
_IMPERATIVE_CHANGE = re.compile(
    r"^(?:reduce|cut|lower|raise|increase|grow|lift|improve|reach|hit|achieve|bring|keep|hold|"
    r"double|halve|shorten|get|make|hire|fill|open|launch|deliver|win)\b",
    re.I,
)
# Which way an outside fact cuts (opportunity or threat). The embedding hears "a rival opened
# three sites" and "a rival closed three sites" alike; these are plain English for the usual
# forces of any market, each a word class rather than a phrase from one company's documents.
# Help from outside: public money, relief, an offer or invitation made to us.
_SUPPORT = re.compile(
    r"\b(?:grants?|subsid\w*|incentives?|funding|relief|exempt\w*|tax credits?|help(?:s|ed)?|"
    r"offer(?:ed|s)? (?:us|to)|invit\w*|rewards?|affordable|eligible|free of charge)\b",
    re.I,
)
# Constraint from outside: rules, obligations and charges imposed on a business.
_RESTRICT = re.compile(
    r"\b(?:ban\w*|strict\w*|tight\w*|restrict\w*|requirements?|compliance|levy|levies|"
    r"tariffs?|fines?|penalt\w*|consult(?:s|ing|ation)? on|proposed|crackdown|licen[cs]\w*|"
    r"caps?|capped|mandatory|oblig\w*)\b",
    re.I,
)
# Another organisation as the subject: its moves are pressure on us, its setbacks an opening.
_RIVAL = re.compile(
    r"\b(?:rivals?|competitors?|incumbents?|entrants?|challengers?|chains?|brands?|players?|"
    r"providers?|platforms?|marketplaces?|giants?|startups?|operators?)\b",
    re.I,
)
_MOVE = re.compile(
    r"\b(?:open(?:ed|s|ing)?|launch\w*|offers?|offering|cop(?:y|ies|ied|ying)|buy\w*|bought|"
    r"acquir\w*|undercut\w*|bundl\w*|expand\w*|enter\w*|poach\w*|announc\w*|sign\w*|won|"
    r"win\w*|raised|hired|cheaper|free|match\w*)\b",
    re.I,
)
_SETBACK = re.compile(
    r"\b(?:lost|los(?:e|es|ing)|dropp\w*|closed|clos(?:e|es|ing)|exit\w*|withdr\w*|bankrupt\w*|"
    r"administration|lowest|worst|complain\w*|don't|do not|doesn't|does not|lacks?|no longer|"
    r"stopped|struggl\w*|left)\b",
    re.I,
)
# The state of a market or economy: contraction and strain, or growth and unmet wants.
_MARKET_BAD = re.compile(
    r"\b(?:slow\w*|recession|layoffs?|postpon\w*|shortages?|scarc\w*|squeez\w*|downturn|"
    r"uncertain\w*|volatil\w*|pressure|disrupt\w*|strikes?|shrink\w*|weak\w*|falling|fell|"
    r"declin\w*)\b",
    re.I,
)
_MARKET_GOOD = re.compile(
    r"\b(?:boom\w*|grow\w*|grew|surg\w*|popular\w*|adopt\w*|switch\w*|shift\w*|prefer\w*|"
    r"willing|would pay|unserved|underserved|nobody|no one|none of|gap|appetite|interest\w*|"
    r"ask\w*)\b",
    re.I,
)
_FRONT_MATTER = re.compile(r"^[a-z_][\w-]{1,30}:\s*\S", re.I)
_BYLINE = re.compile(
    r"\b(?:last (?:updated|edited|modified)|updated|edited|authored|written|posted|owner|"
    r"maintainer|reviewed)\b.{0,40}\b(?:by|on|ago)\b|\bdays? ago\b|@\w",
    re.I,
)
_LINK_WORDS = re.compile(r"https?://|www\.|\.(?:md|html|pdf)\b|\bsee also\b", re.I)
_OKR_LEAD = re.compile(r"^(?:KR|O|Objective|Measure|Key result)\s*\d*(?:\.\d+)*\s*[:—–-]", re.I)
_DANGLING = re.compile(
    r"^(?:this|that|these|those|it|they|such|so|also|but|and|however|put differently|"
    r"that said|in short|as a result)\b",
    re.I,
)
_MISSION_WORDS = re.compile(r"\b(?:mission|purpose|exist(?:s)? to|vision)\b", re.I)
_WORD = re.compile(r"[a-z][a-z'-]+")

# Heading keywords: the section a statement sits in says much about its type. Each group is a
# document convention shared across industries (OKR pages, risk registers, post-mortems).
HEADING_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("plan", r"okr|objective|key result|goal|target|plan|roadmap|vision|ambition|priorit"),
        ("risk", r"risk|threat|competit|landscape|market|rival|regulat"),
        ("values", r"value|principle|culture|how we work|behaviour|behavior"),
        ("mission", r"mission|purpose|why we exist|about us"),
        ("incident", r"incident|post-?mortem|outage|root cause|impact|timeline"),
        ("followup", r"action|next step|remediation|follow|decision|todo|to do"),
        ("good", r"strength|win|highlight|went well|success|achievement"),
        ("bad", r"weakness|challenge|problem|concern|lowlight|went wrong|not so well|issue|gap"),
        ("chance", r"opportunit|growth|demand|customer|survey|feedback|interview"),
        ("numbers", r"metric|kpi|result|number|financ|trading|revenue|performance"),
        ("people", r"hiring|people|talent|team|recruit|headcount"),
        ("links", r"link|resource|navigation|see also|related|contents|index"),
        ("product", r"product|feature|pricing|platform|solution|service"),
    )
)
SHAPES = ("prose", "bullet", "numbered", "table", "quote", "checkbox")
FIRST_WORD_BUCKETS = 64
WORD_BUCKETS = 256


def _bucket(word: str, buckets: int) -> int:
    return zlib.crc32(word.encode("utf-8")) % buckets


def feature_count() -> int:
    return len(_flags(Statement("x", None, 0, 0, 1, "prose"))) + FIRST_WORD_BUCKETS + WORD_BUCKETS


def features(statement: Statement) -> np.ndarray:
    """One row of numbers for one statement: shape flags, then hashed first word and words."""
    flags = _flags(statement)
    first = np.zeros(FIRST_WORD_BUCKETS, dtype=np.float32)
    words = _WORD.findall(statement.text.lower())
    if words:
        # The first word tells an imperative ("Reduce ...") or a byline ("Updated ...") apart.
        first[_bucket(words[0], FIRST_WORD_BUCKETS)] = 1.0
    bag = np.zeros(WORD_BUCKETS, dtype=np.float32)
    for word in set(words):
        bag[_bucket(word, WORD_BUCKETS)] += 1.0
    bag /= max(1.0, float(np.sqrt(len(words))))
    return np.concatenate([np.asarray(flags, dtype=np.float32), first, bag])


def change_sign(text: str) -> tuple[float, float]:
    """(favourable, unfavourable) for a stated change; both 0 when the text states none."""
    up, down = bool(_UP.search(text)), bool(_DOWN.search(text))
    if not (up or down):
        return 0.0, 0.0
    unwanted = bool(_UNWANTED.search(text))
    favourable = (up and not unwanted) or (down and unwanted)
    unfavourable = (up and unwanted) or (down and not unwanted)
    return float(favourable), float(unfavourable)


def _outside_flags(text: str, lead: str) -> list[float]:
    """Favourable or not, for a fact about the world outside: help or constraint, a rival's
    move or setback (the subject leads the sentence), a market growing or straining, and "us"
    named only after the subject ("used car values fell, which raises our losses")."""
    rival = bool(_RIVAL.search(lead))
    us_lead = bool(_FIRST_PERSON.search(lead))
    return [
        float(bool(_SUPPORT.search(text))),
        float(bool(_RESTRICT.search(text))),
        float(rival),
        float(rival and bool(_MOVE.search(text))),
        float(rival and bool(_SETBACK.search(text))),
        float(bool(_SETBACK.search(text))),
        min(len(_MARKET_BAD.findall(text)), 2) / 2.0,
        min(len(_MARKET_GOOD.findall(text)), 2) / 2.0,
        float(bool(_FIRST_PERSON.search(text)) and not us_lead),
        float(us_lead),
    ]


def _flags(statement: Statement) -> list[float]:
    text = statement.text
    heading = statement.heading or ""
    words = text.split()
    n = max(len(words), 1)
    values = [
        min(len(text), 300) / 100.0,
        float(len(words) <= 3),  # fragments and labels
        float(len(words) <= 8),
        float(bool(_DIGIT.search(text))),
        float(bool(_PERCENT.search(text))),
        float(bool(_MONEY.search(text))),
        float(bool(_YEAR.search(text))),
        float(bool(_PERIOD.search(text))),
        float(bool(_UNIT.search(text))),
        float(bool(_DEADLINE.search(text))),
        float(bool(_FROM_TO.search(text))),
        float("→" in text or "->" in text),
        float(bool(_FUTURE.search(text))),
        float(bool(_TARGET_WORDS.search(text))),
        float(bool(_MODAL.search(text))),
        min(len(_PAST.findall(text)) / n * 4, 1.0),
        min(len(_PRESENT.findall(text)) / n * 4, 1.0),
        min(len(_FIRST_PERSON.findall(text)), 3) / 3.0,
        min(len(_THIRD_PARTY.findall(text)), 3) / 3.0,
        min(len(_EXTERNAL.findall(text)), 3) / 3.0,
        float(bool(_NEGATION.search(text))),
        float(bool(_BETTER.search(text))),
        float(bool(_WORSE.search(text))),
        float(bool(_WANT.search(text))),
        float(bool(_PRESSURE.search(text))),
        *change_sign(text),
        min(len(_GOOD.findall(text)), 3) / 3.0,
        min(len(_BAD.findall(text)), 3) / 3.0,
        # Who acts: "We cut prices" is a decision or result of ours, "A rival cut prices" is
        # pressure from outside, and the subject comes first in most business sentences.
        float(bool(_WE_LEAD.match(text))),
        float(bool(_INTENT.search(text))),
        float(bool(_IMPERATIVE_CHANGE.match(text))),
        float(bool(_EXTERNAL.search(" ".join(words[:4])))),
        *_outside_flags(text, " ".join(words[:6])),
        float(has_placeholder(text)),
        float(bool(_FRONT_MATTER.match(text))),
        float(bool(_BYLINE.search(text))),
        float(bool(_LINK_WORDS.search(text))),
        float(bool(_OKR_LEAD.match(text))),
        float(bool(_DANGLING.match(text))),
        float(bool(_MISSION_WORDS.search(text))),
        float(text.endswith("?")),
        float(text.endswith(":")),
        float(text[-1:] in ".!"),
        float(text[:1].islower()),
        float(sum(w.isupper() and len(w) > 1 for w in words) / n > 0.3),
        float(text.count("|") >= 1),
        # A table row of words only is a header; data rows hold numbers.
        float(text.count("|") >= 1 and not _DIGIT.search(text)),
        float(text.count(";") >= 2 and ":" in text),  # a CSV row rendered "col: value; ..."
        float(bool(statement.heading)),
        float(heading.count(">") >= 1),
    ]
    values += [float(statement.shape == shape) for shape in SHAPES]
    values += [float(bool(pattern.search(heading))) for _, pattern in HEADING_GROUPS]
    # The nearest heading on its own: "Board update > Market" and "Board update > Decisions"
    # share a parent that says little, while the last part says what the section holds.
    last = heading.rsplit(">", 1)[-1]
    values += [float(bool(pattern.search(last))) for _, pattern in HEADING_GROUPS]
    values.append(min(statement.position, 20) / 20.0)
    return values

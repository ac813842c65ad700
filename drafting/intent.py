"""Turns what people type (slash-command text, mentions, DMs) into a drafting request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

Kind = Literal["swot", "okr", "retro", "schedule_retro", "help", "unclear"]

MAX_SUBJECT_CHARS = 200
_LENS = re.compile(r"\blens\s*[:=]\s*(\"[^\"]+\"|'[^']+'|\S+)", re.IGNORECASE)
_EMPTY_LENS = re.compile(r"\blens\s*[:=]\s*(?:$|\s)", re.IGNORECASE)
_WITH_LENS = re.compile(r"\bwith (?:an?|the)?\s*([\w\- ]{1,40}?)\s+lens\b", re.IGNORECASE)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_FILLER = re.compile(
    r"^(?:please\s+|can you\s+|could you\s+|pls\s+)?"
    r"(?:draft|write|make|create|run|do|build|prepare|give me|generate|turn)?\s*"
    r"(?:me\s+)?(?:an?|the|our)?\s*",
    re.IGNORECASE,
)
_SUBJECT_AFTER = re.compile(r"\b(?:for|on|about|of)\s+(?:the\s+)?(.+)$", re.IGNORECASE)
_INTO_OKR = re.compile(
    r"\b(?:into|to|as)\s+(?:an?\s+)?(?:okrs?|strategic plan|plan)\b", re.IGNORECASE
)

_SWOT_WORDS = re.compile(r"\bswot\b|strengths?\b.*\bweakness", re.IGNORECASE)
_OKR_WORDS = re.compile(
    r"\bokrs?\b|\bstrategic plan\b|\bobjectives?\b|\bkey results?\b|\bplan\b", re.IGNORECASE
)
_RETRO_WORDS = re.compile(r"\bretro(?:spective)?s?\b", re.IGNORECASE)
_SCHEDULE_WORDS = re.compile(r"\bschedul\w*\b|\bevery\b|\bweekly\b|\bmonthly\b", re.IGNORECASE)
_HELP_WORDS = re.compile(r"^\s*(?:help|\?|what can you do\??)\s*$", re.IGNORECASE)


QUESTION_REPLY = (
    "That reads like a question, and I don't answer questions yet: `/align kb search <words>` "
    "shows what your documents say. To draft, ask for one, e.g. “draft a SWOT for the Q3 plan”."
)
# A question with no request to draft ("What are the open threats on the Q3 plan?") names draft
# words but asks for an answer, not a draft.
_QUESTION = re.compile(
    r"^(?:what|which|who|why|when|where|how|is|are|does|do|did|has|have)\b|\?\s*$", re.IGNORECASE
)
_ASKS_TO_DRAFT = re.compile(
    r"\b(?:draft|write|make|create|build|prepare|turn|run|start|open (?:a |the )?retro|generate|give me|schedule)\b",
    re.IGNORECASE,
)
CLARIFYING_QUESTION = (
    "Should I draft a *SWOT*, an *OKR plan* or open a *retro*? "
    "For example: “draft a SWOT for the data platform team with an AI lens”."
)


class ArgumentError(ValueError):
    """Input that cannot be used as given; the message says what to type instead."""


@dataclass(frozen=True)
class Intent:
    kind: Kind
    subject: str | None = None
    lens: str | None = None
    text: str = ""
    question: str | None = None  # the one short question to ask when the intent is unclear


def clean_text(text: str) -> str:
    """Drops control characters (but keeps newlines and tabs) and surrounding whitespace."""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def parse_subject_and_lens(text: str) -> tuple[str | None, str | None]:
    """`/swot data platform lens:AI` → ("data platform", "AI")."""
    text = clean_text(text)
    if _EMPTY_LENS.search(text):
        raise ArgumentError("`lens:` needs a word after it, e.g. `lens:AI` or `lens:security`.")
    lens = None
    if len(_LENS.findall(text)) > 1:
        # Two lenses would leave one inside the subject ("payments lens:ai"): a SWOT has one focus.
        raise ArgumentError("Give one lens, e.g. `/swot payments lens:security`.")
    match = _LENS.search(text)
    if match:
        lens = match.group(1).strip("\"'")
        text = (text[: match.start()] + text[match.end() :]).strip()
    else:
        with_lens = _WITH_LENS.search(text)
        if with_lens:
            lens = with_lens.group(1).strip()
            text = (text[: with_lens.start()] + text[with_lens.end() :]).strip()
    subject = re.sub(r"\s+", " ", text).strip(" .,:;-") or None
    if subject and len(subject) > MAX_SUBJECT_CHARS:
        raise ArgumentError(
            f"That subject is {len(subject)} characters; keep it under {MAX_SUBJECT_CHARS}, "
            "e.g. `/swot data platform team lens:AI`."
        )
    return subject, lens


def route(text: str) -> Intent:
    """Keyword routing for the offline engine: which draft, for what subject, with what lens."""
    raw = clean_text(_MENTION.sub(" ", text))
    if not raw or _HELP_WORDS.match(raw):
        return Intent(kind="help", text=raw)
    if _QUESTION.search(raw) and not _ASKS_TO_DRAFT.search(raw):
        return Intent(kind="unclear", text=raw, question=QUESTION_REPLY)
    kind: Kind
    if _RETRO_WORDS.search(raw):
        kind = "schedule_retro" if _SCHEDULE_WORDS.search(raw) else "retro"
    elif _INTO_OKR.search(raw):
        kind = "okr"
    elif _SWOT_WORDS.search(raw):
        kind = "swot"
    elif _OKR_WORDS.search(raw):
        kind = "okr"
    else:
        return Intent(kind="unclear", text=raw, question=CLARIFYING_QUESTION)
    if kind in ("retro", "schedule_retro"):
        return Intent(kind=kind, text=raw)
    subject, lens = _subject_from_sentence(raw)
    return Intent(kind=kind, subject=subject, lens=lens, text=raw)


def _subject_from_sentence(raw: str) -> tuple[str | None, str | None]:
    lens = None
    with_lens = _WITH_LENS.search(raw) or _LENS.search(raw)
    if with_lens:
        lens = with_lens.group(1).strip("\"' ")
        raw = (raw[: with_lens.start()] + raw[with_lens.end() :]).strip()
    raw = _INTO_OKR.sub(" ", raw)
    match = _SUBJECT_AFTER.search(raw)
    if match:
        subject = match.group(1)
    else:
        subject = _FILLER.sub("", raw)
        subject = re.sub(
            r"\b(?:swot|okrs?|strategic plan|plan|analysis|into|from|last|our)\b",
            " ",
            subject,
            flags=re.IGNORECASE,
        )
    subject = re.sub(r"\b(?:swot|okrs?|analysis)\b", " ", subject, flags=re.IGNORECASE)
    subject = re.sub(r"\s+", " ", subject).strip(" .,:;-?!")
    return (subject[:MAX_SUBJECT_CHARS] or None), (lens or None)


class IntentRouter(Protocol):
    def route(self, text: str) -> Intent: ...


class KeywordRouter:
    """The offline router: keyword rules only."""

    def route(self, text: str) -> Intent:
        return route(text)

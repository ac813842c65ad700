"""Redact emails, phone numbers and card numbers from text before it leaves for a hosted LLM."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from drafting.settings import LLMSettings

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Candidate digit runs; what counts as a card or a phone is decided by the digits, not the regex,
# so that figures such as "2,450", "17.8M" or "2026-03-01" are never touched.
_DIGIT_RUN = re.compile(r"(?<![\w.])\+?\(?\d[\d ().-]{6,}\d(?![\w%])")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
_LOCAL_PROVIDERS = {"ollama"}


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value * 2 > 9 else value * 2
        total += value
    return total % 10 == 0


def _looks_like_phone(run: str, digits: str) -> bool:
    if not 9 <= len(digits) <= 15:
        return False
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", run.strip()):
        return False
    separators = len(re.findall(r"[ ().-]", run))
    return run.startswith("+") or "(" in run or separators >= 2


def _redact_digits(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = re.sub(r"\D", "", run)
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return "[card number]"
    if _looks_like_phone(run, digits):
        return "[phone]"
    return run


def redact(text: str) -> str:
    """The text with emails, phone numbers and payment card numbers replaced by placeholders."""
    text = EMAIL.sub("[email]", text)
    return _DIGIT_RUN.sub(_redact_digits, text)


def provider_is_local(settings: LLMSettings) -> bool:
    provider = (settings.model or "").split(":", 1)[0].lower()
    if provider in _LOCAL_PROVIDERS:
        return True
    if settings.base_url:
        host = (urlparse(settings.base_url).hostname or "").lower()
        return host in _LOCAL_HOSTS
    return False


def redaction_enabled(settings: LLMSettings) -> bool:
    """Explicit setting wins; otherwise redact whenever text would leave this machine."""
    if settings.redact is not None:
        return settings.redact
    return not provider_is_local(settings)

"""Redaction of personal data before text goes to a hosted model."""

from __future__ import annotations

from pydantic import SecretStr

from drafting.settings import LLMSettings
from drafting.redaction import redact, redaction_enabled


def test_emails_phones_and_cards_are_replaced() -> None:
    text = (
        "Write to ana.silva+ops@larkspur.example, call +351 21 555 0199 or (020) 7946 0958; "
        "card 4111 1111 1111 1111 on file."
    )
    out = redact(text)
    assert "ana.silva" not in out and "555 0199" not in out and "7946 0958" not in out
    assert "4111" not in out
    assert out.count("[phone]") == 2 and "[email]" in out and "[card number]" in out


def test_figures_dates_and_ids_survive() -> None:
    text = (
        "ARR USD 38.4 million, 2,450 shipments, 99.91% uptime, due 2026-03-01, "
        "range 2026-2027, order 1234567890123 (not a valid card), 1,234,567 rows."
    )
    assert redact(text) == text


def test_redaction_defaults_to_on_only_when_text_leaves_the_machine() -> None:
    assert redaction_enabled(LLMSettings(model="openai:gpt-4o-mini"))
    assert redaction_enabled(LLMSettings(model="openai:x", base_url="https://llm.example.com/v1"))
    assert not redaction_enabled(LLMSettings(model="openai:x", base_url="http://localhost:8000/v1"))
    assert not redaction_enabled(LLMSettings(model="openai:x", base_url="http://127.0.0.1:8080"))
    assert not redaction_enabled(LLMSettings(model="ollama:llama3.1"))
    forced = LLMSettings(model="ollama:llama3.1", redact=True, api_key=SecretStr("k"))
    assert redaction_enabled(forced)
    assert not redaction_enabled(LLMSettings(model="openai:gpt-4o-mini", redact=False))

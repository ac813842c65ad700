"""The drafting engine's settings (LLM__*): empty `model` means the offline engine."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class LLMSettings(BaseModel):
    # "<provider>:<model>", e.g. "openai:gpt-4o-mini" or "ollama:llama3.1"; empty = offline engine.
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    temperature: float = 0.2
    timeout_seconds: float = 60.0
    max_retries: int = 2
    # Redact emails, phone and card numbers before text leaves for a non-local provider.
    redact: bool | None = None

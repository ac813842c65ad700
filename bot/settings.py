"""The one settings object: environment variables and `.env`, with nested groups."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
PLACEHOLDER_PREFIXES = ("xoxb-your", "your-", "changeme", "placeholder")


class SlackSettings(BaseModel):
    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    api_base_url: str = SLACK_API_DEFAULT
    scopes: list[str] = Field(
        default_factory=lambda: [
            "app_mentions:read",
            "assistant:write",
            "canvases:write",
            "channels:history",
            "channels:read",
            "chat:write",
            "commands",
            "files:read",
            "files:write",
            "groups:history",
            "im:history",
            "im:read",
            "im:write",
            "reactions:write",
            "users:read",
        ]
    )

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.client_id and self.client_secret)


class ChromaSettings(BaseModel):
    host: str | None = None
    port: int = 8000
    ssl: bool = False


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


class EmbeddingSettings(BaseModel):
    # "builtin" = the bundled all-MiniLM-L6-v2 on onnxruntime; otherwise "<provider>:<model>".
    model: str = "builtin"
    batch_size: int = 32
    # For a provider model only: an OpenAI-compatible endpoint and its key.
    base_url: str | None = None
    api_key: SecretStr | None = None


class ServerSettings(BaseModel):
    # Threads that run listeners and their acks; kept apart from drafting work (work_threads)
    # so an ack never queues behind a draft.
    listener_threads: int = 32
    # Threads that run slow work after the ack (drafting, ingestion).
    work_threads: int = 4
    # `serve` runs that work (and the retro scheduler) in a child process at a lower CPU
    # priority, so drafts never slow acks down; off, it runs on threads of the one process.
    worker_process: bool = True
    worker_niceness: int = 10
    # A draft request still pending this long after a start-up was interrupted by a crash.
    stale_request_seconds: float = 600.0
    # An event claimed this long ago and never finished was held by a process that died; the
    # next Slack retry (about 1 and 5 minutes later) takes it over.
    event_claim_timeout_seconds: float = 30.0


class KnowledgeSettings(BaseModel):
    max_file_bytes: int = 20 * 1024 * 1024
    url_timeout_seconds: float = 15.0
    allow_private_urls: bool = False
    # Characters per chunk; MiniLM reads at most 256 tokens, about 1,000 characters of prose.
    chunk_size: int = 1000
    chunk_overlap: int = 120
    # A "pending" document untouched this long was left by a crashed ingest and is cleaned up.
    stale_ingest_seconds: float = 600.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        # `KEY=` (as in .env.example) means "use the default", not an empty value.
        env_ignore_empty=True,
        extra="ignore",
    )

    env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Path("./.alignbot")
    database_url: str | None = None
    log_level: str = "INFO"

    slack: SlackSettings = Field(default_factory=SlackSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)

    @model_validator(mode="after")
    def _reject_placeholders_outside_dev(self) -> Settings:
        if self.env != "prod":
            return self
        for name in ("bot_token", "signing_secret", "client_secret", "app_token"):
            value = getattr(self.slack, name)
            if value is not None and value.get_secret_value().lower().startswith(
                PLACEHOLDER_PREFIXES
            ):
                raise ValueError(f"SLACK__{name.upper()} still holds the .env.example placeholder")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'alignbot.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    def secret_values(self) -> list[str]:
        """Every configured secret, so logging can scrub them."""
        secrets = [
            self.slack.bot_token,
            self.slack.signing_secret,
            self.slack.app_token,
            self.slack.client_secret,
            self.llm.api_key,
            self.embedding.api_key,
        ]
        return [s.get_secret_value() for s in secrets if s and s.get_secret_value()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

"""The one settings object: environment variables and `.env`, composed of each domain's group.

Each package defines the settings it reads (knowledge/, drafting/, scheduler/, handlers/); only
the root reads the environment, so no domain module ever sees another's settings.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from drafting.settings import LLMSettings
from handlers.settings import ServerSettings, SlackSettings
from knowledge.settings import ChromaSettings, EmbeddingSettings, KnowledgeSettings
from scheduler.settings import SchedulerSettings

PLACEHOLDER_PREFIXES = ("xoxb-your", "your-", "changeme", "placeholder")


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
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)

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

"""The Slack side's settings: the app's credentials (SLACK__*) and how it serves (SERVER__*)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

SLACK_API_DEFAULT = "https://slack.com/api/"


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

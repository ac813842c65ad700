"""Errors the knowledge base raises for a person to read (CLI, Slack replies)."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class: the message is a complete sentence meant for the user."""


class VectorStoreUnavailable(KnowledgeError):
    """The vector store could not be reached."""

    def __init__(self) -> None:
        super().__init__("The knowledge base (vector store) is unreachable right now.")


class IngestError(KnowledgeError):
    """A document could not be ingested; nothing of it was stored."""


class EmbeddingModelMismatch(KnowledgeError):
    """The workspace's collection was filled by a different embedding model than the one in use."""

    def __init__(self, *, workspace_id: str, stored_model: str, current_model: str) -> None:
        self.workspace_id = workspace_id
        self.stored_model = stored_model
        self.current_model = current_model
        super().__init__(
            f"The knowledge base of workspace {workspace_id} was embedded with "
            f"“{stored_model}”, but the configured embedding model is “{current_model}”. "
            f"Vectors from different models cannot be compared; run "
            f"`alignbot kb reindex --workspace {workspace_id}` to re-embed it with the current model."
        )

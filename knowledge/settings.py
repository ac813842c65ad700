"""The knowledge base's settings: the vector store, the embedding model and ingestion limits.

The root's Settings composes them as CHROMA__*, EMBEDDING__* and KNOWLEDGE__*.
"""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class ChromaSettings(BaseModel):
    host: str | None = None
    port: int = 8000
    ssl: bool = False


class EmbeddingSettings(BaseModel):
    # "builtin" = the bundled all-MiniLM-L6-v2 on onnxruntime; otherwise "<provider>:<model>".
    model: str = "builtin"
    batch_size: int = 32
    # For a provider model only: an OpenAI-compatible endpoint and its key.
    base_url: str | None = None
    api_key: SecretStr | None = None


class KnowledgeSettings(BaseModel):
    max_file_bytes: int = 20 * 1024 * 1024
    url_timeout_seconds: float = 15.0
    allow_private_urls: bool = False
    # Characters per chunk; MiniLM reads at most 256 tokens, about 1,000 characters of prose.
    chunk_size: int = 1000
    chunk_overlap: int = 120
    # A "pending" document untouched this long was left by a crashed ingest and is cleaned up.
    stale_ingest_seconds: float = 600.0

"""Chroma client construction: embedded on disk by default, a Chroma server when a host is set."""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaConfig


def make_chroma_client(
    *, path: Path, host: str | None = None, port: int = 8000, ssl: bool = False
) -> ClientAPI:
    config = ChromaConfig(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=config)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=config)

"""Chroma client construction: embedded on disk by default, a Chroma server when a host is set."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaConfig

from knowledge.errors import VectorStoreUnavailable


class LazyClient:
    """Connects on first use: a replica starts (and reports unhealthy) while the server is down.

    chromadb.HttpClient checks the server when it is built, so building it eagerly would make
    `alignbot serve` crash-loop until Chroma is up, instead of acking Slack and saying why.
    """

    def __init__(self, connect: Callable[[], ClientAPI]) -> None:
        self._connect = connect
        self._client: ClientAPI | None = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    try:
                        self._client = self._connect()
                    except Exception as exc:
                        # chromadb raises ValueError for a server it cannot reach, which reads
                        # like "no such collection" to code that looks one up.
                        raise VectorStoreUnavailable() from exc
                client = self._client
        return getattr(client, name)


def make_chroma_client(
    *, path: Path, host: str | None = None, port: int = 8000, ssl: bool = False, lazy: bool = False
) -> ClientAPI:
    """`lazy` also defers an embedded client: a process that never uses it never opens it."""
    config = ChromaConfig(anonymized_telemetry=False, allow_reset=False)
    if host:
        remote = LazyClient(
            lambda: chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=config)
        )
        return cast(ClientAPI, remote)
    path.mkdir(parents=True, exist_ok=True)
    if lazy:
        return cast(
            ClientAPI,
            LazyClient(lambda: chromadb.PersistentClient(path=str(path), settings=config)),
        )
    return chromadb.PersistentClient(path=str(path), settings=config)

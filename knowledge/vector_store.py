"""One Chroma collection per workspace, tagged with the embedding model that filled it."""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections.abc import Sequence
from typing import Any

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError

from knowledge.chroma_embedding import LangChainEmbeddingFunction
from knowledge.errors import EmbeddingModelMismatch

MODEL_KEY = "embedding_model"
SAFE_ID = re.compile(r"^[A-Za-z0-9]{1,40}$")


def collection_name(workspace_id: str) -> str:
    """A name Chroma accepts; distinct workspaces never share one."""
    if SAFE_ID.match(workspace_id):
        return f"kb-{workspace_id}"
    return "kb-h" + hashlib.sha256(workspace_id.encode()).hexdigest()[:40]


class VectorStore:
    def __init__(self, client: ClientAPI, function: LangChainEmbeddingFunction) -> None:
        self.client = client
        self.function = function

    @property
    def model_id(self) -> str:
        return self.function.model_id

    def open(self, workspace_id: str, *, create: bool) -> Collection | None:
        name = collection_name(workspace_id)
        try:
            collection = self.client.get_collection(name, embedding_function=self.function)  # type: ignore[arg-type]
        except (NotFoundError, ValueError):
            if not create:
                return None
            collection = self._create(name)
        stored = (collection.metadata or {}).get(MODEL_KEY)
        if stored == self.model_id:
            return collection
        if collection.count() > 0:
            raise EmbeddingModelMismatch(
                workspace_id=workspace_id,
                stored_model=str(stored or "an unknown model"),
                current_model=self.model_id,
            )
        # Empty: nothing to mix up, so it can simply change hands.
        collection.modify(metadata={MODEL_KEY: self.model_id})
        return collection

    def _create(self, name: str) -> Collection:
        return self.client.get_or_create_collection(
            name,
            embedding_function=self.function,  # type: ignore[arg-type]
            metadata={MODEL_KEY: self.model_id},
            configuration={"hnsw": {"space": "cosine"}},
        )

    def add(
        self,
        collection: Collection,
        *,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        # No documents: the chunk text lives in SQL, where keyword search and citations read
        # it. Storing it here too would triple Chroma's write time for its own text index.
        collection.add(
            ids=list(ids),
            embeddings=[list(v) for v in vectors],  # type: ignore[arg-type]
            metadatas=[{k: v for k, v in m.items() if v is not None} for m in metadatas],
        )

    def nearest(self, collection: Collection, vector: Sequence[float], n: int) -> list[str]:
        result = collection.query(
            query_embeddings=[list(vector)],  # type: ignore[arg-type]
            n_results=n,
            include=[],
        )
        return list(result["ids"][0]) if result["ids"] else []

    def delete_documents(self, workspace_id: str, doc_ids: Sequence[str]) -> None:
        if not doc_ids:
            return
        name = collection_name(workspace_id)
        try:
            collection = self.client.get_collection(name, embedding_function=self.function)  # type: ignore[arg-type]
        except (NotFoundError, ValueError):
            return
        where: Any = {"doc_id": {"$in": list(doc_ids)}}
        collection.delete(where=where)

    def drop(self, workspace_id: str) -> None:
        with contextlib.suppress(NotFoundError, ValueError):
            self.client.delete_collection(collection_name(workspace_id))

    def start_rebuild(self, workspace_id: str) -> Collection:
        """A fresh, empty collection that `finish_rebuild` swaps in for the workspace's."""
        return self._create(f"{collection_name(workspace_id)}-rebuild-{uuid.uuid4().hex[:8]}")

    def finish_rebuild(self, workspace_id: str, rebuilt: Collection) -> None:
        self.drop(workspace_id)
        rebuilt.modify(name=collection_name(workspace_id))

    def abandon_rebuild(self, rebuilt: Collection) -> None:
        with contextlib.suppress(NotFoundError, ValueError):
            self.client.delete_collection(rebuilt.name)

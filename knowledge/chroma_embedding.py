"""A chromadb EmbeddingFunction over our LangChain Embeddings, so Chroma never builds its own."""

from __future__ import annotations

from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from langchain_core.embeddings import Embeddings


class LangChainEmbeddingFunction(EmbeddingFunction[Documents]):
    """Handed to every collection explicitly; Chroma's default would download a model."""

    def __init__(self, embeddings: Embeddings, model_id: str) -> None:
        self.embeddings = embeddings
        self.model_id = model_id

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        vectors = self.embeddings.embed_documents(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    def embed_query(self, input: Documents) -> ChromaEmbeddings:
        return [np.asarray(self.embeddings.embed_query(text), dtype=np.float32) for text in input]

    @staticmethod
    def name() -> str:
        return "alignbot-langchain"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self.model_id}

    def is_legacy(self) -> bool:
        # Chroma stores no rebuildable config for us: nothing can revive this function (and
        # load a model) from a collection's settings behind our back.
        return True

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LangChainEmbeddingFunction:
        # Rebuilding from stored config would mean loading a model behind our back; every
        # collection is opened with the function passed in explicitly instead.
        raise ValueError(
            "alignbot collections must be opened with their embedding function passed explicitly"
        )

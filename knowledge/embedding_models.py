"""Choose the embedding model from settings: the bundled MiniLM, or a provider's via LangChain."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.settings import EmbeddingSettings
from knowledge.minilm import BUILTIN_MODEL_ID, MiniLMEmbeddings

BUILTIN_NAMES = {"builtin", "", BUILTIN_MODEL_ID}


def embedding_model_id(settings: EmbeddingSettings) -> str:
    """The name a collection records for the model that filled it."""
    return BUILTIN_MODEL_ID if settings.model in BUILTIN_NAMES else settings.model


def make_embeddings(settings: EmbeddingSettings) -> Embeddings:
    if settings.model in BUILTIN_NAMES:
        return MiniLMEmbeddings(batch_size=settings.batch_size)
    from langchain.embeddings import init_embeddings

    kwargs: dict[str, Any] = {}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if settings.api_key is not None:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    return init_embeddings(settings.model, **kwargs)

"""Embedding with a small cache, and cosine similarity, for the offline engine's sorting."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

Matrix = np.ndarray


class CachedEmbedder:
    """Section descriptions and facts recur across drafts and revisions; embed each text once."""

    def __init__(self, embeddings: Embeddings, max_items: int = 20_000) -> None:
        self._embeddings = embeddings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Unit-length rows, one per text (an empty matrix for no texts)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._embeddings.embed_documents(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    array = np.asarray(vector, dtype=np.float32)
                    norm = float(np.linalg.norm(array)) or 1.0
                    self._cache[text] = array / norm
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = [self._cache.get(t) for t in texts]
        present = [row for row in rows if row is not None]
        if len(present) != len(rows):  # evicted meanwhile by a concurrent draft
            return self._fresh(texts)
        return np.vstack(present) if present else np.zeros((0, 1), dtype=np.float32)

    def _fresh(self, texts: Sequence[str]) -> Matrix:
        vectors = np.asarray(self._embeddings.embed_documents(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms


def cosine(a: Matrix, b: Matrix) -> Matrix:
    """Pairwise cosine of unit-length rows."""
    if a.size == 0 or b.size == 0:
        return np.zeros((a.shape[0], b.shape[0]), dtype=np.float32)
    return a @ b.T

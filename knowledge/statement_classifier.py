"""The statement classifier: a small softmax model over MiniLM vectors and cheap features.

Weights ship in `model_data/statement_classifier.npz` and are rebuilt by `make train`
(knowledge/train_statements.py). Inference is a couple of matrix products in numpy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from knowledge.statement_features import features
from knowledge.statements import STATEMENT_KINDS, Statement


def default_weights_path() -> Path:
    return Path(str(resources.files("knowledge") / "model_data" / "statement_classifier.npz"))


@dataclass(frozen=True)
class Weights:
    """A one-hidden-layer network; with `w1` empty it is plain multinomial logistic regression."""

    mean: np.ndarray  # feature standardisation, fitted on the training split
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    kinds: tuple[str, ...] = STATEMENT_KINDS
    # Softmax temperature fitted on held-out documents, so a confidence of 0.7 is right about 7
    # times in 10 (drafting filters on confidence); 1.0 leaves the network's own scores.
    temperature: float = 1.0

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            w1=self.w1.astype(np.float16),
            b1=self.b1.astype(np.float32),
            w2=self.w2.astype(np.float16),
            b2=self.b2.astype(np.float32),
            kinds=np.asarray(self.kinds),
            temperature=np.float32(self.temperature),
        )

    @classmethod
    def load(cls, path: Path) -> Weights:
        with np.load(path) as data:
            return cls(
                mean=data["mean"].astype(np.float32),
                scale=data["scale"].astype(np.float32),
                w1=data["w1"].astype(np.float32),
                b1=data["b1"].astype(np.float32),
                w2=data["w2"].astype(np.float32),
                b2=data["b2"].astype(np.float32),
                kinds=tuple(str(k) for k in data["kinds"]),
                temperature=float(data["temperature"]) if "temperature" in data else 1.0,
            )

    def logits(self, inputs: np.ndarray) -> np.ndarray:
        x = (inputs - self.mean) / self.scale
        if self.w1.size:
            x = np.maximum(x @ self.w1 + self.b1, 0.0)
        return x @ self.w2 + self.b2

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        return softmax(self.logits(inputs) / self.temperature)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def model_inputs(vectors: np.ndarray, statements: list[Statement]) -> np.ndarray:
    """The classifier's input rows: the statement's vector, then its cheap features."""
    if not statements:
        return np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    extra = np.vstack([features(s) for s in statements])
    return np.hstack([vectors.astype(np.float32), extra])


class StatementClassifier:
    """Loads its weights on first use; safe to share between threads."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path or default_weights_path()
        self._weights: Weights | None = None
        self._lock = threading.Lock()

    @property
    def weights(self) -> Weights:
        if self._weights is None:
            with self._lock:
                if self._weights is None:
                    self._weights = Weights.load(self._path)
        return self._weights

    def classify(self, vectors: np.ndarray, statements: list[Statement]) -> list[tuple[str, float]]:
        """(kind, confidence) per statement."""
        if not statements:
            return []
        probs = self.weights.probabilities(model_inputs(vectors, statements))
        best = probs.argmax(axis=1)
        kinds = self.weights.kinds
        return [(kinds[i], float(probs[row, i])) for row, i in enumerate(best)]

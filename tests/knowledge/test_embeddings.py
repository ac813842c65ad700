"""The bundled MiniLM matches fp32 sentence-transformers and refuses a tampered model file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.settings import EmbeddingSettings
from knowledge.chroma_embedding import LangChainEmbeddingFunction
from knowledge.embedding_models import embedding_model_id, make_embeddings
from knowledge.minilm import BUILTIN_MODEL_ID, MiniLMEmbeddings, ModelFileError

REFERENCE = Path(__file__).parent.parent / "fixtures" / "embedding_reference.json"


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_vectors_match_the_fp32_reference(minilm: MiniLMEmbeddings) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = minilm.embed_documents(reference["sentences"])
    for sentence, mine, theirs in zip(
        reference["sentences"], ours, reference["vectors"], strict=True
    ):
        assert len(mine) == 384
        assert cosine(np.array(mine), np.array(theirs)) >= 0.99, sentence


def test_vectors_are_unit_length_and_independent_of_batch_padding(minilm: MiniLMEmbeddings) -> None:
    short = "Kestrel ships in Q3."
    long = "A much longer sentence that pads every other input in its batch " * 8
    alone = np.array(minilm.embed_query(short))
    batched = np.array(minilm.embed_documents([long, short, "ok"])[1])
    assert abs(np.linalg.norm(alone) - 1.0) < 1e-4
    assert cosine(alone, batched) > 0.9999


def test_meaning_is_captured(minilm: MiniLMEmbeddings) -> None:
    a, b, c = (
        np.array(v)
        for v in minilm.embed_documents(
            [
                "When does Project Kestrel launch?",
                "Kestrel ships to customers in the third quarter.",
                "The cafeteria serves soup on Fridays.",
            ]
        )
    )
    assert cosine(a, b) > cosine(a, c) + 0.2


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model we pinned")
    with pytest.raises(ModelFileError, match="sha256"):
        MiniLMEmbeddings(model_path=fake).embed_query("hello")
    with pytest.raises(ModelFileError, match="not found"):
        MiniLMEmbeddings(model_path=tmp_path / "missing.onnx").embed_query("hello")


def test_chroma_function_gives_the_same_vectors(minilm: MiniLMEmbeddings) -> None:
    function = LangChainEmbeddingFunction(minilm, BUILTIN_MODEL_ID)
    (vector,) = function(["Kestrel ships in Q3."])
    assert cosine(np.asarray(vector), np.array(minilm.embed_query("Kestrel ships in Q3."))) > 0.9999
    with pytest.raises(ValueError, match="explicitly"):
        LangChainEmbeddingFunction.build_from_config(function.get_config())


def test_settings_choose_the_model() -> None:
    assert isinstance(make_embeddings(EmbeddingSettings()), MiniLMEmbeddings)
    assert embedding_model_id(EmbeddingSettings()) == BUILTIN_MODEL_ID
    provider = EmbeddingSettings(
        model="openai:text-embedding-3-small", api_key="sk-test", base_url="http://127.0.0.1:9/v1"
    )
    assert embedding_model_id(provider) == "openai:text-embedding-3-small"
    embeddings = make_embeddings(provider)
    assert type(embeddings).__name__ == "OpenAIEmbeddings"
    assert embeddings.model == "text-embedding-3-small"  # type: ignore[attr-defined]

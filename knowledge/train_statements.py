"""Train the statement classifier on knowledge/training/corpus (run: `make train`).

Each corpus document is rebuilt as Markdown and goes through the same chunking, statement
splitting and span pooling as an ingest, so the model learns from exactly what it will see.
A fifth of the documents is held out to print per-class precision, recall, F1, a confusion
matrix and the confidence calibration; the softmax temperature is fitted on those held-out
predictions, and the shipped weights are then fitted on every document.

    python -m knowledge.train_statements [--hidden 64] [--no-save] [--errors] [--rounds a,b,c,d]
"""

from __future__ import annotations

import argparse
import json
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from knowledge.chunking import Chunk, split
from knowledge.extract import Block, Extracted
from knowledge.minilm import MiniLMEmbeddings
from knowledge.statement_classifier import Weights, default_weights_path, model_inputs, softmax
from knowledge.statements import STATEMENT_KINDS, Statement, clean_inline, split_chunk

CORPUS = Path(__file__).parent / "training" / "corpus"
SEED = 20261201
# One document in FOLDS is held out, chosen by a hash of its id: adding a round of data never
# moves an existing document between the splits, so reports before and after stay comparable.
FOLDS = 5
_MARKUP = re.compile(r"^\s*(?:[-*+•→>|#]|\d+[.)]|\[[ xX]\])")


@dataclass
class Example:
    doc: str
    text: str
    kind: str
    statement: Statement
    vector: np.ndarray


def load_corpus(folder: Path = CORPUS) -> dict[str, list[dict[str, str]]]:
    docs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                docs[row["doc"]].append(row)
    return dict(docs)


def rebuild_markdown(rows: list[dict[str, str]]) -> tuple[str, str]:
    """A document's title and Markdown text from its statements in order."""
    lines: list[str] = []
    previous: list[str] = []
    for row in rows:
        path = [p.strip() for p in (row.get("heading") or "").split(">") if p.strip()]
        common = 0
        while common < min(len(path), len(previous)) and path[common] == previous[common]:
            common += 1
        for depth in range(common, len(path)):
            lines += ["", f"{'#' * min(depth + 1, 4)} {path[depth]}", ""]
        previous = path
        text = row["text"].strip()
        plain = not _MARKUP.match(text) and len(text.split()) > 3
        if plain and lines and lines[-1][-1:] in ".!?" and not _MARKUP.match(lines[-1]):
            lines[-1] += " " + text  # consecutive sentences of prose form one paragraph
        else:
            lines.append(text)
    title = (rows[0].get("heading") or rows[0]["doc"]).split(">")[0].strip()
    return title, "\n".join(lines).strip() + "\n"


def _norm(text: str) -> str:
    text = clean_inline(_MARKUP.sub("", text))
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def examples_of(
    docs: dict[str, list[dict[str, str]]], model: MiniLMEmbeddings
) -> tuple[list[Example], int]:
    """Labelled statements as an ingest sees them, and how many labelled lines went unmatched."""
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    owners: list[tuple[str, list[Statement]]] = []
    for doc, rows in docs.items():
        title, markdown = rebuild_markdown(rows)
        chunks = split(
            Extracted("text", [Block(markdown)], has_headings=True), chunk_size=1000, overlap=120
        )
        for chunk in chunks:
            statements = split_chunk(chunk.text, chunk.section)
            embedding_text = Chunk(chunk.text, chunk.section).embedding_text(title)
            offset = len(embedding_text) - len(chunk.text)
            texts.append(embedding_text)
            spans.append([(offset + s.start, offset + s.end) for s in statements])
            owners.append((doc, statements))
    _, pooled = model.embed_with_spans(texts, spans)
    examples: list[Example] = []
    matched: set[tuple[str, str]] = set()
    labels = {doc: [(_norm(r["text"]), r["type"]) for r in rows] for doc, rows in docs.items()}
    for (doc, statements), vectors in zip(owners, pooled, strict=True):
        exact = dict(labels[doc])
        for statement, vector in zip(statements, vectors, strict=True):
            key = _norm(statement.text)
            kind = exact.get(key)
            if kind is None and len(key) > 12:
                # A labelled line the splitter cut in two: each part keeps the line's label.
                kind = next((k for text, k in labels[doc] if key in text), None)
            if kind is None:
                continue
            matched.add((doc, key))
            examples.append(Example(doc, statement.text, kind, statement, vector))
    total = sum(len(rows) for rows in docs.values())
    return examples, total - len({(d, k) for d, k in matched})


def fit(
    inputs: np.ndarray, targets: np.ndarray, *, hidden: int, epochs: int = 400, l2: float = 1e-3
) -> Weights:
    """Full-batch Adam on class-weighted cross-entropy; deterministic for a given seed."""
    rng = np.random.default_rng(SEED)
    mean = inputs.mean(axis=0)
    scale = inputs.std(axis=0) + 1e-3
    x = (inputs - mean) / scale
    k = len(STATEMENT_KINDS)
    y = np.eye(k, dtype=np.float32)[targets]
    counts = np.bincount(targets, minlength=k).astype(np.float32)
    # Rare types (mission, value) weigh more, so the model does not learn to ignore them.
    class_weight = (counts.sum() / np.maximum(counts, 1) / k) ** 0.5
    sample_weight = class_weight[targets][:, None]
    d = x.shape[1]
    params: dict[str, np.ndarray] = {
        "w2": rng.normal(0, 0.01, (hidden or d, k)).astype(np.float32),
        "b2": np.zeros(k, dtype=np.float32),
    }
    if hidden:
        params["w1"] = rng.normal(0, (2 / d) ** 0.5, (d, hidden)).astype(np.float32)
        params["b1"] = np.zeros(hidden, dtype=np.float32)
    names = list(params)
    moments = {n: (np.zeros_like(params[n]), np.zeros_like(params[n])) for n in names}
    lr, beta1, beta2 = 0.01 if hidden else 0.02, 0.9, 0.999
    for step in range(1, epochs + 1):
        h = np.maximum(x @ params["w1"] + params["b1"], 0) if hidden else x
        probs = softmax(h @ params["w2"] + params["b2"])
        delta = (probs - y) * sample_weight / len(x)
        grads = {"w2": h.T @ delta + l2 * params["w2"], "b2": delta.sum(axis=0)}
        if hidden:
            back = (delta @ params["w2"].T) * (h > 0)
            grads["w1"] = x.T @ back + l2 * params["w1"]
            grads["b1"] = back.sum(axis=0)
        for n in names:
            m, v = moments[n]
            m[:] = beta1 * m + (1 - beta1) * grads[n]
            v[:] = beta2 * v + (1 - beta2) * grads[n] ** 2
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            params[n] -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    empty = np.zeros((0, 0), dtype=np.float32)
    return Weights(
        mean=mean,
        scale=scale,
        w1=params.get("w1", empty),
        b1=params.get("b1", np.zeros(0, dtype=np.float32)),
        w2=params["w2"],
        b2=params["b2"],
    )


def report(truth: list[str], predicted: list[str]) -> str:
    """Per-class precision, recall and F1, then the confusion matrix (rows: truth)."""
    kinds = STATEMENT_KINDS
    lines = [f"{'type':<12}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>6}"]
    for kind in kinds:
        tp = sum(t == kind and p == kind for t, p in zip(truth, predicted, strict=True))
        n_pred = predicted.count(kind)
        n_true = truth.count(kind)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        lines.append(f"{kind:<12}{precision:>10.2f}{recall:>8.2f}{f1:>7.2f}{n_true:>6}")
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(len(truth), 1)
    lines.append(f"accuracy {accuracy:.3f} on {len(truth)} statements")
    lines.append("confusion (rows: truth, columns: predicted)")
    lines.append(" " * 12 + "".join(f"{k[:5]:>6}" for k in kinds))
    pairs = Counter(zip(truth, predicted, strict=True))
    for kind in kinds:
        lines.append(f"{kind:<12}" + "".join(f"{pairs[(kind, p)]:>6}" for p in kinds))
    return "\n".join(lines)


def is_held_out(doc: str) -> bool:
    return zlib.crc32(doc.encode("utf-8")) % FOLDS == 0


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The softmax temperature with the lowest held-out log loss (a coarse grid is enough)."""
    grid = np.round(np.arange(0.5, 4.01, 0.05), 2)
    losses = [
        -np.log(softmax(logits / t)[np.arange(len(targets)), targets] + 1e-9).mean() for t in grid
    ]
    return float(grid[int(np.argmin(losses))])


def calibration(confidence: np.ndarray, correct: np.ndarray) -> str:
    """Expected calibration error and accuracy per confidence band (drafting filters on 0.5)."""
    bands = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    parts, error = [], 0.0
    for low, high in bands:
        inside = (confidence >= low) & (confidence < high)
        if inside.any():
            gap = abs(correct[inside].mean() - confidence[inside].mean())
            error += gap * inside.sum() / len(confidence)
            parts.append(
                f"[{low:.1f},{min(high, 1):.1f}) n={inside.sum()} acc={correct[inside].mean():.2f}"
            )
    return f"calibration error {error:.3f}; " + "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hidden", type=int, default=64, help="hidden units; 0 = logistic")
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--l2", type=float, default=3e-2)
    parser.add_argument("--no-save", action="store_true", help="evaluate only")
    parser.add_argument("--errors", action="store_true", help="print misclassified statements")
    parser.add_argument(
        "--rounds", default="", help="report only held-out documents of these rounds, e.g. a,b,c,d"
    )
    args = parser.parse_args()

    docs = load_corpus()
    examples, unmatched = examples_of(docs, MiniLMEmbeddings())
    print(f"{len(examples)} statements from {len(docs)} documents ({unmatched} lines unmatched)")
    kinds = {k: i for i, k in enumerate(STATEMENT_KINDS)}
    inputs = model_inputs(np.vstack([e.vector for e in examples]), [e.statement for e in examples])
    targets = np.asarray([kinds[e.kind] for e in examples])
    train = np.asarray([not is_held_out(e.doc) for e in examples])
    weights = fit(inputs[train], targets[train], hidden=args.hidden, epochs=args.epochs, l2=args.l2)
    logits = weights.logits(inputs[~train])
    temperature = fit_temperature(logits, targets[~train])
    probs = softmax(logits / temperature)
    rounds = {r.strip() for r in args.rounds.split(",") if r.strip()}
    # A statement repeated by chunk overlap counts once.
    seen: set[tuple[str, str]] = set()
    truth_names, predicted_names, confidences = [], [], []
    held = (e for e, t in zip(examples, train, strict=True) if not t)
    for example, row in zip(held, probs, strict=True):
        if (example.doc, example.text) in seen or (rounds and example.doc[:1] not in rounds):
            continue
        seen.add((example.doc, example.text))
        guess = STATEMENT_KINDS[int(row.argmax())]
        truth_names.append(example.kind)
        predicted_names.append(guess)
        confidences.append(float(row.max()))
        if args.errors and guess != example.kind:
            print(
                f"  {example.kind:>11} -> {guess:<11} [{example.statement.heading}] {example.text}"
            )
    held_docs = {d for d in docs if is_held_out(d) and (not rounds or d[:1] in rounds)}
    print(f"held out by document: {len(held_docs)} of {len(docs)} documents")
    print(report(truth_names, predicted_names))
    correct = np.asarray(truth_names) == np.asarray(predicted_names)
    print(f"temperature {temperature:.2f}; " + calibration(np.asarray(confidences), correct))
    if not args.no_save:
        final = fit(inputs, targets, hidden=args.hidden, epochs=args.epochs, l2=args.l2)
        final = replace(final, temperature=temperature)
        path = default_weights_path()
        final.save(path)
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB), fitted on all documents")


if __name__ == "__main__":
    main()

"""Build knowledge/training/corpus/<round>_*.jsonl from the hand-written sources in <round>_src/.

Each round of hand-written data (c, d, ...) has its own folder of sources and its own doc-id
prefix, so rounds never collide.

Source format, one file per industry:
    @doc <id> | <industry> | <size> | <style>
    # <heading path, parts joined by " > ">
    <code>: <statement as written, markdown included>
Codes: S strength, W weakness, O opportunity, T threat, G goal, A action, M mission, V value,
C context, N noise. Run: python knowledge/training/build_corpus.py c  (or d, ...)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
CODES = {
    "S": "strength",
    "W": "weakness",
    "O": "opportunity",
    "T": "threat",
    "G": "goal",
    "A": "action",
    "M": "mission",
    "V": "value",
    "C": "context",
    "N": "noise",
}


def build(source: Path, round_: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    doc: dict[str, str] = {}
    heading = ""
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("@doc "):
            ident, industry, size, style = (p.strip() for p in line[5:].split("|"))
            prefix = f"{round_}-"
            assert ident.startswith(prefix), f"{source}:{number}: doc ids start with {prefix}"
            doc = {"doc": ident, "industry": industry, "size": size, "style": style}
            heading = ""
        elif line.startswith("# "):
            heading = line[2:].strip()
        else:
            code, _, text = line.partition(": ")
            assert code in CODES and text.strip(), f"{source}:{number}: bad line {line!r}"
            rows.append({**doc, "heading": heading, "text": text.strip(), "type": CODES[code]})
    return rows


def main(round_: str) -> None:
    counts: Counter[str] = Counter()
    docs: set[str] = set()
    for source in sorted((HERE / f"{round_}_src").glob("*.txt")):
        rows = build(source, round_)
        for row in rows:
            assert row["doc"] not in docs or row["doc"] in {r["doc"] for r in rows}
        docs |= {r["doc"] for r in rows}
        counts.update(r["type"] for r in rows)
        out = HERE / "corpus" / f"{round_}_{source.stem}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        print(f"{out.name}: {len(rows)}")
    print(f"{sum(counts.values())} statements in {len(docs)} documents: {dict(counts)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "c")

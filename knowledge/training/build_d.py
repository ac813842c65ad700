"""Build knowledge/training/corpus/d_*.jsonl from the hand-written sources in d_src/.

Source format, one file per industry:
    @doc <id> | <industry> | <size> | <style>
    # <heading path, parts joined by " > ">
    <code>: <statement as written, markdown included>
Codes: S strength, W weakness, O opportunity, T threat, G goal, A action, M mission, V value,
C context, N noise. Run: python knowledge/training/build_d.py
"""

from __future__ import annotations

import json
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


def build(source: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    doc: dict[str, str] = {}
    heading = ""
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("@doc "):
            ident, industry, size, style = (p.strip() for p in line[5:].split("|"))
            assert ident.startswith("d-"), f"{source}:{number}: doc ids start with d-"
            doc = {"doc": ident, "industry": industry, "size": size, "style": style}
            heading = ""
        elif line.startswith("# "):
            heading = line[2:].strip()
        else:
            code, _, text = line.partition(": ")
            assert code in CODES and text.strip(), f"{source}:{number}: bad line {line!r}"
            rows.append({**doc, "heading": heading, "text": text.strip(), "type": CODES[code]})
    return rows


def main() -> None:
    counts: Counter[str] = Counter()
    docs: set[str] = set()
    for source in sorted((HERE / "d_src").glob("*.txt")):
        rows = build(source)
        for row in rows:
            assert row["doc"] not in docs or row["doc"] in {r["doc"] for r in rows}
        docs |= {r["doc"] for r in rows}
        counts.update(r["type"] for r in rows)
        out = HERE / "corpus" / f"d_{source.stem}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        print(f"{out.name}: {len(rows)}")
    print(f"{sum(counts.values())} statements in {len(docs)} documents: {dict(counts)}")


if __name__ == "__main__":
    main()

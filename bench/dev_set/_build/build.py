"""Build the development set from its annotated sources: `python bench/dev_set/_build/build.py`.

Each annotated document (`_build/<slug>/<doc>`) carries a type tag such as `[[w]]` after every
statement. This script removes the tags to write `<slug>/docs/<doc>`, writes
`<slug>/answer_key.jsonl` ({"doc", "text", "type"} per statement, the same format as
bench/eval_set) and `<slug>/expected.json` from `_build/<slug>/spec.json`, then checks that every
text is verbatim in its doc, every non-scaffold line is labelled, and absent lenses are absent.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE.parent
TAGS = {
    "s": "strength",
    "w": "weakness",
    "o": "opportunity",
    "t": "threat",
    "g": "goal",
    "a": "action",
    "m": "mission",
    "v": "value",
    "c": "context",
    "n": "noise",
}
TAG = re.compile(r"\s*\[\[([swotgamvcn])\]\]")
SCAFFOLD = re.compile(r"^[\s\-|:=`*_#>]*$")
LEADING = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)*")
ABSENT = {
    "artificial intelligence": [" ai ", "ai-", "artificial intelligence", "machine learning", "llm"],
    "international expansion": ["international", "overseas", "export", "abroad"],
    "blockchain": ["blockchain", "crypto", "web3", "ledger"],
}


def statements(line: str) -> tuple[str, list[tuple[str, str]]]:
    """The line without tags, and its (text, type) statements."""
    clean = TAG.sub("", line)
    found: list[tuple[str, str]] = []
    start = 0
    for match in TAG.finditer(line):
        segment = TAG.sub("", line[start : match.start()])
        start = match.end()
        if not found:
            segment = LEADING.sub("", segment)
        text = segment.strip()
        if text.startswith("|") or text.endswith("|"):
            text = text.strip("|").strip()
        if text:
            found.append((text, TAGS[match.group(1)]))
    return clean, found


def build(slug_dir: Path) -> list[str]:
    errors: list[str] = []
    slug = slug_dir.name
    target = OUT / slug
    (target / "docs").mkdir(parents=True, exist_ok=True)
    key: list[dict[str, str]] = []
    docs: dict[str, str] = {}
    for source in sorted(slug_dir.iterdir()):
        if source.name == "spec.json":
            continue
        lines = []
        for number, raw in enumerate(source.read_text().split("\n"), 1):
            clean, found = statements(raw)
            lines.append(clean.rstrip())
            rest = clean
            for text, kind in found:
                key.append({"doc": source.name, "text": text, "type": kind})
                rest = rest.replace(text, "", 1)
            if not SCAFFOLD.match(rest) and not re.fullmatch(r"[\s\-*+>#|:.)\d\[\]xX]*", rest):
                errors.append(f"{slug}/{source.name}:{number}: unlabelled {rest.strip()!r}")
        docs[source.name] = "\n".join(lines)
        (target / "docs" / source.name).write_text(docs[source.name])
    for row in key:
        if row["text"] not in docs[row["doc"]]:
            errors.append(f"{slug}: not verbatim {row['text']!r}")
    (target / "answer_key.jsonl").write_text("".join(json.dumps(r) + "\n" for r in key))

    spec = json.loads((slug_dir / "spec.json").read_text())
    types = {(r["doc"], r["text"]): r["type"] for r in key}

    def statement_with(doc: str, part: str) -> str:
        hits = [r["text"] for r in key if r["doc"] == doc and part in r["text"]]
        if len(hits) != 1:
            errors.append(f"{slug}: {part!r} in {len(hits)} statements of {doc}")
            return hits[0] if hits else ""
        return hits[0]

    for kr in spec["key_results"]:
        for side in ("baseline", "target"):
            kr[f"{side}_statement"] = statement_with(kr[f"{side}_doc"], kr[side])
        if types.get((kr["target_doc"], kr["target_statement"])) != "goal":
            errors.append(f"{slug}: target of {kr['metric']} is not a goal")
    if types.get((spec["mission_doc"], spec["mission"])) != "mission":
        errors.append(f"{slug}: mission is not a labelled mission statement")
    for value in spec["values"]:
        if value not in docs[spec["values_doc"]]:
            errors.append(f"{slug}: value {value!r} not in {spec['values_doc']}")
    for text in spec.get("goals_without_baseline", []) + spec.get("not_targets", []):
        if not any(r["text"] == text for r in key):
            errors.append(f"{slug}: {text!r} is not a labelled statement")
    low = " " + re.sub(r"\s+", " ", "\n".join(docs.values()).lower()) + " "
    for lens in spec["lens_examples"]:
        if not lens["has_content"]:
            for word in ABSENT.get(lens["lens"], [lens["lens"].lower()]):
                if word in low:
                    errors.append(f"{slug}: lens {lens['lens']!r} absent but docs say {word!r}")
    (target / "expected.json").write_text(json.dumps(spec, indent=2) + "\n")
    counts: dict[str, int] = {}
    for row in key:
        counts[row["type"]] = counts.get(row["type"], 0) + 1
    print(f"{slug}: {len(docs)} docs, {len(key)} statements, {len(spec['key_results'])} KRs, {counts}")
    return errors


def main() -> None:
    errors: list[str] = []
    for slug_dir in sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_")):
        errors += build(slug_dir)
    for error in errors:
        print(" -", error)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

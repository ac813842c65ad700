#!/usr/bin/env python3
"""Validate the held-out alignbot evaluation set. Run: python3 /work/data/eval/validate.py"""
import json, os, re, sys
from collections import Counter, defaultdict

BASE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["strength", "weakness", "opportunity", "threat", "goal", "action", "mission", "value", "context", "noise"]
SLUGS = ["marrowfield-orthopaedics", "quillstone", "ferncastle-transit-authority"]
MINIMA = {"strength": 5, "weakness": 5, "opportunity": 4, "threat": 4, "goal": 6}
SCAFFOLD = re.compile(r"^[\s\-|:=`*_#>]*$")
# words that must NOT occur in a company's docs for its has_content=false lenses
ABSENT = {
    "blockchain": ["blockchain", "crypto", "web3", "ledger"],
    "carbon emissions and sustainability": ["carbon", "emission", "sustainab", "net zero", "net-zero", "climate"],
    "cybersecurity": ["cyber", "phishing", "ransomware", "security"],
    "manufacturing and physical supply chain": ["manufactur", "factory", "plant", "warehouse", "supply chain"],
    "artificial intelligence": [" ai ", "ai-", "artificial intelligence", "machine learning", "llm", "language model"],
    "international expansion": ["international", "overseas", "export", "abroad"],
}
errors = []
def err(msg): errors.append(msg)

grand = Counter()
report = {}
for slug in SLUGS:
    cdir = os.path.join(BASE, slug)
    ddir = os.path.join(cdir, "docs")
    docs = {}
    for n in sorted(os.listdir(ddir)):
        with open(os.path.join(ddir, n), encoding="utf-8") as f:
            docs[n] = f.read()
    if not 10 <= len(docs) <= 13: err(f"{slug}: {len(docs)} docs (want 10-13)")
    exts = Counter(n.rsplit(".", 1)[-1] for n in docs)
    for e in ("md", "txt", "csv"):
        if not exts[e]: err(f"{slug}: no .{e} document")
    # answer key
    key = []
    with open(os.path.join(cdir, "answer_key.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                err(f"{slug} answer_key line {i}: bad JSON {e}"); continue
            if set(r) != {"doc", "text", "type"}: err(f"{slug} line {i}: keys {sorted(r)}")
            if r.get("type") not in TYPES: err(f"{slug} line {i}: bad type {r.get('type')}")
            if r.get("doc") not in docs: err(f"{slug} line {i}: unknown doc {r.get('doc')}"); continue
            if not r["text"] or r["text"] not in docs[r["doc"]]: err(f"{slug} line {i}: text not verbatim in {r['doc']}: {r['text']!r}")
            key.append(r)
    bydoc = defaultdict(list)
    labels = defaultdict(set)
    for r in key:
        bydoc[r["doc"]].append(r["text"])
        labels[(r["doc"], r["text"])].add(r["type"])
    for (d, t), ts in labels.items():
        if len(ts) > 1: err(f"{slug}: conflicting labels {ts} for {d}: {t!r}")
    # completeness: every non-scaffold line is covered by labelled texts
    for n, text in docs.items():
        texts = sorted(set(bydoc[n]), key=len, reverse=True)
        for ln, line in enumerate(text.split("\n"), 1):
            if SCAFFOLD.match(line): continue
            rest = line
            for t in texts:
                rest = rest.replace(t, "")
            if not SCAFFOLD.match(rest) and not re.fullmatch(r"[\s\-*+>#|:.)\d\[\]xX]*", rest):
                err(f"{slug}/{n}:{ln}: unlabelled text {rest.strip()!r}")
    counts = Counter(r["type"] for r in key)
    for t, m in MINIMA.items():
        if counts[t] < m: err(f"{slug}: only {counts[t]} {t} (want >= {m})")
    # expected.json
    with open(os.path.join(cdir, "expected.json"), encoding="utf-8") as f:
        exp = json.load(f)
    for k in ("company", "subject", "mission", "values", "key_results", "lens_examples"):
        if k not in exp: err(f"{slug}: expected.json missing {k}")
    alltext = "\n".join(docs.values())
    keyset = {(r["doc"], r["text"]): r["type"] for r in key}
    if exp["mission"] not in docs[exp["mission_doc"]]: err(f"{slug}: mission not verbatim")
    if keyset.get((exp["mission_doc"], exp["mission"])) != "mission": err(f"{slug}: mission not labelled mission in key")
    for v in exp["values"]:
        if v not in docs[exp["values_doc"]]: err(f"{slug}: value not verbatim: {v!r}")
        if not any(r["type"] == "value" and v in r["text"] for r in key if r["doc"] == exp["values_doc"]) and \
           not any(r["type"] == "noise" and r["text"] == v for r in key):
            err(f"{slug}: value {v!r} not in a labelled value/heading")
    with_baseline = 0
    for kr in exp["key_results"]:
        for side in ("baseline", "target"):
            d, s, st = kr[side + "_doc"], kr[side], kr[side + "_statement"]
            if d not in docs: err(f"{slug}: KR {kr['metric']}: unknown doc {d}"); continue
            if s not in docs[d]: err(f"{slug}: KR {kr['metric']}: {side} {s!r} not in {d}")
            if s not in st: err(f"{slug}: KR {kr['metric']}: {side} {s!r} not in its statement")
            ty = keyset.get((d, st))
            if ty is None: err(f"{slug}: KR {kr['metric']}: {side} statement not in answer key: {st!r}")
            elif side == "target" and ty != "goal": err(f"{slug}: KR {kr['metric']}: target statement typed {ty}")
            elif side == "baseline" and ty not in ("strength", "weakness", "goal", "context"): err(f"{slug}: KR baseline typed {ty}")
        if kr["baseline_doc"] != kr["target_doc"] or kr["baseline_statement"] != kr["target_statement"]:
            with_baseline += 1
        elif kr["baseline"] in docs[kr["baseline_doc"]]:
            with_baseline += 1
    if len(exp["key_results"]) < 6: err(f"{slug}: fewer than 6 key results")
    if with_baseline < 4: err(f"{slug}: fewer than 4 KRs with baselines")
    for s in exp.get("goals_without_baseline", []):
        if not any(r["text"] == s and r["type"] == "goal" for r in key): err(f"{slug}: goal_without_baseline not a labelled goal: {s!r}")
    for s in exp.get("not_targets", []):
        if not any(r["text"] == s and r["type"] == "noise" for r in key): err(f"{slug}: not_target not labelled noise: {s!r}")
    low = " " + re.sub(r"\s+", " ", alltext.lower()) + " "
    for le in exp["lens_examples"]:
        if not le["has_content"]:
            for w in ABSENT.get(le["lens"], [le["lens"].lower()]):
                if w in low: err(f"{slug}: lens {le['lens']!r} marked absent but docs contain {w!r}")
    report[slug] = (len(docs), len(key), counts, len(exp["key_results"]), with_baseline)
    grand.update(counts)

print(f"{'company':32} docs items " + " ".join(f"{t[:5]:>5}" for t in TYPES) + "  KRs")
for slug, (nd, nk, c, nkr, wb) in report.items():
    print(f"{slug:32} {nd:4} {nk:5} " + " ".join(f"{c[t]:5}" for t in TYPES) + f"  {nkr}")
print(f"{'TOTAL':32} {'':4} {sum(grand.values()):5} " + " ".join(f"{grand[t]:5}" for t in TYPES))
if errors:
    print(f"\n{len(errors)} ERROR(S):"); [print(" -", e) for e in errors]; sys.exit(1)
print("\nALL CHECKS PASSED")

"""Warm render time of a SWOT PNG and a plan PDF (p50/p95 over N runs), and the memory the
renderer adds to a process: `.venv/bin/python -m bench.render [--runs 30]`."""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time
from datetime import date
from pathlib import Path


def rss_mb() -> float:
    """The process's resident set size now (Linux), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from drafting.draft import Draft  # the domain model, loaded before the baseline
    from tests.drafting.picture_drafts import long_draft

    sample = Path(__file__).parent / "fixtures"
    swot = Draft.model_validate_json((sample / "sample_swot.json").read_text())
    plan = Draft.model_validate_json((sample / "sample_okr.json").read_text())
    gc.collect()
    before = rss_mb()
    from drafting.pictures import PageMeta, render_pdf, render_png

    meta = PageMeta(workspace="Larkspur Freight", on=date(2026, 11, 3), version=1)
    started = time.perf_counter()
    render_png(swot, meta)
    first = time.perf_counter() - started
    render_pdf(plan, meta)
    gc.collect()
    after = rss_mb()

    cases = {
        "SWOT PNG (sample)": lambda: render_png(swot, meta),
        "plan PDF A4 (sample)": lambda: render_pdf(plan, meta, paper="a4"),
        "SWOT PNG (5 long items × 4)": lambda: render_png(long_draft(), meta),
    }
    print(f"first render (imports, fonts): {first * 1000:.0f} ms")
    for name, run in cases.items():
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            run()
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"{name:32s} p50 {statistics.median(times):6.0f} ms   "
            f"p95 {percentile(times, 0.95):6.0f} ms   (n={args.runs})"
        )
    gc.collect()
    print(
        f"RSS: {before:.0f} MB before the renderer, {after:.0f} MB after the first renders "
        f"(+{after - before:.0f} MB), {rss_mb():.0f} MB after all runs "
        f"(+{rss_mb() - before:.0f} MB)"
    )


if __name__ == "__main__":
    main()

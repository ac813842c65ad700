"""Time to build a 16-key-result plan's digest, chart included (p50/p95/max over N warm runs):
`.venv/bin/python -m bench.okr_digest [--runs 20]`. The issue's goal: ≤ 1 s."""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from datetime import timedelta

from bench.render import percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from drafting.pictures import render_progress_chart
    from handlers.plan_notifier import chart_data
    from handlers.plan_views import build_digest
    from scheduler.plans.views import ProgressPoint
    from tests.slack.plan_samples import plan, with_key_results

    sample = with_key_results(plan(), 16)
    # A quarter's worth of weekly check-ins per objective: the chart's most crowded case.
    history = {
        o.ref: tuple(
            ProgressPoint(sample.starts + timedelta(weeks=w), min(1.0, 0.06 * w + 0.02 * i))
            for w in range(13)
        )
        for i, o in enumerate(sample.objectives)
    }
    sample = replace(sample, history=history, elapsed=0.95)

    def build() -> int:
        blocks = build_digest(sample)
        png = render_progress_chart(chart_data(sample))
        return len(blocks) + len(png)

    build()  # fonts and templates load once per process
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        build()
        timings.append(time.perf_counter() - start)
    print(f"16-key-result digest with chart, {args.runs} warm runs:")
    print(
        f"  p50 {statistics.median(timings) * 1000:.0f} ms · "
        f"p95 {percentile(timings, 0.95) * 1000:.0f} ms · max {max(timings) * 1000:.0f} ms "
        "(goal ≤ 1000 ms)"
    )


if __name__ == "__main__":
    main()

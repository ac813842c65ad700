"""Reciprocal rank fusion: merge ranked id lists without comparing their incomparable scores."""

from __future__ import annotations

from collections.abc import Sequence

# The constant from Cormack et al. (2009); it damps the advantage of a first place.
RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = RRF_K
) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))

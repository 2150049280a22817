"""Rank fusion: small pure functions over candidate rankings and scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def rrf(rankings: Sequence[Sequence[int]], k: float = 60.0) -> dict[int, float]:
    """Reciprocal-rank fusion: each list adds 1 / (k + rank) to its items (rank from 1)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def convex(scores: Sequence[Mapping[int, float]], weights: Sequence[float]) -> dict[int, float]:
    """Weighted sum of min-max normalised scores; an item missing from a list scores 0 there."""
    if len(scores) != len(weights):
        raise ValueError("one weight per score list")
    fused: dict[int, float] = {}
    for score_map, weight in zip(scores, weights, strict=True):
        if not score_map:
            continue
        low, high = min(score_map.values()), max(score_map.values())
        span = high - low
        for item, value in score_map.items():
            norm = (value - low) / span if span > 0 else 1.0
            fused[item] = fused.get(item, 0.0) + weight * norm
    return fused


def ranked(fused: Mapping[int, float]) -> list[int]:
    """Items by fused score, best first; ties broken by the smaller item number (stable)."""
    return sorted(fused, key=lambda item: (-fused[item], item))

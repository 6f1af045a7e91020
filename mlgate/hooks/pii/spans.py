"""Spans and the small index and de-duplication helpers every recognizer's results go through.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


class OutOfTime(Exception):
    """The detector's deadline passed while it was checking a text (see PiiDetector.deadline)."""


@dataclass(frozen=True)
class PiiSpan:
    start: int
    end: int
    entity: str
    score: float


def _outside(spans: Sequence[tuple[int, int]], results: Sequence[tuple[str, int, int, float]]
             ) -> list[tuple[int, int]]:
    """The spans not inside any result (results indexed once when there are many)."""
    if not results:
        return list(spans)
    if len(results) <= 8:
        return [(c0, c1) for c0, c1 in spans
                if not any(a <= c0 and c1 <= b for _, a, b, _ in results)]
    covers = _Covers((a, b) for _, a, b, _ in results)
    return [c for c in spans if not covers.contains(*c)]


class _Covers:
    """Spans, indexed so that "is [c0, c1) inside one of them" and "does [c0, c1) overlap one
    of them" take O(log n): a text with tens of thousands of matches stays linear."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.max_end = list(itertools.accumulate((b for _, b in ordered), max))

    def contains(self, c0: int, c1: int) -> bool:
        i = bisect.bisect_right(self.starts, c0)  # the spans starting at or before c0
        return i > 0 and self.max_end[i - 1] >= c1

    def overlaps(self, c0: int, c1: int) -> bool:
        i = bisect.bisect_left(self.starts, c1)  # the spans starting before c1
        return i > 0 and self.max_end[i - 1] > c0


def remove_duplicates(results: Sequence[tuple[str, int, int, float]]
                      ) -> list[tuple[str, int, int, float]]:
    """Presidio's EntityRecognizer.remove_duplicates on (entity, start, end, score) tuples:
    drop zero scores, exact duplicates, and results inside another result of the same entity
    with an equal or higher score."""
    if len(results) <= 1:
        return [r for r in results if r[3] != 0]
    ordered = sorted(set(results), key=lambda r: (r[0], r[1], -(r[2] - r[1]), -r[3]))
    kept: list[tuple[str, int, int, float]] = []
    active: list[tuple[str, int, int, float]] = []
    entity = None
    for r in ordered:
        if r[3] == 0:
            continue
        if r[0] != entity:
            entity, active = r[0], []
        active = [f for f in active if f[2] >= r[1]]
        if any(r[1] >= f[1] and r[2] <= f[2] and r[3] <= f[3] for f in active):
            continue
        kept.append(r)
        active.append(r)
    return sorted(kept, key=lambda r: (r[1], r[2], r[0]))

"""Shared helpers of the benchmark scripts: timing with peak memory, and printing ratios."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def measure(fn: Callable[[], Any], *, repeat: int = 3, memory: bool = True) -> tuple[float, float, Any]:
    """Median wall time (s) over ``repeat`` runs and peak Python-heap memory (MB) of one run."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    peak = float("nan")
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return statistics.median(times), peak, result


def table(rows: list[dict[str, Any]], baseline: str) -> str:
    """Rows of name/seconds/peak_mb as a text table with time ratios against ``baseline``."""
    base = next(r["seconds"] for r in rows if r["name"] == baseline)
    lines = [
        f"{'method':<46}{'seconds':>10}{'peak MB':>10}{'speed ratio':>13}",
        f"(speed ratio: baseline time / time; baseline = {baseline})",
    ]
    for r in rows:
        lines.append(f"{r['name']:<46}{r['seconds']:>10.3f}{r['peak_mb']:>10.1f}{base / r['seconds']:>13.2f}")
    return "\n".join(lines)

"""Small statistics shared by the cores (one implementation each)."""

from __future__ import annotations

import numpy as np

__all__ = ["wilson_bounds"]


def wilson_bounds(p: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of shares ``p`` on bases ``n`` as fractions in [0, 1]; NaN where n = 0.

    Examples
    --------
    >>> lo, hi = wilson_bounds(np.array([0.8]), np.array([10]), 1.959964)
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (0.49, 0.943)
    """
    p, n = np.asarray(p, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(np.maximum(p * (1 - p) / n + z**2 / (4 * n**2), 0.0))
        low, high = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    # at p = 0 (or 1) the bound is exactly 0 (or 1); floating point would leave 1e-15
    low, high = np.where(p <= 0, 0.0, low), np.where(p >= 1, 1.0, high)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)

"""Small statistics shared by the cores (one implementation each)."""

from __future__ import annotations

import numpy as np

__all__ = ["wilson_bounds", "normalise_weights"]


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


def normalise_weights(w: np.ndarray, *, column: str, where: str) -> np.ndarray:
    """Weights whose scale cannot change a result: extreme ones rescaled by a power of two.

    Shares, n_eff and confidence intervals depend only on the ratios of the weights, but sums
    of weights near 1e308 overflow and squares of weights near 1e-200 underflow, which turned
    n_eff and the CI into nonsense.  Weights between 2**-400 and 2**400 (about 1e-120 to 1e120)
    are used as they are, so weighted counts keep their scale; others are multiplied by the
    power of two that brings the largest to about 1 (exact in floating point: every ratio is
    kept).  Zero, negative or missing weights are left for the caller's own check; positive
    weights so far apart that the smallest vanishes next to the largest are refused.

    Examples
    --------
    >>> w = normalise_weights(np.array([1e308, 3e308]), column="w", where="nps()")
    >>> float(w[1] / w[0]), bool(np.isfinite((w**2).sum()))
    (3.0, True)
    >>> normalise_weights(np.array([0.5, 2.0]), column="w", where="nps()").tolist()
    [0.5, 2.0]
    """
    w = np.asarray(w, dtype=float)
    positive = w > 0
    if not positive.any() or not np.isfinite(w[positive]).all():
        return w
    top, low = float(w[positive].max()), float(w[positive].min())
    if 2.0**-400 <= low and top <= 2.0**400:
        return w
    scaled = np.where(positive, np.ldexp(w, -int(np.frexp(top)[1])), w)
    if (scaled[positive] == 0).any() or low / top == 0:
        from cjm_lab.errors import CJMDataError

        raise CJMDataError(
            f"{where}: the weights span more than 308 orders of magnitude (smallest {low:.3g}, largest {top:.3g}); "
            "the smallest count as nothing next to the largest.",
            column=column,
            fix="Check how the weights were computed (a weight of 1e-200 next to one of 1e308 is almost surely an "
            "error); trim or recompute them.",
        )
    return scaled

"""Small statistics shared by the cores (one implementation each).

The normal quantile of a confidence level (:func:`z_value`), the check of a confidence level
(:func:`check_confidence`) and the Wilson score interval of a share (:func:`wilson_bounds` as
fractions, :func:`wilson_interval` in percent) live here and nowhere else.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from cjm_lab.errors import CJMConfigError

__all__ = ["z_value", "check_confidence", "wilson_bounds", "wilson_interval"]


def check_confidence(confidence: Any, *, where: str) -> float:
    """A confidence level strictly between 0 and 1 (``0.95``, not ``95``), as a float.

    Examples
    --------
    >>> check_confidence(0.9, where="funnel()")
    0.9
    >>> check_confidence(95, where="funnel()")
    Traceback (most recent call last):
    ...
    cjm_lab.errors.CJMConfigError: funnel(): `confidence` must lie between 0 and 1, e.g. 0.95; got 95. ...
    """
    if isinstance(confidence, (bool, np.bool_)) or not isinstance(confidence, (int, float, np.integer, np.floating)):
        ok = False
    else:
        ok = 0 < float(confidence) < 1
    if not ok:
        raise CJMConfigError(
            f"{where}: `confidence` must lie between 0 and 1, e.g. 0.95; got {confidence!r}. "
            "Fix: pass the level as a share (0.9, 0.95, 0.99), not in percent."
        )
    return float(confidence)


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 at 0.95).

    Examples
    --------
    >>> round(z_value(0.95), 4), round(z_value(0.9), 4)
    (1.96, 1.6449)
    """
    return float(stats.norm.ppf(0.5 + confidence / 2))


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


def wilson_interval(successes: Any, n: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``successes / n``, in percent; NaN where n is 0.

    Examples
    --------
    >>> lo, hi = wilson_interval(np.array([8]), np.array([10]))
    >>> round(float(lo[0]), 1), round(float(hi[0]), 1)
    (49.0, 94.3)
    """
    s, n = np.asarray(successes, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = wilson_bounds(s / n, n, z_value(confidence))
    return low * 100, high * 100

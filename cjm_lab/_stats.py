"""Small statistics shared by the cores (one implementation each).

The normal quantile of a confidence level (:func:`z_value`), the check of a confidence level
(:func:`check_confidence`, the rule :data:`cjm_lab._params.CONFIDENCE`) and the Wilson score
interval of a share (:func:`wilson_bounds` as fractions, :func:`wilson_interval` in percent) live
here and nowhere else.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from cjm_lab._params import CONFIDENCE, CORRECTION, check_param, renamed_args, validate_params

__all__ = [
    "z_value",
    "check_confidence",
    "wilson_bounds",
    "wilson_interval",
    "normalise_weights",
    "CORRECTIONS",
    "check_correction",
    "adjust_pvalues",
    "family_cutoff",
]


def check_confidence(confidence: Any, *, where: str) -> float:
    """A confidence level strictly between 0 and 1 (``0.95``, not ``95``), as a float.

    The explicit form of the rule :data:`cjm_lab._params.CONFIDENCE`, for code that is not a
    decorated public function.

    Examples
    --------
    >>> check_confidence(0.9, where="funnel()")
    0.9
    >>> check_confidence(95, where="funnel()")
    Traceback (most recent call last):
    ...
    cjm_lab.errors.CJMConfigError: funnel(): `confidence` must be a number strictly between 0 and 1 ..., got 95. ...
    """
    return float(check_param(confidence, [CONFIDENCE], name="confidence", where=where))


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


@renamed_args(positional=["confidence"])
@validate_params({"confidence": [CONFIDENCE]})
def wilson_interval(successes: Any, n: Any, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
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


#: Corrections for multiple comparisons, one name each across the package.
CORRECTIONS = tuple(CORRECTION.options)


def check_correction(correction: Any, *, where: str) -> str:
    """Return ``correction`` when it is ``"fdr"``, ``"bonferroni"`` or ``"none"``, else raise.

    The check of :data:`cjm_lab._params.CORRECTION`, for code that is not a decorated public
    function.

    Examples
    --------
    >>> check_correction("fdr", where="crosstab()")
    'fdr'
    """
    return str(check_param(correction, [CORRECTION], name="correction", where=where))


def adjust_pvalues(p: Any, correction: str) -> np.ndarray:
    """p-values adjusted for the family they come in (missing ones stay missing and do not count).

    ``"fdr"``: Benjamini–Hochberg (step-up, monotone; ``statsmodels`` ``fdr_bh``),
    ``"bonferroni"``: ``min(1, p · m)``, ``"none"``: unchanged.  A test is significant at
    ``alpha`` when its adjusted p-value is at most ``alpha``.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, np.nan], "fdr").round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bonferroni").round(2).tolist()
    [0.03, 0.12, 0.09]
    """
    p = np.asarray(p, dtype=float)
    out = p.copy()
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0 or correction == "none":
        return out
    q = p[ok]
    if correction == "bonferroni":
        out[ok] = np.minimum(q * m, 1.0)
        return out
    order = np.argsort(q, kind="stable")
    ranked = q[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(ranked, 1.0)
    out[ok] = adjusted
    return out


def family_cutoff(p: Any, correction: str, alpha: float) -> float:
    """The largest p-value of a family that is still significant (``-inf`` when none is).

    Used to judge tests that belong to a family without enlarging it (the nets of a table,
    as Q does): a net is significant when its p-value is at most the cutoff.

    Examples
    --------
    >>> family_cutoff([0.01, 0.04, 0.03, 0.2], "fdr", 0.05), family_cutoff([0.01, 0.02, 0.03], "fdr", 0.05)
    (0.01, 0.03)
    """
    p = np.asarray(p, dtype=float)
    p = p[np.isfinite(p)]
    if p.size == 0:
        return -np.inf
    if correction == "none":
        return float(np.nextafter(alpha, 0))  # p < alpha
    sig = p[adjust_pvalues(p, correction) <= alpha]
    return float(sig.max()) if sig.size else -np.inf


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
    >>> w = normalise_weights(np.array([1e308, 1.5e308]), column="w", where="nps()")
    >>> float(w[1] / w[0]), bool(np.isfinite((w**2).sum()))
    (1.5, True)
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

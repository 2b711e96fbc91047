"""Key driver analysis: which ratings move the outcome, and where to act first.

:func:`key_drivers` splits the R² of a linear regression of the outcome (usually
``recommend``) on the driver ratings among the drivers, in two ways that agree
closely in practice and both cope with correlated drivers:

Shapley value regression (LMG, Lindeman, Merenda & Gold 1980; Lipovetsky & Conklin 2001)
    A driver's share is its marginal gain in R², averaged over all orders in which the
    drivers can enter the model.  With ``p`` drivers the R² of every one of the ``2^p``
    subsets is computed from the (weighted) correlation matrix — ``R²(S) = r_Sᵀ R_SS⁻¹ r_S``,
    one small linear solve per subset, batched by subset size — and driver ``j`` gets
    ``Σ_S |S|!(p−|S|−1)!/p! · (R²(S ∪ j) − R²(S))`` over the subsets ``S`` without it.
    The values are exact and sum to the full model's R².  The cost grows as ``2^p`` and
    does not depend on the number of rows after the one pass that builds the matrix;
    exact up to :data:`MAX_SHAPLEY_DRIVERS` drivers.
Johnson's relative weights (Johnson 2000)
    The drivers are replaced by their closest orthogonal counterparts
    ``Z = X R^{-1/2}``; the outcome is regressed on ``Z`` and each squared weight is
    shared back to the drivers in proportion to the squared loadings ``Λ = R^{1/2}``.
    They sum to R², cost one eigen-decomposition and work for any number of drivers.

Weights make every moment weighted, so the R² is that of weighted least squares.

Missing answers
    ``missing="listwise"`` (default) fits the rows that answered the outcome and every
    driver, and counts the others in ``n_dropped``.  ``missing="pairwise"`` computes each
    (weighted) correlation from the rows that answered both of its variables, so a
    respondent who skipped one driver still counts for the others; ``n_used`` is then the
    rows behind each driver's correlation with the outcome.  A pairwise matrix that is not
    positive definite (the pairs rest on different respondents) raises.  Either way the
    outcome of the rows left out (listwise: any driver missing; pairwise: every driver
    missing) is compared with that of the rows used — weighted means, their difference and
    Welch's t-test on effective bases, and the NPS of both groups for a 0–10 outcome — in
    ``attrs["key_drivers"]``; when they differ (p < 0.05) a :class:`CJMDataWarning` says
    so, because the importances then describe only the respondents who answered.

With ``bootstrap=B`` respondents are resampled ``B`` times (with their weights) and
percentile intervals reported.

:func:`importance_performance` turns the importance into the classic
importance–performance grid (Martilla & James 1977).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._params import (
    CONFIDENCE,
    COUNT,
    LANGUAGE,
    RANDOM_STATE,
    InstanceOf,
    Rule,
    StrOptions,
    outside_stacklevel,
    validate_params,
)
from cjm_lab._validate import dont_know_codes, positive_weights, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError, CJMDataWarning
from cjm_lab.survey._common import check_scale, rating_values

__all__ = ["key_drivers", "importance_performance", "QUADRANT_LABELS", "MAX_SHAPLEY_DRIVERS"]

#: Most drivers for which :func:`key_drivers` computes exact Shapley values (2^p subsets).
MAX_SHAPLEY_DRIVERS = 15

#: Quadrant keys of the importance–performance grid and their labels for reports.
QUADRANT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "fix_first": "fix first",
        "keep_up": "keep up the good work",
        "low_priority": "low priority",
        "overkill": "possible overkill",
    },
    "de": {
        "fix_first": "zuerst verbessern",
        "keep_up": "weiter so",
        "low_priority": "geringe Priorität",
        "overkill": "überdimensioniert",
    },
}

_METHODS = ("shapley", "johnson")


# --------------------------------------------------------------------------- the arithmetic
@functools.lru_cache(maxsize=32)
def _subset_plan(p: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Per subset size ``s``: the bitmasks of all subsets of size ``s`` and their members.

    Also returns the Shapley weight ``s!(p−s−1)!/p!`` of every bitmask (by its size).
    """
    masks = np.arange(1 << p)
    bits = (masks[:, None] >> np.arange(p)) & 1
    size = bits.sum(axis=1)
    plan = []
    for s in range(1, p + 1):
        sel = masks[size == s]
        members = np.nonzero(bits[sel])[1].reshape(len(sel), s)
        plan.append((sel, members))
    fact = np.array([math.factorial(i) for i in range(p + 1)], dtype=float)
    weight = np.where(size < p, fact[size] * fact[np.maximum(p - size - 1, 0)] / fact[p], 0.0)
    return plan, weight


def _subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """R² of every subset of drivers (indexed by bitmask; R²(∅) = 0), from correlations."""
    p = len(rxy)
    plan, _ = _subset_plan(p)
    r2 = np.zeros(1 << p)
    for sel, members in plan:  # p batches of tiny solves, never a loop over rows
        sub = rxx[members[:, :, None], members[:, None, :]]
        rhs = rxy[members]
        sol = np.linalg.solve(sub, rhs[..., None])[..., 0]
        r2[sel] = (rhs * sol).sum(axis=1)
    return r2


def _shapley(r2: np.ndarray, p: int) -> np.ndarray:
    """Shapley values (LMG) of the ``p`` drivers from the R² of all subsets."""
    _, weight = _subset_plan(p)
    masks = np.arange(1 << p)
    out = np.empty(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        out[j] = (weight[without] * (r2[without | (1 << j)] - r2[without])).sum()
    return out


def _johnson(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Johnson's relative weights (sum to R²)."""
    evals, evecs = np.linalg.eigh(rxx)
    lam = (evecs * np.sqrt(np.maximum(evals, 0.0))) @ evecs.T  # R^{1/2}, symmetric
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def _weighted_corr(z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted covariance diagonal and correlation matrix of the columns of ``z``."""
    sw = w.sum()
    centred = z - (w @ z) / sw
    cov = (centred * w[:, None]).T @ centred / sw
    d = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(d, d)
    return np.diag(cov), corr


def _pairwise_corr(z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted correlations, each from the rows that answered both variables (NaN = missing).

    Returns the correlation matrix and the number of rows behind each entry.  Vectorised: the
    pairwise sums are matrix products of the answered masks.
    """
    m = ~np.isnan(z)
    x = np.where(m, z, 0.0)
    mw = m * w[:, None]
    sw = mw.T @ m  # Σw over rows answering i and j
    sx = (x * w[:, None]).T @ m  # [i, j]: Σ w x_i over rows answering both
    sxx = (x**2 * w[:, None]).T @ m
    sxy = (x * w[:, None]).T @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        mi, mj = sx / sw, (sx / sw).T
        cov = sxy / sw - mi * mj
        vi = sxx / sw - mi**2
        corr = cov / np.sqrt(vi * vi.T)
    np.fill_diagonal(corr, 1.0)
    return corr, m.T.astype(float) @ m.astype(float)


def _fit(
    z: np.ndarray, w: np.ndarray, methods: tuple[str, ...], check: bool = False, pairwise: bool = False
) -> dict[str, np.ndarray]:
    """R², betas, correlations and the requested importances for outcome z[:, 0].

    With ``check``, a (near) singular driver correlation matrix raises ``LinAlgError``.
    ``pairwise`` takes ``z`` with NaN for missing answers and correlates pair by pair.
    """
    corr = _pairwise_corr(z, w)[0] if pairwise else _weighted_corr(z, w)[1]
    if not np.isfinite(corr).all():
        raise np.linalg.LinAlgError("a pair without common answers")
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    if check and np.linalg.eigvalsh(rxx)[0] < 1e-10:
        raise np.linalg.LinAlgError("collinear drivers")
    p = len(rxy)
    beta = np.linalg.solve(rxx, rxy)
    out = {"r": rxy, "beta": beta, "r2": np.array(float(rxy @ beta))}
    if "shapley" in methods:
        out["shapley"] = _shapley(_subset_r2(rxx, rxy), p)
    if "johnson" in methods:
        out["johnson"] = _johnson(rxx, rxy)
    return out


# --------------------------------------------------------------------------- key drivers
def _methods(method: str | Sequence[str]) -> tuple[str, ...]:
    chosen = (method,) if isinstance(method, str) else tuple(method)
    return tuple(m for m in _METHODS if m in chosen)


@validate_params(
    {
        "method": [
            StrOptions(_METHODS),
            Rule(
                lambda v: not isinstance(v, str) and len(v) > 0 and all(m in _METHODS for m in v),
                "both",
                example="('shapley', 'johnson')",
            ),
        ],
        "bootstrap": [COUNT],
        "confidence": [CONFIDENCE],
        "random_state": [*RANDOM_STATE, InstanceOf(np.random.Generator)],
        "missing": [StrOptions(("listwise", "pairwise"))],
        "language": [LANGUAGE],
    }
)
def key_drivers(
    data: pd.DataFrame,
    *,
    outcome: str,
    drivers: Sequence[str],
    weight: str | None = None,
    method: str | Sequence[str] = ("shapley", "johnson"),
    bootstrap: int = 0,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    missing: str = "listwise",
    dont_know: float | Sequence[float] | None = None,
    labels: Any = None,
    language: str = "en",
) -> pd.DataFrame:
    """Relative importance of driver ratings for an outcome: Shapley values and Johnson weights.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    outcome : str
        The outcome column, e.g. ``"recommend"`` (0–10) or overall satisfaction.
    drivers : list of str
        Driver ratings (at least one; at most :data:`MAX_SHAPLEY_DRIVERS` for Shapley).
    weight : str, optional
        A column of positive weights: weighted least squares and weighted correlations.
    method : {"shapley", "johnson"} or a tuple of both, default both
        Which decompositions to compute.
    bootstrap : int, default 0
        Resample respondents this many times for percentile intervals (1,000 for a report).
    confidence : float, default 0.95
        Level of the bootstrap intervals.
    random_state : int or numpy Generator, default 0
        Seed of the bootstrap (the same intervals every run; ``None`` draws a new seed).
    missing : {"listwise", "pairwise"}, default "listwise"
        ``"listwise"``: rows with a missing outcome or driver are left out and counted in
        ``n_dropped``.  ``"pairwise"``: each correlation uses the rows that answered both of
        its variables (see the module notes).  Either way the outcome of the rows left out
        is compared with the rows used (``attrs["key_drivers"]``, and a warning when they
        differ).
    dont_know : number or list of numbers, optional
        "Don't know" codes (e.g. 99) in the outcome or the drivers; they become missing.
    labels : Labels, dict or codebook path, optional
        Labels on top of those stored with ``data`` (:func:`cjm_lab.labels.labels_for`: SPSS
        variable labels, a codebook given to the loader) for the ``label`` column.
    language : {"en", "de"}, default "en"
        The language of ``label``.

    Returns
    -------
    DataFrame
        One row per driver, most important first.  Columns: ``driver`` (the column),
        ``label`` (what a reader sees for it: its variable label, else the name), ``n_used`` (rows
        in the fit; pairwise: the rows with the outcome and this driver), ``n_dropped``
        (rows left out for a missing or don't-know answer),
        ``r`` (correlation with the outcome), ``beta`` (standardised coefficient in the
        full model), then per method ``shapley`` (sums to ``r2``), ``shapley_share``
        (percent, sums to 100), ``johnson``, ``johnson_share``; ``r2`` (R² of the full
        model) and ``rank`` (1 = most important, by the first method).  With
        ``bootstrap`` also ``shapley_ci_low``, ``shapley_ci_high``, ``johnson_ci_low``,
        ``johnson_ci_high`` (in R² units, like the values) and ``n_boot`` (replicates
        that could be fitted; a replicate whose resample has a constant or collinear
        driver is skipped).  ``attrs["key_drivers"]`` holds ``missing``, ``n_complete``,
        ``n_left_out`` (rows with an outcome that were left out), ``outcome_used``,
        ``outcome_left_out`` (weighted means), ``difference``, ``p_value`` (Welch, effective
        bases) and, for a 0–10 outcome, ``nps_used``, ``nps_left_out``.

    Warns
    -----
    CJMDataWarning
        When the outcome of the rows left out differs from the rows used (p < 0.05).

    Raises
    ------
    CJMDataError
        Missing columns; text or value labels in a driver; a driver with no answer; a
        constant outcome or driver; collinear drivers; fewer complete rows than
        drivers + 2; bad weights.
    CJMConfigError
        An unknown ``method`` or ``missing``, more drivers than Shapley can enumerate,
        the outcome among the drivers, a negative ``bootstrap``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(1, 6, size=(500, 3)), columns=["delivery", "billing", "web"])
    >>> df["recommend"] = (2 * df.delivery + df.billing + rng.normal(0, 1.5, 500)).clip(0, 10).round()
    >>> out = key_drivers(df, outcome="recommend", drivers=["web", "billing", "delivery"])
    >>> out[["driver", "n_used", "shapley_share", "rank"]].round(1)
         driver  n_used  shapley_share  rank
    0  delivery     500           82.9     1
    1   billing     500           17.0     2
    2       web     500            0.1     3
    >>> key_drivers(df, outcome="recommend", drivers=["web", "billing", "delivery"], method="johnson",
    ...             labels={"delivery": {"en": "Delivery", "de": "Lieferung"}}, language="de").label.tolist()
    ['Lieferung', 'billing', 'web']
    >>> round(float(out.shapley.sum()), 6) == round(float(out.r2.iloc[0]), 6)
    True
    """
    where = "key_drivers()"
    require_frame(data, where=where)
    if isinstance(drivers, str):
        drivers = [drivers]
    drivers = list(drivers or [])
    if not drivers:
        raise CJMConfigError("`drivers` in key_drivers() must name at least one driver column.")
    dup = sorted({d for d in drivers if drivers.count(d) > 1})
    if dup:
        raise CJMConfigError(f"`drivers` in key_drivers() names {', '.join(map(repr, dup))} more than once.")
    require_columns(data, {"outcome": outcome, "drivers": drivers, "weight": weight}, where=where)
    if outcome in drivers:
        raise CJMConfigError(f"The outcome {outcome!r} cannot also be one of the `drivers`.")
    if weight is not None and weight in drivers:
        raise CJMConfigError(f"The weight column {weight!r} cannot also be one of the `drivers`.")
    methods = _methods(method)
    p = len(drivers)
    if "shapley" in methods and p > MAX_SHAPLEY_DRIVERS:
        raise CJMConfigError(
            f"Exact Shapley values need the R² of 2^{p} subsets; key_drivers() enumerates at most "
            f"{MAX_SHAPLEY_DRIVERS} drivers. Use method='johnson' (any number of drivers), or combine "
            "related items into scores with scale_score() first."
        )
    pairwise = missing == "pairwise"

    codes = dont_know_codes(dont_know, None, where=where)
    cols = [outcome, *drivers]
    z, _ = rating_values(data, cols, where=where, codes=codes)
    w = positive_weights(data, weight, where=where)
    answered = ~np.isnan(z)
    for j, col in enumerate(cols):
        if not answered[:, j].any():
            role = "outcome" if j == 0 else "driver"
            raise CJMDataError(
                f"{where}: the {role} {col!r} has no answer in any of the {len(data)} rows"
                + (" (after setting don't-know codes missing)." if codes else "."),
                column=col,
                fix=f"Leave {col!r} out of `drivers`, or check the column and the don't-know codes."
                if j
                else "Check the outcome column and the don't-know codes.",
            )
    complete = answered.all(axis=1)
    if pairwise:
        usable = answered[:, 0] & answered[:, 1:].any(axis=1)
        zc, wc = z[usable], w[usable]
        corr, counts = _pairwise_corr(zc, wc)
        n_per_driver = counts[0, 1:].astype(np.int64)
        n_used = int(usable.sum())
        n_dropped_each = len(data) - n_per_driver
        too_few = n_per_driver < p + 2
        if too_few.any() or int(counts[1:, 1:].min()) < 3:
            j = int(np.argmin(n_per_driver))
            raise CJMDataError(
                f"{where}: only {int(n_per_driver[j])} row(s) answered the outcome and {drivers[j]!r}; pairwise "
                f"correlations need at least {p + 2} rows per pair.",
                column=drivers[j],
                fix="Leave out drivers few respondents answered, or collect more responses.",
            )
    else:
        usable = complete
        n_used = int(complete.sum())
        n_dropped = len(data) - n_used
        if n_used < p + 2:
            miss = (~answered).sum(axis=0)
            worst = int(miss.argmax())
            raise CJMDataError(
                f"{where}: only {n_used} row(s) have the outcome and all {p} drivers ({n_dropped} dropped for "
                f"missing answers; {cols[worst]!r} is missing in {int(miss[worst])}); the regression needs at "
                f"least {p + 2} (drivers + 2).",
                column=cols[worst],
                fix="Use fewer drivers, leave out drivers that few respondents answered, or collect more responses.",
            )
        zc, wc = z[complete], w[complete]
        n_per_driver = np.full(p, n_used, dtype=np.int64)
        n_dropped_each = np.full(p, n_dropped, dtype=np.int64)
    spread = np.nanmax(zc, axis=0) - np.nanmin(zc, axis=0)
    flat = ~(spread > 0)
    if flat.any():
        j = int(np.flatnonzero(flat)[0])
        role = "outcome" if j == 0 else "driver"
        first = zc[~np.isnan(zc[:, j]), j]
        raise CJMDataError(
            f"{where}: the {role} {cols[j]!r} has the same value ({float(first[0]):g}) in all {n_used} rows "
            "used; a constant cannot explain or be explained.",
            column=cols[j],
            fix=f"Leave {cols[j]!r} out of `drivers`." if j else "Check the outcome column and the filters.",
        )
    corr = _pairwise_corr(zc, wc)[0] if pairwise else _weighted_corr(zc, wc)[1]
    evals, evecs = np.linalg.eigh(corr[1:, 1:])
    if evals[0] < 1e-10:
        v = np.abs(evecs[:, 0])
        involved = [drivers[i] for i in np.argsort(-v) if v[i] > 0.05]
        if pairwise and evals[0] < -1e-10:
            raise CJMDataError(
                f"{where}: the pairwise correlations of {', '.join(map(repr, involved))} contradict each other "
                "(the matrix is not positive definite): the pairs rest on too different respondents.",
                column=involved[0],
                fix="Use missing='listwise', or leave out the drivers that few respondents answered.",
            )
        raise CJMDataError(
            f"{where}: the drivers {', '.join(map(repr, involved))} are collinear: one is an exact linear "
            f"combination of the others in the {n_used} rows used, so their shares cannot be told apart.",
            column=involved[0],
            fix="Leave one of them out of `drivers`, or combine them into one score with scale_score().",
        )

    fit = _fit(zc, wc, methods, pairwise=pairwise)
    r2 = float(fit["r2"])
    from cjm_lab.labels import labels_for

    lab = labels_for(data, labels, language=language)
    table = pd.DataFrame(
        {
            "driver": drivers,
            "label": [lab.column(d, language=language) for d in drivers],
            "n_used": n_per_driver,
            "n_dropped": n_dropped_each,
            "r": fit["r"],
            "beta": fit["beta"],
        }
    )
    for m in methods:
        table[m] = fit[m]
        with np.errstate(invalid="ignore", divide="ignore"):
            table[f"{m}_share"] = fit[m] / r2 * 100 if r2 > 0 else np.nan
    if bootstrap:
        reps = _bootstrap(zc, wc, methods, int(bootstrap), random_state, pairwise=pairwise)
        lo, hi = (1 - confidence) / 2, (1 + confidence) / 2
        for m in methods:
            ok = reps[m][~np.isnan(reps[m]).any(axis=1)]
            table[f"{m}_ci_low"] = np.quantile(ok, lo, axis=0) if len(ok) else np.nan
            table[f"{m}_ci_high"] = np.quantile(ok, hi, axis=0) if len(ok) else np.nan
        table["n_boot"] = int((~np.isnan(reps[methods[0]]).any(axis=1)).sum())
    table["r2"] = r2
    table["rank"] = table[methods[0]].rank(ascending=False, method="min").astype(np.int64)
    order = [
        "driver",
        "label",
        "n_used",
        "n_dropped",
        "r",
        "beta",
        *[c for m in methods for c in (m, f"{m}_share", f"{m}_ci_low", f"{m}_ci_high")],
        "n_boot",
        "r2",
        "rank",
    ]
    table = table[[c for c in order if c in table.columns]]
    table = table.sort_values("rank", kind="stable").reset_index(drop=True)
    left_out = answered[:, 0] & ~usable
    table.attrs["key_drivers"] = _left_out_check(z[:, 0], w, usable, left_out, missing=missing, outcome=outcome)
    return table


def _left_out_check(
    y: np.ndarray, w: np.ndarray, used: np.ndarray, left: np.ndarray, *, missing: str, outcome: str
) -> dict[str, Any]:
    """Compare the outcome of the rows left out with the rows used; warn when they differ."""
    info: dict[str, Any] = {
        "missing": missing,
        "n_complete": int(used.sum()),
        "n_left_out": int(left.sum()),
        "outcome_used": np.nan,
        "outcome_left_out": np.nan,
        "difference": np.nan,
        "p_value": np.nan,
    }

    def moments(mask: np.ndarray) -> tuple[float, float, float]:
        ww, yy = w[mask], y[mask]
        mean = float(np.sum(ww * yy) / np.sum(ww))
        neff = float(np.sum(ww) ** 2 / np.sum(ww**2))
        var = float(np.sum(ww * (yy - mean) ** 2) / np.sum(ww)) * neff / max(neff - 1, 1e-12)
        return mean, var / neff, neff

    info["outcome_used"] = moments(used)[0] if used.any() else np.nan
    whole_0_10 = bool(np.all(np.isin(y[~np.isnan(y)], np.arange(11))))
    if whole_0_10 and used.any():
        info["nps_used"] = _nps_of(y[used], w[used])
    if left.sum() < 2:
        return info
    m1, v1, n1 = moments(used)
    m2, v2, n2 = moments(left)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (m2 - m1) / np.sqrt(v1 + v2)
        dof = (v1 + v2) ** 2 / (v1**2 / max(n1 - 1, 1e-12) + v2**2 / max(n2 - 1, 1e-12))
    p_value = float(2 * stats.t.sf(abs(t), dof)) if np.isfinite(t) else np.nan
    info.update(outcome_left_out=m2, difference=m2 - m1, p_value=p_value)
    if whole_0_10:
        info["nps_left_out"] = _nps_of(y[left], w[left])
    if np.isfinite(p_value) and p_value < 0.05:
        nps_text = (
            f" (NPS {info['nps_left_out']:.1f} among them vs {info['nps_used']:.1f} among those used)"
            if whole_0_10
            else ""
        )
        what = "every driver" if missing == "pairwise" else "a driver"
        warnings.warn(
            f"key_drivers(): the {info['n_left_out']} respondents left out for a missing answer to {what} differ in "
            f"{outcome!r} from the {info['n_complete']} used: mean {m2:.2f} vs {m1:.2f} "
            f"(difference {m2 - m1:+.2f}, Welch p = {p_value:.3g}){nps_text}. The importances describe the "
            "respondents who answered. Fix: use missing='pairwise' to keep partial answers, or report the "
            "difference (attrs['key_drivers']).",
            CJMDataWarning,
            stacklevel=outside_stacklevel(),
        )
    return info


def _nps_of(y: np.ndarray, w: np.ndarray) -> float:
    return float((np.sum(w * (y >= 9)) - np.sum(w * (y <= 6))) / np.sum(w) * 100)


def _bootstrap(
    z: np.ndarray, w: np.ndarray, methods: tuple[str, ...], reps: int, random_state, pairwise: bool = False
) -> dict[str, np.ndarray]:
    """Importances on ``reps`` resamples of the rows (NaN rows for replicates that fail)."""
    rng = np.random.default_rng(random_state)
    n, p = len(z), z.shape[1] - 1
    out = {m: np.full((reps, p), np.nan) for m in methods}
    for b in range(reps):  # each replicate is one vectorised fit
        counts = np.bincount(rng.integers(0, n, n), minlength=n)
        wb = w * counts
        keep = counts > 0
        zb = z[keep]
        if not (np.nanmax(zb, axis=0) - np.nanmin(zb, axis=0) > 0).all():
            continue
        try:
            fit = _fit(zb, wb[keep], methods, check=True, pairwise=pairwise)
        except np.linalg.LinAlgError:
            continue
        for m in methods:
            out[m][b] = fit[m]
    return out


# --------------------------------------------------------------------------- IPA grid
@validate_params(
    {
        "drivers_table": [InstanceOf(pd.DataFrame, name="the DataFrame returned by key_drivers()")],
        "language": [LANGUAGE],
    }
)
def importance_performance(
    drivers_table: pd.DataFrame,
    data: pd.DataFrame,
    *,
    drivers: Sequence[str] | None = None,
    scale: tuple[int, int] | None = None,
    weight: str | None = None,
    importance: str = "shapley_share",
    dont_know: float | Sequence[float] | None = None,
    labels: Any = None,
    language: str = "en",
) -> pd.DataFrame:
    """Importance–performance grid: where to act first.

    Importance comes from :func:`key_drivers` (the Shapley share by default),
    performance is the (weighted) mean rating of each driver.  The grid is split at
    the *mean* importance and the *mean* performance over the drivers shown (the
    data-centred split of Martilla & James 1977; a value equal to the mean counts as
    high).  The quadrants:

    ==================  ===================  ========================  ====================
    importance          performance          ``quadrant``              label (en / de)
    ==================  ===================  ========================  ====================
    high                low                  ``fix_first``             fix first / zuerst verbessern
    high                high                 ``keep_up``               keep up the good work / weiter so
    low                 low                  ``low_priority``          low priority / geringe Priorität
    low                 high                 ``overkill``              possible overkill / überdimensioniert
    ==================  ===================  ========================  ====================

    Parameters
    ----------
    drivers_table : DataFrame
        The result of :func:`key_drivers` (a ``driver`` column and the ``importance`` column).
    data : DataFrame
        The responses the drivers are rated in.
    drivers : list of str, optional
        The drivers to place; default all drivers of ``drivers_table``.
    scale : (low, high), optional
        The drivers' rating scale; checks the values.
    weight : str, optional
        Positive weights for the mean ratings.
    importance : str, default "shapley_share"
        The column of ``drivers_table`` to use, e.g. ``"johnson_share"``.
    dont_know : number or list of numbers, optional
        "Don't know" codes, left out of the mean ratings (counted in ``n_missing``).
    labels : Labels, dict or codebook path, optional
        Labels on top of those stored with ``data``, for ``label`` (default the ``label``
        column of ``drivers_table``, else the data's variable labels).
    language : {"en", "de"}, default "en"
        Language of ``quadrant_label`` and ``label``.

    Returns
    -------
    DataFrame
        One row per driver, in the order of ``drivers``: ``driver``, ``label`` (its variable
        label, else the name), ``importance``,
        ``performance`` (mean rating), ``n`` (valid ratings), ``n_missing``,
        ``quadrant`` (key, as in the table above), ``quadrant_label``,
        ``importance_split`` and ``performance_split`` (the means the grid is split at).

    Raises
    ------
    CJMDataError
        A driver missing from ``drivers_table`` or ``data``, text or out-of-scale values.
    CJMConfigError
        An unknown ``language`` or ``importance`` column.

    Examples
    --------
    >>> imp = pd.DataFrame({"driver": ["delivery", "billing", "web"],
    ...                     "shapley_share": [60.0, 30.0, 10.0]})
    >>> df = pd.DataFrame({"delivery": [2, 3, 2], "billing": [5, 4, 5], "web": [2, 2, 1]})
    >>> importance_performance(imp, df, language="de")[["driver", "performance", "quadrant_label"]]
         driver  performance     quadrant_label
    0  delivery     2.333333  zuerst verbessern
    1   billing     4.666667  überdimensioniert
    2       web     1.666667  geringe Priorität
    """
    where = "importance_performance()"
    for col, arg in (("driver", "drivers_table"), (importance, "importance")):
        if col not in drivers_table.columns:
            raise CJMConfigError(
                f"`{arg}` in {where}: drivers_table has no column {col!r} (it has "
                f"{', '.join(map(repr, drivers_table.columns))}). Pass the result of key_drivers() and one of "
                "its importance columns, e.g. 'shapley_share' or 'johnson_share'."
            )
    require_frame(data, where=where)
    if drivers is None:
        names = list(drivers_table["driver"])
    else:
        names = [drivers] if isinstance(drivers, str) else list(drivers)
    known = pd.Series(drivers_table[importance].to_numpy(), index=drivers_table["driver"].to_numpy())
    absent = [d for d in names if d not in known.index]
    if absent:
        raise CJMDataError(
            f"{where}: {', '.join(map(repr, absent))} not in drivers_table (its drivers: "
            f"{', '.join(map(repr, known.index))}).",
            column=absent[0],
            fix="Run key_drivers() with these drivers, or leave them out of `drivers`.",
        )
    require_columns(data, {"drivers": names, "weight": weight}, where=where)
    bounds = check_scale(scale, where=where) if scale is not None else None
    codes = dont_know_codes(dont_know, bounds, where=where)
    values, _ = rating_values(data, names, where=where, scale=bounds, codes=codes)
    w = positive_weights(data, weight, where=where)
    valid = ~np.isnan(values)
    wv = np.where(valid, w[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        perf = (wv * np.where(valid, values, 0.0)).sum(axis=0) / wv.sum(axis=0)
    imp = known.loc[names].to_numpy(dtype=float)
    imp_split, perf_split = float(np.nanmean(imp)), float(np.nanmean(perf))
    high_imp, high_perf = imp >= imp_split, perf >= perf_split
    key = np.select(
        [high_imp & ~high_perf, high_imp & high_perf, ~high_imp & ~high_perf],
        ["fix_first", "keep_up", "low_priority"],
        default="overkill",
    )
    quadrants = QUADRANT_LABELS[language]
    from cjm_lab.labels import labels_for

    lab = labels_for(data, labels, language=language)
    given = (
        dict(zip(drivers_table["driver"], drivers_table["label"], strict=False))
        if "label" in drivers_table.columns and labels is None
        else {}
    )
    return pd.DataFrame(
        {
            "driver": names,
            "label": [given.get(d) or lab.column(d, language=language) for d in names],
            "importance": imp,
            "performance": perf,
            "n": valid.sum(axis=0).astype(np.int64),
            "n_missing": (~valid).sum(axis=0).astype(np.int64),
            "quadrant": key.astype(object),
            "quadrant_label": [quadrants[k] for k in key],
            "importance_split": imp_split,
            "performance_split": perf_split,
        }
    )

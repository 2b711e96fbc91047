"""Rim weighting (raking, iterative proportional fitting) of survey respondents.

Raking adjusts weights one margin at a time until every weighted margin matches
its population target (Deming & Stephan 1940).  Each pass multiplies the weight
of every respondent in category *c* of margin *k* by ``target_kc / weighted_kc``;
passes repeat until the largest gap between a weighted share and its target is
below ``tol``.  The solution keeps the interactions of the sample (for a 2 × 2
table: its odds ratio) and changes only the margins.

Trimming (``trim=(low, high)``) bounds the weights, relative to a mean of one,
*inside* the iterations: rake, rescale to mean one, clip, rake again
("trim-and-rake").  Bounds that are too tight for the targets leave the margins
unmet: the result then says ``converged=False`` with the remaining deviation,
and ``strict=True`` turns that into an error.

Weighting costs precision.  Kish's effective base ``n_eff = (Σw)² / Σw²`` and the
weighting efficiency ``n_eff / n · 100`` (percent) say how much.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, WHOLE_NUMBER, Interval, Real, Rule, validate_params
from cjm_lab._validate import numeric_column, offending, positive_weights, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["rim_weights", "RimWeights", "population_targets", "kish_n_eff"]

#: Shares that sum to 1 within this tolerance are taken as shares (and renormalised).
_SHARE_TOL = 1e-3
#: Mean-one rescaling and clipping rounds when trimming (each one vectorised).
_CLIP_ROUNDS = 200


@validate_params({})
def kish_n_eff(weights: Any) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``.

    Examples
    --------
    >>> kish_n_eff([1, 1, 1, 1])
    4.0
    >>> round(kish_n_eff([2, 1, 1]), 3)
    2.667
    """
    w = np.asarray(weights, dtype=float)
    s2 = float(np.sum(w**2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


@dataclass(frozen=True)
class RimWeights:
    """The result of :func:`rim_weights`.

    Attributes
    ----------
    weights : Series
        One positive weight per row of ``data`` (same index), mean 1, named ``"weight"``.
    converged : bool
        Whether every weighted margin is within ``tol`` of its target (and, when trimming,
        every weight within the bounds).
    iterations : int
        Raking passes run (one pass adjusts every margin once).
    max_deviation : float
        Largest absolute gap between a weighted share and its target, as a proportion
        (0.001 = 0.1 percentage points).
    n : int
        Respondents weighted.
    n_eff : float
        Kish's effective base ``(Σw)² / Σw²``.
    efficiency : float
        Weighting efficiency ``n_eff / n · 100`` (percent).
    min_weight, max_weight : float
        Smallest and largest weight.
    trim : tuple or None
        The ``(low, high)`` bounds used (``None`` where unbounded).
    n_trimmed_low, n_trimmed_high : int
        Respondents whose weight sits on the lower or upper bound.
    margins : DataFrame
        One row per margin category: ``variable``, ``category``, ``n`` (respondents),
        ``target_pct``, ``unweighted_pct``, ``weighted_pct`` and ``deviation``
        (weighted − target, percentage points).
    """

    weights: pd.Series
    converged: bool
    iterations: int
    max_deviation: float
    n: int
    n_eff: float
    efficiency: float
    min_weight: float
    max_weight: float
    trim: tuple[float | None, float | None] | None
    n_trimmed_low: int
    n_trimmed_high: int
    margins: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One-row tidy table of the convergence report and weight statistics.

        Columns: ``n, n_eff, efficiency, min_weight, max_weight, iterations, converged,
        max_deviation, trim_low, trim_high, n_trimmed_low, n_trimmed_high``.
        """
        low, high = self.trim if self.trim is not None else (None, None)
        return pd.DataFrame(
            {
                "n": [self.n],
                "n_eff": [self.n_eff],
                "efficiency": [self.efficiency],
                "min_weight": [self.min_weight],
                "max_weight": [self.max_weight],
                "iterations": [self.iterations],
                "converged": [self.converged],
                "max_deviation": [self.max_deviation],
                "trim_low": [np.nan if low is None else float(low)],
                "trim_high": [np.nan if high is None else float(high)],
                "n_trimmed_low": [self.n_trimmed_low],
                "n_trimmed_high": [self.n_trimmed_high],
            }
        )


@dataclass
class _Margin:
    key: str | tuple[str, ...]
    label: str
    categories: list[Any]
    shares: np.ndarray  # target shares of the categories with respondents
    codes: np.ndarray  # per respondent, index into categories


def _cols(key: Any) -> list[str]:
    return list(key) if isinstance(key, tuple) else [key]


def _label(key: Any) -> str:
    return " × ".join(str(c) for c in key) if isinstance(key, tuple) else str(key)


def _margin_values(data: pd.DataFrame, key: Any, where: str) -> pd.Index:
    """The raking variable as an Index (a MultiIndex for crossed cells); raises on missing values."""
    cols = _cols(key)
    for col in cols:
        miss = data[col].isna()
        if miss.any():
            rows, vals = offending(miss, data[col])
            raise CJMDataError(
                f"{where}: {int(miss.sum())} missing value(s) in the raking variable {col!r}.",
                column=col,
                rows=rows,
                values=vals,
                fix="Impute the category (or give it an explicit 'unknown' category with its own target), "
                "or drop those respondents before weighting.",
            )
    if len(cols) == 1:
        return pd.Index(data[cols[0]].astype(object).to_numpy(), dtype=object)
    return pd.MultiIndex.from_arrays([data[c].astype(object).to_numpy() for c in cols], names=cols)


def _target_shares(key: Any, spec: Any, where: str) -> tuple[list[Any], np.ndarray]:
    label = _label(key)
    if isinstance(spec, pd.Series):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping) or not spec:
        raise CJMConfigError(
            f"{where}: the targets of {label!r} must be a non-empty mapping category -> share (or count), "
            f"e.g. {{'18-29': 0.2, '30-49': 0.5, '50+': 0.3}}; got {type(spec).__name__}."
        )
    cats = list(spec.keys())
    if isinstance(key, tuple):
        bad = [c for c in cats if not (isinstance(c, tuple) and len(c) == len(key))]
        if bad:
            raise CJMConfigError(
                f"{where}: the crossed margin {label!r} needs targets keyed by tuples of {len(key)} "
                f"categories, e.g. {{('18-29', 'Nord'): 0.1, ...}}; got key {bad[0]!r}."
            )
    try:
        vals = np.array([float(v) for v in spec.values()])
    except (TypeError, ValueError):
        raise CJMConfigError(f"{where}: the targets of {label!r} must be numbers (shares or counts).") from None
    if not np.isfinite(vals).all() or (vals < 0).any():
        raise CJMConfigError(f"{where}: the targets of {label!r} must be finite and not negative.")
    total = float(vals.sum())
    if abs(total - 1.0) <= _SHARE_TOL:
        return cats, vals / total
    if (vals <= 1.0).all():
        raise CJMDataError(
            f"{where}: the target shares of {label!r} sum to {total:.4g}, not 1.",
            column=label,
            fix="Give shares that sum to 1 (e.g. 0.2, 0.5, 0.3), or population counts "
            "(which are normalised), and check for a forgotten category.",
        )
    return cats, vals / total  # counts or percentages


def _build_margin(data: pd.DataFrame, key: Any, spec: Any, where: str) -> _Margin:
    label = _label(key)
    cats, shares = _target_shares(key, spec, where)
    values = _margin_values(data, key, where)
    if isinstance(key, tuple):
        target_index: pd.Index = pd.MultiIndex.from_tuples(cats, names=_cols(key))
    else:
        target_index = pd.Index(cats, dtype=object)
    if not target_index.is_unique:
        raise CJMConfigError(f"{where}: the targets of {label!r} name a category twice.")
    codes = target_index.get_indexer(values)
    unknown = codes < 0
    if unknown.any():
        shown = values[unknown]
        found = list(dict.fromkeys(shown.tolist()))
        rows = list(data.index[np.flatnonzero(unknown)[:5]])
        raise CJMDataError(
            f"{where}: {int(unknown.sum())} respondent(s) have a category of {label!r} that `targets` does "
            f"not name: {', '.join(repr(c) for c in found[:5])}{' ...' if len(found) > 5 else ''} "
            f"(targets name {', '.join(repr(c) for c in cats[:10])}).",
            column=label,
            rows=rows,
            values=list(shown[:5]),
            fix=f"Add the category to targets[{key!r}], recode it into one of the target categories, "
            "or drop those respondents.",
        )
    counts = np.bincount(codes, minlength=len(cats))
    empty = (counts == 0) & (shares > 0)
    if empty.any():
        missing = [cats[i] for i in np.flatnonzero(empty)]
        raise CJMDataError(
            f"{where}: target categor{'y' if len(missing) == 1 else 'ies'} "
            f"{', '.join(repr(c) for c in missing)} of {label!r} "
            f"{'has' if len(missing) == 1 else 'have'} no respondent, so no weight can reach "
            f"{'its' if len(missing) == 1 else 'their'} target.",
            column=label,
            fix="Merge the empty category with a neighbouring one in both the data and the targets "
            "(collapse cells), or remove it from the targets and renormalise the rest.",
        )
    zero = (counts > 0) & (shares == 0)
    if zero.any():
        rows_mask = zero[codes]
        rows, vals = offending(rows_mask, pd.Series(values, index=data.index))
        raise CJMDataError(
            f"{where}: respondents of {label!r} are in categories whose target is 0; their weight would be 0.",
            column=label,
            rows=rows,
            values=vals,
            fix="Drop those respondents before weighting, or give the category a positive target.",
        )
    return _Margin(key=key, label=label, categories=cats, shares=shares, codes=codes)


def _clip_mean_one(w: np.ndarray, low: float, high: float) -> np.ndarray:
    """Rescale to mean one and clip to [low, high], repeated until both hold."""
    for _ in range(_CLIP_ROUNDS):
        w = w / w.mean()
        if w.min() >= low - 1e-12 and w.max() <= high + 1e-12:
            break
        w = np.clip(w, low, high)
    return w


def _deviation(w: np.ndarray, margins: list[_Margin]) -> float:
    total = w.sum()
    dev = 0.0
    for m in margins:
        got = np.bincount(m.codes, weights=w, minlength=len(m.categories)) / total
        dev = max(dev, float(np.max(np.abs(got - m.shares))))
    return dev


def _is_trim(value: Any) -> bool:
    low, high = value
    low = 0.0 if low is None else float(low)
    high = np.inf if high is None else float(high)
    return isinstance(value, (tuple, list)) and 0 <= low < 1 < high


@validate_params(
    {
        "max_iter": [WHOLE_NUMBER],
        "tol": [Interval(Real, 0, 1, closed="neither", example="1e-6")],
        "trim": [
            Rule(
                _is_trim,
                "a pair (low, high) with 0 <= low < 1 < high",
                note="weights have mean 1; None for no bound",
                example="(0.3, 3.0)",
            ),
            None,
        ],
        "cap": [Interval(Real, 1, None, closed="neither", note="the highest weight", example="3.0"), None],
        "strict": [BOOLEAN],
    }
)
def rim_weights(
    data: pd.DataFrame,
    *,
    targets: Mapping[str | tuple[str, ...], Mapping[Any, float] | pd.Series],
    base_weight: str | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    trim: tuple[float | None, float | None] | None = None,
    cap: float | None = None,
    strict: bool = False,
) -> RimWeights:
    """Rim weights (raking) that make the weighted sample match population margins.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    targets : dict
        ``{variable: {category: share}}``, one entry per margin, e.g.
        ``{"age_band": {"18-29": 0.2, ...}, "region": {...}}``.  Shares must sum to 1 (within
        0.001; they are renormalised); counts or percentages (any value above 1) are
        normalised.  A crossed margin takes a tuple of variables as key and tuples as
        categories: ``{("age_band", "region"): {("18-29", "Nord"): 0.05, ...}}``
        (:func:`population_targets` builds both kinds from a population table).
    base_weight : str, optional
        A column of positive design weights to start from.
    max_iter : int, default 100
        The most raking passes.
    tol : float, default 1e-6
        Convergence: the largest gap between a weighted share and its target (a proportion).
    trim : (low, high), optional
        Bounds on the weights (relative to mean 1), e.g. ``(0.3, 3.0)``, applied inside the
        iterations; ``None`` on one side leaves it open.
    cap : float, optional
        Shorthand for ``trim=(None, cap)``.
    strict : bool, default False
        Raise :class:`CJMDataError` when raking does not converge (by default the result
        reports ``converged=False``).

    Returns
    -------
    RimWeights
        ``weights`` (Series aligned to ``data.index``, mean 1), ``converged``,
        ``iterations``, ``max_deviation``, ``n``, ``n_eff``, ``efficiency`` (percent),
        ``min_weight``, ``max_weight``, trimming counts, the per-margin table ``margins``
        (``variable, category, n, target_pct, unweighted_pct, weighted_pct, deviation``) and
        ``summary()`` (one tidy row).

    Raises
    ------
    CJMDataError
        Missing values in a raking variable; a category in the data that the targets do not
        name (with the rows); a target category without respondents (with the fix: collapse
        it); shares that do not sum to 1; bad base weights; non-convergence with ``strict``.
    CJMConfigError
        Bad ``targets``, ``trim``, ``cap``, ``max_iter`` or ``tol``.

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["m"] * 40 + ["f"] * 20,
    ...                    "age": ["young"] * 30 + ["old"] * 10 + ["young"] * 15 + ["old"] * 5})
    >>> rw = rim_weights(df, targets={"sex": {"m": 0.5, "f": 0.5},
    ...                               "age": {"young": 0.5, "old": 0.5}})
    >>> rw.converged, round(rw.efficiency, 1)
    (True, 66.7)
    >>> df.assign(w=rw.weights).groupby(["sex", "age"])["w"].first().round(2).to_dict()
    {('f', 'old'): 3.0, ('f', 'young'): 1.0, ('m', 'old'): 1.5, ('m', 'young'): 0.5}
    >>> rw.margins[["variable", "category", "target_pct", "unweighted_pct", "weighted_pct"]].round(1)
      variable category  target_pct  unweighted_pct  weighted_pct
    0      sex        m        50.0            66.7          50.0
    1      sex        f        50.0            33.3          50.0
    2      age    young        50.0            75.0          50.0
    3      age      old        50.0            25.0          50.0
    """
    where = "rim_weights()"
    require_frame(data, where=where)
    if not isinstance(targets, Mapping) or not targets:
        raise CJMConfigError(
            f"{where}: `targets` must be a non-empty dict {{variable: {{category: share}}}}, "
            f"got {type(targets).__name__}."
        )
    for key in targets:
        if not isinstance(key, (str, tuple)) or (isinstance(key, tuple) and len(key) < 2):
            raise CJMConfigError(
                f"{where}: a key of `targets` must name a column, or a tuple of two or more columns "
                f"for a crossed margin; got {key!r}."
            )
    require_columns(data, {"targets": [c for k in targets for c in _cols(k)], "base_weight": base_weight}, where=where)
    low, high = _bounds(trim, cap, where)

    margins = [_build_margin(data, key, spec, where) for key, spec in targets.items()]
    n = len(data)
    if base_weight is not None:
        w0 = positive_weights(data, base_weight, where=where, normalise=False)
        w = w0 / w0.mean()
    else:
        w = np.ones(n)
    trimming = low > 0 or np.isfinite(high)

    iterations, dev = 0, _deviation(w, margins)
    converged = dev <= tol and (not trimming or (w.min() >= low - 1e-9 and w.max() <= high + 1e-9))
    while not converged and iterations < max_iter:
        iterations += 1
        for m in margins:
            got = np.bincount(m.codes, weights=w, minlength=len(m.categories))
            factor = np.divide(m.shares * w.sum(), got, out=np.ones_like(got), where=got > 0)
            w = w * factor[m.codes]
        w = _clip_mean_one(w, low, high) if trimming else w / w.mean()
        dev = _deviation(w, margins)
        converged = dev <= tol
    if strict and not converged:
        raise CJMDataError(
            f"{where}: raking did not converge in {iterations} passes; the largest margin deviation is "
            f"{dev * 100:.3g} percentage points (tolerance {tol * 100:.3g}).",
            fix="Loosen the trimming bounds, collapse sparse categories, drop a margin, or raise `max_iter`.",
        )

    weights = pd.Series(w, index=data.index, name="weight")
    n_eff = kish_n_eff(w)
    eps = 1e-6  # on the bound, up to the convergence tolerance
    return RimWeights(
        weights=weights,
        converged=bool(converged),
        iterations=iterations,
        max_deviation=dev,
        n=n,
        n_eff=n_eff,
        efficiency=n_eff / n * 100,
        min_weight=float(w.min()),
        max_weight=float(w.max()),
        trim=None if not trimming else (None if low == 0 else low, None if not np.isfinite(high) else high),
        n_trimmed_low=int((w <= low + eps).sum()) if low > 0 else 0,
        n_trimmed_high=int((w >= high - eps).sum()) if np.isfinite(high) else 0,
        margins=_margin_table(margins, w),
    )


def _bounds(trim: Any, cap: Any, where: str) -> tuple[float, float]:
    if trim is not None and cap is not None:
        raise CJMConfigError(f"{where}: give either `trim=(low, high)` or `cap=high`, not both.")
    if cap is not None:
        trim = (None, cap)
    if trim is None:
        return 0.0, np.inf
    return 0.0 if trim[0] is None else float(trim[0]), np.inf if trim[1] is None else float(trim[1])


def _margin_table(margins: list[_Margin], w: np.ndarray) -> pd.DataFrame:
    parts = []
    total = w.sum()
    for m in margins:
        k = len(m.categories)
        counts = np.bincount(m.codes, minlength=k)
        weighted = np.bincount(m.codes, weights=w, minlength=k) / total
        parts.append(
            pd.DataFrame(
                {
                    "variable": m.label,
                    "category": pd.Series(m.categories, dtype=object),
                    "n": counts.astype(np.int64),
                    "target_pct": m.shares * 100,
                    "unweighted_pct": counts / counts.sum() * 100,
                    "weighted_pct": weighted * 100,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["deviation"] = out["weighted_pct"] - out["target_pct"]
    return out


@validate_params({})
def population_targets(
    population: pd.DataFrame,
    columns: Sequence[str | tuple[str, ...]],
    *,
    weight: str | None = None,
) -> dict[str | tuple[str, ...], dict[Hashable, float]]:
    """Population shares per category, ready for ``rim_weights(targets=...)``.

    Parameters
    ----------
    population : DataFrame
        The population (e.g. the customer base), one row per unit.
    columns : list of str or tuple
        Margins; a tuple of columns gives a crossed margin keyed by tuples.
    weight : str, optional
        A column of positive unit weights (e.g. counts per row of an aggregated table).

    Returns
    -------
    dict
        ``{column: {category: share}}``; shares sum to 1; categories in order of
        appearance in a categorical's categories (unused ones left out) or sorted.

    Raises
    ------
    CJMDataError
        Missing columns or missing values.

    Examples
    --------
    >>> pop = pd.DataFrame({"age": ["young", "old", "old", "old"], "sex": ["m", "f", "m", "f"]})
    >>> population_targets(pop, ["age"])
    {'age': {'old': 0.75, 'young': 0.25}}
    >>> population_targets(pop, [("age", "sex")])[("age", "sex")][("old", "f")]
    0.5
    """
    where = "population_targets()"
    require_frame(population, where=where)
    if isinstance(columns, (str, tuple)):
        columns = [columns]
    require_columns(population, {"columns": [c for k in columns for c in _cols(k)], "weight": weight}, where=where)
    if weight is not None:
        w = numeric_column(population, weight, where=where, allow_missing=False, low=0)
    else:
        w = pd.Series(1.0, index=population.index)
    out: dict[str | tuple[str, ...], dict[Hashable, float]] = {}
    for key in columns:
        cols = _cols(key)
        _margin_values(population, key if isinstance(key, tuple) else cols[0], where)  # missing values
        sums = w.groupby([population[c] for c in cols], observed=True, sort=True).sum()
        sums = sums[sums > 0]
        shares = sums / sums.sum()
        out[key] = {(tuple(k) if isinstance(k, tuple) else k): float(v) for k, v in shares.items()}
    return out

"""Factor analysis of an attitude battery before clustering (optional in the pipeline).

Three extraction methods, all on the correlation matrix of the items (complete rows):

* ``"principal"`` (default) — principal components, the extraction SPSS runs by default and most
  published market-research tables report: loadings are the eigenvectors of the correlation matrix
  scaled by the square roots of their eigenvalues.
* ``"minres"`` — minimum residual (unweighted least squares) common factors, the default of R's
  ``psych::fa``: uniquenesses chosen to minimise the squared residual correlations.
* ``"ml"`` — maximum-likelihood common factors (the criterion of R's ``factanal``).

``minres`` and ``ml`` bound every uniqueness below by 0.005 (as ``psych`` and ``factanal`` do): an
item whose communality reaches that bound is a **Heywood case** (the solution is improper), one
above :data:`NEAR_HEYWOOD` a near-Heywood case; both are flagged in ``communalities`` and warned
about.  Rotations come from ``statsmodels.multivariate.factor_rotation`` with Kaiser normalisation
(rows scaled to unit communality before rotating, as SPSS and ``psych`` do): ``varimax``,
``quartimax``, ``equamax`` (orthogonal) and ``oblimin`` (direct quartimin, oblique; the factor
correlations are returned).  KMO and Bartlett's test are computed here from their textbook formulas.

:func:`factor_analysis` gives the tidy tables a researcher checks (loadings, communalities,
explained variance, KMO per item, Bartlett); :class:`AttitudeFactors` is the pipeline step that
replaces the items by factor scores (regression scores; for unrotated principal components these are
the standardised component scores) before :class:`~cjm_lab.personas.PersonaModel`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from cjm_lab._params import (
    Integral,
    Interval,
    StrOptions,
    check_param,
    check_params,
    outside_stacklevel,
    validate_params,
)
from cjm_lab._validate import numeric_column, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["FactorResult", "factor_analysis", "AttitudeFactors", "HEYWOOD", "NEAR_HEYWOOD"]

_METHODS = ("principal", "minres", "ml")
_ORTHOGONAL = ("varimax", "quartimax", "equamax")
_ROTATIONS = (*_ORTHOGONAL, "oblimin", "none")
#: Lower bound of a uniqueness in ``minres`` and ``ml`` (as in ``psych::fa`` and ``factanal``).
MIN_UNIQUENESS = 0.005
#: A communality this high means the uniqueness sits at its bound: a Heywood case, an improper solution.
HEYWOOD = 1.0 - MIN_UNIQUENESS - 1e-6
#: A communality above this (but below :data:`HEYWOOD`) is a near-Heywood case: an item that is almost
#: all common variance, usually a sign of too many factors or of a near-duplicate item. The threshold
#: is the convention of the factor-analysis literature, not a value tuned on data.
NEAR_HEYWOOD = 0.95


@dataclass
class FactorResult:
    """Tidy results of :func:`factor_analysis`.

    Attributes
    ----------
    loadings : DataFrame
        ``item, factor, loading`` (rotated; the pattern loadings for ``oblimin``), one row per
        item × factor.
    communalities : DataFrame
        ``item, communality, uniqueness, kmo, heywood, near_heywood`` (the last two booleans flag
        improper and almost improper items of ``minres``/``ml``).
    variance : DataFrame
        ``factor, ss_loadings, pct_variance, cumulative_pct`` (after rotation; with ``oblimin``
        the factors overlap, so the percentages are not additive).
    kmo : float
        Overall Kaiser–Meyer–Olkin measure (≥ 0.6 is adequate for factor analysis).
    bartlett_chi2, bartlett_p : float
        Bartlett's test of sphericity (a small p: the items correlate).
    n, n_missing : int
        Complete rows used, rows left out for missing items.
    eigenvalues : ndarray
        Of the item correlation matrix (what the Kaiser criterion looks at).
    method, rotation : str
        The extraction and rotation used.
    factor_correlations : DataFrame or None
        Factor × factor correlations of an oblique rotation (``None`` for orthogonal ones).
    """

    loadings: pd.DataFrame
    communalities: pd.DataFrame
    variance: pd.DataFrame
    kmo: float
    bartlett_chi2: float
    bartlett_p: float
    n: int
    n_missing: int
    eigenvalues: np.ndarray
    method: str = "principal"
    rotation: str = "varimax"
    factor_correlations: pd.DataFrame | None = None

    def table(self, cut: float = 0.0) -> pd.DataFrame:
        """Items × factors, loadings below ``cut`` in absolute value blanked (NaN)."""
        wide = self.loadings.pivot(index="item", columns="factor", values="loading")
        wide = wide.loc[self.loadings["item"].unique()]
        return wide.where(wide.abs() >= cut).round(2)


# --------------------------------------------------------------------------- extraction
def _top(matrix: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``m`` largest eigenvalues (descending) and their eigenvectors."""
    w, v = np.linalg.eigh(matrix)
    order = np.argsort(w)[::-1][:m]
    return w[order], v[:, order]


def _principal(corr: np.ndarray, m: int) -> np.ndarray:
    w, v = _top(corr, m)
    return v * np.sqrt(np.maximum(w, 0.0))


def _uls_loadings(corr: np.ndarray, psi: np.ndarray, m: int) -> np.ndarray:
    w, v = _top(corr - np.diag(psi), m)
    return v * np.sqrt(np.maximum(w, 0.0))


def _minres(corr: np.ndarray, m: int) -> np.ndarray:
    """Unweighted least squares: minimise ½‖R − Ψ − ΛΛ'‖² over the uniquenesses Ψ."""
    from scipy.optimize import minimize

    p = len(corr)

    def objective(psi: np.ndarray) -> tuple[float, np.ndarray]:
        w, v = np.linalg.eigh(corr - np.diag(psi))
        order = np.argsort(w)[::-1]
        w, v = w[order], v[:, order]
        # what m factors cannot fit: the other eigenvalues, and negative ones among the first m
        rest = np.r_[np.minimum(w[:m], 0.0), w[m:]]
        vecs = np.c_[v[:, :m], v[:, m:]]
        value = 0.5 * float(np.sum(rest**2))
        grad = -(vecs**2) @ rest  # d(eigenvalue k)/d(psi_i) = -v_ik²
        return value, grad

    start = np.clip(1.0 / np.diag(np.linalg.inv(corr)), MIN_UNIQUENESS, 1.0)
    res = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(MIN_UNIQUENESS, 1.0)] * p)
    return _uls_loadings(corr, res.x, m)


def _ml(corr: np.ndarray, m: int) -> np.ndarray:
    """Maximum likelihood, the criterion and gradient of R's ``factanal``."""
    from scipy.optimize import minimize

    p = len(corr)

    def parts(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sc = 1.0 / np.sqrt(psi)
        w, v = np.linalg.eigh(corr * sc[:, None] * sc[None, :])
        order = np.argsort(w)[::-1]
        return w[order], v[:, order]

    def objective(psi: np.ndarray) -> tuple[float, np.ndarray]:
        w, v = parts(psi)
        rest = np.maximum(w[m:], 1e-12)
        value = -float(np.sum(np.log(rest) - rest)) - (p - m)
        load = np.sqrt(psi)[:, None] * v[:, :m] * np.sqrt(np.maximum(w[:m] - 1.0, 0.0))
        g = load @ load.T + np.diag(psi) - corr
        return value, np.diag(g) / psi**2

    start = np.clip((1.0 - 0.5 * m / p) / np.diag(np.linalg.inv(corr)), MIN_UNIQUENESS, 1.0)
    res = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(MIN_UNIQUENESS, 1.0)] * p)
    w, v = parts(res.x)
    return np.sqrt(res.x)[:, None] * v[:, :m] * np.sqrt(np.maximum(w[:m] - 1.0, 0.0))


_EXTRACT = {"principal": _principal, "minres": _minres, "ml": _ml}
#: Gradient-projection settings of the rotations (statsmodels' defaults stop at a gradient norm of 1e-5, about
#: 1e-5 in the loadings; 1e-7 gives 1e-6 against a classic Kaiser varimax at a few hundred iterations).
_GPA = {"tol": 1e-7, "max_tries": 1000}


def _rotate(loadings: np.ndarray, rotation: str) -> tuple[np.ndarray, np.ndarray]:
    """Rotated (pattern) loadings and the factor correlations, with Kaiser normalisation."""
    m = loadings.shape[1]
    if rotation == "none" or m == 1:
        return loadings, np.eye(m)
    from statsmodels.multivariate.factor_rotation import rotate_factors

    h = np.sqrt((loadings**2).sum(axis=1))
    h = np.where(h > 0, h, 1.0)
    if rotation == "oblimin":
        rotated, t = rotate_factors(loadings / h[:, None], "oblimin", 0, "oblique", **_GPA)
        phi = t.T @ t
    else:
        rotated, _ = rotate_factors(loadings / h[:, None], rotation, **_GPA)
        phi = np.eye(m)
    return rotated * h[:, None], phi


def _orient(pattern: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Factors by their sum of squared loadings (largest first), each with a positive loading sum."""
    order = np.argsort(-(pattern**2).sum(axis=0), kind="stable")
    pattern, phi = pattern[:, order], phi[np.ix_(order, order)]
    signs = np.where(pattern.sum(axis=0) < 0, -1.0, 1.0)
    return pattern * signs, phi * np.outer(signs, signs)


# --------------------------------------------------------------------------- checks
def kmo_bartlett(corr: np.ndarray, n: int) -> tuple[np.ndarray, float, float, float]:
    """KMO per item, overall KMO, Bartlett's chi² and its p-value from a correlation matrix.

    KMO compares the correlations with the partial correlations (from the inverse correlation
    matrix); Bartlett's statistic is ``-(n - 1 - (2p + 5) / 6) · ln |R|`` with ``p(p - 1) / 2``
    degrees of freedom.

    Examples
    --------
    >>> r = np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])
    >>> items, total, chi2, p = kmo_bartlett(r, 100)
    >>> round(total, 3), round(chi2, 2)
    (0.628, 46.45)
    """
    from scipy import stats

    p = len(corr)
    inv = np.linalg.inv(corr)
    d = np.sqrt(np.diag(inv))
    partial = -inv / np.outer(d, d)
    off = ~np.eye(p, dtype=bool)
    r2 = np.where(off, corr**2, 0.0)
    a2 = np.where(off, partial**2, 0.0)
    kmo_items = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    kmo_total = float(r2.sum() / (r2.sum() + a2.sum()))
    _, logdet = np.linalg.slogdet(corr)
    chi2 = float(-(n - 1 - (2 * p + 5) / 6) * logdet)
    return kmo_items, kmo_total, chi2, float(stats.chi2.sf(chi2, p * (p - 1) / 2))


def _items(data: pd.DataFrame, items: Sequence[str], where: str) -> tuple[np.ndarray, np.ndarray]:
    require_frame(data, where=where)
    items = [items] if isinstance(items, str) else list(items)
    if len(items) < 3:
        raise CJMConfigError(f"{where}: factor analysis needs at least 3 items; got {len(items)}.")
    require_columns(data, {"items": items}, where=where)
    X = np.column_stack([numeric_column(data, c, where=where).to_numpy() for c in items])
    for j, c in enumerate(items):
        col = X[:, j]
        if np.isnan(col).all():
            raise CJMDataError(f"{where}: item {c!r} has no answers.", column=c, fix=f"Leave {c!r} out of `items`.")
        if np.nanstd(col) == 0:
            raise CJMDataError(
                f"{where}: item {c!r} has the same answer everywhere.", column=c, fix=f"Leave {c!r} out of `items`."
            )
    complete = ~np.isnan(X).any(axis=1)
    return X, complete


def _correlations(Xc: np.ndarray, items: list[str], where: str) -> np.ndarray:
    if Xc.shape[0] < len(items) + 2:
        raise CJMDataError(
            f"{where}: only {Xc.shape[0]} complete rows for {len(items)} items.",
            fix="Factor analysis needs many more complete answers than items.",
        )
    corr = np.corrcoef(Xc, rowvar=False)
    if np.linalg.eigvalsh(corr).min() < 1e-10:
        same = [
            f"{items[i]!r} and {items[j]!r}"
            for i in range(len(items))
            for j in range(i + 1, len(items))
            if abs(corr[i, j]) > 1 - 1e-9
        ]
        detail = f" ({', '.join(same[:5])} are perfectly correlated)" if same else ""
        raise CJMDataError(
            f"{where}: the items are linearly dependent{detail}, so their correlation matrix cannot be inverted.",
            fix="Leave out items that repeat another item or that are sums of other items.",
        )
    return corr


def _n_factors(n_factors: int | None, eig: np.ndarray, p: int, where: str) -> int:
    if n_factors is None:
        return max(1, int((eig > 1).sum()))
    below_items = Interval(Integral, 1, p - 1, note="fewer than the items")
    return int(check_param(n_factors, [below_items], name="n_factors", where=where))


#: What factor_analysis() and AttitudeFactors accept.
_OPTIONS = {
    "n_factors": [Interval(Integral, 1, None, closed="left"), None],
    "method": [StrOptions(_METHODS)],
    "rotation": [StrOptions(_ROTATIONS)],
}


def _solve(corr: np.ndarray, m: int, method: str, rotation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pattern loadings, factor correlations and communalities (from the unrotated extraction).

    One BLAS thread: the matrices are items × items, and spinning threads made each of the
    optimiser's hundreds of small eigen-decompositions ten times slower on a busy machine.
    """
    from cjm_lab.personas._engines import limited_threads

    with limited_threads(1):
        unrotated = _EXTRACT[method](corr, m)
        pattern, phi = _orient(*_rotate(unrotated, rotation))
    return pattern, phi, (unrotated**2).sum(axis=1)


def _warn_heywood(items: list[str], communality: np.ndarray, method: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    if method == "principal":  # components have no uniquenesses to estimate: nothing improper
        none = np.zeros(len(items), dtype=bool)
        return none, none
    heywood = communality >= HEYWOOD
    near = (communality >= NEAR_HEYWOOD) & ~heywood
    if heywood.any() or near.any():
        listed = ", ".join(f"{items[j]!r} ({communality[j]:.3f})" for j in np.flatnonzero(heywood | near)[:5])
        kind = "a Heywood case (improper solution)" if heywood.any() else "a near-Heywood case"
        warnings.warn(
            f"{where}: {kind} with method={method!r} — communality of {listed}; "
            f"{int(heywood.sum())} item(s) at the bound 0.995, {int(near.sum())} above {NEAR_HEYWOOD}. "
            "Fix: extract fewer factors, leave out a near-duplicate item, or use method='principal'.",
            UserWarning,
            stacklevel=outside_stacklevel(),
        )
    return heywood, near


@validate_params(_OPTIONS)
def factor_analysis(
    data: pd.DataFrame,
    *,
    items: Sequence[str],
    n_factors: int | None = None,
    method: str = "principal",
    rotation: str = "varimax",
    random_state: int = 0,
) -> FactorResult:
    """Exploratory factor analysis of an attitude battery: loadings, KMO, Bartlett, variance.

    Parameters
    ----------
    data : DataFrame
    items : list of str
        The rating items (numbers); rows with a missing item are left out and counted.
    n_factors : int, optional
        Default: the Kaiser criterion (eigenvalues of the correlation matrix above 1).
    method : {"principal", "minres", "ml"}, default "principal"
        Principal components (SPSS's default extraction, what published tables mostly report),
        minimum-residual or maximum-likelihood common factors. ``minres`` and ``ml`` warn about
        Heywood (communality at the bound 0.995) and near-Heywood (above 0.95) items.
    rotation : {"varimax", "quartimax", "equamax", "oblimin", "none"}, default "varimax"
        With Kaiser normalisation; ``oblimin`` (direct quartimin) lets factors correlate and
        fills ``factor_correlations``.
    random_state : int, default 0
        Kept for compatibility; every method here is deterministic.

    Returns
    -------
    FactorResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(400, 2))
    >>> df = pd.DataFrame({f"q{j}": f[:, j // 3] + rng.normal(0, 0.5, 400) for j in range(6)})
    >>> res = factor_analysis(df, items=list(df.columns))
    >>> res.table(cut=0.4)
    factor  factor_1  factor_2
    item
    q0           NaN      0.93
    q1           NaN      0.93
    q2           NaN      0.93
    q3          0.93       NaN
    q4          0.94       NaN
    q5          0.92       NaN
    >>> round(res.kmo, 2) > 0.6
    True
    >>> factor_analysis(df, items=list(df.columns), method="ml").table(cut=0.4).iloc[:, 0].round(1).tolist()
    [nan, nan, nan, 0.9, 0.9, 0.9]
    """
    where = "factor_analysis()"
    items = [items] if isinstance(items, str) else list(items)
    X, complete = _items(data, items, where)
    Xc = X[complete]
    corr = _correlations(Xc, items, where)
    eig = np.sort(np.linalg.eigvalsh(corr))[::-1]
    m = _n_factors(n_factors, eig, len(items), where)
    pattern, phi, comm = _solve(corr, m, method, rotation)
    heywood, near = _warn_heywood(items, comm, method, where)
    kmo_items, kmo_total, chi2, p = kmo_bartlett(corr, int(Xc.shape[0]))
    names = [f"factor_{j + 1}" for j in range(m)]
    load = pd.DataFrame(pattern, index=items, columns=names)
    tidy = load.reset_index(names="item").melt(id_vars="item", var_name="factor", value_name="loading")
    communalities = pd.DataFrame(
        {
            "item": items,
            "communality": comm,
            "uniqueness": 1 - comm,
            "kmo": kmo_items,
            "heywood": heywood,
            "near_heywood": near,
        }
    )
    ss = (pattern**2).sum(axis=0)
    variance = pd.DataFrame({"factor": names, "ss_loadings": ss, "pct_variance": ss / len(items) * 100})
    variance["cumulative_pct"] = variance["pct_variance"].cumsum()
    correlations = None if rotation != "oblimin" or m == 1 else pd.DataFrame(phi, index=names, columns=names)
    return FactorResult(
        tidy,
        communalities,
        variance,
        kmo_total,
        chi2,
        p,
        int(Xc.shape[0]),
        int((~complete).sum()),
        eig,
        method,
        rotation,
        correlations,
    )


class AttitudeFactors(TransformerMixin, BaseEstimator):
    """Pipeline step: replace an attitude battery by its (rotated) factor scores.

    Other columns pass through unchanged (with their dtypes), so the output can go
    straight into :class:`~cjm_lab.personas.PersonaModel`.  Missing item answers are
    set to the item mean before scoring.  Scores are regression (Thurstone) scores,
    ``Z R⁻¹ S`` with ``S`` the structure loadings; for principal components they are the
    standardised component scores.

    Parameters
    ----------
    items : list of str
    n_factors : int, optional
        Default: Kaiser criterion.
    method : {"principal", "minres", "ml"}, default "principal"
    rotation : {"varimax", "quartimax", "equamax", "oblimin", "none"}, default "varimax"
    prefix : str, default "factor_"
        Names of the score columns (``factor_1`` …).
    keep_items : bool, default False
        Keep the item columns beside the scores.
    random_state : int, default 0
        Kept for compatibility; the fit is deterministic.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from cjm_lab.personas import PersonaModel
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 2))
    >>> df = pd.DataFrame({f"q{j}": f[:, j // 3] + rng.normal(0, 0.5, 300) for j in range(6)})
    >>> df["channel"] = np.where(f[:, 0] > 0, "app", "store")
    >>> pipe = make_pipeline(AttitudeFactors(items=[f"q{j}" for j in range(6)]),
    ...                      PersonaModel(k=2, random_state=0))
    >>> labels = pipe.fit_predict(df)
    >>> list(pipe[0].transform(df).columns)
    ['channel', 'factor_1', 'factor_2']
    """

    def __init__(
        self,
        items: Sequence[str] = (),
        *,
        n_factors: int | None = None,
        method: str = "principal",
        rotation: str = "varimax",
        prefix: str = "factor_",
        keep_items: bool = False,
        random_state: int = 0,
    ) -> None:
        self.items = items
        self.n_factors = n_factors
        self.method = method
        self.rotation = rotation
        self.prefix = prefix
        self.keep_items = keep_items
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any = None) -> AttitudeFactors:
        """Fit the factor model on the items of ``X``."""
        where = "AttitudeFactors.fit()"
        check_params(self.get_params(), _OPTIONS, where=where)
        items = [self.items] if isinstance(self.items, str) else list(self.items)
        values, complete = _items(X, items, where)
        Xc = values[complete]
        corr = _correlations(Xc, items, where)
        self.mean_ = Xc.mean(axis=0)
        self.scale_ = Xc.std(axis=0)
        eig = np.sort(np.linalg.eigvalsh(corr))[::-1]
        m = _n_factors(self.n_factors, eig, len(items), where)
        pattern, phi, _ = _solve(corr, m, self.method, self.rotation)
        self.loadings_ = pattern
        self.factor_correlations_ = phi
        self.score_weights_ = np.linalg.solve(corr, pattern @ phi)
        self.items_ = items
        self.n_factors_ = m
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Other columns unchanged, then one score column per factor."""
        check_is_fitted(self, "loadings_")
        where = "AttitudeFactors.transform()"
        require_frame(X, where=where)
        require_columns(X, {"items": self.items_}, where=where)
        values = np.column_stack([numeric_column(X, c, where=where).to_numpy() for c in self.items_])
        Z = (values - self.mean_) / self.scale_
        Z = np.nan_to_num(Z, nan=0.0)
        scores = Z @ self.score_weights_
        keep = [c for c in X.columns if self.keep_items or c not in self.items_]
        out = X[keep].copy()
        for j in range(self.n_factors_):
            out[f"{self.prefix}{j + 1}"] = scores[:, j]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The names of the output columns: the factors, then the items kept."""
        check_is_fitted(self, "loadings_")
        keep = [c for c in self.feature_names_in_ if self.keep_items or c not in self.items_]
        return np.asarray(keep + [f"{self.prefix}{j + 1}" for j in range(self.n_factors_)], dtype=object)

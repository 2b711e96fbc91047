"""Factor analysis of an attitude battery before clustering (optional in the pipeline).

Extraction is scikit-learn's maximum-likelihood :class:`~sklearn.decomposition.FactorAnalysis`
on standardised items; the varimax rotation (with Kaiser normalisation), KMO and
Bartlett's test come from ``factor-analyzer``.  (``factor_analyzer.FactorAnalyzer``
itself does not run with scikit-learn ≥ 1.8, which removed an argument it passes.)

:func:`factor_analysis` gives the tidy tables a researcher checks (loadings,
communalities, explained variance, KMO per item, Bartlett); :class:`AttitudeFactors`
is the pipeline step that replaces the items by factor scores before
:class:`~cjm_lab.personas.PersonaModel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from cjm_lab._validate import numeric_column, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["FactorResult", "factor_analysis", "AttitudeFactors"]

_ROTATIONS = ("varimax", "none")


@dataclass
class FactorResult:
    """Tidy results of :func:`factor_analysis`.

    Attributes
    ----------
    loadings : DataFrame
        ``item, factor, loading`` (rotated), one row per item × factor.
    communalities : DataFrame
        ``item, communality, uniqueness, kmo``.
    variance : DataFrame
        ``factor, ss_loadings, pct_variance, cumulative_pct``.
    kmo : float
        Overall Kaiser–Meyer–Olkin measure (≥ 0.6 is adequate for factor analysis).
    bartlett_chi2, bartlett_p : float
        Bartlett's test of sphericity (a small p: the items correlate).
    n, n_missing : int
        Complete rows used, rows left out for missing items.
    eigenvalues : ndarray
        Of the item correlation matrix (what the Kaiser criterion looks at).
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

    def table(self, cut: float = 0.0) -> pd.DataFrame:
        """Items × factors, loadings below ``cut`` in absolute value blanked (NaN)."""
        wide = self.loadings.pivot(index="item", columns="factor", values="loading")
        wide = wide.loc[self.loadings["item"].unique()]
        return wide.where(wide.abs() >= cut).round(2)


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


def _fit(Z: np.ndarray, n_factors: int, rotation: str, seed: int) -> tuple[Any, np.ndarray, np.ndarray]:
    from factor_analyzer.rotator import Rotator
    from sklearn.decomposition import FactorAnalysis

    fa = FactorAnalysis(n_components=n_factors, random_state=seed).fit(Z)
    loadings = fa.components_.T
    rot = np.eye(n_factors)
    if rotation == "varimax" and n_factors > 1:
        rotator = Rotator(method="varimax")
        loadings = rotator.fit_transform(loadings)
        rot = rotator.rotation_
    # a readable sign: each factor's loadings sum to a positive number
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    return fa, loadings * signs, rot * signs


def _n_factors(n_factors: int | None, eig: np.ndarray, p: int, where: str) -> int:
    if n_factors is None:
        return max(1, int((eig > 1).sum()))
    if not isinstance(n_factors, (int, np.integer)) or not 1 <= n_factors < p:
        raise CJMConfigError(f"{where}: `n_factors` must be a whole number from 1 to {p - 1}; got {n_factors!r}.")
    return int(n_factors)


def factor_analysis(
    data: pd.DataFrame,
    *,
    items: Sequence[str],
    n_factors: int | None = None,
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
    rotation : {"varimax", "none"}, default "varimax"
    random_state : int, default 0

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
    q0           NaN      0.90
    q1           NaN      0.89
    q2           NaN      0.89
    q3          0.89       NaN
    q4          0.92       NaN
    q5          0.87       NaN
    >>> round(res.kmo, 2) > 0.6
    True
    """
    from factor_analyzer import calculate_bartlett_sphericity, calculate_kmo

    where = "factor_analysis()"
    if rotation not in _ROTATIONS:
        raise CJMConfigError(f"{where}: `rotation` must be 'varimax' or 'none'; got {rotation!r}.")
    items = [items] if isinstance(items, str) else list(items)
    X, complete = _items(data, items, where)
    Xc = X[complete]
    if Xc.shape[0] < len(items) + 2:
        raise CJMDataError(
            f"{where}: only {Xc.shape[0]} complete rows for {len(items)} items.",
            fix="Factor analysis needs many more complete answers than items.",
        )
    Z = (Xc - Xc.mean(axis=0)) / Xc.std(axis=0)
    corr = np.corrcoef(Z, rowvar=False)
    eig = np.sort(np.linalg.eigvalsh(corr))[::-1]
    m = _n_factors(n_factors, eig, len(items), where)
    _, loadings, _ = _fit(Z, m, rotation, random_state)
    kmo_items, kmo_total = calculate_kmo(pd.DataFrame(Xc, columns=items))
    chi2, p = calculate_bartlett_sphericity(pd.DataFrame(Xc, columns=items))
    names = [f"factor_{j + 1}" for j in range(m)]
    load = pd.DataFrame(loadings, index=items, columns=names)
    tidy = load.reset_index(names="item").melt(id_vars="item", var_name="factor", value_name="loading")
    comm = (loadings**2).sum(axis=1)
    communalities = pd.DataFrame({"item": items, "communality": comm, "uniqueness": 1 - comm, "kmo": kmo_items})
    ss = (loadings**2).sum(axis=0)
    variance = pd.DataFrame({"factor": names, "ss_loadings": ss, "pct_variance": ss / len(items) * 100})
    variance["cumulative_pct"] = variance["pct_variance"].cumsum()
    return FactorResult(
        tidy,
        communalities,
        variance,
        float(kmo_total),
        float(chi2),
        float(p),
        int(Xc.shape[0]),
        int((~complete).sum()),
        eig,
    )


class AttitudeFactors(TransformerMixin, BaseEstimator):
    """Pipeline step: replace an attitude battery by its (varimax-rotated) factor scores.

    Other columns pass through unchanged (with their dtypes), so the output can go
    straight into :class:`~cjm_lab.personas.PersonaModel`.  Missing item answers are
    set to the item mean before scoring.

    Parameters
    ----------
    items : list of str
    n_factors : int, optional
        Default: Kaiser criterion.
    rotation : {"varimax", "none"}, default "varimax"
    prefix : str, default "factor_"
        Names of the score columns (``factor_1`` …).
    keep_items : bool, default False
        Keep the item columns beside the scores.
    random_state : int, default 0

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from cjm_lab.personas import PersonaModel
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 2))
    >>> df = pd.DataFrame({f"q{j}": f[:, j // 3] + rng.normal(0, 0.5, 300) for j in range(6)})
    >>> df["channel"] = np.where(f[:, 0] > 0, "app", "store")
    >>> pipe = make_pipeline(AttitudeFactors(items=[f"q{j}" for j in range(6)]),
    ...                      PersonaModel(n_personas=2, random_state=0))
    >>> labels = pipe.fit_predict(df)
    >>> list(pipe[0].transform(df).columns)
    ['channel', 'factor_1', 'factor_2']
    """

    def __init__(
        self,
        items: Sequence[str] = (),
        *,
        n_factors: int | None = None,
        rotation: str = "varimax",
        prefix: str = "factor_",
        keep_items: bool = False,
        random_state: int = 0,
    ) -> None:
        self.items = items
        self.n_factors = n_factors
        self.rotation = rotation
        self.prefix = prefix
        self.keep_items = keep_items
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any = None) -> AttitudeFactors:
        """Fit the factor model on the items of ``X``."""
        where = "AttitudeFactors.fit()"
        if self.rotation not in _ROTATIONS:
            raise CJMConfigError(f"{where}: `rotation` must be 'varimax' or 'none'; got {self.rotation!r}.")
        items = [self.items] if isinstance(self.items, str) else list(self.items)
        values, complete = _items(X, items, where)
        Xc = values[complete]
        self.mean_ = Xc.mean(axis=0)
        self.scale_ = Xc.std(axis=0)
        Z = (Xc - self.mean_) / self.scale_
        eig = np.sort(np.linalg.eigvalsh(np.corrcoef(Z, rowvar=False)))[::-1]
        m = _n_factors(self.n_factors, eig, len(items), where)
        self._fa, self.loadings_, self._rotation = _fit(Z, m, self.rotation, self.random_state)
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
        scores = self._fa.transform(Z) @ self._rotation
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

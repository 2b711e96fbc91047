"""PersonaModel: personas from mixed survey and behaviour data, as a scikit-learn estimator.

The default algorithm, ``"gmm"``, is a finite mixture for mixed data — Gaussian
for continuous columns, categorical distributions for categorical, ordinal and
few-valued numeric columns, independent within a persona (the latent profile / latent class model
that StepMix fits) — started from k-means partitions of the scaled one-hot data
and fitted by vectorised EM.  On the benchmark in ``bench/bench_personas.py`` it
matched or beat StepMix's accuracy at about twice k-means' time (2 s for 100,000 rows
× 25 columns); see that file for the numbers.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from cjm_lab._params import (
    BOOLEAN,
    K_RANGE,
    RANDOM_STATE,
    WHOLE_NUMBER,
    InstanceOf,
    Integral,
    Interval,
    Real,
    StrOptions,
    called_from_package,
    check_params,
    k_candidates,
    outside_stacklevel,
    renamed_args,
    warn_changed,
)
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.personas._choose import evaluate_ks
from cjm_lab.personas._engines import (
    ALGORITHMS,
    EngineResult,
    Layout,
    Prepared,
    Reduction,
    fit_engine,
    fit_reduction,
    layout,
    predict_engine,
    prepare,
    to_ordinal_codes,
)
from cjm_lab.personas._persist import load_model, save_model
from cjm_lab.personas._prep import UNKNOWN, MixedPreprocessor, as_frame, check_weights

__all__ = ["PersonaModel"]

_REDUCE = (None, "pca", "famd")

#: What each option of :class:`PersonaModel` accepts (checked when fitting, as scikit-learn does).
PARAMETERS: dict[str, list[Any]] = {
    "k": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto": "choose_k recommends it"})],
    "algorithm": [StrOptions(ALGORITHMS)],
    "log_skewed": [BOOLEAN],
    "reduce": [StrOptions({"pca", "famd"}), None],
    "n_components": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, 1, closed="neither"), None],
    "n_init": [WHOLE_NUMBER],
    "max_iter": [WHOLE_NUMBER],
    "k_range": [K_RANGE],
    "unknown": [UNKNOWN],
    "n_jobs": [Interval(Integral, None, None), None],
    "random_state": [*RANDOM_STATE, InstanceOf(np.random.RandomState)],
}


def _probabilistic(model: PersonaModel) -> bool:
    return model.algorithm in ("gmm", "lca")


class PersonaModel(ClusterMixin, TransformerMixin, BaseEstimator):
    """Personas from mixed customer data (numeric, ordinal/Likert, categorical).

    Parameters
    ----------
    k : int or "auto", default "auto"
        Number of personas; ``"auto"`` runs :func:`~cjm_lab.personas.choose_k` over
        ``k_range`` (with 10 bootstrap resamples) and takes its recommendation, stored in
        ``choose_k_``.  (Called ``n_personas`` before 0.2; the old name works until 0.3.)
    algorithm : {"gmm", "kmeans", "kprototypes", "gower_agglomerative", "lca"}, default "gmm"
        ``"gmm"``: finite mixture, initialised by k-means and fitted by EM: Gaussian for
        numeric columns with many values, categorical distributions for categorical and
        ordinal columns and for numeric ones with at most 11 distinct values (Likert items,
        small counts); survey weights and missing answers are used directly,
        ``predict_proba`` gives membership probabilities.
        ``"kmeans"``: scikit-learn k-means on the design matrix (standardised numerics and
        ordinal codes, scaled one-hot categories). ``"kprototypes"``: kmodes' k-prototypes
        (numeric + matching dissimilarity; slow on large data).
        ``"gower_agglomerative"``: Ward clustering of Gower distances on at most 3,000 rows
        (a random subsample), other rows go to the nearest persona medoid; survey weights
        are not used for the clustering. ``"lca"``: latent class analysis with StepMix
        (the same model as ``"gmm"``, fitted by StepMix from the best k-means partition;
        slower, for cross-checks).
    columns : list of str, optional
        Columns to cluster on; default every column except ``id_column`` and dates.
    numeric, ordinal, categorical : list of str, optional
        Override the role a column's dtype suggests (numbers → numeric, ordered
        categoricals → ordinal, text/bool/unordered categoricals → categorical).
        ``ordinal`` can map columns to their ordered levels, e.g.
        ``{"income_band": ["low", "middle", "high"]}``.
    id_column : str or None, default "auto"
        Left out of the clustering when present.  ``"auto"``: the ``customer_id`` and
        ``respondent_id`` columns (and the columns a loader mapped to those roles), so a
        survey table clusters as it comes.
    scaling : {"standard", "robust", "none"}, default "standard"
        Scaling of numeric and ordinal columns (weighted mean/SD, or median/IQR).
    categorical_scaling : {"unit", "famd"}, default "unit"
        Weight of a categorical variable in the design matrix: ``"unit"`` gives each
        categorical variable the total variance of one standardised numeric column;
        ``"famd"`` scales indicators by 1/sqrt(share) as in FAMD.
    log_skewed : bool, default True
        log1p-transform non-negative numeric columns with skewness above 2 (spend,
        counts) before scaling; listed in ``feature_summary_``.
    reduce : {None, "pca", "famd"}, default None
        Cluster on principal axes of the design matrix (``"famd"`` also switches to FAMD
        scaling). Only for ``"kmeans"`` and ``"gmm"``.
    n_components : int or float, optional
        Axes kept by ``reduce``: a number, or a share of inertia (default 0.8).
    n_init : int, default 4
        k-means++ starts (on data above 20,000 rows they run on a 20,000-row subsample and
        the best is refined on all rows); ``"gmm"`` runs a short EM from the two best
        distinct k-means solutions and continues the better one.
    max_iter : int, default 300
        Iterations per run.
    k_range : range or list of int, default ``range(2, 11)``
        The numbers of personas tried when ``k="auto"`` (2 to 10 by default).  A tuple
        ``(low, high)`` still means low to high, both included, until 0.3 (with a warning).
    unknown : {"error", "ignore"}, default "error"
        Categories in new data that the model has not seen: ``"error"`` raises
        :class:`~cjm_lab.errors.CJMDataError` naming column, rows and values;
        ``"ignore"`` treats them as missing answers (the persona is then assigned from
        the other answers).
    n_jobs : int, optional
        Threads for the bootstrap fits of ``k="auto"`` (``-1``: all cores).
    random_state : int, Generator or None, default 0
        Seed; the same data and seed give the same personas (``None``: a new draw each fit).

    Attributes
    ----------
    labels_ : ndarray of int
        Persona of every fitting row; 0 is the largest persona (by weight), 1 the next …
    k_ : int
        The number of personas (called ``n_personas_`` before 0.2).
    feature_names_in_ : ndarray of str
        The columns clustered on (a typing tool needs exactly these).
    roles_ : dict
        Column → ``"numeric"``, ``"ordinal"`` or ``"categorical"``.
    feature_summary_ : DataFrame
        ``column, role, levels, n_missing, transform`` (ignored columns included).
    sizes_ : DataFrame
        ``persona, n, weight`` (sum of the survey weights; n without them), ``share`` (of the
        weighted total).
    cluster_centers_ : ndarray
        Persona means in the design space (what ``transform`` measures distances to).
    design_names_ : ndarray of str
        Columns of the design space: numeric and ordinal columns, then ``column=level``
        indicators (or ``axis_1`` … after ``reduce``).
    choose_k_ : DataFrame
        The choose_k table when ``k="auto"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> seg = np.repeat([0, 1, 2], [120, 80, 50])
    >>> df = pd.DataFrame({"att_price": np.clip(np.rint(np.array([4.5, 2.0, 3.0])[seg]
    ...                                              + rng.normal(0, 0.6, 250)), 1, 5),
    ...                    "att_service": np.clip(np.rint(np.array([2.0, 4.5, 3.0])[seg]
    ...                                                + rng.normal(0, 0.6, 250)), 1, 5),
    ...                    "channel": np.array(["online", "store", "phone"])[seg]})
    >>> model = PersonaModel(k=3, random_state=0).fit(df)
    >>> model.sizes_[["persona", "n"]]
       persona    n
    0        0  120
    1        1   80
    2        2   50
    >>> model.predict(df.head(3)).tolist()
    [0, 0, 0]
    """

    #: What :func:`~cjm_lab.personas.save_model` records the model as.
    typing_kind: ClassVar[str] = "PersonaModel"

    @renamed_args({"n_personas": "k"})
    def __init__(
        self,
        k: int | str = "auto",
        *,
        algorithm: str = "gmm",
        columns: Sequence[str] | None = None,
        numeric: Sequence[str] | None = None,
        ordinal: Sequence[str] | Mapping[str, Sequence[Any]] | None = None,
        categorical: Sequence[str] | None = None,
        id_column: str | None = "auto",
        scaling: str = "standard",
        categorical_scaling: str = "unit",
        log_skewed: bool = True,
        reduce: str | None = None,
        n_components: float | None = None,
        n_init: int = 4,
        max_iter: int = 300,
        k_range: Any = range(2, 11),
        unknown: str = "error",
        n_jobs: int | None = None,
        random_state: Any = 0,
    ) -> None:
        self.k = k
        self.algorithm = algorithm
        self.columns = columns
        self.numeric = numeric
        self.ordinal = ordinal
        self.categorical = categorical
        self.id_column = id_column
        self.scaling = scaling
        self.categorical_scaling = categorical_scaling
        self.log_skewed = log_skewed
        self.reduce = reduce
        self.n_components = n_components
        self.n_init = n_init
        self.max_iter = max_iter
        self.k_range = k_range
        self.unknown = unknown
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------ checks
    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.non_deterministic = self.random_state is None
        return tags

    def _check_params(self, where: str = "PersonaModel.fit()") -> list[int]:
        """Check the options (:data:`PARAMETERS`) and return the k's that ``k="auto"`` tries."""
        check_params(self.get_params(deep=False), PARAMETERS, where=where)
        if self.reduce is not None and self.algorithm not in ("kmeans", "gmm"):
            raise CJMConfigError(
                f"{where}: `reduce={self.reduce!r}` works with algorithm 'kmeans' or 'gmm'; "
                f"{self.algorithm!r} clusters the columns themselves. Set reduce=None."
            )
        return k_candidates(self.k_range, where=where)

    # ------------------------------------------------------------------ old names
    def __setstate__(self, state: dict[str, Any]) -> None:
        # typing tools saved before 0.2 hold the old names
        for old, new in (("n_personas", "k"), ("n_personas_", "k_")):
            if old in state and new not in state:
                state[new] = state.pop(old)
        super().__setstate__(state)

    def set_params(self, **params: Any) -> PersonaModel:
        """Set options (scikit-learn's ``set_params``); ``n_personas`` still sets ``k`` until 0.3."""
        if "n_personas" in params:
            if not called_from_package():
                warn_changed("PersonaModel.set_params()", "`n_personas` is now called `k`; pass k=...")
            params["k"] = params.pop("n_personas")
        return super().set_params(**params)

    @property
    def n_personas(self) -> Any:
        """Deprecated: the option ``k`` (removed in 0.3)."""
        if not called_from_package():
            warn_changed("PersonaModel", "`n_personas` is now called `k`")
        return self.k

    @property
    def n_personas_(self) -> int:
        """Deprecated: the fitted ``k_`` (removed in 0.3)."""
        k = self.k_  # AttributeError before fitting, as for any fitted attribute
        if not called_from_package():
            warn_changed("PersonaModel", "`n_personas_` is now called `k_`")
        return k

    def _seed(self) -> int:
        return int(check_random_state(self.random_state).randint(0, 2**31 - 1))

    def _preprocessor(self, where: str) -> MixedPreprocessor:
        return MixedPreprocessor(
            columns=self.columns,
            numeric=self.numeric,
            ordinal=self.ordinal,
            categorical=self.categorical,
            id_column=self.id_column,
            scaling=self.scaling,
            categorical_scaling="famd" if self.reduce == "famd" else self.categorical_scaling,
            log_skewed=self.log_skewed,
            where=where,
        )

    # ------------------------------------------------------------------ fit
    def _prepare_fit(
        self, data: pd.DataFrame, w: np.ndarray | None, where: str
    ) -> tuple[MixedPreprocessor, Prepared, Layout, Reduction | None]:
        prep = self._preprocessor(where).fit(data, w)
        cont = prep.continuous(data)
        codes = prep.codes(data)
        lay = layout(prep, cont)
        design = prep.design_from(cont, codes)
        reduction = fit_reduction(design, w, self.n_components) if self.reduce else None
        if reduction is not None:
            design = reduction.apply(design)
        return prep, Prepared(cont, codes, to_ordinal_codes(cont, lay), design, w), lay, reduction

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> PersonaModel:
        """Build the personas.

        Parameters
        ----------
        X : DataFrame
            One row per customer or respondent.
        y : ignored
        sample_weight : array-like, optional
            Survey weights (positive), used by ``gmm``, ``kmeans``, ``kprototypes`` and
            ``lca`` and always for persona sizes.

        Returns
        -------
        self
        """
        where = "PersonaModel.fit()"
        ks = self._check_params(where)
        data = as_frame(X, where=where)
        if len(data) < 2:
            raise CJMDataError(
                f"{where} needs at least 2 rows (customers) to build personas, got {len(data)}.",
                fix="Pass the whole customer or survey table, not a single row.",
            )
        raw_w = check_weights(sample_weight, len(data), where=where)
        w = None if raw_w is None else raw_w / raw_w.mean()
        if w is not None and self.algorithm == "gower_agglomerative":
            warnings.warn(
                "algorithm='gower_agglomerative' cannot use survey weights for the clustering; they "
                "are used for persona sizes only.",
                UserWarning,
                stacklevel=outside_stacklevel(),
            )
        prep, prepared, lay, reduction = self._prepare_fit(data, w, where)
        seed = self._seed()
        k = self.k
        if k == "auto":
            tried = [c for c in ks if c < len(data)]
            if not tried:
                raise CJMDataError(
                    f"{where}: {len(data)} rows are too few to try {ks[0]} or more personas.",
                    fix="Add data or pass a smaller k.",
                )
            table = evaluate_ks(
                self,
                prepared,
                lay,
                reduction is not None,
                tried,
                seed=seed,
                resamples=10,
                stability_rows=10_000,
                silhouette_rows=5_000,
                n_jobs=self.n_jobs,
            )
            self.choose_k_ = table
            k = int(table.loc[table["recommended"], "k"].iloc[0])
        k = int(k)
        if k >= len(data):
            raise CJMDataError(
                f"{where}: k={k} is not smaller than the number of rows ({len(data)}).",
                fix=f"Ask for fewer personas (at most {max(len(data) - 1, 1)}; usefully far fewer) or add data.",
            )
        res = fit_engine(
            self.algorithm,
            prepared,
            k,
            lay=lay,
            reduced=reduction is not None,
            n_init=self.n_init,
            max_iter=self.max_iter,
            seed=seed,
        )
        self._store(data, prep, prepared, lay, reduction, res, raw_w)
        return self

    def _store(
        self,
        data: pd.DataFrame,
        prep: MixedPreprocessor,
        prepared: Prepared,
        lay: Layout,
        reduction: Reduction | None,
        res: EngineResult,
        w: np.ndarray | None,
    ) -> None:
        k = res.k
        weights = np.ones(prepared.n) if w is None else w
        size = np.bincount(res.labels, weights=weights, minlength=k)
        order = np.argsort(-size, kind="stable")  # order[new] = old
        relabel = np.empty(k, dtype=np.int64)
        relabel[order] = np.arange(k)
        labels = relabel[res.labels]
        empty = int((size == 0).sum())
        if empty:
            warnings.warn(
                f"{empty} of the {k} personas ended up empty; the data support fewer personas. Lower k.",
                UserWarning,
                stacklevel=outside_stacklevel(),
            )
        self._prep = prep
        self._layout = lay
        self._reduction = reduction
        self._engine = res
        self._order = order
        self._relabel = relabel
        self.labels_ = labels
        self.k_ = k
        self.feature_names_in_ = np.asarray(prep.features, dtype=object)
        self.n_features_in_ = len(prep.features)
        self.roles_ = dict(prep.roles)
        self.feature_summary_ = prep.summary.copy() if prep.summary is not None else None
        counts = np.bincount(labels, minlength=k)
        wsum = np.bincount(labels, weights=weights, minlength=k)
        self.sizes_ = pd.DataFrame({"persona": np.arange(k), "n": counts, "weight": wsum, "share": wsum / wsum.sum()})
        centres = np.zeros((k, prepared.design.shape[1]))
        for j in range(k):  # a handful of personas
            member = labels == j
            if member.any():
                centres[j] = np.average(prepared.design[member], axis=0, weights=weights[member])
        self.cluster_centers_ = centres
        self.design_names_ = (
            np.asarray(prep.design_names, dtype=object)
            if reduction is None
            else np.asarray([f"axis_{j + 1}" for j in range(centres.shape[1])], dtype=object)
        )
        if reduction is not None:
            self.explained_variance_ratio_ = reduction.explained
        if np.isfinite(res.loglik):
            n = prepared.n
            self.log_likelihood_ = res.loglik
            self.bic_ = -2.0 * res.loglik + res.n_parameters * np.log(n)

    # ------------------------------------------------------------------ use
    def _prepared(self, X: Any, where: str) -> Prepared:
        check_is_fitted(self, "labels_")
        data = as_frame(X, where=where)
        self._prep.where = where
        try:
            self._prep.check_columns(data)
            return prepare(
                self._prep, data, lay=self._layout, reduction=self._reduction, weights=None, unknown=self.unknown
            )
        finally:
            self._prep.where = "PersonaModel.fit()"

    def predict(self, X: Any) -> np.ndarray:
        """Persona of new rows (the typing tool).

        Extra columns are ignored; every column in ``feature_names_in_`` must be present.
        Unseen categories raise unless ``unknown="ignore"``.
        """
        p = self._prepared(X, "PersonaModel.predict()")
        raw, _ = predict_engine(self._engine, p, self._layout, self._reduction is not None)
        return self._relabel[raw]

    def _predict_with_proba(self, X: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """``predict`` and (``gmm``, ``lca``) ``predict_proba`` from one preparation of ``X``."""
        p = self._prepared(X, "PersonaModel.predict()")
        raw, post = predict_engine(self._engine, p, self._layout, self._reduction is not None)
        return self._relabel[raw], (post[:, self._order] if post is not None and _probabilistic(self) else None)

    @available_if(_probabilistic)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Membership probabilities (``gmm`` and ``lca``), one column per persona."""
        p = self._prepared(X, "PersonaModel.predict_proba()")
        _, post = predict_engine(self._engine, p, self._layout, self._reduction is not None)
        return post[:, self._order]  # type: ignore[index]  # gmm and lca always give posteriors

    def transform(self, X: Any) -> np.ndarray:
        """Distance of every row to each persona's centre in the design space."""
        p = self._prepared(X, "PersonaModel.transform()")
        d = p.design[:, None, :] - self.cluster_centers_[None, :, :]
        return np.sqrt((d**2).sum(axis=2))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``distance_0``, ``distance_1``, … (one per persona)."""
        check_is_fitted(self, "labels_")
        return np.asarray([f"distance_{j}" for j in range(self.k_)], dtype=object)

    # ------------------------------------------------------------------ typing tool
    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> str:
        """Save the fitted model as a typing tool (see :func:`cjm_lab.personas.save_model`)."""
        return save_model(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike, *, strict: bool = False) -> PersonaModel:
        """Load a saved typing tool (see :func:`cjm_lab.personas.load_model`)."""
        return load_model(path, strict=strict)

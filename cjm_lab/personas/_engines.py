"""The clustering algorithms behind :class:`~cjm_lab.personas.PersonaModel` (private).

Every algorithm works on a :class:`Prepared` bundle (the views of
:class:`~cjm_lab.personas._prep.MixedPreprocessor`) and returns an engine state
that can label new rows.  ``fit_engine`` and ``predict_engine`` are the only
entry points; ``choose_k`` and the model share them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from cjm_lab.errors import CJMConfigError
from cjm_lab.personas import _mixture as mx
from cjm_lab.personas._prep import MixedPreprocessor

__all__ = ["ALGORITHMS", "Prepared", "prepare", "fit_engine", "predict_engine", "EngineResult", "GOWER_MAX_ROWS"]

ALGORITHMS = ("gmm", "kmeans", "kprototypes", "gower_agglomerative", "lca")
#: Agglomerative clustering on Gower distances needs n² memory: it runs on at most this
#: many rows (a random subsample) and assigns the others to the nearest persona medoid.
GOWER_MAX_ROWS = 3000
#: Numeric and ordinal columns with at most this many distinct values (Likert items, small
#: counts) are modelled as categorical by the mixture and LCA (ordered categoricals always
#: are): a Gaussian on a few discrete values rewards personas that pile up on one value.
DISCRETE_LEVELS = 11


@dataclass
class Reduction:
    """Weighted principal axes of the design matrix (PCA, or FAMD with FAMD scaling)."""

    mean: np.ndarray
    components: np.ndarray  # (d, q)
    explained: np.ndarray  # share of inertia per kept axis

    def apply(self, design: np.ndarray) -> np.ndarray:
        return (design - self.mean) @ self.components


def fit_reduction(design: np.ndarray, weights: np.ndarray | None, n_components: float | None) -> Reduction:
    """Eigen-decomposition of the weighted covariance of ``design``.

    ``n_components``: an int keeps that many axes, a float in (0, 1) the axes that explain
    that share of the inertia; ``None`` keeps the axes explaining 80 %.
    """
    w = np.ones(design.shape[0]) if weights is None else weights
    w = w / w.sum()
    mean = w @ design
    centred = design - mean
    cov = (centred * w[:, None]).T @ centred
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = np.maximum(values[order], 0.0), vectors[:, order]
    share = values / values.sum()
    if n_components is None:
        n_components = 0.8
    if isinstance(n_components, float) and 0 < n_components < 1:
        q = int(np.searchsorted(np.cumsum(share), n_components) + 1)
    else:
        q = int(n_components)
    q = max(1, min(q, design.shape[1]))
    # a deterministic sign: the largest loading of each axis is positive
    vec = vectors[:, :q]
    signs = np.sign(vec[np.abs(vec).argmax(axis=0), np.arange(q)])
    return Reduction(mean=mean, components=vec * np.where(signs == 0, 1, signs), explained=share[:q])


@dataclass
class Prepared:
    """All views of a set of rows that the algorithms need."""

    cont: np.ndarray  # continuous (numeric + ordinal), scaled, NaN missing
    codes: np.ndarray  # categorical codes, -1 missing
    ord_codes: np.ndarray  # ordinal columns as codes (for the mixture/LCA), -1 missing
    design: np.ndarray  # the distance space (after any reduction)
    weights: np.ndarray | None = None

    def take(self, idx: np.ndarray) -> Prepared:
        return Prepared(
            self.cont[idx],
            self.codes[idx],
            self.ord_codes[idx],
            self.design[idx],
            None if self.weights is None else self.weights[idx],
        )

    @property
    def n(self) -> int:
        return self.cont.shape[0]


@dataclass
class Layout:
    """Which continuous columns the mixture treats as Gaussian and which as categories."""

    gauss: list[int]
    ordinal_cat: list[int]
    ordinal_values: list[np.ndarray]  # the scaled values each categorical ordinal takes
    cat_sizes: list[int]
    cont_range: np.ndarray = field(default_factory=lambda: np.zeros(0))  # for Gower

    @property
    def sizes(self) -> list[int]:
        return list(self.cat_sizes) + [v.size for v in self.ordinal_values]


def layout(prep: MixedPreprocessor, cont: np.ndarray) -> Layout:
    """Decide the mixture's view of each continuous column from the fitting rows."""
    cols = prep.continuous_columns
    gauss, ordc, values = [], [], []
    for j, c in enumerate(cols):
        vals = np.unique(cont[~np.isnan(cont[:, j]), j])
        if (prep.roles[c] == "ordinal" and c in prep.levels) or vals.size <= DISCRETE_LEVELS:
            ordc.append(j)
            values.append(vals)
        else:
            gauss.append(j)
    with np.errstate(all="ignore"):
        rng = np.nanmax(cont, axis=0) - np.nanmin(cont, axis=0) if cont.shape[1] else np.zeros(0)
    rng = np.where(np.isfinite(rng) & (rng > 0), rng, 1.0)
    return Layout(gauss, ordc, values, [len(prep.levels[c]) for c in prep.categorical_columns], rng)


def to_ordinal_codes(cont: np.ndarray, lay: Layout) -> np.ndarray:
    """Codes of the categorical ordinals: the nearest of the values seen when fitting."""
    out = np.full((cont.shape[0], len(lay.ordinal_cat)), -1, dtype=np.int64)
    for i, (j, lv) in enumerate(zip(lay.ordinal_cat, lay.ordinal_values, strict=True)):
        x = cont[:, j]
        ok = ~np.isnan(x)
        pos = np.clip(np.searchsorted(lv, x[ok]), 0, lv.size - 1)
        left = np.clip(pos - 1, 0, lv.size - 1)
        nearer = np.abs(lv[left] - x[ok]) < np.abs(lv[pos] - x[ok])
        out[ok, i] = np.where(nearer, left, pos)
    return out


def prepare(
    prep: MixedPreprocessor,
    data: Any,
    *,
    lay: Layout | None,
    reduction: Reduction | None,
    weights: np.ndarray | None,
    unknown: str = "error",
) -> Prepared:
    cont = prep.continuous(data, unknown=unknown)
    codes = prep.codes(data, unknown=unknown)
    design = prep.design_from(cont, codes)
    if reduction is not None:
        design = reduction.apply(design)
    ord_codes = to_ordinal_codes(cont, lay) if lay is not None else np.zeros((cont.shape[0], 0), dtype=np.int64)
    return Prepared(cont=cont, codes=codes, ord_codes=ord_codes, design=design, weights=weights)


def _onehot(codes: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.concatenate([[0], np.cumsum(sizes)])[:-1].astype(np.int64)
    onehot = np.zeros((codes.shape[0], int(sum(sizes))))
    observed = np.repeat(codes >= 0, sizes, axis=1).astype(float) if codes.shape[1] else onehot.copy()
    if codes.size:
        r, c = np.nonzero(codes >= 0)
        onehot[r, offsets[c] + codes[r, c]] = 1.0
    return onehot, observed


def _mixture_views(p: Prepared, lay: Layout, reduced: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    if reduced:
        return p.design, np.zeros((p.n, 0)), np.zeros((p.n, 0)), []
    allcodes = np.hstack([p.codes, p.ord_codes])
    onehot, observed = _onehot(allcodes, lay.sizes)
    return p.cont[:, lay.gauss], onehot, observed, lay.sizes


@dataclass
class EngineResult:
    """A fitted algorithm: its state, the raw labels of the fitting rows and fit statistics."""

    algorithm: str
    k: int
    state: Any
    labels: np.ndarray
    loglik: float = np.nan
    n_parameters: int = 0
    resp: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _kmeans(design: np.ndarray, k: int, w: np.ndarray | None, n_init: int, max_iter: int, seed: int) -> KMeans:
    km = KMeans(n_clusters=k, n_init=n_init, max_iter=max_iter, random_state=seed)
    return km.fit(design, sample_weight=w)


#: On more rows than this, k-means starts run on a random subsample of this size and only
#: the best (distinct) solution is refined on all rows; the mixture runs its starts and EM
#: on the subsample and then continues EM on all rows.
INIT_ROWS = 20_000


def _kmeans_starts(
    p: Prepared, k: int, w: np.ndarray | None, n_init: int, max_iter: int, seed: int, keep: int
) -> list[KMeans]:
    """The ``keep`` best distinct k-means solutions of ``n_init`` k-means++ starts, fitted on all rows."""
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**31 - 1, size=max(1, n_init))
    sub = np.sort(rng.choice(p.n, INIT_ROWS, replace=False)) if p.n > INIT_ROWS else None
    design = p.design if sub is None else p.design[sub]
    ws = w if (w is None or sub is None) else w[sub]
    runs = sorted((_kmeans(design, k, ws, 1, max_iter, int(s)) for s in seeds), key=lambda r: r.inertia_)
    distinct: list[KMeans] = []
    for r in runs:  # a few starts
        if not any(abs(r.inertia_ - d.inertia_) <= 1e-9 * abs(d.inertia_) for d in distinct):
            distinct.append(r)
    chosen = distinct[:keep]
    if sub is not None:
        chosen = [
            KMeans(n_clusters=k, init=r.cluster_centers_, n_init=1, max_iter=max_iter).fit(p.design, sample_weight=w)
            for r in chosen
        ]
    return chosen


def limited_threads(n: int) -> Any:
    """One BLAS/OpenMP thread per fit.

    The matrices here are tall and thin (rows × a few personas): extra threads gain little,
    and on a busy machine spinning BLAS threads made a 100,000-row mixture fit take 60 s
    instead of 3 s.  Parallelism comes from running fits side by side (``choose_k``'s
    ``n_jobs``).
    """
    return threadpool_limits(1)


def fit_engine(
    algorithm: str,
    p: Prepared,
    k: int,
    *,
    lay: Layout,
    reduced: bool,
    n_init: int,
    max_iter: int,
    seed: int,
) -> EngineResult:
    """Fit one algorithm with ``k`` personas on prepared rows."""
    with limited_threads(p.n):
        return _fit_engine(algorithm, p, k, lay=lay, reduced=reduced, n_init=n_init, max_iter=max_iter, seed=seed)


def _fit_engine(
    algorithm: str, p: Prepared, k: int, *, lay: Layout, reduced: bool, n_init: int, max_iter: int, seed: int
) -> EngineResult:
    w = p.weights
    if algorithm == "kmeans":
        km = _kmeans_starts(p, k, w, n_init, max_iter, seed, keep=1)[0]
        return EngineResult(algorithm, k, km, km.labels_.astype(np.int64), extra={"inertia": float(km.inertia_)})
    if algorithm == "gmm":
        cont, onehot, observed, sizes = _mixture_views(p, lay, reduced)
        if p.n <= INIT_ROWS:
            starts = [km.labels_ for km in _kmeans_starts(p, k, w, n_init, max_iter, seed, keep=2)]
            params, resp, ll, it = mx.fit_mixture(
                cont, onehot, observed, sizes, starts, k, weights=w, max_iter=max_iter
            )
        else:
            # starts and EM on a subsample, then EM on all rows from there (a few iterations)
            sub = np.sort(np.random.default_rng(seed + 7).choice(p.n, INIT_ROWS, replace=False))
            ps = p.take(sub)
            starts = [km.labels_ for km in _kmeans_starts(ps, k, ps.weights, n_init, max_iter, seed, keep=2)]
            params, _, _, _ = mx.fit_mixture(
                cont[sub], onehot[sub], observed[sub], sizes, starts, k, weights=ps.weights, max_iter=max_iter
            )
            params, resp, ll, it = mx.refine(cont, onehot, observed, sizes, params, weights=w, max_iter=max_iter)
        return EngineResult(
            algorithm,
            k,
            params,
            resp.argmax(axis=1).astype(np.int64),
            loglik=ll,
            n_parameters=params.n_parameters(sizes) if not reduced else (k - 1) + 2 * k * cont.shape[1],
            resp=resp,
            extra={"iterations": it},
        )
    if algorithm == "kprototypes":
        return _fit_kprototypes(p, k, w, n_init, max_iter, seed)
    if algorithm == "gower_agglomerative":
        return _fit_gower(p, k, lay, seed)
    if algorithm == "lca":
        return _fit_lca(p, k, lay, w, n_init, max_iter, seed)
    raise CJMConfigError(f"Unknown algorithm {algorithm!r}; use one of {', '.join(map(repr, ALGORITHMS))}.")


def predict_engine(res: EngineResult, p: Prepared, lay: Layout, reduced: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Raw labels (and posterior probabilities where the algorithm has them) of new rows."""
    with limited_threads(p.n):
        return _predict_engine(res, p, lay, reduced)


def _predict_engine(res: EngineResult, p: Prepared, lay: Layout, reduced: bool) -> tuple[np.ndarray, np.ndarray | None]:
    if res.algorithm == "kmeans":
        return res.state.predict(p.design).astype(np.int64), None
    if res.algorithm == "gmm":
        cont, onehot, observed, _ = _mixture_views(p, lay, reduced)
        post = mx.posterior(cont, onehot, observed, res.state)
        return post.argmax(axis=1).astype(np.int64), post
    if res.algorithm == "kprototypes":
        return _predict_kprototypes(res, p), None
    if res.algorithm == "gower_agglomerative":
        d = gower_distances(p.cont, p.codes, res.state["medoid_cont"], res.state["medoid_codes"], lay.cont_range)
        return d.argmin(axis=1).astype(np.int64), None
    if res.algorithm == "lca":
        X = _lca_frame(p, lay)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            post = res.state.predict_proba(X)
        return post.argmax(axis=1).astype(np.int64), post
    raise CJMConfigError(f"Unknown algorithm {res.algorithm!r}.")  # pragma: no cover


# ---------------------------------------------------------------------------- k-prototypes


def _kproto_matrix(p: Prepared) -> tuple[np.ndarray, list[int]]:
    num = np.nan_to_num(p.cont, nan=0.0)
    X = np.hstack([num, p.codes.astype(float)])
    return X, list(range(num.shape[1], X.shape[1]))


def _fit_kprototypes(p: Prepared, k: int, w: np.ndarray | None, n_init: int, max_iter: int, seed: int) -> EngineResult:
    from kmodes.kprototypes import KPrototypes

    X, cat = _kproto_matrix(p)
    if not cat:
        raise CJMConfigError(
            "algorithm='kprototypes' needs at least one categorical column; use 'kmeans' for numeric data."
        )
    if len(cat) == X.shape[1]:
        raise CJMConfigError(
            "algorithm='kprototypes' needs at least one numeric or ordinal column; k-modes for "
            "purely categorical data is not offered, use 'lca' or 'gmm'."
        )
    kp = KPrototypes(n_clusters=k, n_init=n_init, max_iter=max_iter, random_state=seed, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kp.fit(X, categorical=cat, sample_weight=w)
    return EngineResult("kprototypes", k, kp, np.asarray(kp.labels_, dtype=np.int64), extra={"cost": float(kp.cost_)})


def _predict_kprototypes(res: EngineResult, p: Prepared) -> np.ndarray:
    X, cat = _kproto_matrix(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(res.state.predict(X, categorical=cat), dtype=np.int64)


# ---------------------------------------------------------------------------- Gower


def gower_distances(
    cont_a: np.ndarray,
    codes_a: np.ndarray,
    cont_b: np.ndarray,
    codes_b: np.ndarray,
    ranges: np.ndarray,
    *,
    chunk: int = 256,
) -> np.ndarray:
    """Gower distances between the rows of a and b (missing answers drop out of the mean).

    Numeric and ordinal variables contribute |x − y| / range, categorical ones 0 or 1.
    """
    a_obs, b_obs = ~np.isnan(cont_a), ~np.isnan(cont_b)
    a0 = np.nan_to_num(cont_a, nan=0.0) / ranges
    b0 = np.nan_to_num(cont_b, nan=0.0) / ranges
    out = np.empty((cont_a.shape[0], cont_b.shape[0]))
    count_num = a_obs.astype(float) @ b_obs.astype(float).T
    ca_obs, cb_obs = codes_a >= 0, codes_b >= 0
    count_cat = ca_obs.astype(float) @ cb_obs.astype(float).T
    for start in range(0, cont_a.shape[0], chunk):
        stop = min(start + chunk, cont_a.shape[0])
        sl = slice(start, stop)
        both = a_obs[sl, None, :] & b_obs[None, :, :]
        num = np.where(both, np.abs(a0[sl, None, :] - b0[None, :, :]), 0.0).sum(axis=2)
        cboth = ca_obs[sl, None, :] & cb_obs[None, :, :]
        mism = (cboth & (codes_a[sl, None, :] != codes_b[None, :, :])).sum(axis=2)
        total = count_num[sl] + count_cat[sl]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[sl] = np.where(total > 0, (num + mism) / np.maximum(total, 1), 1.0)
    return out


def _fit_gower(p: Prepared, k: int, lay: Layout, seed: int) -> EngineResult:
    rng = np.random.default_rng(seed)
    n = p.n
    sub = np.sort(rng.choice(n, GOWER_MAX_ROWS, replace=False)) if n > GOWER_MAX_ROWS else np.arange(n)
    d = gower_distances(p.cont[sub], p.codes[sub], p.cont[sub], p.codes[sub], lay.cont_range)
    d = (d + d.T) / 2.0
    np.fill_diagonal(d, 0.0)
    tree = linkage(squareform(d, checks=False), method="ward")
    sub_labels = fcluster(tree, t=k, criterion="maxclust").astype(np.int64) - 1
    found = np.unique(sub_labels)
    sub_labels = np.searchsorted(found, sub_labels)
    kk = found.size
    medoids = np.empty(kk, dtype=np.int64)
    for c in range(kk):  # a handful of personas
        members = np.flatnonzero(sub_labels == c)
        medoids[c] = members[d[np.ix_(members, members)].sum(axis=1).argmin()]
    state: dict[str, Any] = {
        "medoid_cont": p.cont[sub][medoids],
        "medoid_codes": p.codes[sub][medoids],
        "rows": sub.size,
    }
    labels = np.empty(n, dtype=np.int64)
    if sub.size < n:
        rest = np.setdiff1d(np.arange(n), sub)
        dist = gower_distances(p.cont[rest], p.codes[rest], state["medoid_cont"], state["medoid_codes"], lay.cont_range)
        labels[rest] = dist.argmin(axis=1)
    labels[sub] = sub_labels
    return EngineResult("gower_agglomerative", kk, state, labels, extra={"subsample": int(sub.size)})


# ---------------------------------------------------------------------------- StepMix


def _lca_frame(p: Prepared, lay: Layout) -> Any:
    import pandas as pd

    cont = p.cont[:, lay.gauss]
    cats = np.hstack([p.codes, p.ord_codes]).astype(float)
    cats[cats < 0] = np.nan
    cols = {f"g{j}": cont[:, j] for j in range(cont.shape[1])}
    cols.update({f"c{j}": cats[:, j] for j in range(cats.shape[1])})
    return pd.DataFrame(cols)


def _lca_descriptor(p: Prepared, lay: Layout) -> dict[str, dict[str, Any]]:
    desc: dict[str, dict[str, Any]] = {}
    n_g = len(lay.gauss)
    n_c = p.codes.shape[1] + p.ord_codes.shape[1]
    if n_g:
        desc["continuous"] = {"model": "continuous_nan", "n_columns": n_g}
    if n_c:
        desc["categorical"] = {"model": "categorical_nan", "n_columns": n_c}
    return desc


def _seeded_stepmix() -> type:
    """StepMix started from given labels (ours: the best k-means partition).

    StepMix's own ``init_params="kmeans"`` runs k-means on its input, which fails on
    missing answers; a random start often ends in a poor optimum on large data.
    """
    from stepmix import StepMix

    class SeededStepMix(StepMix):
        start_labels: np.ndarray | None = None

        def _initialize_parameters(self, X: Any, random_state: Any) -> None:
            labels = self.start_labels
            if labels is None or len(labels) != X.shape[0]:
                super()._initialize_parameters(X, random_state)
                return
            resp = np.zeros((X.shape[0], self.n_components))
            resp[np.arange(X.shape[0]), labels] = 1.0
            self.log_resp_ = np.log(np.clip(resp, 1e-15, 1 - 1e-15))
            self.weights_ = np.ones(self.n_components) / self.n_components
            self._initialize_parameters_measurement(X, random_state)

    return SeededStepMix


def _fit_lca(
    p: Prepared, k: int, lay: Layout, w: np.ndarray | None, n_init: int, max_iter: int, seed: int
) -> EngineResult:
    X = _lca_frame(p, lay)
    start = _kmeans_starts(p, k, w, n_init, max_iter, seed, keep=1)[0].labels_
    model = _seeded_stepmix()(
        n_components=k,
        measurement=_lca_descriptor(p, lay),
        n_init=1,
        max_iter=max_iter,
        random_state=seed,
        verbose=0,
        progress_bar=0,
        abs_tol=1e-8,
    )
    model.start_labels = start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, sample_weight=w)
        model.start_labels = None
        post = model.predict_proba(X)
        ll = float(model.score(X, sample_weight=w) * (X.shape[0] if w is None else w.sum()))
        npar = int(model.n_parameters)
    return EngineResult("lca", k, model, post.argmax(axis=1).astype(np.int64), loglik=ll, n_parameters=npar, resp=post)

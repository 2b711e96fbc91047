"""A finite mixture for mixed data, fitted by EM in a few vectorised matrix products (private).

Within a persona the variables are independent (local independence, as in latent
class / latent profile analysis): continuous columns are Gaussian with a
persona-specific mean and variance, categorical columns (and the ordinal and
few-valued numeric columns the caller passes as categories) follow a persona-specific
categorical distribution.  Missing answers simply drop out of the likelihood (no
imputation).  Survey weights weight every respondent's contribution.

This is the model StepMix fits with a mixed ``gaussian_diag`` + ``categorical``
measurement; here it is initialised from k-means partitions, which makes it both
fast and stable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MixtureParams", "fit_mixture", "log_joint", "posterior"]

#: Smallest within-persona variance of a standardised variable (keeps a persona whose
#: members all gave the same answer from becoming an infinitely sharp spike).
MIN_VARIANCE = 0.02
#: Additive smoothing of category probabilities (in weighted respondents).
CAT_SMOOTHING = 0.5


@dataclass
class MixtureParams:
    """Fitted parameters: mixing weights, Gaussian means/variances, log category probabilities."""

    log_weights: np.ndarray  # (k,)
    means: np.ndarray  # (k, pc)
    variances: np.ndarray  # (k, pc)
    log_probs: np.ndarray  # (total levels, k)

    @property
    def k(self) -> int:
        return self.log_weights.size

    def n_parameters(self, level_sizes: list[int]) -> int:
        k, pc = self.means.shape
        return (k - 1) + 2 * k * pc + k * int(sum(s - 1 for s in level_sizes))


@dataclass
class _Data:
    x0: np.ndarray  # continuous with NaN -> 0
    x2: np.ndarray  # squares
    mask: np.ndarray  # 1.0 where observed
    onehot: np.ndarray  # indicators (0 rows where missing)
    var_observed: np.ndarray  # (n, categorical variables): 1 where the variable is observed
    var_index: np.ndarray  # variable of every indicator column
    full: bool  # no missing continuous value
    cat_full: bool  # no missing categorical value


def _prepare(
    cont: np.ndarray, onehot: np.ndarray, cat_observed: np.ndarray, level_sizes: list[int] | None = None
) -> _Data:
    mask = (~np.isnan(cont)).astype(float)
    x0 = np.nan_to_num(cont, nan=0.0)
    sizes = list(level_sizes or [])
    offsets = np.concatenate([[0], np.cumsum(sizes)])[:-1].astype(np.int64)
    var_observed = cat_observed[:, offsets] if sizes else np.zeros((cont.shape[0], 0))
    var_index = np.repeat(np.arange(len(sizes)), sizes)
    return _Data(
        x0=x0,
        x2=x0**2,
        mask=mask,
        onehot=onehot,
        var_observed=var_observed,
        var_index=var_index,
        full=bool(mask.all()),
        cat_full=bool(var_observed.all()),
    )


def _log_joint(d: _Data, p: MixtureParams) -> np.ndarray:
    """Log π_k + log f(x_i | k) for every row and persona, (n, k)."""
    inv = 1.0 / p.variances
    out = d.x2 @ inv.T
    out -= 2.0 * (d.x0 @ (p.means * inv).T)
    logdet = np.log(2.0 * np.pi * p.variances)
    const = p.means**2 * inv + logdet
    if d.full:
        out += const.sum(axis=1)
    else:
        out += d.mask @ const.T
    out *= -0.5
    if d.onehot.shape[1]:
        out += d.onehot @ p.log_probs
    out += p.log_weights
    return out


def _m_step(d: _Data, resp: np.ndarray, w: np.ndarray, level_sizes: list[int]) -> MixtureParams:
    rw = resp * w[:, None]
    nk = rw.sum(axis=0) + 1e-12
    if d.full:
        denom = np.repeat(nk[:, None], d.x0.shape[1], axis=1)
    else:
        denom = rw.T @ d.mask + 1e-12
    means = (rw.T @ d.x0) / denom
    variances = np.maximum((rw.T @ d.x2) / denom - means**2, MIN_VARIANCE)
    if d.onehot.shape[1]:
        counts = rw.T @ d.onehot  # (k, L)
        if d.cat_full:
            totals = np.repeat(nk[:, None], counts.shape[1], axis=1)
        else:
            totals = (rw.T @ d.var_observed)[:, d.var_index]
        sizes = np.repeat(np.asarray(level_sizes, dtype=float), level_sizes)
        probs = (counts + CAT_SMOOTHING / sizes) / (totals + CAT_SMOOTHING)
        log_probs = np.log(probs).T
    else:
        log_probs = np.zeros((0, resp.shape[1]))
    log_weights = np.log(nk / nk.sum())
    return MixtureParams(log_weights, means, variances, log_probs)


def _responsibilities(joint: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """exp(joint − norm) with negligible values set to exactly 0.

    Tiny posteriors would otherwise become subnormal floats, which slow every later
    matrix product down a hundredfold.
    """
    diff = joint - norm[:, None]
    resp = np.exp(np.maximum(diff, -60.0))
    resp[diff < -60.0] = 0.0
    return resp


def _lse(joint: np.ndarray) -> np.ndarray:
    """Row-wise log-sum-exp (a lean version of scipy's, which dominates small EM runs)."""
    top = joint.max(axis=1)
    return top + np.log(np.exp(joint - top[:, None]).sum(axis=1))


def _run(
    d: _Data, params: MixtureParams, w: np.ndarray, sizes: list[int], iters: int, tol_total: float
) -> tuple[MixtureParams, float, int]:
    previous = -np.inf
    ll = -np.inf
    it = 0
    for it in range(1, iters + 1):  # noqa: B007 (the count of iterations is returned)
        joint = _log_joint(d, params)
        norm = _lse(joint)
        ll = float(w @ norm)
        params = _m_step(d, _responsibilities(joint, norm), w, sizes)
        if abs(ll - previous) <= tol_total:
            break
        previous = ll
    return params, ll, it


def fit_mixture(
    cont: np.ndarray,
    onehot: np.ndarray,
    cat_observed: np.ndarray,
    level_sizes: list[int],
    init_labels: np.ndarray | list[np.ndarray],
    k: int,
    *,
    weights: np.ndarray | None = None,
    max_iter: int = 300,
    tol: float = 1e-5,
    short_iter: int = 10,
) -> tuple[MixtureParams, np.ndarray, float, int]:
    """EM from hard partitions, until the log-likelihood per row changes by less than ``tol``.

    With several starting partitions, each gets a short EM of ``short_iter`` iterations
    and only the best continues to convergence ("short-EM" start, Biernacki et al. 2003).

    Returns the parameters, the posterior (n, k), the weighted log-likelihood and the
    number of iterations.
    """
    d = _prepare(cont, onehot, cat_observed, level_sizes)
    n = cont.shape[0]
    w = np.ones(n) if weights is None else weights
    tol_total = tol * float(w.sum())
    starts = [init_labels] if isinstance(init_labels, np.ndarray) else list(init_labels)
    best: tuple[MixtureParams, float, int] | None = None
    for labels in starts:
        resp = np.zeros((n, k))
        resp[np.arange(n), labels] = 1.0
        params = _m_step(d, resp, w, level_sizes)
        run = _run(d, params, w, level_sizes, short_iter if len(starts) > 1 else max_iter, tol_total)
        if best is None or run[1] > best[1]:
            best = run
    params, _, it = best  # type: ignore[misc]
    if len(starts) > 1 and it >= short_iter:
        params, _, more = _run(d, params, w, level_sizes, max_iter - it, tol_total)
        it += more
    joint = _log_joint(d, params)
    norm = _lse(joint)
    return params, _responsibilities(joint, norm), float(w @ norm), it


def refine(
    cont: np.ndarray,
    onehot: np.ndarray,
    cat_observed: np.ndarray,
    level_sizes: list[int],
    params: MixtureParams,
    *,
    weights: np.ndarray | None = None,
    max_iter: int = 300,
    tol: float = 1e-5,
) -> tuple[MixtureParams, np.ndarray, float, int]:
    """EM from given parameters (e.g. those fitted on a subsample) until convergence."""
    d = _prepare(cont, onehot, cat_observed, level_sizes)
    w = np.ones(cont.shape[0]) if weights is None else weights
    params, _, it = _run(d, params, w, level_sizes, max_iter, tol * float(w.sum()))
    joint = _log_joint(d, params)
    norm = _lse(joint)
    return params, _responsibilities(joint, norm), float(w @ norm), it


def log_joint(cont: np.ndarray, onehot: np.ndarray, cat_observed: np.ndarray, params: MixtureParams) -> np.ndarray:
    """Log π_k + log f(x | k) of new rows, (n, k)."""
    return _log_joint(_prepare(cont, onehot, cat_observed), params)


def posterior(cont: np.ndarray, onehot: np.ndarray, cat_observed: np.ndarray, params: MixtureParams) -> np.ndarray:
    """Posterior persona probabilities of new rows, (n, k)."""
    joint = log_joint(cont, onehot, cat_observed, params)
    return _responsibilities(joint, _lse(joint))

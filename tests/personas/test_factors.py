"""Factor analysis of an attitude battery: extraction methods cross-checked against independent
computations (numpy SVD, scikit-learn's ML factor analysis, iterated principal axes, a classic
Kaiser varimax, textbook KMO/Bartlett), Heywood warnings on planted and real data, pipeline step.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import FactorAnalysis
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.personas import AttitudeFactors, PersonaModel, factor_analysis
from cjm_lab.personas.factors import NEAR_HEYWOOD, kmo_bartlett

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
ITEMS = [f"a{j}" for j in range(3)] + [f"b{j}" for j in range(3)]


@pytest.fixture(scope="module")
def battery():
    rng = np.random.default_rng(1)
    f = rng.normal(size=(800, 2))
    items = {f"a{j}": f[:, 0] * 0.8 + rng.normal(0, 0.6, 800) for j in range(3)}
    items.update({f"b{j}": f[:, 1] * 0.8 + rng.normal(0, 0.6, 800) for j in range(3)})
    df = pd.DataFrame(items)
    df.loc[[5, 9], "a0"] = np.nan
    df["segment"] = np.where(f[:, 0] > 0, "x", "y")
    return df


def _wide(res):
    return res.loadings.pivot(index="item", columns="factor", values="loading").loc[res.loadings["item"].unique()]


def _match_columns(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``b``'s columns reordered and sign-flipped to line up with ``a``'s."""
    out = np.empty_like(b)
    used: set[int] = set()
    for j in range(a.shape[1]):
        k = max((k for k in range(b.shape[1]) if k not in used), key=lambda k: abs(a[:, j] @ b[:, k]))
        used.add(k)
        out[:, j] = b[:, k] * np.sign(a[:, j] @ b[:, k])
    return out


@pytest.mark.parametrize("method", ["principal", "minres", "ml"])
def test_planted_two_factors_kmo_bartlett(battery, method):
    res = factor_analysis(battery, items=ITEMS, method=method)
    assert len(res.variance) == 2  # Kaiser criterion finds the two planted factors
    wide = res.table()
    a_factor = wide.loc["a0"].abs().idxmax()
    assert (wide.loc[["a0", "a1", "a2"], a_factor] > 0.7).all()
    assert (wide.loc[["b0", "b1", "b2"], a_factor].abs() < 0.2).all()
    assert res.kmo > 0.6 and res.bartlett_p < 1e-10
    assert res.n == 798 and res.n_missing == 2  # rows with a missing item are counted
    assert list(res.communalities.columns) == ["item", "communality", "uniqueness", "kmo", "heywood", "near_heywood"]
    assert not res.communalities[["heywood", "near_heywood"]].any().any()
    assert res.variance["cumulative_pct"].iloc[-1] == pytest.approx(res.variance["pct_variance"].sum())
    assert (res.method, res.rotation, res.factor_correlations) == (method, "varimax", None)
    one = factor_analysis(battery, items=ITEMS, n_factors=1, rotation="none", method=method)
    assert one.loadings["factor"].unique().tolist() == ["factor_1"]


def test_principal_components_equal_an_svd_of_the_standardised_items(battery):
    res = factor_analysis(battery, items=ITEMS, n_factors=3, rotation="none")
    X = battery[ITEMS].dropna().to_numpy()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    _, s, vt = np.linalg.svd(Z, full_matrices=False)
    expected = vt[:3].T * s[:3] / np.sqrt(len(Z))  # eigenvectors × √eigenvalues of the correlation matrix
    got = _wide(res).to_numpy()
    np.testing.assert_allclose(got, _match_columns(got, expected), atol=1e-10)
    np.testing.assert_allclose(res.eigenvalues, s**2 / len(Z), atol=1e-10)
    np.testing.assert_allclose(res.variance["ss_loadings"], s[:3] ** 2 / len(Z), atol=1e-10)


def test_ml_matches_scikit_learn_and_reaches_a_lower_discrepancy(battery):
    res = factor_analysis(battery, items=ITEMS, method="ml", rotation="none")
    X = battery[ITEMS].dropna().to_numpy()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    sk = FactorAnalysis(n_components=2, tol=1e-10, max_iter=20_000, random_state=0).fit(Z)
    ours = res.communalities["communality"].to_numpy()
    np.testing.assert_allclose(ours, (sk.components_**2).sum(axis=0), atol=2e-3)
    corr = np.corrcoef(X, rowvar=False)

    def discrepancy(loadings):  # the ML fit function log|Σ| + tr(Σ⁻¹R) − log|R| − p
        sigma = loadings @ loadings.T + np.diag(1 - (loadings**2).sum(axis=1))
        return np.linalg.slogdet(sigma)[1] + np.trace(np.linalg.solve(sigma, corr)) - np.linalg.slogdet(corr)[1] - 6

    assert discrepancy(_wide(res).to_numpy()) <= discrepancy(sk.components_.T) + 1e-9


def test_minres_equals_iterated_principal_axes(battery):
    res = factor_analysis(battery, items=ITEMS, method="minres", rotation="none")
    corr = np.corrcoef(battery[ITEMS].dropna().to_numpy(), rowvar=False)
    h2 = 1 - 1 / np.diag(np.linalg.inv(corr))  # squared multiple correlations to start
    for _ in range(2000):  # principal axis factoring iterated to convergence is the ULS solution
        reduced = corr.copy()
        np.fill_diagonal(reduced, h2)
        w, v = np.linalg.eigh(reduced)
        loadings = v[:, -2:] * np.sqrt(w[-2:])
        h2 = (loadings**2).sum(axis=1)
    np.testing.assert_allclose(res.communalities["communality"], h2, atol=1e-5)


def test_varimax_equals_a_classic_kaiser_varimax(battery):
    unrotated = _wide(factor_analysis(battery, items=ITEMS, rotation="none")).to_numpy()
    h = np.sqrt((unrotated**2).sum(axis=1))
    a = unrotated / h[:, None]
    t, crit = np.eye(2), 0.0
    for _ in range(50_000):  # Kaiser (1958) by SVD, on rows normalised to unit communality, to convergence
        b = a @ t
        u, s, vt = np.linalg.svd(a.T @ (b**3 - b * (b**2).sum(axis=0) / len(a)))
        t = u @ vt
        if abs(s.sum() - crit) < 1e-15:
            break
        crit = s.sum()
    expected = (a @ t) * h[:, None]
    got = _wide(factor_analysis(battery, items=ITEMS)).to_numpy()
    np.testing.assert_allclose(got, _match_columns(got, expected), atol=1e-5)


def test_oblimin_reproduces_the_common_variance_and_gives_factor_correlations(battery):
    rng = np.random.default_rng(3)
    f = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=1500)
    df = pd.DataFrame({f"q{j}": f[:, j // 3] * 0.8 + rng.normal(0, 0.6, 1500) for j in range(6)})
    items = list(df.columns)
    res = factor_analysis(df, items=items, method="minres", rotation="oblimin")
    phi = res.factor_correlations
    assert list(phi.columns) == ["factor_1", "factor_2"]
    assert phi.iloc[0, 1] == pytest.approx(0.5, abs=0.08)  # the planted correlation of the two factors
    pattern = _wide(res).to_numpy()
    unrotated = _wide(factor_analysis(df, items=items, method="minres", rotation="none")).to_numpy()
    np.testing.assert_allclose(pattern @ phi.to_numpy() @ pattern.T, unrotated @ unrotated.T, atol=1e-6)
    assert (np.abs(pattern[:3, 0]) > 0.7).all() or (np.abs(pattern[:3, 1]) > 0.7).all()


def test_kmo_and_bartlett_by_hand():
    r = np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])
    items, total, chi2, p = kmo_bartlett(r, 100)
    # first-order partial correlations r_ij·k = (r_ij − r_ik r_jk) / √((1 − r_ik²)(1 − r_jk²))
    p12 = (0.5 - 0.4 * 0.3) / np.sqrt((1 - 0.16) * (1 - 0.09))
    p13 = (0.4 - 0.5 * 0.3) / np.sqrt((1 - 0.25) * (1 - 0.09))
    p23 = (0.3 - 0.5 * 0.4) / np.sqrt((1 - 0.25) * (1 - 0.16))
    assert total == pytest.approx(0.5 / (0.5 + p12**2 + p13**2 + p23**2), abs=1e-12)
    assert items[0] == pytest.approx((0.25 + 0.16) / (0.25 + 0.16 + p12**2 + p13**2), abs=1e-12)
    det = 1 - 0.25 - 0.16 - 0.09 + 2 * 0.5 * 0.4 * 0.3  # |R| = 0.62
    assert chi2 == pytest.approx(-(100 - 1 - (2 * 3 + 5) / 6) * np.log(det), abs=1e-9)
    assert round(chi2, 2) == 46.45 and p < 1e-9


def test_heywood_and_near_heywood_cases_warn_and_are_flagged():
    rng = np.random.default_rng(5)
    f = rng.normal(size=(600, 2))
    df = pd.DataFrame({f"q{j}": f[:, j // 3] + rng.normal(0, 0.7, 600) for j in range(6)})
    df["q0_again"] = df["q0"] + rng.normal(0, 0.05, 600)  # a near-duplicate item
    items = list(df.columns)
    for method, m in (("ml", 2), ("minres", 3)):
        with pytest.warns(
            UserWarning, match=r"a Heywood case \(improper solution\).*'q0' \(0\.99\d\).*Fix: "
        ) as caught:
            res = factor_analysis(df, items=items, n_factors=m, method=method)
        assert {"q0", "q0_again"} <= set(res.communalities.query("heywood")["item"]), (method, res.communalities)
        assert str(caught[0].message).startswith("factor_analysis(): a ")
    strong = df.drop(columns="q0_again").assign(q_strong=f[:, 1] + rng.normal(0, 0.2, 600))
    with pytest.warns(
        UserWarning, match=r"a near-Heywood case with method='minres' — communality of 'q_strong' \(0\.9"
    ):
        res = factor_analysis(strong, items=list(strong.columns), method="minres")
    assert res.communalities.query("near_heywood")["item"].tolist() == ["q_strong"]
    assert not res.communalities["heywood"].any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # components estimate no uniqueness: nothing to warn about
        res = factor_analysis(df, items=items, n_factors=2, method="principal")
    assert not res.communalities["heywood"].any()


@pytest.mark.real_data
def test_real_bank_survey_ml_heywood_on_expe1_confirmed_by_scikit_learn():
    """The bank satisfaction survey (27 items, 0–10): with the Kaiser number of factors (5) the ML
    solution puts item expe1 at the uniqueness bound; scikit-learn's independent ML fit agrees
    (a noise variance near zero), and minres and principal components stay proper.
    """
    df = pd.read_csv(REAL / "bank_satisfaction_survey.csv")
    items = [c for c in df.columns if c != "gender"]
    assert len(items) == 27
    with pytest.warns(
        UserWarning, match=r"Heywood case \(improper solution\) with method='ml' — communality of 'expe1'"
    ):
        ml = factor_analysis(df, items=items, method="ml")
    assert len(ml.variance) == 5 and ml.communalities.query("heywood")["item"].tolist() == ["expe1"]
    Z = df[items].to_numpy(float)
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    with warnings.catch_warnings():  # sklearn's EM creeps towards the boundary and says it has not converged
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = FactorAnalysis(n_components=5, tol=1e-12, max_iter=3000, svd_method="lapack").fit(Z)
    assert sk.noise_variance_[items.index("expe1")] < 0.005  # unbounded there, it goes below our bound
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in ("minres", "principal"):
            res = factor_analysis(df, items=items, method=method)
            assert res.communalities["communality"].max() < NEAR_HEYWOOD
    assert ml.kmo == pytest.approx(0.921, abs=5e-4)


def test_attitude_factors_in_a_pipeline(battery):
    step = AttitudeFactors(items=ITEMS).fit(battery)
    out = step.transform(battery)
    assert list(out.columns) == ["segment", "factor_1", "factor_2"]
    assert list(step.get_feature_names_out()) == ["segment", "factor_1", "factor_2"]
    assert out["factor_1"].notna().all()  # a missing item answer is set to the item mean
    complete = out.loc[battery[ITEMS].notna().all(axis=1), ["factor_1", "factor_2"]]
    # unrotated components, and varimax is a rotation: standardised, uncorrelated scores
    np.testing.assert_allclose(complete.std(ddof=0), 1.0, atol=1e-9)
    assert abs(np.corrcoef(complete.T)[0, 1]) < 1e-9
    pipe = make_pipeline(AttitudeFactors(items=ITEMS), PersonaModel(2, random_state=0))
    labels = pipe.fit_predict(battery)
    assert set(labels) == {0, 1}
    kept = AttitudeFactors(items=ITEMS, keep_items=True, method="ml").fit_transform(battery)
    assert {"a0", "factor_2"} <= set(kept.columns)


def test_factor_errors(battery):
    with pytest.raises(CJMConfigError, match="at least 3 items"):
        factor_analysis(battery, items=["a0", "a1"])
    with pytest.raises(CJMDataError, match="'a9' for `items`"):
        factor_analysis(battery, items=["a0", "a1", "a9"])
    with pytest.raises(CJMDataError, match="'flat' has the same answer everywhere"):
        factor_analysis(battery.assign(flat=3.0), items=["a0", "a1", "flat"])
    with pytest.raises(CJMDataError, match="'segment' are text"):
        factor_analysis(battery, items=["a0", "a1", "segment"])
    with pytest.raises(CJMConfigError, match="'varimax', 'quartimax', 'equamax', 'oblimin' or 'none'"):
        factor_analysis(battery, items=["a0", "a1", "a2"], rotation="promax")
    with pytest.raises(CJMConfigError, match="`method` must be 'principal', 'minres' or 'ml', got 'pca'"):
        factor_analysis(battery, items=["a0", "a1", "a2"], method="pca")
    with pytest.raises(CJMConfigError, match="`method` must be"):
        AttitudeFactors(items=ITEMS, method="paf").fit(battery)
    with pytest.raises(CJMConfigError, match="`n_factors` must be a whole number from 1 to 2"):
        factor_analysis(battery, items=["a0", "a1", "a2"], n_factors=3)
    twin = battery.assign(a0_copy=battery["a0"] * 2 + 1)
    with pytest.raises(CJMDataError, match=r"linearly dependent \('a0' and 'a0_copy' are perfectly correlated\)"):
        factor_analysis(twin, items=["a0", "a1", "a0_copy"])

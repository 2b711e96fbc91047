"""Factor analysis of an attitude battery: planted two-factor structure, KMO, pipeline step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.personas import AttitudeFactors, PersonaModel, factor_analysis


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


def test_loadings_kmo_bartlett(battery):
    items = [f"a{j}" for j in range(3)] + [f"b{j}" for j in range(3)]
    res = factor_analysis(battery, items=items)
    assert len(res.variance) == 2  # Kaiser criterion finds the two planted factors
    wide = res.table()
    a_factor = wide.loc["a0"].abs().idxmax()
    assert (wide.loc[["a0", "a1", "a2"], a_factor] > 0.7).all()
    assert (wide.loc[["b0", "b1", "b2"], a_factor].abs() < 0.2).all()
    assert res.kmo > 0.6 and res.bartlett_p < 1e-10
    assert res.n == 798 and res.n_missing == 2  # rows with a missing item are counted
    assert list(res.communalities.columns) == ["item", "communality", "uniqueness", "kmo"]
    assert res.variance["cumulative_pct"].iloc[-1] == pytest.approx(res.variance["pct_variance"].sum())
    one = factor_analysis(battery, items=items, n_factors=1, rotation="none")
    assert one.loadings["factor"].unique().tolist() == ["factor_1"]


def test_attitude_factors_in_a_pipeline(battery):
    items = [f"a{j}" for j in range(3)] + [f"b{j}" for j in range(3)]
    step = AttitudeFactors(items=items).fit(battery)
    out = step.transform(battery)
    assert list(out.columns) == ["segment", "factor_1", "factor_2"]
    assert list(step.get_feature_names_out()) == ["segment", "factor_1", "factor_2"]
    assert out["factor_1"].notna().all()  # a missing item answer is set to the item mean
    pipe = make_pipeline(AttitudeFactors(items=items), PersonaModel(2, random_state=0))
    labels = pipe.fit_predict(battery)
    assert set(labels) == {0, 1}
    kept = AttitudeFactors(items=items, keep_items=True).fit_transform(battery)
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
    with pytest.raises(CJMConfigError, match="'varimax' or 'none'"):
        factor_analysis(battery, items=["a0", "a1", "a2"], rotation="promax")
    with pytest.raises(CJMConfigError, match="`n_factors` must be a whole number from 1 to 2"):
        factor_analysis(battery, items=["a0", "a1", "a2"], n_factors=3)

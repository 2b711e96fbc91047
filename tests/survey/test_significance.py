"""Significance a reviewer accepts: corrected column letters, effective bases in every table, one correction."""

from __future__ import annotations

import itertools
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from cjm_lab._stats import adjust_pvalues, family_cutoff
from cjm_lab.errors import CJMConfigError
from cjm_lab.reports import crosstab_to_excel
from cjm_lab.survey import compare_nps, crosstab, nps_vs_rest, to_wide


@pytest.fixture(scope="module")
def survey():
    rng = np.random.default_rng(21)
    n = 1200
    grp = rng.choice(["a", "b", "c", "d"], n, p=[0.3, 0.3, 0.2, 0.2])
    shift = pd.Series(grp).map({"a": 0.0, "b": 0.25, "c": 0.5, "d": 0.1}).to_numpy()
    sat = np.clip(np.round(rng.normal(3 + shift, 1.1)), 1, 5)
    return pd.DataFrame({"grp": grp, "sat": sat, "w": rng.uniform(0.5, 2.0, n)})


def pooled_p(p1, n1, p2, n2):
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 2 * stats.norm.sf(abs(p1 - p2) / se) if se > 0 else np.nan


def test_fdr_family_is_every_pair_of_every_row_and_matches_statsmodels(survey):
    t = crosstab(survey, rows="sat", columns="grp", weight="w")
    cats = t[(t.kind == "category") & (t.banner_variable == "grp")]
    letters = dict(zip(cats.banner_column.drop_duplicates(), cats.letter.drop_duplicates(), strict=True))
    family, keys = [], []
    for row, cells in cats.groupby("row_label", sort=False):
        c = cells.set_index("banner_column")
        for x, y in itertools.combinations(c.index, 2):
            family.append(pooled_p(c.value[x] / 100, c.effective_base[x], c.value[y] / 100, c.effective_base[y]))
            keys.append((row, x, y, c.value[x] > c.value[y]))
    reject = multipletests(family, alpha=0.05, method="fdr_bh")[0]
    assert t.attrs["crosstab"]["families"][0]["m"] == len(family) == 5 * 6
    for (row, x, y, x_higher), rej in zip(keys, reject, strict=True):
        winner, loser = (x, y) if x_higher else (y, x)
        got = cats[(cats.row_label == row) & (cats.banner_column == winner)].sig_letters.iloc[0]
        assert (letters[loser] in got) == bool(rej), (row, winner, loser)
    # uncorrected shows more letters; Bonferroni at most as many as FDR
    count = lambda tab: int(tab[tab.kind == "category"].sig_letters.str.len().sum())  # noqa: E731
    none = count(crosstab(survey, rows="sat", columns="grp", weight="w", correction="none"))
    bonf = count(crosstab(survey, rows="sat", columns="grp", weight="w", correction="bonferroni"))
    assert none > count(t) >= bonf and reject.sum() == count(t)


def test_nets_take_their_rows_cutoff_without_enlarging_the_family(survey):
    t = crosstab(survey, rows="sat", columns="grp", nets={"Top 2": [4.0, 5.0]})
    fam = t.attrs["crosstab"]["families"][0]
    assert fam["kind"] == "category" and fam["m"] == 30
    net = t[(t.kind == "net") & (t.banner_variable == "grp")].set_index("banner_column")
    p = pooled_p(net.value["c"] / 100, net.base["c"], net.value["a"] / 100, net.base["a"])
    assert ("A" in net.sig_letters["c"]) == (p <= fam["cutoff"])


def test_correction_helpers_match_statsmodels():
    p = np.array([0.001, 0.04, 0.012, 0.3, np.nan, 0.049, 0.02])
    ok = ~np.isnan(p)
    for ours, theirs in (("fdr", "fdr_bh"), ("bonferroni", "bonferroni")):
        adjusted = adjust_pvalues(p, ours)
        assert np.isnan(adjusted[4])
        assert adjusted[ok] == pytest.approx(multipletests(p[ok], method=theirs)[1])
        rejected = multipletests(p[ok], method=theirs, alpha=0.05)[0]
        assert (p[ok] <= family_cutoff(p, ours, 0.05)).tolist() == rejected.tolist()


def test_effective_bases_in_the_wide_table_and_the_excel_file(survey, tmp_path):
    t = crosstab(survey, rows="sat", columns="grp", weight="w", means="sat")
    wide = to_wide(t)
    eff = wide.loc[("sat", "Base (effective)")]
    w = survey.w[survey.grp == "a"]
    assert eff[("grp", "a (A)")] == f"{w.sum() ** 2 / (w**2).sum():.0f}"
    assert ("sat", "Base (weighted)") in wide.index and ("sat", "Base (unweighted)") in wide.index
    path = crosstab_to_excel({"Satisfaction": t}, tmp_path / "tables.xlsx")
    sheet = openpyxl.load_workbook(path)["Satisfaction"]
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Base (effective)" in cells
    note = sheet.cell(row=3, column=1).value
    assert "Benjamini–Hochberg" in note and "effective bases" in note
    german = crosstab(survey, rows="sat", columns="grp", weight="w", language="de", correction="bonferroni")
    assert "Basis (effektiv)" in set(german.row_label)
    unweighted = crosstab(survey, rows="sat", columns="grp")
    assert "effective_base" not in set(unweighted.kind)  # equal to the base when unweighted


def test_nps_vs_rest_and_compare_nps_take_the_same_correction():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"recommend": rng.integers(0, 11, 900), "region": rng.choice(list("NSEWX"), 900)})
    for correction, method in (("fdr", "fdr_bh"), ("bonferroni", "bonferroni")):
        vs = nps_vs_rest(df, by="region", correction=correction)
        assert vs["p_adjusted"].to_numpy() == pytest.approx(multipletests(vs["p_value"], method=method)[1])
        pairs = compare_nps(df, by="region", groups="all", correction=correction)
        assert len(pairs) == 10
        assert pairs["p_adjusted"].to_numpy() == pytest.approx(multipletests(pairs["p_value"], method=method)[1])
    one = compare_nps(df, by="region", groups=("N", "S"))
    assert one["p_adjusted"].iloc[0] == pytest.approx(one["p_value"].iloc[0])
    assert (
        "Bonferroni"
        in nps_vs_rest(df.assign(recommend=np.where(df.region == "N", 10, 0)), by="region", correction="bonferroni")[
            "text"
        ].iloc[0]
    )
    with pytest.raises(CJMConfigError, match="`correction`"):
        crosstab(df.assign(g=1), rows="region", columns="g", correction="holm")

"""Benchmark: NPS with CIs for 1M responses x 50 segments, beside plain pandas.

Run: .venv/bin/python bench/bench_nps.py   (target: < 1 s for cjm-lab)
The baseline computes the same numbers (shares, NPS, multinomial SE, Wald CI) with a
pandas groupby, as an analyst would by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import measure, table

from cjm_lab.survey import nps


def make(n: int = 1_000_000, segments: int = 50, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "recommend": rng.integers(0, 11, n),
            "segment": pd.Categorical(rng.integers(0, segments, n).astype(str)),
            "weight": rng.uniform(0.5, 2.0, n),
        }
    )


def pandas_baseline(df: pd.DataFrame) -> pd.DataFrame:
    g = df.assign(p=df.recommend >= 9, d=df.recommend <= 6).groupby("segment", observed=True)
    out = g.agg(n=("recommend", "size"), p=("p", "mean"), d=("d", "mean"))
    out["nps"] = (out.p - out.d) * 100
    out["se"] = np.sqrt((out.p + out.d - (out.p - out.d) ** 2) / out.n) * 100
    out["ci_low"], out["ci_high"] = out.nps - 1.96 * out.se, out.nps + 1.96 * out.se
    return out


def main() -> None:
    df = make()
    rows = []
    for name, fn in [
        ("pandas groupby (unweighted, by hand)", lambda: pandas_baseline(df)),
        ("cjm_lab.survey.nps (unweighted)", lambda: nps(df, by="segment")),
        ("cjm_lab.survey.nps (weighted, Kish n_eff)", lambda: nps(df, by="segment", weight="weight")),
    ]:
        seconds, peak, _ = measure(fn)
        rows.append({"name": name, "seconds": seconds, "peak_mb": peak})
    ours = nps(df, by="segment", total=False).set_index("segment")["nps"]
    ref = pandas_baseline(df)["nps"]
    assert np.allclose(ours.sort_index(), ref.sort_index()), "results differ"
    print(f"NPS with CIs: {len(df):,} responses x {df.segment.nunique()} segments (median of 3)")
    print(table(rows, baseline="pandas groupby (unweighted, by hand)"))


if __name__ == "__main__":
    main()

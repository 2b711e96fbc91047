"""Benchmark of cjm_lab.survey.key_drivers (Shapley value regression) beside plain baselines.

Data: 8 correlated 1–5 driver ratings and a 0–10 outcome for 10,000 synthetic
responses (a common "halo" factor plus unequal driver effects).  Target: Shapley
values for 8 drivers on 10,000 responses in < 2 s without bootstrap.

Baselines compute the same Shapley values the way one would without cjm-lab:
fit OLS for every one of the 2^8 − 1 = 255 driver subsets on the rows (statsmodels,
or numpy's ``lstsq``), then average the marginal R² gains with the Shapley weights.

Run ``.venv/bin/python bench/bench_drivers.py`` (``--rows``, ``--drivers``,
``--repeat`` to change the set-up).
"""

from __future__ import annotations

import argparse
import itertools
import math
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd


def make_data(n: int = 10_000, p: int = 8, seed: int = 1) -> tuple[pd.DataFrame, list[str]]:
    """Correlated driver ratings (1–5) and a 0–10 ``recommend`` with unequal effects."""
    rng = np.random.default_rng(seed)
    halo = rng.normal(size=(n, 1))
    x = np.clip(np.rint(3 + 0.6 * halo + rng.normal(size=(n, p))), 1, 5)
    effects = np.linspace(1.0, 0.1, p)
    y = np.clip(np.rint(5 + (x - 3) @ effects * 0.8 + rng.normal(0, 1.5, n)), 0, 10)
    drivers = [f"sat_{j + 1}" for j in range(p)]
    df = pd.DataFrame(x, columns=drivers)
    df["recommend"] = y
    return df, drivers


def _shapley_from_fits(r2: dict[frozenset, float], drivers: list[str]) -> dict[str, float]:
    p = len(drivers)
    out = {}
    for d in drivers:
        others = [o for o in drivers if o != d]
        total = 0.0
        for k in range(p):
            weight = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
            for s in itertools.combinations(others, k):
                total += weight * (r2[frozenset((*s, d))] - r2[frozenset(s)])
        out[d] = total
    return out


def baseline_statsmodels(df: pd.DataFrame, drivers: list[str]) -> dict[str, float]:
    """OLS (statsmodels) on the rows for every subset of drivers, then Shapley weights."""
    import statsmodels.api as sm

    y = df["recommend"].to_numpy(dtype=float)
    r2 = {frozenset(): 0.0}
    for k in range(1, len(drivers) + 1):
        for s in itertools.combinations(drivers, k):
            X = sm.add_constant(df[list(s)].to_numpy(dtype=float))
            r2[frozenset(s)] = float(sm.OLS(y, X).fit().rsquared)
    return _shapley_from_fits(r2, drivers)


def baseline_numpy(df: pd.DataFrame, drivers: list[str]) -> dict[str, float]:
    """numpy ``lstsq`` on the rows for every subset of drivers, then Shapley weights."""
    y = df["recommend"].to_numpy(dtype=float)
    x = df[drivers].to_numpy(dtype=float)
    tss = ((y - y.mean()) ** 2).sum()
    r2 = {frozenset(): 0.0}
    for k in range(1, len(drivers) + 1):
        for idx in itertools.combinations(range(len(drivers)), k):
            X = np.column_stack([np.ones(len(y)), x[:, idx]])
            beta, *_ = np.linalg.lstsq(X, y, rcond=None)
            resid = y - X @ beta
            r2[frozenset(drivers[i] for i in idx)] = 1 - (resid @ resid) / tss
    return _shapley_from_fits(r2, drivers)


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--drivers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from cjm_lab.survey.drivers import key_drivers

    df, drivers = make_data(args.rows, args.drivers)
    runs = {
        "cjm-lab key_drivers (shapley)": lambda: key_drivers(
            df, outcome="recommend", drivers=drivers, method="shapley"
        ),
        "cjm-lab key_drivers (shapley + johnson)": lambda: key_drivers(df, outcome="recommend", drivers=drivers),
        "cjm-lab key_drivers (both, bootstrap=200)": lambda: key_drivers(
            df, outcome="recommend", drivers=drivers, bootstrap=200, random_state=0
        ),
        f"statsmodels OLS x {2 ** len(drivers) - 1} subsets": lambda: baseline_statsmodels(df, drivers),
        f"numpy lstsq x {2 ** len(drivers) - 1} subsets": lambda: baseline_numpy(df, drivers),
    }
    timings, results = {}, {}
    key_drivers(df.head(200), outcome="recommend", drivers=drivers)  # warm the subset plan cache
    for name, fn in runs.items():
        timings[name], results[name] = _time(fn, args.repeat)

    ours = results["cjm-lab key_drivers (shapley)"].set_index("driver")["shapley"]
    sm_name = f"statsmodels OLS x {2 ** len(drivers) - 1} subsets"
    reference = pd.Series(results[sm_name])
    max_diff = float((ours - reference.loc[ours.index]).abs().max())

    base = timings[sm_name]
    print(f"Shapley value regression: {len(drivers)} drivers, {len(df):,} responses, median of {args.repeat}")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print()
    print(f"{'method':<46} {'seconds':>9} {'x faster than statsmodels':>27}")
    for name, sec in timings.items():
        print(f"{name:<46} {sec:>9.4f} {base / sec:>27.1f}")
    print()
    print(f"largest difference in Shapley values vs statsmodels: {max_diff:.2e} (R² units)")
    target = timings["cjm-lab key_drivers (shapley)"]
    print(f"target < 2 s for Shapley without bootstrap: {'met' if target < 2 else 'MISSED'} ({target:.4f} s)")


if __name__ == "__main__":
    main()

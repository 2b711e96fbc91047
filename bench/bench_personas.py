"""Benchmark of cjm_lab.personas beside kmodes KPrototypes and StepMix, in one run.

Data: ``make_bench_data`` plants five segments of unequal size in 25 mixed
columns (12 Likert items with a respondent-level scale-use effect, 2 ordinal
bands, 5 nominal categoricals, 5 skewed numerics, 1 binary flag; a few percent
missing).  Every method sees the same data frame.

Run ``.venv/bin/python bench/bench_personas.py`` (``--rows 20000`` for a quick
look, ``--repeat 3`` for medians, ``--skip-choose-k`` to time only the fits).
The peers get the inputs a user would give them: standardised numbers (Likert
items and ordinal codes; log spend) and integer category codes; KPrototypes with
one initialisation (its default ten take ~20x as long); StepMix with one
initialisation twice: its default random start (missing answers kept), and its
k-means start, which needs the missing answers imputed first.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

SHARES = (0.30, 0.24, 0.20, 0.15, 0.11)
N_ITEMS = 12


def _draw(rng: np.random.Generator, probs: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """One category per row from its segment's probability row (vectorised)."""
    cdf = np.cumsum(probs, axis=1)
    cdf[:, -1] = 1.0
    return (rng.random(seg.size)[:, None] >= cdf[seg]).sum(axis=1)


def _probs(rng: np.random.Generator, levels: int, strength: float) -> np.ndarray:
    """Segment × level probabilities: a common base tilted by ``strength``."""
    base = rng.dirichlet(np.full(levels, 4.0))
    tilt = rng.normal(0, strength, size=(len(SHARES), levels))
    p = base * np.exp(tilt)
    return p / p.sum(axis=1, keepdims=True)


def make_bench_data(n: int = 100_000, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Planted-segment mixed data: 25 columns and the true segment of every row.

    The design (segment means and level probabilities) is fixed by a constant seed;
    ``seed`` only draws the respondents.
    """
    design = np.random.default_rng(20260101)
    k = len(SHARES)
    means = design.uniform(1.8, 4.3, size=(k, N_ITEMS))
    item_sd = design.uniform(0.5, 1.0, size=N_ITEMS)
    nominal = {
        "channel": _probs(design, 5, 1.2),
        "device": _probs(design, 3, 0.7),
        "product": _probs(design, 4, 0.7),
        "region": _probs(design, 6, 0.25),
        "gender": _probs(design, 2, 0.0),
    }
    ordinal = {"age_band": _probs(design, 5, 0.8), "income_band": _probs(design, 3, 0.7)}
    tenure_mean = design.uniform(12, 60, size=k)
    spend_median = design.uniform(150, 700, size=k)
    orders_mean = design.uniform(2, 9, size=k)
    visits_mean = design.uniform(1, 6, size=k)
    discount_a = design.uniform(1, 4, size=k)
    newsletter_p = design.uniform(0.2, 0.7, size=k)

    rng = np.random.default_rng(seed)
    seg = rng.choice(k, size=n, p=np.array(SHARES))
    scale_use = rng.normal(0, 0.25, size=(n, 1))
    latent = means[seg] + scale_use + rng.normal(0, 1.0, size=(n, N_ITEMS)) * item_sd
    items = np.clip(np.rint(latent), 1, 5)
    cols: dict[str, object] = {f"q{j + 1:02d}": items[:, j] for j in range(N_ITEMS)}
    age_levels = ["18-29", "30-39", "40-49", "50-64", "65+"]
    cols["age_band"] = pd.Categorical.from_codes(_draw(rng, ordinal["age_band"], seg), age_levels, ordered=True)
    inc = _draw(rng, ordinal["income_band"], seg)
    cols["income_band"] = pd.Categorical.from_codes(inc, ["low", "middle", "high"], ordered=True)
    labels = {
        "channel": ["online", "app", "store", "phone", "partner"],
        "device": ["desktop", "mobile", "tablet"],
        "product": ["basic", "plus", "family", "business"],
        "region": ["Nord", "Süd", "West", "Ost", "Mitte", "Berlin"],
        "gender": ["f", "m"],
    }
    for name, p in nominal.items():
        cols[name] = pd.Categorical.from_codes(_draw(rng, p, seg), labels[name])
    cols["tenure_months"] = np.floor(rng.gamma(2.0, tenure_mean[seg] / 2.0))
    cols["annual_spend"] = np.round(spend_median[seg] * np.exp(rng.normal(0, 0.6, n)), 2)
    cols["orders_per_year"] = rng.negative_binomial(3, 3 / (3 + orders_mean[seg])).astype(float)
    cols["visits_last_month"] = rng.poisson(visits_mean[seg]).astype(float)
    cols["discount_share"] = rng.beta(discount_a[seg], 5.0)
    cols["newsletter"] = rng.random(n) < newsletter_p[seg]
    df = pd.DataFrame(cols)
    # a few percent missing, completely at random
    for name, rate in (("annual_spend", 0.03), ("q03", 0.01), ("q07", 0.01), ("q11", 0.01)):
        df.loc[rng.random(n) < rate, name] = np.nan
    miss = rng.random(n) < 0.02
    df["income_band"] = df["income_band"].where(~miss)
    df.insert(0, "customer_id", np.char.add("B", np.char.zfill(np.arange(1, n + 1).astype(str), 6)))
    return df, seg


# ---------------------------------------------------------------------------- peers, used as their users would


def _peer_inputs(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Standardised numbers (Likert items and ordinal codes included) and categorical codes."""
    data = df.drop(columns=["customer_id"])
    num, cat = {}, {}
    for c in data.columns:
        s = data[c]
        if isinstance(s.dtype, pd.CategoricalDtype) and s.dtype.ordered:
            x = s.cat.codes.where(s.notna()).astype(float)
        elif isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == bool:
            cat[c] = s.astype("category").cat.codes.where(s.notna()).astype(float)
            continue
        else:
            x = s.astype(float)
            if c == "annual_spend":
                x = np.log1p(x)
        num[c] = (x - x.mean()) / x.std()
    return pd.DataFrame(num), pd.DataFrame(cat)


def kprototypes_peer(df: pd.DataFrame, k: int, seed: int = 0) -> np.ndarray:
    from kmodes.kprototypes import KPrototypes

    num, cat = _peer_inputs(df)
    X = np.hstack([num.fillna(0.0).to_numpy(), cat.fillna(-1).to_numpy()])
    idx = list(range(num.shape[1], X.shape[1]))
    return KPrototypes(n_clusters=k, n_init=1, random_state=seed).fit_predict(X, categorical=idx)


def stepmix_peer(df: pd.DataFrame, k: int, seed: int = 0, init: str = "kmeans") -> np.ndarray:
    """StepMix with a mixed measurement model, one initialisation.

    ``init="random"`` is StepMix's default and keeps missing answers (FIML);
    ``init="kmeans"`` needs complete data (StepMix runs k-means on its input), so missing
    answers are imputed first (mean for numbers, most frequent code for categories).
    """
    from stepmix import StepMix

    num, cat = _peer_inputs(df)
    if init == "kmeans":
        num, cat = num.fillna(0.0), cat.fillna(cat.mode().iloc[0])
        models = ("continuous", "categorical")
    else:
        models = ("continuous_nan", "categorical_nan")
    X = pd.concat([num, cat], axis=1)
    desc = {
        "continuous": {"model": models[0], "n_columns": num.shape[1]},
        "categorical": {"model": models[1], "n_columns": cat.shape[1]},
    }
    model = StepMix(
        n_components=k, measurement=desc, n_init=1, init_params=init, random_state=seed, verbose=0, progress_bar=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X)
        return model.predict(X)


# ---------------------------------------------------------------------------- run


def _time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def main() -> None:
    from cjm_lab.personas import PersonaModel, choose_k

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1, help="median of this many runs per method")
    ap.add_argument("--skip-choose-k", action="store_true")
    ap.add_argument("--skip-kprototypes", action="store_true")
    ap.add_argument(
        "--skip-stepmix-random",
        action="store_true",
        help="leave out StepMix with its default random start (slow on 100,000 rows)",
    )
    ap.add_argument("--n-jobs", type=int, default=2, help="threads for the choose_k resamples")
    args = ap.parse_args()

    df, truth = make_bench_data(args.rows)
    k = len(SHARES)
    print(
        f"bench_personas: {len(df):,} rows x {df.shape[1] - 1} mixed columns, {k} planted segments "
        f"(shares {', '.join(f'{s:.0%}' for s in SHARES)}); Python {platform.python_version()}, "
        f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    rows = []

    def run(name: str, fn, note: str = "") -> None:
        seconds, labels = _time(fn, args.repeat)
        rows.append({"method": name, "seconds": seconds, "ari": adjusted_rand_score(truth, labels), "note": note})
        print(f"  {name:<52} {seconds:8.2f} s   ARI {rows[-1]['ari']:.3f}", flush=True)

    print(f"fit at fixed k = {k}:")
    run(
        "cjm-lab PersonaModel(algorithm='gmm') [default]",
        lambda: PersonaModel(k, random_state=0).fit(df).labels_,
        "k-means starts + mixed EM",
    )
    run(
        "cjm-lab PersonaModel(algorithm='kmeans')",
        lambda: PersonaModel(k, algorithm="kmeans", random_state=0).fit(df).labels_,
        "scaled one-hot",
    )
    run(
        "cjm-lab PersonaModel(algorithm='kmeans', reduce='famd')",
        lambda: PersonaModel(k, algorithm="kmeans", reduce="famd", random_state=0).fit(df).labels_,
        "FAMD + k-means",
    )
    run("StepMix (k-means start on imputed data, n_init=1)", lambda: stepmix_peer(df, k), "peer")
    if not args.skip_stepmix_random:
        run("StepMix (default random start, FIML, n_init=1)", lambda: stepmix_peer(df, k, init="random"), "peer")
    if not args.skip_kprototypes:
        run("kmodes KPrototypes (n_init=1)", lambda: kprototypes_peer(df, k), "peer")
    base = rows[0]["seconds"]
    print()
    print(f"{'method':<56}{'seconds':>9}{'time ratio':>12}{'ARI':>8}")
    print("(time ratio: method time / cjm-lab default time)")
    for r in rows:
        print(f"{r['method']:<56}{r['seconds']:>9.2f}{r['seconds'] / base:>12.2f}{r['ari']:>8.3f}")

    if not args.skip_choose_k:
        print()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = choose_k(
                df, k_range=range(2, 11), resamples=20, stability_rows=10_000, random_state=0, n_jobs=args.n_jobs
            )
        seconds = time.perf_counter() - t0
        print(
            f"choose_k k = 2-10, 20 bootstrap resamples of 10,000 rows, n_jobs={args.n_jobs}: {seconds:.1f} s, "
            f"recommended k = {table.attrs['cjm']['recommended_k']}"
        )
        cols = [
            "k",
            "silhouette",
            "davies_bouldin",
            "bic",
            "stability",
            "persona_stability",
            "smallest_share",
            "recommended",
        ]
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            print(table[cols].round(3).to_string(index=False))
        print(table.attrs["cjm"]["reason"]["en"])
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""NPS and persona typing from Parquet in record batches, against loading the whole file.

Run each step in its own process under ``/usr/bin/time -v`` to read the peak memory::

    PYTHONPATH=. .venv/bin/python bench/bench_chunks.py make --out bench/data/chunks
    /usr/bin/time -v PYTHONPATH=. .venv/bin/python bench/bench_chunks.py nps --out bench/data/chunks
    /usr/bin/time -v PYTHONPATH=. .venv/bin/python bench/bench_chunks.py nps-loaded --out bench/data/chunks
    /usr/bin/time -v PYTHONPATH=. .venv/bin/python bench/bench_chunks.py type --out bench/data/chunks
    /usr/bin/time -v PYTHONPATH=. .venv/bin/python bench/bench_chunks.py type-loaded --out bench/data/chunks

``make`` writes 5M survey answers (0–10 with 3 % missing and 2 % "don't know" = 99, four
waves, six regions, weights) and 2M customers (three Likert items, spend, channel), and a
persona model fitted on 20,000 of the customers; it never overwrites.  The numbers are in
the README (survey and personas sections).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

ANSWERS = 5_000_000
CUSTOMERS = 2_000_000
REGIONS = np.array(["Nord", "Süd", "West", "Ost", "Mitte", "Berlin"])


def customers(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seg = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    means = np.array([[4.5, 1.5, 3.0], [1.5, 4.5, 2.0], [3.0, 3.0, 4.8]])
    df = pd.DataFrame({f"q{j}": np.clip(np.rint(means[seg, j] + rng.normal(0, 0.6, n)), 1, 5) for j in range(3)})
    df["spend"] = np.round(np.exp(np.array([4.0, 5.0, 4.5])[seg] + rng.normal(0, 1.0, n)), 2)
    df["channel"] = np.where(rng.random(n) < 0.8, np.array(["online", "store", "app"])[seg], "phone")
    df.insert(0, "customer_id", np.char.add("C", np.char.zfill(np.arange(n).astype(str), 8)))
    return df


def make(out: Path) -> None:
    from cjm_lab.personas import PersonaModel

    out.mkdir(parents=True, exist_ok=False)
    rng = np.random.default_rng(1)
    score = rng.integers(0, 11, ANSWERS).astype(float)
    u = rng.random(ANSWERS)
    score[u < 0.03] = np.nan
    score[(u >= 0.03) & (u < 0.05)] = 99
    survey = pd.DataFrame(
        {
            "respondent_id": np.char.add("R", np.arange(ANSWERS).astype(str)),
            "wave": rng.integers(1, 5, ANSWERS),
            "region": REGIONS[rng.integers(0, 6, ANSWERS)],
            "recommend": score,
            "weight": rng.uniform(0.3, 3.0, ANSWERS),
        }
    )
    survey.to_parquet(out / "survey.parquet", row_group_size=500_000)
    del survey
    cu = customers(CUSTOMERS, 2)
    cu.to_parquet(out / "customers.parquet", row_group_size=500_000)
    model = PersonaModel(3, columns=["q0", "q1", "q2", "spend", "channel"], random_state=0).fit(
        cu.sample(20_000, random_state=0)
    )
    model.persona_names_ = {0: "Preisbewusste", 1: "Service-Sucher", 2: "Qualitätsorientierte"}
    model.save(out / "personas.joblib")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["make", "nps", "nps-loaded", "type", "type-loaded"])
    parser.add_argument("--out", type=Path, default=Path("bench/data/chunks"))
    parser.add_argument("--batch-size", type=int, default=100_000)
    args = parser.parse_args()
    start = time.perf_counter()
    if args.step == "make":
        make(args.out)
    elif args.step.startswith("nps"):
        from cjm_lab.survey import nps

        data = args.out / "survey.parquet"
        if args.step == "nps-loaded":
            data = pd.read_parquet(data, columns=["wave", "region", "recommend", "weight"])
        table = nps(data, by=["wave", "region"], weight="weight", dont_know=99, batch_size=args.batch_size)
        print(table[["wave", "region", "n", "n_missing", "nps"]].tail(3).to_string())
    else:
        from cjm_lab.personas import load_model, type_file

        model = load_model(args.out / "personas.joblib")
        if args.step == "type":
            target = args.out / f"personas_{time.strftime('%Y%m%d_%H%M%S')}.parquet"
            type_file(model, args.out / "customers.parquet", target, batch_size=args.batch_size)
            print(pd.read_parquet(target, columns=["persona"])["persona"].value_counts().sort_index().to_dict())
        else:
            frame = pd.read_parquet(args.out / "customers.parquet")
            personas, proba = model.predict(frame), model.predict_proba(frame)
            print(np.bincount(personas), proba.shape)
    print(f"{args.step}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()

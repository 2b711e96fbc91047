"""cjm-lab journeys on Spark local beside DuckDB: the same SQL, the same numbers, time and memory.

Runs the issue-9 workload — variants, transitions with median/p95 times, a 5-step ordered
funnel and pain points (with the touchpoint catalogue), cjm-lab's default journey options —
once through DuckDB on the Parquet events (out of core, the default engine) and once on a
local SparkSession (``spark.read.parquet`` of the same files), each engine in its own
subprocess, then checks that the results are equal: counts and paths exactly, floats to
1e-9 (quantiles are nearest-rank in both engines), and prints time and peak memory.

Peak memory is the peak resident set of the whole process tree (Python, DuckDB's threads,
Spark's JVM), sampled every 0.1 s.

Data: ``bench/data/sample_<size>/`` as ``bench/bench_journeys.py`` writes it (generated here
with ``cjm_lab.sample.write_sample`` when missing); ``--data`` points elsewhere.

Run::

    .venv/bin/python bench/bench_spark.py --sizes 1e6,1e7 [--data /path/to/bench/data] \
        [--driver-memory 6g] [--cores 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]
OPS = ("variants", "transitions", "funnel", "pain_points")


def _tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 1e6


class PeakSampler:
    """Peak RSS of this process and its children (the JVM), sampled in a thread."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak, self._stop = interval, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self.peak = _tree_rss_mb(os.getpid())
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss_mb(os.getpid()))


def worker(engine: str, events: str, out: str, driver_memory: str, cores: int) -> None:
    """One engine, the four analyses one after the other; results pickled for the comparison."""
    import warnings

    import pandas as pd

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

    from cjm_lab.journeys import funnel, pain_points, transitions, variants
    from cjm_lab.sample import touchpoint_catalogue

    cat = touchpoint_catalogue()
    record: dict[str, Any] = {"engine": engine, "times": {}, "peaks": {}}
    with PeakSampler() as total:
        t0 = time.perf_counter()
        if engine == "spark":
            from pyspark.sql import SparkSession

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spark = (
                    SparkSession.builder.master(f"local[{cores}]")
                    .appName("cjm-lab-bench")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.memory", driver_memory)
                    .config("spark.sql.shuffle.partitions", str(max(4, 4 * cores)))
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate()
                )
            spark.sparkContext.setLogLevel("ERROR")
            src: Any = spark.read.parquet(events)
            record["startup_s"] = time.perf_counter() - t0
        else:
            src = events
            record["startup_s"] = 0.0
        ops = {
            "variants": lambda: variants(src),
            "transitions": lambda: transitions(src),
            "funnel": lambda: funnel(src, steps=STEPS),
            "pain_points": lambda: pain_points(src, touchpoints=cat),
        }
        results = {}
        for name, fn in ops.items():
            with PeakSampler() as peak:
                t = time.perf_counter()
                results[name] = fn()
                record["times"][name] = time.perf_counter() - t
            record["peaks"][name] = peak.peak
            print(f"  {engine:<7} {name:<12} {record['times'][name]:8.1f} s  peak {peak.peak:8.0f} MB", flush=True)
        if engine == "spark":
            spark.stop()
    record["peak_mb"] = total.peak
    pd.to_pickle(results, out + ".pkl")
    with open(out, "w") as fh:
        json.dump(record, fh)


def compare(a: Any, b: Any) -> tuple[bool, str]:
    """Equal as issue 9 defines it: exact for counts/text/flags, floats to 1e-9."""
    import numpy as np
    import pandas as pd

    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False, f"shape {a.shape} vs {b.shape}"
    worst = 0.0
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x.dtype) or pd.api.types.is_float_dtype(y.dtype):
            xa, ya = x.to_numpy(float, na_value=np.nan), y.to_numpy(float, na_value=np.nan)
            if not np.array_equal(np.isnan(xa), np.isnan(ya)):
                return False, f"{col}: missing values differ"
            with np.errstate(invalid="ignore"):
                diff = np.where(np.isnan(xa) | (xa == ya), 0.0, np.abs(xa - ya))
            worst = max(worst, float(diff.max(initial=0.0)))
            if (diff > 1e-9 + 1e-9 * np.nan_to_num(np.abs(xa))).any():
                return False, f"{col}: differs by up to {diff.max():.3g}"
        elif x.astype(object).where(x.notna(), None).tolist() != y.astype(object).where(y.notna(), None).tolist():
            return False, f"{col}: values differ"
    return True, f"max float difference {worst:.1e}"


def ensure_data(root: Path, size: int, seed: int = 20260) -> Path:
    """The events of ``sample_<size>`` as bench_journeys.py writes them (same customers, seed and
    bench_meta.json), generated when missing and never overwritten."""
    label = f"1e{round(math.log10(size))}" if math.log10(size).is_integer() else str(size)
    folder = root / f"sample_{label}"
    if (folder / "events").is_dir():
        return folder / "events"
    if folder.exists():
        raise SystemExit(f"{folder} exists without events/; delete it to regenerate.")
    import pyarrow.dataset as ds

    from cjm_lab.sample import write_sample

    customers = max(10, round(size / 9.865))
    print(f"generating {customers:,} customers (~{size:,} events) into {folder} ...", flush=True)
    t0 = time.perf_counter()
    paths = write_sample(folder, customers=customers, random_state=seed, format="parquet")
    meta = {
        "customers": customers,
        "seed": seed,
        "events": ds.dataset(paths["events"]).count_rows(),
        "generate_s": round(time.perf_counter() - t0, 1),
    }
    (folder / "bench_meta.json").write_text(json.dumps(meta, indent=2))
    return paths["events"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e6", help="comma-separated event counts, e.g. 1e6,1e7")
    ap.add_argument("--data", default=str(HERE / "data"), help="folder with sample_<size>/events")
    ap.add_argument("--driver-memory", default="6g", help="Spark driver memory (local mode: all of Spark)")
    ap.add_argument("--cores", type=int, default=2, help="local[N] for Spark; DuckDB uses the same threads")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--worker", nargs=3, metavar=("ENGINE", "EVENTS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker, driver_memory=args.driver_memory, cores=args.cores)
        return
    import pandas as pd

    env = {**os.environ, "CJM_LAB_THREADS": str(args.cores)}
    for size in [int(float(s)) for s in args.sizes.split(",")]:
        events = ensure_data(Path(args.data), size)
        print(f"\n=== {size:,} events ({events}) ===", flush=True)
        runs: dict[str, dict[str, Any]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for engine in args.engines.split(","):
                out = os.path.join(tmp, f"{engine}.json")
                t = time.perf_counter()
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        engine,
                        str(events),
                        out,
                        "--driver-memory",
                        args.driver_memory,
                        "--cores",
                        str(args.cores),
                    ],
                    env=env,
                )
                if proc.returncode != 0:
                    print(f"  {engine}: failed (exit {proc.returncode})")
                    continue
                with open(out) as fh:
                    runs[engine] = json.load(fh)
                runs[engine]["wall_s"] = time.perf_counter() - t
                runs[engine]["results"] = pd.read_pickle(out + ".pkl")
        print(
            f"\n{'engine':<8}{'start-up s':>11}"
            + "".join(f"{op:>14}" for op in OPS)
            + f"{'all 4 s':>10}{'peak MB':>10}"
        )
        for engine, r in runs.items():
            total = sum(r["times"].values())
            print(
                f"{engine:<8}{r['startup_s']:>11.1f}"
                + "".join(f"{r['times'][op]:>14.1f}" for op in OPS)
                + f"{total:>10.1f}{r['peak_mb']:>10.0f}"
            )
        if {"duckdb", "spark"} <= set(runs):
            d, s = runs["duckdb"], runs["spark"]
            ratio = sum(s["times"].values()) / sum(d["times"].values())
            print(f"spark / duckdb: time x{ratio:.1f}, peak memory x{s['peak_mb'] / d['peak_mb']:.1f}")
            for op in OPS:
                ok, detail = compare(d["results"][op], s["results"][op])
                print(f"  {op:<12} {'EQUAL' if ok else 'DIFFERENT':<10} {len(d['results'][op]):>6} rows  {detail}")


if __name__ == "__main__":
    main()

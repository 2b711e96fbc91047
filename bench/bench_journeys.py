"""Benchmark of cjm_lab.journeys beside retentioneering 5.x, pm4py 2.7 and hand-written polars.

Data: the Nordlicht Home sample generator (``cjm_lab.sample.write_sample``), written once as
Parquet parts under ``bench/data/sample_<size>/`` and reused; about 9.9 events per customer.

Operations (the same data for every method, in one run):

* ``variants``     full paths per customer with their counts;
* ``transitions``  directly-follows counts with the median time between the two events;
* ``funnel``       5-step ordered funnel Website → Product page → Cart → Checkout payment →
                   Order confirmation (other events in between allowed);
* ``pain_points``  cjm-lab only (with the touchpoint catalogue; none of the peers has it);
* ``all 4``        cjm-lab only: the four analyses one after the other in one process with
                   cjm-lab's default journey options (de-duplication on) — the 10M and 100M
                   targets; the time of each analysis inside that run is printed as a breakdown;
* ``prepare``      peers only: building their log object (retentioneering ``Eventstream``,
                   pm4py ``format_dataframe``), timed apart and *not* added to their operations.

Shared operations run cjm-lab with ``dedupe=False`` so that every method counts the same raw
events (the sample plants ~0.5 % exact duplicates).  Every (method, operation) runs in its own
subprocess; its peak RSS (``os.wait4`` rusage of that child: Python heap *and* native memory of
DuckDB/polars/Arrow) includes the loaded data.  Loading the Parquet is not timed.  The polars
baseline sorts inside each operation, as cjm-lab does.

Sizes: 1M and 10M run every method; beyond 20M events (``--sizes 1e8``) only cjm-lab on the
partitioned Parquet runs, out of core (pandas input and the peers do not fit in memory), and only
``all 4``.  cjm-lab's DuckDB gets ``--memory-limit`` per size (default ``1e7=2GB,1e8=4GB``) and spills to
``--temp-dir`` (default ``bench/data/duckdb_tmp``).  Ratios compare time and peak memory with
cjm-lab on pandas (on Parquet where pandas does not run).

Run (peers need ``bash bench/setup_peers.sh`` first)::

    bench/.venv-peers/bin/python bench/bench_journeys.py --sizes 1e6,1e7 --repeat 3
    bench/.venv-peers/bin/python bench/bench_journeys.py --sizes 1e8 --repeat 1   # ~20 min to generate once

cjm-lab itself is measured with the project venv (``.venv/bin/python``) when it exists, the peers
with ``bench/.venv-peers/bin/python``.  A peer is skipped at a size where its previous size
extrapolates beyond ``--timeout`` or ``--max-rss-gb``, and any child that crosses them is killed
and reported; the run always goes on.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PEERS_PY = HERE / ".venv-peers" / "bin" / "python"
PROJECT_PY = ROOT / ".venv" / "bin" / "python"

STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]
SEP = " > "
EVENTS_PER_CUSTOMER = 9.865  # measured on the generator (seed-independent to ~0.1 %)
SHARED_OPS = ("variants", "transitions", "funnel")

# method -> (label, operations, interpreter kind)
METHODS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "cjm_pandas": ("cjm-lab (pandas)", ("variants", "transitions", "funnel", "pain_points", "all4"), "cjm"),
    "cjm_parquet": ("cjm-lab (parquet)", ("variants", "transitions", "funnel", "pain_points", "all4"), "cjm"),
    # the same on an earlier checkout (--before PATH), measured in the same run: before/after ratios
    "cjm_pandas_before": (
        "cjm-lab before (pandas)",
        ("variants", "transitions", "funnel", "pain_points", "all4"),
        "cjm",
    ),
    "cjm_parquet_before": (
        "cjm-lab before (parquet)",
        ("variants", "transitions", "funnel", "pain_points", "all4"),
        "cjm",
    ),
    "retentioneering": ("retentioneering", ("prepare", "transitions", "funnel"), "peers"),
    "pm4py": ("pm4py", ("prepare", "variants", "transitions", "funnel"), "peers"),
    "polars": ("polars (by hand)", ("variants", "transitions", "funnel"), "peers"),
}
NOT_OFFERED = {
    ("retentioneering", "variants"): "no variants/sequences tool in retentioneering 5.x",
    ("retentioneering", "pain_points"): "not offered",
    ("pm4py", "pain_points"): "not offered",
    ("polars", "pain_points"): "not written by hand",
}
OP_LABEL = {
    "prepare": "prepare (peers' log object)",
    "variants": "variants (path counts)",
    "transitions": "transitions + median time",
    "funnel": "funnel (5 steps, ordered)",
    "pain_points": "pain points",
    "all4": "all 4 (defaults, dedupe on)",
}
BASELINE = "cjm_pandas"
#: Above this many events only cjm-lab on Parquet runs (pandas input and the peers do not fit).
BIG = 20_000_000


# --------------------------------------------------------------------------------------------
# worker side: one (method, operation) in this process
# --------------------------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_mb() -> float | None:
    """This process's peak RSS (VmHWM) in MB: since exec, or since the last ``_reset_peak``."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so the peak is that of the runs, data included."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _versions(names: list[str]) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            pass
    return out


def _read_pandas(events: str, columns: list[str] | None = None):
    import pandas as pd

    return pd.read_parquet(events, columns=columns)


def _cjm_check(op: str, result: Any) -> Any:
    import pandas as pd

    if op == "variants":
        return dict(zip(result["path"], result["n_journeys"].astype(int).tolist()))
    if op == "transitions":
        t = result[(result["source"] != "(start)") & (result["target"] != "(exit)")]
        med = t["median_s"].astype(float).tolist()
        return {f"{s}\x1f{g}": [int(n), m] for s, g, n, m in zip(t["source"], t["target"], t["n"], med)}
    if op == "funnel":
        return result["n_reached"].astype(int).tolist()
    if op == "pain_points":
        r = result[result["rank"].notna()]
        return {
            tp: [int(rk), round(float(s), 6), str(issue)]
            for tp, rk, s, issue in zip(r["touchpoint"], r["rank"], r["pain_score"], r["main_issue"])
        }
    if op == "all4":
        return {k: (len(v) if isinstance(v, pd.DataFrame) else v) for k, v in result.items()}
    raise ValueError(op)


def _setup_cjm(method: str, events: str, engine: dict[str, Any] | None = None):
    import pandas as pd  # noqa: F401

    from cjm_lab.journeys import funnel, pain_points, transitions, variants
    from cjm_lab.journeys.engine import set_engine_defaults
    from cjm_lab.sample import touchpoint_catalogue

    if engine:
        set_engine_defaults(**engine)
    cat = touchpoint_catalogue()
    src: Any = _read_pandas(events) if method.startswith("cjm_pandas") else events
    parts: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        out = fn()
        parts[name] = time.perf_counter() - t0
        return out

    def all4():
        parts.clear()
        return {
            "variants": timed("variants", lambda: variants(src)),
            "transitions": timed("transitions", lambda: transitions(src)),
            "funnel": timed("funnel", lambda: funnel(src, steps=STEPS)),
            "pain_points": timed("pain_points", lambda: pain_points(src, touchpoints=cat)),
        }

    all4.parts = parts  # type: ignore[attr-defined]
    ops = {
        "variants": lambda: variants(src, dedupe=False),
        "transitions": lambda: transitions(src, dedupe=False),
        "funnel": lambda: funnel(src, steps=STEPS, dedupe=False),
        "pain_points": lambda: pain_points(src, touchpoints=cat, dedupe=False),
        "all4": all4,
    }
    return ops, _cjm_check, _versions(["cjm-lab", "pandas", "duckdb", "pyarrow"]), src


def _setup_retentioneering(events: str, op: str):
    os.environ["RETENTIONEERING_NO_TRACK"] = "1"
    import pandas as pd
    from retentioneering import Eventstream

    df = _read_pandas(events, ["customer_id", "timestamp", "touchpoint"])
    schema = {"path_cols": ["customer_id"], "event_col": "touchpoint", "timestamp_col": "timestamp", "custom_cols": []}

    def build():
        return Eventstream(df, schema=schema)

    stream = None if op == "prepare" else build()

    def transitions():
        counts = stream.transition_graph_data(edge_weight="count")
        medians = stream.transition_graph_data(edge_weight="time_median")
        return counts, medians

    def funnel():
        return stream.funnel_data(steps=STEPS)

    def check(op_: str, result: Any) -> Any:
        if op_ == "transitions":
            counts, medians = result
            out = {}
            for s in counts.index:
                for g in counts.columns:
                    n = int(counts.at[s, g])
                    if n and s not in ("path_start", "path_end") and g not in ("path_start", "path_end"):
                        m = medians.at[s, g]
                        out[f"{s}\x1f{g}"] = [n, None if pd.isna(m) else m.total_seconds()]
            return out
        if op_ == "funnel":
            return [int(s["unique_paths"]) for s in result["steps"]]
        return None

    return (
        {"prepare": build, "transitions": transitions, "funnel": funnel},
        check,
        _versions(["retentioneering", "pandas", "duckdb"]),
        df,
    )


def _setup_pm4py(events: str, op: str):
    import pm4py
    from pm4py.algo.filtering.pandas.ltl import ltl_checker

    df = _read_pandas(events, ["customer_id", "timestamp", "touchpoint"])
    case, act, ts = "case:concept:name", "concept:name", "time:timestamp"

    def build():
        return pm4py.format_dataframe(
            df.copy(), case_id="customer_id", activity_key="touchpoint", timestamp_key="timestamp"
        )

    log = None if op == "prepare" else build()

    def variants():
        return pm4py.get_variants(log, activity_key=act, case_id_key=case, timestamp_key=ts)

    def transitions():
        dfg, _, _ = pm4py.discover_dfg(log, activity_key=act, case_id_key=case, timestamp_key=ts)
        perf, _, _ = pm4py.discover_performance_dfg(
            log, activity_key=act, case_id_key=case, timestamp_key=ts, perf_aggregation_key="median"
        )
        return dfg, perf

    def funnel():
        # pm4py has no funnel: the LTL "eventually follows" filter for the first k steps
        counts = [int(log.loc[log[act] == STEPS[0], case].nunique())]
        for k in range(2, len(STEPS) + 1):
            kept = ltl_checker.eventually_follows(
                log,
                STEPS[:k],
                parameters={ltl_checker.Parameters.CASE_ID_KEY: case, ltl_checker.Parameters.ATTRIBUTE_KEY: act},
            )
            counts.append(int(kept[case].nunique()))
        return counts

    def check(op_: str, result: Any) -> Any:
        if op_ == "variants":
            return {SEP.join(k): int(v if isinstance(v, int) else len(v)) for k, v in result.items()}
        if op_ == "transitions":
            dfg, perf = result
            return {f"{a}\x1f{b}": [int(n), float(perf.get((a, b), float("nan")))] for (a, b), n in dfg.items()}
        if op_ == "funnel":
            return result
        return None

    return (
        {"prepare": build, "variants": variants, "transitions": transitions, "funnel": funnel},
        check,
        _versions(["pm4py", "pandas"]),
        df,
    )


def _setup_polars(events: str):
    import polars as pl

    df = pl.read_parquet(
        os.path.join(events, "*.parquet"), columns=["customer_id", "timestamp", "touchpoint", "sequence"]
    )
    cid, ts, tp = pl.col("customer_id"), pl.col("timestamp"), pl.col("touchpoint")

    def ordered() -> pl.LazyFrame:
        return df.lazy().sort(["customer_id", "timestamp", "sequence"])

    def variants():
        paths = ordered().group_by("customer_id").agg(tp.str.join(SEP).alias("path"))
        return paths.group_by("path").agg(pl.len().alias("n")).collect()

    def transitions():
        s = ordered().with_columns(
            nxt=tp.shift(-1),
            gap=(ts.shift(-1) - ts).dt.total_microseconds() / 1e6,
            same=cid == cid.shift(-1),
            first=cid != cid.shift(1).fill_null(""),
        )
        pairs = (
            s.filter(pl.col("same"))
            .group_by(["touchpoint", "nxt"])
            .agg(pl.len().alias("n"), pl.col("gap").quantile(0.5, interpolation="lower").alias("median_s"))
        )
        starts = s.filter(pl.col("first")).group_by("touchpoint").agg(pl.len().alias("n"))
        exits = s.filter(~pl.col("same")).group_by("touchpoint").agg(pl.len().alias("n"))
        return pl.collect_all([pairs, starts, exits])

    def funnel():
        s = ordered().with_row_index("idx").select(["customer_id", "touchpoint", "idx"]).collect()
        cur = s.lazy().filter(tp == STEPS[0]).group_by("customer_id").agg(pl.col("idx").min())
        frames = [cur]
        for step in STEPS[1:]:
            cur = (
                s.lazy()
                .filter(tp == step)
                .join(cur.rename({"idx": "prev"}), on="customer_id")
                .filter(pl.col("idx") > pl.col("prev"))
                .group_by("customer_id")
                .agg(pl.col("idx").min())
            )
            frames.append(cur)
        return [f.height for f in pl.collect_all(frames)]

    def check(op_: str, result: Any) -> Any:
        if op_ == "variants":
            return dict(zip(result["path"].to_list(), result["n"].to_list()))
        if op_ == "transitions":
            pairs = result[0]
            return {
                f"{a}\x1f{b}": [int(n), float(m)]
                for a, b, n, m in zip(pairs["touchpoint"], pairs["nxt"], pairs["n"], pairs["median_s"])
            }
        if op_ == "funnel":
            return result
        return None

    return (
        {"variants": variants, "transitions": transitions, "funnel": funnel},
        check,
        _versions(["polars", "polars-runtime-32"]),
        df,
    )


def worker(payload: dict[str, Any]) -> None:
    method, op, events, out = payload["method"], payload["op"], payload["events"], payload["out"]
    t_load = time.perf_counter()
    if method.startswith("cjm"):
        ops, check, versions, _data = _setup_cjm(method, events, payload.get("engine"))
    elif method == "retentioneering":
        ops, check, versions, _data = _setup_retentioneering(events, op)
    elif method == "pm4py":
        ops, check, versions, _data = _setup_pm4py(events, op)
    elif method == "polars":
        ops, check, versions, _data = _setup_polars(events)
    else:
        raise SystemExit(f"unknown method {method}")
    load_s = time.perf_counter() - t_load
    record: dict[str, Any] = {
        "times": [],
        "cpu": [],
        "versions": versions,
        "load_s": load_s,
        "rss_loaded_mb": _rss_mb(),
        "load_peak_mb": _peak_mb(),
        "python": sys.executable,
        "peak_reset": _reset_peak(),
    }

    def save() -> None:
        if not record.get("peak_frozen"):
            record["run_peak_mb"] = _peak_mb()
        tmp = out + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(record, fh)
        os.replace(tmp, out)

    save()
    fn = ops[op]
    result = None
    for i in range(payload["repeat"]):
        result = None
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        record["times"].append(time.perf_counter() - t0)
        record.setdefault("cpu", []).append(time.process_time() - c0)  # all threads of the process
        save()
        if record["times"][-1] > payload["slow"] and i + 1 < payload["repeat"]:
            record["note"] = f"{len(record['times'])} run(s): one run took > {payload['slow']:.0f} s"
            break
    if op == "all4":
        # the parts of the last run (timed inside it; the totals above are what counts)
        record["parts"] = dict(fn.parts)
    save()
    record["peak_frozen"] = True  # the comparison data below is not part of the measurement
    record["check"] = check(op, result)
    save()


# --------------------------------------------------------------------------------------------
# parent side: data, children, tables
# --------------------------------------------------------------------------------------------


def size_label(size: int) -> str:
    exp = len(str(size)) - 1
    return f"1e{exp}" if size == 10**exp else str(size)


def ensure_data(size: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """Write the sample once (events as Parquet parts) and reuse it afterwards."""
    folder = DATA / f"sample_{size_label(size)}"
    meta_file = folder / "bench_meta.json"
    customers = max(10, round(size / EVENTS_PER_CUSTOMER))
    if meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("customers") == customers and meta.get("seed") == seed and (folder / "events").is_dir():
            return folder / "events", meta
        raise SystemExit(f"{folder} holds another sample ({meta}); delete it to regenerate.")
    if folder.exists():
        raise SystemExit(f"{folder} exists without bench_meta.json; delete it to regenerate.")
    import pyarrow.dataset as ds

    from cjm_lab.sample import write_sample

    print(f"generating {customers:,} customers (~{size:,} events) into {folder} ...", flush=True)
    t0 = time.perf_counter()
    paths = write_sample(folder, customers=customers, random_state=seed, format="parquet")
    n_events = ds.dataset(paths["events"]).count_rows()
    meta = {"customers": customers, "seed": seed, "events": n_events, "generate_s": round(time.perf_counter() - t0, 1)}
    meta_file.write_text(json.dumps(meta, indent=2))
    print(f"  {n_events:,} events in {meta['generate_s']} s", flush=True)
    return paths["events"], meta


def run_child(python: str, payload: dict[str, Any], *, timeout: float, max_rss_mb: float) -> dict[str, Any]:
    """Run one worker; kill it past ``timeout`` or ``max_rss_mb``; peak RSS from its own rusage."""
    with tempfile.TemporaryDirectory(prefix="bench_journeys_") as tmp:
        out = os.path.join(tmp, "result.json")
        log = os.path.join(tmp, "log.txt")
        env = {**os.environ, "RETENTIONEERING_NO_TRACK": "1", "PYTHONWARNINGS": "ignore"}
        if payload["method"].startswith("cjm"):  # measure the cjm-lab of this checkout, not an installed one
            code = payload.get("before") if payload["method"].endswith("_before") else str(ROOT)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (code, os.environ.get("PYTHONPATH")) if p)
        cmd = [python, str(Path(__file__).resolve()), "--worker", json.dumps({**payload, "out": out})]
        with open(log, "w") as logf:
            proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT))
        t0, killed, seen = time.monotonic(), None, 0.0
        statm = f"/proc/{proc.pid}/statm"
        page = os.sysconf("SC_PAGE_SIZE")
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                with open(statm) as fh:
                    seen = max(seen, int(fh.read().split()[1]) * page / 1e6)
            except (OSError, ValueError, IndexError):
                pass
            if killed is None and seen > max_rss_mb:
                killed = f"killed above {max_rss_mb / 1000:.0f} GB RSS"
                proc.kill()
            elif killed is None and time.monotonic() - t0 > timeout:
                killed = f"killed after {timeout:.0f} s"
                proc.kill()
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        rec: dict[str, Any] = {}
        if os.path.exists(out):
            with open(out) as fh:
                rec = json.load(fh)
        # ru_maxrss of a child also counts the parent's RSS at fork time, so the child's own VmHWM
        # (reset after loading: the peak of the runs with the data resident) is used when it has one
        own = rec.get("run_peak_mb") if rec.get("peak_reset") else None
        rec["peak_mb"] = max(own, seen) if own else max(usage.ru_maxrss * 1024 / 1e6, seen)
        rec["wall_s"] = time.monotonic() - t0
        if killed:
            rec["error"] = killed
        elif proc.returncode != 0:
            with open(log) as fh:
                tail = [ln for ln in fh.read().strip().splitlines() if ln.strip()][-3:]
            rec["error"] = f"exit {proc.returncode}: " + " | ".join(t.strip()[:160] for t in tail)
        if rec.get("times"):
            rec["seconds"] = statistics.median(rec["times"])
            rec["cpu_s"] = statistics.median(rec["cpu"]) if rec.get("cpu") else None
        rec["load_avg"] = os.getloadavg()[0]
        return rec


def fmt_ratio(
    peer: str, t: float | None, base: float | None, mem: float | None = None, base_mem: float | None = None
) -> str:
    if t is None or base is None or base <= 0:
        return ""
    r = t / base
    if r >= 1:
        text = f"{peer} / cjm-lab = {r:.1f}x slower" if r >= 1.05 else f"{peer} / cjm-lab = {r:.2f}x (same)"
    else:
        text = f"{peer} / cjm-lab = {r:.2f}x ({1 / r:.1f}x faster than cjm-lab)"
    if mem and base_mem:
        text += f"; peak memory {mem / base_mem:.2f}x"
    return text


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def compare_counts(ref: dict[str, Any], other: dict[str, Any], *, median: str | None) -> tuple[bool, str]:
    """Counts must be identical; medians compared as information (``median`` names the peer's definition)."""
    ref_n = {k: (v[0] if isinstance(v, list) else v) for k, v in ref.items()}
    oth_n = {k: (v[0] if isinstance(v, list) else v) for k, v in other.items()}
    only_ref = set(ref_n) - set(oth_n)
    only_oth = set(oth_n) - set(ref_n)
    diff = [k for k in set(ref_n) & set(oth_n) if ref_n[k] != oth_n[k]]
    ok = not (only_ref or only_oth or diff)
    first = min(diff) if diff else None
    text = (
        f"{len(ref_n):,} keys, {sum(ref_n.values()):,} total: identical"
        if ok
        else f"DIFFERENT: {len(only_ref)} only in cjm-lab, {len(only_oth)} only here, {len(diff)} with other counts"
        + (f" (e.g. {first.replace(chr(31), ' -> ')!r}: {ref_n[first]} vs {oth_n[first]})" if diff else "")
    )
    if median is not None:
        common = [k for k in set(ref) & set(other) if isinstance(ref[k], list) and isinstance(other[k], list)]
        same = 0
        worst = 0.0
        for k in common:
            a, b = ref[k][1], other[k][1]
            if _missing(a) or _missing(b):
                same += _missing(a) and _missing(b)
                continue
            if abs(a - b) <= 1e-6:
                same += 1
            worst = max(worst, abs(a - b))
        text += f"; median time: {same:,}/{len(common):,} pairs equal ({median}; largest difference {worst:,.1f} s)"
    return ok, text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e6,1e7", help="event counts, comma-separated (default 1e6,1e7)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    ap.add_argument("--methods", default=",".join(METHODS), help=f"subset of {','.join(METHODS)}")
    ap.add_argument("--seed", type=int, default=20260)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per child before it is killed")
    ap.add_argument("--max-rss-gb", type=float, default=16, help="RSS (GB) at which a child is killed")
    ap.add_argument("--slow", type=float, default=60, help="stop repeating after a run longer than this (s)")
    ap.add_argument("--cjm-python", default=str(PROJECT_PY if PROJECT_PY.exists() else sys.executable))
    ap.add_argument("--peers-python", default=str(PEERS_PY))
    ap.add_argument(
        "--memory-limit",
        default="1e7=2GB,1e8=4GB",
        help="DuckDB memory limit of cjm-lab per size (default '1e7=2GB,1e8=4GB': the 4 GB targets "
        "include the loaded data); cjm-lab's default (4 GB or half the RAM) at sizes not listed",
    )
    ap.add_argument("--temp-dir", default=str(DATA / "duckdb_tmp"), help="DuckDB spill folder of cjm-lab")
    ap.add_argument(
        "--max-temp",
        default="20GB",
        help="cap on DuckDB's spilled data (max_temp_directory_size, via CJM_LAB_MAX_TEMP; default 20GB)",
    )
    ap.add_argument("--json", help="also write all measurements to this JSON file")
    ap.add_argument(
        "--before",
        help="a checkout of earlier code (e.g. `git worktree add /tmp/before <commit>`): runs cjm-lab's methods on "
        "it too, in the same run, as cjm_pandas_before / cjm_parquet_before",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.max_temp:
        os.environ["CJM_LAB_MAX_TEMP"] = args.max_temp  # the children inherit it
    if args.worker:
        worker(json.loads(args.worker))
        return

    sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    methods = [m for m in args.methods.split(",") if m and not m.endswith("_before")]
    if args.before:
        methods += [f"{m}_before" for m in ("cjm_pandas", "cjm_parquet") if m in methods]
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise SystemExit(f"unknown methods {sorted(unknown)}; choose from {list(METHODS)}")
    peers_ok = Path(args.peers_python).exists()
    print(
        f"cjm-lab journeys benchmark · {platform.python_version()} · {os.cpu_count()} cores · "
        f"repeat {args.repeat} · timeout {args.timeout:.0f} s/child · kill above {args.max_rss_gb:.0f} GB"
    )
    print(
        f"cjm-lab runs on {args.cjm_python}; peers on {args.peers_python}"
        + ("" if peers_ok else "  (MISSING: run bash bench/setup_peers.sh — peers skipped)")
    )
    all_results: dict[str, Any] = {}
    prev: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    versions: dict[str, dict[str, str]] = {}
    limits = {int(float(k)): v for k, _, v in (x.partition("=") for x in args.memory_limit.split(",") if x)}
    for size in sizes:
        events, meta = ensure_data(size, args.seed)
        n = meta["events"]
        res: dict[tuple[str, str], dict[str, Any]] = {}
        engine = {"temp_directory": args.temp_dir, **({"memory_limit": limits[size]} if size in limits else {})}
        if size in limits:
            print(
                f"  [{size_label(size)}] cjm-lab with DuckDB memory_limit {limits[size]}, spilling to {args.temp_dir}"
            )
        for method in methods:
            label, ops, kind = METHODS[method]
            python = args.cjm_python if kind == "cjm" else args.peers_python
            for op in ops:
                key = (method, op)
                if kind == "peers" and not peers_ok:
                    res[key] = {"skipped": "peers venv missing"}
                    continue
                if size > BIG and method != "cjm_parquet":
                    res[key] = {"skipped": f"beyond {BIG:,} events only cjm-lab on Parquet runs (out of core)"}
                    continue
                if size > BIG and op != "all4":
                    res[key] = {"skipped": f"beyond {BIG:,} events only the 'all 4' target is run"}
                    continue
                # extrapolate from the previous size: skip what would cross the limits
                if key in prev:
                    n0, r0 = prev[key]
                    grow = n / n0
                    if r0.get("error") or r0.get("skipped"):
                        res[key] = {"skipped": f"failed at {n0:,} events ({r0.get('error') or r0.get('skipped')})"}
                        continue
                    est_t = r0.get("seconds", 0) * grow  # one run; operations scale at least linearly
                    est_m = r0.get("peak_mb", 0) * grow
                    if est_t + r0.get("load_s", 0) * grow > args.timeout or est_m > args.max_rss_gb * 1000:
                        res[key] = {
                            "skipped": f"would need ~{est_t:,.0f} s / ~{est_m / 1000:,.1f} GB "
                            f"(x{grow:.0f} of {n0:,} events)"
                        }
                        continue
                print(f"  [{size_label(size)}] {label:<20} {op:<12} ...", end="", flush=True)
                r = run_child(
                    python,
                    {
                        "method": method,
                        "op": op,
                        "events": str(events),
                        "repeat": args.repeat,
                        "slow": args.slow,
                        "engine": engine if kind == "cjm" else None,
                        "before": args.before,
                    },
                    timeout=args.timeout,
                    max_rss_mb=args.max_rss_gb * 1000,
                )
                res[key] = r
                versions.setdefault(method, r.get("versions", {}))
                print(
                    f" {r.get('seconds', float('nan')):8.2f} s  {r['peak_mb']:8.0f} MB"
                    + (f"  {r['error']}" if r.get("error") else ""),
                    flush=True,
                )
        for key, r in res.items():
            if "skipped" not in r:
                prev[key] = (n, r)
        all_results[str(size)] = {f"{m}|{o}": {k: v for k, v in r.items() if k != "check"} for (m, o), r in res.items()}
        print_size(n, meta, res, methods, versions)
    print_versions(versions)
    if args.json:
        Path(args.json).write_text(json.dumps({"results": all_results, "versions": versions}, indent=2))


def method_label(method: str, versions: dict[str, dict[str, str]]) -> str:
    label = METHODS[method][0]
    v = versions.get(method, {})
    if method in ("retentioneering", "pm4py"):
        return f"{label} {v.get(method, '')}".strip()
    return label


def print_size(
    n: int,
    meta: dict[str, Any],
    res: dict[tuple[str, str], dict[str, Any]],
    methods: list[str],
    versions: dict[str, dict[str, str]],
) -> None:
    print()
    print(
        f"=== {n:,} events · {meta['customers']:,} customers · seconds = median of the runs · "
        f"peak RSS of the child process (loaded data included) ==="
    )
    head = (
        f"{'operation':<30}{'method':<26}{'seconds':>9}{'cpu s':>8}{'peak MB':>9}   "
        f"ratio of seconds against cjm-lab (pandas)"
    )
    print(head)
    print("-" * (len(head) + 22))
    for op in ("prepare", "variants", "transitions", "funnel", "pain_points", "all4"):
        baseline = BASELINE if "seconds" in res.get((BASELINE, op), {}) else "cjm_parquet"
        base = res.get((baseline, op), {}).get("seconds")
        first = True
        for method in methods:
            if op not in METHODS[method][1]:
                if (method, op) in NOT_OFFERED and op in SHARED_OPS:
                    print(
                        f"{OP_LABEL[op] if first else '':<30}{method_label(method, versions):<26}"
                        f"{'n/a':>9}{'':>8}{'':>9}   {NOT_OFFERED[(method, op)]}"
                    )
                    first = False
                continue
            r = res.get((method, op), {})
            name = method_label(method, versions)
            lead = f"{OP_LABEL[op] if first else '':<30}{name:<26}"
            first = False
            if "skipped" in r:
                print(f"{lead}{'skip':>9}{'':>8}{'':>9}   skipped: {r['skipped']}")
                continue
            secs = r.get("seconds")
            peak = r.get("peak_mb", float("nan"))
            if secs is None:
                print(f"{lead}{'fail':>9}{'':>8}{peak:>9.0f}   {r.get('error', 'no result')}")
                continue
            note = ""
            if method == baseline:
                note = "baseline"
            elif op in SHARED_OPS or op in ("pain_points", "all4"):
                short = {
                    "cjm_parquet": "cjm-lab (parquet)",
                    "cjm_pandas_before": "before (pandas)",
                    "cjm_parquet_before": "before (parquet)",
                    "retentioneering": "retentioneering",
                    "pm4py": "pm4py",
                    "polars": "polars",
                }[method]
                note = fmt_ratio(short, secs, base, peak, res.get((baseline, op), {}).get("peak_mb"))
                if method.endswith("_before"):  # the new code against the old, same input
                    now = res.get((method.removesuffix("_before"), op), {}).get("seconds")
                    if now:
                        note += f"; new/before {now / secs:.2f}x"
                prep = res.get((method, "prepare"), {}).get("seconds")
                if prep is not None and base:
                    note += f"; with its prepare: {(secs + prep) / base:.2f}x"
            if r.get("error"):
                note += f"  [{r['error']}]"
            if r.get("note"):
                note += f"  [{r['note']}]"
            cpu = r.get("cpu_s")
            print(f"{lead}{secs:>9.2f}{(f'{cpu:.2f}' if cpu is not None else ''):>8}{peak:>9.0f}   {note}")
    loaded = {m: res.get((m, METHODS[m][1][-1]), {}).get("rss_loaded_mb") for m in methods}
    print(
        "RSS after loading the data (before the first run): "
        + ", ".join(f"{METHODS[m][0]} {v:,.0f} MB" for m, v in loaded.items() if v)
    )
    a4 = res.get((BASELINE, "all4"), {})
    if a4.get("parts"):
        print(
            "all 4 breakdown (cjm-lab pandas, inside the last run): "
            + ", ".join(f"{k} {v:.2f} s" for k, v in a4["parts"].items())
        )
    a4p = res.get(("cjm_parquet", "all4"), {})
    if a4p.get("parts"):
        print(
            "all 4 breakdown (cjm-lab parquet, inside the last run): "
            + ", ".join(f"{k} {v:.2f} s" for k, v in a4p["parts"].items())
        )
    loads = [r["load_avg"] for r in res.values() if "load_avg" in r]
    if loads:
        print(
            f"machine load (1-min average after each child): {min(loads):.1f} to {max(loads):.1f} on "
            f"{os.cpu_count()} cores"
            + (
                "  — WARNING: other processes were busy; wall times are inflated"
                if max(loads) > (os.cpu_count() or 2) + 0.5
                else ""
            )
        )
    print_checks(res, methods, versions)
    print_targets(n, res, methods)


def print_checks(
    res: dict[tuple[str, str], dict[str, Any]], methods: list[str], versions: dict[str, dict[str, str]]
) -> None:
    print("\nchecks (counts must agree; reference cjm-lab (pandas), dedupe=False):")
    medians = {
        "cjm_parquet": "same definition",
        "polars": "same nearest-rank definition",
        "pm4py": "pm4py interpolates",
        "retentioneering": "whole seconds, interpolated",
    }
    for op in ("variants", "transitions", "funnel", "pain_points"):
        ref = res.get((BASELINE, op), {}).get("check")
        if ref is None:
            print(f"  {op:<12} no reference result")
            continue
        for method in methods:
            if method == BASELINE or op not in METHODS[method][1]:
                continue
            other = res.get((method, op), {}).get("check")
            name = method_label(method, versions)
            if other is None:
                print(f"  {op:<12} {name:<26} not compared (no result)")
                continue
            if op == "funnel":
                ok = list(ref) == list(other)
                print(f"  {op:<12} {name:<26} {'identical' if ok else 'DIFFERENT'}: {other} (cjm-lab {ref})")
            elif op == "pain_points" and method.endswith("_before"):
                print(f"  {op:<12} {name:<26} not compared: the components and the score were redefined")
            elif op == "pain_points":
                ok = ref == other
                print(
                    f"  {op:<12} {name:<26} {'identical ranks, scores and main issues' if ok else 'DIFFERENT'}"
                    f" ({len(ref)} ranked touchpoints)"
                )
            else:
                ok, text = compare_counts(ref, other, median=medians.get(method) if op == "transitions" else None)
                print(f"  {op:<12} {name:<26} {text}")


def print_targets(n: int, res: dict[tuple[str, str], dict[str, Any]], methods: list[str]) -> None:
    print("\ntargets:")
    if n < 3_000_000:
        r = res.get(("cjm_pandas", "pain_points"), {})
        if "seconds" in r:
            before = res.get(("cjm_pandas_before", "pain_points"), {}).get("seconds")
            print(
                f"  pain points <= 1.0 s at 1M    {'MET' if r['seconds'] <= 1.0 else 'NOT MET'} ({r['seconds']:.2f} s"
                + (f"; before {before:.2f} s" if before else "")
                + ")"
            )
        for op in SHARED_OPS:
            base = res.get((BASELINE, op), {}).get("seconds")
            for peer, need, word in (("retentioneering", 10.0, ">= 10x faster"), ("pm4py", 1.0, "faster")):
                if peer not in methods:
                    continue
                if op not in METHODS[peer][1]:
                    print(f"  {op:<12} vs {peer:<16} {word:<14} n/a ({NOT_OFFERED.get((peer, op), 'not offered')})")
                    continue
                t = res.get((peer, op), {}).get("seconds")
                if t is None or base is None:
                    print(f"  {op:<12} vs {peer:<16} {word:<14} not measured")
                    continue
                # Fair start: cjm-lab's time runs from the loaded events (its journeys are built
                # inside the operation); a peer's from the loaded events too, so its prepare (building
                # its log object from the same DataFrame) is added.  The operation alone is shown beside.
                prep = res.get((peer, "prepare"), {}).get("seconds") or 0.0
                ratio = (t + prep) / base
                ok = ratio >= need if need > 1 else ratio > 1
                print(
                    f"  {op:<12} vs {peer:<16} {word:<14} {'MET' if ok else 'NOT MET'} "
                    f"({peer} {t:.2f} s + {prep:.2f} s prepare / cjm-lab {base:.2f} s = {ratio:.2f}x; "
                    f"operation alone {t / base:.2f}x)"
                )
    elif n > BIG:
        r = res.get(("cjm_parquet", "all4"), {})
        if "seconds" not in r:
            print(
                f"  all 4 < 5 min from Parquet, DuckDB memory 4 GB: not measured ({r.get('error') or r.get('skipped')})"
            )
        else:
            ok = r["seconds"] < 300 and not r.get("error")
            print(
                f"  all 4 < 5 min from Parquet, DuckDB memory 4 GB: {'MET' if ok else 'NOT MET'} "
                f"({r['seconds']:.0f} s, {r['peak_mb']:,.0f} MB peak RSS)"
            )
    else:
        for method in ("cjm_pandas", "cjm_parquet"):
            r = res.get((method, "all4"), {})
            if "seconds" not in r:
                print(f"  all 4 < 30 s and < 4 GB   {METHODS[method][0]:<18} not measured")
                continue
            ok = r["seconds"] < 30 and r["peak_mb"] < 4000
            print(
                f"  all 4 < 30 s and < 4 GB   {METHODS[method][0]:<18} {'MET' if ok else 'NOT MET'} "
                f"({r['seconds']:.1f} s, {r['peak_mb']:,.0f} MB peak)"
            )


def print_versions(versions: dict[str, dict[str, str]]) -> None:
    print(
        "\nversions: "
        + "; ".join(
            f"{METHODS[m][0]}: " + ", ".join(f"{k} {v}" for k, v in vs.items()) for m, vs in versions.items() if vs
        )
    )


if __name__ == "__main__":
    main()

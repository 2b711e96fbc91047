"""Load: the report pipeline on a 10M-event log and 200,000 survey answers, the explorers on 1M events.

Issue 10, part 4. Three measurements, each printed as a table:

1. **Generation** — ``cjm-lab sample --format parquet --survey-responses N`` (the project's own
   generator, events as one Parquet part per 200,000 customers) into
   ``bench/data/load_<customers>c_<responses>r/``; generated when missing, never overwritten.
2. **Reports** — ``cjm-lab report NAME -p ...`` (the real CLI: runner, papermill, a fresh kernel)
   for ``survey_nps``, ``journeys`` and ``cx_overview`` on those files, each in its own process.
   Wall time, and the peak resident memory of the whole process tree (CLI + kernel + anything they
   start), sampled with psutil every 0.2 s, checked against ``--bound-gb``. The slowest cells of
   each executed notebook (papermill's per-cell durations) show where the time goes.
3. **Explorers** — the plain functions behind each control of the three explorers
   (``nps_view``, ``filter_responses``, ``journey_view``, ``cut_journeys``, ``fit_personas``,
   ``rename_personas``) on a log of about 1M events (``--explorer-customers``, 100,000 customers)
   and its survey (the same answers per customer as the big one), one call per update, timed
   with wall and CPU seconds; the goal is under 2 s, and a slower update must show progress.

Run (2 cores; the full run takes tens of minutes; the 10M-event data is about 0.2 GB of Parquet)::

    PYTHONPATH=. .venv/bin/python bench/bench_load.py                          # 1M customers ≈ 10M events, 200k answers
    PYTHONPATH=. .venv/bin/python bench/bench_load.py --customers 20000 --responses 4000 --explorer-customers 20000
    PYTHONPATH=. .venv/bin/python bench/bench_load.py --skip-reports           # explorers only

Exit status 1 when a report fails or its peak memory exceeds the bound.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORTS = ("survey_nps", "journeys", "cx_overview")
DRIVERS = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]
ATTITUDES = [
    "att_price",
    "att_digital",
    "att_advice",
    "att_quality",
    "att_brand",
    "att_eco",
    "att_convenience",
    "att_service",
]
STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]
GOAL_S = 2.0


# ------------------------------------------------------------------------------------ memory


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident bytes of a process and all its descendants, and of the largest single one."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    sizes = []
    for p in procs:
        try:
            sizes.append(p.memory_info().rss)
        except psutil.Error:
            pass
    return sum(sizes), max(sizes, default=0)


def run_measured(cmd: list[str], *, log: Path, interval: float = 0.2) -> dict[str, Any]:
    """Run ``cmd`` as a child process; wall time, exit code and peak RSS of its process tree."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.perf_counter()
    with log.open("a") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        peak_tree = peak_one = 0
        while proc.poll() is None:
            total, largest = tree_rss(proc.pid)
            peak_tree, peak_one = max(peak_tree, total), max(peak_one, largest)
            time.sleep(interval)
    return {
        "seconds": time.perf_counter() - started,
        "returncode": proc.returncode,
        "peak_gb": peak_tree / 1e9,
        "peak_process_gb": peak_one / 1e9,
    }


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} cores"


# ------------------------------------------------------------------------------------ data


def ensure_data(root: Path, customers: int, responses: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """``root/load_<customers>c_<responses>r`` written by ``cjm-lab sample`` when missing (never overwritten)."""
    folder = root / f"load_{customers}c_{responses}r"
    meta_path = folder / "bench_meta.json"
    if meta_path.exists():
        return folder, json.loads(meta_path.read_text())
    if folder.exists():
        raise SystemExit(f"{folder} exists without bench_meta.json (an interrupted generation?); delete it first.")
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    root.mkdir(parents=True, exist_ok=True)
    print(f"generating {customers:,} customers and ~{responses:,} survey answers into {folder} ...", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "cjm_lab.cli",
        "sample",
        "--customers",
        str(customers),
        "--seed",
        str(seed),
        "--format",
        "parquet",
        "--survey-responses",
        str(responses),
        "--out",
        str(folder),
    ]
    log = root / f"load_{customers}c_{responses}r.generate.log"
    run = run_measured(cmd, log=log)
    if run["returncode"] != 0:
        raise SystemExit(f"generation failed, see {log}")
    meta = {
        "customers": customers,
        "seed": seed,
        "survey_responses_asked": responses,
        "events": ds.dataset(folder / "events").count_rows(),
        "survey_responses": pq.ParquetFile(folder / "survey.parquet").metadata.num_rows,
        "generate_s": round(run["seconds"], 1),
        "generate_peak_gb": round(run["peak_gb"], 2),
        "disk_mb": round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1),
        "load": machine_load(),
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return folder, meta


# ------------------------------------------------------------------------------------ reports


def report_parameters(name: str, data: Path) -> dict[str, str]:
    """The parameters that point a report at the generated files (all other parameters: defaults)."""
    files = {
        "events_path": data / "events",
        "touchpoints_path": data / "touchpoints.parquet",
        "survey_path": data / "survey.parquet",
        "customers_path": data / "customers.parquet",
        "segments_path": data / "personas_truth.parquet",
    }
    wanted = {
        "survey_nps": ["survey_path"],
        "journeys": ["events_path", "touchpoints_path", "survey_path", "segments_path"],
        "cx_overview": ["events_path", "touchpoints_path", "survey_path", "customers_path"],
    }[name]
    return {key: str(files[key]) for key in wanted}


def slowest_cells(notebook: Path, top: int = 3) -> list[tuple[float, str]]:
    """Papermill's duration of the slowest code cells, with the analyses each cell calls."""
    import re

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell["cell_type"] != "code" or duration is None:
            continue
        source = "".join(cell["source"])
        calls = list(dict.fromkeys(re.findall(r"\b((?:io|journeys|survey|personas|plots)\.\w+)\(", source)))
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags:
            calls = ["parameters"]
        elif "remove_cell" in tags:  # the hidden setup cell: imports, then loading the data
            calls = ["setup: imports", *(c for c in calls if c.startswith("io."))]
        cells.append((float(duration), ", ".join(calls)[:90] or source.strip().splitlines()[0][:90]))
    return sorted(cells, reverse=True)[:top]


def run_reports(data: Path, names: list[str], *, bound_gb: float, timeout: int) -> tuple[list[dict[str, Any]], bool]:
    out = data / "reports"
    out.mkdir(exist_ok=True)
    rows, ok = [], True
    for name in names:
        params = report_parameters(name, data)
        cmd = [
            sys.executable,
            "-m",
            "cjm_lab.cli",
            "report",
            name,
            "--out",
            str(out),
            "--quiet",
            "--timeout",
            str(timeout),
            "--label",
            "load",
        ]
        for key, value in params.items():
            cmd += ["-p", f"{key}={value}"]
        print(f"report {name} ...", flush=True)
        log = out / f"{name}.log"
        run = run_measured(cmd, log=log)
        run.update(name=name, load=machine_load(), cells=[])
        if run["returncode"] == 0:
            folder = max((p for p in out.glob(f"*_{name}_load*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
            run["cells"] = slowest_cells(folder / f"{name}.ipynb")
            run["folder"] = str(folder)
        else:
            ok = False
            print(f"  FAILED (exit {run['returncode']}), see {log}", flush=True)
        if run["peak_gb"] > bound_gb:
            ok = False
        rows.append(run)
        print(f"  {run['seconds']:.0f} s, peak {run['peak_gb']:.2f} GB ({run['load']})", flush=True)
    return rows, ok


def report_table(rows: list[dict[str, Any]], bound_gb: float) -> str:
    lines = [
        f"{'report':<14}{'wall s':>9}{'peak GB (tree)':>16}{'largest proc GB':>17}{'bound':>8}  result",
        f"(peak = resident memory of the CLI, the kernel and their children together; bound {bound_gb:g} GB)",
    ]
    for r in rows:
        verdict = (
            "ok"
            if r["returncode"] == 0 and r["peak_gb"] <= bound_gb
            else ("FAILED" if r["returncode"] else "OVER BOUND")
        )
        lines.append(
            f"{r['name']:<14}{r['seconds']:>9.1f}{r['peak_gb']:>16.2f}{r['peak_process_gb']:>17.2f}"
            f"{bound_gb:>8g}  {verdict}"
        )
        for seconds, text in r["cells"]:
            lines.append(f"{'':<16}cell {seconds:7.1f} s  {text}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ explorers


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds (this process, all threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def explorer_data(data: Path) -> dict[str, Any]:
    """The tables the explorers get: events and answers with each customer's persona, customers."""
    import pandas as pd

    from cjm_lab import io

    catalogue = io.load_touchpoints(data / "touchpoints.parquet")
    seconds, _, events = timed(lambda: io.load_events(data / "events", touchpoints=catalogue))
    personas = pd.read_parquet(data / "personas_truth.parquet")
    events = events.merge(personas, on="customer_id", how="left")
    survey = io.load_survey(data / "survey.parquet")
    answers = survey.merge(personas, on="customer_id", how="left")
    customers = io.load_customers(data / "customers.parquet")
    size = events.memory_usage(deep=True).sum() / 1e9
    print(
        f"explorer data: {len(events):,} events, {len(answers):,} answers, {len(customers):,} customers "
        f"(load_events into pandas: {seconds:.1f} s, {size:.2f} GB in pandas with the persona column)",
        flush=True,
    )
    return {"catalogue": catalogue, "events": events, "survey": survey, "answers": answers, "customers": customers}


def explorer_updates(d: dict[str, Any]) -> list[dict[str, Any]]:
    """Time the plain function of every explorer update on one generated sample."""
    from cjm_lab import widgets as wg

    catalogue, events, survey, answers, customers = (
        d[k] for k in ("catalogue", "events", "survey", "answers", "customers")
    )
    stages = list(dict.fromkeys(catalogue["stage"]))
    rows: list[dict[str, Any]] = []

    def add(explorer: str, control: str, function: str, fn: Callable[[], Any], progress: str = "bar") -> Any:
        wall, cpu, result = timed(fn)
        rows.append(
            {
                "explorer": explorer,
                "control": control,
                "function": function,
                "seconds": wall,
                "cpu": cpu,
                "progress": progress,
            }
        )
        print(f"  {explorer:<8}{control:<34}{wall:7.2f} s", flush=True)
        return result

    # NPS explorer: every control recomputes nps_view (NPS, segments, drivers) on the filtered answers
    nps = {"by": "persona", "weight": "weight", "drivers": DRIVERS, "dont_know": 99}
    add("NPS", "open (by persona, all waves)", "nps_view", lambda: wg.nps_view(answers, **nps))
    add("NPS", "waves = [2]", "nps_view", lambda: wg.nps_view(answers, waves=[2], **nps))
    add("NPS", "persona filter", "nps_view", lambda: wg.nps_view(answers, where={"persona": "price_hunter"}, **nps))
    add(
        "NPS",
        "date range (2 months)",
        "nps_view",
        lambda: wg.nps_view(answers, date_range=("2025-07-01", "2025-08-31"), **nps),
    )
    add("NPS", "weighted off", "nps_view", lambda: wg.nps_view(answers, **{**nps, "weight": None}))
    add(
        "NPS",
        "(filter only)",
        "filter_responses",
        lambda: wg.filter_responses(answers, waves=[2], where={"persona": "price_hunter"}),
        "(part of the above)",
    )

    # Journey explorer: parts recomputed as journey_explorer does
    jv = {"touchpoints": catalogue, "survey": survey, "by": "persona", "steps": STEPS, "window": "30D"}
    view = add(
        "Journey",
        "open (paths, funnel, pain points)",
        "journey_view",
        lambda: wg.journey_view(events, **jv),
        "named steps (3)",
    )
    add(
        "Journey",
        "from = Cart",
        "journey_view[paths]",
        lambda: wg.journey_view(events, start="Cart", parts=["paths"], previous=view, **jv),
        "named step (1)",
    )
    add(
        "Journey",
        "from Website to Order confirmation",
        "journey_view[paths]",
        lambda: wg.journey_view(
            events, start="Website", end="Order confirmation", parts=["paths"], previous=view, **jv
        ),
        "named step (1)",
    )
    add(
        "Journey",
        "(cut only: from Cart)",
        "cut_journeys",
        lambda: wg.cut_journeys(events, start="Cart"),
        "(part of the above)",
    )
    add(
        "Journey",
        "window = 7D",
        "journey_view[funnel]",
        lambda: wg.journey_view(events, parts=["funnel"], previous=view, **{**jv, "window": "7D"}),
        "named step (1)",
    )
    add(
        "Journey",
        "segment = price_hunter",
        "journey_view",
        lambda: wg.journey_view(events, segment="price_hunter", **jv),
        "named steps (3)",
    )
    add(
        "Journey",
        "level = stage",
        "journey_view",
        lambda: wg.journey_view(events, level="stage", **{**jv, "steps": stages}),
        "named steps (3)",
    )

    # Persona explorer
    steps: list[str] = []
    common = {"variables": ATTITUDES, "survey": survey, "channel": "preferred_channel", "k_range": range(2, 8)}
    fit = add("Persona", "k = 5", "fit_personas", lambda: wg.fit_personas(customers, k=5, **common), "named steps (3)")
    add("Persona", "rename a persona", "rename_personas", lambda: wg.rename_personas(fit, {0: "Schnäppchenjäger"}))
    add(
        "Persona",
        "algorithm = kmeans, k = 5",
        "fit_personas",
        lambda: wg.fit_personas(customers, k=5, algorithm="kmeans", **common),
        "named steps (3)",
    )
    add(
        "Persona",
        "k = auto (choose_k, 2-7)",
        "fit_personas",
        lambda: wg.fit_personas(customers, k="auto", progress=lambda d, t, s: steps.append(s), **common),
        "named steps (4)",
    )
    return rows


def widget_updates(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The explorers themselves (analysis and drawing, as a user waits): their own update timings."""
    from cjm_lab import widgets as wg

    rows: list[dict[str, Any]] = []

    def drive(name: str, ex: Any, changes: list[tuple[str, Any]]) -> None:
        labels = ["open"]
        for control, value in changes:
            ex.controls[control].value = value
            labels.append(f"{control} = {value}")
        if ex.error:
            print(f"  {name}: {ex.error}", flush=True)
        for label, (what, wall, cpu) in zip(labels, ex.timings, strict=False):
            rows.append({"explorer": name, "control": label, "function": what, "seconds": wall, "cpu": cpu})
            print(f"  {name:<8}{label:<34}{wall:7.2f} s  ({what})", flush=True)

    drive(
        "NPS",
        wg.nps_explorer(
            d["answers"],
            by=["persona", "wave"],
            persona="persona",
            weight="weight",
            drivers=DRIVERS,
            dont_know=99,
        ),
        [("waves", (2,)), ("persona", "price_hunter"), ("weighted", False), ("segment", "wave")],
    )
    drive(
        "Journey",
        wg.journey_explorer(d["events"], touchpoints=d["catalogue"], survey=d["survey"], by="persona", steps=STEPS),
        [("start", "Cart"), ("window", "7D"), ("segment", "price_hunter"), ("segment", wg.ALL), ("level", "stage")],
    )
    drive(
        "Persona",
        wg.persona_explorer(d["customers"], variables=ATTITUDES, k=5, survey=d["survey"], channel="preferred_channel"),
        [("algorithm", "kmeans"), ("k", 4), ("k", "auto")],
    )
    return rows


def explorer_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        (
            f"{'explorer':<9}{'control changed':<37}{'plain function':<22}{'wall s':>8}{'CPU s':>8}  "
            f"{'< 2 s':<6}progress bar"
        ),
        (
            "(analysis only; the widget adds drawing. Every update shows a progress bar in the status line; "
            "journey updates and persona fits name their steps)"
        ),
    ]
    for r in rows:
        goal = "yes" if r["seconds"] < GOAL_S else "NO"
        lines.append(
            f"{r['explorer']:<9}{r['control']:<37}{r['function']:<22}{r['seconds']:>8.2f}{r['cpu']:>8.2f}"
            f"  {goal:<6}{r['progress']}"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--customers", type=int, default=1_000_000, help="customers of the big sample (≈10 events each)"
    )
    parser.add_argument("--responses", type=int, default=200_000, help="survey answers of the big sample (expected)")
    parser.add_argument(
        "--explorer-customers",
        type=int,
        default=100_000,
        help="customers of the explorer sample (≈1M events); its survey has the same answers per "
        "customer as the big one",
    )
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument("--reports", default=",".join(REPORTS), help="comma-separated report names")
    parser.add_argument("--bound-gb", type=float, default=8.0, help="peak memory a report may use (default 8 GB)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds a report cell may run")
    parser.add_argument(
        "--memory-limit",
        help="DuckDB memory limit of every journey query in the reports (sets "
        "$CJM_LAB_MEMORY_LIMIT for the kernels, e.g. 2GB; default: DuckDB's "
        "80%% of RAM); beyond it DuckDB spills to a temporary folder",
    )
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where the load_* folders go")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--skip-explorers", action="store_true")
    parser.add_argument("--skip-widgets", action="store_true", help="time the plain functions only, not the widgets")
    parser.add_argument("--json", type=Path, help="also write all numbers to this JSON file")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"machine": machine_load(), "memory_limit": args.memory_limit}
    ok = True

    def save() -> None:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))

    if not args.skip_reports:
        if args.memory_limit:
            os.environ["CJM_LAB_MEMORY_LIMIT"] = args.memory_limit  # the report processes and kernels inherit it
            print(f"DuckDB memory limit of the reports: {args.memory_limit}", flush=True)
        folder, meta = ensure_data(args.data, args.customers, args.responses, args.seed)
        results["data"] = meta
        print(
            f"\ndata: {meta['events']:,} events, {meta['survey_responses']:,} survey answers, "
            f"{meta['customers']:,} customers; generated in {meta['generate_s']} s, peak {meta['generate_peak_gb']} GB,"
            f" {meta['disk_mb']} MB on disk ({meta['load']})",
            flush=True,
        )
        rows, ok = run_reports(
            folder, [n for n in args.reports.split(",") if n], bound_gb=args.bound_gb, timeout=args.timeout
        )
        for row in rows:
            row["memory_limit"] = args.memory_limit
        results["reports"] = rows
        if args.memory_limit:
            del os.environ["CJM_LAB_MEMORY_LIMIT"]  # the explorers below run without it
        save()
        print("\n" + report_table(rows, args.bound_gb), flush=True)
    if not args.skip_explorers:
        n = args.explorer_customers
        responses = max(1, round(args.responses / args.customers * n))
        folder, meta = ensure_data(args.data, n, responses, args.seed)
        results["explorer_data"] = meta
        print(
            f"\nexplorers on {meta['events']:,} events / {meta['survey_responses']:,} answers ({machine_load()})",
            flush=True,
        )
        tables = explorer_data(folder)
        rows = explorer_updates(tables)
        results["explorers"] = rows
        slow = [r for r in rows if r["seconds"] >= GOAL_S]
        print("\n" + explorer_table(rows), flush=True)
        print(
            f"\n{len(rows) - len(slow)} of {len(rows)} updates under {GOAL_S:g} s; median "
            f"{statistics.median(r['seconds'] for r in rows):.2f} s ({machine_load()})"
        )
        if not args.skip_widgets:
            print("\nthe explorers themselves (analysis + drawing, from Explorer.timings):", flush=True)
            results["widgets"] = widget_updates(tables)
    save()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""cjm-lab's journey analyses in two checkouts of the code, measured in the same run.

Runs the cjm-lab operations of ``bench_journeys.py`` (``variants``, ``transitions``, ``funnel``,
``pain_points`` and the ``all 4`` target, on pandas and on Parquet) once per checkout in every
round, each in its own child process with ``PYTHONPATH`` pointing at that checkout, alternating
which checkout goes first from round to round, on the same generated data; and prints per
operation the median wall time and CPU time (all threads of the child) of each checkout and
their ratio.  Meant for "is the change as fast as before?": a shared machine's load moves wall
times, so the CPU time (the work done) is shown beside them.

Run::

    git worktree add /tmp/engine-before <commit>
    .venv/bin/python bench/compare_checkouts.py --checkout before=/tmp/engine-before --checkout after=. \\
        --sizes 1e6 --rounds 3 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_journeys as bj  # noqa: E402 - the benchmark next to this file


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkout", action="append", required=True, help="LABEL=PATH of a checkout (twice or more)")
    ap.add_argument("--sizes", default="1e6", help="event counts, comma-separated (default 1e6)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each runs every checkout once per operation")
    ap.add_argument("--repeat", type=int, default=3, help="runs per child; the median is taken")
    ap.add_argument("--methods", default="cjm_pandas,cjm_parquet")
    ap.add_argument("--ops", default="variants,transitions,funnel,pain_points,all4")
    ap.add_argument("--memory-limit", default="1e7=2GB", help="DuckDB memory limit per size, as in bench_journeys")
    ap.add_argument("--temp-dir", default=str(bj.DATA / "duckdb_tmp"))
    ap.add_argument("--seed", type=int, default=20260)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--json", help="also write the measurements to this JSON file")
    args = ap.parse_args()
    checkouts = dict(c.split("=", 1) for c in args.checkout)
    checkouts = {label: str(Path(path).resolve()) for label, path in checkouts.items()}
    methods = args.methods.split(",")
    ops = args.ops.split(",")
    limits = {int(float(k)): v for k, _, v in (x.partition("=") for x in args.memory_limit.split(",") if x)}
    labels = list(checkouts)
    out: dict[str, Any] = {}
    for size in (int(float(s)) for s in args.sizes.split(",")):
        events, meta = bj.ensure_data(size, args.seed)
        engine = {"temp_directory": args.temp_dir, **({"memory_limit": limits[size]} if size in limits else {})}
        print(
            f"{meta['events']:,} events ({bj.size_label(size)}), {args.rounds} rounds x {args.repeat} runs", flush=True
        )
        runs: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for r in range(args.rounds):
            order = labels if r % 2 == 0 else labels[::-1]
            for method in methods:
                for op in ops:
                    for label in order:
                        # the child imports this checkout (run_child puts bench_journeys.ROOT first)
                        bj.ROOT = Path(checkouts[label])
                        os.environ["PYTHONPATH"] = checkouts[label]
                        payload = {
                            "method": method,
                            "op": op,
                            "events": str(events),
                            "repeat": args.repeat,
                            "slow": 1e9,
                            "engine": engine,
                        }
                        res = bj.run_child(args.python, payload, timeout=args.timeout, max_rss_mb=16_000)
                        if res.get("error"):
                            raise SystemExit(f"{label} {method} {op}: {res['error']}")
                        runs.setdefault((method, op, label), []).append(res)
                        print(
                            f"  round {r + 1} {method:<12} {op:<12} {label:<8} {res['seconds']:7.2f} s "
                            f"(cpu {statistics.median(res['cpu']):6.2f} s)",
                            flush=True,
                        )
        table = []
        for method in methods:
            for op in ops:
                row: dict[str, Any] = {"method": method, "op": op}
                for label in labels:
                    times = [t for res in runs[(method, op, label)] for t in res["times"]]
                    cpus = [t for res in runs[(method, op, label)] for t in res["cpu"]]
                    row[f"{label}_s"] = statistics.median(times)
                    row[f"{label}_cpu_s"] = statistics.median(cpus)
                a, b = labels[0], labels[-1]
                row["wall_ratio"] = row[f"{b}_s"] / row[f"{a}_s"]
                row["cpu_ratio"] = row[f"{b}_cpu_s"] / row[f"{a}_cpu_s"]
                table.append(row)
        head = "".join(f"{label + ' s':>12}{label + ' cpu':>12}" for label in labels)
        print(f"\n{'method':<12} {'operation':<12}{head}{'wall ' + labels[-1] + '/' + labels[0]:>18}{'cpu ratio':>11}")
        for row in table:
            cells = "".join(f"{row[f'{label}_s']:>12.2f}{row[f'{label}_cpu_s']:>12.2f}" for label in labels)
            print(f"{row['method']:<12} {row['op']:<12}{cells}{row['wall_ratio']:>18.3f}{row['cpu_ratio']:>11.3f}")
        out[str(size)] = {"events": meta["events"], "rows": table}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark of cjm_lab.journeys.sequential_patterns beside the MIT-licensed ``prefixspan`` package.

Data (5 % minimum support, patterns of up to ``--max-length`` touchpoints):

* ``sample 1M events``   the Nordlicht Home generator, ``--customers`` customers (100,000 give
                         ~0.99M events), one journey per customer;
* ``sample sessions``    the generator with 20,000 customers, one journey per session
                         (``session_id``): ~119k sessions, like the 119k sessions of the stack notes;
* ``BPIC 2012``          the loan applications of ``data/real/bpic2012_loan_journeys.csv.gz``
                         (13,087 journeys, 262,200 events; long journeys with many repeats).

cjm-lab is timed end to end (events DataFrame → SQL variants → miner → tidy table) and for the
miner alone (on the variants the engine returned); prefixspan gets ready lists of touchpoints
per journey (the same journeys, from ``build_journeys``); making those lists is timed apart
and added only in the "e2e" ratio.  Each result is checked: the same patterns with the same supports.
prefixspan runs once
when a run takes longer than 10 s, else the median of ``--repeat``; cjm-lab is the median of
``--repeat``.  gsppy (misses repeated-event patterns) and effspm (returns patterns below the
threshold) are not compared: they do not give the same answer (see ../shared/STACK-NOTES.md).

Run ``.venv/bin/python bench/bench_patterns.py`` (``--customers``, ``--repeat``,
``--max-length``, ``--min-support``; ``--no-unlimited`` skips the second, longer runs: no length
limit on the samples, 5 on BPIC, where prefixspan needs minutes).
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BPIC = ROOT / "data" / "real" / "bpic2012_loan_journeys.csv.gz"
XES = {"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}


def timed(fn: Callable[[], Any], repeat: int, slow: float = 10.0) -> tuple[float, Any, int]:
    """Median wall time over ``repeat`` runs (one run when the first takes longer than ``slow``)."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        if times[0] > slow:
            break
    return statistics.median(times), result, len(times)


def datasets(customers: int) -> list[tuple[str, pd.DataFrame, dict[str, Any], int | None]]:
    """Name, events, journey options, and the longer second pattern length to time (None: no limit)."""
    from cjm_lab.io import load_events
    from cjm_lab.sample import make_sample

    out = [
        (f"sample {customers:,} customers", make_sample(customers=customers, random_state=1).events, {}, None),
        (
            "sample sessions (20,000 customers)",
            make_sample(customers=20_000, random_state=1).events,
            {"journey": "session"},
            None,
        ),
    ]
    if BPIC.is_file():
        # BPIC's long, repetitive journeys have 1.26M frequent patterns of up to 8 touchpoints at
        # 5 %: without a limit every miner drowns in output, so the second run stops at 5
        out.append(("BPIC 2012 loan applications", load_events(BPIC, columns=XES), {}, 5))
    else:
        print(f"(BPIC 2012 skipped: {BPIC} is not there)")
    return out


def run_one(
    name: str, events: pd.DataFrame, options: dict[str, Any], *, min_support: float, max_length: int | None, repeat: int
) -> dict[str, Any]:
    import importlib

    from prefixspan import PrefixSpan

    from cjm_lab.journeys import build_journeys

    # the module (cjm_lab.journeys.patterns is the deprecated function name, not the module)
    patterns = importlib.import_module("cjm_lab.journeys.patterns")

    # cjm-lab end to end
    ours_s, table, ours_runs = timed(
        lambda: patterns.sequential_patterns(events, min_support=min_support, max_length=max_length, **options), repeat
    )
    # the miner alone, on the variants the engine returned (captured from one call)
    captured: dict[str, Any] = {}
    original = patterns._mine

    def capture(*args: Any, **kwargs: Any) -> Any:
        captured["call"] = (args, kwargs)
        return original(*args, **kwargs)

    patterns._mine = capture
    try:
        patterns.sequential_patterns(events, min_support=min_support, max_length=max_length, **options)
    finally:
        patterns._mine = original
    args, kwargs = captured["call"]
    mine_s, _, _ = timed(lambda: original(*args, **kwargs), repeat)
    n_variants = len(args[1])

    # prefixspan on the same journeys, as lists of touchpoints (their making is timed apart)
    def lists() -> tuple[pd.DataFrame, list[list[str]]]:
        frame = build_journeys(events, **options)
        return frame, frame.groupby("journey_id", sort=False)["touchpoint"].agg(list).tolist()

    prep_s, (journeys, seqs), _ = timed(lists, repeat)
    need = math.ceil(round(min_support * len(seqs), 6))

    def prefixspan() -> list:
        ps = PrefixSpan(seqs)
        ps.maxlen = max_length or 10_000
        return ps.frequent(need)

    ps_s, found, ps_runs = timed(prefixspan, repeat)
    theirs = {" > ".join(p): s for s, p in found}
    same = dict(zip(table["pattern"], table["n_journeys"])) == theirs
    return {
        "data": name,
        "max_length": max_length or "none",
        "journeys": len(seqs),
        "variants": n_variants,
        "events": len(journeys),
        "patterns": len(table),
        "cjm_s": ours_s,
        "cjm_runs": ours_runs,
        "miner_s": mine_s,
        "prefixspan_s": ps_s,
        "ps_runs": ps_runs,
        "prep_s": prep_s,
        "identical": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--min-support", type=float, default=0.05)
    parser.add_argument("--max-length", type=int, default=4)
    parser.add_argument(
        "--no-unlimited",
        action="store_true",
        help="skip the second, longer runs (no length limit; prefixspan takes ~11 min there)",
    )
    args = parser.parse_args()
    from importlib.metadata import version

    print(
        f"Python {platform.python_version()}, {platform.machine()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, duckdb {version('duckdb')}, prefixspan {version('prefixspan')}"
    )
    print(f"minimum support {args.min_support:.0%}\n")
    rows = []
    for name, events, options, longer in datasets(args.customers):
        lengths = [args.max_length] + ([] if args.no_unlimited or longer == args.max_length else [longer])
        for max_length in lengths:
            row = run_one(
                name, events, options, min_support=args.min_support, max_length=max_length, repeat=args.repeat
            )
            rows.append(row)
            print(
                f"  done: {row['data']}, max length {row['max_length']}: cjm-lab {row['cjm_s']:.2f} s, "
                f"prefixspan {row['prefixspan_s']:.2f} s",
                flush=True,
            )
    print()
    head = (
        f"{'data':<36}{'max len':>8}{'journeys':>10}{'variants':>10}{'events':>11}{'patterns':>10}"
        f"{'cjm-lab s':>11}{'miner s':>9}{'prefixspan s':>14}{'+ lists s':>11}{'ratio':>8}{'ratio e2e':>11}"
        f"{'ratio miner':>13}  same"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ps = f"{r['prefixspan_s']:.2f}" + ("*" if r["ps_runs"] == 1 else " ")
        print(
            f"{r['data']:<36}{r['max_length']!s:>8}{r['journeys']:>10,}{r['variants']:>10,}{r['events']:>11,}"
            f"{r['patterns']:>10,}{r['cjm_s']:>11.2f}{r['miner_s']:>9.3f}{ps:>14}{r['prep_s']:>11.2f}"
            f"{r['prefixspan_s'] / r['cjm_s']:>8.1f}{(r['prefixspan_s'] + r['prep_s']) / r['cjm_s']:>11.1f}"
            f"{r['prefixspan_s'] / r['miner_s']:>13.1f}  "
            f"{'yes' if r['identical'] else 'NO'}"
        )
    print(
        "\nratio: prefixspan / cjm-lab end to end (events -> tidy table), prefixspan getting ready lists;\n"
        "ratio e2e: (making the lists with build_journeys + prefixspan) / cjm-lab end to end;\n"
        "ratio miner: prefixspan / cjm-lab's miner on the variants; * = prefixspan ran once."
    )


if __name__ == "__main__":
    main()

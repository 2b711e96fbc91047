"""Cross-check cjm_lab.journeys against pm4py on the real event logs: variants and directly-follows.

For each log in ``data/real/`` (BPI Challenge 2012 loan applications, help-desk tickets):

* cjm-lab loads it with ``cjm_lab.io.load_events`` (``case:concept:name`` → customer_id,
  ``time:timestamp`` → timestamp, ``concept:name`` → touchpoint) and computes ``variants`` and
  ``transitions`` with de-duplication and truncation off (``dedupe=False``; no ``until_conversion``);
* pm4py reads the same CSV, with ``concept:name`` alone as the activity (no lifecycle
  classifier), timestamps parsed to UTC (the files mix +01:00/+02:00 offsets), and computes
  ``pm4py.get_variants``, ``pm4py.discover_dfg`` (with its start and end activities).

Every variant's count and every directly-follows pair's count must be identical (and the
start/end activity counts, which cjm-lab gives as ``(start)``/``(exit)`` transitions).  Prints
the comparison and exits 1 on any difference, 2 when pm4py is missing.

pm4py is AGPL: it lives only in the peers venv.  Run::

    bash bench/setup_peers.sh
    bench/.venv-peers/bin/python bench/crosscheck_pm4py.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
LOGS = {
    "bpic2012_loan_journeys.csv.gz": {"journeys": 13_087, "events": 262_200},
    "helpdesk_ticket_journeys.csv.gz": {"journeys": 4_580, "events": 21_348},
}
COLUMNS = {"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}


def _diff(name: str, ours: dict, theirs: dict, show: int = 5) -> list[str]:
    """Lines describing every difference between two count dictionaries (empty when identical)."""
    lines = []
    only_ours = sorted(set(ours) - set(theirs), key=str)
    only_theirs = sorted(set(theirs) - set(ours), key=str)
    other = sorted((k for k in set(ours) & set(theirs) if ours[k] != theirs[k]), key=str)
    if only_ours:
        lines.append(
            f"    {name}: {len(only_ours)} only in cjm-lab, e.g. "
            + "; ".join(f"{k!r}={ours[k]}" for k in only_ours[:show])
        )
    if only_theirs:
        lines.append(
            f"    {name}: {len(only_theirs)} only in pm4py, e.g. "
            + "; ".join(f"{k!r}={theirs[k]}" for k in only_theirs[:show])
        )
    if other:
        lines.append(
            f"    {name}: {len(other)} with other counts, e.g. "
            + "; ".join(f"{k!r}: cjm-lab {ours[k]} vs pm4py {theirs[k]}" for k in other[:show])
        )
    return lines


def check_log(path: Path, expected: dict[str, int] | None) -> bool:
    import pm4py

    from cjm_lab.io import load_events
    from cjm_lab.journeys import EXIT, PATH_SEPARATOR, START, transitions, variants

    print(f"\n{path.name}")
    t0 = time.perf_counter()
    ev = load_events(path, columns=COLUMNS)
    var = variants(ev, dedupe=False)
    tr = transitions(ev, dedupe=False)
    t_cjm = time.perf_counter() - t0

    t0 = time.perf_counter()
    raw = pd.read_csv(path, dtype={"case:concept:name": str, "concept:name": str})
    raw["time:timestamp"] = pd.to_datetime(raw["time:timestamp"], utc=True, format="ISO8601")
    with contextlib.redirect_stdout(io.StringIO()):
        log = pm4py.format_dataframe(
            raw, case_id="case:concept:name", activity_key="concept:name", timestamp_key="time:timestamp"
        )
    keys = {"activity_key": "concept:name", "case_id_key": "case:concept:name", "timestamp_key": "time:timestamp"}
    pm_variants = pm4py.get_variants(log, **keys)
    dfg, starts, ends = pm4py.discover_dfg(log, **keys)
    t_pm = time.perf_counter() - t0

    ok = True
    activities = set(log["concept:name"].astype(str))
    clash = [a for a in activities if PATH_SEPARATOR in a]
    if clash:
        print(f"  WARNING: activities contain the path separator {PATH_SEPARATOR!r}: {clash[:3]}")

    n_journeys, n_events = int(var["n_journeys"].sum()), len(ev)
    pm_journeys = sum(int(v if isinstance(v, int) else len(v)) for v in pm_variants.values())
    line = (
        f"  journeys: cjm-lab {n_journeys:,}, pm4py {pm_journeys:,}; events: cjm-lab {n_events:,}, pm4py {len(log):,}"
    )
    if expected:
        line += f" (expected {expected['journeys']:,} / {expected['events']:,})"
        ok &= n_journeys == expected["journeys"] and n_events == expected["events"]
    ok &= n_journeys == pm_journeys and n_events == len(log)
    print(line)

    ours_v = dict(zip(var["path"], var["n_journeys"].astype(int)))
    theirs_v = {PATH_SEPARATOR.join(k): int(v if isinstance(v, int) else len(v)) for k, v in pm_variants.items()}
    lines = _diff("variants", ours_v, theirs_v)
    ok &= not lines
    print(
        f"  variants: {len(ours_v):,} in cjm-lab, {len(theirs_v):,} in pm4py — "
        + ("every count identical" if not lines else "DIFFERENT")
    )
    print("\n".join(lines)) if lines else None

    inner = tr[(tr["source"] != START) & (tr["target"] != EXIT)]
    ours_d = {(s, t): int(n) for s, t, n in zip(inner["source"], inner["target"], inner["n"])}
    theirs_d = {(a, b): int(n) for (a, b), n in dfg.items()}
    lines = _diff("directly-follows", ours_d, theirs_d)
    first = tr[tr["source"] == START]
    last = tr[tr["target"] == EXIT]
    lines += _diff(
        "start activities", dict(zip(first["target"], first["n"].astype(int))), {k: int(v) for k, v in starts.items()}
    )
    lines += _diff(
        "end activities", dict(zip(last["source"], last["n"].astype(int))), {k: int(v) for k, v in ends.items()}
    )
    ok &= not lines
    print(
        f"  directly-follows: {len(ours_d):,} pairs / {sum(ours_d.values()):,} transitions in cjm-lab, "
        f"{len(theirs_d):,} / {sum(theirs_d.values()):,} in pm4py — "
        + ("every count identical (start and end activities too)" if not lines else "DIFFERENT")
    )
    print("\n".join(lines)) if lines else None
    print(f"  time: cjm-lab load+variants+transitions {t_cjm:.2f} s; pm4py read+format+variants+dfg {t_pm:.2f} s")
    if not ok:
        # a hint for order-dependent differences: exact duplicates and equal timestamps in the log
        dup = Counter(zip(ev["customer_id"], ev["timestamp"], ev["touchpoint"]))
        ties = ev.duplicated(["customer_id", "timestamp"]).sum()
        print(
            f"  hint: {sum(c - 1 for c in dup.values() if c > 1):,} exact duplicate events, "
            f"{int(ties):,} events sharing a timestamp with an earlier one of the same journey"
        )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "logs",
        nargs="*",
        help="CSV logs with case:concept:name, concept:name, time:timestamp (default: the two real logs in data/real)",
    )
    args = ap.parse_args()
    try:
        # pm4py prints a licence banner on import
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import pm4py  # noqa: F401
    except ImportError:
        print("pm4py is not installed here: run bash bench/setup_peers.sh and use bench/.venv-peers/bin/python")
        return 2
    from importlib.metadata import version

    print(
        f"cross-check cjm-lab {version('cjm-lab')} against pm4py {version('pm4py')} "
        f"(pandas {version('pandas')}, duckdb {version('duckdb')})"
    )
    paths = [Path(p) for p in args.logs] or [ROOT / "data" / "real" / name for name in LOGS]
    results = {}
    for path in paths:
        if not path.exists():
            print(f"\n{path}: MISSING")
            results[path.name] = False
            continue
        results[path.name] = check_log(path, LOGS.get(path.name))
    print("\nresult: " + ", ".join(f"{k} {'OK' if v else 'DIFFERENT'}" for k, v in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark of cjm-lab in turn (``make bench``); each prints its own table of ratios.

The journey benchmark against retentioneering, pm4py and polars needs the peers' venv:
``bash bench/setup_peers.sh`` first (it installs them into ``bench/.venv-peers``, never into the
project's environment: pm4py is AGPL). Pass ``--quick`` to skip the slow 10M-event sizes (the load
benchmark then runs its reports on 2M events).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    quick = "--quick" in sys.argv
    scripts = [
        ["bench_nps.py"],
        ["bench_drivers.py"],
        ["bench_personas.py"],
        ["bench_patterns.py"],
        ["bench_spark.py", "--sizes", "1e6" if quick else "1e6,1e7"],
        ["bench_load.py", *(["--customers", "200000", "--responses", "40000"] if quick else [])],
    ]
    peers = HERE / ".venv-peers" / "bin" / "python"
    failed = 0
    for script in scripts:
        print(f"\n=== {script[0]} ===", flush=True)
        failed += subprocess.call([sys.executable, str(HERE / script[0]), *script[1:]]) != 0
    if peers.exists():
        sizes = "1e6" if quick else "1e6,1e7"
        print("\n=== bench_journeys.py (peers venv) ===", flush=True)
        failed += subprocess.call([str(peers), str(HERE / "bench_journeys.py"), "--sizes", sizes]) != 0
        print("\n=== crosscheck_pm4py.py (peers venv) ===", flush=True)
        failed += subprocess.call([str(peers), str(HERE / "crosscheck_pm4py.py")]) != 0
    else:
        print("\nbench_journeys.py skipped: run `bash bench/setup_peers.sh` to install the peers first.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

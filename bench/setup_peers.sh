#!/usr/bin/env bash
# Create bench/.venv-peers (if missing) with cjm-lab (editable, with its dependencies)
# and the peers of bench/requirements-peers.txt: retentioneering 5.x, pm4py 2.7, polars, psutil.
#
# The peers never go into the project venv (.venv): pm4py is AGPL and retentioneering
# sends usage telemetry unless RETENTIONEERING_NO_TRACK=1 (set below and in the bench scripts).
#
# Usage: bash bench/setup_peers.sh            (from the repository root or anywhere)
#        PEERS_EXTRA_PINS="pandas<3" bash bench/setup_peers.sh   (extra pins for this venv only)
set -euo pipefail
export RETENTIONEERING_NO_TRACK=1
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VENV="$HERE/.venv-peers"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# One resolver run for cjm-lab and the peers so every pin is satisfied together.
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet -e "$ROOT" -r "$HERE/requirements-peers.txt" ${PEERS_EXTRA_PINS:+$PEERS_EXTRA_PINS}

echo "peer venv ready: $VENV"
"$VENV/bin/python" - <<'PY'
import importlib, importlib.metadata as md, os
os.environ.setdefault("RETENTIONEERING_NO_TRACK", "1")
for dist, mod in [("cjm-lab", "cjm_lab.journeys"), ("pandas", "pandas"), ("numpy", "numpy"),
                  ("duckdb", "duckdb"), ("pyarrow", "pyarrow"), ("polars", "polars"),
                  ("psutil", "psutil"), ("pm4py", "pm4py"), ("retentioneering", "retentioneering")]:
    try:
        version = md.version(dist)
    except md.PackageNotFoundError:
        print(f"  {dist:<16} NOT INSTALLED")
        continue
    try:
        importlib.import_module(mod)
        status = "imports"
    except Exception as exc:  # report, do not stop: the bench skips a peer that fails
        status = f"IMPORT FAILS: {type(exc).__name__}: {str(exc).splitlines()[0][:150]}"
    print(f"  {dist:<16} {version:<12} {status}")
PY

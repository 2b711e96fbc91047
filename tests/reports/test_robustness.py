"""Runs that are killed or started together never damage earlier runs or each other."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = pytest.mark.notebook


@pytest.fixture
def slow_books(tmp_path):
    params = new_code_cell('seconds: float = 0.0  # help: how long to work\noutput_dir: str = ""  # help: runner')
    params.metadata["tags"] = ["parameters"]
    work = new_code_cell(
        "import time, pathlib\n"
        "pathlib.Path(output_dir, 'partial.txt').write_text('half written')\n"
        "time.sleep(seconds)\nprint('done')"
    )
    nb = new_notebook(cells=[params, work])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nb, folder / "slow.ipynb")
    return folder


def _cli(books, out, *args):
    env = {**os.environ, "CJM_LAB_NOTEBOOKS": str(books)}
    return subprocess.Popen(
        [sys.executable, "-m", "cjm_lab.cli", "report", "slow", "--quiet", "--out", str(out), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _final_runs(out):
    return sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _wait_for_partial(out, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if list(out.glob(".tmp-*/partial.txt")):
            return
        time.sleep(0.2)
    raise AssertionError("the run never started its work")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_run_leaves_no_damage(slow_books, tmp_path, sig):
    out = tmp_path / "reports"
    first = _cli(slow_books, out)
    assert first.wait(timeout=120) == 0
    before = _final_runs(out)
    index_before = (out / "index.html").read_text()
    run_json = json.loads((out / before[0] / "run.json").read_text())
    victim = _cli(slow_books, out, "-p", "seconds=60")
    _wait_for_partial(out)
    os.kill(victim.pid, sig)
    victim.wait(timeout=60)
    assert victim.returncode != 0
    assert _final_runs(out) == before  # no half-written folder under a final name
    assert (out / "index.html").read_text() == index_before
    assert json.loads((out / before[0] / "run.json").read_text()) == run_json
    if sig == signal.SIGTERM:  # unwound: the unfinished run is kept for debugging
        assert list((out / "_failed").glob("*_slow/partial.txt"))
        assert not list(out.glob(".tmp-*"))


def test_two_runs_started_together_both_land(slow_books, tmp_path):
    out = tmp_path / "reports"
    runs = [_cli(slow_books, out, "-p", "seconds=1") for _ in range(2)]
    codes = [r.wait(timeout=180) for r in runs]
    assert codes == [0, 0]
    finals = _final_runs(out)
    assert len(finals) == 2 and len(set(finals)) == 2
    index = (out / "index.html").read_text()
    assert all(name in index for name in finals)
    for name in finals:
        assert json.loads((out / name / "run.json").read_text())["outcome"] == "success"

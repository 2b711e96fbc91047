"""The wheel ships the reports and the sample: built from the checkout, installed into a fresh venv outside
it, `cjm-lab report survey_nps` runs there (on the bundled sample, in a folder without any data).

Fast by design: the wheel is built without build isolation (the setuptools the test environment has, nothing
downloaded), installed without dependencies, and the fresh venv sees the test environment's packages through
a ``.pth`` line, so only cjm-lab itself comes from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebook

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_the_wheel_runs_a_report_outside_the_checkout(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CJM_LAB_", "JUPYTER", "VIRTUAL_ENV"))}
    # the sources as a sdist would hold them, copied so the build leaves nothing in the checkout
    src = tmp_path / "src"
    shutil.copytree(ROOT / "cjm_lab", src / "cjm_lab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE", "setup.cfg", "MANIFEST.in"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, src / name)
    dist = tmp_path / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(dist),
            str(src),
        ],
        cwd=tmp_path,
        env=env,
    )
    [wheel] = dist.glob("cjm_lab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"cjm_lab/notebooks/{p.name}" for p in (ROOT / "cjm_lab" / "notebooks").glob("*.ipynb")}
    assert (
        shipped
        | {
            "cjm_lab/notebooks/templates/report.ipynb",
            "cjm_lab/sample/data/survey.csv",
            "cjm_lab/sample/data/events.csv.gz",
        }
        <= names
    )
    assert wheel.stat().st_size < 3_000_000  # the sample is 1.3 MB; nothing else big

    # a fresh venv outside the checkout: cjm-lab from the wheel, its dependencies from the test environment
    target = tmp_path / "venv"
    venv.create(target, with_pip=False, symlinks=True)
    python = target / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        cwd=tmp_path,
        env=env,
    )
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path, env=env
        ).stdout.strip()
    )
    (purelib / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # nbconvert's templates are data files of its installation (share/jupyter), not importable: point to them
    # alone (the test environment's kernels stay out of sight, so the kernel is the fresh venv's Python)
    data = tmp_path / "jupyter"
    (data / "nbconvert").mkdir(parents=True)
    (data / "nbconvert" / "templates").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates")
    env["JUPYTER_PATH"] = str(data)
    work = tmp_path / "somewhere"  # a folder with no data and no notebooks
    work.mkdir()
    where = _run([str(python), "-c", "import cjm_lab; print(cjm_lab.__file__)"], cwd=work, env=env).stdout
    assert Path(where.strip()).is_relative_to(target)  # the wheel's copy, not the checkout's

    cjm = str(target / "bin" / "cjm-lab")
    version = _run([cjm, "--version"], cwd=work, env=env).stdout
    assert version.startswith("cjm-lab ")
    assert "survey_nps" in _run([cjm, "report", "list"], cwd=work, env=env).stdout
    run = _run(
        [cjm, "report", "survey_nps", "-p", "drivers=[]", "-p", "comment=", "--quiet", "--out", "reports"],
        cwd=work,
        env=env,
    )
    folder = Path(run.stdout.strip().splitlines()[-1])
    record = json.loads((folder / "run.json").read_text())
    assert Path(record["notebook"]).is_relative_to(target)  # the report shipped in the wheel
    assert record["results"]["nps_n"] == 2607  # every answer of the bundled sample
    assert "data/sample/survey.csv" in record["data_files_sha256"]
    assert (folder / "nps_by_segment.csv").is_file() and (work / "reports" / "index.html").is_file()
    assert not (ROOT / "build").exists() or not any((ROOT / "build").glob("lib/cjm_lab"))

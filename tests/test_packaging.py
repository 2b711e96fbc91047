"""Honest packaging: licences of the runtime set, declared imports, tested bounds, package data,
the test configuration, and the set-up path of a fresh machine (tools/system-deps.sh, make).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SYSTEM_DEPS = ROOT / "tools" / "system-deps.sh"

_spec = importlib.util.spec_from_file_location("dependency_closure", ROOT / "tools" / "dependency_closure.py")
assert _spec is not None and _spec.loader is not None
closure_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(closure_tool)

#: Runtime distributions whose metadata names no licence cjm-lab can read, accepted by name and why.
ACCEPTED_UNKNOWN: dict[str, str] = {}
#: Import names that are no third-party distribution (the package itself).
NOT_DISTRIBUTIONS = {"cjm_lab"}
COPYLEFT = re.compile(r"\b(A?GPL|GNU (Affero )?General Public License)\b")


def _licence_texts(dist: metadata.Distribution) -> list[str]:
    meta = dist.metadata
    texts = [meta.get("License-Expression") or ""]
    texts.append((meta.get("License") or "").splitlines()[0] if meta.get("License") else "")
    texts += [c for c in (meta.get_all("Classifier") or []) if c.startswith("License ::")]
    return [t for t in texts if t and t.strip().upper() != "UNKNOWN"]


def _copyleft(text: str) -> bool:
    """GPL or AGPL, but not the Lesser GPL (LGPL), which an MIT package may depend on."""
    cleaned = re.sub(r"\bLGPL[-\w.+]*|GNU Lesser General Public License[^,;]*", "", text)
    return bool(COPYLEFT.search(cleaned))


def test_copyleft_detection_by_hand():
    assert _copyleft("GPL-2.0-only") and _copyleft("AGPL-3.0-or-later") and _copyleft("MIT OR GPL-3.0")
    assert _copyleft("License :: OSI Approved :: GNU General Public License v2 (GPLv2)")
    assert not _copyleft("LGPL-2.1-or-later") and not _copyleft(
        "License :: OSI Approved :: GNU Lesser General Public License v3"
    )
    assert not _copyleft("BSD-3-Clause") and not _copyleft("MPL-2.0 AND MIT")


def test_no_gpl_or_agpl_package_among_the_runtime_dependencies():
    runtime = closure_tool.closure()  # cjm-lab's requirements without extras, transitively
    assert {"numpy", "pandas", "duckdb", "papermill", "tqdm"} <= set(runtime)
    copyleft, unknown = {}, []
    for name in sorted(runtime):
        texts = _licence_texts(metadata.distribution(name))
        if not texts:
            unknown.append(name)
        hits = [t for t in texts if _copyleft(t)]
        if hits:
            copyleft[name] = hits
    assert not copyleft, f"GPL/AGPL runtime dependencies of an MIT project: {copyleft}"
    unexplained = sorted(set(unknown) - set(ACCEPTED_UNKNOWN))
    assert not unexplained, f"no readable licence in the metadata of {unexplained}: check them, then name them here"


def test_the_project_licence_is_an_spdx_expression_with_its_file():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert not any("License ::" in c for c in PYPROJECT["project"].get("classifiers", []))  # PEP 639: one place
    assert Requirement(PYPROJECT["build-system"]["requires"][0]).specifier.contains("77")


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names)


def _code_imports() -> dict[str, set[str]]:
    """Top-level modules imported by the package and the report notebooks → the files importing them."""
    where: dict[str, set[str]] = {}
    sources = [(p, p.read_text(encoding="utf-8")) for p in (ROOT / "cjm_lab").rglob("*.py")]
    for nb in (ROOT / "cjm_lab" / "notebooks").rglob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c["cell_type"] == "code"
        )
        sources.append((nb, "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))))
    for path, text in sources:
        for module in _imports(ast.parse(text)):
            where.setdefault(module, set()).add(str(path.relative_to(ROOT)))
    return where


def test_every_imported_library_is_declared():
    runtime = {canonicalize_name(r.name) for r in closure_tool.project_requirements()}
    extras = {canonicalize_name(r.name) for r in closure_tool.project_requirements({"dev"})} - runtime
    owners = metadata.packages_distributions()
    undeclared, only_extra = {}, {}
    for module, files in sorted(_code_imports().items()):
        if module in NOT_DISTRIBUTIONS:
            continue
        dists = {canonicalize_name(d) for d in owners.get(module, [module])}
        if dists & runtime:
            continue
        (only_extra if dists & extras else undeclared)[module] = sorted(files)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    # an optional library may only be imported where its absence is handled (pyspark: the Spark engine)
    assert set(only_extra) <= {"pyspark"}, only_extra
    assert {"traitlets", "PIL", "cycler", "tqdm", "jupyter_client"} <= set(_code_imports())


def test_ipython_is_declared_for_the_notebooks_imports():
    names = {canonicalize_name(r.name) for r in closure_tool.project_requirements()}
    assert "ipython" in names and "factor-analyzer" not in names


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_constraints_pin_every_declared_requirement_inside_its_range():
    pins = _constraints()
    for req in closure_tool.project_requirements({"dev"}):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt: run make constraints"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req} excludes the tested {pins[name]}"


def test_package_data_globs_match_files():
    for package, patterns in PYPROJECT["tool"]["setuptools"]["package-data"].items():
        base = ROOT / package.replace(".", "/")
        for pattern in patterns:
            assert list(base.glob(pattern)), f"package data {package}/{pattern} matches no file"


def test_pytest_is_strict_and_prints_the_slowest_tests():
    opts = PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
    assert {"--strict-markers", "--strict-config", "--durations=15"} <= set(opts.split())
    assert {m.split(":")[0] for m in PYPROJECT["tool"]["pytest"]["ini_options"]["markers"]} >= {
        "notebook",
        "real_data",
        "browser",
        "spark",
        "slow",
    }


# ----------------------------------------------------------------------------- a fresh machine
def _fake_path(tmp_path: Path, *, have: tuple[str, ...] = (), uid: int = 1000, java: str | None = None) -> dict:
    """A PATH with only the tools the script may call: the shell utilities, a fake id, apt-get, java."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("bash", "sed", "head", "cat", "env"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    log = tmp_path / "apt.log"
    stubs = {
        "id": f'#!/bin/bash\n[ "$1" = "-u" ] && echo {uid}\n',
        "apt-get": f'#!/bin/bash\necho "$@" >> {log}\n',
        **dict.fromkeys(have, "#!/bin/bash\nexit 0\n"),
    }
    if java is not None:
        stubs["java"] = f"#!/bin/bash\necho 'openjdk version \"{java}\" 2024-01-16' >&2\n"
    for name, body in stubs.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    return {"PATH": str(bin_dir), "HOME": str(tmp_path), "LOG": str(log)}


def _run_script(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [env["PATH"] + "/bash", str(SYSTEM_DEPS), *args],
        env={k: v for k, v in env.items() if k != "LOG"},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_system_deps_without_root_stops_with_the_exact_command(tmp_path):
    env = _fake_path(tmp_path, uid=1000)
    proc = _run_script(env)
    assert proc.returncode == 1
    assert "sudo sh -c 'apt-get update && apt-get install -y chromium openjdk-17-jre-headless'" in proc.stderr
    assert "make demo needs none of them" in proc.stderr
    assert not Path(env["LOG"]).exists()  # nothing was installed


def test_system_deps_as_root_installs_only_what_is_missing(tmp_path):
    env = _fake_path(tmp_path, uid=0, have=("chromium",), java="11.0.22")  # Java 11 is too old for Spark 4
    proc = _run_script(env)
    assert proc.returncode == 0, proc.stderr
    assert Path(env["LOG"]).read_text().splitlines() == ["update -qq", "install -y -qq openjdk-17-jre-headless"]


def test_system_deps_with_everything_present_does_nothing(tmp_path):
    env = _fake_path(tmp_path, uid=1000, have=("chromium",), java="17.0.15")
    proc = _run_script(env)
    assert proc.returncode == 0 and "chromium and Java 17+ are installed" in proc.stdout
    assert _run_script(_fake_path(tmp_path / "old", java="1.8.0_402"), "--check").returncode == 1


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_installs_system_deps_lints_and_runs_every_tier(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for stamp in (".cjm-lab-runtime", ".cjm-lab-dev"):
        (venv / stamp).touch()
    (venv / "bin" / "python").touch()
    dry = subprocess.run(
        ["make", "-n", "test", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    steps = [ln for ln in dry.splitlines() if ln.strip()]
    order = [
        next(i for i, ln in enumerate(steps) if key in ln)
        for key in ("tools/system-deps.sh", "ruff check", "ruff format --check", "mypy", "-m pytest")
    ]
    assert order == sorted(order), steps
    assert '-m "not' not in steps[order[-1]]  # make test deselects no tier
    demo = subprocess.run(
        ["make", "-n", "demo", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "system-deps" not in demo and "needs no browser and no Java" in demo
    fast = subprocess.run(
        ["make", "-n", "test-fast", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "not notebook and not spark and not browser and not real_data and not slow" in fast


def test_lower_bounds_are_the_recorded_floor_set():
    """tools/floor-constraints.txt records the set the suite passed with; pyproject's floors are exactly it."""
    floor = {}
    for line in (ROOT / "tools" / "floor-constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            floor[canonicalize_name(name)] = version
    declared = {}
    for text in PYPROJECT["project"]["dependencies"]:
        req = Requirement(text)
        declared[canonicalize_name(req.name)] = next(s.version for s in req.specifier if s.operator == ">=")
    assert declared == floor
    assert floor["pandas"].startswith("3.") and floor["numpy"] == "1.26.4"

"""The installed distributions cjm-lab needs, found by walking the requirements' metadata.

``closure()`` is the runtime set (requirements without extras, transitively);
``closure(extras={"dev"})`` adds what the tests and the linters need. Markers are
evaluated for this interpreter, so the set is the one this machine installs.

cjm-lab's own requirements are read from ``pyproject.toml`` (an installed copy's metadata may be
older than the checkout); everything below them from the installed distributions.

Run as a script it writes ``constraints.txt``: the exact versions of the dev set, the tested set that
``make`` installs with ``pip install -c constraints.txt``::

    python tools/dependency_closure.py > constraints.txt      # what `make constraints` does
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HEADER = """\
# The tested set: the exact version of every package cjm-lab[dev] needs (its requirements, its extras
# lab, spark, test and dev, and theirs, transitively), as installed when `make test` passed on
# Python {python} (Linux). make installs with `pip install -c constraints.txt`; refresh with
# `make constraints` after changing a dependency in pyproject.toml and passing make test.
"""


def _requirements(dist: metadata.Distribution, extras: set[str]) -> list[Requirement]:
    out = []
    for text in dist.requires or []:
        req = Requirement(text)
        if req.marker is None:
            out.append(req)
            continue
        environments = [{"extra": e} for e in sorted(extras)] or [{"extra": ""}]
        if any(req.marker.evaluate(env) for env in environments):
            out.append(req)
    return out


PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def project_requirements(extras: set[str] | frozenset[str] = frozenset()) -> list[Requirement]:
    """cjm-lab's requirements from pyproject.toml, with those of ``extras`` (extras of extras too)."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    own = canonicalize_name(project["name"])
    optional = project.get("optional-dependencies", {})
    out = [Requirement(r) for r in project["dependencies"]]
    todo, done = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in done:
            continue
        done.add(extra)
        for text in optional[extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == own:
                todo.extend(req.extras)
            else:
                out.append(req)
    return out


def closure(*, extras: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """Canonical name → installed version of everything cjm-lab (with ``extras``) requires, transitively.

    Raises ``metadata.PackageNotFoundError`` naming a requirement that is not installed.
    """
    seen: dict[str, str] = {}
    todo = [
        (r.name, frozenset(r.extras)) for r in project_requirements(extras) if r.marker is None or r.marker.evaluate()
    ]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, wanted = todo.pop()
        key = (canonicalize_name(name), wanted)
        if key in done:
            continue
        done.add(key)
        dist = metadata.distribution(name)
        seen[canonicalize_name(name)] = dist.version
        for req in _requirements(dist, set(wanted)):
            todo.append((req.name, frozenset(req.extras)))
    return seen


def main() -> int:
    """Print the constraints of the dev set (without cjm-lab itself)."""
    pins = closure(extras={"dev"})
    sys.stdout.write(HEADER.format(python=".".join(map(str, sys.version_info[:2]))))
    for name in sorted(pins):
        sys.stdout.write(f"{name}=={pins[name]}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

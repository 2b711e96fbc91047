"""What every test suite shares: one generated sample, the data folders, a headless matplotlib.

``sample`` is the generated sample of the suites: ``make_sample(customers=3000, seed=42)``, built
once per session. Suites whose hand-checked numbers were computed on another size or seed override
``sample`` in their folder through ``sample_of(customers, seed=...)``, which builds each sample once
per session for everyone who asks for it. Tests of the generator itself (chunking, seeds, file
writing) and of Spark (a small sample) call :func:`cjm_lab.sample.make_sample` directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest

from cjm_lab.sample import make_sample

ROOT = Path(__file__).resolve().parents[1]
#: The real public datasets (copies of ../shared/data/real with their SOURCES.md).
REAL = ROOT / "data" / "real"
#: The bundled sample files: ``cjm-lab sample --customers 5000 --seed 42``.
SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_CUSTOMERS = 3000
SAMPLE_SEED = 42


@functools.cache
def _made(customers: int, seed: int) -> Any:
    return make_sample(customers=customers, seed=seed)


@pytest.fixture(scope="session")
def sample_of() -> Callable[..., Any]:
    """``make_sample(customers, seed=...)`` made once per session: suites whose hand-checked numbers
    belong to another size or seed share one copy of it. Treat the tables as read-only.
    """

    def made(customers: int, *, seed: int) -> Any:
        return _made(int(customers), int(seed))

    return made


@pytest.fixture(scope="session")
def sample(sample_of):
    """The generated sample with its planted truth: 3,000 customers, seed 42."""
    return sample_of(SAMPLE_CUSTOMERS, seed=SAMPLE_SEED)


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """``data/real``: the real datasets the known-fact tests read."""
    return REAL


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """``data/sample``: the bundled sample files the loaders and reports read."""
    return SAMPLE_DIR

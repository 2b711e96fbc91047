"""Shared inputs of the persona tests: the generated sample, a small planted mixed set, the bank data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
ATTITUDES = [
    "att_price",
    "att_digital",
    "att_advice",
    "att_quality",
    "att_brand",
    "att_eco",
    "att_convenience",
    "att_service",
]
EDUCATION = [
    "illiterate",
    "basic.4y",
    "basic.6y",
    "basic.9y",
    "high.school",
    "professional.course",
    "university.degree",
]
#: Outcome, call length and the five indicators of the call date: not customer attributes.
BANK_LEFT_OUT = ["y", "duration", "emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"]


def planted_mixed(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three well separated personas in numeric, Likert, ordered and categorical columns."""
    rng = np.random.default_rng(seed)
    seg = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    means = np.array([[4.5, 1.5, 3.0], [1.5, 4.5, 2.0], [3.0, 3.0, 4.8]])
    df = pd.DataFrame({f"q{j}": np.clip(np.rint(means[seg, j] + rng.normal(0, 0.6, n)), 1, 5) for j in range(3)})
    df["spend"] = np.round(np.exp(np.array([4.0, 5.0, 4.5])[seg] + rng.normal(0, 1.0, n)), 2)
    df["channel"] = np.where(rng.random(n) < 0.8, np.array(["online", "store", "app"])[seg], "phone")
    df["size_band"] = pd.Categorical(
        np.array(["S", "M", "L"])[np.where(rng.random(n) < 0.7, seg, 1)], categories=["S", "M", "L"], ordered=True
    )
    df.insert(0, "customer_id", np.char.add("K", np.char.zfill(np.arange(1, n + 1).astype(str), 4)))
    return df, seg


def bank_customers(path: Path) -> pd.DataFrame:
    """The UCI bank-marketing sample as customer attributes (see the issue's notes)."""
    from cjm_lab.io import load_customers

    df = load_customers(path, create_ids=True)
    # the month and weekday of the last call describe the call date too, like the five indicators
    df = df.drop(columns=[*BANK_LEFT_OUT, "month", "day_of_week"])
    df = df.replace("unknown", np.nan)
    df["contacted_before"] = df["pdays"] != 999  # 999 means never contacted
    df["pdays"] = df["pdays"].where(df["pdays"] != 999)
    df["education"] = pd.Categorical(df["education"], categories=EDUCATION, ordered=True)
    return df


@pytest.fixture(scope="session")
def sample(sample_of):
    """3,000 customers with five planted personas; the recovery thresholds were set on seed 11."""
    return sample_of(3000, seed=11)


@pytest.fixture(scope="session")
def make_mixed():
    """The planted mixed-data generator, for tests that need other sizes or seeds."""
    return planted_mixed


@pytest.fixture(scope="session")
def mixed():
    return planted_mixed()


@pytest.fixture(scope="session")
def attitudes():
    return list(ATTITUDES)


@pytest.fixture(scope="session")
def bank():
    path = REAL / "bank_marketing_customers.csv"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the real datasets are part of the repository (data/real/)")
    return bank_customers(path)

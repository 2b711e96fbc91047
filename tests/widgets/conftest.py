"""Shared inputs of the explorer tests: the bundled sample (data/sample), loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
DRIVERS = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]
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
STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]
#: An update of an explorer on the sample must stay under this (seconds, analysis and drawing). The
#: tests compare the CPU seconds of the update (what a quiet machine waits; DuckDB's threads count
#: too), since the wall clock of a machine shared by several test runs says more about the others.
MAX_UPDATE_S = 2.0
#: Wall-clock seconds of every update the tests timed, printed at the end of the session.
TIMES: list[tuple[str, float, float]] = []


@pytest.fixture(scope="session")
def catalogue():
    from cjm_lab.io import load_touchpoints

    return load_touchpoints(SAMPLE / "touchpoints.csv")


@pytest.fixture(scope="session")
def customers():
    from cjm_lab.io import load_customers

    return load_customers(SAMPLE / "customers.csv")


@pytest.fixture(scope="session")
def personas_truth():
    from cjm_lab.io import load_customers

    return load_customers(SAMPLE / "personas_truth.csv")


@pytest.fixture(scope="session")
def responses(customers, personas_truth):
    """Survey responses with the planted persona and the region of each respondent."""
    from cjm_lab.io import load_survey

    sv = load_survey(SAMPLE / "survey.csv")
    return sv.merge(personas_truth, on="customer_id", how="left").merge(
        customers[["customer_id", "region"]], on="customer_id", how="left"
    )


@pytest.fixture(scope="session")
def events(catalogue, personas_truth):
    """The event log with the planted persona of each customer."""
    from cjm_lab.io import load_events

    ev = load_events(SAMPLE / "events.csv.gz", touchpoints=catalogue)
    return ev.merge(personas_truth, on="customer_id", how="left")


def timed_change(explorer, control, value):
    """Set a control, check the update succeeded, return the CPU seconds it took."""
    before = len(explorer.timings)
    control.value = value
    assert explorer.error is None, explorer.error
    assert len(explorer.timings) > before, "the change did not trigger an update"
    done = explorer.timings[before:]
    name = f"{explorer.title} · {getattr(control, 'description', '') or type(control).__name__}"
    TIMES.append((name, sum(t[1] for t in done), sum(t[2] for t in done)))
    return sum(t[2] for t in done)


def pytest_terminal_summary(terminalreporter):
    if TIMES:
        terminalreporter.write_line("explorer updates on data/sample (wall s / CPU s):")
        for name, wall, cpu in TIMES:
            terminalreporter.write_line(f"  {name}: {wall:.2f} / {cpu:.2f}")

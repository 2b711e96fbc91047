"""Benchmark: what the parameter check and the rename shim cost per call, beside the call itself.

Run: .venv/bin/python bench/bench_params.py   (target: a few microseconds per call of nps)

The decorators of :func:`cjm_lab.survey.nps` (``@renamed_args`` over ``@validate_params``)
are put, with nps's own table and signature, around a function that returns at once, so the
time measured is the decorators' alone: the bare call, the call through both decorators with
no option, with 3 options, with every option of the table, and with an old name (the
deprecated path, which warns).  Then nps itself on 1,000 responses, for scale.
"""

from __future__ import annotations

import functools
import statistics
import sys
import timeit
import warnings

import numpy as np
import pandas as pd

from cjm_lab._params import renamed_args, validate_params
from cjm_lab.survey import nps

REPEAT, NUMBER = 7, 100_000


def per_call_us(fn, **kwargs) -> float:
    """Median over REPEAT rounds of the time of one call, in microseconds."""
    times = timeit.repeat(lambda: fn(None, **kwargs), number=NUMBER, repeat=REPEAT)
    return statistics.median(times) / NUMBER * 1e6


def main() -> None:
    inner = nps.__wrapped__.__wrapped__  # the undecorated nps

    @functools.wraps(inner)
    def stub(*args, **kwargs):
        return None

    table = nps.__cjm_params__
    checked = renamed_args(nps.__cjm_renamed__)(validate_params(table)(stub))
    three = {"by": "wave", "confidence": 0.9, "ci_method": "wald"}
    every = {"confidence": 0.9, "ci_method": "wald", "small_base": 80, "min_base": 30, "total": False}
    every |= {"rescale": None, "batch_size": 1000}
    rows = [
        ("bare call (no decorator)", per_call_us(stub, **three)),
        ("nps's decorators, no option", per_call_us(checked)),
        ("nps's decorators, 3 options (1 unchecked)", per_call_us(checked, **three)),
        (f"nps's decorators, all {len(every)} checked options", per_call_us(checked, **every)),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        rows.append(("nps's decorators, old name low_base", per_call_us(checked, by="wave", low_base=30)))
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"recommend": rng.integers(0, 11, 1000), "wave": rng.integers(1, 3, 1000)})
    whole = statistics.median(timeit.repeat(lambda: nps(df, by="wave", confidence=0.9), number=50, repeat=5)) / 50
    print(f"Python {sys.version.split()[0]}; median of {REPEAT} rounds of {NUMBER:,} calls")
    print(f"{'call':<48}{'µs per call':>12}")
    for name, us in rows:
        print(f"{name:<48}{us:>12.2f}")
    added = rows[2][1] - rows[0][1]
    print(f"nps(df of 1,000 responses, by='wave', confidence=0.9): {whole * 1e6:,.0f} µs per call")
    print(f"check + shim with 3 options: {added:.2f} µs added, {added / (whole * 1e6) * 100:.3f} % of that call")


if __name__ == "__main__":
    main()

"""Helpers the survey modules share (public names; the survey modules import them from here).

Reading rating items (with don't-know codes and a scale check) and survey weights, for
:mod:`~cjm_lab.survey.scales` and :mod:`~cjm_lab.survey.drivers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._validate import numeric_column
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["check_scale", "rating_values", "positive_weights"]


def check_scale(scale: Any, *, where: str) -> tuple[float, float]:
    """A rating scale ``(low, high)`` of whole numbers with low < high, as floats."""
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise CJMConfigError(
            f"`scale` in {where} must be a pair (low, high) such as (1, 5), (1, 7), (1, 10) or (0, 10); got {scale!r}."
        ) from None
    if not (low.is_integer() and high.is_integer() and low < high):
        raise CJMConfigError(
            f"`scale` in {where} must be two whole numbers with low < high, e.g. (1, 5); got {scale!r}."
        )
    return low, high


def _numeric(data: pd.DataFrame, column: str, *, where: str) -> pd.Series:
    """``data[column]`` as float64; labelled SPSS columns get a message of their own."""
    raw = data[column]
    if isinstance(raw.dtype, pd.CategoricalDtype) and not pd.api.types.is_numeric_dtype(raw.cat.categories.dtype):
        example = next((str(c) for c in raw.cat.categories), "")
        raise CJMDataError(
            f"{where}: {column!r} holds value labels (such as {example!r}), not the numeric codes of a rating scale.",
            column=column,
            fix="Load the file with `ratings=` so the codes stay numeric, e.g. "
            "load_survey(path, ratings={'Q12_*': [1, 5]}), or map the labels to codes first.",
        )
    return numeric_column(data, column, where=where)


def rating_values(
    data: pd.DataFrame,
    items: list[str],
    *,
    where: str,
    scale: tuple[float, float] | None = None,
    codes: Sequence[float] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Read rating items as an ``(n, k)`` float array (missing = NaN) and a don't-know mask.

    Don't-know codes become missing before the scale is checked; with a ``scale``
    every other value must be a whole number on it.
    """
    values = np.empty((len(data), len(items)), dtype=float)
    dont = np.zeros((len(data), len(items)), dtype=bool)
    for j, item in enumerate(items):  # a handful of items; each step is vectorised
        col = _numeric(data, item, where=where)
        if codes:
            dk = col.isin(codes).to_numpy()
            col = col.mask(dk)
            dont[:, j] = dk
        if scale is not None:
            col = numeric_column(
                pd.DataFrame({item: col}), item, where=where, low=scale[0], high=scale[1], integer=True
            )
        values[:, j] = col.to_numpy()
    return values, dont


def positive_weights(data: pd.DataFrame, weight: str | None, *, where: str) -> np.ndarray:
    """The ``weight`` column as floats (all positive, none missing), or ones without a weight."""
    if weight is None:
        return np.ones(len(data))
    w = numeric_column(data, weight, where=where, allow_missing=False).to_numpy()
    bad = w <= 0
    if bad.any():
        raise CJMDataError(
            f"{where}: {int(bad.sum())} weight(s) are zero or negative.",
            column=weight,
            rows=list(data.index[np.flatnonzero(bad)[:5]]),
            values=list(w[bad][:5]),
            fix="Weights must be positive; drop those respondents or reweight.",
        )
    return w

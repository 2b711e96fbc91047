"""Helpers the survey modules share (public names; the survey modules import them from here).

Reading rating items (with don't-know codes and a scale check) and a rating column as numbers,
for :mod:`~cjm_lab.survey.scales`, :mod:`~cjm_lab.survey.drivers`, :mod:`~cjm_lab.survey.crosstab`
and :mod:`~cjm_lab.survey.tracker`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._deprecate import outside_stacklevel
from cjm_lab._format import plain_number
from cjm_lab._params import RANGE, SCALE, check_param
from cjm_lab._validate import numeric_column, offending
from cjm_lab.errors import CJMDataError, CJMDataWarning

__all__ = ["check_scale", "numeric_values", "rating_values"]


def check_scale(scale: Any, *, where: str, whole: bool = True) -> tuple[float, float]:
    """A rating scale ``(low, high)`` with low < high (whole numbers unless ``whole=False``), as floats.

    The explicit form of the rules :data:`cjm_lab._params.SCALE` and :data:`~cjm_lab._params.RANGE`.
    """
    check_param(scale, [SCALE if whole else RANGE], name="scale", where=where)
    low, high = (float(v) for v in scale)
    return low, high


def numeric_values(data: pd.DataFrame, column: str, *, where: str) -> pd.Series:
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
    integer: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Read rating items as an ``(n, k)`` float array (missing = NaN) and a don't-know mask.

    Don't-know codes become missing before the scale is checked; with a ``scale``
    every other value must lie on it (and be a whole number, unless ``integer=False``:
    ratings such as 7.5 on a 0–10 scale).  Without one, an item whose value labels mark a
    scale (``1 = Very dissatisfied … 5 = Very satisfied``) warns about unlabelled codes
    outside it (a 99, a 6) before they are counted as answers.
    """
    from cjm_lab.io.metadata import table_metadata
    from cjm_lab.io.missing import labelled_range, stray_codes

    labels = (table_metadata(data).get("value_labels", {}) or {}) if scale is None else {}
    values = np.empty((len(data), len(items)), dtype=float)
    dont = np.zeros((len(data), len(items)), dtype=bool)
    for j, item in enumerate(items):  # a handful of items; each step is vectorised
        col = numeric_values(data, item, where=where)
        if codes:
            dk = col.isin(codes).to_numpy()
            col = col.mask(dk)
            dont[:, j] = dk
        stray = stray_codes(col, labels.get(item)) if labels.get(item) else {}
        if stray:
            lo, hi = labelled_range(labels[item]) or (np.nan, np.nan)
            rows, _ = offending(col.isin(list(stray)).to_numpy(), col)
            shown = ", ".join(f"{plain_number(c)} ({n}×)" for c, n in stray.items())
            warnings.warn(
                f"{where}: {item!r} holds {shown} outside its labelled scale {plain_number(lo)}–{plain_number(hi)} "
                f"(rows {', '.join(map(str, rows))}); they are counted as answers. Fix: pass them as don't-know "
                f"codes (dont_know=[{', '.join(plain_number(c) for c in stray)}]) or recode them.",
                CJMDataWarning,
                stacklevel=outside_stacklevel(),
            )
        if scale is not None:
            col = numeric_column(
                pd.DataFrame({item: col}), item, where=where, low=scale[0], high=scale[1], integer=integer
            )
        values[:, j] = col.to_numpy()
    return values, dont

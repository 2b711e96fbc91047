"""The one small validator every public function runs on the columns it uses.

Cheap by design (a few vectorised checks), so that a DataFrame built by hand
gets the same clear :class:`~cjm_lab.errors.CJMDataError` as a loaded file.
Loaders in :mod:`cjm_lab.io` run the full checks once, at the door.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import plain_number
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = [
    "require_frame",
    "require_columns",
    "numeric_column",
    "require_unique",
    "column_names",
    "suggest",
    "offending",
    "dont_know_codes",
    "text_values",
]


def text_values(values: pd.Series) -> pd.Series:
    """The values as text, with missing values kept missing.

    ``astype("str")`` writes a missing value as the text ``'nan'`` or ``'None'`` wherever ``str``
    is not pandas 3's string dtype (pandas 2, or ``future.infer_string`` turned off), so a missing
    customer id would become the pseudonym of the text ``'nan'``.

    Examples
    --------
    >>> text_values(pd.Series(["C1", None, 7], dtype=object)).isna().tolist()
    [False, True, False]
    """
    out = values.astype("str")
    missing = values.isna()
    return out.mask(missing) if missing.any() else out


def suggest(name: str, candidates: Iterable[str]) -> str:
    """Return a ``" Did you mean 'x'?"`` hint for a misspelled name, or ``""``.

    Examples
    --------
    >>> suggest("segmnt", ["segment", "wave"])
    " Did you mean 'segment'?"
    """
    cands = [str(c) for c in candidates]
    close = difflib.get_close_matches(str(name), cands, n=3, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in cands}
        if str(name).lower() in lowered:
            close = [lowered[str(name).lower()]]
    if not close:
        return ""
    if len(close) == 1:
        return f" Did you mean {close[0]!r}?"
    return " Did you mean one of " + ", ".join(repr(c) for c in close) + "?"


def offending(mask: pd.Series | np.ndarray, data: pd.Series) -> tuple[list[Any], list[Any]]:
    """Row labels and values where ``mask`` is true (at most the first five matter).

    Examples
    --------
    >>> s = pd.Series([1, 11, 3, -2])
    >>> offending(s.gt(10) | s.lt(0), s)
    ([1, 3], [11, -2])
    """
    mask = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(mask)[:5]
    return list(data.index[idx]), list(data.iloc[idx])


def require_frame(data: Any, *, where: str, min_rows: int = 1) -> pd.DataFrame:
    """Check that ``data`` is a DataFrame with at least ``min_rows`` rows.

    Examples
    --------
    >>> require_frame([1, 2], where="nps()")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: nps() needs a pandas DataFrame as `data`, got list. Fix: ...
    """
    if not isinstance(data, pd.DataFrame):
        raise CJMDataError(
            f"{where} needs a pandas DataFrame as `data`, got {type(data).__name__}.",
            fix="Load the table with cjm_lab.io (e.g. load_survey) or pass pd.DataFrame(...).",
        )
    if len(data) < min_rows:
        rows = "row" if min_rows == 1 else "rows"
        raise CJMDataError(
            f"{where} needs at least {min_rows} {rows} of data, got {len(data)}.",
            fix="Check the filters applied before this call and the input file.",
        )
    return data


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return list(value)


def column_names(value: Any, *, arg: str, where: str) -> list[Any]:
    """``value`` (a column name, a list of them, or None) as a list; anything else raises.

    Examples
    --------
    >>> column_names("wave", arg="by", where="nps()"), column_names(None, arg="by", where="nps()")
    (['wave'], [])
    >>> column_names(3.5, arg="by", where="nps()")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: `by` in nps() must name a column or a list of columns, got 3.5 (float)...
    """
    if value is None:
        return []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple, pd.Index, np.ndarray, pd.Series)):
        return list(value)
    raise CJMConfigError(
        f"`{arg}` in {where} must name a column or a list of columns, got {value!r} ({type(value).__name__}). "
        f'Fix: pass e.g. {arg}="wave" or {arg}=["wave", "region"].'
    )


def require_columns(
    data: pd.DataFrame,
    columns: Mapping[str, str | Sequence[str] | None],
    *,
    where: str,
) -> None:
    """Check that every column named by an argument exists in ``data``.

    Parameters
    ----------
    data : DataFrame
    columns : mapping
        Argument name to the column (or list of columns) it names; ``None`` is skipped.
    where : str
        The calling function, e.g. ``"nps()"``, for the message.

    Raises
    ------
    CJMDataError
        Naming the argument, the column and close matches, in seaborn's style.

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [9], "segment": ["a"]})
    >>> require_columns(df, {"score": "recommend", "by": ["segmnt"]}, where="nps()")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: Could not interpret value 'segmnt' for `by` in nps(). ...
    """
    present = list(data.columns)
    present_set = set(present)
    for arg, value in columns.items():
        for col in _as_list(value):
            if not isinstance(col, (str, int)):
                raise CJMConfigError(f"`{arg}` in {where} must name a column (a string), got {type(col).__name__}.")
            if col not in present_set:
                raise CJMDataError(
                    f"Could not interpret value {col!r} for `{arg}` in {where}. "
                    f"An entry with this name does not appear in `data`.{suggest(col, present)}",
                    column=str(col),
                    fix="Pass one of the columns of `data`: "
                    + ", ".join(repr(c) for c in present[:20])
                    + (" ..." if len(present) > 20 else "")
                    + ", or map your column names with `columns=` when loading.",
                )


def numeric_column(
    data: pd.DataFrame,
    column: str,
    *,
    where: str,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    allow_missing: bool = True,
) -> pd.Series:
    """Return ``data[column]`` as float64, or raise naming the offending rows.

    Text in a numeric column, values outside ``[low, high]``, non-integers where
    ``integer`` is set and (unless ``allow_missing``) missing values all raise
    :class:`CJMDataError` with up to five rows and their values.

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10, 7, 11]})
    >>> numeric_column(df, "recommend", where="nps()", low=0, high=10)
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: ...outside 0 to 10...row 2 (value 11.0)...
    """
    raw = data[column]
    if isinstance(raw.dtype, pd.CategoricalDtype):
        raw = raw.astype(object)
    if pd.api.types.is_bool_dtype(raw.dtype):
        raw = raw.astype(float)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.astype("float64")
    else:
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        bad = values.isna() & raw.notna()
        if bad.any():
            rows, vals = offending(bad, raw)
            raise CJMDataError(
                f"{where}: {int(bad.sum())} value(s) in {column!r} are text, not numbers.",
                column=column,
                rows=rows,
                values=vals,
                fix="Recode the text to numbers (a value-label mapping, or the codes of "
                "the survey tool), or set such answers to missing first.",
            )
    if not allow_missing and values.isna().any():
        rows, vals = offending(values.isna(), raw)
        raise CJMDataError(
            f"{where}: {int(values.isna().sum())} missing value(s) in {column!r}.",
            column=column,
            rows=rows,
            values=vals,
            fix="Fill or drop the rows with missing values before this call.",
        )
    finite = values.notna()
    if np.isinf(values.to_numpy()).any():
        mask = np.isinf(values.to_numpy())
        rows, vals = offending(mask, raw)
        raise CJMDataError(
            f"{where}: infinite value(s) in {column!r}.",
            column=column,
            rows=rows,
            values=vals,
            fix="Replace infinite values by valid numbers or missing.",
        )
    if low is not None or high is not None:
        lo = -np.inf if low is None else low
        hi = np.inf if high is None else high
        out = finite & ((values < lo) | (values > hi))
        if out.any():
            rows, vals = offending(out, values)
            if np.isinf(hi):
                span = f"lie below {plain_number(lo)}"
            elif np.isinf(lo):
                span = f"lie above {plain_number(hi)}"
            else:
                span = f"lie outside {plain_number(lo)} to {plain_number(hi)}"
            raise CJMDataError(
                f"{where}: {int(out.sum())} value(s) in {column!r} {span}.",
                column=column,
                rows=rows,
                values=vals,
                fix="Recode or drop them, declare a 'don't know' code as missing, or "
                "state the scale the column really uses.",
            )
    if integer:
        frac = finite & (values != np.round(values))
        if frac.any():
            rows, vals = offending(frac, values)
            raise CJMDataError(
                f"{where}: {int(frac.sum())} value(s) in {column!r} are not whole numbers.",
                column=column,
                rows=rows,
                values=vals,
                fix="Scores on a rating scale are whole numbers; round or recode them.",
            )
    return values


def require_unique(data: pd.DataFrame, column: str | Sequence[str], *, where: str) -> None:
    """Raise when ``column`` (or a combination of columns) holds duplicate values.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "a"]})
    >>> require_unique(df, "customer_id", where="load_customers()")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: load_customers(): 1 duplicate value(s) in 'customer_id'...
    """
    cols = _as_list(column)
    dup = data.duplicated(subset=cols, keep="first")
    if dup.any():
        label = cols[0] if len(cols) == 1 else " + ".join(cols)
        first = data.loc[dup, cols[0]] if len(cols) == 1 else data.loc[dup, cols].astype(str).agg(" / ".join, axis=1)
        rows, vals = list(first.index[:5]), list(first.iloc[:5])
        raise CJMDataError(
            f"{where}: {int(dup.sum())} duplicate value(s) in {label!r}, which must be unique.",
            column=label,
            rows=rows,
            values=vals,
            fix="Remove the duplicated rows, or check that the right column is mapped to the id.",
        )


def dont_know_codes(dont_know: Any, scale: tuple[float, float] | None, *, where: str) -> list[float]:
    """The "don't know" code(s) of a rating as floats; none may lie on the ``scale`` (low, high).

    Examples
    --------
    >>> dont_know_codes([6, 99], (1, 5), where="csat()")
    [6.0, 99.0]
    >>> dont_know_codes(3, (1, 5), where="csat()")
    Traceback (most recent call last):
    ...
    cjm_lab.errors.CJMConfigError: `dont_know` code(s) 3 in csat() lie on the scale 1–5, ...
    """
    if dont_know is None:
        return []
    raw: list[Any] = [dont_know] if np.isscalar(dont_know) else list(dont_know)
    try:
        codes = [float(c) for c in raw]
    except (TypeError, ValueError):
        raise CJMConfigError(
            f"`dont_know` in {where} must be a number or a list of numbers (e.g. 99 or [6, 99]); got {dont_know!r}."
        ) from None
    if scale is not None:
        inside = [c for c in codes if scale[0] <= c <= scale[1]]
        if inside:
            raise CJMConfigError(
                f"`dont_know` code(s) {', '.join(plain_number(c) for c in inside)} in {where} lie on the "
                f"scale {plain_number(scale[0])}–{plain_number(scale[1])}, so real answers would be thrown away. "
                "Use the code the survey gives to 'don't know' (e.g. 99, or 6 on a 1–5 scale)."
            )
    return codes

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
from cjm_lab._params import DONT_KNOW, check_param
from cjm_lab._stats import normalise_weights
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = [
    "require_frame",
    "require_columns",
    "numeric_column",
    "require_unique",
    "positive_weights",
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


def require_frame(data: Any, *, where: str, min_rows: int = 1, name: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a DataFrame with at least ``min_rows`` rows.

    ``name`` is the argument that holds it (``"events"``, ``"table"``), for the message.

    Examples
    --------
    >>> require_frame([1, 2], where="nps()")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: nps() needs a pandas DataFrame as `data`, got list. Fix: ...
    >>> require_frame("t.csv", where="suppress_small_groups()", name="table")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: suppress_small_groups() needs a pandas DataFrame as `table`, got str. ...
    """
    if not isinstance(data, pd.DataFrame):
        loader = _LOADERS.get(name, "load_survey")
        raise CJMDataError(
            f"{where} needs a pandas DataFrame as `{name}`, got {type(data).__name__}.",
            fix=f"Load the table with cjm_lab.io (e.g. {loader}) or pass pd.DataFrame(...)."
            if name in _LOADERS or name == "data"
            else f"Pass the `{name}` table as a pandas DataFrame.",
        )
    if len(data) < min_rows:
        rows = "row" if min_rows == 1 else "rows"
        raise CJMDataError(
            f"{where} needs at least {min_rows} {rows} of `{name}`, got {len(data)}.",
            fix="Check the filters applied before this call and the input file.",
        )
    return data


#: The loader that makes each input table: a column error on it suggests its ``columns=``.
_LOADERS = {
    "events": "load_events",
    "touchpoints": "load_touchpoints",
    "survey": "load_survey",
    "customers": "load_customers",
}


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
    name: str = "data",
    origin: str | None = None,
) -> None:
    """Check that every column named by an argument exists in ``data``.

    Parameters
    ----------
    data : DataFrame
    columns : mapping
        Argument name to the column (or list of columns) it names; ``None`` is skipped.
    where : str
        The calling function, e.g. ``"nps()"``, for the message.
    name : str, default "data"
        The argument that holds ``data`` (``"events"``, ``"table"``, ``"survey"``), named
        in the message.
    origin : str, optional
        Where the table comes from, for the fix: a loader (``"load_survey"``: map the
        column names with its ``columns=``) or an analysis (``"key_drivers"``: pass the
        table it returns).  Default: the loader of ``events``, ``touchpoints``, ``survey``
        and ``customers``; for ``data`` any loader; for other tables none.

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
    >>> require_columns(df, {"by": "wave"}, where="suppress_small_groups()", name="table")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: ... not appear in `table`. Column 'wave'. Fix: Pass one of the columns of `table`: ...
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
                    f"An entry with this name does not appear in `{name}`.{suggest(col, present)}",
                    column=str(col),
                    fix=_column_fix(present, name, origin),
                )


def _column_fix(present: list[Any], name: str, origin: str | None) -> str:
    """The fix of a column error: the columns there are, and how to get the one asked for."""
    shown = ", ".join(repr(c) for c in present[:20]) + (" ..." if len(present) > 20 else "")
    fix = f"Pass one of the columns of `{name}`: {shown}"
    origin = origin or _LOADERS.get(name)
    if origin is None:
        return fix + (", or map your column names with `columns=` when loading." if name == "data" else ".")
    if origin.startswith("load_"):
        return fix + f", or map your column names with `columns=` in {origin}()."
    return fix + f"; `{name}` is the table {origin}() returns."


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


def positive_weights(data: pd.DataFrame, weight: str | None, *, where: str, normalise: bool = True) -> np.ndarray:
    """The ``weight`` column as floats, every one positive (ones when there is no weight).

    Missing, zero and negative weights raise one :class:`CJMDataError` naming the rows;
    with ``normalise`` weights of an extreme scale are rescaled by a power of two
    (:func:`cjm_lab._stats.normalise_weights`: their ratios, and so every result, stay).

    Examples
    --------
    >>> positive_weights(pd.DataFrame({"w": [0.5, 2.0]}), "w", where="nps()").tolist()
    [0.5, 2.0]
    >>> positive_weights(pd.DataFrame({"w": [1.0, None, -1.0]}), "w", where="nps()")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMDataError: nps(): 2 weight(s) in 'w' are missing, zero or negative (1 missing value(s), ...
    """
    if weight is None:
        return np.ones(len(data))
    w = numeric_column(data, weight, where=where).to_numpy()
    missing, negative = np.isnan(w), w <= 0
    bad = missing | negative
    if bad.any():
        rows, vals = offending(bad, data[weight])
        kinds = [f"{int(missing.sum())} missing value(s)"] if missing.any() else []
        kinds += [f"{int(negative.sum())} zero or negative"] if negative.any() else []
        raise CJMDataError(
            f"{where}: {int(bad.sum())} weight(s) in {weight!r} are missing, zero or negative ({', '.join(kinds)}).",
            column=weight,
            rows=rows,
            values=vals,
            fix="Every respondent needs a positive weight: fill the blanks, recompute the weights (e.g. "
            "rim_weights) or drop those respondents.",
        )
    return normalise_weights(w, column=weight, where=where) if normalise else w


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
    check_param(dont_know, [DONT_KNOW], name="dont_know", where=where)
    codes = [float(c) for c in np.atleast_1d(np.asarray(dont_know, dtype=float))]
    if scale is not None:
        inside = [c for c in codes if scale[0] <= c <= scale[1]]
        if inside:
            raise CJMConfigError(
                f"`dont_know` code(s) {', '.join(plain_number(c) for c in inside)} in {where} lie on the "
                f"scale {plain_number(scale[0])}–{plain_number(scale[1])}, so real answers would be thrown away. "
                "Use the code the survey gives to 'don't know' (e.g. 99, or 6 on a 1–5 scale)."
            )
    return codes

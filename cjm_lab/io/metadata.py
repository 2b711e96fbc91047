"""One metadata model for every table: what is known about each column besides its values.

A loader (:func:`cjm_lab.io.load_survey`, :func:`~cjm_lab.io.load_customers`,
:func:`~cjm_lab.io.read_table`, …) stores the metadata in ``DataFrame.attrs["cjm"]``;
:func:`table_metadata` reads it and :func:`column_metadata` answers for one column.

Per column (each a dict keyed by column name):

``variable_labels``
    The question text / variable label (``"Main phone company"``).
``value_labels``
    ``{code: label}`` (``{1.0: "AT&T", 2.0: "Boost Mobile", …}``).
``measure_levels``
    ``"nominal"``, ``"ordinal"`` or ``"scale"`` as the file (or the user) declares it.
``loaded_as``
    What the loader made of the column: ``"categorical"`` (unordered categories of its
    labels), ``"ordinal"`` (ordered), ``"numeric"``, ``"text"``, ``"datetime"``.
``missing_codes``
    Codes declared missing (single codes or ``[low, high]`` ranges) and set to NaN.
``missing_codes_applied``
    How many answers each column lost to declared or accepted missing codes.
``missing_code_counts``
    The same per code: ``{column: {code: n}}``.
``detected_missing``
    Undeclared "don't know"/"refused" codes found from the value labels
    (see :func:`cjm_lab.io.detect_missing`), applied or not.
``unlabelled_codes``
    Codes of a labelled variable that have no label, with their counts.

Per table: ``multiple_response_sets`` (``{name: {"label", "kind", "counted",
"variables"}}``, ``kind`` ``"dichotomy"`` or ``"category"``), ``source``, ``format``,
``table``, ``roles`` and what each loader records (``ratings``, ``read_options``, …).

What keeps the metadata, and what loses it
    pandas carries ``attrs`` through a copy, a row or column subset (``df[cols]``,
    ``df.loc[...]``, ``query``, ``head``, ``dropna``, ``sort_values``), ``assign`` and new
    columns, ``astype``, ``reset_index``, ``melt`` and a ``concat`` of frames that share the
    same metadata.  It **loses** it in ``merge``/``join``, a ``concat`` of frames with
    different metadata and ``pd.DataFrame(df)``; ``groupby`` aggregations keep it or not
    depending on pandas' path (``.mean()``, ``.sum()``, ``.first()`` keep it; ``.size()``,
    ``.count()``, ``.apply`` and outputs renamed by ``.agg(n=(col, func))`` lose it); a
    ``rename`` keeps it but under the old column names.  :func:`carry_metadata` re-attaches it after
    any of these (``carry_metadata(merged, left, right)``,
    ``carry_metadata(df.rename(columns=m), df, rename=m)``).  The metadata is shared
    between a frame and the frames pandas derives from it (copying it is cheap): treat it as
    read-only and change it only through the loaders or :func:`carry_metadata`.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, validate_params
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = [
    "PER_COLUMN",
    "MEASURE_LEVELS",
    "table_metadata",
    "column_metadata",
    "carry_metadata",
    "multiple_response_sets",
    "code_key",
    "code_keys",
    "code_counts",
]

#: The per-column entries of the metadata (each ``{column: value}``).
PER_COLUMN: tuple[str, ...] = (
    "variable_labels",
    "value_labels",
    "measure_levels",
    "loaded_as",
    "missing_codes",
    "missing_codes_applied",
    "missing_code_counts",
    "detected_missing",
    "unlabelled_codes",
)

#: The measure levels of SPSS (and of a codebook).
MEASURE_LEVELS: tuple[str, ...] = ("nominal", "ordinal", "scale")


class _Metadata(dict):
    """The metadata dict; pandas deep-copies ``attrs`` on every operation, this copies shallowly.

    A frame with 283 labelled SPSS variables would otherwise pay ~5 ms per ``df[cols]``.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _Metadata:
        return _Metadata(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Metadata, (dict(self),))


def code_key(code: Any) -> str:
    """A code as text so that ``1``, ``1.0``, ``np.int64(1)`` and ``"1"`` are the same key.

    Examples
    --------
    >>> code_key(1.0), code_key("1"), code_key(" Yes "), code_key(2.5)
    ('1', '1', 'Yes', '2.5')
    """
    if isinstance(code, (bool, np.bool_)):
        return str(bool(code))
    if isinstance(code, (int, float, np.integer, np.floating)):
        value = float(code)
        if np.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value) if np.isfinite(value) else str(value)
    text = str(code).strip()
    try:
        value = float(text)
    except ValueError:
        return text
    if np.isfinite(value) and value.is_integer() and text.lstrip("+-").replace(".", "", 1).isdigit():
        return str(int(value))
    return text


def code_keys(values: pd.Series) -> pd.Series:
    """:func:`code_key` of every value, computed once per distinct value (missing stays missing).

    Examples
    --------
    >>> code_keys(pd.Series([1.0, "1", None, 2])).tolist()
    ['1', '1', nan, '2']
    """
    obj = values.astype(object)
    distinct = pd.unique(obj.dropna())
    return obj.map({v: code_key(v) for v in distinct})


def code_counts(values: pd.Series, hit: Any, into: dict[str, int] | None = None) -> dict[str, int]:
    """How many answers each code removed: ``{code_key: n}`` of ``values`` where ``hit`` (added to ``into``).

    Examples
    --------
    >>> s = pd.Series([1.0, 98.0, 99.0, 99.0])
    >>> code_counts(s, s > 90)
    {'99': 2, '98': 1}
    """
    out = {} if into is None else into
    removed = values[np.asarray(hit, dtype=bool)]
    for v, n in removed.value_counts().items():
        key = code_key(v)
        out[key] = out.get(key, 0) + int(n)
    return out


@validate_params({})
def table_metadata(data: pd.DataFrame | pd.Series) -> dict[str, Any]:
    """The metadata a loader stored with a table (empty dict for a hand-made frame).

    Keys: ``table``, ``source``, ``format``, ``roles`` (user name -> role), the per-column
    entries of :data:`PER_COLUMN` (``variable_labels``, ``value_labels``,
    ``measure_levels``, ``loaded_as``, ``missing_codes``, ``missing_codes_applied``,
    ``detected_missing``, ``unlabelled_codes``), ``multiple_response_sets``,
    ``read_options``, and per table ``stages`` (touchpoints), ``ratings`` and
    ``missing_codes_applied`` (survey).  A Series taken from a loaded frame carries the
    frame's metadata too.

    Examples
    --------
    >>> from cjm_lab.io import load_customers
    >>> df = load_customers(pd.DataFrame({"id": ["a", "b"]}), columns={"id": "customer_id"})
    >>> table_metadata(df)["roles"]
    {'id': 'customer_id'}
    """
    attrs = getattr(data, "attrs", None)
    meta = attrs.get("cjm", {}) if isinstance(attrs, dict) else {}
    return dict(meta) if isinstance(meta, Mapping) else {}


def store_metadata(data: pd.DataFrame, info: Mapping[str, Any]) -> pd.DataFrame:
    """Attach ``info`` as the table's metadata (in place; returns ``data``)."""
    data.attrs = {**{k: v for k, v in data.attrs.items() if k != "cjm"}, "cjm": _Metadata(info)}
    return data


@validate_params({})
def column_metadata(data: pd.DataFrame | pd.Series, column: Any = None) -> dict[str, Any]:
    """Everything the metadata knows about one column.

    Parameters
    ----------
    data : DataFrame or Series
        A loaded table (or a column of it: then ``column`` defaults to its name).
    column : str, optional
        The column.

    Returns
    -------
    dict
        ``label`` (variable label or None), ``value_labels`` (dict, maybe empty),
        ``measure`` (declared measure level or None), ``loaded_as``, ``missing_codes``
        (declared), ``missing_applied`` (answers made missing), ``detected_missing``
        (list of dicts), ``unlabelled_codes`` (dict) and ``multiple_response_set`` (the
        name of the set the column belongs to, or None).

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2]})
    >>> df.attrs["cjm"] = {"variable_labels": {"q1": "Gender"}, "value_labels": {"q1": {1: "male", 2: "female"}},
    ...                    "measure_levels": {"q1": "nominal"}}
    >>> info = column_metadata(df, "q1")
    >>> info["label"], info["measure"], info["value_labels"][2]
    ('Gender', 'nominal', 'female')
    """
    if column is None and isinstance(data, pd.Series):
        column = data.name
    meta = table_metadata(data)
    sets = multiple_response_sets(data, check=False)
    member = next((name for name, s in sets.items() if column in s["variables"]), None)
    return {
        "label": meta.get("variable_labels", {}).get(column),
        "value_labels": dict(meta.get("value_labels", {}).get(column, {}) or {}),
        "measure": meta.get("measure_levels", {}).get(column),
        "loaded_as": meta.get("loaded_as", {}).get(column),
        "missing_codes": list(meta.get("missing_codes", {}).get(column, []) or []),
        "missing_applied": int(meta.get("missing_codes_applied", {}).get(column, 0) or 0),
        "detected_missing": list(meta.get("detected_missing", {}).get(column, []) or []),
        "unlabelled_codes": dict(meta.get("unlabelled_codes", {}).get(column, {}) or {}),
        "multiple_response_set": member,
    }


def normalise_sets(raw: Mapping[str, Any] | None, *, where: str = "multiple_response") -> dict[str, dict[str, Any]]:
    """Multiple-response sets from pyreadstat (``mr_sets``) or from a user into one form.

    Accepts pyreadstat's ``{"type": "D"|"C", "counted_value", "label", "variable_list"}``,
    the stored form ``{"kind", "counted", "label", "variables"}``, or a plain list of
    columns (a dichotomy set whose counted value is inferred from the labels).
    """
    out: dict[str, dict[str, Any]] = {}
    for name, spec in (raw or {}).items():
        if isinstance(spec, (list, tuple)):
            spec = {"variables": list(spec)}
        if not isinstance(spec, Mapping):
            raise CJMConfigError(
                f"`{where}`: the set {name!r} must list its columns, e.g. {{{name!r}: ['Q4_1', 'Q4_2']}}; got {spec!r}."
            )
        variables = list(spec.get("variables", spec.get("variable_list", [])) or [])
        if not variables:
            raise CJMConfigError(f"`{where}`: the set {name!r} names no columns.")
        kind = spec.get("kind")
        if kind is None:
            kind = "category" if spec.get("type") == "C" else "dichotomy"
        if kind not in ("dichotomy", "category"):
            raise CJMConfigError(
                f"`{where}`: the kind of set {name!r} must be 'dichotomy' or 'category', got {kind!r}."
            )
        counted = spec.get("counted", spec.get("counted_value"))
        if isinstance(counted, str):
            stripped = counted.strip()
            try:
                counted = float(stripped) if stripped else None
            except ValueError:
                counted = stripped
        out[str(name)] = {
            "label": str(spec.get("label") or name),
            "kind": kind,
            "counted": counted,
            "variables": [str(v) for v in variables],
        }
    return out


@validate_params({"check": [BOOLEAN]})
def multiple_response_sets(
    data: pd.DataFrame | pd.Series, *, check: bool = True, where: str = "multiple_response_sets()"
) -> dict[str, dict[str, Any]]:
    """The multiple-response sets of a table: ``{name: {"label", "kind", "counted", "variables"}}``.

    ``kind`` is ``"dichotomy"`` (each column one option, selected when it holds the
    ``counted`` value; with ``counted`` None the selected value is inferred from the
    labels, see :func:`cjm_lab.io.selected`) or ``"category"`` (each column holds a code
    of the set's categories; a category counts when any column holds it).

    Raises
    ------
    CJMDataError
        With ``check``, a set naming a column the table does not have.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 0], "b": [0, 1]})
    >>> df.attrs["cjm"] = {"multiple_response_sets": {"Brands": {"variables": ["a", "b"], "label": "Brands used"}}}
    >>> multiple_response_sets(df)["Brands"]["variables"]
    ['a', 'b']
    """
    meta = table_metadata(data)
    sets = normalise_sets(meta.get("multiple_response_sets"))
    if check and isinstance(data, pd.DataFrame):
        for name, spec in sets.items():
            check_set(name, spec, list(data.columns), where=where, source=meta.get("source"))
    return sets


def check_set(name: str, spec: Mapping[str, Any], present: Sequence[Any], *, where: str, source: Any = None) -> None:
    """Raise when a multiple-response set names a column that is not there."""
    have = set(present)
    missing = [v for v in spec["variables"] if v not in have]
    if missing:
        raise CJMDataError(
            f"{where}: the multiple-response set {name!r} ({spec.get('label', name)}) names "
            f"{len(missing)} column(s) the data does not have: {', '.join(map(repr, missing[:10]))}.",
            column=missing[0],
            source=source,
            fix="Keep every column of the set when subsetting (or re-attach the metadata with "
            "carry_metadata), or declare the set again with the columns that exist.",
        )


def _pattern_get(mapping: Mapping[str, Any], column: str) -> Any:
    if column in mapping:
        return mapping[column]
    for pat, value in mapping.items():
        if isinstance(pat, str) and any(ch in pat for ch in "*?[") and fnmatch.fnmatchcase(str(column), pat):
            return value
    return None


@validate_params({})
def carry_metadata(
    result: pd.DataFrame,
    *sources: pd.DataFrame,
    rename: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Re-attach the metadata of ``sources`` to ``result`` (after a merge, join, concat or rename).

    Per-column entries are kept for the columns ``result`` has (renamed through ``rename``,
    ``{old: new}``); where two sources describe the same column the first wins.  Table-level
    entries (source, roles, …) come from the first source; multiple-response sets are kept
    when all their columns are in ``result``.

    Parameters
    ----------
    result : DataFrame
        The new table; not modified (a shallow copy is returned).
    *sources : DataFrame
        The tables it was made from.
    rename : dict, optional
        ``{old name: new name}`` for columns renamed on the way.

    Returns
    -------
    DataFrame
        ``result`` with the merged metadata.

    Examples
    --------
    >>> left = pd.DataFrame({"id": [1, 2], "q7": [1, 2]})
    >>> left.attrs["cjm"] = {"variable_labels": {"q7": "Main phone company"}}
    >>> right = pd.DataFrame({"id": [1, 2], "spend": [10, 20]})
    >>> merged = left.merge(right, on="id")
    >>> table_metadata(merged)
    {}
    >>> table_metadata(carry_metadata(merged, left, right))["variable_labels"]
    {'q7': 'Main phone company'}
    >>> renamed = carry_metadata(left.rename(columns={"q7": "brand"}), left, rename={"q7": "brand"})
    >>> table_metadata(renamed)["variable_labels"]
    {'brand': 'Main phone company'}
    """
    if not isinstance(result, pd.DataFrame):
        raise CJMConfigError(f"carry_metadata(): `result` must be a DataFrame, got {type(result).__name__}.")
    rename = dict(rename or {})
    present = set(result.columns)
    info: dict[str, Any] = {}
    per_column: dict[str, dict[Any, Any]] = {k: {} for k in PER_COLUMN}
    sets: dict[str, dict[str, Any]] = {}
    for src in sources:
        if not isinstance(src, (pd.DataFrame, pd.Series)):
            raise CJMConfigError(f"carry_metadata(): sources must be DataFrames, got {type(src).__name__}.")
        meta = table_metadata(src)
        for key, value in meta.items():
            if key in PER_COLUMN or key == "multiple_response_sets":
                continue
            info.setdefault(key, copy.copy(value))
        for key in PER_COLUMN:
            for col, value in (meta.get(key) or {}).items():
                new = rename.get(col, col)
                if new in present and new not in per_column[key]:
                    per_column[key][new] = value
        for name, spec in normalise_sets(meta.get("multiple_response_sets")).items():
            variables = [rename.get(v, v) for v in spec["variables"]]
            if name not in sets and all(v in present for v in variables):
                sets[name] = {**spec, "variables": variables}
    if "roles" in info and rename:
        info["roles"] = {rename.get(k, k): v for k, v in dict(info["roles"]).items()}
    info.update({k: v for k, v in per_column.items() if v})
    if sets:
        info["multiple_response_sets"] = sets
    out = result.copy(deep=False)
    return store_metadata(out, info)

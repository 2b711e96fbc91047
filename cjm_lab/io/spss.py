"""Write derived variables back to SPSS, with variable and value labels.

Teams on SPSS, Q or Displayr keep working with what cjm-lab derived (weights,
persona, NPS group, quality flags): :func:`write_sav` writes them to a new
``.sav`` file with labels, never over an existing file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import validate_params
from cjm_lab._validate import require_frame
from cjm_lab.errors import CJMConfigError

__all__ = ["write_sav"]


def _spss_name(name: str) -> str:
    """SPSS variable names: letters, digits, _ . @ #; start with a letter; at most 64 bytes."""
    cleaned = "".join(ch if (ch.isalnum() or ch in "_.@#") else "_" for ch in str(name))
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "v_" + cleaned
    return cleaned[:64]


def _original_codes(series: pd.Series, labels: Mapping[Any, str] | None) -> dict[Any, float] | None:
    """Category -> numeric code from known value labels, when they name every category; else None."""
    if not labels:
        return None
    by_label: dict[str, float] = {}
    try:
        for code, label in labels.items():
            by_label.setdefault(str(label), float(code))
    except (TypeError, ValueError):  # text codes: nothing to keep
        return None
    cats = list(series.cat.categories)
    if not all(str(c) in by_label for c in cats):
        return None
    return {c: by_label[str(c)] for c in cats}


@validate_params({})
def write_sav(
    data: pd.DataFrame,
    path: str | os.PathLike,
    *,
    variable_labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
) -> Path:
    """Write a table to a new SPSS ``.sav`` file with variable and value labels.

    Categorical columns are written as codes 1…k with their categories as value
    labels, unless known value labels of the column (stored by a loader, or given in
    ``value_labels``) name every category: then those codes are kept, so the file
    merges back onto the original SPSS data.  Booleans as 0/1 labelled No/Yes; UTC timestamps as SPSS datetimes
    (in UTC).  Labels stored by :func:`cjm_lab.io.load_survey` in the table's
    metadata are written too; ``variable_labels`` and ``value_labels`` add to or
    override them.

    Parameters
    ----------
    data : DataFrame
    path : path-like
        A new file ending in ``.sav`` (or ``.zsav``, compressed).  An existing file is
        never overwritten.
    variable_labels : dict, optional
        Column to label, e.g. ``{"persona": "Persona (k-means, 5 clusters)"}``.
    value_labels : dict, optional
        Column to ``{code: label}`` for numeric columns.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib, pyreadstat
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "derived.sav"
    >>> df = pd.DataFrame({"respondent_id": ["R1", "R2"], "weight": [0.8, 1.2],
    ...                    "nps_group": pd.Categorical(["promoter", "detractor"])})
    >>> _ = write_sav(df, out, variable_labels={"weight": "Rim weight"})
    >>> back, meta = pyreadstat.read_sav(str(out))
    >>> meta.variable_value_labels["nps_group"], back["nps_group"].tolist()
    ({1.0: 'detractor', 2.0: 'promoter'}, [2.0, 1.0])
    """
    require_frame(data, where="write_sav()")
    target = Path(path)
    if target.suffix.lower() not in {".sav", ".zsav"}:
        raise CJMConfigError(f"write_sav() writes .sav or .zsav files, not {target.suffix or 'no suffix'!r}.")
    if target.exists():
        raise CJMConfigError(
            f"{str(target)!r} exists already; write_sav() never overwrites a file. Choose a new file name."
        )
    import pyreadstat

    stored = data.attrs.get("cjm", {}) if isinstance(data.attrs.get("cjm"), dict) else {}
    var_labels: dict[str, str] = dict(stored.get("variable_labels", {}))
    var_labels.update(variable_labels or {})
    val_labels: dict[str, dict[Any, str]] = {
        k: dict(v) for k, v in stored.get("value_labels", {}).items() if k in data.columns
    }
    val_labels.update({k: dict(v) for k, v in (value_labels or {}).items()})

    out = pd.DataFrame(index=range(len(data)))
    names: dict[str, str] = {}
    for col in data.columns:
        name = _spss_name(col)
        if name in names.values():
            raise CJMConfigError(f"Two columns become the SPSS name {name!r}; rename one of them.")
        names[col] = name
        series = data[col].reset_index(drop=True)
        if isinstance(series.dtype, pd.CategoricalDtype):
            kept = _original_codes(series, val_labels.get(col))
            if kept is not None:  # the codes of the file it was loaded from (e.g. Sprint = 5)
                out[name] = series.astype(object).map(kept).astype("float64")
                val_labels[col] = {float(k): str(v) for k, v in val_labels[col].items()}
            else:
                out[name] = series.cat.codes.astype("float64").replace(-1, np.nan) + 1
                val_labels[col] = {float(i + 1): str(c) for i, c in enumerate(series.cat.categories)}
        elif pd.api.types.is_bool_dtype(series.dtype):
            out[name] = series.astype("float64")
            val_labels.setdefault(col, {0.0: "No", 1.0: "Yes"})
        elif isinstance(series.dtype, pd.DatetimeTZDtype):
            out[name] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out[name] = series.astype("float64")
        else:
            out[name] = series.astype("str").where(series.notna(), "")
    labels = [str(var_labels.get(col, "")) or None for col in data.columns]
    values = {
        names[c]: {float(k): str(v) for k, v in m.items()}
        for c, m in val_labels.items()
        if c in names and pd.api.types.is_numeric_dtype(out[names[c]].dtype)
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        pyreadstat.write_sav(
            out,
            tmp,
            column_labels=labels,
            variable_value_labels=values,
            compress=target.suffix.lower() == ".zsav",
        )
        try:
            os.link(tmp, target)  # atomic, and fails instead of replacing a file that appeared meanwhile
        except FileExistsError:
            raise CJMConfigError(f"{str(target)!r} appeared while writing; nothing was overwritten.") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target

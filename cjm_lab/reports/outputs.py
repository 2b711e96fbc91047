"""What a report notebook hands to its run folder: tables, figures and key results.

Notebooks call these with their ``output_dir`` parameter (the runner points it at
the run folder).  Tables go to CSV and to one ``tables.xlsx`` workbook, figures to
PNG, key numbers to ``results.json`` (the runner copies them into ``run.json``).

Every table passes :func:`cjm_lab.privacy.protect_table` on its way out: id columns
become salted pseudonyms, text is PII-masked, and groups below the minimum size
(``$CJM_LAB_MIN_GROUP_SIZE``, set by the runner; default 5) are suppressed with
complementary suppression.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from cjm_lab._validate import require_frame
from cjm_lab.errors import CJMConfigError
from cjm_lab.privacy import find_id_columns, protect_table

__all__ = ["save_table", "save_figure", "save_results", "figure_title"]


def _target(output_dir: str | os.PathLike | None) -> Path | None:
    if output_dir in (None, ""):
        return None
    path = Path(output_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _name(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")
    if not clean:
        raise CJMConfigError(f"{name!r} cannot name an output file; use letters, digits and _.")
    return clean


def save_table(
    data: pd.DataFrame,
    name: str,
    output_dir: str | os.PathLike | None,
    *,
    base: str | pd.DataFrame | bool | None = None,
    by: str | list[str] | None = None,
    min_group_size: int | None = None,
    ids: str | list[str] | None = None,
    mask: bool = True,
    allow_rows: bool = False,
) -> Path | None:
    """Write ``data`` as ``<name>.csv`` and as sheet ``name`` of ``tables.xlsx``, protected.

    Does nothing (returns None) when ``output_dir`` is empty, so a notebook run by
    hand in JupyterLab writes no files.  What is written has gone through
    :func:`cjm_lab.privacy.protect_table`:

    * id columns (``customer_id``, ``respondent_id``, any ``*_id``; or ``ids=``) become
      salted pseudonyms (salt from ``$CJM_LAB_SALT`` / ``$CJM_LAB_SALT_FILE``);
    * text columns are PII-masked (e-mail, phone, IBAN, street address; ``mask=False``
      to skip);
    * rows or cells whose base is below ``min_group_size`` (default
      ``$CJM_LAB_MIN_GROUP_SIZE``, else 5) are blanked, with complementary suppression.
      The base is the column named by ``base=``, else the first of ``n``, ``base``,
      ``count``, ``n_customers``, ``n_respondents``, ``n_journeys``, ``n_reached`` …
      (:data:`cjm_lab.privacy.BASE_COLUMNS`); ``base="cells"`` for a crosstab of counts,
      a DataFrame of counts for a crosstab of percentages, ``base=False`` for a table
      without groups (model coefficients).  A table with no base column is written as it is.
      ``by`` names the grouping columns (default: the columns left of the base).

    Reports hold aggregated results: a table with an id column is row-level data and is
    refused unless ``allow_rows=True`` (meant to follow a notebook parameter that explicitly
    allows raw rows; the ids are still pseudonymised and the text masked).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> save_table(pd.DataFrame({"wave": [1, 2], "nps": [12.0, 21.0]}), "nps_by_wave", d).name
    'nps_by_wave.csv'
    """
    require_frame(data, where="save_table()", min_rows=0)
    folder = _target(output_dir)
    if folder is None:
        return None
    stem = _name(name)
    id_cols = find_id_columns(data, ids)
    if id_cols and not allow_rows:
        raise CJMConfigError(
            f"save_table({name!r}): the table has the id column(s) {', '.join(map(repr, id_cols))}, so it holds "
            "row-level data; reports hold aggregated results only. Fix: aggregate it first (counts, shares, "
            "means per group), or pass allow_rows=True from a report parameter that explicitly allows raw "
            "rows (ids are then pseudonymised and text masked)."
        )
    data = protect_table(data, base=base, by=by, min_size=min_group_size, ids=ids, mask=mask)
    csv_path = folder / f"{stem}.csv"
    data.to_csv(csv_path, index=False)
    xlsx = folder / "tables.xlsx"
    excel = data.copy()
    for col in excel.columns:
        if isinstance(excel[col].dtype, pd.DatetimeTZDtype):
            excel[col] = excel[col].dt.tz_localize(None)
    mode = "a" if xlsx.exists() else "w"
    extra = {"if_sheet_exists": "replace"} if mode == "a" else {}
    with pd.ExcelWriter(xlsx, engine="openpyxl", mode=mode, **extra) as writer:
        excel.to_excel(writer, sheet_name=stem[:31], index=False)
    return csv_path


def save_figure(
    figure: Any, name: str, output_dir: str | os.PathLike | None, *, title: str | None = None, dpi: int = 150
) -> Path | None:
    """Write a matplotlib Figure (or the Figure of an Axes) as ``<name>.png`` for the report's deck.

    ``title`` heads the figure's slide in the PowerPoint deck (default: the figure's own
    title, else ``name``); figures are listed in ``figures.json`` in the order saved.
    """
    folder = _target(output_dir)
    if folder is None:
        return None
    fig = getattr(figure, "figure", figure)
    if not hasattr(fig, "savefig"):
        raise CJMConfigError(f"save_figure() needs a matplotlib Figure or Axes, got {type(figure).__name__}.")
    path = folder / f"{_name(name)}.png"
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    if title is None:
        title = figure_title(fig, name)
    manifest = folder / "figures.json"
    entries = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else []
    entries = [e for e in entries if e["file"] != path.name] + [{"file": path.name, "title": title}]
    manifest.write_text(json.dumps(entries, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def figure_title(figure: Any, default: str) -> str:
    """A figure's own title: its suptitle, else the first Axes' title, else ``default``."""
    fig = getattr(figure, "figure", figure)
    axes = fig.get_axes()
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    return suptitle or (axes[0].get_title() if axes else "") or default


def save_results(results: dict[str, Any], output_dir: str | os.PathLike | None) -> Path | None:
    """Merge key numbers into ``results.json`` (copied into the run record ``run.json``)."""
    folder = _target(output_dir)
    if folder is None:
        return None
    path = folder / "results.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current.update(results)
    path.write_text(json.dumps(current, indent=2, default=str), encoding="utf-8")
    return path

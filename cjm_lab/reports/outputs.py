"""What a report notebook hands to its run folder: tables, figures and key results.

Notebooks call these with their ``output_dir`` parameter (the runner points it at
the run folder).  Tables go to CSV, figures to PNG, key numbers to ``results.json``
(the runner copies them into ``run.json``); each table and figure is listed with its
title, takeaway and native charts in ``deliverables.json``
(:mod:`cjm_lab.reports.manifest`), from which the runner builds the formatted
``tables.xlsx`` (:func:`cjm_lab.reports.build_workbook`) and the PowerPoint deck
(:func:`cjm_lab.reports.build_deck`).

Every table passes :func:`cjm_lab.privacy.protect_table` on its way out: id columns
become salted pseudonyms, text is PII-masked, and groups below the minimum size
(``min_group_size``: the report's parameter, else ``$CJM_LAB_MIN_GROUP_SIZE``, else 5) are
suppressed with complementary suppression.  Then :func:`cjm_lab.untrusted.spreadsheet_table` makes it safe
for a spreadsheet: CSV cells that a spreadsheet would run as a formula get a leading
apostrophe, Excel cells hold typed text (never a formula), text beyond Excel's 32,767
characters is cut visibly and reported.  Tables are named uniquely: two names never share a
file or a sheet, whatever they clean or cut to (the manifest lists name, file and sheet).
"""

from __future__ import annotations

import io
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cjm_lab._params import BOOLEAN, WHOLE_NUMBER, validate_params
from cjm_lab._validate import require_frame
from cjm_lab.errors import CJMConfigError
from cjm_lab.privacy import MIN_GROUP_SIZE, find_id_columns, protect_table
from cjm_lab.reports._files import disk_error, write_atomic
from cjm_lab.reports.manifest import Chart, read_manifest, record, table_entry
from cjm_lab.untrusted import EXCEL_MAX_CHARS, formula_like, slug, spreadsheet_table, unique_slugs

__all__ = ["save_table", "save_figure", "save_results", "write_sheet", "TruncatedCellWarning", "figure_title"]


class TruncatedCellWarning(UserWarning):
    """Text longer than an Excel cell holds was cut (the cell says so too)."""


def _target(output_dir: str | os.PathLike | None) -> Path | None:
    if output_dir in (None, ""):
        return None
    path = Path(output_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _name(name: str) -> str:
    return slug(name)


#: Sheet names the workbook keeps for itself (contents and about, in English and German).
RESERVED_SHEETS = ("Contents", "Inhalt", "About", "Info")


def _table_names(folder: Path, name: str) -> tuple[str, str]:
    """The file stem and sheet of table ``name`` in ``folder``: the same as before for the same name
    (saving it again replaces it), unique otherwise (the manifest remembers them).
    """
    tables = read_manifest(folder).tables
    if name in tables:
        entry = tables[name]
        return Path(entry.file).stem, entry.sheet or Path(entry.file).stem[:31]
    (stem,) = unique_slugs([name], taken=[Path(e.file).stem for e in tables.values()])
    taken = [e.sheet or Path(e.file).stem[:31] for e in tables.values()] + list(RESERVED_SHEETS)
    (sheet,) = unique_slugs([name], max_length=31, taken=taken)
    return stem, sheet


def _keep_index(data: pd.DataFrame) -> pd.DataFrame:
    """A meaningful index (labels, a name, several levels) becomes columns; a plain 0..n-1 index goes."""
    index = data.index
    plain = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None
    if plain:
        return data
    names = [
        n if n is not None else ("index" if index.nlevels == 1 else f"level_{i}") for i, n in enumerate(index.names)
    ]
    taken = {str(c) for c in data.columns}
    names = [n if str(n) not in taken else f"{n}_index" for n in names]
    out = data.copy()
    out.index = out.index.set_names(names)
    return out.reset_index()


def _cell(value: Any) -> Any:
    """A value as openpyxl stores it: numpy scalars as Python, missing as empty, time zones dropped."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return (value.tz_localize(None) if value.tzinfo else value).to_pydatetime()
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str):
        try:
            return item()
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, (str, int, float, bool)) or hasattr(value, "isoformat"):
        return value
    return str(value)


def write_sheet(path: str | os.PathLike, sheet: str, data: pd.DataFrame) -> Path:
    """Write ``data`` as sheet ``sheet`` of the workbook ``path`` (replacing that sheet), safely.

    Text is stored as typed strings: a cell that starts like a formula (``=``, ``+``, ``-``,
    ``@``) is text with Excel's quote prefix, never a formula, and stays text when someone edits
    it.  ``data`` should come from :func:`cjm_lab.untrusted.spreadsheet_table` with
    ``target="xlsx"`` (control characters removed, long text cut visibly).  The workbook is
    written beside the old one and renamed in one step.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = write_sheet(Path(tempfile.mkdtemp()) / "t.xlsx", "x", pd.DataFrame({"a": ["=1+1", "ok"]}))
    >>> cell = openpyxl.load_workbook(p)["x"]["A2"]
    >>> cell.value, cell.data_type
    ('=1+1', 's')
    """
    import openpyxl

    path = Path(path)
    workbook = openpyxl.load_workbook(path) if path.exists() else openpyxl.Workbook()
    if not path.exists():
        workbook.remove(workbook.active)
    if sheet in workbook.sheetnames:
        workbook.remove(workbook[sheet])
    ws = workbook.create_sheet(sheet)
    rows = [list(data.columns), *data.itertuples(index=False, name=None)]
    for r, row in enumerate(rows, start=1):  # openpyxl writes cell by cell; report tables are small
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            value = _cell(value)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
                if formula_like(value):
                    cell.quotePrefix = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomic(path, buffer.getvalue(), what="the workbook")
    return path


@validate_params(
    {
        "min_group_size": [MIN_GROUP_SIZE, None],
        "mask": [BOOLEAN],
        "allow_rows": [BOOLEAN],
        "neutralise": [BOOLEAN],
        "slide": [BOOLEAN],
    }
)
def save_table(
    data: pd.DataFrame,
    name: str,
    output_dir: str | os.PathLike | None,
    *,
    base: str | pd.DataFrame | bool | None = None,
    by: str | Sequence[str] | None = None,
    min_group_size: int | None = None,
    ids: str | Sequence[str] | None = None,
    mask: bool = True,
    allow_rows: bool = False,
    neutralise: bool = True,
    title: str | None = None,
    takeaway: str | None = None,
    formats: Mapping[str, str] | None = None,
    show: list[str] | None = None,
    slide: bool = False,
    labels: Any = None,
) -> Path | None:
    """Write ``data`` as ``<name>.csv``, protected, and list it for the workbook and the deck.

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

    A meaningful index (group labels, a named index, several levels) is written as columns.
    Text from data is made safe for spreadsheets (:func:`cjm_lab.untrusted.spreadsheet_table`):
    in the CSV, a cell starting with ``= + - @``, a tab or a carriage return gets a leading
    apostrophe (``neutralise=False`` writes it as it is, for trusted internal use only); in
    ``tables.xlsx`` it is typed text, never a formula; text beyond Excel's 32,767 characters is
    cut in the sheet with a marker and a :class:`TruncatedCellWarning`.  Different names never
    overwrite each other's file or sheet (the manifest lists them); the same name again
    replaces its table.

    The table becomes a sheet of the run's ``tables.xlsx`` (:func:`cjm_lab.reports.build_workbook`,
    built by the runner: titled ``title``, numbers formatted by
    :func:`cjm_lab.reports.formats.column_kind`, or ``formats={column: kind}``) and, with
    ``slide=True``, a native table on a slide of the deck (the columns ``show``, with
    ``takeaway`` as the slide's sentence).  ``labels`` says how values are shown there
    (``{column: {value: label}}``, ``{column: function}`` or a :class:`cjm_lab.labels.Labels`).

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
    if not isinstance(name, str) or not name.strip():
        raise CJMConfigError(f"save_table(): `name` must be a non-empty text, got {name!r}.")
    data = _keep_index(data)
    id_cols = find_id_columns(data, columns=ids)
    if id_cols and not allow_rows:
        raise CJMConfigError(
            f"save_table({name!r}): the table has the id column(s) {', '.join(map(repr, id_cols))}, so it holds "
            "row-level data; reports hold aggregated results only. Fix: aggregate it first (counts, shares, "
            "means per group), or pass allow_rows=True from a report parameter that explicitly allows raw "
            "rows (ids are then pseudonymised and text masked)."
        )
    data = protect_table(data, base=base, by=by, min_group_size=min_group_size, ids=ids, mask=mask)
    stem, sheet = _table_names(folder, name)
    csv_path = folder / f"{stem}.csv"
    safe_csv, _ = spreadsheet_table(data, target="csv", neutralise=neutralise)
    # CRLF line ends: a field holding a lone CR is then quoted (with LF ends it would not be, and a
    # spreadsheet would start a new row at the CR, whose next cell could be a live formula)
    text = safe_csv.to_csv(index=False, lineterminator="\r\n")
    write_atomic(csv_path, text, what=f"the table {name!r} (CSV)")
    _, cut = spreadsheet_table(data, target="xlsx")
    if cut:
        first = cut[0]
        warnings.warn(
            f"save_table({name!r}): {len(cut)} cell(s) hold more than Excel's {EXCEL_MAX_CHARS:,} characters and "
            f"are cut in tables.xlsx (first: column {first['column']!r}, row {first['row'] + 1}, "
            f"{first['length']:,} characters); the cell says so, and {csv_path.name} holds the full text.",
            TruncatedCellWarning,
            stacklevel=2,
        )
    entry = table_entry(
        data,
        name,
        csv_path.name,
        title=title,
        takeaway=takeaway,
        formats=formats,
        show=show,
        slide=slide,
        labels=labels,
    )
    entry.update({"sheet": sheet, "neutralised": bool(neutralise)})
    try:
        record(folder, entry)
    except OSError as err:
        raise disk_error(err, folder / "deliverables.json", "the list of deliverables") from None
    return csv_path


@validate_params({"dpi": [WHOLE_NUMBER]})
def save_figure(
    figure: Any,
    name: str,
    output_dir: str | os.PathLike | None,
    *,
    title: str | None = None,
    takeaway: str | None = None,
    table: str | list[str | None] | None = None,
    charts: list[Chart] | None = None,
    dpi: int = 150,
) -> Path | None:
    """Write a matplotlib Figure (or the Figure of an Axes) as ``<name>.png`` and list it for the deck.

    Parameters
    ----------
    figure : Figure or Axes
    name : str
        The file name (``<name>.png``).
    output_dir : path or None
        The run folder; nothing is written when empty.
    title : str, optional
        Heads the figure's slide (default: the figure's own title, else ``name``).
    takeaway : str, optional
        The report's sentence about the figure: the slide's takeaway and speaker notes.
    table : str or list, optional
        The name(s) of the saved table(s) the figure's panels were drawn from, in panel
        order: with them, each panel drawn by a :mod:`cjm_lab.plots` function that has a
        PowerPoint chart type becomes a **native chart** in the deck (editable, data
        embedded); without, the slide shows the picture.
    charts : list of Chart, optional
        Native charts given explicitly (for a figure drawn by hand).
    dpi : int, default 150
        Resolution of the PNG; a figure the deck shows as a picture (journey map, Sankey) is
        worth 200 (sharp on a projector).
    """
    from cjm_lab.plots._common import chart_specs

    folder = _target(output_dir)
    if folder is None:
        return None
    fig = getattr(figure, "figure", figure)
    if not hasattr(fig, "savefig"):
        raise CJMConfigError(f"save_figure() needs a matplotlib Figure or Axes, got {type(figure).__name__}.")
    stem = _name(name)
    if charts is None:
        specs = chart_specs(fig)
        tables = [table] * len(specs) if isinstance(table, str) or table is None else list(table)
        if len(tables) != len(specs) and table is not None:
            raise CJMConfigError(
                f"save_figure({name!r}): `table` names {len(tables)} table(s) for {len(specs)} chart panel(s); "
                "give one table name per panel drawn by a cjm_lab.plots function, in panel order (None to leave "
                "a panel as a picture)."
            )
        charts = [Chart.from_dict({**spec, "table": t}) for spec, t in zip(specs, tables) if t]
    native = bool(charts) and all(c.table for c in charts)
    path = folder / f"{stem}.png"
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    if title is None:
        title = figure_title(fig, name)
    record(
        folder,
        {
            "type": "figure",
            "name": stem,
            "file": path.name,
            "title": title,
            "takeaway": takeaway,
            "charts": [c.to_dict() for c in charts] if native else [],
            "image": not native,
        },
    )
    return path


def figure_title(figure: Any, default: str) -> str:
    """A figure's own title: its suptitle, else the first Axes' title, else ``default``."""
    fig = getattr(figure, "figure", figure)
    axes = fig.get_axes()
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    return suptitle or (axes[0].get_title() if axes else "") or default


@validate_params({})
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

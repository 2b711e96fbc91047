"""The run's tables as one formatted Excel workbook (``tables.xlsx``), as a client reads it.

* a **contents** sheet first, linking to every table sheet (each sheet links back);
* **one sheet per table**: a title row, the takeaway and notes, the header in row
  :data:`HEADER_ROW` + 1 (frozen, with a filter), labelled columns, numbers stored as
  numbers with number formats (percent, one decimal, thousands — see
  :func:`cjm_lab.reports.formats.excel_format`), widths that fit the content;
* **crosstabs as banner tables** (a table with the columns of
  :data:`cjm_lab.survey.CROSSTAB_COLUMNS`): answers down the side, banner columns across,
  the unweighted base, the weighted base and the effective base as the first rows, and the
  significance letters in a column of their own beside each value, set as superscripts;
* a last **about** sheet with the parameters, the SHA-256 of each data file, the package
  versions and the privacy settings of the run.

Every text cell passes :func:`cjm_lab.untrusted.neutralise_cell` and is written as a string
(never a formula); sheet names come from :func:`cjm_lab.untrusted.unique_slugs`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import check_language
from cjm_lab.errors import CJMConfigError
from cjm_lab.reports.formats import column_kinds, column_label, excel_format, value_labeller, word
from cjm_lab.reports.manifest import TableEntry, load_table, read_manifest
from cjm_lab.untrusted import neutralise_cell, unique_slugs

__all__ = ["HEADER_ROW", "build_workbook", "read_sheet"]

#: The 0-based row of each table sheet's header (``pd.read_excel(..., header=HEADER_ROW)``).
HEADER_ROW = 5
_MAX_CELL = 32_767
_CROSSTAB = frozenset(
    {
        "kind",
        "variable",
        "row_label",
        "banner_variable",
        "banner_column",
        "letter",
        "statistic",
        "value",
        "base",
        "effective_base",
        "sig_letters",
    }
)
_ABOUT = {"en": "About", "de": "Info"}
_TITLE_DEFAULT = {"en": "Tables", "de": "Tabellen"}


def _text(value: Any) -> str:
    text = str(neutralise_cell(str(value)))
    if len(text) > _MAX_CELL:  # Excel's limit: say that the text was cut
        text = text[: _MAX_CELL - 1] + "…"
    return text


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


class _Book:
    """Formats of one workbook, made once (XlsxWriter needs a format object per look)."""

    def __init__(self, book: Any, language: str) -> None:
        self.book = book
        self.language = language
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.takeaway = book.add_format({"italic": True, "font_color": "#333333"})
        self.note = book.add_format({"font_size": 9, "font_color": "#555555"})
        self.link = book.add_format({"font_color": "#0563C1", "underline": 1})
        self.header = book.add_format(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom", "bg_color": "#F2F2F2"}
        )
        self.header_num = book.add_format(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom", "align": "right", "bg_color": "#F2F2F2"}
        )
        self.text = book.add_format({"valign": "top"})
        self.wrap = book.add_format({"valign": "top", "text_wrap": True})
        self.letters = book.add_format({"font_script": 1, "font_color": "#C00000", "bold": True, "valign": "top"})
        self.banner = book.add_format({"bold": True, "align": "center", "bottom": 1, "bg_color": "#F2F2F2"})
        self.base_row = book.add_format({"italic": True, "num_format": "#,##0", "font_color": "#555555"})
        self.base_row_dec = book.add_format({"italic": True, "num_format": "#,##0.0", "font_color": "#555555"})
        self.base_label = book.add_format({"italic": True, "font_color": "#555555"})
        self._numbers: dict[str, Any] = {}

    def number(self, fmt: str | None) -> Any:
        key = fmt or "General"
        if key not in self._numbers:
            self._numbers[key] = self.book.add_format({"num_format": key, "valign": "top"})
        return self._numbers[key]


def _write_cell(sheet: Any, row: int, col: int, value: Any, kind: str, fmt: Any, book: _Book) -> int:
    """Write one cell as its kind; return the width its text needs."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        sheet.write_blank(row, col, None, fmt)
        return 1
    if kind == "flag":
        sheet.write_boolean(row, col, bool(value), book.text)
        return 5
    if kind == "date":
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(None)
        sheet.write_datetime(row, col, stamp.to_pydatetime(), fmt)
        return 16 if stamp != stamp.normalize() else 11
    if kind != "text" and isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if not np.isfinite(number):
            sheet.write_blank(row, col, None, fmt)
            return 1
        sheet.write_number(row, col, number, fmt)
        return len(f"{number:,.1f}") + 1
    text = _text(value)
    sheet.write_string(row, col, text, fmt)
    return min(len(text), 60)


def _head(sheet: Any, book: _Book, title: str, takeaway: str | None, notes: list[str], contents: str) -> None:
    sheet.write_string(0, 0, _text(title), book.title)
    if takeaway:
        sheet.write_string(1, 0, _text(takeaway), book.takeaway)
    if notes:
        sheet.write_string(2, 0, _text(" ".join(notes)), book.note)
    sheet.write_url(3, 0, f"internal:'{contents}'!A1", book.link, string="← " + word("back", book.language))


def _table_sheet(
    sheet: Any,
    book: _Book,
    data: pd.DataFrame,
    entry: TableEntry,
    title: str,
    labels: Any,
    touchpoints: Any,
    notes: list[str],
    contents: str,
) -> None:
    lang = book.language
    shown = [c for c in data.columns if c != "suppressed"]
    kinds = {**column_kinds(data[shown]), **{k: v for k, v in entry.kinds.items() if k in shown}}
    _head(sheet, book, title, entry.takeaway, notes, contents)
    widths = []
    for j, col in enumerate(shown):
        label = column_label(col, lang, labels)
        numeric = kinds[col] not in ("text", "flag")
        sheet.write_string(HEADER_ROW, j, _text(label), book.header_num if numeric else book.header)
        widths.append(max(len(w) for w in label.split()) + 2 if label else 4)
    for j, col in enumerate(shown):
        kind = kinds[col]
        show = (entry.labeller(col) or value_labeller(col, lang, labels, touchpoints)) if kind == "text" else None
        values = data[col]
        if show is not None:
            values = values.map(lambda v, f=show: v if pd.isna(v) else f(v))
        long_text = kind == "text" and values.dropna().astype(str).str.len().max() > 60 if len(values) else False
        fmt = (
            book.wrap
            if long_text
            else (book.text if kind in ("text", "flag") else book.number(excel_format(kind, lang, values)))
        )
        width = widths[j]
        for i, value in enumerate(values.tolist()):
            width = max(width, _write_cell(sheet, HEADER_ROW + 1 + i, j, value, kind, fmt, book))
        sheet.set_column(j, j, min(max(width, 6), 60) + 1)
    sheet.set_row(HEADER_ROW, 30)
    sheet.freeze_panes(HEADER_ROW + 1, 1 if shown and kinds[shown[0]] in ("text", "code") else 0)
    if len(data):
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(data), max(len(shown) - 1, 0))


def _is_crosstab(data: pd.DataFrame) -> bool:
    return _CROSSTAB <= set(data.columns)


def _banner_sheet(
    sheet: Any, book: _Book, data: pd.DataFrame, entry: TableEntry, title: str, notes: list[str], contents: str
) -> None:
    """Answers down the side, banner columns across; bases first; letters beside each value."""
    lang = book.language
    t = data.copy()
    t["letter"] = t["letter"].fillna("").astype(str)
    t["sig_letters"] = t["sig_letters"].fillna("").astype(str)
    cols = list(dict.fromkeys(zip(t["banner_variable"].astype(str), t["banner_column"].astype(str), t["letter"])))
    rows = list(dict.fromkeys(zip(t["kind"].astype(str), t["variable"].astype(str), t["row_label"].astype(str))))
    col_pos = {c: 2 + 2 * k for k, c in enumerate(cols)}
    _head(sheet, book, title, entry.takeaway, notes, contents)
    # header: banner variable over its columns, then each banner column with its letter
    r_var, r_col = HEADER_ROW - 1, HEADER_ROW
    for var in dict.fromkeys(c[0] for c in cols):
        mine = [col_pos[c] for c in cols if c[0] == var]
        first, last = min(mine), max(mine) + 1
        if last > first:
            sheet.merge_range(r_var, first, r_var, last, _text(var), book.banner)
        else:
            sheet.write_string(r_var, first, _text(var), book.banner)
    sheet.write_string(r_col, 0, "", book.header)
    sheet.write_string(r_col, 1, "", book.header)
    for c in cols:
        label = c[1] + (f" ({c[2]})" if c[2] else "")
        sheet.write_string(r_col, col_pos[c], _text(label), book.header_num)
        sheet.write_string(r_col, col_pos[c] + 1, word("sig", lang), book.header)
        sheet.set_column(col_pos[c], col_pos[c], max(10, len(label) + 2))
        sheet.set_column(col_pos[c] + 1, col_pos[c] + 1, 5)
    row_pos: dict[tuple[str, str, str], int] = {}
    next_row = HEADER_ROW + 1
    eff_key = None
    for key in rows:
        if key[0] == "filter":
            continue
        row_pos[key] = next_row
        next_row += 1
        if key[0] == "base" and eff_key is None:  # the effective base right below the unweighted base
            eff_key = ("effective_base", key[1], word("effective_base", lang))
            row_pos[eff_key] = next_row
            next_row += 1
    widths = [10, 12]
    for key, r in row_pos.items():
        is_base = key[0] in ("base", "weighted_base", "effective_base")
        sheet.write_string(r, 0, _text(key[1]), book.base_label if is_base else book.text)
        sheet.write_string(r, 1, _text(key[2]), book.base_label if is_base else book.text)
        widths = [max(widths[0], len(key[1]) + 2), max(widths[1], min(len(key[2]) + 2, 60))]
    pct = book.number(excel_format("percent", lang).replace("0.0", "0"))
    mean = book.number("0.00")
    count = book.number("#,##0")
    for rec in t.itertuples(index=False):  # one cell of a banner table each (a few hundred at most)
        key = (str(rec.kind), str(rec.variable), str(rec.row_label))
        if key not in row_pos:
            continue
        r, c = row_pos[key], col_pos[(str(rec.banner_variable), str(rec.banner_column), rec.letter)]
        value = rec.value
        if rec.statistic in ("col_pct", "row_pct"):
            fmt = pct
        elif rec.statistic == "mean":
            fmt = mean
        elif key[0] in ("base", "weighted_base"):
            fmt = book.base_row if float(value).is_integer() else book.base_row_dec
        else:
            fmt = count
        _write_cell(sheet, r, c, value, "number", fmt, book)
        if rec.sig_letters:
            sheet.write_string(r, c + 1, _text(rec.sig_letters), book.letters)
        if key[0] == "base" and eff_key is not None and key[1] == eff_key[1]:
            _write_cell(sheet, row_pos[eff_key], c, rec.effective_base, "number", book.base_row_dec, book)
    sheet.set_column(0, 0, min(widths[0], 30))
    sheet.set_column(1, 1, widths[1])
    sheet.set_row(HEADER_ROW, 30)
    sheet.freeze_panes(HEADER_ROW + 1, 2)


def _about_sheet(sheet: Any, book: _Book, record: Mapping[str, Any] | None, contents: str) -> None:
    lang = book.language
    _head(sheet, book, word("run", lang), None, [], contents)
    rows: list[tuple[str, Any]] = []
    record = dict(record or {})
    for key in ("report", "label", "started", "duration_s", "outcome", "host"):
        if record.get(key) not in (None, ""):
            rows.append((key, record[key]))
    params = record.get("parameters_effective") or record.get("parameters") or {}
    rows += [(f"{word('parameter', lang)}: {k}", v) for k, v in params.items()]
    rows += [
        (f"{word('file', lang)}: {k}", f"{word('sha256', lang)} {v}")
        for k, v in (record.get("data_files_sha256") or {}).items()
    ]
    privacy = record.get("privacy") or {}
    rows += [(f"privacy: {k}", v) for k, v in privacy.items()]
    rows += [(f"version: {k}", v) for k, v in (record.get("versions") or {}).items()]
    sheet.write_string(HEADER_ROW, 0, word("parameter", lang), book.header)
    sheet.write_string(HEADER_ROW, 1, word("value", lang), book.header)
    width = [12, 12]
    for i, (key, value) in enumerate(rows, start=HEADER_ROW + 1):
        sheet.write_string(i, 0, _text(key), book.text)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(i, 1, float(value), book.text)
            text = str(value)
        else:
            text = _text(value if isinstance(value, str) else repr(value))
            sheet.write_string(i, 1, text, book.text)
        width = [max(width[0], len(key) + 2), max(width[1], min(len(text) + 2, 90))]
    sheet.set_column(0, 0, min(width[0], 45))
    sheet.set_column(1, 1, width[1])
    sheet.freeze_panes(HEADER_ROW + 1, 0)


def build_workbook(
    folder: str | os.PathLike,
    *,
    language: str = "en",
    title: str | None = None,
    record: Mapping[str, Any] | None = None,
    labels: Any = None,
    touchpoints: Any = None,
    min_group_size: int | None = None,
    path: str | os.PathLike | None = None,
) -> Path | None:
    """Write the run folder's tables as a formatted ``tables.xlsx`` (None when it has no table).

    Parameters
    ----------
    folder : path
        A run folder (its ``deliverables.json`` and CSVs, see :mod:`cjm_lab.reports.manifest`).
    language : {"en", "de"}
        Headers, notes and number formats.
    title : str, optional
        The report's title, on the contents sheet.
    record : dict, optional
        The run record (``run.json``): parameters, data hashes and versions for the last sheet.
    labels : Labels or dict, optional
        Labels of the data's columns and values (:class:`cjm_lab.labels.Labels`).
    touchpoints : callable, optional
        How touchpoint keys are shown (:func:`cjm_lab.plots.touchpoint_labeller`).
    min_group_size : int, optional
        Quoted in the note of tables with suppressed cells.
    path : path, optional
        Where to write (default ``folder/tables.xlsx``; an existing file is replaced only
        inside a run folder the runner is still writing).

    Returns
    -------
    Path or None

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from cjm_lab.reports import save_table
    >>> d = tempfile.mkdtemp()
    >>> _ = save_table(pd.DataFrame({"wave": ["W1", "W2"], "n": [120, 130], "nps": [12.0, 21.5]}), "nps_by_wave",
    ...                d, title="NPS by wave")
    >>> book = openpyxl.load_workbook(build_workbook(d))
    >>> book.sheetnames, book["nps_by_wave"]["C7"].value, book["nps_by_wave"]["C7"].number_format
    (['Contents', 'nps_by_wave', 'About'], 12, '+0.0;-0.0;0.0')
    """
    import xlsxwriter

    lang = check_language(language)
    base = Path(folder)
    if not base.is_dir():
        raise CJMConfigError(f"build_workbook(): {base} is not a folder; pass a report run folder.")
    manifest = read_manifest(base)
    tables = list(manifest.tables.values())
    if not tables:
        return None
    target = Path(path) if path is not None else base / "tables.xlsx"
    contents = word("contents", lang)
    names = unique_slugs([t.name for t in tables], max_length=31, taken={contents, _ABOUT[lang]})
    tmp = target.with_name(f".{target.name}.tmp")
    book = xlsxwriter.Workbook(
        str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
    )
    try:
        fmt = _Book(book, lang)
        toc = book.add_worksheet(contents)
        toc.write_string(0, 0, _text(title or _TITLE_DEFAULT[lang]), fmt.title)
        toc.write_string(HEADER_ROW, 0, "#", fmt.header)
        toc.write_string(HEADER_ROW, 1, word("sheet", lang), fmt.header)
        toc.write_string(HEADER_ROW, 2, word("table", lang), fmt.header)
        toc.write_string(HEADER_ROW, 3, column_label("rows", lang), fmt.header_num)
        widths = [4, 12, 20, 8]
        for i, (entry, sheet_name) in enumerate(zip(tables, names), start=1):
            data = load_table(base, entry)
            table_title = entry.title or _humanise(entry.name)
            notes = []
            if "suppressed" in data and data["suppressed"].fillna(False).astype(bool).any():
                notes.append(word("suppressed_note", lang, k=min_group_size or 5))
            sheet = book.add_worksheet(sheet_name)
            if _is_crosstab(data):
                if (data["sig_letters"].fillna("").astype(str) != "").any():
                    notes.append(word("letters_note", lang, alpha=0.05))
                _banner_sheet(sheet, fmt, data, entry, table_title, notes, contents)
            else:
                _table_sheet(sheet, fmt, data, entry, table_title, labels, touchpoints, notes, contents)
            r = HEADER_ROW + i
            toc.write_number(r, 0, i)
            toc.write_url(r, 1, f"internal:'{sheet_name}'!A1", fmt.link, string=sheet_name)
            toc.write_string(r, 2, _text(table_title))
            toc.write_number(r, 3, len(data), fmt.number("#,##0"))
            widths = [4, max(widths[1], len(sheet_name) + 2), max(widths[2], min(len(table_title) + 2, 80)), 8]
        about = book.add_worksheet(_ABOUT[lang])
        _about_sheet(about, fmt, record, contents)
        r = HEADER_ROW + len(tables) + 1
        toc.write_number(r, 0, len(tables) + 1)
        toc.write_url(r, 1, f"internal:'{_ABOUT[lang]}'!A1", fmt.link, string=_ABOUT[lang])
        toc.write_string(r, 2, word("run", lang))
        for j, w in enumerate(widths):
            toc.set_column(j, j, w)
        toc.freeze_panes(HEADER_ROW + 1, 0)
        toc.activate()
    finally:
        book.close()
    os.replace(tmp, target)
    return target


def read_sheet(path: str | os.PathLike, sheet: str) -> pd.DataFrame:
    """A table sheet of a workbook written by :func:`build_workbook`, as a DataFrame (header labels).

    Examples
    --------
    >>> import tempfile
    >>> from cjm_lab.reports import save_table
    >>> d = tempfile.mkdtemp()
    >>> _ = save_table(pd.DataFrame({"wave": ["W1"], "n": [120]}), "t", d)
    >>> read_sheet(build_workbook(d, language="de"), "t").columns.tolist()
    ['Welle', 'Basis (n)']
    """
    return pd.read_excel(path, sheet_name=sheet, header=HEADER_ROW)

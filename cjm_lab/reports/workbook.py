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

Every text cell is typed text, never a formula: control characters XML cannot hold are removed,
text beyond Excel's 32,767 characters is cut with a marker (:func:`cjm_lab.untrusted.excel_text`),
and a cell that starts like a formula gets Excel's quote prefix, so it stays text when edited.
Sheet names are those :func:`cjm_lab.reports.save_table` gave the tables (unique, 31 characters).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import check_language
from cjm_lab._params import COUNT, LANGUAGE, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.privacy import MIN_GROUP_SIZE
from cjm_lab.reports.formats import column_kinds, column_label, excel_format, value_labeller, word
from cjm_lab.reports.manifest import TableEntry, load_table, read_manifest
from cjm_lab.survey.crosstab import crosstab_note, to_wide
from cjm_lab.untrusted import excel_text, formula_like, unique_slugs

__all__ = ["HEADER_ROW", "build_workbook", "crosstab_to_excel", "read_sheet", "write_crosstabs"]

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

#: The 0-based row of each table sheet's header (``pd.read_excel(..., header=HEADER_ROW)``).
HEADER_ROW = 5
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
    """Text as a cell holds it (no control characters, cut visibly beyond Excel's limit)."""
    return str(excel_text(str(value)))


def _put(sheet: Any, row: int, col: int, value: Any, fmt: Any, book: _Book) -> str:
    """Write text as typed text; one that starts like a formula keeps Excel's quote prefix."""
    text = _text(value)
    sheet.write_string(row, col, text, book.quoted(fmt) if formula_like(text) else fmt)
    return text


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


class _Book:
    """Formats of one workbook, made once (XlsxWriter needs a format object per look)."""

    def __init__(self, book: Any, language: str) -> None:
        self.book = book
        self.language = language
        self._props: dict[int, dict[str, Any]] = {}
        self._quoted: dict[int, Any] = {}
        self.title = self._make({"bold": True, "font_size": 14})
        self.takeaway = self._make({"italic": True, "font_color": "#333333"})
        self.note = self._make({"font_size": 9, "font_color": "#555555"})
        self.link = self._make({"font_color": "#0563C1", "underline": 1})
        self.header = self._make(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom", "bg_color": "#F2F2F2"}
        )
        self.header_num = self._make(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom", "align": "right", "bg_color": "#F2F2F2"}
        )
        self.text = self._make({"valign": "top"})
        self.wrap = self._make({"valign": "top", "text_wrap": True})
        self.letters = self._make({"font_script": 1, "font_color": "#C00000", "bold": True, "valign": "top"})
        self.banner = self._make({"bold": True, "align": "center", "bottom": 1, "bg_color": "#F2F2F2"})
        self.base_row = self._make({"italic": True, "num_format": "#,##0", "font_color": "#555555"})
        self.base_row_dec = self._make({"italic": True, "num_format": "#,##0.0", "font_color": "#555555"})
        self.base_label = self._make({"italic": True, "font_color": "#555555"})
        self._numbers: dict[str, Any] = {}

    def _make(self, props: dict[str, Any]) -> Any:
        fmt = self.book.add_format(props)
        self._props[id(fmt)] = props
        return fmt

    def quoted(self, fmt: Any) -> Any:
        """The same look with Excel's quote prefix (text that starts like a formula stays text)."""
        if id(fmt) not in self._quoted:
            self._quoted[id(fmt)] = self._make({**self._props.get(id(fmt), {}), "quote_prefix": True})
        return self._quoted[id(fmt)]

    def number(self, fmt: str | None) -> Any:
        key = fmt or "General"
        if key not in self._numbers:
            self._numbers[key] = self._make({"num_format": key, "valign": "top"})
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
    text = _put(sheet, row, col, value, fmt, book)
    return min(len(text), 60)


def _head(sheet: Any, book: _Book, title: str, takeaway: str | None, notes: list[str], contents: str) -> None:
    _put(sheet, 0, 0, title, book.title, book)
    if takeaway:
        _put(sheet, 1, 0, takeaway, book.takeaway, book)
    if notes:
        _put(sheet, 2, 0, " ".join(notes), book.note, book)
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
        _put(sheet, HEADER_ROW, j, label, book.header_num if numeric else book.header, book)
        widths.append(max(len(w) for w in label.split()) + 2 if label else 4)
    for j, col in enumerate(shown):
        kind = kinds[col]
        own = entry.labeller(col)  # labels saved with the table make a coded column text
        if own is not None:
            kind = "text"
        show = (own or value_labeller(col, lang, labels, touchpoints)) if kind == "text" else None
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


def _variable_labels(t: pd.DataFrame, name: str, label: str) -> dict[str, str]:
    """The labels a crosstab carries for its variables (``variable_label``/``banner_label``)."""
    if label not in t.columns:
        return {}
    known = t[[name, label]].dropna()
    return dict(zip(known[name].astype(str), known[label].astype(str), strict=True))


def _banner_sheet(
    sheet: Any,
    book: _Book,
    data: pd.DataFrame,
    takeaway: str | None,
    title: str,
    notes: list[str],
    contents: str,
    *,
    decimals: int = 0,
    mean_decimals: int = 2,
) -> None:
    """Answers down the side, banner columns across; bases first; letters beside each value.

    Variables show their labels (the crosstab's ``variable_label`` and ``banner_label``);
    every value is a number with a number format (percentages with ``decimals``, means with
    ``mean_decimals``), the letters a superscript text beside it.
    """
    lang = book.language
    t = data.copy()
    t["letter"] = t["letter"].astype(object).fillna("").astype(str)
    t["sig_letters"] = t["sig_letters"].astype(object).fillna("").astype(str)
    row_names = _variable_labels(t, "variable", "variable_label")
    banner_names = _variable_labels(t, "banner_variable", "banner_label")
    cols = list(dict.fromkeys(zip(t["banner_variable"].astype(str), t["banner_column"].astype(str), t["letter"])))
    rows = list(dict.fromkeys(zip(t["kind"].astype(str), t["variable"].astype(str), t["row_label"].astype(str))))
    col_pos = {c: 2 + 2 * k for k, c in enumerate(cols)}
    _head(sheet, book, title, takeaway, notes, contents)
    # header: banner variable over its columns, then each banner column with its letter
    r_var, r_col = HEADER_ROW - 1, HEADER_ROW
    for name in dict.fromkeys(c[0] for c in cols):
        mine = [col_pos[c] for c in cols if c[0] == name]
        var = banner_names.get(name) or name
        first, last = min(mine), max(mine) + 1
        if last > first:
            sheet.merge_range(
                r_var,
                first,
                r_var,
                last,
                _text(var),
                book.quoted(book.banner) if formula_like(_text(var)) else book.banner,
            )
        else:
            _put(sheet, r_var, first, var, book.banner, book)
    sheet.write_string(r_col, 0, "", book.header)
    sheet.write_string(r_col, 1, "", book.header)
    for c in cols:
        label = c[1] + (f" ({c[2]})" if c[2] else "")
        _put(sheet, r_col, col_pos[c], label, book.header_num, book)
        sheet.write_string(r_col, col_pos[c] + 1, word("sig", lang), book.header)
        sheet.set_column(col_pos[c], col_pos[c], max(10, len(label) + 2))
        sheet.set_column(col_pos[c] + 1, col_pos[c] + 1, 5)
    has_eff = bool((t["kind"].astype(str) == "effective_base").any())  # newer crosstabs carry the row
    row_pos: dict[tuple[str, str, str], int] = {}
    next_row = HEADER_ROW + 1
    eff_key = None
    for key in rows:
        if key[0] == "filter":
            continue
        row_pos[key] = next_row
        next_row += 1
        if key[0] == "base" and eff_key is None and not has_eff:  # the effective base below the unweighted one
            eff_key = ("effective_base", key[1], word("effective_base", lang))
            row_pos[eff_key] = next_row
            next_row += 1
    widths = [10, 12]
    for key, r in row_pos.items():
        is_base = key[0] in ("base", "weighted_base", "effective_base")  # (kinds of the crosstab's own rows too)
        shown = row_names.get(key[1]) or key[1]
        _put(sheet, r, 0, shown, book.base_label if is_base else book.text, book)
        _put(sheet, r, 1, key[2], book.base_label if is_base else book.text, book)
        widths = [max(widths[0], len(shown) + 2), max(widths[1], min(len(key[2]) + 2, 60))]
    places = "." + "0" * decimals if decimals else ""
    pct = book.number(str(excel_format("percent", lang)).replace("0.0", "0" + places))
    mean = book.number("0" + ("." + "0" * mean_decimals if mean_decimals else ""))
    count = book.number("#,##0")
    for rec in t.itertuples(index=False):  # one cell of a banner table each (a few hundred at most)
        key = (str(rec.kind), str(rec.variable), str(rec.row_label))
        if key not in row_pos:
            continue
        r, c = row_pos[key], col_pos[(str(rec.banner_variable), str(rec.banner_column), rec.letter)]  # type: ignore[assignment]
        value = rec.value
        if rec.statistic in ("col_pct", "row_pct"):
            fmt = pct
        elif rec.statistic == "mean":
            fmt = mean
        elif key[0] in ("base", "weighted_base", "effective_base"):
            fmt = book.base_row if float(value).is_integer() else book.base_row_dec
        else:
            fmt = count
        _write_cell(sheet, r, c, value, "number", fmt, book)  # type: ignore[arg-type]
        if rec.sig_letters:
            _put(sheet, r, c + 1, rec.sig_letters, book.letters, book)  # type: ignore[operator]
        if key[0] == "base" and eff_key is not None and key[1] == eff_key[1]:
            _write_cell(sheet, row_pos[eff_key], c, rec.effective_base, "number", book.base_row_dec, book)  # type: ignore[arg-type]
    sheet.set_column(0, 0, min(widths[0], 30))
    sheet.set_column(1, 1, widths[1])
    sheet.set_row(HEADER_ROW, 30)
    sheet.freeze_panes(HEADER_ROW + 1, 2)


def _contents_sheet(book: Any, fmt: _Book, title: str) -> Any:
    """The first sheet: the workbook's title and a row per table (filled by :func:`_contents_row`)."""
    lang = fmt.language
    toc = book.add_worksheet(word("contents", lang))
    _put(toc, 0, 0, title, fmt.title, fmt)
    toc.write_string(HEADER_ROW, 0, "#", fmt.header)
    toc.write_string(HEADER_ROW, 1, word("sheet", lang), fmt.header)
    toc.write_string(HEADER_ROW, 2, word("table", lang), fmt.header)
    toc.write_string(HEADER_ROW, 3, column_label("rows", lang), fmt.header_num)
    return toc


def _contents_row(
    toc: Any, fmt: _Book, i: int, sheet_name: str, title: str, n_rows: int, widths: list[int]
) -> list[int]:
    """One table's row of the contents sheet, linking to its sheet; returns the column widths."""
    r = HEADER_ROW + i
    toc.write_number(r, 0, i)
    toc.write_url(r, 1, f"internal:'{sheet_name}'!A1", fmt.link, string=sheet_name)
    _put(toc, r, 2, title, fmt.text, fmt)
    toc.write_number(r, 3, n_rows, fmt.number("#,##0"))
    return [4, max(widths[1], len(sheet_name) + 2), max(widths[2], min(len(title) + 2, 80)), 8]


def _finish_contents(toc: Any, widths: list[int]) -> None:
    for j, w in enumerate(widths):
        toc.set_column(j, j, w)
    toc.freeze_panes(HEADER_ROW + 1, 0)
    toc.activate()


@validate_params({"language": [LANGUAGE], "decimals": [COUNT], "mean_decimals": [COUNT]})
def write_crosstabs(
    tables: list[tuple[str, pd.DataFrame, str, str | None, list[str]]],
    path: str | os.PathLike,
    *,
    language: str = "en",
    title: str | None = None,
    decimals: int = 0,
    mean_decimals: int = 2,
) -> Path:
    """Crosstabs as banner sheets of a new ``.xlsx`` file — the one way a crosstab reaches Excel.

    The same sheets :func:`build_workbook` writes for a report's crosstabs: a contents sheet,
    then per table its title (A1), the line under it (A2, e.g. the filter), its notes (A3,
    what the letters mean), and the banner table from row :data:`HEADER_ROW` + 1 with the
    bases and effective bases first, every value a **number** with a number format and the
    significance letters as superscript text in a column of their own.  Written to a
    temporary file and linked into place: an existing file is never overwritten.

    Parameters
    ----------
    tables : list of (sheet name, crosstab, title, line under the title, notes)
        Long tables of :func:`cjm_lab.survey.crosstab`; sheet names unique, at most 31 characters.
    path : path
        The new file.
    language : {"en", "de"}
    title : str, optional
        The title of the contents sheet.
    decimals, mean_decimals : int
        Decimals shown for percentages and means (the cells hold the full numbers).

    Returns
    -------
    Path
    """
    import xlsxwriter

    lang = check_language(language)
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(suffix=".xlsx", dir=target.parent, prefix=".tmp_crosstab_")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        book = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
        )
        try:
            fmt = _Book(book, lang)
            contents = word("contents", lang)
            toc = _contents_sheet(book, fmt, title or _TITLE_DEFAULT[lang])
            widths = [4, 12, 20, 8]
            for i, (sheet_name, data, table_title, line, notes) in enumerate(tables, start=1):
                sheet = book.add_worksheet(sheet_name)
                _banner_sheet(
                    sheet, fmt, data, line, table_title, notes, contents, decimals=decimals, mean_decimals=mean_decimals
                )
                widths = _contents_row(toc, fmt, i, sheet_name, table_title, len(data), widths)
            _finish_contents(toc, widths)
        finally:
            book.close()
        try:
            os.link(tmp, target)  # fails if the target appeared meanwhile: never overwrite
        except FileExistsError:
            raise CJMConfigError(f"{str(target)!r} appeared while writing; nothing overwritten.") from None
        except OSError:  # file systems without hard links
            if target.exists():
                raise CJMConfigError(f"{str(target)!r} exists; nothing overwritten.") from None
            os.rename(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


@validate_params({"decimals": [COUNT], "mean_decimals": [COUNT]})
def crosstab_to_excel(
    tables: pd.DataFrame | Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    decimals: int = 0,
    mean_decimals: int = 2,
) -> Path:
    """Write crosstabs to a new ``.xlsx`` file, one sheet per table (never overwrites).

    Parameters
    ----------
    tables : DataFrame, list or dict
        Long tables from :func:`crosstab`; a dict names the sheets, otherwise the sheets are
        named after each table's title.
    path : path
        The new file (``.xlsx``); an existing file is refused.
    decimals, mean_decimals : int
        Passed to :func:`to_wide`.

    Returns
    -------
    Path
        The file written, by the same writer as a report's ``tables.xlsx``
        (:func:`cjm_lab.reports.workbook.write_crosstabs`): a contents sheet, then per table
        the title in A1, the filter in A2, what the letters mean (test, alpha, correction,
        effective bases) in A3 and the banner table from row 7 — variables by their labels,
        bases and effective bases first, every value a number with a number format (``20``
        shown as ``20%``, never the text "20%") and the letters as superscript text in a
        column of their own.  Text from the data is written as text, never as a formula.

    Raises
    ------
    CJMConfigError
        The file exists, the suffix is not ``.xlsx``, or no table is given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> df = pd.DataFrame({"buy": ["yes", "no", "yes", "yes"], "grp": ["a", "a", "b", "b"]})
    >>> from cjm_lab.survey import crosstab
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = crosstab_to_excel({"Buy": crosstab(df, rows="buy", columns="grp")},
    ...                             pathlib.Path(folder) / "tables.xlsx")
    >>> out.name
    'tables.xlsx'
    """
    where = "crosstab_to_excel()"
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise CJMConfigError(f"{where}: `path` must end in .xlsx, got {str(target)!r}.")
    if target.exists():
        raise CJMConfigError(
            f"{where}: {str(target)!r} exists; cjm-lab never overwrites a file. "
            "Fix: choose a new file name, or delete the old file yourself."
        )
    if not target.parent.is_dir():
        raise CJMConfigError(f"{where}: the folder {str(target.parent)!r} does not exist.")
    if isinstance(tables, pd.DataFrame):
        named: list[tuple[str | None, Any]] = [(None, tables)]
    elif isinstance(tables, Mapping):
        named = [(str(k), v) for k, v in tables.items()]
    else:
        named = [(None, t) for t in tables]
    if not named:
        raise CJMConfigError(f"{where}: give at least one table.")
    used: set[str] = set()
    sheets = []
    languages = set()
    for i, (name, table) in enumerate(named, start=1):
        to_wide(table)  # checks the table as to_wide does
        meta = table.attrs.get("crosstab", {})
        languages.add(meta.get("language", "en"))
        raw = name or meta.get("title") or f"Table {i}"
        sheet = _SHEET_BAD.sub("_", raw)[:31].strip("'") or f"Table {i}"
        base, k = sheet, 2
        while sheet.lower() in used:
            suffix = f" ({k})"
            sheet, k = base[: 31 - len(suffix)] + suffix, k + 1
        used.add(sheet.lower())
        filt = meta.get("filter", "")
        note = crosstab_note(meta)
        sheets.append(
            (sheet, table, str(meta.get("title", raw)), f"Filter: {filt}" if filt else None, [note] if note else [])
        )
    language = languages.pop() if len(languages) == 1 else "en"
    try:
        return write_crosstabs(sheets, target, language=language, decimals=decimals, mean_decimals=mean_decimals)
    except CJMConfigError as err:
        raise CJMConfigError(f"{where}: {err}") from None


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
        _put(sheet, i, 0, key, book.text, book)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(i, 1, float(value), book.text)
            text = str(value)
        else:
            text = _put(sheet, i, 1, value if isinstance(value, str) else repr(value), book.text, book)
        width = [max(width[0], len(key) + 2), max(width[1], min(len(text) + 2, 90))]
    sheet.set_column(0, 0, min(width[0], 45))
    sheet.set_column(1, 1, width[1])
    sheet.freeze_panes(HEADER_ROW + 1, 0)


@validate_params({"language": [LANGUAGE], "min_group_size": [MIN_GROUP_SIZE, None]})
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
    taken = {t.sheet for t in tables if t.sheet} | {contents, _ABOUT[lang]}
    fallback = iter(unique_slugs([t.name for t in tables if not t.sheet], max_length=31, taken=taken))
    names = [t.sheet or next(fallback) for t in tables]
    tmp = target.with_name(f".{target.name}.tmp")
    book = xlsxwriter.Workbook(
        str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
    )
    try:
        fmt = _Book(book, lang)
        toc = _contents_sheet(book, fmt, title or _TITLE_DEFAULT[lang])
        widths = [4, 12, 20, 8]
        for i, (entry, sheet_name) in enumerate(zip(tables, names), start=1):
            data = load_table(base, entry)
            table_title = entry.title or _humanise(entry.name)
            notes = []
            if "suppressed" in data and data["suppressed"].fillna(False).astype(bool).any():
                notes.append(word("suppressed_note", lang, k=min_group_size or 5))
            sheet = book.add_worksheet(sheet_name)
            if _is_crosstab(data):
                if (data["sig_letters"].astype(object).fillna("").astype(str) != "").any():
                    notes.append(word("letters_note", lang, alpha=0.05))
                _banner_sheet(sheet, fmt, data, entry.takeaway, table_title, notes, contents)
            else:
                _table_sheet(sheet, fmt, data, entry, table_title, labels, touchpoints, notes, contents)
            widths = _contents_row(toc, fmt, i, sheet_name, table_title, len(data), widths)
        about = book.add_worksheet(_ABOUT[lang])
        _about_sheet(about, fmt, record, contents)
        r = HEADER_ROW + len(tables) + 1
        toc.write_number(r, 0, len(tables) + 1)
        toc.write_url(r, 1, f"internal:'{_ABOUT[lang]}'!A1", fmt.link, string=_ABOUT[lang])
        toc.write_string(r, 2, word("run", lang))
        _finish_contents(toc, widths)
    finally:
        book.close()
    os.replace(tmp, target)
    return target


@validate_params({})
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

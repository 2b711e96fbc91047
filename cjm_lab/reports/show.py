"""The one path from a result to a deliverable: the report page, the files and the deck.

A report notebook calls :func:`start_report` once, right after its parameters, and then one
helper per result, so a section is "compute, then one line":

* :func:`show_table` — protects the table (pseudonyms, PII masking, groups below the minimum
  size hidden), saves ``<name>.csv`` and a sheet of ``tables.xlsx``, shows it on the page and
  returns the rows a chart or a sentence may use;
* :func:`show_figure` — saves ``<name>.png`` (and its slide in the deck), shows it, optionally
  with its interactive version;
* :func:`show_text` — a sentence with computed values: the template is the report's own text
  (English and German), every value is escaped (:func:`cjm_lab.untrusted.format_markdown`);
* :func:`show_list` — sentences that come from data (recommendations, significant changes)
  as a list, each escaped.

Each call also adds an entry to ``deliverables.json`` in the output folder, in page order —
what the deck and the workbook are built from::

    {"format": "cjm-lab deliverables 1", "language": "de", "min_group_size": 5,
     "report": "survey_nps", "title": "…",                          # added by the runner
     "items": [
       {"id": 0, "kind": "text", "markdown": "…", "text": "…", "heading": 2, "section": "…"},
       {"id": 1, "kind": "list", "markdown": "…", "items": ["…"], "numbered": false, "section": "…"},
       {"id": 2, "kind": "table", "name": "nps_by_segment", "title": "…", "file": "nps_by_segment.csv",
        "sheet": "nps_by_segment", "base": "n", "effective_base": "n_eff", "by": ["wave"],
        "columns": [{"name": "wave", "kind": "label"}, {"name": "n", "kind": "count"}, …],
        "rows": 3, "hidden_rows": 0, "saved": true, "displayed": true, "section": "…"},
       {"id": 3, "kind": "figure", "name": "nps_by_segment", "file": "nps_by_segment.png", "title": "…",
        "takeaway": "…", "takeaway_markdown": "…", "tables": ["nps_by_segment"],
        "interactive": false, "displayed": true, "section": "…"}]}

``section`` is the heading above the item on the page (filled in by the runner from the executed
notebook, where each output a helper shows carries ``{"cjm_lab": {"item": id}}`` in its metadata).
Column kinds: ``label`` (a key column), ``text``, ``count``, ``integer``, ``number``, ``percent`` (0–100), ``p_value``,
``flag``, ``date`` — read from the names and types of the columns, or given with ``formats=``.

Nothing is written when the report has no output folder (a notebook opened in JupyterLab):
the helpers then only show.
"""

from __future__ import annotations

import json
import os
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cjm_lab import privacy
from cjm_lab._format import check_language
from cjm_lab._validate import require_frame, suggest
from cjm_lab.errors import CJMConfigError
from cjm_lab.reports.csp import trusted_html
from cjm_lab.reports.outputs import figure_title, save_figure, save_table
from cjm_lab.untrusted import _text, _Trusted, escape_markdown, format_markdown, unique_slugs

__all__ = [
    "MANIFEST",
    "Report",
    "Text",
    "ShownRows",
    "start_report",
    "current_report",
    "show_table",
    "show_figure",
    "show_text",
    "show_list",
]

#: The file in the output folder that lists what a report showed, in page order.
MANIFEST = "deliverables.json"
#: The format of :data:`MANIFEST`, written into it.
MANIFEST_FORMAT = "cjm-lab deliverables 1"

_HIDDEN_NOTE = {
    "en": "Groups of fewer than {k} are not shown (data protection).",
    "de": "Gruppen mit weniger als {k} Fällen werden nicht gezeigt (Datenschutz).",
}


class Text(str):
    """Markdown a helper showed, with its plain-text reading in :attr:`plain` (for slides).

    As the last line of a cell it shows nothing more: the helper has shown it already.
    """

    plain: str

    def __new__(cls, markdown: str, plain: str) -> Text:  # noqa: D102 - documented on the class
        obj = super().__new__(cls, markdown)
        obj.plain = plain
        return obj

    def _ipython_display_(self) -> None:
        """Nothing: :func:`show_text` has shown the text."""


class ShownRows(pd.DataFrame):
    """The rows :func:`show_table` returns: a DataFrame that, as the last line of a cell, is not
    shown a second time (the helper has shown the protected table). Anything computed from it is
    a plain DataFrame again.
    """

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _ipython_display_(self) -> None:
        """Nothing: :func:`show_table` has shown the table."""


@dataclass
class Report:
    """The settings of one report, made by :func:`start_report`; the helpers read them.

    Attributes
    ----------
    output_dir : Path or None
        Where tables, figures and ``deliverables.json`` go; None shows only.
    language : str
        ``"en"`` or ``"de"``: which text of a ``{"en": …, "de": …}`` the helpers use.
    min_group_size : int
        Groups smaller than this are hidden in tables, charts and sentences.
    """

    output_dir: Path | None
    language: str
    min_group_size: int
    items: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _tables: list[str] = field(default_factory=list, repr=False)  # the names given to show_table, in order
    _figures: dict[str, str] = field(default_factory=dict, repr=False)  # figure name -> its file's stem
    _plotly_included: bool = field(default=False, repr=False)
    _serial: int = field(default=0, repr=False)

    def pick(self, text: str | Mapping[str, str]) -> str:
        """The report's language version of ``{"en": …, "de": …}`` (a plain str is returned as it is).

        Examples
        --------
        >>> Report(None, "de", 5).pick({"en": "Drivers", "de": "Treiber"})
        'Treiber'
        """
        if isinstance(text, Mapping):
            if self.language not in text:
                raise CJMConfigError(
                    f"The text {dict(text)!r} has no {self.language!r} version. Fix: give {{'en': ..., 'de': ...}}."
                )
            return str(text[self.language])
        if not isinstance(text, str):
            raise CJMConfigError(f"A report text must be a str or {{'en': ..., 'de': ...}}, got {type(text).__name__}.")
        return text

    def shown_rows(self, table: pd.DataFrame, **options: Any) -> pd.DataFrame:
        """The rows of ``table`` a chart or sentence may use: :func:`cjm_lab.privacy.shown_rows`
        with the report's minimum group size (``base``, ``by`` as there).
        """
        return privacy.shown_rows(table, min_size=self.min_group_size, **options)

    def shown_changes(self, table: pd.DataFrame, **options: Any) -> pd.DataFrame:
        """The periods of a trend whose change a sentence may describe: :func:`cjm_lab.privacy.shown_changes`
        with the report's minimum group size.
        """
        return privacy.shown_changes(table, min_size=self.min_group_size, **options)

    def _figure_stem(self, name: Any) -> str:
        """The PNG's name for figure ``name``: the same for the same name (a cell run again), unique for
        names that clean to the same text (tables get theirs from :func:`~cjm_lab.reports.save_table`).
        """
        _check_name(name, "show_figure()")
        if name not in self._figures:
            self._figures[name] = unique_slugs([name], taken=self._figures.values())[0]
        return self._figures[name]

    def _new_id(self) -> int:
        self._serial += 1
        return self._serial - 1

    def _record(self, uid: int, entry: dict[str, Any]) -> None:
        entry = {"id": uid, **entry}
        key = (entry["kind"], entry.get("name"))
        if entry.get("name") is not None:  # a table or figure shown again (a cell run again) replaces itself
            self.items = [i for i in self.items if (i["kind"], i.get("name")) != key]
        self.items.append(entry)
        self._write()

    def _write(self) -> None:
        if self.output_dir is None:
            return
        manifest = {
            "format": MANIFEST_FORMAT,
            "language": self.language,
            "min_group_size": self.min_group_size,
            "items": self.items,
        }
        path = self.output_dir / MANIFEST
        tmp = path.with_name(f".{MANIFEST}.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, path)


_CURRENT: Report | None = None


def start_report(
    *, output_dir: str | os.PathLike | None = None, language: str = "en", min_group_size: int | None = None
) -> Report:
    """Set the report's settings once, in the cell after the parameters; the helpers use them.

    Parameters
    ----------
    output_dir : str or path, optional
        The run folder (the runner sets the notebook's ``output_dir`` parameter); empty or
        None: nothing is written, the helpers only show (a notebook opened in JupyterLab).
    language : {"en", "de"}
        The language of the report's texts.
    min_group_size : int, optional
        Groups smaller than this are hidden; default ``$CJM_LAB_MIN_GROUP_SIZE``, else 5.
        Reports take it as a parameter, so a run states it.

    Returns
    -------
    Report
        The settings (``report.language``, ``report.min_group_size``, ``report.pick(...)``).

    Examples
    --------
    >>> report = start_report(language="de", min_group_size=10)
    >>> report.min_group_size, report.pick({"en": "Drivers", "de": "Treiber"})
    (10, 'Treiber')
    """
    global _CURRENT
    language = check_language(language)
    k = privacy.min_group_size(min_group_size)
    folder = None
    if output_dir not in (None, ""):
        folder = Path(output_dir)
        folder.mkdir(parents=True, exist_ok=True)
    report = Report(output_dir=folder, language=language, min_group_size=k)
    report._write()
    _CURRENT = report
    return report


def current_report(where: str = "current_report()") -> Report:
    """The report :func:`start_report` set; raises when there is none."""
    if _CURRENT is None:
        raise CJMConfigError(
            f"{where} needs the report's settings. Fix: call "
            "`report = start_report(output_dir=output_dir, language=language, min_group_size=min_group_size)` "
            "in the cell after the parameters."
        )
    return _CURRENT


def _check_name(name: Any, where: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise CJMConfigError(f"{where}: `name` must be a non-empty text naming the output, got {name!r}.")


def _sheet_of(folder: Path, name: str) -> str | None:
    """The sheet of table ``name`` in the workbook, as :func:`~cjm_lab.reports.save_table` chose it."""
    listed = folder / "tables.json"
    entries = json.loads(listed.read_text(encoding="utf-8")) if listed.is_file() else []
    return next((e["sheet"] for e in entries if e.get("name") == name), None)


def _display(obj: Any, uid: int) -> None:
    """Show ``obj``; its output carries the item's id, so the runner finds the item on the page."""
    from IPython.display import display

    display(obj, metadata={"cjm_lab": {"item": uid}})


# --- tables ------------------------------------------------------------------------------------


def _column_kind(name: Any, series: pd.Series, *, keys: Sequence[Any], base: Any) -> str:
    text = str(name).lower()
    dtype = series.dtype
    if name in keys:
        return "label"
    if pd.api.types.is_bool_dtype(dtype):
        return "flag"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_numeric_dtype(dtype):
        if name == base or text in privacy.BASE_COLUMNS or text.startswith("n_"):
            return "count"
        if text.startswith("pct_") or text.endswith("_pct") or text.startswith("percent"):
            return "percent"
        if text in ("p", "p_value", "p_adjusted", "change_p") or text.endswith("_p_value"):
            return "p_value"
        if pd.api.types.is_integer_dtype(dtype):
            return "integer"
        return "number"
    return "text"


def _keys(table: pd.DataFrame, base: Any, by: Any) -> list[Any]:
    if by is not None:
        return [by] if isinstance(by, str) else list(by)
    if base is None or base not in table.columns:
        return []
    left = list(table.columns[: list(table.columns).index(base)])
    return [c for c in left if not pd.api.types.is_float_dtype(table[c].dtype)]


def show_table(
    data: pd.DataFrame,
    name: str,
    *,
    title: str | Mapping[str, str] | None = None,
    base: str | pd.DataFrame | bool | None = None,
    by: str | Sequence[str] | None = None,
    effective_base: str | None = None,
    ids: str | Sequence[str] | None = None,
    mask: bool = True,
    allow_rows: bool = False,
    columns: Sequence[str] | None = None,
    index: str | Sequence[str] | None = None,
    labels: Mapping[str, str | Mapping[str, str]] | None = None,
    digits: int = 1,
    head: int | None = None,
    formats: Mapping[str, str] | None = None,
    save: bool = True,
    display: bool = True,
) -> ShownRows:
    """Protect a result table, save it, show it, and return the rows a chart may draw.

    The table passes :func:`cjm_lab.privacy.protect_table` with the report's minimum group
    size — exactly what :func:`cjm_lab.reports.save_table` writes — before it is saved as
    ``<name>.csv`` and sheet ``name`` of ``tables.xlsx`` and before it is shown (hidden cells
    show as "–", with a note under the table).

    Parameters
    ----------
    data : DataFrame
        A tidy result (one row per group, a base column such as ``n``); not modified.
    name : str
        The file and sheet name (cut to 31 characters, made unique within the report).
    title : str or {"en": ..., "de": ...}, optional
        The table's title in the workbook and the deck (default: ``name``).
    base, by, ids, mask, allow_rows
        As in :func:`cjm_lab.reports.save_table`: the base column (``False`` for a table
        without groups, ``"cells"`` for a crosstab of counts), the key columns, the id
        columns to pseudonymise, PII masking, and whether row-level data may be written.
    effective_base : str, optional
        The column of the effective base (default ``n_eff`` when present), for the workbook.
    columns : list of str, optional
        The columns shown on the page (default all); the files hold every column.
    index : str or list of str, optional
        Columns shown as row labels on the page.
    labels : dict, optional
        Column headings on the page: ``{column: "Heading"}`` or ``{column: {"en": …, "de": …}}``.
    digits : int, default 1
        Decimals of the numbers shown on the page (the files keep full precision).
    head : int, optional
        Show only the first rows.
    formats : dict, optional
        Column kinds for the deck and the workbook where the name does not tell
        (``{"share": "number"}``); see the module documentation.
    save : bool, default True
        Write the CSV and the sheet (False: only show, e.g. an excerpt).
    display : bool, default True
        Show the table on the page (False: only save).

    Returns
    -------
    ShownRows
        The rows a chart or a sentence may use — those not hidden, with their original
        values (:func:`cjm_lab.privacy.shown_rows`); a table without groups as it is; a
        crosstab (``base="cells"``) with its hidden cells blanked. A DataFrame that is not
        shown again when it is the last line of a cell.

    Raises
    ------
    CJMConfigError
        No :func:`start_report` yet; row-level data without ``allow_rows``; an unknown column
        in ``columns``, ``index`` or ``labels``.

    Examples
    --------
    >>> report = start_report(language="en", min_group_size=5)
    >>> t = pd.DataFrame({"wave": ["1", "2", "3", "Total"], "n": [3, 40, 50, 93], "nps": [33.0, 10.0, 12.0, 11.8]})
    >>> show_table(t, "nps_by_wave", display=False)["wave"].tolist()  # 1 is too small, 2 its complement
    ['3', 'Total']
    """
    report = current_report("show_table()")
    uid = report._new_id()
    where = f"show_table({name!r})"
    require_frame(data, where=where, min_rows=0)
    _check_name(name, "show_table()")
    k = report.min_group_size
    id_cols = privacy.find_id_columns(data, ids)
    if id_cols and not allow_rows:
        raise CJMConfigError(
            f"{where}: the table has the id column(s) {', '.join(map(repr, id_cols))}, so it holds row-level "
            "data; reports hold aggregated results only. Fix: aggregate it first (counts, shares, means per "
            "group), or pass allow_rows=True from a report parameter that explicitly allows raw rows."
        )
    for arg, names in (
        ("columns", columns),
        ("index", [index] if isinstance(index, str) else index),
        ("labels", labels),
    ):
        unknown = [c for c in (names or []) if c not in data.columns]
        if unknown:
            raise CJMConfigError(
                f"{where}: `{arg}` names {', '.join(map(repr, unknown))}, which the table does not have."
                f"{suggest(str(unknown[0]), map(str, data.columns))} Columns: {', '.join(map(str, data.columns))}."
            )
    path = None
    if save:
        path = save_table(
            data, name, report.output_dir, base=base, by=by, min_group_size=k, ids=ids, mask=mask, allow_rows=allow_rows
        )
    crosstab = isinstance(base, pd.DataFrame) or (isinstance(base, str) and base == "cells")
    base_col = (
        None if (base is False or crosstab) else (base if isinstance(base, str) else privacy.find_base_column(data))
    )
    # what the page shows passes the same protection as what save_table wrote (computed only when shown)
    protected = (
        privacy.protect_table(data, base=base, by=by, min_size=k, ids=ids, mask=mask) if display or crosstab else None
    )
    if base is False or (base_col is None and not crosstab):
        shown, hidden = data, 0
    elif crosstab:
        shown = protected
        hidden = int(protected["suppressed"].sum()) if "suppressed" in protected.columns else 0
    else:
        shown = privacy.shown_rows(data, base=base_col, by=by, min_size=k)
        hidden = len(data) - len(shown)
    columns_saved = list(protected.columns) if protected is not None else list(data.columns)
    if protected is None and base_col is not None:
        columns_saved.append("suppressed")
    if display:
        _show_table(report, protected, uid, columns=columns, index=index, labels=labels, digits=digits, head=head)
        if hidden:
            _display_markdown(format_markdown(report.pick(_HIDDEN_NOTE), k=k), uid)
    keys = _keys(data, base_col, by)
    effective = effective_base or ("n_eff" if "n_eff" in data.columns else None)
    kinds = dict(formats or {})
    if name not in report._tables:
        report._tables.append(name)
    report._record(
        uid,
        {
            "kind": "table",
            "name": name,
            "title": report.pick(title) if title is not None else name,
            "file": path.name if path is not None else None,
            "sheet": _sheet_of(path.parent, name) if path is not None else None,
            "base": "cells" if crosstab else base_col,
            "effective_base": effective,
            "by": [str(c) for c in keys],
            "columns": [
                {"name": str(c), "kind": kinds.get(str(c)) or _column_kind(c, column, keys=keys, base=base_col)}
                for c in columns_saved
                for column in [data[c] if c in data.columns else pd.Series([True])]  # `suppressed`: a flag
            ],
            "rows": len(data),
            "hidden_rows": hidden,
            "saved": path is not None,
            "displayed": bool(display),
        },
    )
    return ShownRows(shown)


def _show_table(
    report: Report,
    table: pd.DataFrame,
    uid: int,
    *,
    columns: Sequence[str] | None,
    index: str | Sequence[str] | None,
    labels: Mapping[str, str | Mapping[str, str]] | None,
    digits: int,
    head: int | None,
) -> None:
    page = table.drop(columns="suppressed", errors="ignore")
    index_cols = [index] if isinstance(index, str) else list(index or [])
    if columns is not None:
        page = page[index_cols + [c for c in columns if c not in index_cols]]
    if head is not None:
        page = page.head(head)
    if labels:
        renamed = {c: report.pick(v) for c, v in labels.items()}
        page = page.rename(columns=renamed)
        index_cols = [renamed.get(c, c) for c in index_cols]
    if index_cols:
        page = page.set_index(index_cols)
    else:
        page = page.reset_index(drop=True)
    styler = page.style.format(precision=digits, na_rep="–", escape="html")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    text = [c for c in page.columns if not pd.api.types.is_numeric_dtype(page[c].dtype)]
    if text:  # words read from the left, numbers line up on the right
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    if not index_cols:
        styler = styler.hide(axis="index")
    _display(styler, uid)


def _display_markdown(markdown: str, uid: int) -> None:
    from IPython.display import Markdown

    _display(Markdown(markdown), uid)


# --- figures -----------------------------------------------------------------------------------


def show_figure(
    figure: Any,
    name: str,
    *,
    title: str | Mapping[str, str] | None = None,
    takeaway: str | Mapping[str, str] | None = None,
    table: str | Sequence[str] | None = None,
    interactive: Any = None,
    dpi: int = 150,
    display: bool = True,
) -> None:
    """Save a figure for the deck, show it on the page and close it.

    Parameters
    ----------
    figure : matplotlib Figure or Axes
        The chart (drawn from the rows :func:`show_table` returned, so it hides what the
        tables hide).
    name : str
        The file name of the PNG (cut to 31 characters, made unique within the report).
    title : str or {"en": ..., "de": ...}, optional
        The slide's title (plain text); default the figure's own title, else ``name``.
    takeaway : str, optional
        The sentence that says what the chart shows, for the slide and its notes: what
        :func:`show_text` returned (its values escaped), or the report's own text
        ``{"en": …, "de": …}``. Not shown again on the page.
    table : str or list of str, optional
        The name(s) given to :func:`show_table` for the table(s) the chart was drawn from, so
        the deck can draw it as a native chart.
    interactive : plotly Figure, optional
        An interactive version shown under the image (plotly.js embedded once per report,
        so the page opens offline).
    dpi : int, default 150
        Resolution of the PNG.
    display : bool, default True
        Show the figure on the page.

    Raises
    ------
    CJMConfigError
        No :func:`start_report`, no matplotlib figure, or ``table`` names no table shown.
    """
    report = current_report("show_figure()")
    uid = report._new_id()
    fig = getattr(figure, "figure", figure)
    if not hasattr(fig, "savefig"):
        raise CJMConfigError(f"show_figure({name!r}) needs a matplotlib Figure or Axes, got {type(figure).__name__}.")
    stem = report._figure_stem(name)
    tables = [table] if isinstance(table, str) else list(table or [])
    for t in tables:
        if t not in report._tables:
            raise CJMConfigError(
                f"show_figure({name!r}): `table` {t!r} names no table shown so far.{suggest(str(t), report._tables)} "
                f"Tables: {', '.join(report._tables) or '(none)'}. Fix: show the table with show_table() first, "
                "then the figure drawn from it."
            )
    title_text = report.pick(title) if title is not None else figure_title(fig, stem)
    path = save_figure(fig, stem, report.output_dir, title=title_text, dpi=dpi)
    markdown = plain = None
    if takeaway is not None:
        if isinstance(takeaway, Text):
            markdown, plain = str(takeaway), takeaway.plain
        else:
            markdown = report.pick(takeaway)
            plain = _strip_markdown(markdown)
    import matplotlib.pyplot as plt

    if display:
        _display(fig, uid)
        if interactive is not None:  # the package's own HTML: its scripts may run under the page's policy
            html = interactive.to_html(full_html=False, include_plotlyjs=not report._plotly_included)
            _display(trusted_html(html), uid)
            report._plotly_included = True
    plt.close(fig)
    report._record(
        uid,
        {
            "kind": "figure",
            "name": name,
            "file": path.name if path is not None else None,
            "title": title_text,
            "takeaway": plain,
            "takeaway_markdown": markdown,
            "tables": tables,
            "interactive": interactive is not None,
            "displayed": bool(display),
        },
    )


# --- text --------------------------------------------------------------------------------------


_MARKUP = re.compile(r"\*\*|__|`")
_HEADING = re.compile(r"^(#{1,6})\s+")


def _strip_markdown(text: str) -> str:
    return _HEADING.sub("", _MARKUP.sub("", text)).strip()


class _PlainFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Trusted):
            return _strip_markdown(format(value.text, format_spec))
        if format_spec and not isinstance(value, str):
            try:
                return format(value, format_spec)
            except (TypeError, ValueError):
                pass
        return format(_text(value), format_spec) if format_spec else _text(value)


def show_text(template: str | Mapping[str, str], /, *, display: bool = True, **values: Any) -> Text:
    """Show a sentence with computed values: the template is the report's text, the values data.

    Parameters
    ----------
    template : str or {"en": ..., "de": ...}
        A :meth:`str.format` template in Markdown, written by the report (never from data),
        e.g. ``{"en": "NPS is **{nps}**.", "de": "Der NPS liegt bei **{nps}**."}``.
    display : bool, default True
        Show it on the page (False: only return it, e.g. as a figure's takeaway).
    **values
        The values; each is escaped (:func:`cjm_lab.untrusted.format_markdown`), so a segment
        named ``<script>`` shows as that text. Wrap text the package wrote itself in
        :func:`cjm_lab.untrusted.trusted`.

    Returns
    -------
    Text
        The Markdown shown (a str), with its plain text in ``.plain``.

    Examples
    --------
    >>> report = start_report(language="de")
    >>> t = show_text({"en": "Top: **{s}**", "de": "Spitze: **{s}**"}, s="<b>VIP</b>", display=False)
    >>> str(t), t.plain
    ('Spitze: **&lt;b&gt;VIP&lt;/b&gt;**', 'Spitze: <b>VIP</b>')
    """
    report = current_report("show_text()")
    uid = report._new_id()
    chosen = report.pick(template)
    markdown = format_markdown(chosen, **values)
    plain = _strip_markdown(_PlainFormatter().format(chosen, **values))
    entry: dict[str, Any] = {"kind": "text", "markdown": markdown, "text": plain}
    heading = _HEADING.match(chosen)
    if heading:
        entry["heading"] = len(heading.group(1))
    if display:
        _display_markdown(markdown, uid)
    report._record(uid, entry)
    return Text(markdown, plain)


def show_list(
    texts: Iterable[Any],
    *,
    numbered: bool = False,
    empty: str | Mapping[str, str] | None = None,
    display: bool = True,
) -> Text:
    r"""Show sentences that come from data (recommendations, changes) as a list, each escaped.

    Parameters
    ----------
    texts : iterable of str
        The sentences; missing and empty ones are left out.
    numbered : bool, default False
        A numbered list (1., 2., …) instead of bullets.
    empty : str or {"en": ..., "de": ...}, optional
        The report's text to show when there is no sentence (default: show nothing).
    display : bool, default True
        Show it on the page.

    Returns
    -------
    Text
        The Markdown shown, with its plain text in ``.plain``.

    Examples
    --------
    >>> report = start_report()
    >>> print(show_list(["NPS rose *a lot*", None, ""], display=False))
    - NPS rose \*a lot\*
    """
    report = current_report("show_list()")
    uid = report._new_id()
    items = [_text(t) for t in texts if not _missing(t) and str(t).strip()]
    if not items:
        if empty is None:
            return Text("", "")
        return show_text(report.pick(empty).replace("{", "{{").replace("}", "}}"), display=display)
    marks = [f"{i}." for i in range(1, len(items) + 1)] if numbered else ["-"] * len(items)
    markdown = "\n".join(f"{m} {escape_markdown(t)}" for m, t in zip(marks, items))
    plain = "\n".join(f"{m} {t}" for m, t in zip(marks, items))
    if display:
        _display_markdown(markdown, uid)
    report._record(uid, {"kind": "list", "markdown": markdown, "items": items, "numbered": numbered})
    return Text(markdown, plain)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False

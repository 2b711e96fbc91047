"""The one path from a result to a deliverable: the report page, the files, the workbook and the deck.

A report notebook calls :func:`start_report` once, right after its parameters, and then one
helper per result, so a section is "compute, then one line":

* :func:`show_table` — protects the table (pseudonyms, PII masking, groups below the minimum
  size hidden), saves it (``<name>.csv``, a sheet of the formatted workbook, a slide when asked
  for) and shows it on the page, formatted (:func:`cjm_lab.reports.display_table`); returns the
  rows a chart or a sentence may use;
* :func:`show_figure` — saves ``<name>.png`` and its slide (a native chart when the figure was
  drawn from shown tables), shows it, optionally with its interactive version;
* :func:`show_text` — a sentence with computed values: the template is the report's own text
  (English and German), every value is escaped (:func:`cjm_lab.untrusted.format_markdown`);
* :func:`show_list` — sentences that come from data (recommendations, significant changes)
  as a list, each escaped.

Tables and figures reach ``deliverables.json`` through :func:`cjm_lab.reports.save_table` and
:func:`cjm_lab.reports.save_figure` (:mod:`cjm_lab.reports.manifest`): title, takeaway, the kinds
of the columns, base and effective base, labels, and the tables a figure was drawn from — what
the runner builds the workbook and the deck from. Headings and sentences reach the deck as the
sections and takeaways of the executed notebook.

Without an output folder (a notebook opened in JupyterLab) the helpers only show.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cjm_lab import privacy
from cjm_lab._format import check_language
from cjm_lab._params import BOOLEAN, LANGUAGE, WHOLE_NUMBER, validate_params
from cjm_lab._validate import require_frame, suggest
from cjm_lab.errors import CJMConfigError
from cjm_lab.privacy import MIN_GROUP_SIZE
from cjm_lab.untrusted import escape_html, escape_markdown, format_markdown, format_plain, unique_slugs

__all__ = [
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

Texts = str | Mapping[str, str]

_HIDDEN_NOTE = {
    "en": "Groups of fewer than {k} are not shown (data protection).",
    "de": "Gruppen mit weniger als {k} Fällen werden nicht gezeigt (Datenschutz).",
}


class Text(str):
    """Markdown a helper showed, with its plain-text reading in :attr:`plain`.

    As the last line of a cell it shows nothing more: the helper has shown it already.
    """

    plain: str

    def __new__(cls, markdown: str, plain: str) -> Text:  # noqa: D102 - documented on the class
        obj = super().__new__(cls, markdown)
        obj.plain = plain
        return obj

    def _ipython_display_(self) -> None:
        """Nothing: :func:`show_text` has shown the text."""


class FigureImage:
    """A figure as the page shows it: a PNG with its alternative text (the title and the
    takeaway, escaped), so a screen reader and nbconvert read what the chart says.
    """

    def __init__(self, png: bytes, alt: str) -> None:
        self.png = png
        self.alt = alt

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        import base64

        data = base64.b64encode(self.png).decode("ascii")
        return {
            "text/html": f'<img alt="{escape_html(self.alt)}" src="data:image/png;base64,{data}">',
            "image/png": data,
            "text/plain": self.alt,
        }


def _alt_text(title: str, takeaway: Texts | Text | None, report: Report) -> str:
    """The figure's title and its takeaway as plain text (values stay data: escaped when placed)."""
    if isinstance(takeaway, Text):
        said = takeaway.plain
    elif takeaway is not None:
        said = _strip_markdown(report.pick(takeaway))
    else:
        said = ""
    title = title.strip()
    if not said:
        return title
    return f"{title}{'' if title.endswith(('.', ':', '?', '!')) else '.'} {said}" if title else said


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
        Where tables and figures go; None shows only.
    language : str
        ``"en"`` or ``"de"``: which text of a ``{"en": …, "de": …}`` the helpers use.
    min_group_size : int
        Groups smaller than this are hidden in tables, charts and sentences.
    labels : Labels or dict, optional
        What a reader sees for the data's columns and codes (:func:`cjm_lab.labels.labels_for`),
        used by every :func:`show_table` that gives none of its own; may be set once the data
        is loaded (``report.labels = labels_for(responses)``).
    """

    output_dir: Path | None
    language: str
    min_group_size: int
    labels: Any = None
    _tables: list[str] = field(default_factory=list, repr=False)  # the names given to show_table, in order
    _figures: dict[str, str] = field(default_factory=dict, repr=False)  # figure name -> its file's stem
    _plotly_included: bool = field(default=False, repr=False)

    def pick(self, text: Texts) -> str:
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
        return privacy.shown_rows(table, min_group_size=self.min_group_size, **options)

    def shown_changes(self, table: pd.DataFrame, **options: Any) -> pd.DataFrame:
        """The periods of a trend whose change a sentence may describe: :func:`cjm_lab.privacy.shown_changes`
        with the report's minimum group size.
        """
        return privacy.shown_changes(table, min_group_size=self.min_group_size, **options)

    def _figure_stem(self, name: Any) -> str:
        """The PNG's name for figure ``name``: the same for the same name (a cell run again), unique for
        names that clean to the same text (tables get theirs from :func:`~cjm_lab.reports.save_table`).
        """
        _check_name(name, "show_figure()")
        if name not in self._figures:
            self._figures[name] = unique_slugs([name], taken=self._figures.values())[0]
        return self._figures[name]


_CURRENT: Report | None = None


@validate_params({"language": [LANGUAGE], "min_group_size": [MIN_GROUP_SIZE, None]})
def start_report(
    *,
    output_dir: str | os.PathLike | None = None,
    language: str = "en",
    min_group_size: int | None = None,
    labels: Any = None,
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
    labels : Labels or dict, optional
        The labels every table shown uses by default (see :class:`Report`).

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
    _CURRENT = Report(output_dir=folder, language=language, min_group_size=k, labels=labels)
    return _CURRENT


@validate_params({})
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


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def _display_markdown(markdown: str) -> None:
    from IPython.display import Markdown

    _display(Markdown(markdown))


def _markdown(report: Report, text: Texts | Text | None) -> str | None:
    """A takeaway as Markdown: what :func:`show_text` returned (values escaped), or the report's own text."""
    if text is None or isinstance(text, Text):
        return None if text is None else str(text)
    return report.pick(text)


# --- tables ------------------------------------------------------------------------------------


@validate_params(
    {
        "mask": [BOOLEAN],
        "allow_rows": [BOOLEAN],
        "max_rows": [WHOLE_NUMBER, None],
        "caption": [BOOLEAN],
        "slide": [BOOLEAN],
        "save": [BOOLEAN],
        "display": [BOOLEAN],
    }
)
def show_table(
    data: pd.DataFrame,
    name: str,
    *,
    title: Texts | None = None,
    takeaway: Texts | Text | None = None,
    base: str | pd.DataFrame | bool | None = None,
    by: str | Sequence[str] | None = None,
    ids: str | Sequence[str] | None = None,
    mask: bool = True,
    allow_rows: bool = False,
    columns: Sequence[str] | Mapping[str, Texts] | None = None,
    labels: Any = None,
    formats: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
    touchpoints: Any = None,
    max_rows: int | None = None,
    index: bool | None = None,
    caption: bool = False,
    slide: bool = False,
    save: bool = True,
    display: bool = True,
) -> ShownRows:
    """Protect a result table, save it, show it, and return the rows a chart may draw.

    The table passes :func:`cjm_lab.privacy.protect_table` with the report's minimum group
    size — exactly what :func:`cjm_lab.reports.save_table` writes — before it is saved (CSV, a
    sheet of the workbook, with ``slide=True`` a table slide) and before it is shown (hidden
    cells show as "–", with a note under the table).

    Parameters
    ----------
    data : DataFrame
        A tidy result (one row per group, a base column such as ``n``); not modified.
    name : str
        The table's name (its file and sheet are made from it, unique within the run).
    title : str or {"en": ..., "de": ...}, optional
        The table's title in the workbook and the deck; above the table on the page too with
        ``caption=True``.
    takeaway : str, optional
        The sentence about the table for its slide: what :func:`show_text` returned.
    base, by, ids, mask, allow_rows
        As in :func:`cjm_lab.reports.save_table`: the base column (``False`` for a table
        without groups, ``"cells"`` for a crosstab of counts), the key columns, the id
        columns to pseudonymise, PII masking, and whether row-level data may be written.
    columns : list or dict, optional
        The columns shown on the page and on its slide, in order; a dict also names them
        (``{"nps": {"en": "NPS", "de": "NPS-Wert"}}``). The files hold every column.
    labels : Labels or dict, optional
        What a reader sees for the table's columns and codes (default: the report's).
    formats, decimals : dict, optional
        Column kinds (``{"share": "percent"}``) and decimals where the names do not tell.
    touchpoints : callable, optional
        How touchpoint keys are shown on the page (:func:`cjm_lab.plots.touchpoint_labeller`).
    max_rows : int, optional
        Show only the first rows on the page.
    index : bool, optional
        Show the table's index on the page (default: when it is meaningful, e.g. a banner table).
    caption : bool, default False
        Show the title above the table on the page.
    slide : bool, default False
        Also a native table on a slide of the deck (the columns ``columns``).
    save : bool, default True
        Write the table (False: only show, e.g. an excerpt).
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
        No :func:`start_report` yet; row-level data without ``allow_rows``; a column in
        ``columns`` the table does not have.

    Examples
    --------
    >>> report = start_report(language="en", min_group_size=5)
    >>> t = pd.DataFrame({"wave": ["1", "2", "3", "Total"], "n": [3, 40, 50, 93], "nps": [33.0, 10.0, 12.0, 11.8]})
    >>> show_table(t, "nps_by_wave", display=False)["wave"].tolist()  # 1 is too small, 2 its complement
    ['3', 'Total']
    """
    from cjm_lab.reports.formats import display_table
    from cjm_lab.reports.outputs import save_table

    report = current_report("show_table()")
    where = f"show_table({name!r})"
    _check_name(name, "show_table()")
    require_frame(data, where=where, min_rows=0)
    k = report.min_group_size
    id_cols = privacy.find_id_columns(data, columns=ids)
    if id_cols and not allow_rows:
        raise CJMConfigError(
            f"{where}: the table has the id column(s) {', '.join(map(repr, id_cols))}, so it holds row-level "
            "data; reports hold aggregated results only. Fix: aggregate it first (counts, shares, means per "
            "group), or pass allow_rows=True from a report parameter that explicitly allows raw rows."
        )
    shown_columns = list(columns) if columns is not None else None
    unknown = [c for c in shown_columns or [] if c not in data.columns]
    if unknown:
        raise CJMConfigError(
            f"{where}: `columns` names {', '.join(map(repr, unknown))}, which the table does not have."
            f"{suggest(str(unknown[0]), map(str, data.columns))} Columns: {', '.join(map(str, data.columns))}."
        )
    labels = labels if labels is not None else report.labels
    title_text = report.pick(title) if title is not None else None
    if save:
        save_table(
            data, name, report.output_dir, base=base, by=by, min_group_size=k, ids=ids, mask=mask,
            allow_rows=allow_rows, title=title_text, takeaway=_markdown(report, takeaway), formats=formats,
            show=shown_columns, slide=slide, labels=labels,
        )  # fmt: skip
    if name not in report._tables:
        report._tables.append(name)
    crosstab = isinstance(base, pd.DataFrame) or (isinstance(base, str) and base == "cells")
    base_col = (
        None if (base is False or crosstab) else (base if isinstance(base, str) else privacy.find_base_column(data))
    )
    # the page shows what save_table wrote: the same protection (computed only when shown)
    protected = (
        privacy.protect_table(data, base=base, by=by, min_group_size=k, ids=ids, mask=mask)
        if display or crosstab
        else None
    )
    if base is False or (base_col is None and not crosstab):
        shown = data
    elif crosstab:
        shown = protected
    else:
        shown = privacy.shown_rows(data, base=base_col, by=by, min_group_size=k)
    if display and protected is not None:
        hidden = bool(protected["suppressed"].any()) if "suppressed" in protected.columns else False
        named = {c: report.pick(v) for c, v in columns.items()} if isinstance(columns, Mapping) else shown_columns
        _display(
            display_table(
                protected, language=report.language, labels=labels, columns=named,
                title=title_text if caption else None, formats=formats, decimals=decimals, touchpoints=touchpoints,
                note=format_markdown(report.pick(_HIDDEN_NOTE), k=k) if hidden else None, max_rows=max_rows,
                index=index,
            )
        )  # fmt: skip
    return ShownRows(shown)


# --- figures -----------------------------------------------------------------------------------


@validate_params({"dpi": [WHOLE_NUMBER], "display": [BOOLEAN]})
def show_figure(
    figure: Any,
    name: str,
    *,
    title: Texts | None = None,
    takeaway: Texts | Text | None = None,
    table: str | Sequence[str | None] | None = None,
    charts: Sequence[Any] | None = None,
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
        The file name of the PNG (made unique within the report).
    title : str or {"en": ..., "de": ...}, optional
        The slide's title; default the figure's own title, else ``name``.
    takeaway : str, optional
        The sentence that says what the chart shows, for the slide and its notes: what
        :func:`show_text` returned (its values escaped), or the report's own text
        ``{"en": …, "de": …}``. Not shown again on the page.
    table : str or list, optional
        The name(s) given to :func:`show_table` for the table(s) the chart's panels were drawn
        from, in panel order (None for a panel to stay a picture): each panel a
        :mod:`cjm_lab.plots` function drew becomes a native, editable chart in the deck.
    charts : list of Chart, optional
        Native charts given explicitly (a figure drawn by hand), see :class:`cjm_lab.reports.Chart`.
    interactive : plotly Figure, optional
        An interactive version shown under the image (plotly.js embedded once per report,
        so the page opens offline; its scripts allowed by the page's policy).
    dpi : int, default 150
        Resolution of the PNG (200 for a figure the deck shows as a picture: journey map, Sankey).
    display : bool, default True
        Show the image on the page (an ``interactive`` version is shown either way: False shows
        only that, the deck and the folder get the image).  The image carries its alternative
        text: the title and the takeaway as plain text, escaped
        (:func:`cjm_lab.untrusted.escape_html`), so screen readers and the page read what the
        chart says.

    Raises
    ------
    CJMConfigError
        No :func:`start_report`, no matplotlib figure, or ``table`` names no table shown.
    """
    from cjm_lab.reports.csp import trusted_html
    from cjm_lab.reports.outputs import figure_title, save_figure

    report = current_report("show_figure()")
    fig = getattr(figure, "figure", figure)
    if not hasattr(fig, "savefig"):
        raise CJMConfigError(f"show_figure({name!r}) needs a matplotlib Figure or Axes, got {type(figure).__name__}.")
    stem = report._figure_stem(name)
    for t in [table] if isinstance(table, str) else list(table or []):
        if t is not None and t not in report._tables:
            raise CJMConfigError(
                f"show_figure({name!r}): `table` {t!r} names no table shown so far.{suggest(str(t), report._tables)} "
                f"Tables: {', '.join(report._tables) or '(none)'}. Fix: show the table with show_table() first, "
                "then the figure drawn from it."
            )
    title_text = report.pick(title) if title is not None else figure_title(fig, name)
    save_figure(
        fig, stem, report.output_dir, title=title_text, takeaway=_markdown(report, takeaway),
        table=list(table) if table is not None and not isinstance(table, str) else table,
        charts=list(charts) if charts is not None else None, dpi=dpi,
    )  # fmt: skip
    import matplotlib.pyplot as plt

    if display:  # the image with its alternative text: the title and what the chart shows
        import io

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        _display(FigureImage(buffer.getvalue(), _alt_text(title_text, takeaway, report)))
    if interactive is not None:  # the package's own HTML: its scripts may run under the page's policy
        html = interactive.to_html(full_html=False, include_plotlyjs=not report._plotly_included)
        _display(trusted_html(html))
        report._plotly_included = True
    plt.close(fig)


# --- text --------------------------------------------------------------------------------------


_MARKUP = re.compile(r"\*\*|__|`")
_HEADING = re.compile(r"^(#{1,6})\s+")


def _strip_markdown(text: str) -> str:
    return _HEADING.sub("", _MARKUP.sub("", text)).strip()


@validate_params({"display": [BOOLEAN]})
def show_text(template: Texts, /, *, display: bool = True, **values: Any) -> Text:
    """Show a sentence with computed values: the template is the report's text, the values data.

    Parameters
    ----------
    template : str or {"en": ..., "de": ...}
        A :meth:`str.format` template in Markdown, written by the report (never from data),
        e.g. ``{"en": "NPS is **{nps}**.", "de": "Der NPS liegt bei **{nps}**."}``; a heading
        (``"## NPS by {s}"``) opens a section of the deck like a Markdown cell.
    display : bool, default True
        Show it on the page (False: only return it, e.g. as a figure's takeaway).
    **values
        The values; each is escaped (:func:`cjm_lab.untrusted.format_markdown`), so a segment
        named ``<script>`` shows as that text. Wrap text the package wrote itself (a number
        formatted in German) in :func:`cjm_lab.untrusted.trusted`.

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
    chosen = report.pick(template)
    markdown = format_markdown(chosen, **values)
    plain = _strip_markdown(format_plain(chosen, **values))
    if display:
        _display_markdown(markdown)
    return Text(markdown, plain)


@validate_params({"numbered": [BOOLEAN], "display": [BOOLEAN]})
def show_list(
    texts: Iterable[Any],
    *,
    numbered: bool = False,
    empty: Texts | None = None,
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
    items = [str(t) for t in texts if not _missing(t) and str(t).strip()]
    if not items:
        if empty is None:
            return Text("", "")
        return show_text(report.pick(empty).replace("{", "{{").replace("}", "}}"), display=display)
    marks = [f"{i}." for i in range(1, len(items) + 1)] if numbered else ["-"] * len(items)
    markdown = "\n".join(f"{m} {escape_markdown(t)}" for m, t in zip(marks, items))
    plain = "\n".join(f"{m} {t}" for m, t in zip(marks, items))
    if display:
        _display_markdown(markdown)
    return Text(markdown, plain)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False

"""The run as an editable PowerPoint deck: native charts, native tables, takeaways and notes.

:func:`build_deck` reads the run folder's manifest (:mod:`cjm_lab.reports.manifest`) and
makes, in the order of the report:

* a **title** slide, and a **key numbers** slide when the runner passes the headline
  (NPS, change since the previous run, top pain point);
* a **section** slide before each section of the report with two slides or more;
* a **chart** slide per figure: every panel PowerPoint has a chart type for (bars,
  stacked bars, lines, scatter, funnel as bars) becomes a **native chart** whose data
  (the saved, protected table) is embedded and editable; two panels share a
  **two-content** slide; the report's sentence about the figure is the slide's
  **takeaway** and its **speaker notes**;
* a **picture** slide for what has no chart type (journey map, Sankey, persona cards),
  at the resolution the figure was saved with;
* a **table** slide (a native table) for each table saved with ``slide=True``.

Slides use the layouts of a template: the package's own 16:9 template
(``templates/deck.pptx``, written by :func:`make_template`) or a user's corporate
template (``template=``), whose layouts are found by their placeholders and whose theme
colours the charts use (series are coloured with theme accents, never fixed RGB).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import check_language, period_dates
from cjm_lab._params import LANGUAGE, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.reports.formats import (
    HIDDEN_COLUMNS,
    column_kind,
    column_label,
    format_value,
    pptx_format,
    value_labeller,
    word,
)
from cjm_lab.reports.manifest import Chart, FigureEntry, TableEntry, load_table, read_manifest
from cjm_lab.untrusted import defuse_formulas

__all__ = [
    "ROLES",
    "build_deck",
    "chart_data",
    "default_template",
    "make_template",
    "template_layouts",
]

#: The slide layouts a deck uses, found in any template by their placeholders.
ROLES = ("title", "section", "chart", "table", "two", "picture", "title_only")

_EMU_PER_INCH = 914400
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "deck.pptx"
#: The accents of the package's template: promoter blue, detractor red, passive yellow, then
#: Paul Tol's bright green, cyan, purple (the colour-blind-safe palettes of :mod:`cjm_lab.plots.theme`).
THEME_ACCENTS = ("004488", "BB5566", "DDAA33", "228833", "66CCEE", "AA3377")
_TABLE_ROWS = 12
_TABLE_COLUMNS = 7
_KEY = {"en": "Key numbers", "de": "Kennzahlen"}


def _inches(x: float) -> int:
    return round(x * _EMU_PER_INCH)


# --------------------------------------------------------------------------- the template
def _set_box(shape: Any, left: float, top: float, width: float, height: float) -> None:
    shape.left, shape.top, shape.width, shape.height = _inches(left), _inches(top), _inches(width), _inches(height)


def _text_style(
    placeholder: Any,
    size: int,
    *,
    bold: bool = False,
    color: str | None = None,
    bullets: bool = False,
    anchor: str | None = None,
    align: str | None = None,
) -> None:
    """Give a layout placeholder its own first-level text style (size, bold, colour, no bullet)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    body = placeholder.element.find(qn("p:txBody"))
    if body is None:
        return
    body_pr = body.find(qn("a:bodyPr"))
    if anchor and body_pr is not None:
        body_pr.set("anchor", anchor)
    old = body.find(qn("a:lstStyle"))
    if old is not None:
        body.remove(old)
    lst = etree.SubElement(body, qn("a:lstStyle"))
    body.remove(lst)
    body.insert(1, lst)
    lvl = etree.SubElement(lst, qn("a:lvl1pPr"))
    if align:
        lvl.set("algn", align)
    if not bullets:
        lvl.set("marL", "0")
        lvl.set("indent", "0")
        etree.SubElement(lvl, qn("a:buNone"))
    rpr = etree.SubElement(lvl, qn("a:defRPr"))
    rpr.set("sz", str(size * 100))
    rpr.set("b", "1" if bold else "0")
    if color:
        fill = etree.SubElement(rpr, qn("a:solidFill"))
        etree.SubElement(fill, qn("a:srgbClr")).set("val", color)


def _add_body_placeholder(layout: Any, idx: int, name: str) -> Any:
    """A new body placeholder on a layout (a copy of the master's body, with its own idx)."""
    from pptx.oxml.ns import qn

    master_body = next(ph for ph in layout.slide_master.placeholders if ph.placeholder_format.type == 2)
    sp = copy.deepcopy(master_body.element)
    ph = sp.find(".//" + qn("p:ph"))
    ph.set("type", "body")
    ph.set("idx", str(idx))
    ph.set("sz", "quarter")
    c_nv = sp.find(".//" + qn("p:cNvPr"))
    c_nv.set("name", name)
    c_nv.set("id", str(100 + idx))
    layout.shapes._spTree.append(sp)
    return next(p for p in layout.placeholders if p.placeholder_format.idx == idx)


@validate_params({})
def make_template(path: str | os.PathLike) -> Path:
    """Write the package's 16:9 deck template (the file shipped as ``templates/deck.pptx``).

    Starts from python-pptx's default template, sets 13.33 × 7.5 in, places every
    placeholder for 16:9, gives the theme the package's colour-blind-safe accents
    (:data:`THEME_ACCENTS`) and keeps seven layouts: *Title Slide*, *Chart + takeaway*,
    *Section Header*, *Two content + takeaway*, *Title Only*, *Table + takeaway* and
    *Picture + takeaway*.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from pptx import Presentation
    >>> p = Presentation(str(make_template(pathlib.Path(tempfile.mkdtemp()) / "t.pptx")))
    >>> round(p.slide_width / 914400, 2), [layout.name for layout in p.slide_layouts][:3]
    (13.33, ['Title Slide', 'Chart + takeaway', 'Section Header'])
    """
    from lxml import etree
    from pptx import Presentation
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    prs = Presentation()
    prs.slide_width, prs.slide_height = _inches(13.333), _inches(7.5)  # type: ignore[assignment]
    master = prs.slide_master
    # theme colours: the package's accents (charts and tables use them through the theme)
    theme = master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    scheme = root.find(".//a:clrScheme", ns)
    scheme.set("name", "cjm-lab")
    for i, hex_ in enumerate(THEME_ACCENTS, start=1):
        slot = scheme.find(f"a:accent{i}", ns)
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, f"{{{ns['a']}}}srgbClr").set("val", hex_)
    for key, hex_ in (("dk2", "333333"), ("lt2", "F2F2F2"), ("hlink", "0563C1")):
        slot = scheme.find(f"a:{key}", ns)
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, f"{{{ns['a']}}}srgbClr").set("val", hex_)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    # master: title top left, body below, footers at the bottom
    for ph in master.placeholders:
        t = ph.placeholder_format.type
        if t == 1:
            _set_box(ph, 0.5, 0.3, 12.33, 0.95)
            _text_style(ph, 28, bold=True, color="1F1F1F", anchor="b", align="l")
        elif t == 2:
            _set_box(ph, 0.5, 1.45, 12.33, 5.35)
        elif t == 16:
            _set_box(ph, 0.5, 7.0, 3.0, 0.35)
        elif t == 15:
            _set_box(ph, 4.17, 7.0, 5.0, 0.35)
        elif t == 13:
            _set_box(ph, 9.83, 7.0, 3.0, 0.35)
    # layouts: keep and re-place seven, drop the rest
    keep = {
        0: "Title Slide",
        1: "Chart + takeaway",
        2: "Section Header",
        3: "Two content + takeaway",
        5: "Title Only",
        7: "Table + takeaway",
        8: "Picture + takeaway",
    }
    layouts = list(prs.slide_layouts)
    id_list = master.element.sldLayoutIdLst
    for i, layout in enumerate(layouts):
        if i not in keep:
            for entry in list(id_list):
                if master.part.related_part(entry.rId) is layout.part:
                    master.part.drop_rel(entry.rId)
                    id_list.remove(entry)
            continue
        layout.name = keep[i]
        for ph in layout.placeholders:  # type: ignore[misc]
            t, idx = ph.placeholder_format.type, ph.placeholder_format.idx
            if t in (16, 15, 13):
                _set_box(ph, *{16: (0.5, 7.0, 3.0, 0.35), 15: (4.17, 7.0, 5.0, 0.35), 13: (9.83, 7.0, 3.0, 0.35)}[t])
            elif i == 0 and t == 3:
                _set_box(ph, 0.8, 2.2, 11.73, 1.7)
                _text_style(ph, 40, bold=True, color="1F1F1F", anchor="b", align="l")
            elif i == 0 and t == 4:
                _set_box(ph, 0.8, 4.05, 11.73, 1.2)
                _text_style(ph, 20, color="555555", align="l")
            elif i == 2 and t == 1:
                _set_box(ph, 0.8, 2.6, 11.73, 1.5)
                _text_style(ph, 36, bold=True, color="004488", anchor="b", align="l")
            elif i == 2 and t == 2:
                _set_box(ph, 0.8, 4.2, 11.73, 1.0)
                _text_style(ph, 18, color="555555")
            elif t == 1:
                _set_box(ph, 0.5, 0.3, 12.33, 0.95)
                _text_style(ph, 28, bold=True, color="1F1F1F", anchor="b", align="l")
            elif i == 1 and idx == 1:
                _set_box(ph, 0.5, 2.2, 12.33, 4.65)
            elif i == 3:
                _set_box(ph, 0.5 if idx == 1 else 6.83, 2.2, 6.0, 4.65)
            elif i == 7 and t == 7:
                _set_box(ph, 0.5, 2.2, 12.33, 4.65)
            elif i == 7 and t == 2:
                _set_box(ph, 0.5, 1.35, 12.33, 0.8)
                _text_style(ph, 16, color="333333")
                ph.element.find(".//{http://schemas.openxmlformats.org/presentationml/2006/main}cNvPr").set(
                    "name", "Takeaway"
                )
            elif i == 8 and t == 18:
                _set_box(ph, 0.5, 2.2, 12.33, 4.65)
            elif i == 8 and t == 2:
                _set_box(ph, 0.5, 1.35, 12.33, 0.8)
                _text_style(ph, 16, color="333333")
        if i in (1, 3):
            takeaway = _add_body_placeholder(layout, 13, "Takeaway")
            _set_box(takeaway, 0.5, 1.35, 12.33, 0.8)
            _text_style(takeaway, 16, color="333333")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(target))
    return target


def default_template() -> Path:
    """The package's deck template (``cjm_lab/reports/templates/deck.pptx``)."""
    if not _TEMPLATE.is_file():  # pragma: no cover - shipped as package data; tools/ rewrites it
        raise CJMConfigError(
            f"The deck template {_TEMPLATE} is missing from the installation. Fix: reinstall cjm-lab, or run "
            "`python tools/make_deck_template.py` in a source checkout."
        )
    return _TEMPLATE


# --------------------------------------------------------------------------- layouts of any template
def _kinds(layout: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"title": [], "ctr": [], "sub": [], "body": [], "content": [], "picture": []}
    for ph in layout.placeholders:
        t = ph.placeholder_format.type
        t = int(t) if t is not None else 7
        if t == 1:
            out["title"].append(ph)
        elif t == 3:
            out["ctr"].append(ph)
        elif t == 4:
            out["sub"].append(ph)
        elif t == 2:
            out["body"].append(ph)
        elif t in (7, 8, 12, 14):  # object, chart, table, media
            out["content"].append(ph)
        elif t in (18,):
            out["picture"].append(ph)
    return out


def _named(layouts: Sequence[Any], *patterns: str) -> list[Any]:
    rx = re.compile("|".join(patterns), re.IGNORECASE)
    return [lay for lay in layouts if rx.search(lay.name or "")]


@validate_params({})
def template_layouts(prs: Any) -> dict[str, Any]:
    """Each role of :data:`ROLES` → a slide layout of ``prs``, found by placeholders (names break ties).

    A corporate template's layouts are recognised in English and German (*Title Slide* /
    *Titelfolie*, *Section Header* / *Abschnittsüberschrift*, *Two Content* / *Zwei Inhalte* …)
    and otherwise by what they hold: a centred title (title slide), a title and one
    content placeholder (chart, table), a title and two (two content), a title alone.

    Examples
    --------
    >>> from pptx import Presentation
    >>> roles = template_layouts(Presentation(str(default_template())))
    >>> roles["chart"].name, roles["two"].name, roles["section"].name
    ('Chart + takeaway', 'Two content + takeaway', 'Section Header')
    """
    layouts = list(prs.slide_layouts)
    if not layouts:
        raise CJMConfigError("The PowerPoint template has no slide layouts; use a .pptx or .potx with layouts.")
    info = {id(lay): _kinds(lay) for lay in layouts}

    def first(cands: Sequence[Any], test: Callable[[dict[str, list[Any]]], bool]) -> Any | None:
        return next((lay for lay in cands if test(info[id(lay)])), None)

    def pick(patterns: tuple[str, ...], test: Callable[[dict[str, list[Any]]], bool]) -> Any | None:
        return first(_named(layouts, *patterns), test) or first(layouts, test)

    title_only = pick(("title only", "nur titel"), lambda k: bool(k["title"]) and not k["content"] and not k["body"])
    title_only = title_only or first(layouts, lambda k: bool(k["title"] or k["ctr"])) or layouts[0]
    one = pick(
        ("chart", "title and content", "titel und inhalt", "diagramm"),
        lambda k: bool(k["title"]) and len(k["content"]) == 1,
    )
    roles = {
        "title": pick(("title slide", "titelfolie"), lambda k: bool(k["ctr"]))
        or first(layouts, lambda k: bool(k["sub"]))
        or title_only,
        "section": pick(("section", "abschnitt"), lambda k: bool(k["title"]) and not k["content"]) or title_only,
        "chart": one or title_only,
        "table": pick(("table", "tabelle"), lambda k: bool(k["title"]) and len(k["content"]) == 1) or one or title_only,
        "two": pick(
            ("two content", "zwei inhalte", "comparison", "vergleich"),
            lambda k: bool(k["title"]) and len(k["content"]) == 2,
        )
        or one
        or title_only,
        "picture": pick(
            ("picture", "bild"), lambda k: bool(k["title"]) and (bool(k["picture"]) or len(k["content"]) == 1)
        )
        or one
        or title_only,
        "title_only": title_only,
    }
    return roles


# --------------------------------------------------------------------------- chart data from a saved table
def chart_data(
    data: pd.DataFrame,
    chart: Chart,
    *,
    language: str = "en",
    labels: Any = None,
    touchpoints: Callable[[Any], str] | None = None,
    entry: TableEntry | None = None,
) -> tuple[list[Any], list[tuple[str, list[float | None]]]]:
    """The categories and series a native chart draws from a saved table.

    Suppressed rows (and rows without any value) are left out, a ``pivot`` column spreads
    a long table into one series per value, ``sort="desc"`` orders by the first series
    and ``top`` keeps the first rows — the same selection the matplotlib figure shows.

    Returns
    -------
    categories : list
        Category labels (dates for a line chart over calendar periods).
    series : list of (name, values)
        Values as in the table (percent units stay percent units), None where missing.

    Examples
    --------
    >>> t = pd.DataFrame({"wave": [1, 2], "n": [120, 80], "nps": [12.0, 21.5], "suppressed": [False, False]})
    >>> chart_data(t, Chart("bar", table="t", category="wave", series=("nps",)), language="de")
    (['Welle 1 (n = 120)', 'Welle 2 (n = 80)'], [('NPS', [12.0, 21.5])])
    """
    lang = check_language(language)

    def shown(column: str | None) -> Callable[[Any], str] | None:
        own = entry.labeller(column) if (entry is not None and column) else None
        return own or (value_labeller(column, lang, labels, touchpoints) if column else None)

    t = data
    if "suppressed" in t:
        t = t[~t["suppressed"].fillna(False).astype(bool)]
    missing = [c for c in (chart.category, chart.pivot, *chart.series) if c and c not in t.columns]
    if missing:
        raise CJMConfigError(
            f"The chart of table {chart.table!r} needs column(s) {', '.join(map(repr, missing))}, which the saved "
            f"table does not have (it has {', '.join(map(str, data.columns))})."
        )
    if chart.kind == "scatter":
        t = t.dropna(subset=list(chart.series))
        names = t[chart.category].astype(str).tolist() if chart.category else [str(i + 1) for i in range(len(t))]
        show = shown(chart.category)
        return (
            [show(n) if show else n for n in names],
            [(column_label(s, lang, labels), _floats(t[s])) for s in chart.series],
        )
    if chart.pivot:
        value = chart.series[0]
        t = t.dropna(subset=[value])
        cats = list(dict.fromkeys(t[chart.category].tolist()))
        groups = list(dict.fromkeys(t[chart.pivot].tolist()))
        wide = t.pivot_table(index=chart.category, columns=chart.pivot, values=value, aggfunc="first", sort=False)
        wide = wide.reindex(index=cats, columns=groups)
        if chart.sort == "desc":
            wide = wide.sort_values(groups[0], ascending=False, kind="stable")
        if chart.top:
            wide = wide.head(chart.top)
        show_cat = shown(chart.category) or str
        show_grp = shown(chart.pivot) or _plain
        from cjm_lab.plots.theme import model_label

        if chart.pivot == "model" and (entry is None or not entry.labeller("model")):
            show_grp = lambda g: model_label(g, lang)  # noqa: E731
        return ([show_cat(c) for c in wide.index], [(show_grp(g), _floats(wide[g])) for g in wide.columns])
    t = t.dropna(subset=list(chart.series), how="all")
    if chart.sort == "desc":
        t = t.sort_values(chart.series[0], ascending=False, kind="stable")
    if chart.top:
        t = t.head(chart.top)
    if chart.category is None:
        cats: list[Any] = [word("total", lang)] * len(t) if len(t) == 1 else [str(i + 1) for i in range(len(t))]  # type: ignore[no-redef]
    else:
        raw = t[chart.category].tolist()
        dates = period_dates(raw) if chart.kind == "line" else None
        if dates is not None:
            cats = dates
        else:
            cats = [_category(v, chart.category, lang, shown(chart.category)) for v in raw]
            if chart.kind in ("bar", "stacked_bar") and "n" in t and column_kind("n") == "count":
                cats = [
                    f"{c} (n = {format_value(n, 'count', lang)})" if pd.notna(n) else c for c, n in zip(cats, t["n"])
                ]
    return cats, [(column_label(s, lang, labels), _floats(t[s])) for s in chart.series]


def _plain(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v)


def _category(value: Any, column: str, language: str, show: Callable[[Any], str] | None) -> str:
    if show is not None:
        return show(value)
    if str(value) == "Total":
        return word("total", language)
    text = _plain(value)
    if column in ("wave", "period") and re.fullmatch(r"\d+", text):
        return f"{column_label(column, language)} {text}"
    return text


def _floats(values: Any) -> list[float | None]:
    arr = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy()
    return [None if not np.isfinite(v) else float(v) for v in arr]


# --------------------------------------------------------------------------- drawing
def _theme(accent: int) -> Any:
    from pptx.enum.dml import MSO_THEME_COLOR

    return [
        MSO_THEME_COLOR.ACCENT_1,
        MSO_THEME_COLOR.ACCENT_2,
        MSO_THEME_COLOR.ACCENT_3,
        MSO_THEME_COLOR.ACCENT_4,
        MSO_THEME_COLOR.ACCENT_5,
        MSO_THEME_COLOR.ACCENT_6,
    ][accent % 6]


def _fill(fmt: Any, accent: int) -> None:
    fmt.fill.solid()
    fmt.fill.fore_color.theme_color = _theme(accent)


def _defuse_chart_data(chart: Any) -> int:
    """Turn the formulas of a native chart's embedded workbook (PowerPoint's "Edit data") into text.

    python-pptx writes a chart's categories and series names with XlsxWriter, which stores a
    string starting with ``=`` as a formula: a touchpoint called ``=HYPERLINK(...)`` became a live
    link in the workbook behind the chart.  The chart itself shows the text either way.  Returns
    how many cells changed.
    """
    import openpyxl

    part = chart.part.chart_workbook.xlsx_part
    if part is None:
        return 0
    workbook = openpyxl.load_workbook(io.BytesIO(part.blob))
    changed = sum(defuse_formulas(sheet) for sheet in workbook.worksheets)
    if changed:
        buffer = io.BytesIO()
        workbook.save(buffer)
        part.blob = buffer.getvalue()
    return changed


def _add_chart(
    slide: Any,
    box: tuple[int, int, int, int],
    chart: Chart,
    data: pd.DataFrame,
    *,
    language: str,
    labels: Any,
    touchpoints: Any,
    show_title: bool,
    entry: TableEntry | None = None,
) -> Any:
    """A native chart in ``box`` (left, top, width, height in EMU); returns the graphic frame."""
    from pptx.chart.data import CategoryChartData, XyChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_DATA_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
    from pptx.util import Pt

    cats, series = chart_data(data, chart, language=language, labels=labels, touchpoints=touchpoints, entry=entry)
    kind_of = column_kind(chart.series[0], data[chart.series[0]])
    number = pptx_format(kind_of, language)
    if chart.kind == "scatter":
        xy = XyChartData()
        points = xy.add_series(column_label(chart.category or "", language, labels) or "")
        (_, xs), (_, ys) = series
        for x, y in zip(xs, ys):
            points.add_data_point(x, y)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER, *box, xy)
        out = frame.chart
        _defuse_chart_data(out)
        s = out.plots[0].series[0]
        s.marker.size = 9
        _fill(s.marker.format, 0)
        s.format.line.fill.background()
        for i, name in enumerate(cats):  # each point labelled with its driver
            label = s.points[i].data_label
            label.has_text_frame = True
            label.text_frame.text = str(name)
            label.position = XL_DATA_LABEL_POSITION.RIGHT
            label.font.size = Pt(11)
        out.has_legend = False
        out.value_axis.has_title = True
        out.value_axis.axis_title.text_frame.text = series[1][0]
        out.category_axis.has_title = True
        out.category_axis.axis_title.text_frame.text = series[0][0]
        xs_, ys_ = [v for v in xs if v is not None], [v for v in ys if v is not None]
        guides = [c for c in (f"{chart.series[0]}_split", f"{chart.series[1]}_split") if c in data]
        if len(guides) == 2 and xs_ and ys_:  # the quadrant lines of an importance–performance matrix
            gx, gy = _floats(data[guides[0]])[0], _floats(data[guides[1]])[0]
            if gx is not None and gy is not None:
                lo_x, hi_x = min(*xs_, gx), max(*xs_, gx)
                lo_y, hi_y = min(*ys_, gy), max(*ys_, gy)
                pad_x, pad_y = 0.08 * (hi_x - lo_x or 1), 0.12 * (hi_y - lo_y or 1)
                _guide(out, [(gx, lo_y - pad_y), (gx, hi_y + pad_y)])
                _guide(out, [(lo_x - pad_x, gy), (hi_x + pad_x, gy)])
        x_kind = column_kind(chart.series[0], data[chart.series[0]])
        out.category_axis.tick_labels.number_format = pptx_format(x_kind, language)
        out.category_axis.tick_labels.number_format_is_linked = False
        if xs_ and min(xs_) >= 0:
            out.category_axis.minimum_scale = 0
        out.value_axis.tick_labels.number_format = "0.0"
        out.value_axis.tick_labels.number_format_is_linked = False
    else:
        cd = CategoryChartData(number_format=number)
        cd.categories = cats
        if cats and isinstance(cats[0], dt.date):
            cd.categories.date_format = "mmm yyyy"
        for name, values in series:
            cd.add_series(name, values)
        kind = {
            "bar": XL_CHART_TYPE.BAR_CLUSTERED,
            "funnel": XL_CHART_TYPE.BAR_CLUSTERED,
            "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
            "stacked_bar": XL_CHART_TYPE.BAR_STACKED_100,
            "line": XL_CHART_TYPE.LINE_MARKERS,
        }[chart.kind]
        frame = slide.shapes.add_chart(kind, *box, cd)
        out = frame.chart
        _defuse_chart_data(out)
        plot = out.plots[0]
        # many series of a long table (attribution models): the values are in the chart's data, not on it
        plot.has_data_labels = not (chart.pivot and len(series) > 2)
        if plot.has_data_labels:
            plot.data_labels.number_format = number
            plot.data_labels.number_format_is_linked = False
            plot.data_labels.font.size = Pt(11)
        if chart.kind in ("bar", "funnel", "column"):
            plot.gap_width = 60
            if plot.has_data_labels:
                plot.data_labels.position = XL_DATA_LABEL_POSITION.OUTSIDE_END
            if len(series) > 1:
                plot.overlap = 0
        if chart.kind == "stacked_bar":
            plot.gap_width = 80 if len(cats) > 1 else 150
            plot.overlap = 100
            if plot.has_data_labels:
                plot.data_labels.position = XL_DATA_LABEL_POSITION.CENTER
        if chart.kind == "line" and plot.has_data_labels:
            plot.data_labels.position = XL_DATA_LABEL_POSITION.ABOVE
        # colours from the theme: NPS semantics on our accents (1 promoter, 2 detractor, 3 passive)
        nps_parts = ["pct_detractors", "pct_passives", "pct_promoters"]
        for i, s in enumerate(plot.series):
            accent = i
            if chart.kind == "stacked_bar" and list(chart.series) == nps_parts:
                accent = (1, 2, 0)[i]
            if chart.kind == "line":
                s.format.line.color.theme_color = _theme(accent)
                s.format.line.width = Pt(2.5)
                s.marker.size = 8
                _fill(s.marker.format, accent)
                s.smooth = False
            else:
                _fill(s.format, accent)
            if chart.kind == "bar" and chart.series == ("nps",) and len(series) == 1:
                for j, v in enumerate(series[0][1]):  # negative NPS in the detractor accent
                    if v is not None and v < 0:
                        _fill(s.points[j].format, 1)
        if chart.kind in ("bar", "funnel", "stacked_bar"):
            out.category_axis.reverse_order = True  # the first row on top, as in the table and the figure
        out.category_axis.tick_labels.font.size = Pt(12)
        out.value_axis.tick_labels.number_format = "0%" if chart.kind == "stacked_bar" else number
        out.value_axis.tick_labels.number_format_is_linked = False
        out.value_axis.has_major_gridlines = chart.kind in ("line", "column")
        if chart.kind in ("bar", "funnel", "stacked_bar") and plot.has_data_labels:  # the labels carry the values
            out.value_axis.visible = False
        if cats and isinstance(cats[0], dt.date):
            _date_axis(out, chart, data)
        if chart.kind in ("bar", "funnel", "column", "line") and any(
            v is not None and v < 0 for _, vals in series for v in vals
        ):
            out.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        if chart.kind in ("bar", "funnel") and kind_of == "percent":
            out.value_axis.maximum_scale = 100
            out.value_axis.minimum_scale = 0
        out.has_legend = len(series) > 1
        if out.has_legend:
            out.legend.position = XL_LEGEND_POSITION.BOTTOM if len(series) <= 3 else XL_LEGEND_POSITION.RIGHT
            out.legend.include_in_layout = False
            out.legend.font.size = Pt(12)
    out.font.size = Pt(12)
    out.has_title = bool(show_title and chart.title)
    if out.has_title:
        out.chart_title.text_frame.text = chart.title
        out.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    return frame


def _guide(chart: Any, points: list[tuple[float, float]]) -> None:
    """A dashed grey line as a further scatter series with literal values (not tied to the data sheet)."""
    from lxml import etree
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_MARKER_STYLE
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    plot = chart.plots[0]._element
    existing = plot.findall(qn("c:ser"))
    ser = copy.deepcopy(existing[0])
    idx = len(existing)
    ser.find(qn("c:idx")).set("val", str(idx))
    ser.find(qn("c:order")).set("val", str(idx))
    for tag in ("c:dLbls", "c:tx", "c:dPt"):
        for el in ser.findall(qn(tag)):
            ser.remove(el)
    for tag, values in (("c:xVal", [p[0] for p in points]), ("c:yVal", [p[1] for p in points])):
        holder = ser.find(qn(tag))
        for child in list(holder):
            holder.remove(child)
        lit = etree.SubElement(holder, qn("c:numLit"))
        etree.SubElement(lit, qn("c:formatCode")).text = "General"
        etree.SubElement(lit, qn("c:ptCount")).set("val", str(len(values)))
        for k, v in enumerate(values):
            pt = etree.SubElement(lit, qn("c:pt"))
            pt.set("idx", str(k))
            etree.SubElement(pt, qn("c:v")).text = repr(float(v))
    existing[-1].addnext(ser)
    series = chart.plots[0].series[idx]
    series.marker.style = XL_MARKER_STYLE.NONE
    series.format.line.fill.solid()
    series.format.line.fill.fore_color.rgb = RGBColor(0x88, 0x88, 0x88)
    series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    series.format.line.width = Pt(1)


def _date_axis(chart: Any, spec: Chart, data: pd.DataFrame) -> None:
    """A date axis in the periods' unit (months, quarters, weeks, years), labelled as such."""
    from lxml import etree
    from pptx.oxml.ns import qn

    from cjm_lab._format import period_kind

    kind = period_kind(data[spec.category].dropna().tolist()) or "day"
    unit, major = {"month": ("months", 1), "quarter": ("months", 3), "year": ("years", 1), "week": ("days", 7)}.get(
        kind, ("days", 1)
    )
    axis = chart.plots[0]._element.getparent().find(qn("c:dateAx"))
    if axis is None:
        return
    for tag in ("c:baseTimeUnit", "c:majorUnit", "c:majorTimeUnit"):
        old = axis.find(qn(tag))
        if old is not None:
            axis.remove(old)
    anchor = axis.find(qn("c:lblOffset"))
    position = list(axis).index(anchor) + 1 if anchor is not None else len(axis)
    for offset, (tag, value) in enumerate(
        (("c:baseTimeUnit", unit), ("c:majorUnit", str(major)), ("c:majorTimeUnit", unit))
    ):
        el = etree.Element(qn(tag))
        el.set("val", value)
        axis.insert(position + offset, el)
    fmt = {"month": "mmm yyyy", "quarter": "mmm yyyy", "year": "yyyy", "week": "dd.mm.yyyy"}.get(kind, "dd.mm.yyyy")
    chart.category_axis.tick_labels.number_format = fmt
    chart.category_axis.tick_labels.number_format_is_linked = False


def _add_table(
    slide: Any,
    box: tuple[int, int, int, int],
    data: pd.DataFrame,
    entry: TableEntry,
    *,
    language: str,
    labels: Any,
    touchpoints: Any,
) -> tuple[Any, str | None]:
    """A native table of the entry's shown columns (at most 12 rows); returns it and a note when cut."""
    from pptx.util import Pt

    cols = list(entry.show) if entry.show else [c for c in data.columns if c not in HIDDEN_COLUMNS]
    cols = cols[:_TABLE_COLUMNS]
    t = data.head(_TABLE_ROWS)
    kinds = {c: entry.kinds.get(c) or column_kind(c, data[c]) for c in cols}
    left, top, width, height = box
    n_rows = len(t) + 1
    row_h = min(int(height / max(n_rows, 1)), _inches(0.45))
    shape = slide.shapes.add_table(n_rows, len(cols), left, top, width, row_h * n_rows)
    table = shape.table
    texts = []
    for c in cols:
        kind = kinds[c]
        show = (entry.labeller(c) or value_labeller(c, language, labels, touchpoints)) if kind == "text" else None
        texts.append(
            [(show(v) if show is not None and pd.notna(v) else format_value(v, kind, language)) for v in t[c].tolist()]
        )
    # numbers never wrap: a numeric column is as wide as its longest text (at least a short header);
    # text columns share the rest by their length
    chars = np.array(
        [max([len(column_label(c, language, labels))] + [len(x) for x in col]) for c, col in zip(cols, texts)],
        dtype=float,
    )
    numeric = np.array([kinds[c] not in ("text",) for c in cols])
    char_emu = _inches(0.11 if len(cols) > 4 else 0.12)
    fixed = np.where(numeric, np.clip(chars, 5, 14) * char_emu + _inches(0.2), 0.0)
    if fixed.sum() > 0.6 * width:
        fixed *= 0.6 * width / fixed.sum()
    share = np.where(numeric, 0.0, np.clip(chars, 8, 70))
    rest = width - fixed.sum()
    widths = fixed + (rest * share / share.sum() if share.sum() else 0.0)
    if not share.sum():
        widths = widths * width / widths.sum()
    for j, w in enumerate(widths):
        table.columns[j].width = int(w)
    for j, c in enumerate(cols):
        cell = table.cell(0, j)
        cell.text = column_label(c, language, labels)
        cell.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
        cell.text_frame.paragraphs[0].runs[0].font.bold = True
        for i, text in enumerate(texts[j], start=1):
            cell = table.cell(i, j)
            cell.text = str(text)
            par = cell.text_frame.paragraphs[0]
            par.runs[0].font.size = Pt(11 if len(cols) > 4 else 12)
            if kinds[c] not in ("text", "flag"):
                from pptx.enum.text import PP_ALIGN

                par.alignment = PP_ALIGN.RIGHT
    note = None
    if len(data) > _TABLE_ROWS:
        note = word("full_table", language, n=_TABLE_ROWS, total=len(data), sheet=entry.name)
    return shape, note


def _placeholders(slide: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"title": [], "body": [], "content": [], "sub": []}
    for ph in slide.placeholders:
        t = ph.placeholder_format.type
        t = int(t) if t is not None else 7
        if t in (1, 3):
            out["title"].append(ph)
        elif t == 4:
            out["sub"].append(ph)
        elif t == 2:
            out["body"].append(ph)
        elif t in (7, 8, 12, 14, 18):
            out["content"].append(ph)
    return out


def _box(shape: Any) -> tuple[int, int, int, int]:
    return int(shape.left), int(shape.top), int(shape.width), int(shape.height)


def _remove(shape: Any) -> None:
    el = shape.element
    el.getparent().remove(el)


class _Slides:
    """Adds slides of each role to a presentation, filling or replacing the layout's placeholders."""

    def __init__(self, prs: Any, roles: Mapping[str, Any]) -> None:
        self.prs = prs
        self.roles = roles

    def _content_area(self) -> tuple[int, int, int, int]:
        w, h = int(self.prs.slide_width), int(self.prs.slide_height)
        return int(0.04 * w), int(0.29 * h), int(0.92 * w), int(0.62 * h)

    def new(
        self, role: str, title: str, takeaway: str | None, n_content: int = 1, subtitle: str | None = None
    ) -> tuple[Any, list[tuple]]:
        """A slide with its title and takeaway set; returns it and the boxes for its content."""
        slide = self.prs.slides.add_slide(self.roles[role])
        ph = _placeholders(slide)
        if subtitle:
            if ph["sub"]:
                ph["sub"][0].text_frame.text = subtitle
            elif ph["body"]:
                ph["body"].pop(0).text_frame.text = subtitle
        if ph["title"]:
            ph["title"][0].text_frame.text = title
        else:
            from pptx.util import Pt

            box = slide.shapes.add_textbox(
                int(0.04 * self.prs.slide_width),
                int(0.04 * self.prs.slide_height),
                int(0.92 * self.prs.slide_width),
                int(0.12 * self.prs.slide_height),
            )
            box.text_frame.text = title
            box.text_frame.paragraphs[0].runs[0].font.size = Pt(28)
        contents = sorted(ph["content"], key=lambda p: (int(p.left), int(p.top)))
        bodies = sorted(ph["body"], key=lambda p: int(p.width) * int(p.height))
        # a layout without a content placeholder: its largest body (if any) holds the content
        if not contents and bodies and role in ("chart", "table", "two", "picture"):
            contents = [bodies.pop()]
        boxes = [_box(c) for c in contents[:n_content]]
        for c in contents:
            _remove(c)
        if len(boxes) < n_content:
            left, top, width, height = boxes[0] if boxes else self._content_area()
            if len(boxes) == 1 and n_content == 2:
                half = (width - int(0.03 * width)) // 2
                boxes = [(left, top, half, height), (left + width - half, top, half, height)]
            elif not boxes:
                boxes = [(left + k * width // n_content, top, width // n_content, height) for k in range(n_content)]
        if takeaway:
            if bodies:
                bodies[0].text_frame.text = takeaway
                bodies = bodies[1:]
            else:  # no takeaway placeholder: a text box above the content, which moves down
                from pptx.util import Pt

                left, top, width, height = boxes[0]
                strip = int(0.13 * height)
                box = slide.shapes.add_textbox(
                    min(b[0] for b in boxes), top, max(b[0] + b[2] for b in boxes) - min(b[0] for b in boxes), strip
                )
                box.text_frame.word_wrap = True
                box.text_frame.text = takeaway
                box.text_frame.paragraphs[0].runs[0].font.size = Pt(16)
                boxes = [(b[0], b[1] + strip, b[2], b[3] - strip) for b in boxes]
        for b in bodies:  # empty placeholders would show "Click to add text"
            if not b.text_frame.text:
                if not takeaway and boxes and int(b.top) < boxes[0][1] and role in ("picture", "chart", "table"):
                    top = int(b.top)  # no takeaway: the content grows into its place
                    boxes = [(x, top, w, h + y - top) for x, y, w, h in boxes]
                _remove(b)
        for s in ph["sub"]:
            if not s.text_frame.text:
                _remove(s)
        return slide, boxes


def plain_text(markdown: str | None) -> str | None:
    r"""A report sentence (Markdown, data escaped) as plain text for a slide.

    Examples
    --------
    >>> plain_text(r"NPS is **21.4** for *High att\_price* \(n = 842\).")
    'NPS is 21.4 for High att_price (n = 842).'
    """
    if not markdown:
        return None
    import html as html_

    text = re.sub(r"(\*\*|__|`)", "", str(markdown))
    text = re.sub(r"(?<![\\\w])\*(?=\S)(.+?)(?<=\S)\*", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~>])", r"\1", text)
    text = re.sub(r"^\s*[-*]\s+", "", text, flags=re.MULTILINE)
    return html_.unescape(text).strip()


def _short(text: str | None, limit: int = 190) -> str | None:
    """The takeaway on the slide: whole sentences up to ``limit`` characters (the notes keep it all)."""
    if not text or len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    out = ""
    for sentence in sentences:
        if out and len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    return out if len(out) <= limit else out[: limit - 1].rsplit(" ", 1)[0] + "…"


def _notes(slide: Any, *parts: str | None) -> None:
    text = "\n\n".join(p for p in parts if p)
    if text:
        slide.notes_slide.notes_text_frame.text = text


def _sections(notebook: str | os.PathLike | None) -> dict[int, str]:
    """Execution count → the section heading (``##``) in force when that cell ran."""
    if notebook is None or not Path(notebook).is_file():
        return {}
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    current, out = None, {}
    heading = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = heading.findall(cell.source)
            if found:
                current = found[-1]
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            md = output.get("data", {}).get("text/markdown")
            if md:
                found = heading.findall(md if isinstance(md, str) else "".join(md))
                if found:
                    current = found[-1]
        if cell.get("execution_count") is not None and current is not None:
            out[int(cell["execution_count"])] = re.sub(r"[*_`]", "", current)
    return out


@validate_params({"language": [LANGUAGE]})
def build_deck(
    folder: str | os.PathLike,
    *,
    title: str,
    subtitle: str = "",
    language: str = "en",
    template: str | os.PathLike | None = None,
    headline: Sequence[Mapping[str, Any]] | None = None,
    notebook: str | os.PathLike | None = None,
    labels: Any = None,
    touchpoints: Callable[[Any], str] | None = None,
    path: str | os.PathLike | None = None,
) -> Path | None:
    """Write the run folder's figures and tables as ``report.pptx`` (None when there is nothing to show).

    Parameters
    ----------
    folder : path
        A run folder with its manifest (``deliverables.json``).
    title, subtitle : str
        The title slide.
    language : {"en", "de"}
        Category, series and header labels, number formats, notes.
    template : path, optional
        A corporate ``.pptx``/``.potx`` whose layouts and theme colours are used (its
        slides are not copied); default the package's 16:9 template.
    headline : list of dict, optional
        Key numbers for the second slide: ``label``, ``value`` and optionally ``detail`` (the
        runner passes :func:`cjm_lab.reports.tracker.headline`: NPS and its change, top pain point).
    notebook : path, optional
        The executed notebook: its ``##`` headings become section slides.
    labels : Labels or dict, optional
        Labels of the data's columns and values (:class:`cjm_lab.labels.Labels`).
    touchpoints : callable, optional
        How touchpoint keys are shown (:func:`cjm_lab.plots.touchpoint_labeller`).
    path : path, optional
        Where to write (default ``folder/report.pptx``).

    Returns
    -------
    Path or None

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> from pptx import Presentation
    >>> from cjm_lab.plots import plot_nps
    >>> from cjm_lab.reports import save_figure, save_table
    >>> from cjm_lab.survey import nps
    >>> d = tempfile.mkdtemp()
    >>> by = nps(pd.DataFrame({"recommend": [10, 9, 3, 8, 10, 6] * 5, "wave": [1, 1, 1, 2, 2, 2] * 5}), by="wave")
    >>> _ = save_table(by, "nps_by_wave", d)
    >>> _ = save_figure(plot_nps(by), "nps_by_wave", d, table="nps_by_wave", takeaway="Wave 2 is ahead.")
    >>> slide = Presentation(str(build_deck(d, title="NPS"))).slides[1]
    >>> [str(s.chart.chart_type) for s in slide.shapes if s.has_chart], slide.notes_slide.notes_text_frame.text[:16]
    (['BAR_CLUSTERED (57)'], 'Wave 2 is ahead.')
    >>> plt.close("all")
    """
    from pptx import Presentation

    lang = check_language(language)
    base = Path(folder)
    manifest = read_manifest(base)
    figures = manifest.figures
    slides_tables = [e for e in manifest.items if isinstance(e, TableEntry) and e.slide]
    if not figures and not slides_tables:
        return None
    source = Path(template) if template is not None else default_template()
    if not source.is_file():
        raise CJMConfigError(f"The PowerPoint template {source} does not exist. Fix: pass the path of a .pptx file.")
    try:
        prs = Presentation(str(source))
    except Exception as err:
        raise CJMConfigError(
            f"{source} is no PowerPoint file python-pptx can read ({type(err).__name__}: {err}). "
            "Fix: save the template as .pptx (a .potx works after renaming it to .pptx)."
        ) from None
    for sld_id in list(prs.slides._sldIdLst):  # a template's own example slides are not part of the deck
        prs.part.drop_rel(sld_id.rId)
        prs.slides._sldIdLst.remove(sld_id)
    roles = template_layouts(prs)
    make = _Slides(prs, roles)
    make.new("title", title, None, subtitle=subtitle or None)
    if headline:
        _headline_slide(make, headline, lang)
    sections = _sections(notebook)
    items = [e for e in manifest.items if isinstance(e, FigureEntry) or (isinstance(e, TableEntry) and e.slide)]
    section_of = [sections.get(e.cell) if e.cell is not None else None for e in items]
    counts: dict[str | None, int] = {}
    for s in section_of:
        counts[s] = counts.get(s, 0) + 1
    current: str | None = None
    tables = manifest.tables
    cache: dict[str, pd.DataFrame] = {}

    def table_of(name: str) -> pd.DataFrame:
        if name not in cache:
            cache[name] = load_table(base, tables[name])
        return cache[name]

    for entry, section in zip(items, section_of):
        if section is not None and section != current:
            current = section
            if counts[section] >= 2:
                make.new("section", section, None)
        take = plain_text(entry.takeaway)
        if isinstance(entry, TableEntry):
            slide, boxes = make.new("table", plain_text(entry.title) or entry.name, _short(take))
            _, note = _add_table(
                slide, boxes[0], table_of(entry.name), entry, language=lang, labels=labels, touchpoints=touchpoints
            )
            _notes(slide, take, note, word("source", lang, source=f"tables.xlsx, {entry.name}"))
            continue
        charts = [c for c in entry.charts if c.table in tables]
        heading = plain_text(entry.title) or entry.name
        if charts and len(charts) == len(entry.charts) and len(charts) <= 2:
            slide, boxes = make.new("two" if len(charts) == 2 else "chart", heading, _short(take), len(charts))
            for chart, box in zip(charts, boxes):
                _add_chart(
                    slide,
                    box,
                    chart,
                    table_of(chart.table),  # type: ignore[arg-type]
                    language=lang,
                    labels=labels,
                    touchpoints=touchpoints,
                    show_title=len(charts) == 2,
                    entry=tables[chart.table],  # type: ignore[index]
                )
            sources = ", ".join(dict.fromkeys(c.table for c in charts))  # type: ignore[misc]
            _notes(slide, take, word("source", lang, source=f"tables.xlsx, {sources}"))
        else:
            slide, boxes = make.new("picture", heading, _short(take))
            _add_picture(slide, boxes[0], base / entry.file)
            _notes(slide, take)
    target = Path(path) if path is not None else base / "report.pptx"
    tmp = target.with_name(f".{target.name}.tmp")
    prs.save(str(tmp))
    os.replace(tmp, target)
    return target


def _add_picture(slide: Any, box: tuple[int, int, int, int], image: Path) -> Any:
    """The picture in ``box``, as large as it fits without cropping or stretching, centred."""
    from PIL import Image

    left, top, width, height = box
    with Image.open(image) as img:
        w, h = img.size
    scale = min(width / w, height / h)
    pw, ph = int(w * scale), int(h * scale)
    return slide.shapes.add_picture(str(image), left + (width - pw) // 2, top + (height - ph) // 2, pw, ph)


def _headline_slide(make: _Slides, headline: Sequence[Mapping[str, Any]], language: str) -> None:
    """Key numbers as large figures with their labels and changes, side by side."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Pt

    slide, boxes = make.new("title_only", _KEY[language], None)
    left, top, width, height = boxes[0] if boxes else make._content_area()
    n = len(headline)
    gap = int(0.03 * width)
    w = min((width - gap * (n - 1)) // max(n, 1), width // 3)
    left += (width - (w * n + gap * (n - 1))) // 2  # centred
    for i, item in enumerate(headline):
        box = slide.shapes.add_shape(1, left + i * (w + gap), top + height // 8, w, int(height * 0.6))
        box.fill.solid()
        box.fill.fore_color.theme_color = _theme(0)
        box.line.fill.background()
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        value = str(item.get("value", ""))
        lines = [(str(item.get("label", "")), 16, False), (value, 40 if len(value) < 10 else 24, True)]
        if item.get("detail"):
            lines.append((str(item["detail"]), 13, False))
        for j, (text_, size, bold) in enumerate(lines):
            par = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
            par.text = text_
            par.alignment = PP_ALIGN.CENTER
            par.runs[0].font.size = Pt(size)
            par.runs[0].font.bold = bold
    _notes(
        slide,
        "\n".join(
            f"{item.get('label')}: {item.get('value')}" + (f" ({item['detail']})" if item.get("detail") else "")
            for item in headline
        ),
    )

"""The customer journey map: stages × department lanes × feeling, with pain points and moments of truth.

:func:`journey_map` draws one map from :func:`cjm_lab.journeys.journey_map_data`:

* **columns** are the stages in journey order (research → comparison → purchase →
  experience & service → loyalty, or the catalogue's own);
* **lanes** are the departments that own the touchpoints (marketing, sales, accounting,
  logistics, customer service, product), each touchpoint a card in its stage column;
  the card's border tells its kind (solid: external, dashed: peripheral, dotted: internal);
* each card shows the touchpoint (German names with ``language="de"``, wrapped to stay
  legible), its **reach** (share of customers), **drop-off** and the **NPS** of the
  customers who met it;
* an **emotion curve** above the map follows the NPS of those who met each stage;
* the worst **pain points** carry a numbered red badge, explained in the notes below the
  map; **moments of truth** (touchpoints that make detractors) a star.

:func:`journey_maps` puts one map per segment (persona) into one figure, side by side
or as small multiples; :func:`save_journey_map` writes PNG and SVG at print size (A3
landscape) and :func:`journey_map_html` an interactive HTML version.
"""

from __future__ import annotations

import html as _html
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, LANGUAGE, WHOLE_NUMBER, Rule, StrOptions, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.labels import labeller, plain_code
from cjm_lab.plots.theme import (
    DEPARTMENT_COLORS,
    HIGHLIGHT,
    INK,
    LIGHT,
    NEUTRAL,
    check_language,
    cjm_style,
    department_label,
    format_number,
    format_percent,
    kind_label,
    stage_colors,
    stage_label,
)
from cjm_lab.vocab import DEPARTMENTS

__all__ = ["journey_map", "journey_maps", "save_journey_map", "journey_map_html", "A3_LANDSCAPE"]

#: Print size of a map in inches (A3 landscape).
A3_LANDSCAPE = (16.54, 11.69)

_WORDS = {
    "en": {
        "reach": "Reach",
        "drop": "Drop-off",
        "nps": "NPS",
        "emotion": "NPS of customers in the stage",
        "title": "Customer journey map",
        "pain": "Pain points",
        "mot": "moment of truth",
        "legend_kind": "Border: solid = external, dashed = peripheral, dotted = internal",
        "other": "other",
        "no_survey": "No survey joined: the emotion curve needs survey answers.",
    },
    "de": {
        "reach": "Reichweite",
        "drop": "Abbruch",
        "nps": "NPS",
        "emotion": "NPS der Kunden in der Phase",
        "title": "Customer Journey Map",
        "pain": "Schmerzpunkte",
        "mot": "Moment der Wahrheit",
        "legend_kind": "Rahmen: durchgezogen = extern, gestrichelt = peripher, gepunktet = intern",
        "other": "sonstige",
        "no_survey": "Keine Befragung verknüpft: die Emotionskurve braucht Antworten.",
    },
}
_KIND_STYLE = {"external": "solid", "peripheral": (0, (4, 2)), "internal": (0, (1, 1.5))}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def _name(row: pd.Series, language: str, given: Any = None) -> str:
    if given is not None:  # the caller's labels (a Labels, codebook, dict or function) first
        shown = given(row["touchpoint"])
        if shown != plain_code(row["touchpoint"]):
            return str(shown)
    if language == "de" and isinstance(row.get("label_de"), str) and row["label_de"]:
        return row["label_de"]
    return str(row["touchpoint"])


def _lanes(table: pd.DataFrame) -> list[str]:
    present = [str(d) for d in table["department"].fillna("").astype(str)]
    known = [d for d in DEPARTMENTS if d in present]
    others = sorted({d for d in present if d not in DEPARTMENTS and d})
    return known + others + ([""] if "" in present else [])


@validate_params({"language": [LANGUAGE, None], "notes": [BOOLEAN], "compact": [BOOLEAN]})
def journey_map(
    data: Any,
    *,
    segment: Any = None,
    language: str | None = None,
    title: str | None = None,
    fig: Any = None,
    rect: Sequence[float] = (0.0, 0.0, 1.0, 1.0),
    notes: bool = True,
    compact: bool = False,
    labels: Any = None,
) -> Any:
    """Draw the customer journey map of one segment (or of everyone).

    Parameters
    ----------
    data : JourneyMapData
        From :func:`cjm_lab.journeys.journey_map_data`.
    segment : optional
        Which segment's map, when the data is per segment.
    language : {"en", "de"}, optional
        Default: the language the data was computed in (``journey_map_data(language=)``).
    title : str, optional
        Default "Customer journey map" (with the segment).
    fig : matplotlib Figure, optional
        Draw into this figure within ``rect`` (left, bottom, width, height in figure
        fractions) — used for small multiples; a new A3-landscape figure otherwise.
    notes : bool, default True
        Write the pain-point notes under the map.
    compact : bool, default False
        Smaller cards for small multiples (name and NPS only).
    labels : Labels, codebook, dict or function, optional
        Touchpoint names (:func:`cjm_lab.labels.labeller`); default the catalogue's
        ``label_de`` in German, else the touchpoint.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from cjm_lab.sample import make_sample
    >>> from cjm_lab.journeys import journey_map_data
    >>> s = make_sample(customers=400, random_state=1)
    >>> fig = journey_map(journey_map_data(s.events, touchpoints=s.touchpoints, survey=s.survey,
    ...                                    language="de"))
    >>> [t.get_text() for t in fig.axes[0].texts][:1]
    ['Recherche']
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Rectangle

    lang, words, table, stages, order = _map_table(data, segment, language)
    given = labeller(labels, kind="touchpoint", language=lang)
    lanes = _lanes(table)
    ncol = len(order)
    # cards per (lane, stage) cell; a lane is as tall as its fullest cell
    table["_sort"] = -table["reach_pct"].fillna(0)
    table = table.sort_values(["department", "stage", "_sort", "touchpoint"])
    cells = {(d, s): g for (d, s), g in table.groupby(["department", "stage"], sort=False)}
    lane_rows = {d: max([len(g) for (dd, _), g in cells.items() if dd == d] or [1]) for d in lanes}
    total_rows = sum(lane_rows.values())

    with cjm_style():
        own = fig is None
        if own:
            fig = plt.figure(figsize=A3_LANDSCAPE)
        left, bottom, width, height = rect
        curve_h = 0.16 * height
        note_h = (0.13 * height) if notes else 0.0
        ax = fig.add_axes(
            (left + 0.09 * width, bottom + note_h, 0.9 * width, height - curve_h - note_h - 0.05 * height)
        )
        top = fig.add_axes(
            (left + 0.09 * width, bottom + height - curve_h - 0.04 * height, 0.9 * width, curve_h - 0.01 * height)
        )
        ax.set_xlim(0, ncol)
        ax.set_ylim(total_rows + 0.6, 0)
        ax.set_axis_off()
        colors = stage_colors(order)
        # stage header: a fixed height on paper, whatever the number of lanes
        fig_w, fig_h = fig.get_size_inches()
        pos = ax.get_position()
        unit_pt = pos.height * fig_h * 72 / (total_rows + 0.6)
        header = min(0.5, 20 / unit_pt)
        for i, stage in enumerate(order):
            ax.add_patch(
                Rectangle(
                    (i + 0.02, 0.5 - header),
                    0.96,
                    header,
                    facecolor=colors[stage],
                    edgecolor="none",
                    transform=ax.transData,
                    clip_on=False,
                )
            )
            bright = _is_dark(colors[stage])
            label = stage_label(stage, lang)
            label = label[:1].upper() + label[1:]
            ax.text(
                i + 0.5,
                0.5 - header / 2,
                label,
                ha="center",
                va="center",
                fontsize=11 if not compact else 8,
                fontweight="bold",
                color="white" if bright else INK,
            )
        # lanes: the font follows the room a card has (30 touchpoints and long German names stay legible)
        card_h_pt = pos.height * fig_h * 72 / (total_rows + 0.6) * 0.84
        card_w_pt = pos.width * fig_w * 72 / ncol * 0.9
        font = float(np.clip(card_h_pt / (3.9 if not compact else 2.6), 4.5, 9.0))
        wrap = max(10, int((card_w_pt - 2.2 * font) / (font * 0.56)))
        y = 0.6
        pain_rows = []
        for lane in lanes:
            rows = lane_rows[lane]
            ax.add_patch(
                Rectangle(
                    (0, y - 0.05),
                    ncol,
                    rows,
                    facecolor=DEPARTMENT_COLORS.get(lane, NEUTRAL),
                    alpha=0.07,
                    edgecolor="none",
                )
            )
            ax.axhline(y - 0.05, color=LIGHT, linewidth=0.8)
            label = department_label(lane, lang) if lane else words["other"]
            ax.text(
                -0.04,
                y + rows / 2 - 0.05,
                textwrap.fill(label, 14),
                ha="right",
                va="center",
                fontsize=9 if not compact else 7,
                fontweight="bold",
                color=DEPARTMENT_COLORS.get(lane, NEUTRAL),
                clip_on=False,
            )
            for si, stage in enumerate(order):
                group = cells.get((lane, stage))
                if group is None:
                    continue
                for k, (_, row) in enumerate(group.iterrows()):
                    x0, y0 = si + 0.05, y + k + 0.03
                    edge = HIGHLIGHT if pd.notna(row.get("pain_rank")) else DEPARTMENT_COLORS.get(lane, NEUTRAL)
                    card = FancyBboxPatch(
                        (x0, y0),
                        0.9,
                        0.84,
                        boxstyle="round,pad=0,rounding_size=0.06",
                        facecolor="white",
                        edgecolor=edge,
                        linewidth=2.4 if pd.notna(row.get("pain_rank")) else 1.0,
                        linestyle=_KIND_STYLE.get(str(row.get("kind")), "solid"),
                    )
                    card.set_gid(f"card|{stage}|{lane}|{row['touchpoint']}")  # for tests and SVG post-processing
                    ax.add_patch(card)
                    name = textwrap.fill(_name(row, lang, given), wrap, max_lines=2, placeholder="…")
                    ax.text(
                        x0 + 0.03,
                        y0 + 0.06,
                        name,
                        ha="left",
                        va="top",
                        fontsize=font,
                        fontweight="bold",
                        color=INK,
                        linespacing=1.0,
                    )
                    stats = []
                    if not compact:
                        stats.append(f"{words['reach']} {format_percent(row.get('reach_pct'), 0, lang)}")
                        if pd.notna(row.get("drop_off_pct")) and row.get("drop_off_pct", 0) > 0:
                            stats.append(f"{words['drop']} {format_percent(row['drop_off_pct'], 0, lang)}")
                    if "nps_met" in row and pd.notna(row.get("nps_met")):
                        stats.append(f"{words['nps']} {format_number(row['nps_met'], 0, lang, sign=True)}")
                    ax.text(
                        x0 + 0.03,
                        y0 + 0.8,
                        "  ·  ".join(stats),
                        ha="left",
                        va="bottom",
                        fontsize=font * 0.92,
                        color=INK,
                    )
                    if pd.notna(row.get("pain_rank")):
                        rank = int(row["pain_rank"])
                        badge = _CIRCLED[rank - 1] if rank <= len(_CIRCLED) else str(rank)
                        ax.text(
                            x0 + 0.86,
                            y0 + 0.1,
                            badge,
                            ha="right",
                            va="top",
                            fontsize=font + 4,
                            color=HIGHLIGHT,
                            fontweight="bold",
                            gid=f"pain|{stage}|{lane}|{row['touchpoint']}",
                        )
                        pain_rows.append((rank, badge, _name(row, lang, given), row.get("note", ""), lane))
                    if bool(row.get("moment_of_truth", False)):
                        ax.text(
                            x0 + 0.86,
                            y0 + 0.8,
                            "★",
                            ha="right",
                            va="bottom",
                            fontsize=font + 4,
                            color=HIGHLIGHT,
                            gid=f"truth|{stage}|{lane}|{row['touchpoint']}",
                        )
            y += rows
        for i in range(1, ncol):
            ax.axvline(i, color=LIGHT, linewidth=0.8, ymin=0, ymax=1)
        # emotion curve
        top.set_xlim(0, ncol)
        xs = np.arange(ncol) + 0.5
        has_feeling = stages is not None and "nps_met" in stages.columns and stages["nps_met"].notna().any()
        if not has_feeling:
            top.set_axis_off()
            top.text(0.0, 0.5, words["no_survey"], transform=top.transAxes, fontsize=9, color=NEUTRAL, va="center")
        else:
            vals = stages.set_index(stages["stage"].astype(str))["nps_met"].reindex(order).to_numpy(dtype=float)
            top.axhline(0, color=NEUTRAL, linewidth=0.8)
            top.plot(xs, vals, color=INK, linewidth=2, marker="o", markersize=6, zorder=3)
            for x, v, stage in zip(xs, vals, order):
                if not math.isnan(v):
                    top.scatter([x], [v], s=70, color=colors[stage], zorder=4, edgecolor=INK)
                    top.annotate(
                        format_number(v, 0, lang, sign=True),
                        (x, v),
                        textcoords="offset points",
                        xytext=(0, 8),
                        ha="center",
                        fontsize=9,
                    )
            finite = vals[~np.isnan(vals)]
            span = max(10.0, float(np.abs(finite).max()) * 1.35) if len(finite) else 10.0
            top.set_ylim(-span, span)
        top.set_xticks([])
        if has_feeling:
            top.set_ylabel(words["nps"], fontsize=9)
            if not compact:
                top.set_title(words["emotion"], fontsize=9, loc="left", color=NEUTRAL)
            for spine in ("top", "right", "bottom"):
                top.spines[spine].set_visible(False)
        head = title or words["title"] + (f" — {segment}" if segment is not None else "")
        fig.text(
            left + 0.01 * width,
            bottom + height - 0.005 * height,
            head,
            ha="left",
            va="top",
            fontsize=15 if not compact else 11,
            fontweight="bold",
            color=INK,
        )
        if notes:
            lines = [f"{badge} {name}: {note}" for rank, badge, name, note, _ in sorted(pain_rows) if note]
            body = "\n".join(textwrap.shorten(line, 150, placeholder="…") for line in lines[:6])
            fig.text(
                left + 0.09 * width,
                bottom + note_h - 0.01 * height,
                f"{words['pain']}\n{body}\n★ {words['mot']}   ·   {words['legend_kind']}",
                ha="left",
                va="top",
                fontsize=8,
                color=INK,
                linespacing=1.35,
            )
    return fig


def _language(data: Any, language: str | None) -> str:
    """The map speaks the language its notes were written in (journey_map_data(language=...))."""
    made = getattr(data, "language", "en")
    lang = check_language(language or made)
    if lang != made:
        raise CJMConfigError(
            f"The map data's notes are in {made!r}; compute it with journey_map_data(..., language={lang!r}) "
            f"to draw a map in {lang!r}."
        )
    return lang


def _map_table(
    data: Any, segment: Any, language: str | None
) -> tuple[str, dict[str, str], pd.DataFrame, Any, list[str]]:
    """What both map drawings start from: the language and its words, the segment's touchpoint rows
    (stages in the stage order, as text; departments as text, "" for none), its stage rows and the
    stage order.
    """
    lang = _language(data, language)
    table, stages = data.for_segment(segment) if segment is not None or data.segment is None else (None, None)
    if table is None:
        raise CJMConfigError(f"The map data is per {data.segment!r}: pass segment= one of {data.segments()}.")
    order = list(data.stage_order)
    table = table[table["stage"].astype(str).isin(order)].copy()
    table["stage"] = table["stage"].astype(str)
    table["department"] = table["department"].fillna("").astype(str)
    return lang, _WORDS[lang], table, stages, order


def _is_dark(hex_color: str) -> bool:
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5


@validate_params(
    {
        "language": [LANGUAGE, None],
        "layout": [StrOptions({"grid": "rows of ncols maps", "row": "all maps in one row"})],
        "ncols": [WHOLE_NUMBER],
    }
)
def journey_maps(
    data: Any,
    *,
    segments: Sequence[Any] | None = None,
    language: str | None = None,
    layout: str = "grid",
    ncols: int = 2,
) -> Any:
    """One compact map per segment (persona) in one figure: side by side or a grid of small multiples.

    Examples
    --------
    >>> from cjm_lab.sample import make_sample
    >>> from cjm_lab.journeys import journey_map_data
    >>> s = make_sample(customers=600, random_state=1)
    >>> ev = s.events.merge(s.personas, on="customer_id")
    >>> fig = journey_maps(journey_map_data(ev, touchpoints=s.touchpoints, by="persona"),
    ...                    segments=["price_hunter", "advice_seeker"], layout="row")
    >>> len(fig.axes)
    4
    """
    import matplotlib.pyplot as plt

    if data.segment is None:
        raise CJMConfigError("journey_maps() needs map data per segment: journey_map_data(..., by='persona').")
    segments = list(segments) if segments is not None else data.segments()
    cols = len(segments) if layout == "row" else max(1, min(ncols, len(segments)))
    rows = math.ceil(len(segments) / cols)
    fig = plt.figure(
        figsize=(A3_LANDSCAPE[0], A3_LANDSCAPE[1] * rows / max(1, cols) * 1.2 if layout == "grid" else A3_LANDSCAPE[1])
    )
    for i, seg in enumerate(segments):
        r, c = divmod(i, cols)
        rect = (c / cols, 1 - (r + 1) / rows, 1 / cols, 1 / rows)
        journey_map(data, segment=seg, language=language, fig=fig, rect=rect, notes=False, compact=True, title=str(seg))
    return fig


@validate_params(
    {
        "formats": [
            Rule(
                lambda v: not isinstance(v, str) and set(v) <= {"png", "svg", "pdf"}, "a list of 'png', 'svg' and 'pdf'"
            )
        ],
        "dpi": [WHOLE_NUMBER],
    }
)
def save_journey_map(
    fig: Any, path: str | Path, *, formats: Sequence[str] = ("png", "svg"), dpi: int = 200
) -> list[Path]:
    """Write a map at print size (A3 landscape unless the figure is larger) as PNG and SVG.

    Existing files are never overwritten.
    """
    base = Path(path)
    out = []
    for fmt in formats:
        target = base.with_suffix(f".{fmt}")
        if target.exists():
            raise CJMConfigError(f"{target} exists already; choose a new name (files are never overwritten).")
        fig.savefig(target, dpi=dpi if fmt == "png" else None)
        out.append(target)
    return out


@validate_params({"language": [LANGUAGE, None]})
def journey_map_html(
    data: Any, *, segment: Any = None, language: str | None = None, include_plotlyjs: Any = True, labels: Any = None
) -> str:
    """An interactive version of the map (plotly): hover a card for its numbers and note.

    Parameters
    ----------
    labels : Labels, codebook, dict or function, optional
        Touchpoint names, as in :func:`journey_map`.
    include_plotlyjs : bool or str, default True
        ``True`` embeds plotly.js so the file opens offline; ``False`` when the page
        already has it (one copy per report).

    Returns
    -------
    str
        An HTML fragment (a ``<div>`` with its script).
    """
    import plotly.graph_objects as go

    lang, words, table, _, order = _map_table(data, segment, language)
    given = labeller(labels, kind="touchpoint", language=lang)
    lanes = _lanes(table)
    x, y, texts, hover, colors, symbols = [], [], [], [], [], []
    for (lane, stage), g in table.groupby(["department", table["stage"].astype(str)], sort=False):
        for k, (_, row) in enumerate(g.sort_values("reach_pct", ascending=False).iterrows()):
            x.append(order.index(stage) + 0.15 + 0.25 * (k % 3))
            y.append(lanes.index(lane) + 0.2 + 0.25 * (k // 3))
            texts.append(_name(row, lang, given))
            parts = [
                f"<b>{_html.escape(_name(row, lang, given))}</b>",
                f"{stage_label(stage, lang)} · {department_label(lane, lang) if lane else ''} · "
                f"{kind_label(row.get('kind'), lang) if isinstance(row.get('kind'), str) else ''}",
                f"{words['reach']}: {format_percent(row.get('reach_pct'), 0, lang)}",
                f"{words['drop']}: {format_percent(row.get('drop_off_pct'), 0, lang)}",
            ]
            if "nps_met" in row:
                parts.append(f"{words['nps']}: {format_number(row.get('nps_met'), 0, lang, sign=True)}")
            if isinstance(row.get("note"), str) and row["note"]:
                parts.append(_html.escape(row["note"]))
            if isinstance(row.get("drivers"), str) and row["drivers"]:
                parts.append(_html.escape(row["drivers"]))  # which components make its score, with their shares
            hover.append("<br>".join(parts))
            colors.append(HIGHLIGHT if pd.notna(row.get("pain_rank")) else DEPARTMENT_COLORS.get(lane, NEUTRAL))
            symbols.append("star" if bool(row.get("moment_of_truth", False)) else "square")
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=texts,
            textposition="bottom center",
            hovertext=hover,
            hoverinfo="text",
            marker={"size": 16, "color": colors, "symbol": symbols},
        )
    )
    fig.update_layout(
        title=words["title"] + (f" — {segment}" if segment is not None else ""),
        xaxis={
            "tickvals": [i + 0.5 for i in range(len(order))],
            "ticktext": [stage_label(s, lang) for s in order],
            "range": [0, len(order)],
            "side": "top",
            "showgrid": True,
        },
        yaxis={
            "tickvals": [i + 0.4 for i in range(len(lanes))],
            "ticktext": [department_label(d, lang) if d else words["other"] for d in lanes],
            "autorange": "reversed",
            "showgrid": True,
        },
        height=180 + 140 * len(lanes),
        template="plotly_white",
        margin={"l": 140, "r": 20, "t": 90, "b": 20},
    )
    return fig.to_html(full_html=False, include_plotlyjs=include_plotlyjs)

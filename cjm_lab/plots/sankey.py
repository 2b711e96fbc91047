"""Sankey diagrams of the top customer paths: interactive (plotly) and static (matplotlib).

Both draw the same flows, computed once by :func:`sankey_flows` from a
:func:`cjm_lab.journeys.variants` table: a node per touchpoint *at each step* (so a
touchpoint met at step 1 and again at step 4 appears twice and the diagram has no
cycles), and a band per consecutive pair of steps, as wide as the journeys that take it.

:func:`sankey_top_paths` returns a plotly Figure for HTML reports; write several into
one report with ``fig.to_html(full_html=False, include_plotlyjs=...)`` so that
plotly.js is embedded once (``True`` for the first figure, ``False`` after).
:func:`sankey_static` draws the same flows with matplotlib (Bézier bands), for PNG,
Excel and PowerPoint, without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots._common import (
    check_table,
    check_top,
    finite,
    get_ax,
    leading_columns,
    styled,
)
from cjm_lab.plots.journeys import _select_segment, touchpoint_labeller
from cjm_lab.plots.theme import (
    INK,
    NEUTRAL,
    add_footnote,
    check_language,
    format_number,
    format_percent,
    stage_colors,
    text,
)
from cjm_lab.vocab import DEFAULT_STAGES

__all__ = ["sankey_flows", "sankey_static", "sankey_top_paths"]

Labels = Mapping[Any, str] | Callable[[Any], str] | None

_SEPARATOR = " > "
_OTHER = "(other)"


def sankey_flows(
    variants_table: pd.DataFrame,
    *,
    top: int = 10,
    segment: Any = None,
    separator: str = _SEPARATOR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and links of the top paths, shared by the interactive and the static Sankey.

    Parameters
    ----------
    variants_table : DataFrame
        The result of :func:`cjm_lab.journeys.variants` (``path`` with ``" > "`` between
        touchpoints, ``n_journeys``, optionally ``pct``); the ``"(other)"`` row is left out.
    top : int, default 10
        The most frequent paths to draw.
    segment : value, optional
        The segment to draw when the table was computed ``by=`` a segment.
    separator : str, default " > "

    Returns
    -------
    nodes : DataFrame
        ``node`` (0…), ``step`` (0-based position in the path), ``touchpoint``,
        ``n_journeys`` (journeys through it), ``n_ending`` (journeys whose path ends there).
    links : DataFrame
        ``source``, ``target`` (node numbers), ``n_journeys``.  ``attrs`` keeps
        ``n_paths``, ``n_journeys`` (of the top paths) and ``pct`` (their share of all
        journeys, when the table has ``pct``).

    Examples
    --------
    >>> v = pd.DataFrame({"path": ["Ad > Shop > Buy", "Ad > Shop", "Shop"], "n_journeys": [5, 3, 2]})
    >>> nodes, links = sankey_flows(v)
    >>> nodes[["step", "touchpoint", "n_journeys"]].values.tolist()
    [[0, 'Ad', 8], [0, 'Shop', 2], [1, 'Shop', 8], [2, 'Buy', 5]]
    >>> links.values.tolist()
    [[0, 2, 8], [2, 3, 5]]
    """
    where = "sankey_flows()"
    check_table(
        variants_table, {"path": "path", "n_journeys": "n_journeys"}, where=where, made_by="cjm_lab.journeys.variants()"
    )
    checked = check_top(top)
    if checked is None:
        raise CJMConfigError("`top` must be a positive whole number of paths.")
    segs = leading_columns(variants_table, "path")
    t = _select_segment(variants_table, segs, segment, where)
    t = t[t["path"].astype(str) != _OTHER]
    t = t.assign(_n=finite(t["n_journeys"]))
    t = t[t["_n"] > 0].sort_values("_n", ascending=False, kind="stable").head(checked)
    if t.empty:
        raise CJMDataError(
            f"{where}: the variants table has no path with journeys to draw.",
            column="path",
            fix="Pass the result of cjm_lab.journeys.variants().",
        )
    node_ids: dict[tuple[int, str], int] = {}
    node_n: dict[int, float] = {}
    node_end: dict[int, float] = {}
    link_n: dict[tuple[int, int], float] = {}
    for path, n in zip(t["path"].astype(str), t["_n"]):
        parts = list(path.split(separator))
        prev: int | None = None
        for step, tp in enumerate(parts):
            key = (step, tp)
            if key not in node_ids:
                node_ids[key] = len(node_ids)
            nid = node_ids[key]
            node_n[nid] = node_n.get(nid, 0.0) + n
            if prev is not None:
                link_n[(prev, nid)] = link_n.get((prev, nid), 0.0) + n
            prev = nid
        if prev is not None:
            node_end[prev] = node_end.get(prev, 0.0) + n
    # number nodes by step, then by traffic, so that both drawings stack them the same way
    keys = sorted(node_ids, key=lambda k: (k[0], -node_n[node_ids[k]], k[1]))
    renumber = {node_ids[k]: i for i, k in enumerate(keys)}
    nodes = pd.DataFrame(
        {
            "node": range(len(keys)),
            "step": [k[0] for k in keys],
            "touchpoint": [k[1] for k in keys],
            "n_journeys": [_whole(node_n[node_ids[k]]) for k in keys],
            "n_ending": [_whole(node_end.get(node_ids[k], 0.0)) for k in keys],
        }
    )
    links = (
        pd.DataFrame(
            [(renumber[s], renumber[g], _whole(n)) for (s, g), n in link_n.items()],
            columns=["source", "target", "n_journeys"],
        )
        .sort_values(["source", "target"], kind="stable")
        .reset_index(drop=True)
    )
    links.attrs = {"n_paths": len(t), "n_journeys": _whole(float(t["_n"].sum()))}
    if "pct" in t:
        links.attrs["pct"] = float(finite(t["pct"]).sum())
    return nodes, links


def _whole(value: float) -> Any:
    return int(value) if float(value).is_integer() else float(value)


def _node_colors(nodes: pd.DataFrame, touchpoints: pd.DataFrame | None) -> list[str]:
    if not (isinstance(touchpoints, pd.DataFrame) and {"touchpoint", "stage"} <= set(touchpoints.columns)):
        return [NEUTRAL] * len(nodes)
    stage_of = dict(zip(touchpoints["touchpoint"].astype(str), touchpoints["stage"].astype(str)))
    stages = touchpoints["stage"]
    if isinstance(stages.dtype, pd.CategoricalDtype):
        order = [str(s) for s in stages.cat.categories]
    elif set(stages.astype(str)) <= set(DEFAULT_STAGES):
        order = list(DEFAULT_STAGES)
    else:
        order = list(dict.fromkeys(stages.astype(str)))
    colors = stage_colors(order)
    return [colors.get(stage_of.get(tp), NEUTRAL) for tp in nodes["touchpoint"]]


def _rgba(color: str, alpha: float) -> str:
    from matplotlib.colors import to_rgb

    r, g, b = (round(255 * c) for c in to_rgb(color))
    return f"rgba({r},{g},{b},{alpha})"


def _drawn_flows(
    variants_table: pd.DataFrame,
    top: int,
    segment: Any,
    touchpoints: pd.DataFrame | None,
    language: str,
    labels: Labels,
) -> tuple[pd.DataFrame, pd.DataFrame, Callable[[Any], str], list[str], int]:
    """What both drawings start from: the flows, the node labeller, the node colours and the number of steps."""
    nodes, links = sankey_flows(variants_table, top=top, segment=segment)
    name = touchpoint_labeller(touchpoints, language, labels)
    return nodes, links, name, _node_colors(nodes, touchpoints), int(nodes["step"].max()) + 1


def _share_note(links: pd.DataFrame, language: str) -> str:
    pct = links.attrs.get("pct")
    share = (
        format_percent(pct, 1, language) if pct is not None else format_number(links.attrs["n_journeys"], 0, language)
    )
    return text("sankey_note", language, share=share)


def sankey_top_paths(
    variants_table: pd.DataFrame,
    *,
    top: int = 10,
    language: str = "en",
    segment: Any = None,
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    title: str | None = None,
    height: int | None = None,
) -> Any:
    """An interactive Sankey diagram of the top paths (a plotly Figure).

    Parameters
    ----------
    variants_table : DataFrame
        The result of :func:`cjm_lab.journeys.variants`.
    top : int, default 10
    language : {"en", "de"}, default "en"
    segment : value, optional
        The segment to draw when the table was computed ``by=`` a segment.
    touchpoints : DataFrame, optional
        The catalogue: nodes take their stage colour and, in German, ``label_de``.
    labels : mapping or function, optional
        Display names of the touchpoints.
    title : str, optional
    height : int, optional
        Pixels (default from the number of nodes).

    Returns
    -------
    plotly.graph_objects.Figure
        One Sankey trace whose links are those of :func:`sankey_flows`.  Write it into an
        HTML report with ``fig.to_html(full_html=False, include_plotlyjs=True)`` for the
        first figure and ``include_plotlyjs=False`` for the next, so plotly.js is embedded
        once and the report opens offline.

    Examples
    --------
    >>> v = pd.DataFrame({"path": ["Ad > Shop > Buy", "Ad > Shop", "Shop"], "n_journeys": [5, 3, 2]})
    >>> fig = sankey_top_paths(v, language="de")
    >>> list(fig.data[0].link.value)
    [8, 5]
    >>> fig.layout.title.text
    'Die 10 häufigsten Kundenpfade'
    """
    check_language(language)
    try:
        import plotly.graph_objects as go
    except ImportError as err:  # pragma: no cover - plotly is installed with cjm-lab
        raise CJMConfigError(
            "sankey_top_paths() needs plotly: `pip install plotly`, or draw the static version with sankey_static()."
        ) from err
    nodes, links, name, colors, n_steps = _drawn_flows(variants_table, top, segment, touchpoints, language, labels)
    x = (nodes["step"] / max(n_steps - 1, 1)).clip(0.001, 0.999).tolist()
    unit = text("journeys", language)
    customdata = [
        f"{text('step_n', language, n=s + 1)} · {format_number(n, 0, language)} {unit}"
        for s, n in zip(nodes["step"], nodes["n_journeys"])
    ]
    link_text = [f"{format_number(n, 0, language)} {unit}" for n in links["n_journeys"]]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",d",
            node={
                "label": [name(tp) for tp in nodes["touchpoint"]],
                "color": colors,
                "x": x,
                "pad": 12,
                "thickness": 14,
                "line": {"color": "white", "width": 0.5},
                "customdata": customdata,
                "hovertemplate": "%{label}<br>%{customdata}<extra></extra>",
            },
            link={
                "source": links["source"].tolist(),
                "target": links["target"].tolist(),
                "value": links["n_journeys"].tolist(),
                "customdata": link_text,
                "color": [_rgba(colors[s], 0.35) for s in links["source"]],
                "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>",
            },
        )
    )
    heading = title if title is not None else text("sankey_title", language, top=top)
    fig.update_layout(
        title={"text": heading, "x": 0.01, "xanchor": "left"},
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 12, "color": INK},
        separators=",." if language == "de" else ".,",
        height=height or int(max(420, 34 * nodes.groupby("step").size().max() + 160)),
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        annotations=[
            {
                "text": _share_note(links, language),
                "x": 0,
                "y": -0.06,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 10, "color": "#555555"},
            }
        ],
    )
    return fig


@styled
def sankey_static(
    variants_table: pd.DataFrame,
    *,
    top: int = 10,
    ax: Any = None,
    language: str = "en",
    segment: Any = None,
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    title: str | None = None,
) -> Any:
    """The same Sankey drawn with matplotlib (rectangles and Bézier bands), for PNG, Excel, PowerPoint.

    Parameters
    ----------
    variants_table : DataFrame
        The result of :func:`cjm_lab.journeys.variants`.
    top : int, default 10
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    segment : value, optional
    touchpoints : DataFrame, optional
        The catalogue: stage colours and German names.
    labels : mapping or function, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One rectangle per node (``gid`` ``"sankey_node"``) and one band per link
        (``gid`` ``"sankey_link"``), the same as :func:`sankey_flows`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> v = pd.DataFrame({"path": ["Ad > Shop > Buy", "Ad > Shop", "Shop"], "n_journeys": [5, 3, 2]})
    >>> ax = sankey_static(v)
    >>> sum(p.get_gid() == "sankey_link" for p in ax.patches)
    2
    >>> plt.close("all")
    """
    nodes, links, name, colors, n_steps = _drawn_flows(variants_table, top, segment, touchpoints, language, labels)
    per_step = nodes.groupby("step").size()
    _, ax = get_ax(ax, (max(8.0, 2.1 * n_steps + 1.0), max(4.5, 0.55 * per_step.max() + 1.6)))
    total = float(links.attrs["n_journeys"])
    gap = 0.12 * total / max(per_step.max() - 1, 1) if per_step.max() > 1 else 0.0
    height_all = total + gap * (per_step.max() - 1)
    width = 0.10
    # node boxes: stacked top-down per step, largest first (the order of sankey_flows)
    box: dict[int, tuple[float, float]] = {}
    for _step, part in nodes.groupby("step", sort=True):
        used = float(part["n_journeys"].sum()) + gap * (len(part) - 1)
        y = (height_all + used) / 2  # centre each column
        for nid, n in zip(part["node"], part["n_journeys"]):
            box[int(nid)] = (y - float(n), float(n))
            y -= float(n) + gap
    # each band leaves its source and enters its target in the vertical order of the other end
    lk = links.assign(
        _src_y=[box[int(v)][0] for v in links["source"]], _tgt_y=[box[int(v)][0] for v in links["target"]]
    )
    out_top = {nid: b[0] + b[1] for nid, b in box.items()}
    in_top = dict(out_top)
    y_out: dict[int, float] = {}
    y_in: dict[int, float] = {}
    for i, ln in lk.sort_values(["source", "_tgt_y"], ascending=[True, False], kind="stable").iterrows():
        y_out[i] = out_top[int(ln["source"])]
        out_top[int(ln["source"])] -= float(ln["n_journeys"])
    for i, ln in lk.sort_values(["target", "_src_y"], ascending=[True, False], kind="stable").iterrows():
        y_in[i] = in_top[int(ln["target"])]
        in_top[int(ln["target"])] -= float(ln["n_journeys"])
    for i, ln in lk.iterrows():
        s, g, n = int(ln["source"]), int(ln["target"]), float(ln["n_journeys"])
        x0 = nodes.at[s, "step"] + width
        x1 = nodes.at[g, "step"]
        y0_top, y1_top = y_out[i], y_in[i]
        xm = (x0 + x1) / 2
        verts = [
            (x0, y0_top),
            (xm, y0_top),
            (xm, y1_top),
            (x1, y1_top),
            (x1, y1_top - n),
            (xm, y1_top - n),
            (xm, y0_top - n),
            (x0, y0_top - n),
            (x0, y0_top),
        ]
        codes = [
            Path.MOVETO,
            Path.CURVE4,
            Path.CURVE4,
            Path.CURVE4,
            Path.LINETO,
            Path.CURVE4,
            Path.CURVE4,
            Path.CURVE4,
            Path.CLOSEPOLY,
        ]
        band = PathPatch(Path(verts, codes), facecolor=colors[s], alpha=0.35, edgecolor="none", zorder=1)
        band.set_gid("sankey_link")
        ax.add_patch(band)
    for nid, (y0, h) in box.items():
        step = int(nodes.at[nid, "step"])
        rect = Rectangle((step, y0), width, h, facecolor=colors[nid], edgecolor="white", linewidth=0.6, zorder=2)
        rect.set_gid("sankey_node")
        ax.add_patch(rect)
        last = step == n_steps - 1
        label = f"{name(nodes.at[nid, 'touchpoint'])} ({format_number(nodes.at[nid, 'n_journeys'], 0, language)})"
        ax.text(
            step - 0.02 if last else step + width + 0.02,
            y0 + h / 2,
            label,
            ha="right" if last else "left",
            va="center",
            fontsize=7.5,
            color=INK,
            zorder=3,
            gid="sankey_label",
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    for step in range(n_steps):
        ax.text(
            step + width / 2,
            height_all * 1.03,
            text("step_n", language, n=step + 1),
            ha="center",
            va="bottom",
            fontsize=8.5,
            color="#555555",
        )
    ax.set_xlim(-0.1, n_steps - 1 + width + 0.1)
    ax.set_ylim(-0.02 * height_all, height_all * 1.08)
    ax.set_axis_off()
    ax.set_title(title if title is not None else text("sankey_title", language, top=top))
    add_footnote(ax, _share_note(links, language))
    return ax

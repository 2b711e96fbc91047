"""Sankey diagrams of the customer journeys, step by step: interactive (plotly) and static (matplotlib).

Both draw the same flows, computed once by :func:`sankey_flows` from a table of paths with
counts — :func:`cjm_lab.journeys.variants` (every variant) or, for large logs,
:func:`cjm_lab.journeys.path_parts` with ``n = max_steps`` (the first steps of each
journey, counted in the engine):

* a column per **step** (1st touchpoint, 2nd, …, up to ``max_steps``), a node per
  touchpoint at that step, a band per pair of consecutive steps as wide as the journeys
  that take it — over **all** journeys, not only the most frequent paths;
* at each step, touchpoints with a small share of that step's journeys are **merged into
  "other"** (what counts as small is the heuristic below), so every node is large enough to
  carry its label;
* labels are placed so that they **never overlap**: each column's labels are spread
  vertically (kept as close to their node as the space allows, with a leader line when
  moved) and cut with "…" when they would reach the next column; the interactive version
  keeps each node at least one label high.

The layout rule (a heuristic)
    A touchpoint gets a node of its own at a step when it holds at least ``min_share``
    (default 3 %) of the journeys at that step and is among the ``max_nodes`` (default 8)
    largest there; fewer journeys than ``min_journeys`` (default: the privacy minimum group
    size, 5) never get a node.  Journeys longer than ``max_steps`` (default 6) are cut after
    it.  The defaults were chosen on the help-desk ticket log (``data/real/
    helpdesk_ticket_journeys.csv.gz``: 3 % keeps the four to six statuses a reader follows
    and merges the long tail) and checked, unchanged, on the BPI Challenge 2012 loan log and
    the generated sample (tests: every label readable, none overlapping, the merged share
    stated in the footnote).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from cjm_lab._params import LANGUAGE, WHOLE_NUMBER, Integral, Interval, Real, renamed_args, validate_params
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots._common import (
    check_table,
    finite,
    get_ax,
    leading_columns,
    select_segment,
    styled,
)
from cjm_lab.plots.journeys import touchpoint_labeller
from cjm_lab.plots.theme import (
    INK,
    NEUTRAL,
    add_footnote,
    format_number,
    format_percent,
    stage_colors,
    text,
)
from cjm_lab.untrusted import PATH_SEPARATOR, escape_label, split_path
from cjm_lab.vocab import DEFAULT_STAGES

__all__ = ["sankey_flows", "sankey_static", "sankey_top_paths", "OTHER_NODE"]

#: What ``labels=`` takes (touchpoint names): a :class:`cjm_lab.labels.Labels`, a codebook, a
#: ``{touchpoint: text}`` dict or a function (see :func:`cjm_lab.plots.touchpoint_labeller`).
Labels = Mapping[Any, Any] | Callable[[Any], str] | str | os.PathLike[str] | None

_SEPARATOR = PATH_SEPARATOR
_OTHER_PATH = "(other)"
#: The touchpoint of a node that merges a step's small touchpoints (a touchpoint of that name is
#: written ``\(other touchpoints)``, see :func:`cjm_lab.untrusted.escape_label`).
OTHER_NODE = "(other touchpoints)"


#: The options of the flows, shared by sankey_flows and both drawings.
_FLOW: dict[str, list[Any]] = {
    "max_steps": [Interval(Integral, 2, None, closed="left")],
    "min_share": [Interval(Real, 0, 1, closed="left", note="a share: 0.03 is 3 %", example="0.03")],
    "max_nodes": [WHOLE_NUMBER],
    "min_journeys": [WHOLE_NUMBER, None],
    "top": [WHOLE_NUMBER, None],
}
#: ``variants_table`` before 0.2: the argument that takes another function's result is ``table``.
_RENAMED = {"variants_table": "table"}


@renamed_args(_RENAMED)
@validate_params({**_FLOW, "separator": [str]})
def sankey_flows(
    table: pd.DataFrame,
    *,
    max_steps: int = 6,
    min_share: float = 0.03,
    max_nodes: int = 8,
    min_journeys: int | None = None,
    top: int | None = None,
    segment: Any = None,
    separator: str = _SEPARATOR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Nodes and links of the step-by-step flows, shared by the interactive and the static Sankey.

    Parameters
    ----------
    table : DataFrame
        Paths with counts: :func:`cjm_lab.journeys.variants` (``path`` with ``" > "``
        between touchpoints, ``n_journeys``) or :func:`cjm_lab.journeys.path_parts`.  An
        ``"(other)"`` row (variants cut with ``top=``) cannot be drawn step by step; its
        journeys are counted in ``attrs["n_unplaced"]``.
    max_steps : int, default 6
        Steps drawn; longer journeys are cut after this step.
    min_share : float, default 0.03
        A touchpoint with less of a step's journeys is merged into "other" at that step.
    max_nodes : int, default 8
        At most this many touchpoints per step get a node of their own (then "other").
    min_journeys : int, optional
        Fewer journeys never get a node of their own; default the privacy minimum group
        size (:func:`cjm_lab.privacy.min_group_size`, 5 unless configured).
    top : int, optional
        Draw only the ``top`` most frequent paths (all paths by default).
    segment : value, optional
        The segment to draw when the table was computed ``by=`` a segment.
    separator : str, default " > "
        What joins the touchpoints of ``path``.  With the default, the paths are read with
        :func:`cjm_lab.untrusted.split_path` (a ``>`` inside a touchpoint name, written ``\>``
        by the journey analyses, stays in its name); another separator is split on as it is.

    Returns
    -------
    nodes : DataFrame
        ``node`` (0…), ``step`` (0-based), ``touchpoint`` (:data:`OTHER_NODE` for a merged
        node; a touchpoint whose name reads like that label is written as
        :func:`cjm_lab.untrusted.escape_label` writes it), ``n_journeys`` (journeys through
        it), ``n_ending`` (journeys that end there),
        ``n_merged`` (touchpoints merged into it; 1 for a touchpoint's own node) and
        ``position`` (0 = top of its column).
    links : DataFrame
        ``source``, ``target`` (node numbers), ``n_journeys``.  ``attrs`` holds
        ``n_journeys`` (all journeys placed), ``n_unplaced``, ``n_paths``, ``n_steps``,
        ``n_cut`` (journeys longer than ``max_steps``), ``pct_merged`` (share of node
        visits drawn as "other"), ``n_hidden_visits`` and ``n_hidden_links`` (an "other"
        node or a band of fewer than ``min_journeys`` journeys is not drawn: no group below
        the minimum size is shown) and ``pct`` (share of all journeys drawn, with ``pct`` in
        the table).

    Examples
    --------
    >>> v = pd.DataFrame({"path": ["Ad > Shop > Buy", "Ad > Shop", "Shop"], "n_journeys": [50, 30, 20]})
    >>> nodes, links = sankey_flows(v, min_journeys=1)
    >>> nodes[["step", "touchpoint", "n_journeys", "n_ending"]].values.tolist()
    [[0, 'Ad', 80, 0], [0, 'Shop', 20, 20], [1, 'Shop', 80, 30], [2, 'Buy', 50, 50]]
    >>> links.values.tolist()
    [[0, 2, 80], [2, 3, 50]]
    """
    from cjm_lab.privacy import min_group_size

    where = "sankey_flows()"
    check_table(table, {"path": "path", "n_journeys": "n_journeys"}, where=where, made_by="cjm_lab.journeys.variants()")
    min_journeys = min_group_size() if min_journeys is None else min_journeys
    segs = leading_columns(table, "path")
    t = select_segment(table, segs, segment, where)
    t = t.assign(_n=finite(t["n_journeys"]))
    is_other = t["path"].astype(str) == _OTHER_PATH
    unplaced = float(t.loc[is_other, "_n"].sum())
    t = t[~is_other & (t["_n"] > 0)].sort_values("_n", ascending=False, kind="stable")
    if top is not None:
        t = t.head(top)
    if t.empty:
        raise CJMDataError(
            f"{where}: the table has no path with journeys to draw.",
            column="path",
            fix="Pass the result of cjm_lab.journeys.variants() (or path_parts()).",
        )
    text_paths = t["path"].astype(str)
    paths = split_path(text_paths) if separator == PATH_SEPARATOR else text_paths.str.split(separator, regex=False)
    lengths = paths.str.len().to_numpy()
    steps = pd.DataFrame(
        {
            "variant": np.repeat(np.arange(len(t)), lengths),
            # a node's touchpoint is a label: a touchpoint called "(other touchpoints)" is no merged node
            "touchpoint": escape_label(pd.Series(np.concatenate(paths.to_numpy()), dtype=object)).to_numpy(),
            "n": np.repeat(t["_n"].to_numpy(), lengths),
        }
    )
    steps["step"] = steps.groupby("variant").cumcount()
    steps["last"] = steps["step"] == np.repeat(lengths - 1, lengths)
    n_cut = float(t["_n"].to_numpy()[lengths > max_steps].sum())
    steps = steps[steps["step"] < max_steps]
    # which touchpoints keep a node of their own at each step
    visits = steps.groupby(["step", "touchpoint"], sort=False)["n"].sum().reset_index()
    visits = visits.sort_values(["step", "n", "touchpoint"], ascending=[True, False, True], kind="stable")
    visits = visits.reset_index(drop=True)
    step_total = visits.groupby("step")["n"].transform("sum")
    rank = visits.groupby("step").cumcount()
    own = (visits["n"] >= min_share * step_total) & (visits["n"] >= min_journeys) & (rank < max_nodes)
    kept = set(zip(visits.loc[own, "step"], visits.loc[own, "touchpoint"]))
    key = pd.Series(list(zip(steps["step"], steps["touchpoint"])), index=steps.index)
    steps["node_tp"] = np.where(key.isin(kept), steps["touchpoint"], OTHER_NODE)
    merged = visits[~own].groupby("step").size()
    steps["ending"] = np.where(steps["last"], steps["n"], 0.0)
    node_tab = (
        steps.groupby(["step", "node_tp"], sort=False)
        .agg(n_journeys=("n", "sum"), n_ending=("ending", "sum"))
        .reset_index()
    )
    nxt = steps[["variant", "step", "node_tp", "n"]].copy()
    nxt["step"] -= 1
    pairs = steps[["variant", "step", "node_tp"]].merge(nxt, on=["variant", "step"], suffixes=("_s", "_t"))
    link_tab = pairs.groupby(["step", "node_tp_s", "node_tp_t"], sort=False)["n"].sum().reset_index()
    # order within a column: step 1 by size; later steps by where their journeys come from
    # (the weighted mean position of their sources: fewer crossing bands), "other" at the bottom
    node_tab["position"] = 0.0
    position: dict[tuple[int, str], float] = {}
    for step in sorted(node_tab["step"].unique()):  # a handful of steps
        part = node_tab[node_tab["step"] == step]
        if step == 0:
            score = -part["n_journeys"].to_numpy()
        else:
            inc = link_tab[link_tab["step"] == step - 1]
            src_pos = inc["node_tp_s"].map(lambda tp, s=step - 1: position.get((s, tp), 0.0)).to_numpy()
            weight = inc.assign(_w=src_pos * inc["n"]).groupby("node_tp_t")[["_w", "n"]].sum()
            bary = (weight["_w"] / weight["n"]).reindex(part["node_tp"]).fillna(1e6).to_numpy()
            score = bary - 1e-9 * part["n_journeys"].to_numpy()
        score = np.where(part["node_tp"].to_numpy() == OTHER_NODE, np.inf, score)
        order = np.argsort(score, kind="stable")
        for rank_i, idx in enumerate(part.index[order]):
            position[(step, node_tab.at[idx, "node_tp"])] = float(rank_i)
            node_tab.at[idx, "position"] = float(rank_i)
    # privacy: a merged node or a band of fewer journeys than the minimum group size is not drawn
    total = float(t["_n"].sum())
    small_nodes = node_tab["n_journeys"] < min_journeys
    hidden_visits = float(node_tab.loc[small_nodes, "n_journeys"].sum())
    node_tab = node_tab[~small_nodes]
    if node_tab.empty:
        raise CJMDataError(
            f"{where}: no touchpoint is visited by {min_journeys} journeys or more at any step "
            f"({_whole(total)} journeys in all), so every flow would show a group smaller than "
            "the minimum group size.",
            column="n_journeys",
            fix="Draw more journeys (a larger segment or period), or pass a smaller min_journeys where "
            "the data may show small groups.",
        )
    node_tab = node_tab.sort_values(["step", "position"], kind="stable").reset_index(drop=True)
    node_tab["position"] = node_tab.groupby("step").cumcount()
    number = {(s, tp): i for i, (s, tp) in enumerate(zip(node_tab["step"], node_tab["node_tp"]))}
    link_tab = link_tab[
        [
            ((s, a) in number and (s + 1, b) in number)
            for s, a, b in zip(link_tab["step"], link_tab["node_tp_s"], link_tab["node_tp_t"])
        ]
    ]
    hidden_links = int((link_tab["n"] < min_journeys).sum())
    link_tab = link_tab[link_tab["n"] >= min_journeys]
    nodes = pd.DataFrame(
        {
            "node": range(len(node_tab)),
            "step": node_tab["step"].astype(int),
            "touchpoint": node_tab["node_tp"].astype(str),
            "n_journeys": [_whole(v) for v in node_tab["n_journeys"]],
            "n_ending": [_whole(v) for v in node_tab["n_ending"]],
            "n_merged": [
                int(merged.get(s, 0)) if tp == OTHER_NODE else 1 for s, tp in zip(node_tab["step"], node_tab["node_tp"])
            ],
            "position": node_tab["position"].astype(int),
        }
    )
    links = (
        pd.DataFrame(
            {
                "source": [number[(s, a)] for s, a in zip(link_tab["step"], link_tab["node_tp_s"])],
                "target": [number[(s + 1, b)] for s, b in zip(link_tab["step"], link_tab["node_tp_t"])],
                "n_journeys": [_whole(v) for v in link_tab["n"]],
            },
            columns=["source", "target", "n_journeys"],
        )
        .sort_values(["source", "target"], kind="stable")
        .reset_index(drop=True)
    )
    other_visits = float(node_tab.loc[node_tab["node_tp"] == OTHER_NODE, "n_journeys"].sum())
    links.attrs = {
        "n_paths": len(t),
        "n_journeys": _whole(total),
        "n_unplaced": _whole(unplaced),
        "n_steps": int(nodes["step"].max()) + 1,
        "n_cut": _whole(n_cut),
        "pct_merged": 100 * other_visits / float(node_tab["n_journeys"].sum()),
        "n_hidden_visits": _whole(hidden_visits),
        "n_hidden_links": hidden_links,
        "min_journeys": min_journeys,
        "top": top,
    }
    if "pct" in t:
        links.attrs["pct"] = float(finite(t["pct"]).sum())
    elif unplaced:
        links.attrs["pct"] = 100 * total / (total + unplaced)
    return nodes, links


def _whole(value: float) -> Any:
    return int(value) if float(value).is_integer() else float(value)


def _node_colors(nodes: pd.DataFrame, touchpoints: pd.DataFrame | None) -> list[str]:
    if not (isinstance(touchpoints, pd.DataFrame) and {"touchpoint", "stage"} <= set(touchpoints.columns)):
        return [NEUTRAL if tp == OTHER_NODE else "#4477AA" for tp in nodes["touchpoint"]]
    stage_of = dict(zip(escape_label(touchpoints["touchpoint"].astype(str)), touchpoints["stage"].astype(str)))
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


def _names(nodes: pd.DataFrame, touchpoints: pd.DataFrame | None, language: str, labels: Labels) -> list[str]:
    name = touchpoint_labeller(touchpoints, language, labels)
    other = text("other", language)
    out = []
    for tp, merged in zip(nodes["touchpoint"], nodes["n_merged"]):
        if tp == OTHER_NODE:
            out.append(text("others_n", language, n=merged) if merged > 1 else other.capitalize())
        else:
            out.append(name(tp))
    return out


def _drawn_flows(
    table: pd.DataFrame,
    options: Mapping[str, Any],
    touchpoints: pd.DataFrame | None,
    language: str,
    labels: Labels,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str], int]:
    """What both drawings start from: the flows, the node names, the node colours and the number of steps."""
    nodes, links = sankey_flows(table, **options)
    return (
        nodes,
        links,
        _names(nodes, touchpoints, language, labels),
        _node_colors(nodes, touchpoints),
        int(nodes["step"].max()) + 1,
    )


def _title(links: pd.DataFrame, language: str) -> str:
    top = links.attrs.get("top")
    return text("sankey_title", language, top=top) if top else text("sankey_steps_title", language)


def _share_note(links: pd.DataFrame, language: str) -> str:
    pct = links.attrs.get("pct")
    share = (
        format_percent(pct, 1, language) if pct is not None else format_number(links.attrs["n_journeys"], 0, language)
    )
    if links.attrs.get("top"):
        return text("sankey_note", language, share=share)
    note = text(
        "sankey_steps_note",
        language,
        n=format_number(links.attrs["n_journeys"], 0, language),
        merged=format_percent(links.attrs["pct_merged"], 1, language),
    )
    if links.attrs.get("n_cut"):
        note += " " + text(
            "sankey_cut_note",
            language,
            n=format_number(links.attrs["n_cut"], 0, language),
            steps=links.attrs["n_steps"],
        )
    return note


def _layout(nodes: pd.DataFrame, links: pd.DataFrame, gap_share: float = 0.12) -> tuple[dict[int, tuple], float]:
    """Node boxes (bottom, height) stacked top-down per column, and the height of the tallest column."""
    per_step = nodes.groupby("step").size()
    totals = nodes.groupby("step")["n_journeys"].sum()
    tallest = float(totals.max())
    gap = gap_share * tallest / max(int(per_step.max()) - 1, 1) if per_step.max() > 1 else 0.0
    height_all = float(max(totals + gap * (per_step - 1)))
    box: dict[int, tuple[float, float]] = {}
    for _step, part in nodes.groupby("step", sort=True):  # a handful of steps
        y = height_all
        for nid, n in zip(part["node"], part["n_journeys"]):
            box[int(nid)] = (y - float(n), float(n))
            y -= float(n) + gap
    return box, height_all


def _spread(centres: np.ndarray, heights: np.ndarray, low: float, high: float) -> np.ndarray:
    """Label centres as close to ``centres`` as possible with no two overlapping, inside [low, high].

    ``centres`` are in top-to-bottom order (descending y); a few labels per column, so the
    passes below are cheap: push down what overlaps, then push up from the bottom bound, then
    share the remaining displacement so no label moves further than it must.
    """
    y = centres.astype(float).copy()
    n = len(y)
    if n == 0:
        return y
    half = heights / 2
    y = np.minimum(y, high - half)
    for _ in range(50):
        moved = False
        for i in range(1, n):  # downwards
            need = y[i - 1] - half[i - 1] - half[i]
            if y[i] > need:
                y[i] = need
                moved = True
        if y[-1] - half[-1] < low:  # the bottom label hits the floor: push the column up
            y[-1] = low + half[-1]
            for i in range(n - 2, -1, -1):
                need = y[i + 1] + half[i + 1] + half[i]
                if y[i] < need:
                    y[i] = need
                    moved = True
        if not moved:
            break
    return y


@renamed_args(_RENAMED)
@validate_params({**_FLOW, "language": [LANGUAGE], "fontsize": [Interval(Real, 0, None, closed="neither")]})
@styled
def sankey_static(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    segment: Any = None,
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    title: str | None = None,
    max_steps: int = 6,
    min_share: float = 0.03,
    max_nodes: int = 8,
    min_journeys: int | None = None,
    top: int | None = None,
    fontsize: float = 8.5,
) -> Any:
    """The step-by-step Sankey drawn with matplotlib (rectangles and Bézier bands), for PNG and slides.

    Parameters
    ----------
    table : DataFrame
        :func:`cjm_lab.journeys.variants` or :func:`cjm_lab.journeys.path_parts` (called
        ``variants_table`` before 0.2; the old name works until 0.3).
    ax : matplotlib Axes, optional
        Default: a new figure sized to the steps and nodes.
    language : {"en", "de"}, default "en"
    segment : value, optional
    touchpoints : DataFrame, optional
        The catalogue: stage colours and German names.
    labels : mapping or function, optional
    title : str, optional
    max_steps, min_share, max_nodes, min_journeys, top
        See :func:`sankey_flows`.
    fontsize : float, default 8.5
        Size of the node labels.

    Returns
    -------
    matplotlib.axes.Axes
        One rectangle per node (``gid`` ``"sankey_node"``), one band per link
        (``"sankey_link"``) and one label per node (``"sankey_label"``), none overlapping.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> v = pd.DataFrame({"path": ["Ad > Shop > Buy", "Ad > Shop", "Shop"], "n_journeys": [50, 30, 20]})
    >>> ax = sankey_static(v)
    >>> sum(p.get_gid() == "sankey_link" for p in ax.patches)
    2
    >>> plt.close("all")
    """
    options = {
        "max_steps": max_steps,
        "min_share": min_share,
        "max_nodes": max_nodes,
        "min_journeys": min_journeys,
        "top": top,
        "segment": segment,
    }
    nodes, links, names, colors, n_steps = _drawn_flows(table, options, touchpoints, language, labels)
    per_step = nodes.groupby("step").size()
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(max(8.0, 2.3 * n_steps + 1.2), max(4.8, 0.5 * int(per_step.max()) + 2.2)))
        ax = fig.add_axes((0.01, 0.08, 0.98, 0.82))
    else:
        _, ax = get_ax(ax, (8.0, 5.0))
    fig = ax.get_figure()
    box, height_all = _layout(nodes, links)
    width = 0.06
    x_lo, x_hi = -0.05, n_steps - 1 + 0.75  # every column's labels right of it: the last one needs room too
    y_lo, y_hi = -0.02 * height_all, height_all * 1.07
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    # bands: each leaves its source and enters its target in the vertical order of the other end
    lk = links.assign(
        _src_y=[box[int(v)][0] for v in links["source"]], _tgt_y=[box[int(v)][0] for v in links["target"]]
    )
    out_top = {nid: b[0] + b[1] for nid, b in box.items()}
    in_top = dict(out_top)
    y_out: dict[int, float] = {}
    y_in: dict[int, float] = {}
    for i, src, n in lk.sort_values(["source", "_tgt_y"], ascending=[True, False], kind="stable")[
        ["source", "n_journeys"]
    ].itertuples():
        y_out[i] = out_top[int(src)]
        out_top[int(src)] -= float(n)
    for i, tgt, n in lk.sort_values(["target", "_src_y"], ascending=[True, False], kind="stable")[
        ["target", "n_journeys"]
    ].itertuples():
        y_in[i] = in_top[int(tgt)]
        in_top[int(tgt)] -= float(n)
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
    step_of = nodes["step"].to_numpy()
    for i, s, g, n in lk[["source", "target", "n_journeys"]].itertuples():  # one band per link
        x0, x1 = step_of[int(s)] + width, step_of[int(g)]
        y0, y1, n = y_out[i], y_in[i], float(n)
        xm = (x0 + x1) / 2
        verts = [
            (x0, y0),
            (xm, y0),
            (xm, y1),
            (x1, y1),
            (x1, y1 - n),
            (xm, y1 - n),
            (xm, y0 - n),
            (x0, y0 - n),
            (x0, y0),
        ]
        band = PathPatch(Path(verts, codes), facecolor=colors[int(s)], alpha=0.32, edgecolor="none", zorder=1)
        band.set_gid("sankey_link")
        ax.add_patch(band)
    for nid, (y0, h) in box.items():
        rect = Rectangle(
            (step_of[nid], y0), width, h, facecolor=colors[nid], edgecolor="white", linewidth=0.6, zorder=2
        )
        rect.set_gid("sankey_node")
        ax.add_patch(rect)
    # labels: measured, cut to the column's width, spread so that none overlaps
    renderer = fig.canvas.get_renderer()
    ax_box = ax.get_window_extent(renderer)
    px_per_x = ax_box.width / (x_hi - x_lo)
    px_per_y = ax_box.height / (y_hi - y_lo)
    room_px = (1 - width - 0.06) * px_per_x  # from a node's edge to the next column
    line_px = fontsize * fig.dpi / 72 * 1.45
    for step in range(n_steps):
        part = nodes[nodes["step"] == step]
        texts = []
        for nid in part["node"]:
            label = f"{names[nid]} ({format_number(nodes.at[nid, 'n_journeys'], 0, language)})"
            artist = ax.text(
                0,
                0,
                label,
                fontsize=fontsize,
                color=INK,
                zorder=4,
                gid="sankey_label",
                ha="left",
                va="center",
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
            )
            _fit(artist, label, room_px if step < n_steps - 1 else (x_hi - step - width - 0.03) * px_per_x, renderer)
            texts.append(artist)
        heights = np.array([t.get_window_extent(renderer).height + 0.25 * line_px for t in texts]) / px_per_y
        centres = np.array([box[int(nid)][0] + box[int(nid)][1] / 2 for nid in part["node"]])
        placed = _spread(centres, heights, y_lo, y_hi - 0.045 * height_all)
        x_text = step + width + 0.015
        for artist, y, c, nid in zip(texts, placed, centres, part["node"]):
            artist.set_position((x_text, y))
            if abs(y - c) > 0.5 * box[int(nid)][1]:  # moved off its node: a leader line back to it
                ax.plot([step + width, x_text], [c, y], color="#777777", linewidth=0.6, zorder=3, gid="sankey_leader")
    for step in range(n_steps):
        ax.text(
            step + width / 2,
            height_all * 1.035,
            text("step_n", language, n=step + 1),
            ha="center",
            va="bottom",
            fontsize=9,
            color="#555555",
        )
    ax.set_axis_off()
    ax.set_title(title if title is not None else _title(links, language))
    add_footnote(ax, _share_note(links, language))
    return ax


def _fit(artist: Any, label: str, room_px: float, renderer: Any) -> None:
    """Cut a label with "…" (keeping its count) until it fits ``room_px``."""
    if artist.get_window_extent(renderer).width <= room_px:
        return
    name, _, count = label.rpartition(" (")
    count = " (" + count if name else ""
    name = name or label
    keep = len(name)
    while keep > 3:
        keep = max(3, int(keep * 0.85))
        artist.set_text(name[:keep].rstrip() + "…" + count)
        if artist.get_window_extent(renderer).width <= room_px:
            return


@renamed_args(_RENAMED)
@validate_params(
    {
        **_FLOW,
        "language": [LANGUAGE],
        "height": [WHOLE_NUMBER, None],
        "label_chars": [WHOLE_NUMBER, None],
        "min_width": [WHOLE_NUMBER],
    }
)
def sankey_top_paths(
    table: pd.DataFrame,
    *,
    language: str = "en",
    segment: Any = None,
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    title: str | None = None,
    height: int | None = None,
    max_steps: int = 6,
    min_share: float = 0.03,
    max_nodes: int = 8,
    min_journeys: int | None = None,
    top: int | None = None,
    label_chars: int | None = None,
    min_width: int = 900,
) -> Any:
    """The interactive step-by-step Sankey (a plotly Figure), the same flows as :func:`sankey_static`.

    Parameters
    ----------
    table : DataFrame
        :func:`cjm_lab.journeys.variants` or :func:`cjm_lab.journeys.path_parts` (called
        ``variants_table`` before 0.2; the old name works until 0.3).
    language : {"en", "de"}, default "en"
    segment : value, optional
    touchpoints : DataFrame, optional
        The catalogue: nodes take their stage colour and, in German, ``label_de``.
    labels : mapping or function, optional
    title : str, optional
    height : int, optional
        Pixels; default tall enough that the smallest node is one label high.
    max_steps, min_share, max_nodes, min_journeys, top
        See :func:`sankey_flows`.
    label_chars : int, optional
        Longer node names are cut with "…" (the full name and counts are in the hover
        text); default what fits between two columns when the figure is ``min_width`` wide.
    min_width : int, default 900
        The narrowest width (pixels) the figure is expected at (a report page: about 980).

    Returns
    -------
    plotly.graph_objects.Figure
        One Sankey trace with fixed node positions (those of the static drawing); its last two
        nodes and its last link are invisible (they keep the last column's labels on the right).  Write it
        into a report with ``fig.to_html(full_html=False, include_plotlyjs=True)`` once and
        ``include_plotlyjs=False`` after, so plotly.js is embedded once and the page opens offline.

    Examples
    --------
    >>> v = pd.DataFrame({"path": ["Ad > Shop > Buy", "Ad > Shop", "Shop"], "n_journeys": [50, 30, 20]})
    >>> fig = sankey_top_paths(v, language="de", min_journeys=1)
    >>> list(fig.data[0].link.value)[:-1], fig.layout.title.text
    ([80, 50], 'Kundenreisen Schritt für Schritt')
    """
    try:
        import plotly.graph_objects as go
    except ImportError as err:  # pragma: no cover - plotly is installed with cjm-lab
        raise CJMConfigError(
            "sankey_top_paths() needs plotly: `pip install plotly`, or draw the static version with sankey_static()."
        ) from err
    options = {
        "max_steps": max_steps,
        "min_share": min_share,
        "max_nodes": max_nodes,
        "min_journeys": min_journeys,
        "top": top,
        "segment": segment,
    }
    nodes, links, names, colors, n_steps = _drawn_flows(table, options, touchpoints, language, labels)
    gap_share = 0.3
    box, height_all = _layout(nodes, links, gap_share)
    per_step = nodes.groupby("step").size()
    label_px, margin = 18, {"l": 10, "r": 10, "t": 56, "b": 56}
    # plotly centres each label on its node; nodes of a column are a gap apart, so neighbouring labels
    # never overlap when the gap is a label high: plot height ≥ label height × height / gap
    gap = gap_share * float(nodes.groupby("step")["n_journeys"].sum().max()) / max(int(per_step.max()) - 1, 1)
    plot_px = max(380.0, label_px * height_all / gap) if per_step.max() > 1 else 380.0
    if height is not None:
        plot_px = float(height) - margin["t"] - margin["b"]
    fig_height = int(plot_px + margin["t"] + margin["b"])
    pad_px = gap * plot_px / height_all
    # columns from 0 to 0.86; two invisible nodes joined by an invisible band at the right edge keep
    # plotly from turning the last column's labels to the left, over the labels of the column before it
    span = 0.86
    x = [0.001 + span * s / max(n_steps - 1, 1) for s in nodes["step"]] + [0.95, 0.999]
    y = [min(max(1 - (box[int(n)][0] + box[int(n)][1] / 2) / height_all, 0.001), 0.999) for n in nodes["node"]]
    y += [0.999, 0.999]
    ghost = [len(nodes), len(nodes) + 1]
    if label_chars is None:  # a label fits between its column and the next at min_width pixels
        column_px = span / max(n_steps - 1, 1) * (min_width - margin["l"] - margin["r"])
        label_chars = max(8, int((column_px - 14 - 10) / (0.6 * 11)))
    unit = text("journeys", language)
    short = [n if len(n) <= label_chars else n[: label_chars - 1].rstrip() + "…" for n in names] + ["", ""]
    customdata = [
        f"{n}<br>{text('step_n', language, n=s + 1)} · {format_number(v, 0, language)} {unit}"
        for n, s, v in zip(names, nodes["step"], nodes["n_journeys"])
    ] + ["", ""]
    link_text = [f"{format_number(n, 0, language)} {unit}" for n in links["n_journeys"]]
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            valueformat=",d",
            node={
                "label": short,
                "color": [*colors, "rgba(0,0,0,0)", "rgba(0,0,0,0)"],
                "x": x,
                "y": y,
                "pad": pad_px,
                "thickness": 14,
                "line": {"color": "white", "width": 0.5},
                "customdata": customdata,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
            link={
                "source": [*links["source"].tolist(), ghost[0]],
                "target": [*links["target"].tolist(), ghost[1]],
                "value": [*links["n_journeys"].tolist(), 1e-9 * float(links["n_journeys"].max())],
                "customdata": [*link_text, ""],
                "color": [*(_rgba(colors[s], 0.32) for s in links["source"]), "rgba(0,0,0,0)"],
                "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>",
            },
        )
    )
    fig.update_layout(
        title={"text": title if title is not None else _title(links, language), "x": 0.01, "xanchor": "left"},
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 11, "color": INK},
        separators=",." if language == "de" else ".,",
        height=fig_height,
        margin=margin,
        annotations=[
            {
                "text": _share_note(links, language),
                "x": 0,
                "y": -40 / fig_height,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 10, "color": "#555555"},
            }
        ],
    )
    return fig

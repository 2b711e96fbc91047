"""Charts of journey results: funnel, transitions, path lengths, time to convert, pain points, attribution.

Each function takes the tidy result of a :mod:`cjm_lab.journeys` function, draws on an
optional ``ax=`` and returns the Axes.  Touchpoint names can be shown in German from
the catalogue's ``label_de`` column (``touchpoints=``) or any ``labels=`` mapping;
stage and department keys are translated with :mod:`cjm_lab.vocab`.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from cjm_lab._params import BOOLEAN, CONFIDENCE, LANGUAGE, WHOLE_NUMBER, StrOptions, validate_params
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.labels import labeller, plain_code
from cjm_lab.plots._common import (
    category_order,
    check_table,
    err_bars,
    finite,
    first_present,
    get_ax,
    hatch,
    label_of,
    leading_columns,
    level_text,
    mark_median,
    remember_chart,
    segment_styles,
    select_segment,
    styled,
)
from cjm_lab.plots.theme import (
    DEPARTMENT_COLORS,
    DEPARTMENT_HATCHES,
    HIGHLIGHT,
    INK,
    MODEL_COLORS,
    MODEL_HATCHES,
    NEUTRAL,
    SEQUENTIAL_CMAP,
    add_footnote,
    department_label,
    format_number,
    format_percent,
    model_label,
    number_formatter,
    text,
)
from cjm_lab.untrusted import unescape_label
from cjm_lab.vocab import DEFAULT_STAGES, DEPARTMENTS, PAIN_COMPONENT_LABELS, STAGE_LABELS

__all__ = [
    "plot_attribution",
    "plot_funnel",
    "plot_pain_points",
    "plot_path_lengths",
    "plot_time_to_convert",
    "plot_transitions",
    "touchpoint_labeller",
]

#: What ``labels=`` takes: a :class:`cjm_lab.labels.Labels`, a codebook (path or dict), a
#: ``{key: text}`` dict or a function (normalised once by :func:`cjm_lab.labels.labeller`).
Labels = Mapping[Any, Any] | Callable[[Any], str] | str | os.PathLike[str] | None

_BAR = "#4477AA"
_START, _EXIT = "(start)", "(exit)"


@validate_params({"language": [LANGUAGE]})
def touchpoint_labeller(
    touchpoints: pd.DataFrame | None = None,
    language: str = "en",
    labels: Labels = None,
) -> Callable[[Any], str]:
    r"""A function that turns a touchpoint (or stage) key into its display name.

    Order of precedence: ``labels`` (a :class:`~cjm_lab.labels.Labels` with ``touchpoints=``, a
    codebook, a ``{touchpoint: name}`` dict or a function); the catalogue's ``label_de``
    (German) or ``label_en`` column; the stage labels of :mod:`cjm_lab.vocab` for stage
    keys; ``"(start)"``/``"(exit)"`` as Start/Exit; else the key itself (a touchpoint written
    ``\(exit)`` beside those labels, see :func:`cjm_lab.untrusted.escape_label`, by its name).

    Examples
    --------
    >>> cat = pd.DataFrame({"touchpoint": ["Cart"], "stage": ["purchase"], "label_de": ["Warenkorb"]})
    >>> f = touchpoint_labeller(cat, "de")
    >>> f("Cart"), f("experience"), f("(exit)")
    ('Warenkorb', 'Nutzung & Service', 'Ausstieg')
    """
    catalogue: dict[str, str] = {}
    if isinstance(touchpoints, pd.DataFrame) and "touchpoint" in touchpoints:
        col = f"label_{language}"
        if col in touchpoints:
            named = touchpoints[["touchpoint", col]].dropna()
            catalogue = dict(zip(named["touchpoint"].astype(str), named[col].astype(str)))

    given = labeller(labels, kind="touchpoint", language=language)
    own_function = callable(labels) and not isinstance(labels, Mapping)

    def _label(value: Any) -> str:
        if given is not None:
            shown = given(value)
            if own_function or shown != plain_code(value):
                return str(shown)
        key = str(value)
        if key == _START:
            return text("start", language)
        if key == _EXIT:
            return text("exit", language)
        # a touchpoint whose name reads like a label comes written with a backslash (\(exit))
        name = unescape_label(key)
        if name in catalogue:
            return catalogue[name]
        if name in STAGE_LABELS[language]:
            return STAGE_LABELS[language][name]
        return name

    return _label


def _wrap(name: str, width: int = 16) -> str:
    return textwrap.fill(name, width, break_long_words=False, break_on_hyphens=True)


@validate_params({"language": [LANGUAGE], "confidence": [CONFIDENCE]})
@styled
def plot_funnel(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    segment_labels: Labels = None,
    title: str | None = None,
    confidence: float = 0.95,
) -> Any:
    """A funnel: share reaching each step with its interval, and the drop-off since the step before.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.journeys.funnel` (``step_no``, ``step``,
        ``n_reached``, ``pct_of_start``, ``ci_low``, ``ci_high``, ``drop_off_pct``; with
        ``by=`` the segment columns first — then one bar per segment and step, in persona
        colours).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    touchpoints : DataFrame, optional
        The catalogue, for German step names (``label_de``).
    labels : mapping or function, optional
        Display names of the steps.
    segment_labels : Labels, codebook, dict or function, optional
        Display names of the segments.
    title : str, optional
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.axes.Axes
        Bars with ``gid`` ``"step"`` (one per row) and, without segments, hatched red bars
        with ``gid`` ``"drop"`` for the share lost since the step before, labelled with the
        drop-off.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"step_no": [1, 2, 3], "step": ["Website", "Cart", "Checkout"],
    ...                   "n_reached": [1000, 600, 450], "pct_of_start": [100.0, 60.0, 45.0],
    ...                   "ci_low": [99.6, 57.0, 42.0], "ci_high": [100.0, 63.0, 48.1],
    ...                   "drop_off_pct": [0.0, 40.0, 25.0]})
    >>> ax = plot_funnel(t, language="de")
    >>> sorted({p.get_gid() for p in ax.patches})
    ['drop', 'step']
    >>> plt.close("all")
    """
    where = "plot_funnel()"
    check_table(
        table,
        {"step": "step", "n_reached": "n_reached", "pct_of_start": "pct_of_start"},
        where=where,
        made_by="cjm_lab.journeys.funnel()",
    )
    name = touchpoint_labeller(touchpoints, language, labels)
    segs = leading_columns(table, "step_no" if "step_no" in table else "step")
    steps = list(dict.fromkeys(table["step"].astype(str)))
    x = np.arange(len(steps))
    _, ax = get_ax(ax, (max(6.0, 1.5 * len(steps) + 2.0), 4.8))
    has_ci = "ci_low" in table and "ci_high" in table
    segment_labels = labeller(segment_labels, column=segs[0] if len(segs) == 1 else None, language=language)
    if segs:
        key, groups, colors, _ = segment_styles(table, segs)
        width = 0.8 / len(groups)
        for g_i, g in enumerate(groups):
            part = table[(key == g).to_numpy()]
            pos = np.array([steps.index(str(s)) for s in part["step"]]) - 0.4 + width * (g_i + 0.5)
            v = finite(part["pct_of_start"])
            bars = ax.bar(pos, v, width=width * 0.92, color=colors[g], label=label_of(g, segment_labels), zorder=2)
            for b in bars:
                b.set_gid("step")
            if has_ci:
                ax.errorbar(
                    pos,
                    v,
                    yerr=err_bars(v, finite(part["ci_low"]), finite(part["ci_high"])),
                    fmt="none",
                    ecolor=INK,
                    elinewidth=0.9,
                    capsize=2,
                    zorder=3,
                )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        v = finite(table["pct_of_start"])
        n = finite(table["n_reached"])
        bars = ax.bar(x, v, width=0.62, color=_BAR, zorder=2)
        for b in bars:
            b.set_gid("step")
        if has_ci:
            lo, hi = finite(table["ci_low"]), finite(table["ci_high"])
            ax.errorbar(x, v, yerr=err_bars(v, lo, hi), fmt="none", ecolor=INK, elinewidth=1.1, capsize=3, zorder=3)
        prev = np.r_[np.nan, v[:-1]]
        drop = finite(table["drop_off_pct"]) if "drop_off_pct" in table else np.r_[np.nan, 100 * (1 - v[1:] / v[:-1])]
        for i in range(1, len(v)):
            gap = prev[i] - v[i]
            if np.isfinite(gap) and gap > 0:
                (ghost,) = ax.bar(
                    x[i],
                    gap,
                    bottom=v[i],
                    width=0.62,
                    color=HIGHLIGHT,
                    alpha=0.22,
                    zorder=1,
                    edgecolor=HIGHLIGHT,
                    linewidth=0.8,
                )
                ghost.set_gid("drop")
                hatch(ghost, "////", HIGHLIGHT)
                ax.annotate(
                    f"▼ {format_percent(drop[i], 1, language)}",
                    (x[i], prev[i]),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8.5,
                    color=HIGHLIGHT,
                    fontweight="bold",
                    gid="drop_off",
                )
        for xi, vi, ni in zip(x, v, n):
            ax.text(
                xi,
                vi / 2,
                f"{format_percent(vi, 1, language)}\n(n = {format_number(ni, 0, language)})",
                ha="center",
                va="center",
                fontsize=8.5,
                color="white",
                fontweight="bold",
                gid="value",
            )
    ax.set_xticks(x, [_wrap(name(s)) for s in steps])
    ax.set_ylim(0, 112)
    ax.yaxis.set_major_formatter(number_formatter(0, language, percent=True))
    ax.set_ylabel(text("reached_axis", language))
    ax.set_xlabel(text("step", language))
    ax.grid(axis="x", visible=False)
    ax.set_title(title if title is not None else text("funnel_title", language))
    if not segs:
        add_footnote(ax, text("funnel_note", language, level=level_text(confidence, language)))
    remember_chart(ax, "funnel", category="step", series=["pct_of_start"], pivot=segs[0] if len(segs) == 1 else None)
    return ax


def _node_order(
    nodes: list[str], touchpoints: pd.DataFrame | None, order: Sequence[str] | None, weight: Mapping[str, float]
) -> list[str]:
    if order is not None:
        rest = [n for n in nodes if n not in set(order)]
        return [n for n in order if n in set(nodes)] + rest
    if isinstance(touchpoints, pd.DataFrame) and "touchpoint" in touchpoints:
        cat = [str(t) for t in touchpoints["touchpoint"]]
        if "stage" in touchpoints:
            stages = (
                category_order(touchpoints["stage"])
                if isinstance(touchpoints["stage"].dtype, pd.CategoricalDtype)
                else [s for s in DEFAULT_STAGES if s in set(touchpoints["stage"])]
                or list(dict.fromkeys(touchpoints["stage"]))
            )
            rank = {s: i for i, s in enumerate(stages)}
            pos = {t: i for i, t in enumerate(cat)}
            stage_of = dict(zip(cat, touchpoints["stage"]))
            cat = sorted(cat, key=lambda t: (rank.get(stage_of[t], 99), pos[t]))
            if set(nodes) <= set(stages):
                cat = stages
        known = [n for n in cat if n in set(nodes)]
        return known + sorted((n for n in nodes if n not in set(known)), key=lambda n: -weight.get(n, 0))
    if set(nodes) <= set(DEFAULT_STAGES):
        return [s for s in DEFAULT_STAGES if s in set(nodes)]
    return sorted(nodes, key=lambda n: (-weight.get(n, 0), n))


@validate_params({"language": [LANGUAGE], "start_exit": [BOOLEAN], "annotate": [BOOLEAN, None]})
@styled
def plot_transitions(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    start_exit: bool = True,
    segment: Any = None,
    order: Sequence[str] | None = None,
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    annotate: bool | None = None,
    title: str | None = None,
) -> Any:
    """Transition probabilities as a heatmap: rows "from", columns "to".

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.journeys.transitions` (``source``, ``target``,
        ``probability``; rows from ``"(start)"`` and to ``"(exit)"``).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    start_exit : bool, default True
        Show the start row and the exit column.
    segment : value or tuple, optional
        The segment to draw when the table was computed ``by=`` a segment.
    order : list of str, optional
        Node order (default: catalogue order by stage, the CJM stage order for stage
        transitions, else by traffic).
    touchpoints : DataFrame, optional
        The catalogue (node order and German names).
    labels : mapping or function, optional
    annotate : bool, optional
        Write the probabilities into the cells (default: up to 20 × 20 cells).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        A heatmap with one cell per source × target (empty where no transition happens).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"source": ["(start)", "Ad", "Shop", "Shop"], "target": ["Ad", "Shop", "(exit)", "Ad"],
    ...                   "n": [2, 2, 1, 1], "probability": [1.0, 1.0, 0.5, 0.5]})
    >>> ax = plot_transitions(t, language="de")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Start', 'Ad', 'Shop']
    >>> plt.close("all")
    """
    where = "plot_transitions()"
    check_table(
        table,
        {"source": "source", "target": "target", "probability": "probability"},
        where=where,
        made_by="cjm_lab.journeys.transitions()",
    )
    segs = leading_columns(table, "source")
    t = select_segment(table, segs, segment, where)
    src, tgt = t["source"].astype(str), t["target"].astype(str)
    p = finite(t["probability"])
    weight = pd.Series(finite(t["n"]) if "n" in t else p, index=src.to_numpy()).groupby(level=0).sum().to_dict()
    nodes = [n for n in dict.fromkeys(list(src) + list(tgt)) if n not in (_START, _EXIT)]
    nodes = _node_order(nodes, touchpoints, order, weight)
    rows = ([_START] if start_exit and (src == _START).any() else []) + nodes
    cols = nodes + ([_EXIT] if start_exit and (tgt == _EXIT).any() else [])
    grid = pd.DataFrame(np.nan, index=rows, columns=cols)
    keep = src.isin(rows).to_numpy() & tgt.isin(cols).to_numpy()
    for s, g, v in zip(src[keep], tgt[keep], p[keep]):
        grid.at[s, g] = v * 100
    name = touchpoint_labeller(touchpoints, language, labels)
    annotate = annotate if annotate is not None else max(grid.shape) <= 20
    annot = np.where(
        np.isfinite(grid.to_numpy()),
        np.vectorize(lambda v: format_percent(v, 0, language) if np.isfinite(v) else "")(grid.to_numpy()),
        "",
    )
    _, ax = get_ax(ax, (0.62 * len(cols) + 3.5, 0.5 * len(rows) + 2.0))
    frame = grid.copy().astype(float)
    frame.index = [name(r) for r in rows]
    frame.columns = [name(c) for c in cols]
    sns.heatmap(
        frame,
        ax=ax,
        cmap=SEQUENTIAL_CMAP,
        vmin=0,
        vmax=100,
        annot=annot if annotate else False,
        fmt="",
        linewidths=0.5,
        linecolor="#EEEEEE",
        annot_kws={"fontsize": 7.5},
        cbar_kws={
            "format": number_formatter(0, language, percent=True),
            "shrink": 0.8,
            "label": text("probability", language),
        },
    )
    ax.set_facecolor("white")
    ax.tick_params(axis="x", labelrotation=90, bottom=False)
    ax.tick_params(axis="y", labelrotation=0, left=False)
    ax.set_xlabel(text("to", language))
    ax.set_ylabel(text("from", language))
    ax.grid(False)
    ax.set_title(title if title is not None else text("transitions_title", language))
    return ax


@validate_params({"language": [LANGUAGE], "max_length": [WHOLE_NUMBER, None]})
@styled
def plot_path_lengths(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    max_length: int | None = None,
    segment_labels: Labels = None,
    title: str | None = None,
) -> Any:
    """The distribution of journey lengths (share of journeys per number of events), median marked.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.journeys.path_lengths` (``length``, ``n_journeys``,
        ``pct``; with ``by=`` the segment columns first — then one line per segment).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    max_length : int, optional
        Pool longer journeys into one last bar (``"31+"``).
    segment_labels : Labels, codebook, dict or function, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar per length (``gid`` ``"length"``) and a dashed median line; with segments
        one line per segment.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"length": [1, 2, 3, 5], "n_journeys": [10, 30, 40, 20], "pct": [10.0, 30.0, 40.0, 20.0]})
    >>> ax = plot_path_lengths(t)
    >>> len([p for p in ax.patches if p.get_gid() == "length"])
    4
    >>> plt.close("all")
    """
    where = "plot_path_lengths()"
    check_table(
        table, {"length": "length", "n_journeys": "n_journeys"}, where=where, made_by="cjm_lab.journeys.path_lengths()"
    )
    segs = leading_columns(table, "length")
    _, ax = get_ax(ax, (8.0, 4.2))

    def _prepared(part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
        length, n = finite(part["length"]), finite(part["n_journeys"])
        order = np.argsort(length, kind="stable")
        length, n = length[order], n[order]
        pct = 100 * n / n.sum() if n.sum() > 0 else n
        ticks = [format_number(v, 0, language) for v in length]
        if max_length is not None and (length > max_length).any():
            tail = pct[length > max_length].sum()
            keep = length <= max_length
            length = np.r_[length[keep], max_length + 1]
            pct = np.r_[pct[keep], tail]
            ticks = [format_number(v, 0, language) for v in length[:-1]] + [
                f"{format_number(max_length + 1, 0, language)}+"
            ]
        return length, pct, ticks

    def _median(length: np.ndarray, pct: np.ndarray) -> float:
        cum = np.cumsum(pct)
        return float(length[np.searchsorted(cum, 50 - 1e-9)])

    segment_labels = labeller(segment_labels, column=segs[0] if len(segs) == 1 else None, language=language)
    if segs:
        key, groups, colors, markers = segment_styles(table, segs)
        for g in groups:
            length, pct, _ = _prepared(table[(key == g).to_numpy()])
            ax.plot(
                length,
                pct,
                color=colors[g],
                marker=markers[g],
                markersize=4,
                label=label_of(g, segment_labels),
                gid="segment",
            )
        ax.legend(loc="upper right")
    else:
        length, pct, ticks = _prepared(table)
        bars = ax.bar(length, pct, width=0.8, color=_BAR, zorder=2)
        for b in bars:
            b.set_gid("length")
        med = _median(length, pct)
        mark_median(ax, med, language, decimals=0, linewidth=1.4, zorder=3)
        if max_length is not None and ticks[-1].endswith("+"):
            regular = [
                v
                for v in MaxNLocator(nbins=8, integer=True).tick_values(length[0], max_length)
                if length[0] <= v <= max_length - 0.15 * max_length
            ]
            ax.set_xticks([*regular, length[-1]], [format_number(v, 0, language) for v in regular] + [ticks[-1]])
    if not (max_length is not None and not segs and ticks[-1].endswith("+")):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        ax.xaxis.set_major_formatter(number_formatter(0, language))
    ax.yaxis.set_major_formatter(number_formatter(None, language, percent=True))
    ax.set_xlabel(text("length", language))
    ax.set_ylabel(text("journeys_pct", language))
    ax.grid(axis="x", visible=False)
    ax.set_title(title if title is not None else text("path_lengths_title", language))
    return ax


_TIME_COLS = ("days", "time", "duration_days", "hours", "t")
_CONV_COLS = (
    "cum_conversion",
    "cumulative_conversion",
    "converted_pct",
    "pct_converted",
    "conversion",
    "incidence",
    "survival",
)


def _plateau(key: pd.Series, t: np.ndarray, v: np.ndarray, groups: list[Any]) -> float:
    """1.5 × the time by which every curve has reached 98 % of its final value."""
    ends = []
    for g in groups:
        m = (key == g).to_numpy() & np.isfinite(v) & np.isfinite(t)
        if not m.any():
            continue
        order = np.argsort(t[m], kind="stable")
        tt, vv = t[m][order], v[m][order]
        final = vv[-1]
        if final <= 0:
            ends.append(tt[-1])
            continue
        hit = np.flatnonzero(vv >= 0.98 * final)
        ends.append(tt[hit[0]] if len(hit) else tt[-1])
    if not ends:
        return np.nan
    t_max = float(np.nanmax(t))
    return float(min(t_max, 1.5 * max(ends))) if max(ends) > 0 else t_max


@validate_params({"language": [LANGUAGE], "confidence": [CONFIDENCE]})
@styled
def plot_time_to_convert(
    result: Any,
    *,
    ax: Any = None,
    language: str = "en",
    time: str | None = None,
    value: str | None = None,
    max_time: float | None = None,
    segment_labels: Labels = None,
    time_label: str | None = None,
    title: str | None = None,
    confidence: float = 0.95,
) -> Any:
    """Time to convert: the cumulative share converted over time (Kaplan–Meier) with its band.

    Parameters
    ----------
    result : SurvivalResult or DataFrame
        The result of :func:`cjm_lab.journeys.time_to_convert` (or its ``curve``): segment
        columns, ``days``, ``cum_conversion`` (0–1) and ``ci_low``/``ci_high``.  Also
        accepted: a ``survival`` curve (drawn as 1 − survival, e.g. from
        :func:`~cjm_lab.journeys.retention.time_to_repeat`) or an ``incidence`` curve
        with an ``outcome`` column (one line per outcome).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    time, value : str, optional
        The time and curve columns (default: found by name).
    max_time : float, optional
        Right end of the time axis.  Default: where the curves level off (1.5 × the
        time by which every curve has reached 98 % of its final value), so that a long
        flat tail does not squeeze the rise; pass ``np.inf`` for the whole follow-up.
    segment_labels : Labels, codebook, dict or function, optional
    time_label : str, optional
        Axis label of the time (default: days since the journey started).
    title : str, optional
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.axes.Axes
        One step line per segment (``gid`` ``"curve"``), each with its band; the median
        time is marked when the result's summary gives it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> curve = pd.DataFrame({"days": [0.0, 1.0, 3.0], "cum_conversion": [0.0, 0.4, 0.6],
    ...                       "ci_low": [0.0, 0.3, 0.5], "ci_high": [0.0, 0.5, 0.7]})
    >>> ax = plot_time_to_convert(curve, language="de")
    >>> ax.get_ylabel()
    'Konvertiert (kumuliert, %)'
    >>> plt.close("all")
    """
    where = "plot_time_to_convert()"
    summary = getattr(result, "summary", None)
    table = getattr(result, "curve", result)
    tcol = time or (first_present(table, _TIME_COLS) if isinstance(table, pd.DataFrame) else None)
    vcol = value or (first_present(table, _CONV_COLS) if isinstance(table, pd.DataFrame) else None)
    check_table(
        table,
        {"time": tcol or "days", "value": vcol or "cum_conversion"},
        where=where,
        made_by="cjm_lab.journeys.time_to_convert()",
    )
    segs = leading_columns(table, str(tcol))
    if "outcome" in table and "outcome" not in segs:
        segs = [*segs, "outcome"]
    invert = vcol == "survival"
    t_all = finite(table[tcol])
    v_all = finite(table[vcol])
    lo_all = finite(table["ci_low"]) if "ci_low" in table else np.full(len(table), np.nan)
    hi_all = finite(table["ci_high"]) if "ci_high" in table else np.full(len(table), np.nan)
    if invert:
        v_all, lo_all, hi_all = 1 - v_all, 1 - hi_all, 1 - lo_all
    scale = 100.0 if np.nanmax(np.r_[v_all, 0]) <= 1.0 + 1e-9 else 1.0
    _, ax = get_ax(ax, (8.0, 4.4))
    segment_labels = labeller(segment_labels, column=segs[0] if len(segs) == 1 else None, language=language)
    if segs:
        key, groups, colors, markers = segment_styles(table, segs)
    else:
        key, groups = pd.Series(["all"] * len(table), index=table.index), ["all"]
        colors, markers = {"all": "#004488"}, {"all": None}  # type: ignore[dict-item]
    if max_time is None:
        max_time = _plateau(key, t_all, v_all, groups)
    for g in groups:
        m = (key == g).to_numpy()
        order = np.argsort(t_all[m], kind="stable")
        tt, vv = t_all[m][order], v_all[m][order] * scale
        lo, hi = lo_all[m][order] * scale, hi_all[m][order] * scale
        (line,) = ax.step(
            tt,
            vv,
            where="post",
            color=colors[g],
            label=label_of(g, segment_labels) if segs else None,
            marker=markers[g],
            markevery=0.1,
            markersize=5,
        )
        line.set_gid("curve")
        if np.isfinite(lo).any():
            ax.fill_between(tt, lo, hi, step="post", color=colors[g], alpha=0.15, linewidth=0)
        if isinstance(summary, pd.DataFrame) and "median_days" in summary and not segs:
            med = finite(summary["median_days"])[0]
            if np.isfinite(med):
                mark_median(ax, med, language, decimals=1, linewidth=1.2)
    if segs:
        ax.legend(loc="lower right")
    ax.set_ylim(0, 100 if scale == 100.0 else None)
    ax.set_xlim(0, max_time if max_time and np.isfinite(max_time) and max_time > 0 else None)
    ax.xaxis.set_major_formatter(number_formatter(None, language))
    ax.yaxis.set_major_formatter(number_formatter(0, language, percent=True))
    ax.set_xlabel(
        time_label or (text("time_days", language) if tcol in ("days", "duration_days") else text("time", language))
    )
    ax.set_ylabel(text("converted_axis", language))
    ax.set_title(title if title is not None else text("ttc_title", language))
    add_footnote(
        ax, text("ttc_note", language) + " " + text("ci_band", language, level=level_text(confidence, language)) + "."
    )
    return ax


@validate_params(
    {"language": [LANGUAGE], "top": [WHOLE_NUMBER, None], "notes": [BOOLEAN], "note_width": [WHOLE_NUMBER]}
)
@styled
def plot_pain_points(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    top: int | None = 12,
    segment: Any = None,
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    notes: bool = True,
    note_width: int = 60,
    title: str | None = None,
) -> Any:
    """Pain points ranked by customers hurt, coloured by the department that owns them.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.journeys.pain_points` (``touchpoint`` or ``stage``,
        ``department``, ``pain_score``, ``rank``, ``main_issue``, ``note``).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
        Chart texts and department names; the notes are shown as
        :func:`~cjm_lab.journeys.pain_points` wrote them (pass the same ``language`` there).
    top : int, default 12
        The worst ranked rows to show (None: all ranked rows with a positive score).
    segment : value, optional
        The segment to draw when the table was computed ``by=`` a segment.
    touchpoints : DataFrame, optional
        The catalogue, for German touchpoint names (``label_de``).
    labels : mapping or function, optional
    notes : bool, default True
        Write each row's note beside its bar.
    note_width : int, default 60
        Characters per line of the notes.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar per pain point (``gid`` = its department), a legend with the department
        labels, the rank in each y label and the notes as text (``gid`` ``"note"``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"touchpoint": ["Delivery delay notice", "Checkout payment"],
    ...                   "stage": ["experience", "purchase"], "department": ["logistics", "sales"],
    ...                   "pain_score": [11.1, 10.5], "rank": [1, 2], "main_issue": ["repeat_contact", "drop_off"],
    ...                   "note": ["100% contact customer service 2+ times", "18% leave without buying"]})
    >>> ax = plot_pain_points(t, language="de")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Vertrieb', 'Logistik']
    >>> plt.close("all")
    """
    where = "plot_pain_points()"
    unit = first_present(table, ("touchpoint", "stage")) if isinstance(table, pd.DataFrame) else None
    check_table(
        table,
        {"touchpoint": unit or "touchpoint", "pain_score": "pain_score"},
        where=where,
        made_by="cjm_lab.journeys.pain_points()",
    )
    segs = leading_columns(table, str(unit))
    t = select_segment(table, segs, segment, where)
    score = finite(t["pain_score"])
    ranked = finite(t["rank"]) if "rank" in t else np.arange(1, len(t) + 1, dtype=float)
    keep = np.isfinite(ranked) & (score > 0)
    t = (
        t[keep]
        .assign(_rank=ranked[keep], _score=score[keep])
        .sort_values(["_rank", "_score"], ascending=[True, False], kind="stable")
    )
    if t.empty:
        raise CJMDataError(
            f"{where}: no ranked pain point with a positive score to show.",
            fix="Check the table of pain_points() (min_base, outcome, the catalogue).",
        )
    if top is not None:
        t = t.head(top)
    name = touchpoint_labeller(touchpoints, language, labels)
    depts = (
        t["department"].astype(object).where(t["department"].notna(), "nan").astype(str).to_numpy()
        if "department" in t
        else np.array(["nan"] * len(t))
    )
    _, ax = get_ax(ax, (11.0, 0.5 * len(t) + 1.8))
    y = np.arange(len(t))[::-1]
    v = t["_score"].to_numpy()
    colors = [DEPARTMENT_COLORS.get(d, NEUTRAL) for d in depts]
    bars = ax.barh(y, v, color=colors, height=0.66, zorder=2, edgecolor="white")
    for b, d in zip(bars, depts):
        b.set_gid(d)
        hatch(b, DEPARTMENT_HATCHES.get(d, ""))
    right = float(np.nanmax(v))
    ax.set_xlim(0, right / (0.42 if notes else 0.88))
    for yi, vi, (_, row) in zip(y, v, t.iterrows()):
        label = format_number(vi, 1, language)
        note = str(row["note"]) if notes and "note" in row.index and pd.notna(row["note"]) and str(row["note"]) else ""
        if not note and notes and "main_issue" in row.index and pd.notna(row["main_issue"]):
            note = PAIN_COMPONENT_LABELS[language].get(str(row["main_issue"]), str(row["main_issue"]))
        ax.annotate(
            label,
            (vi, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            fontweight="bold",
            color=INK,
            gid="value",
        )
        if note:
            ax.annotate(
                textwrap.fill(note, note_width, max_lines=2, placeholder=" …"),
                (vi, yi),
                xytext=(34, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color="#444444",
                gid="note",
            )
    ax.set_yticks(y, [f"{int(r)}. {name(tp)}" for r, tp in zip(t["_rank"], t[unit])])
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(number_formatter(None, language))
    ax.set_xlabel(text("pain_axis", language))
    ax.set_title(title if title is not None else text("pain_title", language))
    present = [d for d in DEPARTMENTS if d in set(depts)] + sorted(set(depts) - set(DEPARTMENTS))
    handles = []
    for d in present:
        h = Patch(
            facecolor=DEPARTMENT_COLORS.get(d, NEUTRAL),
            edgecolor="white",
            label=department_label(d, language) if d != "nan" else "–",
        )
        hatch(h, DEPARTMENT_HATCHES.get(d, ""))
        handles.append(h)
    if present != ["nan"]:  # a log without departments (a catalogue of statuses) gets no legend of one "–"
        ax.legend(handles=handles, title=text("department", language), loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if not segs:  # a segment picked from a table by= segments stays a picture
        remember_chart(ax, "bar", category=unit, series=["pain_score"], sort="desc", top=top)
    return ax


@validate_params(
    {"value": [StrOptions(("share", "conversions", "value"))], "top": [WHOLE_NUMBER, None], "language": [LANGUAGE]}
)
@styled
def plot_attribution(
    table: pd.DataFrame,
    *,
    value: str = "share",
    models: Sequence[str] | None = None,
    top: int | None = 10,
    segment: Any = None,
    ax: Any = None,
    language: str = "en",
    touchpoints: pd.DataFrame | None = None,
    labels: Labels = None,
    title: str | None = None,
) -> Any:
    """Attribution compared across models: grouped bars per touchpoint, one bar per model.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.journeys.attribution` (``model``, ``touchpoint``,
        ``conversions``, ``share``).
    value : {"share", "conversions"}, default "share"
    models : list of str, optional
        Models to show, in order (default: all, Markov first).
    top : int, default 10
        Touchpoints with the most credit under the first model.
    segment : value, optional
        The segment to draw when the table was computed ``by=`` a segment.
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    touchpoints : DataFrame, optional
        The catalogue, for German touchpoint names.
    labels : mapping or function, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar per touchpoint × model (``gid`` = the model), colours and hatches of
        :data:`~cjm_lab.plots.theme.MODEL_COLORS`, a legend of model names.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"model": ["markov", "markov", "last_touch", "last_touch"],
    ...                   "touchpoint": ["Shop", "Ad", "Shop", "Ad"], "conversions": [1.3, 0.7, 2.0, 0.0],
    ...                   "share": [65.0, 35.0, 100.0, 0.0]})
    >>> ax = plot_attribution(t, language="de")
    >>> len(ax.patches), ax.get_legend().get_texts()[1].get_text()
    (4, 'Letzter Kontakt')
    >>> plt.close("all")
    """
    where = "plot_attribution()"
    check_table(
        table,
        {"model": "model", "touchpoint": "touchpoint", "value": value},
        where=where,
        made_by="cjm_lab.journeys.attribution()",
    )
    segs = leading_columns(table, "model")
    t = select_segment(table, segs, segment, where)
    present = list(dict.fromkeys(t["model"].astype(str)))
    if models is not None:
        missing = [m for m in models if m not in present]
        if missing:
            raise CJMConfigError(
                f"`models` in {where} names {missing[0]!r}, which the table does not have; "
                f"it has {', '.join(map(repr, present))}."
            )
        present = list(models)
    t = t[t["model"].astype(str).isin(present)].assign(_v=lambda d: finite(d[value]))
    first = t[t["model"].astype(str) == present[0]].sort_values("_v", ascending=False, kind="stable")
    tps = list(dict.fromkeys(first["touchpoint"].astype(str)))
    tps += [tp for tp in dict.fromkeys(t["touchpoint"].astype(str)) if tp not in set(tps)]
    if top is not None:
        tps = tps[:top]
    grid = t.pivot_table(index="touchpoint", columns="model", values="_v", aggfunc="sum").reindex(
        index=tps, columns=present
    )
    name = touchpoint_labeller(touchpoints, language, labels)
    _, ax = get_ax(ax, (9.0, len(tps) * (0.08 * len(present) + 0.2) + 1.6))
    y = np.arange(len(tps))[::-1]
    height = 0.84 / len(present)
    for i, m in enumerate(present):
        pos = y + 0.42 - height * (i + 0.5)
        bars = ax.barh(
            pos,
            np.nan_to_num(grid[m].to_numpy(dtype=float)),
            height=height * 0.95,
            color=MODEL_COLORS.get(m, NEUTRAL),
            label=model_label(m, language),
            zorder=2,
            edgecolor="white",
            linewidth=0.5,
        )
        for b in bars:
            b.set_gid(m)
            hatch(b, MODEL_HATCHES.get(m, ""))
    ax.set_yticks(y, [name(tp) for tp in tps])
    ax.grid(axis="y", visible=False)
    share = value == "share"
    ax.xaxis.set_major_formatter(number_formatter(None, language, percent=share))
    ax.set_xlabel(text("attribution_share" if share else "attribution_conversions", language))
    ax.set_title(title if title is not None else text("attribution_title", language))
    ax.legend(title=text("model", language), loc="lower right")
    if not segs:
        remember_chart(ax, "bar", category="touchpoint", series=[value], pivot="model", sort="desc", top=top)
    return ax

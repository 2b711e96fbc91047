"""Charts of survey results: NPS, NPS mix and trend, key drivers, importance–performance, crosstabs.

Each function takes the tidy result of a :mod:`cjm_lab.survey` function, draws on an
optional ``ax=`` and returns the Axes; texts follow ``language="en" | "de"``.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from cjm_lab._format import period_dates, period_kind, period_label
from cjm_lab._params import (
    BOOLEAN,
    CONFIDENCE,
    COUNT,
    LANGUAGE,
    Interval,
    Real,
    StrOptions,
    check_param,
    renamed_args,
    validate_params,
)
from cjm_lab.errors import CJMConfigError
from cjm_lab.labels import labeller, plain_code
from cjm_lab.plots._common import (
    add_footnotes,
    check_table,
    err_bars,
    finite,
    get_ax,
    hatch,
    label_of,
    leading_columns,
    level_text,
    remember_chart,
    styled,
)
from cjm_lab.plots.theme import (
    HIGHLIGHT,
    INK,
    LIGHT,
    NEUTRAL,
    NPS_COLORS,
    NPS_GROUPS,
    NPS_HATCHES,
    QUADRANT_COLORS,
    QUADRANT_MARKERS,
    SEQUENTIAL_CMAP,
    add_footnote,
    column_word,
    format_number,
    format_percent,
    number_formatter,
    text,
)
from cjm_lab.survey import QUADRANT_LABELS, TOTAL_LABEL

__all__ = [
    "plot_crosstab",
    "plot_drivers",
    "plot_importance_performance",
    "plot_nps",
    "plot_nps_distribution",
    "plot_nps_trend",
]

#: What ``labels=`` takes: a :class:`cjm_lab.labels.Labels`, a codebook (path or dict), a
#: ``{key: text}`` dict or a function (normalised once by :func:`cjm_lab.labels.labeller`).
Labels = Mapping[Any, Any] | Callable[[Any], str] | str | os.PathLike[str] | None

_DRIVER_BAR = "#4477AA"


def _segments(table: pd.DataFrame, language: str, labels: Labels) -> tuple[list[str], list[str], np.ndarray]:
    """Grouping columns of an NPS table, the row labels and which rows are the total."""
    segs = leading_columns(table, "n")
    if not segs:
        return [], [text("total", language)] * len(table), np.ones(len(table), dtype=bool)
    is_total = np.ones(len(table), dtype=bool)
    for c in segs:
        is_total &= table[c].astype(str).eq(TOTAL_LABEL).to_numpy()
    show = {c: labeller(labels, column=c, data=table, language=language) for c in segs}
    names = []
    for i, (_, row) in enumerate(table[segs].iterrows()):
        if is_total[i]:
            names.append(text("total", language))
        else:
            names.append(" · ".join(label_of(row[c], show[c]) for c in segs))
    return segs, names, is_total


def _driver_names(table: pd.DataFrame, labels: Labels, language: str) -> Callable[[Any], str]:
    """Driver names as a reader sees them: ``labels``, else the table's ``label`` column (the
    variable labels :func:`cjm_lab.survey.key_drivers` found), else the name.
    """
    own = dict(zip(table["driver"].astype(str), table["label"].astype(str))) if "label" in table else {}
    given = labeller(labels, kind="column", data=table, language=language)

    def name(driver: Any) -> str:
        if given is not None:
            shown = given(driver)
            if shown != plain_code(driver) or str(driver) not in own:
                return shown
        return own.get(str(driver), plain_code(driver))

    return name


def _low_base(table: pd.DataFrame) -> np.ndarray:
    """The rows flagged ``low_base`` (none when the table has no such column)."""
    if "low_base" not in table:
        return np.zeros(len(table), bool)
    return table["low_base"].fillna(False).astype(bool).to_numpy()


def _low_base_note(table: pd.DataFrame, flags: np.ndarray, language: str) -> str | None:
    if not flags.any():
        return None
    n = finite(table["n"])[flags]
    lo, hi = np.nanmin(n), np.nanmax(n)
    if lo == hi:
        return text("low_base_note_one", language, n_min=format_number(lo, 0, language))
    return text("low_base_note", language, n_min=format_number(lo, 0, language), n_max=format_number(hi, 0, language))


def _measure_note(table: pd.DataFrame) -> str | None:
    """Say so when the score is an NPS-like rescaling, not a 0–10 NPS."""
    if "measure" in table:
        kinds = [m for m in pd.unique(table["measure"].dropna().astype(str)) if m != "NPS"]
        if kinds:
            return "; ".join(kinds)
    return None


def _base_ticks(ax: Any, y: np.ndarray, names: list[str], table: pd.DataFrame, low: np.ndarray, language: str) -> None:
    """Segment names with their base as y labels, ``*`` after a low base; no horizontal grid."""
    ticklabels = [
        f"{nm} (n = {format_number(k, 0, language)})" + (" *" if f else "")
        for nm, k, f in zip(names, finite(table["n"]), low)
    ]
    ax.set_yticks(y, ticklabels)
    ax.grid(axis="y", visible=False)


def _segment_title(key: str, segs: list[str], segment_label: str | None, language: str) -> str:
    if not segs:
        return text("nps_title" if key == "nps_by" else "nps_dist_title", language)
    word = segment_label or " × ".join(column_word(c, language) for c in segs)
    return text(key, language, segment=word)


@validate_params({"language": [LANGUAGE], "confidence": [CONFIDENCE]})
@styled
def plot_nps(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    labels: Labels = None,
    segment_label: str | None = None,
    title: str | None = None,
    confidence: float = 0.95,
) -> Any:
    """NPS per segment as bars with confidence intervals and low-base marks.

    Bars of positive NPS take the promoter colour, negative ones the detractor colour,
    the total grey.  Segments with a low base are hatched, starred and explained in a
    footnote; the y labels give each base (``n``).

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.survey.nps` (grouping columns, ``n``, ``nps``,
        ``ci_low``, ``ci_high``, optionally ``low_base``; the ``"Total"`` row is shown as
        the total).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    labels : Labels, codebook, dict or function, optional
        Display names of the segment values (e.g. region codes to names, persona keys to
        persona names), see :func:`cjm_lab.labels.labeller`; default the table's own values.
    segment_label : str, optional
        The word for the segments in the title (default from the column name).
    title : str, optional
    confidence : float, default 0.95
        The level of the intervals in the table (for the note).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from cjm_lab.survey import nps
    >>> df = pd.DataFrame({"recommend": [10, 9, 8, 3, 10, 6, 9, 2], "wave": [1, 1, 1, 1, 2, 2, 2, 2]})
    >>> ax = plot_nps(nps(df, by="wave"), language="de")
    >>> ax.get_title()
    'Net Promoter Score nach Welle'
    >>> plt.close("all")
    """
    where = "plot_nps()"
    check_table(
        table, {"nps": "nps", "ci": ["ci_low", "ci_high"], "n": "n"}, where=where, made_by="cjm_lab.survey.nps()"
    )
    segs, names, is_total = _segments(table, language, labels)
    nps = finite(table["nps"])
    lo, hi = finite(table["ci_low"]), finite(table["ci_high"])
    low = _low_base(table)
    _, ax = get_ax(ax, (8.0, 0.5 * len(table) + 1.8))
    y = np.arange(len(table))[::-1]
    colors = [
        NEUTRAL if t else (NPS_COLORS["promoter"] if v >= 0 else NPS_COLORS["detractor"]) for v, t in zip(nps, is_total)
    ]
    bars = ax.barh(y, nps, color=colors, height=0.62, edgecolor="white", linewidth=0.8, zorder=2)
    for bar, flag in zip(bars, low):
        bar.set_gid("low_base" if flag else "segment")
        if flag:
            bar.set_alpha(0.6)
            hatch(bar, "////")
    ax.errorbar(nps, y, xerr=err_bars(nps, lo, hi), fmt="none", ecolor=INK, elinewidth=1.1, capsize=3, zorder=3)
    span = max(np.nanmax(np.abs(np.r_[lo, hi, nps])), 10.0)
    for yi, v, l_, h_, flag in zip(y, nps, lo, hi, low):
        label = format_number(v, 0, language, sign=True) + (" *" if flag else "")
        if v >= 0:
            ax.annotate(
                label,
                (np.nanmax([h_, v]), yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=9,
                color=INK,
                gid="value",
            )
        else:
            ax.annotate(
                label,
                (np.nanmin([l_, v]), yi),
                xytext=(-4, 0),
                textcoords="offset points",
                va="center",
                ha="right",
                fontsize=9,
                color=INK,
                gid="value",
            )
    ax.axvline(0, color="#555555", linewidth=0.9, zorder=1)
    left = min(0.0, np.nanmin(np.r_[lo, nps])) - 0.18 * span
    right = max(0.0, np.nanmax(np.r_[hi, nps])) + 0.18 * span
    ax.set_xlim(max(left, -110) if left < 0 else left, min(right, 110))
    _base_ticks(ax, y, names, table, low, language)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(number_formatter(None, language, sign=True))
    ax.set_xlabel(text("nps_axis", language))
    ax.set_title(title if title is not None else _segment_title("nps_by", segs, segment_label, language))
    add_footnotes(
        ax,
        "— " + text("ci", language, level=level_text(confidence, language)) + ".",
        _measure_note(table),
        _low_base_note(table, low, language),
    )
    remember_chart(ax, "bar", category=segs[0] if len(segs) == 1 else None, series=["nps"])
    return ax


@validate_params({"language": [LANGUAGE], "show_nps": [BOOLEAN], "min_label": [Interval(Real, 0, 100, note="percent")]})
@styled
def plot_nps_distribution(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    labels: Labels = None,
    segment_label: str | None = None,
    title: str | None = None,
    show_nps: bool = True,
    min_label: float = 5.0,
) -> Any:
    """The NPS mix per segment: detractors, passives and promoters stacked to 100 %.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.survey.nps` (``pct_detractors``, ``pct_passives``,
        ``pct_promoters``, ``nps``, ``n`` and optionally ``low_base``).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    labels : mapping or function, optional
        Display names of the segment values.
    segment_label : str, optional
    title : str, optional
    show_nps : bool, default True
        Write each row's NPS to the right of its bar.
    min_label : float, default 5
        Write the share inside a segment from this many percent on.

    Returns
    -------
    matplotlib.axes.Axes
        Three bars per row (detractors, passives, promoters), coloured and hatched with
        :data:`~cjm_lab.plots.theme.NPS_COLORS` and :data:`~cjm_lab.plots.theme.NPS_HATCHES`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from cjm_lab.survey import nps
    >>> df = pd.DataFrame({"recommend": [10, 9, 8, 3, 10, 6, 9, 2], "wave": [1, 1, 1, 1, 2, 2, 2, 2]})
    >>> ax = plot_nps_distribution(nps(df, by="wave"))
    >>> len(ax.patches)
    9
    >>> plt.close("all")
    """
    where = "plot_nps_distribution()"
    pcts = ["pct_detractors", "pct_passives", "pct_promoters"]
    check_table(table, {"shares": pcts, "n": "n"}, where=where, made_by="cjm_lab.survey.nps()")
    segs, names, _ = _segments(table, language, labels)
    low = _low_base(table)
    _, ax = get_ax(ax, (8.5, 0.5 * len(table) + 2.0))
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    for group, col in zip(NPS_GROUPS, pcts):
        share = np.nan_to_num(finite(table[col]))
        bars = ax.barh(
            y,
            share,
            left=left,
            height=0.66,
            color=NPS_COLORS[group],
            edgecolor="white",
            linewidth=0.8,
            label=text(group, language),
            zorder=2,
        )
        for bar in bars:
            bar.set_gid(group)
            hatch(bar, NPS_HATCHES[group], "#FFFFFF" if group != "passive" else "#333333")
        dark = group != "passive"
        for yi, le, s in zip(y, left, share):
            if s >= min_label:
                ax.text(
                    le + s / 2,
                    yi,
                    format_percent(s, 0, language),
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color="white" if dark else INK,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "fc": NPS_COLORS[group], "ec": "none"},
                    zorder=4,
                )
        left = left + share
    if show_nps and "nps" in table:
        for yi, v in zip(y, finite(table["nps"])):
            ax.annotate(
                f"{text('nps', language)} {format_number(v, 0, language, sign=True)}",
                (1.01, yi),
                xycoords=("axes fraction", "data"),
                va="center",
                ha="left",
                fontsize=9,
                fontweight="bold",
                color=INK,
                annotation_clip=False,
                gid="nps",
            )
    ax.set_xlim(0, 100)
    _base_ticks(ax, y, names, table, low, language)
    ax.xaxis.set_major_formatter(number_formatter(0, language, percent=True))
    ax.set_xlabel(text("share_axis", language))
    ax.set_title(title if title is not None else _segment_title("nps_dist_by", segs, segment_label, language), pad=26)
    ax.legend(ncols=3, loc="lower left", bbox_to_anchor=(0.0, 1.0), borderaxespad=0.2, handlelength=1.6)
    add_footnotes(ax, _measure_note(table), _low_base_note(table, low, language))
    remember_chart(ax, "stacked_bar", category=segs[0] if len(segs) == 1 else None, series=pcts)
    return ax


@renamed_args({"period_labels": "labels"})
@validate_params({"language": [LANGUAGE], "confidence": [CONFIDENCE]})
@styled
def plot_nps_trend(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    title: str | None = None,
    confidence: float = 0.95,
    labels: Labels = None,
) -> Any:
    """NPS per period as a line with its confidence band, low-base and significant-change marks.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.survey.nps_trend` (``period``, ``nps``, ``ci_low``,
        ``ci_high``, optionally ``n``, ``low_base``, ``change`` and ``significant``).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    title : str, optional
    confidence : float, default 0.95
    labels : Labels, codebook, dict or function, optional
        Display names of the periods or waves (e.g. ``{1: "Wave 1"}``, or a
        :class:`~cjm_lab.labels.Labels` with value labels of ``period``), see
        :func:`cjm_lab.labels.labeller`.  (Called ``period_labels`` before 0.2; the old name
        works until 0.3.)

    Returns
    -------
    matplotlib.axes.Axes
        One line (the NPS, a marker per period) and one band; low-base periods have open
        markers and a star; significant changes an arrow (▲/▼).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from cjm_lab.survey import nps_trend
    >>> df = pd.DataFrame({"recommend": [10, 3, 9, 9, 10, 6], "wave": [1, 1, 2, 2, 3, 3]})
    >>> ax = plot_nps_trend(nps_trend(df, period="wave"))
    >>> ax.get_title(), len(ax.lines[0].get_xdata())
    ('NPS over time', 3)
    >>> plt.close("all")
    """
    where = "plot_nps_trend()"
    check_table(
        table,
        {"period": "period", "nps": "nps", "ci": ["ci_low", "ci_high"]},
        where=where,
        made_by="cjm_lab.survey.nps_trend()",
    )
    _, ax = get_ax(ax, (8.0, 4.2))
    # calendar periods (months, quarters, weeks, days) on a real time axis; waves one after another
    dates = period_dates(table["period"].tolist()) if labels is None else None
    if dates is not None:
        import matplotlib.dates as mdates

        x = mdates.date2num(pd.to_datetime(dates))
    else:
        x = np.arange(len(table), dtype=float)
    v, lo, hi = finite(table["nps"]), finite(table["ci_low"]), finite(table["ci_high"])
    low = _low_base(table)
    color = NPS_COLORS["promoter"]
    lvl = level_text(confidence, language)
    ax.fill_between(
        x,
        lo,
        hi,
        color=color,
        alpha=0.16,
        linewidth=0,
        label=text("ci_band", language, level=lvl),
        zorder=1,
        gid="ci_band",
    )
    (line,) = ax.plot(x, v, color=color, marker="o", markersize=7, label=text("nps", language), zorder=3)
    line.set_gid("nps")
    if low.any():
        ax.plot(
            x[low],
            v[low],
            linestyle="none",
            marker="o",
            markersize=7,
            markerfacecolor="white",
            markeredgecolor=color,
            markeredgewidth=1.6,
            zorder=4,
            gid="low_base",
        )
    sig = (
        table["significant"].fillna(False).astype(bool).to_numpy()
        if "significant" in table
        else np.zeros(len(table), bool)
    )
    change = finite(table["change"]) if "change" in table else np.full(len(table), np.nan)
    span = max(np.nanmax(hi) - np.nanmin(lo), 10.0)
    for xi, vi, _h, flag, s, ch in zip(x, v, hi, low, sig, change):
        label = format_number(vi, 0, language, sign=True)
        if s and np.isfinite(ch):
            label += " ▲" if ch > 0 else " ▼"
        if flag:
            label += " *"
        ax.annotate(
            label,
            (xi, vi),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
            color=HIGHLIGHT if s else INK,
            gid="value",
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    ax.set_ylim(np.nanmin(lo) - 0.12 * span, np.nanmax(hi) + 0.2 * span)
    if ax.get_ylim()[0] < 0 < ax.get_ylim()[1]:
        ax.axhline(0, color="#555555", linewidth=0.8, zorder=1)
    if dates is not None:
        kind = period_kind(table["period"].tolist()) or "day"
        ticks = [period_label(p, language) for p in table["period"]]
        step = max(1, int(np.ceil(len(x) / 12)))  # at most a dozen labels
        ax.set_xticks(x[::step], ticks[::step])
        pad = max((x.max() - x.min()) * 0.06, 10.0)
        ax.set_xlim(x.min() - pad, x.max() + pad)
        ax.set_xlabel(text(f"period_{kind}", language))
    else:
        shown = labeller(labels, column="period", language=language)
        ax.set_xticks(x, [label_of(p, shown) for p in table["period"]])
        ax.set_xlim(-0.5, len(x) - 0.5)
        whole = pd.to_numeric(table["period"], errors="coerce")
        is_wave = labels is None and whole.notna().all() and bool((whole == whole.round()).all())
        ax.set_xlabel(text("wave" if is_wave else "period", language))
    if len(x) > 8:
        ax.tick_params(axis="x", labelrotation=45)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(number_formatter(None, language, sign=True))
    ax.set_ylabel(text("nps_axis", language))
    ax.set_title(title if title is not None else text("nps_trend_title", language))
    ax.legend(loc="upper left", ncols=2)
    add_footnotes(
        ax,
        text("change_note", language) if sig.any() else None,
        _measure_note(table),
        _low_base_note(table, low, language) if "n" in table else None,
    )
    remember_chart(ax, "line", category="period", series=["nps"])
    return ax


@validate_params(
    {
        "method": [StrOptions(("shapley", "johnson"))],
        "share": [BOOLEAN],
        "language": [LANGUAGE],
        "confidence": [CONFIDENCE],
    }
)
@styled
def plot_drivers(
    table: pd.DataFrame,
    *,
    method: str = "shapley",
    share: bool = True,
    ax: Any = None,
    language: str = "en",
    labels: Labels = None,
    title: str | None = None,
    confidence: float = 0.95,
) -> Any:
    """Key driver importance as bars, most important on top, with bootstrap intervals.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.survey.key_drivers` (``driver`` and the method's
        columns; with ``bootstrap=`` also ``<method>_ci_low``/``<method>_ci_high``).
    method : {"shapley", "johnson"}, default "shapley"
    share : bool, default True
        Show the share of explained variance in percent (``<method>_share``); the
        intervals are rescaled by ``r2``.  False: R² units.
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    labels : Labels, codebook, dict or function, optional
        Display names of the drivers (e.g. ``{"sat_delivery": "Lieferung"}``, or a
        :class:`~cjm_lab.labels.Labels`); default the table's ``label`` column (the data's
        variable labels), else the names.
    title : str, optional
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.axes.Axes
        One bar per driver; error bars when the table has bootstrap intervals.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"driver": ["delivery", "web"], "shapley": [0.3, 0.1],
    ...                   "shapley_share": [75.0, 25.0], "r2": [0.4, 0.4]})
    >>> ax = plot_drivers(t, language="de")
    >>> ax.get_xlabel(), len(ax.patches)
    ('Anteil an der erklärten Varianz (%)', 2)
    >>> plt.close("all")
    """
    where = "plot_drivers()"
    col = f"{method}_share" if share else method
    check_table(table, {"driver": "driver", "method": col}, where=where, made_by="cjm_lab.survey.key_drivers()")
    t = table.assign(_v=finite(table[col])).sort_values("_v", ascending=False, kind="stable").reset_index(drop=True)
    v = t["_v"].to_numpy()
    lo_col, hi_col = f"{method}_ci_low", f"{method}_ci_high"
    has_ci = lo_col in t and hi_col in t
    if has_ci:
        lo, hi = finite(t[lo_col]), finite(t[hi_col])
        if share:
            if "r2" in t:
                scale = 100.0 / finite(t["r2"])
            elif method in t:
                raw = finite(t[method])
                scale = np.where(raw > 0, v / np.where(raw > 0, raw, 1), np.nan)
            else:
                scale = np.full(len(t), np.nan)
            lo, hi = lo * scale, hi * scale
        has_ci = bool(np.isfinite(lo).any())
    _, ax = get_ax(ax, (7.5, 0.5 * len(t) + 1.8))
    y = np.arange(len(t))[::-1]
    bars = ax.barh(y, v, color=_DRIVER_BAR, height=0.62, zorder=2, edgecolor="white")
    for b in bars:
        b.set_gid("driver")
    if has_ci:
        ax.errorbar(v, y, xerr=err_bars(v, lo, hi), fmt="none", ecolor=INK, elinewidth=1.1, capsize=3, zorder=3)
    for yi, vi, h_ in zip(y, v, hi if has_ci else v):
        txt = format_percent(vi, 1, language) if share else format_number(vi, 3, language)
        ax.annotate(
            txt,
            (np.nanmax([vi, h_]), yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=INK,
            gid="value",
        )
    name = _driver_names(t, labels, language)
    ax.set_yticks(y, [name(d) for d in t["driver"]])
    ax.grid(axis="y", visible=False)
    right = np.nanmax(np.r_[v, hi if has_ci else v])
    ax.set_xlim(0, right * 1.18 if right > 0 else 1)
    ax.xaxis.set_major_formatter(number_formatter(None if not share else 0, language, percent=share))
    ax.set_xlabel(text("drivers_axis_share" if share else "drivers_axis", language))
    ax.set_title(title if title is not None else text("drivers_title", language))
    r2 = format_number(finite(t["r2"])[0], 3, language) if "r2" in t else "–"
    if has_ci:
        n_boot = format_number(finite(t["n_boot"])[0], 0, language) if "n_boot" in t else "–"
        note = text(
            "drivers_note",
            language,
            method=text(method, language),
            level=level_text(confidence, language),
            n_boot=n_boot,
            r2=r2,
        )
    else:
        note = text("drivers_note_plain", language, method=text(method, language), r2=r2)
    add_footnote(ax, note)
    remember_chart(ax, "bar", category="driver", series=[col], sort="desc")
    return ax


@validate_params({"language": [LANGUAGE]})
@styled
def plot_importance_performance(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    language: str = "en",
    labels: Labels = None,
    title: str | None = None,
    importance_label: str | None = None,
    performance_label: str | None = None,
) -> Any:
    """The importance–performance matrix: drivers as labelled points in four labelled quadrants.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.survey.importance_performance` (``driver``,
        ``importance``, ``performance``, ``quadrant``, ``importance_split``,
        ``performance_split``).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
        Quadrant names come from :data:`cjm_lab.survey.QUADRANT_LABELS`.
    labels : Labels, codebook, dict or function, optional
        Display names of the drivers; default the table's ``label`` column, else the names.
    title, importance_label, performance_label : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One point per driver (coloured and shaped by quadrant, ``fix first`` in red),
        a text label per driver and the four quadrant names.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"driver": ["delivery", "web"], "importance": [70.0, 30.0],
    ...                   "performance": [3.1, 4.2], "quadrant": ["fix_first", "overkill"],
    ...                   "importance_split": 50.0, "performance_split": 3.65})
    >>> ax = plot_importance_performance(t, language="de")
    >>> "zuerst verbessern" in [t.get_text() for t in ax.texts]
    True
    >>> plt.close("all")
    """
    where = "plot_importance_performance()"
    check_table(
        table,
        {"driver": "driver", "importance": "importance", "performance": "performance", "quadrant": "quadrant"},
        where=where,
        made_by="cjm_lab.survey.importance_performance()",
    )
    _, ax = get_ax(ax, (7.5, 6.0))
    x, y = finite(table["importance"]), finite(table["performance"])
    xs = finite(table["importance_split"])[0] if "importance_split" in table else float(np.nanmean(x))
    ys = finite(table["performance_split"])[0] if "performance_split" in table else float(np.nanmean(y))
    names = QUADRANT_LABELS[language]
    quads = table["quadrant"].astype(str).to_numpy()
    for q in ("fix_first", "keep_up", "low_priority", "overkill"):
        m = quads == q
        if m.any():
            ax.scatter(
                x[m],
                y[m],
                s=70,
                color=QUADRANT_COLORS[q],
                marker=QUADRANT_MARKERS[q],
                zorder=3,
                edgecolor="white",
                linewidth=0.8,
                label=names[q],
                gid=q,
            )
    name = _driver_names(table, labels, language)
    for xi, yi, d, q in zip(x, y, table["driver"], quads):
        ax.annotate(
            name(d),
            (xi, yi),
            xytext=(6, 5),
            textcoords="offset points",
            fontsize=9,
            color=HIGHLIGHT if q == "fix_first" else INK,
            fontweight="bold" if q == "fix_first" else "normal",
            gid="driver",
        )
    ax.axvline(xs, color="#666666", linestyle="--", linewidth=1, zorder=1)
    ax.axhline(ys, color="#666666", linestyle="--", linewidth=1, zorder=1)
    dx = max(np.nanmax(np.abs(x - xs)), 1e-9) * 1.3
    dy = max(np.nanmax(np.abs(y - ys)), 1e-9) * 1.3
    ax.set_xlim(max(xs - dx, -0.04 * dx) if np.nanmin(x) >= 0 else xs - dx, xs + dx)
    ax.set_ylim(ys - dy, ys + dy)
    corners = {
        "overkill": (0.02, 0.98, "left", "top"),
        "keep_up": (0.98, 0.98, "right", "top"),
        "low_priority": (0.02, 0.02, "left", "bottom"),
        "fix_first": (0.98, 0.02, "right", "bottom"),
    }
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(
            cx,
            cy,
            names[q],
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=10,
            style="italic",
            fontweight="bold" if q == "fix_first" else "normal",
            color={"low_priority": "#666666", "overkill": "#8A6A10"}.get(q, QUADRANT_COLORS[q]),
            gid="quadrant",
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": LIGHT},
        )
    ax.xaxis.set_major_formatter(number_formatter(0, language, percent=True))
    ax.yaxis.set_major_formatter(number_formatter(None, language))
    ax.set_xlabel(importance_label or text("importance", language) + " (%)")
    ax.set_ylabel(performance_label or text("performance", language))
    ax.set_title(title if title is not None else text("ipa_title", language))
    remember_chart(ax, "scatter", category="driver", series=["importance", "performance"])
    return ax


def _banner_text(col: Any, letter: str, base: float, language: str, labels: Any) -> str:
    name = label_of(col, labels)
    if letter:
        name += f" ({letter})"
    name = textwrap.fill(name, 16, break_long_words=False, break_on_hyphens=False)
    if np.isfinite(base):
        name += f"\nn = {format_number(base, 0, language)}"
    return name


@validate_params({"language": [LANGUAGE, None], "letters": [BOOLEAN], "decimals": [COUNT]})
@styled
def plot_crosstab(
    table: pd.DataFrame,
    *,
    variable: str | None = None,
    kinds: Sequence[str] = ("category", "net", "multi"),
    ax: Any = None,
    language: str | None = None,
    labels: Labels = None,
    title: str | None = None,
    letters: bool = True,
    decimals: int = 0,
) -> Any:
    """A crosstab as a heatmap: cell shading by value, each cell with its value and letters.

    Parameters
    ----------
    table : DataFrame
        The long table of :func:`cjm_lab.survey.crosstab` (``kind``, ``variable``,
        ``row_label``, ``banner_variable``, ``banner_column``, ``letter``, ``statistic``,
        ``value``, ``base``, ``sig_letters``).
    variable : str, optional
        Show only this row variable.
    kinds : list of str, default ("category", "net", "multi")
        Which rows to shade; all must share one statistic (``"mean"`` rows on their own).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, optional
        Default: the table's own language.
    labels : Labels, codebook, dict or function, optional
        Display names of the banner columns (values of each banner variable).
    title : str, optional
        Default: the table's title.
    letters : bool, default True
        Write the significance letters after the values.
    decimals : int, default 0

    Returns
    -------
    matplotlib.axes.Axes
        One heatmap cell per row label × banner column.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from cjm_lab.survey import crosstab
    >>> df = pd.DataFrame({"sat": [5, 4, 2, 5, 3, 1] * 10, "grp": ["a", "a", "a", "b", "b", "b"] * 10})
    >>> ax = plot_crosstab(crosstab(df, rows="sat", columns="grp", language="de"))
    >>> ax.collections[0].get_array().size  # 5 categories x (Gesamt, a, b)
    15
    >>> plt.close("all")
    """
    where = "plot_crosstab()"
    meta = table.attrs.get("crosstab", {}) if isinstance(table, pd.DataFrame) else {}
    lang = language or meta.get("language", "en")
    check_param(lang, [LANGUAGE], name="language", where=where)  # the crosstab's own language
    need = ["kind", "variable", "row_label", "banner_variable", "banner_column", "statistic", "value"]
    check_table(table, {"columns": need}, where=where, made_by="cjm_lab.survey.crosstab()")
    t = table
    if variable is not None:
        if variable not in set(t["variable"]):
            raise CJMConfigError(
                f"`variable` {variable!r} is not a row variable of the crosstab; "
                f"it has {', '.join(map(repr, pd.unique(t['variable'])))}."
            )
        t = t[t["variable"] == variable]
    cells = t[t["kind"].isin(list(kinds))]
    if cells.empty:
        raise CJMConfigError(
            f"{where}: no rows of kind {', '.join(map(repr, kinds))} to show; "
            f"the table has {', '.join(map(repr, pd.unique(t['kind'])))}."
        )
    stats = pd.unique(cells["statistic"])
    if len(stats) > 1:
        raise CJMConfigError(
            f"{where}: the rows of kinds {', '.join(map(repr, kinds))} mix statistics "
            f"({', '.join(map(repr, stats))}); pass `kinds=` with rows of one statistic, e.g. kinds=['mean']."
        )
    stat = stats[0]
    row_keys = list(dict.fromkeys(zip(cells["variable"], cells["row_label"])))
    col_keys = list(dict.fromkeys(zip(cells["banner_variable"], cells["banner_column"])))
    r_index = {k: i for i, k in enumerate(row_keys)}
    c_index = {k: i for i, k in enumerate(col_keys)}
    values = np.full((len(row_keys), len(col_keys)), np.nan)
    annot = np.full(values.shape, "", dtype=object)
    ri = [r_index[k] for k in zip(cells["variable"], cells["row_label"])]
    ci = [c_index[k] for k in zip(cells["banner_variable"], cells["banner_column"])]
    vals = finite(cells["value"])
    sig = cells["sig_letters"].fillna("").astype(str).to_numpy() if "sig_letters" in cells else [""] * len(cells)
    for r, c, v, s in zip(ri, ci, vals, sig):
        values[r, c] = v
        if stat in ("col_pct", "row_pct"):
            txt = format_percent(v, decimals, lang)
        elif stat == "mean":
            txt = format_number(v, 2, lang)
        else:
            txt = format_number(v, decimals, lang)
        annot[r, c] = txt + (f" {s}" if letters and s else "")
    base: dict[Any, Any] = {}
    letter: dict[Any, Any] = {}
    for k, b, lt in zip(
        zip(cells["banner_variable"], cells["banner_column"]),
        finite(cells["base"]) if "base" in cells else np.full(len(cells), np.nan),
        cells["letter"].fillna("").astype(str) if "letter" in cells else [""] * len(cells),
    ):
        base.setdefault(k, b)
        letter.setdefault(k, lt)
    variables = list(dict.fromkeys(v for v, _ in row_keys))
    shown = (  # the variables' labels (crosstab's variable_label), else their names
        dict(zip(cells["variable"], cells["variable_label"], strict=True)) if "variable_label" in cells else {}
    )
    ylabels = [str(rl) if len(variables) == 1 else f"{shown.get(v, v)}: {rl}" for v, rl in row_keys]
    show = {bv: labeller(labels, column=bv, language=lang) for bv in dict.fromkeys(bv for bv, _ in col_keys)}
    xlabels = [_banner_text(c, letter[(bv, c)], base[(bv, c)], lang, show[bv]) for bv, c in col_keys]
    widest = max(len(line) for lab in xlabels for line in lab.split("\n"))
    _, ax = get_ax(ax, (max(1.1, 0.085 * widest) * len(col_keys) + 3.0, 0.45 * len(row_keys) + 2.4))
    frame = pd.DataFrame(values, index=ylabels, columns=xlabels).astype(float)
    vmax = 100.0 if stat in ("col_pct", "row_pct") and np.nanmax(values) <= 100 else None
    sns.heatmap(
        frame,
        ax=ax,
        cmap=SEQUENTIAL_CMAP,
        annot=annot,
        fmt="",
        vmin=0 if vmax else None,
        vmax=vmax,
        linewidths=0.6,
        linecolor="white",
        annot_kws={"fontsize": 8.5},
        cbar_kws={"format": number_formatter(0, lang, percent=stat in ("col_pct", "row_pct")), "shrink": 0.8},
    )
    bvars = [bv for bv, _ in col_keys]
    for i in range(1, len(bvars)):
        if bvars[i] != bvars[i - 1]:
            ax.axvline(i, color=INK, linewidth=1.5)
    ax.tick_params(axis="x", labelrotation=0, labeltop=True, labelbottom=False, top=False, bottom=False)
    ax.tick_params(axis="y", labelrotation=0, left=False)
    ax.set_xlabel("")
    ax.set_ylabel(str(shown.get(variables[0], variables[0])) if len(variables) == 1 else "")
    ax.grid(False)
    ax.set_title(title if title is not None else meta.get("title", text("crosstab_title", lang)), pad=12)
    if letters and stat in ("col_pct", "row_pct", "mean") and any(sig):
        alpha = format_number(meta.get("alpha", 0.05), 2, lang)
        ax.set_xlabel(" ")
        if "correction" in meta:  # what the letters mean, with the correction used (as in the Excel sheet)
            from cjm_lab.survey.crosstab import crosstab_note

            add_footnote(ax, textwrap.fill(crosstab_note({**meta, "language": lang}), 110))
        else:
            add_footnote(ax, textwrap.fill(text("crosstab_note", lang, alpha=alpha), 110))
    return ax

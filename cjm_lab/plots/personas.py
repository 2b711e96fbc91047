"""Charts of personas: choosing k, profile heatmap (index vs. total), persona cards.

Each function takes the tidy result of a :mod:`cjm_lab.personas` function; persona
colours follow the label order (:func:`~cjm_lab.plots.theme.persona_colors`).
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import FancyBboxPatch, Rectangle

from cjm_lab._params import BOOLEAN, LANGUAGE, WHOLE_NUMBER, Real, validate_params
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.labels import labeller
from cjm_lab.plots._common import (
    category_order,
    check_table,
    finite,
    first_present,
    get_ax,
    label_of,
    persona_domain,
    styled,
)
from cjm_lab.plots.theme import (
    DIVERGING_CMAP,
    HIGHLIGHT,
    INK,
    LIGHT,
    NPS_COLORS,
    add_footnote,
    format_number,
    format_percent,
    number_formatter,
    persona_colors,
    text,
)

__all__ = ["CHOOSE_K_METRICS", "plot_choose_k", "plot_persona_cards", "plot_persona_profile"]

#: What ``labels=`` takes: a :class:`cjm_lab.labels.Labels`, a codebook (path or dict), a
#: ``{key: text}`` dict or a function (normalised once by :func:`cjm_lab.labels.labeller`).
Labels = Mapping[Any, Any] | Callable[[Any], str] | str | os.PathLike[str] | None

#: Diagnostics of :func:`cjm_lab.personas.choose_k` drawn by :func:`plot_choose_k`, with the
#: direction that is better (``+1`` higher, ``-1`` lower), in panel order.
CHOOSE_K_METRICS: dict[str, int] = {
    "silhouette": +1,
    "calinski_harabasz": +1,
    "davies_bouldin": -1,
    "bic": -1,
    "aic": -1,
    "stability": +1,
    "entropy": +1,
    "inertia": -1,
}
_METRIC_ALIASES = {"stability": ("stability", "stability_ari", "mean_ari", "ari_stability")}
_LINE = "#004488"

_PERSONA_COLS = ("persona", "persona_id", "label", "segment", "cluster")
_TOTAL_NAMES = {"Total", "total", "(total)", "(all)", "Gesamt", "All"}


def _recommended_k(table: pd.DataFrame, recommended: Any) -> Any:
    if recommended is not None:
        return recommended
    if "recommended" in table:
        flag = table["recommended"]
        if pd.api.types.is_bool_dtype(flag.dtype):
            hit = table.loc[flag.fillna(False).astype(bool).to_numpy(), "k"]
            return hit.iloc[0] if len(hit) else None
        values = flag.dropna().unique()
        return values[0] if len(values) == 1 else None
    meta = table.attrs.get("cjm", {}) if isinstance(table.attrs.get("cjm"), Mapping) else {}
    for source in (meta, table.attrs):
        for key in ("recommended_k", "k_recommended"):
            if source.get(key) is not None:
                return source[key]
    return None


def _reason(table: pd.DataFrame, language: str, best: Any) -> str | None:
    meta = table.attrs.get("cjm", {}) if isinstance(table.attrs.get("cjm"), Mapping) else {}
    reason = meta.get("reason")
    if isinstance(reason, Mapping) and reason.get(language):
        return str(reason[language])
    if isinstance(reason, str) and reason:
        return reason
    for col in (f"reason_{language}", "reason"):
        if col in table:
            rows = table[finite(table["k"]) == float(best)] if best is not None else table
            vals = rows[col].dropna().astype(str)
            vals = vals[vals.str.len() > 0]
            if len(vals):
                return vals.iloc[0]
    return None


@validate_params({"language": [LANGUAGE]})
@styled
def plot_choose_k(
    table: pd.DataFrame,
    *,
    metrics: Sequence[str] | None = None,
    recommended: Any = None,
    language: str = "en",
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> Any:
    r"""``choose_k`` diagnostics: one panel per criterion against k, the recommended k marked.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.personas.choose_k`: ``k`` and any of ``silhouette``,
        ``calinski_harabasz``, ``davies_bouldin``, ``bic``, ``aic``, ``stability`` (with a
        band from ``stability_low``/``stability_high`` or ``stability_ci_low``/
        ``stability_ci_high``), ``entropy``, ``inertia``; ``recommended`` (true on the
        recommended row) and ``reason_en``/``reason_de``.  ``attrs["cjm"]`` may give
        ``recommended_k``, ``reason`` (``{"en": ..., "de": ...}``) and ``min_stability``
        (drawn as a dotted threshold).
    metrics : list of str, optional
        The criteria to draw (default: all of :data:`CHOOSE_K_METRICS` present).
    recommended : int, optional
        The k to mark (default: from ``recommended``).
    language : {"en", "de"}, default "en"
    title : str, optional
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per criterion with one line each; the recommended k has a dashed
        vertical line and a star on every line; the reason, when given, below.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.30, 0.28, 0.20],
    ...                   "stability": [0.90, 0.95, 0.70], "recommended": [False, True, False]})
    >>> fig = plot_choose_k(t, language="de")
    >>> [ax.get_title() for ax in fig.axes]
    ['Silhouette\n(höher ist besser)', 'Bootstrap-Stabilität (ARI)\n(höher ist besser)']
    >>> plt.close(fig)
    """
    where = "plot_choose_k()"
    check_table(table, {"k": "k"}, where=where, made_by="cjm_lab.personas.choose_k()")
    columns: dict[str, str] = {}
    for m in CHOOSE_K_METRICS:
        col = first_present(table, _METRIC_ALIASES.get(m, (m,)))
        if col is not None and table[col].notna().any():
            columns[m] = col
    if metrics is not None:
        unknown = [m for m in metrics if m not in columns]
        if unknown:
            raise CJMConfigError(
                f"`metrics` in {where} names {unknown[0]!r}, which the table does not have; "
                f"it has {', '.join(map(repr, columns)) or 'none of the criteria'}."
            )
        columns = {m: columns[m] for m in metrics}
    if not columns:
        raise CJMDataError(
            f"{where} found no criterion column in the table.",
            fix=f"Pass the result of cjm_lab.personas.choose_k() with any of {', '.join(CHOOSE_K_METRICS)}.",
        )
    k = finite(table["k"])
    order = np.argsort(k, kind="stable")
    t = table.iloc[order]
    k = k[order]
    best = _recommended_k(table, recommended)
    meta = table.attrs.get("cjm", {}) if isinstance(table.attrs.get("cjm"), Mapping) else {}
    n = len(columns)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=figsize or (3.6 * ncols + 0.6, 3.0 * nrows + 1.2), squeeze=False, layout="constrained"
    )
    for ax in axes.flat[n:]:
        ax.remove()
    for ax, (metric, col) in zip(axes.flat, columns.items()):
        v = finite(t[col])
        ax.plot(k, v, color=_LINE, marker="o", markersize=5, gid=metric)
        lo_col = first_present(t, (f"{col}_ci_low", f"{col}_low"))
        hi_col = first_present(t, (f"{col}_ci_high", f"{col}_high"))
        if lo_col is not None and hi_col is not None:
            ax.fill_between(k, finite(t[lo_col]), finite(t[hi_col]), color=_LINE, alpha=0.15, linewidth=0, gid="band")
        elif f"{col}_sd" in t:
            sd = finite(t[f"{col}_sd"])
            ax.fill_between(k, v - sd, v + sd, color=_LINE, alpha=0.15, linewidth=0)
        if best is not None and np.any(k == float(best)):
            ax.axvline(float(best), color=HIGHLIGHT, linestyle="--", linewidth=1.2, zorder=1, gid="recommended")
            ax.plot(
                [float(best)],
                v[k == float(best)],
                marker="*",
                markersize=15,
                color=HIGHLIGHT,
                markeredgecolor="white",
                linestyle="none",
                zorder=4,
            )
        threshold = meta.get(f"min_{metric}")
        if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
            ax.axhline(float(threshold), color="#777777", linestyle=":", linewidth=1.1, gid="threshold")
        better = "higher_better" if CHOOSE_K_METRICS[metric] > 0 else "lower_better"
        ax.set_title(f"{text(metric, language)}\n({text(better, language)})", fontsize=10)
        ax.set_xticks(k)
        ax.xaxis.set_major_formatter(number_formatter(0, language))
        ax.yaxis.set_major_formatter(number_formatter(None, language))
        ax.set_xlabel(text("k", language))
    head = title if title is not None else text("choose_k_title", language)
    if best is not None:
        head += " — " + text("recommended", language, k=format_number(best, 0, language))
    fig.suptitle(head, fontweight="bold", fontsize=12)
    reason = _reason(table, language, best)
    if reason:
        note = fig.supxlabel(textwrap.fill(reason, 30 * ncols + 20), x=0.01, ha="left", fontsize=8.5, color="#444444")
        note.set_gid("reason")
    return fig


def _persona_column(table: pd.DataFrame, persona: str | None, where: str) -> str:
    col = persona or first_present(table, _PERSONA_COLS)
    if col is None or col not in table:
        raise CJMDataError(
            f"{where} cannot find the persona column (looked for {', '.join(map(repr, _PERSONA_COLS))}).",
            fix="Pass `persona=` naming the column that holds the persona.",
        )
    return col


@validate_params({"language": [LANGUAGE], "center": [Real], "annotate": [BOOLEAN]})
@styled
def plot_persona_profile(
    table: Any,
    *,
    variables: Sequence[str] | None = None,
    value: str | None = None,
    persona: str | None = None,
    variable: str | None = None,
    ax: Any = None,
    language: str = "en",
    labels: Labels = None,
    variable_labels: Labels = None,
    persona_order: Sequence[Any] | None = None,
    title: str | None = None,
    center: float = 100.0,
    annotate: bool = True,
) -> Any:
    """Persona profiles as a heatmap of the index against the total (100 = average).

    Rows are the profile variables (or variable levels), columns the personas in label
    order with their persona colour above; cells diverge around 100 (blue below, red
    above), with the index written in and the significance mark of the profile (▲/▼)
    where the persona differs significantly from the rest.

    Parameters
    ----------
    table : PersonaProfile or DataFrame
        The result of :func:`cjm_lab.personas.profile` (its ``variables`` table): one row
        per persona × variable (× ``level`` for categories) with ``index``; the ``mark``
        column (▲/▼) is written after the index.  A table built otherwise may give a
        boolean ``significant`` column instead (drawn as ``*``).  Rows of a total
        (persona ``"Total"``) are left out.
    variables : list of str, optional
        The variables to show, in this order (default: all).
    value : str, optional
        The index column (default ``index``, else ``index_vs_total``).
    persona, variable : str, optional
        The persona and variable columns (default: found by name).
    ax : matplotlib Axes, optional
    language : {"en", "de"}, default "en"
    labels : Labels, codebook, dict or function, optional
        Display names of the personas (a :class:`~cjm_lab.labels.Labels` answers with its
        ``personas=``), see :func:`cjm_lab.labels.labeller`.
    variable_labels : Labels, codebook, dict or function, optional
        Display names of the variables (default the variable labels stored with ``table``).
    persona_order : list, optional
        Persona label order (default: categories, else sorted).
    title : str, optional
    center : float, default 100
        The index of the average.  The colours run from 0 to twice this (indices
        beyond take the strongest colour; the number in the cell stays exact).
    annotate : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
        One heatmap cell per row × persona.

    Examples
    --------
    >>> from cjm_lab.personas import profile
    >>> df = pd.DataFrame({"price": [5.0, 4, 5, 2, 1, 2], "eco": [1.0, 2, 1, 4, 5, 4]})
    >>> ax = plot_persona_profile(profile(df, [0, 0, 0, 1, 1, 1]), language="de")
    >>> ax.get_title(), ax.collections[0].get_array().size
    ('Persona-Profile: Index zum Gesamt (100 = Durchschnitt)', 4)
    >>> plt.close("all")
    """
    where = "plot_persona_profile()"
    table = getattr(table, "variables", table)
    pcol = _persona_column(table, persona, where)
    vcol = variable or first_present(table, ("variable", "trait", "feature", "attribute"))
    icol = value or first_present(table, ("index", "index_vs_total", "idx"))
    check_table(
        table,
        {"persona": pcol, "variable": vcol, "value": icol or "index"},
        where=where,
        made_by="cjm_lab.personas.profile()",
    )
    t = table[~table[pcol].astype(str).isin(_TOTAL_NAMES)]
    if variables is not None:
        unknown = [v for v in variables if v not in set(t[vcol])]
        if unknown:
            raise CJMConfigError(f"`variables` in {where} names {unknown[0]!r}, which the profile does not have.")
        t = t[t[vcol].isin(list(variables))]
        t = t.iloc[np.argsort([list(variables).index(v) for v in t[vcol]], kind="stable")]
    variable_labels = labeller(variable_labels, kind="column", data=table, language=language)
    labels = labeller(labels, kind="persona", language=language)
    level = first_present(t, ("level", "category", "value_label"))
    if level is not None and t[level].notna().any():
        rows = [
            f"{label_of(v, variable_labels)}: {lv}" if pd.notna(lv) and str(lv) != "" else label_of(v, variable_labels)
            for v, lv in zip(t[vcol], t[level])
        ]
    else:
        rows = [label_of(v, variable_labels) for v in t[vcol]]
    t = t.assign(_row=rows, _v=finite(t[icol]))
    mark_col = "mark" if "mark" in t else None
    sig_col = first_present(t, ("significant", "sig", "is_significant"))
    if mark_col is not None:
        marks = t[mark_col].fillna("").astype(str).str.strip()
    elif sig_col is not None:
        marks = np.where(t[sig_col].fillna(False).astype(bool), "*", "")
        marks = pd.Series(marks, index=t.index)
    else:
        marks = pd.Series("", index=t.index)
    t = t.assign(_mark=marks)
    order = list(persona_order) if persona_order is not None else category_order(t[pcol])
    row_order = list(dict.fromkeys(rows))
    grid = t.pivot_table(index="_row", columns=pcol, values="_v", aggfunc="first", observed=True, sort=False)
    grid = grid.reindex(index=row_order, columns=order).astype(float)
    annot = np.full(grid.shape, "", dtype=object)
    if annotate:
        stars = t.pivot_table(
            index="_row", columns=pcol, values="_mark", aggfunc="first", observed=True, sort=False
        ).reindex(index=row_order, columns=order)
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                v = grid.iat[i, j]
                if np.isfinite(v):
                    s = stars.iat[i, j]
                    annot[i, j] = format_number(v, 0, language) + (str(s) if pd.notna(s) else "")
    spread = np.nanmax(np.abs(grid.to_numpy() - center)) if np.isfinite(grid.to_numpy()).any() else 1.0
    spread = min(max(float(spread), 1.0), center) if center > 0 else max(float(spread), 1.0)
    names = [label_of(p, labels) for p in order]
    _, ax = get_ax(ax, (1.3 * len(order) + 3.5, 0.42 * len(row_order) + 2.2))
    frame = pd.DataFrame(
        grid.to_numpy(), index=row_order, columns=[textwrap.fill(n, 16, break_long_words=False) for n in names]
    )
    sns.heatmap(
        frame,
        ax=ax,
        cmap=DIVERGING_CMAP,
        vmin=center - spread,
        vmax=center + spread,
        annot=annot,
        fmt="",
        linewidths=0.6,
        linecolor="white",
        annot_kws={"fontsize": 8.5},
        cbar_kws={"format": number_formatter(0, language), "shrink": 0.8, "label": text("index", language)},
    )
    colors = persona_colors(persona_domain(t[pcol], persona_order))
    for j, p in enumerate(order):
        ax.add_patch(Rectangle((j + 0.06, -0.32), 0.88, 0.22, color=colors[p], clip_on=False, gid="persona_color"))
    ax.tick_params(axis="x", labelrotation=0, labeltop=True, labelbottom=False, bottom=False, top=False, pad=14)
    ax.tick_params(axis="y", left=False, labelrotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(False)
    ax.set_title(title if title is not None else text("profile_title", language), pad=16)
    shown = set(t["_mark"])
    notes = []
    if annotate and shown - {""}:
        notes.append(text("mark_note" if shown & {"▲", "▼"} else "sig_note", language))
    if "clustered_on" in t and t["clustered_on"].fillna(False).astype(bool).any():
        notes.append(text("clustered_note", language))
    if notes:
        ax.set_xlabel(" ")
        for note in notes:
            add_footnote(ax, note)
    return ax


def _card_value(row: pd.Series, names: Sequence[str], language: str) -> Any:
    for n in names:
        for key in (f"{n}_{language}", n):
            if key in row.index:
                v = row[key]
                if isinstance(v, (list, tuple, np.ndarray)):
                    return list(v)
                if v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v) != "":
                    return v
    return None


def _as_items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, Mapping):
        return [f"{k}: {v}" for k, v in value.items()]
    s = str(value)
    for sep in ("; ", "\n", " | "):
        if sep in s:
            return [p.strip() for p in s.split(sep) if p.strip()]
    return [s]


def _share_text(share: Any, language: str) -> str | None:
    if share is None:
        return None
    v = float(share)
    return format_percent(v * 100 if v <= 1 else v, 1, language)


@validate_params({"language": [LANGUAGE], "ncols": [WHOLE_NUMBER, None], "width": [WHOLE_NUMBER]})
@styled
def plot_persona_cards(
    cards: pd.DataFrame,
    *,
    language: str = "en",
    persona: str | None = None,
    ncols: int | None = None,
    labels: Labels = None,
    persona_order: Sequence[Any] | None = None,
    title: str | None = None,
    width: int = 52,
) -> Any:
    """Persona cards: one card per persona with name, size, traits, feelings, channels and story.

    Parameters
    ----------
    cards : DataFrame
        The result of :func:`cjm_lab.personas.persona_cards`, one row per persona.  Used
        when present (a ``<column>_<language>`` version wins): ``name`` (or
        ``suggested_name``), ``n``/``size``, ``share`` (0–1 or percent), ``traits`` (a
        list or text separated by ``"; "``), ``nps`` (with ``nps_ci_low``/``nps_ci_high``),
        ``satisfaction``, ``channels`` and ``narrative``.
    language : {"en", "de"}, default "en"
    persona : str, optional
        The persona column (default: found by name); sets the card colour.
    ncols : int, optional
        Cards per row (default up to 3).
    labels : Labels, codebook, dict or function, optional
        Display names of the personas when the table has no name (see
        :func:`cjm_lab.labels.labeller`).
    persona_order : list, optional
        Persona label order (for the colours).
    title : str, optional
    width : int, default 52
        Characters per line of the wrapped texts.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per card (``gid`` ``"persona_card"``).

    Examples
    --------
    >>> cards = pd.DataFrame({"persona": [0, 1], "name": ["Price hunters", "Advice seekers"],
    ...                       "n": [534, 387], "share": [0.58, 0.42], "nps": [-5.0, 37.0],
    ...                       "traits": [["price 4.5 (index 160)"], ["advice 4.4 (index 170)"]]})
    >>> fig = plot_persona_cards(cards, language="de")
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    where = "plot_persona_cards()"
    check_table(cards, {}, where=where, made_by="cjm_lab.personas.persona_cards()")
    pcol = persona or first_present(cards, _PERSONA_COLS)
    keys = list(cards[pcol]) if pcol is not None else list(range(len(cards)))
    domain = persona_domain(cards[pcol], persona_order) if pcol is not None else keys
    colors = persona_colors(domain + [k for k in keys if k not in set(domain)])
    n = len(cards)
    ncols = ncols or min(3, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 4.6 * nrows), squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.remove()
    for ax, (_, row), key in zip(axes.flat, cards.iterrows(), keys):
        ax.set_gid("persona_card")
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        color = colors[key]
        ax.add_patch(
            FancyBboxPatch(
                (0.0, 0.0),
                1.0,
                1.0,
                boxstyle="round,pad=0,rounding_size=0.03",
                fc="white",
                ec=LIGHT,
                lw=1.2,
                transform=ax.transAxes,
                clip_on=False,
            )
        )
        ax.add_patch(Rectangle((0.0, 0.84), 1.0, 0.16, fc=color, ec="none", transform=ax.transAxes))
        name = _card_value(row, ("name", "suggested_name", "persona_name", "label"), language)
        if name is None:
            name = label_of(key, labeller(labels, kind="persona", language=language))
        dark = _luminance(color) < 0.45
        ax.text(
            0.05,
            0.92,
            textwrap.fill(str(name), 34, max_lines=2, placeholder=" …"),
            ha="left",
            va="center",
            fontsize=11.5,
            fontweight="bold",
            color="white" if dark else INK,
            transform=ax.transAxes,
            gid="name",
        )
        lines: list[tuple[str, str]] = []
        size = _card_value(row, ("n", "size", "n_customers", "n_respondents"), language)
        share = _share_text(_card_value(row, ("share", "share_pct", "pct"), language), language)
        if size is not None or share is not None:
            parts = [p for p in (format_number(size, 0, language) if size is not None else None, share) if p]
            lines.append(("head", f"{text('size', language)}: " + " · ".join(parts)))
        nps = _card_value(row, ("nps",), language)
        sat = _card_value(row, ("satisfaction", "csat", "mean_satisfaction"), language)
        if nps is not None or sat is not None:
            bits = []
            if nps is not None:
                s = f"{text('nps', language)} {format_number(nps, 0, language, sign=True)}"
                lo, hi = _card_value(row, ("nps_ci_low",), language), _card_value(row, ("nps_ci_high",), language)
                if lo is not None and hi is not None:
                    s += f" [{format_number(lo, 0, language, sign=True)}; {format_number(hi, 0, language, sign=True)}]"
                bits.append(s)
            if sat is not None:
                bits.append(f"{text('satisfaction', language)} {format_number(sat, 1, language)}")
            lines.append(("head", f"{text('feelings', language)}: " + " · ".join(bits)))
        traits = _as_items(_card_value(row, ("traits", "key_traits", "top_traits"), language))
        if traits:
            lines.append(("head", text("traits", language) + ":"))
            for tr in traits[:5]:
                lines.append(("item", textwrap.fill(tr, width - 2, initial_indent="• ", subsequent_indent="  ")))
        channels = _as_items(_card_value(row, ("channels", "top_channels", "channel"), language))
        if channels:
            lines.append(("head", textwrap.fill(f"{text('channels', language)}: " + ", ".join(channels), width)))
        story = _card_value(row, ("narrative", "story", "description"), language)
        if story:
            lines.append(("story", textwrap.fill(str(story), width, max_lines=6, placeholder=" …")))
        y = 0.80
        for kind, content in lines:
            style: dict[str, Any] = {  # type: ignore[assignment]
                "head": {"fontsize": 9, "fontweight": "bold"},
                "item": {"fontsize": 8.8},
                "story": {"fontsize": 8.8, "style": "italic", "color": "#444444"},
            }[kind]
            ax.text(
                0.05, y, content, ha="left", va="top", transform=ax.transAxes, color=style.pop("color", INK), **style
            )
            y -= 0.052 * (content.count("\n") + 1) + (0.02 if kind != "item" else 0.005)
        if nps is not None:
            mark = NPS_COLORS["promoter"] if float(nps) >= 0 else NPS_COLORS["detractor"]
            ax.add_patch(Rectangle((0.0, 0.0), 0.02, 0.84, fc=mark, ec="none", transform=ax.transAxes))
    fig.suptitle(title if title is not None else text("cards_title", language), fontweight="bold", fontsize=12)
    return fig


def _luminance(color: str) -> float:
    from matplotlib.colors import to_rgb

    rgb = np.array(to_rgb(color))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ np.array([0.2126, 0.7152, 0.0722]))

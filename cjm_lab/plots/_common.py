"""Shared helpers of the chart functions (private)."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots.theme import (
    HIGHLIGHT,
    add_footnote,
    cjm_style,
    format_number,
    format_percent,
    persona_colors,
    persona_markers,
    text,
)

F = TypeVar("F", bound=Callable[..., Any])


def styled(func: F) -> F:
    """Run a chart function inside :func:`cjm_style` (its options are checked by its table)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with cjm_style():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def get_ax(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """The Figure and Axes to draw on: ``ax`` when given, else a new figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    if not hasattr(ax, "get_figure"):
        raise CJMConfigError(f"`ax` must be a matplotlib Axes, got {type(ax).__name__}.")
    return ax.get_figure(), ax


def check_table(
    table: Any, columns: Mapping[str, str | Sequence[str] | None], *, where: str, made_by: str
) -> pd.DataFrame:
    """Check that ``table`` is a non-empty DataFrame with ``columns``; name the function that makes it."""
    try:
        require_frame(table, where=where)
        require_columns(table, columns, where=where)
    except CJMDataError as err:
        raise CJMDataError(
            f"{err.problem} {where} draws the result of {made_by}.",
            column=err.column,
            fix=(err.fix + " " if err.fix else "") + f"Pass the DataFrame that {made_by} returns.",
        ) from None
    return table


def first_present(table: pd.DataFrame, candidates: Iterable[str]) -> str | None:
    """The first of ``candidates`` that is a column of ``table``."""
    for c in candidates:
        if c in table.columns:
            return c
    return None


def leading_columns(table: pd.DataFrame, before: str) -> list[str]:
    """The grouping columns that come before ``before`` (e.g. ``"n"`` in an NPS table)."""
    cols = list(table.columns)
    return cols[: cols.index(before)] if before in cols else []


def category_order(values: pd.Series) -> list[Any]:
    """Label order: a categorical's categories (those present), else sorted unique values."""
    present = values.dropna().unique().tolist()
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if c in set(present)]
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def persona_domain(values: pd.Series, order: Sequence[Any] | None = None) -> list[Any]:
    """All persona labels that fix the colours: ``order``, else all categories, else sorted labels."""
    if order is not None:
        return list(order)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return category_order(values)


def label_of(value: Any, labels: Mapping[Any, str] | Callable[[Any], str] | None) -> str:
    """A category's display text: ``labels[value]`` (mapping or function), else the value."""
    if labels is not None:
        if callable(labels) and not isinstance(labels, Mapping):
            return str(labels(value))
        if value in labels:
            return str(labels[value])
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, float) and float(value).is_integer():
        return str(int(value))
    return str(value)


def hatch(patch: Any, pattern: str | None, color: str = "#333333") -> None:
    """Hatch a patch with a dark hatch colour, keeping its edge colour."""
    if not pattern:
        return
    patch.set_hatch(pattern)
    if hasattr(patch, "set_hatchcolor"):
        patch.set_hatchcolor(color)


def level_text(confidence: float, language: str) -> str:
    """``"95%"`` / ``"95 %"`` for a confidence level."""
    pct = float(confidence) * 100
    return format_percent(pct, 0 if pct.is_integer() else 1, language)


def finite(values: Any) -> np.ndarray:
    """Values as float64 (nullable dtypes and None become NaN)."""
    return pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy()


def err_bars(v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Error bar lengths below and above (never negative; missing bounds draw nothing)."""
    below = np.nan_to_num(np.clip(v - lo, 0, None))
    above = np.nan_to_num(np.clip(hi - v, 0, None))
    return np.vstack([below, above])


def segment_styles(
    table: pd.DataFrame, segs: Sequence[str]
) -> tuple[pd.Series, list[Any], dict[Any, str], dict[Any, str]]:
    """One key per row for the segment columns (joined by " · " when several), the groups in
    order, and each group's persona colour and marker (a single segment column keeps all its
    categories, so a persona has the same colour in every chart).
    """
    key = table[list(segs)].astype(str).agg(" · ".join, axis=1) if len(segs) > 1 else table[segs[0]]
    groups = category_order(key)
    domain = persona_domain(key) if len(segs) == 1 else groups
    return key, groups, persona_colors(domain), persona_markers(domain)


def mark_median(
    ax: Any, value: float, language: str, *, decimals: int = 0, linewidth: float = 1.2, zorder: float = 2
) -> None:
    """A dashed vertical line at the median with its value written at the top (``gid`` ``"median"``)."""
    ax.axvline(value, color=HIGHLIGHT, linestyle="--", linewidth=linewidth, zorder=zorder, gid="median")
    ax.annotate(
        text("median", language, value=format_number(value, decimals, language)),
        (value, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -2),
        textcoords="offset points",
        va="top",
        fontsize=9,
        color=HIGHLIGHT,
        fontweight="bold",
    )


def add_footnotes(ax: Any, *notes: str | None) -> None:
    """:func:`~cjm_lab.plots.theme.add_footnote` for each note that is given (not None or empty), in order."""
    for note in notes:
        if note:
            add_footnote(ax, note)


def select_segment(table: pd.DataFrame, segs: list[str], segment: Any, where: str) -> pd.DataFrame:
    """Keep one segment of a table computed ``by=`` a segment column (``segment`` a value, or a tuple
    of values for several columns); a table without segments comes back whole.
    """
    if not segs:
        if segment is not None:
            raise CJMConfigError(f"`segment` in {where} needs a table computed with `by=`; this one has no segments.")
        return table
    if segment is None:
        if table[segs].drop_duplicates().shape[0] == 1:
            return table
        values = table[segs[0]].drop_duplicates().tolist()[:8]
        raise CJMConfigError(
            f"{where} draws one segment at a time, and the table has several in {segs[0]!r}: "
            f"{', '.join(map(repr, values))}. Pass `segment=` with one of them."
        )
    key = segment if isinstance(segment, tuple) else (segment,)
    if len(key) != len(segs):
        raise CJMConfigError(f"`segment` in {where} needs one value per segment column {segs!r}, got {segment!r}.")
    mask = np.ones(len(table), dtype=bool)
    for c, v in zip(segs, key):
        mask &= (table[c] == v).fillna(False).to_numpy()
    if not mask.any():
        raise CJMConfigError(
            f"`segment` {segment!r} does not occur in {segs[0]!r}; it has "
            f"{', '.join(map(repr, table[segs[0]].drop_duplicates().tolist()[:8]))}."
        )
    return table[mask]


# Native charts: a chart function that draws something PowerPoint has a chart type for says
# which kind and which columns of its table it drew, so the deck can redraw it natively
# (editable, data embedded) from the saved table.  Kept beside the Axes, never on the data.
_CHARTS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def remember_chart(
    ax: Any,
    kind: str,
    *,
    category: str | None,
    series: Sequence[str],
    pivot: str | None = None,
    sort: str | None = None,
    top: int | None = None,
) -> None:
    """Note on ``ax`` what a native PowerPoint chart of it needs (see :class:`cjm_lab.reports.manifest.Chart`)."""
    _CHARTS[ax] = {
        "kind": kind,
        "category": category,
        "series": [str(s) for s in series],
        "pivot": pivot,
        "sort": sort,
        "top": top,
    }


def chart_specs(figure: Any) -> list[dict[str, Any]]:
    """The native-chart notes of a figure's panels, in panel order (panels without one are left out)."""
    fig = getattr(figure, "figure", figure)
    return [{**_CHARTS[ax], "title": ax.get_title() or None} for ax in fig.get_axes() if ax in _CHARTS]

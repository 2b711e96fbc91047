"""The NPS explorer: filter the survey, see NPS with CI, its distribution and its drivers live."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cjm_lab._params import DONT_KNOW, LANGUAGE, WHOLE_NUMBER, InstanceOf, Interval, Real, renamed_args, validate_params
from cjm_lab._validate import dont_know_codes, require_columns, require_frame
from cjm_lab.errors import CJMConfigError
from cjm_lab.plots.theme import check_language, format_number
from cjm_lab.widgets._common import ALL, Explorer, escape, figure_png, table_html

__all__ = ["NPSView", "filter_responses", "nps_view", "nps_explorer"]

#: The base below which a group is flagged: positive (the explorer's threshold box starts at 1).
_MIN_BASE = Interval(Real, 0, None, closed="neither", example="50")
_COLUMNS = [InstanceOf((list, tuple), name="a list of column names"), None]
_FILTERS = {
    "waves": [InstanceOf((list, tuple, set, pd.Index), name="a list of waves"), None],
    "wave": [str],
    "date_range": [InstanceOf((list, tuple), name="a pair (start, end)"), None],
    "date": [str],
    "where": [InstanceOf(Mapping), None],
}

_T = {
    "en": {
        "title": "NPS explorer",
        "segment": "Break down by",
        "wave": "Waves",
        "dates": "Dates",
        "weighted": "weighted",
        "low": "Low base",
        "threshold": "Low base <",
        "headline": "NPS <b>{nps}</b> (95% CI {lo} to {hi}) · n = {n}",
        "low_note": "⚠ Low base: n = {n} is under {t}; read this NPS with care.",
        "low_segments": "⚠ Low base (n < {t}): {names}.",
        "no_drivers": "Drivers need at least {m} answers with every driver rating; this filter has {n}.",
        "drivers_none": "No driver ratings given.",
        "empty": "No responses match this filter.",
    },
    "de": {
        "title": "NPS-Explorer",
        "segment": "Aufgliedern nach",
        "wave": "Wellen",
        "dates": "Zeitraum",
        "weighted": "gewichtet",
        "low": "Kleine Basis",
        "threshold": "Kleine Basis <",
        "headline": "NPS <b>{nps}</b> (95-%-KI {lo} bis {hi}) · n = {n}",
        "low_note": "⚠ Kleine Basis: n = {n} liegt unter {t}; diesen NPS vorsichtig lesen.",
        "low_segments": "⚠ Kleine Basis (n < {t}): {names}.",
        "no_drivers": "Treiber brauchen mindestens {m} Antworten mit allen Treiber-Bewertungen; dieser Filter hat {n}.",
        "drivers_none": "Keine Treiber-Bewertungen angegeben.",
        "empty": "Keine Antworten für diesen Filter.",
    },
}


@dataclass
class NPSView:
    """What the NPS explorer shows for one setting of its controls.

    Attributes
    ----------
    data : DataFrame
        The filtered responses.
    total : DataFrame
        :func:`cjm_lab.survey.nps` of ``data`` (one ``Total`` row).
    by_segment : DataFrame or None
        :func:`cjm_lab.survey.nps` by the segment column (with its ``Total`` row).
    drivers : DataFrame or None
        :func:`cjm_lab.survey.key_drivers` on ``data``; ``None`` when no drivers are given or
        the base is below ``min_driver_base``.
    low_base : list
        The groups (``"Total"`` or segment values) whose base is flagged as low.
    headline : str
        NPS with its CI and base, as HTML, in the explorer's language.
    notes : list of str
        Low-base and driver notes.
    """

    data: pd.DataFrame
    total: pd.DataFrame
    by_segment: pd.DataFrame | None
    drivers: pd.DataFrame | None
    low_base: list[Any] = field(default_factory=list)
    headline: str = ""
    notes: list[str] = field(default_factory=list)


def _chosen(value: Any) -> list[Any] | None:
    """A filter value as a list of accepted values, or None for "keep all"."""
    if value is None or (isinstance(value, str) and value == ALL):
        return None
    if isinstance(value, (list, tuple, set, pd.Index)):
        values = [v for v in value if not (isinstance(v, str) and v == ALL)]
        return values if len(values) else None
    return [value]


@validate_params(_FILTERS)
def filter_responses(
    data: pd.DataFrame,
    *,
    waves: Sequence[Any] | None = None,
    wave: str = "wave",
    date_range: tuple[Any, Any] | None = None,
    date: str = "date",
    where: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The responses that pass the explorer's filters.

    Parameters
    ----------
    data : DataFrame
        Survey responses (and any segment or persona columns joined to them).
    waves : list, optional
        Keep these values of ``wave`` (``None``: all).
    wave : str, default "wave"
        The wave column (only read when ``waves`` is given).
    date_range : (start, end), optional
        Keep responses with ``start <= date <= end`` (either end may be ``None``); dates
        without a time zone are read as UTC when ``date`` holds UTC times.
    date : str, default "date"
        The date column (only read when ``date_range`` is given).
    where : mapping, optional
        Column → value or list of values to keep; ``None`` or ``"(all)"`` keeps every row.

    Returns
    -------
    DataFrame
        The matching rows (a copy), in their original order.

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10, 3, 9, 7], "wave": [1, 1, 2, 2],
    ...                    "persona": ["a", "b", "a", "b"]})
    >>> filter_responses(df, waves=[2], where={"persona": "a"})["recommend"].tolist()
    [9]
    """
    where_name = "filter_responses()"
    require_frame(data, where=where_name, min_rows=0)
    where = dict(where or {})
    cols: dict[str, Any] = {"where": list(where)}
    if waves is not None:
        cols["wave"] = wave
    if date_range is not None:
        cols["date"] = date
    require_columns(data, cols, where=where_name)
    keep = pd.Series(True, index=data.index)
    chosen_waves = _chosen(waves)
    if chosen_waves is not None:
        keep &= data[wave].isin(chosen_waves)
    if date_range is not None:
        dates = pd.to_datetime(data[date])
        tz = getattr(dates.dt, "tz", None)
        start, end = date_range

        def _stamp(value: Any) -> pd.Timestamp:
            ts = pd.Timestamp(value)
            if tz is not None and ts.tzinfo is None:
                ts = ts.tz_localize(tz)
            return ts

        if start is not None:
            keep &= dates >= _stamp(start)
        if end is not None:
            end_ts = _stamp(end)
            if end_ts == end_ts.normalize():  # a date: the whole day counts
                end_ts = end_ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
            keep &= dates <= end_ts
    for column, value in where.items():
        accepted = _chosen(value)
        if accepted is not None:
            keep &= data[column].isin(accepted)
    return data.loc[keep].copy()


@renamed_args({"segment": "by", "low_base": "min_base"})
@validate_params(
    {
        "dont_know": [DONT_KNOW, None],
        **_FILTERS,
        "min_base": [_MIN_BASE],
        "min_driver_base": [WHOLE_NUMBER],
        "language": [LANGUAGE],
    }
)
def nps_view(
    data: pd.DataFrame,
    *,
    score: str = "recommend",
    by: str | None = None,
    weight: str | None = None,
    drivers: Sequence[str] | None = None,
    dont_know: float | Sequence[float] | None = None,
    waves: Sequence[Any] | None = None,
    wave: str = "wave",
    date_range: tuple[Any, Any] | None = None,
    date: str = "date",
    where: Mapping[str, Any] | None = None,
    min_base: float = 50,
    min_driver_base: int = 100,
    language: str = "en",
) -> NPSView:
    """NPS with CI, distribution, drivers and low-base flags for one filter setting.

    The numbers are those of :func:`cjm_lab.survey.nps` and
    :func:`cjm_lab.survey.key_drivers` on :func:`filter_responses` of ``data``.

    Parameters
    ----------
    data : DataFrame
        Survey responses with the 0–10 ``score``.
    score, weight : str
        Columns of the recommend score and the (optional) survey weight.
    by : str, optional
        Column to break NPS down by (called ``segment`` before 0.2; the old name works until 0.3).
    drivers : list of str, optional
        Rating columns for the key-driver analysis (Shapley shares, 100 bootstrap draws).
    dont_know : number or list, optional
        "Don't know" codes of the driver ratings.
    waves, wave, date_range, date, where
        Filters, see :func:`filter_responses`.
    min_base : float, default 50
        Bases below this are flagged (called ``low_base`` before 0.2; the old name works until 0.3).
    min_driver_base : int, default 100
        Drivers are left out below this many complete answers.
    language : {"en", "de"}
        Language of the headline and notes.

    Returns
    -------
    NPSView

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10, 9, 8, 3, 10, 6] * 10, "wave": [1, 1, 1, 2, 2, 2] * 10})
    >>> v = nps_view(df, by="wave", waves=[1])
    >>> round(float(v.total["nps"].iloc[0]), 1), int(v.total["n"].iloc[0])
    (66.7, 30)
    >>> v.low_base
    ['Total', 1]
    """
    from cjm_lab.survey import key_drivers, nps

    lang = check_language(language)
    t = _T[lang]
    where_name = "nps_view()"
    require_frame(data, where=where_name)
    require_columns(
        data, {"score": score, "by": by, "weight": weight, "drivers": list(drivers or [])}, where=where_name
    )
    sub = filter_responses(data, waves=waves, wave=wave, date_range=date_range, date=date, where=where)
    if sub[score].notna().sum() == 0:
        raise CJMConfigError(t["empty"] + " Fix: widen the filter (more waves, a longer date range, all segments).")
    total = nps(sub, score=score, weight=weight, min_base=min_base)
    by_segment = nps(sub, score=score, by=by, weight=weight, min_base=min_base) if by else None
    row = total.iloc[0]
    n = int(row["n"])
    headline = t["headline"].format(
        nps=format_number(row["nps"], 1, lang),
        lo=format_number(row["ci_low"], 1, lang),
        hi=format_number(row["ci_high"], 1, lang),
        n=format_number(n, 0, lang),
    )
    flagged: list[Any] = []
    notes: list[str] = []
    if bool(row["low_base"]):
        flagged.append("Total")
        notes.append(t["low_note"].format(n=n, t=format_number(min_base, 0, lang)))
    if by_segment is not None:
        seg_low = by_segment.loc[by_segment["low_base"].astype(bool) & (by_segment[by] != "Total"), by]
        flagged.extend(seg_low.tolist())
        if len(seg_low):
            notes.append(
                t["low_segments"].format(t=format_number(min_base, 0, lang), names=", ".join(str(s) for s in seg_low))
            )
    kd = None
    if drivers:
        complete = int(sub[[score, *drivers]].dropna().shape[0])
        if dont_know is not None:
            codes = dont_know_codes(dont_know, None, where="nps_view()")
            complete = int(
                (~sub[list(drivers)].isin(codes).any(axis=1) & sub[[score, *drivers]].notna().all(axis=1)).sum()
            )
        if complete >= min_driver_base:
            kd = key_drivers(
                sub,
                outcome=score,
                drivers=list(drivers),
                weight=weight,
                dont_know=dont_know,
                bootstrap=100,
                random_state=0,
            )
        else:
            notes.append(t["no_drivers"].format(m=min_driver_base, n=complete))
    return NPSView(
        data=sub, total=total, by_segment=by_segment, drivers=kd, low_base=flagged, headline=headline, notes=notes
    )


def _options(values: pd.Series) -> list[Any]:
    uniq = pd.unique(values.dropna())
    try:
        return sorted(uniq.tolist())
    except TypeError:
        return [str(v) for v in uniq]


@renamed_args({"segments": "by", "low_base": "min_base"})
@validate_params(
    {
        "dont_know": [DONT_KNOW, None],
        "min_base": [_MIN_BASE],
        "language": [LANGUAGE],
    }
)
def nps_explorer(
    data: pd.DataFrame,
    *,
    score: str = "recommend",
    by: Sequence[str] | None = None,
    persona: str | None = None,
    filters: Sequence[str] = (),
    wave: str | None = "wave",
    date: str | None = "date",
    weight: str | None = None,
    drivers: Sequence[str] | None = None,
    dont_know: float | Sequence[float] | None = None,
    min_base: float = 50,
    language: str = "en",
) -> Explorer:
    """An interactive NPS explorer (ipywidgets) over survey responses.

    Controls: the column to break NPS down by (one of ``by``), the waves, a date range, a
    persona filter (and one filter per column in ``filters``), weighted/unweighted and the
    low-base threshold. Every change
    recomputes :func:`nps_view` and redraws the headline (NPS with CI, flagged when the
    base is low), the table by segment, the promoter/passive/detractor distribution and
    the key drivers.

    Parameters
    ----------
    data : DataFrame
        Survey responses (join personas or segments onto them first).
    score : str, default "recommend"
        The 0–10 recommend column.
    by : list of str, optional
        Columns offered in "Break down by" (the first is the default).  (Called ``segments``
        before 0.2; the old name works until 0.3.)
    persona : str, optional
        A column offered as a filter (e.g. the persona of each respondent).
    filters : list of str, optional
        Further segment columns offered as filters (e.g. region, age band); their
        controls are ``controls["filter_<column>"]``.
    wave, date : str or None
        Wave and date columns for the filters (``None`` or a missing column: no such filter).
    weight : str, optional
        Survey weight column (a "weighted" checkbox appears).
    drivers : list of str, optional
        Driver ratings for the key-driver chart.
    dont_know : number or list, optional
        "Don't know" codes of the driver ratings.
    min_base : float, default 50
        Initial low-base threshold (called ``low_base`` before 0.2; the old name works until 0.3).
    language : {"en", "de"}
        Language of the labels and charts.

    Returns
    -------
    Explorer
        An ipywidgets ``VBox``; ``.controls`` holds the controls, ``.result`` the latest
        :class:`NPSView`, ``.timings`` the seconds each update took.

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10, 9, 8, 3, 10, 6] * 20, "wave": [1, 1, 1, 2, 2, 2] * 20})
    >>> ex = nps_explorer(df, by=["wave"], date=None)
    >>> round(float(ex.result.total["nps"].iloc[0]), 1)
    16.7
    >>> ex.controls["waves"].value = (2,)
    >>> round(float(ex.result.total["nps"].iloc[0]), 1)
    -33.3
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cjm_lab.plots import plot_drivers, plot_nps, plot_nps_distribution

    lang = check_language(language)
    t = _T[lang]
    require_frame(data, where="nps_explorer()")
    segments = list(by or [])
    filters = [f for f in filters if f != persona]
    require_columns(
        data,
        {
            "score": score,
            "by": segments,
            "persona": persona,
            "filters": filters,
            "weight": weight,
            "drivers": list(drivers or []),
        },
        where="nps_explorer()",
    )
    wave = wave if wave and wave in data else None
    date = date if date and date in data else None
    controls: dict[str, Any] = {}
    style = {"description_width": "initial"}
    controls["segment"] = w.Dropdown(
        options=[("–", "")] + [(s, s) for s in segments],
        value=segments[0] if segments else "",
        description=t["segment"],
        style=style,
    )
    if wave:
        waves = _options(data[wave])
        controls["waves"] = w.SelectMultiple(
            options=waves,
            value=tuple(waves),
            description=t["wave"],
            rows=min(4, len(waves)),
            style=style,
            layout=w.Layout(width="200px"),
        )
    if date:
        dates = pd.to_datetime(data[date])
        if dates.dt.tz is not None:
            dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
        months = sorted(dates.dropna().dt.to_period("M").unique())
        if len(months) >= 2:
            opts = [(m.strftime("%m/%Y"), m) for m in months]
            controls["dates"] = w.SelectionRangeSlider(
                options=opts,
                index=(0, len(opts) - 1),
                description=t["dates"],
                style=style,
                layout=w.Layout(width="420px"),
            )
    if persona:
        controls["persona"] = w.Dropdown(
            options=[ALL, *_options(data[persona])],
            value=ALL,
            description=persona.replace("_", " ").capitalize(),
            style=style,
        )
    for column in filters:
        controls[f"filter_{column}"] = w.Dropdown(
            options=[ALL, *_options(data[column])],
            value=ALL,
            description=column.replace("_", " ").capitalize(),
            style=style,
        )
    if weight:
        controls["weighted"] = w.Checkbox(value=True, description=t["weighted"], indent=False)
    controls["low_base"] = w.BoundedIntText(
        value=max(1, round(min_base)),
        min=1,
        max=10_000,
        description=t["threshold"],
        style=style,
        layout=w.Layout(width="160px"),
    )
    outputs = {
        "headline": w.HTML(),
        "notes": w.HTML(),
        "table": w.HTML(),
        "nps": w.Image(format="png", layout=w.Layout(max_width="48%")),
        "distribution": w.Image(format="png", layout=w.Layout(max_width="48%")),
        "drivers": w.Image(format="png", layout=w.Layout(max_width="60%")),
        "drivers_note": w.HTML(),
    }
    row1 = [
        controls[k]
        for k in ("segment", "persona", *(f"filter_{f}" for f in filters), "weighted", "low_base")
        if k in controls
    ]
    row2 = [controls[k] for k in ("waves", "dates") if k in controls]
    layout = [
        w.HBox(row1),
        w.HBox(row2),
        outputs["headline"],
        outputs["notes"],
        w.HBox([outputs["nps"], outputs["distribution"]]),
        outputs["table"],
        outputs["drivers"],
        outputs["drivers_note"],
    ]
    ex = Explorer(title=t["title"], controls=controls, outputs=outputs, layout=layout, language=lang)

    def settings() -> dict[str, Any]:
        c = ex.controls
        out: dict[str, Any] = {
            "by": c["segment"].value or None,
            "min_base": c["low_base"].value,
            "weight": weight if ("weighted" in c and c["weighted"].value) else None,
        }
        if "waves" in c:
            out["waves"], out["wave"] = list(c["waves"].value), wave
        if "dates" in c:
            lo, hi = c["dates"].value
            out["date_range"] = (lo.start_time, hi.end_time)
            out["date"] = date
        where = {persona: c["persona"].value} if "persona" in c else {}
        where.update({column: c[f"filter_{column}"].value for column in filters})
        out["where"] = where
        return out

    def update(*_: Any) -> None:
        def work() -> None:
            view = nps_view(data, score=score, drivers=drivers, dont_know=dont_know, language=lang, **settings())
            ex.result = view
            o = ex.outputs
            o["headline"].value = f"<div style='font-size:18px' class='cjm-headline'>{view.headline}</div>"
            o["notes"].value = "".join(f"<div style='color:#BB5566'>{escape(n)}</div>" for n in view.notes)
            table = view.by_segment if view.by_segment is not None else view.total
            first = list(table.columns[:1]) if view.by_segment is not None else []  # the segment column
            cols = [
                *first,
                "n",
                "n_eff",
                "pct_promoters",
                "pct_passives",
                "pct_detractors",
                "nps",
                "ci_low",
                "ci_high",
                "low_base",
            ]
            o["table"].value = table_html(table[[c for c in cols if c in table]], flag="low_base")
            height = 0.45 * len(table) + 1.4
            fig, ax = plt.subplots(figsize=(5.5, height))
            plot_nps(table, ax=ax, language=lang)
            o["nps"].value = figure_png(fig)
            fig, ax = plt.subplots(figsize=(5.5, height))
            plot_nps_distribution(table, ax=ax, language=lang)
            o["distribution"].value = figure_png(fig)
            if view.drivers is not None:
                fig, ax = plt.subplots(figsize=(6, 0.4 * len(view.drivers) + 1.5))
                plot_drivers(view.drivers, ax=ax, language=lang)
                o["drivers"].value = figure_png(fig)
                o["drivers"].layout.display = None
                o["drivers_note"].value = ""
            else:
                o["drivers"].layout.display = "none"
                o["drivers_note"].value = escape(t["drivers_none"]) if not drivers else ""

        ex._run("nps", work)

    for control in controls.values():
        control.observe(update, names="value")
    ex.refresh = update
    update()
    return ex

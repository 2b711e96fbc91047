"""The journey explorer: choose start/end, funnel steps, window and segment; see the top paths
(Sankey), the funnel and the pain points update.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pandas as pd

from cjm_lab._params import (
    LANGUAGE,
    WHOLE_NUMBER,
    InstanceOf,
    Rule,
    StrOptions,
    called_from_package,
    renamed_args,
    validate_params,
    warn_changed,
)
from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys import cut_journeys
from cjm_lab.plots.theme import check_language, format_number, format_percent
from cjm_lab.widgets._common import ALL, Explorer, Progress, escape, figure_png, table_html

__all__ = ["JourneyView", "cut_journeys", "journey_view", "journey_explorer", "WINDOWS", "PARTS"]

#: Conversion windows offered by the explorer ("none": no window).
WINDOWS = ("none", "1D", "7D", "14D", "30D", "90D")
#: What :func:`journey_view` computes.
PARTS = ("paths", "funnel", "pain")

F = TypeVar("F", bound=Callable[..., Any])

_TABLE = [InstanceOf(pd.DataFrame), None]
_LEVEL = [StrOptions({"touchpoint": "touchpoints", "stage": "the stages of the catalogue"})]


def _segment_was_the_column(func: F) -> F:
    """Keep ``journey_view``'s names before 0.2 working: ``segment`` was the column (now ``by``)
    and ``segment_value`` the value shown (now ``segment``).

    ``segment`` without ``by`` can only be the old column (a value needs its column), so it
    is read as ``by`` with a ``FutureWarning`` until :data:`~cjm_lab._params.REMOVED_IN`.
    """
    where = "journey_view()"

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        old = None
        if "segment_value" in kwargs:
            value = kwargs.pop("segment_value")
            if "by" in kwargs:
                if "segment" in kwargs:
                    raise CJMConfigError(
                        f"{where}: pass `segment` or its old name `segment_value`, not both.",
                        function=where,
                        argument="segment",
                    )
                old = "`segment_value` is now called `segment`; pass segment=..."
            else:
                kwargs["by"] = kwargs.pop("segment", None)
                old = (
                    "`segment` (the column) is now called `by` and `segment_value` (the value shown) "
                    "is now called `segment`; pass by=..., segment=..."
                )
            kwargs["segment"] = value
        elif kwargs.get("segment") is not None and "by" not in kwargs:
            kwargs["by"] = kwargs.pop("segment")
            old = "`segment` (the column) is now called `by`, and `segment` is the value shown; pass by=..."
        if old and not called_from_package():
            warn_changed(where, old)
        return func(*args, **kwargs)

    wrapper.__cjm_params__ = func.__cjm_params__  # type: ignore[attr-defined]
    wrapper.__cjm_where__ = where  # type: ignore[attr-defined]
    wrapper.__cjm_renamed__ = {"segment_value": "segment", "segment": "by"}  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


_T = {
    "en": {
        "title": "Journey explorer",
        "level": "Level",
        "touchpoint": "touchpoint",
        "stage": "stage",
        "start": "From",
        "end": "To",
        "steps": "Funnel steps",
        "window": "Window",
        "segment": "Segment",
        "top": "Paths",
        "any": "(any)",
        "none": "none",
        "summary": "{n} of {total} journeys ({pct}) go from <b>{start}</b> to <b>{end}</b>.",
        "funnel": "{pct} of the journeys that start the funnel reach <b>{last}</b>.",
        "no_paths": "No journey goes from {start} to {end} in this selection.",
        "step_paths": "Cutting journeys and counting paths",
        "step_funnel": "Computing the funnel",
        "step_pain": "Ranking pain points (the slowest step on large logs)",
    },
    "de": {
        "title": "Journey-Explorer",
        "level": "Ebene",
        "touchpoint": "Kontaktpunkt",
        "stage": "Phase",
        "start": "Von",
        "end": "Bis",
        "steps": "Trichterstufen",
        "window": "Zeitfenster",
        "segment": "Segment",
        "top": "Pfade",
        "any": "(beliebig)",
        "none": "keins",
        "summary": "{n} von {total} Journeys ({pct}) führen von <b>{start}</b> zu <b>{end}</b>.",
        "funnel": "{pct} der Journeys, die den Trichter beginnen, erreichen <b>{last}</b>.",
        "no_paths": "Keine Journey führt in dieser Auswahl von {start} zu {end}.",
        "step_paths": "Journeys schneiden und Pfade zählen",
        "step_funnel": "Trichter berechnen",
        "step_pain": "Schmerzpunkte bewerten (bei großen Logs der langsamste Schritt)",
    },
}


@dataclass
class JourneyView:
    """What the journey explorer shows for one setting of its controls.

    Attributes
    ----------
    events : DataFrame
        The events of the chosen segment.
    paths : DataFrame
        The events from ``start`` to ``end`` (stage names as ``touchpoint`` at stage level), as
        :func:`cjm_lab.journeys.cut_journeys` returns them.
    variants : DataFrame
        :func:`cjm_lab.journeys.variants` of ``paths`` (the Sankey's input).
    n_journeys, n_selected : int
        Journeys in the segment, and those going from ``start`` to ``end``.
    funnel : DataFrame or None
        :func:`cjm_lab.journeys.funnel` over the steps (``None`` with fewer than two steps).
    pain_points : DataFrame
        :func:`cjm_lab.journeys.pain_points` of the segment (at the chosen level).
    """

    events: pd.DataFrame
    paths: pd.DataFrame
    variants: pd.DataFrame
    n_journeys: int
    n_selected: int
    funnel: pd.DataFrame | None
    pain_points: pd.DataFrame | None


@_segment_was_the_column
@validate_params(
    {
        "touchpoints": _TABLE,
        "survey": _TABLE,
        "level": _LEVEL,
        "window": [str, None],
        "top": [WHOLE_NUMBER],
        "parts": [
            Rule(
                lambda v: not isinstance(v, str) and set(v) <= set(PARTS),
                "a list of 'paths', 'funnel' and 'pain'",
                example='["paths", "funnel"]',
            )
        ],
        "previous": [InstanceOf(JourneyView), None],
        "language": [LANGUAGE],
        "progress": [Rule(callable, "a function"), None],
    }
)
def journey_view(
    events: pd.DataFrame,
    *,
    touchpoints: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    level: str = "touchpoint",
    start: str | None = None,
    end: str | None = None,
    steps: Sequence[str] | None = None,
    window: str | None = None,
    by: str | None = None,
    segment: Any = None,
    top: int = 10,
    parts: Sequence[str] = PARTS,
    previous: JourneyView | None = None,
    language: str = "en",
    progress: Callable[[int, int, str], None] | None = None,
) -> JourneyView:
    """Top paths, funnel and pain points for one setting of the journey explorer.

    Parameters
    ----------
    events : DataFrame
        Event log (with the segment column joined, e.g. each customer's persona).
    touchpoints : DataFrame, optional
        Catalogue (stages, departments, conversions).
    survey : DataFrame, optional
        Survey joined on ``customer_id`` for moments of truth in the pain points.
    level : {"touchpoint", "stage"}
        Level of start/end, the funnel steps and the pain points.
    start, end : str, optional
        Paths from the first ``start`` to the next ``end`` (see :func:`cjm_lab.journeys.cut_journeys`).
    steps : list of str, optional
        Funnel steps (touchpoints or stages); fewer than two: no funnel.
    window : str, optional
        Conversion window of the funnel (``"30D"``; ``None`` or ``"none"``: no window).
    by, segment : str, value, optional
        Keep the events whose ``by`` column equals ``segment`` (``"(all)"``: all).  (Called
        ``segment`` and ``segment_value`` before 0.2; the old names work until 0.3.)
    top : int, default 10
        Variants kept for the Sankey.
    parts : list, default all
        Which of ``"paths"``, ``"funnel"``, ``"pain"`` to compute; the others come from
        ``previous``.
    previous : JourneyView, optional
        A view computed before for the same segment.
    language : {"en", "de"}
        Language of the pain-point notes.
    progress : callable, optional
        Called as ``progress(done, total, text)`` before each part is computed (the explorer
        shows it as a progress bar naming the step).

    Returns
    -------
    JourneyView

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaabbc"),
    ...                    "timestamp": pd.date_range("2025-01-01", periods=6, freq="h", tz="UTC"),
    ...                    "touchpoint": ["Ad", "Shop", "Buy", "Ad", "Shop", "Shop"], "sequence": range(6)})
    >>> v = journey_view(ev, steps=["Ad", "Shop", "Buy"], start="Ad", parts=["paths", "funnel"])
    >>> v.n_selected, v.funnel["n_reached"].tolist()
    (2, [2, 2, 1])
    """
    lang = check_language(language)
    where = "journey_view()"
    require_frame(events, where=where)
    require_columns(events, {"by": by}, where=where)
    if segment is not None and not by:
        raise CJMConfigError(
            f"{where}: `segment` ({segment!r}) is a value of the column `by`, and no `by` is given. "
            "Fix: pass by=<the column>, segment=<its value>.",
            function=where,
            argument="segment",
        )
    if previous is None:
        parts = PARTS
    from cjm_lab import journeys as jm

    ev = events
    if by and segment is not None and not (isinstance(segment, str) and segment == ALL):
        ev = events.loc[events[by] == segment]
        if ev.empty:
            raise CJMConfigError(f"{where}: no events with {by} = {segment!r}. Fix: choose another segment or '(all)'.")
    window = None if window in (None, "", "none") else window
    opts = {"touchpoints": touchpoints} if touchpoints is not None else {}
    view = previous if previous is not None else JourneyView(ev, ev.iloc[:0], pd.DataFrame(), 0, 0, None, None)
    view = replace(view, events=ev)
    steps_done = Progress(progress, total=len([p for p in PARTS if p in parts]))
    if "paths" in parts:
        steps_done.step(_T[lang]["step_paths"])
        paths = cut_journeys(ev, start=start, end=end, level=level, touchpoints=touchpoints)
        n_total = int(ev["customer_id"].nunique())
        n_sel = int(paths["customer_id"].nunique())
        path_opts = opts if level == "touchpoint" else {}
        var = jm.variants(paths, top=top, **path_opts) if n_sel else pd.DataFrame(columns=["path", "n_journeys"])
        view = replace(view, paths=paths, variants=var, n_journeys=n_total, n_selected=n_sel)
    if "funnel" in parts:
        steps_done.step(_T[lang]["step_funnel"])
        fun = None
        if steps is not None and len(steps) >= 2:
            fun = jm.funnel(ev, steps=list(steps), window=window, level=level, **opts)
        view = replace(view, funnel=fun)
    if "pain" in parts:
        steps_done.step(_T[lang]["step_pain"])
        sv = survey
        if survey is not None:
            sv = survey.loc[survey["customer_id"].isin(ev["customer_id"].unique())]
        pain = jm.pain_points(
            ev, survey=sv if sv is not None and len(sv) else None, level=level, language=lang, **opts
        )  # a segment too small to rank lists its touchpoints unranked
        view = replace(view, pain_points=pain)
    return view


@renamed_args({"segment": "by"})
@validate_params(
    {
        "touchpoints": _TABLE,
        "survey": _TABLE,
        "window": [StrOptions(WINDOWS, note="'none': no window")],
        "top": [WHOLE_NUMBER],
        "language": [LANGUAGE],
    }
)
def journey_explorer(
    events: pd.DataFrame,
    *,
    touchpoints: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    by: str | None = None,
    steps: Sequence[str] | None = None,
    window: str = "30D",
    start: str | None = None,
    end: str | None = None,
    top: int = 8,
    language: str = "en",
) -> Explorer:
    """An interactive journey explorer (ipywidgets).

    Controls: the level (touchpoint or stage), where paths start and end, the funnel steps
    (in order), the conversion window, the segment (e.g. a persona) and the number of
    paths. A change recomputes only what it affects (:func:`journey_view` with ``parts``):
    start/end/paths redraw the Sankey, steps/window the funnel, level and segment all three.

    Parameters
    ----------
    events : DataFrame
        Event log; join the segment column (e.g. each customer's persona) first.
    touchpoints : DataFrame, optional
        Catalogue (stage level, labels, conversions, departments).
    survey : DataFrame, optional
        Survey for moments of truth in the pain points.
    by : str, optional
        Segment column of ``events`` offered as a filter (called ``segment`` before 0.2; the
        old name works until 0.3).
    steps : list of str, optional
        Funnel steps at the touchpoint level at the start (stage level: all stages).
    window : str, default "30D"
        Conversion window at the start (one of :data:`WINDOWS`).
    start, end : str, optional
        Start and end touchpoints of the paths at the start.
    top : int, default 8
        Paths in the Sankey at the start.
    language : {"en", "de"}

    Returns
    -------
    Explorer
        ``.result`` is the current :class:`JourneyView`.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaabbc"),
    ...                    "timestamp": pd.date_range("2025-01-01", periods=6, freq="h", tz="UTC"),
    ...                    "touchpoint": ["Ad", "Shop", "Buy", "Ad", "Shop", "Shop"], "sequence": range(6)})
    >>> ex = journey_explorer(ev, steps=["Ad", "Shop", "Buy"])
    >>> ex.result.funnel["n_reached"].tolist()
    [2, 2, 1]
    >>> ex.controls["start"].value = "Shop"
    >>> ex.result.n_selected
    3
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cjm_lab.plots import plot_funnel, sankey_static, touchpoint_labeller

    lang = check_language(language)
    t = _T[lang]
    require_frame(events, where="journey_explorer()")
    require_columns(
        events, {"events": ["customer_id", "timestamp", "touchpoint"], "by": by}, where="journey_explorer()"
    )
    label = touchpoint_labeller(touchpoints, lang)
    seen = pd.unique(events["touchpoint"].astype(str))
    if touchpoints is not None:
        tp_order = [tp for tp in touchpoints["touchpoint"].astype(str) if tp in set(seen)]
        stages = [
            str(s)
            for s in (
                touchpoints["stage"].cat.categories
                if hasattr(touchpoints["stage"], "cat")
                else pd.unique(touchpoints["stage"].astype(str))
            )
        ]
    else:
        tp_order, stages = sorted(seen), []
    nodes = {"touchpoint": tp_order, "stage": stages}
    default_steps = {"touchpoint": list(steps or tp_order[:3]), "stage": stages}
    style = {"description_width": "initial"}

    def node_options(level: str) -> list[tuple[str, str]]:
        return [(t["any"], "")] + [(label(n), n) for n in nodes[level]]

    levels = [(t["touchpoint"], "touchpoint")] + ([(t["stage"], "stage")] if stages else [])
    controls: dict[str, Any] = {
        "level": w.ToggleButtons(options=levels, value="touchpoint", description=t["level"], style=style),
        "start": w.Dropdown(options=node_options("touchpoint"), value=start or "", description=t["start"], style=style),
        "end": w.Dropdown(options=node_options("touchpoint"), value=end or "", description=t["end"], style=style),
        "top": w.IntSlider(value=top, min=3, max=15, description=t["top"], continuous_update=False, style=style),
        "steps": w.TagsInput(
            value=default_steps["touchpoint"],
            allowed_tags=nodes["touchpoint"],
            allow_duplicates=False,
            layout=w.Layout(width="95%"),
        ),
        "window": w.Dropdown(
            options=[(t["none"] if x == "none" else x, x) for x in WINDOWS],
            value=window,
            description=t["window"],
            style=style,
        ),
    }
    if by:
        values = sorted(pd.unique(events[by].dropna()).tolist(), key=str)
        controls["segment"] = w.Dropdown(
            options=[ALL, *values],
            value=ALL,
            description=by.replace("_", " ").capitalize() or t["segment"],
            style=style,
        )
    outputs = {
        "summary": w.HTML(),
        "sankey": w.Image(format="png", layout=w.Layout(max_width="95%")),
        "funnel_text": w.HTML(),
        "funnel": w.Image(format="png", layout=w.Layout(max_width="70%")),
        "pain": w.HTML(),
    }
    row1 = [controls["level"]] + ([controls["segment"]] if by else [])
    layout = [
        w.HBox(row1),
        w.HBox([controls["start"], controls["end"], controls["top"]]),
        outputs["summary"],
        outputs["sankey"],
        w.HBox([w.HTML(f"<b>{escape(t['steps'])}</b>&nbsp;"), controls["steps"]]),
        controls["window"],
        outputs["funnel_text"],
        outputs["funnel"],
        outputs["pain"],
    ]
    ex = Explorer(title=t["title"], controls=controls, outputs=outputs, layout=layout, language=lang)
    busy = {"switching": False}
    pain_cache: dict[tuple, pd.DataFrame | None] = {}

    def draw(view: JourneyView, parts: Sequence[str], level: str) -> None:
        o = ex.outputs
        c = ex.controls
        if "paths" in parts:
            s_name = label(c["start"].value) if c["start"].value else t["any"]
            e_name = label(c["end"].value) if c["end"].value else t["any"]
            pct = format_percent(100 * view.n_selected / max(view.n_journeys, 1), 1, lang)
            o["summary"].value = (
                "<div class='cjm-paths-summary'>"
                + t["summary"].format(
                    n=format_number(view.n_selected, 0, lang),
                    total=format_number(view.n_journeys, 0, lang),
                    pct=pct,
                    start=escape(s_name),
                    end=escape(e_name),
                )
                + "</div>"
            )
            if view.n_selected:
                fig, ax = plt.subplots(figsize=(12, 5.5))
                sankey_static(view.variants, top=c["top"].value, ax=ax, language=lang, touchpoints=touchpoints)
                o["sankey"].value = figure_png(fig, dpi=70)
                o["sankey"].layout.display = None
            else:
                o["sankey"].layout.display = "none"
                o["summary"].value += escape(t["no_paths"].format(start=s_name, end=e_name))
        if "funnel" in parts:
            if view.funnel is not None:
                last = view.funnel.iloc[-1]
                pct = format_percent(last["pct_of_start"], 1, lang)
                o["funnel_text"].value = t["funnel"].format(pct=pct, last=escape(label(last["step"])))
                fig, ax = plt.subplots(figsize=(8, 3.8))
                plot_funnel(view.funnel, ax=ax, language=lang, touchpoints=touchpoints)
                o["funnel"].value = figure_png(fig)
                o["funnel"].layout.display = None
            else:
                o["funnel_text"].value = ""
                o["funnel"].layout.display = "none"
        if "pain" in parts and view.pain_points is not None:
            pp = view.pain_points.head(8)
            unit = "touchpoint" if level == "touchpoint" else "stage"
            cols = [unit, "department", "main_issue", "pain_score", "note"]
            shown = pp[[col for col in cols if col in pp]].copy()
            shown[unit] = shown[unit].map(lambda v: label(v))
            o["pain"].value = table_html(shown, digits=1)

    def update(parts: Sequence[str]) -> None:
        if busy["switching"]:
            return

        def work() -> None:
            c = ex.controls
            level = c["level"].value
            seg_value = c["segment"].value if by else None
            key = (level, seg_value)  # pain points depend on the level and segment only: kept per pair
            todo = [p for p in parts if not (p == "pain" and key in pain_cache and ex.result is not None)]
            view = journey_view(
                events,
                touchpoints=touchpoints,
                survey=survey,
                level=level,
                start=c["start"].value or None,
                end=c["end"].value or None,
                steps=list(c["steps"].value),
                window=c["window"].value,
                by=by,
                segment=seg_value,
                top=max(c["top"].value, 15),
                parts=todo,
                previous=ex.result,
                language=lang,
                progress=ex._progress,
            )
            if "pain" in parts:
                if key in pain_cache:
                    view = replace(view, pain_points=pain_cache[key])
                pain_cache[key] = view.pain_points
            ex.result = view
            draw(view, parts, level)

        ex._run("+".join(parts), work)

    def on_level(change: dict) -> None:
        level = change["new"]
        busy["switching"] = True
        try:
            for name in ("start", "end"):
                ex.controls[name].options = node_options(level)
                ex.controls[name].value = ""
            ex.controls["steps"].allowed_tags = nodes[level]
            ex.controls["steps"].value = default_steps[level]
        finally:
            busy["switching"] = False
        update(PARTS)

    controls["level"].observe(on_level, names="value")
    for name in ("start", "end"):
        controls[name].observe(lambda _c: update(["paths"]), names="value")
    controls["top"].observe(lambda _c: update(["paths"]), names="value")
    for name in ("steps", "window"):
        controls[name].observe(lambda _c: update(["funnel"]), names="value")
    if by:
        controls["segment"].observe(lambda _c: update(PARTS), names="value")
    ex.refresh = lambda *_: update(PARTS)
    update(PARTS)
    return ex

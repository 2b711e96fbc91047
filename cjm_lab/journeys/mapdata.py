"""What a customer journey map shows, computed once: touchpoints and stages with reach, drop-off, feeling, pain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cjm_lab._params import ALPHA, COUNT, LANGUAGE, InstanceOf
from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys.build import RENAMED_OPTIONS, journey_analysis
from cjm_lab.journeys.painpoints import PAIN_POINTS_ATTR, PAIN_RENAMES, pain_points

__all__ = ["JourneyMapData", "journey_map_data"]


@dataclass(frozen=True)
class JourneyMapData:
    """The content of one or more journey maps (one per segment when ``by`` was given).

    Attributes
    ----------
    touchpoints : DataFrame
        One row per (segment,) touchpoint: ``stage``, ``department``, ``kind``, ``label_de``
        (when the catalogue has it), ``reach_pct``, ``drop_off_pct``, ``nps_met``,
        ``pain_rank`` (1 = worst, only for the top ``top_pain``), ``moment_of_truth`` (bool),
        ``main_issue``, ``note``, and all pain-point columns.
    stages : DataFrame
        One row per (segment,) stage in journey order: ``reach_pct``, ``nps_met`` (the
        emotion curve), ``n_respondents_met``.
    stage_order : list of str
        The catalogue's stages in order.
    segment : str or None
        The segment column, when maps are per segment.
    """

    touchpoints: pd.DataFrame
    stages: pd.DataFrame
    stage_order: list[str]
    segment: str | None
    language: str = "en"

    def segments(self) -> list[Any]:
        """The segments in the data (``[None]`` for a single map)."""
        if self.segment is None:
            return [None]
        return list(dict.fromkeys(self.touchpoints[self.segment]))

    def for_segment(self, value: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The touchpoint and stage rows of one segment."""
        if self.segment is None:
            return self.touchpoints, self.stages
        if value not in set(self.touchpoints[self.segment]):
            raise CJMConfigError(f"No map for {self.segment!r} = {value!r}; segments: {self.segments()}.")
        tp = self.touchpoints[self.touchpoints[self.segment] == value]
        st = self.stages[self.stages[self.segment] == value]
        return tp, st


@journey_analysis(
    {"top_pain": [COUNT], "alpha": [ALPHA], "language": [LANGUAGE], "pain": [InstanceOf(pd.DataFrame), None]},
    renames={**RENAMED_OPTIONS, **PAIN_RENAMES},  # options passed on to pain_points
)
def journey_map_data(
    events: Any,
    *,
    touchpoints: pd.DataFrame,
    survey: pd.DataFrame | None = None,
    by: str | None = None,
    top_pain: int = 5,
    alpha: float = 0.05,
    language: str = "en",
    pain: pd.DataFrame | None = None,
    engine: Engine | None = None,
    **pain_options: Any,
) -> JourneyMapData:
    """Compute what a customer journey map shows, for the whole log or per segment.

    Parameters
    ----------
    events : DataFrame or path
        The event log (see :func:`cjm_lab.journeys.build_journeys`).
    touchpoints : DataFrame
        The catalogue (stages in order, departments, kinds); required for a map.
    survey : DataFrame, optional
        Survey joined on ``customer_id``: the feeling (NPS of those who met a touchpoint or
        stage, before answering) and the moments of truth.
    by : str, optional
        A segment column of the log (e.g. ``persona``): one map per segment.
    top_pain : int, default 5
        How many of the worst pain points a map flags.
    alpha : float, default 0.05
        Significance for moments of truth.
    language : {"en", "de"}
        Language of the pain-point notes the map shows.
    pain : DataFrame, optional
        The touchpoint pain-point table already computed with
        :func:`cjm_lab.journeys.pain_points` on the same events with the same ``touchpoints``,
        ``survey``, ``by``, ``alpha``, ``language`` and options: the map uses it instead of
        ranking the pain points again (a report that shows the table and the map ranks once).
        A table from :func:`~cjm_lab.journeys.pain_points` records its ``by``, ``level``,
        ``language`` and ``alpha`` (``pain.attrs["cjm_pain_points"]``); one computed otherwise
        than this map raises :class:`~cjm_lab.errors.CJMConfigError`, and a table with
        several rows per (segment,) touchpoint :class:`~cjm_lab.errors.CJMDataError`.
    {journey_options}
    **pain_options
        Passed to :func:`cjm_lab.journeys.pain_points` (``promised``, ``lookback``,
        ``score``, ``scale``, ``outcome`` …).

    Returns
    -------
    JourneyMapData

    Raises
    ------
    CJMConfigError
        No catalogue, a bad ``top_pain``, or a ``pain`` table computed with another ``by``,
        ``level``, ``language`` or ``alpha``.
    CJMDataError
        A ``pain`` table without the columns the map needs or with several rows per
        (segment,) touchpoint.

    Examples
    --------
    >>> from cjm_lab.sample import make_sample
    >>> s = make_sample(customers=400, random_state=1)
    >>> data = journey_map_data(s.events, touchpoints=s.touchpoints, survey=s.survey)
    >>> data.stage_order
    ['research', 'comparison', 'purchase', 'experience', 'loyalty']
    >>> int(data.touchpoints["pain_rank"].max())
    5
    """
    if touchpoints is None or "stage" not in getattr(touchpoints, "columns", []):
        raise CJMConfigError(
            "journey_map_data() needs the touchpoint catalogue (`touchpoints=` from load_touchpoints)."
        )
    options = {"survey": survey, "by": by, "alpha": alpha, "language": language, "engine": engine, **pain_options}
    if pain is None:
        tp = pain_points(events, touchpoints=touchpoints, **options)
    else:
        _check_pain(pain, by=by, language=language, alpha=alpha)
        tp = pain.copy()
    st = pain_points(events, touchpoints=touchpoints, level="stage", **options)
    order = (
        [str(s) for s in touchpoints["stage"].cat.categories]
        if isinstance(touchpoints["stage"].dtype, pd.CategoricalDtype)
        else list(dict.fromkeys(touchpoints["stage"].astype(str)))
    )
    extra = [c for c in ("label_de", "label_en") if c in touchpoints.columns]
    if extra:
        tp = tp.merge(touchpoints[["touchpoint", *extra]].astype({"touchpoint": "str"}), on="touchpoint", how="left")
    segs = [by] if by else []
    tp["pain_rank"] = tp["rank"].where(tp["rank"] <= top_pain).astype("Int64") if top_pain else pd.NA
    mot = pd.Series(False, index=tp.index)
    if "detractor_p_adjusted" in tp.columns:
        mot |= (tp["detractor_p_adjusted"] < alpha) & (tp["detractor_odds_ratio"] > 1)
    if "late_detractor_p_adjusted" in tp.columns:
        mot |= (tp["late_detractor_p_adjusted"] < alpha) & (tp["late_odds_ratio"] > 1)
    tp["moment_of_truth"] = mot.fillna(False).astype(bool)
    st["stage"] = pd.Categorical(st["stage"].astype(str), categories=order, ordered=True)
    st = st.sort_values([*segs, "stage"]).reset_index(drop=True)
    keep = [*segs, "stage", "n_journeys", "reach_pct"] + [
        c for c in ("nps_met", "n_respondents_met") if c in st.columns
    ]
    return JourneyMapData(
        touchpoints=tp.reset_index(drop=True), stages=st[keep], stage_order=order, segment=by, language=language
    )


def _check_pain(pain: Any, *, by: str | None, language: str, alpha: float) -> None:
    """Refuse a pain-point table the map cannot use as it stands (see ``journey_map_data(pain=)``)."""
    where = "journey_map_data(pain=)"
    require_frame(pain, where=where)
    made = pain.attrs.get(PAIN_POINTS_ATTR)
    if isinstance(made, dict):
        wanted = {"by": by, "level": "touchpoint", "language": language, "alpha": alpha}
        differ = [key for key, value in wanted.items() if key in made and not _same(made[key], value)]
        if differ:
            was = ", ".join(f"{key}={made[key]!r}" for key in differ)
            now = ", ".join(f"{key}={wanted[key]!r}" for key in differ)
            own = ", ".join(f"{key}={made[key]!r}" for key in differ if key != "level")
            also = f", or call journey_map_data(..., {own}) as the table" if own else ""
            raise CJMConfigError(
                f"{where}: the pain-point table was computed with {was}, but the map needs {now}, so it would "
                f"show the wrong pain points. Fix: pass the table of pain_points(..., {now}){also} — or leave "
                "out `pain=` to rank the pain points again."
            )
    segs = [by] if by else []
    require_columns(pain, {"pain": ["touchpoint", "rank", "stage", *segs]}, where=where)
    repeated = pain.duplicated([*segs, "touchpoint"], keep=False)
    if repeated.any():
        key = " and ".join(map(repr, [*segs, "touchpoint"]))
        raise CJMDataError(
            f"{where}: the pain-point table has several rows per {key}; the map needs one per "
            f"{'segment and ' if segs else ''}touchpoint.",
            column="touchpoint",
            rows=list(pain.index[repeated]),
            values=list(pain.loc[repeated, "touchpoint"]),
            fix="pass the table of pain_points(..., level='touchpoint') computed with the same `by` as the map "
            "(a table computed per segment needs by= with its segment column).",
        )


def _same(recorded: Any, value: Any) -> bool:
    """Whether a recorded option equals the call's (numbers compared as numbers)."""
    if isinstance(recorded, (int, float)) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(recorded) == float(value)
    return recorded == value

"""Persona profiles: size, means and shares, index against the total, significance, traits, NPS.

Each persona is compared with the *rest* of the customers (not with a total that
contains it): numeric variables by a weighted Welch t-test, category shares by a
two-proportion z-test, both on Kish effective bases, with Benjamini–Hochberg
correction over all tests.  Variables the personas were clustered on differ by
construction, so they get no significance mark (``clustered_on``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._format import format_number, format_percent
from cjm_lab._params import ALPHA, RANGE, WHOLE_NUMBER, Interval, Real, StrOptions, validate_params
from cjm_lab._validate import numeric_column, positive_weights, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.survey.nps import RESCALE

__all__ = ["PersonaProfile", "profile", "persona_labels", "variable_label", "resolve_id"]

_VAR_COLUMNS = [
    "persona",
    "variable",
    "level",
    "role",
    "statistic",
    "value",
    "total",
    "index",
    "difference",
    "effect",
    "n",
    "n_missing",
    "p_value",
    "p_adjusted",
    "mark",
    "clustered_on",
]
_TRAIT_COLUMNS = [
    "persona",
    "rank",
    "variable",
    "level",
    "direction",
    "value",
    "total",
    "index",
    "effect",
    "text_en",
    "text_de",
    "short_en",
    "short_de",
]
#: Up and down marks of significant differences.
MARK_UP, MARK_DOWN = "▲", "▼"


@dataclass
class PersonaProfile:
    """The tidy tables of :func:`profile`.

    Attributes
    ----------
    sizes : DataFrame
        ``persona, n, weight, share, n_eff``.
    variables : DataFrame
        One row per persona × variable (× level for categories): ``persona, variable,
        level, role, statistic`` (``"mean"`` or ``"pct"``), ``value``, ``total``,
        ``index`` (100 = average), ``difference`` (value − total), ``effect``
        (standardised difference), ``n``, ``n_missing``, ``p_value``, ``p_adjusted``
        (persona vs rest, BH), ``mark`` (▲/▼ where significant), ``clustered_on``.
    traits : DataFrame
        The most distinctive traits per persona, ranked by |effect|, with texts in English
        and German (``text_*`` long, ``short_*`` for names).
    nps : DataFrame or None
        NPS per persona (plus a total row) from :func:`cjm_lab.survey.nps`, with the
        persona-vs-rest test (``p_adjusted``, ``significant``); None without a survey.
    journeys : DataFrame or None
        The most frequent journeys per persona (``cjm_lab.journeys.variants`` by persona).
    """

    sizes: pd.DataFrame
    variables: pd.DataFrame
    traits: pd.DataFrame
    nps: pd.DataFrame | None = None
    journeys: pd.DataFrame | None = None

    @validate_params({"value": [StrOptions(("index", "value", "difference", "effect"))]})
    def table(self, value: str = "index") -> pd.DataFrame:
        """Wide view: one row per variable (and level), one column per persona.

        ``value`` is ``"index"``, ``"value"``, ``"difference"`` or ``"effect"``; with
        ``"index"`` or ``"value"`` the significance mark is appended as text.

        Examples
        --------
        >>> df = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "p": [0, 0, 0, 1, 1, 1]})
        >>> profile(df, "p").table("value")
        persona      0    1
        variable level
        x        -    2.0  5.0
        """
        v = self.variables.copy()
        v["level"] = v["level"].fillna("-").astype(str)
        wide = v.pivot_table(index=["variable", "level"], columns="persona", values=value, sort=False, aggfunc="first")
        return wide.round(2)


def persona_labels(labels: Any, data: pd.DataFrame, *, where: str) -> pd.Series:
    """Labels as a Series aligned with ``data``: a column name, a fitted PersonaModel or values."""
    if isinstance(labels, str):
        require_columns(data, {"labels": labels}, where=where)
        out = data[labels]
    else:
        if hasattr(labels, "labels_") and hasattr(labels, "fit"):
            values = np.asarray(labels.labels_)
        else:
            values = labels.to_numpy() if isinstance(labels, pd.Series) else np.asarray(labels)
        if values.ndim != 1:
            raise CJMConfigError(
                f"{where}: `labels` must be a column name, a fitted PersonaModel or one label per row."
            )
        if len(values) != len(data):
            raise CJMDataError(
                f"{where}: {len(values)} persona labels for {len(data)} rows.",
                fix="Pass the labels of exactly these rows (model.labels_ or model.predict(data)).",
            )
        out = pd.Series(values, index=data.index)
    if out.isna().any():
        rows = list(data.index[out.isna().to_numpy()][:5])
        raise CJMDataError(
            f"{where}: {int(out.isna().sum())} row(s) have no persona.",
            column="labels",
            rows=rows,
            fix="Assign every row with model.predict(data), or drop the unassigned rows first.",
        )
    return out.rename("persona")


def labels_and_weights(data: Any, labels: Any, weight: str | None, *, where: str) -> tuple[pd.Series, np.ndarray]:
    """The checks :func:`profile` and :func:`~cjm_lab.personas.persona_cards` share: ``data`` is a
    DataFrame, ``labels`` give every row a persona (:func:`persona_labels`), and ``weight``
    (optional) is a complete, positive numeric column.  Returns the labels and one weight per row.
    """
    require_frame(data, where=where)
    lab = persona_labels(labels, data, where=where)
    return lab, positive_weights(data, weight, where=where)


def variable_label(variable: str, labels: Any, language: str) -> str:
    """A variable's label in the language.

    From a :class:`~cjm_lab.labels.Labels`, or a mapping of text or of ``{"en": ..., "de": ...}``.
    """
    from cjm_lab.labels import Labels

    if isinstance(labels, Labels):
        return labels.column(variable, language=language)
    if not labels or variable not in labels:
        return str(variable)
    lab = labels[variable]
    if isinstance(lab, Mapping):
        return str(lab.get(language) or lab.get("en") or variable)
    return str(lab)


def resolve_id(data: pd.DataFrame, id_column: str | None, *, other: pd.DataFrame | None = None) -> str | None:
    """The id column: as given, or with ``"auto"`` the respondent or customer id role.

    With ``"auto"``: a column mapped to ``customer_id`` or ``respondent_id`` when loading (the
    metadata's roles), else a column of that name; with ``other`` (a survey to join) the first
    id both tables have.  None when there is none.
    """
    if id_column != "auto":
        return id_column
    from cjm_lab.io.metadata import table_metadata

    roles = ("customer_id", "respondent_id")
    found = [r for r in roles if r in data.columns]
    for role in (table_metadata(data).get("roles") or {}).values():
        if role in roles and role in data.columns and role not in found:
            found.append(role)
    if other is not None:
        shared = [c for c in found if c in other.columns]
        if shared:
            return shared[0]
    return found[0] if found else None


def _kind(s: pd.Series) -> str:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return "ordinal" if s.dtype.ordered else "categorical"
    if pd.api.types.is_bool_dtype(s.dtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(s.dtype):
        return "numeric"
    return "categorical"


def _group_sums(codes: np.ndarray, k: int, *arrays: np.ndarray) -> list[np.ndarray]:
    return [np.bincount(codes, weights=a, minlength=k) for a in arrays]


def _numeric_rows(x: np.ndarray, codes: np.ndarray, k: int, w: np.ndarray) -> dict[str, np.ndarray]:
    ok = ~np.isnan(x)
    wo = np.where(ok, w, 0.0)
    x0 = np.where(ok, x, 0.0)
    sw, sw2, swx, swxx, cnt = _group_sums(codes, k, wo, wo**2, wo * x0, wo * x0**2, ok.astype(float))
    miss = np.bincount(codes, weights=(~ok).astype(float), minlength=k)
    tw, tw2, twx, twxx = sw.sum(), sw2.sum(), swx.sum(), swxx.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = swx / sw
        var = np.maximum(swxx / sw - mean**2, 0.0)
        t_mean = twx / tw
        t_sd = np.sqrt(max(twxx / tw - t_mean**2, 0.0))
        rw, rw2, rwx, rwxx = tw - sw, tw2 - sw2, twx - swx, twxx - swxx
        r_mean = rwx / rw
        r_var = np.maximum(rwxx / rw - r_mean**2, 0.0)
        n1, n2 = sw**2 / sw2, rw**2 / rw2
        a, b = var / np.maximum(n1 - 1, 1e-12), r_var / np.maximum(n2 - 1, 1e-12)
        se = np.sqrt(a + b)
        t = (mean - r_mean) / se
        df = (a + b) ** 2 / (a**2 / np.maximum(n1 - 1, 1e-12) + b**2 / np.maximum(n2 - 1, 1e-12))
        p = 2 * stats.t.sf(np.abs(t), df)
        p = np.where((n1 >= 2) & (n2 >= 2) & (se > 0), p, np.where(se == 0, 1.0, np.nan))
        effect = (mean - t_mean) / t_sd if t_sd > 0 else np.zeros(k)
    return {"value": mean, "total": np.full(k, t_mean), "n": cnt, "n_missing": miss, "p_value": p, "effect": effect}


def _share_rows(hit: np.ndarray, ok: np.ndarray, codes: np.ndarray, k: int, w: np.ndarray) -> dict[str, np.ndarray]:
    wo = np.where(ok, w, 0.0)
    sw, sw2, sh, cnt = _group_sums(codes, k, wo, wo**2, wo * hit, ok.astype(float))
    miss = np.bincount(codes, weights=(~ok).astype(float), minlength=k)
    tw, tw2, th = sw.sum(), sw2.sum(), sh.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        p1 = sh / sw
        pt = th / tw
        rw, rw2 = tw - sw, tw2 - sw2
        p2 = (th - sh) / rw
        n1, n2 = sw**2 / sw2, rw**2 / rw2
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        z = (p1 - p2) / se
        p = np.where(se > 0, 2 * stats.norm.sf(np.abs(z)), np.where(np.isclose(p1, p2), 1.0, 0.0))
        p = np.where((n1 > 0) & (n2 > 0), p, np.nan)
        effect = (p1 - pt) / np.sqrt(pt * (1 - pt)) if 0 < pt < 1 else np.zeros(k)
    return {
        "value": p1 * 100,
        "total": np.full(k, pt * 100),
        "n": cnt,
        "n_missing": miss,
        "p_value": p,
        "effect": effect,
    }


def _trait_texts(rows: pd.DataFrame, labels: Any, sets: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Long texts and name phrases of the traits, from the labels (see :mod:`cjm_lab.personas.naming`)."""
    from cjm_lab.personas.naming import clean_label, scale_reading, trait_phrase

    out = rows.copy()
    sets = sets or {}
    for lang in ("en", "de"):
        long, short = [], []
        for r in rows.itertuples():  # a few traits per persona
            name = variable_label(r.variable, labels, lang)
            values = labels.values(r.variable, language=lang) if hasattr(labels, "values") else {}
            vs = "vs." if lang == "de" else "vs"
            if r.statistic == "mean":
                word = (
                    ("hoch" if lang == "de" else "high")
                    if r.direction == "high"
                    else ("niedrig" if lang == "de" else "low")
                )
                value, total = format_number(r.value, 1, lang), format_number(r.total, 1, lang)
                reading = scale_reading(r.value, values, language=lang)  # "mostly Disagree" on a labelled scale
                if reading is not None:
                    long.append(f"{clean_label(name)}: {reading} ({value} {vs} {total})")
                else:
                    long.append(f"{clean_label(name)} {word} ({value} {vs} {total})")
            level = r.level
            if r.statistic != "mean" and r.role != "multi" and hasattr(labels, "value"):
                level = labels.value(r.variable, r.level, language=lang)  # a codebook's "Andere" for "Other"
            if r.statistic != "mean":
                value, total = format_percent(r.value, 0, lang), format_percent(r.total, 0, lang)
                long.append(f"{clean_label(name)}: {level} ({value} {vs} {total})")
            if r.role == "multi":
                short.append(str(r.level))  # an option of a multiple-response question names itself
                continue
            short.append(
                trait_phrase(
                    r.variable,
                    statistic=r.statistic,
                    direction=r.direction,
                    level=level,
                    label=name,
                    value_labels=values,
                    value=r.value if r.statistic == "mean" else None,
                    ordered=r.role == "ordinal",
                    language=lang,
                )
            )
        out[f"text_{lang}"] = long
        out[f"short_{lang}"] = short
    return out


#: What profile() and persona_cards() accept (with the options of nps() for the survey).
PROFILE_OPTIONS = {
    "n_traits": [WHOLE_NUMBER],
    "scale": [RANGE, None],
    "rescale": [RESCALE, None],
}


@validate_params(
    {
        **PROFILE_OPTIONS,
        "top_journeys": [WHOLE_NUMBER],
        "alpha": [ALPHA],
        "min_effect": [Interval(Real, 0, None, closed="left", example="0.2")],
    }
)
def profile(
    data: pd.DataFrame,
    labels: Any,
    *,
    variables: Sequence[str] | None = None,
    weight: str | None = None,
    clustered_on: Sequence[str] | None = None,
    survey: pd.DataFrame | None = None,
    score: str = "recommend",
    survey_weight: str | None = None,
    journeys: pd.DataFrame | None = None,
    top_journeys: int = 5,
    id_column: str | None = "auto",
    variable_labels: Any = None,
    alpha: float = 0.05,
    n_traits: int = 5,
    min_effect: float = 0.2,
    scale: tuple[float, float] | None = None,
    rescale: str | None = None,
) -> PersonaProfile:
    """Profile personas: size, mean or share of every variable, index, significance, traits, NPS.

    Parameters
    ----------
    data : DataFrame
        One row per customer (the rows the labels belong to).
    labels : str, PersonaModel or array-like
        A column of ``data``, a fitted :class:`PersonaModel` (its ``labels_``), or one
        label per row.
    variables : list of str, optional
        Variables to profile; default every column except ``id_column``, the label column,
        ``weight`` and dates.  Numbers get a mean, everything else level shares (percent).
        The name of a multiple-response set (stored with the table, see
        :func:`cjm_lab.io.multiple_response_sets`) profiles each option: the share of the
        persona's respondents who answered the set and selected it (``role="multi"``); by
        default a set replaces its columns.
    weight : str, optional
        Survey weight column of ``data``; used for sizes, means, shares and tests.
    clustered_on : list of str, optional
        Variables the personas were built on: profiled, but without significance marks.
        Default: the model's ``feature_names_in_`` when ``labels`` is a model, else none.
    survey : DataFrame, optional
        Survey answers with ``id_column`` and ``score``; joined on the id to give NPS per
        persona.  Answers whose id is not in ``data`` are counted, not used.
    score, survey_weight : str
        The 0–10 recommend column and an optional weight column of ``survey``.
    scale, rescale : optional
        For a recommend question on another scale (1–7, 1–10): as in
        :func:`cjm_lab.survey.nps` (the NPS is then labelled "NPS-like").
    journeys : DataFrame, optional
        An event log (``cjm_lab.io.load_events``) joined on ``id_column``: adds each
        persona's ``top_journeys`` most frequent journeys (via
        :func:`cjm_lab.journeys.variants`, with an "(other)" row).
    top_journeys : int, default 5
        How many journeys per persona.
    id_column : str or None, default "auto"
        The id column, left out of the profile and used to join ``survey``/``journeys``.
        ``"auto"``: the ``customer_id`` or ``respondent_id`` role (a survey table's
        respondents profile as they come).
    variable_labels : Labels, dict or path, optional
        Readable names for texts and persona names, on top of the labels stored with
        ``data`` (SPSS variable and value labels, a codebook): ``{"att_price": "price
        focus"}``, ``{"att_price": {"en": "price focus", "de": "Preisfokus"}}`` or a
        :class:`cjm_lab.labels.Labels`.
    alpha : float, default 0.05
        False discovery rate for the significance marks.
    n_traits : int, default 5
        Traits kept per persona.
    min_effect : float, default 0.2
        Smallest standardised difference that counts as a trait.

    Returns
    -------
    PersonaProfile
        ``sizes``, ``variables``, ``traits``, ``nps`` and ``journeys`` (see
        :class:`PersonaProfile`).

    Examples
    --------
    >>> df = pd.DataFrame({"spend": [10.0, 12, 11, 30, 32, 31],
    ...                    "channel": ["app", "app", "web", "web", "web", "web"]})
    >>> prof = profile(df, [0, 0, 0, 1, 1, 1])
    >>> prof.sizes[["persona", "n", "share"]]
       persona  n  share
    0        0  3    0.5
    1        1  3    0.5
    >>> prof.variables.query("variable == 'spend'")[["persona", "value", "index"]].round(1)
       persona  value  index
    0        0   11.0   52.4
    1        1   31.0  147.6
    """
    where = "profile()"
    from cjm_lab.io.metadata import multiple_response_sets
    from cjm_lab.labels import labels_for

    lab, w = labels_and_weights(data, labels, weight, where=where)
    text_labels = labels_for(data, variable_labels)
    sets = multiple_response_sets(data, check=False)
    id_column = resolve_id(data, id_column, other=survey)
    if clustered_on is None and hasattr(labels, "feature_names_in_"):
        clustered_on = list(labels.feature_names_in_)
    clustered = set(clustered_on or [])
    require_columns(data, {"weight": weight, "clustered_on": sorted(clustered)}, where=where)
    label_col = labels if isinstance(labels, str) else None
    if variables is None:
        skip = {id_column, label_col, weight, "customer_id", "respondent_id"} if id_column else {label_col, weight}
        members = {
            c
            for name, spec in sets.items()
            if all(v in data.columns for v in spec["variables"])
            for c in spec["variables"]
        }
        variables = [
            c
            for c in data.columns
            if c not in skip and c not in members and not pd.api.types.is_datetime64_any_dtype(data[c].dtype)
        ]
        variables += [name for name, spec in sets.items() if all(v in data.columns for v in spec["variables"])]
    else:
        variables = list(variables)
        require_columns(data, {"variables": [v for v in variables if v not in sets]}, where=where)
    personas = pd.Index(pd.unique(lab)).sort_values()
    k = len(personas)
    codes = personas.get_indexer(lab)
    counts = np.bincount(codes, minlength=k)
    wsum = np.bincount(codes, weights=w, minlength=k)
    w2 = np.bincount(codes, weights=w**2, minlength=k)
    sizes = pd.DataFrame(
        {"persona": personas.to_numpy(), "n": counts, "weight": wsum, "share": wsum / wsum.sum(), "n_eff": wsum**2 / w2}
    )

    frames = []
    for var in variables:  # a handful of variables, each vectorised over respondents
        if var in sets and var not in data.columns:
            frames.extend(_multi_rows(data, var, codes, k, w, personas, text_labels, where=where))
            continue
        s = data[var]
        role = _kind(s)
        if role == "numeric":
            x = numeric_column(data, var, where=where)
            if x.notna().sum() == 0:
                raise CJMDataError(
                    f"{where}: variable {var!r} has no values.", column=var, fix=f"Leave {var!r} out of `variables`."
                )
            r = _numeric_rows(x.to_numpy(), codes, k, w)
            f = pd.DataFrame(
                {"persona": personas.to_numpy(), "variable": var, "level": None, "role": role, "statistic": "mean", **r}
            )
            frames.append(f)
            continue
        ok = s.notna().to_numpy()
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels = [v for v in s.dtype.categories if (s == v).any()]
        else:
            levels = sorted(s.dropna().unique(), key=str)
        if len(levels) > 50:
            raise CJMDataError(
                f"{where}: {var!r} has {len(levels)} distinct values; too many to profile as shares.",
                column=var,
                fix=f"Leave {var!r} out of `variables` or group its values first.",
            )
        values = s.astype(object).to_numpy()
        for lvl in levels:  # a handful of levels
            hit = (values == lvl) & ok
            r = _share_rows(hit.astype(float), ok, codes, k, w)
            lv = lvl.item() if hasattr(lvl, "item") else lvl
            frames.append(
                pd.DataFrame(
                    {
                        "persona": personas.to_numpy(),
                        "variable": var,
                        "level": str(lv),
                        "role": role,
                        "statistic": "pct",
                        **r,
                    }
                )
            )
    if frames:
        table = pd.concat(frames, ignore_index=True)
    else:
        table = pd.DataFrame(columns=[c for c in _VAR_COLUMNS if c not in ("mark", "p_adjusted", "clustered_on")])
    table["clustered_on"] = table["variable"].isin(clustered)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = table["total"].to_numpy(dtype=float)
        table["index"] = np.where(total > 0, table["value"].to_numpy(dtype=float) / total * 100, np.nan)
    table["difference"] = table["value"] - table["total"]
    table.loc[table["clustered_on"], "p_value"] = np.nan
    p = table["p_value"].to_numpy(dtype=float)
    adjusted = np.full(len(table), np.nan)
    valid = np.isfinite(p)
    if valid.any():
        adjusted[valid] = stats.false_discovery_control(p[valid], method="bh")
    table["p_adjusted"] = adjusted
    sig = adjusted < alpha
    table["mark"] = np.where(
        sig & (table["difference"] > 0), MARK_UP, np.where(sig & (table["difference"] < 0), MARK_DOWN, "")
    )
    table["n"] = table["n"].astype(np.int64)
    table["n_missing"] = table["n_missing"].astype(np.int64)
    table = table[_VAR_COLUMNS]

    traits = _traits(table, n_traits=n_traits, min_effect=min_effect, labels=text_labels)
    if survey is not None and id_column is None:
        raise CJMDataError(
            f"{where}: `survey` is joined on an id, and `data` has no customer_id or respondent_id column.",
            fix="Pass id_column= with the column both tables share.",
        )
    nps_table = (
        _persona_nps(
            data,
            lab,
            survey,
            id_column=id_column,  # type: ignore[arg-type]
            score=score,
            weight=survey_weight,
            scale=scale,
            rescale=rescale,
            where=where,
        )
        if survey is not None
        else None
    )
    journey_table = (
        _persona_journeys(data, lab, journeys, id_column=id_column, top=top_journeys, where=where)  # type: ignore[arg-type]
        if journeys is not None
        else None
    )
    return PersonaProfile(sizes=sizes, variables=table, traits=traits, nps=nps_table, journeys=journey_table)


def _persona_journeys(
    data: pd.DataFrame, lab: pd.Series, events: pd.DataFrame, *, id_column: str, top: int, where: str
) -> pd.DataFrame:
    """The most frequent journeys of each persona (events joined on the customer id)."""
    from cjm_lab.journeys import variants

    require_columns(data, {"id_column": id_column}, where=where)
    if not isinstance(events, pd.DataFrame) or "customer_id" not in events.columns:
        raise CJMConfigError(f"{where}: `journeys` must be an event log from cjm_lab.io.load_events.")
    persona = pd.Series(lab.to_numpy(), index=data[id_column].astype(str).to_numpy(), name="persona")
    persona = persona[~persona.index.duplicated()]
    joined = events.assign(persona=events["customer_id"].astype(str).map(persona))
    joined = joined[joined["persona"].notna()]
    if joined.empty:
        raise CJMDataError(
            f"{where}: no event belongs to a customer of `data`.",
            column="customer_id",
            fix="Check that the events and the customers share their customer ids.",
        )
    return variants(joined, by="persona", top=top)


def _multi_rows(
    data: pd.DataFrame,
    name: str,
    codes: np.ndarray,
    k: int,
    w: np.ndarray,
    personas: pd.Index,
    labels: Any,
    *,
    where: str,
) -> list[pd.DataFrame]:
    """Share of each option of a multiple-response set, among the respondents who answered it."""
    from cjm_lab.io.multi import multiple_response

    mr = multiple_response(data, name, where=where)
    if mr.kind == "dichotomy":
        shown = labels.item_labels(mr.options)
    else:
        shown = [labels.value(mr.columns[0], o) for o in mr.options]
    frames = []
    for j, option in enumerate(shown):  # a handful of options
        r = _share_rows(mr.selected[:, j].astype(float), mr.answered, codes, k, w)
        frames.append(
            pd.DataFrame(
                {
                    "persona": personas.to_numpy(),
                    "variable": name,
                    "level": str(option),
                    "role": "multi",
                    "statistic": "pct",
                    **r,
                }
            )
        )
    return frames


def _traits(table: pd.DataFrame, *, n_traits: int, min_effect: float, labels: Any) -> pd.DataFrame:
    t = table.copy()
    t["abs"] = t["effect"].abs()
    # category levels count only where over-represented; numbers both ways
    keep = (t["abs"] >= min_effect) & ((t["statistic"] == "mean") | (t["effect"] > 0))
    t = t[keep & t["effect"].notna()]
    t = t.sort_values(["persona", "abs"], ascending=[True, False], kind="stable")
    t = t.groupby("persona", sort=False).head(n_traits).copy()
    t["rank"] = t.groupby("persona").cumcount() + 1
    t["direction"] = np.where(t["statistic"] == "mean", np.where(t["effect"] > 0, "high", "low"), "over")
    t = _trait_texts(t.reset_index(drop=True), labels)
    return t[_TRAIT_COLUMNS].reset_index(drop=True)


def _persona_nps(
    data: pd.DataFrame,
    lab: pd.Series,
    survey: pd.DataFrame,
    *,
    id_column: str,
    score: str,
    weight: str | None,
    where: str,
    scale: tuple[float, float] | None = None,
    rescale: str | None = None,
) -> pd.DataFrame:
    from cjm_lab.survey import nps
    from cjm_lab.survey.compare import nps_vs_rest

    require_frame(survey, where=where)
    require_columns(data, {"id_column": id_column}, where=where)
    require_columns(survey, {"id_column": id_column, "score": score, "survey_weight": weight}, where=where)
    ids = pd.Series(lab.to_numpy(), index=data[id_column].astype(str).to_numpy())
    if ids.index.duplicated().any():
        raise CJMDataError(
            f"{where}: {id_column!r} repeats in `data`, so survey answers cannot be joined to one persona.",
            column=id_column,
            fix="Pass one row per customer.",
        )
    joined = survey.copy()
    joined["persona"] = ids.reindex(joined[id_column].astype(str).to_numpy()).to_numpy()
    unmatched = int(joined["persona"].isna().sum())
    joined = joined[joined["persona"].notna()]
    if joined.empty:
        raise CJMDataError(
            f"{where}: no survey answer's {id_column!r} matches a customer of `data`.",
            column=id_column,
            fix="Check that both tables use the same customer ids.",
        )
    out = nps(joined, score=score, by="persona", weight=weight, scale=scale, rescale=rescale)  # type: ignore[arg-type]
    vs = nps_vs_rest(joined, by="persona", score=score, weight=weight, scale=scale, rescale=rescale)  # type: ignore[arg-type]
    out = out.merge(
        vs[["segment", "p_adjusted", "significant"]].rename(columns={"segment": "persona"}), on="persona", how="left"
    )
    out.attrs["cjm"] = {"n_unmatched": unmatched}
    out["n_unmatched"] = unmatched
    return out

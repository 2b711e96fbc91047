"""Persona cards: one row per persona a team can work with.

A card holds a suggested name built from the labels of the persona's two strongest traits
(:mod:`cjm_lab.personas.naming`; replace it with ``names=`` or ``Labels(personas=...)``), its
size, key traits, feelings (NPS with confidence interval, satisfaction), preferred channels
and a short narrative, in English and German.  Given :func:`cjm_lab.personas.choose_k`'s
table, a card also says how stable the structure is, and when choose_k found no stable
structure, every card and narrative says to treat the personas as descriptive groups.
The table goes to Excel as it is; :func:`cjm_lab.plots.plot_persona_cards` renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import format_number, format_percent
from cjm_lab._params import DONT_KNOW, validate_params
from cjm_lab._validate import numeric_column, require_columns
from cjm_lab.errors import CJMConfigError
from cjm_lab.personas.naming import persona_name
from cjm_lab.personas.profiles import PROFILE_OPTIONS, PersonaProfile, labels_and_weights, profile, resolve_id

__all__ = ["persona_cards"]

CARD_COLUMNS = [
    "persona",
    "name_en",
    "name_de",
    "n",
    "share",
    "key_traits_en",
    "key_traits_de",
    "nps",
    "nps_ci_low",
    "nps_ci_high",
    "nps_n",
    "satisfaction",
    "satisfaction_n",
    "channels_en",
    "channels_de",
    "narrative_en",
    "narrative_de",
    "structure_en",
    "structure_de",
]

#: What a card says when choose_k found no stable structure (and when it did).
STRUCTURE_TEXT = {
    "weak": {
        "en": "No stable structure: treat these as descriptive groups, not as distinct personas.",
        "de": "Keine stabile Struktur: als beschreibende Gruppen lesen, nicht als eigenständige Personas.",
    },
    "stable": {
        "en": "Stable structure: {k} personas replicate in resamples (choose_k).",
        "de": "Stabile Struktur: {k} Personas finden sich in Stichproben wieder (choose_k).",
    },
    "not_at_k": {
        "en": "{k} personas do not replicate in resamples (choose_k recommends {rec}): treat these as descriptive "
        "groups, not as distinct personas.",
        "de": "{k} Personas finden sich in Stichproben nicht wieder (choose_k empfiehlt {rec}): als beschreibende "
        "Gruppen lesen, nicht als eigenständige Personas.",
    },
    "untested": {
        "en": "choose_k did not test {k} personas (it recommends {rec}): treat these as descriptive groups until "
        "their stability is checked.",
        "de": "choose_k hat {k} Personas nicht geprüft (es empfiehlt {rec}): als beschreibende Gruppen lesen, bis "
        "ihre Stabilität geprüft ist.",
    },
}


def _join(items: list[str], language: str) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    word = " und " if language == "de" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _names(names: Mapping[Any, Any] | None, persona: Any, default: dict[str, str]) -> dict[str, str]:
    if not names or persona not in names:
        return default
    given = names[persona]
    if isinstance(given, Mapping):
        return {lang: str(given.get(lang) or given.get("en") or default[lang]) for lang in ("en", "de")}
    return {"en": str(given), "de": str(given)}


@validate_params({**PROFILE_OPTIONS, "dont_know": [DONT_KNOW, None]})
def persona_cards(
    data: pd.DataFrame,
    labels: Any,
    *,
    variables: Sequence[str] | None = None,
    weight: str | None = None,
    clustered_on: Sequence[str] | None = None,
    survey: pd.DataFrame | None = None,
    score: str = "recommend",
    survey_weight: str | None = None,
    satisfaction: str | Sequence[str] | None = None,
    dont_know: float | Sequence[float] | None = None,
    channel: str | None = None,
    names: Mapping[Any, Any] | None = None,
    variable_labels: Any = None,
    id_column: str | None = "auto",
    n_traits: int = 3,
    profile_result: PersonaProfile | None = None,
    choose_k_result: pd.DataFrame | Mapping[str, Any] | None = None,
    scale: tuple[float, float] | None = None,
    rescale: str | None = None,
) -> pd.DataFrame:
    """One card per persona, as a tidy table (English and German side by side).

    Parameters
    ----------
    data, labels, variables, weight, clustered_on, survey, score, survey_weight, id_column, variable_labels
        As in :func:`cjm_lab.personas.profile` (pass ``profile_result`` to reuse a profile).
    dont_know : number or list, optional
        "Don't know" codes of the satisfaction items (e.g. 99), left out of the mean.
    satisfaction : str or list of str, optional
        Satisfaction rating column(s), looked up in ``survey`` (joined on ``id_column``) or
        else in ``data``; several columns are averaged per answer first.
    channel : str, optional
        A categorical column of ``data`` with the preferred channel; the card lists its
        two most frequent levels.
    names : dict or Labels, optional
        Your names per persona, ``{0: "Bargain hunters"}`` or
        ``{0: {"en": "Bargain hunters", "de": "Schnäppchenjäger"}}`` (or a
        :class:`cjm_lab.labels.Labels` with ``personas=``); the others keep the suggested
        name, made from the labels of the two strongest traits ("Disagree: technology
        fascinating, high average monthly bill"; see :mod:`cjm_lab.personas.naming`).
    n_traits : int, default 3
        Key traits on a card.
    choose_k_result : DataFrame or dict, optional
        The table of :func:`cjm_lab.personas.choose_k` (or its ``attrs["cjm"]``): the cards
        carry its verdict on the number of personas they show in ``structure_en``/
        ``structure_de``; when that number is not stable (no k is, this k does not
        replicate, or choose_k did not test it) the narratives start with it.
    scale, rescale : optional
        For a recommend question on another scale, as in :func:`cjm_lab.survey.nps`.

    Returns
    -------
    DataFrame
        One row per persona: ``persona, name_en, name_de, n, share, key_traits_en,
        key_traits_de`` (traits joined by "; "), ``nps, nps_ci_low, nps_ci_high, nps_n``
        (NaN without a survey), ``satisfaction, satisfaction_n``, ``channels_en,
        channels_de``, ``narrative_en, narrative_de``, ``structure_en, structure_de``
        (choose_k's verdict; empty without ``choose_k_result``).

    Examples
    --------
    >>> df = pd.DataFrame({"spend": [10.0, 12, 11, 30, 32, 31],
    ...                    "channel": ["app", "app", "web", "web", "web", "web"]})
    >>> cards = persona_cards(df, [0, 0, 0, 1, 1, 1], channel="channel",
    ...                       names={1: {"en": "Big spenders", "de": "Vielkäufer"}})
    >>> cards[["persona", "name_en", "share"]]
       persona          name_en  share
    0        0  Low spend, app    0.5
    1        1     Big spenders    0.5
    >>> print(cards.loc[1, "narrative_de"])
    Vielkäufer: 50 % der Kunden. Auffällig: spend hoch (31,0 vs. 21,0) und channel: web (100 % vs. 67 %).
    Bevorzugte Kanäle: web 100 %.
    """
    where = "persona_cards()"
    from cjm_lab.labels import Labels

    lab, w = labels_and_weights(data, labels, weight, where=where)
    k_shown = getattr(labels, "k_", None) or pd.unique(lab.dropna()).size  # a model's k, else the groups
    structure = _structure(choose_k_result, k=int(k_shown), where=where)
    if isinstance(names, Labels):
        names = {
            p: {lang: names.persona(p, language=lang) for lang in ("en", "de")}
            for p in pd.unique(lab)
            if names.has_persona(p)
        }
    id_column = resolve_id(data, id_column, other=survey)
    if profile_result is None:
        profile_result = profile(
            data,
            labels,
            variables=variables,
            weight=weight,
            clustered_on=clustered_on,
            survey=survey,
            score=score,
            survey_weight=survey_weight,
            id_column=id_column,
            variable_labels=variable_labels,
            n_traits=max(n_traits, 2),
            scale=scale,
            rescale=rescale,
        )
    elif not isinstance(profile_result, PersonaProfile):
        raise CJMConfigError(f"{where}: `profile_result` must be what profile() returns.")
    sizes = profile_result.sizes
    traits = profile_result.traits
    personas = sizes["persona"].to_numpy()

    # satisfaction
    sat_mean = pd.Series(np.nan, index=personas)
    sat_n = pd.Series(0, index=personas)
    if satisfaction is not None:
        cols = [satisfaction] if isinstance(satisfaction, str) else list(satisfaction)
        source = data
        plab = lab
        if survey is not None and id_column is not None and all(c in survey.columns for c in cols):
            require_columns(data, {"id_column": id_column}, where=where)
            require_columns(survey, {"id_column": id_column}, where=where)
            ids = pd.Series(lab.to_numpy(), index=data[id_column].astype(str).to_numpy())
            plab = pd.Series(ids.reindex(survey[id_column].astype(str).to_numpy()).to_numpy(), index=survey.index)
            source = survey
        else:
            require_columns(data, {"satisfaction": cols}, where=where)
        vals = pd.concat([numeric_column(source, c, where=where) for c in cols], axis=1)
        if dont_know is not None:  # "don't know" codes (e.g. 99) are no satisfaction
            codes: list[Any] = [dont_know] if np.isscalar(dont_know) else list(dont_know)  # type: ignore[arg-type]
            vals = vals.mask(vals.isin(codes))
        vals = vals.mean(axis=1)
        ok = vals.notna() & plab.notna()
        grouped = vals[ok].groupby(plab[ok].to_numpy()).agg(["mean", "count"])
        sat_mean = grouped["mean"].reindex(personas)
        sat_n = grouped["count"].reindex(personas).fillna(0).astype(int)

    # channels
    channels: dict[str, dict[Any, str]] = {"en": {}, "de": {}}
    if channel is not None:
        require_columns(data, {"channel": channel}, where=where)
        ch = data[channel].astype(object)
        ok = ch.notna().to_numpy()
        tab = pd.crosstab(lab[ok].to_numpy(), ch[ok].to_numpy(), values=w[ok], aggfunc="sum").fillna(0.0)
        tab = tab.div(tab.sum(axis=1), axis=0) * 100
        for p in personas:
            if p not in tab.index:
                continue
            top = tab.loc[p].sort_values(ascending=False, kind="stable").head(2)
            top = top[top > 0]
            for lang in ("en", "de"):
                channels[lang][p] = ", ".join(f"{lvl} {format_percent(v, 0, lang)}" for lvl, v in top.items())

    nps_t = profile_result.nps
    suggested = _suggested_names(sizes["persona"].tolist(), traits)
    rows = []
    for r in sizes.itertuples():  # one card per persona
        p = r.persona
        tr = traits[traits["persona"] == p]
        name = _names(names, p, suggested[p])
        row: dict[str, Any] = {
            "persona": p,
            "name_en": name["en"],
            "name_de": name["de"],
            "n": int(r.n),
            "share": float(r.share),
        }
        for lang in ("en", "de"):
            row[f"key_traits_{lang}"] = "; ".join(tr[f"text_{lang}"].head(n_traits))
        if nps_t is not None and (nps_t["persona"] == p).any():
            q = nps_t[nps_t["persona"] == p].iloc[0]
            row.update(
                nps=float(q["nps"]), nps_ci_low=float(q["ci_low"]), nps_ci_high=float(q["ci_high"]), nps_n=int(q["n"])
            )
        else:
            row.update(nps=np.nan, nps_ci_low=np.nan, nps_ci_high=np.nan, nps_n=0)
        row["satisfaction"] = float(sat_mean.get(p, np.nan))
        row["satisfaction_n"] = int(sat_n.get(p, 0))
        for lang in ("en", "de"):
            row[f"channels_{lang}"] = channels[lang].get(p, "")
            row[f"structure_{lang}"] = structure.get(lang, "")
            row[f"narrative_{lang}"] = _narrative(row, tr, lang, n_traits)
            if structure.get("weak"):
                row[f"narrative_{lang}"] = structure[lang] + " " + row[f"narrative_{lang}"]
        rows.append(row)
    out = pd.DataFrame(rows, columns=CARD_COLUMNS)
    out.attrs["cjm"] = {"weak_structure": bool(structure.get("weak", False)), "structure": structure}
    return out


def _suggested_names(personas: list[Any], traits: pd.DataFrame) -> dict[Any, dict[str, str]]:
    """A name per persona from its two strongest traits.

    A persona whose name another already has takes its next trait instead, so no two cards
    share a name.
    """
    out: dict[Any, dict[str, str]] = {p: {} for p in personas}
    for lang in ("en", "de"):
        taken: set[str] = set()
        for p in personas:  # a handful of personas
            phrases = list(traits.loc[traits["persona"] == p, f"short_{lang}"])
            fallback = f"Persona {p}"
            name = persona_name(phrases[:2], fallback=fallback)
            extra = 2
            while name in taken and extra < len(phrases):
                name = persona_name([phrases[0], phrases[extra]], fallback=fallback)
                extra += 1
            if name in taken:
                name = f"{name} ({p})"
            taken.add(name)
            out[p][lang] = name
    return out


def _structure(result: Any, *, k: int, where: str) -> dict[str, Any]:
    """choose_k's verdict on ``k`` personas (the number on the cards) as card texts ({} without a result).

    The table's row for ``k`` decides (stable in resamples and no persona below the minimum
    share, as choose_k judges); without the table (its ``attrs`` only) only the recommended k
    has a known verdict.  A k choose_k did not test borrows no verdict from another k.
    """
    if result is None:
        return {}
    info = result.attrs.get("cjm", {}) if isinstance(result, pd.DataFrame) else result
    if not isinstance(info, Mapping) or "weak_structure" not in info:
        raise CJMConfigError(f"{where}: `choose_k_result` must be the table choose_k() returns (or its attrs['cjm']).")
    rec = info.get("recommended_k", "")
    if bool(info["weak_structure"]):
        key = "weak"
    elif isinstance(result, pd.DataFrame) and {"k", "stable", "smallest_share"} <= set(result.columns):
        row = result[result["k"] == k]
        if row.empty:
            key = "untested"
        else:
            ok = bool(row["stable"].iloc[0]) and float(row["smallest_share"].iloc[0]) >= float(info.get("min_share", 0))
            key = "stable" if ok else "not_at_k"
    else:
        key = "stable" if rec == k else "untested"
    return {
        "weak": key != "stable",
        **{lang: STRUCTURE_TEXT[key][lang].format(k=k, rec=rec) for lang in ("en", "de")},
    }


def _narrative(row: dict[str, Any], tr: pd.DataFrame, lang: str, n_traits: int) -> str:
    de = lang == "de"
    share = format_percent(row["share"] * 100, 0, lang)
    text = f"{row[f'name_{lang}']}: {share} {'der Kunden' if de else 'of customers'}."
    traits = list(tr[f"text_{lang}"].head(n_traits))
    if traits:
        text += (" Auffällig: " if de else " They stand out by ") + _join(traits, lang) + "."
    if np.isfinite(row["nps"]):
        ci = (
            f"95-%-KI {format_number(row['nps_ci_low'], 0, lang)} bis {format_number(row['nps_ci_high'], 0, lang)}"
            if de
            else f"95% CI {format_number(row['nps_ci_low'], 0, lang)} to {format_number(row['nps_ci_high'], 0, lang)}"
        )
        text += f" NPS {format_number(row['nps'], 0, lang)} ({ci}, n = {row['nps_n']})."
    if np.isfinite(row["satisfaction"]):
        text += (
            f" Zufriedenheit im Mittel {format_number(row['satisfaction'], 1, lang)}."
            if de
            else f" Mean satisfaction {format_number(row['satisfaction'], 1, lang)}."
        )
    if row[f"channels_{lang}"]:
        text += (" Bevorzugte Kanäle: " if de else " Preferred channels: ") + row[f"channels_{lang}"] + "."
    return text

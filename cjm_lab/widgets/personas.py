"""The persona explorer: choose variables, algorithm and k (or "auto"), see diagnostics, profiles
and cards, rename the personas and save the typing tool.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import (
    BOOLEAN,
    K_RANGE,
    LANGUAGE,
    RANDOM_STATE,
    WHOLE_NUMBER,
    InstanceOf,
    Integral,
    Interval,
    Rule,
    StrOptions,
    k_candidates,
    validate_params,
)
from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError
from cjm_lab.plots.theme import check_language, format_number, format_percent, persona_colors
from cjm_lab.widgets._common import Explorer, Progress, escape, figure_png, table_html

__all__ = [
    "PersonaFit",
    "fit_personas",
    "rename_personas",
    "export_typing_tool",
    "persona_explorer",
    "cards_html",
    "ALGORITHMS",
]

#: Algorithms offered by the explorer (fast enough on a few thousand rows to be explored live).
ALGORITHMS = ("gmm", "kmeans", "lca")

_TABLE = [InstanceOf(pd.DataFrame), None]
#: Options of a fit, shared by fit_personas and persona_explorer (columns: require_columns).
_FIT = {
    "algorithm": [str],
    "k": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"})],
    # a tuple (low, high) is the form before 0.2: k_candidates reads it (with a warning)
    "k_range": [K_RANGE],
    "resamples": [WHOLE_NUMBER],
    "random_state": RANDOM_STATE,
    "survey": _TABLE,
    "events": _TABLE,
    "language": [LANGUAGE],
}

_T = {
    "en": {
        "title": "Persona explorer",
        "variables": "Variables",
        "algorithm": "Algorithm",
        "k": "Personas (k)",
        "names": "Names",
        "save": "Save typing tool",
        "path": "File",
        "step_k": "Diagnostics for k = {lo}–{hi} ({r} resamples each; this takes a few seconds)",
        "step_fit": "Fitting {k} personas ({a})",
        "step_profile": "Profiling",
        "step_cards": "Writing cards",
        "recommended": "Recommended k = {k}.",
        "no_diag": "Choose k = auto to compute the diagnostics.",
        "saved": "Saved the typing tool to {p}.",
        "share": "{s} of customers",
        "nps": "NPS {v} ({lo} to {hi})",
        "channels": "Channels",
    },
    "de": {
        "title": "Persona-Explorer",
        "variables": "Variablen",
        "algorithm": "Verfahren",
        "k": "Personas (k)",
        "names": "Namen",
        "save": "Typisierungstool speichern",
        "path": "Datei",
        "step_k": "Diagnose für k = {lo}–{hi} (je {r} Stichproben; das dauert einige Sekunden)",
        "step_fit": "{k} Personas schätzen ({a})",
        "step_profile": "Profile berechnen",
        "step_cards": "Steckbriefe schreiben",
        "recommended": "Empfohlen: k = {k}.",
        "no_diag": "k = auto wählen, um die Diagnose zu berechnen.",
        "saved": "Typisierungstool gespeichert unter {p}.",
        "share": "{s} der Kunden",
        "nps": "NPS {v} ({lo} bis {hi})",
        "channels": "Kanäle",
    },
}


@dataclass
class PersonaFit:
    """One segmentation, as the persona explorer shows it.

    Attributes
    ----------
    model : PersonaModel
        The fitted model (the typing tool).
    labels : ndarray
        Persona of each row of the data (0 = largest).
    k : int
        Number of personas.
    variables : list of str
        The clustering variables.
    algorithm : str
    diagnostics : DataFrame or None
        :func:`cjm_lab.personas.choose_k` table (when k was chosen automatically).
    reason : str or None
        Why that k was recommended, in the chosen language.
    profile : PersonaProfile
        :func:`cjm_lab.personas.profile` of the personas.
    cards : DataFrame
        :func:`cjm_lab.personas.persona_cards` (with the names given).
    names : dict
        Persona → name (the suggested names unless renamed).
    """

    model: Any
    labels: np.ndarray
    k: int
    variables: list[str]
    algorithm: str
    diagnostics: pd.DataFrame | None
    reason: str | None
    profile: Any
    cards: pd.DataFrame
    names: dict[int, str]
    context: dict[str, Any] = field(default_factory=dict, repr=False)

    def assignments(self, id_column: str = "customer_id") -> pd.DataFrame:
        """Each row's persona and name, with the id column when the data has one."""
        data = self.context["data"]
        out = pd.DataFrame(
            {"persona": self.labels, "persona_name": [self.names[int(p)] for p in self.labels]}, index=data.index
        )
        if id_column in data:
            out.insert(0, id_column, data[id_column].to_numpy())
        return out.reset_index(drop=True)


def _suggested(cards: pd.DataFrame, language: str) -> dict[int, str]:
    return {int(p): str(n) for p, n in zip(cards["persona"], cards[f"name_{language}"])}


@validate_params(
    {
        **_FIT,
        "names": [InstanceOf(Mapping), None],
        "diagnostics": _TABLE,
        "progress": [Rule(callable, "a function"), None],
    }
)
def fit_personas(
    data: pd.DataFrame,
    *,
    variables: Sequence[str],
    algorithm: str = "gmm",
    k: int | str = "auto",
    k_range: Sequence[int] = range(2, 9),
    resamples: int = 5,
    random_state: int = 0,
    weight: str | None = None,
    survey: pd.DataFrame | None = None,
    score: str = "recommend",
    events: pd.DataFrame | None = None,
    channel: str | None = None,
    profile_variables: Sequence[str] | None = None,
    names: Mapping[int, str] | None = None,
    diagnostics: pd.DataFrame | None = None,
    language: str = "en",
    progress: Callable[[int, int, str], None] | None = None,
) -> PersonaFit:
    """Build one segmentation: diagnostics (for ``k="auto"``), model, profiles and cards.

    Parameters
    ----------
    data : DataFrame
        One row per customer (or respondent) with the clustering variables.
    variables : list of str
        Clustering variables (numeric, Likert or categorical).
    algorithm : str, default "gmm"
        Any algorithm of :class:`cjm_lab.personas.PersonaModel`.
    k : int or "auto"
        Number of personas; ``"auto"`` takes the k that :func:`cjm_lab.personas.choose_k`
        recommends over ``k_range`` (with ``resamples`` bootstrap resamples).
    k_range : range or list of int, default range(2, 9)
        The numbers of personas ``"auto"`` tries (2 to 8).  (A tuple ``(low, high)`` before
        0.2; it still means low to high, with a warning, until 0.3.)
    random_state : int, default 0
        Seed of the fits and resamples.
    weight : str, optional
        Weight column of ``data``.
    survey, score : DataFrame, str, optional
        Survey joined on ``customer_id`` for each persona's NPS.
    events : DataFrame, optional
        Event log for each persona's most frequent journeys in the profile.
    channel : str, optional
        Channel column for the cards.
    profile_variables : list of str, optional
        Variables to profile (default: the clustering variables).
    names : mapping, optional
        Persona → name; the others keep their suggested names.
    diagnostics : DataFrame, optional
        A choose_k table computed before for the same variables and algorithm (reused).
    language : {"en", "de"}
        Language of the suggested names and the reason.
    progress : callable, optional
        Called as ``progress(done, total, text)`` before each step.

    Returns
    -------
    PersonaFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"q1": np.r_[rng.normal(1, .3, 60), rng.normal(4, .3, 40)],
    ...                    "q2": np.r_[rng.normal(4, .3, 60), rng.normal(1, .3, 40)]})
    >>> fit = fit_personas(df, variables=["q1", "q2"], k=2)
    >>> fit.k, fit.cards["n"].tolist()
    (2, [60, 40])
    """
    from cjm_lab.personas import PersonaModel, choose_k, persona_cards, profile

    lang = check_language(language)
    t = _T[lang]
    where = "fit_personas()"
    require_frame(data, where=where, min_rows=2)
    variables = list(variables)
    if not variables:
        raise CJMConfigError(f"{where}: choose at least one clustering variable in `variables`.")
    require_columns(
        data,
        {
            "variables": variables,
            "weight": weight,
            "channel": channel,
            "profile_variables": list(profile_variables or []),
        },
        where=where,
    )
    ks = k_candidates(k_range, where=where)
    steps = Progress(progress, total=4 if k == "auto" and diagnostics is None else 3)
    sample_weight = data[weight].to_numpy() if weight else None
    reason = None
    if k == "auto":
        if diagnostics is None:
            steps.step(t["step_k"].format(lo=ks[0], hi=ks[-1], r=resamples))
            diagnostics = choose_k(
                data[variables],
                k_range=ks,
                algorithm=algorithm,
                resamples=resamples,
                random_state=random_state,
                sample_weight=sample_weight,
            )
        chosen = int(diagnostics.loc[diagnostics["recommended"], "k"].iloc[0])
        reason = diagnostics.attrs.get("cjm", {}).get("reason", {}).get(lang)
    else:
        chosen = int(k)
    steps.step(t["step_fit"].format(k=chosen, a=algorithm))
    model = PersonaModel(k=chosen, algorithm=algorithm, columns=variables, random_state=random_state)
    model.fit(data, sample_weight=sample_weight)
    labels = np.asarray(model.labels_)
    steps.step(t["step_profile"])
    shown = list(dict.fromkeys([*variables, *(profile_variables or [])]))
    prof = profile(
        data,
        labels,
        variables=shown,
        weight=weight,
        clustered_on=variables,
        survey=survey,
        score=score,
        journeys=events,
    )
    steps.step(t["step_cards"])
    context = {
        "data": data,
        "variables": shown,
        "weight": weight,
        "clustered_on": variables,
        "survey": survey,
        "score": score,
        "channel": channel,
        "language": lang,
    }
    cards = persona_cards(
        data,
        labels,
        variables=shown,
        weight=weight,
        clustered_on=variables,
        survey=survey,
        score=score,
        channel=channel,
        profile_result=prof,
    )
    fit = PersonaFit(
        model=model,
        labels=labels,
        k=chosen,
        variables=variables,
        algorithm=algorithm,
        diagnostics=diagnostics,
        reason=reason,
        profile=prof,
        cards=cards,
        names=_suggested(cards, lang),
        context=context,
    )
    return rename_personas(fit, names) if names else fit


@validate_params(
    {
        "fit": [InstanceOf(PersonaFit, name="what fit_personas() returns (a PersonaFit)")],
        "names": [
            InstanceOf(Mapping, name="a mapping persona → name"),
            Rule(
                lambda v: isinstance(v, Iterable) and not isinstance(v, (str, bytes)),
                "a list of the names in persona order",
            ),
        ],
    }
)
def rename_personas(fit: PersonaFit, names: Mapping[int, str] | Sequence[str]) -> PersonaFit:
    """The same segmentation with new persona names (cards rewritten with them).

    Parameters
    ----------
    fit : PersonaFit
        A segmentation from :func:`fit_personas`.
    names : mapping or list
        Persona → name, or a list of names in persona order; empty names keep the
        suggested one.

    Returns
    -------
    PersonaFit
        A new PersonaFit; ``fit`` is left unchanged.

    Raises
    ------
    CJMConfigError
        ``fit`` is no PersonaFit, ``names`` neither a mapping nor a list, or it names a
        persona the segmentation does not have.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1.0, 1.1, 0.9, 1.2, 5.0, 5.1, 4.9]})
    >>> fit = rename_personas(fit_personas(df, variables=["q"], k=2), ["Calm", "Keen"])
    >>> fit.cards["name_en"].tolist(), fit.names
    (['Calm', 'Keen'], {0: 'Calm', 1: 'Keen'})
    """
    from cjm_lab.personas import persona_cards

    if not isinstance(names, Mapping):
        names = dict(enumerate(names))
    known = set(fit.names)
    unknown = [p for p in names if int(p) not in known]
    if unknown:
        raise CJMConfigError(
            f"rename_personas(): there is no persona {unknown[0]!r}; the personas are {sorted(known)}."
        )
    given = {int(p): str(n).strip() for p, n in names.items() if n is not None and str(n).strip()}
    ctx = fit.context
    lang = ctx.get("language", "en")
    cards = persona_cards(
        ctx["data"],
        fit.labels,
        variables=ctx["variables"],
        weight=ctx["weight"],
        clustered_on=ctx["clustered_on"],
        survey=ctx["survey"],
        score=ctx["score"],
        channel=ctx["channel"],
        names=given or None,
        profile_result=fit.profile,
    )
    return replace(fit, cards=cards, names=_suggested(cards, lang))


@validate_params(
    {
        "fit": [InstanceOf(PersonaFit, name="what fit_personas() returns (a PersonaFit)")],
        "path": [InstanceOf((str, os.PathLike), name="a file path")],
        "overwrite": [BOOLEAN],
    }
)
def export_typing_tool(fit: PersonaFit, path: str | os.PathLike, *, overwrite: bool = False) -> str:
    """Save the fitted model as a typing tool (:func:`cjm_lab.personas.save_model`) with its names.

    The names travel with the model as ``persona_names_``; load the file with
    :func:`cjm_lab.personas.load_model` and type new respondents with ``predict``.

    Parameters
    ----------
    fit : PersonaFit
        The segmentation to save (:func:`fit_personas`, :func:`rename_personas`).
    path : str or path
        The file to write; an existing file is kept unless ``overwrite``.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    str
        The path written (see :func:`cjm_lab.personas.save_model`).

    Raises
    ------
    CJMConfigError
        ``fit`` is no PersonaFit, or the file exists and ``overwrite`` is false.

    Examples
    --------
    >>> import tempfile
    >>> from cjm_lab.personas import load_model
    >>> df = pd.DataFrame({"q": [1.0, 1.1, 0.9, 1.2, 5.0, 5.1, 4.9]})
    >>> fit = rename_personas(fit_personas(df, variables=["q"], k=2), ["Calm", "Keen"])
    >>> path = export_typing_tool(fit, os.path.join(tempfile.mkdtemp(), "personas.joblib"))
    >>> tool = load_model(path)
    >>> [tool.persona_names_[p] for p in tool.predict(pd.DataFrame({"q": [5.2, 0.8]}))]
    ['Keen', 'Calm']
    """
    import copy

    from cjm_lab.personas import save_model

    # a copy carries the names: the fitted model may be shared (cached by the explorer, or by
    # another PersonaFit renamed from the same fit) and must keep its own
    model = copy.copy(fit.model)
    model.persona_names_ = dict(fit.names)
    return save_model(model, path, overwrite=overwrite)


@validate_params({"language": [LANGUAGE]})
def cards_html(cards: pd.DataFrame, *, language: str = "en") -> str:
    """Persona cards as HTML (name, size, key traits, NPS, channels, narrative).

    Parameters
    ----------
    cards : DataFrame
        The table of :func:`cjm_lab.personas.persona_cards` (``PersonaFit.cards``).
    language : {"en", "de"}
        Which names, traits and narratives to show, and the language of the labels.

    Returns
    -------
    str
        One card per row, as HTML (values escaped).

    Raises
    ------
    CJMDataError
        ``cards`` is no DataFrame or lacks the columns of the language.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1.0, 1.1, 0.9, 1.2, 5.0, 5.1, 4.9]})
    >>> "Keen" in cards_html(rename_personas(fit_personas(df, variables=["q"], k=2), ["Calm", "Keen"]).cards)
    True
    """
    lang = check_language(language)
    t = _T[lang]
    where = "cards_html()"
    require_frame(cards, where=where, min_rows=0)
    require_columns(
        cards,
        {"cards": ["persona", "n", "share", f"name_{lang}", f"key_traits_{lang}", f"narrative_{lang}"]},
        where=where,
    )
    colors = persona_colors(cards["persona"].tolist())
    parts = ["<div style='display:flex;flex-wrap:wrap;gap:8px'>"]
    for _, card in cards.iterrows():
        nps_text = ""
        if "nps" in card and pd.notna(card["nps"]):
            nps_text = t["nps"].format(
                v=format_number(card["nps"], 0, lang),
                lo=format_number(card["nps_ci_low"], 0, lang),
                hi=format_number(card["nps_ci_high"], 0, lang),
            )
        channels = card.get(f"channels_{lang}")
        parts.append(
            f"<div class='cjm-card' style='width:250px;border:1px solid #ccc;border-top:6px solid "
            f"{colors[card['persona']]};padding:6px;font-size:12px'>"
            f"<div class='cjm-card-name' style='font-weight:bold;font-size:14px'>{escape(card[f'name_{lang}'])}</div>"
            f"<div>{escape(t['share'].format(s=format_percent(100 * card['share'], 0, lang)))} · n = "
            f"{escape(format_number(card['n'], 0, lang))}</div>"
            f"<div>{escape(nps_text)}</div>"
            f"<div><i>{escape(card[f'key_traits_{lang}'])}</i></div>"
            + (f"<div>{escape(t['channels'])}: {escape(channels)}</div>" if isinstance(channels, str) else "")
            + f"<div style='margin-top:4px'>{escape(card[f'narrative_{lang}'])}</div></div>"
        )
    parts.append("</div>")
    return "".join(parts)


@validate_params(
    {
        **_FIT,
        "algorithms": [InstanceOf((list, tuple), name="a list of algorithms")],
        "path": [str],
    }
)
def persona_explorer(
    data: pd.DataFrame,
    *,
    variables: Sequence[str],
    candidates: Sequence[str] | None = None,
    algorithm: str = "gmm",
    algorithms: Sequence[str] = ALGORITHMS,
    k: int | str = "auto",
    k_range: Sequence[int] = range(2, 8),
    resamples: int = 5,
    random_state: int = 0,
    weight: str | None = None,
    survey: pd.DataFrame | None = None,
    score: str = "recommend",
    events: pd.DataFrame | None = None,
    channel: str | None = None,
    profile_variables: Sequence[str] | None = None,
    path: str = "personas.joblib",
    language: str = "en",
) -> Explorer:
    """An interactive persona explorer (ipywidgets).

    Controls: the clustering variables, the algorithm and k (``"auto"`` or 2–10); a text
    box per persona to rename it; a file name and a button to save the typing tool.
    Changing variables, algorithm or k refits (:func:`fit_personas`; diagnostics and fits
    are cached per setting, and a progress bar shows the steps of slower ones, such as
    the diagnostics of ``k="auto"``); renaming rewrites the cards
    (:func:`rename_personas`); the button calls :func:`export_typing_tool`.

    Parameters
    ----------
    data : DataFrame
        One row per customer with the candidate variables.
    variables : list of str
        The variables selected at the start.
    candidates : list of str, optional
        Variables offered (default: ``variables``).
    algorithm, algorithms : str, list of str
        The algorithm at the start and those offered.
    k : int or "auto"
        k at the start.
    k_range : range or list of int, default range(2, 8)
        The numbers of personas ``"auto"`` tries (2 to 7; a tuple ``(low, high)`` before 0.2,
        read with a warning until 0.3).
    resamples, random_state, weight, survey, score, events, channel, profile_variables
        As in :func:`fit_personas`.
    path : str, default "personas.joblib"
        File name offered for the typing tool.
    language : {"en", "de"}

    Returns
    -------
    Explorer
        ``.result`` is the current :class:`PersonaFit`; ``.name_boxes`` the rename boxes.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1.0, 1.1, 0.9, 1.2, 5.0, 5.1, 4.9, 5.2], "q2": [3.0, 2.0] * 4})
    >>> ex = persona_explorer(df, variables=["q1"], candidates=["q1", "q2"], k=2)
    >>> ex.name_boxes[1].value = "Keen"
    >>> ex.result.names[1], "Keen" in ex.outputs["cards"].value
    ('Keen', True)
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cjm_lab.plots import plot_choose_k, plot_persona_profile

    lang = check_language(language)
    t = _T[lang]
    k_range = k_candidates(k_range, where="persona_explorer()")  # the old tuple warns once, here
    candidates = list(dict.fromkeys([*(candidates or []), *variables]))
    require_frame(data, where="persona_explorer()", min_rows=2)
    require_columns(data, {"candidates": candidates}, where="persona_explorer()")
    algorithms = list(dict.fromkeys([*algorithms, algorithm]))
    style = {"description_width": "initial"}
    controls: dict[str, Any] = {
        "variables": w.SelectMultiple(
            options=candidates,
            value=tuple(variables),
            description=t["variables"],
            rows=min(8, len(candidates)),
            style=style,
            layout=w.Layout(width="320px"),
        ),
        "algorithm": w.Dropdown(options=algorithms, value=algorithm, description=t["algorithm"], style=style),
        "k": w.Dropdown(options=["auto", *range(2, 11)], value=k, description=t["k"], style=style),
        "path": w.Text(value=path, description=t["path"], style=style, layout=w.Layout(width="320px")),
        "save": w.Button(description=t["save"], icon="save", layout=w.Layout(width="220px")),
    }
    names_box = w.VBox()
    outputs = {
        "summary": w.HTML(),
        "reason": w.HTML(),
        "diagnostics": w.Image(format="png", layout=w.Layout(max_width="70%")),
        "profile": w.Image(format="png", layout=w.Layout(max_width="70%")),
        "cards": w.HTML(),
        "saved": w.HTML(),
    }
    left = w.VBox([controls["variables"]])
    right = w.VBox([controls["algorithm"], controls["k"], w.HTML(f"<b>{escape(t['names'])}</b>"), names_box])
    layout = [
        w.HBox([left, right]),
        outputs["summary"],
        outputs["cards"],
        outputs["profile"],
        outputs["reason"],
        outputs["diagnostics"],
        w.HBox([controls["path"], controls["save"]]),
        outputs["saved"],
    ]
    ex = Explorer(title=t["title"], controls=controls, outputs=outputs, layout=layout, language=lang)
    ex.name_boxes = []
    diag_cache: dict[tuple, pd.DataFrame] = {}
    fit_cache: dict[tuple, PersonaFit] = {}
    png_cache: dict[tuple, bytes] = {}
    common: dict[str, Any] = {
        "k_range": k_range,
        "resamples": resamples,
        "random_state": random_state,
        "weight": weight,
        "survey": survey,
        "score": score,
        "events": events,
        "channel": channel,
        "profile_variables": profile_variables,
        "language": lang,
    }

    def show_cards(fit: PersonaFit) -> None:
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(fit.profile.variables) + 2.5))
        plot_persona_profile(fit.profile, ax=ax, language=lang, labels=fit.names)
        ex.outputs["profile"].value = figure_png(fig, dpi=70)
        ex.outputs["cards"].value = cards_html(fit.cards, language=lang)
        cols = ["persona", f"name_{lang}", "n", "share", "nps", "nps_ci_low", "nps_ci_high"]
        summary = fit.cards[[c for c in cols if c in fit.cards]].assign(share=lambda d: 100 * d["share"])
        ex.outputs["summary"].value = table_html(summary)

    def rename(*_: Any) -> None:
        if ex.result is None:
            return

        def work() -> None:
            ex.result = rename_personas(ex.result, [box.value for box in ex.name_boxes])
            show_cards(ex.result)

        ex._run("rename", work)

    def refit(*_: Any) -> None:
        def work() -> None:
            chosen_vars = tuple(ex.controls["variables"].value)
            alg, kk = ex.controls["algorithm"].value, ex.controls["k"].value
            key = (chosen_vars, alg, kk)
            if key in fit_cache:
                fit = fit_cache[key]
            else:
                fit = fit_personas(
                    data,
                    variables=list(chosen_vars),
                    algorithm=alg,
                    k=kk,
                    diagnostics=diag_cache.get((chosen_vars, alg)),
                    progress=ex._progress,
                    **common,
                )
                fit_cache[key] = fit
                if fit.diagnostics is not None:
                    diag_cache[(chosen_vars, alg)] = fit.diagnostics
            ex.result = fit
            diag = fit.diagnostics if fit.diagnostics is not None else diag_cache.get((chosen_vars, alg))
            if diag is not None:
                if (chosen_vars, alg) not in png_cache:
                    png_cache[(chosen_vars, alg)] = figure_png(
                        plot_choose_k(diag, language=lang, figsize=(9, 4.5)), dpi=70
                    )
                ex.outputs["diagnostics"].value = png_cache[(chosen_vars, alg)]
                ex.outputs["diagnostics"].layout.display = None
                rec = int(diag.loc[diag["recommended"], "k"].iloc[0])
                reason = diag.attrs.get("cjm", {}).get("reason", {}).get(lang, "")
                ex.outputs["reason"].value = f"<b>{escape(t['recommended'].format(k=rec))}</b> {escape(reason)}"
            else:
                ex.outputs["diagnostics"].layout.display = "none"
                ex.outputs["reason"].value = f"<i>{escape(t['no_diag'])}</i>"
            boxes = []
            for p in sorted(fit.names):
                box = w.Text(
                    value="",
                    placeholder=fit.names[p],
                    description=f"{p}",
                    continuous_update=False,
                    style={"description_width": "20px"},
                    layout=w.Layout(width="300px"),
                )
                box.observe(rename, names="value")
                boxes.append(box)
            ex.name_boxes = boxes
            names_box.children = boxes
            show_cards(fit)

        ex._run("fit", work)

    def save(*_: Any) -> None:
        def work() -> None:
            written = export_typing_tool(ex.result, ex.controls["path"].value)
            ex.outputs["saved"].value = escape(t["saved"].format(p=written))

        ex._run("save", work)

    for name in ("variables", "algorithm", "k"):
        controls[name].observe(refit, names="value")
    controls["save"].on_click(save)
    ex.refresh = refit
    ex.save = save
    refit()
    return ex

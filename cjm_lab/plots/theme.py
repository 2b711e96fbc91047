"""One visual language for every cjm-lab chart: theme, fixed palettes, words and numbers.

*Palettes.*  Each dimension has its own small palette (at most six colours) and keeps
the same colour for the same thing in every chart:

==================  ==========================================================  ==================
dimension           colours (hex)                                               source
==================  ==========================================================  ==================
NPS groups          detractor ``#BB5566``, passive ``#DDAA33``,                 Paul Tol
                    promoter ``#004488``                                        "high-contrast"
personas            ``#4477AA #EE6677 #228833 #CCBB44 #66CCEE #AA3377``        Paul Tol "bright"
                    (by label order)
stages              research ``#332288``, comparison ``#88CCEE``, purchase      Paul Tol "muted"
                    ``#117733``, experience ``#DDCC77``, loyalty ``#CC6677``
departments         marketing ``#E69F00``, sales ``#0072B2``, accounting        Okabe & Ito
                    ``#CC79A7``, logistics ``#009E73``, customer service
                    ``#D55E00``, product ``#56B4E9``
attribution models  markov ``#0077BB``, first touch ``#33BBEE``, last touch     Paul Tol "vibrant"
                    ``#009988``, linear ``#EE7733``, position-based
                    ``#CC3311``, time decay ``#EE3377``
IPA quadrants       fix first ``#CC3311``, keep up ``#004488``, low priority     Paul Tol
                    ``#BBBBBB``, possible overkill ``#DDAA33``
==================  ==========================================================  ==================

All of them were designed to stay distinct for people with red–green (deuteranopia,
protanopia) and blue–yellow (tritanopia) colour vision deficiency; simulated with the
Machado et al. (2009) matrices at full severity, every pair within a palette stays at
least 13 CIELAB units apart (the tests check it).  The NPS colours are
Tol's high-contrast scheme, whose three colours also differ clearly in lightness
(relative luminance about 0.07, 0.18 and 0.44), so a greyscale print still separates
them; the stage colours alternate dark and light along the journey, so neighbouring
stages differ in grey as well.  Where colours alone could still be confused, charts
add hatching (:data:`NPS_HATCHES`, :data:`DEPARTMENT_HATCHES`, :data:`MODEL_HATCHES`),
markers (:data:`PERSONA_MARKERS`) or direct value labels.

*Words and numbers.*  Every title, axis label and legend exists in English and German
(``language="en" | "de"``); stage, department and kind labels come from
:mod:`cjm_lab.vocab`.  :func:`format_number` and :func:`format_percent` write numbers the
way each language does (English ``1,234.5`` and ``12.5%``, German ``1.234,5`` and
``12,5 %``), and :func:`number_formatter` does the same for axis ticks.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import FuncFormatter

from cjm_lab._format import LANGUAGES, check_language, format_number, format_percent
from cjm_lab._params import BOOLEAN, COUNT, LANGUAGE, InstanceOf, Interval, Real, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.vocab import (
    DEFAULT_STAGES,
    DEPARTMENT_LABELS,
    DEPARTMENTS,
    KIND_LABELS,
    STAGE_LABELS,
)

__all__ = [
    "DEPARTMENT_COLORS",
    "DEPARTMENT_HATCHES",
    "DIVERGING_CMAP",
    "HIGHLIGHT",
    "INK",
    "LANGUAGES",
    "LIGHT",
    "MODEL_COLORS",
    "MODEL_HATCHES",
    "NEUTRAL",
    "NPS_COLORS",
    "NPS_GROUPS",
    "NPS_HATCHES",
    "PERSONA_MARKERS",
    "PERSONA_PALETTE",
    "QUADRANT_COLORS",
    "QUADRANT_MARKERS",
    "SEQUENTIAL_CMAP",
    "STAGE_COLORS",
    "THEME_RC",
    "add_footnote",
    "check_language",
    "cjm_style",
    "column_word",
    "department_colors",
    "department_label",
    "format_number",
    "format_percent",
    "kind_label",
    "model_label",
    "nps_group_label",
    "number_formatter",
    "persona_colors",
    "persona_markers",
    "set_theme",
    "stage_colors",
    "stage_label",
    "text",
]

#: The three NPS groups, from the worst to the best.
NPS_GROUPS = ("detractor", "passive", "promoter")

#: NPS group colours (Paul Tol's high-contrast scheme: CVD-safe and distinct in grey).
NPS_COLORS: dict[str, str] = {"detractor": "#BB5566", "passive": "#DDAA33", "promoter": "#004488"}
#: NPS group hatches, so that a grey print still reads.
NPS_HATCHES: dict[str, str] = {"detractor": "////", "passive": "", "promoter": "...."}

#: Persona colours in label order (Paul Tol's "bright" scheme without its grey).
PERSONA_PALETTE: tuple[str, ...] = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377")
#: Persona markers in label order (for lines and points in grey print).
PERSONA_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P")

#: The five CJM stages (Paul Tol's "muted" scheme; dark and light alternate along the journey).
STAGE_COLORS: dict[str, str] = {
    "research": "#332288",
    "comparison": "#88CCEE",
    "purchase": "#117733",
    "experience": "#DDCC77",
    "loyalty": "#CC6677",
}
#: Extra colours for the stages of other catalogues (BPIC, help desk), in stage order.
_STAGE_FALLBACK: tuple[str, ...] = ("#332288", "#88CCEE", "#117733", "#DDCC77", "#CC6677", "#AA4499")

#: The six departments (Okabe & Ito's colour-blind-safe palette without black and yellow).
DEPARTMENT_COLORS: dict[str, str] = {
    "marketing": "#E69F00",
    "sales": "#0072B2",
    "accounting": "#CC79A7",
    "logistics": "#009E73",
    "customer_service": "#D55E00",
    "product": "#56B4E9",
}
#: Department hatches, so that a grey print still reads.
DEPARTMENT_HATCHES: dict[str, str] = {
    "marketing": "",
    "sales": "////",
    "accounting": "\\\\\\\\",
    "logistics": "xxx",
    "customer_service": "....",
    "product": "ooo",
}

#: Attribution models (Paul Tol's "vibrant" scheme).
MODEL_COLORS: dict[str, str] = {
    "markov": "#0077BB",
    "first_touch": "#33BBEE",
    "last_touch": "#009988",
    "linear": "#EE7733",
    "position_based": "#CC3311",
    "time_decay": "#EE3377",
}
#: Attribution model hatches.
MODEL_HATCHES: dict[str, str] = {
    "markov": "",
    "first_touch": "////",
    "last_touch": "\\\\\\\\",
    "linear": "....",
    "position_based": "xxx",
    "time_decay": "---",
}

#: Importance–performance quadrants (fix first in red; Tol's high-contrast blue and yellow, grey).
QUADRANT_COLORS: dict[str, str] = {
    "fix_first": "#CC3311",
    "keep_up": "#004488",
    "low_priority": "#BBBBBB",
    "overkill": "#DDAA33",
}
QUADRANT_MARKERS: dict[str, str] = {"fix_first": "D", "keep_up": "o", "low_priority": "s", "overkill": "^"}

#: Neutral grey (totals, "other"), light grey (bands, grids), ink (text), highlight (flags).
NEUTRAL = "#888888"
LIGHT = "#DDDDDD"
INK = "#222222"
HIGHLIGHT = "#CC3311"

#: Sequential colour map for shares and probabilities (white to Tol's dark blue).
SEQUENTIAL_CMAP = LinearSegmentedColormap.from_list(
    "cjm_sequential", ["#FFFFFF", "#D1E5F0", "#92C5DE", "#4393C3", "#2166AC", "#053061"]
)
#: Diverging colour map for indices around 100 (Tol's colour-blind-safe BuRd).
DIVERGING_CMAP = LinearSegmentedColormap.from_list(
    "cjm_diverging",
    ["#2166AC", "#4393C3", "#92C5DE", "#D1E5F0", "#F7F7F7", "#FDDBC7", "#F4A582", "#D6604D", "#B2182B"],
)

#: The matplotlib settings of the cjm-lab theme.
THEME_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
    "font.size": 10.0,
    "axes.titlesize": 12.0,
    "axes.titleweight": "bold",
    "axes.titlepad": 10.0,
    "axes.labelsize": 10.0,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.unicode_minus": True,
    "axes.prop_cycle": cycler(color=list(PERSONA_PALETTE)),
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.8,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.frameon": False,
    "legend.fontsize": 9.0,
    "legend.title_fontsize": 9.0,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "hatch.color": "#333333",
    "hatch.linewidth": 0.7,
    "image.cmap": "cjm_sequential",
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    "patch.edgecolor": "white",
}


def _register_cmaps() -> None:
    for cmap in (SEQUENTIAL_CMAP, DIVERGING_CMAP):
        if cmap.name not in mpl.colormaps:
            mpl.colormaps.register(cmap)


_register_cmaps()


#: The options of set_theme and cjm_style.
_THEME_OPTIONS = {
    "font_scale": [Interval(Real, 0, None, closed="neither", example="1.3 for slides")],
    "rc": [InstanceOf(Mapping), None],
}


@validate_params(_THEME_OPTIONS)
def set_theme(*, font_scale: float = 1.0, rc: Mapping[str, Any] | None = None) -> None:
    """Apply the cjm-lab theme to matplotlib (and seaborn) for the rest of the session.

    Every chart function of :mod:`cjm_lab.plots` draws inside :func:`cjm_style` anyway;
    call this once in a notebook so that your own matplotlib/seaborn figures match.

    Parameters
    ----------
    font_scale : float, default 1.0
        Multiply every font size (e.g. 1.3 for slides).
    rc : mapping, optional
        Extra matplotlib settings applied on top of :data:`THEME_RC`.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context():
    ...     set_theme()
    ...     mpl.rcParams["axes.spines.top"]
    False
    """
    mpl.rcParams.update(_theme_rc(font_scale, rc))  # type: ignore[arg-type]


def _theme_rc(font_scale: float = 1.0, rc: Mapping[str, Any] | None = None) -> dict[str, Any]:
    out = dict(THEME_RC)
    for key, value in out.items():
        if key.endswith(("size", "labelsize", "title_fontsize")) and isinstance(value, float):
            out[key] = value * font_scale
    if rc:
        out.update(rc)
    return out


@validate_params(_THEME_OPTIONS)
@contextlib.contextmanager
def cjm_style(*, font_scale: float = 1.0, rc: Mapping[str, Any] | None = None) -> Iterator[None]:
    """A context manager that applies the cjm-lab theme only inside a ``with`` block.

    Parameters
    ----------
    font_scale : float, default 1.0
        Multiply every font size.
    rc : mapping, optional
        Extra matplotlib settings.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with cjm_style():
    ...     fig, ax = plt.subplots()
    ...     ax.spines["top"].get_visible()
    False
    >>> plt.close(fig)
    """
    with mpl.rc_context(_theme_rc(font_scale, rc)):  # type: ignore[arg-type]
        yield


# --------------------------------------------------------------------------- words

#: Chart texts in English and German; ``{name}`` fields are filled by :func:`text`.
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "detractor": "Detractors",
        "passive": "Passives",
        "promoter": "Promoters",
        "nps": "NPS",
        "nps_title": "Net Promoter Score",
        "nps_by": "Net Promoter Score by {segment}",
        "nps_axis": "NPS (−100 to +100)",
        "nps_dist_title": "Promoters, passives and detractors",
        "nps_dist_by": "Promoters, passives and detractors by {segment}",
        "share_axis": "Share of respondents (%)",
        "nps_trend_title": "NPS over time",
        "period": "Period",
        "wave": "Wave",
        "period_month": "Month",
        "period_quarter": "Quarter",
        "period_week": "Week",
        "period_year": "Year",
        "period_day": "Date",
        "ci": "{level} confidence interval",
        "ci_band": "{level} confidence band",
        "low_base_note": "* Low base (n = {n_min}–{n_max}): interpret with care.",
        "low_base_note_one": "* Low base (n = {n_min}): interpret with care.",
        "low_base": "low base",
        "change_note": "▲/▼ significant change from the period before.",
        "total": "Total",
        "drivers_title": "Key drivers: relative importance",
        "drivers_axis_share": "Share of explained variance (%)",
        "drivers_axis": "Explained variance (R² units)",
        "drivers_note": "Bars: {method} importance; lines: {level} bootstrap interval ({n_boot} resamples). R² = {r2}.",
        "drivers_note_plain": "Bars: {method} importance. R² = {r2}.",
        "shapley": "Shapley",
        "johnson": "Johnson",
        "ipa_title": "Importance–performance matrix",
        "importance": "Importance",
        "performance": "Performance (mean rating)",
        "crosstab_title": "Crosstab",
        "crosstab_note": "Letters: significantly higher than the column with that letter (p < {alpha}).",
        "choose_k_title": "How many personas? Cluster diagnostics",
        "k": "Number of personas (k)",
        "higher_better": "higher is better",
        "lower_better": "lower is better",
        "recommended": "recommended: k = {k}",
        "silhouette": "Silhouette",
        "calinski_harabasz": "Calinski–Harabasz",
        "davies_bouldin": "Davies–Bouldin",
        "bic": "BIC",
        "aic": "AIC",
        "stability": "Bootstrap stability (ARI)",
        "inertia": "Within-cluster sum of squares",
        "profile_title": "Persona profiles: index vs. total (100 = average)",
        "persona": "Persona",
        "variable": "Variable",
        "index": "Index",
        "sig_note": "* significantly different from the total.",
        "mark_note": "▲/▼ significantly above/below the other personas (Benjamini–Hochberg).",
        "clustered_note": "No marks for the variables the personas were built on: they differ by construction.",
        "cards_title": "Persona cards",
        "size": "Size",
        "traits": "Key traits",
        "feelings": "Feelings",
        "channels": "Channels",
        "satisfaction": "Satisfaction",
        "funnel_title": "Funnel: conversion by step",
        "step": "Step",
        "reached_axis": "Reached (% of step 1)",
        "drop_off": "drop-off",
        "funnel_note": "Bars: share reaching each step, lines: {level} interval; red: dropped since the step before.",
        "transitions_title": "Transitions: where customers go next",
        "from": "From",
        "to": "To",
        "probability": "Probability",
        "start": "Start",
        "exit": "Exit",
        "path_lengths_title": "Journey length",
        "length": "Journey length (events)",
        "journeys_pct": "Journeys (%)",
        "median": "median: {value}",
        "ttc_title": "Time to convert",
        "time_days": "Days since the journey started",
        "time": "Time",
        "converted_axis": "Converted (cumulative %)",
        "ttc_note": "Kaplan–Meier estimate: customers who have not converted yet count as censored.",
        "pain_title": "Pain points ranked by customers hurt",
        "pain_axis": "Pain score (excess customers hurt per 100 journeys)",
        "department": "Department",
        "attribution_title": "Attribution: conversions credited per touchpoint",
        "attribution_share": "Share of conversions (%)",
        "attribution_conversions": "Attributed conversions",
        "touchpoint": "Touchpoint",
        "model": "Model",
        "sankey_title": "Top {top} customer paths",
        "sankey_note": "Band width: journeys ({share} of all journeys shown).",
        "sankey_steps_title": "Customer journeys step by step",
        "others_n": "{n} others",
        "sankey_steps_note": "Band width: journeys. All {n} journeys; at each step, touchpoints with few of its "
        "journeys are merged into “other” ({merged} of the node visits).",
        "sankey_cut_note": "{n} journeys go on after step {steps} (not drawn).",
        "journeys": "journeys",
        "end": "End",
        "other": "other",
        "step_n": "Step {n}",
    },
    "de": {
        "detractor": "Kritiker",
        "passive": "Passive",
        "promoter": "Promotoren",
        "nps": "NPS",
        "nps_title": "Net Promoter Score",
        "nps_by": "Net Promoter Score nach {segment}",
        "nps_axis": "NPS (−100 bis +100)",
        "nps_dist_title": "Promotoren, Passive und Kritiker",
        "nps_dist_by": "Promotoren, Passive und Kritiker nach {segment}",
        "share_axis": "Anteil der Befragten (%)",
        "nps_trend_title": "NPS im Zeitverlauf",
        "period": "Zeitraum",
        "wave": "Welle",
        "period_month": "Monat",
        "period_quarter": "Quartal",
        "period_week": "Kalenderwoche",
        "period_year": "Jahr",
        "period_day": "Datum",
        "ci": "{level}-Konfidenzintervall",
        "ci_band": "{level}-Konfidenzband",
        "low_base_note": "* Geringe Basis (n = {n_min}–{n_max}): mit Vorsicht interpretieren.",
        "low_base_note_one": "* Geringe Basis (n = {n_min}): mit Vorsicht interpretieren.",
        "low_base": "geringe Basis",
        "change_note": "▲/▼ signifikante Veränderung zum Vorzeitraum.",
        "total": "Gesamt",
        "drivers_title": "Treiberanalyse: relative Wichtigkeit",
        "drivers_axis_share": "Anteil an der erklärten Varianz (%)",
        "drivers_axis": "Erklärte Varianz (R²-Einheiten)",
        "drivers_note": (
            "Balken: Wichtigkeit nach {method}; Linien: {level}-Bootstrap-Intervall ({n_boot} Stichproben). R² = {r2}."
        ),
        "drivers_note_plain": "Balken: Wichtigkeit nach {method}. R² = {r2}.",
        "shapley": "Shapley",
        "johnson": "Johnson",
        "ipa_title": "Wichtigkeits-Zufriedenheits-Matrix",
        "importance": "Wichtigkeit",
        "performance": "Zufriedenheit (Mittelwert)",
        "crosstab_title": "Kreuztabelle",
        "crosstab_note": "Buchstaben: signifikant höher als die Spalte mit diesem Buchstaben (p < {alpha}).",
        "choose_k_title": "Wie viele Personas? Cluster-Diagnostik",
        "k": "Anzahl der Personas (k)",
        "higher_better": "höher ist besser",
        "lower_better": "niedriger ist besser",
        "recommended": "empfohlen: k = {k}",
        "silhouette": "Silhouette",
        "calinski_harabasz": "Calinski–Harabasz",
        "davies_bouldin": "Davies–Bouldin",
        "bic": "BIC",
        "aic": "AIC",
        "stability": "Bootstrap-Stabilität (ARI)",
        "inertia": "Quadratsumme innerhalb der Cluster",
        "profile_title": "Persona-Profile: Index zum Gesamt (100 = Durchschnitt)",
        "persona": "Persona",
        "variable": "Merkmal",
        "index": "Index",
        "sig_note": "* signifikant verschieden vom Gesamt.",
        "mark_note": "▲/▼ signifikant über/unter den übrigen Personas (Benjamini-Hochberg).",
        "clustered_note": "Keine Markierung bei den Merkmalen, aus denen die Personas gebildet wurden: "
        "sie unterscheiden sich per Konstruktion.",
        "cards_title": "Persona-Steckbriefe",
        "size": "Größe",
        "traits": "Typische Merkmale",
        "feelings": "Gefühle",
        "channels": "Kanäle",
        "satisfaction": "Zufriedenheit",
        "funnel_title": "Trichter: Konversion je Schritt",
        "step": "Schritt",
        "reached_axis": "Erreicht (% von Schritt 1)",
        "drop_off": "Abbruch",
        "funnel_note": (
            "Balken: Anteil, der den Schritt erreicht, Linien: {level}-Intervall; rot: Abbruch seit dem Schritt davor."
        ),
        "transitions_title": "Übergänge: wohin Kunden als Nächstes gehen",
        "from": "Von",
        "to": "Nach",
        "probability": "Wahrscheinlichkeit",
        "start": "Start",
        "exit": "Ausstieg",
        "path_lengths_title": "Länge der Journeys",
        "length": "Länge der Journey (Ereignisse)",
        "journeys_pct": "Journeys (%)",
        "median": "Median: {value}",
        "ttc_title": "Zeit bis zur Konversion",
        "time_days": "Tage seit Beginn der Journey",
        "time": "Zeit",
        "converted_axis": "Konvertiert (kumuliert, %)",
        "ttc_note": "Kaplan-Meier-Schätzung: Kunden, die noch nicht konvertiert sind, gelten als zensiert.",
        "pain_title": "Schmerzpunkte nach betroffenen Kunden",
        "pain_axis": "Schmerzpunkt-Score (zusätzlich betroffene Kunden je 100 Journeys)",
        "department": "Abteilung",
        "attribution_title": "Attribution: Konversionen je Kontaktpunkt",
        "attribution_share": "Anteil an den Konversionen (%)",
        "attribution_conversions": "Zugeordnete Konversionen",
        "touchpoint": "Kontaktpunkt",
        "model": "Modell",
        "sankey_title": "Die {top} häufigsten Kundenpfade",
        "sankey_note": "Bandbreite: Journeys (dargestellt: {share} aller Journeys).",
        "sankey_steps_title": "Kundenreisen Schritt für Schritt",
        "others_n": "{n} weitere",
        "sankey_steps_note": "Bandbreite: Kundenreisen. Alle {n} Kundenreisen; je Schritt sind Kontaktpunkte mit "
        "wenigen Reisen zu „Sonstige“ zusammengefasst ({merged} der Knotenbesuche).",
        "sankey_cut_note": "{n} Kundenreisen gehen nach Schritt {steps} weiter (nicht dargestellt).",
        "journeys": "Journeys",
        "end": "Ende",
        "other": "Sonstige",
        "step_n": "Schritt {n}",
    },
}

_MODEL_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "markov": "Markov (removal effect)",
        "first_touch": "First touch",
        "last_touch": "Last touch",
        "linear": "Linear",
        "position_based": "Position-based",
        "time_decay": "Time decay",
    },
    "de": {
        "markov": "Markov (Removal-Effekt)",
        "first_touch": "Erster Kontakt",
        "last_touch": "Letzter Kontakt",
        "linear": "Linear",
        "position_based": "Positionsbasiert",
        "time_decay": "Zeitverfall",
    },
}

#: Names of common grouping columns, for titles such as "NPS by persona".
_COLUMN_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "persona": "persona",
        "wave": "wave",
        "segment": "segment",
        "region": "region",
        "channel": "channel",
        "stage": "stage",
        "department": "department",
        "period": "period",
        "age_band": "age band",
        "income_band": "income band",
        "preferred_channel": "preferred channel",
    },
    "de": {
        "persona": "Persona",
        "wave": "Welle",
        "segment": "Segment",
        "region": "Region",
        "channel": "Kanal",
        "stage": "Phase",
        "department": "Abteilung",
        "period": "Zeitraum",
        "age_band": "Altersgruppe",
        "income_band": "Einkommensgruppe",
        "preferred_channel": "bevorzugtem Kanal",
    },
}


def text(key: str, language: str = "en", **fields: Any) -> str:
    """A chart text in English or German, with ``{fields}`` filled in.

    Examples
    --------
    >>> text("nps_by", "de", segment="Persona")
    'Net Promoter Score nach Persona'
    """
    lang = check_language(language)
    template = _TEXT[lang].get(key, _TEXT["en"].get(key, key))
    return template.format(**fields) if fields else template


def column_word(column: Any, language: str = "en") -> str:
    """The word for a grouping column in a title (``"wave"`` → ``"Welle"`` in German).

    Examples
    --------
    >>> column_word("wave", "de"), column_word("age_band", "en")
    ('Welle', 'age band')
    """
    lang = check_language(language)
    name = str(column)
    return _COLUMN_WORDS[lang].get(name, name.replace("_", " "))


def nps_group_label(group: str, language: str = "en") -> str:
    """The plural label of an NPS group.

    Examples
    --------
    >>> [nps_group_label(g, "de") for g in NPS_GROUPS]
    ['Kritiker', 'Passive', 'Promotoren']
    """
    if group not in NPS_GROUPS:
        raise CJMConfigError(f"Unknown NPS group {group!r}; use one of {', '.join(NPS_GROUPS)}.")
    return text(group, language)


def stage_label(stage: Any, language: str = "en") -> str:
    """A stage's label from :data:`cjm_lab.vocab.STAGE_LABELS` (other stages as given).

    Examples
    --------
    >>> stage_label("experience", "de"), stage_label("A_SUBMITTED", "de")
    ('Nutzung & Service', 'A_SUBMITTED')
    """
    return STAGE_LABELS[check_language(language)].get(str(stage), str(stage))


def department_label(department: Any, language: str = "en") -> str:
    """A department's label from :data:`cjm_lab.vocab.DEPARTMENT_LABELS`.

    Examples
    --------
    >>> department_label("customer_service", "de")
    'Kundenservice'
    """
    return DEPARTMENT_LABELS[check_language(language)].get(str(department), str(department))


def kind_label(kind: Any, language: str = "en") -> str:
    """A touchpoint kind's label from :data:`cjm_lab.vocab.KIND_LABELS`.

    Examples
    --------
    >>> kind_label("peripheral", "de")
    'Peripher'
    """
    return KIND_LABELS[check_language(language)].get(str(kind), str(kind))


def model_label(model: Any, language: str = "en") -> str:
    """An attribution model's label.

    Examples
    --------
    >>> model_label("first_touch", "de")
    'Erster Kontakt'
    """
    return _MODEL_LABELS[check_language(language)].get(str(model), str(model))


# --------------------------------------------------------------------------- colours


def _ordered_unique(values: Iterable[Any]) -> list[Any]:
    seen: dict[Any, None] = {}
    for v in values:
        if v not in seen:
            seen[v] = None
    return list(seen)


def _is_int_label(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and float(value).is_integer()


def _persona_index(personas: Iterable[Any]) -> dict[Any, int]:
    labels = _ordered_unique(personas)
    if labels and all(_is_int_label(p) for p in labels):
        return {p: int(p) for p in labels}
    return {p: i for i, p in enumerate(labels)}


@validate_params({})
def persona_colors(personas: Iterable[Any]) -> dict[Any, str]:
    """Colours of personas in label order: the first persona always gets the first colour.

    Whole-number labels (``0, 1, 2`` as :class:`~cjm_lab.personas.PersonaModel` numbers
    them, by size) index the palette directly, so persona 2 keeps its colour in a chart
    that shows only personas 2 and 4.  Other labels take the colours in the order given:
    pass all personas in their label order (the charts use the categories of a
    categorical column, else the sorted labels).  More than six personas reuse the
    colours; :func:`persona_markers` tells them apart.

    Examples
    --------
    >>> persona_colors(["Price hunters", "Advice seekers"])
    {'Price hunters': '#4477AA', 'Advice seekers': '#EE6677'}
    >>> persona_colors([2, 4])
    {2: '#228833', 4: '#66CCEE'}
    """
    return {p: PERSONA_PALETTE[i % len(PERSONA_PALETTE)] for p, i in _persona_index(personas).items()}


def persona_markers(personas: Iterable[Any]) -> dict[Any, str]:
    """Markers of personas in label order (a seventh persona gets a new colour–marker pair).

    Examples
    --------
    >>> persona_markers(["a", "b"])
    {'a': 'o', 'b': 's'}
    """
    n = len(PERSONA_PALETTE)
    return {p: PERSONA_MARKERS[(i + i // n) % len(PERSONA_MARKERS)] for p, i in _persona_index(personas).items()}


@validate_params({})
def stage_colors(stages: Sequence[Any] = DEFAULT_STAGES) -> dict[Any, str]:
    """Colours of an ordered list of stages.

    The five CJM stages keep their fixed colours (:data:`STAGE_COLORS`); a catalogue with
    its own stages (BPIC, help desk) gets the same palette by stage position.

    Examples
    --------
    >>> stage_colors()["purchase"]
    '#117733'
    >>> stage_colors(["submitted", "offered"])
    {'submitted': '#332288', 'offered': '#88CCEE'}
    """
    stages = _ordered_unique(stages)
    if all(str(s) in STAGE_COLORS for s in stages):
        return {s: STAGE_COLORS[str(s)] for s in stages}
    return {s: _STAGE_FALLBACK[i % len(_STAGE_FALLBACK)] for i, s in enumerate(stages)}


@validate_params({})
def department_colors(departments: Iterable[Any] = DEPARTMENTS) -> dict[Any, str]:
    """Colours of departments: the six known departments always keep their colour.

    Unknown departments get :data:`NEUTRAL` grey (missing ones too).

    Examples
    --------
    >>> department_colors(["logistics", "sales"])
    {'logistics': '#009E73', 'sales': '#0072B2'}
    """
    return {d: DEPARTMENT_COLORS.get(str(d), NEUTRAL) for d in _ordered_unique(departments)}


# --------------------------------------------------------------------------- numbers


@validate_params({"decimals": [COUNT, None], "language": [LANGUAGE], "percent": [BOOLEAN], "sign": [BOOLEAN]})
def number_formatter(
    decimals: int | None = None,
    language: str = "en",
    *,
    percent: bool = False,
    sign: bool = False,
) -> FuncFormatter:
    """A matplotlib tick formatter that writes numbers the language's way.

    Parameters
    ----------
    decimals : int, optional
        Fixed decimals; default as few as the tick spacing needs.
    language : {"en", "de"}
    percent : bool, default False
        Append ``%`` (English) or `` %`` (German); values are in percent.
    sign : bool, default False
        ``+`` before positive ticks.

    Examples
    --------
    >>> fmt = number_formatter(1, "de", percent=True)
    >>> fmt(12.5, 0)
    '12,5 %'
    """
    check_language(language)

    def _format(x: float, pos: int | None = None) -> str:
        d = decimals if decimals is not None else _auto_decimals(x)
        if percent:
            return format_percent(x, d, language, sign=sign)
        return format_number(x, d, language, sign=sign)

    return FuncFormatter(_format)


def _auto_decimals(x: float) -> int:
    """Few decimals for tick values: none for whole numbers, else up to three."""
    if not math.isfinite(x):
        return 0
    for d in range(4):
        if abs(round(x, d) - x) < 1e-9 * max(1.0, abs(x)):
            return d
    return 3


def add_footnote(ax: Any, note: str, *, fontsize: float = 8.0) -> Any:
    """Write a small note below an Axes (under its x label), left-aligned.

    The note belongs to the Axes (so it follows it into any figure) and is kept by
    ``savefig(bbox_inches="tight")``, which the theme sets.

    Returns
    -------
    matplotlib.text.Annotation
        Its ``gid`` is ``"footnote"``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> add_footnote(ax, "* Low base").get_text()
    '* Low base'
    >>> plt.close(fig)
    """
    existing = [c for c in ax.texts if c.get_gid() == "footnote"]
    below_label = bool(ax.axison)
    ann = ax.annotate(
        note,
        xy=(0, 0),
        xycoords=("axes fraction", ax.xaxis.label) if below_label else "axes fraction",
        xytext=(0, -4 - 11 * len(existing) - (0 if below_label else 8)),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=fontsize,
        color="#555555",
        annotation_clip=False,
    )
    ann.set_gid("footnote")
    return ann

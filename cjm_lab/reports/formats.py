"""How a result table looks in every deliverable: column kinds, labels and number formats.

One answer, asked by the report page, the Excel workbook and the PowerPoint deck alike:

* :func:`column_kind` — what a column holds (a count, a percentage in percent units, a
  fraction, a signed score such as the NPS, a p-value, seconds, a flag, a date or text),
  from the package's own result column names (``n``, ``pct_promoters``, ``nps``,
  ``p_adjusted`` …) and, where a name says nothing, from the values;
* :func:`column_label` — the header a person reads, in English or German (``n`` is
  "Base (n)" / "Basis (n)"); a data column (a segment such as ``region``) asks the labels
  of the data (the :class:`cjm_lab.labels.Labels` object when given);
* :func:`format_value` — a cell as text for the page and slides (``1.234,5`` in German,
  missing as "–", flags as yes/no);
* :func:`excel_format` / :func:`pptx_format` — the number format of a column in a
  spreadsheet cell or a chart axis (numbers stay numbers);
* :func:`display_table` — an HTML table for the report page: labelled headers, no index
  unless it means something, localised numbers, every data string escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import check_language, format_number
from cjm_lab._params import COUNT, LANGUAGE, WHOLE_NUMBER, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.untrusted import escape_html
from cjm_lab.vocab import (
    DEPARTMENT_LABELS,
    KIND_LABELS,
    OUTCOME_KINDS,
    OUTCOME_WORDS,
    PAIN_COMPONENT_LABELS,
    STAGE_LABELS,
)

__all__ = [
    "KINDS",
    "HIDDEN_COLUMNS",
    "column_kind",
    "column_kinds",
    "column_label",
    "value_labeller",
    "format_value",
    "excel_format",
    "pptx_format",
    "display_table",
    "DisplayTable",
    "word",
]

#: What a column can hold; each kind has one number format per deliverable.
KINDS = ("count", "number", "percent", "fraction", "score", "p_value", "seconds", "flag", "date", "code", "text")

#: Columns kept in the CSV and the workbook but not shown on the page or a slide: they are
#: bookkeeping (the suppression flag becomes "–" in the cells it blanked).
HIDDEN_COLUMNS = frozenset({"suppressed", "ci_method", "measure", "label_de", "label_en"})

_COUNT = re.compile(
    r"^(n|n_.+|.+_n|count|base|rows|columns|customers|conversions|excess_customers|length|rank"
    r"|.+_rank|k|step_no|priority|n_boot)$"
)
_PERCENT = re.compile(
    r"^(pct|cum_pct|pct_.+|.+_pct|.+_pct_.+|share_pct|missing_pct|reach_pct|.+_rate_met|.+_rate_not_met(_stage)?)$"
)
_FRACTION = re.compile(
    r"^(conversion_rate|probability|removal_effect|stability.*|persona_stability|smallest_share"
    r"|silhouette|r2|r|beta|accuracy|weight|.+_rate)$"
)
_SCORE = re.compile(
    r"^(nps|nps_.+|difference|change|change_ci_low|change_ci_high|ci_low|ci_high|nps_ci_.+"
    r"|.+_lift|.+_lift_stage|.+_lift_ci_low|.+_lift_ci_high)$"
)
_P = re.compile(r"^(p|p_value|p_adjusted|change_p|.+_p_adjusted|.+_p_value)$")
_SECONDS = re.compile(r"^(.+_s|median_time_s|p95_time_s)$")

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "yes": "yes",
        "no": "no",
        "total": "Total",
        "missing": "–",
        "base": "Base",
        "effective_base": "Effective base",
        "contents": "Contents",
        "table": "Table",
        "sheet": "Sheet",
        "run": "About this run",
        "parameter": "Parameter",
        "value": "Value",
        "file": "Data file",
        "sha256": "SHA-256",
        "suppressed_note": "– = not shown: fewer than {k} respondents or customers (data protection), or no value.",
        "letters_note": "Letters: significantly higher than the column with that letter (p < {alpha}).",
        "back": "Back to contents",
        "note": "Note",
        "notes": "Speaker notes",
        "source": "Source: {source}",
        "full_table": "First {n} of {total} rows; the full table is in the Excel workbook (sheet {sheet}).",
        "key_numbers": "Key numbers",
        "sig": "sig.",
    },
    "de": {
        "yes": "ja",
        "no": "nein",
        "total": "Gesamt",
        "missing": "–",
        "base": "Basis",
        "effective_base": "Effektive Basis",
        "contents": "Inhalt",
        "table": "Tabelle",
        "sheet": "Blatt",
        "run": "Über diesen Lauf",
        "parameter": "Parameter",
        "value": "Wert",
        "file": "Datendatei",
        "sha256": "SHA-256",
        "suppressed_note": "– = nicht ausgewiesen: weniger als {k} Befragte oder Kunden (Datenschutz), oder kein Wert.",
        "letters_note": "Buchstaben: signifikant höher als die Spalte mit diesem Buchstaben (p < {alpha}).",
        "back": "Zurück zum Inhalt",
        "note": "Hinweis",
        "notes": "Notizen",
        "source": "Quelle: {source}",
        "full_table": "Die ersten {n} von {total} Zeilen; die ganze Tabelle steht in der Excel-Mappe (Blatt {sheet}).",
        "key_numbers": "Kennzahlen",
        "sig": "sig.",
    },
}

#: Headers of the package's own result columns.
_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "n": "Base (n)",
        "n_eff": "Effective base",
        "n_missing": "Missing",
        "n_promoters": "Promoters (n)",
        "n_passives": "Passives (n)",
        "n_detractors": "Detractors (n)",
        "pct_promoters": "Promoters",
        "pct_passives": "Passives",
        "pct_detractors": "Detractors",
        "nps": "NPS",
        "se": "Standard error",
        "ci_low": "CI low",
        "ci_high": "CI high",
        "low_base": "Low base",
        "significant": "Significant",
        "period": "Period",
        "change": "Change",
        "change_ci_low": "Change CI low",
        "change_ci_high": "Change CI high",
        "change_p": "p (change)",
        "p_value": "p",
        "p_adjusted": "p (adjusted)",
        "segment": "Segment",
        "n_rest": "Base (rest)",
        "nps_rest": "NPS (rest)",
        "difference": "Difference",
        "text": "Finding",
        "touchpoint": "Touchpoint",
        "stage": "Stage",
        "department": "Department",
        "kind": "Kind",
        "n_journeys": "Journeys",
        "drop_off_pct": "Drop-off",
        "rework_pct": "Rework",
        "repeat_contact_pct": "Repeat contact",
        "long_wait_pct": "Long wait",
        "late_pct": "Late",
        "reach_pct": "Reach",
        "n_respondents_met": "Respondents who met it",
        "detractor_pct_met": "Detractors (met)",
        "detractor_pct_not_met": "Detractors (not met)",
        "detractor_odds_ratio": "Detractor odds ratio",
        "nps_met": "NPS (met)",
        "detractor_p_adjusted": "p (adjusted)",
        "excess_customers": "Excess customers hurt",
        "pain_score": "Pain score",
        "rank": "Rank",
        "main_issue": "Main issue",
        "note": "What hurts",
        "pain_rank": "Pain rank",
        "moment_of_truth": "Moment of truth",
        "priority": "Priority",
        "source": "Source",
        "subject": "Subject",
        "issue": "Issue",
        "evidence": "Evidence",
        "model": "Model",
        "conversions": "Conversions",
        "share": "Share",
        "removal_effect": "Removal effect",
        "step_no": "Step",
        "step": "Step",
        "optional": "Optional",
        "n_reached": "Reached",
        "pct_of_start": "% of start",
        "pct_of_previous": "% of previous step",
        "prev_ci_low": "CI low (previous)",
        "prev_ci_high": "CI high (previous)",
        "n_dropped": "Dropped",
        "median_time_s": "Median time (s)",
        "p95_time_s": "95th percentile time (s)",
        "n_excluded": "Excluded",
        "target": "To",
        "probability": "Probability",
        "median_s": "Median (s)",
        "p95_s": "95th percentile (s)",
        "path": "Path",
        "pct": "Share",
        "cum_pct": "Cumulative share",
        "length": "Length",
        "conversion_rate": "Conversion rate",
        "median_duration_s": "Median duration (s)",
        "driver": "Driver",
        "n_used": "Used",
        "n_dropped_rows": "Dropped",
        "r": "Correlation",
        "beta": "Beta",
        "shapley": "Shapley",
        "shapley_share": "Shapley share",
        "shapley_ci_low": "Shapley CI low",
        "shapley_ci_high": "Shapley CI high",
        "johnson": "Johnson",
        "johnson_share": "Johnson share",
        "johnson_ci_low": "Johnson CI low",
        "johnson_ci_high": "Johnson CI high",
        "n_boot": "Bootstrap resamples",
        "r2": "R²",
        "importance": "Importance",
        "performance": "Performance",
        "quadrant": "Quadrant",
        "quadrant_label": "Quadrant",
        "importance_split": "Importance split",
        "performance_split": "Performance split",
        "theme": "Theme",
        "label": "Label",
        "mean_theme_weight": "Mean theme weight",
        "top_terms": "Top terms",
        "item": "Item",
        "n_dont_know": "Don't know",
        "mean": "Mean",
        "sd": "Standard deviation",
        "pct_top_box": "Top box",
        "pct_bottom_box": "Bottom box",
        "persona": "Persona",
        "persona_name": "Persona",
        "name_en": "Name",
        "name_de": "Name (German)",
        "key_traits_en": "Key traits",
        "key_traits_de": "Key traits (German)",
        "nps_ci_low": "NPS CI low",
        "nps_ci_high": "NPS CI high",
        "nps_n": "NPS base",
        "satisfaction": "Satisfaction",
        "satisfaction_n": "Satisfaction base",
        "channels_en": "Channels",
        "channels_de": "Channels (German)",
        "narrative_en": "Narrative",
        "narrative_de": "Narrative (German)",
        "share_pct": "Share",
        "worst_pain_point": "Worst pain point",
        "variable": "Variable",
        "level": "Level",
        "role": "Role",
        "statistic": "Statistic",
        "value": "Value",
        "total": "Total",
        "index": "Index",
        "effect": "Effect",
        "mark": "Mark",
        "clustered_on": "Clustered on",
        "direction": "Direction",
        "text_en": "Text",
        "short_en": "Short",
        "weight": "Weight",
        "k": "Personas (k)",
        "silhouette": "Silhouette",
        "calinski_harabasz": "Calinski–Harabasz",
        "davies_bouldin": "Davies–Bouldin",
        "bic": "BIC",
        "entropy": "Entropy",
        "stability": "Stability",
        "stability_low": "Stability low",
        "stability_high": "Stability high",
        "persona_stability": "Persona stability",
        "smallest_share": "Smallest share",
        "stable": "Stable",
        "recommended": "Recommended",
        "reason_en": "Reason",
        "question": "Question",
        "accuracy": "Accuracy",
        "selected": "Selected",
        "table": "Table",
        "rows": "Rows",
        "columns": "Columns",
        "customers": "Customers",
        "first": "First",
        "last": "Last",
        "missing_pct": "Missing",
        "wave": "Wave",
        "date": "Date",
        "month": "Month",
        "region": "Region",
        "channel": "Channel",
        "comment": "Comment",
        "theme_weight": "Theme weight",
        "recommend": "Recommendation (0–10)",
        "name": "Name",
    },
    "de": {
        "n": "Basis (n)",
        "n_eff": "Effektive Basis",
        "n_missing": "Fehlend",
        "n_promoters": "Promotoren (n)",
        "n_passives": "Passive (n)",
        "n_detractors": "Kritiker (n)",
        "pct_promoters": "Promotoren",
        "pct_passives": "Passive",
        "pct_detractors": "Kritiker",
        "nps": "NPS",
        "se": "Standardfehler",
        "ci_low": "KI unten",
        "ci_high": "KI oben",
        "low_base": "Geringe Basis",
        "significant": "Signifikant",
        "period": "Zeitraum",
        "change": "Veränderung",
        "change_ci_low": "Veränderung KI unten",
        "change_ci_high": "Veränderung KI oben",
        "change_p": "p (Veränderung)",
        "p_value": "p",
        "p_adjusted": "p (korrigiert)",
        "segment": "Segment",
        "n_rest": "Basis (Rest)",
        "nps_rest": "NPS (Rest)",
        "difference": "Differenz",
        "text": "Befund",
        "touchpoint": "Kontaktpunkt",
        "stage": "Phase",
        "department": "Abteilung",
        "kind": "Art",
        "n_journeys": "Kundenreisen",
        "drop_off_pct": "Abbruch",
        "rework_pct": "Nacharbeit",
        "repeat_contact_pct": "Wiederholter Kontakt",
        "long_wait_pct": "Lange Wartezeit",
        "late_pct": "Verspätet",
        "reach_pct": "Reichweite",
        "n_respondents_met": "Befragte mit Kontakt",
        "detractor_pct_met": "Kritiker (mit Kontakt)",
        "detractor_pct_not_met": "Kritiker (ohne Kontakt)",
        "detractor_odds_ratio": "Chancenverhältnis Kritiker",
        "nps_met": "NPS (mit Kontakt)",
        "detractor_p_adjusted": "p (korrigiert)",
        "excess_customers": "Zusätzlich betroffene Kunden",
        "pain_score": "Schmerzwert",
        "rank": "Rang",
        "main_issue": "Hauptproblem",
        "note": "Was schmerzt",
        "pain_rank": "Schmerzrang",
        "moment_of_truth": "Moment der Wahrheit",
        "priority": "Priorität",
        "source": "Quelle",
        "subject": "Gegenstand",
        "issue": "Problem",
        "evidence": "Beleg",
        "model": "Modell",
        "conversions": "Abschlüsse",
        "share": "Anteil",
        "removal_effect": "Entfernungseffekt",
        "step_no": "Stufe",
        "step": "Stufe",
        "optional": "Optional",
        "n_reached": "Erreicht",
        "pct_of_start": "% des Starts",
        "pct_of_previous": "% der Vorstufe",
        "prev_ci_low": "KI unten (Vorstufe)",
        "prev_ci_high": "KI oben (Vorstufe)",
        "n_dropped": "Abgebrochen",
        "median_time_s": "Median-Zeit (s)",
        "p95_time_s": "95.-Perzentil-Zeit (s)",
        "n_excluded": "Ausgeschlossen",
        "target": "Nach",
        "probability": "Wahrscheinlichkeit",
        "median_s": "Median (s)",
        "p95_s": "95. Perzentil (s)",
        "path": "Pfad",
        "pct": "Anteil",
        "cum_pct": "Kumulierter Anteil",
        "length": "Länge",
        "conversion_rate": "Abschlussrate",
        "median_duration_s": "Median-Dauer (s)",
        "driver": "Treiber",
        "n_used": "Verwendet",
        "r": "Korrelation",
        "beta": "Beta",
        "shapley": "Shapley",
        "shapley_share": "Shapley-Anteil",
        "shapley_ci_low": "Shapley KI unten",
        "shapley_ci_high": "Shapley KI oben",
        "johnson": "Johnson",
        "johnson_share": "Johnson-Anteil",
        "johnson_ci_low": "Johnson KI unten",
        "johnson_ci_high": "Johnson KI oben",
        "n_boot": "Bootstrap-Stichproben",
        "r2": "R²",
        "importance": "Wichtigkeit",
        "performance": "Leistung",
        "quadrant": "Quadrant",
        "quadrant_label": "Quadrant",
        "importance_split": "Trennwert Wichtigkeit",
        "performance_split": "Trennwert Leistung",
        "theme": "Thema",
        "label": "Bezeichnung",
        "mean_theme_weight": "Mittleres Themengewicht",
        "top_terms": "Häufigste Begriffe",
        "item": "Aussage",
        "n_dont_know": "Weiß nicht",
        "mean": "Mittelwert",
        "sd": "Standardabweichung",
        "pct_top_box": "Top-Box",
        "pct_bottom_box": "Bottom-Box",
        "persona": "Persona",
        "persona_name": "Persona",
        "name_en": "Name (Englisch)",
        "name_de": "Name",
        "key_traits_en": "Merkmale (Englisch)",
        "key_traits_de": "Merkmale",
        "nps_ci_low": "NPS KI unten",
        "nps_ci_high": "NPS KI oben",
        "nps_n": "NPS-Basis",
        "satisfaction": "Zufriedenheit",
        "satisfaction_n": "Zufriedenheitsbasis",
        "channels_en": "Kanäle (Englisch)",
        "channels_de": "Kanäle",
        "narrative_en": "Erzählung (Englisch)",
        "narrative_de": "Erzählung",
        "share_pct": "Anteil",
        "worst_pain_point": "Größter Schmerzpunkt",
        "variable": "Variable",
        "level": "Ausprägung",
        "role": "Rolle",
        "statistic": "Kennwert",
        "value": "Wert",
        "total": "Gesamt",
        "index": "Index",
        "effect": "Effekt",
        "mark": "Markierung",
        "clustered_on": "Clustervariable",
        "direction": "Richtung",
        "text_de": "Text",
        "short_de": "Kurz",
        "weight": "Gewicht",
        "k": "Personas (k)",
        "silhouette": "Silhouette",
        "calinski_harabasz": "Calinski–Harabasz",
        "davies_bouldin": "Davies–Bouldin",
        "bic": "BIC",
        "entropy": "Entropie",
        "stability": "Stabilität",
        "stability_low": "Stabilität unten",
        "stability_high": "Stabilität oben",
        "persona_stability": "Persona-Stabilität",
        "smallest_share": "Kleinster Anteil",
        "stable": "Stabil",
        "recommended": "Empfohlen",
        "reason_de": "Begründung",
        "question": "Frage",
        "accuracy": "Trefferquote",
        "selected": "Ausgewählt",
        "table": "Tabelle",
        "rows": "Zeilen",
        "columns": "Spalten",
        "customers": "Kunden",
        "first": "Erstes",
        "last": "Letztes",
        "missing_pct": "Fehlend",
        "wave": "Welle",
        "date": "Datum",
        "month": "Monat",
        "region": "Region",
        "channel": "Kanal",
        "comment": "Kommentar",
        "theme_weight": "Themengewicht",
        "recommend": "Weiterempfehlung (0–10)",
        "name": "Name",
    },
}


def _pain_labels() -> dict[str, dict[str, str]]:
    """Headers of the pain-point columns (:func:`cjm_lab.journeys.pain_points`, its evidence), whose
    outcome columns take the outcome's name (``conversion_rate_met``, ``resolution_lift`` …).
    """
    out: dict[str, dict[str, str]] = {
        "en": {
            "rank_interval": "Rank (95% range)",
            "rank_low": "Rank, best likely",
            "rank_high": "Rank, worst likely",
            "drivers": "What drives it",
            "pain_score_ci_low": "Pain score CI low",
            "pain_score_ci_high": "Pain score CI high",
            "natural_exit": "Natural exit",
            "outcome_after_pct": "Success after it",
            "ping_pong_pct": "Ping-pong",
            "reopen_pct": "Reopened",
            "median_stay_s": "Median stay (s)",
            "median_stay_ci_low": "Median stay CI low (s)",
            "median_stay_ci_high": "Median stay CI high (s)",
            "p90_stay_s": "90th percentile stay (s)",
            "time_share_pct": "Share of all time",
            "change_metric": "Changed measure",
            "change_period": "Period of the change",
            "change_from_pct": "Changed from",
            "change_to_pct": "Changed to",
            "change_p_adjusted": "Change p (adjusted)",
            "change_note": "Change over time",
            "lost_outcomes": "Outcomes lost",
            "value_at_stake": "Value at stake",
            "group": "Group",
            "journeys": "Journeys",
            "outcomes": "Successful",
            "rate_pct": "Success rate",
            "outcome_pct": "Success rate",
            "next": "Next step",
            "partner": "Handed back and forth with",
        },
        "de": {
            "rank_interval": "Rang (95-%-Bereich)",
            "rank_low": "Rang, bester plausibler",
            "rank_high": "Rang, schlechtester plausibler",
            "drivers": "Was ihn treibt",
            "pain_score_ci_low": "Schmerzwert KI unten",
            "pain_score_ci_high": "Schmerzwert KI oben",
            "natural_exit": "Natürliches Ende",
            "outcome_after_pct": "Erfolg danach",
            "ping_pong_pct": "Ping-Pong",
            "reopen_pct": "Wieder geöffnet",
            "median_stay_s": "Median Verweildauer (s)",
            "median_stay_ci_low": "Median Verweildauer KI unten (s)",
            "median_stay_ci_high": "Median Verweildauer KI oben (s)",
            "p90_stay_s": "90. Perzentil Verweildauer (s)",
            "time_share_pct": "Anteil an der Gesamtzeit",
            "change_metric": "Veränderte Kennzahl",
            "change_period": "Zeitraum der Veränderung",
            "change_from_pct": "Verändert von",
            "change_to_pct": "Verändert auf",
            "change_p_adjusted": "p der Veränderung (adjustiert)",
            "change_note": "Veränderung über die Zeit",
            "lost_outcomes": "Verlorene Erfolge",
            "value_at_stake": "Wert im Risiko",
            "group": "Gruppe",
            "journeys": "Journeys",
            "outcomes": "Erfolgreich",
            "rate_pct": "Erfolgsquote",
            "outcome_pct": "Erfolgsquote",
            "next": "Nächster Schritt",
            "partner": "Hin und her mit",
        },
    }
    for lang, words in OUTCOME_WORDS.items():
        excess = {"en": "Hurt by {c}", "de": "Betroffen durch {c}"}[lang]
        for comp, name in PAIN_COMPONENT_LABELS[lang].items():
            out[lang][f"excess_{comp}"] = excess.format(c=name)
        for kind in OUTCOME_KINDS:
            o = words[kind]["column"]
            noun = words[kind]["noun"]
            noun = noun[0].upper() + noun[1:]
            out[lang] |= {
                f"{o}_rate_met": f"{noun} ({'met' if lang == 'en' else 'mit Kontakt'})",
                f"{o}_rate_not_met": f"{noun} ({'not met' if lang == 'en' else 'ohne Kontakt'})",
                f"{o}_rate_not_met_stage": (
                    f"{noun} (same stage, not met)" if lang == "en" else f"{noun} (gleiche Phase, ohne Kontakt)"
                ),
                f"{o}_lift": f"{noun} lift" if lang == "en" else f"{noun}: Lift",
                f"{o}_lift_ci_low": f"{noun} lift CI low" if lang == "en" else f"{noun}: Lift KI unten",
                f"{o}_lift_ci_high": f"{noun} lift CI high" if lang == "en" else f"{noun}: Lift KI oben",
                f"{o}_lift_p_adjusted": f"{noun} lift p (adjusted)" if lang == "en" else f"{noun}: Lift p (adj.)",
                f"{o}_lift_stage": f"{noun} lift within stage" if lang == "en" else f"{noun}: Lift in der Phase",
                f"{o}_lift_stage_p_adjusted": (
                    f"{noun} lift within stage p (adjusted)" if lang == "en" else f"{noun}: Lift in der Phase p (adj.)"
                ),
            }
    return out


for _lang, _words in _pain_labels().items():
    _LABELS[_lang] = _words | _LABELS[_lang]  # the table above wins where both name a column


#: Columns whose values are touchpoints, stages, departments, kinds or variable names.
_VALUE_VOCAB = {
    "stage": STAGE_LABELS,
    "department": DEPARTMENT_LABELS,
    "kind": KIND_LABELS,
    "main_issue": PAIN_COMPONENT_LABELS,
}
_TOUCHPOINT_COLUMNS = frozenset({"touchpoint", "source", "target", "step", "worst_pain_point", "subject"})
_VARIABLE_COLUMNS = frozenset({"driver", "item", "variable", "question"})


def word(key: str, language: str = "en", **fields: Any) -> str:
    """A word of the deliverables in English or German (``word("base", "de")`` is "Basis").

    Examples
    --------
    >>> word("base", "de"), word("full_table", "en", n=10, total=40, sheet="pain_points")[:16]
    ('Basis', 'First 10 of 40 r')
    """
    texts = _WORDS[check_language(language)]
    if key not in texts:
        raise CJMConfigError(f"There is no deliverable word {key!r}; known: {', '.join(sorted(texts))}.")
    return texts[key].format(**fields) if fields else texts[key]


def _values(values: Any) -> pd.Series | None:
    if values is None:
        return None
    return values if isinstance(values, pd.Series) else pd.Series(values)


@validate_params({})
def column_kind(name: Any, values: Any = None) -> str:
    """What a column holds: one of :data:`KINDS`.

    The package's result columns are known by name (``n`` and ``n_*`` counts, ``pct_*`` and
    ``*_pct`` percentages in percent units, ``nps``/``change``/``ci_*`` signed scores,
    ``p_value``/``p_adjusted`` p-values, ``*_s`` seconds); ``share`` is a fraction when all
    its values lie in [0, 1] and percent units otherwise.  Other columns are read from
    their values: booleans are flags, datetimes dates, whole numbers codes (a wave, a year:
    shown as they are), other numbers ``number``, the rest text.

    Parameters
    ----------
    name : str
        The column name.
    values : Series, optional
        The column's values (to tell flags, dates and text apart, and fractions from percent).

    Returns
    -------
    str

    Examples
    --------
    >>> column_kind("n"), column_kind("pct_promoters"), column_kind("nps"), column_kind("p_adjusted")
    ('count', 'percent', 'score', 'p_value')
    >>> column_kind("share", [0.2, 0.8]), column_kind("share", [20.0, 80.0]), column_kind("persona", ["a"])
    ('fraction', 'percent', 'text')
    """
    s = _values(values)
    key = str(name)
    if s is not None:
        if pd.api.types.is_bool_dtype(s.dtype):
            return "flag"
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return "date"
        if not (pd.api.types.is_numeric_dtype(s.dtype) or s.isna().all()):
            nonmissing = s.dropna()
            if len(nonmissing) and nonmissing.map(lambda v: isinstance(v, (bool, np.bool_))).all():
                return "flag"
            return "text"
    if key in {
        "low_base",
        "significant",
        "suppressed",
        "moment_of_truth",
        "optional",
        "stable",
        "recommended",
        "selected",
        "clustered_on",
    }:
        return "flag"
    if key == "share" and s is not None:
        finite = pd.to_numeric(s, errors="coerce").dropna()
        return "fraction" if len(finite) and finite.between(0, 1).all() else "percent"
    for pattern, kind in (
        (_P, "p_value"),
        (_PERCENT, "percent"),
        (_SCORE, "score"),
        (_COUNT, "count"),
        (_FRACTION, "fraction"),
        (_SECONDS, "seconds"),
    ):
        if pattern.match(key):
            return kind
    if s is None:
        return "number"
    if pd.api.types.is_integer_dtype(s.dtype):
        return "code"  # whole numbers without a known meaning: a wave, a year, a persona number
    return "number" if pd.api.types.is_numeric_dtype(s.dtype) else "text"


def column_kinds(data: pd.DataFrame, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """:func:`column_kind` of every column of ``data``; ``overrides`` win (and are checked).

    Examples
    --------
    >>> column_kinds(pd.DataFrame({"wave": [1, 2], "n": [10, 12]}), {"wave": "text"})
    {'wave': 'text', 'n': 'count'}
    """
    out = {str(c): column_kind(c, data[c]) for c in data.columns}
    for col, kind in (overrides or {}).items():
        if kind not in KINDS:
            raise CJMConfigError(f"The format of column {col!r} must be one of {', '.join(KINDS)}; got {kind!r}.")
        out[str(col)] = kind
    return out


def _ask(labels: Any, method: str, *args: Any, language: str) -> str | None:
    """Ask a labels object (``cjm_lab.labels.Labels`` or anything with the same methods) or a dict."""
    if labels is None:
        return None
    if isinstance(labels, Mapping):
        if method != "column":
            return None
        value = labels.get(args[0], labels.get(str(args[0])))
        if isinstance(value, Mapping):
            value = value.get(language) or value.get("en")
        return None if value is None else str(value)
    ask = getattr(labels, method, None)
    if ask is None:
        return None
    answer = ask(*args, language=language)
    return None if answer is None else str(answer)


@validate_params({"language": [LANGUAGE]})
def column_label(name: Any, language: str = "en", labels: Any = None) -> str:
    """The header of a column: the data's own label first, then the package's, then the name.

    Parameters
    ----------
    name : str
    language : {"en", "de"}
    labels : Labels or dict, optional
        The labels of the data (:class:`cjm_lab.labels.Labels`, or ``{column: label}`` /
        ``{column: {"en": …, "de": …}}``).

    Examples
    --------
    >>> column_label("n_eff", "de"), column_label("region"), column_label("sat_x", labels={"sat_x": "Service"})
    ('Effektive Basis', 'Region', 'Service')
    """
    lang = check_language(language)
    own = _ask(labels, "column", name, language=lang)
    if own is not None and own != str(name):
        return own
    return _LABELS[lang].get(str(name), str(name))


def value_labeller(
    column: Any,
    language: str = "en",
    labels: Any = None,
    touchpoints: Callable[[Any], str] | None = None,
) -> Callable[[Any], str] | None:
    """How the text values of a column are shown, or None when they are shown as they are.

    Touchpoint columns use ``touchpoints`` (e.g. :func:`cjm_lab.plots.touchpoint_labeller`),
    stage/department/kind columns the package vocabulary, columns of variable names
    (``driver``, ``item``, ``variable``) the data's column labels, and any other column the
    data's value labels.

    Examples
    --------
    >>> value_labeller("department", "de")("customer_service")
    'Kundenservice'
    >>> value_labeller("driver", labels={"sat_service": "Service"})("sat_service")
    'Service'
    """
    lang = check_language(language)
    col = str(column)
    if col in _VALUE_VOCAB:
        vocab = _VALUE_VOCAB[col][lang]
        return lambda v: vocab.get(str(v), str(v))
    if col == "drivers":
        return lambda v: _drivers_text(v, lang)
    if col in _TOUCHPOINT_COLUMNS and touchpoints is not None:
        return lambda v: str(touchpoints(v))
    if col in _TOUCHPOINT_COLUMNS and hasattr(labels, "touchpoint"):
        return lambda v: _ask(labels, "touchpoint", v, language=lang) or str(v)
    if col in _VARIABLE_COLUMNS and labels is not None:
        return lambda v: _ask(labels, "column", v, language=lang) or str(v)
    if labels is None or isinstance(labels, Mapping):
        return None
    if col in ("persona", "persona_name") and hasattr(labels, "persona"):  # a persona number gets its name
        return lambda v: _ask(labels, "persona", v, language=lang) if _whole(v) else str(v)  # type: ignore[return-value]
    has_values = getattr(labels, "has_values", None)
    if hasattr(labels, "value") and (has_values is None or has_values(col)):
        return lambda v: _ask(labels, "value", col, v, language=lang) or str(v)
    return None


_DRIVER = re.compile(r"^(\w+) ([\d.,]+) ?%$")


def _drivers_text(value: Any, language: str) -> str:
    """The ``drivers`` of a pain point ("drop_off 90%, change 10%") in words: "drop-off 90%, …"."""
    words = PAIN_COMPONENT_LABELS[language]
    parts = []
    for item in str(value).split(", "):
        hit = _DRIVER.match(item.strip())
        if hit is None or hit.group(1) not in words:
            return str(value)  # not the package's own list: shown as it is
        unit = "%" if language == "en" else "\u00a0%"
        parts.append(f"{words[hit.group(1)]}\u00a0{hit.group(2)}{unit}")  # a component and its share on one line
    return ", ".join(parts)


def _whole(value: Any) -> bool:
    try:
        return float(value).is_integer()
    except (TypeError, ValueError):
        return False


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@validate_params({"language": [LANGUAGE], "decimals": [COUNT, None]})
def format_value(value: Any, kind: str, language: str = "en", *, decimals: int | None = None) -> str:
    """A cell as the page and the slides show it: localised, with its unit, missing as "–".

    Examples
    --------
    >>> format_value(1234.0, "count", "de"), format_value(42.26, "percent", "de"), format_value(0.425, "fraction")
    ('1.234', '42,3 %', '42.5%')
    >>> format_value(-3.04, "score"), format_value(0.0004, "p_value"), format_value(None, "number")
    ('−3.0', '< 0.001', '–')
    >>> format_value(True, "flag", "de"), format_value(pd.Timestamp("2026-03-01"), "date", "de")
    ('ja', '01.03.2026')
    """
    lang = check_language(language)
    if _missing(value):
        return "–"
    if kind == "flag":
        return word("yes" if bool(value) else "no", lang)
    if kind == "date":
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(None) if stamp.tzinfo else stamp
        with_time = stamp != stamp.normalize()
        if lang == "de":
            return stamp.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")
        return stamp.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind == "code":
        return str(int(value)) if float(value).is_integer() else str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if kind == "count":  # an effective or weighted base reads as a whole number; credited conversions keep one
        d = (
            0
            if number.is_integer() or (decimals is None and abs(number) >= 100)
            else (1 if decimals is None else decimals)
        )
        return format_number(number, d, lang)
    if kind == "percent":
        text = format_number(number, 1 if decimals is None else decimals, lang)
        return text + (" %" if lang == "de" else "%")
    if kind == "fraction":
        text = format_number(100 * number, 1 if decimals is None else decimals, lang)
        return text + (" %" if lang == "de" else "%")
    if kind == "p_value":
        if number < 0.001:
            return "< 0,001" if lang == "de" else "< 0.001"
        return format_number(number, 3 if decimals is None else decimals, lang)
    if kind == "seconds":
        return format_number(number, 0 if decimals is None else decimals, lang)
    if kind == "score":
        return format_number(number, 1 if decimals is None else decimals, lang)
    d = decimals if decimals is not None else (2 if abs(number) < 1 else 1)
    return format_number(number, d, lang)


def excel_format(kind: str, language: str = "en", values: Any = None) -> str | None:
    """The Excel number format of a column kind (None for text); numbers stay numbers.

    Percentages in percent units keep their value and show a percent sign
    (``0.0"%"``, German ``0.0" %"``); fractions use Excel's own percent format.

    Examples
    --------
    >>> excel_format("count"), excel_format("percent", "de"), excel_format("fraction"), excel_format("text")
    ('#,##0', '0.0" %"', '0.0%', None)
    """
    check_language(language)
    if kind == "count":
        s = _values(values)
        numbers = pd.to_numeric(s, errors="coerce").dropna().astype("float64") if s is not None else None
        whole = numbers is None or bool((numbers == numbers.round()).all())
        return "#,##0" if whole else "#,##0.0"
    return {
        "percent": '0.0" %"' if language == "de" else '0.0"%"',
        "fraction": "0.0%",
        "score": "+0.0;-0.0;0.0",
        "p_value": "0.000",
        "seconds": "#,##0",
        "number": "#,##0.00",
        "date": "yyyy-mm-dd" if language == "en" else "dd.mm.yyyy",
        "code": "0",
    }.get(kind)


def pptx_format(kind: str, language: str = "en") -> str:
    """The number format of a chart's values and axis (PowerPoint localises the separators).

    Examples
    --------
    >>> pptx_format("score"), pptx_format("percent"), pptx_format("fraction")
    ('+0;-0;0', '0"%"', '0%')
    """
    check_language(language)
    return {
        "percent": '0" %"' if language == "de" else '0"%"',
        "fraction": "0%",
        "score": "+0;-0;0",
        "count": "#,##0",
        "p_value": "0.000",
    }.get(kind, "#,##0.0")


class DisplayTable:
    """A result table as the report page shows it (``_repr_html_``), built by :func:`display_table`."""

    def __init__(self, html_text: str, data: pd.DataFrame) -> None:
        self.html = html_text
        self.data = data

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.data.to_string(index=False)


@validate_params({"language": [LANGUAGE], "max_rows": [WHOLE_NUMBER, None]})
def display_table(
    data: pd.DataFrame,
    *,
    language: str = "en",
    labels: Any = None,
    columns: Sequence[str] | Mapping[str, str] | None = None,
    index: bool | None = None,
    title: str | None = None,
    formats: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
    touchpoints: Callable[[Any], str] | None = None,
    note: str | None = None,
    max_rows: int | None = None,
) -> DisplayTable:
    """An HTML table for the report page: labelled headers, localised numbers, "–" for missing.

    Parameters
    ----------
    data : DataFrame
        A result table (the protected table that was saved: blanked cells show as "–").
    language : {"en", "de"}
    labels : Labels or dict, optional
        Labels of the data's columns and values (:class:`cjm_lab.labels.Labels`).
    columns : list or dict, optional
        The columns to show, in order; a dict also renames them (``{"nps": "NPS 2026"}``).
        Default: all but the bookkeeping columns (:data:`HIDDEN_COLUMNS`).
    index : bool, optional
        Show the index; default only when it is meaningful (named, or not a 0…n−1 range).
    title : str, optional
        A caption above the table.
    formats : dict, optional
        ``{column: kind}`` overriding :func:`column_kind`.
    decimals : dict, optional
        ``{column: decimals}``.
    touchpoints : callable, optional
        How touchpoint keys are shown (:func:`cjm_lab.plots.touchpoint_labeller`).
    note : str, optional
        A footnote below the table (the package's own text, not data).
    max_rows : int, optional
        Show only the first rows (the note says how many there are).

    Returns
    -------
    DisplayTable
        Displays as HTML in a notebook (``display(display_table(df))``); ``.html`` is the text.

    Examples
    --------
    >>> t = pd.DataFrame({"wave": [1, 2], "n": [1200, None], "nps": [21.44, -3.0], "suppressed": [False, True]})
    >>> page = display_table(t, language="de").html
    >>> "<th>Welle</th>" in page, "1.200" in page, "−3,0" in page, "–" in page, "suppressed" in page
    (True, True, True, True, False)
    """
    lang = check_language(language)
    if not isinstance(data, pd.DataFrame):
        raise CJMConfigError(f"display_table() needs a DataFrame, got {type(data).__name__}.")
    table = data
    if index is None:  # an index means something unless it is the unnamed row numbers 0…n−1 (or a subset)
        index = any(name is not None for name in table.index.names) or not (
            pd.api.types.is_integer_dtype(table.index.dtype) and table.index.is_monotonic_increasing
        )
    if isinstance(table.columns, pd.MultiIndex):  # a banner: "wave 1 (A)"; a level repeated ("Total Total") once
        flat = []
        for key in table.columns:
            parts = [str(p) for p in key if str(p) not in ("", "nan")]
            flat.append(" ".join(dict.fromkeys(parts)))
        table = table.set_axis(flat, axis=1)
    if index:
        unnamed = [n is None for n in table.index.names]
        table = table.reset_index()
        if all(unnamed) and table.columns[0] in ("index", "level_0"):
            table = table.rename(columns={table.columns[0]: ""})
    renames: dict[str, str] = {}
    if columns is None:
        shown = [c for c in table.columns if str(c) not in HIDDEN_COLUMNS]
    elif isinstance(columns, Mapping):
        shown, renames = list(columns), {str(k): str(v) for k, v in columns.items()}
    else:
        shown = list(columns)
    missing = [c for c in shown if c not in table.columns]
    if missing:
        raise CJMConfigError(
            f"display_table(): the table has no column(s) {', '.join(map(repr, missing))}. "
            f"Columns: {', '.join(map(str, table.columns))}."
        )
    total_rows = len(table)
    if max_rows is not None and total_rows > max_rows:
        table = table.head(max_rows)
    kinds = column_kinds(table[shown], formats)
    dec = dict(decimals or {})
    head = "".join(
        f"<th>{escape_html(renames.get(str(c)) or (column_label(c, lang, labels) if str(c) else ''))}</th>"
        for c in shown
    )
    body = []
    for row in table[shown].itertuples(index=False, name=None):  # one row per shown line of a small table
        cells = []
        for col, value in zip(shown, row):
            kind = kinds[str(col)]
            if kind == "text" and not _missing(value):
                show = value_labeller(col, lang, labels, touchpoints)
                text = show(value) if show is not None else str(value)
                cells.append(f'<td class="text">{escape_html(text)}</td>')
            else:
                text = format_value(value, kind, lang, decimals=dec.get(str(col)))
                cells.append(f'<td class="num {kind}">{escape_html(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{escape_html(title)}</caption>" if title else ""
    notes = []
    if max_rows is not None and total_rows > max_rows:
        notes.append(word("full_table", lang, n=max_rows, total=total_rows, sheet="").rsplit(" (", 1)[0] + ".")
    if note:
        notes.append(note)
    foot = "".join(f'<p class="cjm-note">{escape_html(n)}</p>' for n in notes)
    page = (
        f'<div class="cjm-table-wrap"><table class="cjm-table">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{foot}</div>"
    )
    return DisplayTable(page, table[shown])

"""Survey & NPS scoring: the statistics a market researcher signs off.

NPS with effective bases and intervals, from a DataFrame or from Parquet in batches
(:mod:`~cjm_lab.survey.nps`), comparisons and
trends (:mod:`~cjm_lab.survey.compare`), trackers of any measure by wave
(:mod:`~cjm_lab.survey.tracker`), rim weighting (:mod:`~cjm_lab.survey.weighting`),
response quality (:mod:`~cjm_lab.survey.quality`), rating scales and reliability
(:mod:`~cjm_lab.survey.scales`), key drivers (:mod:`~cjm_lab.survey.drivers`) and survey
tables with significance letters (:mod:`~cjm_lab.survey.crosstab`) and verbatim themes
(:mod:`~cjm_lab.survey.verbatims`).
"""

from typing import Any

from cjm_lab.survey.compare import compare_nps, describe_difference, nps_trend, nps_vs_rest, paired_nps
from cjm_lab.survey.crosstab import crosstab, to_wide
from cjm_lab.survey.drivers import QUADRANT_LABELS, importance_performance, key_drivers
from cjm_lab.survey.nps import TOTAL_LABEL, nps, nps_groups
from cjm_lab.survey.quality import QualityReport, flag_speeders, flag_straightliners, quality_report
from cjm_lab.survey.scales import ces, cronbach_alpha, csat, scale_score
from cjm_lab.survey.tracker import tracker
from cjm_lab.survey.verbatims import VerbatimThemes, code_answers, code_summary, verbatim_themes
from cjm_lab.survey.weighting import RimWeights, kish_n_eff, population_targets, rim_weights

__all__ = [
    "nps",
    "nps_groups",
    "compare_nps",
    "nps_vs_rest",
    "paired_nps",
    "nps_trend",
    "tracker",
    "describe_difference",
    "rim_weights",
    "RimWeights",
    "population_targets",
    "kish_n_eff",
    "flag_speeders",
    "flag_straightliners",
    "quality_report",
    "QualityReport",
    "csat",
    "ces",
    "scale_score",
    "cronbach_alpha",
    "key_drivers",
    "importance_performance",
    "QUADRANT_LABELS",
    "crosstab",
    "to_wide",
    "verbatim_themes",
    "VerbatimThemes",
    "code_answers",
    "code_summary",
    "TOTAL_LABEL",
]


def __getattr__(name: str) -> Any:
    if name == "crosstab_to_excel":  # moved to the reports, the one path from a result to a deliverable
        import importlib

        return importlib.import_module("cjm_lab.survey.crosstab").__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Survey & NPS scoring: the statistics a market researcher signs off."""

from cjm_lab.survey.compare import compare_nps, describe_difference, nps_trend, nps_vs_rest, paired_nps
from cjm_lab.survey.nps import TOTAL_LABEL, nps, nps_groups

__all__ = [
    "nps",
    "nps_groups",
    "compare_nps",
    "nps_vs_rest",
    "paired_nps",
    "nps_trend",
    "describe_difference",
    "TOTAL_LABEL",
]

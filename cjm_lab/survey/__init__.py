"""Survey & NPS scoring: the statistics a market researcher signs off."""

from cjm_lab.survey.nps import TOTAL_LABEL, nps, nps_groups

__all__ = ["nps", "nps_groups", "TOTAL_LABEL"]

"""Journey sequence mining: paths, transitions, funnels, patterns, pain points, attribution.

Aggregation over events runs as SQL in an engine (embedded DuckDB by default), so the
same analyses work on a pandas DataFrame, on Parquet/CSV files larger than memory and,
with the same SQL run by ``spark.sql``, on a PySpark DataFrame.  Every analysis takes the
journey options (``touchpoints``, ``journey``, ``session_gap``, ``dedupe``,
``until_conversion``, ``outcome``) and ``engine=Engine(...)`` (DuckDB's memory limit,
threads and spill folder) as keywords; :func:`set_engine_defaults` and the ``CJM_LAB_*``
environment variables are the documented fallbacks for what ``engine`` leaves unset.
"""

from typing import Any

from cjm_lab._deprecate import warn_deprecated
from cjm_lab._params import deprecated_alias
from cjm_lab._stats import wilson_interval
from cjm_lab.journeys._options import ENGINE_OPTIONS, Engine, default_memory_limit, engine_options, set_engine_defaults
from cjm_lab.journeys._survival import SurvivalResult
from cjm_lab.journeys.attribution import attribution
from cjm_lab.journeys.build import build_journeys, cut_journeys
from cjm_lab.journeys.clustering import JourneyClusters, cluster_journeys, crosstab_with
from cjm_lab.journeys.funnels import funnel, funnel_dropoffs
from cjm_lab.journeys.mapdata import JourneyMapData, journey_map_data
from cjm_lab.journeys.painpoints import COMPONENTS, PainEvidence, explain_pain_point, pain_points, pain_summary
from cjm_lab.journeys.paths import OTHER_LABEL, PATH_SEPARATOR, path_lengths, path_parts, top_variants, variants
from cjm_lab.journeys.patterns import discriminating_patterns, sequential_patterns
from cjm_lab.journeys.retention import (
    cumulative_incidence,
    kaplan_meier,
    retention,
    time_to_outcome,
    time_to_repeat,
)
from cjm_lab.journeys.sql import Period
from cjm_lab.journeys.timing import time_to_convert
from cjm_lab.journeys.transitions import EXIT, START, compare_transitions, transitions
from cjm_lab.untrusted import join_path, split_path

__all__ = [
    "build_journeys",
    "Period",
    "cut_journeys",
    "variants",
    "top_variants",
    "path_parts",
    "path_lengths",
    "transitions",
    "compare_transitions",
    "funnel",
    "funnel_dropoffs",
    "wilson_interval",
    "pain_points",
    "explain_pain_point",
    "pain_summary",
    "PainEvidence",
    "journey_map_data",
    "JourneyMapData",
    "COMPONENTS",
    "sequential_patterns",
    "patterns",
    "discriminating_patterns",
    "time_to_convert",
    "attribution",
    "retention",
    "time_to_repeat",
    "SurvivalResult",
    "kaplan_meier",
    "cumulative_incidence",
    "time_to_outcome",
    "cluster_journeys",
    "JourneyClusters",
    "crosstab_with",
    "PATH_SEPARATOR",
    "join_path",
    "split_path",
    "OTHER_LABEL",
    "START",
    "EXIT",
    "Engine",
    "ENGINE_OPTIONS",
    "engine_options",
    "set_engine_defaults",
    "default_memory_limit",
]

#: The name first sketched in the design notes (warns until cjm-lab 0.3).
patterns = deprecated_alias(sequential_patterns, "patterns")

#: Names that were merged into another: they keep working for one release, with a FutureWarning.
_MERGED = {"RepeatTimes": "SurvivalResult", "TimeToConvert": "SurvivalResult"}


def __getattr__(name: str) -> Any:
    if name in _MERGED:
        warn_deprecated(
            f"cjm_lab.journeys.{name} is now {_MERGED[name]} (one class for the results of time_to_repeat and "
            "time_to_convert); the old name goes in the next release."
        )
        return SurvivalResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

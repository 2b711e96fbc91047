"""Journey sequence mining: paths, transitions, funnels, patterns, pain points, attribution.

Aggregation over events runs as SQL in an engine (embedded DuckDB by default), so the
same analyses work on a pandas DataFrame, on Parquet/CSV files larger than memory and,
with the same SQL run by ``spark.sql``, on a PySpark DataFrame.
"""

from cjm_lab.journeys.attribution import attribution
from cjm_lab.journeys.build import build_journeys
from cjm_lab.journeys.clustering import JourneyClusters, cluster_journeys, crosstab_with
from cjm_lab.journeys.engine import ENGINE_OPTIONS, engine_options, set_engine_defaults
from cjm_lab.journeys.funnels import funnel, funnel_dropoffs, wilson_interval
from cjm_lab.journeys.mapdata import JourneyMapData, journey_map_data
from cjm_lab.journeys.painpoints import COMPONENTS, PainEvidence, explain_pain_point, pain_points, pain_summary
from cjm_lab.journeys.paths import OTHER_LABEL, PATH_SEPARATOR, path_lengths, path_parts, top_variants, variants
from cjm_lab.journeys.patterns import discriminating_patterns, sequential_patterns
from cjm_lab.journeys.retention import (
    RepeatTimes,
    cumulative_incidence,
    kaplan_meier,
    retention,
    time_to_outcome,
    time_to_repeat,
)
from cjm_lab.journeys.timing import TimeToConvert, time_to_convert
from cjm_lab.journeys.transitions import EXIT, START, compare_transitions, transitions

__all__ = [
    "build_journeys",
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
    "TimeToConvert",
    "attribution",
    "retention",
    "time_to_repeat",
    "RepeatTimes",
    "kaplan_meier",
    "cumulative_incidence",
    "time_to_outcome",
    "cluster_journeys",
    "JourneyClusters",
    "crosstab_with",
    "PATH_SEPARATOR",
    "OTHER_LABEL",
    "START",
    "EXIT",
    "ENGINE_OPTIONS",
    "engine_options",
    "set_engine_defaults",
]

#: The name first sketched in the design notes.
patterns = sequential_patterns

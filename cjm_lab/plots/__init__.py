"""Charts in one visual language: every survey, persona and journey result gets a figure.

Each chart function takes the tidy result of an analysis function, draws on an
optional ``ax=`` (multi-panel charts return a Figure) and returns the Axes/Figure, with
titles, labels and numbers in English or German (``language="en" | "de"``).  The theme
(:mod:`~cjm_lab.plots.theme`) fixes one colour-blind-safe palette per dimension — NPS
groups, personas, stages, departments, attribution models — and adds hatching, markers
and direct labels so that a grey print still reads.

Modules: :mod:`~cjm_lab.plots.theme`, :mod:`~cjm_lab.plots.survey`,
:mod:`~cjm_lab.plots.personas`, :mod:`~cjm_lab.plots.journeys`,
:mod:`~cjm_lab.plots.sankey` and the customer journey map, :mod:`~cjm_lab.plots.journey_map`.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> import pandas as pd
>>> from cjm_lab.survey import nps
>>> from cjm_lab.plots import plot_nps
>>> df = pd.DataFrame({"recommend": [10, 9, 8, 3, 10, 6], "wave": [1, 1, 1, 2, 2, 2]})
>>> plot_nps(nps(df, by="wave"), language="de").get_xlabel()
'NPS (−100 bis +100)'
>>> plt.close("all")
"""

from cjm_lab.plots.journey_map import A3_LANDSCAPE, journey_map, journey_map_html, journey_maps, save_journey_map
from cjm_lab.plots.journeys import (
    plot_attribution,
    plot_funnel,
    plot_pain_points,
    plot_path_lengths,
    plot_time_to_convert,
    plot_transitions,
    touchpoint_labeller,
)
from cjm_lab.plots.personas import (
    CHOOSE_K_METRICS,
    plot_choose_k,
    plot_persona_cards,
    plot_persona_profile,
)
from cjm_lab.plots.sankey import sankey_flows, sankey_static, sankey_top_paths
from cjm_lab.plots.survey import (
    plot_crosstab,
    plot_drivers,
    plot_importance_performance,
    plot_nps,
    plot_nps_distribution,
    plot_nps_trend,
)
from cjm_lab.plots.theme import (
    DEPARTMENT_COLORS,
    MODEL_COLORS,
    NPS_COLORS,
    PERSONA_PALETTE,
    STAGE_COLORS,
    cjm_style,
    department_colors,
    format_number,
    format_percent,
    number_formatter,
    persona_colors,
    set_theme,
    stage_colors,
)

__all__ = [
    # theme
    "set_theme",
    "cjm_style",
    "NPS_COLORS",
    "PERSONA_PALETTE",
    "STAGE_COLORS",
    "DEPARTMENT_COLORS",
    "MODEL_COLORS",
    "persona_colors",
    "stage_colors",
    "department_colors",
    "format_number",
    "format_percent",
    "number_formatter",
    # survey
    "plot_nps",
    "plot_nps_distribution",
    "plot_nps_trend",
    "plot_drivers",
    "plot_importance_performance",
    "plot_crosstab",
    # personas
    "plot_choose_k",
    "plot_persona_profile",
    "plot_persona_cards",
    "CHOOSE_K_METRICS",
    # journeys
    "plot_funnel",
    "plot_transitions",
    "plot_path_lengths",
    "plot_time_to_convert",
    "plot_pain_points",
    "plot_attribution",
    "touchpoint_labeller",
    # the customer journey map
    "journey_map",
    "journey_maps",
    "save_journey_map",
    "journey_map_html",
    "A3_LANDSCAPE",
    # sankey
    "sankey_flows",
    "sankey_top_paths",
    "sankey_static",
]

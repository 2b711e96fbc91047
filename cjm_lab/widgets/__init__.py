"""Interactive explorers for JupyterLab (ipywidgets), each wiring plain, tested functions.

* :func:`nps_explorer` — filter by segment, wave, dates and persona; NPS with CI, its
  distribution and key drivers update live; low bases flagged (logic: :func:`nps_view`,
  :func:`filter_responses`).
* :func:`persona_explorer` — variables, algorithm and k (or "auto" with the ``choose_k``
  diagnostics); profiles and cards; rename personas; save the typing tool (logic:
  :func:`fit_personas`, :func:`rename_personas`, :func:`export_typing_tool`).
* :func:`journey_explorer` — start/end touchpoint or stage, funnel steps, conversion window,
  segment or persona; Sankey, funnel and pain points (logic: :func:`journey_view`,
  :func:`cut_journeys`).

Each explorer returns an :class:`Explorer` (an ipywidgets ``VBox``) whose ``controls`` can be
driven from code, whose ``result`` holds the latest result of the plain function and whose
``timings`` record how long each update took.
"""

from cjm_lab.widgets._common import ALL, Explorer, figure_png, table_html
from cjm_lab.widgets.journeys import PARTS, WINDOWS, JourneyView, cut_journeys, journey_explorer, journey_view
from cjm_lab.widgets.nps import NPSView, filter_responses, nps_explorer, nps_view
from cjm_lab.widgets.personas import (
    ALGORITHMS,
    PersonaFit,
    cards_html,
    export_typing_tool,
    fit_personas,
    persona_explorer,
    rename_personas,
)

__all__ = [
    "nps_explorer",
    "persona_explorer",
    "journey_explorer",
    "nps_view",
    "filter_responses",
    "NPSView",
    "fit_personas",
    "rename_personas",
    "export_typing_tool",
    "cards_html",
    "PersonaFit",
    "ALGORITHMS",
    "journey_view",
    "cut_journeys",
    "JourneyView",
    "WINDOWS",
    "PARTS",
    "Explorer",
    "ALL",
    "figure_png",
    "table_html",
]

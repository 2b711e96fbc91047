"""Repeatable reports: run parameterised notebooks with papermill into run folders.

The ``cjm-lab report`` command calls :func:`run_report`.  A run folder holds the executed
notebook, the report page (``report.html``), the tables as CSV and as a formatted Excel
workbook (:func:`build_workbook`), an editable PowerPoint deck (:func:`build_deck`) and the
run record; ``index.html`` tracks every run (:func:`rebuild_index`).
A report notebook shows its results through :func:`show_table`, :func:`show_figure`,
:func:`show_text` and :func:`show_list` after one :func:`start_report`; pain points through
:func:`show_pain_points`, :func:`show_pain_summary` and :func:`show_pain_evidence`.
"""

from cjm_lab.reports.csp import trusted_html
from cjm_lab.reports.deck import build_deck, make_template, template_layouts
from cjm_lab.reports.exports import build_pptx, find_chromium, print_pdf
from cjm_lab.reports.formats import column_kind, column_label, display_table, format_value
from cjm_lab.reports.manifest import Chart, read_manifest
from cjm_lab.reports.notebooks import (
    check_parameters,
    check_report_name,
    data_path,
    list_reports,
    new_report,
    report_folders,
    report_parameters,
)
from cjm_lab.reports.outputs import save_figure, save_results, save_table
from cjm_lab.reports.page import render_page
from cjm_lab.reports.pain import show_pain_evidence, show_pain_points, show_pain_summary
from cjm_lab.reports.recommendations import recommendations
from cjm_lab.reports.runner import ReportError, RunResult, export_html, rebuild_index, run_batch, run_report
from cjm_lab.reports.show import Report, current_report, show_figure, show_list, show_table, show_text, start_report
from cjm_lab.reports.tracker import headline, previous_run
from cjm_lab.reports.workbook import build_workbook, crosstab_to_excel, read_sheet

__all__ = [
    "run_report",
    "run_batch",
    "print_pdf",
    "build_deck",
    "build_pptx",
    "make_template",
    "template_layouts",
    "render_page",
    "headline",
    "previous_run",
    "build_workbook",
    "crosstab_to_excel",
    "read_sheet",
    "find_chromium",
    "list_reports",
    "report_folders",
    "report_parameters",
    "check_parameters",
    "check_report_name",
    "new_report",
    "data_path",
    "rebuild_index",
    "export_html",
    "ReportError",
    "RunResult",
    "start_report",
    "current_report",
    "Report",
    "show_table",
    "show_figure",
    "show_text",
    "show_list",
    "show_pain_points",
    "show_pain_summary",
    "show_pain_evidence",
    "save_table",
    "save_figure",
    "save_results",
    "recommendations",
    "display_table",
    "column_kind",
    "column_label",
    "format_value",
    "Chart",
    "read_manifest",
    "trusted_html",
]

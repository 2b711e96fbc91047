"""Repeatable reports: run parameterised notebooks with papermill into run folders.

A report notebook shows its results with :func:`show_table`, :func:`show_figure`,
:func:`show_text` and :func:`show_list` after one :func:`start_report`; the
``cjm-lab report`` command calls :func:`run_report`.
"""

from cjm_lab.reports.csp import trusted_html
from cjm_lab.reports.exports import build_pptx, find_chromium, print_pdf
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
from cjm_lab.reports.recommendations import recommendations
from cjm_lab.reports.runner import ReportError, RunResult, export_html, rebuild_index, run_batch, run_report
from cjm_lab.reports.show import Report, current_report, show_figure, show_list, show_table, show_text, start_report

__all__ = [
    "run_report",
    "run_batch",
    "print_pdf",
    "build_pptx",
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
    "save_table",
    "save_figure",
    "save_results",
    "recommendations",
    "trusted_html",
]

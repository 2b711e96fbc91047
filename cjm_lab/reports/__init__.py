"""Repeatable reports: run parameterised notebooks with papermill into run folders.

The ``cjm-lab report`` command calls :func:`run_report`.
"""

from cjm_lab.reports.csp import trusted_html
from cjm_lab.reports.exports import build_pptx, find_chromium, print_pdf
from cjm_lab.reports.notebooks import check_parameters, list_reports, report_parameters
from cjm_lab.reports.outputs import save_figure, save_results, save_table
from cjm_lab.reports.recommendations import recommendations
from cjm_lab.reports.runner import ReportError, RunResult, export_html, rebuild_index, run_batch, run_report

__all__ = [
    "run_report",
    "run_batch",
    "print_pdf",
    "build_pptx",
    "find_chromium",
    "list_reports",
    "report_parameters",
    "check_parameters",
    "rebuild_index",
    "export_html",
    "ReportError",
    "RunResult",
    "save_table",
    "save_figure",
    "save_results",
    "recommendations",
    "trusted_html",
]

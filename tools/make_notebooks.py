"""Write the report notebooks from their cell sources (kept here so notebooks stay reviewable).

Run: .venv/bin/python tools/make_notebooks.py  — notebooks are written without outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def code(src: str, *tags: str):
    cell = new_code_cell(src.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def md(src: str):
    return new_markdown_cell(src.strip())


def cx_overview():
    return [
        md("""
# Customer experience overview

The management summary of cjm-lab: which data this report stands on and how likely customers
are to recommend the company (NPS with confidence intervals), in total and per survey wave.
"""),
        code('''
events_path: str = "data/sample/events.csv.gz"  # help: event log (customer_id, timestamp, touchpoint)
touchpoints_path: str = "data/sample/touchpoints.csv"  # help: touchpoint catalogue (touchpoint, stage, ...)
survey_path: str = "data/sample/survey.csv"  # help: survey responses with the 0-10 recommend score
customers_path: str = "data/sample/customers.csv"  # help: customer attributes
columns: str = ""  # help: optional YAML column-mapping file (sections events/touchpoints/survey/customers)
segment: str = "wave"  # help: survey column to break NPS down by
weight: str = "weight"  # help: survey weight column, or "" for unweighted
language: str = "en"  # help: language of the report text, en or de
output_dir: str = ""  # help: folder for tables and figures (set by the report runner)
''', "parameters"),
        code('''
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from cjm_lab import io, survey
from cjm_lab.reports import save_figure, save_results, save_table

TEXT = {
    "en": {"data": "## The data", "nps": "## Net Promoter Score", "by": "## NPS by {seg}",
           "summary": "NPS is **{nps:.1f}** (95% CI {lo:.1f} to {hi:.1f}) from {n:,} responses."},
    "de": {"data": "## Die Daten", "nps": "## Net Promoter Score", "by": "## NPS nach {seg}",
           "summary": "Der NPS liegt bei **{nps:.1f}** (95-%-KI {lo:.1f} bis {hi:.1f}) aus {n:,} Antworten."},
}[language]
mapping = columns or None
''', "remove_cell"),
        code('''
touchpoints = io.load_touchpoints(touchpoints_path, columns=mapping)
events = io.load_events(events_path, columns=mapping, touchpoints=touchpoints)
responses = io.load_survey(survey_path, columns=mapping)
customers = io.load_customers(customers_path, columns=mapping)
display(Markdown(TEXT["data"]))
overview = io.describe_tables(events=events, touchpoints=touchpoints, survey=responses, customers=customers)
save_table(overview, "data_overview", output_dir)
overview.drop(columns="source").round({"missing_pct": 1})
'''),
        code('''
display(Markdown(TEXT["nps"]))
w = weight or None
total = survey.nps(responses, weight=w)
save_table(total, "nps_total", output_dir)
row = total.iloc[0]
save_results({"nps_total": float(row["nps"]), "nps_n": int(row["n"])}, output_dir)
display(Markdown(TEXT["summary"].format(nps=row["nps"], lo=row["ci_low"], hi=row["ci_high"], n=int(row["n"]))))
total[["n", "n_eff", "pct_promoters", "pct_passives", "pct_detractors", "nps", "ci_low", "ci_high"]].round(1)
'''),
        code('''
display(Markdown(TEXT["by"].format(seg=segment)))
by_segment = survey.nps(responses, by=segment, weight=w)
save_table(by_segment, "nps_by_segment", output_dir)
fig, ax = plt.subplots(figsize=(7, 0.6 * len(by_segment) + 1.2))
labels = by_segment[segment].astype(str)
ax.barh(labels, by_segment["nps"], xerr=[by_segment["nps"] - by_segment["ci_low"], by_segment["ci_high"] - by_segment["nps"]],
        color="#4477AA", capsize=4)
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("NPS")
ax.invert_yaxis()
save_figure(fig, "nps_by_segment", output_dir)
by_segment[[segment, "n", "nps", "ci_low", "ci_high", "low_base"]].round(1)
'''),
    ]


def write(name: str, cells) -> Path:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


if __name__ == "__main__":
    NOTEBOOKS.mkdir(exist_ok=True)
    print(write("cx_overview", cx_overview()))

"""The persona workshop runs unattended through the report runner, in German, with its solutions."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from cjm_lab.personas import load_model
from cjm_lab.reports import report_parameters, run_report
from cjm_lab.reports.manifest import FigureEntry, read_manifest
from cjm_lab.reports.notebooks import report_path
from cjm_lab.survey import nps

from .conftest import SAMPLE


def test_workshop_notebook_is_committed_clean_with_hidden_solutions():
    nb = nbformat.read(report_path("workshop_personas"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    solutions = [c for c in code if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 4
    assert all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "What is a persona" in text and "Was ist eine Persona" in text
    params = report_parameters("workshop_personas").set_index("name")
    assert params.loc["language", "default"] == "en" and params["help"].str.len().gt(0).all()


@pytest.mark.notebook
def test_workshop_runs_unattended_in_german(tmp_path):
    res = run_report("workshop_personas", {"language": "de", "resamples": 3, "k_max": 6}, out=tmp_path, progress=False)
    record = json.loads((res.folder / "run.json").read_text())
    results = record["results"]
    names = results["persona_names"]
    assert len(names) == results["k"] >= 3
    assert "Schnäppchenjäger" in names  # the solution's German names
    # the typing tool in the run folder types every customer as the workshop's segmentation did
    tool = load_model(res.folder / results["typing_tool"])
    assert results["typing_tool_agreement_pct"] == 100.0
    from cjm_lab.io import load_customers, load_survey

    customers = load_customers(SAMPLE / "customers.csv")
    typed = customers[["customer_id"]].assign(persona_name=[tool.persona_names_[p] for p in tool.predict(customers)])
    answers = load_survey(SAMPLE / "survey.csv").merge(typed, on="customer_id", how="left")
    expected = nps(answers, by="persona_name", weight="weight")
    assert results["nps_by_persona"] == pytest.approx(
        {str(k): round(float(v), 2) for k, v in zip(expected["persona_name"], expected["nps"])}
    )
    # each persona is tied to its journeys: the price-sensitive persona's worst pain point is the
    # planted checkout drop-off, everyone else's the delivery delay
    assert results["worst_pain_point_by_persona"]["Schnäppchenjäger"] == "Checkout payment"
    assert results["first_persona"] == "Schnäppchenjäger"
    page = res.html.read_text(encoding="utf-8")
    assert "Die Personas heißen jetzt" in page and "Zuerst <strong>Schnäppchenjäger</strong> einladen" in page
    assert not re.search(r"\bC\d{7}\b", page)  # no customer's row, no raw customer id (issue 10)
    figures = {e.file for e in read_manifest(res.folder).items if isinstance(e, FigureEntry)}
    assert {"attitudes.png", "persona_cards.png", "nps_by_persona.png"} <= figures
    # the explorers were built and rendered in the kernel (their state is stored with the notebook)
    executed = nbformat.read(res.notebook, as_version=4)
    views = [
        o
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 3

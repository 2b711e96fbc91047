"""The overview report on the bundled sample, through the same runner `make demo` uses."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cjm_lab.io import load_survey
from cjm_lab.reports import run_report
from cjm_lab.survey import nps

pytestmark = pytest.mark.notebook


def test_cx_overview_runs_and_holds_the_numbers(tmp_path):
    result = run_report("cx_overview", {"language": "de"}, out=tmp_path, progress=False)
    record = json.loads((result.folder / "run.json").read_text())
    expected = nps(load_survey("data/sample/survey.csv"), weight="weight").iloc[0]
    assert record["results"]["nps_total"] == pytest.approx(expected["nps"])
    assert record["results"]["nps_n"] == expected["n"]
    assert set(record["data_files_sha256"]) == {
        "data/sample/events.csv.gz", "data/sample/touchpoints.csv", "data/sample/survey.csv", "data/sample/customers.csv"}
    by_wave = pd.read_excel(result.folder / "tables.xlsx", sheet_name="nps_by_segment")
    assert by_wave["wave"].astype(str).tolist() == ["1", "2", "Total"]
    page = result.html.read_text(encoding="utf-8")
    assert "Der NPS liegt bei" in page and "io.load_survey" not in page
    assert (result.folder / "nps_by_segment.png").stat().st_size > 5000

"""The overview report on the bundled sample, through the same runner `make demo` uses."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from cjm_lab.io import load_survey
from cjm_lab.reports import read_manifest, run_report
from cjm_lab.survey import nps, nps_trend

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def overview(tmp_path_factory):
    return run_report("cx_overview", {"language": "de"}, out=tmp_path_factory.mktemp("cx"), progress=False)


def test_cx_overview_holds_the_numbers(overview):
    result = overview
    record = json.loads((result.folder / "run.json").read_text())
    survey = load_survey("data/sample/survey.csv")
    expected = nps(survey, weight="weight").iloc[0]
    assert record["results"]["nps_total"] == pytest.approx(expected["nps"])
    assert record["results"]["nps_n"] == expected["n"]
    by_month = nps_trend(survey, period="date", freq="M", weight="weight").set_index("period")["nps"]
    assert record["results"]["nps_by_trend"] == pytest.approx(by_month.to_dict())
    assert set(record["data_files_sha256"]) == {
        "data/sample/events.csv.gz",
        "data/sample/touchpoints.csv",
        "data/sample/survey.csv",
        "data/sample/customers.csv",
        "data/sample/codebook.yaml",
    }
    trend = pd.read_csv(result.folder / "nps_trend.csv")
    assert trend["period"].tolist() == ["2025-07", "2026-01"]  # months, as the page and the deck show them


def test_cx_overview_personas_pain_points_and_recommendations(overview):
    result = overview
    r = json.loads((result.folder / "run.json").read_text())["results"]
    assert r["n_personas"] == 5  # the quick fit finds the five planted personas
    by_persona = pd.read_csv(result.folder / "nps_by_persona.csv")
    assert by_persona["n"].iloc[-1] == r["nps_n"]  # every respondent is a customer with a persona
    # the planted delivery delay leads, owned by logistics, and it is a moment of truth
    assert r["top_pain_points"][0] == "Delivery delay notice"
    assert "Delivery delay notice" in r["moments_of_truth"]
    rec = pd.read_csv(result.folder / "recommendations.csv")
    assert rec["priority"].tolist() == list(range(1, len(rec) + 1)) and len(rec) >= 3
    first = rec.iloc[0]
    assert (first["subject"], first["department"]) == ("Delivery delay notice", "logistics")
    assert "(verantwortlich: Logistik)" in first["text"]
    assert set(rec["source"]) >= {"pain_point", "nps_gap"}
    # the drivers are named by the sample's codebook (no names written into the report)
    ipa = pd.read_csv(result.folder / "importance_performance.csv")
    assert dict(zip(ipa["driver"], ipa["label"], strict=True))["sat_delivery"] == "Lieferung"


def test_cx_overview_html_reads_as_a_summary(overview):
    page = overview.html.read_text(encoding="utf-8")
    for heading in (
        "Was zuerst zu tun ist",
        "Der NPS liegt bei",
        "NPS im Zeitverlauf",
        "Wer unsere Kunden sind",
        "Die Customer Journey Map",
        "Momente der Wahrheit",
        "Über diesen Bericht",
    ):
        assert heading in page
    assert page.index("Was zuerst zu tun ist") < page.index("Der NPS liegt bei")  # recommendations first
    assert "io.load_survey" not in page and "recommendations(" not in page  # no code
    assert "…</td>" not in page and "...</td>" not in page  # notes are not cut off
    figures = {f.file for f in read_manifest(overview.folder).figures}
    assert {
        "nps_distribution.png",
        "nps_trend.png",
        "nps_by_persona.png",
        "journey_map.png",
        "importance_performance.png",
    } <= figures
    assert (overview.folder / "journey_map.png").stat().st_size > 50_000


def test_cx_overview_page_holds_no_raw_id_or_contact_data(overview, assert_no_personal_data):
    assert_no_personal_data(overview.html.read_text(encoding="utf-8"))


def test_cx_overview_uses_no_old_name_of_the_api(overview):
    executed = nbformat.read(overview.notebook, as_version=4)
    texts = [o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [t for t in texts if "FutureWarning" in t]

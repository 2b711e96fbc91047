"""Every report notebook runs through the runner on the sample, and holds the numbers of the package."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from cjm_lab.io import load_events, load_survey, load_touchpoints
from cjm_lab.journeys import funnel
from cjm_lab.reports import list_reports, run_report
from cjm_lab.survey import nps

pytestmark = pytest.mark.notebook


def test_every_report_is_listed():
    assert {"cx_overview", "survey_nps", "journeys", "personas"} <= set(list_reports())


def test_survey_report(tmp_path, monkeypatch, assert_no_personal_data):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # as make and CI export it: the report must still show figures
    res = run_report("survey_nps", {"language": "de", "n_themes": 4}, out=tmp_path, progress=False)
    record = json.loads((res.folder / "run.json").read_text())
    expected = nps(load_survey("data/sample/survey.csv"), weight="weight").iloc[0]
    assert record["results"]["nps_total"] == pytest.approx(expected["nps"])
    sheets = pd.ExcelFile(res.folder / "tables.xlsx").sheet_names
    assert {"nps_total", "nps_by_segment", "nps_trend", "key_drivers", "verbatim_themes"} <= set(sheets)
    page = res.html.read_text(encoding="utf-8")
    assert "Was die Weiterempfehlung treibt" in page and "Wichtigster Treiber ist" in page
    assert "@example.com" not in page  # verbatims are shown only after PII masking
    assert_no_personal_data(page)
    assert page.count("data:image/png;base64,") >= 4  # distribution, segments, trend, drivers
    # only the German Markdown cells ran: no English heading on the page or in the executed notebook
    assert "What drives the recommendation" not in page and "Befragung &amp; NPS" in page
    executed = nbformat.read(res.notebook, as_version=4)
    assert not [c for c in executed.cells if "lang-en" in c.metadata.get("tags", [])]
    # what the deck and the workbook are built from
    manifest = json.loads((res.folder / "deliverables.json").read_text())
    assert (manifest["report"], manifest["title"], manifest["language"]) == ("survey_nps", "Befragung & NPS", "de")
    assert all((res.folder / i["file"]).is_file() for i in manifest["items"] if i.get("file"))
    figure = next(i for i in manifest["items"] if i["kind"] == "figure" and i["name"] == "key_drivers")
    assert figure["tables"] == ["key_drivers", "importance_performance"]
    assert figure["takeaway"].startswith("Wichtigster Treiber ist sat_") and "**" in figure["takeaway_markdown"]
    assert figure["section"] == "Was die Weiterempfehlung treibt"
    table = next(i for i in manifest["items"] if i["kind"] == "table" and i["name"] == "nps_by_segment")
    kinds = {c["name"]: c["kind"] for c in table["columns"]}
    assert (kinds["wave"], kinds["n"], kinds["pct_promoters"], kinds["nps"]) == ("label", "count", "percent", "number")
    assert (table["title"], table["base"], table["effective_base"], table["sheet"]) == (
        "NPS nach Segment",
        "n",
        "n_eff",
        "nps_by_segment",
    )


def test_journeys_report(tmp_path, assert_no_personal_data):
    res = run_report("journeys", {"segments_path": "", "top_paths": 5}, out=tmp_path, progress=False)
    record = json.loads((res.folder / "run.json").read_text())
    cat = load_touchpoints("data/sample/touchpoints.csv")
    ev = load_events("data/sample/events.csv.gz", touchpoints=cat)
    steps = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]
    expected = funnel(ev, steps=steps, window="30D", touchpoints=cat)["pct_of_start"].iloc[-1]
    assert record["results"]["funnel_conversion_pct"] == pytest.approx(expected)
    assert record["results"]["top_pain_point"] == "Delivery delay notice"
    figures = [f["file"] for f in json.loads((res.folder / "figures.json").read_text())]
    assert {"funnel.png", "pain_points.png", "journey_map.png", "attribution.png"} <= set(figures)
    from pptx import Presentation

    titles = [slide.shapes.title.text for slide in Presentation(str(res.folder / "report.pptx")).slides]
    assert "The customer journey map" in titles and "journey_map" not in titles  # slides say what they show
    page = res.html.read_text(encoding="utf-8")
    assert page.count("plotly.js v") <= 2  # plotly.js embedded once, so the page opens offline
    assert_no_personal_data(page)


def test_personas_report_recovers_the_planted_personas(tmp_path, assert_no_personal_data):
    from sklearn.metrics import adjusted_rand_score

    from cjm_lab.personas import PersonaModel, load_model

    res = run_report("personas", {"language": "de", "resamples": 3}, out=tmp_path, progress=False)
    r = json.loads((res.folder / "run.json").read_text())["results"]
    assert r["recommended_k"] == r["n_personas"] == 5  # "auto": the five planted personas
    assert sum(r["persona_sizes"].values()) == r["n_customers"] == 5000
    # aggregates only by default: no row per customer (allow_rows=True would write it, ids pseudonymised)
    assert not (res.folder / "persona_assignments.csv").exists()
    sheets = set(pd.ExcelFile(res.folder / "tables.xlsx").sheet_names)
    assert {
        "choose_k",
        "persona_sizes",
        "persona_profiles",
        "persona_cards",
        "nps_by_persona",
        "golden_questions",
    } <= sheets and "persona_assignments" not in sheets
    cards = pd.read_excel(res.folder / "tables.xlsx", sheet_name="persona_cards")
    assert len(cards) == 5 and cards["nps"].notna().all()
    # the typing tool: the saved model types the customers as in the report
    customers = pd.read_csv("data/sample/customers.csv")
    model = PersonaModel.load(res.folder / "personas.joblib")
    truth = pd.read_csv("data/sample/personas_truth.csv").set_index("customer_id").loc[customers["customer_id"]]
    assert adjusted_rand_score(truth["persona"], model.predict(customers)) > 0.9
    golden = load_model(res.folder / "golden_questions.joblib")
    assert 5 <= len(golden.questions) <= 10 and r["golden_accuracy"] > 0.9
    figures = {f["file"] for f in json.loads((res.folder / "figures.json").read_text())}
    assert figures == {"choose_k.png", "persona_profile.png", "persona_cards.png", "nps_by_persona.png"}
    page = res.html.read_text(encoding="utf-8")
    assert "Wie viele Personas?" in page and "Typing-Tool" in page and "PersonaModel(" not in page
    assert_no_personal_data(page)


def test_gallery_shows_every_chart_in_both_languages(tmp_path, assert_no_personal_data):
    res = run_report("gallery", {"customers_n": 800}, out=tmp_path, progress=False)
    figures = {f["file"] for f in json.loads((res.folder / "figures.json").read_text())}
    kinds = {
        "survey",
        "survey2",
        "choose_k",
        "profile",
        "cards",
        "journeys",
        "pain_attribution",
        "sankey",
        "journey_map",
        "journey_maps",
    }
    assert figures == {f"gallery_{k}_{lang}.png" for k in kinds for lang in ("en", "de")}
    page = res.html.read_text(encoding="utf-8")
    assert "Kundenreisen" in page and "Die Customer Journey Map" in page
    assert_no_personal_data(page)

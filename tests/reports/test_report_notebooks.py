"""Every report notebook runs through the runner on the sample, and holds the numbers of the package."""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest

from cjm_lab.io import load_events, load_survey, load_touchpoints
from cjm_lab.journeys import funnel
from cjm_lab.reports import list_reports, read_manifest, run_report
from cjm_lab.survey import nps

pytestmark = pytest.mark.notebook


def _future_warnings(notebook) -> list[str]:
    """The FutureWarnings a report's own code raised (an old name of the package's API)."""
    executed = nbformat.read(notebook, as_version=4)
    texts = [o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    return [t for t in texts if "FutureWarning" in t]


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
    assert _future_warnings(res.notebook) == []
    # what the deck and the workbook are built from: the helpers' titles, takeaways and source tables
    manifest = read_manifest(res.folder)
    figure = next(f for f in manifest.figures if f.name == "key_drivers")
    assert figure.title == "Was die Weiterempfehlung treibt" and not figure.image  # native charts
    assert [c.table for c in figure.charts] == ["key_drivers", "importance_performance"]
    # the drivers read as the sample's codebook names them, not as columns (sat_delivery)
    assert figure.takeaway.startswith("Wichtigster Treiber ist **Lieferung**")
    drivers = pd.read_csv(res.folder / "key_drivers.csv")
    assert set(drivers["label"]) == {"Website", "Bestellabschluss", "Lieferung", "Rechnung", "Kundenservice", "Produkt"}
    assert pd.read_csv(res.folder / "importance_performance.csv")["label"].notna().all()
    # every figure on the page carries its alternative text: its title and what it shows
    import lxml.html

    images = lxml.html.fromstring(page).xpath("//img")
    assert len(images) >= 4 and all(img.get("alt", "").strip() for img in images)
    assert any(
        img.get("alt").startswith("Was die Weiterempfehlung treibt. Wichtigster Treiber ist Lieferung")
        for img in images
    )
    table = manifest.tables["nps_by_segment"]
    assert (table.title, table.base, table.effective_base, table.sheet) == (
        "NPS nach Welle",
        "n",
        "n_eff",
        "nps_by_segment",
    )
    assert table.show == ("wave", "n", "n_eff", "nps", "ci_low", "ci_high")


@pytest.fixture(scope="module")
def journeys_run(tmp_path_factory):
    params = {"segments_path": "", "top_paths": 5, "level": "team", "level_label": {"en": "team", "de": "Team"}}
    return run_report("journeys", params, out=tmp_path_factory.mktemp("j"), progress=False)


def test_journeys_report(journeys_run, assert_no_personal_data):
    res = journeys_run
    record = json.loads((res.folder / "run.json").read_text())
    cat = load_touchpoints("data/sample/touchpoints.csv")
    ev = load_events("data/sample/events.csv.gz", touchpoints=cat)
    steps = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]
    expected = funnel(ev, steps=steps, window="30D", touchpoints=cat)["pct_of_start"].iloc[-1]
    assert record["results"]["funnel_conversion_pct"] == pytest.approx(expected)
    assert record["results"]["top_pain_point"] == "Delivery delay notice"
    figures = [f.file for f in read_manifest(res.folder).figures]
    assert {"funnel.png", "pain_points.png", "journey_map.png", "attribution.png"} <= set(figures)
    from pptx import Presentation

    deck = Presentation(str(res.folder / "report.pptx"))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert "The customer journey map" in titles and "journey_map" not in titles  # slides say what they show
    charts = {s.shapes.title.text: [str(sh.chart.chart_type) for sh in s.shapes if sh.has_chart] for s in deck.slides}
    assert charts["Funnel: conversion by step"] == ["BAR_CLUSTERED (57)"]  # native, editable
    assert charts["Pain points ranked by journeys hurt"] == ["BAR_CLUSTERED (57)"]
    pictures = {s.shapes.title.text for s in deck.slides if any(sh.shape_type == 13 for sh in s.shapes)}
    assert {"The customer journey map", "Customer journeys step by step"} <= pictures
    assert record["headline"][0]["label"] == "Top pain point"
    page = res.html.read_text(encoding="utf-8")
    assert page.count("plotly.js v") <= 2  # plotly.js embedded once, so the page opens offline
    assert "<title>Customer journeys</title>" in page and '<html lang="en">' in page
    assert _future_warnings(res.notebook) == []
    assert_no_personal_data(page)


def test_journeys_report_pain_points_read_as_a_deliverable(journeys_run):
    """The pain section on the sample's planted truth: the delivery delay with its follow-up contacts leads,
    the payment outage of 2025-W14/W15 is the strongest change, the service and logistics desks ping-pong."""
    res = journeys_run
    truth = {p["id"]: p for p in json.loads(open("data/sample/ground_truth.json").read())["pain_points"]}
    page = res.html.read_text(encoding="utf-8")
    # the curated table: rank with its range, the touchpoint, department, journeys, score, drivers in words, note
    columns = ["Rank (95% range)", "Touchpoint", "Department", "Journeys", "Journeys hurt per 100"]
    head = "".join(f"<th>{h}</th>" for h in [*columns, "What drives it", "What hurts"])
    assert head + "</tr></thead>" in page
    pain = pd.read_csv(res.folder / "pain_points.csv")  # the file keeps every column
    assert {"excess_customers", "excess_drop_off", "rank_low", "rank_high", "rank_interval", "drivers"} <= set(pain)
    first = pain.iloc[0]
    assert first["touchpoint"] == truth["delivery_delay"]["touchpoint"] == "Delivery delay notice"
    assert f'<td class="text">{first["rank_interval"]}</td><td class="text">Delivery delay notice</td>' in page
    assert "repeated contacts" in page and "repeat_contact" not in page and "excess_drop_off" not in page
    # the log's rates: the payment outage is the strongest change over time, in the planted weeks
    outage = truth["payment_outage"]
    found = re.search(
        r"the strongest: Checkout payment: share reaching a conversion fell from (\d+)% to (\d+)% in week (\S+) ", page
    )
    assert found and found.group(3) in outage["weeks"]
    assert int(found.group(1)) > 75 and int(found.group(2)) < 40  # planted: 84% outside, 33% during the outage
    assert re.search(r"\d+\.\d% of the journeys come back to the same touchpoint after others \(\d+ journeys\)", page)
    # the evidence of the top row: the journeys go on to the service contacts the delay triggers
    assert '<h3 id="Why-Delivery-delay-notice-ranks-first">' in page
    after = re.search(r"Where the journeys go after Delivery delay notice: ([^<]*)\.", page).group(1)
    assert {s.rsplit(" ", 1)[0] for s in after.split(", ")} == set(truth["delivery_delay"]["follow_up_touchpoints"])
    # the teams: the two desks of the planted ping-pong hand journeys back and forth
    r = json.loads((res.folder / "run.json").read_text())["results"]
    desks = truth["service_ping_pong"]["teams"]
    assert r["top_pain_level"] in desks
    other = next(d for d in desks if d != r["top_pain_level"])
    assert re.search(rf"{r['top_pain_level']} hands journeys back and forth most with {other} \(\d+ journeys\)", page)
    teams = pd.read_csv(res.folder / "pain_points_by_level.csv").set_index("team")
    assert teams.loc["Service desk", "main_issue"] == "ping_pong"
    assert "<th>Team</th>" in page and "Pain points by team" in page


@pytest.mark.browser
def test_journeys_page_opens_offline_with_readable_sankey(journeys_run):
    import itertools

    from playwright.sync_api import sync_playwright

    from cjm_lab.reports import find_chromium

    external = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                (external.append(route.request.url), route.abort())
                if not route.request.url.startswith(("file:", "data:"))
                else route.continue_()
            ),
        )
        page = context.new_page()
        page.goto(journeys_run.html.resolve().as_uri(), wait_until="load")
        page.wait_for_selector(".node-label", timeout=20_000)  # the interactive Sankey drew, offline
        rects = page.evaluate("""Array.from(document.querySelectorAll('.node-label'))
            .filter(e => e.textContent.length).map(e => {const r = e.getBoundingClientRect();
            return [e.textContent, r.left, r.top, r.right, r.bottom];})""")
        browser.close()
    assert external == []
    assert rects and not [
        (a[0], b[0])
        for a, b in itertools.combinations(rects, 2)
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]


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
    cards = pd.read_csv(res.folder / "persona_cards.csv")
    assert len(cards) == 5 and cards["nps"].notna().all()
    # the typing tool: the saved model types the customers as in the report
    customers = pd.read_csv("data/sample/customers.csv")
    model = PersonaModel.load(res.folder / "personas.joblib")
    truth = pd.read_csv("data/sample/personas_truth.csv").set_index("customer_id").loc[customers["customer_id"]]
    assert adjusted_rand_score(truth["persona"], model.predict(customers)) > 0.9
    golden = load_model(res.folder / "golden_questions.joblib")
    assert 5 <= len(golden.questions) <= 10 and r["golden_accuracy"] > 0.9
    figures = {f.file for f in read_manifest(res.folder).figures}
    assert figures == {"choose_k.png", "persona_profile.png", "persona_cards.png", "nps_by_persona.png"}
    page = res.html.read_text(encoding="utf-8")
    assert "Wie viele Personas?" in page and "Typing-Tool" in page and "PersonaModel(" not in page
    assert _future_warnings(res.notebook) == []
    assert_no_personal_data(page)


def test_gallery_shows_every_chart_in_both_languages(tmp_path, assert_no_personal_data):
    res = run_report("gallery", {"customers_n": 800}, out=tmp_path, progress=False)
    figures = {f.file for f in read_manifest(res.folder).figures}
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

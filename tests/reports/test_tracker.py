"""Runs over time: headline numbers, the change since the previous comparable run, the index page."""

from __future__ import annotations

import json
import math

import lxml.html
import pytest

from cjm_lab.reports import headline, previous_run, rebuild_index
from cjm_lab.reports.tracker import comparable_key, read_runs


def _run(out, folder, report, started, results, **params):
    path = out / folder
    path.mkdir(parents=True)
    record = {
        "report": report,
        "label": None,
        "started": started,
        "outcome": "success",
        "duration_s": 12.5,
        "parameters": params,
        "parameters_effective": {"language": "en", **params},
        "data_files_sha256": {v: "00" for v in params.values() if str(v).endswith(".csv")},
        "results": results,
        "language": "en",
    }
    (path / "run.json").write_text(json.dumps(record), encoding="utf-8")
    (path / "report.html").write_text("<html></html>", encoding="utf-8")
    return record


def test_nps_change_and_its_test_by_hand():
    now, before = {"nps_total": 24.0, "nps_se": 1.5, "nps_n": 2600}, {"nps_total": 19.0, "nps_se": 1.6}
    item = headline(now, before, previous_date="2026-11-05T10:00:00")[0]
    z = 5.0 / math.sqrt(1.5**2 + 1.6**2)  # 2.28 > 1.96
    assert z > 1.96 and item["significant"] is True and item["direction"] == "up"
    assert item["change"] == pytest.approx(5.0) and item["value"] == "+24.0"
    assert item["detail"] == "n = 2,600 · +5.0 vs. previous run (2026-11-05), significant"
    small = headline({"nps_total": 21.0, "nps_se": 1.5}, {"nps_total": 19.0, "nps_se": 1.6}, language="de")[0]
    assert small["significant"] is False and small["direction"] is None  # z = 0.91
    assert small["detail"] == "+2,0 ggü. vorigem Lauf, nicht signifikant"
    assert headline({"nps_total": 21.0})[0]["detail"] == "first run of these settings"


def test_other_headline_numbers():
    h = headline(
        {"top_pain_points": ["Invoice", "Cart"], "funnel_conversion_pct": 53.6, "n_journeys": 5000},
        {"top_pain_point": "Cart", "funnel_conversion_pct": 50.1, "n_journeys": 4800},
    )
    assert [(x["label"], x["value"]) for x in h] == [
        ("Top pain point", "Invoice"),
        ("Through the funnel", "53.6%"),
        ("Journeys", "5,000"),
    ]
    assert h[0]["detail"] == "was Cart in the previous run"
    assert h[1]["change"] == pytest.approx(3.5) and h[1]["detail"].startswith("+3.5 pp")
    assert headline({}) == []


def test_comparable_runs_ignore_the_data_file(tmp_path):
    a = _run(
        tmp_path,
        "2026-10-01_090000_survey_nps",
        "survey_nps",
        "2026-10-01T09:00:00",
        {"nps_total": 10.0},
        survey_path="oct.csv",
        segment="wave",
    )
    b = _run(
        tmp_path,
        "2026-11-01_090000_survey_nps",
        "survey_nps",
        "2026-11-01T09:00:00",
        {"nps_total": 12.0},
        survey_path="nov.csv",
        segment="wave",
    )
    c = _run(
        tmp_path,
        "2026-11-02_090000_survey_nps",
        "survey_nps",
        "2026-11-02T09:00:00",
        {"nps_total": 30.0},
        survey_path="nov.csv",
        segment="region",
    )
    assert comparable_key(a) == comparable_key(b) != comparable_key(c)
    runs = read_runs(tmp_path)
    assert runs[0]["folder"] == "2026-11-02_090000_survey_nps"  # newest first
    assert previous_run(runs, {**b, "folder": "2026-11-01_090000_survey_nps"})["results"]["nps_total"] == 10.0
    assert previous_run(runs, {**c, "folder": "2026-11-02_090000_survey_nps"}) is None  # other settings


def test_index_tracks_runs_with_changes_filter_and_links(tmp_path):
    _run(
        tmp_path,
        "2026-10-01_090000_survey_nps",
        "survey_nps",
        "2026-10-01T09:00:00",
        {"nps_total": 19.0, "nps_se": 1.6},
        survey_path="oct.csv",
    )
    _run(
        tmp_path,
        "2026-11-01_090000_survey_nps",
        "survey_nps",
        "2026-11-01T09:00:00",
        {"nps_total": 24.0, "nps_se": 1.5},
        survey_path="nov.csv",
    )
    _run(
        tmp_path,
        "2026-11-01_100000_journeys",
        "journeys",
        "2026-11-01T10:00:00",
        {"top_pain_point": "<script>alert(1)</script>"},
    )
    (tmp_path / "2026-11-01_090000_survey_nps" / "report.pptx").write_bytes(b"deck")
    (tmp_path / "_failed" / "2026-11-02_x").mkdir(parents=True)
    doc = lxml.html.fromstring(rebuild_index(tmp_path).read_text(encoding="utf-8"))
    sections = doc.xpath("//section[@data-report]")
    assert [s.get("data-report") for s in sections] == ["journeys", "survey_nps"]
    assert [o.get("value") for o in doc.xpath("//select[@id='report-filter']/option")] == ["", "journeys", "survey_nps"]
    rows = sections[1].xpath(".//tbody/tr")
    assert len(rows) == 2
    newest = rows[0].text_content()
    assert "NPS: +24.0" in newest and "▲+5.0" in newest  # significant: marked
    assert rows[0].xpath(".//span[@class='up']")
    assert "▲" not in rows[1].text_content() and "NPS: +19.0" in rows[1].text_content()  # first run: no change
    links = [a.get("href") for a in rows[0].xpath(".//a")]
    assert links == [
        "2026-11-01_090000_survey_nps/report.html",
        "2026-11-01_090000_survey_nps/report.pptx",
        "2026-11-01_090000_survey_nps/",
    ]  # only what the run folder holds
    assert not doc.xpath("//section[@data-report='journeys']//script")  # data text stays text
    assert "<script>alert(1)</script>" in sections[0].text_content()


@pytest.mark.browser
def test_the_filter_runs_under_the_pages_policy(tmp_path):
    from playwright.sync_api import sync_playwright

    from cjm_lab.reports import find_chromium

    _run(tmp_path, "2026-11-01_090000_survey_nps", "survey_nps", "2026-11-01T09:00:00", {"nps_total": 24.0})
    _run(tmp_path, "2026-11-01_100000_journeys", "journeys", "2026-11-01T10:00:00", {"n_journeys": 50})
    index = rebuild_index(tmp_path)
    assert "Content-Security-Policy" in index.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        blocked = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(index.resolve().as_uri())
        page.select_option("#report-filter", "journeys")
        hidden = page.evaluate("Array.from(document.querySelectorAll('section.report')).map(s => s.hidden)")
        browser.close()
    assert hidden == [False, True] and blocked == []  # journeys shown, survey_nps hidden; the script was allowed

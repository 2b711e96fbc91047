"""Issue 10, part 3: report pages show, draw and describe only groups the saved tables show.

One survey report on the sample, with personas joined and a raised minimum group size (300) so that
two personas and some verbatim themes fall below it; the other reports' pages are checked for raw ids
and contact data in their own tests (``assert_no_personal_data``).
"""

from __future__ import annotations

import html
import io
import json
import re

import nbformat
import pandas as pd
import pytest

from cjm_lab.reports import read_manifest, report_parameters, run_report
from cjm_lab.survey import nps, nps_vs_rest

from .conftest import SAMPLE

pytestmark = pytest.mark.notebook

MIN = 300


@pytest.fixture(scope="module")
def protected(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protect")
    survey = pd.read_csv(SAMPLE / "survey.csv").merge(pd.read_csv(SAMPLE / "personas_truth.csv"), on="customer_id")
    path = folder / "survey_with_personas.csv"
    survey.to_csv(path, index=False)
    res = run_report(
        "survey_nps",
        {"survey_path": str(path), "segment": "persona", "drivers": [], "n_themes": 8},
        out=folder / "reports",
        progress=False,
        min_group_size=MIN,
    )
    return survey, res


def _tables(page: str) -> list[pd.DataFrame]:
    return pd.read_html(io.StringIO(page))


def test_suppressed_personas_appear_nowhere_with_their_numbers(protected):
    survey, res = protected
    by = nps(survey, by="persona", weight="weight").set_index("persona")
    small = {p for p, n in by["n"].items() if p != "Total" and n < MIN}
    assert small == {"advice_seeker", "eco_conscious"}  # 241 and 299 respondents
    page = res.html.read_text(encoding="utf-8")
    text = html.unescape(page)
    # the saved table and the one shown inline blank them
    saved = pd.read_csv(res.folder / "nps_by_segment.csv").set_index("persona")
    assert saved.loc[sorted(small), ["n", "nps"]].isna().all().all()
    shown = next(t for t in _tables(page) if any("advice_seeker" in str(v) for v in t.iloc[:, 0]))
    shown = shown.set_index(shown.columns[0])
    assert (shown.loc[sorted(small)].astype(str) == "–").all().all()  # every number blanked
    assert (shown.loc["price_hunter"].astype(str) != "–").all()
    # no sentence quotes them: neither the raw persona-vs-rest texts nor any bullet naming them
    raw = nps_vs_rest(survey, by="persona", weight="weight", language="en").set_index("segment")["text"]
    for persona in small:
        assert raw[persona] not in text
    bullets = " ".join(re.findall(r"<li>(.*?)</li>", text, re.DOTALL))
    assert "price_hunter" in bullets and not any(p in bullets for p in small)
    # their numbers stay out of what the run records
    record = json.loads((res.folder / "run.json").read_text())
    assert not any(p in json.dumps(record["results"]) for p in small)
    titles = " ".join(f.title for f in read_manifest(res.folder).figures)
    assert not any(p in titles for p in small)
    # the minimum group size reached the notebook as its parameter, not through the environment
    assert record["parameters_effective"]["min_group_size"] == MIN == record["privacy"]["min_group_size"]
    executed = nbformat.read(res.notebook, as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"min_group_size = {MIN}" in injected.source
    # the page's table says why two rows are blank
    assert f"Groups of fewer than {MIN} are not shown (data protection)." in text
    # the key-driver section is left out with its heading when there are no drivers (tag if-drivers)
    assert "What drives the recommendation" not in text and "key_drivers.csv" not in {
        p.name for p in res.folder.iterdir()
    }


def test_verbatim_examples_show_no_suppressed_theme_and_no_row_number(protected, assert_no_personal_data):
    _, res = protected
    themes = pd.read_csv(res.folder / "verbatim_themes_nps.csv")
    hidden = set(themes.loc[themes["suppressed"], "theme"])
    assert hidden  # with eight themes on 2,607 answers, some hold fewer than 300
    page = res.html.read_text(encoding="utf-8")
    examples = next(t for t in _tables(page) if "Comment" in t.columns)
    assert not {"row", "Row"} & set(examples.columns)  # the input row would point back to the respondent
    assert not set(examples["Theme"]) & hidden
    assert set(examples["Theme"]) <= set(themes.loc[~themes["suppressed"], "theme"])
    assert_no_personal_data(page)


def test_typing_tool_export_is_off_unless_asked_for():
    params = report_parameters("personas").set_index("name")
    assert params.loc["allow_rows", "default"] is False  # GDPR default: aggregates only
    assert "pseudonymised" in params.loc["allow_rows", "help"]

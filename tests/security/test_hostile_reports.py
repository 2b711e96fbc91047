"""Every report, run on a sample whose every text field is hostile, delivers nothing that runs or computes.

A hostile-strings corpus (script tags, event handlers, ``javascript:`` links, an iframe, spreadsheet
formulas, Markdown, the path separator and the analyses' reserved labels, control characters, very
long text) is put into every text field of the generated sample: comments, touchpoint names and
their German labels, departments, segment values (survey waves, regions, channels, personas),
persona attributes and column names (driver ratings, the attitude battery, a profile column); the
session ids hold the journey id's separator.  The five data reports run once on it, in one
session-scoped batch, through the real runner with a real kernel, Chromium printing the PDF:

* the page holds no executable content but the package's own scripts, each allowed by its hash in
  the page's Content-Security-Policy (data inside them only as escaped JSON), no event handler, no
  ``javascript:`` link, no frame, object or form; and the hostile text is shown, as text;
* the formatted workbook reads back with zero formula cells, and so do the workbooks behind the
  deck's native charts; no CSV cell starts a formula; the deck holds no link, field, macro or
  embedded object; the PDF's words are the page's words.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import lxml.html
import openpyxl
import pandas as pd
import pytest

from cjm_lab.reports import csp, run_report
from cjm_lab.sample import make_sample
from cjm_lab.untrusted import FORMULA_PREFIXES

pytestmark = [pytest.mark.notebook, pytest.mark.browser]

#: The corpus: each piece is put in front of a text value (cycling through the pieces).
CORPUS = [
    '<script>document.title="pwned-script"</script>',
    "<img src=x onerror=\"document.title='pwned-onerror'\">",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(2)">link</a>',
    '<iframe src="https://evil.example/frame"></iframe>',
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "-2+3",
    "**bold** `code` # heading | pipe",
    "bell\x07esc\x1b[31m",
]
#: Touchpoints renamed to the path separator and the analyses' own labels.
RESERVED = {"Search ad": "(start)", "Social media ad": "(exit)", "Newsletter": "Web > Shop"}
#: A comment of over 40,000 characters (beyond Excel's 32,767 in a cell).
LONG = "Lange Beschwerde über die Lieferung. " * 1100
DRIVERS = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]
STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]
REPORTS = ["survey_nps", "journeys", "personas", "cx_overview", "workshop_personas"]


def _hostile(values: pd.Series) -> dict:
    distinct = list(dict.fromkeys(v for v in values if pd.notna(v)))
    return {v: f"{CORPUS[i % len(CORPUS)]}{v}" for i, v in enumerate(distinct)}


def _write_sample(folder: Path) -> dict:
    """The sample with every text field hostile, as CSV files; the parameters that name its columns."""
    s = make_sample(customers=600, random_state=5)
    tps, ev = s.touchpoints.copy(), s.events.copy()
    names = {**_hostile(tps["touchpoint"]), **RESERVED}
    tps["touchpoint"] = tps["touchpoint"].map(names)
    tps["label_de"] = CORPUS[1] + tps["label_de"]
    tps["department"] = tps["department"].map(_hostile(tps["department"]))
    ev["touchpoint"] = ev["touchpoint"].map(names)
    ev["session_id"] = ev["session_id"].str.replace("-", "|")
    ev["team"] = ev["team"].map(_hostile(ev["team"]))  # ranked as a level of its own in the journeys report
    sv = s.survey.copy()
    said = sv["comment"].notna()
    pieces = [*CORPUS, LONG]
    sv.loc[said, "comment"] = [f"{pieces[i % len(pieces)]} {c}" for i, c in enumerate(sv.loc[said, "comment"])]
    sv["wave"] = sv["wave"].map(lambda w: f"{CORPUS[w % len(CORPUS)]}W{w}")
    drivers = {c: f"{CORPUS[i % len(CORPUS)]}{c}" for i, c in enumerate(DRIVERS)}
    sv = sv.rename(columns=drivers)
    cu = s.customers.copy()
    for col in ("region", "preferred_channel"):
        cu[col] = cu[col].map(_hostile(cu[col]))
    attitudes = {c: f"{CORPUS[(i + 3) % len(CORPUS)]}{c}" for i, c in enumerate(c for c in cu if c.startswith("att_"))}
    region = CORPUS[0] + "region"
    cu = cu.rename(columns={**attitudes, "region": region})
    pe = s.personas.assign(persona=lambda p: p["persona"].map(_hostile(p["persona"])))
    paths = {}
    for name, table in (("events", ev), ("touchpoints", tps), ("survey", sv), ("customers", cu), ("personas", pe)):
        paths[name] = str(folder / f"{name}.csv")
        table.to_csv(paths[name], index=False)
    d, a, steps = list(drivers.values()), list(attitudes.values()), [names[t] for t in STEPS]
    return {
        "survey_nps": {"survey_path": paths["survey"], "drivers": d, "segment": "wave"},
        "journeys": {
            "events_path": paths["events"],
            "touchpoints_path": paths["touchpoints"],
            "survey_path": paths["survey"],
            "segments_path": paths["personas"],
            "funnel_steps": steps,
            "language": "de",  # the catalogue's German labels
            "level": "team",
            "level_label": {"en": CORPUS[0] + "team", "de": CORPUS[1] + "Team"},
        },
        "personas": {
            "customers_path": paths["customers"],
            "basis": a,
            "profile_columns": ["age_band", region, "income_band", "preferred_channel", "tenure_months"],
            "survey_path": paths["survey"],
            "satisfaction": d,
            "k": 3,
            "resamples": 2,
        },
        "cx_overview": {
            "events_path": paths["events"],
            "touchpoints_path": paths["touchpoints"],
            "survey_path": paths["survey"],
            "customers_path": paths["customers"],
            "persona_basis": a,
            "persona_k": 3,
            "drivers": d,
        },
        "workshop_personas": {
            "customers_path": paths["customers"],
            "survey_path": paths["survey"],
            "events_path": paths["events"],
            "touchpoints_path": paths["touchpoints"],
            "attitudes": a,
            "extra_variables": ["age_band", "income_band", "preferred_channel"],
            "drivers": d,
            "funnel_steps": steps,
            "n_personas": 3,
            "resamples": 2,
        },
    }


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """The five reports on the hostile sample, once for the session (about 2 minutes of kernels)."""
    folder = tmp_path_factory.mktemp("hostile")
    parameters = _write_sample(folder)
    out = folder / "reports"
    return {name: run_report(name, parameters[name], out=out, pdf=True, progress=False) for name in REPORTS}


def _page(result) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(result.html.read_text(encoding="utf-8"))


def _live_content(doc: lxml.html.HtmlElement) -> list[str]:
    """What in a parsed page could run or load: scripts the policy does not allow, data inside an allowed
    script outside escaped JSON, event handlers, ``javascript:`` URLs, frames, objects, forms, refreshes."""
    meta = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]')
    policy = meta[0].get("content") if meta else ""
    allowed = set(re.findall(r"'(sha256-[^']+)'", policy))
    found = []
    for script in doc.iter("script"):
        body = script.text or ""
        if script.get("src") or csp._hash(body).strip("'") not in allowed:
            found.append(f"script not allowed by the policy: {body[:80]!r}")
        # data may sit in an allowed script (a figure's labels) only as JSON text: never a raw '<'
        for m in re.finditer("pwned", body):
            if "<" in body[max(0, m.start() - 40) : m.start()]:
                found.append(f"data as markup inside an allowed script: {body[m.start() - 40 : m.end()]!r}")
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for key, value in el.attrib.items():
            if key.lower().startswith("on"):
                found.append(f"<{el.tag} {key}={value[:40]!r}>")
            if re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                found.append(f"<{el.tag} {key}={value[:40]!r}>")
        if el.tag in ("iframe", "frame", "object", "embed", "applet", "base", "form"):
            found.append(f"<{el.tag}>")
        if el.tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
    return found


@pytest.mark.parametrize(
    "report",
    REPORTS,
)
def test_the_page_runs_only_its_own_scripts(runs, report):
    assert _live_content(_page(runs[report])) == []


@pytest.mark.parametrize("report", REPORTS)
def test_the_hostile_text_reached_the_page(runs, report):
    """Not a vacuous pass: the data's hostile text is on every page (shown literally where it was escaped)."""
    page = runs[report].html.read_text(encoding="utf-8")
    assert "pwned" in page, report
    text = _page(runs[report]).text_content()
    assert '<script>document.title="pwned-script"</script>' in text or "<img src=x onerror=" in text


def test_the_index_of_the_runs_runs_nothing(runs):
    index = next(iter(runs.values())).folder.parent / "index.html"
    doc = lxml.html.fromstring(index.read_text(encoding="utf-8"))
    assert _live_content(doc) == []
    assert "pwned" in doc.text_content()  # the hostile top pain point and segment values, as text


def _workbook_formulas(blob: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    return [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("report", REPORTS)
def test_the_workbook_reads_back_without_formulas(runs, report):
    path = runs[report].folder / "tables.xlsx"
    assert _workbook_formulas(path.read_bytes()) == []
    texts = [c.value for ws in openpyxl.load_workbook(path) for row in ws.iter_rows() for c in row]
    assert any(isinstance(t, str) and t.startswith(("=HYPERLINK", "+cmd", "@SUM")) for t in texts), report


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("report", REPORTS)
def test_no_csv_cell_starts_a_formula(runs, report):
    files = sorted(runs[report].folder.glob("*.csv"))
    assert files
    starts, neutralised = [], 0
    for path in files:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                starts += [f"{path.name}: {c[:40]!r}" for c in row if c.startswith(FORMULA_PREFIXES) and not _number(c)]
                neutralised += sum(c.startswith(("'=", "'+", "'@")) for c in row)
    assert starts == []
    assert neutralised, report  # hostile text was there, and was neutralised


@pytest.mark.parametrize("report", REPORTS)
def test_the_deck_holds_text_only(runs, report):
    deck = zipfile.ZipFile(runs[report].folder / "report.pptx")
    names = deck.namelist()
    assert not [n for n in names if re.search(r"vbaProject|activeX|oleObject|/embeddings/.*\.bin$", n)]
    links = []
    for name in (n for n in names if n.endswith(".rels")):
        rels = deck.read(name).decode("utf-8")
        links += re.findall(r'Type="[^"]*/(hyperlink|oleObject|control|externalLink)"', rels)
        links += re.findall(r'TargetMode="External"', rels)
    assert links == []
    slides = "".join(deck.read(n).decode("utf-8") for n in names if re.match(r"ppt/(slides|notesSlides)/.*\.xml$", n))
    assert "hlinkClick" not in slides and "hlinkHover" not in slides and "<a:fld" not in slides
    for name in (n for n in names if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")):
        assert _workbook_formulas(deck.read(name)) == [], name  # PowerPoint's "Edit data"


def _words(text: str) -> Counter:
    return Counter(w.casefold() for w in re.findall(r"\w+", text))


#: Elements a browser shows as blocks (their text never runs into the next element's).
_BLOCKS = {"p", "div", "li", "td", "th", "tr", "br", "hr", "table", "caption", "ul", "ol", "dt", "dd", "pre", "img"}
_BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "nav", "main", "footer", "figure", "figcaption", "details", "summary"}


def _shown_text(page: str) -> str:
    """The text a reader sees on the page: no scripts, styles or title, closed <details> show their summary
    only, a picture that cannot load shows its alt text, blocks are apart (pdftotext -raw reads the PDF's
    text in the order it was printed, without joining lines or columns)."""
    doc = lxml.html.fromstring(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", page))  # shown as a gap
    for el in doc.xpath("//script | //style | //title | //details[not(@open)]/*[not(self::summary)]"):
        el.drop_tree()
    for img in doc.xpath("//img"):
        if not (img.get("src") or "").startswith("data:"):
            img.tail = f" {img.get('alt') or ''} {img.tail or ''}"
    for el in doc.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.text, el.tail = f" {el.text or ''}", f" {el.tail or ''}"
    return doc.text_content()


@pytest.mark.parametrize("report", REPORTS)
def test_the_pdf_says_what_the_page_says(runs, report):
    """The PDF is printed from a copy of the page without scripts: its words are the words the page shows
    (the contents' numbers, drawn by the style sheet, aside); nothing in the data rewrote it while printing."""
    result = runs[report]
    printed = subprocess.run(
        ["pdftotext", "-raw", str(result.folder / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    shown = _words(_shown_text(result.html.read_text(encoding="utf-8")))
    assert shown - _words(printed) == Counter()
    extra = _words(printed) - shown
    # the numbers of the contents, and the header of a table that runs over a page, printed again on the next
    headers = set(
        _words(" ".join(lxml.html.fromstring(result.html.read_text(encoding="utf-8")).xpath("//thead//text()")))
    )
    assert set(extra) <= {str(i) for i in range(1, 40)} | headers, extra
    assert "pwned" in shown  # the hostile text is printed as the text it is

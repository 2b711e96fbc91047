"""The report page: title and language, headline and contents, tables, widgets as a snapshot, offline, A4."""

from __future__ import annotations

import base64
import json
import re

import lxml.html
import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cjm_lab.reports import csp, display_table, print_pdf, render_page
from cjm_lab.reports.page import report_title
from cjm_lab.untrusted import format_markdown

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
    )
).decode()


def find(doc, tag, cls=None):
    """Elements by tag and class (xpath: lxml's CSS selectors need the cssselect package)."""
    cond = f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]" if cls else ""
    return doc.xpath(f".//{tag}{cond}")


def _md(text):
    return new_output("display_data", data={"text/markdown": text, "text/plain": "<Markdown>"})


def _widget_state():
    def model(name, state):
        return {
            "model_name": name,
            "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "state": state,
        }

    return {
        "state": {
            "box": model("VBoxModel", {"children": [f"IPY_MODEL_{k}" for k in ("html", "img", "drop", "gone")]}),
            "html": model("HTMLModel", {"value": "<b>Persona explorer</b>"}),
            "img": {
                **model("ImageModel", {"format": "png"}),
                "buffers": [{"path": ["value"], "encoding": "base64", "data": PNG}],
            },
            "drop": model("DropdownModel", {"description": "Region", "_options_labels": ["Nord", "Süd"], "index": 1}),
            "gone": model("HTMLModel", {"value": "HIDDEN OUTPUT", "layout": "IPY_MODEL_lay"}),
            "lay": {
                "model_name": "LayoutModel",
                "model_module": "@jupyter-widgets/base",
                "model_module_version": "2.0.0",
                "state": {"display": "none"},
            },
        },
        "version_major": 2,
        "version_minor": 0,
    }


@pytest.fixture
def executed(tmp_path):
    params = new_code_cell("language = 'de'")
    params.metadata["tags"] = ["parameters"]
    table = pd.DataFrame({"wave": [1, 2], "n": [1200, None], "nps": [21.44, -3.0], "suppressed": [False, True]})
    body = new_code_cell("...")
    body.outputs = [
        _md("## Net Promoter Score"),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("display_data", data={"text/html": display_table(table, language="de").html, "text/plain": "t"}),
        new_output("stream", name="stderr", text="UserWarning: internal detail\n"),
        new_output(
            "display_data",
            data={
                "text/html": '<script src="https://cdn.example.org/x.js"></script>'
                '<script type="module">import("https://cdn.example.org/m.js")'
                "</script><p>after</p>",
                "text/plain": "h",
            },
        ),
    ]
    widget = new_code_cell("explorer")
    widget.outputs = [
        _md(format_markdown("## Explorer {x}", x="<img src=x onerror=alert(1)>")),
        new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0},
                "text/plain": "VBox()",
            },
        ),
    ]
    nb = new_notebook(cells=[new_markdown_cell("# Überblick *NPS*\n\nWas Kunden denken."), params, body, widget])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": _widget_state()}
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def page(executed, tmp_path):
    headline = [{"label": "NPS", "value": "+21,4", "detail": "+5,0 ggü. vorigem Lauf", "direction": "up"}]
    out = render_page(executed, tmp_path / "report.html", language="de", headline=headline, footer="demo · 2026")
    return out.read_text(encoding="utf-8")


def test_title_language_headline_and_contents(page, executed):
    doc = lxml.html.fromstring(page)
    assert doc.get("lang") == "de"
    assert doc.findtext(".//title") == "Überblick NPS" == report_title(executed)
    body = doc.find("body")
    order = [el.tag + "." + (el.get("class") or "") for el in body.iter() if el.tag in ("h1", "section", "nav", "h2")]
    assert order[:3] == ["h1.", "section.headline", "nav.toc"]  # the headline box after the title and intro
    assert page.index("Was Kunden denken.") < page.index('class="headline"')
    assert [a.text for a in find(find(doc, "nav", "toc")[0], "a")] == [
        "Net Promoter Score",
        "Explorer <img src=x onerror=alert(1)>",
    ]
    for a in find(find(doc, "nav", "toc")[0], "a"):
        assert doc.get_element_by_id(a.get("href")[1:]).tag == "h2"
    kpi = find(doc, "div", "kpi")[0]
    assert find(kpi, "div", "value")[0].text == "+21,4" and "up" in find(kpi, "div", "detail")[0].get("class")
    assert find(doc, "footer", "run")[0].text == "demo · 2026"


def test_no_code_no_warnings_and_formatted_tables(page):
    assert "language = 'de'" not in page and "internal detail" not in page
    doc = lxml.html.fromstring(page)
    table = find(doc, "table", "cjm-table")[0]
    assert [th.text for th in find(table, "th")] == ["Welle", "Basis (n)", "NPS"]
    cells = [td.text for td in find(table, "td")]
    assert cells == ["1", "1.200", "21,4", "2", "–", "−3,0"]  # localised, missing as a dash, no index, no flag
    assert not doc.xpath("//img[@onerror]")  # a heading from data stays text


def test_nothing_loads_from_the_network(page):
    doc = lxml.html.fromstring(page)
    sources = [el.get("src") or el.get("href") for el in doc.xpath("//script[@src] | //link[@href] | //img[@src]")]
    assert all(not re.match(r"(https?:)?//", s) for s in sources), sources
    assert "cdn.example.org" not in page and "after" in page


def test_widgets_become_a_static_snapshot(page):
    doc = lxml.html.fromstring(page)
    snap = find(doc, "div", "cjm-snapshot")[0]
    assert find(snap, "b")[0].text == "Persona explorer"
    assert find(snap, "img")[0].get("src").startswith("data:image/png;base64,")
    assert find(snap, "p", "cjm-control")[0].text_content() == "Region Süd"  # the setting the run left
    assert "HIDDEN OUTPUT" not in page  # what the explorer had hidden stays hidden
    assert "application/vnd.jupyter.widget-view+json" not in page


@pytest.mark.browser
def test_page_loads_offline_and_prints_to_a4(executed, tmp_path):
    import plotly.graph_objects as go
    from playwright.sync_api import sync_playwright

    from cjm_lab.reports import find_chromium

    nb = nbformat.read(executed, as_version=4)
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    figure = fig.to_html(full_html=False, include_plotlyjs=True)  # as trusted_html() marks it in a notebook
    output = new_output("display_data", data={"text/html": figure, "text/plain": "fig"})
    output.metadata[csp.TRUSTED_KEY] = True
    nb.cells[2].outputs.append(output)
    nbformat.write(nb, executed)
    html = render_page(executed, tmp_path / "page.html", language="de")
    external = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context()
        context.route(
            "**/*",
            lambda route: (
                (external.append(route.request.url), route.abort())
                if not route.request.url.startswith(("file:", "data:"))
                else route.continue_()
            ),
        )
        page = context.new_page()
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.wait_for_selector(".main-svg", timeout=15_000)  # the plotly figure drew from the embedded library
        assert page.title() == "Überblick NPS"
        browser.close()
    assert external == []
    pdf = print_pdf(html, tmp_path / "page.pdf")
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)  # A4 portrait
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1
    json.dumps(boxes[0][0].decode())

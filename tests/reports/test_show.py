"""The helpers every report notebook shows its results with, outside a kernel: what reaches the files,
the manifest and the page (values computed by hand, every error message asserted)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import lxml.html
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.privacy import ENV_MIN_GROUP_SIZE, ENV_SALT
from cjm_lab.reports import read_manifest, save_table, show_figure, show_list, show_table, show_text, start_report
from cjm_lab.reports import show as show_module
from cjm_lab.reports.show import ShownRows, Text


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "region": ["Nord", "Süd", "<script>alert(1)</script>", "West", "Total"],
            "n": [3, 40, 50, 60, 153],
            "n_eff": [3.0, 38.5, 49.0, 58.1, 148.6],
            "nps": [33.0, 10.0, 12.0, -4.0, 8.1],
            "pct_promoters": [66.7, 30.0, 35.0, 25.0, 31.0],
            "ci_low": [0.0, 1.0, 3.0, -12.0, 3.0],
            "ci_high": [66.0, 19.0, 21.0, 4.0, 13.2],
        }
    )


@pytest.fixture
def page(monkeypatch):
    """What the helpers show, in order."""
    shown = []
    monkeypatch.setattr(show_module, "_display", shown.append)
    return shown


def _html(obj) -> str:
    return getattr(obj, "html", None) or getattr(obj, "data", None) or str(obj)


def test_a_helper_before_start_report_says_how_to_start(monkeypatch):
    monkeypatch.setattr(show_module, "_CURRENT", None)
    with pytest.raises(
        CJMConfigError,
        match=r"show_table\(\) needs the report's settings\. Fix: call `report = "
        r"start_report\(output_dir=output_dir, language=language, min_group_size=min_group_size\)`",
    ):
        show_table(pd.DataFrame({"n": [1]}), "x")


def test_start_report_checks_its_settings(tmp_path):
    with pytest.raises(CJMConfigError, match="`language` must be 'en' or 'de', got 'fr'"):
        start_report(language="fr")
    with pytest.raises(CJMConfigError, match="`min_group_size` must be a whole number of at least 1.*got 0"):
        start_report(min_group_size=0)
    report = start_report(output_dir=tmp_path / "run", language="de", min_group_size=7)
    assert (report.language, report.min_group_size, report.output_dir) == ("de", 7, tmp_path / "run")
    assert report.pick({"en": "Drivers", "de": "Treiber"}) == "Treiber"
    with pytest.raises(CJMConfigError, match=r"has no 'de' version\. Fix: give \{'en': \.\.\., 'de': \.\.\.\}"):
        report.pick({"en": "Drivers"})


def test_show_table_saves_what_save_table_saves_and_returns_the_rows_to_draw(tmp_path, table, page, monkeypatch):
    monkeypatch.setenv(ENV_SALT, "pepper")
    monkeypatch.setenv(ENV_MIN_GROUP_SIZE, "100")  # the report's own setting wins over the environment
    start_report(output_dir=tmp_path / "run", language="de", min_group_size=5)
    rows = show_table(
        table,
        "nps_by_region",
        title={"en": "NPS by region", "de": "NPS nach Region"},
        takeaway=show_text("West liegt hinten: {n}.", n=-4, display=False),
        columns={"region": {"en": "Region", "de": "Gebiet"}, "n": "n", "nps": "NPS"},
        slide=True,
    )
    save_table(table, "reference", tmp_path / "ref", min_group_size=5)
    assert (tmp_path / "run" / "nps_by_region.csv").read_bytes() == (tmp_path / "ref" / "reference.csv").read_bytes()
    # Nord (3) is hidden, and Süd (40) with it: the next smallest, so Nord cannot be worked back from the total
    assert isinstance(rows, ShownRows) and rows["region"].tolist() == ["<script>alert(1)</script>", "West", "Total"]
    assert rows["nps"].tolist() == [12.0, -4.0, 8.1]  # the original values, for a chart
    assert type(rows[rows["nps"] > 0]) is pd.DataFrame  # anything computed from it is a plain DataFrame
    assert rows._ipython_display_() is None  # as a cell's last line it is not shown a second time
    assert table["n"].tolist() == [3, 40, 50, 60, 153]  # not modified
    [shown] = page
    html = _html(shown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert ">Gebiet<" in html and "n_eff" not in html and "suppressed" not in html and "–" in html
    assert "Gruppen mit weniger als 5 Fällen werden nicht gezeigt (Datenschutz)." in html
    entry = read_manifest(tmp_path / "run").tables["nps_by_region"]
    assert (entry.title, entry.takeaway, entry.show, entry.slide) == (
        "NPS nach Region",
        "West liegt hinten: -4.",
        ("region", "n", "nps"),
        True,
    )
    assert (entry.base, entry.effective_base, entry.kinds["pct_promoters"]) == ("n", "n_eff", "percent")


def test_show_table_options(tmp_path, table, page):
    report = start_report(output_dir=tmp_path, language="en", min_group_size=5)
    show_table(table, "excerpt", save=False, max_rows=2, decimals={"nps": 0}, title="Excerpt", caption=True)
    assert not (tmp_path / "excerpt.csv").exists() and "excerpt" not in read_manifest(tmp_path).tables
    assert "Excerpt" in _html(page[-1])
    rows = show_table(table, "model", base=False, display=False)  # no groups: every row, as it is
    assert len(rows) == 5 and len(page) == 1
    report.labels = {"region": {"West": "Westen"}}  # labels set once for every table shown after
    show_table(table, "labelled")
    assert read_manifest(tmp_path).tables["labelled"].labels["region"]["West"] == "Westen"
    with pytest.raises(
        CJMConfigError, match=r"`columns` names 'nsp', which the table does not have\. Did you mean 'nps'\?"
    ):
        show_table(table, "x", columns=["nsp"])
    with pytest.raises(CJMConfigError, match=r"show_table\('raw'\): the table has the id column\(s\) 'customer_id'"):
        show_table(pd.DataFrame({"customer_id": ["C1"], "n": [9]}), "raw")
    assert not (tmp_path / "raw.csv").exists()
    with pytest.raises(CJMConfigError, match="`name` must be a non-empty text naming the output, got ''"):
        show_table(table, "")


def test_show_text_escapes_every_value_and_keeps_a_plain_reading(page):
    start_report(language="de")
    text = show_text(
        {"en": "## Top: **{s}** ({n:.1f})", "de": "## Spitze: **{s}** ({n:.1f})"},
        s="<img src=x onerror=alert(1)>",
        n=12.345,
    )
    assert isinstance(text, Text) and text._ipython_display_() is None
    assert str(text) == "## Spitze: **&lt;img src=x onerror=alert\\(1\\)&gt;** (12.3)"  # the template stays Markdown
    assert text.plain == "Spitze: <img src=x onerror=alert(1)> (12.3)"
    assert page[0].data == str(text)
    quiet = show_text("Nothing {x}", x="*", display=False)
    assert len(page) == 1 and quiet.plain == "Nothing *" and str(quiet) == "Nothing \\*"
    with pytest.raises(CJMConfigError, match=r"the template needs the value 'nps', which was not given"):
        show_text("NPS {nps}")


def test_show_list_escapes_each_sentence(page):
    start_report()
    out = show_list(["Fix *Checkout* [now](javascript:x)", None, float("nan"), "  ", "= SUM(A1)"], numbered=True)
    assert str(out) == "1. Fix \\*Checkout\\* \\[now\\]\\(javascript:x\\)\n2. = SUM\\(A1\\)"
    assert out.plain == "1. Fix *Checkout* [now](javascript:x)\n2. = SUM(A1)"
    assert str(show_list([])) == "" and len(page) == 1  # nothing to say: nothing shown
    show_list([], empty={"en": "No significant {change}.", "de": "Keine."})
    assert page[-1].data == "No significant {change}."  # the report's own text, braces and all


def test_show_figure_saves_records_and_closes(tmp_path, table, page):
    start_report(output_dir=tmp_path, language="de")
    rows = show_table(table, "nps_by_region", display=False)
    from cjm_lab import plots

    fig, ax = plt.subplots()
    plots.plot_nps(rows, ax=ax, language="de")
    takeaway = show_text({"en": "West is lowest.", "de": "West liegt hinten: {n}."}, n=-4, display=False)
    assert show_figure(fig, "nps_by_region", takeaway=takeaway, table="nps_by_region", title="Ein Titel") is None
    assert (tmp_path / "nps_by_region.png").stat().st_size > 1000 and not plt.fignum_exists(fig.number)
    # the page's image carries its alternative text: the title and the takeaway, as plain text
    bundle = page[-1]._repr_mimebundle_()
    img = lxml.html.fragment_fromstring(bundle["text/html"])
    assert img.tag == "img" and img.get("alt") == "Ein Titel. West liegt hinten: -4."
    assert img.get("src").startswith("data:image/png;base64,") and bundle["image/png"] in img.get("src")
    [entry] = read_manifest(tmp_path).figures
    assert (entry.file, entry.title, entry.takeaway, entry.image) == (
        "nps_by_region.png",
        "Ein Titel",
        "West liegt hinten: -4.",
        False,  # drawn by cjm_lab.plots from a shown table: a native chart in the deck
    )
    assert [c.table for c in entry.charts] == ["nps_by_region"]
    fig, _ = plt.subplots()
    with pytest.raises(
        CJMConfigError,
        match=r"`table` 'nps_by_regoin' names no table shown so far\. Did you mean "
        r"'nps_by_region'\?.*Fix: show the table with show_table\(\) first",
    ):
        show_figure(fig, "again", table="nps_by_regoin")
    with pytest.raises(CJMConfigError, match="needs a matplotlib Figure or Axes, got DataFrame"):
        show_figure(table, "table_as_figure")


def test_alt_text_of_a_figure_is_escaped_data(tmp_path, page):
    start_report(output_dir=tmp_path, language="en")
    fig, ax = plt.subplots()
    ax.set_title("NPS <by> region")
    hostile = '"><script>alert(1)</script> & co'
    takeaway = show_text({"en": "Lowest: **{r}**.", "de": "Niedrigster: **{r}**."}, r=hostile, display=False)
    show_figure(fig, "f", takeaway=takeaway)
    html_text = page[-1]._repr_mimebundle_()["text/html"]
    assert "<script>" not in html_text and html_text.count("<img") == 1
    img = lxml.html.fragment_fromstring(html_text)
    assert img.get("alt") == f"NPS <by> region. Lowest: {hostile}."  # the parser reads back the very text
    assert set(img.attrib) == {"alt", "src"}
    fig, _ = plt.subplots()  # no title, no takeaway: the name the report gave it
    show_figure(fig, "plain_name")
    assert lxml.html.fragment_fromstring(page[-1]._repr_mimebundle_()["text/html"]).get("alt") == "plain_name"


def test_figure_names_are_unique_and_the_same_when_shown_again(tmp_path, page):
    start_report(output_dir=tmp_path)
    for name in ("NPS by region/Kündigung", "NPS by region Kündigung", "NPS by region/Kündigung"):
        fig, _ = plt.subplots()
        show_figure(fig, name, display=False)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "NPS_by_region_Kundigung.png",
        "NPS_by_region_Kundigung_2.png",
    ]
    assert len(read_manifest(tmp_path).figures) == 2 and page == []


def test_without_an_output_folder_the_helpers_only_show(table, page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = start_report(output_dir="")
    show_table(table, "t")
    fig, _ = plt.subplots()
    show_figure(fig, "f")
    assert report.output_dir is None and list(tmp_path.iterdir()) == [] and len(page) == 2

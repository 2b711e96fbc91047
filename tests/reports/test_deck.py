"""The PowerPoint deck read back with python-pptx: native charts with the tables' values, notes, templates."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from cjm_lab import plots
from cjm_lab.errors import CJMConfigError
from cjm_lab.reports import Chart, build_deck, make_template, read_manifest, save_figure, save_table
from cjm_lab.reports.deck import chart_data, plain_text, template_layouts
from cjm_lab.reports.manifest import load_table
from cjm_lab.survey import importance_performance, key_drivers, nps, nps_trend

DRIVERS = ["sat_a", "sat_b", "sat_c"]


@pytest.fixture(scope="module")
def answers():
    rng = np.random.default_rng(7)
    n = 900
    drivers = rng.integers(1, 6, size=(n, 3))
    score = np.clip(np.round(drivers @ [1.2, 0.6, 0.2] + rng.normal(0, 1.5, n) - 1), 0, 10)
    out = pd.DataFrame(drivers, columns=DRIVERS).assign(
        recommend=score,
        region=rng.choice(["Nord", "Süd", "West"], n, p=[0.5, 0.3, 0.2]),
        date=pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
    )
    out.loc[:2, "region"] = "Insel"  # three respondents: a group below the minimum size
    return out


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, answers):
    folder = tmp_path_factory.mktemp("deck")
    by = nps(answers, by="region")
    save_table(by, "nps_by_region", folder, title="NPS by region")
    fig, ax = plt.subplots()
    plots.plot_nps(by, ax=ax)
    save_figure(fig, "nps_by_region", folder, table="nps_by_region", takeaway="**Süd** leads \\(n = 270\\).")
    total = nps(answers)
    save_table(total, "nps_total", folder)
    save_figure(plots.plot_nps_distribution(total), "mix", folder, table="nps_total")
    trend = nps_trend(answers, period="date", freq="M")
    save_table(trend, "nps_trend", folder)
    save_figure(plots.plot_nps_trend(trend), "trend", folder, table="nps_trend", takeaway="Stable.")
    kd = key_drivers(answers, outcome="recommend", drivers=DRIVERS)
    ipa = importance_performance(kd, answers, scale=(1, 5))
    save_table(kd, "key_drivers", folder, base=False)
    save_table(ipa, "ipa", folder)
    fig, axes = plt.subplots(1, 2)
    plots.plot_drivers(kd, ax=axes[0])
    plots.plot_importance_performance(ipa, ax=axes[1])
    save_figure(fig, "drivers", folder, table=["key_drivers", "ipa"], takeaway="A matters most.")
    attribution = pd.DataFrame(
        {
            "model": ["markov"] * 3 + ["last_touch"] * 3,
            "touchpoint": ["Web", "Shop", "Ad"] * 2,
            "share": [50.0, 30.0, 20.0, 60.0, 35.0, 5.0],
        }
    )
    save_table(attribution, "attribution", folder, base=False, labels={"touchpoint": {"Web": "Website"}})
    save_figure(plots.plot_attribution(attribution), "attribution", folder, table="attribution")
    fig, ax = plt.subplots()
    ax.imshow(np.arange(12).reshape(3, 4))  # no chart type: a picture
    save_figure(fig, "heatmap", folder, title="A heat map", takeaway="Hot in the corner.")
    save_table(by, "regions", folder, title="Regions", slide=True, show=["region", "n", "nps"])
    plt.close("all")
    return folder


@pytest.fixture(scope="module")
def deck(run_folder):
    headline = [{"label": "NPS", "value": "+21.4", "detail": "+2.0 vs. previous run"}]
    return Presentation(str(build_deck(run_folder, title="Demo report", subtitle="2026-12-05", headline=headline)))


def _slide(deck, title):
    return next(s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text == title)


def _charts(slide):
    return [s.chart for s in slide.shapes if s.has_chart]


def _pictures(slide):
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_deck_is_16_9_with_the_template_layouts(deck):
    assert (deck.slide_width, deck.slide_height) == (12192100, 6858000) or round(
        deck.slide_width / deck.slide_height, 2
    ) == 1.78
    layouts = [s.slide_layout.name for s in deck.slides]
    assert layouts[:2] == ["Title Slide", "Title Only"]  # title, key numbers
    assert {"Chart + takeaway", "Two content + takeaway", "Picture + takeaway", "Table + takeaway"} <= set(layouts)
    key = deck.slides[1]
    assert "+21.4" in " ".join(s.text_frame.text for s in key.shapes if s.has_text_frame)


def test_every_chart_is_native_with_the_tables_values(deck, run_folder):
    manifest = read_manifest(run_folder)
    tables = manifest.tables
    for figure in manifest.figures:
        slide = _slide(deck, figure.title)
        charts = _charts(slide)
        if not figure.charts:
            assert not charts and len(_pictures(slide)) == 1
            continue
        # no picture where a chart was possible
        assert len(charts) == len(figure.charts) and not _pictures(slide), figure.name
        for spec, chart in zip(figure.charts, charts):
            saved = load_table(run_folder, tables[spec.table])
            _, series = chart_data(saved, spec, entry=tables[spec.table])
            if spec.kind == "scatter":  # one series of (x, y) points: y are its values
                series = [(chart.plots[0].series[0].name, series[1][1])]
            for (name, values), drawn in zip(series, chart.plots[0].series):
                assert drawn.name == name
                assert list(drawn.values) == pytest.approx(
                    [v if v is not None else np.nan for v in values], nan_ok=True
                )


def test_chart_types_and_values_by_hand(deck, run_folder):
    by = pd.read_csv(run_folder / "nps_by_region.csv")
    chart = _charts(_slide(deck, "Net Promoter Score by region"))[0]
    assert str(chart.chart_type) == "BAR_CLUSTERED (57)"
    shown = by[~by["suppressed"]]
    assert list(chart.plots[0].series[0].values) == pytest.approx(shown["nps"].tolist())
    cats = list(chart.plots[0].categories)
    assert cats[-1].startswith("Total") and not any(c.startswith("Insel") for c in cats)  # the small group is hidden
    mix = _charts(_slide(deck, "Promoters, passives and detractors"))[0]
    assert str(mix.chart_type) == "BAR_STACKED_100 (59)"
    assert [s.name for s in mix.plots[0].series] == ["Detractors", "Passives", "Promoters"]
    line = _charts(_slide(deck, "NPS over time"))[0]
    assert str(line.chart_type) == "LINE_MARKERS (65)"
    trend = pd.read_csv(run_folder / "nps_trend.csv")
    assert list(line.plots[0].series[0].values) == pytest.approx(trend["nps"].tolist())
    axis = line._chartSpace.find(".//{http://schemas.openxmlformats.org/drawingml/2006/chart}dateAx")
    assert axis is not None  # months on a date axis
    months = line._chartSpace.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/chart}baseTimeUnit")
    assert [m.get("val") for m in months] == ["months"]
    assert len(list(line.plots[0].categories)) == len(trend) == 3
    two = _charts(_slide(deck, plots.theme.text("drivers_title")))
    assert [str(c.chart_type) for c in two] == ["BAR_CLUSTERED (57)", "XY_SCATTER (-4169)"]
    ipa = pd.read_csv(run_folder / "ipa.csv")
    scatter = two[1].plots[0].series[0]
    assert list(scatter.values) == pytest.approx(ipa["performance"].tolist())
    labels = [p.data_label.text_frame.text for p in scatter.points]
    assert labels == ipa["driver"].tolist()
    attribution = _charts(_slide(deck, "Attribution: conversions credited per touchpoint"))[0]
    assert [s.name for s in attribution.plots[0].series] == ["Markov (removal effect)", "Last touch"]
    assert list(attribution.plots[0].categories) == ["Website", "Shop", "Ad"]  # the labels saved with the table
    assert list(attribution.plots[0].series[0].values) == [50.0, 30.0, 20.0]


def test_takeaways_notes_tables_and_pictures(deck):
    slide = _slide(deck, "Net Promoter Score by region")
    texts = [s.text_frame.text for s in slide.placeholders if s.has_text_frame]
    assert "Süd leads (n = 270)." in texts  # the report's sentence, without its Markdown
    assert slide.notes_slide.notes_text_frame.text.startswith("Süd leads (n = 270).")
    picture = _slide(deck, "A heat map")
    assert len(_pictures(picture)) == 1 and "Hot in the corner." in picture.notes_slide.notes_text_frame.text
    table_slide = _slide(deck, "Regions")
    table = next(s.table for s in table_slide.shapes if s.has_table)
    assert [table.cell(0, j).text for j in range(3)] == ["Region", "Base (n)", "NPS"]
    column = [table.cell(i, 0).text for i in range(1, len(table.rows))]
    assert "Insel" in column and "–" in [table.cell(i, 2).text for i in range(1, len(table.rows))]  # blanked as "–"
    # no empty placeholder is left to say "Click to add text"
    for s in deck.slides:
        for ph in s.placeholders:
            assert not ph.has_text_frame or ph.text_frame.text.strip(), (s.slide_layout.name, ph.name)


def test_plain_text():
    assert plain_text(r"**NPS** of *High att\_price* is \-3 \[low\].") == "NPS of High att_price is -3 [low]."


def _corporate(path):
    """python-pptx's own 4:3 template with German layout names and a red first accent."""
    prs = Presentation()
    german = {
        "Title Slide": "Titelfolie",
        "Title and Content": "Titel und Inhalt",
        "Section Header": "Abschnittsüberschrift",
        "Two Content": "Zwei Inhalte",
        "Title Only": "Nur Titel",
    }
    for layout in prs.slide_layouts:
        layout.name = german.get(layout.name, layout.name)
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    theme = prs.slide_master.part.part_related_by(RT.THEME)
    theme._blob = theme.blob.replace(b'<a:accent1><a:srgbClr val="4F81BD"/>', b'<a:accent1><a:srgbClr val="FF0000"/>')
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "An example slide of the template"
    prs.save(str(path))
    return path


def test_corporate_template_layouts_and_theme(run_folder, tmp_path):
    template = _corporate(tmp_path / "corporate.pptx")
    roles = template_layouts(Presentation(str(template)))
    assert (roles["title"].name, roles["chart"].name, roles["two"].name, roles["section"].name) == (
        "Titelfolie",
        "Titel und Inhalt",
        "Zwei Inhalte",
        "Abschnittsüberschrift",
    )
    out = build_deck(run_folder, title="Corporate", template=template, path=tmp_path / "c.pptx")
    deck = Presentation(str(out))
    assert deck.slides[0].shapes.title.text == "Corporate"  # the template's own slides are not copied
    assert {s.slide_layout.name for s in deck.slides} <= {
        "Titelfolie",
        "Titel und Inhalt",
        "Zwei Inhalte",
        "Nur Titel",
        "Abschnittsüberschrift",
        "Picture with Caption",
    }
    assert deck.slide_width == Presentation(str(template)).slide_width  # the template's size
    chart = _charts(_slide(deck, "Net Promoter Score by region"))[0]
    xml = etree.tostring(chart._chartSpace).decode()
    assert (
        "schemeClr" in xml
        and 'val="accent1"' in xml
        and "srgbClr" not in xml.split("<c:plotArea")[1].split("</c:ser>")[0]
    )  # series coloured by the template's theme
    assert (
        b'<a:srgbClr val="FF0000"/>'
        in deck.slide_master.part.part_related_by(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
        ).blob
    )


def test_template_errors(run_folder, tmp_path):
    with pytest.raises(CJMConfigError, match="does not exist"):
        build_deck(run_folder, title="x", template=tmp_path / "missing.pptx")
    bad = tmp_path / "bad.pptx"
    bad.write_text("not a deck")
    with pytest.raises(CJMConfigError, match="no PowerPoint file"):
        build_deck(run_folder, title="x", template=bad)
    with pytest.raises(CJMConfigError, match="chart kind"):
        Chart("pie", series=("x",))


def test_the_shipped_template_is_what_make_template_writes(tmp_path):
    from cjm_lab.reports.deck import default_template

    fresh = Presentation(str(make_template(tmp_path / "t.pptx")))
    shipped = Presentation(str(default_template()))
    assert [lay.name for lay in fresh.slide_layouts] == [lay.name for lay in shipped.slide_layouts]
    assert (shipped.slide_width, shipped.slide_height) == (fresh.slide_width, fresh.slide_height)
    assert round(shipped.slide_width / shipped.slide_height, 2) == 1.78

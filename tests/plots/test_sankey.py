"""Sankey of the top paths: the same flows in plotly (HTML) and matplotlib (PNG)."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import cjm_lab.journeys as jr
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots import sankey_flows, sankey_static, sankey_top_paths
from cjm_lab.plots.theme import STAGE_COLORS


@pytest.fixture(scope="module")
def variants_table(events, catalogue):
    return jr.variants(events, touchpoints=catalogue, until_conversion=True, top=40)


def test_flows_add_up(variants_table):
    nodes, links = sankey_flows(variants_table, top=10)
    top = variants_table[variants_table["path"] != "(other)"].head(10)
    assert links.attrs["n_paths"] == 10
    assert links.attrs["n_journeys"] == int(top["n_journeys"].sum())
    assert links.attrs["pct"] == pytest.approx(top["pct"].sum())
    # every path starts at step 0; inflow of a later node equals its journeys
    assert nodes.loc[nodes["step"] == 0, "n_journeys"].sum() == links.attrs["n_journeys"]
    inflow = links.groupby("target")["n_journeys"].sum()
    later = nodes[nodes["step"] > 0].set_index("node")["n_journeys"]
    pd.testing.assert_series_equal(inflow.sort_index(), later.sort_index(), check_names=False)
    # a path ends where its journeys stop
    assert nodes["n_ending"].sum() == links.attrs["n_journeys"]
    assert len(links) == len(links[["source", "target"]].drop_duplicates())


@pytest.mark.parametrize("language", ["en", "de"])
def test_interactive_and_static_show_the_same_flows(variants_table, catalogue, render, helpers, tmp_path, language):
    nodes, links = sankey_flows(variants_table, top=8)
    fig = sankey_top_paths(variants_table, top=8, language=language, touchpoints=catalogue)
    trace = fig.data[0]
    assert list(trace.link.value) == links["n_journeys"].tolist()
    assert list(trace.link.source) == links["source"].tolist()
    assert trace.node.label[0] in {"Website", "Besuch in der Filiale", "Store visit"}
    if language == "de":
        assert "Bestellbestätigung" in trace.node.label
        assert fig.layout.title.text == "Die 8 häufigsten Kundenpfade"
        assert fig.layout.separators == ",."
    else:
        assert "Order confirmation" in trace.node.label
    stage_of = dict(zip(catalogue["touchpoint"], catalogue["stage"]))
    assert list(trace.node.color) == [STAGE_COLORS[stage_of[t]] for t in nodes["touchpoint"]]

    ax = sankey_static(variants_table, top=8, language=language, touchpoints=catalogue)
    render(ax, f"sankey_{language}", min_bytes=15_000)
    bands = helpers.patches_by_gid(ax, "sankey_link")
    boxes = helpers.patches_by_gid(ax, "sankey_node")
    assert len(bands) == len(links) and len(boxes) == len(nodes)
    assert [to_hex(b.get_facecolor()).upper() for b in boxes] == [
        STAGE_COLORS[stage_of[t]] for t in nodes["touchpoint"]
    ]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "sankey_label"]
    assert len(labels) == len(nodes)
    text = helpers.joined(ax)
    assert ("Schritt 1" in text and " %" in text) if language == "de" else ("Step 1" in text)


def test_html_embeds_plotly_once(variants_table, tmp_path):
    first = sankey_top_paths(variants_table, top=5).to_html(full_html=False, include_plotlyjs=True)
    second = sankey_top_paths(variants_table, top=6).to_html(full_html=False, include_plotlyjs=False)
    assert len(first) > 1_000_000  # plotly.js is embedded in the first ...
    assert len(second) < 20_000  # ... and not again in the second
    assert "Plotly.newPlot" in second
    page = tmp_path / "report.html"
    page.write_text(f"<html><body>{first}{second}</body></html>", encoding="utf-8")
    assert page.read_text(encoding="utf-8").count("Plotly.newPlot") == 2


def test_sankey_input_errors(variants_table):
    with pytest.raises(CJMDataError, match="'path'"):
        sankey_flows(variants_table.rename(columns={"path": "variant"}))
    with pytest.raises(CJMConfigError, match="`top`"):
        sankey_flows(variants_table, top=0)
    with pytest.raises(CJMConfigError, match="language"):
        sankey_top_paths(variants_table, language="fr")
    with pytest.raises(CJMDataError, match="no path"):
        sankey_flows(variants_table[variants_table["path"] == "(other)"])

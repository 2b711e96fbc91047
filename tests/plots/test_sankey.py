"""The step-by-step Sankey: all journeys, small flows merged, the same flows in plotly and matplotlib, no label
overlapping another — on the sample and on the BPI Challenge 2012 loan log (held out when the layout rule was set)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import cjm_lab.journeys as jr
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots import sankey_flows, sankey_static, sankey_top_paths
from cjm_lab.plots.sankey import OTHER_NODE
from cjm_lab.plots.theme import NEUTRAL, STAGE_COLORS

BPIC = Path(__file__).resolve().parents[2] / "data" / "real" / "bpic2012_loan_journeys.csv.gz"
XES = {"customer_id": "case:concept:name", "touchpoint": "concept:name", "timestamp": "time:timestamp"}


@pytest.fixture(scope="module")
def every(events, catalogue):
    return jr.variants(events, touchpoints=catalogue)


@pytest.fixture(scope="module")
def bpic():
    from cjm_lab.io import load_events

    return jr.variants(load_events(BPIC, columns=XES))


def test_flows_cover_every_journey_step_by_step(every):
    nodes, links = sankey_flows(every, min_journeys=1)
    total = int(every["n_journeys"].sum())
    assert links.attrs["n_journeys"] == total and links.attrs["n_paths"] == len(every)
    assert nodes.loc[nodes["step"] == 0, "n_journeys"].sum() == total  # every journey starts in step 1
    # journeys flow on: a later node's journeys all came through the bands into it
    inflow = links.groupby("target")["n_journeys"].sum()
    later = nodes[nodes["step"] > 0].set_index("node")["n_journeys"]
    pd.testing.assert_series_equal(inflow.sort_index(), later.sort_index(), check_names=False)
    # what leaves a node plus what ends there is what entered it (cut after the last step)
    outflow = links.groupby("source")["n_journeys"].sum().reindex(nodes["node"], fill_value=0).to_numpy()
    before_last = (nodes["step"] < nodes["step"].max()).to_numpy()
    assert ((outflow + nodes["n_ending"].to_numpy())[before_last] == nodes["n_journeys"].to_numpy()[before_last]).all()
    lengths = every["path"].str.count(" > ") + 1
    assert links.attrs["n_cut"] == int(every.loc[lengths > 6, "n_journeys"].sum())


def test_small_touchpoints_are_merged_into_other(every):
    nodes, _ = sankey_flows(every, min_share=0.05, max_nodes=4, min_journeys=1)
    per_step = every.assign(first=every["path"].str.split(" > ").str[0]).groupby("first")["n_journeys"].sum()
    total = per_step.sum()
    own = nodes[(nodes["step"] == 0) & (nodes["touchpoint"] != OTHER_NODE)].set_index("touchpoint")["n_journeys"]
    expected = per_step[per_step >= 0.05 * total].sort_values(ascending=False).head(4)
    assert own.sort_index().to_dict() == expected.sort_index().to_dict()
    other = nodes[(nodes["step"] == 0) & (nodes["touchpoint"] == OTHER_NODE)]
    assert other["n_journeys"].sum() == total - expected.sum()
    assert other["n_merged"].iloc[0] == len(per_step) - len(expected)
    assert (nodes.groupby("step").size() <= 5).all()  # at most max_nodes + "other" per step
    assert (nodes.groupby("step")["position"].max() == nodes.groupby("step").size() - 1).all()
    assert (
        nodes.loc[nodes["touchpoint"] == OTHER_NODE, "position"]
        .eq(nodes[nodes["touchpoint"] == OTHER_NODE]["step"].map(nodes.groupby("step")["position"].max()))
        .all()
    )


def test_no_node_or_band_below_the_minimum_group_size(every):
    nodes, links = sankey_flows(every)  # default: the privacy minimum group size, 5
    assert (nodes["n_journeys"] >= 5).all() and (links["n_journeys"] >= 5).all()
    assert links.attrs["min_journeys"] == 5 and links.attrs["n_hidden_links"] > 0


@pytest.mark.parametrize("language", ["en", "de"])
def test_interactive_and_static_show_the_same_flows(every, catalogue, helpers, language):
    nodes, links = sankey_flows(every)
    fig = sankey_top_paths(every, language=language, touchpoints=catalogue)
    trace = fig.data[0]
    assert list(trace.link.value)[:-1] == links["n_journeys"].tolist()  # the last band is the invisible anchor
    assert list(trace.link.source)[:-1] == links["source"].tolist()
    stage_of = dict(zip(catalogue["touchpoint"], catalogue["stage"]))
    colors = [STAGE_COLORS.get(stage_of.get(t), NEUTRAL) for t in nodes["touchpoint"]]
    assert [c.upper() for c in trace.node.color[:-2]] == [c.upper() for c in colors]
    ax = sankey_static(every, language=language, touchpoints=catalogue)
    assert len(helpers.patches_by_gid(ax, "sankey_link")) == len(links)
    assert len(helpers.patches_by_gid(ax, "sankey_node")) == len(nodes)
    text = helpers.joined(ax)
    if language == "de":
        assert "Kundenreisen Schritt für Schritt" in text and "Schritt 1" in text and "Bestellbestätigung" in text
        assert fig.layout.separators == ",."
    else:
        assert "Customer journeys step by step" in text and "Order confirmation" in text
    assert [to_hex(b.get_facecolor()).upper() for b in helpers.patches_by_gid(ax, "sankey_node")] == [
        c.upper() for c in colors
    ]


def _label_overlaps(ax):
    fig = ax.get_figure()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == "sankey_label"]
    boxes = [t.get_window_extent(renderer) for t in labels]
    inside = all(
        b.x0 >= -1 and b.x1 <= fig.bbox.width + 1 and b.y0 >= -1 and b.y1 <= fig.bbox.height + 1 for b in boxes
    )
    bad = [
        (a.get_text(), b.get_text())
        for (a, ba), (b, bb) in itertools.combinations(zip(labels, boxes), 2)
        if ba.overlaps(bb)
    ]
    return labels, bad, inside


def test_static_labels_never_overlap_on_the_sample(every, catalogue):
    for language in ("en", "de"):
        labels, bad, inside = _label_overlaps(sankey_static(every, language=language, touchpoints=catalogue))
        assert len(labels) > 20 and bad == [] and inside


@pytest.mark.real_data
def test_bpic2012_held_out_reads(bpic):
    nodes, links = sankey_flows(bpic)
    assert links.attrs["n_journeys"] == 13_087
    assert links.attrs["pct_merged"] < 10  # the rule merges a tail, not the story
    assert (nodes.groupby("step").size() <= 9).all()
    labels, bad, inside = _label_overlaps(sankey_static(bpic))
    assert bad == [] and inside and len(labels) == len(nodes)
    assert "A_SUBMITTED (13,087)" in [t.get_text() for t in labels]


@pytest.mark.browser
def test_interactive_labels_never_overlap_in_chromium(every, catalogue, bpic, tmp_path):
    from playwright.sync_api import sync_playwright

    from cjm_lab.reports import find_chromium

    pages = {}
    for name, table, cat in (("sample", every, catalogue), ("bpic2012", bpic, None)):
        path = tmp_path / f"{name}.html"
        sankey_top_paths(table, touchpoints=cat).write_html(path, include_plotlyjs=True)
        pages[name] = (path, len(sankey_flows(table)[0]))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        for name, (path, n_nodes) in pages.items():
            page.goto(path.resolve().as_uri())
            page.wait_for_selector(".node-label", timeout=15_000)
            rects = page.evaluate("""Array.from(document.querySelectorAll('.node-label'))
                .filter(e => e.textContent.length).map(e => {const r = e.getBoundingClientRect();
                return [e.textContent, r.left, r.top, r.right, r.bottom];})""")
            assert len(rects) == n_nodes, name
            bad = [
                (a[0], b[0])
                for a, b in itertools.combinations(rects, 2)
                if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
            ]
            assert bad == [], (name, bad)
        browser.close()


def test_top_paths_and_input_errors(every):
    _, links = sankey_flows(every, top=5, min_journeys=1)
    assert links.attrs["n_paths"] == 5 and links.attrs["n_journeys"] == int(every["n_journeys"].head(5).sum())
    with pytest.raises(CJMDataError, match="'path'"):
        sankey_flows(every.rename(columns={"path": "variant"}))
    with pytest.raises(
        CJMConfigError, match=r"^sankey_flows\(\): `top` must be a whole number of at least 1 \(or None\)"
    ):
        sankey_flows(every, top=0)
    with pytest.raises(
        CJMConfigError,
        match=r"`min_share` must be a number from 0 to below 1 \(a share: 0\.03 is 3 %\), e\.g\. 0\.03, got 5",
    ):
        sankey_flows(every, min_share=5)
    with pytest.raises(CJMConfigError, match="`max_steps` must be a whole number of at least 2"):
        sankey_flows(every, max_steps=1)
    with pytest.raises(CJMConfigError, match="language"):
        sankey_top_paths(every, language="fr")
    with pytest.raises(CJMDataError, match="no path"):
        sankey_flows(pd.DataFrame({"path": ["(other)"], "n_journeys": [10]}))
    few = pd.DataFrame({"path": ["Shop > Ad > Buy", "Ad"], "n_journeys": [3, 1]})
    with pytest.raises(CJMDataError, match=r"no touchpoint is visited by 5 journeys or more at any step \(4 journeys"):
        sankey_flows(few, min_journeys=5)  # nothing to draw without showing a group below the minimum
    assert sankey_flows(few, min_journeys=1)[0]["n_journeys"].tolist() == [3, 1, 3, 3]

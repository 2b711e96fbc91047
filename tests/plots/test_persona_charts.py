"""Persona charts: choose_k diagnostics, profile heatmap, persona cards."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from cjm_lab import personas
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots import plot_choose_k, plot_persona_cards, plot_persona_profile
from cjm_lab.plots.theme import PERSONA_PALETTE, persona_colors

ATTITUDES = ["att_price", "att_digital", "att_advice", "att_quality", "att_brand", "att_eco"]


@pytest.fixture(scope="module")
def k_table(sample):
    # small on purpose (600 customers, k = 3-5, two resamples): the chart, not the clustering, is tested
    return personas.choose_k(
        sample.customers[ATTITUDES].head(600), k_range=range(3, 6), resamples=2, random_state=0, n_init=1
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_choose_k_diagnostics(k_table, render, helpers, language):
    fig = plot_choose_k(k_table, language=language)
    render(fig, f"choose_k_{language}")
    metrics = [
        m
        for m in ("silhouette", "calinski_harabasz", "davies_bouldin", "bic", "stability", "entropy")
        if m in k_table and k_table[m].notna().any()
    ]
    assert len(fig.axes) == len(metrics)
    best = k_table.attrs["cjm"]["recommended_k"]
    for ax in fig.axes:
        lines = [ln for ln in ax.lines if ln.get_gid() in metrics]
        assert len(lines) == 1 and len(lines[0].get_xdata()) == len(k_table)
        marks = [ln for ln in ax.lines if ln.get_gid() == "recommended"]
        assert len(marks) == 1 and marks[0].get_xdata()[0] == best
    stability_ax = fig.axes[metrics.index("stability")]
    assert [c for c in stability_ax.collections if c.get_gid() == "band"]
    assert [ln for ln in stability_ax.lines if ln.get_gid() == "threshold"]
    text = helpers.joined(fig)
    reason = k_table.attrs["cjm"]["reason"][language]
    assert reason.split(".")[0] in text.replace("\n", " ")
    if language == "de":
        assert f"empfohlen: k = {best}" in fig._suptitle.get_text()
        assert "niedriger ist besser" in text and "Anzahl der Personas (k)" in text
    else:
        assert f"recommended: k = {best}" in fig._suptitle.get_text()
        assert "lower is better" in text


def test_choose_k_hand_built_and_errors(helpers):
    t = pd.DataFrame({"k": [4, 2, 3], "silhouette": [0.2, 0.3, 0.25], "bic": [np.nan] * 3})
    fig = plot_choose_k(t, recommended=3)
    assert len(fig.axes) == 1  # BIC all missing: no panel
    assert list(fig.axes[0].lines[0].get_xdata()) == [2, 3, 4]  # sorted by k
    with pytest.raises(CJMConfigError, match="'stability', which the table does not have"):
        plot_choose_k(t, metrics=["stability"])
    with pytest.raises(CJMDataError, match="no criterion column"):
        plot_choose_k(t[["k"]])


@pytest.fixture(scope="module")
def persona_profile(sample):
    customers = sample.customers.merge(sample.personas, on="customer_id")
    # attitudes built the personas (no marks); age, income and channel profile them (marks)
    return personas.profile(
        customers,
        "persona",
        variables=[*ATTITUDES, "age_band", "income_band", "preferred_channel"],
        clustered_on=ATTITUDES,
        survey=sample.survey,
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_persona_profile_heatmap(persona_profile, render, helpers, language):
    table = persona_profile.variables
    ax = plot_persona_profile(persona_profile, language=language)
    render(ax, f"profile_{language}")
    n_personas = table["persona"].nunique()
    n_rows = table[["variable", "level"]].astype(str).drop_duplicates().shape[0]
    assert ax.collections[0].get_array().size == n_personas * n_rows
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[: len(ATTITUDES)] == ATTITUDES and "age_band: 65+" in rows
    # diverging around 100: the colour limits are symmetric around the average
    lo, hi = ax.collections[0].get_clim()
    assert lo + hi == pytest.approx(200)
    strips = [p for p in ax.patches if p.get_gid() == "persona_color"]
    order = sorted(table["persona"].unique())
    assert [to_hex(p.get_facecolor()).upper() for p in strips] == [persona_colors(order)[p] for p in order]
    # the profile's significance marks, and none on the clustering variables
    cells = [t.get_text() for t in ax.texts if t.get_gid() != "footnote"]
    marked = [c for c in cells if c.endswith(("▲", "▼"))]
    assert len(marked) == int(table["mark"].isin(["▲", "▼"]).sum()) > 0
    assert not table.loc[table["clustered_on"], "mark"].isin(["▲", "▼"]).any()
    text = helpers.joined(ax)
    if language == "de":
        assert ax.get_title() == "Persona-Profile: Index zum Gesamt (100 = Durchschnitt)"
        assert "signifikant über/unter" in text and "per Konstruktion" in text
    else:
        assert ax.get_title().startswith("Persona profiles: index vs. total")
        assert "significantly above/below" in text
    only = plot_persona_profile(persona_profile, variables=["att_eco", "att_price"])
    assert [t.get_text() for t in only.get_yticklabels()] == ["att_eco", "att_price"]
    with pytest.raises(CJMConfigError, match="att_ecco"):
        plot_persona_profile(persona_profile, variables=["att_ecco"])


def test_persona_profile_hand_built_with_stars():
    t = pd.DataFrame(
        {
            "persona": ["a", "a", "b", "b"],
            "variable": ["x", "y"] * 2,
            "index": [130.0, 70.0, 90.0, 110.0],
            "significant": [True, False, False, True],
        }
    )
    ax = plot_persona_profile(t)
    assert sorted(x.get_text() for x in ax.texts if x.get_text().endswith("*")) == ["110*", "130*"]


def test_persona_profile_integer_labels_keep_their_colours():
    t = pd.DataFrame({"persona": [2, 2, 4, 4], "variable": ["a", "b"] * 2, "index": [120.0, 80.0, 90.0, 110.0]})
    ax = plot_persona_profile(t)
    strips = [to_hex(p.get_facecolor()).upper() for p in ax.patches if p.get_gid() == "persona_color"]
    assert strips == [PERSONA_PALETTE[2], PERSONA_PALETTE[4]]


@pytest.fixture(scope="module")
def cards_table(sample, persona_profile):
    customers = sample.customers.merge(sample.personas, on="customer_id")
    names = {p["key"]: {"en": p["label_en"], "de": p["label_de"]} for p in sample.truth["personas"]}
    return personas.persona_cards(
        customers,
        "persona",
        survey=sample.survey,
        channel="preferred_channel",
        names=names,
        profile_result=persona_profile,
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_persona_cards(sample, cards_table, render, helpers, language):
    cards = cards_table
    fig = plot_persona_cards(cards, language=language)
    render(fig, f"cards_{language}")
    card_axes = [ax for ax in fig.axes if ax.get_gid() == "persona_card"]
    assert len(card_axes) == len(cards)
    names = [next(t.get_text() for t in ax.texts if t.get_gid() == "name") for ax in card_axes]
    label = "label_de" if language == "de" else "label_en"
    planted = {p["key"]: p[label] for p in sample.truth["personas"]}
    assert [n.replace("\n", " ") for n in names] == [planted[k] for k in cards["persona"]]
    text = helpers.joined(fig)
    hunters = cards.set_index("persona").loc["price_hunter"]
    nps = round(hunters["nps"])
    if language == "de":
        assert "Größe: 534 · 26,7 %" in text and "Typische Merkmale:" in text
        assert f"NPS −{abs(nps)}" in text if nps < 0 else f"NPS +{nps}" in text
        assert "Kanäle:" in text
        assert fig._suptitle.get_text() == "Persona-Steckbriefe"
    else:
        assert "Size: 534 · 26.7%" in text and "Key traits:" in text and "Channels:" in text
    colours = persona_colors(sorted(cards["persona"]))
    for ax, key in zip(card_axes, cards["persona"]):
        header = [p for p in ax.patches if to_hex(p.get_facecolor()).upper() == colours[key]]
        assert header, f"card of {key} lacks its persona colour"

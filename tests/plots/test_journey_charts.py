"""Journey charts on the sample: funnel, transitions, lengths, time to convert, pain points, attribution."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import cjm_lab.journeys as jr
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots import (
    plot_attribution,
    plot_funnel,
    plot_pain_points,
    plot_path_lengths,
    plot_time_to_convert,
    plot_transitions,
    touchpoint_labeller,
)
from cjm_lab.plots.theme import DEPARTMENT_COLORS, MODEL_COLORS, persona_colors
from cjm_lab.vocab import DEFAULT_STAGES, DEPARTMENT_LABELS, STAGE_LABELS

STEPS = ["Product page", "Cart", "Checkout payment", "Order confirmation"]


@pytest.fixture(scope="module")
def funnel_table(events):
    return jr.funnel(events, steps=STEPS)


@pytest.mark.parametrize("language", ["en", "de"])
def test_funnel_with_drop_off_and_intervals(funnel_table, catalogue, render, helpers, language):
    ax = plot_funnel(funnel_table, language=language, touchpoints=catalogue)
    fig = render(ax, f"funnel_{language}")
    assert len(helpers.patches_by_gid(ax, "step")) == len(funnel_table)
    drops = helpers.patches_by_gid(ax, "drop")
    assert len(drops) == int((funnel_table["n_dropped"] > 0).sum()) == 3
    assert all(d.get_hatch() for d in drops)
    drop_labels = [t.get_text() for t in ax.texts if t.get_gid() == "drop_off"]
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    if language == "de":
        assert ticks == ["Produktdetailseite", "Warenkorb", "Bezahlvorgang im Checkout", "Bestellbestätigung"]
        assert drop_labels[0] == "▼ 18,3 %"
        assert "(n = 1.142)" in helpers.joined(fig)
        assert ax.get_ylabel() == "Erreicht (% von Schritt 1)"
    else:
        assert ticks == STEPS
        assert drop_labels[0] == "▼ 18.3%"
        assert ax.get_title() == "Funnel: conversion by step"


def test_funnel_by_persona_uses_persona_colours(events, render, helpers):
    table = jr.funnel(events, steps=STEPS, by="persona")
    ax = plot_funnel(table, language="de")
    render(ax, "funnel_by_persona")
    bars = helpers.patches_by_gid(ax, "step")
    assert len(bars) == len(table)
    groups = sorted(table["persona"].unique())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == groups
    colours = persona_colors(groups)
    assert {helpers.hexcolor(b) for b in bars} == set(colours.values())


@pytest.mark.parametrize("language", ["en", "de"])
def test_stage_transition_heatmap(events, catalogue, render, helpers, language):
    table = jr.transitions(events, touchpoints=catalogue, level="stage")
    ax = plot_transitions(table, language=language)
    render(ax, f"transitions_{language}")
    assert ax.collections[0].get_array().size == 6 * 6  # (start) + 5 stages  x  5 stages + (exit)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    stage_names = [STAGE_LABELS[language][s] for s in DEFAULT_STAGES]
    assert rows == ["Start", *stage_names]
    assert cols == [*stage_names, "Ausstieg" if language == "de" else "Exit"]
    cells = [t.get_text() for t in ax.texts if t.get_text()]
    assert len(cells) == len(table)
    assert all(c.endswith(" %" if language == "de" else "%") for c in cells)
    ax2 = plot_transitions(table, language=language, start_exit=False)
    assert ax2.collections[0].get_array().size == 5 * 5


def test_touchpoint_transitions_follow_the_catalogue(events, catalogue, render):
    table = jr.transitions(events)
    ax = plot_transitions(table, touchpoints=catalogue, language="de")
    render(ax, "transitions_touchpoints")
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[:3] == ["Start", "Suchmaschinenanzeige", "Anzeige in sozialen Medien"]
    n_nodes = len(set(table["source"]) | set(table["target"])) - 2
    assert ax.collections[0].get_array().size == (n_nodes + 1) ** 2


def test_segmented_tables_need_a_segment(events):
    table = jr.transitions(events, by="persona", level="touchpoint")
    with pytest.raises(CJMConfigError, match="Pass `segment=`"):
        plot_transitions(table)
    ax = plot_transitions(table, segment="price_hunter")
    assert ax.collections[0].get_array().size > 0
    with pytest.raises(CJMConfigError, match="does not occur"):
        plot_transitions(table, segment="bargain")


@pytest.mark.parametrize("language", ["en", "de"])
def test_path_length_distribution(events, render, helpers, language):
    table = jr.path_lengths(events)
    ax = plot_path_lengths(table, language=language)
    render(ax, f"lengths_{language}")
    assert len(helpers.patches_by_gid(ax, "length")) == len(table)
    median = next(ln for ln in ax.lines if ln.get_gid() == "median").get_xdata()[0]
    first_half = table.loc[table["cum_pct"] >= 50, "length"].iloc[0]
    assert median == first_half
    assert ax.get_xlabel() == ("Länge der Journey (Ereignisse)" if language == "de" else "Journey length (events)")
    pooled = plot_path_lengths(table, language=language, max_length=20)
    assert len(helpers.patches_by_gid(pooled, "length")) == int((table["length"] <= 20).sum()) + 1
    assert [t.get_text() for t in pooled.get_xticklabels()][-1] == "21+"


def test_time_to_convert_curves(events, catalogue, render, helpers):
    from cjm_lab.journeys.timing import time_to_convert

    result = time_to_convert(events, touchpoints=catalogue, by="persona")
    ax = plot_time_to_convert(result, language="de")
    render(ax, "time_to_convert")
    curves = [ln for ln in ax.lines if ln.get_gid() == "curve"]
    personas_ = sorted(result.curve["persona"].unique())
    assert len(curves) == len(personas_)
    assert [to_hex(c.get_color()).upper() for c in curves] == [persona_colors(personas_)[p] for p in personas_]
    assert ax.get_ylabel() == "Konvertiert (kumuliert, %)"
    assert ax.get_xlabel() == "Tage seit Beginn der Journey"
    assert "Kaplan-Meier-Schätzung" in helpers.joined(ax)
    # the y axis is in percent: the highest curve ends between 0 and 100
    assert 0 < max(np.nanmax(c.get_ydata()) for c in curves) <= 100
    single = plot_time_to_convert(time_to_convert(events, touchpoints=catalogue))
    assert [ln for ln in single.lines if ln.get_gid() == "median"]


def test_time_to_convert_from_a_survival_curve():
    curve = pd.DataFrame(
        {"days": [0.0, 10.0, 20.0], "survival": [1.0, 0.6, 0.5], "ci_low": [1.0, 0.5, 0.4], "ci_high": [1.0, 0.7, 0.6]}
    )
    ax = plot_time_to_convert(curve, max_time=np.inf)
    line = next(ln for ln in ax.lines if ln.get_gid() == "curve")
    assert list(line.get_ydata()) == pytest.approx([0.0, 40.0, 50.0])


@pytest.fixture(scope="module")
def pain_tables(events, catalogue):
    return {lang: jr.pain_points(events, touchpoints=catalogue, language=lang) for lang in ("en", "de")}


@pytest.mark.parametrize("language", ["en", "de"])
def test_pain_point_ranking(pain_tables, sample, catalogue, render, helpers, language):
    table = pain_tables[language]
    ax = plot_pain_points(table, language=language, touchpoints=catalogue)
    render(ax, f"pain_points_{language}")
    shown = table[table["rank"].notna() & (table["pain_score"] > 0)].head(12)
    bars = [p for p in ax.patches if p.get_gid() in DEPARTMENT_COLORS]
    assert len(bars) == len(shown)
    for bar, dept in zip(bars, shown["department"]):
        assert bar.get_gid() == dept and helpers.hexcolor(bar) == DEPARTMENT_COLORS[dept]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [DEPARTMENT_LABELS[language][d] for d in DEPARTMENT_COLORS if d in set(shown["department"])]
    assert ax.get_legend().get_title().get_text() == ("Abteilung" if language == "de" else "Department")
    # the planted pain points are flagged, with their notes
    ticks = " ".join(t.get_text() for t in ax.get_yticklabels())
    name = touchpoint_labeller(catalogue, language)
    for planted in sample.truth["pain_points"]:
        if "column" not in planted:  # the ping-pong between teams shows at level="team", not per touchpoint
            assert name(planted["touchpoint"]) in ticks
    notes = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "note"]
    assert len(notes) == len(shown)
    assert notes[0].startswith(shown["note"].iloc[0][:40])
    assert ticks.startswith("1. ")
    if language == "de":
        assert "Lieferverzögerung" in ticks and ax.get_title() == "Schmerzpunkte nach betroffenen Kunden"
        assert re.search(r"\d,\d", " ".join(t.get_text() for t in ax.texts if t.get_gid() == "value"))


def test_pain_points_without_ranked_rows_is_a_clear_error(pain_tables):
    with pytest.raises(CJMDataError, match="no ranked pain point"):
        plot_pain_points(pain_tables["en"].assign(pain_score=0.0))


@pytest.mark.parametrize("language", ["en", "de"])
def test_attribution_comparison(events, catalogue, render, helpers, language):
    from cjm_lab.journeys.attribution import attribution

    table = attribution(events, touchpoints=catalogue)
    ax = plot_attribution(table, language=language, touchpoints=catalogue, top=8)
    render(ax, f"attribution_{language}")
    models = list(dict.fromkeys(table["model"]))
    assert len(ax.patches) == 8 * len(models)
    for m in models:
        bars = helpers.patches_by_gid(ax, m)
        assert len(bars) == 8 and {helpers.hexcolor(b) for b in bars} == {MODEL_COLORS[m]}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    if language == "de":
        assert legend[:3] == ["Markov (Removal-Effekt)", "Erster Kontakt", "Letzter Kontakt"]
        assert ax.get_xlabel() == "Anteil an den Konversionen (%)"
        assert ax.get_yticklabels()[0].get_text() == "Bezahlvorgang im Checkout"
    else:
        assert legend[0] == "Markov (removal effect)"
    with pytest.raises(CJMConfigError, match="'shapley'"):
        plot_attribution(table, models=["markov", "shapley"])

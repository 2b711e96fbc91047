"""Survey charts on the sample: structure, language, fixed colours, low-base and significance marks."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex

import cjm_lab.survey as sv
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.plots import (
    plot_crosstab,
    plot_drivers,
    plot_importance_performance,
    plot_nps,
    plot_nps_distribution,
    plot_nps_trend,
)
from cjm_lab.plots.theme import NEUTRAL, NPS_COLORS, QUADRANT_COLORS

DRIVERS = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]
DECIMAL_COMMA_PCT = re.compile(r"\d,\d %")


@pytest.fixture(scope="module")
def nps_table(survey):
    # persona x wave with a low-base threshold of 60: a few cells are flagged
    return sv.nps(survey, by=["persona", "wave"], min_base=60)


@pytest.fixture(scope="module")
def drivers_table(survey):
    return sv.key_drivers(survey, outcome="recommend", drivers=DRIVERS, bootstrap=40, random_state=1, dont_know=99)


@pytest.mark.parametrize("language", ["en", "de"])
def test_nps_by_segment(nps_table, render, helpers, language):
    ax = plot_nps(nps_table, language=language)
    fig = render(ax, f"nps_{language}")
    bars = [p for p in ax.patches if p.get_gid() in ("segment", "low_base")]
    assert len(bars) == len(nps_table)
    low = helpers.patches_by_gid(ax, "low_base")
    assert len(low) == int(nps_table["low_base"].sum()) > 0
    assert all(b.get_hatch() for b in low)
    # colours: total grey, positive NPS promoter colour, negative detractor colour
    colors = [helpers.hexcolor(b) for b in bars]
    is_total = (nps_table["persona"] == "Total").to_numpy()
    assert colors[int(np.flatnonzero(is_total)[0])] == NEUTRAL.upper()
    for c, v, t in zip(colors, nps_table["nps"], is_total):
        if not t:
            assert c == (NPS_COLORS["promoter"] if v >= 0 else NPS_COLORS["detractor"])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert sum(t.endswith(" *") for t in ticks) == len(low)
    text = helpers.joined(fig)
    if language == "de":
        assert ax.get_title() == "Net Promoter Score nach Persona × Welle"
        assert ax.get_xlabel() == "NPS (−100 bis +100)"
        assert "Gesamt (n = 1.016)" in ticks
        assert "Geringe Basis" in text and "95 %-Konfidenzintervall" in text
    else:
        assert ax.get_title() == "Net Promoter Score by persona × wave"
        assert "Total (n = 1,016)" in ticks
        assert "Low base (n = " in text
    # the value labels: price hunters in wave 1 have a negative NPS, written with a minus sign
    assert any(t.startswith("−") for t in (a.get_text() for a in ax.texts if a.get_gid() == "value"))


@pytest.mark.parametrize("language", ["en", "de"])
def test_nps_distribution(survey, render, helpers, language):
    table = sv.nps(survey, by="persona", min_base=110)
    ax = plot_nps_distribution(table, language=language)
    fig = render(ax, f"nps_dist_{language}")
    for group, color in NPS_COLORS.items():
        bars = helpers.patches_by_gid(ax, group)
        assert len(bars) == len(table)
        assert {helpers.hexcolor(b) for b in bars} == {color}
    assert len(ax.patches) == 3 * len(table)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == (
        ["Kritiker", "Passive", "Promotoren"] if language == "de" else ["Detractors", "Passives", "Promoters"]
    )
    nps_labels = [a.get_text() for a in ax.texts if a.get_gid() == "nps"]
    assert len(nps_labels) == len(table)
    assert any("−" in t for t in nps_labels)  # price hunters
    text = helpers.joined(fig)
    assert ("20 %" in text) if language == "de" else ("20%" in text)
    assert int(table["low_base"].sum()) == 1 and ("Geringe Basis" in text if language == "de" else "Low base" in text)


@pytest.mark.parametrize("language", ["en", "de"])
def test_nps_trend(survey, render, helpers, language):
    table = sv.nps_trend(survey, period="date", freq="M", min_base=600)
    ax = plot_nps_trend(table, language=language)
    fig = render(ax, f"nps_trend_{language}")
    line = next(ln for ln in ax.lines if ln.get_gid() == "nps")
    assert len(line.get_xdata()) == len(table)
    assert [c for c in ax.collections if c.get_gid() == "ci_band"]
    open_marks = next(ln for ln in ax.lines if ln.get_gid() == "low_base")
    assert len(open_marks.get_xdata()) == int(table["low_base"].sum()) == 2
    # months on a real time axis, written as readers write them
    months = {"en": ["Jul 2025", "Jan 2026"], "de": ["Juli 2025", "Jan. 2026"]}[language]
    assert (
        [t.get_text() for t in ax.get_xticklabels()]
        == months
        == [{"2025-07": months[0], "2026-01": months[1]}[p] for p in table["period"]]
    )
    ticks = ax.get_xticks()
    assert round(ticks[1] - ticks[0]) == 184  # days from 1 July 2025 to 1 January 2026: time, not positions
    text = helpers.joined(fig)
    if language == "de":
        assert ax.get_title() == "NPS im Zeitverlauf" and ax.get_xlabel() == "Monat"
        assert "95 %-Konfidenzband" in text and "Geringe Basis" in text
    else:
        assert ax.get_title() == "NPS over time" and "95% confidence band" in text and ax.get_xlabel() == "Month"
    waves = plot_nps_trend(sv.nps_trend(survey, period="wave"), language=language)
    assert [t.get_text() for t in waves.get_xticklabels()] == ["1", "2"]
    assert waves.get_xlabel() == ("Welle" if language == "de" else "Wave")


@pytest.mark.parametrize("language", ["en", "de"])
def test_driver_importance_with_bootstrap_intervals(drivers_table, render, helpers, language):
    labels = {"sat_delivery": "Lieferung" if language == "de" else "Delivery"}
    ax = plot_drivers(drivers_table, language=language, labels=labels)
    fig = render(ax, f"drivers_{language}")
    assert len(helpers.patches_by_gid(ax, "driver")) == len(DRIVERS)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == labels["sat_delivery"]  # most important on top (planted first driver)
    errbars = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert errbars and len(errbars[0].get_segments()) == len(DRIVERS)
    values = [a.get_text() for a in ax.texts if a.get_gid() == "value"]
    text = helpers.joined(fig)
    if language == "de":
        assert ax.get_xlabel() == "Anteil an der erklärten Varianz (%)"
        assert all(DECIMAL_COMMA_PCT.search(v) for v in values)
        assert "Bootstrap-Intervall (40 Stichproben)" in text
    else:
        assert all(re.search(r"\d\.\d%", v) for v in values)
        assert "bootstrap interval (40 resamples)" in text


def test_driver_bars_without_bootstrap(survey, render, helpers):
    table = sv.key_drivers(survey, outcome="recommend", drivers=DRIVERS, dont_know=99)
    ax = plot_drivers(table, method="johnson", share=False)
    render(ax, "drivers_plain")
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]
    assert ax.get_xlabel() == "Explained variance (R² units)"


@pytest.mark.parametrize("language", ["en", "de"])
def test_importance_performance_matrix(survey, drivers_table, render, helpers, language):
    table = sv.importance_performance(drivers_table, survey, dont_know=99, language=language)
    ax = plot_importance_performance(table, language=language)
    render(ax, f"ipa_{language}")
    points = {c.get_gid(): len(c.get_offsets()) for c in ax.collections if c.get_gid() in QUADRANT_COLORS}
    assert points == table["quadrant"].value_counts().to_dict()
    for c in ax.collections:
        if c.get_gid() in QUADRANT_COLORS:
            assert to_hex(c.get_facecolor()[0]).upper() == QUADRANT_COLORS[c.get_gid()]
    names = {a.get_text() for a in ax.texts if a.get_gid() == "driver"}
    assert names == set(DRIVERS)
    quadrants = {t.get_text() for t in ax.texts if t.get_gid() == "quadrant"}
    assert quadrants == set(sv.QUADRANT_LABELS[language].values())
    assert ax.get_ylabel() == ("Zufriedenheit (Mittelwert)" if language == "de" else "Performance (mean rating)")


@pytest.mark.parametrize("language", ["en", "de"])
def test_crosstab_heatmap_with_letters(survey, render, helpers, language):
    # uncorrected letters: the chart must draw some, and after the default FDR correction none of
    # the 66 comparisons of this sample survives (the correction is tested in tests/survey)
    table = sv.crosstab(
        survey,
        rows="sat_delivery",
        columns=["persona", "wave"],
        nets={"Top 2": [4, 5]},
        language=language,
        correction="none",
    )
    ax = plot_crosstab(table, decimals=1)
    fig = render(ax, f"crosstab_{language}")
    cells = table[table["kind"].isin(["category", "net"])]
    n_rows = cells[["variable", "row_label"]].drop_duplicates().shape[0]
    n_cols = cells[["banner_variable", "banner_column"]].drop_duplicates().shape[0]
    assert ax.collections[0].get_array().size == n_rows * n_cols == 7 * 8
    annotations = [t.get_text() for t in ax.texts if t.get_gid() != "footnote"]
    assert len(annotations) == n_rows * n_cols
    lettered = cells[cells["sig_letters"].astype(str) != ""]
    assert len(lettered) > 0
    assert sum(bool(re.search(r"%\s*[A-Z]+$", a)) for a in annotations) == len(lettered)
    columns = [t.get_text() for t in ax.get_xticklabels()]
    text = helpers.joined(fig)
    if language == "de":
        assert columns[0] == "Gesamt\nn = 1.016"
        assert all(DECIMAL_COMMA_PCT.search(a) for a in annotations)
        assert "signifikant höher" in text and "p < 0,05" in text
    else:
        assert columns[0] == "Total\nn = 1,016"
        assert "significantly higher" in text


def test_crosstab_means_and_bad_kinds(survey):
    table = sv.crosstab(survey, rows="sat_delivery", columns="wave", means="recommend")
    ax = plot_crosstab(table, kinds=["mean"], language="de")
    assert ax.collections[0].get_array().size == 3
    assert any(re.fullmatch(r"\d,\d\d", t.get_text()) for t in ax.texts)
    with pytest.raises(CJMConfigError, match="mix statistics"):
        plot_crosstab(table, kinds=["category", "mean"])
    with pytest.raises(CJMConfigError, match="is not a row variable"):
        plot_crosstab(table, variable="sat_deliveryy")


def test_errors_name_the_column_and_the_source(survey, nps_table):
    with pytest.raises(CJMDataError, match=r"Could not interpret value 'nps'.*plot_nps\(\).*cjm_lab.survey.nps\(\)"):
        plot_nps(nps_table.drop(columns="nps"))
    with pytest.raises(CJMDataError, match="pandas DataFrame"):
        plot_nps_trend([1, 2, 3])
    with pytest.raises(CJMConfigError, match="`language` must be 'en' or 'de'"):
        plot_nps(nps_table, language="fr")
    with pytest.raises(CJMConfigError, match="`method`"):
        plot_drivers(nps_table, method="relative_weights")


def test_charts_draw_on_a_given_axes(nps_table, drivers_table):
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2)
    assert plot_nps(nps_table, ax=a1) is a1
    assert plot_drivers(drivers_table, ax=a2) is a2
    assert len(fig.axes) == 2
    assert isinstance(a1.collections[0], (LineCollection, PolyCollection))

"""NPS explorer: the numbers it shows are cjm_lab.survey's on the filtered responses."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.survey import key_drivers, nps
from cjm_lab.widgets import ALL, filter_responses, nps_explorer, nps_view

from .conftest import DRIVERS, MAX_UPDATE_S, timed_change


def test_filter_by_wave_date_and_persona(responses):
    got = filter_responses(
        responses,
        waves=[2],
        date_range=("2026-01-01", "2026-01-31"),
        where={"persona": ["price_hunter", "eco_conscious"], "region": ALL},
    )
    d = responses["date"]
    expected = responses[
        (responses["wave"] == 2)
        & (d >= pd.Timestamp("2026-01-01", tz="UTC"))
        & (d < pd.Timestamp("2026-02-01", tz="UTC"))
        & responses["persona"].isin(["price_hunter", "eco_conscious"])
    ]
    assert len(got) > 0
    assert got["respondent_id"].tolist() == expected["respondent_id"].tolist()
    # the end date counts as a whole day
    last = responses["date"].max()
    assert len(filter_responses(responses, date_range=(None, last.date()))) == len(responses)


def test_view_equals_survey_nps_on_the_filtered_frame(responses):
    view = nps_view(
        responses,
        by="region",
        weight="weight",
        drivers=DRIVERS,
        dont_know=99,
        waves=[1],
        where={"persona": "quality_premium"},
    )
    sub = responses[(responses["wave"] == 1) & (responses["persona"] == "quality_premium")]
    pd.testing.assert_frame_equal(view.total.reset_index(drop=True), nps(sub, weight="weight"))
    pd.testing.assert_frame_equal(view.by_segment.reset_index(drop=True), nps(sub, by="region", weight="weight"))
    kd = key_drivers(
        sub, outcome="recommend", drivers=DRIVERS, weight="weight", dont_know=99, bootstrap=100, random_state=0
    )
    pd.testing.assert_frame_equal(view.drivers, kd)
    row = view.total.iloc[0]
    assert f"{row['nps']:.1f}".replace("-", "−") in view.headline
    assert f"n = {int(row['n'])}" in view.headline


def test_low_bases_are_flagged(responses):
    view = nps_view(responses, by="region", where={"persona": "eco_conscious"}, waves=[2], min_base=60)
    table = view.by_segment
    low = table.loc[table["n"] < 60, "region"].tolist()
    assert low and set(low) <= set(view.low_base)
    assert "Total" not in view.low_base
    assert any("Low base" in n for n in view.notes)
    # drivers are left out below their minimum base, with a note
    small = nps_view(
        responses,
        drivers=DRIVERS,
        dont_know=99,
        where={"persona": "eco_conscious", "region": "Nord"},
        waves=[1],
        min_driver_base=100,
    )
    assert small.drivers is None and any("Drivers need" in n for n in small.notes)


def test_empty_filter_is_a_clear_error(responses):
    with pytest.raises(CJMConfigError, match="No responses match"):
        nps_view(responses, where={"persona": "nobody"})


def test_explorer_updates_live(responses):
    ex = nps_explorer(
        responses,
        by=["wave", "region", "persona"],
        persona="persona",
        weight="weight",
        drivers=DRIVERS,
        dont_know=99,
    )
    assert ex.error is None
    first_png = ex.outputs["nps"].value
    first_headline = ex.outputs["headline"].value
    seconds = timed_change(ex, ex.controls["persona"], "price_hunter")
    sub = responses[responses["persona"] == "price_hunter"]
    assert ex.result.total["nps"].iloc[0] == pytest.approx(nps(sub, weight="weight")["nps"].iloc[0])
    assert ex.outputs["headline"].value != first_headline
    assert ex.outputs["nps"].value != first_png and ex.outputs["nps"].value[:4] == b"\x89PNG"
    assert seconds < MAX_UPDATE_S
    # unweighted, one wave, then a region breakdown
    seconds = max(
        timed_change(ex, ex.controls["weighted"], False),
        timed_change(ex, ex.controls["waves"], (2,)),
        timed_change(ex, ex.controls["segment"], "region"),
    )
    sub = sub[sub["wave"] == 2]
    pd.testing.assert_frame_equal(ex.result.by_segment.reset_index(drop=True), nps(sub, by="region"))
    assert "region" in ex.outputs["table"].value
    assert seconds < MAX_UPDATE_S
    # the date slider: only the first month
    ex.controls["waves"].value = (1, 2)
    ex.controls["dates"].index = (0, 0)
    month = ex.controls["dates"].value[0]
    assert (ex.result.data["date"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M") == month).all()


def test_explorer_shows_errors_instead_of_raising(responses):
    ex = nps_explorer(responses, by=["region"], persona="persona", drivers=DRIVERS, dont_know=99)
    ex.controls["low_base"].value = 5000
    assert ex.error is None and ex.result.low_base  # everything is a low base now
    assert "⚠" in ex.outputs["table"].value
    ex.controls["waves"].value = ()
    ex.controls["persona"].value = "price_hunter"
    assert ex.error is None  # no wave chosen means every wave


def test_german_labels(responses):
    ex = nps_explorer(responses, by=["wave"], language="de")
    assert "KI" in ex.outputs["headline"].value
    assert ex.controls["segment"].description == "Aufgliedern nach"


def test_further_segment_filters(responses):
    ex = nps_explorer(responses, by=["wave"], persona="persona", filters=["region"], weight="weight")
    assert timed_change(ex, ex.controls["filter_region"], "Ost") < MAX_UPDATE_S
    ex.controls["persona"].value = "eco_conscious"
    sub = responses[(responses["region"] == "Ost") & (responses["persona"] == "eco_conscious")]
    pd.testing.assert_frame_equal(ex.result.total.reset_index(drop=True), nps(sub, weight="weight"))
    assert ex.result.low_base == ["Total", 1, 2]  # 44 answers: 19 in wave 1, 25 in wave 2

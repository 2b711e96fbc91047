"""Persona explorer: the segmentation it shows is cjm_lab.personas', names reach the cards and the
typing tool."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.personas import PersonaModel, choose_k, load_model, persona_cards
from cjm_lab.widgets import cards_html, export_typing_tool, fit_personas, persona_explorer, rename_personas

from .conftest import ATTITUDES, MAX_UPDATE_S, timed_change


def test_fit_is_the_persona_model(customers, responses):
    fit = fit_personas(customers, variables=ATTITUDES, k=5, survey=responses, channel="preferred_channel")
    model = PersonaModel(k=5, columns=ATTITUDES, random_state=0).fit(customers)
    np.testing.assert_array_equal(fit.labels, model.labels_)
    cards = persona_cards(
        customers,
        model.labels_,
        variables=ATTITUDES,
        clustered_on=ATTITUDES,
        survey=responses,
        channel="preferred_channel",
    )
    pd.testing.assert_frame_equal(fit.cards, cards)
    assert fit.diagnostics is None and fit.k == 5
    assert fit.names == dict(zip(cards["persona"], cards["name_en"]))
    assert fit.cards["nps"].notna().all()  # each persona's NPS from the survey
    assignments = fit.assignments()
    assert assignments["customer_id"].tolist() == customers["customer_id"].tolist()


def test_auto_k_uses_choose_k_and_reports_progress(customers):
    data = customers.iloc[:1500]
    steps = []
    fit = fit_personas(
        data,
        variables=ATTITUDES[:5],
        k="auto",
        k_range=range(2, 5),
        resamples=3,
        progress=lambda done, total, text: steps.append((done, total, text)),
    )
    table = choose_k(data[ATTITUDES[:5]], k_range=range(2, 5), resamples=3, random_state=0, algorithm="gmm")
    pd.testing.assert_frame_equal(fit.diagnostics.drop(columns=[]), table, check_exact=False, rtol=1e-9)
    assert fit.k == int(table.loc[table["recommended"], "k"].iloc[0])
    assert fit.reason.startswith("Recommended: k =")
    assert [s[:2] for s in steps] == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert steps[0][2].startswith("Diagnostics for k = 2–4")
    # reusing the diagnostics skips them
    again = fit_personas(data, variables=ATTITUDES[:5], k="auto", diagnostics=fit.diagnostics)
    np.testing.assert_array_equal(again.labels, fit.labels)


def test_renaming_reaches_the_cards(customers):
    fit = fit_personas(customers, variables=ATTITUDES, k=4)
    renamed = rename_personas(fit, {0: "Bargain hunter", 2: "  "})
    assert renamed.names[0] == "Bargain hunter" and renamed.names[2] == fit.names[2]
    card = renamed.cards.set_index("persona").loc[0]
    assert card["name_en"] == card["name_de"] == "Bargain hunter"
    assert card["narrative_en"].startswith("Bargain hunter:")
    assert fit.names[0] != "Bargain hunter"  # the original is left alone
    with pytest.raises(CJMConfigError, match="no persona 7"):
        rename_personas(fit, {7: "x"})


def test_typing_tool_round_trip(customers, tmp_path):
    fit = rename_personas(fit_personas(customers, variables=ATTITUDES, k=3), ["A", "B", "C"])
    path = export_typing_tool(fit, tmp_path / "personas.joblib")
    tool = load_model(path)
    np.testing.assert_array_equal(tool.predict(customers), fit.labels)
    assert tool.persona_names_ == {0: "A", 1: "B", 2: "C"}
    with pytest.raises(CJMConfigError, match="already exists"):
        export_typing_tool(fit, path)
    # the fitted model is shared with the fit it was renamed from; exporting leaves it unnamed
    assert not hasattr(fit.model, "persona_names_")
    other = rename_personas(fit, ["X", "Y", "Z"])
    assert load_model(export_typing_tool(other, tmp_path / "other.joblib")).persona_names_ == {0: "X", 1: "Y", 2: "Z"}


def test_helpers_refuse_what_is_no_segmentation(customers, tmp_path):
    fit = fit_personas(customers, variables=ATTITUDES, k=2)
    with pytest.raises(CJMConfigError, match="`fit` must be what fit_personas"):
        rename_personas(fit.cards, ["A", "B"])
    with pytest.raises(CJMConfigError, match="`fit` must be what fit_personas"):
        export_typing_tool(fit.model, tmp_path / "personas.joblib")
    with pytest.raises(
        CJMConfigError, match="`names` must be a mapping persona → name or a list of the names in persona order"
    ):
        rename_personas(fit, "A")
    with pytest.raises(CJMDataError, match="'narrative_de' for `cards`"):
        cards_html(fit.cards.drop(columns="narrative_de"), language="de")
    assert "cjm-card" in cards_html(fit.cards.drop(columns="narrative_de"), language="en")


def test_explorer_refits_renames_and_saves(customers, responses, tmp_path):
    ex = persona_explorer(
        customers,
        variables=ATTITUDES,
        candidates=[*ATTITUDES, "age_band", "preferred_channel"],
        k=4,
        survey=responses,
        channel="preferred_channel",
        path=str(tmp_path / "tool.joblib"),
    )
    assert ex.error is None and ex.result.k == 4 and len(ex.name_boxes) == 4
    cards_before = ex.outputs["cards"].value
    profile_before = ex.outputs["profile"].value
    assert timed_change(ex, ex.controls["k"], 5) < MAX_UPDATE_S
    assert ex.result.k == 5 and len(ex.name_boxes) == 5
    assert ex.outputs["cards"].value != cards_before and ex.outputs["profile"].value != profile_before
    assert timed_change(ex, ex.controls["algorithm"], "kmeans") < MAX_UPDATE_S
    assert ex.result.algorithm == "kmeans"
    assert timed_change(ex, ex.name_boxes[1], "Service seeker") < MAX_UPDATE_S
    assert ex.result.names[1] == "Service seeker"
    assert "Service seeker" in ex.outputs["cards"].value
    ex.controls["save"].click()
    assert ex.error is None
    assert load_model(tmp_path / "tool.joblib").persona_names_[1] == "Service seeker"
    assert "tool.joblib" in ex.outputs["saved"].value
    ex.controls["save"].click()  # never overwrites: the error is shown, not raised
    assert "already exists" in ex.error and "already exists" in ex.status.value


def test_explorer_auto_shows_diagnostics_with_progress(customers):
    data = customers.iloc[:1200]
    ex = persona_explorer(data, variables=ATTITUDES[:4], k=3, k_range=range(2, 5), resamples=3)
    assert "k = auto" in ex.outputs["reason"].value
    seen = []
    ex.progress.observe(lambda c: seen.append(ex.status.value), names="value")
    ex.controls["k"].value = "auto"
    assert ex.error is None and ex.result.diagnostics is not None
    assert any("Diagnostics for k" in s for s in seen)  # the progress bar named the slow step
    assert ex.outputs["diagnostics"].value[:4] == b"\x89PNG"
    assert "Recommended" in ex.outputs["reason"].value
    assert ex.progress.layout.visibility == "hidden"  # gone once done
    # back to a fixed k and to auto again: the diagnostics are cached, so this is quick
    ex.controls["k"].value = 2
    assert timed_change(ex, ex.controls["k"], "auto") < MAX_UPDATE_S


def test_no_variables_is_a_clear_error(customers):
    with pytest.raises(CJMConfigError, match="at least one clustering variable"):
        fit_personas(customers, variables=[], k=3)
    ex = persona_explorer(customers.iloc[:300], variables=ATTITUDES[:2], k=2)
    ex.controls["variables"].value = ()
    assert "at least one clustering variable" in ex.error

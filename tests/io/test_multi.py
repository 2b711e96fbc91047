"""Multiple-response questions: which answer means 'selected' (issue #22 item 8: the class, not the example)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMDataError, CJMDataWarning
from cjm_lab.io import load_survey, multiple_response, selected
from cjm_lab.survey import crosstab, tracker

REAL = Path(__file__).resolve().parents[2] / "data" / "real"

PAIRS = [
    ("Yes", "No"),
    ("yes", "no"),
    ("Checked", "Unchecked"),
    ("Selected", "Not Selected"),
    ("Ticked", "Not ticked"),
    ("True", "False"),
    ("Mentioned", "Not mentioned"),
    ("ausgewählt", "nicht ausgewählt"),
    ("Ja", "Nein"),
    ("genannt", "nicht genannt"),
    ("trifft zu", "trifft nicht zu"),
    ("wahr", "falsch"),
    ("angekreuzt", "nicht angekreuzt"),
]


@pytest.mark.parametrize(("yes", "no"), PAIRS)
def test_any_binary_label_pair_counts_its_selected_word(yes, no):
    df = pd.DataFrame({"a": [yes, no, yes, None], "b": [no, no, yes, None]})
    hit, answered = selected(df, "a")
    assert hit.tolist() == [True, False, True, False] and answered.tolist() == [True, True, True, False]
    mr = multiple_response(df, {"Set": ["a", "b"]})
    # base: the 3 respondents who answered; a: 2 of 3, b: 1 of 3 — never 0 %
    share = mr.selected[mr.answered].mean(axis=0)
    assert share.tolist() == pytest.approx([2 / 3, 1 / 3])


@pytest.mark.parametrize(("yes", "no"), [("Yes", "No"), ("ausgewählt", "nicht ausgewählt"), ("Checked", "Unchecked")])
def test_labelled_codes_and_loaded_categories_both_work(yes, no):
    """SPSS codes 1/2 labelled with the pair, as codes and as the categories the loader makes of them."""
    raw = pd.DataFrame({"q1": [1.0, 2.0, 1.0, 2.0], "q2": [2.0, 2.0, 1.0, 2.0], "g": ["a", "a", "b", "b"]})
    raw.attrs["cjm"] = {
        "value_labels": {"q1": {1.0: yes, 2.0: no}, "q2": {1.0: yes, 2.0: no}},
        "multiple_response_sets": {"Brands": {"variables": ["q1", "q2"], "label": "Brands used"}},
    }
    for sv in (load_survey(raw, value_labels="codes"), load_survey(raw)):
        t = crosstab(sv, multi="Brands", columns="g", test=False)
        total = t[(t.kind == "multi") & (t.banner_column == "Total")].set_index("row_label")["value"]
        assert total.tolist() == pytest.approx([50.0, 25.0])
        assert t[t.kind == "multi"]["variable_label"].iloc[0] == "Brands used"


def test_one_option_nobody_chose_still_reads_as_yes_no():
    df = pd.DataFrame({"a": ["Yes", "No", "Yes"], "b": ["No", "No", "No"]})
    mr = multiple_response(df, {"Set": ["a", "b"]})
    assert mr.selected.sum(axis=0).tolist() == [2, 0]


def test_numbers_booleans_and_checkbox_exports():
    assert selected(pd.DataFrame({"a": [1, 0, 1]}), "a")[0].tolist() == [True, False, True]
    assert selected(pd.DataFrame({"a": [True, False, None]}, dtype="boolean"), "a")[0].tolist() == [True, False, False]
    checkbox = pd.DataFrame({"a": ["Web shop", None, "Web shop"]})  # ticked carries the option's name
    hit, answered = selected(checkbox, "a")
    assert hit.tolist() == [True, False, True] and answered.tolist() == [True, False, True]
    assert selected(pd.DataFrame({"a": [3, 5, 3]}), "a", counted=5)[0].tolist() == [False, True, False]


def test_an_answer_that_cannot_be_told_asks_for_counted():
    df = pd.DataFrame({"a": ["often", "never", "sometimes"]})
    with pytest.raises(CJMDataError, match=r"cannot tell which answer of 'a' means 'selected'") as info:
        selected(df, "a")
    assert "counted=" in info.value.fix and info.value.column == "a"


def test_category_sets_count_a_category_once_per_respondent():
    raw = pd.DataFrame({"first": [1.0, 2.0, 3.0, np.nan], "second": [2.0, 1.0, np.nan, np.nan]})
    raw.attrs["cjm"] = {
        "value_labels": {c: {1.0: "Coke", 2.0: "Pepsi", 3.0: "Other"} for c in ("first", "second")},
        "multiple_response_sets": {"Brands": {"variables": ["first", "second"], "kind": "category"}},
    }
    mr = multiple_response(raw, "Brands")
    assert mr.kind == "category" and mr.options == [1.0, 2.0, 3.0]
    assert mr.selected.sum(axis=0).tolist() == [2, 2, 1] and mr.answered.tolist() == [True, True, True, False]


@pytest.mark.real_data
def test_cola_true_false_category_set_reads_as_statements():
    """Cola's Q10 is declared a category set whose columns hold True/False: one row per statement."""
    sv = load_survey(REAL / "cola_brand_survey.sav", missing="declared")
    mr = multiple_response(sv, "Q10")
    assert mr.kind == "dichotomy" and len(mr.options) == 6
    q10a = sv["Q10_A"]
    answered = sv[mr.columns].notna().any(axis=1)
    assert mr.selected[:, 0].sum() == int((q10a == "True").sum()) == 209
    assert mr.answered.sum() == int(answered.sum())
    t = crosstab(sv, multi="Q10", columns="Q2")
    rows = t[(t.kind == "multi") & (t.banner_column == "Total")]
    assert rows["row_label"].iloc[0] == "Sometimes I drink cola that is bought by my friends or family"
    assert rows["value"].iloc[0] == pytest.approx(209 / answered.sum() * 100)
    by_wave = tracker(sv.assign(wave=np.where(np.arange(len(sv)) < 160, 1, 2)), measures=["Q10"], wave="wave")
    assert set(by_wave["level"]) == set(rows["row_label"]) and (by_wave["kind"] == "multi").all()


def test_a_dont_know_answer_beside_yes_and_no_does_not_hide_which_is_selected():
    """Yes / No / Don't know per option: 'Yes' counts; a don't-know answer is no selection (its code
    made missing with missing='auto' leaves the respondent out of the base)."""
    raw = pd.DataFrame({"a": [1.0, 2, 9, 1], "b": [2.0, 2, 1, 9]})
    labels = {1: "Yes", 2: "No", 9: "Weiß nicht"}
    raw.attrs["cjm"] = {
        "value_labels": {"a": labels, "b": labels},
        "multiple_response_sets": {"S": {"variables": ["a", "b"], "kind": "dichotomy"}},
    }
    with pytest.warns(CJMDataWarning):
        kept = load_survey(raw)
    mr = multiple_response(kept, "S")
    assert mr.selected.tolist() == [[True, False], [False, False], [False, True], [True, False]]
    assert mr.answered.tolist() == [True, True, True, True]
    auto = multiple_response(load_survey(raw, missing="auto"), "S")  # the column holds Yes/No only
    assert auto.selected.tolist() == mr.selected.tolist()
    assert selected(load_survey(raw, missing="auto"), "a")[1].tolist() == [True, True, False, True]

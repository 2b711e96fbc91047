"""Personas from survey tables: id roles, rescaled scores, multiple-response profiles, choose_k's verdict,
and names generated from labels (designed on the phone survey, checked on the held-out cola survey)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataWarning
from cjm_lab.io import load_survey
from cjm_lab.personas import PersonaModel, choose_k, persona_cards, profile

REAL = Path(__file__).resolve().parents[2] / "data" / "real"


@pytest.fixture(scope="module")
def sv():
    rng = np.random.default_rng(4)
    n = 400
    seg = rng.integers(0, 2, n)
    raw = pd.DataFrame(
        {
            "price": np.where(seg == 0, 4.2, 2.1) + rng.normal(0, 0.5, n),
            "quality": np.where(seg == 0, 2.0, 4.3) + rng.normal(0, 0.5, n),
            "likely": rng.integers(1, 8, n).astype(float),  # recommend asked on 1-7
            "web": np.where(rng.random(n) < np.where(seg == 0, 0.8, 0.2), "Yes", "No"),
            "app": np.where(rng.random(n) < 0.4, "Yes", "No"),
        }
    )
    return load_survey(
        raw,
        columns={"likely": "recommend"},
        recommend_scale=(1, 7),
        codebook={"columns": {"price": "Price focus", "quality": "Quality expectations", "web": "Web shop"}},
        multiple_response={"Channels used": ["web", "app"]},
    )


def test_respondent_id_is_recognised_and_rescale_accepted(sv):
    model = PersonaModel(2, columns=None, random_state=0).fit(sv.drop(columns=["recommend", "web", "app"]))
    assert "respondent_id" not in model.feature_names_in_
    prof = profile(sv, model, variables=["price", "quality"], survey=sv, rescale="linear")
    assert prof.nps is not None and prof.nps["measure"].iloc[0].startswith("NPS-like")
    with pytest.raises(CJMConfigError, match="rescale='linear'"):
        profile(sv, model, variables=["price"], survey=sv)
    cards = persona_cards(sv, model, variables=["price", "quality"], survey=sv, rescale="top2")
    assert cards["nps"].notna().all()


def test_multiple_response_set_profiled_per_option(sv):
    labels = np.where(sv["price"] > 3.1, 0, 1)
    prof = profile(sv, labels, variables=["Channels used", "price"])
    multi = prof.variables[prof.variables.role == "multi"]
    assert set(multi["level"]) == {"Web shop", "app"}
    web0 = multi[(multi.persona == 0) & (multi.level == "Web shop")].iloc[0]
    assert web0.value == pytest.approx((sv.loc[labels == 0, "web"] == "Yes").mean() * 100)
    default = profile(sv, labels)
    assert "Channels used" in set(default.variables["variable"]) and "web" not in set(default.variables["variable"])


def test_names_come_from_labels_and_are_editable(sv):
    model = PersonaModel(2, columns=["price", "quality"], random_state=0).fit(sv)
    cards = persona_cards(sv, model, variables=["price", "quality"])
    names = set(cards["name_en"])
    assert any("price focus" in n.lower() for n in names) and not any(
        re.search(r"\bprice\b(?! focus)", n) for n in names
    )
    assert all(n.startswith(("High", "Low")) for n in names)
    from cjm_lab.labels import Labels

    renamed = persona_cards(sv, model, variables=["price"], names=Labels(personas={0: {"en": "Bargain hunters"}}))
    assert renamed.loc[0, "name_en"] == "Bargain hunters"


def test_category_traits_speak_the_codebooks_language():
    raw = pd.DataFrame({"spend": [10.0, 12, 11, 30, 32, 31] * 5, "plan": [1, 1, 1, 2, 2, 2] * 5})
    book = {
        "columns": {"plan": {"en": "Plan", "de": "Tarif"}},
        "values": {"plan": {1: {"en": "Prepaid", "de": "Prepaid-Karte"}, 2: {"en": "Contract", "de": "Vertrag"}}},
    }
    sv = load_survey(raw, codebook=book)
    prof = profile(sv, [0, 0, 0, 1, 1, 1] * 5, variables=["plan"])
    texts = prof.traits.set_index("persona")
    assert texts.loc[1, "text_en"] == "Plan: Contract (100% vs 50%)"
    assert texts.loc[1, "text_de"] == "Tarif: Vertrag (100 % vs. 50 %)"  # was "Tarif: Contract"


def test_cards_carry_choose_ks_verdict():
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.normal(0, 1, (240, 4)), columns=list("abcd"))
    table = choose_k(noise, k_range=range(2, 4), resamples=4, n_init=1, random_state=0)
    assert table.attrs["cjm"]["weak_structure"]
    model = PersonaModel(2, random_state=0, n_init=1).fit(noise)
    cards = persona_cards(noise, model, choose_k_result=table)
    assert cards["structure_en"].str.startswith("No stable structure").all()
    assert cards["narrative_de"].str.startswith("Keine stabile Struktur").all()
    assert cards.attrs["cjm"]["weak_structure"]
    with pytest.raises(CJMConfigError, match="choose_k_result"):
        persona_cards(noise, model, choose_k_result={"k": 2})


def test_the_verdict_is_the_one_for_the_number_of_personas_on_the_cards():
    rng = np.random.default_rng(0)
    seg = rng.integers(0, 2, 240)
    two = pd.DataFrame(
        rng.normal(0, 1, (240, 4)) + np.where(seg[:, None] == 0, 3.0, -3.0) * np.array([1, 1, 0, 0]),
        columns=list("abcd"),
    )
    table = choose_k(two, k_range=range(2, 4), resamples=4, n_init=1, random_state=0)
    assert table.set_index("k")["stable"].to_dict() == {2: True, 3: False}
    cards = {
        k: persona_cards(two, PersonaModel(k, random_state=0, n_init=1).fit(two), choose_k_result=table)
        for k in (2, 3, 5)
    }
    assert cards[2]["structure_en"].eq("Stable structure: 2 personas replicate in resamples (choose_k).").all()
    assert not cards[2].attrs["cjm"]["weak_structure"]
    # three groups where choose_k found that three do not replicate: not presented as stable personas
    assert (
        cards[3]["structure_en"].iloc[0].startswith("3 personas do not replicate in resamples (choose_k recommends 2)")
    )
    assert cards[3]["narrative_de"].str.startswith("3 Personas finden sich in Stichproben nicht wieder").all()
    assert cards[3].attrs["cjm"]["weak_structure"]
    # a number choose_k never tried: no verdict borrowed from another k
    assert cards[5]["structure_en"].iloc[0].startswith("choose_k did not test 5 personas (it recommends 2)")
    assert cards[5].attrs["cjm"]["weak_structure"]
    summary = dict(table.attrs["cjm"])  # the attrs alone know the recommended k only
    assert (
        persona_cards(two, PersonaModel(2, random_state=0, n_init=1).fit(two), choose_k_result=summary)["structure_en"]
        .str.startswith("Stable structure: 2")
        .all()
    )


# --------------------------------------------------------------------------- the naming heuristic on real data
def _agreement(path: Path, items: list[str], **load) -> tuple[pd.DataFrame, pd.DataFrame]:
    traits, cards, _ = _agreement_data(path, items, **load)
    return traits, cards


def _agreement_data(path: Path, items: list[str], **load) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CJMDataWarning)
        data = load_survey(path, missing="auto", **load)
    model = PersonaModel(4, columns=items, random_state=0).fit(data)
    prof = profile(data, model, variables=items)
    return prof.traits, persona_cards(data, model, profile_result=prof), data


def _check_readings(traits: pd.DataFrame, data: pd.DataFrame) -> int:
    """Every mean trait on a labelled scale reads as the label of the level its mean is nearest
    (recomputed here from the file's value labels), in English and German; none says high/low."""
    from cjm_lab.io.missing import is_dont_know_label
    from cjm_lab.labels import labels_for

    labels = labels_for(data)
    checked = 0
    for r in traits[traits["level"].isna()].itertuples():  # the means (a category share has a level)
        levels = {float(c): t for c, t in labels.values(r.variable).items() if not is_dont_know_label(t)}
        code = min(levels, key=lambda c: abs(c - r.value))
        assert abs(code - r.value) <= 0.5, r  # fully labelled 1-5 items: always within half a point
        assert f": mostly {levels[code].strip()} (" in r.text_en, (r.text_en, r.value, levels)
        assert ": überwiegend " in r.text_de and " high " not in r.text_en and " low " not in r.text_en, r
        checked += 1
    return checked


def _check_poles(traits: pd.DataFrame, agree_is_low: bool) -> int:
    """Every 'agree'/'disagree' phrase says where the persona's mean lies on the scale (midpoint 3)."""
    checked = 0
    for r in traits.itertuples():
        head = r.short_en.split(":", 1)[0]
        mean_agrees = (r.value < 3) if agree_is_low else (r.value > 3)
        if head == "agree":
            assert mean_agrees and r.direction == ("low" if agree_is_low else "high"), r
        elif head == "disagree":
            assert not mean_agrees and r.direction == ("high" if agree_is_low else "low"), r
        elif head in ("agree less", "disagree less"):
            assert mean_agrees == (head == "agree less"), r
        else:
            continue
        checked += 1
    return checked


@pytest.mark.real_data
def test_names_on_the_design_file_phone():
    """Phone codes agreement 1 = Strongly agree … 5 = Strongly disagree (a high mean disagrees)."""
    items = [f"q23{c}" for c in "abcdefghijklmnopqrstuvwxy"]
    traits, cards, data = _agreement_data(REAL / "phone_market_survey.sav", items)
    assert _check_poles(traits, agree_is_low=True) >= 10
    assert _check_readings(traits, data) >= 10  # card texts read the scale's labels, not "high"/"low"
    names = cards["name_en"].tolist()
    assert len(set(names)) == 4 and not any(re.search(r"\bq\d", n) for n in names)


@pytest.mark.real_data
def test_names_on_the_held_out_file_cola():
    """Cola codes agreement the other way round (5 = Strongly agree) and numbers its questions ("Q24.")."""
    items = [f"Q24_{i}" for i in range(1, 11)]
    traits, cards, data = _agreement_data(REAL / "cola_brand_survey.sav", items, measure={"Q24_*": "scale"})
    assert _check_poles(traits, agree_is_low=False) >= 10
    assert _check_readings(traits, data) >= 10  # held out for scale_reading too
    names = cards["name_en"].tolist()
    assert len(set(names)) == 4 and not any(re.search(r"Q\d|\bQ24", n) for n in names)
    # as categories (the file's nominal measure) a scale point keeps its question
    cat_traits, _ = _agreement(REAL / "cola_brand_survey.sav", items)
    assert cat_traits["short_en"].str.match(r"^(Strongly|Somewhat|Neither)[^:]*: [a-z]").all()

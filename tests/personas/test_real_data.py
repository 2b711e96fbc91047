"""Personas on the real UCI bank-marketing sample (data/real/bank_marketing_customers.csv)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from cjm_lab.personas import PersonaModel, choose_k, persona_cards, profile
from cjm_lab.plots import plot_choose_k
from cjm_lab.plots import plot_persona_cards as draw_persona_cards

pytestmark = pytest.mark.real_data

DEMOGRAPHICS = ["age", "job", "marital", "education", "housing", "loan"]


def test_bank_data_is_prepared_as_the_issue_says(bank):
    assert len(bank) == 4119
    assert not {"y", "duration", "euribor3m", "nr.employed"} & set(bank.columns)
    assert (bank["job"] == "unknown").sum() == 0 and bank["job"].isna().sum() == 39
    assert bank["contacted_before"].sum() == 160 and bank["pdays"].notna().sum() == 160


@pytest.fixture(scope="module")
def bank_table(bank):
    return choose_k(bank, k_range=range(2, 7), resamples=8, random_state=0, n_jobs=2)


def test_bank_personas_and_their_stability(bank, bank_table):
    t = bank_table
    assert t["stability"].notna().all() and t["persona_stability"].notna().all()
    k = t.attrs["cjm"]["recommended_k"]
    # the one structure that replicates on all columns: customers contacted in an earlier campaign
    assert k == 2
    assert t.set_index("k").loc[2, "stability"] > 0.95
    assert "8 bootstrap resamples of 4,119 rows" in t.attrs["cjm"]["reason"]["en"]
    model = PersonaModel(k, random_state=0).fit(bank)
    assert model.roles_["education"] == "ordinal" and model.roles_["contacted_before"] == "categorical"
    summary = model.feature_summary_.set_index("column")
    assert summary.loc["pdays", "n_missing"] == 3959 and summary.loc["job", "n_missing"] == 39
    prof = profile(bank, model)
    small = prof.variables[(prof.variables["persona"] == 1) & (prof.variables["variable"] == "poutcome")]
    assert small.set_index("level").loc["nonexistent", "value"] < 5  # all had an earlier campaign
    assert isinstance(plot_choose_k(t), Figure)


def test_bank_demographic_personas_render(bank):
    model = PersonaModel(4, columns=DEMOGRAPHICS, random_state=0).fit(bank)
    prof = profile(bank, model)
    assert prof.variables.loc[prof.variables["clustered_on"], "mark"].eq("").all()
    assert prof.variables.loc[~prof.variables["clustered_on"], "p_adjusted"].notna().all()
    assert (prof.traits.groupby("persona").size() >= 3).all()
    cards = persona_cards(bank, model, channel="contact", profile_result=prof)
    assert len(cards) == 4 and cards["narrative_de"].str.contains("der Kunden").all()
    # yes/no levels keep their question in the suggested names ("housing: yes", never a bare "yes")
    names = " · ".join(cards["name_en"]).split(" · ")
    assert not {"yes", "no"} & set(names) and any(n.startswith(("housing: ", "loan: ")) for n in names)
    fig = draw_persona_cards(cards, language="de")
    assert isinstance(fig, Figure) and len(fig.axes) == 4


def test_bank_demographics_alone_show_no_stable_personas(bank):
    t = choose_k(bank, k_range=[2, 3, 4], columns=DEMOGRAPHICS, resamples=5, random_state=0, n_jobs=2)
    assert t.attrs["cjm"]["weak_structure"] and not t["stable"].any()
    assert "no clear persona structure" in t.attrs["cjm"]["reason"]["en"]

"""Labels reach every output: drivers, NPS groups, charts, options after a column mapping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab.io import load_survey, table_metadata
from cjm_lab.labels import Labels, labeller, labels_for, shown_values
from cjm_lab.survey import compare_nps, importance_performance, key_drivers, nps, nps_vs_rest


def _survey(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.integers(1, 6, size=(n, 2)).astype(float), columns=["Q3_1", "Q3_2"])
    df["Q5"] = (2 * df["Q3_1"] + rng.normal(0, 1.5, n)).clip(0, 10).round()
    df["region"] = np.tile([1.0, 2.0], n // 2)
    df["wave"] = np.repeat([2021.0, 2022.0], n // 2)
    df.attrs["cjm"] = {
        "variable_labels": {"Q3_1": "Delivery speed", "Q3_2": "Billing", "region": "Region"},
        "value_labels": {"region": {1.0: "North", 2.0: "South"}},
    }
    return df


# --- 1. key drivers -----------------------------------------------------------------------------


def test_key_drivers_rows_carry_the_variable_labels_of_the_data_and_of_labels():
    df = _survey()
    out = key_drivers(df, outcome="Q5", drivers=["Q3_2", "Q3_1"], method="johnson")
    assert dict(zip(out.driver, out.label, strict=True)) == {"Q3_1": "Delivery speed", "Q3_2": "Billing"}
    assert list(out.columns[:2]) == ["driver", "label"]
    de = key_drivers(
        df, outcome="Q5", drivers=["Q3_2", "Q3_1"], method="johnson",
        labels={"Q3_1": {"en": "Delivery speed", "de": "Liefertempo"}}, language="de",
    )  # fmt: skip
    assert de.set_index("driver").loc["Q3_1", "label"] == "Liefertempo"
    assert de.set_index("driver").loc["Q3_2", "label"] == "Billing"  # no German given: English
    bare = pd.DataFrame(df.to_dict("list"))  # no metadata: the name is the label
    assert key_drivers(bare, outcome="Q5", drivers=["Q3_1", "Q3_2"], method="johnson").label.tolist() == [
        "Q3_1",
        "Q3_2",
    ]
    ipa = importance_performance(out, df, scale=(1, 5), importance="johnson_share")
    assert dict(zip(ipa.driver, ipa.label, strict=True)) == {"Q3_2": "Billing", "Q3_1": "Delivery speed"}


# --- 2. NPS ----------------------------------------------------------------------------------------


def test_nps_groups_read_as_value_labels_and_waves_without_point_zero():
    df = _survey()
    by_region = nps(df, score="Q5", by="region")
    assert by_region["region"].tolist() == ["North", "South", "Total"]
    by_wave = nps(df, score="Q5", by="wave")
    assert by_wave["wave"].tolist() == [2021, 2022, "Total"]
    assert [str(v) for v in by_wave["wave"]] == ["2021", "2022", "Total"]
    no_total = nps(df, score="Q5", by="wave", total=False)
    assert str(no_total["wave"].dtype) == "Int64" and no_total["wave"].tolist() == [2021, 2022]
    german = nps(df, score="Q5", by="region", labels=Labels(values={"region": {1: {"de": "Nord"}}}), language="de")
    assert german["region"].tolist() == ["Nord", "South", "Total"]
    # the numbers do not change with the labels
    assert by_region["nps"].tolist() == nps(df.assign(region=df.region.map({1.0: "a", 2.0: "b"})), score="Q5",
                                            by="region")["nps"].tolist()  # fmt: skip


def test_compare_nps_and_nps_vs_rest_name_groups_and_the_variable_by_their_labels():
    df = _survey()
    pair = compare_nps(df, score="Q5", by="wave").iloc[0]
    assert (pair["group_a"], pair["group_b"]) == (2021, 2022)
    assert pair["variable"] == "wave" and pair["variable_label"] == "wave"
    regions = compare_nps(df, score="Q5", by="region", labels={"region": "Sales region"})
    assert regions.loc[0, ["group_a", "group_b", "variable_label"]].tolist() == ["North", "South", "Sales region"]
    rest = nps_vs_rest(df, score="Q5", by="region", language="de")
    assert rest["segment"].tolist() == ["North", "South"] and set(rest["variable_label"]) == {"Region"}
    assert all(("North" in t) != ("South" in t) for t in rest["text"])  # each sentence names its segment's label
    assert not any("1.0" in t or "2.0" in t for t in rest["text"])


def test_shown_values_keeps_booleans_text_and_missing():
    lab = Labels()
    assert shown_values(pd.Series([True, False], dtype=object), "x", lab).tolist() == [True, False]
    text = shown_values(pd.Series(["a", None]), "x", lab)
    assert text.iloc[0] == "a" and pd.isna(text.iloc[1])
    assert shown_values(pd.Series([1.5, 2.0]), "x", lab).tolist() == [1.5, 2.0]
    out = shown_values(pd.Series([1.0, np.nan]), "x", lab)
    assert out.iloc[0] == 1 and pd.isna(out.iloc[1])


# --- 3. one normaliser of labels= for charts -----------------------------------------------------


def test_labeller_takes_labels_codebooks_dicts_functions_and_the_tables_metadata(tmp_path):
    book = Labels({"Q3_1": "Delivery speed"}, values={"region": {1: {"en": "North", "de": "Nord"}}})
    assert labeller(book, kind="column")("Q3_1") == "Delivery speed"
    assert labeller(book, column="region", language="de")(1.0) == "Nord"
    assert labeller({"columns": {"Q3_1": "Tempo"}}, kind="column")("Q3_1") == "Tempo"  # a codebook layout
    path = book.to_codebook(tmp_path / "book.yaml")
    assert labeller(str(path), column="region")(1) == "North"
    assert labeller({1: "Eins"})(1.0) == "Eins" and labeller({1: "Eins"})(2.0) == "2"
    assert labeller(str.upper)("x") == "X"
    df = _survey()
    assert labeller(None, kind="column", data=df)("Q3_2") == "Billing"  # the data's metadata by default
    assert labeller({"Q3_2": "Invoices"}, kind="column", data=df)("Q3_1") == "Delivery speed"
    assert labeller(None) is None and labeller(None, data=pd.DataFrame({"a": [1]})) is None
    assert labeller(Labels(personas={0: "Savers"}), kind="persona")("Savers") == "Savers"


# --- 5. options named by the file's column after a columns= mapping -------------------------------


def test_options_named_by_the_files_columns_follow_the_columns_mapping():
    raw = pd.DataFrame({"Q5": [10, 9, 3, 7, 99], "W": [1.0, 2.0, 1.0, 1.0, 1.0], "S1": [1, 5, 2, 4, 3]})
    mapping = {"Q5": "recommend", "W": "weight"}
    out = load_survey(
        raw, columns=mapping, missing_codes={"Q5": [99]}, ratings={"Q5": (0, 10)},
        codebook={"columns": {"Q5": "Likelihood to recommend"}, "values": {"Q5": {0: "Not at all likely"}}},
    )  # fmt: skip
    assert out["recommend"].isna().tolist() == [False, False, False, False, True]  # 99 made missing by its file name
    assert table_metadata(out)["roles"] == mapping
    assert labels_for(out).column("recommend") == "Likelihood to recommend"
    assert labels_for(out).value("recommend", 0) == "Not at all likely"
    # labels given after loading, keyed by the file's names, answer for the roles
    after = labels_for(out, {"W": {"en": "Design weight", "de": "Designgewicht"}})
    assert after.column("weight", language="de") == "Designgewicht"
    assert after.column("W") == "Design weight"
    # a label given for the role itself wins
    both = labels_for(out, {"Q5": "file name", "recommend": "role name"})
    assert both.column("recommend") == "role name"
    # text answers mapped by the file's column name
    text = raw.assign(Q5=["ten", "9", "3", "7", "99"])
    loaded = load_survey(text, columns=mapping, text_labels={"Q5": {"ten": 10}}, missing_codes={"Q5": [99]})
    assert loaded["recommend"].tolist()[:2] == [10, 9]


def test_multiple_response_and_measure_named_by_the_files_columns():
    raw = pd.DataFrame({"Q5": [10, 9, 3], "B1": [1, 0, 1], "B2": [0, 0, 1], "G": [1, 2, 1]})
    out = load_survey(
        raw,
        columns={"Q5": "recommend", "G": "wave"},
        multiple_response={"Brands": ["B1", "Q5"]},
        measure={"G": "nominal", "B2": "nominal"},
    )  # fmt: skip (before: "No column matches 'G' given in `measure`")
    meta = table_metadata(out)
    assert meta["multiple_response_sets"]["Brands"]["variables"] == ["B1", "recommend"]
    assert str(out["B2"].dtype) == "category"
    with pytest.raises(Exception, match="Q9"):
        load_survey(raw, columns={"Q5": "recommend"}, ratings={"Q9": (0, 10)})


# --- 3. charts take labels= (Labels, codebook, dict, function) and the tables' labels by default -----


@pytest.fixture
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.mark.usefixtures("_close_figures")
def test_driver_charts_read_the_variable_labels_by_default_and_take_labels():
    from cjm_lab import plots

    df = _survey()
    kd = key_drivers(df, outcome="Q5", drivers=["Q3_1", "Q3_2"], method="johnson")
    ticks = [t.get_text() for t in plots.plot_drivers(kd, method="johnson").get_yticklabels()]
    assert sorted(ticks) == ["Billing", "Delivery speed"]
    book = Labels({"Q3_1": {"en": "Delivery speed", "de": "Liefertempo"}})
    ticks = [
        t.get_text() for t in plots.plot_drivers(kd, method="johnson", labels=book, language="de").get_yticklabels()
    ]
    assert sorted(ticks) == ["Billing", "Liefertempo"]  # Q3_2 keeps the table's label
    ipa = importance_performance(kd, df, scale=(1, 5), importance="johnson_share")
    ax = plots.plot_importance_performance(ipa, labels={"columns": {"Q3_2": "Invoices"}})
    assert {"Invoices", "Delivery speed"} <= {t.get_text() for t in ax.texts}


@pytest.mark.usefixtures("_close_figures")
def test_nps_chart_shows_value_labels_from_a_labels_object_or_a_codebook(tmp_path):
    from cjm_lab import plots

    raw = pd.DataFrame({"recommend": [10, 9, 3, 7] * 30, "region": [1, 2] * 60})
    table = nps(raw, by="region")
    book = Labels(values={"region": {1: {"en": "North", "de": "Nord"}, 2: {"en": "South", "de": "Süd"}}})
    ticks = [t.get_text() for t in plots.plot_nps(table, labels=book, language="de").get_yticklabels()]
    assert ticks[0].startswith("Nord") or any(t.startswith("Nord") for t in ticks)
    assert any(t.startswith("Süd") for t in ticks)
    path = book.to_codebook(tmp_path / "regions.yaml")
    ticks = [t.get_text() for t in plots.plot_nps(table, labels=str(path)).get_yticklabels()]
    assert any(t.startswith("North") for t in ticks) and not any(t.startswith("1 ") for t in ticks)


def test_touchpoint_names_from_a_labels_object_keep_the_catalogue_fallback():
    from cjm_lab.plots import touchpoint_labeller

    cat = pd.DataFrame({"touchpoint": ["cart"], "stage": ["purchase"], "label_de": ["Warenkorb"]})
    name = touchpoint_labeller(cat, "de", Labels(touchpoints={"web_shop": {"de": "Webshop"}}))
    assert name("web_shop") == "Webshop" and name("cart") == "Warenkorb" and name("(exit)") == "Ausstieg"
    assert touchpoint_labeller(None, "en", {"columns": {}, "touchpoints": {"app": "Mobile app"}})("app") == "Mobile app"


@pytest.mark.usefixtures("_close_figures")
def test_persona_profile_chart_takes_labels_for_variables_and_personas():
    from cjm_lab.personas import profile
    from cjm_lab.plots import plot_persona_profile

    df = pd.DataFrame({"price": [5.0, 4, 5, 2, 1, 2], "eco": [1.0, 2, 1, 4, 5, 4]})
    book = Labels({"price": {"en": "Price matters", "de": "Preis zählt"}}, personas={0: "Savers", 1: "Greens"})
    ax = plot_persona_profile(profile(df, [0, 0, 0, 1, 1, 1]), labels=book, variable_labels=book, language="de")
    assert {t.get_text() for t in ax.get_yticklabels()} == {"Preis zählt", "eco"}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Savers", "Greens"]


# --- 8. persona traits read a labelled scale in its own words ------------------------------------


def test_persona_traits_read_the_labels_of_an_agree_scale_in_english_and_german():
    from cjm_lab.personas import PersonaModel, persona_cards, profile

    rng = np.random.default_rng(2)
    n = 300
    seg = np.repeat([0, 1], n // 2)
    raw = pd.DataFrame(
        {
            "q1": np.where(seg == 0, 4, 2) + rng.integers(0, 2, n),  # 4-5 vs 2-3: disagree vs agree
            "spend": np.where(seg == 0, 80.0, 20.0) + rng.normal(0, 5, n),  # a number: high / low
        }
    )
    agree = {1: "Strongly agree", 2: "Agree", 3: "Neither", 4: "Disagree", 5: "Strongly disagree"}
    data = load_survey(
        raw.assign(recommend=rng.integers(0, 11, n)),
        codebook={
            "columns": {"q1": {"en": "Prices are fair", "de": "Preise sind fair"}, "spend": "Monthly spend"},
            "values": {"q1": {k: {"en": v, "de": v + " (de)"} for k, v in agree.items()}},
        },
        measure={"q1": "scale"},
    )
    model = PersonaModel(2, columns=["q1", "spend"], random_state=0).fit(data)
    prof = profile(data, model, variables=["q1", "spend"])
    means = prof.traits[prof.traits["variable"] == "q1"]
    for r in means.itertuples():
        expected = agree[int(np.clip(np.round(r.value), 1, 5))]
        assert r.text_en.startswith(f"Prices are fair: mostly {expected} ("), r.text_en
        assert r.text_de.startswith(f"Preise sind fair: überwiegend {expected} (de) ("), r.text_de
    spend = prof.traits[prof.traits["variable"] == "spend"]
    assert spend["text_en"].str.match(r"^Monthly spend (high|low) \(").all()  # no labels: high / low
    cards = persona_cards(data, model, profile_result=prof)
    assert cards["key_traits_en"].str.contains("Prices are fair: mostly ").any()
    assert not cards["key_traits_en"].str.contains("Prices are fair high|Prices are fair low").any()


# --- 6. stray codes outside a labelled scale are reported, not silently averaged ------------------

_ENDS = {"values": {"sat": {1: "Very dissatisfied", 5: "Very satisfied"}, "ces": {1: "Very easy", 5: "Very hard"}}}


def _stray_raw() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    raw = pd.DataFrame(
        {"recommend": rng.integers(0, 11, 120), "sat": rng.integers(1, 6, 120), "ces": rng.integers(1, 6, 120)}
    )
    raw.loc[[4, 9], "sat"] = 99  # a no-answer code nobody labelled
    raw.loc[17, "sat"] = 22  # a typing error
    raw.loc[30, "ces"] = 97
    return raw


def test_stray_codes_are_listed_and_the_loader_warns_with_columns_rows_and_the_fix():
    from cjm_lab.errors import CJMDataWarning
    from cjm_lab.io import detect_missing

    with pytest.warns(CJMDataWarning) as seen:
        df = load_survey(_stray_raw(), codebook=_ENDS)
    [message] = [str(w.message) for w in seen if "outside their labelled scale" in str(w.message)]
    assert "2 column(s)" in message and "sat: 22 (1×, row 17), 99 (2×, rows 4, 9)" in message
    assert "ces: 97 (1×, row 30)" in message and "missing_codes={'sat': [22]}" in message
    found = detect_missing(df).set_index(["column", "code"])
    assert found.loc[("sat", 99.0), "reason"] == "sentinel" and found.loc[("sat", 99.0), "n"] == 2
    assert found.loc[("sat", 22.0), "reason"] == "out_of_scale" and found.loc[("ces", 97.0), "reason"] == "out_of_scale"
    assert df["sat"].max() == 99  # reported, never applied on a guess
    with pytest.warns(CJMDataWarning, match="outside their labelled scale"):
        auto = load_survey(_stray_raw(), codebook=_ENDS, missing="auto")
    assert auto["sat"].eq(99).sum() == 2  # "auto" applies labelled don't-knows only
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", CJMDataWarning)
        load_survey(_stray_raw(), codebook=_ENDS, missing="declared")  # the user's choice: silent
        cleaned = load_survey(_stray_raw(), codebook=_ENDS, missing_codes={"sat": [22, 99], "ces": [97]})
    assert cleaned["sat"].max() == 5 and cleaned["sat"].isna().sum() == 3


def test_a_mean_over_stray_codes_warns_and_dont_know_removes_them():
    from cjm_lab.errors import CJMDataWarning

    with pytest.warns(CJMDataWarning):
        df = load_survey(_stray_raw(), codebook=_ENDS)
    with pytest.warns(CJMDataWarning, match=r"key_drivers\(\): 'sat' holds 22 \(1×\), 99 \(2×\) outside its labelled "
                      r"scale 1–5 \(rows 4, 9, 17\).*dont_know=\[22, 99\]"):  # fmt: skip
        key_drivers(df, outcome="recommend", drivers=["sat"], method="johnson")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", CJMDataWarning)
        out = key_drivers(df, outcome="recommend", drivers=["sat", "ces"], method="johnson", dont_know=[22, 97, 99])
    assert out["n_dropped"].max() == 4


def test_inspect_lists_codes_outside_the_labelled_scale():
    from cjm_lab.io.inspect import inspect_file

    table = inspect_file(_stray_raw(), codebook=_ENDS).set_index("column")
    assert table.loc["sat", "dont_know"] == "22 (unlabelled, outside 1–5: 1×); 99 (unlabelled, outside 1–5: 2×)"
    assert table.loc["ces", "dont_know"] == "97 (unlabelled, outside 1–5: 1×)"
    assert {(r["column"], r["code"]) for r in table.attrs["inspect"]["out_of_scale"]} == {
        ("sat", 22.0),
        ("sat", 99.0),
        ("ces", 97.0),
    }


@pytest.mark.real_data
def test_stray_codes_of_the_phone_survey_and_none_in_the_held_out_files():
    import warnings
    from pathlib import Path

    from cjm_lab.io import detect_missing, read_table

    real = Path(__file__).resolve().parents[1] / "data" / "real"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        phone, _ = read_table(real / "phone_market_survey.sav")
        found = detect_missing(phone)
    stray = found[found["reason"] == "out_of_scale"].set_index(["column", "code"])["n"]
    assert stray[("q23a", 22.0)] == 1 and stray[("q23e", 6.0)] == 1  # typing errors on 1-5 agreement items
    assert found.set_index(["column", "code"]).loc[("q16", 99.0), "n"] == 78
    assert found[found["reason"] != "label"]["column"].nunique() == 21
    for name in ("cola_brand_survey.sav", "mobiles_feedback_survey.sav"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table, _ = read_table(real / name)
            held_out = detect_missing(table)
        assert not (held_out["reason"] != "label").any(), name


@pytest.mark.usefixtures("_close_figures")
def test_journey_map_takes_touchpoint_labels():
    from cjm_lab.journeys import journey_map_data
    from cjm_lab.plots import journey_map, journey_map_html
    from cjm_lab.sample import make_sample

    s = make_sample(customers=300, random_state=1)
    data = journey_map_data(s.events, touchpoints=s.touchpoints, survey=s.survey)
    first = str(data.touchpoints["touchpoint"].iloc[0])
    book = Labels(touchpoints={first: {"en": "Our own name", "de": "Unser eigener Name"}})
    fig = journey_map(
        journey_map_data(s.events, touchpoints=s.touchpoints, survey=s.survey, language="de"), labels=book
    )
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert any("Unser eigener Name" in t for t in texts)
    assert "Our own name" in journey_map_html(data, labels=book, language="en", include_plotlyjs=False)

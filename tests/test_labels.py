"""One labels mechanism: columns, values, touchpoints and personas in English and German."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.io import load_survey, table_metadata
from cjm_lab.labels import Labels, labels_for, plain_code, short_item_labels


def test_lookups_fall_back_from_language_to_english_to_the_key():
    labels = Labels(
        {"Q7": {"en": "Main phone company", "de": "Hauptanbieter"}, "Q8": "Likelihood to recommend"},
        values={"Q7": {1: "AT&T", 2: {"en": "Other", "de": "Andere"}}},
    )
    assert labels.column("Q7", language="de") == "Hauptanbieter"
    assert labels.column("Q8", language="de") == "Likelihood to recommend"  # one text for all
    assert labels.column("Q9") == "Q9"
    assert labels.value("Q7", 2.0, language="de") == "Andere" and labels.value("Q7", "2") == "Other"
    assert labels.value("Q7", 3) == "3" and labels.value("Q7", None) == ""
    assert labels.value("Q7", "Other", language="de") == "Andere"  # a label of the file finds its code
    assert (
        labels.value("Q7", 1, codes=True) == "1: AT&T" and labels.column("Q7", codes=True) == "Q7: Main phone company"
    )


def test_codes_are_written_plainly():
    assert plain_code(2021.0) == "2021" and plain_code(2.5) == "2.5" and plain_code(float("nan")) == ""
    assert Labels().value("wave", 2021.0) == "2021"


def test_vocabulary_touchpoints_and_personas():
    labels = Labels(touchpoints={"web_shop": {"en": "Web shop", "de": "Webshop"}}, personas={0: "Bargain hunters"})
    assert labels.value("stage", "research", language="de") == "Recherche"
    assert labels.value("department", "customer_service") == "Customer service"
    assert labels.touchpoint("web_shop", language="de") == "Webshop" and labels.touchpoint("app") == "app"
    assert labels.value("touchpoint", "web_shop") == "Web shop"
    assert labels.persona(0) == "Bargain hunters" and labels.persona(1, language="de") == "Persona 1"


def test_merge_other_wins_per_language():
    spss = Labels({"Q7": "Main phone company"}, values={"Q7": {1: "AT&T", 2: "Verizon"}})
    ours = Labels({"Q7": {"de": "Hauptanbieter"}}, values={"Q7": {2: {"de": "Verizon (DE)"}, 3: "Sprint"}})
    both = spss.merge(ours)
    assert both.column("Q7") == "Main phone company" and both.column("Q7", language="de") == "Hauptanbieter"
    assert both.values("Q7", language="de") == {1: "AT&T", 2: "Verizon (DE)", 3: "Sprint"}
    assert spss.values("Q7") == {1: "AT&T", 2: "Verizon"}  # merge makes a new object


def test_apply_renames_and_maps_for_display_without_touching_the_input():
    df = pd.DataFrame({"Q7": [1, 2, 1], "sat": pd.Categorical(["lo", "hi", "lo"], ["lo", "hi"], ordered=True)})
    before = df.copy()
    labels = Labels(
        {"Q7": "Main phone company", "sat": "Satisfaction"},
        values={"Q7": {1: "AT&T", 2: "Verizon"}, "sat": {"lo": "Low", "hi": "High"}},
    )
    shown = labels.apply(df)
    assert list(shown.columns) == ["Main phone company", "Satisfaction"]
    assert shown["Main phone company"].tolist() == ["AT&T", "Verizon", "AT&T"]
    assert shown["Satisfaction"].cat.ordered and list(shown["Satisfaction"].cat.categories) == ["Low", "High"]
    pd.testing.assert_frame_equal(df, before)
    partly = pd.DataFrame({"Q8": [0, 5, 10]})  # a 0-10 scale labelled at its ends keeps its numbers
    assert Labels(values={"Q8": {0: "Not at all likely", 10: "Extremely likely"}}).apply(partly)["Q8"].tolist() == [
        0,
        5,
        10,
    ]
    same = Labels({"a": "Satisfaction", "b": "Satisfaction"}).apply(pd.DataFrame({"a": [1], "b": [2]}))
    assert list(same.columns) == ["Satisfaction (a)", "Satisfaction (b)"]


def test_codebooks_yaml_and_csv_round_trip(tmp_path):
    book = Labels(
        {"Q7": {"en": "Main phone company", "de": "Hauptanbieter"}},
        values={"sat_*": {1: {"en": "Very dissatisfied", "de": "Sehr unzufrieden"}, 5: "Very satisfied"}},
        measures={"Q7": "nominal"},
        personas={0: "Bargain hunters"},
    )
    path = book.to_codebook(tmp_path / "book.yaml")
    back = Labels.from_codebook(path)
    assert back.value("sat_2", 1, language="de") == "Sehr unzufrieden"  # patterns
    assert back.measure("Q7") == "nominal" and back.persona(0) == "Bargain hunters"
    with pytest.raises(CJMConfigError, match="never overwrites"):
        book.to_codebook(path)
    csv = tmp_path / "book.csv"
    csv.write_text("column,code,label_en,label_de,measure\nQ7,,Main phone company,Hauptanbieter,ordinal\nQ7,1,AT&T,\n")
    book = Labels.from_codebook(csv)
    assert book.column("Q7", language="de") == "Hauptanbieter" and book.value("Q7", 1.0, language="de") == "AT&T"
    assert book.measure("Q7") == "ordinal"
    bad = tmp_path / "bad.csv"
    bad.write_text("variable,text\nQ7,x\n")
    with pytest.raises(CJMConfigError, match="needs a 'column' column"):
        Labels.from_codebook(bad)
    with pytest.raises(CJMConfigError, match="sections"):
        Labels.from_dict({"column": {}})


def test_a_codebook_labels_csv_data_at_load_time(tmp_path):
    """CSV data with a codebook loads like SPSS: measure levels honoured, labels in the metadata."""
    data = tmp_path / "tracker.csv"
    data.write_text("brand,age,wave\n1,2,2021\n2,1,2021\n1,3,2022\n")
    book = {
        "columns": {"brand": {"en": "Main brand", "de": "Hauptmarke"}},
        "values": {
            "brand": {1: "Alpha", 2: "Beta"},
            "age": {1: "18-29", 2: "30-49", 3: "50+"},
            "wave": {2021: "Wave 2021", 2022: "Wave 2022"},
        },
        "measures": {"brand": "nominal", "age": "ordinal"},
    }
    sv = load_survey(data, codebook=book, columns={"wave": "wave"})
    assert sv["brand"].tolist() == ["Alpha", "Beta", "Alpha"] and not sv["brand"].cat.ordered
    assert sv["age"].cat.ordered and list(sv["age"].cat.categories) == ["18-29", "30-49", "50+"]
    assert sv["wave"].tolist() == ["Wave 2021", "Wave 2021", "Wave 2022"]
    assert labels_for(sv).column("brand", language="de") == "Hauptmarke"
    assert table_metadata(sv)["codebook"]["columns"]["brand"]["de"] == "Hauptmarke"


def test_a_codebook_names_the_files_columns_and_reaches_the_roles_they_are_mapped_to(tmp_path):
    data = tmp_path / "welle.csv"
    data.write_text("Welle;Weiterempfehlung;Marke\n1;9;1\n1;3;2\n2;10;1\n")
    book = {
        "columns": {
            "Welle": {"en": "Wave", "de": "Welle"},
            "Weiterempfehlung": {"en": "Likelihood to recommend", "de": "Weiterempfehlungsbereitschaft"},
            "Marke": {"en": "Main brand", "de": "Hauptmarke"},
        },
        "values": {"Welle": {1: {"en": "Spring", "de": "Frühjahr"}, 2: {"en": "Autumn", "de": "Herbst"}}},
        "measures": {"Marke": "nominal"},
    }
    sv = load_survey(data, columns={"Welle": "wave", "Weiterempfehlung": "recommend"}, codebook=book)
    assert sv["wave"].tolist() == ["Spring", "Spring", "Autumn"] and sv["wave"].cat.ordered
    labels = labels_for(sv)
    assert labels.column("recommend") == "Likelihood to recommend"
    assert labels.column("recommend", language="de") == "Weiterempfehlungsbereitschaft"
    assert labels.value("wave", "Spring", language="de") == "Frühjahr"
    assert labels.column("wave", language="de") == "Welle" and labels.column("Marke") == "Main brand"


def test_short_item_labels_and_bad_arguments():
    assert short_item_labels(["Aided awareness: Optus", "Aided awareness: Telstra"]) == ["Optus", "Telstra"]
    assert short_item_labels(["Optus"]) == ["Optus"]
    with pytest.raises(CJMConfigError, match="`columns` must be a dict"):
        Labels(["Q7"])
    with pytest.raises(CJMConfigError, match="`language` must be 'en' or 'de'"):
        Labels().column("Q7", language="fr")
    with pytest.raises(CJMConfigError, match="measure of 'Q7'"):
        Labels(measures={"Q7": "interval"})

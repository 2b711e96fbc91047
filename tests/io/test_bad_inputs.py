"""Deliberate bad inputs of issue 10, each with the error (or the result) the project promises.

Those already covered elsewhere: empty file and header only (test_readers), BOM and cp1252
(test_readers), duplicated ids (test_contracts), naive/aware mix and DST (test_contracts), SPSS
missing-value codes (test_readers, test_spss), all-missing persona columns (personas/test_bad_input),
10,000 events for one customer and Unicode names (property/test_journeys_properties).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cjm_lab import journeys as jm
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import load_customers, load_events, load_survey, load_touchpoints, read_table
from cjm_lab.personas import choose_k
from cjm_lab.survey import nps

ROLES = {"Kunde": "customer_id", "Zeit": "timestamp", "Kontaktpunkt": "touchpoint"}


def _events(stamps, touchpoints=None, customers=None):
    n = len(stamps)
    return pd.DataFrame(
        {"customer_id": customers or ["a"] * n, "timestamp": stamps, "touchpoint": touchpoints or ["Web"] * n}
    )


# --- files -------------------------------------------------------------------------------------


def test_wrong_delimiter_names_the_probable_one(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Kunde;Zeit;Kontaktpunkt\nK1;2025-01-01 10:00;Web\n", encoding="utf-8")
    with pytest.raises(CJMDataError, match=r"probably separated by ';'; pass delimiter=';'"):
        load_events(path, delimiter=",", columns=ROLES)
    with pytest.raises(CJMDataError, match=r"role 'customer_id'.*probably separated by ';'"):
        load_events(path, delimiter=",")
    assert len(load_events(path, columns=ROLES)) == 1  # sniffed, it just works


def test_bom_semicolon_crlf_and_umlauts(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("Kunde;Zeit;Kontaktpunkt\r\nK1;25.11.2026 14:30;Bestellbestätigung\r\n".encode("utf-8-sig"))
    ev = load_events(path, columns=ROLES)
    assert list(ev.columns[:3]) == ["customer_id", "timestamp", "touchpoint"]
    assert ev["touchpoint"].tolist() == ["Bestellbestätigung"]
    assert ev["timestamp"].iloc[0] == pd.Timestamp("2026-11-25 14:30", tz="UTC")


def test_latin1_umlauts_in_touchpoint_names(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Kunde;Zeit;Kontaktpunkt\nK1;2025-01-01 10:00;Rückruf Außendienst\n".encode("latin-1"))
    ev = load_events(path, columns=ROLES)
    assert ev["touchpoint"].tolist() == ["Rückruf Außendienst"]


def test_a_byte_no_encoding_knows_falls_back_to_latin1(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"name;value\n\x8dABC;1\n")
    frame, meta = read_table(path)
    assert meta.read_options["encoding"] == "latin-1" and frame["value"].tolist() == [1]


def test_an_explicit_wrong_encoding_is_reported(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("name;value\nMüller;1\n".encode("cp1252"))
    with pytest.raises(CJMDataError, match=r"cannot be decoded as 'utf-8'.*Fix: Pass the file's real encoding"):
        read_table(path, encoding="utf-8")


def test_zero_padded_ids_and_postcodes_keep_their_zeros(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id;plz;alter;anteil\n0012345;01067;41;0,5\n0012346;10115;37;1,5\n", encoding="utf-8")
    out = load_customers(path)
    assert out["customer_id"].tolist() == ["0012345", "0012346"]  # was 12345, 12346
    assert out["plz"].tolist() == ["01067", "10115"]  # was 1067
    assert out["alter"].tolist() == [41, 37] and out["anteil"].tolist() == [0.5, 1.5]  # numbers stay numbers


def test_unicode_touchpoint_names_through_a_file_and_the_catalogue(tmp_path):
    names = ["Bewertung ★", "スマホアプリ", "Straße & Weg", "Ürün sayfası", "🛒 Warenkorb"]
    path = tmp_path / "events.csv"
    pd.DataFrame(
        {"Kunde": ["K1"] * 5, "Zeit": [f"2025-01-01 1{i}:00" for i in range(5)], "Kontaktpunkt": names}
    ).to_csv(path, index=False)
    cat = load_touchpoints(pd.DataFrame({"touchpoint": names, "stage": ["research"] * 5}))
    ev = load_events(path, columns=ROLES, touchpoints=cat)
    assert jm.variants(ev)["path"].iloc[0] == " > ".join(names)


# --- timestamps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, why",
    [
        ("10:00", "a time without a date (was: today's date)"),
        ("2025-13-01 10:00", "an impossible ISO date (was: 13 January)"),
        ("01/13/2025 10:00", "a month-first US date (was: a day-first guess)"),
        ("gestern", "text"),
    ],
)
def test_timestamps_that_are_no_timestamps(bad, why):
    with pytest.raises(CJMDataError) as err:
        load_events(_events(["2025-01-02 10:00", bad]))
    text = str(err.value)
    assert "not readable timestamps" in text and "row 2" in text and repr(bad) in text and "Fix:" in text, why


def test_iso_and_german_forms_mixed_in_one_column():
    ev = load_events(_events(["2025-01-02 10:00", "03.01.2025 11:00", "2025-01-04T12:00:00"]))
    assert ev["timestamp"].dt.day.tolist() == [2, 3, 4]


def test_offsets_across_the_autumn_change_keep_their_order():
    ev = load_events(_events(["2025-10-26T02:30:00+02:00", "2025-10-26T02:15:00+01:00"]))
    assert ev["timestamp"].tolist() == [
        pd.Timestamp("2025-10-26 00:30", tz="UTC"),
        pd.Timestamp("2025-10-26 01:15", tz="UTC"),
    ]


def test_future_dates_load_unchanged():
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).strftime("%Y-%m-%d %H:%M")
    ev = load_events(_events([future]))
    assert ev["timestamp"].iloc[0] > pd.Timestamp.now(tz="UTC")  # kept as written, never shifted or dropped


# --- survey ------------------------------------------------------------------------------------


def test_scores_as_german_text():
    answers = ["10 - Äußerst wahrscheinlich", "0 - Überhaupt nicht wahrscheinlich", "7"]
    with pytest.raises(CJMDataError) as err:
        load_survey(pd.DataFrame({"recommend": answers}))
    assert "are text, not numbers" in str(err.value) and "text_labels=" in str(err.value)
    labels = {"10 - Äußerst wahrscheinlich": 10, "0 - Überhaupt nicht wahrscheinlich": 0}
    out = load_survey(pd.DataFrame({"recommend": answers}), text_labels={"recommend": labels})
    assert out["recommend"].tolist() == [10, 0, 7]
    with pytest.raises(CJMDataError, match="text, not numbers"):
        nps(pd.DataFrame({"recommend": answers}))  # a hand-built frame gets the same error


def test_dont_know_code_99_needs_declaring():
    with pytest.raises(CJMDataError, match=r"outside 0 to 10.*value 99.0.*declare a 'don't know' code"):
        load_survey(pd.DataFrame({"recommend": [10, 99, 5]}))
    out = load_survey(pd.DataFrame({"recommend": [10, 99, 5]}), missing_codes=[99])
    assert out["recommend"].isna().tolist() == [False, True, False]


def test_all_missing_scores_and_touchpoints():
    with pytest.raises(CJMDataError, match="no valid answer"):
        load_survey(pd.DataFrame({"recommend": [np.nan, np.nan]}))
    with pytest.raises(CJMDataError, match=r"2 row\(s\) have no touchpoint.*rows 1, 2"):
        load_events(
            pd.DataFrame(
                {"customer_id": ["a", "b"], "timestamp": ["2025-01-01", "2025-01-02"], "touchpoint": [None, None]}
            )
        )


# --- duplicates, one customer, one touchpoint ---------------------------------------------------------


def test_duplicated_event_rows_count_once():
    raw = _events(["2025-01-01 10:00", "2025-01-01 11:00"], ["Web", "Kasse"])
    ev = load_events(pd.concat([raw, raw], ignore_index=True))
    assert len(ev) == 4  # the loader keeps what the file holds
    assert jm.path_lengths(ev)["length"].tolist() == [2]  # analyses drop exact repeats (dedupe=True)
    assert jm.transitions(ev).query("source == 'Web' and target == 'Kasse'")["n"].tolist() == [1]


def test_a_single_customer():
    ev = load_events(_events(["2025-01-01 10:00", "2025-01-01 11:00", "2025-01-02 09:00"], ["Web", "Kasse", "Web"]))
    assert jm.variants(ev)["n_journeys"].tolist() == [1]
    assert np.allclose(jm.transitions(ev).groupby("source")["probability"].sum(), 1)
    pp = jm.pain_points(ev, outcome=["Kasse"])  # listed with their components, but nothing ranked
    assert set(pp["touchpoint"]) == {"Web", "Kasse"} and pp["rank"].isna().all() and pp["pain_score"].isna().all()
    with pytest.raises(CJMDataError, match="cannot form"):
        jm.cluster_journeys(ev)
    with pytest.raises(CJMDataError, match="at least 3 rows"):
        choose_k(pd.DataFrame({"a": [1.0]}))
    row = nps(pd.DataFrame({"recommend": [9]})).iloc[-1]
    assert row["nps"] == 100 and row["ci_low"] <= 100 <= row["ci_high"]


def test_a_single_touchpoint():
    ev = load_events(_events(["2025-01-01 10:00", "2025-01-01 11:00", "2025-01-01 12:00"]))
    t = jm.transitions(ev)
    assert t.query("source == 'Web' and target == 'Web'")["n"].tolist() == [2]
    assert np.allclose(t.groupby("source")["probability"].sum(), 1)
    with pytest.raises(CJMConfigError, match="at least two steps"):
        jm.funnel(ev, steps=["Web"])
    assert jm.funnel(ev, steps=["Web", "Web"])["n_reached"].tolist() == [1, 1]

"""write_sav: derived variables back to SPSS with labels, never over an existing file."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import load_survey, write_sav


@pytest.fixture
def derived():
    return pd.DataFrame(
        {
            "respondent_id": ["R1", "R2", "R3", "R4"],
            "weight": [0.8123456789, 1.25, 2.0, np.nan],
            "persona": pd.Categorical(
                ["Sparfuchs", "Technikfan", None, "Sparfuchs"], categories=["Technikfan", "Sparfuchs", "Pragmatiker"]
            ),
            "speeder": [True, False, False, True],
            "interviewed": pd.to_datetime(
                [
                    "2025-03-30T01:30:00+01:00",
                    "2025-03-30T03:30:00+02:00",
                    "2025-10-26T02:30:00+02:00",
                    "2025-10-26T02:30:00+01:00",
                ],
                utc=True,
            ),
            "nps_group": [3.0, 1.0, 2.0, 3.0],
        }
    )


def test_round_trip(tmp_path, derived):
    out = tmp_path / "abgeleitet.sav"
    before = derived.copy(deep=True)
    written = write_sav(
        derived,
        out,
        variable_labels={
            "weight": "Rim weight (age x gender)",
            "persona": "Persona (k-means, 3 clusters)",
            "speeder": "Speeder flag",
            "interviewed": "Interview time (UTC)",
        },
        value_labels={"nps_group": {1: "Detractor", 2: "Passive", 3: "Promoter"}},
    )
    assert written == out and out.is_file()
    pd.testing.assert_frame_equal(derived, before)  # the input is left alone

    back, meta = pyreadstat.read_sav(str(out))
    assert list(back.columns) == list(derived.columns)
    # float weight: every digit kept, missing stays missing
    assert back["weight"].tolist()[:3] == [0.8123456789, 1.25, 2.0] and np.isnan(back["weight"][3])
    # categorical: codes 1..k in category order, categories as value labels (unused ones too)
    assert back["persona"].tolist()[:2] == [2.0, 1.0] and np.isnan(back["persona"][2]) and back["persona"][3] == 2.0
    assert meta.variable_value_labels["persona"] == {1.0: "Technikfan", 2.0: "Sparfuchs", 3.0: "Pragmatiker"}
    # bool: 0/1 labelled No/Yes
    assert back["speeder"].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert meta.variable_value_labels["speeder"] == {0.0: "No", 1.0: "Yes"}
    # UTC datetime: an SPSS datetime in UTC
    assert meta.original_variable_types["interviewed"].startswith("DATETIME")
    assert pd.to_datetime(back["interviewed"]).tolist() == [
        pd.Timestamp("2025-03-30 00:30"),
        pd.Timestamp("2025-03-30 01:30"),
        pd.Timestamp("2025-10-26 00:30"),
        pd.Timestamp("2025-10-26 01:30"),
    ]
    # text stays text; numeric value labels as given
    assert back["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert meta.variable_value_labels["nps_group"] == {1.0: "Detractor", 2.0: "Passive", 3.0: "Promoter"}
    assert meta.column_names_to_labels == {
        "respondent_id": None,
        "weight": "Rim weight (age x gender)",
        "persona": "Persona (k-means, 3 clusters)",
        "speeder": "Speeder flag",
        "interviewed": "Interview time (UTC)",
        "nps_group": None,
    }


def test_zsav_is_compressed_and_readable(tmp_path, derived):
    out = write_sav(derived, tmp_path / "abgeleitet.zsav")
    back, _ = pyreadstat.read_sav(str(out))
    assert back["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]


def test_names_are_made_valid_for_spss(tmp_path):
    df = pd.DataFrame({"Persona (k=3)": [1.0], "1st wave": [2.0]})
    out = write_sav(df, tmp_path / "namen.sav", variable_labels={"Persona (k=3)": "Persona"})
    back, meta = pyreadstat.read_sav(str(out))
    assert list(back.columns) == ["Persona__k_3_", "v_1st_wave"]
    assert meta.column_names_to_labels["Persona__k_3_"] == "Persona"


def test_two_columns_with_one_spss_name(tmp_path):
    with pytest.raises(CJMConfigError, match=r"Two columns become the SPSS name 'a_b'"):
        write_sav(pd.DataFrame({"a b": [1], "a-b": [2]}), tmp_path / "x.sav")
    assert not (tmp_path / "x.sav").exists()


def test_labels_from_load_survey_are_written_back(tmp_path):
    src = tmp_path / "original.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"Q8": [10.0, 3.0, 7.0], "Q7": [1.0, 2.0, 5.0]}),
        str(src),
        column_labels={"Q8": "Likelihood to recommend", "Q7": "Main phone company"},
        variable_value_labels={
            "Q8": {0: "Not at all likely", 10: "Extremely likely"},
            "Q7": {1: "AT&T", 2: "Verizon", 5: "Sprint"},
        },
    )
    sv = load_survey(src, columns={"Q8": "recommend"})
    assert sv["Q7"].tolist() == ["AT&T", "Verizon", "Sprint"]
    out = write_sav(sv, tmp_path / "zurueck.sav")
    back, meta = pyreadstat.read_sav(str(out))
    assert meta.column_names_to_labels["recommend"] == "Likelihood to recommend"
    assert meta.column_names_to_labels["Q7"] == "Main phone company"
    assert meta.variable_value_labels["recommend"] == {0.0: "Not at all likely", 10.0: "Extremely likely"}
    assert back["recommend"].tolist() == [10.0, 3.0, 7.0]
    # The brand keeps the codes of the original file (Sprint is 5 there, not 3), so the
    # derived file merges back onto the original by code.
    assert meta.variable_value_labels["Q7"] == {1.0: "AT&T", 2.0: "Verizon", 5.0: "Sprint"}
    assert back["Q7"].tolist() == [1.0, 2.0, 5.0]


def test_refuses_to_overwrite(tmp_path, derived):
    out = tmp_path / "vorhanden.sav"
    write_sav(derived, out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    mtime = out.stat().st_mtime_ns
    with pytest.raises(CJMConfigError, match=r"exists already; write_sav\(\) never overwrites") as info:
        write_sav(derived.assign(weight=1.0), out)
    assert str(out) in str(info.value)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert out.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vorhanden.sav"]  # no temporary file left


def test_refuses_to_overwrite_any_file(tmp_path, derived):
    out = tmp_path / "notizen.sav"
    out.write_bytes(b"not even SPSS")
    with pytest.raises(CJMConfigError, match=r"exists already"):
        write_sav(derived, out)
    assert out.read_bytes() == b"not even SPSS"


@pytest.mark.parametrize("name", ["out.csv", "out", "out.sav.bak"])
def test_wrong_suffix(tmp_path, derived, name):
    with pytest.raises(CJMConfigError, match=r"writes \.sav or \.zsav files"):
        write_sav(derived, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_not_a_frame(tmp_path):
    with pytest.raises(CJMDataError, match=r"needs a pandas DataFrame"):
        write_sav({"a": [1]}, tmp_path / "x.sav")

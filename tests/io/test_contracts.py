"""The four loaders of cjm_lab.io: roles, mappings, validation at the door, clear errors.

Row numbers in error messages count data rows from 1 (the first row under the header is row 1).
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import (
    ROLES,
    load_customers,
    load_events,
    load_survey,
    load_touchpoints,
    parse_timestamps,
    table_metadata,
)

UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def check_message(err: BaseException, *parts: str) -> str:
    """Every error names where (source, column, rows) and the fix; return the text."""
    msg = str(err)
    for part in parts:
        assert part in msg, f"{part!r} not in {msg!r}"
    assert "Fix:" in msg, msg
    return msg


def unchanged_after(func, data: pd.DataFrame, **kwargs):
    """Call a loader on a DataFrame and check the caller's frame is left exactly as it was."""
    before = data.copy(deep=True)
    attrs = copy.deepcopy(data.attrs)
    result = func(data, **kwargs)
    pd.testing.assert_frame_equal(data, before, check_exact=True)
    assert data.attrs == attrs
    assert result is not data
    return result


@pytest.fixture
def raw_events():
    return pd.DataFrame(
        {
            "Kunde": ["K1", "K1", "K2", "K1", "K2"],
            "Zeit": [
                "2025-03-01 10:00",
                "2025-03-01 10:05",
                "2025-03-02 09:00",
                "2025-03-01 10:05",
                "2025-03-02 09:00",
            ],
            "Kontaktpunkt": ["Website", "Warenkorb", "Website", "Kasse", "Hotline"],
            "Umsatz": ["0", "0", "0", "49.90", "0"],
        }
    )


EVENT_MAP = {"Kunde": "customer_id", "Zeit": "timestamp", "Kontaktpunkt": "touchpoint", "Umsatz": "value"}


# =========================================================================== events


class TestEventsMapping:
    def test_user_to_role(self, raw_events):
        ev = unchanged_after(load_events, raw_events, columns=EVENT_MAP)
        assert list(ev.columns) == ["customer_id", "timestamp", "touchpoint", "value", "sequence"]
        assert ev["customer_id"].tolist() == ["K1", "K1", "K2", "K1", "K2"]
        assert ev["value"].tolist() == [0.0, 0.0, 0.0, 49.9, 0.0]
        assert str(ev["timestamp"].dt.tz) == UTC
        assert table_metadata(ev)["roles"] == EVENT_MAP
        assert table_metadata(ev)["table"] == "events"

    def test_role_to_user(self, raw_events):
        reverse = {role: user for user, role in EVENT_MAP.items()}
        ev = load_events(raw_events, columns=reverse)
        pd.testing.assert_frame_equal(ev, load_events(raw_events, columns=EVENT_MAP))
        assert table_metadata(ev)["roles"] == EVENT_MAP

    def test_mixed_directions(self, raw_events):
        ev = load_events(
            raw_events, columns={"Kunde": "customer_id", "timestamp": "Zeit", "touchpoint": "Kontaktpunkt"}
        )
        assert {"customer_id", "timestamp", "touchpoint"} <= set(ev.columns)
        assert "Umsatz" in ev.columns  # unmapped columns are kept as they are

    def test_roles_table_is_the_contract(self):
        assert ROLES["events"]["required"] == ("customer_id", "timestamp", "touchpoint")
        assert "sequence" in ROLES["events"]["optional"]
        assert ROLES["touchpoints"]["required"] == ("touchpoint", "stage")
        # a survey needs no recommend question (trackers of shares and means load too)
        assert ROLES["survey"]["required"] == () and "recommend" in ROLES["survey"]["optional"]
        assert ROLES["customers"]["required"] == ("customer_id",)

    def test_yaml_flat(self, raw_events, tmp_path):
        f = tmp_path / "mapping.yaml"
        f.write_text("Kunde: customer_id\nZeit: timestamp\ntouchpoint: Kontaktpunkt\n", encoding="utf-8")
        ev = load_events(raw_events, columns=f)
        assert table_metadata(ev)["roles"] == {
            "Kunde": "customer_id",
            "Zeit": "timestamp",
            "Kontaktpunkt": "touchpoint",
        }
        assert ev["timestamp"].iloc[0] == ts("2025-03-01 10:00")  # no zone given: UTC

    def test_yaml_sections_with_options(self, raw_events, tmp_path):
        f = tmp_path / "cjm.yaml"
        f.write_text(
            "events:\n"
            "  columns: {Kunde: customer_id, Zeit: timestamp, Kontaktpunkt: touchpoint}\n"
            "  timezone: Europe/Berlin\n"
            "survey:\n"
            "  columns: {Q8: recommend}\n"
            "  ratings: {'sat_*': [1, 5]}\n"
            "  missing_codes: {'sat_*': [6]}\n",
            encoding="utf-8",
        )
        ev = load_events(raw_events, columns=f)
        assert ev["timestamp"].iloc[0] == ts("2025-03-01 09:00")  # 10:00 CET
        assert table_metadata(ev)["timezone"] == "Europe/Berlin"
        # An explicit argument wins over the file's option.
        ev_utc = load_events(raw_events, columns=f, timezone="UTC")
        assert ev_utc["timestamp"].iloc[0] == ts("2025-03-01 10:00")
        # The survey section of the same file.
        sv = load_survey(pd.DataFrame({"Q8": [9, 2], "sat_1": [6, 4], "sat_2": [5, 6]}), columns=f)
        assert sv["recommend"].tolist() == [9.0, 2.0]
        assert sv["sat_1"].isna().tolist() == [True, False]
        assert table_metadata(sv)["missing_codes_applied"] == {"sat_1": 1, "sat_2": 1}
        assert table_metadata(sv)["scales"] == {"sat_1": [1.0, 5.0], "sat_2": [1.0, 5.0]}

    def test_yaml_unknown_role(self, raw_events, tmp_path):
        f = tmp_path / "bad.yaml"
        f.write_text("Kunde: customer_ID\n", encoding="utf-8")
        with pytest.raises(CJMConfigError, match=r"'Kunde': 'customer_ID' names no role") as info:
            load_events(raw_events, columns=f)
        assert "Did you mean 'customer_id'?" in str(info.value)

    def test_yaml_missing_file(self, raw_events, tmp_path):
        with pytest.raises(CJMConfigError, match=r"mapping file .* does not exist"):
            load_events(raw_events, columns=tmp_path / "fehlt.yaml")

    def test_yaml_invalid(self, raw_events, tmp_path):
        f = tmp_path / "kaputt.yaml"
        f.write_text("Kunde: [customer_id\n", encoding="utf-8")
        with pytest.raises(CJMConfigError, match=r"not valid YAML"):
            load_events(raw_events, columns=f)

    def test_unknown_role_in_dict(self, raw_events):
        with pytest.raises(CJMConfigError, match=r"names no role of this table") as info:
            load_events(raw_events, columns={"Kunde": "kunden_id", "Zeit": "timestamp", "Kontaktpunkt": "touchpoint"})
        assert "Roles: customer_id, timestamp, touchpoint" in str(info.value)

    def test_two_columns_on_one_role(self, raw_events):
        with pytest.raises(CJMConfigError, match=r"Two columns are mapped to the role 'customer_id'"):
            load_events(raw_events, columns={"Kunde": "customer_id", "Umsatz": "customer_id"})

    def test_mapped_column_absent(self, raw_events):
        with pytest.raises(CJMDataError, match=r"names column 'Zeitpunkt', which the data does not have") as info:
            load_events(
                raw_events, columns={"Kunde": "customer_id", "Zeitpunkt": "timestamp", "Kontaktpunkt": "touchpoint"}
            )
        check_message(info.value, "Did you mean 'Zeit'?", "Column 'Zeitpunkt'", "'Kontaktpunkt'")

    def test_missing_role_suggests_the_close_column(self):
        raw = pd.DataFrame({"customerid": ["a"], "timestamp": ["2025-03-01 10:00"], "touchpoint": ["x"]})
        with pytest.raises(CJMDataError, match=r"role 'customer_id'") as info:
            load_events(raw)
        msg = check_message(info.value, "Did you mean 'customerid'?", "Column 'customer_id'", "columns={")
        assert "In DataFrame" in msg

    def test_missing_role_in_file_names_the_file(self, tmp_path):
        f = tmp_path / "log.csv"
        f.write_text("Kunde;Zeit\nK1;2025-03-01 10:00\n", encoding="utf-8")
        with pytest.raises(CJMDataError, match=r"role 'touchpoint'") as info:
            load_events(f, columns={"Kunde": "customer_id", "Zeit": "timestamp"})
        check_message(info.value, str(f), "Column 'touchpoint'", "The data has: 'customer_id', 'timestamp'")

    def test_role_name_clash(self):
        raw = pd.DataFrame({"id": ["a"], "customer_id": ["b"], "timestamp": ["2025-01-01"], "touchpoint": ["x"]})
        with pytest.raises(CJMDataError, match=r"already has a column 'customer_id'") as info:
            load_events(raw, columns={"id": "customer_id"})
        check_message(info.value, "Column 'customer_id'")

    def test_columns_of_wrong_type(self, raw_events):
        with pytest.raises(CJMConfigError, match=r"`columns` must be a dict or the path"):
            load_events(raw_events, columns=["Kunde"])


class TestEventsSequence:
    def test_made_from_row_order_and_stable_for_ties(self, raw_events):
        ev = load_events(raw_events, columns=EVENT_MAP)
        assert ev["sequence"].tolist() == [0, 1, 2, 3, 4]
        assert ev["sequence"].dtype == np.int64
        assert table_metadata(ev)["sequence_created"] is True
        # Rows keep the file order; equal timestamps (rows 2 and 4 of K1) keep their order.
        k1 = ev[ev["customer_id"] == "K1"].sort_values(["timestamp", "sequence"], kind="stable")
        assert k1["touchpoint"].tolist() == ["Website", "Warenkorb", "Kasse"]
        # Loading twice gives the same order.
        pd.testing.assert_frame_equal(ev, load_events(raw_events, columns=EVENT_MAP))

    def test_explicit_sequence_is_kept(self, raw_events):
        ev = load_events(raw_events.assign(Nr=[3, 1, 1, 2, 2]), columns={**EVENT_MAP, "Nr": "sequence"})
        assert ev["sequence"].tolist() == [3, 1, 1, 2, 2]
        assert table_metadata(ev)["sequence_created"] is False

    def test_sequence_repeated_within_a_customer(self, raw_events):
        raw = raw_events.assign(Nr=[1, 2, 1, 2, 2])  # K1 has 2 twice (rows 2 and 4), K2 has 1, 2
        with pytest.raises(CJMDataError, match=r"duplicate") as info:
            load_events(raw, columns={**EVENT_MAP, "Nr": "sequence"})
        check_message(info.value, "sequence", "row 4", "K1")

    def test_sequence_with_text(self, raw_events):
        raw = raw_events.assign(Nr=[1, 2, "drei", 4, 5])
        with pytest.raises(CJMDataError, match=r"not numbers") as info:
            load_events(raw, columns={**EVENT_MAP, "Nr": "sequence"})
        check_message(info.value, "Column 'sequence'", "row 3 (value 'drei')", "In DataFrame")

    def test_sequence_not_whole(self, raw_events):
        raw = raw_events.assign(Nr=[1, 2, 3, 4.5, 5])
        with pytest.raises(CJMDataError, match=r"not whole numbers") as info:
            load_events(raw, columns={**EVENT_MAP, "Nr": "sequence"})
        check_message(info.value, "Column 'sequence'", "row 4 (value 4.5)")

    def test_value_with_text(self, raw_events):
        raw = raw_events.assign(Umsatz=["0", "0", "0", "49,90 EUR", "0"])
        with pytest.raises(CJMDataError, match=r"not numbers") as info:
            load_events(raw, columns=EVENT_MAP)
        check_message(info.value, "Column 'value'", "row 4 (value '49,90 EUR')")


class TestEventsTimestamps:
    def test_offsets_across_both_dst_changes(self):
        raw = pd.DataFrame(
            {
                "customer_id": ["a"] * 6,
                "touchpoint": list("uvwxyz"),
                "timestamp": [
                    "2025-03-30T01:30:00+01:00",  # before the spring change, CET
                    "2025-03-30T03:30:00+02:00",  # after it, CEST
                    "2025-10-26T02:30:00+02:00",  # the repeated hour, first time (CEST)
                    "2025-10-26T02:30:00+01:00",  # the repeated hour, second time (CET)
                    "2025-10-26T12:00:00Z",
                    "2025-10-26 13:00:00+0100",
                ],
            }
        )
        ev = load_events(raw)
        assert ev["timestamp"].tolist() == [
            ts("2025-03-30 00:30"),
            ts("2025-03-30 01:30"),
            ts("2025-10-26 00:30"),
            ts("2025-10-26 01:30"),
            ts("2025-10-26 12:00"),
            ts("2025-10-26 12:00"),
        ]
        assert str(ev["timestamp"].dt.tz) == UTC

    def test_naive_local_time(self):
        raw = pd.DataFrame(
            {
                "customer_id": ["a", "a", "b", "b"],
                "touchpoint": ["x", "y", "x", "y"],
                "timestamp": ["2025-07-01 12:00", "2025-01-15 12:00", "2025-03-30 02:30", "2025-10-26 02:30"],
            }
        )
        ev = load_events(raw, timezone="Europe/Berlin")
        assert ev["timestamp"].tolist() == [
            ts("2025-07-01 10:00"),  # summer: UTC+2
            ts("2025-01-15 11:00"),  # winter: UTC+1
            ts("2025-03-30 01:00"),  # the skipped hour moves forward to 03:00 CEST
            ts("2025-10-26 00:30"),  # the repeated hour is read as summer time
        ]
        assert load_events(raw)["timestamp"].iloc[0] == ts("2025-07-01 12:00")  # default zone UTC

    def test_offsets_win_over_timezone(self):
        raw = pd.DataFrame({"customer_id": ["a"], "touchpoint": ["x"], "timestamp": ["2025-07-01T12:00:00+02:00"]})
        assert load_events(raw, timezone="America/New_York")["timestamp"].iloc[0] == ts("2025-07-01 10:00")

    def test_german_day_first(self):
        raw = pd.DataFrame(
            {
                "customer_id": ["a", "a", "b", "b"],
                "touchpoint": list("wxyz"),
                "timestamp": ["30.03.2025 14:05", "01.12.2025 08:00", "05.06.2025 23:59", "02.01.2025 00:00:30"],
            }
        )
        ev = load_events(raw, timezone="Europe/Berlin")
        assert ev["timestamp"].tolist() == [
            ts("2025-03-30 12:05"),
            ts("2025-12-01 07:00"),  # 1 December, not 12 January
            ts("2025-06-05 21:59"),
            ts("2025-01-01 23:00:30"),
        ]

    def test_datetime_dtypes(self):
        naive = pd.DataFrame(
            {"customer_id": ["a"], "touchpoint": ["x"], "timestamp": pd.to_datetime(["2025-07-01 12:00"])}
        )
        assert load_events(naive, timezone="Europe/Berlin")["timestamp"].iloc[0] == ts("2025-07-01 10:00")
        aware = naive.assign(timestamp=naive["timestamp"].dt.tz_localize("Europe/Berlin"))
        assert load_events(aware)["timestamp"].iloc[0] == ts("2025-07-01 10:00")

    def test_naive_and_aware_mixed(self):
        raw = pd.DataFrame(
            {
                "customer_id": ["a", "a", "b", "b"],
                "touchpoint": list("wxyz"),
                "timestamp": [
                    "2025-03-01 10:00",
                    "2025-03-01T10:05:00+01:00",
                    "2025-03-02 09:00",
                    "2025-03-02T10:00:00Z",
                ],
            }
        )
        with pytest.raises(CJMDataError, match=r"mixes timestamps with a time zone") as info:
            load_events(raw)
        check_message(
            info.value,
            "without one",
            "row 2: '2025-03-01T10:05:00+01:00'",  # an example of the aware kind
            "rows 1, 3 (values '2025-03-01 10:00', '2025-03-02 09:00')",  # the naive rows
            "Column 'timestamp'",
            "timezone=",
        )

    def test_unreadable(self):
        raw = pd.DataFrame(
            {
                "customer_id": ["a", "a", "b"],
                "touchpoint": list("xyz"),
                "timestamp": ["2025-03-01 10:00", "unbekannt", "2025-03-02 10:00"],
            }
        )
        with pytest.raises(CJMDataError, match=r"not readable timestamps") as info:
            load_events(raw)
        check_message(info.value, "Column 'timestamp'", "row 2 (value 'unbekannt')", "In DataFrame")

    def test_unreadable_in_a_file_names_the_file(self, tmp_path):
        f = tmp_path / "log.csv"
        f.write_text("customer_id,timestamp,touchpoint\na,2025-03-01 10:00,x\na,2025-02-30 10:00,y\n")
        with pytest.raises(CJMDataError, match=r"not readable timestamps") as info:
            load_events(f)
        check_message(info.value, str(f), "row 2 (value '2025-02-30 10:00')")

    def test_numbers_are_not_timestamps(self):
        raw = pd.DataFrame({"customer_id": ["a"], "touchpoint": ["x"], "timestamp": [1735689600]})
        with pytest.raises(CJMDataError, match=r"holds numbers, not timestamps") as info:
            load_events(raw)
        check_message(info.value, "Column 'timestamp'", "unit='s'")

    def test_unknown_time_zone(self):
        raw = pd.DataFrame({"customer_id": ["a"], "touchpoint": ["x"], "timestamp": ["2025-03-01 10:00"]})
        with pytest.raises(CJMConfigError, match=r"Unknown time zone 'Europe/Berlinn'"):
            load_events(raw, timezone="Europe/Berlinn")

    def test_parse_timestamps_directly(self):
        s = pd.Series(["2025-03-30T01:30:00+01:00", None, "2025-03-30T03:30:00+02:00"])
        out = parse_timestamps(s, column="when")
        assert out.iloc[0] == ts("2025-03-30 00:30") and pd.isna(out.iloc[1]) and out.iloc[2] == ts("2025-03-30 01:30")


class TestEventsIds:
    def test_missing_customer_id(self, raw_events):
        raw = raw_events.assign(Kunde=["K1", None, "K2", " ", "K2"])
        with pytest.raises(CJMDataError, match=r"2 row\(s\) have no customer id") as info:
            load_events(raw, columns=EVENT_MAP)
        check_message(info.value, "Column 'customer_id'", "rows 2, 4")

    def test_missing_touchpoint(self, raw_events):
        raw = raw_events.assign(Kontaktpunkt=["Website", "Kasse", np.nan, "Kasse", "Kasse"])
        with pytest.raises(CJMDataError, match=r"have no touchpoint") as info:
            load_events(raw, columns=EVENT_MAP)
        check_message(info.value, "Column 'touchpoint'", "row 3")

    def test_numeric_ids_become_text_without_decimals(self):
        raw = pd.DataFrame(
            {"customer_id": [173688.0, 173691.0], "timestamp": ["2025-01-01", "2025-01-02"], "touchpoint": [1, 2]}
        )
        ev = load_events(raw)
        assert ev["customer_id"].tolist() == ["173688", "173691"]
        assert ev["touchpoint"].tolist() == ["1", "2"]

    def test_frame_with_own_index_counts_rows_from_1(self):
        raw = pd.DataFrame(
            {"customer_id": ["a", "b", "c"], "timestamp": ["2025-01-01", "bad", "2025-01-03"], "touchpoint": "x"},
            index=[10, 20, 30],
        )
        with pytest.raises(CJMDataError, match=r"not readable") as info:
            load_events(raw)
        check_message(info.value, "row 2 (value 'bad')")
        ok = load_events(raw.assign(timestamp="2025-01-01"))
        assert ok.index.tolist() == [0, 1, 2]


class TestEventsCatalogue:
    @pytest.fixture
    def catalogue(self):
        return load_touchpoints(
            pd.DataFrame(
                {
                    "touchpoint": ["Website", "Warenkorb", "Kasse", "Hotline"],
                    "stage": ["Recherche", "Kauf", "Kauf", "Nutzung & Service"],
                }
            )
        )

    def test_all_known(self, raw_events, catalogue):
        ev = load_events(raw_events, columns=EVENT_MAP, touchpoints=catalogue)
        assert set(ev["touchpoint"]) <= set(catalogue["touchpoint"])

    def test_unknown_touchpoints(self, raw_events, catalogue):
        raw = raw_events.assign(Kontaktpunkt=["Website", "Webseite", "Website", "Kasse", "Chatbot"])
        with pytest.raises(CJMDataError, match=r"2 event\(s\) name touchpoints the catalogue does not have") as info:
            load_events(raw, columns=EVENT_MAP, touchpoints=catalogue)
        check_message(
            info.value,
            "'Webseite', 'Chatbot'",
            "Did you mean 'Website'?",
            "Column 'touchpoint'",
            "rows 2, 5 (values 'Webseite', 'Chatbot')",
        )

    def test_catalogue_without_touchpoint_column(self, raw_events):
        with pytest.raises(CJMConfigError, match=r"catalogue with a 'touchpoint' column"):
            load_events(raw_events, columns=EVENT_MAP, touchpoints=pd.DataFrame({"name": ["Website"]}))


# =========================================================================== touchpoints


@pytest.fixture
def german_catalogue():
    return pd.DataFrame(
        {
            "Kontaktpunkt": ["Plakat", "Vergleichsportal", "Kasse", "Hotline", "Newsletter", "Website"],
            "Phase": ["Recherche", "Vergleich", "Kauf", "Nutzung & Service", "Bindung", "vergleich"],
            "Art": ["Peripher", "extern", "Extern", "intern", "External", "EXTERNAL"],
            "Abteilung": ["Marketing", "Vertrieb", "Vertrieb", "Kundenservice", "Marketing", "Marketing"],
            "Abschluss": ["nein", "nein", "ja", "Nein", "NEIN", "nein"],
        }
    )


TP_MAP = {
    "Kontaktpunkt": "touchpoint",
    "Phase": "stage",
    "Art": "kind",
    "Abteilung": "department",
    "Abschluss": "is_conversion",
}


class TestTouchpoints:
    def test_german_stages_map_to_canonical_keys(self, german_catalogue):
        cat = unchanged_after(load_touchpoints, german_catalogue, columns=TP_MAP)
        assert cat["stage"].tolist() == ["research", "comparison", "purchase", "experience", "loyalty", "comparison"]
        assert isinstance(cat["stage"].dtype, pd.CategoricalDtype)
        assert cat["stage"].cat.ordered
        assert cat["stage"].cat.categories.tolist() == ["research", "comparison", "purchase", "experience", "loyalty"]
        assert table_metadata(cat)["stages"] == ["research", "comparison", "purchase", "experience", "loyalty"]
        # Ordered: stages compare in journey order.
        assert (cat["stage"] < "purchase").tolist() == [True, True, False, False, False, True]
        assert cat["kind"].tolist() == ["peripheral", "external", "external", "internal", "external", "external"]
        assert cat["is_conversion"].tolist() == [False, False, True, False, False, False]
        assert cat["is_conversion"].dtype == bool

    def test_english_stage_labels(self):
        cat = load_touchpoints(
            pd.DataFrame({"touchpoint": ["a", "b", "c"], "stage": ["Experience & service", "RESEARCH", "Loyalty"]})
        )
        assert cat["stage"].tolist() == ["experience", "research", "loyalty"]

    @pytest.mark.parametrize(
        "flags, expected",
        [
            (["ja", "nein", "Ja", "NEIN"], [True, False, True, False]),
            (["1", "0", "1", "0"], [True, False, True, False]),
            ([1, 0, 1, 0], [True, False, True, False]),
            ([1.0, 0.0, np.nan, 1.0], [True, False, False, True]),
            ([True, False, False, True], [True, False, False, True]),
            (["yes", "no", "true", "false"], [True, False, True, False]),
            (pd.array([True, None, False, True], dtype="boolean"), [True, False, False, True]),
        ],
    )
    def test_is_conversion(self, flags, expected):
        raw = pd.DataFrame({"touchpoint": ["a", "b", "c", "d"], "stage": ["Kauf"] * 4, "is_conversion": flags})
        cat = load_touchpoints(raw)
        assert cat["is_conversion"].tolist() == expected
        assert cat["is_conversion"].dtype == bool

    def test_is_conversion_absent_is_false(self):
        cat = load_touchpoints(pd.DataFrame({"touchpoint": ["a"], "stage": ["Kauf"]}))
        assert cat["is_conversion"].tolist() == [False]

    def test_is_conversion_unreadable(self):
        raw = pd.DataFrame(
            {"touchpoint": ["a", "b", "c"], "stage": ["Kauf"] * 3, "is_conversion": ["ja", "nein", "vielleicht"]}
        )
        with pytest.raises(CJMDataError, match=r"neither yes nor no") as info:
            load_touchpoints(raw)
        check_message(info.value, "Column 'is_conversion'", "row 3 (value 'vielleicht')", "ja/nein")

    def test_custom_stage_order(self):
        bpic = pd.DataFrame(
            {"touchpoint": ["W_Afhandelen leads", "A_SUBMITTED", "O_SENT", "A_APPROVED"], "stage": ["W", "A", "O", "A"]}
        )
        cat = load_touchpoints(bpic, stages=["A", "O", "W"])
        assert cat["stage"].cat.categories.tolist() == ["A", "O", "W"]
        assert cat["stage"].cat.ordered
        assert cat["stage"].tolist() == ["W", "A", "O", "A"]
        assert cat.sort_values("stage")["touchpoint"].tolist()[:2] == ["A_SUBMITTED", "A_APPROVED"]

    def test_unknown_stages_in_first_appearance_order(self):
        bpic = pd.DataFrame({"touchpoint": ["w1", "a1", "o1", "a2"], "stage": ["W", "A", "O", "A"]})
        cat = load_touchpoints(bpic)
        assert cat["stage"].cat.categories.tolist() == ["W", "A", "O"]
        assert table_metadata(cat)["stages"] == ["W", "A", "O"]

    def test_custom_order_with_german_names(self, german_catalogue):
        cat = load_touchpoints(
            german_catalogue,
            columns={"Kontaktpunkt": "touchpoint", "Phase": "stage"},
            stages=["research", "comparison", "purchase", "experience", "loyalty"],
        )
        assert cat["stage"].tolist()[:3] == ["research", "comparison", "purchase"]

    def test_stage_outside_the_list(self):
        bpic = pd.DataFrame({"touchpoint": ["w1", "a1", "o1"], "stage": ["W", "A", "O"]})
        with pytest.raises(CJMDataError, match=r"stage that is not in the list of stages") as info:
            load_touchpoints(bpic, stages=["A", "O"])
        check_message(info.value, "Column 'stage'", "row 1 (value 'W')", "`stages`")

    def test_stage_listed_twice(self):
        with pytest.raises(CJMConfigError, match=r"lists a stage twice"):
            load_touchpoints(pd.DataFrame({"touchpoint": ["a"], "stage": ["A"]}), stages=["A", "B", "A"])

    def test_duplicate_touchpoint(self, german_catalogue):
        raw = german_catalogue.assign(Kontaktpunkt=["Plakat", "Website", "Kasse", "Hotline", "Newsletter", "Website"])
        with pytest.raises(CJMDataError, match=r"duplicate") as info:
            load_touchpoints(raw, columns=TP_MAP)
        check_message(info.value, "'touchpoint'", "row 6 (value 'Website')")

    def test_unknown_kind(self, german_catalogue):
        raw = german_catalogue.assign(Art=["Peripher", "extern", "online", "intern", "External", "extern"])
        with pytest.raises(CJMDataError, match=r"unknown kind") as info:
            load_touchpoints(raw, columns=TP_MAP)
        check_message(info.value, "Column 'kind'", "row 3 (value 'online')", "peripheral", "external", "internal")

    def test_missing_stage(self):
        with pytest.raises(CJMDataError, match=r"have no stage") as info:
            load_touchpoints(pd.DataFrame({"touchpoint": ["a", "b"], "stage": ["Kauf", None]}))
        check_message(info.value, "Column 'stage'", "row 2")


# =========================================================================== survey


class TestSurveyRecommend:
    def test_outside_0_to_10(self):
        raw = pd.DataFrame({"Q8": [10, 11, 5, -1, 0]})
        with pytest.raises(CJMDataError, match=r"outside 0 to 10") as info:
            unchanged_after(load_survey, raw, columns={"Q8": "recommend"})
        check_message(info.value, "Column 'recommend'", "rows 2, 4 (values 11.0, -1.0)", "In DataFrame")

    def test_outside_in_a_file_names_the_file(self, tmp_path):
        f = tmp_path / "nps.csv"
        f.write_text("id;Q8\nA;10\nB;12\n", encoding="utf-8")
        with pytest.raises(CJMDataError, match=r"outside 0 to 10") as info:
            load_survey(f, columns={"Q8": "recommend"})
        check_message(info.value, str(f), "row 2 (value 12.0)")

    def test_not_whole_numbers(self):
        with pytest.raises(CJMDataError, match=r"not whole numbers") as info:
            load_survey(pd.DataFrame({"recommend": [10, 7.5, 5]}))
        check_message(info.value, "Column 'recommend'", "row 2 (value 7.5)")

    def test_text_without_mapping(self):
        raw = pd.DataFrame({"recommend": ["10 - extremely likely", "5", "0 - not at all likely"]})
        with pytest.raises(CJMDataError, match=r"are text, not numbers") as info:
            load_survey(raw)
        msg = check_message(
            info.value,
            "Column 'recommend'",
            "rows 1, 3 (values '10 - extremely likely', '0 - not at all likely')",
        )
        assert "text_labels" in msg.split("Fix:", 1)[1]

    @pytest.mark.parametrize(
        "labels",
        [
            {"10 - extremely likely": 10, "0 - not at all likely": 0},
            {10: "10 - Extremely likely", 0: "0 - Not at all likely"},  # code -> label, any case
        ],
    )
    def test_text_with_text_labels(self, labels):
        raw = pd.DataFrame({"recommend": ["10 - extremely likely", "5", " 0 - not at all likely "]})
        sv = load_survey(raw, text_labels={"recommend": labels})
        assert sv["recommend"].tolist() == [10.0, 5.0, 0.0]
        assert sv["recommend"].dtype == np.float64

    def test_recommend_scale_1_to_10(self):
        sv = load_survey(pd.DataFrame({"recommend": [10, 1, 5]}), recommend_scale=(1, 10))
        assert table_metadata(sv)["recommend_scale"] == [1, 10]
        with pytest.raises(CJMDataError, match=r"outside 1 to 10") as info:
            load_survey(pd.DataFrame({"recommend": [10, 0, 5]}), recommend_scale=(1, 10))
        check_message(info.value, "row 2 (value 0.0)")

    @pytest.mark.parametrize("scale", [(10, 0), (5,), (3, 3)])
    def test_recommend_scale_invalid(self, scale):
        with pytest.raises(CJMConfigError, match=r"recommend_scale"):
            load_survey(pd.DataFrame({"recommend": [1]}), recommend_scale=scale)

    def test_no_valid_answer(self):
        with pytest.raises(CJMDataError, match=r"no valid answer") as info:
            load_survey(pd.DataFrame({"recommend": [99, 99]}), missing_codes=[99])
        check_message(info.value, "Column 'recommend'")

    def test_missing_recommend_role(self):
        """A survey without a recommend question loads (a tracker of shares and means); the NPS
        functions then name the missing column and the close match."""
        from cjm_lab.survey import nps

        sv = load_survey(pd.DataFrame({"recommendation": [9]}))
        assert "recommend" not in sv.columns and table_metadata(sv)["recommend_scale"] is None
        with pytest.raises(CJMDataError, match=r"'recommend' for `score`") as info:
            nps(sv)
        check_message(info.value, "Did you mean 'recommendation'?")


class TestSurveyMissingCodes:
    def test_list_applies_to_recommend_and_ratings(self):
        raw = pd.DataFrame({"Q8": [10, 99, 5], "sat": [1, 3, 99]})
        sv = load_survey(raw, columns={"Q8": "recommend"}, ratings={"sat": [1, 5]}, missing_codes=[99])
        assert sv["recommend"].isna().tolist() == [False, True, False]
        assert sv["sat"].isna().tolist() == [False, False, True]
        assert table_metadata(sv)["missing_codes_applied"] == {"recommend": 1, "sat": 1}

    def test_dict_with_patterns(self):
        raw = pd.DataFrame({"recommend": [10, 7, 5], "sat_1": [1, 6, 5], "sat_2": [6, 6, 3], "ces": [6, 6, 6]})
        sv = load_survey(raw, ratings={"sat_*": [1, 5], "ces": [1, 7]}, missing_codes={"sat_*": [6]})
        assert sv["sat_1"].tolist()[0] == 1.0 and np.isnan(sv["sat_1"][1])
        assert sv["sat_2"].isna().sum() == 2
        assert sv["ces"].tolist() == [6.0, 6.0, 6.0]  # 6 is a valid answer on 1-7
        assert table_metadata(sv)["missing_codes_applied"] == {"sat_1": 1, "sat_2": 2}

    def test_code_left_undeclared_is_out_of_scale(self):
        raw = pd.DataFrame({"recommend": [10, 7, 5], "sat_1": [1, 6, 5]})
        with pytest.raises(CJMDataError, match=r"outside 1 to 5") as info:
            load_survey(raw, ratings={"sat_*": [1, 5]})
        msg = check_message(info.value, "Column 'sat_1'", "row 2 (value 6.0)")
        assert "don't know" in msg

    def test_pattern_matching_nothing(self):
        with pytest.raises(CJMDataError, match=r"No column matches 'sot_\*' given in `missing_codes`"):
            load_survey(pd.DataFrame({"recommend": [1], "sat_1": [1]}), missing_codes={"sot_*": [6]})


class TestSurveyIdsAndWeights:
    def test_respondent_id_made_when_absent(self):
        sv = load_survey(pd.DataFrame({"recommend": [10, 6, 3]}))
        assert sv["respondent_id"].tolist() == ["R1", "R2", "R3"]
        assert sv.columns[0] == "respondent_id"
        assert table_metadata(sv)["respondent_id_created"] is True

    def test_respondent_id_kept_as_text(self):
        sv = load_survey(
            pd.DataFrame({"ResponseId": [101, 102], "recommend": [10, 6]}), columns={"ResponseId": "respondent_id"}
        )
        assert sv["respondent_id"].tolist() == ["101", "102"]
        assert table_metadata(sv)["respondent_id_created"] is False

    def test_duplicate_respondent_id(self):
        raw = pd.DataFrame({"id": ["a", "b", "a", "c", "b"], "recommend": [10, 0, 5, 7, 7]})
        with pytest.raises(CJMDataError, match=r"2 duplicate value\(s\) in 'respondent_id'") as info:
            load_survey(raw, columns={"id": "respondent_id"})
        check_message(info.value, "rows 3, 5 (values 'a', 'b')")

    @pytest.mark.parametrize(
        "weights, pattern, where",
        [
            (
                [1.0, 0.0, -0.5, 2.0],
                r"2 weight\(s\) in 'weight' are missing, zero or negative \(2 zero or negative\)",
                "rows 2, 3 (values 0.0, -0.5)",
            ),
            ([1.0, np.nan, 2.0, 2.0], r"missing value", "row 2"),
            ([1.0, "x", 2.0, 2.0], r"not numbers", "row 2 (value 'x')"),
        ],
    )
    def test_bad_weights(self, weights, pattern, where):
        raw = pd.DataFrame({"w": weights, "recommend": [10, 0, 5, 3]})
        with pytest.raises(CJMDataError, match=pattern) as info:
            load_survey(raw, columns={"w": "weight"})
        check_message(info.value, "'weight'", where)

    def test_good_weights(self):
        sv = load_survey(pd.DataFrame({"w": ["0.8", "1.25"], "recommend": [10, 0]}), columns={"w": "weight"})
        assert sv["weight"].tolist() == [0.8, 1.25]

    def test_frame_with_text_index(self):
        raw = pd.DataFrame({"recommend": [10, 3, 12]}, index=["x", "y", "z"])
        with pytest.raises(CJMDataError, match=r"outside 0 to 10") as info:
            load_survey(raw)
        check_message(info.value, "row 3 (value 12.0)")


class TestSurveyRatings:
    def test_patterns_and_scales(self):
        raw = pd.DataFrame({"recommend": [10, 0], "sat_1": [1, 5], "sat_2": [2, 4], "ces": [7, 1], "other": [1, 1]})
        sv = load_survey(raw, ratings={"sat_*": [1, 5], "ces": [1, 7]})
        meta = table_metadata(sv)
        assert meta["ratings"] == ["sat_1", "sat_2", "ces"]
        assert meta["scales"] == {"sat_1": [1.0, 5.0], "sat_2": [1.0, 5.0], "ces": [1.0, 7.0]}
        assert sv["sat_1"].dtype == np.float64

    def test_list_without_scales(self):
        sv = load_survey(pd.DataFrame({"recommend": [10, 0], "sat": ["3", "8"]}), ratings=["sat"])
        assert table_metadata(sv)["scales"] == {"sat": None}
        assert sv["sat"].tolist() == [3.0, 8.0]

    def test_out_of_scale(self):
        raw = pd.DataFrame({"recommend": [10, 0, 5], "sat_1": [1, 2, 3], "sat_2": [1, 8, 0]})
        with pytest.raises(CJMDataError, match=r"outside 1 to 5") as info:
            load_survey(raw, ratings={"sat_*": [1, 5]})
        check_message(info.value, "Column 'sat_2'", "rows 2, 3 (values 8.0, 0.0)")

    def test_text_rating(self):
        with pytest.raises(CJMDataError, match=r"are text") as info:
            load_survey(pd.DataFrame({"recommend": [10, 0], "sat": [1, "gut"]}), ratings={"sat": [1, 5]})
        msg = check_message(info.value, "Column 'sat'", "row 2 (value 'gut')")
        assert "text_labels={'sat'" in msg

    def test_unknown_rating_column(self):
        with pytest.raises(CJMDataError, match=r"No column matches 'sot'") as info:
            load_survey(pd.DataFrame({"recommend": [10], "sat": [1]}), ratings={"sot": [1, 5]})
        check_message(info.value, "Did you mean 'sat'?")

    def test_bad_scale_spec(self):
        with pytest.raises(CJMConfigError, match=r"must be \[low, high\]"):
            load_survey(pd.DataFrame({"recommend": [10], "sat": [1]}), ratings={"sat": [1, 3, 5]})

    def test_date_and_duration(self):
        raw = pd.DataFrame(
            {"recommend": [10, 0], "Datum": ["01.07.2025 12:00", "15.01.2025 12:00"], "duration": [30, 45]}
        )
        sv = load_survey(raw, columns={"Datum": "date"}, timezone="Europe/Berlin")
        assert sv["date"].tolist() == [ts("2025-07-01 10:00"), ts("2025-01-15 11:00")]
        with pytest.raises(CJMDataError, match=r"'duration' lie below 0") as info:
            load_survey(raw.assign(duration=[30, -5]), columns={"Datum": "date"})
        check_message(info.value, "Column 'duration'", "row 2 (value -5.0)")


def _labelled_sav(path):
    df = pd.DataFrame(
        {
            "Q8": [0, 1, 10, 9, 8, 6, 99],
            "Q8b": [0, 3, 10, 9, 8, 6, 5],
            "Q7": [1, 2, 3, 1, 2, 1, 3],
            "age_band": [2, 1, 3, 3, 2, 1, 1],
            "Q12_1": [1, 6, 5, 4, 6, 2, 3],
        }
    ).astype(float)
    pyreadstat.write_sav(
        df,
        str(path),
        column_labels={
            "Q8": "Likelihood to recommend",
            "Q8b": "Likelihood to recommend (partner)",
            "Q7": "Main phone company",
            "Q12_1": "Effort to: understand your bill",
        },
        variable_value_labels={
            # labelled with numbers ("0 Not at all likely", "1", ..., "10 Extremely likely")
            "Q8": {
                0: "0 Not at all likely",
                **{i: str(i) for i in range(1, 10)},
                10: "10 Extremely likely",
                99: "Refused",
            },
            "Q8b": {0: "0 Not at all likely", **{i: str(i) for i in range(1, 10)}, 10: "10 Extremely likely"},
            # labelled with text: a nominal variable (codes as in the file, not alphabetical)
            "Q7": {1: "Verizon", 2: "AT&T", 3: "T-Mobile"},
            "age_band": {1: "18-29", 2: "30-49", 3: "50+"},
            "Q12_1": {1: "Very difficult", 2: "Difficult", 3: "Neither", 4: "Easy", 5: "Very easy", 6: "Don't know"},
        },
        missing_ranges={"Q8": [99], "Q12_1": [6]},
    )
    return path


class TestSurveySpss:
    def test_numeric_scale_kept_text_labels_become_ordered_categoricals(self, tmp_path):
        f = _labelled_sav(tmp_path / "umfrage.sav")
        sv = load_survey(f, columns={"Q8": "recommend"}, ratings={"Q12_*": [1, 5]})
        assert sv["recommend"].dtype == np.float64
        assert sv["recommend"].tolist()[:6] == [0.0, 1.0, 10.0, 9.0, 8.0, 6.0] and np.isnan(sv["recommend"][6])
        # A second 0-10 variable that is no role: labelled with its own numbers, so it stays numeric.
        assert sv["Q8b"].dtype == np.float64
        assert sv["Q8b"].tolist() == [0.0, 3.0, 10.0, 9.0, 8.0, 6.0, 5.0]
        # A brand: fully labelled with text, no measure level declared -> an unordered categorical
        # (nominal) with the categories in code order; only an 'ordinal' measure orders them.
        assert isinstance(sv["Q7"].dtype, pd.CategoricalDtype) and not sv["Q7"].cat.ordered
        assert sv["Q7"].cat.categories.tolist() == ["Verizon", "AT&T", "T-Mobile"]
        assert sv["Q7"].tolist() == ["Verizon", "AT&T", "T-Mobile", "Verizon", "AT&T", "Verizon", "T-Mobile"]
        assert sv["age_band"].cat.categories.tolist() == ["18-29", "30-49", "50+"]
        # Labels stay in the metadata beside the codes.
        meta = table_metadata(sv)
        assert meta["value_labels"]["Q7"] == {1.0: "Verizon", 2.0: "AT&T", 3.0: "T-Mobile"}
        assert meta["variable_labels"]["recommend"] == "Likelihood to recommend"
        assert set(meta["categorical_from_labels"]) == {"Q7", "age_band"}
        # Declared missing codes are NaN and counted, under the names of the table.
        assert sv["Q12_1"].isna().tolist() == [False, True, False, False, True, False, False]
        assert meta["missing_codes_applied"] == {"recommend": 1, "Q12_1": 2}

    def test_value_labels_codes_keeps_every_code(self, tmp_path):
        f = _labelled_sav(tmp_path / "umfrage.sav")
        sv = load_survey(f, columns={"Q8": "recommend"}, value_labels="codes")
        assert sv["Q7"].tolist() == [1.0, 2.0, 3.0, 1.0, 2.0, 1.0, 3.0]
        assert table_metadata(sv)["categorical_from_labels"] == []

    def test_value_labels_invalid(self, tmp_path):
        with pytest.raises(CJMConfigError, match=r"`value_labels` must be"):
            load_survey(pd.DataFrame({"recommend": [1]}), value_labels="text")

    def test_declared_missing_label_is_no_category(self, tmp_path):
        """A 'Don't know' code declared missing in the file is NaN, so it is no level of the scale either."""
        f = _labelled_sav(tmp_path / "umfrage.sav")
        sv = load_survey(f, columns={"Q8": "recommend"})  # Q12_1 not given as a rating: auto categorical
        assert isinstance(sv["Q12_1"].dtype, pd.CategoricalDtype)
        assert sv["Q12_1"].cat.categories.tolist() == ["Very difficult", "Difficult", "Neither", "Easy", "Very easy"]
        assert sv["Q12_1"].isna().sum() == 2

    def test_text_mapped_through_stored_value_labels(self):
        """A text column is mapped through the value labels stored with the table (as SPSS gives them)."""
        raw = pd.DataFrame({"Q8": ["Extremely likely", "not at all likely", "7"]})
        raw.attrs["cjm"] = {"value_labels": {"Q8": {10.0: "Extremely likely", 0.0: "Not at all likely"}}}
        sv = unchanged_after(load_survey, raw, columns={"Q8": "recommend"})
        assert sv["recommend"].tolist() == [10.0, 0.0, 7.0]


# =========================================================================== customers


class TestCustomers:
    def test_duplicate_ids(self):
        raw = pd.DataFrame({"Kundennr": [1, 2, 3, 2], "alter": [30, 40, 50, 60]})
        with pytest.raises(CJMDataError, match=r"1 duplicate value\(s\) in 'customer_id'") as info:
            unchanged_after(load_customers, raw, columns={"Kundennr": "customer_id"})
        check_message(info.value, "row 4 (value '2')")

    def test_ordinal_levels(self):
        raw = pd.DataFrame({"id": ["a", "b", "c"], "income": ["low", "high", None], "zufrieden": [1, 5, 3]})
        cu = unchanged_after(
            load_customers,
            raw,
            columns={"id": "customer_id"},
            ordinal={"income": ["low", "middle", "high"], "zufrieden": [1, 2, 3, 4, 5]},
        )
        assert cu["income"].cat.ordered
        assert cu["income"].cat.categories.tolist() == ["low", "middle", "high"]
        assert cu["income"].tolist()[:2] == ["low", "high"] and pd.isna(cu["income"][2])
        assert (cu["income"] > "low").tolist() == [False, True, False]
        assert cu["zufrieden"].cat.categories.tolist() == ["1", "2", "3", "4", "5"]
        assert table_metadata(cu)["ordinal"] == {
            "income": ["low", "middle", "high"],
            "zufrieden": ["1", "2", "3", "4", "5"],
        }

    def test_ordinal_likert_with_a_missing_answer(self):
        """A Likert column with one blank cell is read as float (1.0, 5.0, NaN); it still fits levels 1-5."""
        raw = pd.DataFrame({"customer_id": ["a", "b", "c"], "zufrieden": [1.0, 5.0, np.nan]})
        cu = load_customers(raw, ordinal={"zufrieden": [1, 2, 3, 4, 5]})
        assert cu["zufrieden"].tolist()[:2] == ["1", "5"] and pd.isna(cu["zufrieden"][2])

    def test_ordinal_unknown_level(self):
        raw = pd.DataFrame({"id": ["a", "b", "c"], "income": ["low", "very high", "mid"]})
        with pytest.raises(CJMDataError, match=r"2 value\(s\) in 'income' are not among the levels") as info:
            load_customers(raw, columns={"id": "customer_id"}, ordinal={"income": ["low", "middle", "high"]})
        check_message(info.value, "Column 'income'", "rows 2, 3 (values 'very high', 'mid')")

    def test_ordinal_unknown_column(self):
        raw = pd.DataFrame({"customer_id": ["a"], "income": ["low"]})
        with pytest.raises(CJMDataError, match=r"`ordinal` names column 'incme'") as info:
            load_customers(raw, ordinal={"incme": ["low", "high"]})
        check_message(info.value, "Did you mean 'income'?")

    def test_create_ids(self):
        raw = pd.DataFrame({"age": [30, 41, 52]})
        cu = unchanged_after(load_customers, raw, create_ids=True)
        assert cu["customer_id"].tolist() == ["C1", "C2", "C3"]
        assert cu.columns.tolist() == ["customer_id", "age"]

    def test_no_id_suggests_create_ids(self):
        with pytest.raises(CJMDataError, match=r"role 'customer_id'") as info:
            load_customers(pd.DataFrame({"age": [30]}))
        check_message(info.value, "create_ids=True")

    def test_create_ids_keeps_an_existing_id(self):
        cu = load_customers(pd.DataFrame({"customer_id": ["x", "y"]}), create_ids=True)
        assert cu["customer_id"].tolist() == ["x", "y"]

    def test_missing_id(self):
        with pytest.raises(CJMDataError, match=r"have no customer id") as info:
            load_customers(pd.DataFrame({"customer_id": [1.0, 2.0, np.nan]}))
        check_message(info.value, "row 3")

    def test_duplicated_column_names(self, tmp_path):
        f = tmp_path / "kunden.csv"
        f.write_text("customer_id;alter;alter \na;1;2\n", encoding="utf-8")
        with pytest.raises(CJMDataError, match=r"duplicated column names: 'alter'") as info:
            load_customers(f)
        check_message(info.value, str(f))

    def test_empty_frame(self):
        with pytest.raises(CJMDataError, match=r"no rows"):
            load_customers(pd.DataFrame({"customer_id": []}))

    def test_not_a_frame(self):
        with pytest.raises(CJMConfigError, match=r"file path or a pandas DataFrame, got list"):
            load_customers([{"customer_id": "a"}])

    def test_missing_values_scalar_is_one_value(self):
        raw = pd.DataFrame({"customer_id": ["a", "b", "c"], "job": ["unknown", "u", "admin"]})
        cu = unchanged_after(load_customers, raw, missing_values="unknown")
        assert cu["job"].isna().tolist() == [True, False, False]  # "u" is no character of a list
        assert table_metadata(cu)["missing_values_applied"] == {"job": 1}

    def test_missing_values_and_codes_never_touch_the_id(self):
        raw = pd.DataFrame({"Kundennr": ["unknown", "999", "x"], "pdays": [999, 3, 999]})
        cu = load_customers(
            raw, columns={"Kundennr": "customer_id"}, missing_values=["unknown"], missing_codes={"p*": 999}
        )
        assert cu["customer_id"].tolist() == ["unknown", "999", "x"]
        assert cu["pdays"].isna().tolist() == [True, False, True]
        for key in ("customer_id", "Kundennr"):
            with pytest.raises(CJMConfigError, match=r"names the id column .*Fix: remove it"):
                load_customers(raw, columns={"Kundennr": "customer_id"}, missing_codes={key: ["999"]})

    def test_missing_codes_must_be_a_mapping(self):
        raw = pd.DataFrame({"customer_id": ["a"], "pdays": [999]})
        with pytest.raises(CJMConfigError, match=r"got \['pdays'\]\. Fix: pass a mapping such as \{'pdays': \[999\]\}"):
            load_customers(raw, missing_codes=["pdays"])
        with pytest.raises(CJMConfigError, match=r"per-column codes go into `missing_codes`"):
            load_customers(raw, missing_values={"pdays": [999]})
        with pytest.raises(CJMConfigError, match=r"single values such as 999"):
            load_customers(raw, missing_codes={"pdays": [[998, 999]]})

    def test_missing_codes_match_numbers_and_their_text(self):
        raw = pd.DataFrame(
            {
                "customer_id": ["a", "b", "c", "d"],
                "code": ["999", "12", " 999", None],
                "score": [999.0, 1.5, np.nan, 2.0],
                "flag": [9, 1, 9, 2],
            }
        )
        cu = unchanged_after(load_customers, raw, missing_codes={"code": [999], "score": 999, "flag": ["9"]})
        assert cu["code"].isna().tolist() == [True, False, True, True]
        assert cu["score"].isna().tolist() == [True, False, True, False]
        assert cu["flag"].isna().tolist() == [True, False, True, False]
        # counted per column: only the cells made missing, not those missing before
        meta = table_metadata(cu)
        assert meta["missing_codes_applied"] == {"code": 2, "score": 1, "flag": 2}
        assert meta["missing_values_applied"] == {}

    def test_missing_codes_accept_patterns(self):
        raw = pd.DataFrame({"customer_id": ["a", "b"], "Q11_1": [6, 1], "Q11_2": [6, 6], "Q2": [6, 6]})
        cu = load_customers(raw, missing_codes={"Q11_*": [6]})
        assert cu[["Q11_1", "Q11_2"]].isna().sum().tolist() == [1, 2] and cu["Q2"].notna().all()
        assert table_metadata(cu)["missing_codes_applied"] == {"Q11_1": 1, "Q11_2": 2}
        with pytest.raises(CJMDataError, match=r"No column matches 'Q12_\*' given in `missing_codes`"):
            load_customers(raw, missing_codes={"Q12_*": [6]})

    def test_masked_categories_are_dropped(self):
        raw = pd.DataFrame(
            {
                "customer_id": ["a", "b", "c"],
                "job": pd.Categorical(["admin", "unknown", "admin"], categories=["admin", "unknown", "spare"]),
                "band": pd.Categorical(["1", "9", "2"]),
            }
        )
        cu = unchanged_after(load_customers, raw, missing_values=["unknown"], missing_codes={"band": [9]})
        assert cu["job"].cat.categories.tolist() == ["admin", "spare"]  # only the masked one goes
        assert cu["job"].isna().tolist() == [False, True, False]
        assert cu["band"].cat.categories.tolist() == ["1", "2"] and cu["band"].isna().sum() == 1
        meta = table_metadata(cu)
        assert meta["missing_codes_applied"] == {"band": 1} and meta["missing_values_applied"] == {"job": 1}

    def test_masked_spss_label_is_no_category(self, tmp_path):
        f = _labelled_sav(tmp_path / "kunden.sav")
        cu = load_customers(f, create_ids=True, missing_codes={"Q7": [3]})
        assert cu["Q7"].cat.categories.tolist() == ["Verizon", "AT&T"]
        assert cu["Q7"].isna().sum() == 2
        assert table_metadata(cu)["missing_codes_applied"] == {"Q8": 1, "Q12_1": 2, "Q7": 2}


def test_loaded_frames_keep_metadata_separately():
    """attrs of the result are its own: changing them leaves the caller's frame alone."""
    raw = pd.DataFrame({"customer_id": ["a"]})
    raw.attrs["note"] = "mine"
    cu = load_customers(raw)
    cu.attrs["cjm"]["roles"]["x"] = "y"
    assert raw.attrs == {"note": "mine"}
    assert re.match(r"^DataFrame$", table_metadata(cu)["source"])

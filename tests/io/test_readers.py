"""File formats of cjm_lab.io.read_table (and the loaders on top of it).

Every fixture file is written here, into ``tmp_path``; nothing under ``data/`` is touched.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cjm_lab import CJMDataError as TopLevelCJMDataError
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import load_events, load_survey, read_table, sniff_csv, table_metadata

# --------------------------------------------------------------------------- helpers


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def freeze(path: Path) -> str:
    """Make a fixture file read-only and return its hash (to compare after loading)."""
    os.chmod(path, 0o444)
    return sha256(path)


# Python-level opens (open(), gzip, zipfile, openpyxl) raise an "open" audit event with the mode;
# the hook records the ones of a watched file.  (Tests may run as root, where chmod 0o444 alone
# would not stop a write.)
_WATCHED: dict[str, list[str]] = {}


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and args and isinstance(args[0], (str, bytes, os.PathLike)):
        name = os.path.realpath(os.fsdecode(args[0]))
        if name in _WATCHED:
            _WATCHED[name].append(str(args[1]) if args[1] is not None else f"flags={args[2]}")


sys.addaudithook(_audit)


def _writes(modes: list[str]) -> list[str]:
    out = []
    for m in modes:
        if m.startswith("flags="):
            if int(m[6:]) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
                out.append(m)
        elif any(ch in m for ch in "wax+"):
            out.append(m)
    return out


def assert_untouched(path: Path, digest: str) -> None:
    assert sha256(path) == digest
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444


GERMAN_CSV = "Kunde;Größe;Umsatz;Anzahl\nMüller;1,82;1.234,50;3\nSchäfer;1,65;12,00;1\nGroß;1,90;7,25;12\n"


def write_sav_fixture(path: Path) -> Path:
    """A small SPSS file like a survey tool writes it: labels and user-missing codes."""
    df = pd.DataFrame(
        {
            "Q8": [10, 9, 0, 7, 99, 5],
            "brand": [1, 2, 3, 1, 2, 9],
            "sat_1": [1, 2, 6, 5, 4, 3],
            "sat_2": [6, 7, 1, 2, 3, 4],
            "age": [23, 45, 31, 62, 18, 50],
        }
    ).astype(float)
    pyreadstat.write_sav(
        df,
        str(path),
        column_labels={
            "Q8": "Likelihood to recommend",
            "brand": "Main phone company",
            "sat_1": "Satisfaction: coverage",
            "sat_2": "Satisfaction: speed",
            "age": "Age in years",
        },
        variable_value_labels={
            "Q8": {0: "0 Not at all likely", 10: "10 Extremely likely", 99: "Refused"},
            "brand": {1: "AT&T", 2: "Verizon", 3: "T-Mobile", 9: "Don't know"},
            "sat_1": {1: "Very dissatisfied", 5: "Very satisfied", 6: "Don't know"},
            "sat_2": {1: "Very dissatisfied", 5: "Very satisfied", 6: "Don't know", 7: "Refused"},
        },
        missing_ranges={"Q8": [99], "brand": [9], "sat_1": [6], "sat_2": [{"lo": 6, "hi": 9}]},
    )
    return path


# --------------------------------------------------------------------------- CSV dialects


def test_comma_csv(tmp_path):
    f = tmp_path / "events.csv"
    f.write_text("customer_id,amount,channel\nK1,1.5,web\nK2,20,app\n", encoding="utf-8")
    digest = freeze(f)
    df, meta = read_table(f)
    assert df.shape == (2, 3)
    assert df["amount"].tolist() == [1.5, 20.0]
    assert meta.format == "csv"
    assert meta.source == str(f)
    assert meta.read_options["delimiter"] == ","
    assert meta.read_options["decimal"] == "."
    assert_untouched(f, digest)


def test_german_excel_csv_cp1252_semicolon_decimal_comma(tmp_path):
    f = tmp_path / "umsatz.csv"
    f.write_bytes(GERMAN_CSV.encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        f.read_bytes().decode("utf-8")  # the fixture really is not UTF-8
    digest = freeze(f)
    df, meta = read_table(f)
    assert list(df.columns) == ["Kunde", "Größe", "Umsatz", "Anzahl"]
    assert df["Kunde"].tolist() == ["Müller", "Schäfer", "Groß"]
    assert df["Größe"].tolist() == [1.82, 1.65, 1.90]
    assert df["Umsatz"].tolist() == [1234.5, 12.0, 7.25]  # thousands dot, decimal comma
    assert df["Anzahl"].tolist() == [3, 1, 12]
    assert pd.api.types.is_float_dtype(df["Umsatz"].dtype)
    assert meta.read_options["encoding"] == "cp1252"
    assert meta.read_options["delimiter"] == ";"
    assert meta.read_options["decimal"] == ","
    assert_untouched(f, digest)


def test_sniff_csv_reports_the_german_dialect(tmp_path):
    f = tmp_path / "umsatz.csv"
    f.write_bytes(GERMAN_CSV.encode("cp1252"))
    opts = sniff_csv(f)
    reason = opts.pop("encoding_reason")
    assert opts == {"encoding": "cp1252", "delimiter": ";", "decimal": ",", "thousands": ".", "qualtrics": False}
    assert reason.startswith("no line is UTF-8 text and line(s) 1, 2")


def test_german_csv_with_dotted_dates_keeps_them_as_dates(tmp_path):
    """German Excel writes dates as DD.MM.YYYY next to amounts like 1.234,50.

    The thousands separator '.' must not turn '01.03.2025' into the integer 1032025.
    """
    f = tmp_path / "kontakte.csv"
    f.write_bytes(
        "Kunde;Datum;Kontaktpunkt;Betrag\n"
        "K1;01.03.2025;Website;1.234,50\n"
        "K1;15.04.2025;Kasse;12,00\n"
        "K2;30.10.2025;Website;7,25\n".encode("cp1252")
    )
    df, _ = read_table(f)
    assert df["Betrag"].tolist() == [1234.5, 12.0, 7.25]
    assert df["Datum"].tolist() == ["01.03.2025", "15.04.2025", "30.10.2025"]
    ev = load_events(
        f,
        columns={"Kunde": "customer_id", "Datum": "timestamp", "Kontaktpunkt": "touchpoint"},
        timezone="Europe/Berlin",
    )
    assert ev["timestamp"].tolist() == [
        pd.Timestamp("2025-02-28 23:00", tz="UTC"),  # winter time, UTC+1
        pd.Timestamp("2025-04-14 22:00", tz="UTC"),  # summer time, UTC+2
        pd.Timestamp("2025-10-29 23:00", tz="UTC"),  # winter time again
    ]


def test_german_csv_keeps_badly_grouped_numbers_as_text(tmp_path):
    """With '.' as thousands mark, '1.5' is no German number: it stays text instead of becoming 15."""
    f = tmp_path / "gemischt.csv"
    f.write_bytes("a;b;c;version\n1.234,5;1.5;-2.000;1.2.3\n7,5;2;3;1.10.0\n".encode("cp1252"))
    df, _ = read_table(f)
    assert df["a"].tolist() == [1234.5, 7.5]
    assert df["b"].tolist() == ["1.5", "2"]
    assert df["c"].tolist() == [-2000, 3]
    assert df["version"].tolist() == ["1.2.3", "1.10.0"]


def test_utf8_with_bom(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes("\ufeffKunde,Bewertung\nÄrger GmbH,5\nÖko AG,3\n".encode("utf-8"))
    digest = freeze(f)
    df, meta = read_table(f)
    assert list(df.columns) == ["Kunde", "Bewertung"]  # no '\ufeff' glued to the first name
    assert df["Kunde"].tolist() == ["Ärger GmbH", "Öko AG"]
    assert meta.read_options["encoding"] == "utf-8-sig"
    assert_untouched(f, digest)


def test_plain_utf8_umlauts(tmp_path):
    f = tmp_path / "utf8.csv"
    f.write_text("Kunde;Größe\nMüller;1,5\n", encoding="utf-8")
    df, meta = read_table(f)
    assert meta.read_options["encoding"] == "utf-8"
    assert df.columns.tolist() == ["Kunde", "Größe"]
    assert df.iloc[0].tolist() == ["Müller", 1.5]


@pytest.mark.parametrize("name", ["daten.tsv", "daten.txt"])
def test_tab_separated(tmp_path, name):
    f = tmp_path / name
    f.write_text("id\tscore\tcomment\nR1\t9\tsehr gut, danke\nR2\t3\tzu teuer\n", encoding="utf-8")
    df, meta = read_table(f)
    assert meta.read_options["delimiter"] == "\t"
    assert df.shape == (2, 3)
    assert df["score"].tolist() == [9, 3]
    assert df["comment"].tolist() == ["sehr gut, danke", "zu teuer"]


def test_gzip_compressed_csv(tmp_path):
    f = tmp_path / "events.csv.gz"
    f.write_bytes(gzip.compress(GERMAN_CSV.encode("cp1252")))
    digest = freeze(f)
    df, meta = read_table(f)
    assert df["Kunde"].tolist() == ["Müller", "Schäfer", "Groß"]
    assert df["Umsatz"].tolist() == [1234.5, 12.0, 7.25]
    assert meta.read_options["delimiter"] == ";"
    assert_untouched(f, digest)


def test_explicit_options_override_the_sniffer(tmp_path):
    f = tmp_path / "pipe.csv"
    f.write_text("a|b\n1|2\n3|4\n", encoding="utf-8")
    df, meta = read_table(f, delimiter="|")
    assert df.columns.tolist() == ["a", "b"]
    assert meta.read_options["delimiter"] == "|"


def test_glob_of_csv_parts_concatenates_in_name_order(tmp_path):
    (tmp_path / "part-2.csv").write_text("id,x\nc,3\n")
    (tmp_path / "part-1.csv").write_text("id,x\na,1\nb,2\n")
    df, meta = read_table(str(tmp_path / "part-*.csv"))
    assert df["id"].tolist() == ["a", "b", "c"]
    assert meta.format == "csv"


# --------------------------------------------------------------------------- Parquet and Excel


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "customer_id": ["K1", "K1", "K2", "K3"],
            "timestamp": pd.to_datetime(
                ["2025-03-01 10:00", "2025-03-01 10:05", "2025-03-02 09:00", "2025-03-03 12:00"]
            ).tz_localize("UTC"),
            "touchpoint": ["Website", "Kasse", "Website", "Hotline"],
            "value": [0.0, 49.9, 0.0, 0.0],
        }
    )


def test_parquet_file(tmp_path, frame):
    f = tmp_path / "events.parquet"
    frame.to_parquet(f)
    digest = freeze(f)
    df, meta = read_table(f)
    pd.testing.assert_frame_equal(df, frame)
    assert meta.format == "parquet"
    ev = load_events(f)
    assert len(ev) == 4 and str(ev["timestamp"].dt.tz) == "UTC"
    assert_untouched(f, digest)


def test_folder_of_parquet_parts(tmp_path, frame):
    folder = tmp_path / "events"
    folder.mkdir()
    frame.iloc[:2].to_parquet(folder / "part-0000.parquet")
    frame.iloc[2:].to_parquet(folder / "part-0001.parquet")
    (folder / "_SUCCESS").write_text("")  # what Spark leaves behind; must be ignored
    df, meta = read_table(folder)
    pd.testing.assert_frame_equal(df, frame)
    assert meta.format == "parquet"
    assert meta.source == str(folder)


def test_glob_of_parquet_parts(tmp_path, frame):
    frame.iloc[:1].to_parquet(tmp_path / "a.parquet")
    frame.iloc[1:].to_parquet(tmp_path / "b.parquet")
    (tmp_path / "notes.txt").write_text("not part of the glob")
    df, meta = read_table(str(tmp_path / "*.parquet"))
    pd.testing.assert_frame_equal(df, frame)
    assert meta.format == "parquet"


def test_glob_without_match(tmp_path):
    pattern = str(tmp_path / "nothing-*.parquet")
    with pytest.raises(CJMDataError, match=r"No file matches the pattern") as info:
        read_table(pattern)
    assert pattern in str(info.value) and "Fix:" in str(info.value)


def test_folder_without_parquet(tmp_path):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(CJMDataError, match=r"holds no Parquet files") as info:
        read_table(tmp_path)
    assert str(tmp_path) in str(info.value) and "Fix:" in str(info.value)


def test_parquet_subset_reports_data_row_numbers(tmp_path):
    """A Parquet file written from a filtered frame stores its index; rows still count from 1."""
    f = tmp_path / "subset.parquet"
    pd.DataFrame({"recommend": [1, 2, 3, 11, 5]}).iloc[2:].to_parquet(f)
    with pytest.raises(CJMDataError, match=r"row 2 \(value 11\.0\)") as info:
        load_survey(f)
    assert str(f) in str(info.value)


@pytest.fixture
def workbook(tmp_path):
    f = tmp_path / "kunden.xlsx"
    with pd.ExcelWriter(f, engine="openpyxl") as xl:
        pd.DataFrame({"Q8": [10, 3], "Kunde": ["Müller", "Groß"]}).to_excel(xl, sheet_name="Welle 1", index=False)
        pd.DataFrame({"Q8": [7, 8, 9], "Kunde": ["A", "B", "C"]}).to_excel(xl, sheet_name="Welle 2", index=False)
    return f


def test_excel_first_sheet_by_default(workbook):
    digest = freeze(workbook)
    df, meta = read_table(workbook)
    assert df["Q8"].tolist() == [10, 3]
    assert df["Kunde"].tolist() == ["Müller", "Groß"]
    assert meta.format == "excel"
    assert_untouched(workbook, digest)


@pytest.mark.parametrize("sheet", ["Welle 2", 1])
def test_excel_sheet(workbook, sheet):
    df, meta = read_table(workbook, sheet=sheet)
    assert df["Q8"].tolist() == [7, 8, 9]
    assert meta.read_options["sheet"] == sheet
    sv = load_survey(workbook, columns={"Q8": "recommend"}, sheet=sheet)
    assert sv["recommend"].tolist() == [7.0, 8.0, 9.0]


def test_excel_unknown_sheet(workbook):
    with pytest.raises(CJMDataError, match=r"Welle 3") as info:
        read_table(workbook, sheet="Welle 3")
    msg = str(info.value)
    assert str(workbook) in msg and "Fix:" in msg and "sheet=" in msg


# --------------------------------------------------------------------------- SPSS


def test_spss_labels_and_user_missing(tmp_path):
    f = write_sav_fixture(tmp_path / "umfrage.sav")
    digest = freeze(f)
    df, meta = read_table(f)
    assert meta.format == "spss"
    # Declared missing codes are NaN ...
    assert df["Q8"].isna().tolist() == [False, False, False, False, True, False]
    assert df["brand"].isna().tolist() == [False] * 5 + [True]
    assert df["sat_1"].isna().sum() == 1
    assert df["sat_2"].isna().tolist() == [True, True, False, False, False, False]  # the range 6-9
    # ... every other code is kept as a number.
    assert df["Q8"].dropna().tolist() == [10, 9, 0, 7, 5]
    assert df["age"].tolist() == [23, 45, 31, 62, 18, 50]
    # The missing codes (a range stays a range) and how many answers they removed.
    assert meta.missing_codes == {"Q8": [99.0], "brand": [9.0], "sat_1": [6.0], "sat_2": [[6.0, 9.0]]}
    assert meta.read_options["spss_missing_applied"] == {"Q8": 1, "brand": 1, "sat_1": 1, "sat_2": 2}
    assert meta.variable_labels["Q8"] == "Likelihood to recommend"
    assert meta.value_labels["brand"] == {1.0: "AT&T", 2.0: "Verizon", 3.0: "T-Mobile", 9.0: "Don't know"}
    assert_untouched(f, digest)


def test_spss_metadata_survives_load_survey(tmp_path):
    f = write_sav_fixture(tmp_path / "umfrage.sav")
    sv = load_survey(f, columns={"Q8": "recommend"}, ratings={"sat_*": [1, 5]})
    meta = table_metadata(sv)
    assert meta["format"] == "spss" and meta["source"] == str(f)
    # Labels follow the renamed column.
    assert meta["variable_labels"]["recommend"] == "Likelihood to recommend"
    assert meta["variable_labels"]["brand"] == "Main phone company"
    assert meta["value_labels"]["recommend"][10.0] == "10 Extremely likely"
    assert meta["missing_codes"]["recommend"] == [99.0]
    assert sv["recommend"].tolist()[:4] == [10.0, 9.0, 0.0, 7.0] and np.isnan(sv["recommend"][4])
    assert sv["sat_2"].isna().sum() == 2


def test_spss_missing_counts_use_the_role_names(tmp_path):
    """`missing_codes_applied` is keyed like every other piece of metadata: by the role name."""
    f = write_sav_fixture(tmp_path / "umfrage.sav")
    sv = load_survey(f, columns={"Q8": "recommend"}, ratings={"sat_*": [1, 5]})
    applied = table_metadata(sv)["missing_codes_applied"]
    assert applied == {"recommend": 1, "brand": 1, "sat_1": 1, "sat_2": 2}


def test_spss_not_a_sav_file(tmp_path):
    f = tmp_path / "kaputt.sav"
    f.write_bytes(b"this is no SPSS file at all")
    with pytest.raises(CJMDataError, match=r"SPSS file could not be read") as info:
        read_table(f)
    assert str(f) in str(info.value) and "Fix:" in str(info.value)


# --------------------------------------------------------------------------- Qualtrics


QUALTRICS = (
    "StartDate,ResponseId,Q8,Q7\n"
    'Start Date,Response ID,"How likely are you to recommend us to a friend, 0-10?",Which brand do you use?\n'
    '{"ImportId":"startDate","timeZone":"Europe/Berlin"},{"ImportId":"_recordId"},{"ImportId":"QID1"},{"ImportId":"QID2"}\n'
    "2025-01-01 10:00:00,R_abc,9,Telekom\n"
    "2025-01-02 11:30:00,R_def,3,Vodafone\n"
    "2025-01-03 08:15:00,R_ghi,10,O2\n"
)


def test_qualtrics_export(tmp_path):
    f = tmp_path / "qualtrics.csv"
    f.write_text(QUALTRICS, encoding="utf-8")
    digest = freeze(f)
    df, meta = read_table(f)
    assert meta.format == "qualtrics"
    assert len(df) == 3  # the two extra header rows are not data
    assert df["Q8"].tolist() == [9, 3, 10]
    assert pd.api.types.is_integer_dtype(df["Q8"].dtype)
    assert meta.variable_labels["Q8"] == "How likely are you to recommend us to a friend, 0-10?"
    assert meta.variable_labels["Q7"] == "Which brand do you use?"
    sv = load_survey(f, columns={"Q8": "recommend", "ResponseId": "respondent_id", "StartDate": "date"})
    labels = table_metadata(sv)["variable_labels"]
    assert labels["recommend"] == "How likely are you to recommend us to a friend, 0-10?"
    assert sv["respondent_id"].tolist() == ["R_abc", "R_def", "R_ghi"]
    assert sv["recommend"].tolist() == [9.0, 3.0, 10.0]
    assert_untouched(f, digest)


def test_qualtrics_header_only(tmp_path):
    f = tmp_path / "qualtrics_leer.csv"
    f.write_text("".join(QUALTRICS.splitlines(keepends=True)[:3]), encoding="utf-8")
    with pytest.raises(CJMDataError, match=r"only a header") as info:
        read_table(f)
    assert str(f) in str(info.value) and "Fix:" in str(info.value)


# --------------------------------------------------------------------------- what cannot be read


def test_empty_file(tmp_path):
    f = tmp_path / "leer.csv"
    f.write_bytes(b"")
    with pytest.raises(CJMDataError, match=r"empty \(0 bytes\)") as info:
        read_table(f)
    assert str(f) in str(info.value) and "Fix:" in str(info.value)


def test_blank_lines_only(tmp_path):
    f = tmp_path / "blank.csv"
    f.write_text("\n  \n\n")
    with pytest.raises(CJMDataError, match=r"The file is empty") as info:
        read_table(f)
    assert str(f) in str(info.value) and "Fix:" in str(info.value)


def test_empty_gzip(tmp_path):
    f = tmp_path / "leer.csv.gz"
    f.write_bytes(gzip.compress(b""))
    with pytest.raises(CJMDataError, match=r"empty") as info:
        read_table(f)
    assert str(f) in str(info.value)


@pytest.mark.parametrize("content", ["customer_id;timestamp;touchpoint\n", "customer_id,timestamp,touchpoint"])
def test_header_only(tmp_path, content):
    f = tmp_path / "nur_kopf.csv"
    f.write_text(content)
    with pytest.raises(CJMDataError, match=r"only a header") as info:
        read_table(f)
    msg = str(info.value)
    assert str(f) in msg and "Fix:" in msg
    with pytest.raises(CJMDataError, match=r"only a header"):
        load_events(f)


def test_missing_file_suggests_a_close_name(tmp_path):
    (tmp_path / "umfrage_2025.csv").write_text("a\n1\n")
    wrong = tmp_path / "umfrage_2024.csv"
    with pytest.raises(CJMDataError, match=r"does not exist") as info:
        read_table(wrong)
    msg = str(info.value)
    assert str(wrong) in msg
    assert f"Did you mean {str(tmp_path / 'umfrage_2025.csv')!r}?" in msg
    assert "Fix:" in msg
    # The same error through a loader, and it is the package-level class.
    with pytest.raises(TopLevelCJMDataError, match=r"Did you mean"):
        load_survey(str(wrong))


def test_missing_file_without_neighbours(tmp_path):
    with pytest.raises(CJMDataError, match=r"does not exist") as info:
        read_table(tmp_path / "nowhere" / "x.csv")
    assert "Did you mean" not in str(info.value)


@pytest.mark.parametrize("name", ["daten.json", "daten.xml", "daten"])
def test_unknown_suffix(tmp_path, name):
    f = tmp_path / name
    f.write_text('{"a": 1}')
    with pytest.raises(CJMDataError, match=r"cannot read files ending in") as info:
        read_table(f)
    msg = str(info.value)
    assert str(f) in msg and "Fix:" in msg and "Parquet" in msg


def test_open_file_object_is_refused(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("recommend\n9\n")
    with open(f, "rb") as fh, pytest.raises(CJMConfigError, match=r"file path or a DataFrame"):
        load_survey(fh)


def test_errors_are_value_errors_too(tmp_path):
    with pytest.raises(ValueError):
        read_table(tmp_path / "gibt_es_nicht.csv")


@pytest.mark.parametrize(
    "suffix, writer",
    [
        (".csv", lambda df, p: p.write_bytes(df.to_csv(index=False, sep=";", decimal=",").encode("cp1252"))),
        (".csv.gz", lambda df, p: p.write_bytes(gzip.compress(df.to_csv(index=False).encode()))),
        (".parquet", lambda df, p: df.to_parquet(p)),
        (".xlsx", lambda df, p: df.to_excel(p, index=False)),
        (".sav", lambda df, p: pyreadstat.write_sav(df, str(p))),
    ],
)
def test_loaders_never_write_to_the_input(tmp_path, suffix, writer):
    f = tmp_path / f"umfrage{suffix}"
    writer(pd.DataFrame({"recommend": [10.0, 7.0, 0.0], "Größe": [1.5, 2.5, 3.5]}), f)
    digest = freeze(f)
    before = os.stat(f).st_mtime_ns
    key = os.path.realpath(f)
    _WATCHED[key] = []
    try:
        sv = load_survey(f)
    finally:
        modes = _WATCHED.pop(key)
    assert _writes(modes) == []
    if suffix not in {".sav", ".parquet"}:  # pyreadstat and pyarrow open files in C, unseen by the hook
        assert modes, "the file was read without a Python-level open()"
    assert sv["recommend"].tolist() == [10.0, 7.0, 0.0]
    assert_untouched(f, digest)
    assert os.stat(f).st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [f.name]  # no side files either


def test_the_write_watch_would_see_a_write(tmp_path):
    """The audit hook used above does notice a write (so its silence means something)."""
    f = tmp_path / "x.csv"
    f.write_text("a\n1\n")
    key = os.path.realpath(f)
    _WATCHED[key] = []
    try:
        with open(f, "ab"):
            pass
        with open(f, "rb"):
            pass
    finally:
        modes = _WATCHED.pop(key)
    assert [m[0] for m in _writes(modes)] == ["a"]  # the append, not the read

"""Reading never loses rows silently: quotes, encodings, headers, ids and the words NA/None/null.

Every fixture file is written here, into ``tmp_path``.
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import decide_encoding, load_customers, load_events, load_survey, load_touchpoints, read_table

# --------------------------------------------------------------------------- quotes


def _rows(n=8):
    return ["id,comment,score"] + [f'{i},"text {i}",{i}' for i in range(1, n + 1)]


def test_an_unclosed_quote_before_other_quoted_fields_names_its_line(tmp_path):
    rows = _rows()
    rows[2] = '2,"Broken quote here,2'  # line 3 of the file
    path = tmp_path / "comments.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CJMDataError) as err:
        read_table(path)
    msg = str(err.value)
    assert "starts on line 3" in msg and "rows would be lost" in msg
    assert 'Fix: Quote the field the way CSV does: "like ""this"""' in msg
    assert str(path) in msg


def test_an_unclosed_quote_that_runs_to_the_end_names_its_line(tmp_path):
    rows = ["id,comment,score"] + [f"{i},text {i},{i}" for i in range(1, 9)]
    rows[5] = '5,"never closed,5'
    path = tmp_path / "comments.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CJMDataError, match=r"starts on line 6 \(unexpected end of data\); .*lines 6 to 9"):
        read_table(path)


def test_the_swallowing_case_through_a_loader_too(tmp_path):
    rows = ["respondent_id,recommend,comment"] + [f'R{i},{i % 11},"gut {i}"' for i in range(1, 9)]
    rows[1] = 'R1,9,"Service ""top"", aber "teuer,3'
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CJMDataError, match="starts on line 2"):
        load_survey(path)


def test_quoted_fields_over_several_lines_are_fine(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('id,comment\n1,"two\nlines, with ""quotes"""\n2,x\n3,"a\r\nb"\n', newline="")
    frame, _ = read_table(path)
    assert frame["comment"].tolist() == ['two\nlines, with "quotes"', "x", "a\r\nb"]


def test_a_quote_inside_an_unquoted_field_is_kept_literally(tmp_path):
    path = tmp_path / "inch.csv"
    path.write_text('id,size\n1,15" screen\n2,17" screen\n')
    frame, _ = read_table(path)
    assert frame["size"].tolist() == ['15" screen', '17" screen']


# --------------------------------------------------------------------------- encodings


def test_one_cp1252_line_in_a_utf8_file_is_refused_naming_both_kinds_of_line(tmp_path):
    path = tmp_path / "mixed.csv"
    body = "name;city\n" + "".join(f"Müller {i};Köln\n" for i in range(5))
    path.write_bytes(body.encode("utf-8") + "Jürgen;Düsseldorf\n".encode("cp1252"))
    with pytest.raises(CJMDataError) as err:
        read_table(path)
    msg = str(err.value)
    assert "mixes two text encodings" in msg
    assert "line(s) 2, 3, 4, 5, 6 hold UTF-8 text" in msg and "line(s) 7 hold bytes that are not UTF-8" in msg
    assert "Fix: Save the file again in one encoding (UTF-8)" in msg
    # an explicit choice is the user's: read as cp1252, the UTF-8 lines are garbled, as asked
    frame, meta = read_table(path, encoding="cp1252")
    assert meta.read_options["encoding"] == "cp1252" and frame["name"].iloc[-1] == "Jürgen"


def test_a_cp1252_byte_far_beyond_any_sample_is_still_seen(tmp_path):
    path = tmp_path / "late.csv"
    head = "name;n\n" + "".join(f"Müller {i};{i}\n" for i in range(40_000))  # > 256 KB of UTF-8
    path.write_bytes(head.encode("utf-8") + "Straße;1\n".encode("cp1252"))
    with pytest.raises(CJMDataError, match="line\\(s\\) 40002 hold bytes that are not UTF-8"):
        read_table(path)


def test_a_pure_cp1252_file_is_cp1252_with_a_reason(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("Kunde;Ort\nMüller;Köln\nMaier;Bonn\n".encode("cp1252"))
    frame, meta = read_table(path)
    assert frame["Ort"].tolist() == ["Köln", "Bonn"]
    assert meta.read_options["encoding"] == "cp1252"
    assert meta.read_options["encoding_reason"] == "no line is UTF-8 text and line(s) 2 are not UTF-8"
    assert decide_encoding(path) == ("cp1252", "no line is UTF-8 text and line(s) 2 are not UTF-8")


def test_utf8_everywhere_and_compressed(tmp_path):
    path = tmp_path / "events.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("name;n\nÄrger;1\n")
    assert decide_encoding(path) == ("utf-8", "every line is valid UTF-8")


# --------------------------------------------------------------------------- headers


def test_a_repeated_excel_header_is_refused_like_csv_and_parquet(tmp_path):
    path = tmp_path / "dup.xlsx"
    pd.DataFrame([[1, 2, 3]], columns=["customer_id", "x", "y"]).rename(columns={"y": "x"}).to_excel(path, index=False)
    with pytest.raises(CJMDataError, match=r"duplicated column names: 'x'.*Fix: Give every column a distinct name"):
        read_table(path)
    csv_path = tmp_path / "dup.csv"
    csv_path.write_text("customer_id,x,x\n1,2,3\n")
    with pytest.raises(CJMDataError, match="duplicated column names: 'x'"):
        read_table(csv_path)


def test_a_repeated_parquet_column_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "dup.parquet"
    pq.write_table(pa.table([pa.array([1]), pa.array([2])], names=["a", "a"]), path)
    with pytest.raises(CJMDataError, match="duplicated column names: 'a'"):
        read_table(path)


# --------------------------------------------------------------------------- ids and NA


def test_17_digit_ids_with_a_blank_neighbour_stay_exact_in_csv(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,age,segment\n12345678901234567,40,a\n12345678901234568,,b\n12345678901234569,31,\n")
    out = load_customers(path)
    assert out["customer_id"].tolist() == ["12345678901234567", "12345678901234568", "12345678901234569"]
    assert out["customer_id"].nunique() == 3


def test_17_digit_ids_through_a_mapping_and_parquet_with_a_null(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "events.parquet"
    ids = pa.array([12345678901234567, 12345678901234568, None], pa.int64())
    pq.write_table(pa.table({"Kunde": ids, "Zeit": ["2025-01-01 10:00"] * 3, "Kontakt": ["Web", "Shop", "App"]}), path)
    with pytest.raises(CJMDataError, match="row 3"):  # the missing id is named, not turned into 'nan'
        load_events(path, columns={"Kunde": "customer_id", "Zeit": "timestamp", "Kontakt": "touchpoint"})
    pq.write_table(pa.table({"Kunde": ids.fill_null(7), "Zeit": ["2025-01-01 10:00"] * 3, "Kontakt": ["a"] * 3}), path)
    ev = load_events(path, columns={"Kunde": "customer_id", "Zeit": "timestamp", "Kontakt": "touchpoint"})
    assert ev["customer_id"].tolist() == ["12345678901234567", "12345678901234568", "7"]


def test_17_digit_ids_in_excel_stored_as_text_stay_exact(tmp_path):
    path = tmp_path / "survey.xlsx"
    pd.DataFrame({"respondent_id": ["12345678901234567", "12345678901234568", None], "recommend": [1, 2, 3]}).to_excel(
        path, index=False
    )
    with pytest.raises(CJMDataError, match="no respondent id"):
        load_survey(path)


def test_float_ids_beyond_2_to_the_53_in_a_dataframe_are_refused():
    raw = pd.DataFrame(
        {"customer_id": [12345678901234567.0, 7.0], "timestamp": ["2025-01-01"] * 2, "touchpoint": ["a", "b"]}
    )
    with pytest.raises(CJMDataError) as err:
        load_events(raw)
    msg = str(err.value)
    assert "too large for a float" in msg and "row 1" in msg and "Fix: Read the column as text" in msg


def test_na_none_null_are_names_in_text_roles_and_missing_elsewhere(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "customer_id,timestamp,touchpoint,session_id,value\n"
        "NA,2025-01-01 10:00,None,null,NA\n"
        "null,2025-01-01 11:00,NA,N/A,1.5\n"
        "None,2025-01-01 12:00,null,nan,\n"
    )
    ev = load_events(path)
    assert ev["customer_id"].tolist() == ["NA", "null", "None"]
    assert ev["touchpoint"].tolist() == ["None", "NA", "null"]
    assert ev["session_id"].tolist() == ["null", "N/A", "nan"]
    assert ev["value"].isna().tolist() == [True, False, True]  # a number column keeps the missing words


def test_na_in_a_catalogue_and_a_survey_comment(tmp_path):
    cat = tmp_path / "touchpoints.csv"
    cat.write_text("touchpoint,stage,department\nNA,Kauf,None\nWeb,Recherche,Marketing\n")
    tp = load_touchpoints(cat)
    assert tp["touchpoint"].tolist() == ["NA", "Web"] and tp["department"].tolist() == ["None", "Marketing"]
    sv = tmp_path / "survey.csv"
    sv.write_text("respondent_id,recommend,comment\nR1,9,NA\nR2,3,\n")
    out = load_survey(sv)
    assert out["comment"].iloc[0] == "NA" and pd.isna(out["comment"].iloc[1])


def test_missing_values_declared_by_the_user_still_apply(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,job\nNA,unknown\nK2,admin\n")
    out = load_customers(path, missing_values=["unknown"])
    assert out["customer_id"].tolist() == ["NA", "K2"] and out["job"].isna().tolist() == [True, False]


def test_a_text_dont_know_code_becomes_missing_and_is_counted():
    sv = load_survey(pd.DataFrame({"recommend": ["10", "DK", " dk", "3"]}), missing_codes=["DK", "dk"])
    assert sv["recommend"].tolist()[0] == 10 and sv["recommend"].isna().sum() == 2
    from cjm_lab.io import table_metadata

    assert table_metadata(sv)["missing_codes_applied"] == {"recommend": 2}
    with pytest.raises(CJMConfigError, match=r"takes single numbers or texts.*\[99, 'DK'\]"):
        load_survey(pd.DataFrame({"recommend": [1]}), missing_codes={"recommend": [[1, 2]]})


# --------------------------------------------------------------------------- damaged files


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.xlsx", b"PK\x03\x04 this is no workbook"),
        ("bad.xls", b"\xd0\xcf\x11\xe0 damaged"),
        ("bad.csv.gz", b"\x1f\x8b\x08\x00damaged"),
        ("bad.parquet", b"PAR1 damaged PAR1"),
        ("bad.xlsx", b"plain text"),
    ],
)
def test_damaged_files_are_project_errors(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CJMDataError) as err:
        read_table(path)
    assert str(path) in str(err.value) and "Fix:" in str(err.value)


# --------------------------------------------------------------------------- property: round trip or raise

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\"\n\r,;\t|'") | st.just("ü"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s != "")


@st.composite
def tables(draw):
    n_text = draw(st.integers(1, 3))
    names = draw(
        st.lists(
            st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True),
            min_size=n_text + 1,
            max_size=n_text + 1,
            unique_by=str.lower,
        )
    )
    n = draw(st.integers(1, 12))
    data = {name: draw(st.lists(TEXT, min_size=n, max_size=n)) for name in names[:-1]}
    data[names[-1]] = draw(st.lists(st.integers(-(10**17), 10**17), min_size=n, max_size=n))
    return pd.DataFrame(data)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _write(frame: pd.DataFrame, quoting: int, delimiter: str, encoding: str, eol: str) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, sep=delimiter, quoting=quoting, lineterminator=eol)
    return buf.getvalue().encode(encoding)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    frame=tables(),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    eol=st.sampled_from(["\n", "\r\n"]),
    damage=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_csv_round_trips_exactly_or_raises(frame, quoting, delimiter, encoding, eol, damage):
    text_cols = list(frame.columns[:-1])
    if encoding == "cp1252":
        frame = frame.map(lambda v: v.encode("cp1252", "ignore").decode("cp1252") if isinstance(v, str) else v)
        frame = frame[frame[text_cols].apply(lambda c: c.str.len() > 0).all(axis=1)].reset_index(drop=True)
        if frame.empty:
            return
    # A writer that ends lines with \n leaves a lone \r unquoted: that file is ambiguous (RFC 4180 wants CR quoted).
    assume(eol == "\r\n" or not frame[text_cols].apply(lambda c: c.str.contains("\r")).any().any())
    raw = _write(frame, quoting, delimiter, encoding, eol)
    # cp1252 bytes that happen to form UTF-8 ("Â¡" is C2 A1, UTF-8 for "¡") cannot be told apart: a file
    # whose every such line reads as UTF-8 is read as UTF-8, one mixing them is refused (documented limits).
    utf8_looking = encoding == "cp1252" and any(not line.isascii() and _is_utf8(line) for line in raw.split(b"\n"))
    if damage is not None:  # one stray quote somewhere after the header
        header_end = raw.index(b"\n") + 1
        at = header_end + damage % max(1, len(raw) - header_end)
        raw = raw[:at] + b'"' + raw[at:]
    path = Path(tempfile.mkdtemp(prefix="cjm-rt-")) / "table.csv"
    path.write_bytes(raw)
    if damage is None and not utf8_looking:  # a well-formed file reads back exactly
        back, meta = read_table(path, text_columns=text_cols)
    else:
        try:
            back, meta = read_table(path, text_columns=text_cols)
        except CJMDataError:
            return  # refused with the project's error: allowed, nothing was lost silently
    if utf8_looking:
        return
    if damage is None:
        assert list(back.columns) == list(frame.columns)
        for col in text_cols:
            assert back[col].tolist() == frame[col].tolist(), col
        assert back[frame.columns[-1]].astype("int64").tolist() == frame[frame.columns[-1]].tolist()
    else:  # a damaged file read without an error has lost no row (a quote may split one into two)
        assert len(back) >= len(frame)
    assert isinstance(meta.read_options["encoding"], str)


def test_numbers_never_pass_through_float_in_text_columns(tmp_path):
    path = tmp_path / "ids.csv"
    ids = [str(v) for v in np.array([2**63 - 1, 10**17 + 1, 10**17 + 3], dtype=object)]
    path.write_text("id,x\n" + "\n".join(f"{i},{k}" for k, i in enumerate(ids)) + "\n,9\n")
    back, _ = read_table(path, text_columns=["id"])
    assert back["id"].tolist()[:3] == ids and pd.isna(back["id"].iloc[3])


def test_excel_date_serials_get_the_excel_fix_not_epoch_seconds():
    raw = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": [45000.5, 45001.25], "touchpoint": ["x", "y"]})
    with pytest.raises(CJMDataError) as err:
        load_events(raw)
    msg = str(err.value)
    assert "Excel date serials" in msg and "origin='1899-12-30'" in msg and "unit='s'" not in msg
    epoch = raw.assign(timestamp=[1.7e9, 1.7e9 + 60])
    with pytest.raises(CJMDataError, match="unit='s'"):
        load_events(epoch)

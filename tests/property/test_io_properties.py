"""Properties of cjm_lab.io: what is written in any dialect reads back unchanged; bad values give
the project's error naming the column, the rows and the fix."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cjm_lab.errors import CJMError
from cjm_lab.io import load_customers, load_events, load_survey, load_touchpoints, parse_timestamps, read_table

# Printable names with umlauts, accents, CJK and emoji, but no delimiter, quote or line break
NAME_CHARS = st.characters(codec="utf-8", categories=["L", "N", "Zs", "Pd"], exclude_characters="\x85\xa0")


def _numberlike(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# pandas reads a column holding only 'NA', 'null', 'INF', '1E5' … as missing or as numbers (a known limit;
# zero-padded codes such as '007' are kept as text)
NAMES = (
    st.text(NAME_CHARS, min_size=1, max_size=12)
    .map(str.strip)
    .filter(
        lambda s: (
            bool(s)
            and not _numberlike(s)
            and s.lower() not in {"nan", "na", "null", "none", "n/a", "true", "false", "yes", "no"}
        )
    )
)
LATIN1_NAMES = (
    st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyzäöüßÄÖÜéè ")), min_size=1, max_size=10)
    .map(str.strip)
    .filter(lambda s: bool(s) and s.lower() not in {"nan", "na", "null", "none", "true", "false", "yes", "no"})
)


def _tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="cjm-prop-"))


@given(
    rows=st.lists(st.tuples(NAMES, st.integers(-(10**6), 10**6), st.integers(0, 10)), min_size=1, max_size=25),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_csv_in_any_dialect_reads_back(rows, delimiter, encoding):
    frame = pd.DataFrame(rows, columns=["Kontaktpunkt", "Wert", "Empfehlung"])
    path = _tmpdir() / "export.csv"
    frame.to_csv(path, sep=delimiter, index=False, encoding=encoding)
    back, meta = read_table(path)
    assert list(back.columns) == list(frame.columns)  # a BOM never sticks to the first name
    assert back["Kontaktpunkt"].astype(str).tolist() == frame["Kontaktpunkt"].tolist()
    assert back["Wert"].tolist() == frame["Wert"].tolist()
    assert meta.read_options["delimiter"] == delimiter


@given(st.lists(st.tuples(LATIN1_NAMES, st.integers(0, 10)), min_size=1, max_size=20))
def test_german_excel_csv_cp1252_semicolon(rows):
    frame = pd.DataFrame(rows, columns=["Kontaktpunkt", "Empfehlung"])
    path = _tmpdir() / "excel.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    back, meta = read_table(path)
    assert back["Kontaktpunkt"].astype(str).tolist() == frame["Kontaktpunkt"].tolist()
    if any(ord(ch) > 127 for name, _ in rows for ch in name):  # plain ASCII is UTF-8 as well
        assert meta.read_options["encoding"].lower().replace("-", "") in {"cp1252", "latin1", "windows1252"}


@st.composite
def event_logs(draw, *, max_customers=6, max_events=30):
    customers = draw(st.lists(NAMES, min_size=1, max_size=max_customers, unique=True))
    touchpoints = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    n = draw(st.integers(1, max_events))
    start = pd.Timestamp("2025-03-29 22:00", tz="Europe/Berlin")  # across the spring DST change
    seconds = draw(st.lists(st.integers(0, 4 * 86400), min_size=n, max_size=n))
    stamps = [start + pd.Timedelta(seconds=s) for s in seconds]
    fmt = draw(st.sampled_from(["offset", "utc_z", "naive_utc", "german"]))
    if fmt == "offset":
        text = [t.isoformat() for t in stamps]
    elif fmt == "utc_z":
        text = [t.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ") for t in stamps]
    elif fmt == "naive_utc":
        text = [t.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S") for t in stamps]
    else:
        text = [t.tz_convert("UTC").strftime("%d.%m.%Y %H:%M:%S") for t in stamps]
    frame = pd.DataFrame(
        {
            "Kunde": draw(st.lists(st.sampled_from(customers), min_size=n, max_size=n)),
            "Zeit": text,
            "Kontaktpunkt": draw(st.lists(st.sampled_from(touchpoints), min_size=n, max_size=n)),
        }
    )
    return frame, [t.tz_convert("UTC") for t in stamps]


COLUMNS = {"Kunde": "customer_id", "Zeit": "timestamp", "Kontaktpunkt": "touchpoint"}


@given(event_logs())
def test_load_events_any_timestamp_format_becomes_utc(log):
    frame, truth = log
    before = frame.copy()
    ev = load_events(frame, columns=COLUMNS)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is never modified
    assert len(ev) == len(frame)
    assert str(ev["timestamp"].dt.tz) == "UTC"
    assert (ev["timestamp"].reset_index(drop=True) == pd.Series(truth)).all()
    assert ev["touchpoint"].tolist() == frame["Kontaktpunkt"].tolist()  # Unicode names unchanged
    assert not ev.duplicated(["customer_id", "sequence"]).any()


@given(event_logs(), st.data())
def test_load_events_from_a_file_equals_from_a_frame(log, data):
    frame, _ = log
    delimiter = data.draw(st.sampled_from([",", ";"]))
    path = _tmpdir() / "events.csv"
    frame.to_csv(path, sep=delimiter, index=False, encoding=data.draw(st.sampled_from(["utf-8", "utf-8-sig"])))
    a = load_events(path, columns=COLUMNS)
    b = load_events(frame, columns=COLUMNS)
    assert a["timestamp"].tolist() == b["timestamp"].tolist()
    assert a["customer_id"].tolist() == b["customer_id"].tolist()


BAD_STAMPS = st.sampled_from(["gestern", "32.13.2025 10:00", "2025-02-30 10:00", "10:00", "n/a?", "2025-13-01", "🙂"])


@given(event_logs(), st.data())
def test_unreadable_timestamps_name_rows_and_fix(log, data):
    frame, _ = log
    bad = data.draw(BAD_STAMPS)
    row = data.draw(st.integers(0, len(frame) - 1))
    frame.loc[row, "Zeit"] = bad
    with pytest.raises(CJMError) as err:
        load_events(frame, columns=COLUMNS)
    text = str(err.value)
    assert "'Zeit'" in text or "timestamp" in text
    assert "Fix:" in text


@given(
    st.lists(
        st.sampled_from(
            [
                "2025-10-26 01:30",
                "2025-10-26 02:30",
                "2025-10-26 03:30",
                "2025-03-30 02:30",
                "2025-03-30 01:59",
                "2025-03-30 03:00",
            ]
        ),
        min_size=1,
        max_size=10,
    )
)
def test_naive_local_times_across_dst_are_never_lost(values):
    out = parse_timestamps(pd.Series(values), column="t", timezone="Europe/Berlin")
    assert out.notna().all() and str(out.dt.tz) == "UTC"
    # order within the wall clock is kept (the repeated hour as summer time, the skipped hour shifted)
    wall = pd.to_datetime(pd.Series(values))
    for i in range(len(values)):
        for j in range(len(values)):
            if wall[i] < wall[j]:
                assert out[i] <= out[j]


@given(st.lists(st.one_of(st.integers(0, 10).map(float), st.just(np.nan)), min_size=1, max_size=30), st.booleans())
def test_load_survey_valid_scores_kept(scores, with_ids):
    assume(any(not np.isnan(s) for s in scores))
    frame = pd.DataFrame({"NPS": scores})
    if with_ids:
        frame["ID"] = [f"R{i}" for i in range(len(scores))]
    out = load_survey(frame, columns={"NPS": "recommend", **({"ID": "respondent_id"} if with_ids else {})})
    assert np.allclose(out["recommend"].to_numpy(float), np.array(scores), equal_nan=True)
    assert out["respondent_id"].is_unique and len(out) == len(scores)


BAD_SURVEY = st.one_of(
    st.sampled_from(["10 - Äußerst wahrscheinlich", "0 - gar nicht", "weiß nicht", "zehn", "10+", "8/10"]),
    st.integers(11, 1000).map(float),
    st.integers(-1000, -1).map(float),
    st.floats(0.01, 9.99).filter(lambda v: v != round(v)),
)


@given(st.lists(st.integers(0, 10), min_size=1, max_size=20), st.lists(BAD_SURVEY, min_size=1, max_size=4), st.data())
def test_load_survey_bad_scores_name_column_rows_fix(scores, bad, data):
    frame = pd.DataFrame({"recommend": pd.Series(scores, dtype=object)})
    rows = data.draw(st.lists(st.integers(0, len(scores) - 1), min_size=1, max_size=len(bad), unique=True))
    for r, v in zip(rows, bad):
        frame.loc[r, "recommend"] = v
    with pytest.raises(CJMError) as err:
        load_survey(frame)
    text = str(err.value)
    assert "'recommend'" in text and "row" in text and "Fix:" in text


@given(st.lists(NAMES, min_size=1, max_size=15, unique=True), st.data())
def test_duplicated_ids_are_named(unique, data):
    again = data.draw(st.lists(st.sampled_from(unique), min_size=1, max_size=3))
    ids = data.draw(st.permutations(unique + again))
    with pytest.raises(CJMError, match="duplicate"):
        load_customers(pd.DataFrame({"customer_id": ids, "age": range(len(ids))}))
    with pytest.raises(CJMError, match="duplicate"):
        load_survey(pd.DataFrame({"respondent_id": ids, "recommend": [5] * len(ids)}))


@given(st.lists(NAMES, min_size=1, max_size=8, unique=True), st.data())
def test_events_outside_the_catalogue_are_named(names, data):
    catalogue = load_touchpoints(pd.DataFrame({"touchpoint": names, "stage": ["research"] * len(names)}))
    stranger = data.draw(NAMES.filter(lambda s: s not in names))
    ev = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "timestamp": ["2025-01-01 10:00", "2025-01-01 11:00"],
            "touchpoint": [names[0], stranger],
        }
    )
    with pytest.raises(CJMError) as err:
        load_events(ev, touchpoints=catalogue)
    assert repr(stranger) in str(err.value) or stranger in str(err.value)


@given(
    st.sampled_from([load_events, load_survey, load_customers, load_touchpoints]),
    st.one_of(
        st.none(),
        st.integers(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.integers()),
        st.just(pd.DataFrame()),
        st.just(pd.Series([1, 2])),
    ),
)
def test_loaders_refuse_what_is_no_table(loader, value):
    with pytest.raises(CJMError):
        loader(value)


@given(
    st.sampled_from([load_events, load_survey, load_customers, load_touchpoints]),
    st.dictionaries(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8), min_size=1, max_size=3),
)
def test_bad_column_mappings(loader, mapping):
    frame = pd.DataFrame(
        {
            "customer_id": ["a"],
            "timestamp": ["2025-01-01"],
            "touchpoint": ["W"],
            "stage": ["research"],
            "recommend": [9],
        }
    )
    try:
        loader(frame, columns=mapping)
    except CJMError as err:
        assert str(err)
    # anything else propagates and fails the test


@given(st.binary(min_size=0, max_size=200), st.sampled_from([".csv", ".tsv", ".txt"]))
def test_any_bytes_in_a_csv_give_a_table_or_the_projects_error(blob, suffix):
    path = _tmpdir() / f"junk{suffix}"
    path.write_bytes(blob)
    try:
        frame, _ = read_table(path)
    except CJMError as err:
        assert str(path.name) in str(err) or "file" in str(err).lower()
        return
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0


def test_future_dates_are_loaded_as_they_are():
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).strftime("%Y-%m-%d %H:%M")
    ev = load_events(pd.DataFrame({"customer_id": ["a"], "timestamp": [future], "touchpoint": ["W"]}))
    assert ev["timestamp"].iloc[0] > pd.Timestamp.now(tz="UTC")

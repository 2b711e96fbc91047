"""XES event logs: the streaming reader, the writer, and load_events on XES (mapping, lifecycle)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import load_events, read_table, read_xes, write_xes

TINY = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="org:resource" value="UNKNOWN"/></global>
  <string key="concept:name" value="the log's own name"/>
  <trace>
    <string key="concept:name" value="case 1"/>
    <event>
      <string key="concept:name" value="Register"/>
      <string key="lifecycle:transition" value="start"/>
      <date key="time:timestamp" value="2025-03-01T10:00:00.000+01:00"/>
      <string key="org:resource" value="Anna &amp; Ben"/>
      <int key="items" value="3"/>
      <list key="tags"><values><string key="tag" value="nested, left out"/></values></list>
    </event>
    <event>
      <string key="concept:name" value="Register"/>
      <string key="lifecycle:transition" value="complete"/>
      <date key="time:timestamp" value="2025-03-01T10:20:00.000+01:00"/>
      <float key="cost" value="12.5"/>
      <boolean key="urgent" value="true"/>
    </event>
    <float key="amount" value="5000"/>
  </trace>
  <trace>
    <string key="concept:name" value="case 2"/>
    <event>
      <string key="concept:name" value="Approve"/>
      <date key="time:timestamp" value="2025-03-02T08:00:00Z"/>
      <int key="items" value="1"/>
      <boolean key="urgent" value="false"/>
    </event>
  </trace>
</log>
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.xes"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_read_xes_flattens_traces_and_events_with_their_types(tiny):
    df = read_xes(tiny)
    # trace attributes first (prefixed case:, the amount declared after the events included), then events'
    assert list(df.columns) == [
        "case:concept:name",
        "case:amount",
        "concept:name",
        "lifecycle:transition",
        "time:timestamp",
        "org:resource",
        "items",
        "cost",
        "urgent",
    ]
    assert df["case:concept:name"].tolist() == ["case 1", "case 1", "case 2"]
    assert df["case:amount"].tolist()[:2] == [5000.0, 5000.0] and pd.isna(df["case:amount"].iloc[2])
    assert df["org:resource"].tolist()[0] == "Anna & Ben"  # entity decoded; the <global> default not filled in
    assert pd.isna(df["org:resource"].iloc[1])
    assert str(df["items"].dtype) == "Int64" and df["items"].tolist()[0] == 3
    assert df["cost"].dtype == float and df["cost"].iloc[1] == 12.5
    assert df["urgent"].tolist()[1:] == [True, False]
    assert "tags" not in df.columns and "tag" not in df.columns  # nested attributes keep out


def test_load_events_maps_xes_by_itself_and_combines_the_lifecycle(tiny):
    ev = load_events(tiny)
    assert ev["customer_id"].tolist() == ["case 1", "case 1", "case 2"]
    assert ev["touchpoint"].tolist() == ["Register", "Register", "Approve"]
    # the offsets of the file are kept, then everything is UTC
    assert ev["timestamp"].tolist() == list(
        pd.to_datetime(["2025-03-01 09:00", "2025-03-01 09:20", "2025-03-02 08:00"], utc=True)
    )
    both = load_events(tiny, activity_from=["concept:name", "lifecycle:transition"])
    assert both["touchpoint"].tolist() == ["Register+start", "Register+complete", "Approve"]  # missing part left out
    assert both["concept:name"].tolist() == ["Register", "Register", "Approve"]  # the source columns stay
    # from a read table (attrs remember the format) and from a gzip file alike
    assert load_events(read_xes(tiny))["customer_id"].tolist() == ev["customer_id"].tolist()
    gz = tiny.with_suffix(".xes.gz")
    gz.write_bytes(gzip.compress(tiny.read_bytes()))
    assert read_table(gz)[1].format == "xes"
    pd.testing.assert_frame_equal(load_events(gz).drop(columns="sequence"), ev.drop(columns="sequence"))


def test_an_explicit_mapping_wins_over_the_xes_default(tiny):
    ev = load_events(
        tiny, columns={"concept:name": "customer_id", "time:timestamp": "timestamp", "case:concept:name": "touchpoint"}
    )
    assert ev["customer_id"].tolist() == ["Register", "Register", "Approve"]
    assert ev["touchpoint"].tolist() == ["case 1", "case 1", "case 2"]


def test_activity_from_errors_name_the_column_and_the_fix(tiny):
    with pytest.raises(CJMDataError, match=r"'lifecycle:transtion'.*Did you mean 'lifecycle:transition'"):
        load_events(tiny, activity_from=["concept:name", "lifecycle:transtion"])
    with pytest.raises(CJMConfigError, match=r"`activity_from` must list column names"):
        load_events(tiny, activity_from=[])
    with pytest.raises(CJMConfigError, match=r"also maps 'concept:name'.*Fix: leave the touchpoint out"):
        load_events(
            tiny,
            columns={"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"},
            activity_from=["concept:name", "lifecycle:transition"],
        )


def test_bad_xes_files_get_clear_errors(tmp_path):
    cases = {
        "broken.xes": ("<log><trace><event>", "not a readable XES"),
        "other.xes": ("<html><body/></html>", "no XES log"),
        "empty.xes": ('<log xes.version="1.0"><trace/></log>', "holds no events"),
        # an entity bomb: refused before anything is expanded
        "bomb.xes": (
            '<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<log><trace><event><string key="concept:name" value="&b;"/></event></trace></log>',
            "safe parser refuses",
        ),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CJMDataError, match=message):
            read_xes(path)
    with pytest.raises(CJMDataError, match="does not exist"):
        read_xes(tmp_path / "missing.xes")


def test_write_xes_round_trip_and_never_overwrites(tiny, tmp_path):
    df = read_xes(tiny)
    df["time:timestamp"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
    df.loc[0, "concept:name"] = 'He said "<yes>" & left\tearly'
    out = write_xes(df, tmp_path / "copy.xes")
    back = read_xes(out)
    assert back["concept:name"].tolist() == df["concept:name"].tolist()
    assert back["case:amount"].tolist()[:2] == [5000.0, 5000.0]
    assert back["items"].tolist() == [3, pd.NA, 1] or back["items"].isna().tolist() == [False, True, False]
    assert pd.to_datetime(back["time:timestamp"], utc=True, format="ISO8601").tolist() == df["time:timestamp"].tolist()
    with pytest.raises(CJMConfigError, match="never overwrites"):
        write_xes(df, out)
    with pytest.raises(CJMConfigError, match="case column 'case'"):
        write_xes(df, tmp_path / "other.xes", case="case")


@pytest.mark.real_data
def test_a_real_log_written_as_xes_reads_back_the_same(tmp_path):
    """The help-desk log (CSV) written as XES and read back: the same events, resources and times."""
    columns = {"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}
    csv = load_events("data/real/helpdesk_ticket_journeys.csv.gz", columns=columns)
    raw, _ = read_table("data/real/helpdesk_ticket_journeys.csv.gz")
    raw["time:timestamp"] = pd.to_datetime(raw["time:timestamp"], utc=True, format="ISO8601")
    path = write_xes(raw, tmp_path / "helpdesk.xes.gz")
    xes = load_events(path)
    assert len(xes) == len(csv) == 21_348 and xes["customer_id"].nunique() == 4_580
    key = ["customer_id", "timestamp", "touchpoint", "org:resource"]
    pd.testing.assert_frame_equal(
        xes[key].sort_values(key).reset_index(drop=True), csv[key].sort_values(key).reset_index(drop=True)
    )

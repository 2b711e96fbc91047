"""Touchpoint names never collide with the journey analyses' own text: the path separator, the labels
of rows that are no touchpoint (``(start)``, ``(exit)``, ``(other)``, ``(unknown)``, ``(direct)``) and
the separator of customer and session in a journey id.

Every analysis is run on a DataFrame, on Parquet and on CSV (the named aggregate of the engine and the
coded one of pandas must write the same text); the Spark equality of the same log is in
``tests/journeys/test_spark.py::test_hostile_names_collide_nowhere``.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjm_lab import journeys as jm
from cjm_lab.io import load_events, load_touchpoints
from cjm_lab.plots.journeys import touchpoint_labeller
from cjm_lab.plots.sankey import OTHER_NODE, sankey_flows
from cjm_lab.untrusted import RESERVED_LABELS, escape_label, join_path, split_path, unescape_label

#: One journey per customer: (customer, touchpoints).
JOURNEYS = [
    ("a", ["Web", "Shop"]),
    ("b", ["Web > Shop"]),  # one touchpoint whose name holds the separator
    ("c", ["(start)"]),
    ("d", ["(exit)", "Web"]),
    ("e", ["(other)"]),
    ("g", ["C:\\cart", ">"]),
    ("h", ["Web", "(exit)"]),
    ("i", ["(direct)", "Shop"]),
    ("j", ["Shop"]),
]


def _log(journeys=JOURNEYS) -> pd.DataFrame:
    rows = [(cid, f"2025-01-01 10:{k:02d}", tp) for cid, tps in journeys for k, tp in enumerate(tps)]
    return load_events(pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"]))


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """The log as a DataFrame, a Parquet file (both aggregated as codes) and a CSV file (by name)."""
    ev = _log()
    folder = tmp_path_factory.mktemp("collisions")
    ev.to_parquet(folder / "events.parquet")
    ev.to_csv(folder / "events.csv", index=False)
    return {"frame": ev, "parquet": str(folder / "events.parquet"), "csv": str(folder / "events.csv")}


def _same_everywhere(fn, sources):
    """The result on the DataFrame, checked equal on Parquet and CSV."""
    want = fn(sources["frame"])
    for kind in ("parquet", "csv"):
        pd.testing.assert_frame_equal(fn(sources[kind]), want, check_dtype=False, obj=kind)
    return want


names = st.lists(
    st.one_of(
        st.sampled_from([*RESERVED_LABELS, ">", "\\", " > ", "\\>", "\\(exit)", "", " "]),
        st.text(alphabet=st.sampled_from(list("ab >\\()|")), max_size=8),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(names, names)
def test_paths_round_trip_and_never_collide(a, b):
    assert split_path(join_path(a)) == a
    assert (join_path(a) == join_path(b)) == (a == b)
    assert split_path(pd.Series([join_path(a), join_path(b)])).tolist() == [a, b]  # the vectorised reading
    if len(a) == 1:
        assert join_path(a) not in RESERVED_LABELS  # no path of one touchpoint reads as the (other) row


@settings(max_examples=300, deadline=None)
@given(names)
def test_labels_round_trip_and_never_pass_for_a_reserved_label(values):
    written = [escape_label(v) for v in values]
    assert [unescape_label(w) for w in written] == values
    assert not set(written) & set(RESERVED_LABELS)
    assert len(set(written)) == len(set(values))
    series = pd.Series([*values, None], dtype=object)
    assert escape_label(series).tolist()[:-1] == written and escape_label(series).iloc[-1] is None
    assert unescape_label(escape_label(series)).tolist()[:-1] == values
    # a reserved label is the analyses' own row and stays itself
    assert [unescape_label(label) for label in RESERVED_LABELS] == list(RESERVED_LABELS)


def test_the_notation_by_hand():
    assert join_path(["Web", "Shop"]) == "Web > Shop"
    assert join_path(["Web > Shop"]) == "Web \\> Shop"
    assert join_path(["C:\\cart", ">"]) == "C:\\\\cart > \\>"
    assert join_path(["(other)"]) == "\\(other)" and join_path(["(other)", "x"]) == "\\(other) > x"
    assert escape_label("(exit)") == "\\(exit)" and escape_label("\\(exit)") == "\\\\(exit)"
    assert escape_label("C:\\cart") == "C:\\cart" and escape_label("Web > Shop") == "Web > Shop"
    assert escape_label("(Hotline)") == "(Hotline)"  # only the analyses' own labels are written apart


def test_a_touchpoint_holding_the_separator_is_its_own_variant(sources):
    v = _same_everywhere(jm.variants, sources)
    got = dict(zip(v["path"], v["n_journeys"]))
    assert got == {
        "Web > Shop": 1,
        "Web \\> Shop": 1,
        "\\(start)": 1,
        "\\(exit) > Web": 1,
        "\\(other)": 1,
        "C:\\\\cart > \\>": 1,
        "Web > \\(exit)": 1,
        "\\(direct) > Shop": 1,
        "Shop": 1,
    }
    assert sorted(map(tuple, split_path(v["path"]))) == sorted(tuple(tps) for _, tps in JOURNEYS)
    assert jm.split_path is split_path and jm.join_path is join_path
    top = jm.variants(sources["frame"], top=8)
    assert (top["path"] == jm.OTHER_LABEL).sum() == 1 and top["n_journeys"].sum() == len(JOURNEYS)
    parts = _same_everywhere(lambda e: jm.path_parts(e, n=1), sources)
    assert dict(zip(parts["path"], parts["n_journeys"])) == {
        "Web": 2,
        "Web \\> Shop": 1,
        "\\(start)": 1,
        "\\(exit)": 1,
        "\\(other)": 1,
        "C:\\\\cart": 1,
        "\\(direct)": 1,
        "Shop": 1,
    }


def test_touchpoints_named_like_the_start_and_the_exit_are_touchpoints(sources):
    t = _same_everywhere(jm.transitions, sources).set_index(["source", "target"])
    start, end = jm.START, jm.EXIT
    assert t.xs(start)["n"].sum() == len(JOURNEYS)  # every journey starts once
    assert t.xs(end, level="target")["n"].sum() == len(JOURNEYS)  # and ends once
    assert t.loc[(start, "\\(start)"), "n"] == 1 and t.loc[(start, "\\(exit)"), "n"] == 1
    assert t.loc[("\\(exit)", "Web"), "n"] == 1  # the touchpoint "(exit)" is followed by Web: no exit
    assert t.loc[("Web", "\\(exit)"), "n"] == 1 and t.loc[("Web", end), "n"] == 1  # d ends at Web
    assert t.loc[("Web", "Shop"), "probability"] == pytest.approx(1 / 3)
    assert t.loc[("\\(start)", end), "n"] == 1 and ("\\(start)", "\\(start)") not in t.index
    assert t.loc[("C:\\cart", ">"), "n"] == 1  # beside the labels, a name is written as it is
    assert {s for s, _ in t.index} >= {start, "\\(exit)", "\\(start)", "\\(other)", "\\(direct)"}


def test_departments_named_unknown_stay_apart_from_missing_ones(sources):
    cat = load_touchpoints(
        pd.DataFrame(
            {
                "touchpoint": list(dict.fromkeys(t for _, tps in JOURNEYS for t in tps)),
                "stage": "research",
            }
        ).assign(department=lambda c: c["touchpoint"].map({"Web": "(unknown)", "Shop": "Sales"}))
    )
    t = _same_everywhere(lambda e: jm.transitions(e, level="department", touchpoints=cat), sources)
    t = t.set_index(["source", "target"])
    # Web belongs to a department called "(unknown)"; the other touchpoints have none
    assert t.loc[("\\(unknown)", "Sales"), "n"] == 1  # a: Web, Shop
    assert t.loc[("(unknown)", "\\(unknown)"), "n"] == 1  # d: (exit) [none], Web
    assert t.loc[("\\(unknown)", "(unknown)"), "n"] == 1  # h: Web, (exit) [none]
    assert t.loc[("\\(unknown)", jm.EXIT), "n"] == 1  # d ends at Web


def test_dropoffs_tell_a_touchpoint_called_exit_from_the_end(sources):
    d = _same_everywhere(lambda e: jm.funnel_dropoffs(e, steps=["Web", "Shop"]), sources)
    assert dict(zip(d["next_touchpoint"], d["n_journeys"])) == {jm.EXIT: 1, "\\(exit)": 1}


def test_attribution_keeps_a_touchpoint_called_direct_apart(sources):
    a = _same_everywhere(lambda e: jm.attribution(e, outcome=["Shop"], rules=["first_touch"]), sources)
    first = a[a["model"] == "first_touch"].set_index("touchpoint")["conversions"]
    assert first["(direct)"] == 1 and first["\\(direct)"] == 1 and first["Web"] == 1
    assert first.sum() == 3  # a, i and j convert


def test_patterns_are_written_like_paths(sources):
    p = jm.sequential_patterns(sources["frame"], min_support=0.01, max_length=2)
    assert "Web > Shop" in set(p["pattern"]) and "Web \\> Shop" in set(p["pattern"])
    assert not p["pattern"].duplicated().any()
    assert ["(exit)", "Web"] in split_path(p["pattern"]).tolist()


def test_session_ids_holding_the_separator_are_their_own_journeys():
    ev = load_events(
        pd.DataFrame(
            {
                "customer_id": ["a|b", "a", "a"],
                "session_id": ["c", "b|c", "b|c"],
                "timestamp": ["2025-01-01 10:00", "2025-01-01 10:00", "2025-01-01 10:05"],
                "touchpoint": ["Ad", "Shop", "Buy"],
            }
        )
    )
    rows = jm.build_journeys(ev, journey="session")
    assert rows.groupby("journey_id")["touchpoint"].agg(list).to_dict() == {
        "a\\|b|c": ["Ad"],
        "a|b|c": ["Shop", "Buy"],
    }
    v = jm.variants(ev, journey="session")
    assert dict(zip(v["path"], v["n_journeys"])) == {"Ad": 1, "Shop > Buy": 1}


def test_sankey_reads_escaped_paths_and_keeps_its_merged_node_apart():
    v = pd.DataFrame(
        {
            "path": [join_path(["Web > Shop", "Buy"]), join_path([OTHER_NODE, "Buy"]), "Rare > Buy"],
            "n_journeys": [50, 40, 1],
        }
    )
    nodes, links = sankey_flows(v, min_journeys=1, min_share=0.05)
    first = nodes[nodes["step"] == 0].set_index("touchpoint")
    assert first.loc["Web > Shop", "n_journeys"] == 50  # one touchpoint, one node
    assert first.loc[escape_label(OTHER_NODE), "n_merged"] == 1  # the touchpoint of that name
    assert first.loc[OTHER_NODE, "n_journeys"] == 1  # the merged node (Rare)
    assert nodes["step"].max() == 1 and links.attrs["n_journeys"] == 91
    name = touchpoint_labeller()
    assert name(escape_label(OTHER_NODE)) == OTHER_NODE and name("\\(exit)") == "(exit)"
    assert name(jm.EXIT) == "Exit" and name("Web > Shop") == "Web > Shop"


def test_every_label_of_the_journey_analyses_is_reserved():
    """A new label of the analyses must join RESERVED_LABELS, or a touchpoint could pass for it."""
    import ast
    from pathlib import Path

    root = Path(jm.__file__).parent
    found = set()
    for path in [*root.glob("*.py"), root.parent / "plots" / "sankey.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                value = node.value.value
                if isinstance(value, str) and value.startswith("(") and value.endswith(")") and " " not in value[1:4]:
                    if all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
                        found.add(value)
    found.discard("(all)")  # retention's pooled cohorts: a column of cohort dates, never of touchpoints
    assert found <= set(RESERVED_LABELS), found - set(RESERVED_LABELS)

"""Attribution: the Markov removal effect against chains solved by hand, and the rules by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys.attribution import _solve_chain, attribution


def log(paths: list[tuple[str, list[str], int]], *, gap_hours: float = 1.0, **extra_cols) -> pd.DataFrame:
    """Events from (name, touchpoints, copies): each copy is one customer; events an hour apart."""
    rows = []
    for name, tps, copies in paths:
        for c in range(copies):
            for i, tp in enumerate(tps):
                rows.append(
                    {
                        "customer_id": f"{name}{c}",
                        "touchpoint": tp,
                        "timestamp": pd.Timestamp("2025-01-01", tz="UTC") + pd.Timedelta(hours=gap_hours * i),
                    }
                )
    ev = pd.DataFrame(rows)
    ev["sequence"] = np.arange(len(ev))
    for col, value in extra_cols.items():
        ev[col] = value
    return ev


def by_model(table: pd.DataFrame, model: str, column: str = "conversions") -> dict[str, float]:
    part = table[table["model"] == model]
    return dict(zip(part["touchpoint"], part[column].astype(float)))


# ---------------------------------------------------------------------------
# The chain of the acceptance criterion, solved by hand.
#
# Paths (6 journeys, 3 conversions):
#   A > B > Buy  x2      A      (no conversion) x1
#   B > C > Buy  x1      C      (no conversion) x2
# Transition probabilities (counts / departures):
#   start: A 3/6, B 1/6, C 2/6
#   A: B 2/3, null 1/3        B: conv 2/3, C 1/3        C: conv 1/3, null 2/3
# Absorption probabilities x (P(conversion) from each state):
#   x_C = 1/3;  x_B = 2/3 + 1/3 * x_C = 7/9;  x_A = 2/3 * x_B = 14/27
#   P = 1/2 * 14/27 + 1/6 * 7/9 + 1/3 * 1/3 = 14/54 + 7/54 + 6/54 = 1/2   (= 3 of 6 journeys)
# Without A (its inflow goes to null):  P = 1/6 * 7/9 + 1/3 * 1/3 = 13/54  -> RE_A = 1 - 13/27 = 14/27
# Without B: x_A = 0, x_C = 1/3:         P = 1/3 * 1/3 = 1/9            -> RE_B = 1 - 2/9 = 7/9
# Without C: x_B = 2/3, x_A = 4/9:       P = 1/2 * 4/9 + 1/6 * 2/3 = 1/3 -> RE_C = 1 - 2/3 = 1/3
# Sum of removal effects = 14/27 + 21/27 + 9/27 = 44/27; attributed = 3 * RE / (44/27):
#   A = 3 * 14/44 = 42/44,  B = 3 * 21/44 = 63/44,  C = 3 * 9/44 = 27/44
# ---------------------------------------------------------------------------
HAND = [("ab", ["A", "B", "Buy"], 2), ("a", ["A"], 1), ("bc", ["B", "C", "Buy"], 1), ("c", ["C"], 2)]


def test_markov_removal_effect_matches_the_hand_solution():
    table = attribution(log(HAND), outcome=["Buy"], rules=())
    assert set(table["model"]) == {"markov"}
    effects = by_model(table, "markov", "removal_effect")
    assert effects == pytest.approx({"A": 14 / 27, "B": 7 / 9, "C": 1 / 3}, abs=1e-12)
    credit = by_model(table, "markov")
    assert credit == pytest.approx({"A": 42 / 44, "B": 63 / 44, "C": 27 / 44}, abs=1e-12)
    assert table["conversions"].sum() == pytest.approx(3)
    assert table["share"].sum() == pytest.approx(100)
    assert table["touchpoint"].tolist() == ["B", "A", "C"]  # most credit first


def test_chain_probability_equals_the_observed_conversion_rate():
    # the fitted chain reproduces the observed share of converting journeys (flow conservation)
    from cjm_lab.journeys.attribution import _base_ctes, _markov_sql
    from cjm_lab.journeys.build import prepare
    from cjm_lab.journeys.engine import run_sql

    source, spec, _ = prepare(log(HAND), where="t", options={"outcome": ["Buy"], "until_conversion": True})
    moves = run_sql(_markov_sql(_base_ctes(spec, None), [], 1), source)
    p, names, effects = _solve_chain(moves, 1)
    assert p == pytest.approx(1 / 2, abs=1e-12)
    assert names == ["A", "B", "C"]
    assert effects == pytest.approx([14 / 27, 7 / 9, 1 / 3], abs=1e-12)


def test_rules_by_hand_on_the_same_paths():
    # converting paths: A > B (x2), B > C (x1)
    table = attribution(log(HAND), outcome=["Buy"])
    assert by_model(table, "first_touch") == pytest.approx({"A": 2, "B": 1, "C": 0})
    assert by_model(table, "last_touch") == pytest.approx({"A": 0, "B": 2, "C": 1})
    assert by_model(table, "linear") == pytest.approx({"A": 1, "B": 1.5, "C": 0.5})
    # two touches: the middle weight is split 0.4 : 0.4, i.e. 1/2 each
    assert by_model(table, "position_based") == pytest.approx({"A": 1, "B": 1.5, "C": 0.5})
    assert table.groupby("model")["conversions"].sum().to_dict() == pytest.approx(
        dict.fromkeys(["markov", "first_touch", "last_touch", "linear", "position_based", "time_decay"], 3.0)
    )
    assert table["model"].drop_duplicates().tolist() == [
        "markov",
        "first_touch",
        "last_touch",
        "linear",
        "position_based",
        "time_decay",
    ]
    assert table.loc[table["model"] != "markov", "removal_effect"].isna().all()


def test_position_based_and_time_decay_by_hand():
    # one path A (day 0) > B (day 7) > C (day 14) > D (day 21) > Buy (day 22), one path B > Buy
    ev = log([("p", ["A", "B", "C", "D", "Buy"], 1)], gap_hours=24 * 7)
    ev.loc[ev["touchpoint"] == "Buy", "timestamp"] = pd.Timestamp("2025-01-23", tz="UTC")
    ev = pd.concat([ev, log([("q", ["B", "Buy"], 1)]).assign(sequence=lambda d: d["sequence"] + 10)], ignore_index=True)
    table = attribution(ev, outcome=["Buy"], half_life="7D", position_weights=(0.4, 0.2, 0.4))
    # position-based, 4 touches: first 0.4, last 0.4, the two middle touches 0.2 / 2 = 0.1 each;
    # the single-touch path gives B everything
    assert by_model(table, "position_based") == pytest.approx({"A": 0.4, "B": 1.1, "C": 0.1, "D": 0.4})
    # time decay, half-life 7 days, weights relative to the last touch (day 21):
    #   A 2^-3 = 1/8, B 2^-2 = 1/4, C 2^-1 = 1/2, D 1; sum 15/8 -> 1/15, 2/15, 4/15, 8/15
    assert by_model(table, "time_decay") == pytest.approx({"A": 1 / 15, "B": 1 + 2 / 15, "C": 4 / 15, "D": 8 / 15})
    # other weights: (0.3, 0.4, 0.3): with two touches 0.5 / 0.5; with four 0.3, 0.2, 0.2, 0.3
    other = attribution(ev, outcome=["Buy"], rules=["position_based"], position_weights=(0.3, 0.4, 0.3))
    assert by_model(other, "position_based") == pytest.approx({"A": 0.3, "B": 1.2, "C": 0.2, "D": 0.3})


# ---------------------------------------------------------------------------
# Order matters.  Paths: A > C > Buy (x1), B > C (no conversion, x1).
# Order 1: start: A 1/2, B 1/2; A -> C, B -> C; C: conv 1/2, null 1/2.  P = 1/2.
#   without A: P = 1/2 * 1/2 = 1/4 -> RE 1/2; without B: RE 1/2; without C: P = 0 -> RE 1.
#   attributed (1 conversion): A 1/4, B 1/4, C 1/2.
# Order 2: states (A), (B), (A,C), (B,C); (A,C) -> conv, (B,C) -> null.  P = 1/2.
#   without A: P = 0 -> RE 1; without B: P = 1/2 -> RE 0; without C: P = 0 -> RE 1.
#   attributed: A 1/2, B 0, C 1/2 -- B never led to a conversion, which order 1 cannot see.
# ---------------------------------------------------------------------------
ORDER = [("ac", ["A", "C", "Buy"], 1), ("bc", ["B", "C"], 1)]


def test_order_two_sees_what_order_one_cannot():
    first = attribution(log(ORDER), outcome=["Buy"], rules=(), order=1)
    second = attribution(log(ORDER), outcome=["Buy"], rules=(), order=2)
    assert by_model(first, "markov") == pytest.approx({"A": 0.25, "B": 0.25, "C": 0.5})
    assert by_model(first, "markov", "removal_effect") == pytest.approx({"A": 0.5, "B": 0.5, "C": 1.0})
    assert by_model(second, "markov") == pytest.approx({"A": 0.5, "B": 0.0, "C": 0.5})
    assert by_model(second, "markov", "removal_effect") == pytest.approx({"A": 1.0, "B": 0.0, "C": 1.0})


def test_order_three_by_hand():
    # Paths: A > B > C > Buy (x1), D > B > C (x1).  Order 2 merges both into the state (B,C):
    #   (B,C): conv 1/2; RE: A 1/2, D 1/2, B 1, C 1 -> shares A 1/6, D 1/6, B 1/3, C 1/3.
    # Order 3 keeps (A,B,C) -> conv and (D,B,C) -> null apart: RE A 1, D 0, B 1, C 1 -> 1/3 each, D 0.
    paths = [("abc", ["A", "B", "C", "Buy"], 1), ("dbc", ["D", "B", "C"], 1)]
    two = attribution(log(paths), outcome=["Buy"], rules=(), order=2)
    three = attribution(log(paths), outcome=["Buy"], rules=(), order=3)
    assert by_model(two, "markov") == pytest.approx({"A": 1 / 6, "B": 1 / 3, "C": 1 / 3, "D": 1 / 6})
    assert by_model(three, "markov") == pytest.approx({"A": 1 / 3, "B": 1 / 3, "C": 1 / 3, "D": 0.0})


def test_direct_conversions_value_and_cut_at_first_conversion():
    # x: Buy first (direct), then more events that are ignored (cut at the first conversion);
    # y: A > Buy > A > Buy (only the first Buy counts)
    ev = log([("x", ["Buy", "A", "Buy"], 1), ("y", ["A", "Buy", "A", "Buy"], 1), ("z", ["A"], 2)])
    ev["value"] = np.where(ev["touchpoint"] == "Buy", 10.0, np.nan)
    ev.loc[ev["customer_id"] == "y0", "value"] = ev.loc[ev["customer_id"] == "y0", "value"] * 3  # 30 per Buy
    table = attribution(ev, outcome=["Buy"], value="value", rules=["last_touch", "linear"])
    assert set(table["touchpoint"]) == {"(direct)", "A"}
    assert by_model(table, "last_touch") == pytest.approx({"(direct)": 1, "A": 1})
    assert by_model(table, "last_touch", "value") == pytest.approx({"(direct)": 10, "A": 30})
    # chain: start: (direct) 1/4, A 3/4; (direct) -> conv; A: conv 1/3, null 2/3.  P = 1/4 + 1/4 = 1/2.
    # without (direct): P = 1/4 -> RE 1/2; without A: P = 1/4 -> RE 1/2; equal shares of 2 conversions / 40
    assert by_model(table, "markov") == pytest.approx({"(direct)": 1, "A": 1})
    assert by_model(table, "markov", "value") == pytest.approx({"(direct)": 20, "A": 20})
    assert table.groupby("model")["value"].sum().tolist() == pytest.approx([40, 40, 40])


def test_segments_get_their_own_chain():
    ev = pd.concat(
        [
            log(HAND, region="north"),
            log(ORDER, region="south").assign(
                customer_id=lambda d: "s" + d["customer_id"], sequence=lambda d: d["sequence"] + 100
            ),
        ],
        ignore_index=True,
    )
    table = attribution(ev, outcome=["Buy"], by="region", rules=["first_touch"])
    assert table.columns.tolist() == ["region", "model", "touchpoint", "conversions", "share", "removal_effect"]
    north = table[table["region"] == "north"]
    south = table[table["region"] == "south"]
    assert by_model(north, "markov") == pytest.approx({"A": 42 / 44, "B": 63 / 44, "C": 27 / 44})
    assert by_model(south, "markov") == pytest.approx({"A": 0.25, "B": 0.25, "C": 0.5})
    assert south.groupby("model")["conversions"].sum().tolist() == pytest.approx([1, 1])
    assert south["share"].groupby(south["model"]).sum().tolist() == pytest.approx([100, 100])


def test_catalogue_conversions_and_the_sample():
    from cjm_lab.sample import make_sample

    data = make_sample(customers=600, random_state=3)
    table = attribution(data.events, touchpoints=data.touchpoints, order=2)
    converted = data.events.loc[
        data.events["touchpoint"].isin(["Order confirmation", "Repeat purchase"]), "customer_id"
    ].nunique()
    sums = table.groupby("model")["conversions"].sum()
    assert sums.to_numpy() == pytest.approx(np.full(len(sums), converted))
    assert not table["touchpoint"].isin(["Order confirmation", "Repeat purchase"]).any()
    # every converting journey passes the checkout in the sample: its removal effect is 1
    markov = table[table["model"] == "markov"].set_index("touchpoint")
    assert markov.loc["Checkout payment", "removal_effect"] == pytest.approx(1.0)
    assert markov["removal_effect"].between(0, 1).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rules": ["linar"]}, CJMConfigError, "does not know the rule 'linar'. Did you mean 'linear'?"),
        ({"order": 4}, CJMConfigError, "`order` must be a whole number from 1 to 3 (touchpoints of memory"),
        ({"order": True}, CJMConfigError, "`order` must be a whole number from 1 to 3"),
        ({"position_weights": (0.5, 0.5, 0.5)}, CJMConfigError, "sum to 1"),
        ({"half_life": "soon"}, CJMConfigError, "`half_life` must be a duration"),
        ({"until_conversion": False}, CJMConfigError, "always cuts journeys at their first conversion"),
        ({"outcome": None}, CJMConfigError, "needs to know the conversions"),
        ({"outcome": ["Nope"]}, CJMDataError, "no journey reaches a conversion ('Nope')"),
        ({"value": "revenue"}, CJMDataError, "Could not interpret value 'revenue' for `value` in attribution()"),
        ({"value": "region"}, CJMDataError, "are text, not numbers"),
        ({"by": "regoin"}, CJMDataError, "Did you mean 'region'?"),
        ({"colour": "red"}, CJMConfigError, "unknown option(s) 'colour'"),
    ],
)
def test_errors_name_the_argument_and_the_fix(kwargs, error, message):
    args = {"outcome": ["Buy"], **kwargs}
    with pytest.raises(error) as info:
        attribution(log(HAND, region="north"), **args)
    assert message in str(info.value)


def test_bad_events():
    with pytest.raises(CJMDataError, match="timestamp"):
        attribution(log(HAND).assign(timestamp="2025-01-01"), outcome=["Buy"])
    with pytest.raises(CJMConfigError, match="takes the events as a DataFrame"):
        attribution([1, 2], outcome=["Buy"])

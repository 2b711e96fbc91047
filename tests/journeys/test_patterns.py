"""Sequential patterns: supports by hand, repeated events, gaps, the PrefixSpan cross-check,
discriminating patterns cut before the outcome, and what separates converters on the sample."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys.patterns import _fisher_two_sided, discriminating_patterns, sequential_patterns


def log(journeys: dict[str, list[str]], **extra) -> pd.DataFrame:
    """An event log with one event per hour, so that no event is an exact repeat."""
    rows = [(cid, tp) for cid, tps in journeys.items() for tp in tps]
    frame = pd.DataFrame(rows, columns=["customer_id", "touchpoint"])
    frame["timestamp"] = pd.date_range("2025-01-01", periods=len(frame), freq="h", tz="UTC")
    frame["sequence"] = np.arange(len(frame))
    for name, values in extra.items():
        frame[name] = frame["customer_id"].map(values)
    return frame


def as_dict(table: pd.DataFrame) -> dict[str, int]:
    return dict(zip(table["pattern"], table["n_journeys"]))


# --------------------------------------------------------------------------- by hand


def test_supports_by_hand():
    ev = log({"a": ["Ad", "Web", "Cart", "Buy"], "b": ["Ad", "Cart", "Web"], "c": ["Web", "Cart"], "d": ["Ad", "Buy"]})
    out = sequential_patterns(ev, min_support=0.5, max_length=3)
    # Ad: a, b, d; Web: a, b, c; Cart: a, b, c; Buy: a, d
    # Ad > Web: a, b; Ad > Cart: a, b; Web > Cart: a, c; Ad > Buy: a, d; Cart > Web: b only
    # Ad > Web > Cart: a only -> below 2 of 4
    assert as_dict(out) == {
        "Ad": 3,
        "Web": 3,
        "Cart": 3,
        "Buy": 2,
        "Ad > Web": 2,
        "Ad > Cart": 2,
        "Web > Cart": 2,
        "Ad > Buy": 2,
    }
    assert out["support"].tolist() == [0.75] * 3 + [0.5] * 5
    assert out["length"].tolist() == [1, 1, 1, 1, 2, 2, 2, 2]
    assert out["pattern"].iloc[:3].tolist() == ["Ad", "Cart", "Web"]  # ties by pattern
    assert out.attrs["n_journeys"] == 4


def test_each_journey_counts_once_and_repeats_are_patterns():
    # a has Hotline three times: it counts once for Hotline, and forms Hotline > Hotline (> Hotline)
    ev = log({"a": ["Hotline", "Chat", "Hotline", "Hotline"], "b": ["Hotline", "Hotline"], "c": ["Chat"]})
    out = as_dict(sequential_patterns(ev, min_support=0.01, max_length=3))
    assert out["Hotline"] == 2
    assert out["Hotline > Hotline"] == 2
    assert out["Hotline > Hotline > Hotline"] == 1
    assert out["Hotline > Chat > Hotline"] == 1
    assert out["Chat > Hotline > Hotline"] == 1
    assert out["Chat"] == 2 and "Chat > Chat" not in out


def test_max_length_and_threshold_is_inclusive():
    ev = log({"a": ["A", "B", "C"], "b": ["A", "B", "C"], "c": ["A", "C"], "d": ["B"], "e": ["C"]})
    # 2 of 5 journeys = 0.4 exactly reaches min_support=0.4
    out = sequential_patterns(ev, min_support=0.4, max_length=None)
    assert as_dict(out)["A > B > C"] == 2
    assert out["length"].max() == 3
    assert sequential_patterns(ev, min_support=0.4, max_length=2)["length"].max() == 2
    assert "A > B > C" not in as_dict(sequential_patterns(ev, min_support=0.41))


def test_max_gap_counts_events_between():
    ev = log({"a": ["A", "X", "B"], "b": ["A", "B"], "c": ["A", "X", "X", "B"]})
    gap = {g: as_dict(sequential_patterns(ev, min_support=0.01, max_gap=g)).get("A > B", 0) for g in (0, 1, 2)}
    assert gap == {0: 1, 1: 2, 2: 3}
    assert as_dict(sequential_patterns(ev, min_support=0.01))["A > B"] == 3
    # the gap holds between consecutive elements: A > X > B follows directly only in a; in c
    # (A X X B) it needs one event between X and B
    strict = as_dict(sequential_patterns(ev, min_support=0.01, max_gap=0))
    assert strict["A > X > B"] == 1 and strict["A > X > X > B"] == 1 and strict["X > X"] == 1
    assert as_dict(sequential_patterns(ev, min_support=0.01, max_gap=1))["A > X > B"] == 2


def test_segments_are_mined_separately():
    ev = log(
        {"a": ["A", "B"], "b": ["A", "B"], "c": ["B", "A"], "d": ["B", "A"], "e": ["A"]},
        region={"a": "N", "b": "N", "c": "S", "d": "S", "e": "S"},
    )
    out = sequential_patterns(ev, min_support=0.6, by="region")
    north = out[out["region"] == "N"]
    south = out[out["region"] == "S"]
    assert as_dict(north) == {"A": 2, "B": 2, "A > B": 2}
    # S has 3 journeys: B > A in 2 of 3 (0.67 >= 0.6); A > B in none
    assert as_dict(south) == {"A": 3, "B": 2, "B > A": 2}
    assert south.set_index("pattern").loc["B > A", "support"] == pytest.approx(2 / 3)
    assert out.attrs["n_journeys"] == {"N": 2, "S": 3}
    assert list(out.columns) == ["region", "pattern", "length", "n_journeys", "support"]


def test_parquet_files_give_the_same_patterns(tmp_path):
    ev = log({"a": ["A", "B", "A"], "b": ["A", "A"], "c": ["B"]})
    ev.to_parquet(tmp_path / "ev.parquet")
    assert as_dict(sequential_patterns(tmp_path / "ev.parquet", min_support=0.3)) == as_dict(
        sequential_patterns(ev, min_support=0.3)
    )


def test_nothing_frequent_gives_an_empty_table():
    ev = log({"a": ["A"], "b": ["B"], "c": ["C"]})
    out = sequential_patterns(ev, min_support=0.5)
    assert out.empty and list(out.columns) == ["pattern", "length", "n_journeys", "support"]


# --------------------------------------------------------------------------- cross-checks


def _random_journeys(rng, n, alphabet, max_len, pool=None):
    letters = list("ABCDEFGH"[:alphabet])
    base = [list(rng.choice(letters, size=rng.integers(1, max_len + 1))) for _ in range(pool or n)]
    return {f"c{i:04d}": list(base[rng.integers(len(base))] if pool else base[i]) for i in range(n)}


@pytest.mark.parametrize(
    "seed,alphabet,max_len,min_support,max_length,pool",
    [
        (0, 3, 8, 0.05, 4, None),
        (1, 5, 12, 0.1, 5, None),
        (2, 4, 10, 0.03, 3, 25),  # many identical journeys: the variants are weighted
        (3, 6, 15, 0.2, None, None),
        (4, 2, 6, 0.3, 6, 10),
    ],
)
def test_same_patterns_and_supports_as_prefixspan(seed, alphabet, max_len, min_support, max_length, pool):
    import prefixspan

    rng = np.random.default_rng(seed)
    journeys = _random_journeys(rng, 150, alphabet, max_len, pool)
    out = sequential_patterns(log(journeys), min_support=min_support, max_length=max_length)
    ps = prefixspan.PrefixSpan(list(journeys.values()))
    ps.maxlen = max_length or 1000
    expected = {" > ".join(p): s for s, p in ps.frequent(math.ceil(min_support * len(journeys)))}
    assert as_dict(out) == expected
    assert len(expected) > 10


def _occurring(seq, max_length, max_gap):
    """Every pattern of ``seq`` (index combinations in order, consecutive gaps within ``max_gap``)."""
    found = set()
    stack = [((seq[i],), i) for i in range(len(seq))]
    while stack:
        pattern, last = stack.pop()
        found.add(pattern)
        if len(pattern) < max_length:
            stop = len(seq) if max_gap is None else min(len(seq), last + max_gap + 2)
            stack.extend(((*pattern, seq[j]), j) for j in range(last + 1, stop))
    return found


def _brute_force(journeys, max_length, max_gap):
    counts = Counter()
    for seq in journeys.values():
        counts.update(_occurring(seq, max_length, max_gap))
    return counts


@pytest.mark.parametrize("seed,max_gap", [(5, 0), (6, 1), (7, 3), (8, None)])
def test_gapped_patterns_match_brute_force(seed, max_gap):
    rng = np.random.default_rng(seed)
    journeys = _random_journeys(rng, 80, 3, 9, pool=40)
    need = math.ceil(0.1 * len(journeys))
    expected = {" > ".join(p): n for p, n in _brute_force(journeys, 4, max_gap).items() if n >= need}
    out = sequential_patterns(log(journeys), min_support=0.1, max_length=4, max_gap=max_gap)
    assert as_dict(out) == expected


def test_vectorised_fisher_matches_scipy():
    rng = np.random.default_rng(3)
    for n_a, n_b in [(12, 9), (40, 160), (500, 1300), (7, 7)]:
        x = rng.integers(0, n_a + 1, 60)
        y = rng.integers(0, n_b + 1, 60)
        mine = _fisher_two_sided(x, n_a, x + y, n_a + n_b)
        ref = [stats.fisher_exact([[a, n_a - a], [b, n_b - b]]).pvalue for a, b in zip(x, y)]
        np.testing.assert_allclose(mine, ref, rtol=1e-7, atol=1e-300)


# --------------------------------------------------------------------------- discriminating patterns


def _planted(seed=0, n=200):
    """Converters (Buy) often pass Review > Cart; everybody sees Ad, Web at random; Newsletter after Buy."""
    rng = np.random.default_rng(seed)
    journeys = {}
    for i in range(n):
        converter = i % 2 == 0
        path = ["Ad"] if rng.random() < 0.7 else []
        path += list(rng.choice(["Web", "Ad", "Cart"], size=rng.integers(1, 4)))
        if (converter and rng.random() < 0.7) or (not converter and rng.random() < 0.1):
            path += ["Review", "Cart"]
        if converter:
            path += ["Buy", "Newsletter", "Review"]
        journeys[f"c{i:03d}"] = path
    return journeys


def test_a_planted_pattern_is_found_and_random_ones_are_not():
    out = discriminating_patterns(log(_planted()), outcome="Buy", min_support=0.05).set_index("pattern")
    row = out.loc["Review > Cart"]
    assert row["p_adjusted"] < 0.05 and row["significant"]
    assert row["support_a"] > 0.5 and row["support_b"] < 0.2
    assert row["lift"] == pytest.approx(row["support_a"] / row["support_b"])
    a, b = row["n_a"], row["n_b"]
    assert row["odds_ratio"] == pytest.approx(a * (100 - b) / ((100 - a) * b))
    assert row["p_value"] == pytest.approx(stats.fisher_exact([[a, 100 - a], [b, 100 - b]]).pvalue)
    # Ad and Web occur at random in both groups
    for pattern in ("Ad", "Web", "Ad > Web"):
        assert not out.loc[pattern, "significant"]
        assert out.loc[pattern, "p_adjusted"] >= 0.05
    adjusted = stats.false_discovery_control(out["p_value"].to_numpy(), method="bh")
    np.testing.assert_allclose(out["p_adjusted"].to_numpy(), adjusted)


def test_journeys_are_cut_before_the_outcome():
    out = discriminating_patterns(log(_planted()), outcome="Buy", min_support=0.01)
    patterns = " | ".join(out["pattern"])
    # neither the outcome nor what follows it (Newsletter, only after Buy) ever forms a pattern
    assert "Buy" not in patterns and "Newsletter" not in patterns
    assert out.attrs["n_journeys"] == {"converted": 100, "not converted": 100}
    # by hand: Review > Cart counted before Buy only; the Review after Buy does not make "Cart > Review"
    ev = log({"a": ["Cart", "Buy", "Review"], "b": ["Cart", "Review"], "c": ["Buy"]})
    small = discriminating_patterns(ev, outcome="Buy", min_support=0.01).set_index("pattern")
    assert small.loc["Cart", ["n_a", "n_b"]].tolist() == [1, 1]
    assert small.loc["Cart > Review", ["n_a", "n_b"]].tolist() == [0, 1]
    assert small.loc["Review", ["n_a", "n_b"]].tolist() == [0, 1]
    # c converted at its first event: an empty journey that still counts in group a
    assert small.attrs["n_journeys"] == {"converted": 2, "not converted": 1}
    assert small.loc["Cart", "support_a"] == 0.5


def test_conversion_outcome_uses_the_catalogue():
    ev = log(_planted())
    cat = pd.DataFrame(
        {
            "touchpoint": ["Ad", "Web", "Cart", "Review", "Buy", "Newsletter"],
            "stage": ["research"] * 6,
            "is_conversion": [False] * 4 + [True, False],
        }
    )
    a = discriminating_patterns(ev, outcome="conversion", touchpoints=cat, min_support=0.05)
    b = discriminating_patterns(ev, outcome="Buy", min_support=0.05)
    pd.testing.assert_frame_equal(a, b)
    c = discriminating_patterns(ev, outcome=["Buy"], min_support=0.05)  # the touchpoints named as the outcome
    pd.testing.assert_frame_equal(a, c)


def test_permutation_test_with_a_fixed_seed():
    ev = log(_planted(seed=1, n=120))
    one = discriminating_patterns(ev, outcome="Buy", method="permutation", n_permutations=199, random_state=7)
    two = discriminating_patterns(ev, outcome="Buy", method="permutation", n_permutations=199, random_state=7)
    pd.testing.assert_frame_equal(one, two)
    row = one.set_index("pattern").loc["Review > Cart"]
    assert row["p_value"] == pytest.approx(1 / 200) and row["p_adjusted"] == pytest.approx(1 / 200)
    assert row["significant"]
    assert (one["p_adjusted"] >= one["p_value"] - 1e-12).all()  # max-|z| adjustment never lowers p
    assert not one.set_index("pattern").loc["Ad", "significant"]
    assert one.attrs["method"] == "permutation"


def test_labels_compare_promoters_with_detractors_before_the_survey():
    journeys = {f"p{i}": ["Web", "Delivery"] for i in range(30)}
    journeys |= {f"d{i}": ["Web", "Delay", "Hotline", "Hotline"] for i in range(30)}
    journeys |= {"x1": ["Delay"], "x2": ["Web"]}  # no label / a passive: left out
    ev = log(journeys)
    labels = pd.DataFrame(
        {"customer_id": [*[*journeys][:60], "x2"], "nps_group": ["promoter"] * 30 + ["detractor"] * 30 + ["passive"]}
    )
    out = discriminating_patterns(
        ev, outcome="nps_group", labels=labels, groups=("detractor", "promoter"), min_support=0.1
    ).set_index("pattern")
    assert out.attrs["groups"] == ("detractor", "promoter")
    assert out.attrs["n_left_out"] == 2
    assert out.loc["Hotline > Hotline", ["n_a", "n_b"]].tolist() == [30, 0]
    assert out.loc["Hotline > Hotline", "lift"] == np.inf
    assert out.loc["Hotline > Hotline", "significant"]
    assert not out.loc["Web", "significant"]
    # a cutoff (the survey answer time) keeps only earlier events: the hotline calls come after it
    first = ev.groupby("customer_id")["timestamp"].min()
    labels["answered"] = labels["customer_id"].map(first + pd.Timedelta("90min"))
    cut = discriminating_patterns(
        ev, outcome="nps_group", labels=labels, groups=("detractor", "promoter"), cutoff="answered", min_support=0.1
    ).set_index("pattern")
    assert "Hotline" not in cut.index and cut.loc["Delay", "n_a"] == 30


def test_sample_converters_differ_by_cart_and_checkout(sample_of):
    data = sample_of(3000, seed=1)  # the journey suites' facts were verified on seed 1
    out = discriminating_patterns(data.events, outcome="conversion", touchpoints=data.touchpoints).set_index("pattern")
    row = out.loc["Cart > Checkout payment"]
    assert row["lift"] > 1.5 and row["significant"]
    # what separates them: reaching checkout; comparing prices marks the (price-hunting) non-converters
    assert out.loc["Checkout payment", "support_a"] == 1.0
    assert out.loc["Price comparison site", "lift"] < 1 and out.loc["Price comparison site", "significant"]
    # the conversion touchpoints never appear: journeys are cut before the first one
    assert not out.index.str.contains("Order confirmation|Repeat purchase").any()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"min_support": 0}, "`min_support` must be a number above 0 and at most 1 (a share of journeys)"),
        ({"min_support": 5}, "e.g. 0.05 for 5 %"),
        ({"min_support": True}, "`min_support`"),
        ({"max_length": 0}, "`max_length` must be a whole number of at least 1 (touchpoints) (or None)"),
        ({"max_length": 2.5}, "`max_length`"),
        ({"max_gap": -1}, "`max_gap` must be a whole number of at least 0 (events allowed between two touchpoints"),
        ({"journy": "session"}, "unknown option(s) 'journy'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(CJMConfigError) as err:
        sequential_patterns(log({"a": ["A"]}), **kwargs)
    assert message in str(err.value)


def test_bad_segment_column_names_it():
    with pytest.raises(CJMDataError) as err:
        sequential_patterns(log({"a": ["A"]}, region={"a": "N"}), by="regio")
    assert "Could not interpret value 'regio' for `by`" in str(err.value)
    assert "Did you mean 'region'?" in str(err.value)


def test_discriminating_errors():
    ev = log({"a": ["Ad", "Buy"], "b": ["Ad"]})
    with pytest.raises(CJMDataError) as err:
        discriminating_patterns(ev, outcome="buy")
    assert "the outcome 'buy' does not occur in the events. Did you mean 'Buy'?" in str(err.value)
    with pytest.raises(CJMConfigError, match="outcome='conversion' needs to know the conversions"):
        discriminating_patterns(ev, outcome="conversion")
    with pytest.raises(CJMDataError, match="no journey falls into the group 'not converted'"):
        discriminating_patterns(log({"a": ["Ad", "Buy"]}), outcome="Buy")
    with pytest.raises(
        CJMConfigError,
        match=r"discriminating_patterns\(\): `method` must be 'fisher' \(.*\) or 'permutation' \(.*got 'chi2'",
    ):
        discriminating_patterns(ev, outcome="Buy", method="chi2")
    with pytest.raises(CJMConfigError, match=r"`alpha` must be a number strictly between 0 and 1, e.g. 0.05, got 5"):
        discriminating_patterns(ev, outcome="Buy", alpha=5)
    with pytest.raises(CJMConfigError, match="`groups` and `cutoff` go with `labels=`"):
        discriminating_patterns(ev, outcome="Buy", groups=("a", "b"))
    with pytest.raises(CJMConfigError, match="`n_permutations` must be a whole number of at least 1, got 0"):
        discriminating_patterns(ev, outcome="Buy", method="permutation", n_permutations=0)


def test_label_errors():
    ev = log({"a": ["Ad", "Buy"], "b": ["Ad"]})
    labels = pd.DataFrame({"customer_id": ["a", "b", "c"], "grp": ["P", "D", "N"]})
    with pytest.raises(CJMConfigError) as err:
        discriminating_patterns(ev, outcome="grp", labels=labels)
    assert "has 3 value(s)" in str(err.value) and "pass `groups=(a, b)`" in str(err.value)
    with pytest.raises(CJMDataError) as err:
        discriminating_patterns(ev, outcome="grp", labels=labels, groups=("P", "X"))
    assert "no customer has 'grp' = 'X'" in str(err.value) and "Fix: Pass two of its values" in str(err.value)
    with pytest.raises(CJMDataError) as err:
        discriminating_patterns(ev, outcome="group", labels=labels, groups=("P", "D"))
    assert "Could not interpret value 'group' for `outcome`" in str(err.value)
    with pytest.raises(CJMDataError) as err:
        discriminating_patterns(ev, outcome="grp", labels=pd.concat([labels, labels]), groups=("P", "D"))
    assert "duplicate value(s) in 'customer_id'" in str(err.value)
    with pytest.raises(CJMDataError) as err:
        discriminating_patterns(
            ev, outcome="grp", labels=labels.assign(when="2025-01-01"), groups=("P", "D"), cutoff="when"
        )
    assert "the `cutoff` column 'when' is not a UTC datetime column" in str(err.value)
    with pytest.raises(CJMConfigError, match="`labels` in discriminating_patterns"):
        discriminating_patterns(ev, outcome="grp", labels=[("a", "P")])

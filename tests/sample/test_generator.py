"""Tests of the Nordlicht Home sample generator: contracts, determinism and planted truth."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from cjm_lab.errors import CJMConfigError
from cjm_lab.sample import SampleData, make_sample, touchpoint_catalogue, write_sample
from cjm_lab.vocab import DEFAULT_STAGES, DEPARTMENTS, KINDS

N = 5000
SEED = 42
DRIVERS = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]
ATTITUDES = [
    "att_price",
    "att_digital",
    "att_advice",
    "att_quality",
    "att_brand",
    "att_eco",
    "att_convenience",
    "att_service",
]
SERVICE = ["Service hotline", "Service chat"]
WEEK = pd.Timedelta(days=7)


@pytest.fixture(scope="module")
def data() -> SampleData:
    return make_sample(N, random_state=SEED)


@pytest.fixture(scope="module")
def events(data: SampleData) -> pd.DataFrame:
    """Events without the planted duplicates, with the persona and the next touchpoint."""
    ev = data.events.drop_duplicates(["customer_id", "timestamp", "touchpoint"]).reset_index(drop=True)
    ev = ev.merge(data.personas, on="customer_id", how="left")
    same = ev["customer_id"].eq(ev["customer_id"].shift(-1))
    ev["next"] = ev["touchpoint"].shift(-1).where(same)
    return ev


@pytest.fixture(scope="module")
def clean_survey(data: SampleData) -> pd.DataFrame:
    s = data.survey
    flagged = s["respondent_id"].isin(data.truth["speeder_respondent_ids"] + data.truth["straightliner_respondent_ids"])
    dont_know = (s[DRIVERS] == data.truth["dont_know_code"]).any(axis=1)
    return s[~flagged & ~dont_know]


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "kwargs",
    [
        {"customers": 5},
        {"customers": 9},
        {"customers": 100.0},
        {"customers": "100"},
        {"customers": True},
        {"customers": 100, "random_state": -1},
        {"customers": 100, "random_state": 1.5},
        {"customers": 100, "random_state": "42"},
        {"customers": 100, "random_state": None},
        {"customers": 100, "chunk_customers": 0},
    ],
)
def test_bad_parameters_raise_config_error(kwargs):
    with pytest.raises(CJMConfigError):
        make_sample(**kwargs)


def test_bad_write_parameters_raise_config_error(tmp_path):
    with pytest.raises(CJMConfigError, match="format"):
        write_sample(tmp_path, customers=50, format="xlsx")
    with pytest.raises(CJMConfigError, match="customers"):
        write_sample(tmp_path, customers=3)
    assert list(tmp_path.iterdir()) == []


def test_numpy_integers_are_accepted():
    sample = make_sample(np.int64(20), random_state=np.int32(3))
    assert len(sample.customers) == 20


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames(data):
    again = make_sample(N, random_state=SEED)
    for name in ("customers", "touchpoints", "events", "survey", "personas"):
        pd.testing.assert_frame_equal(getattr(data, name), getattr(again, name))
    assert again.truth == data.truth


def test_other_seed_gives_different_data(data):
    other = make_sample(N, random_state=SEED + 1)
    assert not other.events.equals(data.events)
    assert not other.customers.equals(data.customers)
    assert not other.survey.equals(data.survey)
    assert (other.personas["persona"] != data.personas["persona"]).any()


# --------------------------------------------------------------------------- contracts


def test_customers_contract(data):
    c = data.customers
    assert list(c.columns) == [
        "customer_id",
        "age_band",
        "region",
        "income_band",
        "preferred_channel",
        *ATTITUDES,
        "tenure_months",
        "annual_spend",
        "signup_date",
    ]
    assert len(c) == N and c["customer_id"].is_unique
    assert c["customer_id"].str.fullmatch(r"C\d{7}").all()
    assert c["age_band"].cat.ordered
    assert list(c["age_band"].cat.categories) == ["18-29", "30-39", "40-49", "50-64", "65+"]
    assert c["income_band"].cat.ordered
    assert list(c["income_band"].cat.categories) == ["low", "middle", "high"]
    assert set(c["region"]) == {"Nord", "Süd", "West", "Ost"}
    assert set(c["preferred_channel"]) == {"online", "app", "store", "phone"}
    for item in ATTITUDES:
        assert c[item].dtype == np.int64 and c[item].between(1, 5).all()
    assert (c["tenure_months"] >= 0).all() and (c["annual_spend"] > 0).all()
    assert (c["signup_date"] < pd.Timestamp("2026-01-01")).all()
    assert "persona" not in c.columns
    assert data.personas["customer_id"].equals(c["customer_id"])


def test_touchpoint_catalogue(data):
    cat = data.touchpoints
    pd.testing.assert_frame_equal(cat, touchpoint_catalogue())
    assert list(cat.columns) == ["touchpoint", "label_de", "stage", "channel", "kind", "department", "is_conversion"]
    assert 24 <= len(cat) <= 28 and cat["touchpoint"].is_unique
    assert set(cat["stage"]) == set(DEFAULT_STAGES)
    assert cat["stage"].value_counts().min() >= 3
    assert set(cat["kind"]) == set(KINDS)
    assert set(cat["department"]) == set(DEPARTMENTS)
    assert set(cat["channel"]) <= {"online", "app", "store", "phone", "email", "mail", "public"}
    assert set(cat.loc[cat["is_conversion"], "touchpoint"]) == {"Order confirmation", "Repeat purchase"}
    assert cat["label_de"].str.len().max() > 30


def test_events_contract(data):
    ev = data.events
    assert list(ev.columns) == [
        "customer_id",
        "timestamp",
        "touchpoint",
        "sequence",
        "session_id",
        "channel",
        "value",
        "team",
    ]
    assert isinstance(ev["timestamp"].dtype, pd.DatetimeTZDtype) and str(ev["timestamp"].dt.tz) == "UTC"
    assert ev["sequence"].dtype == np.int64
    assert set(ev["touchpoint"]) <= set(data.touchpoints["touchpoint"])
    assert set(ev["customer_id"]) == set(data.customers["customer_id"])
    starts = ev.groupby("customer_id")["timestamp"].min()
    assert starts.min() >= pd.Timestamp("2025-01-01", tz="UTC")
    assert starts.max() < pd.Timestamp("2026-01-01", tz="UTC")
    assert starts.dt.month.nunique() == 12


def test_sequence_strictly_increasing_in_time_order(data):
    ev = data.events.sort_values(["customer_id", "timestamp", "sequence"], kind="stable")
    same = ev["customer_id"].to_numpy()[1:] == ev["customer_id"].to_numpy()[:-1]
    assert (np.diff(ev["sequence"].to_numpy())[same] > 0).all()
    # the file order already is customer and time order
    pd.testing.assert_frame_equal(ev, data.events)
    ties = data.events.duplicated(["customer_id", "timestamp"]).mean()
    assert 0.01 < ties < 0.08


def test_sessions_split_after_30_minutes(data):
    ev = data.events
    same = ev["customer_id"].eq(ev["customer_id"].shift())
    gap = ev["timestamp"].diff()
    new_session = ~same | (gap > pd.Timedelta(minutes=30))
    assert ev["session_id"].ne(ev["session_id"].shift()).equals(new_session)
    assert (ev["session_id"].str.split("-S").str[0] == ev["customer_id"]).all()


def test_values_only_on_conversions(data):
    ev = data.events
    conversions = set(data.touchpoints.loc[data.touchpoints["is_conversion"], "touchpoint"])
    is_conv = ev["touchpoint"].isin(conversions)
    assert ev.loc[is_conv, "value"].gt(0).all()
    assert ev.loc[~is_conv, "value"].isna().all()


def test_journey_lengths_and_conversion(data, events):
    per_customer = data.events.groupby("customer_id").size()
    assert 8 <= per_customer.mean() <= 12
    converted = events.loc[events["touchpoint"] == "Order confirmation", "customer_id"].unique()
    repeat = events.loc[events["touchpoint"] == "Repeat purchase", "customer_id"].unique()
    assert 0.4 < len(converted) / N < 0.85  # some never convert, but still have events
    assert len(repeat) > 0.03 * N


def test_duplicates_match_truth(data):
    dups = data.events.duplicated(["customer_id", "timestamp", "touchpoint"]).sum()
    assert dups == data.truth["n_duplicate_events"]
    assert 0.003 < dups / len(data.events) < 0.008


# --------------------------------------------------------------------------- planted pain points


def test_checkout_dropoff_by_persona(data, events):
    checkout = events[events["touchpoint"] == "Checkout payment"]
    exit_rate = checkout["next"].isna().groupby(checkout["persona"]).mean()
    assert exit_rate["price_hunter"] == pytest.approx(0.45, abs=0.06)
    for persona, rate in exit_rate.drop("price_hunter").items():
        assert rate == pytest.approx(0.08, abs=0.035), persona
    truth = data.truth["checkout_dropoff"]
    assert truth["price_hunter"]["planned"] == 0.45
    assert truth["price_hunter"]["observed"] == pytest.approx(exit_rate["price_hunter"], abs=0.01)


def _contacts_within_week(events: pd.DataFrame, anchors: pd.DataFrame) -> pd.Series:
    contacts = events.loc[events["touchpoint"].isin(SERVICE), ["customer_id", "timestamp"]]
    pairs = anchors.reset_index().merge(contacts, on="customer_id", suffixes=("", "_contact"))
    inside = (pairs["timestamp_contact"] > pairs["timestamp"]) & (
        pairs["timestamp_contact"] <= pairs["timestamp"] + WEEK
    )
    return pairs[inside].groupby("index").size().reindex(anchors.index, fill_value=0)


def test_delivery_delay_leads_to_service_contacts(data, events):
    shipping = events[events["touchpoint"] == "Shipping notice"]
    delay_share = (shipping["next"] == "Delivery delay notice").mean()
    assert delay_share == pytest.approx(0.15, abs=0.03)

    delays = events.loc[events["touchpoint"] == "Delivery delay notice", ["customer_id", "timestamp"]]
    smooth = shipping.loc[shipping["next"] == "Delivery", ["customer_id", "timestamp"]]
    after_delay = _contacts_within_week(events, delays)
    after_smooth = _contacts_within_week(events, smooth)
    assert after_delay.between(2, 4).mean() > 0.95
    assert after_delay.mean() > 5 * after_smooth.mean()
    point = next(p for p in data.truth["pain_points"] if p["id"] == "delivery_delay")
    assert point["touchpoint"] == "Delivery delay notice" and point["department"] == "logistics"


def test_billing_loop_present(data, events):
    tp = events["touchpoint"]
    cust = events["customer_id"]
    loop = (
        tp.shift(1).eq("Invoice")
        & tp.eq("Billing complaint")
        & tp.shift(-1).eq("Invoice correction")
        & tp.shift(-2).eq("Invoice")
        & cust.shift(-2).eq(cust)
        & cust.shift(1).eq(cust)
    )
    complaints = tp.eq("Billing complaint")
    assert loop.sum() > 50 and loop.sum() == complaints.sum()
    second = complaints & tp.shift(3).eq("Billing complaint") & cust.shift(3).eq(cust)
    third = second & tp.shift(6).eq("Billing complaint") & cust.shift(6).eq(cust)
    assert second.sum() > 5 and third.sum() == 0  # sometimes twice, never three times
    first_invoices = tp.eq("Invoice") & ~tp.shift(1).eq("Invoice correction")
    assert complaints.sum() / tp.eq("Invoice").sum() == pytest.approx(0.10, abs=0.03)
    assert complaints.sum() / first_invoices.sum() == pytest.approx(0.11, abs=0.03)
    point = next(p for p in data.truth["pain_points"] if p["id"] == "billing_loop")
    assert point["department"] == "accounting" and point["stage"] == "experience"
    assert point["effect"]["observed_complaint_rate"] == pytest.approx(
        complaints.sum() / tp.eq("Invoice").sum(), abs=0.005
    )


def test_payment_outage_in_two_weeks_of_april(data, events):
    """In 2025-W14/W15 half the payments that would have gone through fail: the journey ends at the checkout."""
    point = next(p for p in data.truth["pain_points"] if p["id"] == "payment_outage")
    assert point["weeks"] == ["2025-W14", "2025-W15"] and point["window"] == ["2025-03-31", "2025-04-14"]
    pay = events[events["touchpoint"] == "Checkout payment"]
    week = pay["timestamp"].dt.isocalendar()
    label = week["year"].astype(str) + "-W" + week["week"].astype(str).str.zfill(2)
    confirmed = (pay["next"] == "Order confirmation").groupby(label).mean()
    outside = (pay["next"] == "Order confirmation")[~label.isin(point["weeks"])].mean()
    during = (pay["next"] == "Order confirmation")[label.isin(point["weeks"])].mean()
    assert during == pytest.approx(point["effect"]["confirmed_share_during"], abs=1e-4)
    assert outside == pytest.approx(point["effect"]["confirmed_share_outside"], abs=0.01)
    assert during == pytest.approx(outside * 0.5, abs=0.12)  # half of them fail
    assert confirmed[["2025-W13", "2025-W16"]].min() > 0.7 and confirmed[point["weeks"]].max() < 0.5
    # a failed payment ends the journey there
    failed = pay[label.isin(point["weeks"]) & pay["next"].isna()]
    last = events.groupby("customer_id")["timestamp"].max()
    assert (failed.set_index("customer_id")["timestamp"] == last.loc[failed["customer_id"]].to_numpy()).all()


def test_service_contacts_ping_pong_between_two_teams(data, events):
    point = next(p for p in data.truth["pain_points"] if p["id"] == "service_ping_pong")
    assert point["column"] == "team" and point["teams"] == ["Service desk", "Logistics desk"]
    # the teams of the company-side touchpoints
    own = events.dropna(subset=["team"])
    expected = own["touchpoint"].map(point["effect"]["team_of"])
    planted = own["touchpoint"].isin(SERVICE) & own["team"].eq("Logistics desk")
    assert (own["team"].eq(expected) | planted).all() and events.loc[events["team"].isna(), "touchpoint"].isin(
        list(point["effect"]["team_of"])
    ).sum() == 0
    # per delay notice, the teams of the contacts that follow: service, logistics, service ... for a share
    ev = events.assign(i=np.arange(len(events)))
    delays = ev.index[ev["touchpoint"].eq("Delivery delay notice")]
    bounced = 0
    for offset in (1, 2):  # the first two contacts after the notice
        pos = np.minimum(delays + offset, len(ev) - 1)
        ok = ev["customer_id"].to_numpy()[pos] == ev["customer_id"].to_numpy()[delays]
        teams = ev["team"].to_numpy()[pos]
        if offset == 2:
            bounced = int((ok & (teams == "Logistics desk")).sum())
        else:
            assert (teams[ok] == "Service desk").all()  # the first contact is always the service desk's
    assert bounced == point["effect"]["n_ping_pong"]
    assert point["effect"]["observed_ping_pong_rate"] == pytest.approx(0.4, abs=0.06)


# --------------------------------------------------------------------------- personas


def test_persona_sizes_and_separation(data):
    shares = data.personas["persona"].value_counts(normalize=True)
    planned = {p["key"]: p["planned_share"] for p in data.truth["personas"]}
    assert planned == {
        "price_hunter": 0.28,
        "digital_convenience": 0.24,
        "advice_seeker": 0.20,
        "quality_premium": 0.16,
        "eco_conscious": 0.12,
    }
    for key, share in planned.items():
        assert shares[key] == pytest.approx(share, abs=0.03)
    means = {p["key"]: np.array(list(p["attitude_means"].values())) for p in data.truth["personas"]}
    keys = list(means)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            assert (np.abs(means[a] - means[b]) >= 1.2 - 1e-9).sum() >= 3, (a, b)
    labels = {p["key"]: p["label_de"] for p in data.truth["personas"]}
    assert labels["price_hunter"] == "Preisbewusste Schnäppchenjäger"


def test_personas_recoverable_by_kmeans(data):
    c = data.customers
    attitudes = StandardScaler().fit_transform(c[ATTITUDES])
    dummies = pd.get_dummies(c[["age_band", "region", "income_band", "preferred_channel"]].astype(str))
    X = np.hstack([attitudes, dummies.to_numpy(dtype=float)])
    labels = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(X)
    assert adjusted_rand_score(data.personas["persona"], labels) >= 0.85


def test_persona_categorical_tendencies(data):
    c = data.customers.merge(data.personas, on="customer_id")
    channel = pd.crosstab(c["persona"], c["preferred_channel"], normalize="index")
    assert channel.loc["price_hunter"].idxmax() == "online"
    assert channel.loc["digital_convenience"].idxmax() == "app"
    assert channel.loc["advice_seeker", ["store", "phone"]].sum() > 0.8
    income = pd.crosstab(c["persona"], c["income_band"], normalize="index")
    assert income.loc["quality_premium"].idxmax() == "high"
    assert income.loc["price_hunter"].idxmax() == "low"
    old = c["age_band"].isin(["50-64", "65+"]).groupby(c["persona"]).mean()
    assert old.idxmax() == "advice_seeker" and old["price_hunter"] < 0.2


# --------------------------------------------------------------------------- survey


def test_survey_contract(data):
    s = data.survey
    assert list(s.columns) == [
        "respondent_id",
        "customer_id",
        "wave",
        "date",
        "recommend",
        *DRIVERS,
        "ces_effort",
        "weight",
        "duration_sec",
        "language",
        "comment",
    ]
    assert s["respondent_id"].is_unique
    assert set(s["customer_id"]) <= set(data.customers["customer_id"])
    assert set(s["wave"]) == {1, 2}
    w1, w2 = s[s["wave"] == 1], s[s["wave"] == 2]
    assert w1["date"].between("2025-07-01", "2025-07-31").all()
    assert w2["date"].between("2026-01-05", "2026-01-31").all()
    for wave in (w1, w2):
        assert len(wave) / N == pytest.approx(0.25, abs=0.03)
        assert wave["customer_id"].is_unique
        assert wave["weight"].mean() == pytest.approx(1.0) and (wave["weight"] > 0).all()
    assert w2["customer_id"].isin(w1["customer_id"]).mean() == pytest.approx(0.30, abs=0.05)
    assert s["recommend"].between(0, 10).all() and s["ces_effort"].between(1, 7).all()
    ratings = s[DRIVERS].to_numpy()
    assert np.isin(ratings, [1, 2, 3, 4, 5, 99]).all()
    assert (ratings == 99).mean() == pytest.approx(0.01, abs=0.005)
    assert (s["language"] == "de").mean() == pytest.approx(0.8, abs=0.04)
    assert set(s["language"]) == {"de", "en"}


def test_weights_correct_the_response_bias(data):
    s = data.survey.merge(data.customers[["customer_id", "age_band", "preferred_channel"]], on="customer_id")
    population = (data.customers["age_band"] == "18-29").mean()
    young = s["age_band"] == "18-29"
    for _, wave in s.groupby("wave"):
        is_young = young[wave.index]
        assert is_young.mean() > population + 0.03
        assert np.average(is_young, weights=wave["weight"]) == pytest.approx(population, abs=0.005)


def test_driver_correlations_follow_planted_order(data, clean_survey):
    corr = clean_survey[DRIVERS].corrwith(clean_survey["recommend"])
    assert list(corr.sort_values(ascending=False).index) == data.truth["driver_order"]
    assert data.truth["driver_order"] == sorted(
        data.truth["driver_effects"], key=data.truth["driver_effects"].get, reverse=True
    )


def test_shapley_shares_follow_planted_order(data):
    shares = data.truth["driver_shapley_shares"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert sorted(shares, key=shares.get, reverse=True) == data.truth["driver_order"]
    assert all(v >= 0 for v in shares.values())


def test_ratings_reflect_lived_journey(data, events, clean_survey):
    delays = events.loc[events["touchpoint"] == "Delivery delay notice", ["customer_id", "timestamp"]]
    s = clean_survey.merge(delays, on="customer_id", how="left")
    answer = s["date"].dt.tz_localize("UTC")
    lived = (s["timestamp"] < answer) & (s["timestamp"] >= answer - pd.Timedelta(days=183))
    had_delay = lived.groupby(s["respondent_id"]).any()
    sat = clean_survey.set_index("respondent_id")["sat_delivery"]
    assert sat[had_delay[had_delay].index].mean() < sat[had_delay[~had_delay].index].mean() - 1.2


def test_wave_two_scores_higher(data):
    true_nps = data.truth["true_nps_by_wave"]
    assert true_nps["2"] > true_nps["1"]
    s = data.survey
    for wave, group in s.groupby("wave"):
        promoters = np.average(group["recommend"] >= 9, weights=group["weight"])
        detractors = np.average(group["recommend"] <= 6, weights=group["weight"])
        assert 100 * (promoters - detractors) == pytest.approx(true_nps[str(wave)], abs=8)


def test_speeders_and_straightliners(data):
    s = data.survey
    speeders = set(s.loc[s["duration_sec"] < 0.3 * s["duration_sec"].median(), "respondent_id"])
    assert speeders == set(data.truth["speeder_respondent_ids"])
    assert len(speeders) / len(s) == pytest.approx(0.03, abs=0.01)
    straight = s[s["respondent_id"].isin(data.truth["straightliner_respondent_ids"])]
    assert len(straight) / len(s) == pytest.approx(0.03, abs=0.01)
    assert (straight[DRIVERS].nunique(axis=1) == 1).all()
    others = s[~s["respondent_id"].isin(data.truth["straightliner_respondent_ids"])]
    assert (others[DRIVERS].nunique(axis=1) > 1).all()


def test_comments_languages_and_pii(data):
    s = data.survey
    comments = s["comment"].dropna()
    assert 0.6 < len(comments) / len(s) < 0.8
    pii = comments.str.contains(r"@example\.com|\+49 \d{3} \d{7}|\b0\d{3} \d{7}", regex=True)
    assert pii.sum() == data.truth["n_pii_comments"]
    assert pii.mean() == pytest.approx(0.05, abs=0.02)
    english = s.loc[s["language"] == "en", "comment"].dropna()
    assert not english.str.contains(r"[äöüß]|Rechnung|Lieferung", regex=True).any()


def test_delay_comments_come_from_delayed_customers(data, events):
    s = data.survey.dropna(subset=["comment"])
    about_delay = s[
        s["comment"].str.contains(r"Liefer|[Dd]elivery|Versand|Shipping", regex=True)
        & ~s["comment"].str.contains("Versandkosten|Shipping costs", regex=True)
    ]
    delayed = set(events.loc[events["touchpoint"] == "Delivery delay notice", "customer_id"])
    assert len(about_delay) > 10
    assert about_delay["customer_id"].isin(delayed).mean() > 0.95


def test_truth_is_json_serialisable_and_complete(data):
    text = json.dumps(data.truth)  # plain Python values only
    truth = json.loads(text)
    assert truth == data.truth
    for key in (
        "seed",
        "n_customers",
        "personas",
        "pain_points",
        "checkout_dropoff",
        "driver_effects",
        "driver_order",
        "driver_shapley_shares",
        "speeder_respondent_ids",
        "straightliner_respondent_ids",
        "n_pii_comments",
        "n_duplicate_events",
        "dont_know_code",
        "stages",
        "true_nps_by_wave",
    ):
        assert key in truth, key
    assert truth["seed"] == SEED and truth["n_customers"] == N
    assert truth["dont_know_code"] == 99 and truth["stages"] == list(DEFAULT_STAGES)
    assert {p["id"] for p in truth["pain_points"]} == {
        "delivery_delay",
        "checkout_dropoff",
        "billing_loop",
        "payment_outage",
        "service_ping_pong",
    }
    for point in truth["pain_points"]:
        assert {"touchpoint", "stage", "department", "personas", "effect"} <= set(point)


# --------------------------------------------------------------------------- writing


def test_write_sample_csv_and_refuse_overwrite(tmp_path):
    paths = write_sample(tmp_path, customers=300, random_state=5)
    assert {p.name for p in paths.values()} == {
        "customers.csv",
        "touchpoints.csv",
        "events.csv.gz",
        "survey.csv",
        "ground_truth.json",
        "personas_truth.csv",
        "codebook.yaml",
    }
    assert all(p.exists() for p in paths.values())
    sample = make_sample(300, random_state=5)
    events = pd.read_csv(paths["events"])
    assert len(events) == len(sample.events)
    assert list(events.columns) == list(sample.events.columns)
    assert pd.read_csv(paths["customers"])["customer_id"].tolist() == sample.customers["customer_id"].tolist()
    assert json.loads(paths["ground_truth"].read_text(encoding="utf-8")) == sample.truth
    personas = pd.read_csv(paths["personas_truth"])
    assert personas["persona"].tolist() == sample.personas["persona"].tolist()

    before = paths["customers"].read_bytes()
    with pytest.raises(CJMConfigError, match=re.escape("customers.csv")):
        write_sample(tmp_path, customers=300, random_state=6)
    assert paths["customers"].read_bytes() == before


def test_write_sample_refuses_existing_events_folder(tmp_path):
    (tmp_path / "events").mkdir()
    with pytest.raises(CJMConfigError, match="events"):
        write_sample(tmp_path, customers=50, format="parquet")


def test_chunked_parquet_equals_make_sample(tmp_path):
    paths = write_sample(tmp_path, customers=1000, random_state=9, format="parquet", chunk_customers=300)
    parts = sorted(paths["events"].iterdir())
    assert [p.name for p in parts] == [f"part-{k:05d}.parquet" for k in range(4)]
    written = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    sample = make_sample(1000, random_state=9, chunk_customers=300)
    pd.testing.assert_frame_equal(written, sample.events)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["survey"]), sample.survey)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["customers"]), sample.customers)
    assert sample.customers["customer_id"].is_unique
    assert json.loads(paths["ground_truth"].read_text(encoding="utf-8")) == sample.truth
    # the chunk size is part of the recipe: another size gives other (equally valid) data
    assert not make_sample(1000, random_state=9).events.equals(sample.events)


def test_cli_writes_partitioned_parquet_equal_to_the_sample(tmp_path):
    from cjm_lab.cli import main

    assert (
        main(
            [
                "sample",
                "--customers",
                "700",
                "--seed",
                "4",
                "--format",
                "parquet",
                "--chunk-customers",
                "250",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    parts = sorted((tmp_path / "events").glob("*.parquet"))
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    sample = make_sample(700, random_state=4, chunk_customers=250)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "events"), sample.events)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "survey.parquet"), sample.survey)


# --------------------------------------------------------------------------- survey size


def test_survey_responses_sets_the_survey_size_and_keeps_the_rest(data):
    small = make_sample(N, random_state=SEED, survey_responses=1000)
    # the events and the customers do not depend on the survey size (but for the random part of
    # annual_spend, drawn after the survey)
    pd.testing.assert_frame_equal(small.events, data.events)
    pd.testing.assert_frame_equal(
        small.customers.drop(columns="annual_spend"), data.customers.drop(columns="annual_spend")
    )
    pd.testing.assert_frame_equal(small.personas, data.personas)
    s = small.survey
    assert len(s) == pytest.approx(1000, abs=110)  # about 3.5 binomial standard deviations
    assert small.truth["survey"]["response_rate_per_wave"] == pytest.approx(0.1)
    assert small.truth["survey"]["survey_responses_asked"] == 1000
    assert data.truth["survey"]["response_rate_per_wave"] == pytest.approx(0.25)
    w1, w2 = s[s["wave"] == 1], s[s["wave"] == 2]
    assert len(w1) == pytest.approx(len(w2), rel=0.15)
    assert w2["customer_id"].isin(w1["customer_id"]).mean() == pytest.approx(0.30, abs=0.08)
    for wave in (w1, w2):
        assert wave["weight"].mean() == pytest.approx(1.0)
    # the planted truth of the population stays; the survey truth describes the smaller survey
    assert small.truth["true_nps_by_wave"] == data.truth["true_nps_by_wave"]
    assert small.truth["pain_points"] == data.truth["pain_points"]
    assert set(small.truth["speeder_respondent_ids"]) <= set(s["respondent_id"])
    assert sum(small.truth["survey"]["n_respondents"].values()) == len(s)
    # the response bias is still there: the young over-answer
    c = data.customers.set_index("customer_id")
    young = (c.loc[s["customer_id"], "age_band"] == "18-29").mean()
    assert young > (data.customers["age_band"] == "18-29").mean()


@pytest.mark.parametrize("responses", [0, -5, 3501, 10.5, "200", True])
def test_bad_survey_responses_raise_config_error(responses):
    with pytest.raises(CJMConfigError, match="survey_responses"):
        make_sample(N, random_state=SEED, survey_responses=responses)


def test_write_sample_and_cli_take_the_survey_size(tmp_path):
    from cjm_lab.cli import main

    paths = write_sample(
        tmp_path / "api", customers=2000, random_state=3, format="parquet", chunk_customers=700, survey_responses=400
    )
    expected = make_sample(2000, random_state=3, chunk_customers=700, survey_responses=400)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["survey"]), expected.survey)
    assert (
        main(
            [
                "sample",
                "--customers",
                "2000",
                "--seed",
                "3",
                "--format",
                "parquet",
                "--chunk-customers",
                "700",
                "--survey-responses",
                "400",
                "--out",
                str(tmp_path / "cli"),
            ]
        )
        == 0
    )
    assert len(list((tmp_path / "cli" / "events").iterdir())) == 3
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "cli" / "survey.parquet"), expected.survey)


@pytest.mark.slow
def test_the_bundled_sample_is_what_the_generator_writes_at_its_defaults(tmp_path):
    """The sample shipped in the package (``make demo``, every report's defaults) is regenerated whenever the
    generator changes: write_sample at its defaults gives the same six files, byte for byte after unzipping."""
    import gzip

    from cjm_lab.sample.bundled import SAMPLE_FILES, sample_path

    write_sample(tmp_path / "s")
    for name in SAMPLE_FILES:
        read = gzip.open if name.endswith(".gz") else open
        with read(tmp_path / "s" / name, "rb") as new, read(sample_path(name), "rb") as shipped:
            assert new.read() == shipped.read(), (
                f"{name}: run `cjm-lab sample --out DIR` and copy DIR into cjm_lab/sample/data"
            )

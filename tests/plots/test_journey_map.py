"""The customer journey map: structure, planted pain points in the right lanes, exports, real logs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.io import events_from_milestones, load_events, load_survey, load_touchpoints, read_table
from cjm_lab.journeys import journey_map_data
from cjm_lab.plots.journey_map import journey_map, journey_map_html, journey_maps, save_journey_map


@pytest.fixture(scope="module")
def sample(sample_of):
    """The maps were checked on the suites' default sample (3,000 customers, seed 42), not the charts' one."""
    return sample_of(3000, seed=42)


def _marks(fig, kind):
    found = []
    for ax in fig.axes:
        for artist in [*ax.patches, *ax.texts]:
            gid = artist.get_gid() or ""
            if gid.startswith(kind + "|"):
                found.append(tuple(gid.split("|")[1:]))
    return found


def test_map_reuses_a_computed_pain_point_table(sample):
    """A report that shows the pain-point table passes it on; the map is the same as ranking again."""
    from cjm_lab.errors import CJMError
    from cjm_lab.journeys import pain_points

    kw = {"touchpoints": sample.touchpoints, "survey": sample.survey, "language": "de"}
    fresh = journey_map_data(sample.events, **kw)
    pain = pain_points(sample.events, **kw)
    reused = journey_map_data(sample.events, pain=pain, **kw)
    pd.testing.assert_frame_equal(reused.touchpoints, fresh.touchpoints)
    pd.testing.assert_frame_equal(reused.stages, fresh.stages)
    with pytest.raises(CJMError, match="rank"):
        journey_map_data(sample.events, pain=pain.drop(columns="rank"), **kw)
    made = pain.attrs["cjm_pain_points"]
    assert {k: made[k] for k in ("by", "level", "language", "alpha")} == {
        "by": None,
        "level": "touchpoint",
        "language": "de",
        "alpha": 0.05,
    }


def test_map_refuses_a_pain_point_table_computed_otherwise(sample):
    """A table ranked with another by/level/language/alpha would give a wrong map: refused, with the fix."""
    from cjm_lab.errors import CJMDataError
    from cjm_lab.journeys import pain_points

    kw = {"touchpoints": sample.touchpoints, "survey": sample.survey}
    ev = sample.events.merge(sample.personas, on="customer_id")
    pain = pain_points(ev, **kw)
    for call, mismatch in (
        ({"language": "de"}, "language='en'.*language='de'"),
        ({"alpha": 0.01}, "alpha=0.05.*alpha=0.01"),
        ({"by": "persona"}, "by=None.*by='persona'"),
    ):
        with pytest.raises(CJMConfigError, match=f"computed with {mismatch}.*Fix: pass the table of pain_points"):
            journey_map_data(ev, pain=pain, **kw, **call)
    stages = pain_points(ev, level="stage", **kw)
    with pytest.raises(CJMConfigError, match="level='stage'.*level='touchpoint'"):
        journey_map_data(ev, pain=stages, **kw)
    per_persona = pain_points(ev, by="persona", **kw)
    assert per_persona.attrs["cjm_pain_points"]["by"] == "persona"
    with pytest.raises(CJMConfigError, match="by='persona'.*by=None"):
        journey_map_data(ev, pain=per_persona, **kw)
    # without the record (a table rebuilt by hand, or saved and read back) duplicates still stop it
    bare = per_persona.copy()
    bare.attrs = {}
    with pytest.raises(CJMDataError, match="several rows per 'touchpoint'") as err:
        journey_map_data(ev, pain=bare, **kw)
    assert err.value.column == "touchpoint" and "same `by`" in err.value.fix
    with pytest.raises(CJMDataError, match="several rows per 'persona' and 'touchpoint'"):
        journey_map_data(ev, pain=pd.concat([bare, bare.iloc[:1]]), by="persona", **kw)
    # the table itself, computed as the map is, is used as it stands (record present or not)
    mapped = journey_map_data(ev, by="persona", **kw)
    for table in (per_persona, bare):
        reused = journey_map_data(ev, pain=table, by="persona", **kw)
        pd.testing.assert_frame_equal(reused.touchpoints, mapped.touchpoints)


def test_structure_and_language(sample):
    data = journey_map_data(sample.events, touchpoints=sample.touchpoints, survey=sample.survey, language="de")
    fig = journey_map(data)
    cards = _marks(fig, "card")
    assert len(cards) == sample.touchpoints.shape[0] == 27
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"Recherche", "Vergleich", "Kauf", "Nutzung & Service", "Bindung"} <= set(texts)
    assert "Logistik" in texts and "Kundenservice" in texts
    assert any("Benachrichtigung über Lieferverzögerung" in t for t in texts)  # long German names, wrapped
    assert any("Reichweite" in t and "%" in t for t in texts)
    assert len(_marks(fig, "pain")) == 5
    assert len(fig.axes[1].lines) >= 1  # the emotion curve
    with pytest.raises(CJMConfigError, match="language='en'"):
        journey_map(data, language="en")
    plt.close(fig)


def test_planted_pain_points_in_the_right_stage_and_lane_per_persona(sample):
    ev = sample.events.merge(sample.personas, on="customer_id")
    data = journey_map_data(ev, touchpoints=sample.touchpoints, survey=sample.survey, by="persona", top_pain=3)
    for persona in data.segments():
        fig = journey_map(data, segment=persona)
        pains = {tp: (stage, lane) for stage, lane, tp in _marks(fig, "pain")}
        assert pains["Delivery delay notice"] == ("experience", "logistics")
        if persona == "price_hunter":
            assert pains["Checkout payment"] == ("purchase", "sales")
        plt.close(fig)
    grid = journey_maps(data, layout="grid")
    assert len(_marks(grid, "card")) == len(data.touchpoints)  # every touchpoint a persona met
    plt.close(grid)


def test_exports_print_size_and_html(sample, tmp_path):
    data = journey_map_data(sample.events, touchpoints=sample.touchpoints, survey=sample.survey)
    fig = journey_map(data)
    assert tuple(round(x, 2) for x in fig.get_size_inches()) == (16.54, 11.69)  # A3 landscape
    png, svg = save_journey_map(fig, tmp_path / "map", dpi=100)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 100_000
    assert "Delivery delay notice" in svg.read_text()
    with pytest.raises(CJMConfigError, match="never overwritten"):
        save_journey_map(fig, tmp_path / "map")
    page = journey_map_html(data)
    assert "plotly" in page.lower() and "Checkout payment" in page
    plt.close(fig)


@pytest.mark.real_data
def test_real_logs_render(tmp_path):
    raw, _ = read_table("data/real/olist_orders_reviews.csv.gz")
    ev = events_from_milestones(
        raw,
        id_column="id",
        milestones={
            "Purchase": "order_purchase_timestamp",
            "Approval": "order_aproved_at",
            "Delivery": "order_delivered_customer_date",
            "Review": "review_creation_date",
        },
        promised={"Delivery": "order_estimated_delivery_date"},
    )
    cat = load_touchpoints(
        pd.DataFrame(
            {
                "touchpoint": ["Purchase", "Approval", "Delivery", "Review"],
                "stage": ["purchase", "approval", "delivery", "review"],
                "department": ["sales", "accounting", "logistics", "customer_service"],
            }
        ),
        stages=["purchase", "approval", "delivery", "review"],
    )
    reviews = load_survey(
        raw,
        columns={"id": "customer_id", "review_answer_timestamp": "date", "review_score": "recommend"},
        recommend_scale=(1, 5),
    )
    data = journey_map_data(
        ev,
        touchpoints=cat,
        survey=reviews,
        promised="promised",
        scale=(1, 5),
        negative_max=2,
        positive_min=5,
        top_pain=1,
    )
    fig = journey_map(data)
    assert _marks(fig, "pain") == [("delivery", "logistics", "Delivery")]
    assert ("delivery", "logistics", "Delivery") in _marks(fig, "truth")
    save_journey_map(fig, tmp_path / "olist", formats=("png",), dpi=80)
    plt.close(fig)
    bpic = load_events(
        "data/real/bpic2012_loan_journeys.csv.gz",
        columns={"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"},
    )
    names = sorted(bpic["touchpoint"].unique())
    stage = {n: {"A": "application", "O": "offer", "W": "work item"}[n[0]] for n in names}
    dept = {n: {"A": "sales", "O": "sales", "W": "customer_service"}[n[0]] for n in names}
    bcat = load_touchpoints(
        pd.DataFrame({"touchpoint": names, "stage": [stage[n] for n in names], "department": [dept[n] for n in names]}),
        stages=["application", "offer", "work item"],
    )
    bdata = journey_map_data(bpic, touchpoints=bcat, outcome=["A_APPROVED"], dedupe=False)
    bfig = journey_map(bdata)
    assert len(_marks(bfig, "card")) == len(names) == 24
    save_journey_map(bfig, tmp_path / "bpic", formats=("png",), dpi=80)
    plt.close(bfig)

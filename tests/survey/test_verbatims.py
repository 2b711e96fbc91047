"""Verbatim themes and code frames: planted topics, PII, blanks, NPS per theme, real data."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.survey.verbatims import (
    BLANK_THEME,
    NONE_THEME,
    VerbatimThemes,
    code_answers,
    code_summary,
    stop_words_for,
    verbatim_themes,
)

REAL = Path(__file__).resolve().parents[2] / "data" / "real"

# Three unambiguous German topics, 12 comments each.
DELIVERY = [
    "Die Lieferung kam viel zu spät, das Paket war tagelang unterwegs",
    "Paket kam zu spät an, Lieferung hat ewig gedauert",
    "Lieferung verspätet, der Zusteller hat das Paket beim Nachbarn abgegeben",
    "Das Paket wurde zu spät geliefert und die Lieferung war nicht angekündigt",
    "Zusteller kam spät, Paket beschädigt",
    "Lieferung dauerte zwei Wochen, Paket zu spät",
    "spät geliefert, Paket fehlte ein Teil der Lieferung",
    "Der Zusteller war unfreundlich und die Lieferung spät",
    "Lieferung spät und Paket nass",
    "Paket nie angekommen, Lieferung viel zu spät",
    "Die Lieferung war spät, Zusteller hat nicht geklingelt",
    "Paket spät zugestellt, Lieferung mangelhaft",
]
PRICE = [
    "Der Preis ist viel zu teuer für diese Qualität",
    "Zu teuer, der Preis wurde schon wieder erhöht",
    "Preis zu hoch und die Gebühren sind teuer",
    "Teuer im Vergleich, Preis nicht fair",
    "Die Gebühren und der Preis sind zu teuer",
    "Preis erhöht, alles teuer geworden",
    "Viel zu teuer, Preis und Gebühren unverschämt",
    "Der Tarif ist teuer, Preis zu hoch",
    "teuer teuer teuer, Preis senken bitte",
    "Preis Leistung stimmt nicht, zu teuer",
    "Gebühren versteckt, Preis am Ende teuer",
    "Preis zu teuer, Gebühren zu hoch",
]
HOTLINE = [
    "Die Hotline ist nie erreichbar, ewig in der Warteschleife",
    "Warteschleife von 40 Minuten, Hotline Mitarbeiter unfreundlich",
    "Hotline Mitarbeiter kompetent, aber lange Warteschleife",
    "Mitarbeiter an der Hotline konnte nicht helfen",
    "Hotline schlecht erreichbar und Warteschleife nervt",
    "In der Warteschleife gehangen, Hotline legt auf",
    "Hotline Mitarbeiter freundlich und hilfsbereit",
    "Warteschleife, Warteschleife, dann Hotline besetzt",
    "Mitarbeiter der Hotline wusste nichts",
    "Hotline lange Warteschleife, Mitarbeiter genervt",
    "Die Hotline Mitarbeiter waren freundlich",
    "Hotline nicht erreichbar, Warteschleife endlos",
]
TOPICS = {"delivery": DELIVERY, "price": PRICE, "hotline": HOTLINE}
ANCHORS = {
    "delivery": {"lieferung", "paket", "spät"},
    "price": {"preis", "teuer", "gebühren"},
    "hotline": {"hotline", "warteschleife", "mitarbeiter"},
}

# Personal data planted into comments; none of it may reach a term list or an example.
PLANTED = {
    0: " Bitte melden: anna.berg@example.org",
    5: " Ruft mich an: 0171 2345678",
    13: " Meine Mail ist max.mustermann@gmail.com",
    20: " Tel. +49 30 1234567 oder 030/7654321",
    26: " Erstattung auf DE89 3704 0044 0532 0130 00",
    30: " Wohne Musterstraße 12, 12345 Berlin",
}
SECRETS = [
    "anna",
    "berg",
    "example",
    "mustermann",
    "gmail",
    "0171",
    "2345678",
    "1234567",
    "7654321",
    "3704",
    "de89",
    "musterstraße",
    "musterstrasse",
    "12345",
]


def corpus(plant: bool = True) -> pd.DataFrame:
    rows = [(topic, text) for topic, texts in TOPICS.items() for text in texts]
    df = pd.DataFrame(rows, columns=["topic", "comment"])
    if plant:
        for i, extra in PLANTED.items():
            df.loc[i, "comment"] = df.loc[i, "comment"] + extra
    # promoters on the hotline, passives on price, detractors on delivery
    df["recommend"] = df["topic"].map({"delivery": 2, "price": 7, "hotline": 10})
    df["region"] = np.tile(["Nord", "Süd", "Süd"], len(df) // 3)
    return df


def theme_of_topic(res: VerbatimThemes, df: pd.DataFrame) -> dict[str, str]:
    tab = pd.crosstab(df["topic"], res.assignments["theme"].astype(str))
    return tab.idxmax(axis=1).to_dict()


def test_three_german_topics_are_recovered():
    df = corpus()
    res = verbatim_themes(df, n_themes=3)
    assert res.themes["theme"].tolist() == ["T1", "T2", "T3", NONE_THEME]
    mapping = theme_of_topic(res, df)
    assert sorted(mapping.values()) == ["T1", "T2", "T3"]  # one theme per topic
    assert (res.assignments["theme"].astype(str) == df["topic"].map(mapping)).all()  # every comment
    for topic, theme in mapping.items():
        top3 = set(res.terms.query("theme == @theme").nsmallest(3, "rank")["term"])
        assert len(top3 & ANCHORS[topic]) >= 2, (topic, top3)
        assert set(res.themes.set_index("theme").loc[theme, "label"].split(", ")) & ANCHORS[topic]
    assert res.themes["n"].tolist()[:3] == [12, 12, 12] and res.themes["n"].iloc[3] == 0
    assert res.themes["pct"].sum() == pytest.approx(100)
    assert res.summary.loc[0, ["n_rows", "n_blank", "n_comments", "n_themed"]].tolist() == [36, 0, 36, 36]
    weights = res.terms.groupby("theme")["weight"]
    assert (weights.sum() <= 1 + 1e-9).all() and (res.terms["weight"] > 0).all()
    assert (res.terms.groupby("theme")["rank"].apply(lambda r: r.is_monotonic_increasing)).all()


def test_personal_data_never_reaches_terms_labels_or_examples():
    df = corpus()
    res = verbatim_themes(df, n_themes=3, min_df=1, examples=50)  # min_df=1: even single words are terms
    vocab = " ".join(res.vectorizer.get_feature_names_out())
    shown = " ".join(
        [vocab, *res.terms["term"], *res.themes["label"], *res.themes["top_terms"], *res.examples["comment"]]
    ).lower()
    for secret in SECRETS:
        assert secret not in shown, secret
    assert not re.search(r"\d{4,}", shown)
    assert len(res.examples) == 36  # every comment is shown, masked
    masked = res.examples.set_index("row")["comment"]
    assert masked[0].endswith("Bitte melden: [email]")
    assert masked[20].endswith("Tel. [phone] oder [phone]")
    assert masked[26].endswith("Erstattung auf [iban]")
    assert masked[30].endswith("Wohne [address]")
    pii = res.pii.set_index("kind")["n_found"]
    assert pii.to_dict() == {"email": 2, "iban": 1, "card": 0, "phone": 3, "address": 1}
    assert res.summary.loc[0, "n_pii_masked"] == 7


def test_deterministic_for_a_random_state():
    df = corpus()
    a = verbatim_themes(df, n_themes=3, random_state=7)
    b = verbatim_themes(df.copy(), n_themes=3, random_state=7)
    for name in ("themes", "terms", "assignments", "examples", "summary"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_blank_and_wordless_comments_are_counted_not_dropped():
    df = corpus(plant=False)
    extra = pd.DataFrame(
        {
            "comment": ["", "   ", None, "ok", "-", "Danke!", "a@b.de"],
            "topic": "none",
            "recommend": [10, 9, 0, 8, 7, 3, np.nan],
        }
    )
    df = pd.concat([df, extra], ignore_index=True)
    before = df.copy()
    res = verbatim_themes(df, n_themes=3)
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is untouched
    a = res.assignments
    assert a.index.equals(df.index)
    assert a.loc[36:38, "theme"].astype(str).tolist() == [BLANK_THEME] * 3
    assert a.loc[39:42, "theme"].astype(str).tolist() == [NONE_THEME] * 4
    assert a.loc[36:38, "status"].tolist() == ["blank"] * 3 and a.loc[39:42, "status"].tolist() == ["no_terms"] * 4
    assert a.loc[36:42, "theme_weight"].isna().all() and a.loc[:35, "theme_weight"].between(0, 1).all()
    s = res.summary.iloc[0]
    assert (s.n_rows, s.n_blank, s.n_comments, s.n_no_terms, s.n_themed) == (43, 3, 40, 4, 36)
    none = res.themes.set_index("theme").loc[NONE_THEME]
    assert none.n == 4 and none.pct == pytest.approx(10)
    assert res.themes["n"].sum() == 40 and res.themes["pct"].sum() == pytest.approx(100)
    assert "3 blank, 4 without usable words" in repr(res)


def test_nps_per_theme_by_hand():
    df = corpus()
    df.loc[0, "recommend"] = np.nan  # a commenter without a score is counted as missing
    res = verbatim_themes(df, n_themes=3, score="recommend")
    mapping = theme_of_topic(res, df)
    table = res.nps.set_index("theme")
    assert list(res.nps.columns[:3]) == ["theme", "label", "n"]
    d, p, h = table.loc[mapping["delivery"]], table.loc[mapping["price"]], table.loc[mapping["hotline"]]
    assert (d.n, d.n_missing, d.n_detractors, d.nps) == (11, 1, 11, -100)
    assert (p.n, p.n_passives, p.nps) == (12, 12, 0)
    assert (h.n, h.n_promoters, h.nps) == (12, 12, 100)
    total = table.loc["Total"]
    assert total.n == 35 and total.nps == pytest.approx((12 - 11) / 35 * 100)
    themed = res.nps[res.nps["theme"] != "Total"]
    assert themed["n"].sum() == total.n
    assert (themed[["n_promoters", "n_passives", "n_detractors"]].sum(axis=1) == themed["n"]).all()
    groups = res.assignments["nps_group"].astype(str)
    assert groups[df["topic"] == "hotline"].eq("promoter").all() and pd.isna(res.assignments.loc[0, "nps_group"])
    assert "recommend" in res.examples.columns


def test_weights_and_by_groups():
    df = corpus()
    df["w"] = np.where(df["topic"] == "hotline", 2.0, 1.0)
    res = verbatim_themes(df, n_themes=3, weight="w", by="region")
    mapping = theme_of_topic(res, df)
    pct = res.themes.set_index("theme")["pct"]
    assert pct[mapping["hotline"]] == pytest.approx(50) and pct[mapping["price"]] == pytest.approx(25)
    assert res.themes.set_index("theme").loc[mapping["hotline"], "n"] == 12  # counts stay unweighted
    g = res.by_group
    assert list(g.columns) == ["region", "theme", "label", "n", "pct", "base", "n_blank"]
    nord = g[g.region == "Nord"].set_index("theme")
    # Nord holds rows 0, 3, 6, ...: 4 comments per topic
    assert nord.loc[mapping["delivery"], "n"] == 4 and nord.loc[mapping["delivery"], "base"] == 12
    assert nord.loc[mapping["hotline"], "pct"] == pytest.approx(8 / 16 * 100)
    assert g.groupby("region")["n"].sum().to_dict() == {"Nord": 12, "Süd": 24}
    assert g.groupby("region")["pct"].sum().to_numpy() == pytest.approx([100, 100])


def test_negations_are_joined_to_the_word_they_negate():
    df = pd.DataFrame(
        {
            "comment": [
                "Paket nicht geliefert",
                "wurde nicht geliefert",
                "Ware nicht geliefert",
                "Preis zu teuer",
                "viel zu teuer",
                "teuer und schlecht",
            ]
        }
    )
    res = verbatim_themes(df, n_themes=2)
    assert "nicht geliefert" in set(res.terms["term"])
    pt = pd.DataFrame(
        {
            "comment": [
                "não recebi o produto",
                "ainda não recebi",
                "nao recebi nada",
                "chegou antes do prazo",
                "entregue antes do prazo",
                "antes do prazo",
            ]
        }
    )
    res = verbatim_themes(pt, n_themes=2, text_language="pt")
    assert {"nao recebi", "antes prazo"} <= set(res.terms["term"])
    assert res.summary.loc[0, "strip_accents"]


def test_stop_words_for_languages():
    de, en, pt = stop_words_for("de"), stop_words_for("en"), stop_words_for("portuguese")
    assert {"und", "nicht", "gut", "danke"} <= set(de) and "lieferung" not in de
    assert {"the", "nothing", "okay"} <= set(en) and not {"bill", "price", "coverage"} & set(en)
    assert {"nao", "que", "vc"} <= set(pt) and not {"antes", "prazo", "entrega"} & set(pt)
    both = stop_words_for(["de", "en"], extra=["Zusteller"])
    assert {"und", "the", "zusteller"} <= set(both)
    assert "não" in stop_words_for("pt", strip_accents=False)


def test_mixed_languages():
    df = corpus(plant=False)
    df.loc[:5, "comment"] = ["The delivery was late and the parcel damaged"] * 6
    res = verbatim_themes(df, n_themes=3, text_language=["de", "en"])
    assert res.summary.loc[0, "languages"] == "de, en"
    assert not {"the", "and", "was"} & set(res.vectorizer.get_feature_names_out())


def test_input_errors_name_the_argument_and_the_fix():
    df = corpus(plant=False)
    with pytest.raises(CJMDataError, match=r"'coment' for `text`.*Did you mean one of 'comment'"):
        verbatim_themes(df, text="coment")
    with pytest.raises(CJMDataError, match=r"holds numbers.*Fix: Pass the open-text column"):
        verbatim_themes(df, text="recommend")
    with pytest.raises(CJMDataError, match=r"4 themes need at least 4.*Fix: Lower `n_themes`"):
        verbatim_themes(df.head(3), n_themes=4, min_df=1)
    with pytest.raises(CJMDataError, match="all 2 comments in 'comment' are missing or blank"):
        verbatim_themes(pd.DataFrame({"comment": ["", None]}))
    with pytest.raises(CJMDataError, match=r"no term is left.*Fix: Lower `min_df`"):
        verbatim_themes(pd.DataFrame({"comment": ["eins zwei", "drei vier"]}), n_themes=1)
    bad = df.assign(recommend=df["recommend"].where(df.index != 3, 11))
    with pytest.raises(CJMDataError, match=r"outside 0 to 10.*row 3 \(value 11"):
        verbatim_themes(bad, score="recommend")
    with pytest.raises(CJMDataError, match="zero or negative"):
        verbatim_themes(df.assign(w=0.0), weight="w")
    with pytest.raises(CJMConfigError, match=r"'status' given as `by` or `score` has the name of a result"):
        verbatim_themes(df.assign(status="x"), by="status")
    with pytest.raises(CJMConfigError, match=r"Unknown `text_language` 'deu'"):
        verbatim_themes(df, text_language="deu")
    for kwargs, message in [
        ({"n_themes": 0}, "`n_themes` must be a whole number"),
        ({"n_themes": 2.5}, "`n_themes` must be a whole number"),
        ({"min_df": "many"}, "`min_df` must be 'auto' (at least 2 comments, or 1 in 1,000) or a number"),
        (
            {"min_df": 1.5},
            "strictly between 0 and 1 (a share of the comments) or a whole number of comments of at least 1, got 1.5",
        ),
        ({"max_df": 0}, "`max_df` must be a number above 0 and at most 1 (a share of the comments), e.g. 0.5, got 0."),
        ({"examples": 0}, "`examples` must be a whole number"),
        ({"by": "comment"}, "cannot also be a `by`"),
    ]:
        with pytest.raises(CJMConfigError, match=re.escape(message)):
            verbatim_themes(df, **kwargs)


# --- code frames --------------------------------------------------------------------

ANSWERS = pd.DataFrame(
    {
        "comment": [
            "Lieferung kam zu spät",  # 0 Delivery
            "Delivery was late and the price too high",  # 1 Delivery, Price
            "Hotline nicht erreichbar, Paket nie geliefert",  # 2 Hotline, Delivery (*liefer)
            "Preis ok, Hotline freundlich",  # 3 Price, Hotline
            "alles super",  # 4 uncoded
            "",  # 5 blank
            None,  # 6 blank
            "chocolate in the parcel",  # 7 Delivery via 'parcel' only, not 'late'
            "nicht spät, aber teuer",  # 8 Price; Delivery vetoed by exclude
        ],
        "w": [1, 2, 1, 1, 1, 1, 1, 1, 2],
    },
    index=[f"r{i}" for i in range(9)],
)
FRAME = {
    "Lieferung/Delivery": {
        "keywords": ["*liefer", "delivery", "late", "spät", "parcel"],
        "exclude": ["nicht spät"],
        "net": "Logistics",
    },
    "Preis/Price": {"keywords": ["preis", "price", "teuer", "expensive"], "net": "Commercial"},
    "Hotline": {"regex": [r"hotline|call\s*cent(er|re)"], "net": ["Service", "Commercial"]},
}


def test_code_answers_with_overlaps_and_nets_by_hand():
    coded = code_answers(ANSWERS, frame=FRAME)
    assert coded.index.equals(ANSWERS.index)
    assert list(coded.columns) == [
        "Lieferung/Delivery",
        "Preis/Price",
        "Hotline",
        "Logistics",
        "Commercial",
        "Service",
        "uncoded",
    ]
    expected = {
        "Lieferung/Delivery": [1, 1, 1, 0, 0, None, None, 1, 0],
        "Preis/Price": [0, 1, 0, 1, 0, None, None, 0, 1],
        "Hotline": [0, 0, 1, 1, 0, None, None, 0, 0],
        "Logistics": [1, 1, 1, 0, 0, None, None, 1, 0],
        "Commercial": [0, 1, 1, 1, 0, None, None, 0, 1],
        "Service": [0, 0, 1, 1, 0, None, None, 0, 0],
        "uncoded": [0, 0, 0, 0, 1, None, None, 0, 0],
    }
    for col, values in expected.items():
        assert coded[col].tolist() == [pd.NA if v is None else v for v in values], col
    assert str(coded["uncoded"].dtype) == "Int8"
    assert coded.attrs["nets"] == {
        "Logistics": ["Lieferung/Delivery"],
        "Commercial": ["Preis/Price", "Hotline"],
        "Service": ["Hotline"],
    }


def test_code_answers_single_code_takes_the_first_in_frame_order():
    coded = code_answers(ANSWERS, frame=FRAME, multi=False)
    assert coded["Lieferung/Delivery"].tolist()[:4] == [1, 1, 1, 0]
    assert coded["Preis/Price"].tolist()[:4] == [0, 0, 0, 1]
    assert coded["Hotline"].tolist()[:4] == [0, 0, 0, 0]
    codes = coded[["Lieferung/Delivery", "Preis/Price", "Hotline"]]
    assert (codes.sum(axis=1).dropna() <= 1).all()


def test_code_summary_counts_by_hand():
    out = code_summary(ANSWERS, frame=FRAME)
    assert list(out.columns) == ["type", "name", "members", "n", "pct", "base", "n_blank"]
    table = out.set_index("name")
    assert table["n"].to_dict() == {
        "Lieferung/Delivery": 4,
        "Preis/Price": 3,
        "Hotline": 2,
        "Logistics": 4,
        "Commercial": 4,
        "Service": 2,
        "uncoded": 1,
    }
    assert (out["base"] == 7).all() and (out["n_blank"] == 2).all()
    # Commercial = Price (rows 1, 3, 8) or Hotline (rows 2, 3): 4 answers, row 3 once
    assert table.loc["Commercial", "pct"] == pytest.approx(round(4 / 7 * 100, 2))
    assert table.loc["Hotline", "members"] == "Commercial; Service"
    assert table.loc["Commercial", "members"] == "Preis/Price; Hotline"
    assert out["type"].tolist() == ["code"] * 3 + ["net"] * 3 + ["uncoded"]
    weighted = code_summary(ANSWERS, frame=FRAME, weight="w").set_index("name")
    # weights of answers with text: 1, 2, 1, 1, 1, 1, 2 = 9; Price: rows 1, 3, 8 -> 2 + 1 + 2 = 5
    assert weighted.loc["Preis/Price", "pct"] == pytest.approx(round(5 / 9 * 100, 2))
    assert weighted.loc["Preis/Price", "n"] == 3 and weighted.loc["Preis/Price", "base_weighted"] == 9


def test_code_frame_shorthand_and_errors():
    df = pd.DataFrame({"comment": ["zu teuer", "spät"]})
    assert code_answers(df, frame={"Preis": ["teuer"]})["Preis"].tolist() == [1, 0]
    assert code_answers(df, frame={"Preis": "teuer"})["uncoded"].tolist() == [0, 1]
    with pytest.raises(CJMConfigError, match=r"Unknown key 'keyword'.*Did you mean 'keywords'"):
        code_answers(df, frame={"Preis": {"keyword": ["teuer"]}})
    with pytest.raises(CJMConfigError, match="Invalid rule of code 'Preis'"):
        code_answers(df, frame={"Preis": {"regex": ["teuer("]}})
    with pytest.raises(CJMConfigError, match="Net 'Preis' of code 'Teuer'"):
        code_answers(df, frame={"Preis": ["preis"], "Teuer": {"keywords": ["teuer"], "net": "Preis"}})
    with pytest.raises(CJMConfigError, match="no `keywords` and no `regex`"):
        code_answers(df, frame={"Preis": {"net": "X"}})
    with pytest.raises(CJMConfigError, match="non-empty dict of codes"):
        code_answers(df, frame={})
    with pytest.raises(CJMConfigError, match="'uncoded' is reserved"):
        code_answers(df, frame={"uncoded": ["x"]})
    with pytest.raises(CJMDataError, match="'coment' for `text`"):
        code_answers(df, text="coment", frame={"Preis": ["teuer"]})


# --- real data ----------------------------------------------------------------------


@pytest.mark.real_data
def test_olist_portuguese_reviews_not_received_theme_scores_lowest():
    df = pd.read_csv(REAL / "olist_orders_reviews.csv.gz")
    res = verbatim_themes(df, text="review_comment_message", text_language="pt", n_themes=8, by="review_score")
    assert res.summary.loc[0, "n_comments"] == 3584 and res.summary.loc[0, "n_themes"] == 8
    data = res.assignments.join(df[["votes_atrasado"]])
    means = data[data["status"] == "themed"].groupby("theme", observed=True)["review_score"].mean()
    late_votes = data[data["status"] == "themed"].groupby("theme", observed=True)["votes_atrasado"].mean()
    top = res.terms.groupby("theme")["term"].apply(lambda t: set(t.head(5)))
    late = [t for t, terms in top.items() if "nao recebi" in terms]
    assert len(late) == 1, top.to_dict()
    late = late[0]
    others = means.drop(late)
    # verified: 'nao recebi, ainda' has a mean score of about 2.0, every other theme 3.2 or more
    assert means[late] < 2.5 and means[late] <= others.min() - 1
    assert late_votes.idxmax() == late  # the crowd voted it 'atrasado' (late) most often
    assert {"antes prazo", "entrega rapida"} <= set(res.terms["term"])  # the on-time praise themes
    g = res.by_group
    assert g.groupby("review_score")["n"].sum().to_dict() == df["review_score"].value_counts().sort_index().to_dict()


@pytest.mark.real_data
@pytest.mark.parametrize(("column", "word"), [("Q10", "reliable"), ("Q9", "coverage")])
def test_mobiles_likes_and_dislikes_by_nps_group(column, word):
    from cjm_lab.io import load_survey

    df = load_survey(REAL / "mobiles_feedback_survey.sav", columns={"Q8": "recommend"})
    res = verbatim_themes(df, text=column, text_language="en", score="recommend")
    text = repr(res)
    assert text.startswith("VerbatimThemes: 6 themes from 895 comments") and "T6" in text
    assert "<table" in res._repr_html_()
    assert any(word in label for label in res.themes["label"])
    table = res.nps
    themed = table[table["theme"] != "Total"]
    total = table[table["theme"] == "Total"].iloc[0]
    assert total.n == 895 and themed["n"].sum() == total.n
    assert (themed[["n_promoters", "n_passives", "n_detractors"]].sum(axis=1) == themed["n"]).all()
    assert themed["n_promoters"].sum() == total.n_promoters and themed["n_detractors"].sum() == total.n_detractors
    assert res.themes["n"].sum() == 895 and res.themes["pct"].sum() == pytest.approx(100)
    if column == "Q9":  # "Nothing" is the most common dislike: no usable words
        assert res.themes.set_index("theme").loc[NONE_THEME, "n"] > 500

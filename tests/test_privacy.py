"""PII masking and pseudonyms: tables of positive and negative examples, counts, errors."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.privacy import PII_KINDS, mask_pii, pii_counts, pseudonymise

POSITIVES = {
    "email": [
        "max.muster@example.de",
        "Schreib an info@firma-xy.com.",
        "jürgen@müller.de",
        "vor.nach+tag@sub.firma.co.uk",
        "MAX@EXAMPLE.DE",
        "name (at) example (dot) com",
        "name[at]example.com",
    ],
    "phone": [
        "+49 171 2345678",
        "0171 2345678",
        "0171/2345678",
        "(030) 1234567",
        "+1 (555) 123-4567",
        "0049 171 2345678",
        "+49 (0)171 2345678",
        "030-1234567",
        "01712345678",
        "+491712345678",
        "555-123-4567",
        "(555) 123-4567",
        "+44 20 7946 0958",
        "+351 912 345 678",
        "Tel. 2345678",
        "Handy: 1712345678",
        "ruf mich an: 0171 234 56 78",
        "Telefon: 089 / 123 456 78",
        "(11) 91234-5678",
        "meu celular 11 91234-5678",
    ],
    "iban": [
        "DE89 3704 0044 0532 0130 00",
        "DE89370400440532013000",
        "de89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19",
        "NL91ABNA0417164300",
        "FR14 2004 1010 0505 0001 3M02 606",
        "AT61 1904 3002 3457 3201",
        "CH93 0076 2011 6238 5295 7",
        "PT50 0002 0123 1234 5678 9015 4",
    ],
    "address": [
        "Musterstraße 12",
        "Hauptstr. 5a",
        "Am Markt 3",
        "221B Baker Street",
        "Karl-Marx-Straße 12-14",
        "Berliner Straße 5",
        "An der Alster 7",
        "Musterstraße 12, 12345 Berlin",
        "Lindenweg 3b",
        "Schillerplatz 1",
        "hauptstraße 5",
        "10 Downing St.",
        "1600 Pennsylvania Avenue NW",
        "Rua das Flores, 123",
        "Av. Paulista 1000",
    ],
}

NEGATIVES = [
    "am 12.03.2025 um 14:30",
    "49,99 €",
    "Bestellnummer 4711",
    "2025",
    "Größe 42",
    "Bestellung 12345",
    "1.299,00 €",
    "Lieferung am 03.04.",
    "Kundennummer 123456",
    "Artikel 12345678",
    "order number 12345678",
    "KW 12/2025",
    "von 9-17 Uhr",
    "2025-03-12",
    "10:00-12:00",
    "Termin 14.30 - 15.00",
    "ISBN 978-3-16-148410-0",
    "PLZ 10115",
    "+20% Rabatt",
    "Im Jahr 2025 kam 3 mal nichts",
    "Am Montag 3 Pakete",
    "Am Ende 2 Tage",
    "I waited 2 weeks for the phone",
    "bring 2 phones",
    "Tracking 00340434161094042557",
    "PS50 HABE LEIDER KEIN",
    "iPhone 15 Pro 256GB",
    "Vertrag 24 Monate, 5 GB für 9,99",
    "R$ 49,90",
    "comprei 2 unidades em 12/03/2018",
    "São Paulo, 01310-100",
    "user@localhost",
]


@pytest.mark.parametrize(("kind", "text"), [(kind, text) for kind, texts in POSITIVES.items() for text in texts])
def test_positive_examples_are_masked(kind, text):
    out = mask_pii(pd.Series([text])).iloc[0]
    assert f"[{kind}]" in out
    other = [k for k in PII_KINDS if k != kind and f"[{k}]" in out]
    assert not other, f"{text!r} masked as {other} too: {out!r}"


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative_examples_are_left_alone(text):
    assert mask_pii(pd.Series([text])).iloc[0] == text


def test_masked_sentences_keep_no_email_or_phone_digits():
    texts = pd.Series(
        [
            "Bitte ruft mich an unter 0171 2345678 oder schreibt an anna.berg@example.org, danke!",
            "Meine Nummer: +49 (0)30 1234567, IBAN DE89 3704 0044 0532 0130 00.",
            "Call me at +1 (555) 123-4567 or mail john_doe99@mail.example.com",
            "Paket am 12.03.2025 um 14:30 an Musterstraße 12, 12345 Berlin; 49,99 € bezahlt.",
        ]
    )
    out = mask_pii(texts)
    joined = " ".join(out)
    for secret in ["2345678", "1234567", "123-4567", "anna.berg", "john_doe99", "example.org", "3704", "0532"]:
        assert secret not in joined
    assert not re.search(r"\d{5,}", joined)  # no long digit runs survive
    assert "12.03.2025" in out[3] and "14:30" in out[3] and "49,99 €" in out[3]  # dates, prices stay
    assert out[3] == "Paket am 12.03.2025 um 14:30 an [address]; 49,99 € bezahlt."


def test_missing_values_index_name_and_dtypes_are_kept():
    s = pd.Series(["a@b.de", None, np.nan, 42], index=[10, 11, 12, 13], name="comment", dtype=object)
    out = mask_pii(s)
    assert out.index.tolist() == [10, 11, 12, 13] and out.name == "comment"
    assert out.iloc[0] == "[email]" and out.isna().tolist() == [False, True, True, False]
    assert out.iloc[3] == "42"
    cat = pd.Series(["x@y.com", "nichts"], dtype="category")
    assert mask_pii(cat).tolist() == ["[email]", "nichts"]


def test_kinds_and_token():
    s = pd.Series(["a@b.de, 0171 2345678, Hauptstr. 5"])
    assert mask_pii(s, kinds="email").iloc[0] == "[email], 0171 2345678, Hauptstr. 5"
    assert mask_pii(s, kinds=["phone", "address"]).iloc[0] == "a@b.de, [phone], [address]"
    assert mask_pii(s, token="<{kind}>").iloc[0] == "<email>, <phone>, <address>"
    assert mask_pii(s, token="XXX").iloc[0] == "XXX, XXX, XXX"


def test_iban_digits_are_never_read_as_a_phone():
    s = pd.Series(["IBAN: DE89 3704 0044 0532 0130 00"])
    assert mask_pii(s, kinds=["phone", "iban"]).iloc[0] == "IBAN: [iban]"  # order of kinds does not matter
    counts = pii_counts(s).set_index("kind")["n_found"]
    assert counts["iban"] == 1 and counts["phone"] == 0


def test_pii_counts_by_hand():
    s = pd.Series(
        [
            "a@b.de und c@d.com, Tel 0171 2345678",  # 2 e-mails, 1 phone
            "Hauptstr. 5a und Am Markt 3",  # 2 addresses
            "DE89370400440532013000",  # 1 iban
            "nichts",
            None,
        ]
    )
    out = pii_counts(s)
    assert list(out.columns) == ["kind", "n_found", "n_texts", "n_nonmissing", "pct_texts"]
    assert out["kind"].tolist() == ["email", "iban", "card", "phone", "address"]
    assert out["n_found"].tolist() == [2, 1, 0, 1, 2]
    assert out["n_texts"].tolist() == [1, 1, 0, 1, 1]
    assert (out["n_nonmissing"] == 4).all()
    assert out["pct_texts"].tolist() == [25.0, 25.0, 0.0, 25.0, 25.0]
    one = pii_counts(s, kinds="email")
    assert one["kind"].tolist() == ["email"] and one["n_found"].tolist() == [2]


def test_bad_arguments_name_the_fix():
    with pytest.raises(CJMConfigError, match=r"Unknown kind 'emial'.*Did you mean 'email'"):
        mask_pii(pd.Series(["x"]), kinds=["emial"])
    with pytest.raises(CJMConfigError, match="`kinds` of mask_pii"):
        mask_pii(pd.Series(["x"]), kinds=[])
    with pytest.raises(CJMConfigError, match="placeholder"):
        mask_pii(pd.Series(["a@b.de"]), token="[{type}]")
    with pytest.raises(CJMDataError, match=r"needs a pandas Series.*got list.*data\['comment'\]"):
        mask_pii(["a@b.de"])
    with pytest.raises(CJMDataError, match="got DataFrame"):
        pii_counts(pd.DataFrame({"a": ["x"]}))


def test_pseudonymise_is_salted_sha256_truncated():
    import hashlib

    ids = pd.Series(["C001", "C002", "C001", None, 7], index=list("abcde"), name="customer_id", dtype=object)
    out = pseudonymise(ids, salt="pepper")
    expected = hashlib.sha256(b"pepper\x1fC001").hexdigest()[:16]
    assert out["a"] == expected and out["c"] == expected
    assert out["a"] != out["b"] and len(out["b"]) == 16 and re.fullmatch(r"[0-9a-f]{16}", out["b"])
    assert pd.isna(out["d"]) and out.name == "customer_id" and out.index.tolist() == list("abcde")
    assert out["e"] == pseudonymise(pd.Series(["7"]), salt="pepper").iloc[0]  # ids are read as text
    other = pseudonymise(ids, salt="salt")
    assert (other.dropna() != out.dropna()).all()
    assert pseudonymise(ids, salt="pepper").equals(out)  # stable


def test_pseudonymise_hashes_each_distinct_id_once(monkeypatch):
    from cjm_lab import privacy

    calls = []
    real = privacy.hashlib.sha256

    def counting(data=b""):
        calls.append(data)
        return real(data)

    monkeypatch.setattr(privacy.hashlib, "sha256", counting)
    ids = pd.Series(np.repeat(["a", "b", "c"], 1000))
    out = pseudonymise(ids, salt="x")
    assert len(calls) == 3 and out.nunique() == 3


@pytest.mark.parametrize("salt", ["", "   ", None, 123])
def test_pseudonymise_needs_a_salt(salt):
    with pytest.raises(
        CJMConfigError, match=r"pseudonymise\(\): `salt` must be a non-empty text, got .*Fix: without a secret salt"
    ):
        pseudonymise(pd.Series(["a"]), salt=salt)


def test_pseudonymise_needs_a_series():
    with pytest.raises(CJMDataError, match="Series of ids"):
        pseudonymise(["a"], salt="x")


def test_missing_ids_and_texts_stay_missing_where_str_is_not_the_string_dtype():
    """pandas 2 (and pandas 3 with future.infer_string off) write a missing value as the text 'nan'
    with astype("str"): a missing customer id must not get the pseudonym of 'nan', nor a missing
    comment become the comment 'None'."""
    ids = pd.Series(["C001", None, np.nan], dtype=object, name="customer_id")
    texts = pd.Series(["a@b.de", None], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 says the option goes away in pandas 4
        with pd.option_context("future.infer_string", False):
            assert ids.astype("str").tolist() == ["C001", "None", "nan"]  # the trap itself
            out = pseudonymise(ids, salt="pepper")
            masked = mask_pii(texts)
    assert out.isna().tolist() == [False, True, True]
    assert masked.tolist()[0] == "[email]" and pd.isna(masked.tolist()[1])

"""Typing tools: save/load round trip, refusals, version checks, unseen categories, golden questions."""

from __future__ import annotations

import joblib
import numpy as np
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.personas import GoldenQuestions, PersonaModel, golden_questions, load_model, save_model


@pytest.fixture(scope="module")
def fitted(mixed):
    df, _ = mixed
    return PersonaModel(3, random_state=0).fit(df)


def test_round_trip(fitted, mixed, tmp_path):
    df, _ = mixed
    path = fitted.save(tmp_path / "personas.joblib")
    loaded = PersonaModel.load(path)
    np.testing.assert_array_equal(loaded.predict(df), fitted.predict(df))
    np.testing.assert_allclose(loaded.predict_proba(df), fitted.predict_proba(df))
    assert list(loaded.feature_names_in_) == list(fitted.feature_names_in_)
    payload = joblib.load(path)
    assert payload["format"] == "cjm_lab.personas/typing-tool" and payload["kind"] == "PersonaModel"
    assert {f["column"]: f["levels"] for f in payload["features"]}["channel"] == ["app", "online", "phone", "store"]
    assert {"python", "cjm-lab", "scikit-learn", "numpy", "pandas"} <= set(payload["versions"])
    assert payload["model"]._engine.resp is None  # training posteriors are not stored


def test_refuses_to_overwrite_and_unfitted(fitted, tmp_path):
    path = tmp_path / "m.joblib"
    save_model(fitted, path)
    before = path.read_bytes()
    with pytest.raises(CJMConfigError, match="already exists. Pass overwrite=True"):
        fitted.save(path)
    assert path.read_bytes() == before
    fitted.save(path, overwrite=True)
    with pytest.raises(CJMConfigError, match="not fitted yet"):
        PersonaModel(3).save(tmp_path / "x.joblib")
    with pytest.raises(CJMConfigError, match="does not exist"):
        fitted.save(tmp_path / "no" / "such" / "dir.joblib")


def test_version_mismatch_warns_or_raises(fitted, tmp_path):
    path = tmp_path / "old.joblib"
    save_model(fitted, path)
    payload = joblib.load(path)
    payload["versions"]["scikit-learn"] = "0.24.2"
    joblib.dump(payload, path)
    with pytest.warns(UserWarning, match=r"scikit-learn 0\.24\.2 \(now .*refit"):
        model = load_model(path)
    assert isinstance(model, PersonaModel)
    with pytest.raises(CJMDataError, match="scikit-learn 0.24.2"):
        load_model(path, strict=True)


def test_load_errors(tmp_path):
    with pytest.raises(CJMDataError, match="there is no file"):
        load_model(tmp_path / "missing.joblib")
    other = tmp_path / "other.joblib"
    joblib.dump({"weights": [1, 2]}, other)
    with pytest.raises(CJMDataError, match="is not a cjm-lab typing tool"):
        load_model(other)
    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"not a pickle")
    with pytest.raises(CJMDataError, match="could not be read"):
        load_model(junk)
    newer = tmp_path / "newer.joblib"
    joblib.dump({"format": "cjm_lab.personas/typing-tool", "format_version": 99, "model": None}, newer)
    with pytest.raises(CJMDataError, match="newer cjm-lab"):
        load_model(newer)


def test_missing_columns_and_unseen_categories(fitted, mixed):
    df, _ = mixed
    with pytest.raises(CJMDataError) as err:
        fitted.predict(df.drop(columns=["q1", "channel"]))
    msg = str(err.value)
    assert "lacks 2 column(s)" in msg and "'q1'" in msg and "'channel'" in msg and "feature_names_in_" in msg
    new = df.head(6).copy()
    new.loc[new.index[[1, 4]], "channel"] = "fax"
    with pytest.raises(CJMDataError) as err:
        fitted.predict(new)
    msg = str(err.value)
    assert "2 value(s) in 'channel' are categories the personas were not built with" in msg
    assert "rows 1, 4 (values 'fax', 'fax')" in msg and "unknown='ignore'" in msg
    tolerant = fitted.set_params(unknown="ignore")
    try:
        labels = tolerant.predict(new)
        assert labels.shape == (6,)
        np.testing.assert_array_equal(labels[[0, 2, 3, 5]], fitted.labels_[[0, 2, 3, 5]])
    finally:
        fitted.set_params(unknown="error")
    bad = df.head(3).copy()
    bad["size_band"] = bad["size_band"].astype(object)
    bad.loc[bad.index[0], "size_band"] = "XL"
    with pytest.raises(CJMDataError, match="'size_band' are categories"):
        fitted.predict(bad)


def test_text_in_numeric_column_at_predict(fitted, mixed):
    df, _ = mixed
    new = df.head(4).astype({"spend": object})
    new.loc[new.index[2], "spend"] = "n/a"
    with pytest.raises(CJMDataError, match=r"1 value\(s\) in 'spend' are text.*row 2 \(value 'n/a'\)"):
        fitted.predict(new)


def test_golden_questions(sample, attitudes):
    data = sample.customers
    model = PersonaModel(5, random_state=0).fit(data)
    candidates = [*attitudes, "age_band", "region", "income_band", "preferred_channel", "tenure_months"]
    gq = golden_questions(data, model, candidates=candidates)
    assert isinstance(gq, GoldenQuestions) and 5 <= len(gq.questions) <= 10
    assert gq.accuracy >= 0.85 and gq.accuracy_all >= 0.9 and gq.accuracy >= gq.accuracy_all - 0.05
    assert gq.table["selected"].sum() == len(gq.questions)
    assert gq.table["accuracy"].iloc[0] < gq.table["accuracy"].iloc[len(gq.questions) - 1]
    assert gq.n_test == 750
    # types new respondents from the golden questions alone
    answers = data[gq.questions].head(200)
    assert np.mean(gq.predict(answers) == model.labels_[:200]) > 0.85
    lda = golden_questions(data, model, candidates=candidates, method="lda", n=6)
    assert len(lda.questions) == 6 and lda.accuracy > 0.8


def test_golden_questions_save_and_errors(mixed, tmp_path):
    df, seg = mixed
    gq = golden_questions(df, seg, candidates=["q0", "q1", "q2", "channel"], n=2)
    path = gq.save(tmp_path / "golden.joblib")
    assert load_model(path).questions == gq.questions
    with pytest.raises(CJMConfigError, match="'logit' or 'lda'"):
        golden_questions(df, seg, candidates=["q0"], method="tree")
    with pytest.raises(CJMDataError, match="one persona"):
        golden_questions(df, np.zeros(len(df)), candidates=["q0", "q1"])
    with pytest.raises(CJMDataError, match="'q9' for `columns`"):
        golden_questions(df, seg, candidates=["q9"])

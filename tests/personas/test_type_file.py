"""type_file: typing a Parquet/CSV file batch by batch equals model.predict on the loaded frame."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab import CJMConfigError, CJMDataError
from cjm_lab.personas import PersonaModel, golden_questions, load_model, type_file

from .conftest import planted_mixed

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ["q0", "q1", "q2", "spend", "channel"]


@pytest.fixture(scope="module")
def fitted() -> tuple[PersonaModel, pd.DataFrame]:
    train, _ = planted_mixed(600, seed=0)
    model = PersonaModel(3, columns=FEATURES, random_state=0).fit(train)
    model.persona_names_ = {0: "Preisbewusste", 1: "Service-Sucher"}  # persona 2 has no name
    new, _ = planted_mixed(5000, seed=1)
    return model, new


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_parquet_in_batches_equals_predict_on_the_loaded_frame(fitted, tmp_path):
    model, new = fitted
    src = tmp_path / "customers.parquet"
    new.to_parquet(src, row_group_size=1500)
    before = _digest(src)
    out = type_file(model, src, tmp_path / "personas.parquet", batch_size=700)
    typed = pd.read_parquet(out)
    loaded = pd.read_parquet(src)
    assert list(typed.columns) == ["customer_id", "persona", "persona_name", "probability"]
    assert typed["customer_id"].tolist() == loaded["customer_id"].tolist()
    np.testing.assert_array_equal(typed["persona"].to_numpy(), model.predict(loaded))
    proba = model.predict_proba(loaded)
    np.testing.assert_allclose(
        typed["probability"].to_numpy(), proba[np.arange(len(loaded)), typed["persona"]], rtol=1e-12, atol=1e-12
    )
    expected_names = pd.Series(model.predict(loaded)).map(model.persona_names_)
    assert typed["persona_name"].isna().tolist() == expected_names.isna().tolist()
    assert typed["persona_name"].dropna().tolist() == expected_names.dropna().tolist()
    assert _digest(src) == before  # the input is only read
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.parquet", "personas.parquet"]


def test_csv_folder_and_saved_tool(fitted, tmp_path):
    model, new = fitted
    new.to_csv(tmp_path / "customers.csv", sep=";", index=False)
    tool = load_model(model.save(tmp_path / "personas.joblib"))
    typed = pd.read_parquet(type_file(tool, tmp_path / "customers.csv", tmp_path / "a.parquet", batch_size=999))
    assert typed["customer_id"].tolist() == new["customer_id"].tolist()
    np.testing.assert_array_equal(typed["persona"].to_numpy(), model.predict(new))
    parts = tmp_path / "parts"
    parts.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(new)), 4)):
        new.iloc[rows].to_parquet(parts / f"part-{i}.parquet")
    by_folder = pd.read_parquet(type_file(model, parts, tmp_path / "b.parquet", batch_size=512))
    pd.testing.assert_frame_equal(by_folder.drop(columns="probability"), typed.drop(columns="probability"))


def test_kmeans_has_no_probability_and_golden_questions_have_one(tmp_path):
    train, seg = planted_mixed(600, seed=0)
    new, _ = planted_mixed(2000, seed=2)
    new.to_parquet(tmp_path / "c.parquet")
    km = PersonaModel(3, algorithm="kmeans", columns=FEATURES, random_state=0).fit(train)
    typed = pd.read_parquet(type_file(km, tmp_path / "c.parquet", tmp_path / "km.parquet", batch_size=300))
    assert list(typed.columns) == ["customer_id", "persona"]
    np.testing.assert_array_equal(typed["persona"].to_numpy(), km.predict(new))
    gq = golden_questions(train, np.array(["a", "b", "c"])[seg], candidates=["q0", "q1", "channel"], n=2)
    typed = pd.read_parquet(
        type_file(gq, tmp_path / "c.parquet", tmp_path / "gq.parquet", id_column=None, batch_size=300)
    )
    assert list(typed.columns) == ["row", "persona", "probability"]
    assert typed["row"].tolist() == list(range(len(new)))
    np.testing.assert_array_equal(typed["persona"].to_numpy(), gq.predict(new))
    np.testing.assert_allclose(typed["probability"].to_numpy(), gq.predict_proba(new).max(axis=1), rtol=1e-12)


def test_never_overwrites_and_never_writes_to_the_input(fitted, tmp_path):
    model, new = fitted
    src = tmp_path / "customers.parquet"
    new.head(100).to_parquet(src)
    out = tmp_path / "personas.parquet"
    type_file(model, src, out)
    first = _digest(out)
    with pytest.raises(CJMConfigError, match="already exists"):
        type_file(model, src, out)
    assert _digest(out) == first
    type_file(model, src, out, overwrite=True)
    before = _digest(src)
    with pytest.raises(CJMConfigError, match="one of the input files"):
        type_file(model, src, src, overwrite=True)
    assert _digest(src) == before
    with pytest.raises(CJMConfigError, match="does not exist"):
        type_file(model, src, tmp_path / "missing" / "out.parquet")
    with pytest.raises(CJMConfigError, match="fitted PersonaModel"):
        type_file("personas.joblib", src, tmp_path / "x.parquet")
    with pytest.raises(CJMConfigError, match="batch_size"):
        type_file(model, src, tmp_path / "x.parquet", batch_size=0)


def test_out_never_becomes_an_input_part(fitted, tmp_path):
    model, new = fitted
    parts = tmp_path / "parts"
    (parts / "sub").mkdir(parents=True)
    new.head(50).to_parquet(parts / "part-0.parquet")
    for out in (parts / "personas.parquet", parts / "sub" / "personas.parquet"):
        with pytest.raises(CJMConfigError, match="lies in the source"):
            type_file(model, parts, out)
    with pytest.raises(CJMConfigError, match="lies in the source"):
        type_file(model, str(parts / "*.parquet"), parts / "personas.parquet")
    with pytest.raises(CJMConfigError, match="lies in the source"):  # a relative spelling of the same place
        type_file(model, str(parts / "*.parquet"), parts / "sub" / ".." / "typed.parquet")
    assert sorted(p.name for p in parts.rglob("*")) == ["part-0.parquet", "sub"]
    # beside the folder, or in the folder but outside the pattern, is fine
    assert pd.read_parquet(type_file(model, parts, tmp_path / "personas.parquet")).shape[0] == 50
    kept = type_file(model, str(parts / "part-*.parquet"), parts / "typed.parquet")
    assert pd.read_parquet(kept).shape[0] == 50


def test_a_target_that_appears_while_typing_is_never_overwritten(fitted, tmp_path, monkeypatch):
    import cjm_lab.personas.typing_tool as tt

    model, new = fitted
    src = tmp_path / "customers.parquet"
    new.head(100).to_parquet(src)
    out = tmp_path / "personas.parquet"
    real = tt._typed

    def racing(*args, **kwargs):
        if not out.exists():
            out.write_text("someone else's file")
        return real(*args, **kwargs)

    monkeypatch.setattr(tt, "_typed", racing)
    with pytest.raises(CJMConfigError, match="already exists"):
        type_file(model, src, out, batch_size=40)
    assert out.read_text() == "someone else's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.parquet", "personas.parquet"]  # no temp file
    type_file(model, src, out, batch_size=40, overwrite=True)  # overwrite=True replaces it
    assert len(pd.read_parquet(out)) == 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.parquet", "personas.parquet"]


def test_written_file_has_the_usual_permissions(fitted, tmp_path):
    import os
    import stat

    model, new = fitted
    new.head(20).to_parquet(tmp_path / "c.parquet")
    mask = os.umask(0o022)
    try:
        out = type_file(model, tmp_path / "c.parquet", tmp_path / "p.parquet")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644  # not mkstemp's 0600


def test_rows_without_an_id_are_refused_and_int64_ids_stay_int64(fitted, tmp_path):
    model, new = fitted
    data = new.head(600).copy()
    data["customer_id"] = pd.array(np.arange(1, 601), dtype="Int64")
    src = tmp_path / "customers.parquet"
    data.to_parquet(src)
    typed = pd.read_parquet(type_file(model, src, tmp_path / "ok.parquet", batch_size=250))
    assert typed["customer_id"].dtype == "Int64"
    assert typed["customer_id"].tolist() == list(range(1, 601))
    data.loc[[420, 433], "customer_id"] = pd.NA
    data.to_parquet(src)
    with pytest.raises(CJMDataError, match=r"2 row\(s\) have no id in 'customer_id'") as err:
        type_file(model, src, tmp_path / "bad.parquet", batch_size=250)
    assert err.value.column == "customer_id" and err.value.rows == [420, 433]  # counted across batches
    assert "batch 1 (rows 250–499" in str(err.value) and "id_column=None" in str(err.value)
    csv = tmp_path / "customers.csv"
    data.assign(customer_id=data["customer_id"].astype("string").fillna("  ")).to_csv(csv, index=False)
    with pytest.raises(CJMDataError, match=r"have no id") as err:
        type_file(model, csv, tmp_path / "bad.parquet", batch_size=250)
    assert err.value.rows == [420, 433]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.csv", "customers.parquet", "ok.parquet"]


def test_bad_batches_name_batch_rows_and_file_and_leave_no_output(fitted, tmp_path):
    model, new = fitted
    bad = new.head(1000).copy()
    bad.loc[[640, 700], "channel"] = "fax"
    src = tmp_path / "customers.parquet"
    bad.to_parquet(src)
    out = tmp_path / "personas.parquet"
    with pytest.raises(CJMDataError) as err:
        type_file(model, src, out, batch_size=300)
    assert err.value.column == "channel" and err.value.rows == [640, 700]
    assert "batch 2 (rows 600–899" in str(err.value) and err.value.source == str(src)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.parquet"]  # no partial output
    new.drop(columns="spend").head(10).to_parquet(tmp_path / "short.parquet")
    with pytest.raises(CJMDataError, match="spend"):
        type_file(model, tmp_path / "short.parquet", out)
    with pytest.raises(CJMDataError, match="respondent_id"):
        type_file(model, src, out, id_column="respondent_id")


_MEMORY_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np, pandas as pd
    from cjm_lab.personas import load_model, type_file

    def rss(field):
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith(field)) / 1024

    def reset_peak():
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")

    model, src, out = load_model(sys.argv[1]), sys.argv[2], sys.argv[3]
    reset_peak(); base = rss("VmRSS:")
    type_file(model, src, out, batch_size=25_000)
    batched = rss("VmHWM:") - base
    reset_peak(); base = rss("VmRSS:")
    frame = pd.read_parquet(src)
    personas, proba = model.predict(frame), model.predict_proba(frame)
    loaded = rss("VmHWM:") - base
    print(json.dumps({"batched_mb": batched, "loaded_mb": loaded}))
""")


def test_peak_memory_depends_on_the_batch_not_the_file(fitted, tmp_path):
    model, _ = fitted
    n = 1_000_000
    rng = np.random.default_rng(5)
    big = pd.DataFrame(
        {
            "customer_id": np.char.add("K", np.arange(n).astype("U7")),
            **{f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(3)},
            "spend": np.round(rng.lognormal(4.5, 1.0, n), 2),
            "channel": rng.choice(["online", "store", "app", "phone"], n),
        }
    )
    src = tmp_path / "big.parquet"
    big.to_parquet(src, row_group_size=100_000)
    del big
    tool = model.save(tmp_path / "personas.joblib")
    run = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, tool, str(src), str(tmp_path / "out.parquet")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    peaks = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(pd.read_parquet(tmp_path / "out.parquet", columns=["persona"])) == n
    # 25,000 rows a batch: about 0.1 GB (measured 104 MB), against 0.66 GB for the loaded million
    assert peaks["batched_mb"] < 200, peaks
    assert peaks["batched_mb"] < peaks["loaded_mb"] / 4, peaks

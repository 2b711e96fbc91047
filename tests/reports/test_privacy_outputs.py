"""What reaches a report folder: no raw id, no e-mail or phone number, no group below the minimum."""

from __future__ import annotations

import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cjm_lab.errors import CJMConfigError
from cjm_lab.privacy import ENV_MIN_GROUP_SIZE, ENV_SALT, ENV_SALT_FILE, find_base_column, mask_pii
from cjm_lab.reports import build_workbook, read_sheet, run_report, save_table
from cjm_lab.sample import make_sample
from cjm_lab.survey import nps, verbatim_themes

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"(?<![\w.])(?:\+|00)\d[\d ()/-]{6,}\d|(?<![\w.])0\d{2,5}[ /-]?\d{5,}")


def _all_text(folder) -> str:
    """Every table the run folder holds, CSV and every sheet of the workbook, as text."""
    parts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))]
    book = folder / "tables.xlsx"
    if not book.exists():
        build_workbook(folder)  # the runner builds it from the saved tables
    if book.exists():
        for sheet in pd.read_excel(book, sheet_name=None).values():
            parts.append(sheet.to_csv(index=False))
    return "\n".join(parts)


def _small_cells(folder, k) -> list[str]:
    bad = []
    for path in folder.glob("*.csv"):
        table = pd.read_csv(path)
        base = find_base_column(table)
        if base is not None and (table[base].dropna() < k).any():
            bad.append(path.name)
    return bad


@pytest.fixture
def raw_table():
    return pd.DataFrame(
        {
            "customer_id": ["K-100001", "K-100002", "K-100003", "K-100004", "K-100005"],
            "segment": ["a", "b", "c", "d", "Total"],
            "n": [3, 9, 40, 70, 122],
            "example": [
                "schreib an max.muster@example.de",
                "ruf an: +49 171 2345678",
                "alles gut",
                "Tel. 0171 2345678 bitte",
                "-",
            ],
        }
    )


def test_save_table_writes_no_raw_id_no_pii_no_small_group(tmp_path, raw_table, monkeypatch):
    monkeypatch.setenv(ENV_SALT, "a-secret-pepper")
    monkeypatch.delenv(ENV_MIN_GROUP_SIZE, raising=False)
    with pytest.raises(CJMConfigError, match=r"id column\(s\) 'customer_id'.*aggregated results only"):
        save_table(raw_table, "segments", tmp_path)
    assert not list(tmp_path.iterdir())  # nothing written
    save_table(raw_table, "segments", tmp_path, allow_rows=True)
    text = _all_text(tmp_path)
    for raw in raw_table["customer_id"]:
        assert raw not in text
    assert not EMAIL.search(text) and not PHONE.search(text), text
    assert "a-secret-pepper" not in text
    assert _small_cells(tmp_path, 5) == []
    out = pd.read_csv(tmp_path / "segments.csv")
    assert out["suppressed"].tolist() == [True, True, False, False, False]  # 3 and its complement 9
    assert out["example"].iloc[3] == "Tel. [phone] bitte"
    sheet = read_sheet(build_workbook(tmp_path), "segments")
    assert sheet["Base (n)"].isna().tolist() == [True, True, False, False, False]


def test_min_group_size_from_the_runner_setting(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_MIN_GROUP_SIZE, "50")
    t = pd.DataFrame({"segment": ["a", "b", "c"], "n": [30, 60, 90], "nps": [1.0, 2.0, 3.0]})
    save_table(t, "seg", tmp_path)
    assert pd.read_csv(tmp_path / "seg.csv")["suppressed"].tolist() == [True, True, False]
    save_table(t, "seg_own", tmp_path, min_group_size=10)  # a notebook's explicit value wins
    assert not pd.read_csv(tmp_path / "seg_own.csv")["suppressed"].any()


def test_sample_survey_tables_carry_no_verbatim_pii_or_ids(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_SALT, "sample-salt")
    s = make_sample(customers=400, random_state=5)
    survey = s.survey
    emails = set(EMAIL.findall(" ".join(survey["comment"].dropna())))
    assert emails  # the generator plants fake e-mails and phone numbers in the verbatims
    themes = verbatim_themes(survey, text="comment", score="recommend", n_themes=3, random_state=0)
    for name in ("themes", "examples", "nps"):
        save_table(getattr(themes, name), f"verbatim_{name}", tmp_path)
    save_table(nps(survey, by="wave", weight="weight"), "nps_by_wave", tmp_path)
    # a careless notebook saving raw rows still leaks neither ids nor contact data
    save_table(
        survey[["respondent_id", "customer_id", "recommend", "comment"]],
        "raw_rows",
        tmp_path,
        base=False,
        allow_rows=True,
    )
    text = _all_text(tmp_path)
    assert not any(e in text for e in emails)
    assert not EMAIL.search(text) and not PHONE.search(text)
    ids = set(survey["customer_id"].astype(str)) | set(survey["respondent_id"].astype(str))
    cells = set(re.split(r"[,\n]", text))
    assert not ids & cells
    assert _small_cells(tmp_path, 5) == []


def test_masked_verbatims_are_what_a_report_shows():
    texts = pd.Series(["E-Mail: a.b@example.com", "Handy 0171 9876543", None])
    shown = mask_pii(texts)
    assert shown.tolist()[:2] == ["E-Mail: [email]", "Handy [phone]"]


@pytest.mark.notebook
def test_run_keeps_the_salt_out_of_the_run_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_SALT, raising=False)
    monkeypatch.delenv(ENV_SALT_FILE, raising=False)
    params = new_code_cell('output_dir: str = ""  # help: set by the runner')
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell(
        "import pandas as pd\n"
        "from cjm_lab.reports import save_table\n"
        "t = pd.DataFrame({'customer_id': ['K-1', 'K-2', 'K-3'], 'segment': ['a', 'b', 'c'],\n"
        "                  'n': [4, 7, 80], 'comment': ['x@example.org', 'ok', 'ok']})\n"
        "save_table(t, 'segments', output_dir, allow_rows=True)\n"
        "print('written')"
    )
    nb = new_notebook(cells=[params, body])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    books = tmp_path / "notebooks"
    books.mkdir()
    nbformat.write(nb, books / "private.ipynb")
    salt = "s4lt-" + "".join(np.random.default_rng(1).choice(list("abcdef0123456789"), 24))
    res = run_report(
        "private", {}, out=tmp_path / "reports", notebooks=books, progress=False, salt=salt, min_group_size=6
    )
    record = json.loads((res.folder / "run.json").read_text())
    assert record["privacy"] == {"min_group_size": 6, "pseudonym_salt": "configured"}
    for path in res.folder.rglob("*"):
        if path.is_file():
            assert salt.encode() not in path.read_bytes(), path.name
    out = pd.read_csv(res.folder / "segments.csv")
    assert out["suppressed"].tolist() == [True, True, False]  # 4 < 6 and 7 as its complement
    assert not {"K-1", "K-2", "K-3"} & set(out["customer_id"])
    assert "x@example.org" not in _all_text(res.folder)
    import os

    assert ENV_SALT not in os.environ and ENV_MIN_GROUP_SIZE not in os.environ  # restored after the run


@pytest.mark.notebook
def test_a_notebook_with_the_parameter_gets_the_size_only_as_its_parameter(tmp_path, monkeypatch):
    """Issue 21's invisible parameter: the size reaches the kernel as the parameter, not as a variable."""
    monkeypatch.setenv(ENV_MIN_GROUP_SIZE, "3")  # the caller's default, overridden for this run
    params = new_code_cell(
        'min_group_size: int = 5  # help: smallest group shown\noutput_dir: str = ""  # help: set by the runner'
    )
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell(
        "import os\n"
        "from cjm_lab.privacy import min_group_size as default_size\n"
        "from cjm_lab.reports import save_results, start_report\n"
        "report = start_report(output_dir=output_dir, min_group_size=min_group_size)\n"
        f"save_results({{'given': min_group_size, 'report': report.min_group_size, 'default': default_size(),\n"
        f"              'variable': os.environ.get({ENV_MIN_GROUP_SIZE!r}, '')}}, output_dir)"
    )
    nb = new_notebook(cells=[params, body])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    books = tmp_path / "notebooks"
    books.mkdir()
    nbformat.write(nb, books / "sized.ipynb")
    res = run_report("sized", {}, out=tmp_path / "reports", notebooks=books, progress=False, min_group_size=8)
    got = json.loads((res.folder / "results.json").read_text())
    assert got == {"given": 8, "report": 8, "default": 5, "variable": ""}
    assert json.loads((res.folder / "run.json").read_text())["privacy"]["min_group_size"] == 8
    import os

    assert os.environ[ENV_MIN_GROUP_SIZE] == "3"  # the caller's variable is restored


@pytest.mark.notebook
def test_survey_report_on_the_sample_leaks_no_contact_data_or_customer_id(tmp_path):
    """The acceptance check of issue 10: the sample's verbatims hold fake e-mails and phone numbers."""
    from cjm_lab.io import load_survey

    raw = load_survey("data/sample/survey.csv")
    comments = " ".join(raw["comment"].dropna())
    emails = set(EMAIL.findall(comments))
    assert emails
    res = run_report("survey_nps", {"n_themes": 4, "period": ""}, out=tmp_path, progress=False)
    ids = re.compile(r"\b(?:C\d{7}|R\d-\d{7})\b")
    for path in res.folder.rglob("*"):
        if path.suffix in {".csv", ".html", ".json", ".ipynb"}:
            text = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".xlsx":
            text = "\n".join(s.to_csv() for s in pd.read_excel(path, sheet_name=None).values())
        else:
            continue
        assert not any(e in text for e in emails), path.name
        assert not EMAIL.search(text), (path.name, EMAIL.search(text))
        assert not ids.search(text), (path.name, ids.search(text))
        if path.suffix != ".ipynb":  # the notebook holds code and base64 images; tables and the page hold no phone
            assert not PHONE.search(text), (path.name, PHONE.search(text))

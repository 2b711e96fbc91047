"""The report notebooks are the source: committed clean, linted, compiling, bilingual; where they are found.

No kernel runs here (a few seconds); the runs are in test_report_notebooks.py and test_own_reports.py.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cjm_lab.errors import CJMConfigError
from cjm_lab.reports import (
    check_parameters,
    check_report_name,
    data_path,
    list_reports,
    new_report,
    report_folders,
    report_parameters,
    run_report,
)
from cjm_lab.reports.notebooks import ENV_NOTEBOOKS, PACKAGE_NOTEBOOKS, TEMPLATE, report_path, select_cells
from cjm_lab.sample import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(PACKAGE_NOTEBOOKS.glob("*.ipynb"))
ALL = [*SHIPPED, TEMPLATE]
RUFF = Path(sys.executable).with_name("ruff")


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def test_the_shipped_reports_live_in_the_package():
    assert {p.stem for p in SHIPPED} == {
        "cx_overview",
        "survey_nps",
        "journeys",
        "personas",
        "gallery",
        "workshop_personas",
    }
    assert set(list_reports()) >= {p.stem for p in SHIPPED}
    assert not (ROOT / "tools" / "make_notebooks.py").exists()  # retired: the notebook is the source
    for text in ((ROOT / "Makefile").read_text(), (ROOT / "pyproject.toml").read_text()):
        assert "make_notebooks" not in text
    assert "cjm_lab/notebooks" in (ROOT / "Makefile").read_text()  # make lab opens these files


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_committed_without_outputs_and_valid(path):
    nb = _read(path)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: run `make clean-notebooks`"
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert "papermill" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_code_cell_compiles_and_results_reach_the_page_through_the_helpers(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len([c for c in code if "parameters" in c.metadata.get("tags", [])]) == 1
    for i, cell in enumerate(code):
        compile(cell.source, f"{path.name}[code cell {i}]", "exec")
        tree = ast.parse(cell.source)
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        called |= {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        # one path from a result to a deliverable: no Markdown built by hand, no table or figure saved past the helpers
        assert not called & {"Markdown", "HTML", "display", "save_table", "save_figure", "show"}, (path.name, i)
    params = report_parameters(path.stem, path.parent)  # the parameters cell parses
    # every parameter explains itself, also a list ruff wrapped over lines (its help on the closing line)
    assert params["help"].str.len().gt(0).all(), params.loc[params["help"] == "", "name"].tolist()


def test_ruff_lints_and_formats_the_notebooks():
    assert RUFF.is_file(), "ruff is a test dependency (pip install -e '.[test]')"
    folder = str(PACKAGE_NOTEBOOKS)
    lint = subprocess.run([str(RUFF), "check", folder], capture_output=True, text=True, cwd=ROOT)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run([str(RUFF), "format", "--check", folder], capture_output=True, text=True, cwd=ROOT)
    assert fmt.returncode == 0, fmt.stdout
    listed = subprocess.run([str(RUFF), "check", "--show-files", "."], capture_output=True, text=True, cwd=ROOT)
    assert "cjm_lab/notebooks/survey_nps.ipynb" in listed.stdout  # the project's own lint run reaches them
    assert "cjm_lab/reports/show.py" in listed.stdout  # and the reports package (no longer excluded)


@pytest.mark.parametrize("path", [p for p in ALL if p.stem != "gallery"], ids=lambda p: p.stem)
def test_prose_in_markdown_in_english_and_german(path):
    nb = _read(path)
    declared = report_parameters(path.stem, path.parent).set_index("name")["default"].to_dict()
    headings = {}
    for language in ("en", "de"):
        kept = select_cells(nb, parameters={**declared, "language": language})  # every if- tag names a parameter
        headings[language] = [
            line
            for c in kept.cells
            if c.cell_type == "markdown"
            for line in c.source.splitlines()
            if line.startswith("#")
        ]
        assert headings[language][0].startswith("# ")  # a title
    assert len(headings["en"]) == len(headings["de"]) >= 3 and headings["en"] != headings["de"]
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "T = {" not in code  # no story in a dict of texts any more


def test_select_cells_keeps_one_language_and_the_sections_asked_for():
    cells = [
        new_markdown_cell("# A"),
        new_markdown_cell("## Drivers"),
        new_markdown_cell("## Treiber"),
        new_code_cell("x = 1"),
    ]
    cells[1].metadata["tags"] = ["lang-en", "if-drivers"]
    cells[2].metadata["tags"] = ["lang-de", "if-drivers"]
    nb = new_notebook(cells=cells)
    keep = select_cells(nb, parameters={"language": "de", "drivers": ["sat"]})
    assert [c.source for c in keep.cells] == ["# A", "## Treiber", "x = 1"]
    assert [c.source for c in select_cells(nb, parameters={"language": "en", "drivers": ""}).cells] == ["# A", "x = 1"]
    assert len(nb.cells) == 4  # not modified
    with pytest.raises(CJMConfigError, match=r"written in de, en, not in 'fr'\. Fix: pass language='de'"):
        select_cells(nb, parameters={"language": "fr", "drivers": []})
    with pytest.raises(
        CJMConfigError, match=r"Cell 2 is tagged 'if-drivers', but the report has no parameter 'drivers'"
    ):
        select_cells(nb, parameters={"language": "en", "driver": []})


# --- where reports are found ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x", "a/b", "x.ipynb", "", "all", "new", " x", "x" * 81, 5, "/etc/passwd"])
def test_a_report_name_is_a_name_not_a_path(name, tmp_path):
    with pytest.raises(CJMConfigError, match="There is no report"):
        check_report_name(name)
    with pytest.raises(CJMConfigError, match="There is no report"):
        run_report(name, out=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_user_folders_come_before_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_NOTEBOOKS, raising=False)
    assert report_folders() == [PACKAGE_NOTEBOOKS]
    mine = new_report("nps_monthly")  # ./notebooks, which is then searched by itself
    assert mine == Path("notebooks/nps_monthly.ipynb") and report_folders()[0] == (tmp_path / "notebooks").resolve()
    assert "nps_monthly" in list_reports() and report_path("nps_monthly").samefile(mine)
    extra = tmp_path / "team"
    extra.mkdir()
    shutil.copy(mine, extra / "churn.ipynb")
    (extra / "Not a report.ipynb").write_text("{}")  # neither a valid name nor a notebook: skipped
    monkeypatch.setenv(ENV_NOTEBOOKS, str(extra))
    assert {"churn", "nps_monthly", "cx_overview"} <= set(list_reports())
    assert report_folders()[:2] == [extra.resolve(), (tmp_path / "notebooks").resolve()]
    # a user's notebook named like a shipped one wins over it (the first folder holding the name)
    shutil.copy(mine, extra / "survey_nps.ipynb")
    assert report_path("survey_nps").parent == extra.resolve()
    with pytest.raises(CJMConfigError, match=r"'nowhere' \(from notebooks\) does not exist"):
        report_folders("nowhere")
    # the parameters of a user's report are checked exactly like the shipped ones
    with pytest.raises(
        CJMConfigError, match=r"no parameter 'segmnt'\. Did you mean 'segment'\?.*Valid parameters: survey_path"
    ):
        check_parameters("nps_monthly", {"segmnt": "region"})
    with pytest.raises(CJMConfigError, match="must be int"):
        check_parameters("nps_monthly", {"min_group_size": "viele"})


def test_the_old_keyword_folder_still_works_with_a_warning(tmp_path):
    new_report("mine", to=tmp_path)
    with pytest.warns(FutureWarning, match=r"report_parameters\(\): `folder` is now called `notebooks`"):
        assert "segment" in report_parameters("mine", folder=tmp_path)["name"].tolist()
    with pytest.warns(FutureWarning, match="list_reports"):
        assert "mine" in list_reports(folder=tmp_path)


def test_new_report_copies_a_template_or_a_report_and_never_overwrites(tmp_path):
    path = new_report("my_overview", source="cx_overview", to=tmp_path)
    copy, original = _read(path), _read(PACKAGE_NOTEBOOKS / "cx_overview.ipynb")
    assert [c.source for c in copy.cells] == [c.source for c in original.cells]
    assert report_parameters("my_overview", tmp_path).equals(report_parameters("cx_overview"))
    before = path.read_bytes()
    with pytest.raises(CJMConfigError, match=r"A report named 'my_overview' exists already"):
        new_report("my_overview", to=tmp_path)
    with pytest.raises(CJMConfigError, match=r"There is no report 'cx_overveiw'\. Did you mean one of 'cx_overview'"):
        new_report("other", source="cx_overveiw", to=tmp_path)
    with pytest.raises(CJMConfigError, match="named by its name, not a path"):
        new_report("../escape", to=tmp_path)
    assert path.read_bytes() == before and not (tmp_path.parent / "escape.ipynb").exists()
    template = _read(new_report("blank", to=tmp_path))
    assert any("parameters" in c.metadata.get("tags", []) for c in template.cells)
    assert {"lang-en", "lang-de"} <= {t for c in template.cells for t in c.metadata.get("tags", [])}


# --- data files named in parameters ---------------------------------------------------------------


def test_data_paths_are_found_from_the_working_folder_and_the_sample_anywhere(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "notebooks").mkdir()
    (project / "data" / "march.csv").write_text("a\n1\n")
    monkeypatch.chdir(project)
    assert data_path("data/march.csv") == Path("data/march.csv")  # as given: tables naming their source show it
    monkeypatch.chdir(project / "notebooks")  # JupyterLab runs a notebook in its folder
    assert data_path("data/march.csv") == project / "data" / "march.csv"
    assert data_path("data/sample/survey.csv") == SAMPLE_DIR / "survey.csv"  # the bundled sample, from anywhere
    assert data_path(str(project / "data" / "march.csv")) == project / "data" / "march.csv"
    assert data_path("parts/*.parquet") == Path("parts/*.parquet")  # a glob is the loader's to expand
    with pytest.raises(
        CJMConfigError, match=r"'data/april\.csv' was found neither in .*notebooks nor in a folder above"
    ):
        data_path("data/april.csv")
    with pytest.raises(CJMConfigError, match="must be named by a path"):
        data_path("")


# --- the command line ------------------------------------------------------------------------------


def test_report_list_show_new_and_version(tmp_path, monkeypatch, capsys):
    from cjm_lab import __version__
    from cjm_lab.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_NOTEBOOKS, raising=False)
    assert main(["report", "new", "nps_monthly", "--from", "survey_nps"]) == 0
    out = capsys.readouterr().out
    assert out == "notebooks/nps_monthly.ipynb\n"  # the result on standard output, one line
    assert main(["report", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"nps_monthly +Survey & NPS  \[notebooks/nps_monthly\.ipynb\]", out) and "cx_overview " in out
    assert "parameters: survey_path, columns, segment" in out
    assert main(["report", "show", "nps_monthly"]) == 0
    out = capsys.readouterr().out
    assert "min_group_size: int = 5" in out and "notebooks/nps_monthly.ipynb" in out
    assert main(["report", "show"]) == 1 and "needs a report name" in capsys.readouterr().err
    assert main(["report", "list", "extra"]) == 1 and "takes no name" in capsys.readouterr().err
    assert main(["report", "show", "../x"]) == 1
    assert "named by its name, not a path" in capsys.readouterr().err
    assert main(["report", "nps_monthly", "-p", "segmnt=region"]) == 1  # refused before any kernel starts
    err = capsys.readouterr().err
    assert "no parameter 'segmnt'. Did you mean 'segment'?" in err and "Valid parameters: survey_path (str)" in err
    assert not Path("reports").exists()
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"cjm-lab {__version__}"


def test_make_clean_notebooks_strips_outputs_and_keeps_every_edit(tmp_path):
    """An edit made in JupyterLab (a new Markdown and code cell, outputs saved with it) survives the tooling."""
    folder = tmp_path / "books"
    (folder / "templates").mkdir(parents=True)
    nb = _read(PACKAGE_NOTEBOOKS / "survey_nps.ipynb")
    nb.cells.insert(5, new_markdown_cell("## My own section", metadata={"tags": ["lang-en"]}))
    edited = new_code_cell('show_text("Edited in JupyterLab")', execution_count=3)
    edited.outputs = [nbformat.v4.new_output("stream", name="stdout", text="run in JupyterLab\n")]
    nb.cells.insert(6, edited)
    nbformat.write(nb, folder / "survey_nps.ipynb")
    shutil.copy(PACKAGE_NOTEBOOKS / "cx_overview.ipynb", folder / "cx_overview.ipynb")
    env = {**os.environ, "MAKEFLAGS": ""}
    proc = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "clean-notebooks",
            f"NOTEBOOKS={folder}",
            f"BIN={Path(sys.executable).parent}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    cleaned = _read(folder / "survey_nps.ipynb")
    assert [c.source for c in cleaned.cells] == [c.source for c in nb.cells]  # every cell, every edit kept
    assert cleaned.cells[5].metadata["tags"] == ["lang-en"] and cleaned.cells[6].outputs == []
    assert cleaned.cells[6].execution_count is None
    # a clean notebook comes out byte for byte as it went in: the clean-up never churns the files
    assert (folder / "cx_overview.ipynb").read_bytes() == (PACKAGE_NOTEBOOKS / "cx_overview.ipynb").read_bytes()
    # nothing in the Makefile writes the shipped notebooks but that clean-up
    recipes = subprocess.run(
        [
            "make",
            "-n",
            "--no-print-directory",
            "demo",
            "test",
            "lab",
            "sample",
            "bench",
            f"BIN={Path(sys.executable).parent}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    ).stdout
    assert "nbformat" not in recipes and "make_notebooks" not in recipes and "--inplace" not in recipes

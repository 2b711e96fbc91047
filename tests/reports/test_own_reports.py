"""A report of one's own: started from the template, edited as in JupyterLab, run by `cjm-lab report`
from the user's folder (one kernel run), listed in the index, its parameters checked like the shipped ones."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from cjm_lab.cli import main
from cjm_lab.reports import read_manifest
from cjm_lab.reports.notebooks import ENV_NOTEBOOKS
from cjm_lab.sample import sample_path

pytestmark = pytest.mark.notebook


@pytest.fixture
def cli(monkeypatch, capsys):
    """`cjm-lab` as a user types it, in a folder (in this process: the command's own entry point)."""
    monkeypatch.delenv(ENV_NOTEBOOKS, raising=False)

    def run(*args: str, cwd: Path) -> SimpleNamespace:
        monkeypatch.chdir(cwd)
        code = main(list(args))
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


def test_a_report_of_your_own_runs_lands_in_the_index_and_keeps_its_edits(tmp_path, cli):
    project = tmp_path / "project"  # a researcher's folder: no data of its own, so the sample is the bundled one
    project.mkdir()
    made = cli("report", "new", "nps_check", cwd=project)
    assert made.returncode == 0, made.stderr
    path = project / "notebooks" / "nps_check.ipynb"
    assert made.stdout.splitlines()[0] == "notebooks/nps_check.ipynb"

    # edited as in JupyterLab: a section in both languages and a code cell of its own
    nb = nbformat.read(path, as_version=4)
    nb.cells += [
        new_markdown_cell("## Added by hand", metadata={"tags": ["lang-en"]}),
        new_markdown_cell("## Von Hand ergänzt", metadata={"tags": ["lang-de"]}),
        new_code_cell(
            'show_text({"en": "Edited: {n} answers.", "de": "Bearbeitet: {n} Antworten."}, n=len(responses))'
        ),
    ]
    nbformat.write(nb, path)
    edited = path.read_bytes()

    # its parameters are checked like those of the shipped reports, before a kernel starts
    refused = cli("report", "nps_check", "-p", "segmnt=region", "--out", "reports", cwd=project)
    assert refused.returncode == 1
    assert "Report 'nps_check' has no parameter 'segmnt'. Did you mean 'segment'?" in refused.stderr
    assert "Valid parameters: survey_path (str), segment (str), weight (str), language (str)" in refused.stderr
    assert not (project / "reports").exists()
    # found from elsewhere with --notebooks
    shown = cli("report", "show", "nps_check", "--notebooks", str(project / "notebooks"), cwd=tmp_path)
    assert shown.returncode == 0 and "segment: str = 'wave'" in shown.stdout, shown.stderr

    run = cli(
        "report",
        "nps_check",
        "-p",
        "language=de",
        "-p",
        "min_group_size=1400",
        "--quiet",
        "--out",
        "reports",
        cwd=project,
    )
    assert run.returncode == 0, run.stderr
    folder = Path(run.stdout.strip().splitlines()[-1])
    assert folder.parent == project / "reports" and folder.name.endswith("_nps_check")
    assert path.read_bytes() == edited  # a run never writes the notebook it runs

    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Von Hand ergänzt" in page and "Bearbeitet: 2607 Antworten." in page and "Added by hand" not in page
    assert "Mein Bericht" in page and "NPS nach Segment" in page
    index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    assert folder.name in index and "nps_check" in index
    record = json.loads((folder / "run.json").read_text())
    assert Path(record["notebook"]) == path.resolve() and record["parameters"]["min_group_size"] == 1400
    assert record["data_files_sha256"]["data/sample/survey.csv"] == _sha256(sample_path("survey.csv"))
    # the minimum group size of 1400 hides wave 2 (1,277 answers) and wave 1 with it: no sentence about a wave
    saved = (folder / "nps_by_segment.csv").read_text().splitlines()
    assert saved[0].startswith("wave,n,") and saved[1].startswith("1,,") and saved[2].startswith("2,,")
    manifest = read_manifest(folder)
    assert list(manifest.tables) == ["nps_by_segment"] and manifest.figures == []  # no group to draw
    assert manifest.tables["nps_by_segment"].title == "NPS nach Segment"
    assert record["title"] == "Mein Bericht"


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()

"""The report runner on small notebooks written by the test: real kernels, real files."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cjm_lab.errors import CJMConfigError
from cjm_lab.reports import ReportError, check_parameters, list_reports, report_parameters, run_report

pytestmark = pytest.mark.notebook

PARAMS = """
n: int = 3  # help: how many rows
title: str = "Hallo"  # help: heading
fail: bool = False  # help: raise in the second cell
k: int | str = "auto"  # help: a number or "auto"
output_dir: str = ""  # help: set by the runner
"""


def _notebook(folder, name="demo"):
    params = new_code_cell(PARAMS.strip())
    params.metadata["tags"] = ["parameters"]
    body = new_code_cell(
        "import pandas as pd\n"
        "from cjm_lab.reports import save_table, save_results\n"
        "SECRET_CODE_MARKER = 1\n"
        "df = pd.DataFrame({'x': range(n)})\n"
        "save_table(df, 'rows', output_dir)\n"
        "save_results({'n_rows': len(df), 'k': k}, output_dir)\n"
        "print(title, len(df))"
    )
    boom = new_code_cell("if fail:\n    raise RuntimeError('planted failure')")
    nb = new_notebook(cells=[params, body, boom])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


@pytest.fixture
def books(tmp_path):
    return _notebook(tmp_path / "notebooks")


def test_parameters_are_listed_with_types_and_help(books):
    table = report_parameters("demo", books)
    assert table["name"].tolist() == ["n", "title", "fail", "k", "output_dir"]
    assert table.set_index("name").loc["k", "type"] == "int | str"
    assert table.set_index("name").loc["n", "help"] == "how many rows"
    assert "demo" in list_reports(books) and "cx_overview" in list_reports(books)  # theirs and the package's


def test_help_of_a_value_split_over_lines_is_read(tmp_path):
    # ruff format splits a long list over lines; its help comment then ends the last line
    source = 'steps: list = [\n    "Web",\n    "Shop",\n]  # help: funnel steps\nk: int = 2  # help: k\n'
    params = new_code_cell(source)
    params.metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=[params]), tmp_path / "split.ipynb")
    table = report_parameters("split", notebooks=tmp_path).set_index("name")
    assert table.loc["steps", "default"] == ["Web", "Shop"]
    assert table["help"].tolist() == ["funnel steps", "k"]


def test_unknown_parameter_lists_the_valid_ones(books):
    with pytest.raises(CJMConfigError, match=r"no parameter 'nn'\. Did you mean 'n'\?.*Valid parameters: n \(int\)"):
        check_parameters("demo", {"nn": 5}, books)


def test_wrong_type_is_rejected_and_cli_text_is_coerced(books):
    with pytest.raises(CJMConfigError, match="must be int"):
        check_parameters("demo", {"n": "many"}, books)
    assert check_parameters("demo", {"n": "5", "k": "4", "fail": "false"}, books) == {"n": 5, "k": 4, "fail": False}
    assert check_parameters("demo", {"k": "auto"}, books) == {"k": "auto"}


def test_unknown_report_suggests_names(books):
    with pytest.raises(CJMConfigError, match="Did you mean 'demo'"):
        run_report("demoo", notebooks=books, out=books.parent / "reports")


def test_successful_runs_never_collide_and_html_has_no_code(books, tmp_path):
    out = tmp_path / "reports"
    first = run_report("demo", {"n": 4}, out=out, notebooks=books, progress=False)
    second = run_report("demo", {"n": 4}, out=out, notebooks=books, progress=False)
    assert first.folder != second.folder
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{6}_demo(_\d+)?", first.folder.name)
    for res in (first, second):
        record = json.loads((res.folder / "run.json").read_text())
        assert record["outcome"] == "success" and record["parameters"] == {"n": 4}
        assert record["results"] == {"n_rows": 4, "k": "auto"}
        assert "pandas" in record["versions"]
        assert (res.folder / "rows.csv").read_text().count("\n") == 5  # header + 4 rows
        assert (res.folder / "tables.xlsx").exists()
        page = res.html.read_text()
        assert "Hallo 4" in page  # the output is there
        assert "SECRET_CODE_MARKER" not in page and "save_table" not in page  # the code is not
        assert 'src="https://' not in page  # opens offline
    index = (out / "index.html").read_text()
    assert first.folder.name in index and second.folder.name in index
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]


def test_failing_cell_keeps_notebook_and_writes_no_run(books, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ReportError, match="planted failure") as info:
        run_report("demo", {"fail": True}, out=out, notebooks=books, progress=False)
    assert info.value.failed_notebook is not None and info.value.failed_notebook.exists()
    assert info.value.failed_notebook.parent.parent == out / "_failed"
    assert [p.name for p in out.iterdir() if not p.name.startswith((".", "_"))] == []


def test_cli_exit_code_on_failure(books, tmp_path):
    env_cmd = [
        sys.executable,
        "-m",
        "cjm_lab.cli",
        "report",
        "demo",
        "-p",
        "fail=true",
        "--quiet",
        "--out",
        str(tmp_path / "r"),
    ]
    proc = subprocess.run(
        env_cmd,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "CJM_LAB_NOTEBOOKS": str(books)},
        timeout=120,
    )
    assert proc.returncode == 1
    assert "planted failure" in proc.stderr and "_failed" in proc.stderr


def test_batch_from_one_process_with_pdf_and_deck(books, tmp_path):
    from pptx import Presentation

    from cjm_lab.reports import run_batch

    nb = nbformat.read(books / "demo.ipynb", as_version=4)
    nb.cells.append(
        new_code_cell(
            "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
            "from cjm_lab.reports import save_figure\n"
            "import warnings\nwarnings.warn('internal detail')\n"
            "fig, ax = plt.subplots()\nax.bar(['a', 'b'], [n, 2])\nax.set_title(title)\n"
            "save_figure(fig, 'bars', output_dir)"
        )
    )
    nbformat.write(nb, books / "demo.ipynb")
    results = run_batch(
        "demo",
        {"Nord": {"title": "Nord"}, "Süd": {"title": "Süd", "fail": True}},
        parameters={"n": 2},
        out=tmp_path / "r",
        notebooks=books,
        progress=False,
        pdf=True,
    )
    ok, failed = results
    assert isinstance(failed, ReportError) and "planted failure" in str(failed)
    assert ok.folder.name.endswith("_demo_Nord")
    assert (ok.folder / "report.pdf").read_bytes()[:4] == b"%PDF"
    deck = Presentation(str(ok.folder / "report.pptx"))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[1] == "Nord" and len(deck.slides) == 2
    assert any(shape.shape_type == 13 for shape in deck.slides[1].shapes)  # a picture
    assert "internal detail" not in ok.html.read_text()
    with pytest.raises(CJMConfigError, match="no parameter 'tittle'"):
        run_batch("demo", {"a": {"title": "x"}, "b": {"tittle": "y"}}, out=tmp_path / "r2", notebooks=books)
    assert not (tmp_path / "r2").exists() or not any((tmp_path / "r2").glob("*_demo_a"))


def test_a_finished_kernel_is_asked_to_stop_not_interrupted(tmp_path, monkeypatch):
    """jupyter_client interrupts a kernel before it asks it to shut down, and ipykernel may answer with
    "KeyboardInterrupt caught in kernel" on the terminal: the report kernels are only asked to stop."""
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    from cjm_lab.reports.runner import _local_kernel

    interrupted = []
    real = AsyncKernelManager._async_interrupt_kernel

    async def spy(self):
        interrupted.append(self.shutting_down)
        await real(self)

    monkeypatch.setattr(AsyncKernelManager, "_async_interrupt_kernel", spy)
    log = tmp_path / "kernel.log"

    async def start_and_stop(km):
        with log.open("w") as err:
            await km.start_kernel(stderr=err)
            client = km.client()
            client.start_channels()
            await client.wait_for_ready(timeout=60)
            await km.interrupt_kernel()  # an interrupt asked for (a cell over its time) still works
            client.stop_channels()
            await km.shutdown_kernel()

    with _local_kernel() as options:
        km = options["kernel_manager_class"](kernel_name="python3")
        asyncio.run(start_and_stop(km))
    assert interrupted == []  # none on the way to shutting down (without the override: [True])
    assert "KeyboardInterrupt caught" not in log.read_text()

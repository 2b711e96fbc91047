"""The cjm-lab command behaves like a command: --version, --help with examples everywhere, logging
on standard error at --log-level, progress bars only where someone watches, a table after many runs.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

import cjm_lab
from cjm_lab import cli
from cjm_lab._progress import ENV_PROGRESS, progress_enabled
from cjm_lab.sample import make_sample


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"cjm-lab {cjm_lab.__version__}"


def test_every_subcommand_help_ends_with_examples(capsys):
    parser = cli.build_parser()
    names = parser._subparsers._group_actions[0].choices  # the registered subcommands
    assert {"list", "params", "report", "sample"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit):
            cli.main([name, "--help"])
        text = capsys.readouterr().out
        examples = text.split("examples:\n", 1)
        assert len(examples) == 2, f"`cjm-lab {name} --help` shows no example"
        assert examples[1].lstrip().startswith(f"cjm-lab {name}"), examples[1]


def test_messages_go_through_logging_at_the_chosen_level(tmp_path, capsys):
    code = cli.main(["--log-level", "info", "sample", "--customers", "10", "--out", str(tmp_path / "s")])
    out, err = capsys.readouterr()
    assert code == 0
    assert str(tmp_path / "s" / "events.csv.gz") in out.splitlines() or any("events" in ln for ln in out.splitlines())
    assert "cjm-lab: info: wrote" in err and "10 customers (seed 42)" in err
    code = cli.main(["sample", "--customers", "10", "--out", str(tmp_path / "s")])  # the folder is taken now
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("cjm-lab: error: ") and "info:" not in err
    assert logging.getLogger().level == logging.WARNING


def test_a_bad_log_level_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--log-level", "loud", "list"])
    assert stop.value.code == 2 and "invalid choice: 'loud'" in capsys.readouterr().err


def test_progress_bars_only_where_someone_watches(monkeypatch, capsys):
    monkeypatch.delenv(ENV_PROGRESS, raising=False)
    assert not progress_enabled()  # pytest captures stderr: no terminal, no notebook
    monkeypatch.setenv(ENV_PROGRESS, "1")
    assert progress_enabled()
    make_sample(customers=20, random_state=1)
    assert "Generating the sample" in capsys.readouterr().err
    monkeypatch.setenv(ENV_PROGRESS, "0")
    make_sample(customers=20, random_state=1)
    assert capsys.readouterr().err == ""


def test_quiet_turns_the_bars_off(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_PROGRESS, "1")
    assert cli.main(["-q", "sample", "--customers", "10", "--out", str(tmp_path / "q")]) == 0
    assert not progress_enabled()


def test_a_table_of_the_runs_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = []
    for name, seconds in (("cx_overview", 12.4), ("personas", 8.0)):
        folder = tmp_path / "reports" / f"2026-01-01_120000_{name}"
        folder.mkdir(parents=True)
        results.append(cli_result(folder, {"report": name, "duration_s": seconds}))
    (tmp_path / "reports" / "index.html").write_text("<html></html>")
    cli._print_summary(results, tmp_path / "reports")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "2 report(s) written; open the HTML files in a browser:"
    assert lines[3].split() == ["cx_overview", "12", "s", "reports/2026-01-01_120000_cx_overview/report.html"]
    assert lines[-1] == "  all runs: reports/index.html"


def cli_result(folder: Path, record: dict):
    from cjm_lab.reports.runner import RunResult

    return RunResult(folder=folder, notebook=folder / "x.ipynb", html=folder / "report.html", record=record)


def test_the_module_runs_as_a_script():
    proc = subprocess.run(
        [sys.executable, "-m", "cjm_lab.cli", "--help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert "usage: cjm-lab" in proc.stdout and "--log-level" in proc.stdout


def test_a_librarys_message_names_the_library(capsys):
    cli._configure_logging("warning")
    logging.getLogger("traitlets").warning("Alternative text is missing on %s image(s).", 5)
    logging.getLogger("cjm_lab.reports").info("not shown at warning")
    assert capsys.readouterr().err == "cjm-lab: warning: [traitlets] Alternative text is missing on 5 image(s).\n"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--timeout", "0"], "run_report(): `timeout` must be a whole number of at least 1, got 0."),
        (["--min-group-size", "0"], "run_report(): `min_group_size` must be a whole number of at least 1"),
    ],
)
def test_a_bad_option_is_refused_before_anything_runs(tmp_path, capsys, flags, message):
    """The command's options reach run_report's parameter table: the function, the option, the rule."""
    assert cli.main(["report", "cx_overview", "--out", str(tmp_path), *flags]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no run folder, no kernel started

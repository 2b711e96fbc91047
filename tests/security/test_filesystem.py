"""A shared report folder: planted links, report names that are paths, bad --out, full disks, signals."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cjm_lab import cli
from cjm_lab.errors import CJMConfigError
from cjm_lab.reports import _files, rebuild_index, run_report
from cjm_lab.reports import runner as runner_module
from cjm_lab.reports.notebooks import check_report_name, report_path


def _book(folder: Path, name: str = "tiny", body: str = "print('ok')") -> Path:
    params = new_code_cell('output_dir: str = ""  # help: set by the runner')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


# --------------------------------------------------------------------------- links and names


def test_a_symlinked_index_lock_is_refused_and_its_target_untouched(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    victim = tmp_path / "someone_elses_notebook.ipynb"
    victim.write_text("precious")
    (out / ".index.lock").symlink_to(victim)
    with pytest.raises(CJMConfigError) as err:
        rebuild_index(out)
    assert "is a symbolic link" in str(err.value) and "Fix: remove the link" in str(err.value)
    assert victim.read_text() == "precious"
    assert not (out / "index.html").exists()


def test_a_symlinked_failed_folder_or_lock_folder_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "_failed").symlink_to(elsewhere)
    with pytest.raises(CJMConfigError, match="is a symbolic link"):
        _files.real_dir(tmp_path / "_failed", what="The folder of failed runs")
    (tmp_path / ".locks").symlink_to(elsewhere)
    with pytest.raises(CJMConfigError, match="is a symbolic link"):
        runner_module._reserve_folder(tmp_path, "2025-01-01_000000_x")


def test_a_dangling_link_never_becomes_a_run_folder(tmp_path):
    (tmp_path / "2025-01-01_000000_x").symlink_to(tmp_path / "nowhere")
    assert runner_module._reserve_folder(tmp_path, "2025-01-01_000000_x").name == "2025-01-01_000000_x_2"


def test_an_index_page_planted_as_a_link_is_replaced_not_followed(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    target = tmp_path / "target.html"
    target.write_text("keep me")
    (out / "index.html").symlink_to(target)
    rebuild_index(out)
    assert target.read_text() == "keep me" and not (out / "index.html").is_symlink()


@pytest.mark.parametrize("name", ["../x", "/tmp/x", "x/../../y", "..", ".hidden", "a b", "x\x00y", "", "x.ipynb"])
def test_report_names_are_names_not_paths(tmp_path, name):
    with pytest.raises(CJMConfigError) as err:
        check_report_name(name)
    assert "named by its name, not a path" in str(err.value)
    with pytest.raises(CJMConfigError):
        report_path(name, tmp_path)


def test_an_outside_notebook_never_runs_end_to_end(tmp_path, monkeypatch, capsys):
    books = _book(tmp_path / "notebooks", "inside")
    marker = tmp_path / "outside_ran.txt"
    _book(tmp_path, "x", body=f"open({str(marker)!r}, 'w').write('ran')")  # tmp_path/x.ipynb, outside
    monkeypatch.setenv("CJM_LAB_NOTEBOOKS", str(books))
    code = cli.main(["report", "../x", "--quiet", "--out", str(tmp_path / "reports")])
    assert code == 1 and not marker.exists()
    assert "named by its name, not a path" in capsys.readouterr().err
    with pytest.raises(CJMConfigError):
        run_report("../x", out=tmp_path / "reports", notebooks=books)
    assert not marker.exists()


# --------------------------------------------------------------------------- --out


def test_out_that_is_a_file_is_refused_before_a_kernel_starts(tmp_path, monkeypatch, capsys):
    books = _book(tmp_path / "notebooks")
    out = tmp_path / "reports"
    out.write_text("I am a file")
    monkeypatch.setenv("CJM_LAB_NOTEBOOKS", str(books))
    assert cli.main(["report", "tiny", "--quiet", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"--out {str(out)!r} is a file, not a folder. Fix: pass a folder" in err
    assert out.read_text() == "I am a file"


def test_out_that_cannot_be_written_is_refused(tmp_path, monkeypatch):
    real_open = os.open

    def read_only(path, flags, *args):
        if ".cjm-write-test-" in str(path):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(_files.os, "open", read_only)
    with pytest.raises(CJMConfigError) as err:
        _files.check_out_dir(tmp_path / "ro")
    assert "is not writable (Read-only file system). Fix: pass a folder you may write to" in str(err.value)
    assert not list((tmp_path / "ro").iterdir())  # no probe left behind


def test_out_under_a_file_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CJMConfigError, match=r"cannot be created .* Fix: pass a folder under one you may write to"):
        _files.check_out_dir(tmp_path / "file" / "reports")


# --------------------------------------------------------------------------- full disk, atomic index


def test_a_full_disk_at_the_index_leaves_the_old_index_and_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    rebuild_index(out)
    before = (out / "index.html").read_text()
    real_write = os.write

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_files.os, "write", full)
    with pytest.raises(CJMConfigError) as err:
        rebuild_index(out)
    monkeypatch.setattr(_files.os, "write", real_write)
    msg = str(err.value)
    assert "Could not write the index of runs" in msg and "No space left on device" in msg
    assert "Fix: Free space on that disk" in msg
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in out.iterdir()) == [".index.lock", "index.html"]


def test_stale_temporary_index_files_are_cleaned(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / ".index.html.deadbeef.tmp").write_text("")  # left by a rebuild that was killed
    rebuild_index(out)
    assert not list(out.glob("*.tmp"))


@pytest.mark.notebook
def test_index_failure_after_a_run_is_the_same_story_in_run_json_exit_code_and_stderr(tmp_path, monkeypatch, capsys):
    books = _book(tmp_path / "notebooks")
    monkeypatch.setenv("CJM_LAB_NOTEBOOKS", str(books))
    out = tmp_path / "reports"

    def no_space(path, data, *, what):
        if path.name == "index.html":
            raise CJMConfigError(f"Could not write {what} at {path}: No space left on device. Fix: Free space.")
        return real(path, data, what=what)

    real = runner_module.write_atomic
    monkeypatch.setattr(runner_module, "write_atomic", no_space)
    code = cli.main(["report", "tiny", "--quiet", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0  # the run is complete: a retry by cron would only duplicate it
    folder = Path(captured.out.strip())
    record = json.loads((folder / "run.json").read_text())
    assert record["outcome"] == "success"
    assert record["index"]["rebuilt"] is False and "No space left on device" in record["index"]["error"]
    assert "warning: the run finished in" in captured.err and "cjm-lab index --out" in captured.err
    assert not list(out.glob(".tmp-*")) and not list(out.glob("*.tmp"))
    monkeypatch.setattr(runner_module, "write_atomic", real)
    assert cli.main(["index", "--out", str(out)]) == 0
    assert folder.name in (out / "index.html").read_text()


@pytest.mark.notebook
def test_sigterm_after_the_final_rename_names_the_finished_folder(tmp_path, monkeypatch, capsys):
    books = _book(tmp_path / "notebooks")
    monkeypatch.setenv("CJM_LAB_NOTEBOOKS", str(books))
    out = tmp_path / "reports"

    def killed(_out):
        raise KeyboardInterrupt("stopped by signal 15")

    monkeypatch.setattr(runner_module, "rebuild_index", killed)
    code = cli.main(["report", "tiny", "--quiet", "--out", str(out)])
    err = capsys.readouterr().err
    finals = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))]
    assert len(finals) == 1 and (finals[0] / "run.json").is_file()
    assert f"the run is complete in {finals[0]}" in err and "_failed" not in err
    assert code == 0
    assert not (out / "_failed").exists() or not list((out / "_failed").iterdir())


@pytest.mark.notebook
def test_a_full_disk_while_exporting_is_a_report_error_and_the_run_is_kept(tmp_path, monkeypatch):
    books = _book(tmp_path / "notebooks")
    out = tmp_path / "reports"

    def full(notebook, target, **options):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(runner_module, "export_html", full)
    with pytest.raises(runner_module.ReportError) as err:
        run_report("tiny", out=out, notebooks=books, progress=False)
    msg = str(err.value)
    assert "No space left on device" in msg and "Fix: Free space on that disk" in msg and "_failed" in msg
    assert list((out / "_failed").glob("*_tiny/tiny.ipynb"))
    assert not list(out.glob(".tmp-*"))


def test_sample_onto_a_read_only_disk_is_a_clear_error(tmp_path, monkeypatch, capsys):
    import cjm_lab.sample as sample

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "ro" / "events.csv"))

    monkeypatch.setattr(sample, "write_sample", read_only)
    assert cli.main(["sample", "--customers", "10", "--out", str(tmp_path / "ro")]) == 1
    err = capsys.readouterr().err
    assert "cannot read or write" in err and "events.csv" in err and "Read-only file system" in err
    assert "Fix:" in err and "Traceback" not in err

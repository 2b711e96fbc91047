"""Run a report notebook with papermill into its own, never overwritten, run folder.

A run executes in a temporary folder ``reports/.tmp-…`` and is renamed to
``reports/<YYYY-MM-DD_HHMMSS>_<report>[_<label>]/`` only when it succeeded; a
failed run's notebook is kept under ``reports/_failed/``.  Any exception in a
cell is a failure (papermill's exception and exit code are trusted, never the
cell statuses).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import platform
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from cjm_lab import privacy
from cjm_lab._params import BOOLEAN, LANGUAGE, WHOLE_NUMBER, validate_params
from cjm_lab._progress import ENV_PROGRESS
from cjm_lab.errors import CJMConfigError, CJMError
from cjm_lab.privacy import MIN_GROUP_SIZE, SALT
from cjm_lab.reports._files import check_out_dir, create_new, disk_error, open_lock, real_dir, write_atomic
from cjm_lab.reports.deck import build_deck
from cjm_lab.reports.exports import print_pdf
from cjm_lab.reports.notebooks import (
    check_parameters,
    check_report_name,
    data_path,
    declared_parameters,
    report_path,
    select_cells,
)
from cjm_lab.reports.page import report_title
from cjm_lab.reports.tracker import headline, index_page, previous_run, read_runs
from cjm_lab.reports.workbook import build_workbook
from cjm_lab.untrusted import slug

__all__ = [
    "ReportError",
    "RunInterrupted",
    "RunResult",
    "run_report",
    "run_batch",
    "rebuild_index",
    "export_html",
]

_PACKAGES = ("cjm-lab", "pandas", "numpy", "scipy", "scikit-learn", "matplotlib", "seaborn", "papermill", "nbconvert")


class ReportError(CJMError):
    """A report run failed; the failed notebook is kept at :attr:`failed_notebook`."""

    def __init__(self, message: str, *, failed_notebook: Path | None = None, cell: int | None = None) -> None:
        super().__init__(message)
        self.failed_notebook = failed_notebook
        self.cell = cell


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C or SIGTERM; the message says where the run is (finished or kept as failed)."""

    def __init__(self, message: str, *, folder: Path | None = None, finished: bool = False) -> None:
        super().__init__(message)
        self.folder = folder
        self.finished = finished


@dataclass(frozen=True)
class RunResult:
    """Where a successful run wrote its outputs.

    ``index_error`` is set when the run finished but ``index.html`` could not be rebuilt (the
    run folder is complete; ``run.json`` says the same; ``cjm-lab index`` rebuilds it later).
    """

    folder: Path
    notebook: Path
    html: Path
    record: dict[str, Any]
    index_error: str | None = None


def _slug(text: str) -> str:
    return slug(text, max_length=60)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in _PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _data_hashes(parameters: Mapping[str, Any], root: Path) -> dict[str, str]:
    """The SHA-256 of every data file a parameter names, found as the report finds it (:func:`data_path`)."""
    out = {}
    for value in parameters.values():
        if isinstance(value, str) and value.strip() and len(value) < 4096 and "\0" not in value:
            try:
                path = data_path(value, base=root, must_exist=False)
            except (CJMConfigError, OSError):
                continue
            if path.is_file():
                out[value] = _hash_file(path)
    return out


@validate_params({"language": [LANGUAGE]})
def export_html(
    notebook: Path,
    target: Path,
    *,
    language: str = "en",
    title: str | None = None,
    headline: list[dict[str, Any]] | None = None,
    footer: str | None = None,
) -> Path:
    """Write the executed notebook as the report page (see :func:`cjm_lab.reports.page.render_page`).

    No code, prompts, parameter cells or stderr output (warnings and logs stay in the executed
    notebook); cells tagged ``remove_cell`` are dropped; nothing loads from a CDN (figures
    are embedded, interactive explorers become a static snapshot); ``<title>`` and ``lang``
    are the report's; a headline box and a table of contents lead the page; it prints to A4.
    Last, a Content-Security-Policy lets only the page's own scripts run
    (:func:`cjm_lab.reports.csp.add_content_security_policy`): those of outputs marked with
    :func:`cjm_lab.reports.csp.trusted_html`.
    """
    from cjm_lab.reports.page import render_page

    return render_page(notebook, target, language=language, title=title, headline=headline, footer=footer)


@contextlib.contextmanager
def _local_kernel() -> Any:
    """Keyword arguments for papermill that run the kernel over IPC sockets in a private folder.

    Jupyter's default transport is TCP on localhost without encryption: any local user can listen,
    and ipykernel ≥ 7 logs a warning about it for every kernel. Unix sockets in a fresh 0700
    folder are reachable by the owner only, so the report kernels use them where the system has
    them (not on Windows, which keeps TCP).
    """
    if os.name != "posix":
        yield {}
        return
    import tempfile

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    with tempfile.TemporaryDirectory(prefix="cjm-kernel-") as folder:

        class LocalKernelManager(AsyncKernelManager):
            @default("transport")
            def _default_transport(self) -> str:
                return "ipc"

            @default("ip")
            def _default_ip(self) -> str:
                return os.path.join(folder, "kernel")

            async def _async_interrupt_kernel(self) -> None:
                # jupyter_client interrupts every kernel before it asks it to shut down; a report's
                # kernel is idle by then, and ipykernel may answer the signal with "KeyboardInterrupt
                # caught in kernel" on the user's terminal. A cell that runs too long is still
                # interrupted (nbclient calls interrupt_kernel itself), and a kernel that does not
                # stop on request is killed after jupyter_client's wait.
                if self.shutting_down:
                    return
                await super()._async_interrupt_kernel()

        yield {"kernel_manager_class": LocalKernelManager}


@contextlib.contextmanager
def _environment(values: Mapping[str, str | None]):
    """Set (``None``: unset) environment variables for the kernel papermill starts (it inherits
    ours), then restore.
    """
    saved = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _reserve_folder(out: Path, base: str) -> Path:
    """A final folder name nobody else holds: ``base``, else ``base_2``, ``base_3`` and so on.

    The reservation is a lock file created exclusively without following links; a name taken
    by anything, a dangling link included, is skipped.
    """
    locks = real_dir(out / ".locks", what="The lock folder")
    n = 1
    while True:
        name = base if n == 1 else f"{base}_{n}"
        if not os.path.lexists(out / name):
            try:
                os.close(create_new(locks / f"{name}.lock"))
                if not os.path.lexists(out / name):
                    return out / name
            except FileExistsError:
                pass
        n += 1


class _QuietInspection:
    """Drop papermill's own parameter inspection warnings: the runner checked the parameters already
    (with :mod:`ast`, which reads ``k: int | str`` and help comments papermill's parser cannot).
    """

    def filter(self, record: Any) -> bool:
        text = str(record.getMessage())
        return not text.startswith(("Passed unknown parameter", "Unable to parse line"))


_QUIET = _QuietInspection()


@validate_params(
    {
        "timeout": [WHOLE_NUMBER],
        "progress": [BOOLEAN],
        "pdf": [BOOLEAN],
        "min_group_size": [MIN_GROUP_SIZE, None],
        "salt": [SALT, None],
    }
)
def run_report(
    name: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    out: str | os.PathLike = "reports",
    label: str | None = None,
    timeout: int = 600,
    progress: bool = True,
    pdf: bool = False,
    notebooks: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    min_group_size: int | None = None,
    salt: str | None = None,
    pptx_template: str | os.PathLike | None = None,
) -> RunResult:
    """Execute report ``name`` with ``parameters`` into a new run folder under ``out``.

    The kernel runs in the current folder: relative paths in parameters are read from there
    (and from the folders above it; ``data/sample/…`` is the bundled sample, see
    :func:`cjm_lab.reports.data_path`).  Markdown cells tagged for another language, or
    ``if-<parameter>`` for a parameter that is not set, are left out of the run
    (:func:`cjm_lab.reports.notebooks.select_cells`).

    Parameters
    ----------
    name : str
        A report notebook (see :func:`cjm_lab.reports.list_reports`).
    parameters : dict, optional
        Values for the notebook's ``parameters`` cell; unknown names and wrong types
        raise :class:`~cjm_lab.errors.CJMConfigError` listing the valid ones.
    out : path, default ``"reports"``
        Where run folders go (relative paths are taken from the current folder).
    label : str, optional
        Appended to the folder name (e.g. a market or persona in a batch).
    timeout : int, default 600
        Seconds a single cell may run.
    progress : bool, default True
        Show papermill's progress bar.
    pdf : bool, default False
        Also print the HTML to ``report.pdf`` with a local headless Chromium.
    notebooks : folder or list of folders, optional
        The user's report folders, searched before the reports shipped with cjm-lab
        (see :func:`cjm_lab.reports.report_folders`).
    min_group_size : int, optional
        Groups below it are hidden in the report's tables, charts and sentences; default the
        parameter ``min_group_size`` when given, else ``$CJM_LAB_MIN_GROUP_SIZE``, else 5.
        Passed to the notebook as its parameter ``min_group_size`` and recorded in ``run.json``.
        The kernel of a notebook with that parameter sees no ``$CJM_LAB_MIN_GROUP_SIZE``: the
        parameter is its one source (the bundled reports pass it on to every table, chart and
        sentence).  A notebook without the parameter (an own report written before 0.2) gets
        it as ``$CJM_LAB_MIN_GROUP_SIZE``, the documented default of
        :func:`cjm_lab.privacy.min_group_size`.
    salt : str, optional
        The secret salt of the pseudonyms of customer ids; default ``$CJM_LAB_SALT`` or the
        file named by ``$CJM_LAB_SALT_FILE``, else a random salt for this run.  Passed to
        the kernel's environment only: never a notebook parameter, never written to the
        run folder (``run.json`` says only whether a salt was configured).
    pptx_template : path, optional
        A corporate PowerPoint template whose layouts and theme colours the deck uses
        (default: the package's 16:9 template).

    Returns
    -------
    RunResult
        The run folder, the executed notebook, the HTML and the run record.

    Raises
    ------
    ReportError
        A cell raised, timed out, or the kernel died; the message names the cell and
        the error, and the notebook is kept under ``out/_failed/``.
    """
    import logging

    import papermill as pm

    for logger_name in ("papermill", "papermill.translators"):
        if _QUIET not in logging.getLogger(logger_name).filters:
            logging.getLogger(logger_name).addFilter(_QUIET)
    check_report_name(name)
    params = check_parameters(name, dict(parameters or {}), notebooks)
    source = report_path(name, notebooks)
    if pptx_template is not None and not Path(pptx_template).is_file():
        raise CJMConfigError(
            f"The PowerPoint template {pptx_template} does not exist. Fix: pass the path of a .pptx file "
            "(`--pptx-template corporate.pptx`)."
        )
    declared = declared_parameters(source)
    k = _min_group_size(min_group_size, params)
    root = Path.cwd()  # relative paths in parameters are the caller's (see data_path)
    out_dir = check_out_dir(out)
    run_params = dict(params)
    if "min_group_size" in declared:  # the notebook takes it as a parameter, not from the environment
        run_params["min_group_size"] = k
    effective = {key: p.default for key, p in declared.items() if key != "output_dir"}
    effective.update({key: v for key, v in run_params.items() if key != "output_dir"})
    import nbformat

    notebook = select_cells(nbformat.read(source, as_version=4), parameters=effective)
    started = dt.datetime.now().astimezone()
    base = f"{started:%Y-%m-%d_%H%M%S}_{name}" + (f"_{_slug(label)}" if label else "")
    tmp = out_dir / f".tmp-{base}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    if "output_dir" in declared:
        run_params["output_dir"] = str(tmp)
    executed = tmp / f"{name}.ipynb"
    prepared = tmp / f".source-{name}.ipynb"  # the cells this run keeps; removed after the run
    nbformat.write(notebook, prepared)
    # The kernel draws figures inline: an MPLBACKEND inherited from the caller (make and CI export
    # Agg) would otherwise stop ipykernel from choosing its inline backend and drop every figure.
    # no progress bars inside a report: a notebook widget would reach the HTML as text
    # The notebook gets the minimum group size as its parameter (above), and its kernel no
    # $CJM_LAB_MIN_GROUP_SIZE of the caller: one visible source.  Only a notebook without the
    # parameter reads it from the variable, the default of privacy.min_group_size().
    kernel_env: dict[str, str | None] = {
        privacy.ENV_MIN_GROUP_SIZE: None if "min_group_size" in declared else str(k),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        ENV_PROGRESS: "0",
    }
    if salt is not None:
        kernel_env[privacy.ENV_SALT] = salt
    salt_state = (
        "configured"
        if (
            salt is not None
            or os.environ.get(privacy.ENV_SALT, "").strip()
            or os.environ.get(privacy.ENV_SALT_FILE, "").strip()
        )
        else "random for this run"
    )
    t0 = time.perf_counter()
    try:
        with _environment(kernel_env), _local_kernel() as kernel_manager:
            pm.execute_notebook(
                str(prepared),
                str(executed),
                parameters=run_params,
                kernel_name="python3",
                execution_timeout=timeout,
                progress_bar=progress,
                cwd=str(root),
                log_output=False,
                **kernel_manager,
            )
    except BaseException as err:
        with contextlib.suppress(OSError):
            prepared.unlink()
        failed = _keep_failed(tmp, out_dir, base)
        kept = failed / executed.name if (failed / executed.name).exists() else None
        cell = getattr(err, "exec_count", None)
        detail = f"{getattr(err, 'ename', type(err).__name__)}: {getattr(err, 'evalue', err)}"
        if isinstance(err, KeyboardInterrupt):
            raise RunInterrupted(
                f"interrupted ({err or 'Ctrl-C'}); the unfinished run is kept in {failed}", folder=failed
            ) from err
        raise ReportError(
            f"Report {name!r} failed" + (f" in cell {cell}" if cell is not None else "") + f": {detail}. "
            f"The failed notebook is kept in {failed}.",
            failed_notebook=kept,
            cell=cell,
        ) from err
    duration = time.perf_counter() - t0
    prepared.unlink()
    _finish_notebook(executed, source)
    language = effective.get("language") if effective.get("language") in ("en", "de") else "en"
    record = {
        "report": name,
        "notebook": str(source),
        "label": label,
        "title": None,
        "language": language,
        "parameters": params,
        "parameters_effective": effective,
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(duration, 2),
        "outcome": "success",
        "data_files_sha256": _data_hashes(effective, root),
        "privacy": {"min_group_size": k, "pseudonym_salt": salt_state},
        "versions": _versions(),
        "host": platform.node(),
    }
    extra = tmp / "results.json"
    if extra.is_file():
        record["results"] = json.loads(extra.read_text(encoding="utf-8"))
    try:
        heading = (report_title(executed) or name) + (f" — {label}" if label else "")
        record["title"] = heading
        previous = previous_run(read_runs(out_dir), record)
        record["previous_run"] = previous.get("folder") if previous else None
        numbers = headline(
            record.get("results"),  # type: ignore[arg-type]
            previous.get("results") if previous else None,
            language=language,  # type: ignore[arg-type]
            previous_date=str(previous.get("started", "")) if previous else None,
        )
        record["headline"] = numbers
        footer = f"{name} · {started:%Y-%m-%d %H:%M} · cjm-lab"
        html_path = export_html(
            executed,
            tmp / "report.html",
            language=language,  # type: ignore[arg-type]
            title=heading,
            headline=numbers,
            footer=footer,
        )
        build_workbook(tmp, language=language, title=heading, record=record, min_group_size=k)  # type: ignore[arg-type]
        build_deck(
            tmp,
            title=heading,
            subtitle=f"{started:%Y-%m-%d} · cjm-lab",
            language=language,  # type: ignore[arg-type]
            template=pptx_template,
            notebook=executed,
            headline=numbers,
        )
        if pdf:
            print_pdf(html_path, tmp / "report.pdf")
    except BaseException as err:
        failed = _keep_failed(tmp, out_dir, base)
        if isinstance(err, KeyboardInterrupt):
            raise RunInterrupted(
                f"interrupted ({err or 'Ctrl-C'}) while exporting; the unfinished run is kept in {failed}",
                folder=failed,
            ) from err
        if isinstance(err, OSError):
            problem = disk_error(err, err.filename or tmp, "the report's exports (HTML, workbook, deck, PDF)")
            raise ReportError(f"Report {name!r} ran, but {problem} The run is kept in {failed}.") from err
        raise
    try:
        write_atomic(tmp / "run.json", json.dumps(record, indent=2, default=str), what="the run record run.json")
        final = _reserve_folder(out_dir, base)
        os.rename(tmp, final)
    except BaseException as err:
        failed = _keep_failed(tmp, out_dir, base)
        if isinstance(err, KeyboardInterrupt):
            message = f"interrupted ({err or 'Ctrl-C'}); the run is kept in {failed}"
            raise RunInterrupted(message, folder=failed) from err
        if isinstance(err, CJMError):
            raise ReportError(
                f"Report {name!r} ran, but its run record could not be written: {err} The run is kept in {failed}."
            ) from err
        raise
    with contextlib.suppress(FileNotFoundError):
        (out_dir / ".locks" / f"{final.name}.lock").unlink()
    # From here on the run is finished and final, whatever happens to the index.
    try:
        rebuild_index(out_dir)
        index_error = None
    except KeyboardInterrupt as err:
        raise RunInterrupted(
            f"interrupted ({err or 'Ctrl-C'}) after the run finished: the run is complete in {final}; "
            f"the index was not rebuilt (run `cjm-lab index --out {out_dir}`)",
            folder=final,
            finished=True,
        ) from err
    except (CJMError, OSError) as err:
        index_error = str(err)
        record["index"] = {"rebuilt": False, "error": index_error}
        with contextlib.suppress(CJMError):  # the disk may be full: the run stays valid either way
            write_atomic(final / "run.json", json.dumps(record, indent=2, default=str), what="run.json")
    return RunResult(final, final / executed.name, final / "report.html", record, index_error)


def _min_group_size(given: int | None, params: Mapping[str, Any]) -> int:
    """The run's minimum group size: ``run_report(min_group_size=)``, else the parameter, else the default."""
    if given is not None and "min_group_size" in params and privacy.min_group_size(given) != params["min_group_size"]:
        raise CJMConfigError(
            f"The minimum group size is given twice, {given} (--min-group-size) and "
            f"{params['min_group_size']} (the parameter min_group_size). Fix: give it once."
        )
    return privacy.min_group_size(given if given is not None else params.get("min_group_size"))


def _finish_notebook(executed: Path, source: Path) -> None:
    """Name the report's notebook (not the run's temporary copy) as the executed notebook's input."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    papermill_meta = nb.metadata.get("papermill")
    if papermill_meta is not None:
        papermill_meta["input_path"] = str(source)
        nbformat.write(nb, executed)


@validate_params({"stop_on_error": [BOOLEAN]})
def run_batch(
    name: str,
    runs: Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]],
    *,
    parameters: Mapping[str, Any] | None = None,
    stop_on_error: bool = False,
    **options: Any,
) -> list[RunResult | ReportError]:
    """Run one report several times from this process, a fresh kernel for each run.

    Parameters
    ----------
    name : str
        The report.
    runs : dict or list
        ``{label: parameters}`` (e.g. one entry per market or persona), or a list of
        ``{"label": ..., "parameters": {...}}``.
    parameters : dict, optional
        Parameters shared by every run (a run's own parameters win).
    stop_on_error : bool, default False
        Stop at the first failed run; otherwise every run is tried and failures are
        returned in place of their results.
    **options
        Passed to :func:`run_report` (``out``, ``timeout``, ``pdf`` …).

    Returns
    -------
    list
        A :class:`RunResult` or the :class:`ReportError` of each run, in order.  All
        parameters are checked before the first kernel starts.
    """
    items = (
        list(runs.items()) if isinstance(runs, Mapping) else [(r.get("label"), r.get("parameters", {})) for r in runs]
    )
    if not items:
        raise CJMConfigError("The batch has no runs.")
    labels = [label for label, _ in items]
    if any(not label for label in labels) or len(set(labels)) != len(labels):
        raise CJMConfigError(f"Every run of a batch needs its own label; got {labels}.")
    merged = [(label, {**dict(parameters or {}), **dict(params or {})}) for label, params in items]
    for _, params in merged:  # fail fast: a typo in the last run must not waste the first ones
        check_parameters(name, params, options.get("notebooks"))
    results: list[RunResult | ReportError] = []
    from cjm_lab._progress import track

    shown = None if options.get("progress", True) else False  # follow the terminal; off with progress=False
    for label, params in track(
        merged, total=len(merged), desc=f"{name}: {len(merged)} runs", unit="run", progress=shown
    ):
        try:
            results.append(run_report(name, params, label=str(label), **options))
        except ReportError as err:
            if stop_on_error:
                raise
            results.append(err)
    return results


def _keep_failed(tmp: Path, out_dir: Path, base: str) -> Path:
    failed_root = real_dir(out_dir / "_failed", what="The folder of failed runs")
    target = _reserve_folder(failed_root, base)
    os.rename(tmp, target)
    with contextlib.suppress(FileNotFoundError):
        (failed_root / ".locks" / f"{target.name}.lock").unlink()
    return target


@validate_params({})
def rebuild_index(out: str | os.PathLike = "reports") -> Path:
    """Write ``index.html``: per report its last runs with headline numbers, changes and deliverables.

    Rebuilt from the run folders each time, so no run is lost (see :mod:`cjm_lab.reports.tracker`).

    The lock ``.index.lock`` is opened without following links (a planted link is refused, never
    truncated); the page is written to a new temporary file and renamed over ``index.html`` in
    one step, so a failure (a full disk) leaves the previous index whole and no temporary file.

    Raises
    ------
    CJMConfigError
        The folder or the lock is a link, or the page cannot be written (naming the fix).
    """
    out_dir = real_dir(Path(out).resolve(), what="The report folder")
    fd = open_lock(out_dir / ".index.lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in out_dir.glob(".index.html.*.tmp"):  # left by a rebuild that was killed
            with contextlib.suppress(OSError):
                stale.unlink()
        page = index_page(out_dir)
        write_atomic(out_dir / "index.html", page, what="the index of runs")
    finally:
        os.close(fd)
    return out_dir / "index.html"

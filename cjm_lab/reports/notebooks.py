"""Report notebooks: where they live, which parameters they take, which cells a run keeps.

The report notebooks are package data (``cjm_lab/notebooks/*.ipynb``): the files a researcher
opens in JupyterLab (``make lab``) and the files ``cjm-lab report`` runs.  A user's own reports
live in their folders — ``--notebooks DIR`` (``notebooks=``), the folders in
``$CJM_LAB_NOTEBOOKS`` (separated by ``:``) and ``notebooks/`` of the current folder — which are
searched before the package (:func:`report_folders`).

A report notebook has exactly one cell tagged ``parameters`` holding plain typed
assignments with a help comment each::

    survey_path: str = "data/sample/survey.csv"  # help: the survey file
    persona_k: int | str = "auto"               # help: number of personas or "auto"

:func:`report_parameters` reads that cell with :mod:`ast` (papermill's own
inspection drops annotated ``X | None`` parameters), and :func:`check_parameters`
rejects unknown names and wrong types with the list of valid ones.

Prose lives in Markdown cells.  A cell tagged ``lang-en`` or ``lang-de`` is kept only in a
run in that language, a cell tagged ``if-<parameter>`` only when that parameter is set
(not empty, zero or false): :func:`select_cells`.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import nbformat
import pandas as pd
import yaml

from cjm_lab._params import BOOLEAN, validate_params
from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError

__all__ = [
    "Parameter",
    "PACKAGE_NOTEBOOKS",
    "TEMPLATE",
    "ENV_NOTEBOOKS",
    "report_folders",
    "list_reports",
    "report_path",
    "check_report_name",
    "report_parameters",
    "report_title",
    "check_parameters",
    "parse_cli_value",
    "select_cells",
    "data_path",
    "new_report",
]

#: The report notebooks shipped with cjm-lab.
PACKAGE_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: The notebook ``cjm-lab report new NAME`` starts from when no ``--from`` report is given.
TEMPLATE = PACKAGE_NOTEBOOKS / "templates" / "report.ipynb"
#: The environment variable naming further folders of report notebooks (``:``-separated).
ENV_NOTEBOOKS = "CJM_LAB_NOTEBOOKS"
#: Names that are commands of ``cjm-lab report``, never report names.
RESERVED_NAMES = ("all", "new", "list", "show")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
_FLOAT = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$")
_TYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a report notebook."""

    name: str
    annotation: str
    default: Any
    help: str
    types: tuple[type, ...]

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` fits the declared type (an int is a valid float; a bool is no int)."""
        if value is None:
            return type(None) in self.types
        if isinstance(value, bool):
            return bool in self.types
        if isinstance(value, int) and (int in self.types or float in self.types):
            return True
        return any(isinstance(value, t) for t in self.types if t is not type(None))


Folders = str | os.PathLike | Iterable[str | os.PathLike] | None


@validate_params({})
def report_folders(notebooks: Folders = None) -> list[Path]:
    """The folders searched for report notebooks, in order: the first holding a name wins.

    1. ``notebooks`` (``--notebooks DIR``): a folder or a list of folders;
    2. the folders in ``$CJM_LAB_NOTEBOOKS`` (separated by ``:``, ``;`` on Windows);
    3. ``notebooks/`` in the current folder, when it exists (``cjm-lab report new`` writes there);
    4. the reports shipped with cjm-lab (:data:`PACKAGE_NOTEBOOKS`).

    Raises
    ------
    CJMConfigError
        A folder given in 1 or 2 does not exist.

    Examples
    --------
    >>> report_folders()[-1] == PACKAGE_NOTEBOOKS
    True
    """
    given: list[tuple[str, Any]] = [("notebooks", item) for item in _as_folders(notebooks)]
    env = os.environ.get(ENV_NOTEBOOKS, "")
    given += [(f"${ENV_NOTEBOOKS}", item) for item in env.split(os.pathsep) if item.strip()]
    folders: list[Path] = []
    for source, item in given:
        path = Path(item).expanduser().resolve()
        if not path.is_dir():
            raise CJMConfigError(
                f"The report folder {str(item)!r} (from {source}) does not exist or is not a folder. "
                "Fix: name a folder that holds report notebooks (.ipynb), e.g. the notebooks/ folder "
                "`cjm-lab report new` writes to."
            )
        folders.append(path)
    local = Path.cwd() / "notebooks"
    if local.is_dir():
        folders.append(local.resolve())
    folders.append(PACKAGE_NOTEBOOKS)
    return list(dict.fromkeys(folders))


def _renamed(notebooks: Folders, folder: Folders, where: str) -> Folders:
    """``folder=``, the first name of ``notebooks=``: still accepted, with a FutureWarning."""
    if folder is None:
        return notebooks
    import warnings

    warnings.warn(
        f"{where}: `folder` is now called `notebooks` (a folder or a list of folders).", FutureWarning, stacklevel=3
    )
    if notebooks is not None:
        raise CJMConfigError(f"{where}: give `notebooks` only (`folder` is its old name).")
    return folder


def _as_folders(notebooks: Folders) -> list[Any]:
    if notebooks is None:
        return []
    return [notebooks] if isinstance(notebooks, (str, os.PathLike)) else list(notebooks)


def _is_report(path: Path) -> bool:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # a broken file in a user folder is no report, and not our error
        return False
    return any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells)


def _scan(folders: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.ipynb")):
            if _NAME.match(path.stem) and path.stem not in found and _is_report(path):
                found[path.stem] = path
    return found


@overload
def list_reports(notebooks: Folders = ..., *, paths: Literal[False] = ..., folder: Folders = ...) -> list[str]: ...
@overload
def list_reports(notebooks: Folders = ..., *, paths: Literal[True], folder: Folders = ...) -> dict[str, Path]: ...
@validate_params({"paths": [BOOLEAN]})
def list_reports(
    notebooks: Folders = None, *, paths: bool = False, folder: Folders = None
) -> list[str] | dict[str, Path]:
    """Names of the report notebooks (those with a ``parameters`` cell), sorted.

    Parameters
    ----------
    notebooks : folder or list of folders, optional
        The user's report folders, searched before the package (see :func:`report_folders`).
    paths : bool, default False
        Return ``{name: notebook file}`` instead of the names.

    Examples
    --------
    >>> "cx_overview" in list_reports()
    True
    """
    found = _scan(report_folders(_renamed(notebooks, folder, "list_reports()")))
    if paths:
        return dict(sorted(found.items()))
    return sorted(found)


@validate_params({})
def check_report_name(name: Any) -> str:
    """Return ``name`` when it can name a report: letters, digits, ``_`` and ``-``, never a path.

    Raises
    ------
    CJMConfigError
        A path (``../x``, ``a/b``), a file name with ``.ipynb``, an empty or over-long name,
        or one of the words ``cjm-lab report`` uses itself (all, new, list, show).

    Examples
    --------
    >>> check_report_name("nps_monthly")
    'nps_monthly'
    >>> check_report_name("../x")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: check_report_name(): There is no report '../x': a report is named by its name...
    """
    if not isinstance(name, str) or not _NAME.match(name) or name in RESERVED_NAMES:
        why = (
            f"{name!r} is a command of `cjm-lab report`"
            if name in RESERVED_NAMES
            else "a report is named by its name, not a path: 1 to 80 letters, digits, '_' and '-', starting with "
            "a letter or digit (e.g. 'nps_monthly')"
        )
        raise CJMConfigError(
            f"There is no report {name!r}: {why}. Fix: pass one of the names `cjm-lab report list` shows; to run a "
            "notebook from another folder, pass --notebooks DIR (notebooks=) or set $CJM_LAB_NOTEBOOKS."
        )
    return name


def report_path(name: str, notebooks: Folders = None, *, folder: Folders = None) -> Path:
    """The notebook file of report ``name``; raises with the valid names if unknown."""
    notebooks = _renamed(notebooks, folder, "report_path()")
    check_report_name(name)
    for folder in report_folders(notebooks):
        path = folder / f"{name}.ipynb"
        if path.is_file():
            return path
    names = list_reports(notebooks)
    raise CJMConfigError(f"There is no report {name!r}.{suggest(name, names)} Reports: {', '.join(names) or '(none)'}.")


_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


def report_title(path: str | os.PathLike, language: str = "en") -> str:
    """The report's title: the first ``# heading`` of its Markdown in ``language`` (else any), else its name.

    Examples
    --------
    >>> report_title(PACKAGE_NOTEBOOKS / "survey_nps.ipynb", "de")
    'Befragung & NPS'
    """
    nb = nbformat.read(Path(path), as_version=4)
    fallback = None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        found = _TITLE.search(cell.source)
        if not found:
            continue
        langs = [t[5:] for t in _tags(cell) if t.startswith("lang-")]
        if not langs or language in langs:
            return found.group(1)
        fallback = fallback or found.group(1)
    return fallback or Path(path).stem


def _types_of(node: ast.expr | None, default: Any) -> tuple[type, ...]:
    if node is None:
        return (type(default),) if default is not None else (type(None),)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _types_of(node.left, default) + _types_of(node.right, default)
    if isinstance(node, ast.Constant) and node.value is None:
        return (type(None),)
    if isinstance(node, ast.Subscript):
        return _types_of(node.value, default)
    if isinstance(node, ast.Name) and node.id in _TYPES:
        return (_TYPES[node.id],)
    raise CJMConfigError(
        f"Unsupported parameter annotation {ast.unparse(node)!r}; use int, float, str, bool, list, dict, "
        "None or unions of them."
    )


def _comments(source: str) -> dict[int, tuple[bool, str]]:
    """The comment of each line: (whether it starts with ``help:``, its text without that)."""
    out: dict[int, tuple[bool, str]] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            text = tok.string.lstrip("#").strip()
            is_help = text.lower().startswith("help:")
            out[tok.start[0]] = (is_help, text[5:].strip() if is_help else text)
    return out


def _help(comments: dict[int, tuple[bool, str]], first: int, last: int) -> str:
    """The help of a parameter written over lines ``first`` to ``last``: its ``# help:`` comment (on the
    closing line of a list ruff wrapped), else the comment on its first line.
    """
    marked = [comments[n][1] for n in range(first, last + 1) if n in comments and comments[n][0]]
    if marked:
        return marked[-1]
    return comments[first][1] if first in comments else ""


@validate_params({})
def report_parameters(name: str, notebooks: Folders = None, *, folder: Folders = None) -> pd.DataFrame:
    """The parameters of a report: name, type, default and help, in cell order.

    ``notebooks`` names the user's report folders (see :func:`report_folders`).

    Examples
    --------
    >>> params = report_parameters("cx_overview")
    >>> list(params.columns)
    ['name', 'type', 'default', 'help']
    """
    params = declared_parameters(report_path(name, _renamed(notebooks, folder, "report_parameters()")))
    return pd.DataFrame(
        [{"name": p.name, "type": p.annotation, "default": p.default, "help": p.help} for p in params.values()],
        columns=["name", "type", "default", "help"],
    )


def declared_parameters(path: Path) -> dict[str, Parameter]:
    """The parameters the notebook at ``path`` declares in its one cell tagged ``parameters``."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise CJMConfigError(f"{path.name} must have exactly one cell tagged 'parameters', it has {len(cells)}.")
    source = cells[0].source
    try:
        tree = ast.parse(source)
        comments = _comments(source)
    except (SyntaxError, tokenize.TokenError) as err:
        line = getattr(err, "lineno", None) or (err.args[1][0] if len(err.args) > 1 else "?")
        raise CJMConfigError(
            f"{path.name}: the parameters cell is not valid Python (line {line}: {err.args[0]}). "
            "Fix: write one `name: type = value  # help: ...` assignment per line."
        ) from None
    out: dict[str, Parameter] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            target, value, annotation = stmt.target.id, stmt.value, stmt.annotation
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target, value, annotation = stmt.targets[0].id, stmt.value, None
        else:
            raise CJMConfigError(
                f"{path.name}: the parameters cell may hold only `name: type = value  # help` lines "
                f"(line {stmt.lineno})."
            )
        try:
            default = ast.literal_eval(value)
        except ValueError as err:
            raise CJMConfigError(f"{path.name}: the default of {target!r} must be a plain literal.") from err
        types = _types_of(annotation, default)
        text = ast.unparse(annotation) if annotation is not None else type(default).__name__
        help_text = _help(comments, stmt.lineno, stmt.end_lineno or stmt.lineno)
        out[target] = Parameter(target, text, default, help_text, types)
    return out


def parse_cli_value(text: str) -> Any:
    """Read a ``-p key=value`` value: YAML scalars, lists and dicts; anything else stays text.

    Examples
    --------
    >>> parse_cli_value("5"), parse_cli_value("de"), parse_cli_value("[wave, region]"), parse_cli_value("1e-5")
    (5, 'de', ['wave', 'region'], 1e-05)
    """
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str) and _FLOAT.match(value.strip()):  # YAML 1.1 reads 1e-5 as text
        return float(value)
    return value


@validate_params({})
def check_parameters(
    name: str, values: Mapping[str, Any], notebooks: Folders = None, *, folder: Folders = None
) -> dict[str, Any]:
    """Check parameters against the report's cell; return them with CLI text coerced.

    The same check for the reports shipped with cjm-lab and the user's own (``notebooks``).

    Raises
    ------
    CJMConfigError
        An unknown name (with the valid ones and a close match) or a value of the wrong type.

    Examples
    --------
    >>> check_parameters("cx_overview", {"language": "de"})
    {'language': 'de'}
    """
    declared = declared_parameters(report_path(name, _renamed(notebooks, folder, "check_parameters()")))
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in declared:
            valid = ", ".join(f"{p.name} ({p.annotation})" for p in declared.values())
            raise CJMConfigError(
                f"Report {name!r} has no parameter {key!r}.{suggest(key, declared)} Valid parameters: {valid}."
            )
        param = declared[key]
        if isinstance(value, str) and set(param.types) - {str} and not (value == "" and str in param.types):
            # (an empty text stays text where text is allowed: YAML would read it as None)
            parsed = parse_cli_value(value)  # "-p k=4" means 4 where k may be int or "auto"
            if not isinstance(parsed, str) and param.accepts(parsed):
                value = parsed
            elif str not in param.types:
                value = parsed
        if not param.accepts(value):
            raise CJMConfigError(
                f"Parameter {key!r} of report {name!r} must be {param.annotation}, got {value!r} "
                f"({type(value).__name__}). Help: {param.help or '-'}"
            )
        if isinstance(value, int) and not isinstance(value, bool) and float in param.types and int not in param.types:
            value = float(value)
        out[key] = value
    return out


# --- the cells a run keeps ---------------------------------------------------------------------


def _tags(cell: Any) -> list[str]:
    return [str(t) for t in cell.get("metadata", {}).get("tags", [])]


def select_cells(notebook: Any, *, parameters: Mapping[str, Any], language: str | None = None) -> Any:
    """A copy of ``notebook`` with the cells a run in ``language`` with ``parameters`` keeps.

    * A cell tagged ``lang-en`` (``lang-de`` …) is kept only when the report's language is
      that one; cells without such a tag are kept in every language.
    * A cell tagged ``if-<parameter>`` is kept only when that parameter is set: not empty,
      not zero, not false (e.g. the heading of the key-driver section, ``if-drivers``).

    Parameters
    ----------
    notebook : NotebookNode
        The report notebook as :func:`nbformat.read` returns it (not modified).
    parameters : dict
        The run's effective parameters (defaults updated with the values given).
    language : str, optional
        Default ``parameters["language"]``; without one every language cell is kept.

    Returns
    -------
    NotebookNode
        The notebook with only the cells kept.

    Raises
    ------
    CJMConfigError
        A cell is tagged ``if-x`` and the report has no parameter ``x``; or the report's
        Markdown is written in other languages than ``language``.

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> cells = [new_markdown_cell("# Title"), new_markdown_cell("## Treiber"), new_markdown_cell("## Drivers")]
    >>> cells[1].metadata["tags"] = ["lang-de", "if-drivers"]
    >>> cells[2].metadata["tags"] = ["lang-en", "if-drivers"]
    >>> nb = new_notebook(cells=cells)
    >>> [c.source for c in select_cells(nb, parameters={"drivers": ["sat"]}, language="de").cells]
    ['# Title', '## Treiber']
    >>> [c.source for c in select_cells(nb, parameters={"drivers": []}, language="de").cells]
    ['# Title']
    """
    language = parameters.get("language") if language is None else language
    written = sorted({t[5:] for cell in notebook.cells for t in _tags(cell) if t.startswith("lang-")})
    if language is not None and written and language not in written:
        raise CJMConfigError(
            f"The report is written in {', '.join(written)}, not in {language!r}. "
            f"Fix: pass language={written[0]!r}, or add Markdown cells tagged lang-{language}."
        )
    kept = []
    for index, cell in enumerate(notebook.cells):
        tags = _tags(cell)
        langs = [t[5:] for t in tags if t.startswith("lang-")]
        if langs and language is not None and language not in langs:
            continue
        conditions = [t[3:] for t in tags if t.startswith("if-")]
        for name in conditions:
            if name not in parameters:
                raise CJMConfigError(
                    f"Cell {index + 1} is tagged 'if-{name}', but the report has no parameter {name!r}."
                    f"{suggest(name, parameters)} Fix: tag it if-<one of: {', '.join(parameters)}>."
                )
        if all(_is_set(parameters[name]) for name in conditions):
            kept.append(cell)
    out = nbformat.from_dict(nbformat.v4.new_notebook())
    out.metadata = nbformat.from_dict(dict(notebook.metadata))
    out.nbformat, out.nbformat_minor = notebook.nbformat, notebook.nbformat_minor
    out.cells = [nbformat.from_dict(dict(c)) for c in kept]
    return out


def _is_set(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict, tuple)):
        return len(value) > 0
    if isinstance(value, (int, float)):
        return value != 0
    return True


# --- data files named in parameters ------------------------------------------------------------


@validate_params({"must_exist": [BOOLEAN]})
def data_path(path: str | os.PathLike, *, base: str | os.PathLike | None = None, must_exist: bool = True) -> Path:
    """Where a report reads a data file named in one of its parameters.

    * An absolute path is taken as it is.
    * A relative path is looked up in ``base`` (default: the current folder — the folder
      ``cjm-lab report`` was started in, or the notebook's folder in JupyterLab) and then in the
      folders above it, so ``data/my_survey.csv`` is found from a project's ``notebooks/`` too.
    * ``data/sample/<file>`` names the bundled sample (:func:`cjm_lab.sample.sample_path`)
      when no such file is found that way, so the default parameters run wherever cjm-lab is
      installed.

    Parameters
    ----------
    path : str or path
        The parameter's value.
    base : str or path, optional
        Where relative paths start; default the current folder.
    must_exist : bool, default True
        Raise when the file is found nowhere; otherwise return the path under ``base``.

    Returns
    -------
    Path
        The file to read (relative as given when it is found in the current folder).

    Raises
    ------
    CJMConfigError
        The file is found nowhere (the message says where it was looked for).

    Examples
    --------
    >>> data_path("data/sample/survey.csv").name
    'survey.csv'
    """
    from cjm_lab.sample.bundled import SAMPLE_DIR, SAMPLE_FILES

    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not text or not str(text).strip():
        raise CJMConfigError(f"A data file must be named by a path, got {path!r}.")
    if any(ch in text for ch in "*?["):  # a glob of Parquet parts: the loader expands it
        return Path(text)
    given = Path(text).expanduser()
    start = Path(base).resolve() if base is not None else Path.cwd()
    if given.is_absolute():
        return given
    if base is None and given.exists():
        return given  # as given: tables that name their source show the path the user wrote
    for folder in (start, *start.parents):
        if folder.parent == folder:  # the file system's root is not searched
            break
        if (folder / given).exists():
            return folder / given
    parts = given.parts
    if len(parts) == 3 and parts[:2] == ("data", "sample") and parts[2] in SAMPLE_FILES:
        return SAMPLE_DIR / parts[2]
    if not must_exist:
        return start / given
    raise CJMConfigError(
        f"The data file {text!r} was found neither in {start} nor in a folder above it. Fix: give a path "
        "relative to the folder you run the report in (e.g. data/survey.csv), or an absolute path."
    )


# --- a new report --------------------------------------------------------------------------------


@validate_params({})
def new_report(
    name: str,
    *,
    source: str | None = None,
    to: str | os.PathLike = "notebooks",
    notebooks: Folders = None,
) -> Path:
    """Start a report of your own: a copy of the template or of an existing report.

    Parameters
    ----------
    name : str
        The new report's name (letters, digits, ``_``, ``-``); no report may have it yet.
    source : str, optional
        The report to copy (e.g. ``"cx_overview"``); default the template, a short report
        with a parameters cell, one section and the helpers every report uses.
    to : str or path, default ``"notebooks"``
        Where the new notebook is written (created when missing); ``cjm-lab report`` finds
        ``notebooks/`` of the current folder by itself.
    notebooks : folder or list of folders, optional
        Further report folders to look for ``source`` in and to check the name against.

    Returns
    -------
    Path
        The new notebook, without outputs, never overwriting a file.

    Raises
    ------
    CJMConfigError
        An invalid or taken name, or an unknown ``source``.

    Examples
    --------
    >>> import tempfile
    >>> path = new_report("nps_monthly", to=tempfile.mkdtemp())
    >>> path.name, "nps_monthly" in list_reports(path.parent)
    ('nps_monthly.ipynb', True)
    """
    check_report_name(name)
    target_dir = Path(to).expanduser()
    searched = _as_folders(notebooks)
    if target_dir.is_dir():
        searched.append(target_dir)
    taken = list_reports(searched, paths=True)
    if name in taken:
        raise CJMConfigError(
            f"A report named {name!r} exists already ({taken[name]}). Fix: choose another name, or edit that notebook."
        )
    origin = TEMPLATE if source is None else report_path(source, searched)
    nb = nbformat.read(origin, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{name}.ipynb"
    try:
        with open(target, "x", encoding="utf-8") as fh:  # never overwrites
            nbformat.write(nb, fh)
    except FileExistsError:
        raise CJMConfigError(
            f"{target} exists already (it is no report: it has no parameters cell). Fix: choose another name."
        ) from None
    return target

"""Report notebooks: where they live and which parameters they take.

A report notebook has exactly one cell tagged ``parameters`` holding plain typed
assignments with a help comment each::

    survey_path: str = "data/sample/survey.csv"  # help: the survey file
    persona_k: int | str = "auto"               # help: number of personas or "auto"

:func:`report_parameters` reads that cell with :mod:`ast` (papermill's own
inspection drops annotated ``X | None`` parameters), and :func:`check_parameters`
rejects unknown names and wrong types with the list of valid ones.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import yaml

from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError

__all__ = [
    "Parameter",
    "notebooks_dir",
    "list_reports",
    "report_path",
    "check_report_name",
    "report_parameters",
    "check_parameters",
    "parse_cli_value",
]

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


def notebooks_dir() -> Path:
    """The folder of report notebooks: ``$CJM_LAB_NOTEBOOKS``, else the project's ``notebooks/``.

    Examples
    --------
    >>> notebooks_dir().name
    'notebooks'
    """
    env = os.environ.get("CJM_LAB_NOTEBOOKS")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2] / "notebooks"
    if here.is_dir():
        return here
    return (Path.cwd() / "notebooks").resolve()


def project_root() -> Path:
    """The folder report notebooks run in (the parent of the notebooks folder)."""
    return notebooks_dir().parent


def list_reports(folder: str | os.PathLike | None = None) -> list[str]:
    """Names of the report notebooks (those with a ``parameters`` cell), sorted.

    Examples
    --------
    >>> "cx_overview" in list_reports()
    True
    """
    base = Path(folder) if folder else notebooks_dir()
    names = []
    for path in sorted(base.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
            names.append(path.stem)
    return names


_REPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


def check_report_name(name: Any) -> str:
    """A report name is a name, never a path: letters, digits, ``_`` and ``-``.

    ``../x``, ``/tmp/x``, ``x/../../y`` or a name with a NUL byte would otherwise resolve a
    notebook outside the notebooks folder, and run it.

    Examples
    --------
    >>> check_report_name("cx_overview")
    'cx_overview'
    """
    if not isinstance(name, str) or not _REPORT_NAME.fullmatch(name):
        raise CJMConfigError(
            f"A report is named by its name, not a path: got {name!r}. Fix: pass one of the names `cjm-lab list` "
            "shows (letters, digits, '_' and '-'); to run a notebook from another folder, set $CJM_LAB_NOTEBOOKS "
            "or pass notebooks=."
        )
    return name


def report_path(name: str, folder: str | os.PathLike | None = None) -> Path:
    """The notebook file of report ``name``; raises with the valid names if unknown."""
    check_report_name(name)
    base = Path(folder) if folder else notebooks_dir()
    path = base / f"{name}.ipynb"
    if not path.is_file():
        names = list_reports(base)
        raise CJMConfigError(
            f"There is no report {name!r}.{suggest(name, names)} Reports: {', '.join(names) or '(none)'}."
        )
    return path


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


def _comments(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            text = tok.string.lstrip("#").strip()
            if text.lower().startswith("help:"):
                text = text[5:].strip()
            out[tok.start[0]] = text
    return out


def report_parameters(name: str, folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """The parameters of a report: name, type, default and help, in cell order.

    Examples
    --------
    >>> params = report_parameters("cx_overview")
    >>> list(params.columns)
    ['name', 'type', 'default', 'help']
    """
    params = declared_parameters(report_path(name, folder))
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
        # the help comment ends the assignment's line, also when a formatter split the value over lines
        lines = range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1)
        help_text = next((comments[n] for n in lines if n in comments), "")
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


def check_parameters(name: str, values: Mapping[str, Any], folder: str | os.PathLike | None = None) -> dict[str, Any]:
    """Check parameters against the report's cell; return them with CLI text coerced.

    Raises
    ------
    CJMConfigError
        An unknown name (with the valid ones and a close match) or a value of the wrong type.

    Examples
    --------
    >>> check_parameters("cx_overview", {"language": "de"})
    {'language': 'de'}
    """
    declared = declared_parameters(report_path(name, folder))
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

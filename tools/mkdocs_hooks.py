"""MkDocs hooks of the cjm-lab documentation (``hooks:`` in ``mkdocs.yml``).

An API reference page holds one line ``<!-- api: cjm_lab.survey -->`` (``level=3`` after the
name puts the headings one level lower); this hook replaces
it with one mkdocstrings block per name in that module's ``__all__``, in the order of
``__all__`` (grouped by topic), so the reference always shows exactly the public surface.
``__all__`` is read from the source with :mod:`ast` (nothing is imported).

A name that is also a submodule (``cjm_lab.survey.nps`` is the module ``nps.py`` and the
function ``nps``) is documented from the module that defines it, since the static analysis
behind mkdocstrings sees the submodule under the package's name. A name that is a plain
assignment of another, or a deprecated old name of it
(``patterns = deprecated_alias(sequential_patterns, "patterns")``), gets a short entry pointing to it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- api: (?P<module>[\w.]+)(?: level=(?P<level>[1-6]))? -->$", re.MULTILINE)


def module_file(module: str) -> Path:
    """The source file of ``module`` (a package's ``__init__.py`` or a module's ``.py``)."""
    base = ROOT.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    raise ValueError(f"API page names {module!r}, which is no module of this repository ({base}).")


#: Public names that are deprecated old names of another (``deprecated_alias``).
DEPRECATED: set[str] = set()


def _deprecated_alias_of(value: ast.expr) -> str | None:
    """The new function of ``deprecated_alias(new_function, "old name")``, else None."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "deprecated_alias":
        if value.args and isinstance(value.args[0], ast.Name):
            return value.args[0].id
    return None


def public_names(module: str) -> list[tuple[str, str, str | None]]:
    """``(name, identifier, alias_of)`` for each name in ``module.__all__``.

    ``identifier`` is what mkdocstrings documents (and the anchor of its heading);
    ``alias_of`` names the public name that a plain assignment in the module makes it
    another name for (``patterns = sequential_patterns``), else None.
    """
    path = module_file(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] | None = None
    sources: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            names = list(ast.literal_eval(node.value))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Name):
                aliases[node.targets[0].id] = value.id
            elif (target := _deprecated_alias_of(value)) is not None:
                aliases[node.targets[0].id] = target
                DEPRECATED.add(f"{module}.{node.targets[0].id}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from .nps import nps` or `from cjm_lab.survey.nps import nps`
            source = f"{module}.{node.module}" if node.level == 1 else node.module
            for alias in node.names:
                sources[alias.asname or alias.name] = source
    if names is None:
        raise ValueError(f"{path} has no literal __all__ list for the API page of {module!r}.")
    is_package = path.name == "__init__.py"
    out = []
    for name in names:
        if name in aliases:
            out.append((name, f"{module}.{name}", aliases[name]))
        elif (
            name in sources and is_package and ((path.parent / f"{name}.py").is_file() or (path.parent / name).is_dir())
        ):
            # a submodule of the same name (survey.nps): the package path would be the module
            out.append((name, f"{sources[name]}.{name}", None))
        else:
            out.append((name, f"{module}.{name}", None))
    return out


def api_blocks(module: str, *, level: int | None = None) -> str:
    """The mkdocstrings blocks for every public name of ``module`` (headings at ``level``)."""
    options = f"    options:\n      heading_level: {level}\n" if level else ""
    hashes = "#" * (level or 2)
    blocks = []
    for name, identifier, alias_of in public_names(module):
        if alias_of is None:
            blocks.append(f"::: {identifier}\n{options}")
        else:
            target = next(ident for public, ident, _ in public_names(module) if public == alias_of)
            what = (
                f"The old name of [`{alias_of}`](#{target}): it works until cjm-lab 0.3, with a FutureWarning."
                if identifier in DEPRECATED
                else f"Another name for [`{alias_of}`](#{target}), the same function."
            )
            blocks.append(f"{hashes} `{name}` {{#{identifier}}}\n\n{what}\n")
    return "\n".join(blocks)


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Expand the ``<!-- api: module -->`` marker of an API reference page."""

    def expand(match: re.Match[str]) -> str:
        level = match.group("level")
        return api_blocks(match.group("module"), level=int(level) if level else None)

    return MARKER.sub(expand, markdown)

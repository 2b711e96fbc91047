"""Griffe extensions for the API reference (``extensions:`` of the mkdocstrings handler).

mkdocstrings reads the docstrings statically, from the source.  Two things in cjm-lab's
docstrings only make sense to Python at run time, and these extensions make them right on
the page:

* ``RuntimeDocstrings`` — a docstring with a line that is only a placeholder
  (``{journey_options}``) is completed when its module is imported (a decorator writes the
  shared parameter docs in).  Such a docstring is read from the imported object instead, so
  the page shows what ``help()`` shows.
* ``SphinxRoles`` — cross-references written as Sphinx roles
  (``:func:`~cjm_lab.survey.nps```), which ``help()`` and IDEs show as they are, become
  inline code: ``:func:`~cjm_lab.survey.nps``` → ``nps()`` (a ``~`` keeps the last name only),
  ``:class:`PersonaModel``` → ``PersonaModel``, ``:func:`the runner <run_report>``` →
  ``the runner``.  A reST literal-block marker goes too (a line ``::`` is dropped, ``text::``
  becomes ``text:``): the indented block after it shows as code either way.

The objects are imported from the checkout being documented (its root goes first on
``sys.path``), never from another installed copy.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any

import griffe

ROOT = Path(__file__).resolve().parents[1]
ROLE = re.compile(r":(?P<role>func|meth|class|mod|attr|data|exc|obj|py:\w+):`(?P<target>[^`]+)`")
CALLABLE = {"func", "meth", "py:func", "py:meth"}
PLACEHOLDER = re.compile(r"^\s*\{[a-z_]+\}\s*$", re.MULTILINE)
LITERAL_ALONE = re.compile(r"^[ \t]*::[ \t]*$", re.MULTILINE)
LITERAL_AFTER = re.compile(r"(?<=\S)::[ \t]*$", re.MULTILINE)


def _inline(match: re.Match[str]) -> str:
    role, target = match.group("role"), match.group("target").strip()
    explicit = re.fullmatch(r"(?P<text>.+?)\s*<(?P<target>[^>]+)>", target)
    if explicit:
        return f"`{explicit.group('text')}`"
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    if role in CALLABLE and not target.endswith(")"):
        target += "()"
    return f"`{target}`"


def rewrite_roles(text: str) -> str:
    """``text`` with every Sphinx cross-reference role replaced by inline code.

    Examples
    --------
    >>> rewrite_roles("See :func:`~cjm_lab.survey.nps` and :class:`cjm_lab.io.TableMeta`.")
    'See `nps()` and `cjm_lab.io.TableMeta`.'
    >>> rewrite_roles(":func:`the runner <cjm_lab.reports.run_report>`")
    '`the runner`'
    """
    return ROLE.sub(_inline, text)


def drop_literal_markers(text: str) -> str:
    """``text`` without reST literal-block markers (``::``).

    Examples
    --------
    >>> drop_literal_markers("YAML::"), drop_literal_markers("::"), drop_literal_markers("a::b")
    ('YAML:', '', 'a::b')
    """
    return LITERAL_AFTER.sub(":", LITERAL_ALONE.sub("", text))


def runtime_docstring(path: str) -> str | None:
    """The docstring of the object at ``path`` (``package.module.name``) once imported, cleaned."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    doc = getattr(griffe.dynamic_import(path), "__doc__", None)
    return inspect.cleandoc(doc) if doc else None


class RuntimeDocstrings(griffe.Extension):
    """Read a docstring completed at import time (a placeholder line) from the imported object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Replace a docstring with a placeholder line by the imported object's docstring."""
        if obj.docstring is not None and PLACEHOLDER.search(obj.docstring.value):
            doc = runtime_docstring(obj.path)
            if doc and not PLACEHOLDER.search(doc):
                obj.docstring.value = doc


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles (and drop reST literal markers) in every docstring griffe reads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the roles of ``obj``'s docstring as soon as the object is created."""
        if obj.docstring is not None:
            obj.docstring.value = drop_literal_markers(rewrite_roles(obj.docstring.value))

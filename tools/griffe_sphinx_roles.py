"""A griffe extension for the API reference: Sphinx roles in docstrings become inline code.

The docstrings follow numpydoc and cross-reference with Sphinx roles
(``:func:`~cjm_lab.survey.nps```), which Python's ``help()`` and IDEs show as they are.
mkdocstrings renders Markdown, where a role would show its colons and backticks; this
extension (``extensions:`` of the mkdocstrings handler in ``mkdocs.yml``) rewrites each
role into inline code while the docstrings are read:

* ``:func:`~cjm_lab.survey.nps``` → ``nps()`` (a ``~`` keeps the last name only);
* ``:class:`PersonaModel``` → ``PersonaModel``; ``:meth:`fit``` → ``fit()``;
* ``:func:`the runner <cjm_lab.reports.run_report>``` → ``the runner``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?P<role>func|meth|class|mod|attr|data|exc|obj|py:\w+):`(?P<target>[^`]+)`")
CALLABLE = {"func", "meth", "py:func", "py:meth"}


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


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring griffe reads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the roles of ``obj``'s docstring as soon as the object is created."""
        if obj.docstring is not None:
            obj.docstring.value = rewrite_roles(obj.docstring.value)

"""The project's own errors.

Every public function of cjm-lab raises :class:`CJMDataError` (or its sibling
:class:`CJMConfigError`) for bad input, never a bare ``KeyError`` or ``ValueError``
from pandas or scikit-learn.  Both derive from :class:`CJMError` *and* from
``ValueError`` so that generic ``except ValueError`` handlers keep working.

The message always says *what* is wrong, *where* (file, column, up to five
offending rows) and *how to fix it*.  The pieces are also kept as attributes so
that programs (the report runner, the widgets) can show them without parsing
the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["CJMError", "CJMDataError", "CJMConfigError", "CJMDataWarning", "format_rows"]

#: How many offending rows an error message names at the most.
MAX_ROWS_SHOWN = 5


def format_rows(rows: Sequence[Any], values: Sequence[Any] | None = None) -> str:
    """Describe up to five offending rows (and their values) for a message.

    Parameters
    ----------
    rows : sequence
        Row labels (index values or 1-based file line numbers).
    values : sequence, optional
        The offending values, aligned with ``rows``.

    Returns
    -------
    str
        For example ``"rows 3, 7 (values '11', '-1') and 12 more"``.

    Examples
    --------
    >>> format_rows([3, 7], ["11", "-1"])
    "rows 3, 7 (values '11', '-1')"
    """
    rows = list(rows)
    shown = rows[:MAX_ROWS_SHOWN]
    word = "row" if len(rows) == 1 else "rows"
    text = f"{word} " + ", ".join(str(r) for r in shown)
    if values is not None:
        vals = list(values)[:MAX_ROWS_SHOWN]
        vword = "value" if len(vals) == 1 else "values"
        text += f" ({vword} " + ", ".join(repr(_plain(v)) for v in vals) + ")"
    if len(rows) > MAX_ROWS_SHOWN:
        text += f" and {len(rows) - MAX_ROWS_SHOWN} more"
    return text


def _plain(value: Any) -> Any:
    """Numpy scalars print as ``np.int64(3)``; show them as Python values."""
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


class CJMError(Exception):
    """Base class of all cjm-lab errors."""


class CJMDataError(CJMError, ValueError):
    """Input data that cjm-lab cannot use, with where and how to fix it.

    Parameters
    ----------
    problem : str
        What is wrong, in one sentence.
    column : str, optional
        The column concerned.
    rows : sequence, optional
        Offending row labels; up to five are named in the message.
    values : sequence, optional
        Offending values aligned with ``rows``.
    fix : str, optional
        What the user can do about it.
    source : str, optional
        The file (or ``"DataFrame"``) the data came from.

    Examples
    --------
    >>> err = CJMDataError("Scores outside 0-10.", column="recommend",
    ...                    rows=[4], values=[11], fix="Recode or drop them.")
    >>> print(err)
    Scores outside 0-10. Column 'recommend', row 4 (value 11). Fix: Recode or drop them.
    """

    def __init__(
        self,
        problem: str,
        *,
        column: str | None = None,
        rows: Sequence[Any] | None = None,
        values: Sequence[Any] | None = None,
        fix: str | None = None,
        source: str | None = None,
    ) -> None:
        self.problem = problem
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.values = list(values) if values is not None else None
        self.fix = fix
        self.source = source
        parts = []
        if source:
            parts.append(f"In {source}:")
        parts.append(problem)
        where = []
        if column is not None:
            where.append(f"Column {column!r}")
        if self.rows:
            where.append(format_rows(self.rows, self.values))
        if where:
            parts.append(", ".join(where) + ".")
        if fix:
            parts.append(f"Fix: {fix}")
        super().__init__(" ".join(parts))


class CJMConfigError(CJMError, ValueError):
    """A parameter, mapping or configuration that cjm-lab cannot use.

    Parameters
    ----------
    message : str
        What is wrong and the fix, starting with the function (``"nps(): ..."``).
    function, argument, rule, value : optional
        The function (``"nps()"``), the argument, the rule it breaks and the value given,
        for programs that show them without parsing the text.  The declarative check of
        :mod:`cjm_lab._params` fills them in; ``function`` is filled in for every
        configuration error that leaves a checked public function.

    Examples
    --------
    >>> err = CJMConfigError("nps(): `confidence` must be ...; got 95.", function="nps()",
    ...                      argument="confidence", value=95)
    >>> err.function, err.argument, err.value
    ('nps()', 'confidence', 95)
    """

    def __init__(
        self,
        message: str = "",
        *,
        function: str | None = None,
        argument: str | None = None,
        rule: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.function = function
        self.argument = argument
        self.rule = rule
        self.value = value


class CJMDataWarning(UserWarning):
    """Something in the data the user should see, that did not stop the analysis.

    Raised as a warning (``warnings.warn``) when a loader or an analysis went on with a
    documented choice the user may want to change: undeclared "don't know" codes found
    but not applied, answers left out of a model that differ from the ones kept, a
    column named like a role that could not serve as that role.  The message says what,
    where and the fix, like :class:`CJMDataError`.
    """

"""The parameter docs every journey analysis shares, written once.

A docstring names them with a line ``{journey_options}`` in its Parameters section;
:func:`journey_docs` replaces that line with the docs of the journey options and the engine
parameters the function's signature has, in signature order (so the docs never list an option
the function does not take).  ``tests/journeys/test_api.py`` checks that every parameter of
every analysis is documented.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import TypeVar

__all__ = ["OPTION_DOCS", "journey_docs", "PLACEHOLDER"]

#: The line a docstring puts where the shared parameter docs go.
PLACEHOLDER = "{journey_options}"

#: The docs of the journey options and the engine parameters, by parameter name.
OPTION_DOCS = {
    "touchpoints": """touchpoints : DataFrame, optional
    The catalogue from :func:`cjm_lab.io.load_touchpoints`: adds ``stage``, ``department``,
    ``kind`` (and ``channel`` when the log has none) and marks conversions from
    ``is_conversion``.""",
    "journey": """journey : {"customer", "session"}, default "customer"
    One journey per customer, or per session: the log's ``session_id`` (which must nest in
    customers) or, without it, a new session after ``session_gap`` of inactivity.""",
    "session_gap": """session_gap : str or seconds, default "30min"
    The inactivity that starts a new session (``journey="session"`` without ``session_id``).""",
    "dedupe": """dedupe : bool, default True
    Drop exact repeats (same customer, timestamp and touchpoint), keeping the first in
    ``sequence`` order.""",
    "until_conversion": """until_conversion : bool, default False
    Cut each journey after its first conversion.""",
    "outcome": """outcome : str or list of str, optional
    The outcome touchpoint(s): what a journey reaches when it succeeds — a purchase, a resolved
    case, an approval (default: the catalogue's ``is_conversion``).  Formerly ``conversions=``
    (still accepted with a FutureWarning until cjm-lab 0.3).""",
    "collapse_repeats": """collapse_repeats : {"off", "consecutive"}, default "off"
    ``"consecutive"`` merges immediate repeats of a touchpoint in a journey (A, A, B becomes A, B;
    the first of each run stays), before anything else is computed.""",
    "dates": """dates : (from, to), optional
    Keep the journeys whose first event lies in ``[from, to)`` (dates or times; UTC when naive;
    either end ``None`` for open), whole: a journey is never cut at a date, which would make a
    false drop-off there.""",
    "cases": """cases : list of ids, or dict {column: value or list of values}, optional
    Keep some cases (customers) only, whole: a list of ``customer_id`` values (of its type: text
    or numbers; ids the log lacks are counted in ``attrs["cjm_journeys"]["cases"]``), or a case
    attribute — a column constant per journey, e.g. ``{"org:group": "Org line A2"}`` or
    ``{"region": ["North", "South"]}``, read at each journey's first event; several columns must
    all match.  Applied where the journeys are built, so DataFrames, files and Spark alike.""",
    "engine": """engine : Engine, optional
    How DuckDB runs: memory limit, threads, spill folder and spill cap
    (:class:`~cjm_lab.journeys.Engine`).  What it leaves unset comes from
    :func:`~cjm_lab.journeys.set_engine_defaults`, then the ``CJM_LAB_*`` environment variables,
    then the built-in defaults; Spark input ignores it (Spark's own configuration governs).""",
    "old_engine_keywords": """**old_engine_keywords
    ``memory_limit=``, ``threads=``, ``temp_directory=`` as keywords: deprecated (a
    FutureWarning), they stop working in the next release; pass ``engine=Engine(...)``.""",
}

F = TypeVar("F", bound=Callable[..., object])


def journey_docs(func: F) -> F:
    """Fill the ``{journey_options}`` line of ``func``'s docstring with the shared parameter docs.

    Examples
    --------
    >>> @journey_docs
    ... def f(events, *, dedupe=True, engine=None):
    ...     '''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     {journey_options}
    ...     '''
    >>> print(f.__doc__.split("----------")[1].strip().splitlines()[0])
    dedupe : bool, default True
    """
    doc = func.__doc__ or ""
    lines = doc.splitlines()
    at = [i for i, line in enumerate(lines) if line.strip() == PLACEHOLDER]
    if len(at) != 1:
        raise TypeError(f"{func.__qualname__}: the docstring needs one line {PLACEHOLDER!r}.")
    indent = lines[at[0]][: len(lines[at[0]]) - len(lines[at[0]].lstrip())]
    names = [name for name in inspect.signature(func).parameters if name in OPTION_DOCS]
    block = textwrap.indent("\n".join(OPTION_DOCS[name] for name in names), indent)
    func.__doc__ = "\n".join([*lines[: at[0]], block, *lines[at[0] + 1 :]])
    return func

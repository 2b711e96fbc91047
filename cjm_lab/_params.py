"""One declarative check of the arguments of public functions, and one way to rename them.

A public function states what each option accepts in a table above its signature, in the
spirit of scikit-learn's parameter constraints::

    @validate_params(
        {
            "confidence": [CONFIDENCE],
            "k": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"})],
            "language": [LANGUAGE],
        }
    )
    def f(data, *, confidence=0.95, k="auto", language="en"): ...

A value that fits none of an argument's constraints raises
:class:`~cjm_lab.errors.CJMConfigError` naming the function, the argument, the rule and the
value (also kept as the attributes ``function``, ``argument``, ``rule`` and ``value``)::

    f(): `confidence` must be a number strictly between 0 and 1 (a share, not in percent),
    e.g. 0.95, got 95. Fix: pass the level as a share (0.9, 0.95, 0.99).

Any other :class:`~cjm_lab.errors.CJMConfigError` leaving a decorated function (a check that
needs the data, such as "`top` must be smaller than the number of scale points") gets the
function's name put in front when its message does not name it yet, so every configuration
error says where it comes from.

Renamed arguments keep working for one release through :func:`renamed_args` (a
``FutureWarning`` names the new spelling); options that became keyword-only likewise through
its ``positional=``; renamed functions through :func:`deprecated_alias`.  Stack them in this
order, the shim outside::

    @renamed_args({"low_base": "min_base"})
    @validate_params({...})
    def nps(data, *, min_base=50): ...

The checks cost about a microsecond per call (``docs/measured/params.md``).  Checks that need
the data (columns, rows) stay in :mod:`cjm_lab._validate`.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any, TypeVar

import numpy as np

from cjm_lab._deprecate import called_from_package, outside_stacklevel, warn_deprecated
from cjm_lab.errors import CJMConfigError

__all__ = [
    "Integral",
    "Real",
    "Constraint",
    "Interval",
    "StrOptions",
    "Options",
    "InstanceOf",
    "Rule",
    "LANGUAGES",
    "BOOLEAN",
    "CONFIDENCE",
    "CORRECTION",
    "SCALE",
    "RANGE",
    "DONT_KNOW",
    "K_RANGE",
    "k_candidates",
    "ALPHA",
    "LANGUAGE",
    "RANDOM_STATE",
    "MIN_BASE",
    "WHOLE_NUMBER",
    "COUNT",
    "validate_params",
    "check_params",
    "check_param",
    "renamed_args",
    "deprecated_alias",
    "warn_changed",
    "called_from_package",
    "outside_stacklevel",
    "REMOVED_IN",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The release in which deprecated names stop working (they keep working for one release).
REMOVED_IN = "0.3"


# --------------------------------------------------------------------------- constraints
class Constraint(ABC):
    """One rule a value may satisfy; an argument accepts a value that satisfies any of its rules.

    Every constraint takes three optional words for the message: ``note`` (what the value
    means, said in brackets after the rule), ``example`` (a typical value, "e.g. 0.95") and
    ``fix`` (a sentence after the message, "Fix: ...").
    """

    note: str | None = None
    example: Any = None
    fix: str | None = None

    @abstractmethod
    def accepts(self, value: Any) -> bool:
        """Whether ``value`` satisfies the rule."""

    @abstractmethod
    def describe(self) -> str:
        """The rule in words, as the message says it ("a number from 0 to 1")."""

    def _words(self, note: str | None, example: Any, fix: str | None) -> None:
        self.note, self.example, self.fix = note, example, fix

    def __str__(self) -> str:
        text = self.describe()
        if self.note:
            text += f" ({self.note})"
        if self.example is not None:
            text += f", e.g. {self.example}"
        return text

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self}>"


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _number(x: float) -> str:
    """A bound as a message writes it: ``1`` for 1.0, ``0.5``."""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


class Interval(Constraint):
    """A number (``Real``) or a whole number (``Integral``) within bounds; ``None`` is no bound.

    ``closed`` is ``"both"``, ``"left"``, ``"right"`` or ``"neither"``; ``example`` is quoted
    in the message.  Booleans are never numbers here; NaN never lies in an interval.  A whole
    number is an ``int`` or a numpy integer (``3.0`` is not one, as in scikit-learn).

    Examples
    --------
    >>> str(Interval(Integral, 1, None, closed="left", example="100_000"))
    'a whole number of at least 1, e.g. 100_000'
    >>> Interval(Real, 0, 1, closed="neither").accepts(1.0)
    False
    """

    def __init__(
        self,
        kind: type,
        left: float | None,
        right: float | None,
        *,
        closed: str = "both",
        note: str | None = None,
        example: Any = None,
        fix: str | None = None,
    ) -> None:
        if kind not in (Integral, Real):
            raise TypeError("Interval kind must be numbers.Integral or numbers.Real")
        if closed not in ("both", "left", "right", "neither"):
            raise TypeError(f"closed must be 'both', 'left', 'right' or 'neither', got {closed!r}")
        self.kind, self.left, self.right, self.closed = kind, left, right, closed
        self._words(note, example, fix)
        self._left_closed = closed in ("both", "left")
        self._right_closed = closed in ("both", "right")
        self._whole = kind is Integral
        self._lo = -math.inf if left is None else float(left)
        self._hi = math.inf if right is None else float(right)

    def accepts(self, value: Any) -> bool:
        # plain int and float first: this runs on every call of a public function, and
        # isinstance against the numbers ABCs costs several times more
        t = type(value)
        if t is float:
            if self._whole or value != value:
                return False
        elif t is not int:
            if _is_bool(value) or not isinstance(value, self.kind):
                return False
            if not self._whole and math.isnan(value):
                return False
        if value < self._lo or (value == self._lo and not self._left_closed):
            return False
        return not (value > self._hi or (value == self._hi and not self._right_closed))

    def describe(self) -> str:
        noun = "a whole number" if self.kind is Integral else "a number"
        lo = None if self.left is None else _number(self.left)
        hi = None if self.right is None else _number(self.right)
        if lo is None and hi is None:
            text = noun
        elif hi is None:
            text = f"{noun} of at least {lo}" if self._left_closed else f"{noun} above {lo}"
        elif lo is None:
            text = f"{noun} of at most {hi}" if self._right_closed else f"{noun} below {hi}"
        elif self.closed == "both":
            text = f"{noun} from {lo} to {hi}"
        elif self.closed == "neither":
            text = f"{noun} strictly between {lo} and {hi}"
        elif self.closed == "left":
            text = f"{noun} from {lo} to below {hi}"
        else:
            text = f"{noun} above {lo} and at most {hi}"
        return text


def _or_list(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


class StrOptions(Constraint):
    """One of a few texts; given as a dict, each option is explained in the message.

    Examples
    --------
    >>> str(StrOptions({"listwise", "pairwise"}))
    "'listwise' or 'pairwise'"
    >>> str(StrOptions({"high": "little effort at the top", "low": "at the bottom"}))
    "'high' (little effort at the top) or 'low' (at the bottom)"
    """

    def __init__(
        self,
        options: Iterable[str] | Mapping[str, str],
        *,
        note: str | None = None,
        example: Any = None,
        fix: str | None = None,
    ) -> None:
        if isinstance(options, Mapping):
            self.meanings: dict[str, str] = {str(k): str(v) for k, v in options.items()}
            self.options: tuple[str, ...] = tuple(self.meanings)
        else:
            self.meanings = {}
            # sets have no order: sorted, so the message is the same in every run
            self.options = tuple(options) if isinstance(options, (list, tuple)) else tuple(sorted(options))
        self._set = frozenset(self.options)
        self._words(note, example, fix)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value in self._set

    def describe(self) -> str:
        parts = [repr(o) + (f" ({self.meanings[o]})" if o in self.meanings else "") for o in self.options]
        return _or_list(parts)


class Options(Constraint):
    """One of a few values of any type (e.g. ``Options({0, 1})``)."""

    def __init__(self, options: Iterable[Any], *, note: str | None = None, fix: str | None = None) -> None:
        self.options = tuple(options)
        self._words(note, None, fix)

    def accepts(self, value: Any) -> bool:
        return not _is_bool(value) and any(value == o and type(value) is type(o) for o in self.options)

    def describe(self) -> str:
        return _or_list([repr(o) for o in self.options])


_TYPE_NAMES = {
    str: "a text",
    bool: "True or False",
    dict: "a dict",
    list: "a list",
    tuple: "a tuple",
    Mapping: "a mapping (dict)",
    Callable: "a function",
}


class InstanceOf(Constraint):
    """An instance of a type (``InstanceOf(pd.DataFrame)`` reads "a DataFrame").

    Examples
    --------
    >>> str(InstanceOf(str)), InstanceOf(bool).accepts(np.True_)
    ('a text', True)
    """

    def __init__(
        self,
        kind: type | tuple[type, ...],
        *,
        name: str | None = None,
        note: str | None = None,
        example: Any = None,
        fix: str | None = None,
    ) -> None:
        self.kind = kind
        if kind is bool:
            self.kind = (bool, np.bool_)
        self.name = name or _TYPE_NAMES.get(kind) or f"a {getattr(kind, '__name__', str(kind))}"
        self._words(note, example, fix)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kind)

    def describe(self) -> str:
        return self.name


class _NoneConstraint(Constraint):
    def accepts(self, value: Any) -> bool:
        return value is None

    def describe(self) -> str:
        return "None"


class Rule(Constraint):
    """A rule of its own: a predicate and the words that say it ("a pair (low, high) with low < high").

    Examples
    --------
    >>> pair = Rule(lambda v: isinstance(v, tuple) and len(v) == 2, "a pair (low, high)")
    >>> pair.accepts((1, 5)), str(pair)
    (True, 'a pair (low, high)')
    """

    def __init__(
        self,
        predicate: Callable[[Any], bool],
        description: str,
        *,
        note: str | None = None,
        example: Any = None,
        fix: str | None = None,
    ) -> None:
        self.predicate, self.description = predicate, description
        self._words(note, example, fix)

    def accepts(self, value: Any) -> bool:
        try:
            return bool(self.predicate(value))
        except Exception:  # a predicate that cannot judge the value rejects it
            return False

    def describe(self) -> str:
        return self.description


def _as_constraint(c: Any) -> Constraint:
    if isinstance(c, Constraint):
        return c
    if c is None:
        return _NoneConstraint()
    if isinstance(c, type) or (isinstance(c, tuple) and all(isinstance(t, type) for t in c)):
        if c in (Integral, Real):
            return Interval(c, None, None)
        return InstanceOf(c)
    raise TypeError(f"not a constraint: {c!r}")


#: The languages of texts that reach a report.
LANGUAGES = ("en", "de")

#: ``True`` or ``False`` (numpy booleans too).
BOOLEAN = InstanceOf(bool)
#: A confidence level: a share strictly between 0 and 1.
CONFIDENCE = Interval(
    Real,
    0,
    1,
    closed="neither",
    note="a share, not in percent",
    example="0.95",
    fix="pass the level as a share (0.9, 0.95, 0.99).",
)
#: A significance level.
ALPHA = Interval(Real, 0, 1, closed="neither", example="0.05")
#: The language of texts that reach a report.
LANGUAGE = StrOptions(LANGUAGES, fix="pass language='en' for English or language='de' for German texts.")
#: A seed (``0`` by default everywhere: reports come out the same each run); None draws a new one.
RANDOM_STATE: list[Any] = [Interval(Integral, 0, None, closed="left"), None]
#: The smallest base (responses, customers) a result is read on; smaller groups are flagged.
MIN_BASE = Interval(Real, 0, None, closed="left", example="50")
#: A whole number of at least 1.
WHOLE_NUMBER = Interval(Integral, 1, None, closed="left")
#: A whole number of at least 0 (a count that may be none).
COUNT = Interval(Integral, 0, None, closed="left")


def _is_pair(value: Any, *, whole: bool, min_points: int = 2) -> bool:
    if isinstance(value, (str, bytes)) or len(value) != 2:
        return False
    low, high = (float(v) for v in value)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        return False
    if whole and not (low.is_integer() and high.is_integer()):
        return False
    return high - low + 1 >= min_points


def _is_codes(value: Any) -> bool:
    values: list[Any] = [value] if np.isscalar(value) else list(value)
    return all(not _is_bool(v) and not isinstance(v, str) and math.isfinite(float(v)) for v in values)


#: A rating scale: its lowest and highest point.
SCALE = Rule(
    lambda v: _is_pair(v, whole=True),
    "a pair (low, high) of whole numbers with low < high",
    example="(1, 5), (1, 7), (1, 10) or (0, 10)",
)
#: A range of values: its lowest and highest value (a scale whose ends need not be whole numbers).
RANGE = Rule(lambda v: _is_pair(v, whole=False), "a pair (low, high) of numbers with low < high", example="(1, 5)")
#: The code(s) of "don't know" and similar answers: they count as missing answers.
DONT_KNOW = Rule(_is_codes, "a number or a list of numbers", example="99 or [6, 99]")


def _is_ks(value: Any) -> bool:
    if isinstance(value, (str, bytes, Mapping)):
        return False
    ks = list(value)
    return bool(ks) and all(isinstance(k, Integral) and not _is_bool(k) and int(k) >= 2 for k in ks)


#: The numbers of groups (personas, journey clusters) tried: a range or a list of whole numbers.
K_RANGE = Rule(_is_ks, "a range or a list of whole numbers of at least 2", example="range(2, 11)")


def k_candidates(k_range: Any, *, where: str) -> list[int]:
    """The numbers of groups ``k_range`` asks to try, sorted (checked by :data:`K_RANGE`).

    A tuple of two, ``(low, high)``, was the form of ``PersonaModel`` before 0.2 and still
    means low to high, both included, with a ``FutureWarning`` until :data:`REMOVED_IN`.

    Examples
    --------
    >>> k_candidates(range(2, 6), where="f()"), k_candidates([5, 3, 3], where="f()")
    ([2, 3, 4, 5], [3, 5])
    """
    if isinstance(k_range, tuple) and len(k_range) == 2 and _is_ks(k_range) and k_range[1] - k_range[0] > 1:
        low, high = int(k_range[0]), int(k_range[1])
        warn_changed(
            where,
            f"`k_range=({low}, {high})` as (smallest, largest) is read as range({low}, {high + 1}); "
            f"pass k_range=range({low}, {high + 1})",
        )
        return list(range(low, high + 1))
    check_param(k_range, [K_RANGE], name="k_range", where=where)
    return sorted({int(k) for k in k_range})


#: The correction for multiple comparisons, one name each across the package.
CORRECTION = StrOptions(
    {
        "fdr": "Benjamini–Hochberg, the default",
        "bonferroni": "Bonferroni",
        "none": "no correction",
    }
)


# --------------------------------------------------------------------------- checking
def _describe(constraints: Sequence[Constraint]) -> str:
    # "None" goes last: "a whole number of at least 1 (or None)"
    shown = [c for c in constraints if not isinstance(c, _NoneConstraint)]
    text = " or ".join(str(c) for c in shown) if shown else "None"
    if len(shown) < len(constraints) and shown:
        text += " (or None)"
    return text


def _shown(value: Any) -> str:
    """The value as the message quotes it: its repr, or its type when that is long (a table)."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    if "\n" in text or len(text) > 80:
        return f"a {type(value).__name__}"
    return text


def _fail(where: str, name: str, constraints: Sequence[Constraint], value: Any) -> CJMConfigError:
    rule = _describe(constraints)
    fix = next((c.fix for c in constraints if c.fix), None)
    return CJMConfigError(
        (f"{where}: " if where else "")
        + f"`{name}` must be {rule}, got {_shown(value)}."
        + (f" Fix: {fix}" if fix else ""),
        function=where or None,
        argument=name,
        rule=rule,
        value=value,
    )


def check_param(value: Any, constraints: Sequence[Any], *, name: str, where: str) -> Any:
    """Check one value against its constraints (the explicit form of :func:`validate_params`).

    For checks that need something known only inside the function, such as the number of
    items: ``check_param(top, [Interval(Integral, 1, points - 1)], name="top", where=where)``.

    Examples
    --------
    >>> check_param(0.9, [CONFIDENCE], name="confidence", where="nps()")
    0.9
    >>> check_param(95, [CONFIDENCE], name="confidence", where="nps()")
    Traceback (most recent call last):
    ...
    cjm_lab.errors.CJMConfigError: nps(): `confidence` must be a number strictly between 0 and 1 ..., got 95. ...
    """
    cons = [_as_constraint(c) for c in constraints]
    for c in cons:
        if c.accepts(value):
            return value
    raise _fail(where, name, cons, value)


def check_params(values: Mapping[str, Any], table: Mapping[str, Any], *, where: str) -> None:
    """Check several values (``{name: value}``) against a table of constraints.

    The form for estimators, whose options are checked in ``fit``:
    ``check_params(self.get_params(), self._parameter_constraints, where="PersonaModel.fit()")``.
    """
    for name, constraints in table.items():
        if name in values:
            check_param(values[name], constraints, name=name, where=where)


#: A message that names its function: "nps(): ...", "`x` in nps() ...", "`kinds` of mask_pii() ...".
_NAMED = re.compile(r"^(In [^:]+: )?[\w.]+\(\)|\b(in|of) [\w.]+\(\)")


def _stamp(err: CJMConfigError, where: str) -> None:
    """Name the function on a configuration error that does not name one yet."""
    if getattr(err, "function", None) is not None:
        return
    err.function = where
    message = str(err.args[0]) if err.args else ""
    if not _NAMED.search(message):
        err.args = (f"{where}: {message}", *err.args[1:])


class _Spec:
    __slots__ = ("constraints", "position")

    def __init__(self, constraints: list[Constraint], position: int | None) -> None:
        self.constraints, self.position = constraints, position


def _where_of(func: Callable[..., Any]) -> str:
    name = func.__qualname__
    if name.endswith(".__init__"):
        name = name[: -len(".__init__")]
    return f"{name}()"


def validate_params(table: Mapping[str, Any], *, where: str | None = None) -> Callable[[F], F]:
    """Decorate a function with the table of what each argument accepts.

    Parameters
    ----------
    table : dict
        Argument name to a list of constraints: :class:`Interval`, :class:`StrOptions`,
        :class:`Options`, :class:`InstanceOf`, :class:`Rule`, a type (``str``,
        ``pd.DataFrame``) or ``None`` (the value may be None).  A value passes when it
        satisfies any of them.
    where : str, optional
        The name errors give, default ``"<function>()"`` (``"Class()"`` for ``__init__``,
        ``"Class.method()"`` for a method).

    Notes
    -----
    At decoration time every name must be an argument of the function and every default
    must satisfy its constraints (``TypeError`` otherwise: the table and the signature
    cannot drift apart).  A default is not checked again at call time.

    Examples
    --------
    >>> @validate_params({"confidence": [CONFIDENCE], "n": [WHOLE_NUMBER, None]})
    ... def f(data, *, confidence=0.95, n=None):
    ...     return confidence
    >>> f(None, confidence=0.9)
    0.9
    >>> f(None, n=0)
    Traceback (most recent call last):
    ...
    cjm_lab.errors.CJMConfigError: f(): `n` must be a whole number of at least 1 (or None), got 0.
    """

    def decorate(func: F) -> F:
        if getattr(func, "__cjm_renamed__", False):
            raise TypeError(f"{func.__qualname__}: put @renamed_args above @validate_params")
        name = where or _where_of(func)
        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        specs: dict[str, _Spec] = {}
        positional: list[tuple[int, str]] = []
        for arg, constraints in table.items():
            if arg not in sig.parameters:
                raise TypeError(f"{name}: the parameter table names {arg!r}, which is no argument")
            cons = [_as_constraint(c) for c in constraints]
            if not cons:
                raise TypeError(f"{name}: the parameter table gives {arg!r} no constraint")
            p = sig.parameters[arg]
            pos = params.index(p) if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else None
            if p.default is not p.empty and not any(c.accepts(p.default) for c in cons):
                raise TypeError(f"{name}: the default {arg}={p.default!r} breaks its own rule ({_describe(cons)})")
            specs[arg] = _Spec(cons, pos)
            if pos is not None:
                positional.append((pos, arg))

        # one bound method per argument (the first constraint; the others only when it fails)
        first = {arg: spec.constraints[0].accepts for arg, spec in specs.items()}

        def fail_unless_other(arg: str, value: Any) -> None:
            cons = specs[arg].constraints
            if not any(c.accepts(value) for c in cons[1:]):
                raise _fail(name, arg, cons, value)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for arg in kwargs:
                accepts = first.get(arg)
                if accepts is not None and not accepts(kwargs[arg]):
                    fail_unless_other(arg, kwargs[arg])
            if positional:
                n = len(args)
                for pos, arg in positional:
                    if pos < n and not first[arg](args[pos]):
                        fail_unless_other(arg, args[pos])
            try:
                return func(*args, **kwargs)
            except CJMConfigError as err:
                _stamp(err, name)
                raise

        wrapper.__cjm_params__ = {k: list(v.constraints) for k, v in specs.items()}  # type: ignore[attr-defined]
        wrapper.__cjm_where__ = name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


# --------------------------------------------------------------------------- deprecation
def warn_changed(where: str, message: str) -> None:
    """Warn (``FutureWarning``) that something changed; it keeps working until :data:`REMOVED_IN`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     warn_changed("f()", "`low` is now called `min_base`")
    >>> print(seen[0].message)
    f(): `low` is now called `min_base`; the old form stops working in cjm-lab 0.3.
    """
    warn_deprecated(f"{where}: {message}; the old form stops working in cjm-lab {REMOVED_IN}.")


def renamed_args(
    renames: Mapping[str, str] | None = None,
    *,
    positional: Sequence[str] = (),
    where: str | None = None,
) -> Callable[[F], F]:
    """Keep old argument names, and options passed by position, working for one release.

    Parameters
    ----------
    renames : dict, optional
        Old name to new name.  An old name still works and warns (``FutureWarning``)
        naming the new one; passing both raises :class:`~cjm_lab.errors.CJMConfigError`.
    positional : sequence of str
        Options that became keyword-only, in their old positional order after the
        arguments that stay positional: passing them by position still works and warns.

    Examples
    --------
    >>> @renamed_args({"low_base": "min_base"}, positional=["top"])
    ... def f(table, *, top=10, min_base=50):
    ...     return top, min_base
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     f(None, 3, low_base=30)
    (3, 30)
    >>> print(seen[0].message)
    f(): `low_base` is now called `min_base`; pass min_base=...; the old form stops working in cjm-lab 0.3.
    >>> print(seen[1].message)
    f(): pass `top` by name (top=...), not by position; the old form stops working in cjm-lab 0.3.
    """
    renames = dict(renames or {})
    positional = tuple(positional)

    def decorate(func: F) -> F:
        name = where or getattr(func, "__cjm_where__", None) or _where_of(func)
        sig = inspect.signature(func)
        # an option the function passes on in **kwargs may be renamed too
        passes_on = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
        for old, new in renames.items():
            if (new not in sig.parameters and not passes_on) or old in sig.parameters:
                raise TypeError(f"{name}: cannot rename {old!r} to {new!r}")
        for arg in positional:
            p = sig.parameters.get(arg)
            if p is None or p.kind is not p.KEYWORD_ONLY:
                raise TypeError(f"{name}: {arg!r} must be a keyword-only argument to be shimmed")
        n_pos = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in sig.parameters.values())
        old_names = frozenset(renames)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if kwargs and not old_names.isdisjoint(kwargs):
                quiet = called_from_package()
                for old in old_names.intersection(kwargs):
                    new = renames[old]
                    if new in kwargs:
                        raise CJMConfigError(
                            f"{name}: pass `{new}` or its old name `{old}`, not both.",
                            function=name,
                            argument=new,
                        )
                    if not quiet:
                        warn_changed(name, f"`{old}` is now called `{new}`; pass {new}=...")
                    kwargs[new] = kwargs.pop(old)
            if positional and len(args) > n_pos:
                extra = args[n_pos:]
                if len(extra) > len(positional):
                    raise TypeError(f"{name} takes {n_pos + len(positional)} positional arguments, {len(args)} given")
                given = positional[: len(extra)]
                for arg, value in zip(given, extra):
                    if arg in kwargs:
                        raise TypeError(f"{name} got multiple values for argument {arg!r}")
                    kwargs[arg] = value
                if not called_from_package():
                    names = ", ".join(f"`{a}`" for a in given)
                    spelled = ", ".join(f"{a}=..." for a in given)
                    warn_changed(name, f"pass {names} by name ({spelled}), not by position")
                args = args[:n_pos]
            return func(*args, **kwargs)

        wrapper.__cjm_renamed__ = dict(renames)  # type: ignore[attr-defined]
        wrapper.__cjm_positional__ = positional  # type: ignore[attr-defined]
        if hasattr(func, "__cjm_params__"):
            wrapper.__cjm_params__ = func.__cjm_params__  # type: ignore[attr-defined]
            wrapper.__cjm_where__ = name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def deprecated_alias(func: F, old_name: str) -> F:
    """The function under an old name, warning (``FutureWarning``) that it has a new one.

    Examples
    --------
    >>> def sequential_patterns(x):
    ...     return x
    >>> patterns = deprecated_alias(sequential_patterns, "patterns")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     patterns(1)
    1
    >>> print(seen[0].message)
    patterns(): now called sequential_patterns(); the old form stops working in cjm-lab 0.3.
    """
    new_name = func.__name__

    @functools.wraps(func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        if not called_from_package():
            warn_changed(f"{old_name}()", f"now called {new_name}()")
        return func(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old_name
    alias.__doc__ = f"Deprecated alias of :func:`{new_name}` (removed in cjm-lab {REMOVED_IN}).\n"
    alias.__cjm_alias_of__ = new_name  # type: ignore[attr-defined]
    return alias  # type: ignore[return-value]

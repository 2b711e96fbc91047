"""How the embedded engine runs: the :class:`Engine` options and where their defaults come from.

An analysis runs with the :class:`Engine` it is given (``engine=Engine(memory_limit="2GB")``);
what that leaves unset comes from, in this order, :func:`set_engine_defaults`, the environment
(``CJM_LAB_MEMORY_LIMIT``, ``CJM_LAB_THREADS``, ``CJM_LAB_TEMP_DIRECTORY``, ``CJM_LAB_MAX_TEMP``:
a report kernel inherits them from ``cjm-lab report``) and the built-in defaults
(:func:`default_memory_limit`, one thread per core, a spill folder of each open database's own).
:func:`resolved` gives the options an analysis actually runs with.  The options are DuckDB's;
Spark manages its own memory (``spark.executor.memory`` and friends) and ignores them.
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cjm_lab._params import Integral, Interval, check_param, validate_params
from cjm_lab.errors import CJMConfigError

__all__ = [
    "Engine",
    "ENGINE_OPTIONS",
    "engine_options",
    "set_engine_defaults",
    "default_memory_limit",
    "resolved",
    "DEFAULT_MEMORY_LIMIT",
    "MIN_MEMORY",
    "MAX_SIZE",
    "MAX_THREADS",
    "ENVIRONMENT",
    "origin",
    "THREADS",
]

#: The environment variable of each option (a report kernel inherits them from ``cjm-lab report``).
ENVIRONMENT = {
    "memory_limit": "CJM_LAB_MEMORY_LIMIT",
    "threads": "CJM_LAB_THREADS",
    "temp_directory": "CJM_LAB_TEMP_DIRECTORY",
    "max_temp": "CJM_LAB_MAX_TEMP",
}
#: An example value of each option, for the fixes of messages.
_EXAMPLES = {"memory_limit": "2GB", "threads": "2", "temp_directory": "/data/spill", "max_temp": "50GB"}

#: The options of :class:`Engine`, in order.
ENGINE_OPTIONS = ("memory_limit", "threads", "temp_directory", "max_temp")

_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
#: The least memory a journey sort can work in.
MIN_MEMORY = 64 * 1024**2
#: The most memory DuckDB holds unless told otherwise.
DEFAULT_MEMORY_LIMIT = 4 * 1000**3
#: The largest size DuckDB takes for its memory limit and spill cap (8 EiB; a larger one is a
#: DuckDB parser error, an infinite one cannot be written at all).
MAX_SIZE = 2**63
#: The most worker threads: more than the cores make nothing faster, and DuckDB aborts the whole
#: Python process when it cannot allocate a thread's memory (a million threads did, measured).
MAX_THREADS = 1024


def _size(value: Any, arg: str, where: str, fix: str) -> int:
    """A size such as ``"2GB"``, ``"512MiB"`` or a number of bytes, in bytes (positive)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CJMConfigError(f"{where}: `{arg}` must be a size such as '2GB', got {value!r}." + fix)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*", value.lower())
        if not m:
            raise CJMConfigError(f"{where}: `{arg}` {value!r} is not a size." + fix)
        size = float(m.group(1)) * _UNITS[m.group(2) or "b"]
    else:
        size = float(value)
    if not size > 0:
        raise CJMConfigError(f"{where}: `{arg}` must be a positive size, got {value!r}." + fix)
    if not math.isfinite(size) or size > MAX_SIZE:
        raise CJMConfigError(f"{where}: `{arg}` {value!r} is larger than any size DuckDB takes (8 EiB)." + fix)
    return int(size)


def _checked(values: dict[str, Any], where: str) -> dict[str, Any]:
    """The options checked and normalised: sizes in bytes, the spill folder made and writable."""
    out = dict(values)
    if values.get("memory_limit") is not None:
        out["memory_limit"] = _memory_limit(values["memory_limit"], where)
    if values.get("max_temp") is not None:
        fix = " Fix: pass a size such as max_temp='20GB' (or a number of bytes), or leave it out for DuckDB's."
        out["max_temp"] = _size(values["max_temp"], "max_temp", where, fix)
    if values.get("threads") is not None:
        check_param(values["threads"], [THREADS], name="threads", where=where)
    if values.get("temp_directory") is not None:
        out["temp_directory"] = _folder(values["temp_directory"], where)
    return out


#: DuckDB's worker threads: a positive whole number up to :data:`MAX_THREADS`.
THREADS = Interval(
    Integral,
    1,
    MAX_THREADS,
    note=f"more than {MAX_THREADS} make no machine faster, and DuckDB aborts the whole Python process when it "
    "cannot give each thread its memory",
    fix=f"pass e.g. threads=2, or leave it out for one thread per core ({os.cpu_count()} here).",
)


def _memory_limit(value: Any, where: str) -> int:
    fix = " Fix: pass a size such as memory_limit='2GB' or '512MiB' (or a number of bytes), at least 64 MiB."
    size = _size(value, "memory_limit", where, fix)
    if size < MIN_MEMORY:
        raise CJMConfigError(
            f"{where}: `memory_limit` {value!r} is below 64 MiB, too little to sort journeys in." + fix
        )
    return size


def _folder(value: Any, where: str) -> str:
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise CJMConfigError(
            f"{where}: `temp_directory` must be a folder path, got {value!r}."
            " Fix: Pass a folder on a disk with room for the spilled data."
        )
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise CJMConfigError(
            f"{where}: `temp_directory` {str(path)!r} is a file, not a folder. Fix: Pass a folder (it is created "
            "when missing)."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CJMConfigError(
            f"{where}: cannot create `temp_directory` {str(path)!r} ({exc.strerror})."
            " Fix: Pass a folder you can write to."
        ) from None
    if not os.access(path, os.W_OK):
        raise CJMConfigError(
            f"{where}: `temp_directory` {str(path)!r} is not writable. Fix: Pass a folder you can write to."
        )
    return str(path)


@dataclass(frozen=True)
class Engine:
    """How the embedded engine (DuckDB) runs a journey analysis; pass it as ``engine=``.

    Every option left ``None`` comes from :func:`set_engine_defaults`, else the environment
    (``CJM_LAB_MEMORY_LIMIT``, ``CJM_LAB_THREADS``, ``CJM_LAB_TEMP_DIRECTORY``,
    ``CJM_LAB_MAX_TEMP``), else the built-in default.  Spark input ignores these options:
    Spark's own configuration (``spark.executor.memory``, …) governs it.

    Parameters
    ----------
    memory_limit : str or int, optional
        The most memory DuckDB may use, e.g. ``"2GB"``, ``"512MiB"`` or bytes (at least
        64 MiB).  Sorting and aggregation beyond it spill to ``temp_directory``, and logs too
        large for it run in parts (hash buckets of customers).  Default
        :func:`default_memory_limit` (4 GB, or half the machine's memory when that is less).
    threads : int, optional
        Worker threads (a positive whole number); default one per core.
    temp_directory : str or path, optional
        Folder for spilled data (created when missing); default a folder ``.tmp-cjm-<pid>-<n>``
        in the working directory for each open database, made only when it spills and removed
        when it closes.
    max_temp : str or int, optional
        The most spilled data DuckDB may write (``max_temp_directory_size``), e.g. ``"20GB"``;
        default DuckDB's (90 % of the free disk).

    Attributes
    ----------
    memory_limit, max_temp : int or None
        In bytes.
    threads : int or None
    temp_directory : str or None

    Examples
    --------
    >>> Engine(memory_limit="2GB", threads=2)
    Engine(memory_limit=2000000000, threads=2, temp_directory=None, max_temp=None)
    >>> Engine(threads=0)
    Traceback (most recent call last):
    ...
    cjm_lab.errors.CJMConfigError: Engine(): `threads` must be a whole number from 1 to 1024 ..., got 0. ...
    """

    memory_limit: int | None = None
    threads: int | None = None
    temp_directory: str | None = None
    max_temp: int | None = None

    def __post_init__(self) -> None:
        for name, value in _checked(self.as_dict(), "Engine()").items():
            object.__setattr__(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        """The options as a dict (``None`` for the ones left unset)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def merged(self, other: Engine | None) -> Engine:
        """These options, overridden by the ones ``other`` sets.

        Examples
        --------
        >>> Engine(threads=2).merged(Engine(memory_limit="1GB"))
        Engine(memory_limit=1000000000, threads=2, temp_directory=None, max_temp=None)
        """
        if other is None:
            return self
        mine, theirs = self.as_dict(), other.as_dict()
        return Engine(**{k: theirs[k] if theirs[k] is not None else mine[k] for k in mine})


@validate_params({})  # checked by Engine(), naming `where`
def engine_options(
    *,
    memory_limit: str | int | None = None,
    threads: int | None = None,
    temp_directory: str | os.PathLike[str] | None = None,
    max_temp: str | int | None = None,
    where: str = "engine_options()",
) -> Engine:
    """Check the options and return them as an :class:`Engine`, naming ``where`` in errors.

    The same as ``Engine(...)``, with the function the options were given to in the message.

    Examples
    --------
    >>> engine_options(memory_limit="2GB", threads=2)
    Engine(memory_limit=2000000000, threads=2, temp_directory=None, max_temp=None)
    >>> engine_options(threads=0, where="variants()")
    Traceback (most recent call last):
    ...
    cjm_lab.errors.CJMConfigError: variants(): `threads` must be a whole number from 1 to 1024 ..., got 0. ...
    """
    values = {"memory_limit": memory_limit, "threads": threads, "temp_directory": temp_directory}
    return Engine(**_checked({**values, "max_temp": max_temp}, where))


def _environment() -> Engine:
    """The options of the environment (a report kernel inherits them from ``cjm-lab report``); a bad
    value is an error naming its variable and how to set it.
    """
    values: dict[str, Any] = {}
    for name, var in ENVIRONMENT.items():
        raw = os.environ.get(var, "").strip()
        if not raw:
            continue
        try:
            if name == "threads" and not raw.isdigit():
                raise CJMConfigError(f"`threads` must be a positive whole number, got {raw!r}.")
            value: Any = int(raw) if name == "threads" else raw
            values[name] = getattr(engine_options(**{name: value}, where=f"${var}"), name)
        except CJMConfigError as err:
            problem = str(err).split(" Fix:")[0]
            if not problem.startswith("$"):
                problem = f"${var}: {problem}"
            raise CJMConfigError(
                f"{problem} Fix: set it to a value such as {var}={_EXAMPLES[name]}, or unset it "
                f"(unset {var}) for cjm-lab's default."
            ) from None
    return Engine(**values)


def origin(name: str, engine: Engine | None = None) -> str:
    """Where the option ``name`` an analysis given ``engine`` runs with comes from, for messages:
    ``"engine=Engine(...)"``, ``"set_engine_defaults()"``, ``"$CJM_LAB_..."`` or ``"the default"``.

    Examples
    --------
    >>> origin("threads", Engine(threads=2))
    'engine=Engine(...)'
    """
    if engine is not None and getattr(engine, name) is not None:
        return "engine=Engine(...)"
    if getattr(_DEFAULTS[0], name) is not None:
        return "set_engine_defaults()"
    if getattr(_environment(), name) is not None:
        return f"${ENVIRONMENT[name]}"
    return "the default"


@validate_params({})
def default_memory_limit() -> int:
    """DuckDB's memory limit when neither the analysis's :class:`Engine`, :func:`set_engine_defaults`
    nor ``CJM_LAB_MEMORY_LIMIT`` sets one: 4 GB, or half the machine's memory (or of the container's
    memory limit) when that is less.  It holds per open database: analyses running at the same
    time with the same options share it; with other options they have their own.

    DuckDB on its own may take 80 % of the machine's memory, and a 10M-event journeys report
    then went past 8 GB; with the limit, sorts and aggregations beyond it spill to disk and large
    logs run in parts, so memory stays bounded.

    Examples
    --------
    >>> 64 * 1024**2 <= default_memory_limit() <= 4 * 1000**3
    True
    """
    ram = _memory_available()
    if ram is None:
        return DEFAULT_MEMORY_LIMIT
    return max(MIN_MEMORY, min(DEFAULT_MEMORY_LIMIT, ram // 2))


@functools.cache
def _memory_available() -> int | None:
    """The machine's memory, or the container's limit (cgroup v2 or v1) when that is less (read
    once: every query asks for the default limit).
    """
    sizes = []
    try:
        sizes.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():  # "max" (v2) or a huge number (v1) mean no limit; min() keeps the RAM then
            sizes.append(int(text))
    return min(sizes) if sizes else None


#: The defaults set by :func:`set_engine_defaults` (one slot, replaced whole).
_DEFAULTS: list[Engine] = [Engine()]


@validate_params({"threads": [THREADS, None]})
def set_engine_defaults(
    *,
    memory_limit: str | int | None = None,
    threads: int | None = None,
    temp_directory: str | os.PathLike[str] | None = None,
    max_temp: str | int | None = None,
) -> Engine:
    """Set the options every journey analysis uses where its own ``engine=`` leaves them unset.

    A documented fallback for a whole session (a notebook's first cell); an analysis's own
    :class:`Engine` always wins, and the environment variables come after these.  Returns the
    previous defaults; ``set_engine_defaults()`` without arguments restores cjm-lab's own.

    Examples
    --------
    >>> old = set_engine_defaults(memory_limit="4GB", threads=2)
    >>> _ = set_engine_defaults()
    """
    previous = _DEFAULTS[0]
    _DEFAULTS[0] = engine_options(
        memory_limit=memory_limit,
        threads=threads,
        temp_directory=temp_directory,
        max_temp=max_temp,
        where="set_engine_defaults()",
    )
    return previous


def resolved(engine: Engine | None = None) -> Engine:
    """The options an analysis given ``engine`` runs with: its own, over :func:`set_engine_defaults`,
    over the environment, over the built-in memory limit.

    Examples
    --------
    >>> resolved(Engine(threads=1)).threads
    1
    """
    return Engine(memory_limit=default_memory_limit()).merged(_environment()).merged(_DEFAULTS[0]).merged(engine)

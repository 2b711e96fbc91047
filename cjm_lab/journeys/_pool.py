"""The embedded DuckDB databases, one per set of engine options, kept open between analyses.

Opening and closing a database costs ~35 ms, a tenth of an analysis of 1M events, so the
databases stay open.  Every query runs on its own connection to its database (``cursor()``),
so registered frames, views and temporary tables never outlive the query and threads never
share a connection.  The memory limit is the database's: concurrent analyses with the same
options share it.  Beyond :data:`MAX_DATABASES` option sets the least recently used database is
closed once no query uses it any more; at exit every database is closed, and a forked child
starts with none (the parent's worker threads do not exist there).
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cjm_lab.journeys._dialect import literal
from cjm_lab.journeys._options import Engine, resolved

__all__ = ["connection", "open_databases", "MAX_DATABASES"]

#: How many databases stay open (the least recently used is closed beyond this).
MAX_DATABASES = 4


@dataclass
class _Database:
    """An open DuckDB database, how many queries use it, and the spill folder made for it."""

    con: Any
    spill: str | None = None
    users: int = 0
    evicted: bool = False


_DATABASES: dict[tuple[Any, ...], _Database] = {}
_LOCK = [threading.Lock()]  # replaced in a forked child
_SPILL_NUMBERS = itertools.count(1)
#: The parent's databases in a forked child: kept referenced, never used or closed (closing one
#: would join worker threads that do not exist in the child, and crash it).
_INHERITED: list[_Database] = []


def open_databases() -> int:
    """How many databases are open in this process."""
    return len(_DATABASES)


def _open(opts: Engine) -> _Database:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if opts.threads:
        con.execute(f"SET threads = {int(opts.threads)}")
    if opts.memory_limit:
        con.execute(f"SET memory_limit = '{opts.memory_limit // 1024}KiB'")
        # results are sorted afterwards; not keeping scan order lets DuckDB stream and spill
        con.execute("SET preserve_insertion_order = false")
    spill = None
    if opts.temp_directory:
        con.execute(f"SET temp_directory = {literal(str(opts.temp_directory))}")
    else:
        # like DuckDB's default (.tmp in the working directory, made only when spilling, removed
        # at close) but a folder of this database's own: databases sharing a spill folder use the
        # same file names, and one closing deletes the files another still reads (duckdb#15173)
        spill = str(Path(f".tmp-cjm-{os.getpid()}-{next(_SPILL_NUMBERS)}").resolve())
        con.execute(f"SET temp_directory = {literal(spill)}")
    if opts.max_temp:
        con.execute(f"SET max_temp_directory_size = '{opts.max_temp // 1024}KiB'")
    return _Database(con=con, spill=spill)


def _close(db: _Database) -> None:
    db.con.close()
    if db.spill:
        shutil.rmtree(db.spill, ignore_errors=True)  # DuckDB removes it too; not when it died


def _close_all() -> None:
    """Close every open database (at exit), removing the spill folders made for them."""
    with _LOCK[0]:
        open_dbs = list(_DATABASES.values())
        _DATABASES.clear()
    for db in open_dbs:
        _close(db)


def _forget_in_child() -> None:
    """After fork: the parent's databases (and their worker threads) are not this process's."""
    _INHERITED.extend(_DATABASES.values())
    _DATABASES.clear()
    _LOCK[0] = threading.Lock()


atexit.register(_close_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


@contextmanager
def connection(engine: Engine | None = None) -> Iterator[Any]:
    """A fresh connection (own registrations, own temporary tables) to the database of the options
    (``engine`` over the defaults, see :func:`~cjm_lab.journeys._options.resolved`), in UTC.
    """
    opts = resolved(engine)
    key = (os.getpid(), opts)
    closing = []
    with _LOCK[0]:
        db = _DATABASES.pop(key, None) or _open(opts)
        _DATABASES[key] = db  # most recently used last
        db.users += 1
        con = db.con.cursor()
        while len(_DATABASES) > MAX_DATABASES:
            old = _DATABASES.pop(next(iter(_DATABASES)))
            old.evicted = True
            if old.users == 0:
                closing.append(old)
    for old in closing:
        _close(old)
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()
        with _LOCK[0]:
            db.users -= 1
            last = db.evicted and db.users == 0
        if last:
            _close(db)

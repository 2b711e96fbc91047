"""Where the events are, and how each place runs the journey SQL: a DataFrame, files, or Spark.

:func:`as_source` accepts the events every journey analysis takes and returns one of

* :class:`FrameSource` — a pandas DataFrame from :func:`cjm_lab.io.load_events`, registered in
  embedded DuckDB without a copy;
* :class:`FileSource` — Parquet/CSV files (a path, a folder of Parquet parts or a glob) that
  DuckDB reads without loading them all;
* :class:`SparkSource` — a PySpark DataFrame, or a ``(SparkSession, "table name")`` pair, on
  which :mod:`cjm_lab.journeys.spark` runs the same SQL with ``spark.sql``.

Everything in which the three differ is a method here — the columns, the checks of the journey
options against the events, the check of an extra column's type, the touchpoint names, how many
events a part of an analysis holds in memory — so that no analysis asks which kind it has.  The
SQL constructs that differ are the source's :attr:`EventSource.dialect`.

The events relation every builder reads is called ``events`` and carries the data contract's
roles: ``customer_id``, ``timestamp`` (UTC), ``touchpoint``, ``sequence`` and optional
``session_id``, ``value`` and segment columns; the catalogue, when given, is ``touchpoints``.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from cjm_lab._validate import numeric_column, offending, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys import spark
from cjm_lab.journeys._dialect import DUCKDB, SPARK, Dialect, literal
from cjm_lab.journeys._options import Engine, origin, resolved
from cjm_lab.journeys._pool import connection

__all__ = [
    "EventSource",
    "DuckDBSource",
    "FrameSource",
    "FileSource",
    "SparkSource",
    "as_source",
    "run_sql",
    "segment_columns",
    "ROLES",
    "SEQUENCE_TYPES",
    "CSV_BYTES_PER_EVENT",
]

#: The roles every event log has (besides ``sequence``).
ROLES = ("customer_id", "timestamp", "touchpoint")
#: The sequence types of files the order keys take whole: integers of 64 bits or fewer.
SEQUENCE_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
#: The fewest bytes of CSV text an event takes (id, timestamp, touchpoint, sequence), to estimate
#: the number of events of CSV files from their size.
CSV_BYTES_PER_EVENT = 32

_SEQUENCE_FIX = (
    "Load the log with cjm_lab.io.load_events, which numbers the events in file and row order, "
    "or give 'sequence' whole numbers (64-bit integers) for every event."
)
#: DuckDB's number types (a DECIMAL is recognised by its name).
_DUCKDB_NUMBERS = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
)
_SPARK_NUMBERS = ("byte", "short", "integer", "long", "float", "double")


def _catalogue(touchpoints: pd.DataFrame | None) -> pd.DataFrame | None:
    """The catalogue as the engines read it: the ordered stage categorical as text."""
    if touchpoints is None:
        return None
    cat = touchpoints.copy()
    cat["stage"] = cat["stage"].astype("str") if "stage" in cat.columns else None
    return cat


def _unknown_touchpoints(where: str, n: int, names: Sequence[Any], fix: str) -> CJMDataError:
    return CJMDataError(
        f"{where}: {n} event(s) name touchpoints the catalogue does not have: {', '.join(map(repr, names))}.",
        column="touchpoint",
        fix=fix,
    )


def _shared_sessions(where: str, n: int, rows: Sequence[Any]) -> CJMDataError:
    return CJMDataError(
        f"{where}: {n} session(s) belong to more than one customer, so sessions do not nest in customers.",
        column="session_id",
        rows=list(rows),
        fix="Make session ids unique per customer, or drop session_id to cut sessions by inactivity.",
    )


def _wrong_type(where: str, column: str, kind: str, found: str, fix: str) -> CJMDataError:
    return CJMDataError(
        f"{where}: the column {column!r} holds no {kind}s ({found}).",
        column=column,
        fix=fix,
    )


#: The fix of a column that must hold numbers or timestamps, per kind.
_TYPE_FIX = {
    "number": "Make it a number column (missing values count as 0), e.g. with pd.to_numeric or .cast('double').",
    "timestamp": "Parse it to UTC timestamps first (cjm_lab.io.parse_timestamps; on Spark a TIMESTAMP column).",
}


class EventSource(ABC):
    """Events an analysis runs on, with the engine options it was given.

    Attributes
    ----------
    engine : Engine or None
        The analysis's options (DuckDB sources; Spark ignores them).
    dialect : Dialect
        The SQL dialect of the engine that runs this source.
    kind : str
        ``"dataframe"``, ``"files"`` or ``"spark"`` (for messages and reprs).
    """

    dialect: ClassVar[Dialect]
    kind: ClassVar[str]

    def __init__(self, *, engine: Engine | None = None) -> None:
        self.engine = engine

    def __repr__(self) -> str:
        return f"{type(self).__name__}(engine={self.engine!r})"

    @abstractmethod
    def columns(self) -> list[str]:
        """The column names of the events, in order."""

    @abstractmethod
    def run(
        self,
        sql: str,
        *,
        touchpoints: pd.DataFrame | None = None,
        extra: Mapping[str, pd.DataFrame] | None = None,
        setup: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Run ``sql`` (reading ``events`` and optionally ``touchpoints`` and the ``extra`` tables);
        the result as pandas.  ``setup`` statements run first in the same connection (e.g. filling
        a temporary table in parts); their results are discarded.
        """

    def memory_rows(self) -> int | None:
        """How many events an analysis of this source holds in the engine's memory, to split it
        into parts under the memory limit; ``None`` where the engine manages its own memory (Spark).
        """
        return None

    def customer_ranges(self, parts: int) -> list[str] | None:
        """Conditions on ``customer_id`` splitting the events into ``parts`` that read apart, or
        ``None`` (the parts are then hash buckets of customers).
        """
        return None

    def names_without_scan(self) -> bool:
        """Whether :meth:`touchpoint_names` comes without a pass over the events."""
        return False

    def touchpoint_names(self, catalogue: pd.DataFrame | None = None) -> list[Any]:
        """Every touchpoint of the log (NULL left out), each once (``SELECT DISTINCT``; cheap on
        Parquet, which stores the column's dictionary: 0.03 s at 10M events).
        """
        found = self.run("SELECT DISTINCT touchpoint FROM events WHERE touchpoint IS NOT NULL")
        return found["touchpoint"].tolist()

    def known_touchpoints(self) -> set[str] | None:
        """The touchpoint names of the log, for checking names a user passes (``None`` where the
        log is not scanned for a check: files).
        """
        return {str(name) for name in self.touchpoint_names()}  # the log's names, not a catalogue's

    def check_journeys(self, *, catalogue: pd.DataFrame | None, sessions: bool, where: str) -> None:
        """The catalogue names every touchpoint of the log, and (``sessions``) the log's session ids
        nest in customers; checked by the engine (a DataFrame checks in pandas, files are not scanned).
        """
        if catalogue is not None:
            unknown = self.run(
                "SELECT touchpoint, n, sum(n) OVER () AS n_all FROM (SELECT touchpoint, count(*) AS n FROM events "
                "WHERE touchpoint IS NOT NULL AND touchpoint NOT IN (SELECT touchpoint FROM touchpoints) "
                "GROUP BY touchpoint) AS u ORDER BY n DESC, touchpoint LIMIT 5",
                touchpoints=catalogue,
            )
            if len(unknown):
                raise _unknown_touchpoints(
                    where,
                    int(unknown["n_all"].iloc[0]),
                    unknown["touchpoint"],
                    "Add them to the catalogue or correct the log.",
                )
        if sessions:
            shared = self.run(
                "SELECT session_id, count(*) OVER () AS n_shared FROM (SELECT session_id FROM events "
                "WHERE session_id IS NOT NULL GROUP BY session_id HAVING count(DISTINCT customer_id) > 1) AS s "
                "ORDER BY session_id LIMIT 5"
            )
            if len(shared):
                raise _shared_sessions(where, int(shared["n_shared"].iloc[0]), shared["session_id"])

    @abstractmethod
    def check_column(self, column: str, *, kind: str, arg: str, where: str) -> None:
        """The column ``column`` (given as ``arg``) exists and holds ``kind`` values (``"number"`` or
        ``"timestamp"``).
        """

    @abstractmethod
    def holds_numbers(self, column: str) -> bool:
        """Whether the column's type is a number type (from its type alone: text of digits is text)."""

    def require_columns(self, columns: Sequence[str], *, arg: str, where: str) -> None:
        """Every column of ``columns`` exists (named for the argument ``arg`` when one does not)."""
        require_columns(pd.DataFrame(columns=self.columns()), {arg: list(columns)}, where=where)


class DuckDBSource(EventSource):
    """Events that embedded DuckDB reads (a DataFrame or files)."""

    dialect: ClassVar[Dialect] = DUCKDB

    @abstractmethod
    def register(self, con: Any) -> None:
        """Make the relation ``events`` on the connection ``con``."""

    def run(
        self,
        sql: str,
        *,
        touchpoints: pd.DataFrame | None = None,
        extra: Mapping[str, pd.DataFrame] | None = None,
        setup: Sequence[str] = (),
    ) -> pd.DataFrame:
        import duckdb

        with connection(self.engine) as con:
            self.register(con)
            if touchpoints is not None:
                con.register("touchpoints", _catalogue(touchpoints))
            for name, frame in (extra or {}).items():
                con.register(name, frame)
            try:
                for statement in setup:
                    con.execute(statement)
                return con.execute(sql).df()
            except duckdb.OutOfMemoryException as exc:
                raise _engine_error(exc, self.engine, con) from None
            except duckdb.IOException as exc:
                if not _spilling(exc, con):
                    raise  # reading the events: the source says what failed (FileSource.run)
                raise _engine_error(exc, self.engine, con) from None


def _size_text(size: int) -> str:
    """Bytes as the messages show them: ``"2.5 GB"``, ``"64 MB"``."""
    return f"{size / 1e9:.3g} GB" if size >= 1e9 else f"{size / 1e6:.3g} MB"


def _spilling(exc: Exception, con: Any) -> bool:
    """Whether DuckDB's input/output error is about its spill folder (a full disk), not about input."""
    text = str(exc)
    try:
        folder = str(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    except Exception:  # the connection may have gone with the failure
        folder = ""
    return bool(folder and folder in text) or "No space left" in text or "offload" in text


def _engine_error(exc: Exception, engine: Engine | None, con: Any) -> CJMDataError:
    """DuckDB out of memory, at its spill cap, or out of disk: what was reached, where the limit came
    from, and the option (and environment variable) that changes it.
    """
    import duckdb

    used = resolved(engine)
    try:
        folder, cap = con.execute(
            "SELECT current_setting('temp_directory'), current_setting('max_temp_directory_size')"
        ).fetchone()
    except Exception:  # the connection may have gone with the failure: the message does without the settings
        folder, cap = used.temp_directory or "(DuckDB's own)", "?"
    text = str(exc)
    first = text.splitlines()[0][:200]
    if "max_temp_directory_size" in text or "failed to offload" in text:
        if used.max_temp:
            limit = f"max_temp {_size_text(used.max_temp)}, from {origin('max_temp', engine)}"
            fix = (
                "Raise the cap: engine=Engine(max_temp='50GB') or the environment variable CJM_LAB_MAX_TEMP=50GB "
                "(cjm-lab report passes it on to the report), or unset it for DuckDB's default (90 % of the free "
                "disk); a larger memory_limit spills less."
            )
        else:
            limit = f"DuckDB's default cap of 90 % of the free disk, {cap}"
            fix = (
                "Free disk space there, or put the spill folder on a disk with room: engine=Engine(temp_directory=...) "
                "or CJM_LAB_TEMP_DIRECTORY; engine=Engine(max_temp=...) or CJM_LAB_MAX_TEMP sets the cap."
            )
        return CJMDataError(
            f"The journey engine's spilled data reached its cap ({limit}) in the spill folder {folder}: {first}",
            fix=fix,
        )
    if isinstance(exc, duckdb.IOException):
        return CJMDataError(
            f"The journey engine could not write its spilled data to {folder} "
            f"(temp_directory, from {origin('temp_directory', engine)}): {first}",
            fix="Free disk space there, or pass engine=Engine(temp_directory=...) (or set CJM_LAB_TEMP_DIRECTORY) "
            "with a folder on a disk with room.",
        )
    limit = f"{_size_text(used.memory_limit or 0)}, from {origin('memory_limit', engine)}"
    return CJMDataError(
        f"The journey engine ran out of memory (memory_limit {limit}; spill folder {folder}): {first}",
        fix="Raise the memory_limit (engine=Engine(memory_limit='8GB') or CJM_LAB_MEMORY_LIMIT), use fewer threads "
        "(engine=Engine(threads=2)), or pass engine=Engine(temp_directory=...) with a folder with free disk space "
        "so DuckDB can spill.",
    )


class FrameSource(DuckDBSource):
    """Events in a pandas DataFrame (registered in DuckDB without a copy).

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": ["a"], "timestamp": pd.to_datetime(["2025-01-01"], utc=True),
    ...                    "touchpoint": ["Ad"], "sequence": [0]})
    >>> FrameSource(ev).run("SELECT count(*) AS n FROM events")["n"].tolist()
    [1]
    """

    kind: ClassVar[str] = "dataframe"

    def __init__(self, frame: pd.DataFrame, *, engine: Engine | None = None) -> None:
        super().__init__(engine=engine)
        self.frame = frame

    def register(self, con: Any) -> None:
        con.register("events", self.frame)

    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def memory_rows(self) -> int | None:
        return len(self.frame)

    def names_without_scan(self) -> bool:
        return True

    def touchpoint_names(self, catalogue: pd.DataFrame | None = None) -> list[Any]:
        """The DataFrame's own column, or the catalogue (which :func:`~cjm_lab.journeys.build.prepare`
        has checked covers every event).
        """
        names = catalogue["touchpoint"] if catalogue is not None else self.frame["touchpoint"]
        return list(pd.unique(names.dropna()))

    def check_journeys(self, *, catalogue: pd.DataFrame | None, sessions: bool, where: str) -> None:
        frame = self.frame
        if catalogue is not None:
            unknown = ~frame["touchpoint"].isin(set(catalogue["touchpoint"].astype(str)))
            if unknown.any():
                raise _unknown_touchpoints(
                    where,
                    int(unknown.sum()),
                    list(dict.fromkeys(frame.loc[unknown, "touchpoint"]))[:5],
                    "Add them to the catalogue or correct the log (load_events(..., touchpoints=catalogue) checks "
                    "this).",
                )
        if sessions:
            owners = frame.groupby("session_id", observed=True)["customer_id"].nunique()
            shared = owners[owners > 1]
            if len(shared):
                raise _shared_sessions(where, len(shared), shared.index[:5])

    def holds_numbers(self, column: str) -> bool:
        dtype = self.frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            dtype = dtype.categories.dtype
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)

    def check_column(self, column: str, *, kind: str, arg: str, where: str) -> None:
        require_columns(self.frame, {arg: column}, where=where)
        if kind == "number":
            numeric_column(self.frame, column, where=where)
        elif not pd.api.types.is_datetime64_any_dtype(self.frame[column].dtype):
            raise _wrong_type(where, column, kind, f"dtype {self.frame[column].dtype}", _TYPE_FIX[kind])


class FileSource(DuckDBSource):
    """Parquet or CSV files with the contract's columns, read by DuckDB without loading them all.

    The files are not scanned for checks (a catalogue that misses a touchpoint, sessions that do
    not nest): only their columns and the type of ``sequence`` are checked, from their schema.
    """

    kind: ClassVar[str] = "files"

    def __init__(self, files: Sequence[str], *, engine: Engine | None = None) -> None:
        super().__init__(engine=engine)
        self.files = list(files)
        self._types: dict[str, str] | None = None

    @property
    def parquet(self) -> bool:
        """Whether every file is Parquet."""
        return all(f.endswith((".parquet", ".pq")) for f in self.files)

    def names_without_scan(self) -> bool:
        """Parquet stores the column's dictionary (DuckDB reads it); CSV would need a full scan."""
        return self.parquet

    def register(self, con: Any) -> None:
        import duckdb

        listing = "[" + ", ".join(literal(f) for f in self.files) + "]"
        reader = "read_parquet" if self.parquet else "read_csv"
        try:
            con.execute(f"CREATE TEMP VIEW events AS SELECT * FROM {reader}({listing}, union_by_name = true)")
            types = {r[0]: r[1] for r in con.execute("DESCRIBE SELECT * FROM events").fetchall()}
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.OutOfMemoryException):
                raise
            raise self.unreadable(exc) from None
        missing = [c for c in (*ROLES, "sequence") if c not in types]
        if missing:
            raise CJMDataError(
                f"The event files lack the column(s) {', '.join(map(repr, missing))}.",
                source=self.files[0],
                fix="Write the files with the contract's column names (customer_id, timestamp, touchpoint, sequence), "
                "e.g. from cjm_lab.io.load_events(...).to_parquet(...).",
            )
        stamp = types["timestamp"]
        if not (stamp.startswith("TIMESTAMP") or stamp == "DATE"):
            raise CJMDataError(
                f"The event files' 'timestamp' column is {stamp}, not a timestamp: "
                + (
                    "DuckDB's CSV reader did not recognise its text as dates and times"
                    if not self.parquet
                    else "the Parquet files store it as text"
                )
                + ", so no journey can be ordered by it.",
                column="timestamp",
                source=self.files[0],
                fix="Load the log with cjm_lab.io.load_events (it reads German and other date formats and makes "
                "them UTC) and write it with .to_parquet(...), or write ISO 8601 timestamps "
                "(2025-03-31T14:05:00Z) into the files.",
            )
        if types["sequence"] not in SEQUENCE_TYPES and not _whole_decimal(types["sequence"]):
            raise CJMDataError(
                f"The event files' 'sequence' column is {types['sequence']}; it orders events with equal timestamps "
                "and must be whole numbers.",
                column="sequence",
                source=self.files[0],
                fix=_SEQUENCE_FIX,
            )
        self._types = types

    def unreadable(self, exc: Exception) -> CJMDataError:
        """The error of event files DuckDB cannot read (damaged, cut short, not what their name says),
        naming the file the message names (else the first) and DuckDB's first line.
        """
        text = str(exc)
        lines = text.splitlines()
        named = next((f for f in self.files if f in text), self.files[0])
        if "CSV Error on Line" in text:
            # DuckDB's reader took the column's type from the first rows; a later line does not fit it
            detail = " ".join(line.strip() for line in lines[:3])[:400]
            return CJMDataError(
                f"The event file has a line its column's type cannot take: {detail}",
                source=named,
                fix="Correct that line, or load the file with cjm_lab.io.load_events (it names every row that "
                "does not parse and reads dates in other formats) and pass the DataFrame or write it as Parquet.",
            )
        return CJMDataError(
            f"The event files cannot be read: {lines[0][:300] if lines else type(exc).__name__}",
            source=named,
            fix="Check that the file is complete and of its kind (export or copy it again); "
            "cjm_lab.io.load_events reads CSV and Excel files with more checks and names the damaged part.",
        )

    def run(
        self,
        sql: str,
        *,
        touchpoints: pd.DataFrame | None = None,
        extra: Mapping[str, pd.DataFrame] | None = None,
        setup: Sequence[str] = (),
    ) -> pd.DataFrame:
        """As :meth:`DuckDBSource.run`; a file that turns out unreadable while the query reads it (a damaged
        Parquet page, a gzip stream cut short, a CSV line the reader cannot parse) is a :class:`CJMDataError`.
        """
        import duckdb

        try:
            return super().run(sql, touchpoints=touchpoints, extra=extra, setup=setup)
        except (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException) as exc:
            text = str(exc)
            if any(f in text for f in self.files) or "CSV Error" in text or "GZIP" in text or "Parquet" in text:
                raise self.unreadable(exc) from None
            raise

    def types(self) -> dict[str, str]:
        """The DuckDB type of every column (from the files' schema; read once)."""
        if self._types is None:
            with connection(self.engine) as con:
                self.register(con)  # sets the types, or raises naming what the files lack
        return dict(self._types or {})

    def columns(self) -> list[str]:
        return list(self.types())

    def memory_rows(self) -> int | None:
        """From Parquet's metadata, or for CSV an estimate from the file sizes (an event takes at
        least :data:`CSV_BYTES_PER_EVENT` bytes of text, a gzip file is taken to hold six times its size).
        """
        if self.parquet:
            import pyarrow.parquet as pq

            return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files)
        text = sum(os.path.getsize(f) * (6 if f.endswith(".gz") else 1) for f in self.files)
        return text // CSV_BYTES_PER_EVENT

    def customer_ranges(self, parts: int) -> list[str] | None:
        """Ranges of ``customer_id`` splitting Parquet files stored by customer into ``parts`` about equal parts.

        Read from the row groups' statistics (no scan): when the row groups hold disjoint ranges of
        customers (as a log written customer by customer does), each range's query reads only its
        own row groups.  ``None`` when the files are not Parquet or their row groups overlap.
        """
        if not self.parquet:
            return None
        import pyarrow.parquet as pq

        groups = []
        for f in self.files:
            meta = pq.ParquetFile(f).metadata
            col = next((i for i in range(meta.num_columns) if meta.schema.column(i).path == "customer_id"), None)
            if col is None:
                return None
            for g in range(meta.num_row_groups):
                stats = meta.row_group(g).column(col).statistics
                if (
                    stats is None
                    or not stats.has_min_max
                    or not isinstance(stats.min, (str, int))
                    or isinstance(stats.min, bool)
                ):
                    return None
                groups.append((stats.min, stats.max, meta.row_group(g).num_rows))
        try:
            groups.sort(key=lambda x: (x[0], x[1]))
        except TypeError:
            return None
        # row groups may share their boundary customer, but never overlap beyond it
        if any(a[1] > b[0] for a, b in itertools.pairwise(groups)):
            return None
        total = sum(n for *_, n in groups)
        cuts: list[Any] = []
        seen = 0
        for lo, _hi, n in groups:
            if seen >= total * (len(cuts) + 1) / parts and (not cuts or lo > cuts[-1]):
                cuts.append(lo)
            seen += n
        if not cuts:
            return None
        bounds = [None, *cuts, None]
        return [
            " AND ".join(
                [
                    *([f"customer_id >= {literal(a)}"] if a is not None else []),
                    *([f"customer_id < {literal(b)}"] if b is not None else []),
                ]
            )
            for a, b in itertools.pairwise(bounds)
        ]

    def known_touchpoints(self) -> set[str] | None:
        return None

    def check_journeys(self, *, catalogue: pd.DataFrame | None, sessions: bool, where: str) -> None:
        return None  # not scanned for a check

    def holds_numbers(self, column: str) -> bool:
        found = self.types()[column]
        return found in _DUCKDB_NUMBERS or found.startswith("DECIMAL")

    def check_column(self, column: str, *, kind: str, arg: str, where: str) -> None:
        self.require_columns([column], arg=arg, where=where)
        found = self.types()[column]
        ok = (
            found in _DUCKDB_NUMBERS or found.startswith("DECIMAL")
            if kind == "number"
            else found.startswith("TIMESTAMP")
        )
        if not ok:
            raise _wrong_type(where, column, kind, f"type {found} in the files", _TYPE_FIX[kind])


class SparkSource(EventSource):
    """Events in a PySpark DataFrame; the same SQL runs on Spark (:mod:`cjm_lab.journeys.spark`)."""

    dialect: ClassVar[Dialect] = SPARK
    kind: ClassVar[str] = "spark"

    def __init__(self, frame: Any, *, engine: Engine | None = None) -> None:
        super().__init__(engine=engine)
        self.frame = frame

    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def run(
        self,
        sql: str,
        *,
        touchpoints: pd.DataFrame | None = None,
        extra: Mapping[str, pd.DataFrame] | None = None,
        setup: Sequence[str] = (),
    ) -> pd.DataFrame:
        if setup:
            raise CJMConfigError("run_sql(): setup statements run on DuckDB only.")
        return spark.run_spark_sql(sql, self.frame, touchpoints=_catalogue(touchpoints), extra=extra)

    def holds_numbers(self, column: str) -> bool:
        found = spark.column_type(self.frame, column)
        return found in _SPARK_NUMBERS or found.startswith("decimal")

    def check_column(self, column: str, *, kind: str, arg: str, where: str) -> None:
        self.require_columns([column], arg=arg, where=where)
        found = spark.column_type(self.frame, column)
        ok = found in _SPARK_NUMBERS or found.startswith("decimal") if kind == "number" else found == "timestamp"
        if not ok:
            raise _wrong_type(where, column, kind, f"Spark type {found}", _TYPE_FIX[kind])


def as_source(events: Any, *, where: str, engine: Engine | None = None) -> EventSource:
    """Accept a loaded event DataFrame, a Parquet/CSV path or glob with the contract's columns,
    or a PySpark DataFrame (or a ``(SparkSession, "table name")`` pair).
    """
    if _is_spark(events) or (isinstance(events, tuple) and len(events) == 2 and _is_spark(events[0])):
        return SparkSource(spark.events_frame(events, where=where), engine=engine)
    if isinstance(events, pd.DataFrame):
        require_frame(events, where=where)
        require_columns(events, {"events": list(ROLES)}, where=where)
        if not isinstance(events["timestamp"].dtype, pd.DatetimeTZDtype):
            raise CJMDataError(
                f"{where}: the 'timestamp' column is not a UTC datetime column (dtype {events['timestamp'].dtype}).",
                column="timestamp",
                fix="Load the log with cjm_lab.io.load_events, which parses timestamps to UTC.",
            )
        if "sequence" not in events.columns:
            raise CJMDataError(
                f"{where}: the events have no 'sequence' column, so equal timestamps have no stable order.",
                column="sequence",
                fix="Load the log with cjm_lab.io.load_events, which makes it from the row order.",
            )
        _check_sequence(events["sequence"], where)
        return FrameSource(events, engine=engine)
    if isinstance(events, (str, os.PathLike)):
        text = os.fspath(events)
        path = Path(text)
        if path.is_dir():
            files = sorted(str(p) for p in path.rglob("*.parquet"))
        elif any(ch in text for ch in "*?["):
            files = sorted(glob.glob(text, recursive=True))
        else:
            files = [text] if path.is_file() else []
        if not files:
            raise CJMDataError(
                f"{where}: no event file found at {text!r}.",
                source=text,
                fix="Pass a Parquet/CSV file, a folder of Parquet parts or a glob.",
            )
        if not all(f.endswith((".parquet", ".pq", ".csv", ".csv.gz")) for f in files):
            raise CJMDataError(
                f"{where}: event files must be Parquet or CSV.",
                source=text,
                fix="Convert the log to Parquet (e.g. with cjm_lab.io.load_events(...).to_parquet).",
            )
        return FileSource(files, engine=engine)
    raise CJMConfigError(
        f"{where} takes the events as a DataFrame (from cjm_lab.io.load_events), a Parquet/CSV path, "
        f"a PySpark DataFrame or a (SparkSession, 'table name') pair; got {type(events).__name__}."
    )


def run_sql(
    sql: str,
    source: EventSource,
    *,
    touchpoints: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
    setup: Sequence[str] = (),
) -> pd.DataFrame:
    """Run ``sql`` on ``source`` (see :meth:`EventSource.run`) and return pandas.

    The engine options are the source's (given to the analysis), over the defaults
    (:func:`~cjm_lab.journeys._options.resolved`).  On Spark the SQL runs as it is (Spark manages
    its own memory); ``setup`` is DuckDB-only.
    """
    return source.run(sql, touchpoints=touchpoints, extra=extra, setup=setup)


def segment_columns(source: EventSource, by: str | Sequence[str] | None, *, where: str, arg: str = "by") -> list[str]:
    """Validate ``by`` against the event columns; the columns as a list."""
    cols = [by] if isinstance(by, str) else list(by or [])
    if cols:
        source.require_columns(cols, arg=arg, where=where)
    return cols


def _whole_decimal(type_name: str) -> bool:
    """A DECIMAL(p, 0) with p <= 18 (whole numbers that fit a BIGINT), e.g. ``DECIMAL(18,0)``."""
    m = re.fullmatch(r"DECIMAL\((\d+),\s*0\)", type_name)
    return m is not None and int(m.group(1)) <= 18


def _check_sequence(seq: pd.Series, where: str) -> None:
    """The sequence of a DataFrame must be whole numbers within 64 bits, none missing: a numeric
    column (integers, or floats that are all whole) or Python integers.
    """
    if pd.api.types.is_signed_integer_dtype(seq.dtype) and not seq.hasnans:
        return  # numpy, nullable or Arrow integers, none missing: nothing to look at
    numeric = (
        pd.api.types.is_numeric_dtype(seq.dtype)
        and not pd.api.types.is_bool_dtype(seq.dtype)
        and not pd.api.types.is_complex_dtype(seq.dtype)
    )
    if not numeric and not (seq.dtype == object and pd.api.types.infer_dtype(seq, skipna=True) == "integer"):
        raise CJMDataError(
            f"{where}: 'sequence' is a {seq.dtype} column; it orders events with equal timestamps and must hold "
            "whole numbers.",
            column="sequence",
            fix=_SEQUENCE_FIX + " E.g. events['sequence'] = events['sequence'].astype('int64').",
        )
    try:
        values = numeric_column(seq.to_frame("sequence"), "sequence", where=where, integer=True, allow_missing=False)
    except CJMDataError as err:
        raise CJMDataError(
            err.problem, column="sequence", rows=err.rows, values=err.values, fix=_SEQUENCE_FIX
        ) from None
    if seq.dtype == object:  # Python integers: exact, where floats would round 2**63 - 1 up
        try:
            seq.astype("int64")
            return
        except (OverflowError, TypeError, ValueError):
            pass
    big = (seq > 2**63 - 1) if pd.api.types.is_unsigned_integer_dtype(seq.dtype) else values.abs() >= 2.0**63
    if big.any():
        rows, vals = offending(big, seq)
        raise CJMDataError(
            f"{where}: {int(big.sum())} value(s) in 'sequence' do not fit 64 bits.",
            column="sequence",
            rows=rows,
            values=vals,
            fix=_SEQUENCE_FIX,
        )


def _is_spark(obj: Any) -> bool:
    """A PySpark object (DataFrame or SparkSession), recognised without importing pyspark."""
    return type(obj).__module__.split(".")[0] == "pyspark"

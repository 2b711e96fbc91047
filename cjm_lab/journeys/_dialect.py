"""The SQL dialects of the journey engines: one subclass per engine, for the few constructs that differ.

Every journey analysis is written once, as standard SQL with window functions; the builders
never write an engine-specific construct themselves but ask the dialect of the source they run
on (:attr:`~cjm_lab.journeys._sources.EventSource.dialect`): ``CAST(x AS VARCHAR)`` is
:meth:`Dialect.cast_text` (Spark has no VARCHAR without a length), ``epoch(ts)`` is
:meth:`Dialect.epoch_seconds`, ``string_agg``/``arg_min``/``quantile_disc`` are
:meth:`Dialect.ordered_concat`/:meth:`Dialect.arg_min`/:meth:`Dialect.quantile`.  A new engine is a
new subclass; nothing else learns its name.

Identifiers are quoted the standard way (:func:`quote`) and literals are written so that both
engines read them alike (:func:`literal`); :func:`with_relation` puts a relation in front of a
query's own common table expressions.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["Dialect", "DuckDBDialect", "SparkDialect", "DUCKDB", "SPARK", "quote", "literal", "with_relation"]


def quote(name: str) -> str:
    """Quote an identifier (column names such as ``case:concept:name`` stay intact).

    Examples
    --------
    >>> print(quote("case:concept:name"))
    "case:concept:name"
    """
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: Any) -> str:
    """An SQL literal for a string or number, read alike by DuckDB and Spark.

    A backslash is an escape character in Spark's string literals but not in DuckDB's,
    so it is written as ``chr(92)``.

    Examples
    --------
    >>> literal("O'Brien"), literal(3)
    ("'O''Brien'", '3')
    >>> print(literal("a" + chr(92) + "b"))
    ('a' || chr(92) || 'b')
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    parts = ["'" + part.replace("'", "''") + "'" for part in str(value).split("\\")]
    return parts[0] if len(parts) == 1 else "(" + " || chr(92) || ".join(parts) + ")"


def with_relation(sql: str, name: str, body: str) -> str:
    """``sql`` with ``name AS (body)`` put in front of its own common table expressions.

    Examples
    --------
    >>> print(with_relation("WITH a AS (SELECT 1) SELECT * FROM a, b", "b", "SELECT 2"))
    WITH b AS (SELECT 2),
    a AS (SELECT 1) SELECT * FROM a, b
    """
    head = re.match(r"\s*WITH\s", sql, flags=re.IGNORECASE)
    if head:
        return f"WITH {name} AS ({body}),\n{sql[head.end() :]}"
    return f"WITH {name} AS ({body})\n{sql}"


@dataclass(frozen=True)
class Dialect(ABC):
    """The engine-specific pieces of SQL; everything else is standard SQL with window functions.

    Examples
    --------
    >>> SPARK.cast_text("stage"), DUCKDB.cast_text("stage")
    ('CAST(stage AS STRING)', 'CAST(stage AS VARCHAR)')
    """

    #: The engine's name (for messages and reprs; no code branches on it).
    name: ClassVar[str]
    #: The SQL type of text.
    text_type: ClassVar[str]

    def cast_text(self, expr: str) -> str:
        """``expr`` as a string."""
        return f"CAST({expr} AS {self.text_type})"

    @abstractmethod
    def epoch_seconds(self, expr: str) -> str:
        """Seconds since 1970 of a timestamp, as a double."""

    @abstractmethod
    def epoch_micros(self, expr: str) -> str:
        """Microseconds since 1970 of a timestamp, as a BIGINT (exact, unlike seconds as a double)."""

    @abstractmethod
    def ordered_concat(self, expr: str, sep: str, order: str | Sequence[str]) -> str:
        """Concatenate ``expr`` of a group in ``order`` (an expression, or several, that sort uniquely).

        NULLs are skipped, and a group without values gives NULL.
        """

    @abstractmethod
    def bucket(self, expr: str, k: int) -> str:
        """A hash bucket 0 … k-1 of ``expr`` (to run an analysis in parts)."""

    def bit_or(self, expr: str) -> str:
        """Bitwise OR of an integer over a group (the same name in both engines)."""
        return f"bit_or({expr})"

    @abstractmethod
    def arg_min(self, expr: str, by: str) -> str:
        """The value of ``expr`` in the row with the smallest ``by``, NULL if it is NULL there."""

    @abstractmethod
    def arg_max(self, expr: str, by: str) -> str:
        """The value of ``expr`` in the row with the largest ``by``, NULL if it is NULL there."""

    @abstractmethod
    def order_key(self, ts: str, seq: str) -> str:
        """One comparable value per event that sorts as ``ORDER BY ts, seq`` (``seq`` not NULL, as
        :func:`~cjm_lab.journeys.sql.journey_ctes` gives it; timestamps count to the microsecond).

        Analyses that only need "the first event after that one" compare and ``min`` these keys
        in hash aggregates instead of sorting the journeys in a window; :meth:`key_micros` reads
        the microseconds back.
        """

    @abstractmethod
    def key_micros(self, key: str) -> str:
        """The microseconds since 1970 of an :meth:`order_key` (a BIGINT)."""

    @abstractmethod
    def collect(self, expr: str, where: str) -> str:
        """The values of ``expr`` of a group's rows where ``where`` holds, as a list (in no order)."""

    @abstractmethod
    def least_where(self, values: str, var: str, cond: str) -> str:
        """The smallest element ``var`` of the list ``values`` for which ``cond`` holds (NULL if none)."""

    @abstractmethod
    def quantile(self, expr: str, q: float) -> str:
        """Nearest-rank quantile: the value at rank ceil(q·n) of the sorted values."""

    @abstractmethod
    def iso_year_week(self, ts: str) -> tuple[str, str]:
        """The ISO year and ISO week (1-53, weeks from Monday) of a timestamp, as two integer expressions."""

    @abstractmethod
    def ignore_nulls(self, func: str, expr: str) -> str:
        """A navigation window function (``lag``, ``lead``, ``first_value``, ``last_value``) that skips
        NULLs, without its OVER clause.
        """


@dataclass(frozen=True)
class DuckDBDialect(Dialect):
    """DuckDB's SQL (the embedded default engine).

    Examples
    --------
    >>> DUCKDB.key_micros("k")
    'CAST((k) >> 64 AS BIGINT)'
    """

    name: ClassVar[str] = "duckdb"
    text_type: ClassVar[str] = "VARCHAR"

    def epoch_seconds(self, expr: str) -> str:
        return f"epoch(CAST({expr} AS TIMESTAMPTZ))"  # see epoch_micros

    def epoch_micros(self, expr: str) -> str:
        # the timestamp as TIMESTAMPTZ first: a Parquet file or a pandas column in nanoseconds arrives
        # as TIMESTAMP(TZ)_NS, for which DuckDB 2 has no epoch_us, and the journeys count in
        # microseconds anyway (rounded; naive timestamps are read in UTC, the session's zone)
        return f"epoch_us(CAST({expr} AS TIMESTAMPTZ))"

    def ordered_concat(self, expr: str, sep: str, order: str | Sequence[str]) -> str:
        keys = [order] if isinstance(order, str) else list(order)
        return f"string_agg({expr}, {literal(sep)} ORDER BY {', '.join(keys)})"

    def bucket(self, expr: str, k: int) -> str:
        return f"(hash({expr}) % {int(k)})"

    def arg_min(self, expr: str, by: str) -> str:
        # DuckDB's arg_min would skip a row whose value is NULL; arg_min_null does not
        return f"arg_min_null({expr}, {by})"

    def arg_max(self, expr: str, by: str) -> str:
        return f"arg_max_null({expr}, {by})"

    def order_key(self, ts: str, seq: str) -> str:
        # a HUGEINT, microseconds × 2⁶⁴ + sequence + 2⁶³: any timestamp and any BIGINT sequence fit,
        # and ``key >> 64`` (an arithmetic shift) gives the microseconds back
        return (
            f"(CAST({self.epoch_micros(ts)} AS HUGEINT) * 18446744073709551616 + CAST({seq} AS HUGEINT) "
            f"+ 9223372036854775808)"
        )

    def key_micros(self, key: str) -> str:
        return f"CAST(({key}) >> 64 AS BIGINT)"

    def collect(self, expr: str, where: str) -> str:
        return f"list({expr}) FILTER (WHERE {where})"

    def least_where(self, values: str, var: str, cond: str) -> str:
        return f"list_min(list_filter({values}, lambda {var}: {cond}))"

    def quantile(self, expr: str, q: float) -> str:
        return f"quantile_disc({expr}, {q})"

    def ignore_nulls(self, func: str, expr: str) -> str:
        return f"{func}({expr} IGNORE NULLS)"

    def iso_year_week(self, ts: str) -> tuple[str, str]:
        return f"isoyear({ts})", f"week({ts})"


@dataclass(frozen=True)
class SparkDialect(Dialect):
    """Spark SQL, run with ANSI mode and double-quoted identifiers (see :mod:`cjm_lab.journeys.spark`).

    Examples
    --------
    >>> SPARK.key_micros("k")
    'k.us'
    """

    name: ClassVar[str] = "spark"
    text_type: ClassVar[str] = "STRING"

    def epoch_seconds(self, expr: str) -> str:
        return f"(unix_micros({expr}) / 1e6)"

    def epoch_micros(self, expr: str) -> str:
        return f"unix_micros({expr})"

    def ordered_concat(self, expr: str, sep: str, order: str | Sequence[str]) -> str:
        keys = [order] if isinstance(order, str) else list(order)
        # NULLs are skipped, and a group without values gives NULL, as string_agg does; the structs
        # sort by their fields in order, so several keys sort as ORDER BY k1, k2
        fields = ", ".join(f"{k} AS o{i}" for i, k in enumerate(keys))
        return (
            f"CASE WHEN count({expr}) > 0 THEN array_join(transform(array_sort(collect_list("
            f"CASE WHEN {expr} IS NOT NULL THEN struct({fields}, {expr} AS v) END)), x -> x.v), "
            f"{literal(sep)}) END"
        )

    def bucket(self, expr: str, k: int) -> str:
        return f"pmod(hash({expr}), {int(k)})"

    def arg_min(self, expr: str, by: str) -> str:
        return f"min_by({expr}, {by})"

    def arg_max(self, expr: str, by: str) -> str:
        return f"max_by({expr}, {by})"

    def order_key(self, ts: str, seq: str) -> str:
        # a struct compares field by field
        return f"struct({self.epoch_micros(ts)} AS us, {seq} AS seq)"

    def key_micros(self, key: str) -> str:
        return f"{key}.us"

    def collect(self, expr: str, where: str) -> str:
        return f"collect_list({expr}) FILTER (WHERE {where})"

    def least_where(self, values: str, var: str, cond: str) -> str:
        return f"array_min(filter({values}, {var} -> {cond}))"

    def quantile(self, expr: str, q: float) -> str:
        return f"percentile_disc({q}) WITHIN GROUP (ORDER BY {expr})"

    def ignore_nulls(self, func: str, expr: str) -> str:
        return f"{func}({expr}) IGNORE NULLS"

    def iso_year_week(self, ts: str) -> tuple[str, str]:
        return f"extract(YEAROFWEEK FROM {ts})", f"weekofyear({ts})"


#: The dialects of the two engines.
DUCKDB = DuckDBDialect()
SPARK = SparkDialect()

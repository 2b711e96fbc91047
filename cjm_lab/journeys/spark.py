"""Spark as the engine: the journey SQL of :mod:`cjm_lab.journeys` run by ``spark.sql``.

Nothing here computes a journey: the analyses generate their SQL once (with the
Spark :class:`~cjm_lab.journeys._dialect.SparkDialect`) and this module only

* accepts the events — a PySpark DataFrame, or a ``(SparkSession, "table name")``
  pair — and checks them against the data contract with the project's own errors;
* runs the SQL: the relations it names (``events``, ``touchpoints`` and any small
  extra table such as a survey) become temporary views with unique names, bound to
  those names by common table expressions in front of the query, so no view of the
  user's session is replaced; the query runs with ANSI SQL and double-quoted
  identifiers (the SQL quotes identifiers the standard way, as DuckDB does) and with
  the session time zone UTC, and these settings are restored afterwards;
* brings the small result back as pandas (decimals as floats, timestamps as UTC), as
  DuckDB's ``.df()`` does.

PySpark is an optional dependency (``pip install "cjm-lab[spark]"``, plus Java 17):
it is imported only when Spark input arrives.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd

from cjm_lab._validate import require_columns
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._dialect import with_relation

__all__ = ["events_frame", "run_spark_sql", "SPARK_SETTINGS", "column_type"]

#: The SQL settings every query of cjm-lab runs with (restored afterwards).
SPARK_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

_ROLES = ("customer_id", "timestamp", "touchpoint")

# one query at a time per process: the settings are session-wide while a query runs
_LOCK = threading.RLock()


def events_frame(events: Any, *, where: str) -> Any:
    """The events as a Spark DataFrame, checked against the data contract.

    ``events`` is a PySpark DataFrame or a ``(SparkSession, "table name")`` pair (a
    table or view of the session's catalogue).
    """
    if isinstance(events, tuple):
        session, table = events
        if not hasattr(session, "table") or not hasattr(session, "sql"):
            raise CJMConfigError(
                f"{where}: a pair of events must be (SparkSession, 'table name'); got ({type(session).__name__}, ...)."
            )
        if not isinstance(table, str) or not table.strip():
            raise CJMConfigError(
                f"{where}: the table name of (SparkSession, table) must be a non-empty string, got {table!r}."
            )
        try:
            frame = session.table(table)
            frame.schema  # noqa: B018 - Spark Connect resolves lazily; this raises for a missing table
        except Exception as exc:  # pyspark's AnalysisException and friends
            if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
                raise
            raise CJMDataError(
                f"{where}: the Spark session has no table or view named {table!r}.",
                source=table,
                fix="Name a table of spark.catalog.listTables(), or pass the DataFrame itself.",
            ) from None
    else:
        frame = events
        if not hasattr(frame, "sparkSession") or not hasattr(frame, "schema"):
            raise CJMConfigError(
                f"{where} takes a PySpark DataFrame or a (SparkSession, 'table name') pair; got {type(frame).__name__}."
            )
    names = [f.name for f in frame.schema.fields]
    require_columns(pd.DataFrame(columns=names), {"events": list(_ROLES)}, where=where)
    if "sequence" not in names:
        raise CJMDataError(
            f"{where}: the events have no 'sequence' column, so equal timestamps have no stable order.",
            column="sequence",
            fix="Add one that orders each customer's events, e.g. "
            "F.monotonically_increasing_id() in the file's row order, or write the log with "
            "cjm_lab.io.load_events(...) first.",
        )
    seq_type = frame.schema["sequence"].dataType
    whole_decimal = seq_type.typeName() == "decimal" and seq_type.scale == 0 and seq_type.precision <= 18
    if seq_type.typeName() not in ("byte", "short", "integer", "long") and not whole_decimal:
        raise CJMDataError(
            f"{where}: 'sequence' is a {column_type(frame, 'sequence')} column; it orders events with equal "
            "timestamps and must be whole numbers.",
            column="sequence",
            fix="Cast it to a LONG (whole numbers), e.g. F.col('sequence').cast('long'), or make it with "
            "F.monotonically_increasing_id() in the file's row order.",
        )
    kind = column_type(frame, "timestamp")
    if kind != "timestamp":
        hint = (
            "Naive timestamps are ambiguous: convert them with "
            "pyspark.sql.functions.to_utc_timestamp(col, 'Europe/Berlin') (their zone)."
            if kind == "timestamp_ntz"
            else "Parse it with pyspark.sql.functions.to_timestamp (a TIMESTAMP is an instant, read in UTC)."
        )
        raise CJMDataError(
            f"{where}: the 'timestamp' column is not a Spark TIMESTAMP column (type {kind}).",
            column="timestamp",
            fix=hint,
        )
    return frame


def column_type(frame: Any, column: str) -> str:
    """The Spark type name of a column (``timestamp``, ``string``, ``double``, …)."""
    return frame.schema[column].dataType.typeName()


@contextmanager
def _settings(spark: Any) -> Iterator[None]:
    old = {key: spark.conf.get(key, None) for key in SPARK_SETTINGS}
    for key, value in SPARK_SETTINGS.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _to_spark(spark: Any, frame: pd.DataFrame) -> Any:
    """A small pandas table (catalogue, survey) as a Spark DataFrame."""
    frame = frame.copy()
    for col in frame.columns:
        dtype = frame[col].dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    if len(frame):
        return spark.createDataFrame(frame)
    # an empty table (e.g. no usable survey answer) has nothing to infer its types from
    from pyspark.sql import types as T

    def kind(dtype: Any) -> Any:
        if pd.api.types.is_bool_dtype(dtype):
            return T.BooleanType()
        if pd.api.types.is_integer_dtype(dtype):
            return T.LongType()
        if pd.api.types.is_float_dtype(dtype):
            return T.DoubleType()
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return T.TimestampType()
        return T.StringType()

    schema = T.StructType([T.StructField(str(c), kind(frame[c].dtype), True) for c in frame.columns])
    return spark.createDataFrame([], schema=schema)


def _bind(sql: str, views: Mapping[str, str]) -> str:
    """Put ``name AS (SELECT * FROM view)`` in front of the query's own CTEs (in ``views``' order)."""
    for name, view in reversed(list(views.items())):
        sql = with_relation(sql, name, f"SELECT * FROM {view}")
    return sql


def run_spark_sql(
    sql: str,
    frame: Any,
    *,
    touchpoints: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Run the journey SQL on Spark over the events ``frame``; the result as pandas."""
    spark = frame.sparkSession
    token = uuid.uuid4().hex[:12]
    views: dict[str, str] = {}
    with _LOCK, _settings(spark):
        try:
            relations = {"events": frame}
            if touchpoints is not None:
                relations["touchpoints"] = _to_spark(spark, touchpoints)
            for name, table in (extra or {}).items():
                relations[name] = _to_spark(spark, table)
            for name, rel in relations.items():
                view = f"cjm_{name}_{token}"
                rel.createOrReplaceTempView(view)
                views[name] = view
            result = spark.sql(_bind(sql, views))
            fields = result.schema.fields
            decimals = [f.name for f in fields if f.dataType.typeName().startswith("decimal")]
            if decimals:
                from pyspark.sql import functions as F

                result = result.select(
                    *[
                        F.col(f"`{f.name}`").cast("double").alias(f.name)
                        if f.name in decimals
                        else F.col(f"`{f.name}`")
                        for f in fields
                    ]
                )
            out = result.toPandas()
        finally:
            for view in views.values():
                spark.catalog.dropTempView(view)
    for f in fields:
        if f.dataType.typeName() == "timestamp" and f.name in out.columns:
            col = pd.to_datetime(out[f.name])
            out[f.name] = col.dt.tz_localize("UTC") if col.dt.tz is None else col.dt.tz_convert("UTC")
    return out

"""Running an analysis in parts (whole customers per part) to stay within the memory limit.

An analysis whose ordered aggregates hold each journey's events in memory runs, when the events
do not fit DuckDB's memory limit, over hash buckets of customers (or ranges of ``customer_id``
read from Parquet row-group statistics): each part's rows go to a temporary table, which DuckDB
spills, and the analysis's SQL reads that table.  Whole customers stay in one part, so every
journey is computed whole; the loop runs over a handful of parts, never over customers.  Spark
manages its own memory and always runs in one part.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from cjm_lab.journeys._dialect import with_relation
from cjm_lab.journeys._options import default_memory_limit, resolved
from cjm_lab.journeys._sources import EventSource

__all__ = ["analysis_parts", "run_in_parts", "BYTES_PER_EVENT"]

#: Bytes an event takes in the sorts and ordered aggregates of one analysis (measured: about 70
#: in DuckDB's ordered string aggregate, more in the window sorts with the journey columns).
BYTES_PER_EVENT = 150


def analysis_parts(source: EventSource, *, sorts: bool = False) -> int:
    """In how many parts (hash buckets of customers) an analysis runs to stay within the memory limit.

    Under DuckDB's memory limit (the analysis's :class:`~cjm_lab.journeys.Engine`, the defaults, or
    the built-in :func:`~cjm_lab.journeys.default_memory_limit`) the events are split so that each
    part, at :data:`BYTES_PER_EVENT` an event, takes at most half the limit.  The number of events
    is the source's :meth:`~cjm_lab.journeys._sources.EventSource.memory_rows` (a DataFrame's
    length, Parquet's metadata, an estimate for CSV); a source whose engine manages its own memory
    (Spark) runs in one part.

    ``sorts=True`` for analyses whose memory goes into window sorts and hash aggregates, which
    spill gracefully while the events fit the limit (measured: 10M events under 2 GB in one
    pass, 100M under 4 GB spilling over 50 GB): one part while the events at
    :data:`BYTES_PER_EVENT` fit within the limit, the parts above otherwise.
    """
    rows = source.memory_rows()
    if rows is None:
        return 1
    limit = resolved(source.engine).memory_limit or default_memory_limit()
    if sorts and rows * BYTES_PER_EVENT <= limit:
        return 1
    return max(1, -(-rows * BYTES_PER_EVENT // (limit // 2)))


def run_in_parts(
    sql: str,
    source: EventSource,
    *,
    name: str,
    part: Callable[[Any], str],
    touchpoints: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
    parts: int | None = None,
) -> pd.DataFrame:
    """Run ``sql``, which reads the relation ``name`` that ``part(bucket)`` defines, in customer buckets.

    ``part(bucket)`` returns a query over the journeys of the customers of one bucket (``(b, k)``
    for hash bucket ``b`` of ``k``, or a condition on ``customer_id``; passed on to
    :func:`~cjm_lab.journeys.sql.journey_ctes`; ``None`` for all customers) whose rows add up
    across buckets (counts, sums, per-journey rows, counts per distinct value for exact
    quantiles).  The same SQL text serves every engine:

    * one part (the events fit the memory limit, or Spark): ``name`` is a common table expression
      of ``sql``;
    * ``k`` parts (DuckDB under a memory limit, :func:`analysis_parts`): each bucket's rows are
      inserted into a temporary table ``name`` (which DuckDB spills), then ``sql`` reads it.

    ``parts`` overrides :func:`analysis_parts` (for an analysis that decided it already).
    """
    parts = analysis_parts(source) if parts is None else parts
    if parts <= 1:
        return source.run(with_relation(sql, name, part(None)), touchpoints=touchpoints, extra=extra)
    buckets: list[Any] = source.customer_ranges(parts) or [(b, parts) for b in range(parts)]
    setup = [f"CREATE TEMP TABLE {name} AS {part(buckets[0])}"]
    setup += [f"INSERT INTO {name} {part(b)}" for b in buckets[1:]]
    return source.run(sql, touchpoints=touchpoints, extra=extra, setup=setup)

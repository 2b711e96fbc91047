"""Paths: variants (full paths), prefixes and suffixes, path lengths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, WHOLE_NUMBER, StrOptions, renamed_args, validate_params
from cjm_lab._validate import column_names, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys import _parts
from cjm_lab.journeys._dialect import Dialect
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys._sources import EventSource
from cjm_lab.journeys.build import engine_of, journey_analysis, journey_options, journey_record, prepare
from cjm_lab.journeys.sql import journey_ctes, path_name_sql, segment_select
from cjm_lab.untrusted import PATH_SEPARATOR, join_path

__all__ = ["variants", "top_variants", "path_parts", "path_lengths", "PATH_SEPARATOR", "OTHER_LABEL"]
#: The bucket of the variants beyond ``top``.
OTHER_LABEL = "(other)"
#: The columns of a :func:`variants` table besides the segment columns.
_VARIANT_COLUMNS = ("path", "n_journeys", "pct", "cum_pct", "length", "conversion_rate", "median_duration_s")


#: The relation of the touchpoint codes (columns ``touchpoint``, ``_path_code``) the path SQL joins.
_CODES = "path_codes"


def _code_chars(n: int) -> list[str]:
    """``n`` distinct one-character codes: printable ASCII from ``!`` on (without quotes and
    backslash, so the codes also read well in SQL text), then further code points (no surrogates).
    """
    chars: list[str] = []
    point = 0x21
    while len(chars) < n:
        if point not in (0x22, 0x27, 0x5C) and not 0xD800 <= point <= 0xDFFF:
            chars.append(chr(point))
        point += 1
    return chars


def _path_codes(source: EventSource, catalogue: pd.DataFrame | None) -> pd.DataFrame | None:
    """One character per touchpoint of the log, to aggregate paths as short coded strings.

    The paths are aggregated, grouped and (under a memory limit, in parts) stored as strings of
    one-character codes (a path of up to 12 bytes stays inline in DuckDB's strings) rather than of
    names, and only the distinct paths are decoded (:func:`_decode_paths`); measured at 10M events
    (a DataFrame and Parquet), in 8 parts as at 100M under 4 GB, a quarter less CPU.

    ``None`` (the paths are aggregated from the names, written as :func:`~cjm_lab.untrusted.join_path`
    writes them; same result) when the events are CSV files or a Spark DataFrame: their touchpoint
    names would cost an extra full ``SELECT DISTINCT touchpoint`` pass on every call (a catalogue
    does not spare it: only for a DataFrame has :func:`~cjm_lab.journeys.build.prepare` checked
    that the catalogue covers every event, and the join to the codes would silently drop an event
    it does not cover).
    """
    if not source.names_without_scan():
        return None
    names = source.touchpoint_names(catalogue)
    return pd.DataFrame({"touchpoint": names, "_path_code": _code_chars(len(names))})


def _decode_paths(paths: pd.Series, codes: pd.DataFrame) -> pd.Series:
    """Coded paths as :func:`~cjm_lab.untrusted.join_path` writes them (vectorised over the paths: each
    code becomes its name as written in a path, followed by the separator).
    """
    names = pd.Series([join_path([name]) for name in codes["touchpoint"]], dtype=object) + PATH_SEPARATOR
    table = str.maketrans(dict(zip(codes["_path_code"], names, strict=True)))
    return paths.str.translate(table).str[: -len(PATH_SEPARATOR)]


def _path_select(
    codes: pd.DataFrame | None, d: Dialect, order: str | Sequence[str], relation: str = "j"
) -> tuple[str, str]:
    """The path aggregate (of codes when ``codes`` is given, else of names) and what it reads
    (``relation``, the journeys' events, joined to the codes).
    """
    if codes is None:
        return d.ordered_concat(path_name_sql("touchpoint"), PATH_SEPARATOR, order), relation
    return d.ordered_concat("pc._path_code", "", order), f"{relation} JOIN {_CODES} AS pc USING (touchpoint)"


@journey_analysis({"top": [WHOLE_NUMBER, None], "other": [BOOLEAN]})
def variants(
    events: Any,
    *,
    by: str | Sequence[str] | None = None,
    top: int | None = None,
    other: bool = True,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    outcome: str | Sequence[str] | None = None,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    """Variants (full paths) with counts and share of journeys.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    by : str or list of str, optional
        Segment column(s) of the log; shares are then within each segment (a journey
        belongs to the segment of its first event).
    top : int, optional
        Keep the ``top`` most frequent variants (per segment); the rest go into one
        ``"(other)"`` row when ``other`` is true.
    other : bool, default True
        With ``top``: put the variants beyond it into one ``"(other)"`` row (else leave them out).
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, then ``path`` (touchpoints joined by ``" > "``, written by
        :func:`~cjm_lab.untrusted.join_path`: :func:`~cjm_lab.untrusted.split_path` gives the
        touchpoints back), ``n_journeys``,
        ``pct`` (of all journeys in the segment), ``cum_pct``, ``length`` (events),
        ``conversion_rate`` (share of its journeys with a conversion; empty, NaN, when no
        conversions are defined) and
        ``median_duration_s`` (first to last event), most frequent first; ties by path.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aabbc"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 5, utc=True),
    ...                    "touchpoint": ["Ad", "Shop", "Ad", "Shop", "Ad"], "sequence": range(5)})
    >>> variants(ev)[["path", "n_journeys", "pct"]]
            path  n_journeys        pct
    0  Ad > Shop           2  66.666667
    1         Ad           1  33.333333
    """
    where = "variants()"
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, by=by, options=options, engine=engine)
    seg_first, seg_group = segment_select(spec.segments, spec.dialect)
    d = spec.dialect
    # without segments nothing needs the step numbers: the path is ordered by time and sequence
    # directly (one sort fewer)
    numbered = bool(spec.segments) or spec.until_conversion
    order = "step" if numbered else ("ts", "seq")
    codes = _path_codes(source, cat)
    path, rel = _path_select(codes, d, order)

    def journey_paths(bucket: tuple[int, int] | None = None) -> str:
        return (
            f"WITH {journey_ctes(spec, d, numbered=numbered, bucket=bucket, duplicates=True)}\n"
            f"SELECT {path} AS path, count(*) AS length, max(t) - min(t) AS duration_s, "
            f"max(CASE WHEN is_conv THEN 1 ELSE 0 END) AS converted, sum(_dup) AS dups{seg_first} FROM {rel} "
            "GROUP BY journey_id"
        )

    # The ordered aggregate holds each journey's events in memory: under a memory limit the
    # customers run in hash buckets (_parts.run_in_parts), each bucket's journeys going to a
    # temporary table that DuckDB spills, and the variants are counted over that table.
    sql = f"""
SELECT {seg_group}path, count(*) AS n_journeys, avg(length) AS length, avg(converted) AS conversion_rate,
       {d.quantile("duration_s", 0.5)} AS median_duration_s, sum(dups) AS dups
FROM journey_paths GROUP BY {seg_group}path
"""
    table = _parts.run_in_parts(
        sql,
        source,
        name="journey_paths",
        part=journey_paths,
        touchpoints=cat,
        extra={_CODES: codes} if codes is not None else None,
    )
    if codes is not None:
        table["path"] = _decode_paths(table["path"], codes)
    segs = list(spec.segments)
    table = table.sort_values(
        [*segs, "n_journeys", "path"], ascending=[True] * len(segs) + [False, True], kind="stable"
    ).reset_index(drop=True)
    # dropna=False: journeys whose segment value is missing are a segment of their own, not dropped
    totals = (
        table.groupby(segs, observed=True, dropna=False)["n_journeys"].transform("sum")
        if segs
        else table["n_journeys"].sum()
    )
    table["pct"] = table["n_journeys"] / totals * 100
    table["length"] = table["length"].astype(float)
    table["cum_pct"] = (
        table.groupby(segs, observed=True, dropna=False)["pct"].cumsum() if segs else table["pct"].cumsum()
    )
    # without conversions (outcome= or the catalogue's is_conversion) no journey "converts": the rate is
    # unknown, not 0
    known = spec.conversions is not None or "is_conversion" in spec.catalogue
    table["conversion_rate"] = table["conversion_rate"].astype(float) if known else np.nan
    cols = [*segs, "path", "n_journeys", "pct", "cum_pct", "length", "conversion_rate", "median_duration_s"]
    out = table[cols].copy()
    out["n_journeys"] = out["n_journeys"].astype("int64")
    record = journey_record(spec, duplicates=int(pd.to_numeric(table["dups"]).fillna(0).sum()))
    out = out if top is None else top_variants(out, top=top, by=segs, other=other)
    out.attrs["cjm_journeys"] = record
    return out


@renamed_args(positional=["top"])
@validate_params({"top": [WHOLE_NUMBER], "other": [BOOLEAN]})
def top_variants(
    table: pd.DataFrame,
    *,
    top: int,
    by: str | Sequence[str] | None = None,
    other: bool = True,
) -> pd.DataFrame:
    """The ``top`` most frequent variants of a :func:`variants` table, the rest in one row.

    The same as ``variants(events, top=top, other=other)``, from the table of all variants
    already computed (a report that needs both counts the journeys once).

    Parameters
    ----------
    table : DataFrame
        The result of :func:`variants` without ``top``.
    top : int
        How many variants to keep (per segment).
    by : str or list of str, optional
        The segment column(s) ``table`` was computed with.
    other : bool, default True
        Put the remaining variants into one ``"(other)"`` row (its median duration is left
        empty: a median of medians is no median).

    Returns
    -------
    DataFrame
        The columns of :func:`variants`, ``cum_pct`` counted again over the kept rows.

    Raises
    ------
    CJMDataError
        ``table`` has several rows per path within the ``by`` groups: it was computed with
        (more) segment columns, which ``by`` must name.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aabbcd"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 6, utc=True),
    ...                    "touchpoint": ["Ad", "Shop", "Ad", "Shop", "Ad", "Shop"], "sequence": range(6)})
    >>> top_variants(variants(ev), top=1)[["path", "n_journeys", "pct"]]
            path  n_journeys   pct
    0  Ad > Shop           2  50.0
    1    (other)           2  50.0
    """
    where = "top_variants()"
    segs = column_names(by, arg="by", where=where)
    require_frame(table, where=where)
    require_columns(
        table,
        {"by": segs, "table": ["path", "n_journeys", "pct", "length", "conversion_rate", "median_duration_s"]},
        where=where,
    )
    if (table["path"] == OTHER_LABEL).any():
        raise CJMConfigError(
            f"{where}: `table` already has an {OTHER_LABEL!r} row; pass the result of variants() without `top`."
        )
    # a table computed with by= has one row per (segment, path): ranked without its segments the
    # top would mix them and the shares (of each segment) would no longer add up
    repeated = table.duplicated([*segs, "path"], keep=False)
    if repeated.any():
        candidates = [str(c) for c in table.columns if c not in {*segs, *_VARIANT_COLUMNS}]
        within = f" within by={segs!r}" if segs else ""
        raise CJMDataError(
            f"{where}: table has several rows per path{within}: pass by=[...] with the segment columns it "
            f"was computed with (candidates: {candidates!r}).",
            column="path",
            rows=list(table.index[repeated]),
            values=list(table.loc[repeated, "path"]),
            fix=f"top_variants(table, top={top!r}, by={[*segs, *candidates]!r}) — the `by` of the variants() call.",
        )
    table = table.sort_values(
        [*segs, "n_journeys", "path"], ascending=[True] * len(segs) + [False, True], kind="stable"
    ).reset_index(drop=True)
    # dropna=False throughout: a missing segment value is a segment of its own (as in variants())
    rank = table.groupby(segs, observed=True, dropna=False).cumcount() if segs else pd.Series(np.arange(len(table)))
    keep = table[rank < top]
    rest = table[rank >= top]
    if other and len(rest):
        if segs:
            bucket = (
                rest.groupby(segs, observed=True, dropna=False).apply(_merge_rest, include_groups=False).reset_index()
            )
        else:
            bucket = _merge_rest(rest).to_frame().T
        bucket["path"] = OTHER_LABEL
        cols = [c for c in keep.columns if c in bucket.columns]
        table = pd.concat([keep, bucket[cols]], ignore_index=True)
        table = table.sort_values(segs, kind="stable").reset_index(drop=True) if segs else table
    else:
        table = keep.reset_index(drop=True)
    table["cum_pct"] = (
        table.groupby(segs, observed=True, dropna=False)["pct"].cumsum() if segs else table["pct"].cumsum()
    )
    out = table[
        [*segs, "path", "n_journeys", "pct", "cum_pct", "length", "conversion_rate", "median_duration_s"]
    ].copy()
    out["n_journeys"] = out["n_journeys"].astype("int64")
    for col in ("pct", "cum_pct", "length", "conversion_rate", "median_duration_s"):
        out[col] = out[col].astype(float)
    return out


def _merge_rest(rest: pd.DataFrame) -> pd.Series:
    n = rest["n_journeys"].sum()
    return pd.Series(
        {
            "n_journeys": n,
            "pct": rest["pct"].sum(),
            "length": float(np.average(rest["length"], weights=rest["n_journeys"])),
            "conversion_rate": (
                float(np.average(rest["conversion_rate"], weights=rest["n_journeys"]))
                if rest["conversion_rate"].notna().all()
                else np.nan
            ),
            "median_duration_s": np.nan,  # a median of medians is no median: left empty
        }
    )


@journey_analysis(
    {
        "n": [WHOLE_NUMBER],
        "side": [StrOptions({"prefix": "the first n touchpoints", "suffix": "the last n"})],
    }
)
def path_parts(
    events: Any,
    *,
    n: int = 3,
    side: str = "prefix",
    by: str | Sequence[str] | None = None,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    outcome: str | Sequence[str] | None = None,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    """The first (prefix) or last (suffix) ``n`` touchpoints of each journey, counted.

    Parameters
    ----------
    events : DataFrame, path, or Spark DataFrame
        See :func:`cjm_lab.journeys.build_journeys`.
    n : int, default 3
        How many touchpoints.
    side : {"prefix", "suffix"}, default "prefix"
    by : str or list of str, optional
        Segment column(s) (a journey belongs to the segment of its first event).
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, ``path`` (up to ``n`` touchpoints), ``n_journeys``, ``pct``.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaabb"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 5, utc=True),
    ...                    "touchpoint": ["Ad", "Shop", "Buy", "Ad", "Shop"], "sequence": range(5)})
    >>> path_parts(ev, n=2)[["path", "n_journeys"]]
            path  n_journeys
    0  Ad > Shop           2
    >>> path_parts(ev, n=1, side="suffix")["path"].tolist()
    ['Buy', 'Shop']
    """
    where = "path_parts()"
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, by=by, options=options, engine=engine)
    seg_first, seg_group = segment_select(spec.segments, spec.dialect)
    d = spec.dialect
    if side == "prefix":
        filt = f"step <= {n}"
    else:
        filt = f"step > max_step - {n}"
    codes = _path_codes(source, cat)
    path, rel = _path_select(codes, d, "step", "jm")
    sql = f"""
WITH {journey_ctes(spec, d)},
jm AS (SELECT *, max(step) OVER (PARTITION BY journey_id) AS max_step FROM j),
parts AS (
  SELECT {path} AS path{seg_first}
  FROM {rel} WHERE {filt} GROUP BY journey_id
)
SELECT {seg_group}path, count(*) AS n_journeys FROM parts GROUP BY {seg_group}path
"""
    table = source.run(sql, touchpoints=cat, extra={_CODES: codes} if codes is not None else None)
    if codes is not None:
        table["path"] = _decode_paths(table["path"], codes)
    segs = list(spec.segments)
    table = table.sort_values(
        [*segs, "n_journeys", "path"], ascending=[True] * len(segs) + [False, True], kind="stable"
    ).reset_index(drop=True)
    totals = (
        table.groupby(segs, observed=True, dropna=False)["n_journeys"].transform("sum")
        if segs
        else table["n_journeys"].sum()
    )
    table["pct"] = table["n_journeys"] / totals * 100
    table["n_journeys"] = table["n_journeys"].astype("int64")
    return table[[*segs, "path", "n_journeys", "pct"]]


@journey_analysis()
def path_lengths(
    events: Any,
    *,
    by: str | Sequence[str] | None = None,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    outcome: str | Sequence[str] | None = None,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    """Distribution of journey lengths (number of events).

    Parameters
    ----------
    events : DataFrame, path, or Spark DataFrame
        See :func:`cjm_lab.journeys.build_journeys`.
    by : str or list of str, optional
        Segment column(s) (a journey belongs to the segment of its first event).
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, ``length``, ``n_journeys``, ``pct``, ``cum_pct``.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aab"), "touchpoint": ["Ad", "Shop", "Ad"],
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 3, utc=True), "sequence": range(3)})
    >>> path_lengths(ev)[["length", "n_journeys"]]
       length  n_journeys
    0       1           1
    1       2           1
    """
    engine = engine_of(engine, old_engine_keywords, where="path_lengths()")
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where="path_lengths()", by=by, options=options, engine=engine)
    seg_first, seg_group = segment_select(spec.segments, spec.dialect)
    sql = f"""
WITH {journey_ctes(spec)},
lens AS (SELECT journey_id, count(*) AS length{seg_first} FROM j GROUP BY journey_id)
SELECT {seg_group}length, count(*) AS n_journeys FROM lens GROUP BY {seg_group}length
"""
    table = source.run(sql, touchpoints=cat)
    segs = list(spec.segments)
    table = table.sort_values([*segs, "length"], kind="stable").reset_index(drop=True)
    totals = (
        table.groupby(segs, observed=True, dropna=False)["n_journeys"].transform("sum")
        if segs
        else table["n_journeys"].sum()
    )
    table["pct"] = table["n_journeys"] / totals * 100
    table["cum_pct"] = (
        table.groupby(segs, observed=True, dropna=False)["pct"].cumsum() if segs else table["pct"].cumsum()
    )
    table["length"] = table["length"].astype("int64")
    table["n_journeys"] = table["n_journeys"].astype("int64")
    return table

"""Loaders for the four tables of cjm-lab's data contract, validated once at the door.

Each loader takes a file path or a DataFrame (never modified), an optional
``columns=`` mapping from the user's names to the roles, and returns a new
DataFrame whose role columns carry the role names.  Metadata (source file,
variable and value labels, missing-value codes, roles) is kept in
``DataFrame.attrs["cjm"]``; :func:`table_metadata` reads it.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, RANGE, check_params, validate_params
from cjm_lab._validate import numeric_column, offending, positive_weights, require_unique, suggest
from cjm_lab.errors import CJMConfigError, CJMDataError, CJMDataWarning
from cjm_lab.io import _measures
from cjm_lab.io.mapping import delimiter_hint, expand_patterns, read_mapping, resolve_columns
from cjm_lab.io.metadata import check_set, code_counts, code_key, normalise_sets, store_metadata, table_metadata
from cjm_lab.io.readers import TableMeta, as_frame
from cjm_lab.io.xes import XES_COLUMNS
from cjm_lab.vocab import DEFAULT_STAGES, KIND_LABELS, KINDS, STAGE_LABELS

__all__ = [
    "ROLES",
    "load_events",
    "load_touchpoints",
    "load_survey",
    "load_customers",
    "table_metadata",
    "parse_timestamps",
    "describe_tables",
]

#: Required and optional roles of each table.
ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "events": {
        "required": ("customer_id", "timestamp", "touchpoint"),
        "optional": ("sequence", "session_id", "channel", "value"),
    },
    "touchpoints": {
        "required": ("touchpoint", "stage"),
        "optional": ("channel", "kind", "department", "is_conversion"),
    },
    "survey": {
        "required": (),
        "optional": ("recommend", "respondent_id", "customer_id", "date", "wave", "weight", "comment", "duration"),
    },
    "customers": {"required": ("customer_id",), "optional": ()},
}

#: Roles that hold names and ids: read as text from the start (no float round-trip, no
#: ``NA``/``None``/``null`` turned missing).
TEXT_ROLES: dict[str, tuple[str, ...]] = {
    "events": ("customer_id", "touchpoint", "session_id", "channel"),
    "touchpoints": ("touchpoint", "stage", "channel", "kind", "department"),
    "survey": ("respondent_id", "customer_id", "comment"),
    "customers": ("customer_id",),
}

Source: TypeAlias = str | os.PathLike | pd.DataFrame
Columns = Mapping[str, str] | str | os.PathLike | None


# --------------------------------------------------------------------------- helpers


def _frame_options(
    source: Source, mapping: Mapping[str, Any], table: str, read_options: Mapping[str, Any]
) -> dict[str, Any]:
    """``as_frame`` options: the given ones, and the table's text roles (under either name of the
    mapping) read as text from the start.
    """
    text_roles = TEXT_ROLES[table]
    text_columns = set(text_roles)
    for key, value in mapping.items():  # either direction: {"Kundennr": "customer_id"} or the reverse
        if value in text_roles:
            text_columns.add(str(key))
        if key in text_roles:
            text_columns.add(str(value))
    options_in = {k: v for k, v in read_options.items() if v is not None}
    if not isinstance(source, pd.DataFrame):
        options_in["text_columns"] = sorted(text_columns)
    return options_in


def _prepare(
    source: Source,
    columns: Columns,
    *,
    table: str,
    read_options: Mapping[str, Any],
    create: tuple[str, str] | None = None,
    read: tuple[pd.DataFrame, TableMeta] | None = None,
    default_mapping: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, TableMeta, dict[str, str], dict[str, Any]]:
    mapping, options = read_mapping(columns, table=table)
    # a caller that read the source itself (to look at an XES log first) hands over its frame
    df, meta = read if read is not None else as_frame(source, **_frame_options(source, mapping, table, read_options))
    if not mapping and default_mapping:
        mapping = {k: v for k, v in default_mapping.items() if k in df.columns and v not in df.columns}
    # Errors count data rows from 1, whatever index a DataFrame (or a Parquet file) brings along.
    df = df.reset_index(drop=True)
    df.columns = [str(c).strip() if isinstance(c, str) else str(c) for c in df.columns]
    if df.columns.duplicated().any():
        dups = sorted(set(df.columns[df.columns.duplicated()]))
        raise CJMDataError(
            f"The table has duplicated column names: {', '.join(map(repr, dups))}.",
            source=meta.source,
            fix="Give every column a distinct name in the export.",
        )
    roles = ROLES[table]["required"] + ROLES[table]["optional"]
    rename = resolve_columns(mapping, list(df.columns), roles=roles, source=meta.source)
    # A column already named like a role that another column is mapped to would clash.
    for user, role in rename.items():
        if role in df.columns and role != user:
            raise CJMDataError(
                f"Column {user!r} is mapped to the role {role!r}, but the data already has a column {role!r}.",
                column=role,
                source=meta.source,
                fix=f"Map only one of them, or rename the existing {role!r} column first.",
            )
    df = df.rename(columns=rename)
    # Rename metadata keys along with the columns.
    for attr in ("variable_labels", "value_labels", "missing_codes", "measure_levels"):
        d = getattr(meta, attr)
        setattr(meta, attr, {rename.get(k, k): v for k, v in d.items()})
    meta.multiple_response_sets = {
        name: {**spec, "variables": [rename.get(v, v) for v in spec.get("variables", [])]}
        for name, spec in normalise_sets(meta.multiple_response_sets).items()
    }
    if create is not None and create[0] not in df.columns:
        df.insert(0, create[0], [f"{create[1]}{i}" for i in range(1, len(df) + 1)])
    missing = [r for r in ROLES[table]["required"] if r not in df.columns]
    if missing:
        role = missing[0]
        raise CJMDataError(
            f"The {table} table needs a column for the role {role!r}, and none is named so or mapped "
            f"to it.{suggest(role, df.columns)}",
            column=role,
            source=meta.source,
            fix=delimiter_hint(df.columns)
            + f"Pass columns={{{_closest(role, df.columns)!r}: {role!r}}} (or a YAML mapping file)"
            + (" or create_ids=True" if role == "customer_id" and table == "customers" else "")
            + ". The data has: "
            + ", ".join(repr(c) for c in list(df.columns)[:25])
            + (" ..." if df.shape[1] > 25 else ""),
        )
    return df, meta, rename, options


def _closest(role: str, columns: Any) -> str:
    """The column most like ``role`` for the fix of a message, else a placeholder."""
    import difflib

    names = [str(c) for c in columns]
    close = difflib.get_close_matches(role, names, n=1, cutoff=0.6)
    return close[0] if close else "<your column>"


def _finish(df: pd.DataFrame, meta: TableMeta, *, table: str, rename: dict[str, str], **extra: Any) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    info = meta.as_dict()
    info.update({"table": table, "roles": dict(rename)}, **extra)
    return store_metadata(df, info)


def _option(explicit: Any, options: Mapping[str, Any], name: str, default: Any) -> Any:
    """An explicit argument wins over the mapping file's option, which wins over the default."""
    if explicit is not None:
        return explicit
    return options.get(name, default)


def _bad(mask: pd.Series, series: pd.Series, problem: str, *, column: str, source: str, fix: str) -> None:
    if mask.any():
        rows, vals = offending(mask, series)
        raise CJMDataError(
            problem.format(n=int(mask.sum())),
            column=column,
            rows=[_line(r) for r in rows],
            values=vals,
            source=source,
            fix=fix,
        )


def _line(row: Any) -> Any:
    """Index labels are 0-based row positions; a person counts data rows from 1."""
    return row + 1 if isinstance(row, (int, np.integer)) else row


def _with_source(check: Any, *args: Any, src: str, fix: str | None = None, **kwargs: Any) -> Any:
    """Run a shared check; re-raise its error with the file named and rows counted from 1."""
    try:
        return check(*args, **kwargs)
    except CJMDataError as err:
        raise CJMDataError(
            err.problem,
            column=err.column,
            rows=[_line(r) for r in err.rows],
            values=err.values,
            source=src,
            fix=fix or err.fix,
        ) from None


def _require_present(df: pd.DataFrame, column: str, *, source: str, what: str) -> None:
    missing = df[column].isna()
    if df[column].dtype == object or pd.api.types.is_string_dtype(df[column].dtype):
        missing = missing | df[column].astype("string").str.strip().eq("").fillna(False)
    _bad(
        missing,
        df[column],
        f"{{n}} row(s) have no {what} in {column!r}.",
        column=column,
        source=source,
        fix=f"Every row needs a {what}; drop or complete those rows in the source.",
    )


_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)$", re.IGNORECASE)
_HAS_DATE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|(?<!\d)\d{4}(?!\d)|(?<!\d)\d{8}(?!\d)")
_MONTH_OVER_12 = re.compile(r"\d{1,2}[./\-](?:1[3-9]|[2-9]\d)[./\-]\d")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d")
_FALLBACK_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)


@validate_params({})
def parse_timestamps(
    values: pd.Series,
    *,
    column: str,
    source: str = "DataFrame",
    timezone: str = "UTC",
) -> pd.Series:
    """Parse timestamps to tz-aware UTC, or raise naming the rows that fail.

    Strings with an offset (``2011-10-01T00:38:44+02:00``) are converted to UTC,
    so offsets that differ across a daylight-saving change are fine.  Naive
    timestamps are read in ``timezone`` (default UTC; pass ``"Europe/Berlin"``
    for local German times: the repeated hour of the autumn change is read as
    summer time, the skipped spring hour is shifted forward).  ISO 8601 is tried
    first, then German day-first forms such as ``25.11.2026 14:30``.

    Raises
    ------
    CJMDataError
        Unparseable values, or naive and time-zone-aware values mixed in one column.

    Examples
    --------
    >>> s = pd.Series(["2025-03-30T01:30:00+01:00", "2025-03-30T03:30:00+02:00"])
    >>> parse_timestamps(s, column="timestamp").dt.hour.tolist()
    [0, 1]
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return _localize(values, timezone, column=column, source=source)
    if pd.api.types.is_numeric_dtype(values.dtype):
        present = pd.to_numeric(values, errors="coerce").dropna()
        if len(present) and present.between(1, 2_958_465).all() and present.median() < 200_000:
            # 1 .. 2,958,465 are the days Excel counts from 1899-12-30 (up to 9999-12-31)
            fix = (
                "These look like Excel date serials (days since 1899-12-30, e.g. 45000 = 2023-03-15). Format the "
                "column as a date in Excel before exporting, or convert it with pd.to_datetime(df[col], "
                "unit='D', origin='1899-12-30') before loading."
            )
        else:
            fix = (
                "Export timestamps as text such as 2025-03-30 14:05:00, or convert epoch seconds with "
                "pd.to_datetime(df[col], unit='s', utc=True) before loading."
            )
        raise CJMDataError(f"Column {column!r} holds numbers, not timestamps.", column=column, source=source, fix=fix)
    text = values.astype("string").str.strip()
    present = text.notna() & text.ne("")
    has_tz = text.str.contains(_TZ_SUFFIX, na=False)
    if has_tz[present].any() and (~has_tz[present]).any():
        naive = present & ~has_tz
        aware_row = int(np.flatnonzero(has_tz.to_numpy())[0])
        rows, vals = offending(naive, values)
        raise CJMDataError(
            f"Column {column!r} mixes timestamps with a time zone (e.g. row {aware_row + 1}: "
            f"{values.iloc[aware_row]!r}) and without one ({int(naive.sum())} rows).",
            column=column,
            rows=[_line(r) for r in rows],
            values=vals,
            source=source,
            fix="Export all timestamps in one form: with their UTC offset, or all in local time "
            "(then pass timezone='Europe/Berlin').",
        )
    aware = bool(has_tz[present].any())
    parsed = pd.to_datetime(text.where(present), format="ISO8601", errors="coerce", utc=aware)
    failed = present & parsed.isna()
    if failed.any():
        for fmt in _FALLBACK_FORMATS:
            attempt = pd.to_datetime(text.where(failed), format=fmt, errors="coerce")
            if attempt.notna().any():
                if aware:
                    attempt = attempt.dt.tz_localize("UTC")
                parsed = parsed.where(~(failed & attempt.notna()), attempt)
                failed = present & parsed.isna()
                if not failed.any():
                    break
    if failed.any():
        attempt = pd.to_datetime(text.where(failed), format="mixed", dayfirst=True, errors="coerce", utc=aware)
        # dateutil fills a missing date with today's ('10:00' -> today 10:00), and reads an ISO date that
        # failed ISO 8601 day first ('2025-13-01' -> 13 January): neither may pass,
        # likewise a month-first US date ('01/13/2025' -> 13 January, but '02/01/2025' -> 2 January)
        attempt = attempt.where(
            text.str.contains(_HAS_DATE, na=False)
            & ~text.str.match(_ISO_DATE, na=False)
            & ~text.str.match(_MONTH_OVER_12, na=False)
        )
        parsed = parsed.where(~(failed & attempt.notna()), attempt)
        failed = present & parsed.isna()
    _bad(
        failed,
        values,
        "{n} value(s) in " + repr(column) + " are not readable timestamps.",
        column=column,
        source=source,
        fix="Use ISO 8601 (2025-03-30 14:05:00 or 2025-03-30T14:05:00+02:00) or "
        "DD.MM.YYYY HH:MM (day first; a US month-first date such as 01/13/2025 is not guessed); remove text "
        "such as 'unbekannt' and times without a date.",
    )
    parsed = pd.to_datetime(parsed)
    if aware:
        return parsed.dt.tz_convert("UTC")
    return _localize(parsed, timezone, column=column, source=source)


def _localize(values: pd.Series, timezone: str, *, column: str, source: str) -> pd.Series:
    try:
        local = values.dt.tz_localize(timezone, ambiguous=np.ones(len(values), dtype=bool), nonexistent="shift_forward")
    except (KeyError, ValueError) as err:  # unknown zone name
        raise CJMConfigError(
            f"Unknown time zone {timezone!r} for {column!r}: {err}. Use e.g. 'Europe/Berlin'."
        ) from err
    return local.dt.tz_convert("UTC")


def _as_text(series: pd.Series, *, column: str | None = None, source: str = "DataFrame") -> pd.Series:
    """Ids and names as text (missing stays missing); whole-number floats lose their ``.0``.

    A float id beyond 2**53 has lost digits already (``12345678901234567`` is stored as
    ``12345678901234568``): with ``column`` given, that is refused rather than turned into
    an id that may collide with another.
    """
    if pd.api.types.is_float_dtype(series.dtype):
        present = series.dropna()
        if column is not None:
            _bad(
                (series.abs() >= 2.0**53).fillna(False),
                series,
                "{n} id(s) in " + repr(column) + " are numbers too large for a float (2**53 and more): their "
                "last digits are lost already, so different ids may have become one.",
                column=column,
                source=source,
                fix="Read the column as text: load the file itself (cjm-lab reads id columns as text), or "
                "pass the DataFrame with that column as strings (pd.read_csv(..., dtype={col: str})).",
            )
        if (present == np.round(present)).all():
            series = series.astype("Int64")
    return series.astype("str").str.strip()


# --------------------------------------------------------------------------- events


def _combine_activity(raw: pd.DataFrame, parts: Any, mapping: Mapping[str, str], *, source: str) -> pd.DataFrame:
    """The table with a ``touchpoint`` column made of the ``activity_from`` columns joined by ``"+"``."""
    names = [parts] if isinstance(parts, str) else list(parts) if isinstance(parts, Sequence) else None
    if not names or not all(isinstance(n, str) and n for n in names):
        raise CJMConfigError(
            f"load_events(): `activity_from` must list column names, got {parts!r}. "
            "Fix: pass e.g. activity_from=['concept:name', 'lifecycle:transition']."
        )
    missing = [n for n in names if n not in raw.columns]
    if missing:
        raise CJMDataError(
            f"load_events(): `activity_from` names column(s) the data does not have: "
            f"{', '.join(map(repr, missing))}.{suggest(missing[0], raw.columns)}",
            column=missing[0],
            source=source,
            fix="Name columns of the file (before any renaming); the data has: "
            + ", ".join(repr(c) for c in list(raw.columns)[:25]),
        )
    taken = [k for k, v in mapping.items() if "touchpoint" in (k, v)]
    if taken or "touchpoint" in raw.columns:
        raise CJMConfigError(
            "load_events(): `activity_from` makes the touchpoint, but "
            + (f"the mapping also maps {taken[0]!r}" if taken else "the data already has a 'touchpoint' column")
            + ". Fix: leave the touchpoint out of `columns`, or drop `activity_from`."
        )
    out = raw.copy()
    text = [out[n].astype("string").str.strip() for n in names]
    joined = text[0].fillna("")
    for part in text[1:]:  # missing parts are left out, not written as "+nan"
        empty = part.isna() | (part == "")
        joined = joined.where(empty, joined.where(joined == "", joined + "+") + part.fillna(""))
    out["touchpoint"] = joined.where(joined != "", pd.NA).astype("object")
    return out


@validate_params({})
def load_events(
    source: Source,
    *,
    columns: Columns = None,
    touchpoints: pd.DataFrame | None = None,
    timezone: str | None = None,
    activity_from: Sequence[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Load and validate an event log: who met which touchpoint when.

    Parameters
    ----------
    source : path or DataFrame
        CSV/Parquet/Excel/SPSS file or XES event log (see :func:`cjm_lab.io.read_table`) or
        a DataFrame (copied, never modified).  An XES log needs no mapping: its case id
        (``case:concept:name``), activity (``concept:name``) and time (``time:timestamp``)
        become ``customer_id``, ``touchpoint`` and ``timestamp`` unless ``columns`` says
        otherwise.
    columns : dict or path, optional
        Mapping of your column names to the roles ``customer_id``, ``timestamp``,
        ``touchpoint`` and optionally ``sequence``, ``session_id``, ``channel``, ``value``.
        A YAML mapping file may also set ``timezone`` and ``activity_from``.
    touchpoints : DataFrame, optional
        The catalogue from :func:`load_touchpoints`; every touchpoint of the log must be in it.
    timezone : str, optional
        Zone of naive timestamps (default ``"UTC"``); offsets in the data always win.
    activity_from : list of str, optional
        Make the touchpoint from several columns of the file, joined by ``"+"`` (missing
        parts left out), e.g. ``["concept:name", "lifecycle:transition"]`` gives
        ``"W_Completeren aanvraag+START"`` — the activity and its life-cycle step as one
        touchpoint.  The columns keep their own values too.
    encoding, delimiter, sheet : optional
        Override the CSV sniffing, or pick the Excel sheet.

    Returns
    -------
    DataFrame
        All input columns, the roles renamed; ``customer_id`` and ``touchpoint`` as text,
        ``timestamp`` as UTC datetimes, ``sequence`` as int64 (made from the row order of
        the file when absent, so that equal timestamps keep one stable order in every
        engine), ``value`` as float.  Rows keep the file's order.

    Raises
    ------
    CJMDataError
        Missing roles (with close matches), empty ids or touchpoints, unreadable or
        mixed naive/aware timestamps, a ``sequence`` that repeats within a customer,
        text in ``value``, touchpoints missing from the catalogue.

    Examples
    --------
    >>> raw = pd.DataFrame({"Kunde": ["K1", "K1", "K2"],
    ...                     "Zeit": ["2025-03-01 10:00", "2025-03-01 10:05", "2025-03-02 09:00"],
    ...                     "Kontaktpunkt": ["Website", "Checkout", "Website"]})
    >>> ev = load_events(raw, columns={"Kunde": "customer_id", "Zeit": "timestamp",
    ...                                "Kontaktpunkt": "touchpoint"}, timezone="Europe/Berlin")
    >>> ev.loc[0, "timestamp"], ev["sequence"].tolist()
    (Timestamp('2025-03-01 09:00:00+0000', tz='UTC'), [0, 1, 2])
    >>> lifecycle = pd.DataFrame({"case": ["c1", "c1"], "time": ["2025-03-01 10:00", "2025-03-01 10:20"],
    ...                           "activity": ["Call", "Call"], "step": ["start", "complete"]})
    >>> load_events(lifecycle, columns={"case": "customer_id", "time": "timestamp"},
    ...             activity_from=["activity", "step"])["touchpoint"].tolist()
    ['Call+start', 'Call+complete']
    """
    read_options = {"encoding": encoding, "delimiter": delimiter, "sheet": sheet}
    mapping, options = read_mapping(columns, table="events")
    activity = _option(activity_from, options, "activity_from", None)
    raw, meta = as_frame(source, **_frame_options(source, mapping, "events", read_options))
    xes = meta.format == "xes"
    if activity is not None:
        raw = _combine_activity(raw, activity, mapping, source=meta.source)
    default = {k: v for k, v in XES_COLUMNS.items() if not (activity is not None and v == "touchpoint")}
    df, meta, rename, options = _prepare(
        source,
        columns,
        table="events",
        read_options=read_options,
        read=(raw, meta),
        default_mapping=default if xes else None,
    )
    src = meta.source
    timezone = _option(timezone, options, "timezone", "UTC")
    for col, what in (("customer_id", "customer id"), ("touchpoint", "touchpoint"), ("timestamp", "timestamp")):
        _require_present(df, col, source=src, what=what)
    df["customer_id"] = _as_text(df["customer_id"], column="customer_id", source=src)
    df["touchpoint"] = _as_text(df["touchpoint"])
    df["timestamp"] = parse_timestamps(df["timestamp"], column="timestamp", source=src, timezone=timezone)
    created_sequence = "sequence" not in df.columns
    if created_sequence:
        df["sequence"] = np.arange(len(df), dtype="int64")
    else:
        seq = _with_source(
            numeric_column, df, "sequence", where="load_events()", integer=True, allow_missing=False, src=src
        )
        df["sequence"] = seq.astype("int64")
        _with_source(
            require_unique,
            df,
            ["customer_id", "sequence"],
            where="load_events()",
            src=src,
            fix="Each event of a customer needs its own sequence number; renumber them in file order.",
        )
    if "session_id" in df.columns:
        df["session_id"] = _as_text(df["session_id"], column="session_id", source=src)
    if "value" in df.columns:
        df["value"] = _with_source(numeric_column, df, "value", where="load_events()", src=src)
    if touchpoints is not None:
        if "touchpoint" not in touchpoints.columns:
            raise CJMConfigError("`touchpoints` must be a catalogue with a 'touchpoint' column (see load_touchpoints).")
        known = set(touchpoints["touchpoint"].astype(str))
        unknown = ~df["touchpoint"].isin(known)
        if unknown.any():
            names = list(dict.fromkeys(df.loc[unknown, "touchpoint"]))[:5]
            hints = "".join(suggest(n, known) for n in names[:1])
            rows, vals = offending(unknown, df["touchpoint"])
            raise CJMDataError(
                f"{int(unknown.sum())} event(s) name touchpoints the catalogue does not have: "
                f"{', '.join(map(repr, names))}.{hints}",
                column="touchpoint",
                rows=[_line(r) for r in rows],
                values=vals,
                source=src,
                fix="Add them to the touchpoint catalogue, or correct their spelling in the log.",
            )
    return _finish(df, meta, table="events", rename=rename, sequence_created=created_sequence, timezone=timezone)


# --------------------------------------------------------------------------- touchpoints


def _normalise_vocab(series: pd.Series, labels: Mapping[str, Mapping[str, str]], keys: Sequence[str]) -> pd.Series:
    """Map English/German labels (any case) to the canonical keys; leave other values alone."""
    lookup = {k.lower(): k for k in keys}
    for lang in labels.values():
        lookup.update({v.lower(): k for k, v in lang.items()})
    lookup.update({k.lower().replace("_", " "): k for k in keys})
    low = series.astype("str").str.strip().str.lower()
    return low.map(lookup).fillna(series.astype("str").str.strip())


_TRUE = {"1", "true", "yes", "ja", "y", "j", "x", "wahr", "1.0"}
_FALSE = {"0", "false", "no", "nein", "n", "", "falsch", "0.0", "nan", "none"}


@validate_params({})
def load_touchpoints(
    source: Source,
    *,
    columns: Columns = None,
    stages: Sequence[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Load and validate the touchpoint catalogue: stage, channel, kind and department per touchpoint.

    Parameters
    ----------
    source : path or DataFrame
    columns : dict or path, optional
        Mapping to the roles ``touchpoint``, ``stage`` and optionally ``channel``, ``kind``,
        ``department``, ``is_conversion``.
    stages : list of str, optional
        The stages in journey order.  Default: the five CJM stages
        (:data:`cjm_lab.vocab.DEFAULT_STAGES`) when the catalogue uses them (English or
        German names are both understood), otherwise the order of first appearance in
        the file, so logs such as BPIC 2012 bring their own.

    Returns
    -------
    DataFrame
        One row per touchpoint; ``stage`` is an ordered categorical whose categories are
        the stages in order (``df["stage"].cat.categories``); ``kind`` uses the keys
        ``peripheral``/``external``/``internal``; ``is_conversion`` is boolean (False when absent).

    Raises
    ------
    CJMDataError
        Duplicate touchpoints, missing stages, stages not in ``stages``, unknown kinds.

    Examples
    --------
    >>> cat = load_touchpoints(pd.DataFrame({"touchpoint": ["Anzeige", "Kasse"],
    ...                                      "stage": ["Recherche", "Kauf"]}))
    >>> list(cat["stage"]), list(cat["stage"].cat.categories)[:3]
    (['research', 'purchase'], ['research', 'comparison', 'purchase'])
    """
    df, meta, rename, options = _prepare(
        source,
        columns,
        table="touchpoints",
        read_options={"encoding": encoding, "delimiter": delimiter, "sheet": sheet},
    )
    src = meta.source
    stages = _option(stages, options, "stages", None)
    _require_present(df, "touchpoint", source=src, what="touchpoint name")
    _require_present(df, "stage", source=src, what="stage")
    df["touchpoint"] = _as_text(df["touchpoint"])
    _with_source(require_unique, df, "touchpoint", where="load_touchpoints()", src=src)
    if stages is None:
        normalised = _normalise_vocab(df["stage"], STAGE_LABELS, DEFAULT_STAGES)
        if normalised.isin(DEFAULT_STAGES).all():
            df["stage"], order = normalised, list(DEFAULT_STAGES)
        else:
            df["stage"] = _as_text(df["stage"])
            order = list(dict.fromkeys(df["stage"]))
    else:
        order = [str(s) for s in stages]
        if len(set(order)) != len(order):
            raise CJMConfigError(f"`stages` lists a stage twice: {order}.")
        df["stage"] = _as_text(df["stage"])
        if not df["stage"].isin(order).all():
            normalised = _normalise_vocab(df["stage"], STAGE_LABELS, DEFAULT_STAGES)
            if normalised.isin(order).all():
                df["stage"] = normalised
    outside = ~df["stage"].isin(order)
    _bad(
        outside,
        df["stage"],
        "{n} touchpoint(s) have a stage that is not in the list of stages " + str(order) + ".",
        column="stage",
        source=src,
        fix="Add the stage to `stages` (in journey order) or correct the catalogue.",
    )
    df["stage"] = pd.Categorical(df["stage"], categories=order, ordered=True)
    if "kind" in df.columns:
        df["kind"] = _normalise_vocab(df["kind"].fillna(""), KIND_LABELS, KINDS)
        badkind = ~df["kind"].isin(KINDS)
        _bad(
            badkind,
            df["kind"],
            "{n} touchpoint(s) have an unknown kind.",
            column="kind",
            source=src,
            fix="Use peripheral (seen in public), external (the company's channels) or internal (inside the company).",
        )
    if "is_conversion" in df.columns:
        raw = df["is_conversion"]
        if pd.api.types.is_bool_dtype(raw.dtype):
            flags = raw.fillna(False).astype(bool)  # a nullable boolean may hold <NA>: not a conversion
        else:
            low = raw.astype("str").str.strip().str.lower().where(raw.notna(), "")
            unknown = ~low.isin(_TRUE | _FALSE)
            _bad(
                unknown,
                raw,
                "{n} value(s) in 'is_conversion' are neither yes nor no.",
                column="is_conversion",
                source=src,
                fix="Use true/false, yes/no, ja/nein or 1/0.",
            )
            flags = low.isin(_TRUE)
        df["is_conversion"] = flags.astype(bool)
    else:
        df["is_conversion"] = False
    return _finish(df, meta, table="touchpoints", rename=rename, stages=order)


# --------------------------------------------------------------------------- survey


def _scale_spec(ratings: Any, present: Sequence[str], source: str) -> dict[str, tuple[float, float] | None]:
    if ratings is None:
        return {}
    if isinstance(ratings, str):
        ratings = [ratings]
    if isinstance(ratings, Mapping):
        spec: dict[str, tuple[float, float] | None] = {}
        for pat, scale in ratings.items():
            rng = None
            if scale is not None:
                if not (isinstance(scale, Sequence) and len(scale) == 2):
                    raise CJMConfigError(f"The scale of {pat!r} in `ratings` must be [low, high], got {scale!r}.")
                rng = (float(scale[0]), float(scale[1]))
            for col in expand_patterns([pat], present, what="ratings", source=source):
                spec[col] = rng
        return spec
    return dict.fromkeys(expand_patterns(list(ratings), present, what="ratings", source=source))


def _as_list(value: Any) -> list[Any]:
    """A scalar (text included, which would iterate into characters) as a list of one."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _codes_by_column(missing_codes: Mapping[Any, Any], present: Sequence[str], source: str) -> dict[str, list[Any]]:
    """``{column or pattern: codes}`` -> ``{column: [codes]}``; a single code counts as a list of one."""
    out: dict[str, list[Any]] = {}
    for pat, codes in missing_codes.items():
        codes = _as_list(codes)
        for col in expand_patterns([pat], present, what="missing_codes", source=source):
            out.setdefault(col, []).extend(codes)
    return out


def _codes_spec(
    missing_codes: Any, targets: Sequence[str], present: Sequence[str], source: str
) -> dict[str, list[Any]]:
    """Codes per column: numbers as floats, text codes (``"DK"``, ``"weiß nicht"``) as stripped text."""
    if missing_codes is None:
        return {}
    if isinstance(missing_codes, Mapping):
        spec = _codes_by_column(missing_codes, present, source)
    else:
        codes = _as_list(missing_codes)
        spec = {col: list(codes) for col in targets}
    out: dict[str, list[Any]] = {}
    for col, codes in spec.items():
        kept = []
        for code in codes:
            if isinstance(code, bool) or not pd.api.types.is_scalar(code) or pd.isna(code):
                raise CJMConfigError(
                    f"`missing_codes` of load_survey() takes single numbers or texts per column, e.g. "
                    f"{{'recommend': [99, 'DK']}}; got {code!r} for {col!r}."
                )
            kept.append(float(code) if isinstance(code, (int, float, np.number)) else str(code).strip())
        out[col] = kept
    return out


def _labels_to_codes(series: pd.Series, labels: Mapping[Any, Any] | None) -> pd.Series:
    """Map text answers through a value-label mapping (label -> code or code -> label)."""
    if not labels or pd.api.types.is_numeric_dtype(series.dtype):
        return series
    pairs = {}
    for k, v in labels.items():
        if isinstance(k, str) and not isinstance(v, str):
            pairs[k.strip().lower()] = v
        elif isinstance(v, str) and not isinstance(k, str):
            pairs[v.strip().lower()] = k
    text = series.astype("str").str.strip().str.lower()
    mapped = text.map(pairs)
    return mapped.where(mapped.notna(), series)


def _code_text(code: Any) -> str:
    return str(int(code)) if isinstance(code, (int, float, np.number)) and float(code).is_integer() else str(code)


def _loaded_as(df: pd.DataFrame) -> dict[str, str]:
    """What each column became: categorical, ordinal, numeric, datetime or text."""
    out = {}
    for col in df.columns:
        dtype = df[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[col] = "ordinal" if dtype.ordered else "categorical"
        elif pd.api.types.is_bool_dtype(dtype):
            out[col] = "boolean"
        elif pd.api.types.is_numeric_dtype(dtype):
            out[col] = "numeric"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out[col] = "datetime"
        else:
            out[col] = "text"
    return out


def _spss_code_counts(meta: TableMeta, rename: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """What each code the SPSS file declares missing removed, per column (renamed to the roles)."""
    counts = meta.read_options.get("spss_missing_counts", {}) or {}
    return {rename.get(k, k): dict(v) for k, v in counts.items()}


def _count_detected(per_code: dict[str, dict[str, int]], detected: Mapping[str, list[dict[str, Any]]]) -> None:
    """Add the accepted "don't know" codes (``missing="auto"``) to the counts per code."""
    for col, found in detected.items():
        for d in found:
            if d["applied"] and d["n"]:
                key = code_key(d["code"])
                per_code.setdefault(col, {})[key] = per_code.get(col, {}).get(key, 0) + int(d["n"])


def _kept_numeric(meta: TableMeta, overrides: Mapping[str, str]) -> list[str]:
    """Columns an earlier load kept numeric (ratings, scales): a loaded table loaded again keeps them so,
    unless ``measure=`` says otherwise now.
    """
    before = meta.extra.get("loaded_as") or {}
    return [c for c, kind in before.items() if kind == "numeric" and c not in overrides]


def _by_role(option: Any, rename: Mapping[str, str], *, names: bool = False) -> Any:
    """An option keyed by the file's column names, re-keyed to the roles ``columns=`` renamed them to.

    Keys of a dict (and, with ``names``, the names in a list) that name a renamed column
    follow it; an entry given for the role itself wins.  Multiple-response sets' variable
    lists follow too.

    Examples
    --------
    >>> _by_role({"Q5": (0, 10), "S1": (1, 5)}, {"Q5": "recommend"})
    {'recommend': (0, 10), 'S1': (1, 5)}
    >>> _by_role(["Q5", "S1"], {"Q5": "recommend"}, names=True)
    ['recommend', 'S1']
    """
    if not rename or option is None:
        return option
    moved = {old: new for old, new in rename.items() if old != new}
    if isinstance(option, Mapping):
        out = {k: v for k, v in option.items() if not (k in moved and moved[k] in option)}
        return {moved.get(k, k) if isinstance(k, str) else k: v for k, v in out.items()}
    if names and isinstance(option, (list, tuple)):
        return [moved.get(v, v) if isinstance(v, str) else v for v in option]
    return option


def _sets_by_role(sets: Any, rename: Mapping[str, str]) -> Any:
    """Multiple-response sets whose variables name the file's columns, following ``columns=``."""
    if not rename or not isinstance(sets, Mapping):
        return sets
    out = {}
    for name, spec in sets.items():
        if isinstance(spec, Mapping) and isinstance(spec.get("variables"), (list, tuple)):
            out[name] = {**spec, "variables": _by_role(list(spec["variables"]), rename, names=True)}
        elif isinstance(spec, (list, tuple)):
            out[name] = _by_role(list(spec), rename, names=True)
        else:
            out[name] = spec
    return out


def _user_sets(meta: TableMeta, sets: Any, present: Sequence[str], source: str) -> None:
    """Add multiple-response sets the user declares (patterns allowed) to the metadata."""
    if not sets:
        return
    if not isinstance(sets, Mapping):
        raise CJMConfigError(
            f"`multiple_response` maps set names to their columns, e.g. {{'Brands used': ['Q4_*']}}; got {sets!r}."
        )
    expanded = {}
    for name, spec in sets.items():
        cols = spec.get("variables") if isinstance(spec, Mapping) else spec
        if isinstance(cols, str):
            cols = [cols]
        wanted = list(cols or [])
        have = [c for c in wanted if not any(ch in str(c) for ch in "*?[")]
        pats = [c for c in wanted if c not in have]
        missing = [c for c in have if c not in present]
        if missing:
            check_set(
                str(name), {"variables": have, "label": name}, present, where="`multiple_response`", source=source
            )
        variables = list(
            dict.fromkeys([*have, *expand_patterns(pats, present, what="multiple_response", source=source)])
        )
        expanded[name] = {**spec, "variables": variables} if isinstance(spec, Mapping) else variables
    meta.multiple_response_sets.update(normalise_sets(expanded, where="multiple_response"))


@validate_params({})
def load_survey(
    source: Source,
    *,
    columns: Columns = None,
    ratings: Sequence[str] | Mapping[str, Sequence[float] | None] | None = None,
    recommend_scale: tuple[float, float] | None = None,
    missing_codes: Mapping[str, Any] | Sequence[float] | float | None = None,
    missing: str | None = None,
    missing_labels: Sequence[str] | None = None,
    measure: Mapping[str, str] | None = None,
    unlabelled: str | None = None,
    multiple_response: Mapping[str, Any] | None = None,
    codebook: Any = None,
    value_labels: str | None = None,
    text_labels: Mapping[str, Mapping[Any, Any]] | None = None,
    timezone: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Load and validate survey responses: any questionnaire, NPS or not, SPSS as it comes.

    Parameters
    ----------
    source : path or DataFrame
        CSV (Qualtrics exports with three header rows included), Excel, Parquet or SPSS
        ``.sav``/``.zsav``.
    columns : dict or path, optional
        Mapping to the roles, all optional: ``recommend`` (the 0–10 likelihood to
        recommend), ``respondent_id``, ``customer_id``, ``date``, ``wave``, ``weight``,
        ``comment``, ``duration`` (interview seconds).  A tracker without a recommend
        question loads too.
    ratings : list or dict, optional
        Rating columns (names or patterns such as ``"Q11_*"``), kept numeric and checked;
        a dict gives each its scale, e.g. ``{"sat_*": [1, 5], "ces": [1, 7]}``.
    recommend_scale : (low, high), optional
        The scale ``recommend`` was asked on; default ``(0, 10)``.  A 1–10 question loads
        with ``(1, 10)``; rescaling to NPS happens explicitly in the survey functions.
    missing_codes : dict, list or number, optional
        Codes that become missing, per column or pattern (``{"Q12_*": [6]}``), or ``[99]``
        for ``recommend`` and all ratings.  How many answers each column lost is recorded in
        ``table_metadata(df)["missing_codes_applied"]``.
    missing : {"detect", "auto", "declared"}, default "detect"
        Undeclared "don't know"/"refused" codes, found from the value labels in English and
        German (:func:`cjm_lab.io.detect_missing`).  ``"detect"`` records them in
        ``table_metadata(df)["detected_missing"]`` and warns (:class:`CJMDataWarning`) when
        answers carry them, but keeps them as answers; ``"auto"`` makes them missing
        (counted); ``"declared"`` looks only at the codes the file and ``missing_codes``
        declare.
    missing_labels : list of str, optional
        More labels that mean "don't know" (added to :data:`cjm_lab.io.DONT_KNOW_PHRASES`).
    measure : dict, optional
        Measure levels that override the file's, per column or pattern:
        ``{"Q2": "ordinal", "q35": "nominal", "Q8b": "scale"}``.
    unlabelled : {"keep", "missing", "error"}, default "keep"
        A code of a labelled nominal/ordinal column that has no label: a category of its own
        (named by the code, recorded in ``unlabelled_codes``), missing, or an error.
    multiple_response : dict, optional
        Multiple-response sets of a file that does not declare them:
        ``{"Brands used": ["Q4_*"]}`` (dichotomy columns) or
        ``{"Brands": {"variables": [...], "kind": "category"}}``.  SPSS sets are read
        from the file.
    codebook : path, dict or Labels, optional
        Variable and value labels (and measure levels) for CSV/Excel data (see
        :class:`cjm_lab.labels.Labels`); stored with the table.
    value_labels : {"auto", "codes", "labels"}, optional
        What becomes of value labels.  ``"auto"`` (default) honours the measure level: a
        ``nominal`` (or undeclared) variable becomes an unordered categorical of its labels,
        an ``ordinal`` one an ordered categorical (categories in code order), a ``scale`` one
        stays numeric; so do variables labelled with their own numbers or only at their ends,
        and the roles and ``ratings``.  ``"codes"`` keeps every code; ``"labels"`` makes every
        fully labelled variable categorical.  The labels always stay in the metadata.
    text_labels : dict, optional
        For text answers, ``{column: {"10 - extremely likely": 10, ...}}``; SPSS value
        labels of the column are used the same way.
    timezone : str, optional
        Zone of naive dates (default UTC).  SPSS dates and date-times become UTC timestamps.

    Returns
    -------
    DataFrame
        One row per response with ``respondent_id`` (made as ``R1``, ``R2``, … from the row
        order when absent), numeric ``recommend``, ratings and ``weight``, ``date`` as UTC
        datetimes, ``wave`` as an ordered categorical that keeps the wave labels ("2021",
        "Welle 3") — unlabelled numeric waves stay numbers (whole ones as integers).
        :func:`cjm_lab.io.table_metadata` holds the labels, measure levels, missing codes
        (declared, detected, applied), multiple-response sets and what each column was
        loaded as (``loaded_as``).

    Raises
    ------
    CJMDataError
        Scores outside the scale, text that no value label explains ("10 - extremely
        likely"), non-integer scores, duplicate respondent ids, negative, zero or missing
        weights (of a column mapped to ``weight``), value labels that disagree with the
        values, a wave column mixing numbers and text, a multiple-response set naming a
        column the data lacks.

    Warns
    -----
    CJMDataWarning
        Undeclared "don't know" codes kept as answers (``missing="detect"``); a column
        named ``weight`` but not mapped that cannot serve as weights (kept as an ordinary
        column).

    Examples
    --------
    >>> raw = pd.DataFrame({"Q8": [10, 6, 99], "sat": [5, 2, 4]})
    >>> sv = load_survey(raw, columns={"Q8": "recommend"}, ratings={"sat": [1, 5]},
    ...                  missing_codes=[99])
    >>> sv["recommend"].tolist(), sv["respondent_id"].tolist()
    ([10.0, 6.0, nan], ['R1', 'R2', 'R3'])
    >>> raw = pd.DataFrame({"aware": [1, 0, 1], "wave": [1.0, 1.0, 2.0]})
    >>> raw.attrs["cjm"] = {"value_labels": {"wave": {1.0: "Welle 1", 2.0: "Welle 2"}}}
    >>> load_survey(raw)["wave"].tolist()
    ['Welle 1', 'Welle 1', 'Welle 2']
    """
    df, meta, rename, options = _prepare(
        source, columns, table="survey", read_options={"encoding": encoding, "delimiter": delimiter, "sheet": sheet}
    )
    src = meta.source
    where = "load_survey()"
    # options may name the file's columns: they follow the columns= mapping to the roles
    ratings = _by_role(_option(ratings, options, "ratings", None), rename, names=True)
    recommend_scale = tuple(_option(recommend_scale, options, "recommend_scale", (0, 10)))
    missing_codes = _by_role(_option(missing_codes, options, "missing_codes", None), rename)
    missing = _option(missing, options, "missing", "detect")
    missing_labels = _option(missing_labels, options, "missing_labels", None)
    measure = _by_role(_option(measure, options, "measure", None), rename)
    unlabelled = _option(unlabelled, options, "unlabelled", "keep")
    multiple_response = _sets_by_role(_option(multiple_response, options, "multiple_response", None), rename)
    codebook = _option(codebook, options, "codebook", None)
    value_labels = _option(value_labels, options, "value_labels", "auto")
    text_labels = dict(_by_role(_option(text_labels, options, "text_labels", {}), rename) or {})
    timezone = _option(timezone, options, "timezone", "UTC")
    check_params(
        {
            "missing": missing,
            "unlabelled": unlabelled,
            "value_labels": value_labels,
            "recommend_scale": recommend_scale,
        },
        {**_measures.MODES, "recommend_scale": [RANGE]},
        where=where,
    )

    present = list(df.columns)
    _measures.merge_codebook(meta, codebook, present, rename)
    _user_sets(meta, multiple_response, present, src)
    overrides = _measures.measure_overrides(measure, present, source=src)
    has_recommend = "recommend" in df.columns
    scales = _scale_spec(ratings, present, src)
    scales = {c: s for c, s in scales.items() if c != "recommend"}
    numeric_cols = (["recommend"] if has_recommend else []) + list(scales)
    codes = _codes_spec(missing_codes, numeric_cols, present, src)

    applied: dict[str, int] = {
        rename.get(k, k): v for k, v in meta.read_options.get("spss_missing_applied", {}).items()
    }
    per_code = _spss_code_counts(meta, rename)
    for col, col_codes in codes.items():  # declared by the user: no longer "undeclared" below
        meta.missing_codes.setdefault(col, [])
        meta.missing_codes[col] = meta.missing_codes[col] + [c for c in col_codes if c not in meta.missing_codes[col]]
    # undeclared "don't know" codes, found from the value labels (never in ids, dates, weights, text)
    skip = {"respondent_id", "customer_id", "date", "weight", "duration", "comment"}
    detected, dk_applied, undeclared = _measures.apply_missing(
        df, meta, mode=missing, phrases=missing_labels, skip=skip, source=src
    )
    for col, n in dk_applied.items():
        applied[col] = applied.get(col, 0) + n
    _count_detected(per_code, detected)
    for col, col_codes in codes.items():
        if col not in numeric_cols:  # a labelled question that is no rating: its codes go before the labels
            hits = _blank_codes(df, col, col_codes, counts=per_code.setdefault(col, {}))
            if hits:
                applied[col] = applied.get(col, 0) + hits
    for col in numeric_cols:
        labels = text_labels.get(col) or meta.value_labels.get(col)
        series = _labels_to_codes(df[col], labels)
        if col in codes:
            num = pd.to_numeric(series, errors="coerce")
            numbers = [c for c in codes[col] if isinstance(c, float)]
            texts = [c for c in codes[col] if isinstance(c, str)]
            hit = num.isin(numbers)
            if texts:  # "DK" in a text column; also "99" written as text
                as_text = series.astype("str").str.strip()
                hit = hit | (as_text.isin(texts) & series.notna()).fillna(False).astype(bool)
            if hit.any():
                applied[col] = applied.get(col, 0) + int(hit.sum())
                code_counts(series, hit, into=per_code.setdefault(col, {}))
            series = series.where(~hit, np.nan)
        df[col] = _with_source(
            numeric_column,
            pd.DataFrame({col: series}, index=df.index),
            col,
            where=where,
            src=src,
            fix=f"Map the text answers to codes with text_labels={{{col!r}: {{'10 - extremely likely': 10, ...}}}}, "
            "or export the survey with numeric codes.",
        )
    if has_recommend:
        lo, hi = recommend_scale
        _with_source(numeric_column, df, "recommend", where=where, low=lo, high=hi, integer=True, src=src)
        if df["recommend"].isna().all():
            raise CJMDataError(
                "The recommend score has no valid answer in any row.",
                column="recommend",
                source=src,
                fix="Check the column mapping and the missing-value codes.",
            )
    for col, scale in scales.items():
        low, high = scale if scale is not None else (None, None)
        _with_source(numeric_column, df, col, where=where, low=low, high=high, src=src)

    if "respondent_id" in df.columns:
        _require_present(df, "respondent_id", source=src, what="respondent id")
        df["respondent_id"] = _as_text(df["respondent_id"], column="respondent_id", source=src)
        _with_source(require_unique, df, "respondent_id", where=where, src=src)
        made_ids = False
    else:
        df.insert(0, "respondent_id", ["R" + str(i) for i in range(1, len(df) + 1)])
        made_ids = True
    if "customer_id" in df.columns:
        df["customer_id"] = _as_text(df["customer_id"], column="customer_id", source=src)
    if "date" in df.columns:
        df["date"] = parse_timestamps(df["date"], column="date", source=src, timezone=timezone)
    weighted = "weight" in df.columns
    if weighted:
        try:
            df["weight"] = _with_source(positive_weights, df, "weight", where=where, normalise=False, src=src)
        except CJMDataError as err:
            if "weight" in rename.values():
                raise
            weighted = False
            warnings.warn(
                f"In {src}: the column 'weight' is not used as the survey weight, because {err.problem} "
                f"({', '.join(map(str, err.rows[:5]))}). It is loaded as an ordinary column. Fix: complete or "
                "recompute the weights and map the column explicitly (columns={'weight': 'weight'}) to weight "
                "by it.",
                CJMDataWarning,
                stacklevel=2,
            )
    if "duration" in df.columns:
        dur = _with_source(numeric_column, df, "duration", where=where, low=0, src=src)
        df["duration"] = dur.to_numpy()
    if "comment" in df.columns:
        df["comment"] = df["comment"].astype("str")
    if "wave" in df.columns:
        _measures.wave_column(df, meta, source=src)
    keep_numeric = {
        "recommend",
        "duration",
        "wave",
        "date",
        "respondent_id",
        "customer_id",
        *scales,
        *_kept_numeric(meta, overrides),
    }
    if weighted:
        keep_numeric.add("weight")
    loaded, stray, blanked = _measures.apply_measures(
        df,
        meta,
        keep_numeric=keep_numeric,
        mode=value_labels,
        overrides=overrides,
        unlabelled=unlabelled,
        applied_dk={c: [d for d in v if d["applied"]] for c, v in detected.items()},
        source=src,
    )
    _measures.warn_stray(df, undeclared, loaded, src)
    for col, n in blanked.items():
        applied[col] = applied.get(col, 0) + n
    roles = dict(rename)
    return _finish(
        df,
        meta,
        table="survey",
        rename=roles,
        ratings=list(scales),
        scales={c: list(s) if s else None for c, s in scales.items()},
        recommend_scale=list(recommend_scale) if has_recommend else None,
        missing_codes_applied=applied,
        missing_code_counts={c: v for c, v in per_code.items() if v},
        respondent_id_created=made_ids,
        weighted=weighted,
        categorical_from_labels=[c for c, v in loaded.items() if v in ("categorical", "ordinal")],
        loaded_as=_loaded_as(df),
        detected_missing=detected,
        unlabelled_codes=stray,
        measure_overrides=overrides,
    )


# --------------------------------------------------------------------------- customers


def _blank_codes(df: pd.DataFrame, col: str, codes: Sequence[Any], counts: dict[str, int] | None = None) -> int:
    """Make ``codes`` missing in ``df[col]``; return how many cells it changed (``counts`` gets them per code).

    A value matches as read or as text, so the code ``999`` also finds ``"999"`` in a text
    column (and ``"999"`` finds ``999``).  A categorical loses the categories it masked.
    """
    codes = [c for c in codes if not pd.isna(c)]
    if not codes:
        return 0
    series = df[col]
    texts = [_code_text(c) for c in codes]
    hit = series.isin(codes)
    if not (pd.api.types.is_numeric_dtype(series.dtype) and all(isinstance(c, (int, float, np.number)) for c in codes)):
        hit = hit | _as_text(series).isin(texts).fillna(False)  # 999 also finds "999", and "999" finds 999
    hit = hit.to_numpy(dtype=bool) & series.notna().to_numpy()
    n = int(hit.sum())
    if not n:
        return 0
    if counts is not None:
        code_counts(series, hit, into=counts)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories.to_series()
        masked = cats[cats.isin(codes) | _as_text(cats).isin(texts).fillna(False)]
        df[col] = series.cat.remove_categories(list(masked))  # their values become missing with them
    else:
        df[col] = series.where(~hit)
    return n


@validate_params({"create_ids": [BOOLEAN]})
def load_customers(
    source: Source,
    *,
    columns: Columns = None,
    ordinal: Mapping[str, Sequence[Any]] | None = None,
    missing_values: Sequence[Any] | None = None,
    missing_codes: Mapping[str, Sequence[Any]] | None = None,
    missing: str | None = None,
    missing_labels: Sequence[str] | None = None,
    measure: Mapping[str, str] | None = None,
    unlabelled: str | None = None,
    multiple_response: Mapping[str, Any] | None = None,
    codebook: Any = None,
    value_labels: str | None = None,
    create_ids: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Load and validate customer attributes (one row per customer).

    Parameters
    ----------
    source : path or DataFrame
    columns : dict or path, optional
        Mapping of your id column to ``customer_id``.
    ordinal : dict, optional
        Ordered levels of ordinal columns, e.g. ``{"income_band": ["low", "middle", "high"]}``;
        they become ordered categoricals (a value outside the levels raises).
    missing_values : list or scalar, optional
        Values that mean "no answer" in any column but the id, e.g. ``["unknown"]`` (a
        single value such as ``"unknown"`` is a list of one); they become missing before
        ``ordinal`` levels are checked.
    missing_codes : dict, optional
        Codes that mean "no answer" per column (or pattern such as ``"Q11_*"``), e.g.
        ``{"pdays": [999]}``; never the id.  Values match as read or as text (``999``
        also finds ``"999"`` in a text column); a categorical loses the masked categories.
        How many cells each column lost is recorded in
        ``table_metadata(df)["missing_codes_applied"]`` (with codes the SPSS file declares
        missing) and ``["missing_values_applied"]``.
    missing, missing_labels, measure, unlabelled, multiple_response, codebook : optional
        Undeclared "don't know" codes, measure levels, codes without a label,
        multiple-response sets and a codebook, as in :func:`load_survey`.
    value_labels : {"auto", "codes", "labels"}, optional
        SPSS value labels, as in :func:`load_survey` (nominal variables become unordered,
        ordinal ones ordered categoricals of their labels).
    create_ids : bool, default False
        For a file without any id column (such as the UCI bank-marketing sample), make
        ``customer_id`` as ``C1``, ``C2``, … from the row order.  Ids made this way link to
        no other table.

    Returns
    -------
    DataFrame
        ``customer_id`` as text and unique; other columns as read.

    Raises
    ------
    CJMDataError
        Missing or duplicate ids, a column named in ``ordinal`` or ``missing_codes`` that
        the data lacks, values outside the ``ordinal`` levels.
    CJMConfigError
        ``missing_codes`` that is not a mapping or names the id column.

    Examples
    --------
    >>> cu = load_customers(pd.DataFrame({"id": [1, 2], "income": ["low", "high"]}),
    ...                     columns={"id": "customer_id"},
    ...                     ordinal={"income": ["low", "middle", "high"]})
    >>> cu["customer_id"].tolist(), cu["income"].cat.ordered
    (['1', '2'], True)
    >>> cu = load_customers(pd.DataFrame({"customer_id": ["a", "b"], "job": ["admin", "unknown"],
    ...                                   "pdays": [3, 999]}),
    ...                    missing_values=["unknown"], missing_codes={"pdays": [999]})
    >>> cu["job"].isna().tolist(), cu["pdays"].isna().tolist()
    ([False, True], [False, True])
    """
    df, meta, rename, options = _prepare(
        source,
        columns,
        table="customers",
        read_options={"encoding": encoding, "delimiter": delimiter, "sheet": sheet},
        create=("customer_id", "C") if _option(create_ids, {}, "", False) else None,
    )
    src = meta.source
    # options may name the file's columns: they follow the columns= mapping to the roles
    ordinal = dict(_by_role(_option(ordinal, options, "ordinal", {}), rename) or {})
    value_labels = _option(value_labels, options, "value_labels", "auto")
    missing = _option(missing, options, "missing", "detect")
    missing_labels = _option(missing_labels, options, "missing_labels", None)
    measure = _by_role(_option(measure, options, "measure", None), rename)
    unlabelled = _option(unlabelled, options, "unlabelled", "keep")
    multiple_response = _sets_by_role(_option(multiple_response, options, "multiple_response", None), rename)
    codebook = _option(codebook, options, "codebook", None)
    check_params(
        {"missing": missing, "unlabelled": unlabelled, "value_labels": value_labels},
        _measures.MODES,
        where="load_customers()",
    )
    _measures.merge_codebook(meta, codebook, list(df.columns), rename)
    _user_sets(meta, multiple_response, list(df.columns), src)
    overrides = _measures.measure_overrides(measure, [c for c in df.columns if c != "customer_id"], source=src)
    _require_present(df, "customer_id", source=src, what="customer id")
    df["customer_id"] = _as_text(df["customer_id"], column="customer_id", source=src)
    _with_source(require_unique, df, "customer_id", where="load_customers()", src=src)
    missing_values = _option(missing_values, options, "missing_values", None)
    missing_codes = _by_role(_option(missing_codes, options, "missing_codes", None), rename)
    if isinstance(missing_values, Mapping):
        raise CJMConfigError(
            "`missing_values` is a list of values that mean no answer in every column, e.g. "
            "['unknown']; per-column codes go into `missing_codes`, e.g. {'pdays': [999]}."
        )
    missing_values = _as_list(missing_values)
    if missing_codes is not None and not isinstance(missing_codes, Mapping):
        raise CJMConfigError(
            f"`missing_codes` must map columns (or patterns such as 'Q11_*') to their codes; got "
            f"{missing_codes!r}. Fix: pass a mapping such as {{'pdays': [999]}}; values that mean "
            "no answer in every column go into `missing_values`."
        )
    id_names = {"customer_id", *(user for user, role in rename.items() if role == "customer_id")}
    refused = [k for k in (missing_codes or {}) if str(k) in id_names]
    if refused:
        raise CJMConfigError(
            f"`missing_codes` names the id column {refused[0]!r}; ids are never made missing. "
            "Fix: remove it from `missing_codes` (a customer without an id cannot be loaded; drop "
            "such rows in the source)."
        )
    present = [c for c in df.columns if c != "customer_id"]  # patterns never reach the id either
    codes = _codes_by_column(missing_codes, present, src) if missing_codes else {}
    for what, values in [("missing_values", missing_values), *(("missing_codes", v) for v in codes.values())]:
        odd = [v for v in values if not pd.api.types.is_scalar(v)]
        if odd:
            raise CJMConfigError(
                f"`{what}` takes single values such as 999 or 'unknown', got {odd[0]!r}. Fix: list "
                "each code on its own, e.g. {'pdays': [998, 999]}."
            )
    applied = {rename.get(k, k): v for k, v in meta.read_options.get("spss_missing_applied", {}).items()}
    per_code = _spss_code_counts(meta, rename)
    applied_values: dict[str, int] = {}
    blanked: dict[str, list[Any]] = {}
    for col, col_codes in codes.items():  # declared by the user: no longer "undeclared" below
        meta.missing_codes[col] = list(meta.missing_codes.get(col, [])) + [
            c for c in col_codes if c not in meta.missing_codes.get(col, [])
        ]
    detected, dk_applied, undeclared = _measures.apply_missing(
        df, meta, mode=missing, phrases=missing_labels, skip={"customer_id"}, source=src
    )
    for col, n in dk_applied.items():
        applied[col] = applied.get(col, 0) + n
    _count_detected(per_code, detected)
    for col, col_codes in codes.items():  # a loop over columns; each is one vectorised mask
        hits = _blank_codes(df, col, col_codes, counts=per_code.setdefault(col, {}))
        if hits:
            applied[col] = applied.get(col, 0) + hits
            blanked.setdefault(col, []).extend(col_codes)
    if missing_values:
        for col in present:
            hits = _blank_codes(df, col, missing_values)
            if hits:
                applied_values[col] = hits
                blanked.setdefault(col, []).extend(missing_values)
    for col, levels in ordinal.items():
        if col not in df.columns:
            raise CJMDataError(
                f"`ordinal` names column {col!r}, which the data does not have.{suggest(col, df.columns)}",
                column=col,
                source=src,
                fix="Correct the name in `ordinal`.",
            )
        levels = [str(v) for v in levels]
        text = _as_text(df[col]).where(df[col].notna(), None)  # 1.0 (a Likert column with blanks) -> '1'
        outside = text.notna() & ~text.isin(levels)
        _bad(
            outside,
            df[col],
            "{n} value(s) in " + repr(col) + " are not among the levels " + str(levels) + ".",
            column=col,
            source=src,
            fix="Add the level to `ordinal` in its place, or recode the values.",
        )
        df[col] = pd.Categorical(text, categories=levels, ordered=True)
    loaded, stray, unlabelled_blanked = _measures.apply_measures(
        df,
        meta,
        keep_numeric={"customer_id", *ordinal, *_kept_numeric(meta, overrides)},
        mode=value_labels,
        overrides=overrides,
        unlabelled=unlabelled,
        applied_dk={c: [d for d in v if d["applied"]] for c, v in detected.items()},
        source=src,
    )
    _measures.warn_stray(df, undeclared, loaded, src)
    for col, n in unlabelled_blanked.items():
        applied[col] = applied.get(col, 0) + n
    return _finish(
        df,
        meta,
        table="customers",
        rename=rename,
        ordinal={k: list(map(str, v)) for k, v in ordinal.items()},
        categorical_from_labels=[c for c, v in loaded.items() if v in ("categorical", "ordinal")],
        missing_codes_applied=applied,
        missing_code_counts={c: v for c, v in per_code.items() if v},
        missing_values_applied=applied_values,
        loaded_as=_loaded_as(df),
        detected_missing=detected,
        unlabelled_codes=stray,
        measure_overrides=overrides,
    )


# --------------------------------------------------------------------------- overview


@validate_params({})
def describe_tables(**tables: pd.DataFrame) -> pd.DataFrame:
    """One row per loaded table: rows, columns, customers, period and missing cells.

    Parameters
    ----------
    **tables : DataFrame
        Tables by name, e.g. ``events=ev, survey=sv``.

    Returns
    -------
    DataFrame
        ``table, source, rows, columns, customers, first, last, missing_pct``; ``first``
        and ``last`` come from ``timestamp`` (events) or ``date`` (survey).

    Examples
    --------
    >>> cu = load_customers(pd.DataFrame({"customer_id": ["a", "b"], "age": [30, None]}))
    >>> describe_tables(customers=cu)[["table", "rows", "customers", "missing_pct"]]
           table  rows  customers  missing_pct
    0  customers     2          2         25.0
    """
    if not tables:
        raise CJMConfigError("describe_tables() needs at least one table, e.g. describe_tables(events=ev).")
    rows = []
    for name, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise CJMConfigError(f"describe_tables(): {name!r} must be a DataFrame, got {type(df).__name__}.")
        when = "timestamp" if "timestamp" in df.columns else "date" if "date" in df.columns else None
        rows.append(
            {
                "table": name,
                "source": table_metadata(df).get("source", "DataFrame"),
                "rows": len(df),
                "columns": df.shape[1],
                "customers": int(df["customer_id"].nunique()) if "customer_id" in df.columns else None,
                "first": df[when].min() if when else None,
                "last": df[when].max() if when else None,
                "missing_pct": float(df.isna().to_numpy().mean() * 100) if df.size else 0.0,
            }
        )
    return pd.DataFrame(rows)

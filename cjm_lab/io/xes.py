"""XES event logs (IEEE 1849), read as a stream and written back.

XES is the exchange format of process mining: a ``<log>`` of ``<trace>`` elements (one
per case), each with typed attributes (``<string key=... value=...>``, ``<date>``,
``<int>``, ``<float>``, ``<boolean>``, ``<id>``) and ``<event>`` elements carrying their
own attributes.  :func:`read_xes` flattens a log into one row per event, the way the
public logs are shared as CSV: event attributes keep their keys (``concept:name``,
``time:timestamp``, ``lifecycle:transition``, ``org:resource``), trace attributes get the
prefix ``case:`` (``case:concept:name`` is the case id).  The file is parsed as a stream
(``iterparse``), one trace at a time, with :mod:`defusedxml` (no entity expansion, no
external references), so a log from elsewhere cannot make the parser fetch or expand
anything.  pm4py (AGPL) is not used.

Nested attributes (attributes inside an attribute, ``<list>`` and ``<container>``) keep
the value of their outer attribute; their children are left out.  ``<global>`` default
values are not filled in: an event without an attribute has a missing value, as in the
file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from cjm_lab._params import validate_params
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["read_xes", "write_xes", "XES_COLUMNS", "is_xes"]

#: The XES attribute of each event role: how :func:`cjm_lab.io.load_events` maps an XES log by default.
XES_COLUMNS = {"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}


def is_xes(path: str | os.PathLike) -> bool:
    """Whether a file name ends in ``.xes`` (or ``.xes.gz``, ``.xes.bz2``, ``.xes.xz``).

    Examples
    --------
    >>> is_xes("BPI_Challenge_2012.xes.gz"), is_xes("events.csv")
    (True, False)
    """
    suffixes = [s.lower() for s in Path(os.fspath(path)).suffixes]
    while suffixes and suffixes[-1] in (".gz", ".bz2", ".xz"):
        suffixes.pop()
    return bool(suffixes) and suffixes[-1] == ".xes"


def _open(path: Path) -> Any:
    """The file read-only as a binary stream, decompressed by its suffix (gzip, bz2, xz)."""
    import bz2
    import gzip
    import lzma

    openers: dict[str, Any] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    return openers.get(path.suffix.lower(), open)(path, "rb")


def _typed(values: Any, kind: str) -> pd.Series:
    """A column of attribute values (text as in the file) as the type the file declares."""
    raw = pd.Series(values, dtype="object")
    if kind == "int":
        num = pd.to_numeric(raw, errors="coerce")
        whole = num.dropna()
        return num.astype("Int64") if len(whole) and (whole == np.round(whole)).all() else num
    if kind == "float":
        return pd.to_numeric(raw, errors="coerce").astype(float)
    if kind == "boolean":
        low = raw.str.strip().str.lower()
        return low.map({"true": True, "false": False, "1": True, "0": False}).astype("boolean")
    # dates stay text here: load_events parses them (offsets kept, then UTC) with its checks; text is
    # pandas' string type, as read_csv gives it
    return raw.astype("str")


@validate_params({})
def read_xes(path: str | os.PathLike) -> pd.DataFrame:
    """Read an XES event log (``.xes``, or compressed ``.xes.gz``) as one row per event.

    Parameters
    ----------
    path : path-like
        The XES file; gzip, bz2 and xz compression are read directly.

    Returns
    -------
    DataFrame
        One row per event in file order: first the trace attributes prefixed ``case:``
        (``case:concept:name`` is the case id), then the event attributes under their own
        keys (``concept:name``, ``time:timestamp`` as text, ``lifecycle:transition``,
        ``org:resource`` …).  ``int`` attributes become integers, ``float`` numbers,
        ``boolean`` booleans; an attribute declared with different types in the file stays
        text.  ``load_events`` turns the timestamps into UTC.

    Raises
    ------
    CJMDataError
        The file does not exist, is not XML, is not an XES log (no ``<log>``), holds no
        events, or uses what the safe parser refuses (entity declarations).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.xes"
    >>> _ = p.write_text('''<log xes.version="1.0"><trace><string key="concept:name" value="c1"/>
    ... <event><string key="concept:name" value="Register"/>
    ... <date key="time:timestamp" value="2025-03-01T10:00:00.000+01:00"/></event>
    ... <event><string key="concept:name" value="Approve"/><int key="cost" value="12"/>
    ... <date key="time:timestamp" value="2025-03-01T11:30:00.000+01:00"/></event></trace></log>''')
    >>> read_xes(p)
      case:concept:name concept:name                 time:timestamp  cost
    0                c1     Register  2025-03-01T10:00:00.000+01:00  <NA>
    1                c1      Approve  2025-03-01T11:30:00.000+01:00    12
    """
    text = os.fspath(path)
    file = Path(text)
    if not file.is_file():
        raise CJMDataError(f"The file {text!r} does not exist.", source=text, fix="Check the path.")
    # Column by column: per key the row numbers and values it has (rows without it stay missing), so
    # each attribute is appended once and the columns are assembled at the end without a loop.
    rows_of: dict[str, list[int]] = {}
    values_of: dict[str, list[Any]] = {}
    kinds: dict[str, set[str]] = {}
    n_rows = 0
    trace_rows: list[int] = []  # the rows of the current trace's events (all ended since the last trace)
    saw_log = False
    simple = {"string", "date", "int", "float", "boolean", "id"}

    def add(key: str, rows: list[int], value: Any, kind: str) -> None:
        if key not in rows_of:
            rows_of[key], values_of[key], kinds[key] = [], [], set()
        rows_of[key].extend(rows)
        values_of[key].extend([value] * len(rows))
        kinds[key].add(kind)

    try:
        with _open(file) as fh:
            root = None
            for _, elem in iterparse(fh, events=("end",)):
                root = elem  # the last element to end is the root
                tag = elem.tag
                if tag[0] == "{":
                    tag = tag[tag.rfind("}") + 1 :]
                if tag == "event":
                    # the event's own attributes are its direct children (nested values and <global>
                    # defaults are not: a <global> holds attributes, not events)
                    row = n_rows
                    n_rows += 1
                    trace_rows.append(row)
                    for child in elem:
                        ctag = child.tag
                        if ctag[0] == "{":
                            ctag = ctag[ctag.rfind("}") + 1 :]
                        if ctag in simple and "key" in child.attrib:
                            key = child.attrib["key"]
                            if key not in rows_of:
                                rows_of[key], values_of[key], kinds[key] = [], [], set()
                            rows_of[key].append(row)
                            values_of[key].append(child.attrib.get("value"))
                            kinds[key].add(ctag)
                    elem.clear()
                elif tag == "trace":
                    # one trace at a time: its attributes are complete once it has ended (they may follow
                    # its events)
                    for child in elem:
                        ctag = child.tag
                        if ctag[0] == "{":
                            ctag = ctag[ctag.rfind("}") + 1 :]
                        if ctag in simple and "key" in child.attrib:
                            add("case:" + child.attrib["key"], trace_rows, child.attrib.get("value"), ctag)
                    trace_rows = []
                    elem.clear()
            if root is not None:
                tag = root.tag
                saw_log = (tag[tag.rfind("}") + 1 :] if tag[0] == "{" else tag) == "log"
    except DefusedXmlException as err:
        raise CJMDataError(
            f"The XES file uses what a safe parser refuses ({type(err).__name__}: {err}).",
            source=text,
            fix="Export the log again without entity declarations (plain XES as ProM, Disco or Celonis write it).",
        ) from None
    except (ParseError, EOFError, OSError) as err:
        raise CJMDataError(
            f"The file is not a readable XES (XML) log: {err}.",
            source=text,
            fix="Check that the file is XES (an XML <log> of <trace> and <event> elements) and not truncated.",
        ) from None
    if not saw_log:
        raise CJMDataError(
            "The file is XML but no XES log (its root element is not <log>).",
            source=text,
            fix="Pass an XES event log, or read other XML with pandas.read_xml.",
        )
    if n_rows == 0:
        raise CJMDataError(
            "The XES log holds no events.", source=text, fix="Export the log again with its traces and events."
        )
    columns = {}
    for key, rows in rows_of.items():
        full = np.full(n_rows, None, dtype=object)
        full[np.asarray(rows, dtype=np.int64)] = np.asarray(values_of[key], dtype=object)
        columns[key] = full
    case_cols = [k for k in columns if k.startswith("case:")]
    order = [*case_cols, *[k for k in columns if not k.startswith("case:")]]
    data = {}
    for key in order:
        declared = kinds.get(key, {"string"})
        if len(declared) == 1:
            kind = next(iter(declared))
        elif declared <= {"int", "float"}:
            kind = "float"
        else:
            kind = "string"
        data[key] = _typed(columns[key], kind)
    frame = pd.DataFrame(data)
    frame.attrs = {"cjm": {"source": text, "format": "xes"}}
    return frame


#: Characters XML 1.0 does not allow (control characters other than tab, newline, carriage return).
_INVALID = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _escape(text: pd.Series) -> pd.Series:
    """Attribute values quoted for XML, vectorised (as ``xml.sax.saxutils.quoteattr`` with double quotes)."""
    out = text.str.replace(_INVALID, "", regex=True)
    for char, entity in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ('"', "&quot;"),
        ("\n", "&#10;"),
        ("\r", "&#13;"),
        ("\t", "&#9;"),
    ):
        out = out.str.replace(char, entity, regex=False)
    return '"' + out + '"'


def _attribute_xml(key: str, values: pd.Series) -> pd.Series:
    """``<type key="..." value="..."/>`` per row (empty where the value is missing), vectorised."""
    dtype = values.dtype
    missing = values.isna()
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.to_datetime(values, utc=True)
        text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"
        kind = "date"
    elif pd.api.types.is_bool_dtype(dtype):
        text = values.map({True: "true", False: "false"})
        kind = "boolean"
    elif pd.api.types.is_integer_dtype(dtype):
        text = values.astype("string")
        kind = "int"
    elif pd.api.types.is_float_dtype(dtype):
        text = values.map(repr)
        kind = "float"
    else:
        text = values.astype("string")
        kind = "string"
    out = f"<{kind} key={quoteattr(key)} value=" + _escape(text.astype("string")) + "/>"
    return out.where(~missing, "").astype("object").fillna("")


@validate_params({"case": [str]})
def write_xes(
    events: pd.DataFrame,
    path: str | os.PathLike,
    *,
    case: str = "case:concept:name",
    case_attributes: Iterable[str] | None = None,
) -> Path:
    """Write an event table as an XES log (one trace per case, events in table order).

    Parameters
    ----------
    events : DataFrame
        One row per event.  Every column becomes an attribute of its type (text
        ``string``, whole numbers ``int``, other numbers ``float``, booleans ``boolean``,
        datetimes ``date`` in UTC); missing values are left out.
    path : path-like
        The new file (``.xes``; ``.xes.gz`` is written compressed).  An existing file is
        never overwritten.
    case : str, default "case:concept:name"
        The case id column; it becomes the trace's ``concept:name``.
    case_attributes : list of str, optional
        Further columns that belong to the trace (default: the columns named ``case:…``);
        their first value per case is written, without the ``case:`` prefix.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    CJMConfigError
        The file exists already, or ``case`` is not a column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> ev = pd.DataFrame({"case:concept:name": ["c1", "c1"], "concept:name": ["Register", "Approve"],
    ...                    "time:timestamp": pd.to_datetime(["2025-03-01 09:00", "2025-03-01 10:30"], utc=True)})
    >>> p = write_xes(ev, pathlib.Path(tempfile.mkdtemp()) / "log.xes")
    >>> read_xes(p)["concept:name"].tolist()
    ['Register', 'Approve']
    """
    import gzip

    if not isinstance(events, pd.DataFrame) or case not in events.columns:
        raise CJMConfigError(
            f"write_xes(): `events` must be a DataFrame with the case column {case!r}. "
            "Fix: pass case= with the column of the case (journey) id."
        )
    target = Path(os.fspath(path))
    if target.exists():
        raise CJMConfigError(
            f"write_xes(): {str(target)!r} exists already; cjm-lab never overwrites a file. Fix: pass a new path."
        )
    trace_cols = (
        [c for c in events.columns if str(c).startswith("case:") and c != case]
        if case_attributes is None
        else [c for c in case_attributes if c != case]
    )
    missing = [c for c in trace_cols if c not in events.columns]
    if missing:
        raise CJMConfigError(f"write_xes(): `case_attributes` names columns the table lacks: {missing!r}.")
    event_cols = [c for c in events.columns if c != case and c not in trace_cols]
    ids = events[case].astype("string")
    if ids.isna().any():
        raise CJMConfigError(f"write_xes(): the case column {case!r} has missing ids. Fix: fill or drop those rows.")
    body = pd.Series("", index=events.index, dtype="object")
    for col in event_cols:
        body = body + _attribute_xml(str(col), events[col])
    event_xml = "<event>" + body + "</event>\n"
    codes, uniques = pd.factorize(ids, sort=False)
    order = np.argsort(codes, kind="stable")
    firsts = events.iloc[order].groupby(codes[order], sort=True).head(1)
    head = pd.Series(
        _attribute_xml("concept:name", pd.Series(np.asarray(uniques, dtype=object))).to_numpy(), dtype="object"
    )
    for col in trace_cols:
        key = str(col).removeprefix("case:")
        head = head + _attribute_xml(key, firsts[col].reset_index(drop=True)).to_numpy()
    grouped = pd.Series(event_xml.to_numpy()[order]).groupby(codes[order], sort=True).agg("".join)
    traces = "<trace>" + head + "\n" + grouped.reset_index(drop=True) + "</trace>\n"
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">\n'
        '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        '<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
        '<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
        + "".join(traces.tolist())
        + "</log>\n"
    )
    data = text.encode("utf-8")
    opener = gzip.open if target.suffix.lower() == ".gz" else open
    with opener(target, "xb") as fh:  # "x": never overwrite
        fh.write(data)
    return target

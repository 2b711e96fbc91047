"""Read a table from any file a researcher brings: CSV, Parquet, Excel, SPSS.

:func:`read_table` returns the raw table and its metadata (variable labels,
value labels, missing-value codes, how the file was read).  It never writes to
the file: every file is opened read-only.
"""

from __future__ import annotations

import bz2
import csv
import glob
import gzip
import io
import lzma
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pandas._libs.parsers import STR_NA_VALUES

from cjm_lab._params import validate_params
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["TableMeta", "read_table", "sniff_csv", "decide_encoding"]

_CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".dat"}
_COMPRESSIONS: dict[str, Any] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_SNIFF_BYTES = 256 * 1024


@dataclass
class TableMeta:
    """What is known about a table besides its values.

    Attributes
    ----------
    source : str
        The file (or ``"DataFrame"``) the table came from.
    format : str
        ``csv``, ``qualtrics``, ``parquet``, ``excel``, ``spss``, ``xes`` or ``dataframe``.
    variable_labels : dict
        Column to its question text / label (SPSS, Qualtrics).
    value_labels : dict
        Column to ``{code: label}`` (SPSS).
    missing_codes : dict
        Column to the list of codes that were declared missing and set to NaN.
    read_options : dict
        How a CSV was read (encoding, delimiter, decimal), for the run record.
    measure_levels : dict
        Column to its SPSS measure level: ``nominal``, ``ordinal`` or ``scale``.
    multiple_response_sets : dict
        Set name to ``{"label", "kind", "counted", "variables"}`` (see
        :func:`cjm_lab.io.multiple_response_sets`).
    extra : dict
        Further per-table entries carried from an earlier load (``detected_missing``, …).
    """

    source: str = "DataFrame"
    format: str = "dataframe"
    variable_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    missing_codes: dict[str, list[Any]] = field(default_factory=dict)
    read_options: dict[str, Any] = field(default_factory=dict)
    measure_levels: dict[str, str] = field(default_factory=dict)
    multiple_response_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A plain dict (stored in ``DataFrame.attrs["cjm"]``)."""
        out = dict(self.extra)
        out.update(
            {
                "source": self.source,
                "format": self.format,
                "variable_labels": dict(self.variable_labels),
                "value_labels": {k: dict(v) for k, v in self.value_labels.items()},
                "missing_codes": {k: list(v) for k, v in self.missing_codes.items()},
                "measure_levels": dict(self.measure_levels),
                "multiple_response_sets": {k: dict(v) for k, v in self.multiple_response_sets.items()},
                "read_options": dict(self.read_options),
            }
        )
        return out


def open_binary(path: Path):
    """Open a (possibly compressed) file read-only as a binary stream."""
    suffix = path.suffix.lower()
    if suffix in _COMPRESSIONS:
        return _COMPRESSIONS[suffix](path, "rb")
    if suffix == ".zip":
        with zipfile.ZipFile(path, "r") as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise CJMDataError(
                    f"The zip archive holds {len(names)} files; cjm-lab reads a zip with exactly one table.",
                    source=str(path),
                    fix="Unpack the archive and pass the table's file.",
                )
            return io.BytesIO(zf.read(names[0]))
    return open(path, "rb")


def _inner_suffix(path: Path) -> str:
    """``events.csv.gz`` -> ``.csv``."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in (*_COMPRESSIONS, ".zip"):
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


_UTF8_TEXT = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SCAN_BLOCK = 8 * 1024 * 1024


@validate_params({})
def decide_encoding(path: str | os.PathLike) -> tuple[str, str]:
    r"""Decide the encoding of a text file from *all* its bytes, never from a sample.

    A file whose every line is valid UTF-8 is UTF-8 (a BOM says UTF-8 or UTF-16 by itself).
    A file with bytes that are no UTF-8 and no line of UTF-8 text (an accented letter
    written as two bytes) is Windows-1252, as German Excel writes it (latin-1 when it holds
    one of the five bytes cp1252 does not define).  A file with both — UTF-8 lines *and*
    lines that are not UTF-8, as when rows from two exports were pasted together — has no
    single encoding: decoding it either way would garble part of it silently, so it is
    refused, naming lines of each kind.

    Parameters
    ----------
    path : path-like
        The file (``.gz``/``.bz2``/``.xz``/``.zip`` are read through).

    Returns
    -------
    (str, str)
        The encoding and a sentence saying why, for the run record.

    Raises
    ------
    CJMDataError
        The file mixes UTF-8 and another encoding.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("Kunde;Ort\nMüller;Köln\n".encode("cp1252"))
    >>> decide_encoding(p)[0]
    'cp1252'
    """
    path = Path(path)
    with open_binary(path) as fh:
        head = fh.read(4)
        if head.startswith(b"\xef\xbb\xbf"):
            return "utf-8-sig", "a UTF-8 byte-order mark"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16", "a UTF-16 byte-order mark"
        bad_lines: list[int] = []
        n_bad = 0
        utf8_lines: list[int] = []
        not_cp1252 = False
        line = 1  # the 1-based number of the first line of ``block``
        rest = head
        while True:
            chunk = fh.read(_SCAN_BLOCK)
            data = rest + chunk
            if chunk:
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # no line end yet: keep reading
                    rest = data
                    continue
                block, rest = data[:cut], data[cut:]
            else:
                block, rest = data, b""
            if not block:
                break
            not_cp1252 = not_cp1252 or bool(_NOT_CP1252.search(block))
            try:
                block.decode("utf-8")
                if len(utf8_lines) < 5 and _UTF8_TEXT.search(block):
                    for i, raw_line in enumerate(block.split(b"\n")):
                        if _UTF8_TEXT.search(raw_line) and len(utf8_lines) < 5:
                            utf8_lines.append(line + i)
            except UnicodeDecodeError:
                for i, raw_line in enumerate(block.split(b"\n")):
                    try:
                        raw_line.decode("utf-8")
                    except UnicodeDecodeError:
                        n_bad += 1
                        if len(bad_lines) < 5:
                            bad_lines.append(line + i)
                    else:
                        if len(utf8_lines) < 5 and _UTF8_TEXT.search(raw_line):
                            utf8_lines.append(line + i)
            line += block.count(b"\n")
            if not chunk:
                break
    if not n_bad:
        return "utf-8", "every line is valid UTF-8"
    lines = ", ".join(map(str, bad_lines)) + (f" and {n_bad - len(bad_lines)} more" if n_bad > len(bad_lines) else "")
    if utf8_lines:
        raise CJMDataError(
            f"The file mixes two text encodings: line(s) {', '.join(map(str, utf8_lines))} hold UTF-8 text, "
            f"line(s) {lines} hold bytes that are not UTF-8 (Windows-1252/latin-1, as German Excel writes). "
            "Read either way, part of the text would be garbled without a word.",
            source=str(path),
            fix="Save the file again in one encoding (UTF-8), e.g. re-export it or open it in an editor and save "
            "as UTF-8; or, if the garbled lines do not matter, pass encoding='utf-8' or encoding='cp1252' "
            "explicitly (bytes that encoding cannot decode are then reported).",
        )
    encoding = "latin-1" if not_cp1252 else "cp1252"
    return encoding, f"no line is UTF-8 text and line(s) {lines} are not UTF-8"


_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")


@validate_params({})
def sniff_csv(path: str | os.PathLike, *, encoding: str | None = None) -> dict[str, Any]:
    r"""Guess encoding, delimiter, decimal mark and Qualtrics layout of a CSV file.

    Parameters
    ----------
    path : path-like
        A ``.csv``/``.txt``/``.tsv`` file, optionally ``.gz``/``.bz2``/``.xz``/``.zip``.
    encoding : str, optional
        The file's encoding when the caller knows it (then not decided from the bytes).

    Returns
    -------
    dict
        ``encoding`` (decided from the whole file by :func:`decide_encoding`),
        ``encoding_reason``, ``delimiter``, ``decimal``, ``thousands`` and ``qualtrics`` (bool).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "umfrage.csv"
    >>> _ = p.write_bytes("Kunde;Umsatz\nMüller;12,5\n".encode("cp1252"))
    >>> opts = sniff_csv(p)
    >>> (opts["encoding"], opts["delimiter"], opts["decimal"])
    ('cp1252', ';', ',')
    """
    path = Path(path)
    with open_binary(path) as fh:
        raw = fh.read(_SNIFF_BYTES)
    if not raw.strip():
        raise CJMDataError(
            "The file is empty.", source=str(path), fix="Export the table again; the file has no content."
        )
    if encoding:
        reason = "given by the caller"
    else:
        encoding, reason = decide_encoding(path)
    text = raw.decode("utf-16" if encoding == "utf-16" else encoding, errors="replace")
    if encoding == "utf-8-sig":
        text = text.lstrip("\ufeff")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(raw) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    sample = "\n".join(lines[:200])
    delimiter = _sniff_delimiter(sample)
    decimal, thousands = ".", None
    if delimiter != ",":
        cells = [c.strip().strip('"') for ln in lines[1:200] for c in ln.split(delimiter)]
        numeric_like = [c for c in cells if re.fullmatch(r"-?[\d.,]+", c)]
        comma = [c for c in numeric_like if _DECIMAL_COMMA.match(c)]
        if numeric_like and comma and len(comma) >= 0.2 * len(numeric_like):
            decimal = ","
            if any("." in c for c in comma):
                thousands = "."
    qualtrics = _looks_like_qualtrics(lines, delimiter)
    return {
        "encoding": encoding,
        "encoding_reason": reason,
        "delimiter": delimiter,
        "decimal": decimal,
        "thousands": thousands,
        "qualtrics": qualtrics,
    }


def _sniff_delimiter(sample: str) -> str:
    candidates = [",", ";", "\t", "|"]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters="".join(candidates))
        if dialect.delimiter in candidates:
            return dialect.delimiter
    except csv.Error:
        pass
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in candidates}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _looks_like_qualtrics(lines: list[str], delimiter: str) -> bool:
    if len(lines) < 3:
        return False
    try:
        third = next(csv.reader([lines[2]], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return bool(third) and third[0].strip().startswith('{"ImportId"')


def _read_csv(
    path: Path, options: dict[str, Any] | None, text_columns: Sequence[str] = ()
) -> tuple[pd.DataFrame, TableMeta]:
    options = {k: v for k, v in (options or {}).items() if v is not None}
    sniffed = sniff_csv(path, encoding=options.get("encoding"))
    sniffed.update(options)
    kwargs: dict[str, Any] = {
        "sep": sniffed["delimiter"],
        "decimal": sniffed["decimal"],
        "thousands": sniffed["thousands"],
        "encoding": sniffed["encoding"],
        "low_memory": False,
    }
    meta = TableMeta(source=str(path), format="csv", read_options=dict(sniffed))
    skip: list[int] = []
    if sniffed["qualtrics"]:
        meta.format = "qualtrics"
        skip = [1, 2]
    header: list[Any] = []
    try:
        header = _csv_header(path, kwargs)
        text = _text_options(header, text_columns)
        meta.read_options["text_columns"] = sorted(text["dtype"])
        with open_binary(path) as fh, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: a first row with one field more than the header never becomes the index
            df = pd.read_csv(fh, skiprows=skip, index_col=False, **kwargs, **text)
        if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
            _check_records(path, kwargs, len(header))
    except pd.errors.EmptyDataError as err:
        raise CJMDataError("The file is empty.", source=str(path), fix="Export the table again.") from err
    except UnicodeDecodeError as err:
        raise CJMDataError(
            f"The file cannot be decoded as {kwargs['encoding']!r} ({err.reason} at byte {err.start}).",
            source=str(path),
            fix="Pass the file's real encoding, e.g. encoding='cp1252' (German Excel) or 'utf-8', or leave "
            "`encoding` out to let cjm-lab decide from the whole file.",
        ) from None
    except pd.errors.ParserError as err:
        _check_records(path, kwargs, len(header))  # an unbalanced quote or a long row is named by its line
        raise CJMDataError(
            f"The file could not be read as a table with delimiter {sniffed['delimiter']!r}: {err}",
            source=str(path),
            fix="Check the delimiter (pass delimiter=';' or ','), quoting and line breaks of the export.",
        ) from err
    if _has_line_breaks(df):  # a quoted field over several lines: legitimate, or swallowed rows
        _check_records(path, kwargs, len(header))
    if kwargs["thousands"]:
        df = _undo_loose_thousands(path, df, skip, kwargs)
    df = _keep_leading_zeros(path, df, skip, kwargs)
    if sniffed["qualtrics"]:
        with open_binary(path) as fh:
            labels = pd.read_csv(fh, nrows=1, header=0, sep=sniffed["delimiter"], encoding=kwargs["encoding"])
        meta.variable_labels = {str(c): str(v) for c, v in labels.iloc[0].items() if isinstance(v, str) and v.strip()}
    return df, meta


#: What pandas reads as missing by default; text roles keep these as text ("NA" may be a touchpoint).
_DEFAULT_NA = tuple(sorted(STR_NA_VALUES))


def _text_options(header: Sequence[Any], text_columns: Sequence[str]) -> dict[str, Any]:
    """``read_csv``/``read_excel`` options that read ``text_columns`` as text from the start.

    Ids go through no float (``12345678901234567`` with one blank cell would otherwise become
    ``1.2345678901234568e16`` and collide with its neighbours) and keep their zeros; only an
    empty cell is missing there, while ``NA``, ``None``, ``null`` stay the text they are.
    Other columns keep pandas' missing-value words.
    """
    wanted = {str(c).strip() for c in text_columns}
    names = [c for c in header if isinstance(c, str) and c.strip() in wanted]
    if not names:
        return {"dtype": {}}
    return {
        "dtype": dict.fromkeys(names, str),
        "keep_default_na": False,
        "na_values": {c: ([""] if c in names else list(_DEFAULT_NA)) for c in header},
    }


def _csv_header(path: Path, kwargs: dict[str, Any]) -> list[Any]:
    """The header cells as pandas will name them; a repeated name is refused.

    pandas silently renames a repeated header ``a;a`` to ``a, a.1``.
    """
    with open_binary(path) as fh:
        first = pd.read_csv(fh, nrows=0, sep=kwargs["sep"], encoding=kwargs["encoding"])
    with open_binary(path) as fh:
        raw = pd.read_csv(fh, nrows=1, header=None, sep=kwargs["sep"], encoding=kwargs["encoding"], dtype=str)
    _refuse_duplicates(raw.iloc[0].tolist() if len(raw) else [], path)
    return list(first.columns)


def _refuse_duplicates(cells: Sequence[Any], path: Path) -> None:
    cols = [str(c).strip() for c in cells if isinstance(c, str)]
    dups = sorted({c for c in cols if cols.count(c) > 1})
    if dups:
        raise CJMDataError(
            f"The file has duplicated column names: {', '.join(map(repr, dups))}.",
            source=str(path),
            fix="Give every column a distinct name in the export.",
        )


def _has_line_breaks(df: pd.DataFrame) -> bool:
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype):
            if values.astype("str").str.contains("[\r\n]", regex=True, na=False).any():
                return True
    return False


def _check_records(path: Path, kwargs: dict[str, Any], n_columns: int) -> None:
    """Parse the file strictly (RFC 4180); an unbalanced quote or a row longer than the header
    is an error naming its line.

    pandas reads a quote that is never closed (or closed in the middle of a field) by gluing
    the following rows into one cell until the next quote: one stray ``"`` can swallow every
    later row without an error.  And a first row with one field more than the header would
    silently become the index, shifting every value one column to the left.  Here, after a
    closing quote there must be the delimiter or the line's end, every quote must be closed
    before the file ends, and no row may have more fields than the header.
    """
    encoding = kwargs["encoding"]
    with open_binary(path) as fh, io.TextIOWrapper(fh, encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=kwargs["sep"], quotechar='"', doublequote=True, strict=True)
        started = 1
        try:
            for record in reader:
                if n_columns and len(record) > n_columns and started > 1:
                    raise CJMDataError(
                        f"Line {started} has {len(record)} fields, the header only {n_columns}: its values "
                        "would shift into the wrong columns or be dropped.",
                        source=str(path),
                        fix="Give the extra field a column name in the header, remove the extra delimiter "
                        "(often one at the end of the line), or quote a text that holds the delimiter.",
                    )
                started = reader.line_num + 1
        except csv.Error as err:
            end = reader.line_num
            span = f"line {started}" if end <= started else f"lines {started} to {end}"
            raise CJMDataError(
                f'A quote (") is not closed properly in the record that starts on line {started} ({err}); '
                f"read as it is, {span} would run together into one row and rows would be lost.",
                source=str(path),
                fix='Quote the field the way CSV does: "like ""this""" (a quote inside a quoted field is '
                "doubled), or export the file again with proper quoting.",
            ) from None


def _unreadable(path: Path, err: BaseException) -> CJMDataError:
    if isinstance(err, PermissionError):
        return CJMDataError(
            "The file cannot be opened: permission denied.",
            source=str(path),
            fix="Give your user read permission on the file (cjm-lab only reads it), or copy it somewhere readable.",
        )
    return CJMDataError(
        f"The file could not be read ({type(err).__name__}: {err}); it is damaged or not what its name says.",
        source=str(path),
        fix="Export or download the file again; check that the name's ending (.csv.gz, .xlsx, .parquet) "
        "matches its content.",
    )


def _undo_loose_thousands(path: Path, df: pd.DataFrame, skip: list[int], kwargs: dict[str, Any]) -> pd.DataFrame:
    """Keep columns as text where pandas' ``thousands`` made numbers of things that are no numbers.

    pandas drops every thousands mark, so German dates such as ``01.03.2025`` would become the
    integer 1032025.  A column stays numeric only if all its cells are numbers with properly
    grouped thousands (``1.234,50``, ``12,00``, ``2025``).
    """
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c].dtype)]
    if not numeric:
        return df
    with open_binary(path) as fh:
        text = pd.read_csv(fh, skiprows=skip, dtype=str, **kwargs)
    t, d = re.escape(kwargs["thousands"]), re.escape(kwargs["decimal"])
    number = re.compile(rf"[+-]?(\d{{1,3}}({t}\d{{3}})+|\d+)({d}\d+)?")
    for col in numeric:
        cells = text[col].dropna().str.strip()
        if not cells.str.fullmatch(number).all():
            df[col] = text[col]
    return df


_LEADING_ZERO = re.compile(r"\s*[+-]?0\d")


def _keep_leading_zeros(path: Path, df: pd.DataFrame, skip: list[int], kwargs: dict[str, Any]) -> pd.DataFrame:
    """Keep zero-padded codes as written: ids ``0012345`` and postcodes ``01067`` are no numbers.

    pandas reads them as 12345 and 1067, which breaks joins with the same ids read as text
    elsewhere.  The first 10,000 rows are checked as text; a numeric column with a cell such as
    ``007`` is read again, as text, in full.
    """
    numeric = [
        c
        for c in df.columns
        if pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)
    ]
    if not numeric:
        return df
    options = {k: v for k, v in kwargs.items() if k not in ("low_memory",)}
    with open_binary(path) as fh:
        head = pd.read_csv(fh, skiprows=skip, usecols=numeric, dtype=str, nrows=10_000, **options)
    padded = [c for c in numeric if head[c].dropna().str.match(_LEADING_ZERO).any()]
    if padded:
        with open_binary(path) as fh:
            text = pd.read_csv(fh, skiprows=skip, usecols=padded, dtype=str, **options)
        for col in padded:
            df[col] = text[col].to_numpy()
    return df


#: SPSS print formats that hold dates or date-times (pyreadstat returns dates as Python objects).
_SPSS_DATE_FORMATS = ("DATE", "ADATE", "EDATE", "SDATE", "JDATE", "QYR", "MOYR", "WKYR", "DATETIME", "YMDHMS")


def _spss_dates(df: pd.DataFrame, types: dict[str, str]) -> list[str]:
    """SPSS dates and date-times as UTC timestamps (``datetime64[us, UTC]``); returns the columns."""
    converted = []
    for col, fmt in types.items():
        if col not in df.columns or not str(fmt).upper().startswith(_SPSS_DATE_FORMATS):
            continue
        values = df[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            continue
        stamps = pd.to_datetime(values, errors="coerce")
        if int(stamps.notna().sum()) != int(values.notna().sum()):
            continue  # not what the format says; leave the column as read
        df[col] = stamps.dt.tz_localize("UTC")  # SPSS stores no time zone: read as UTC
        converted.append(col)
    return converted


def _read_spss(path: Path) -> tuple[pd.DataFrame, TableMeta]:
    try:
        import pyreadstat
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise CJMConfigError("Reading SPSS files needs pyreadstat: pip install pyreadstat.") from err
    try:
        # One read with the user-missing codes as values, so we can count what each code removes.
        # (formats_as_ordered_category=True raises on labelled columns with missing values; the
        # measure levels are applied by the loaders from the metadata instead.)
        df, meta_raw = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    except pyreadstat.ReadstatError as err:
        raise CJMDataError(
            f"The SPSS file could not be read: {err}",
            source=str(path),
            fix="Check that it is a .sav/.zsav file saved by SPSS, PSPP or a survey tool.",
        ) from err
    from cjm_lab.io.metadata import code_counts

    missing: dict[str, list[Any]] = {}
    applied: dict[str, int] = {}
    per_code: dict[str, dict[str, int]] = {}
    for col, ranges in (getattr(meta_raw, "missing_ranges", None) or {}).items():
        if col not in df.columns:
            continue
        hit = pd.Series(False, index=df.index)
        values = pd.to_numeric(df[col], errors="coerce") if pd.api.types.is_numeric_dtype(df[col].dtype) else None
        for rng in ranges:
            lo, hi = rng.get("lo"), rng.get("hi")
            missing.setdefault(col, []).append(lo if lo == hi else [lo, hi])
            if values is not None:
                hit |= values.between(lo, hi)
            else:
                hit |= df[col].eq(lo)
        if hit.any():
            applied[col] = int(hit.sum())
            per_code[col] = code_counts(df[col], hit)  # each code on its own (detect_missing)
            df[col] = df[col].where(~hit)
    types = dict(getattr(meta_raw, "original_variable_types", None) or {})
    dates = _spss_dates(df, types)
    measures = {
        k: v
        for k, v in (getattr(meta_raw, "variable_measure", None) or {}).items()
        if v in ("nominal", "ordinal", "scale")
    }
    from cjm_lab.io.metadata import check_set, normalise_sets

    sets = normalise_sets(getattr(meta_raw, "mr_sets", None) or {}, where="the SPSS file")
    for name, spec in sets.items():
        check_set(name, spec, list(df.columns), where="The SPSS file", source=str(path))
    meta = TableMeta(
        source=str(path),
        format="spss",
        variable_labels={k: v for k, v in meta_raw.column_names_to_labels.items() if v},
        value_labels={k: dict(v) for k, v in meta_raw.variable_value_labels.items()},
        missing_codes=missing,
        measure_levels=measures,
        multiple_response_sets=sets,
        read_options={
            "file_encoding": getattr(meta_raw, "file_encoding", None),
            "spss_missing_applied": applied,
            "spss_missing_counts": per_code,
            "multiple_response_sets": getattr(meta_raw, "mr_sets", None) or {},
            "spss_formats": types,
            "dates_as_utc": dates,
        },
    )
    return df, meta


def _read_parquet(path: Path | list[Path], text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read Parquet; ``text_columns`` stored as numbers become text in Arrow, before pandas sees them
    (an int64 id column with a null would otherwise pass through float64 and lose digits).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = {str(c).strip() for c in text_columns}
    parts = path if isinstance(path, list) else [path]
    frames = []
    try:
        for part in parts:
            _refuse_duplicates(pq.read_schema(part).names, part)
            table = pq.read_table(part)
            names = table.column_names
            for i, name in enumerate(names):
                kind = table.schema.field(i).type
                if name.strip() in wanted and (pa.types.is_integer(kind) or pa.types.is_decimal(kind)):
                    table = table.set_column(i, name, pc.cast(table.column(i), pa.string()))
            frames.append(table.to_pandas())
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    except (OSError, ValueError, pa.ArrowException) as err:
        raise CJMDataError(
            f"The Parquet data could not be read: {err}",
            source=str(path),
            fix="Check that the file(s) are Parquet and share one schema.",
        ) from err


def _read_excel(path: Path, sheet: str | int | None, text_columns: Sequence[str]) -> pd.DataFrame:
    """Read one sheet; a repeated header is refused (pandas would rename it ``a.1``), text roles as text."""
    target = 0 if sheet is None else sheet
    try:
        raw = pd.read_excel(path, sheet_name=target, header=None, nrows=1, dtype=object)
        _refuse_duplicates([c for c in (raw.iloc[0].tolist() if len(raw) else []) if isinstance(c, str)], path)
        header = list(pd.read_excel(path, sheet_name=target, nrows=0).columns)
        return pd.read_excel(path, sheet_name=target, **_text_options(header, text_columns))
    except CJMDataError:
        raise
    except ValueError as err:
        if "sheet" in str(err).lower() or "worksheet" in str(err).lower():
            raise CJMDataError(
                f"The Excel sheet could not be read: {err}",
                source=str(path),
                fix="Pass sheet= with an existing sheet name.",
            ) from err
        raise _unreadable(path, err) from err
    except ImportError as err:
        raise CJMDataError(
            f"Reading {path.suffix} files needs a package that is not installed ({err}).",
            source=str(path),
            fix="Save the workbook as .xlsx (or CSV), or install the package pandas names (xlrd for .xls).",
        ) from err
    except Exception as err:  # openpyxl, xlrd and zipfile raise their own types for a damaged file
        raise _unreadable(path, err) from err


@validate_params({})
def read_table(
    source: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    text_columns: Sequence[str] = (),
) -> tuple[pd.DataFrame, TableMeta]:
    r"""Read a table from a file, read-only, and return it with its metadata.

    Parameters
    ----------
    source : path-like
        A CSV (any delimiter; UTF-8, UTF-8 with BOM, cp1252/latin-1 as German Excel
        writes them; decimal commas; ``.gz``/``.bz2``/``.xz``/``.zip``), a Qualtrics
        CSV export (three header rows), Parquet (a file, a folder of parts or a glob
        like ``"events/*.parquet"``), Excel (``.xlsx``/``.xlsm``/``.xls``), SPSS
        (``.sav``/``.zsav``) or an XES event log (``.xes``, ``.xes.gz``; see
        :func:`cjm_lab.io.read_xes`).
    sheet : str or int, optional
        The Excel sheet (default: the first).
    encoding, delimiter, decimal : str, optional
        Override what :func:`sniff_csv` guesses for a CSV.
    text_columns : list of str, optional
        Columns read as text from the start (ids, names): no number, no float round-trip,
        and only an empty cell is missing (``NA``, ``None``, ``null`` stay text).  Names the
        file lacks are ignored.  The loaders pass the columns of their text roles.

    Returns
    -------
    (DataFrame, TableMeta)
        The raw values (SPSS codes as numbers, SPSS dates as UTC timestamps) and what is
        known about them; the DataFrame carries the same metadata
        (:func:`cjm_lab.io.table_metadata`), so labels, measure levels and
        multiple-response sets travel with it.

    Raises
    ------
    CJMDataError
        The file does not exist, is empty, holds only a header, repeats a column name, mixes
        two text encodings, has an unbalanced quote (naming its line), is damaged, or cannot
        be parsed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b\n1,2\n")
    >>> df, meta = read_table(p)
    >>> df.shape, meta.format
    ((1, 2), 'csv')
    """
    text = os.fspath(source)
    if any(ch in text for ch in "*?[") and not Path(text).exists():
        parts = sorted(Path(p) for p in glob.glob(text))
        if not parts:
            raise CJMDataError(
                f"No file matches the pattern {text!r}.", source=text, fix="Check the folder and the pattern."
            )
        if all(p.suffix.lower() in {".parquet", ".pq"} for p in parts):
            df = _read_parquet(parts, text_columns)
            return _require_rows(df, TableMeta(source=text, format="parquet"))
        frames = [
            read_table(
                p, sheet=sheet, encoding=encoding, delimiter=delimiter, decimal=decimal, text_columns=text_columns
            )
            for p in parts
        ]
        df = pd.concat([f for f, _ in frames], ignore_index=True)
        return df, TableMeta(source=text, format=frames[0][1].format, read_options=frames[0][1].read_options)

    path = Path(text)
    if not path.exists():
        parent = path.parent if str(path.parent) else Path(".")
        near = ""
        if parent.is_dir():
            import difflib

            close = difflib.get_close_matches(path.name, [p.name for p in parent.iterdir()], n=1)
            near = f" Did you mean {str(parent / close[0])!r}?" if close else ""
        raise CJMDataError(
            f"The file {text!r} does not exist.{near}",
            source=text,
            fix="Check the path (relative paths start at the notebook's or shell's folder).",
        )
    if path.is_dir():
        parts = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".parquet", ".pq"})
        if not parts:
            raise CJMDataError(
                "The folder holds no Parquet files.", source=text, fix="Pass a file, or a folder of .parquet parts."
            )
        return _require_rows(_read_parquet(parts, text_columns), TableMeta(source=text, format="parquet"))
    if path.stat().st_size == 0:
        raise CJMDataError("The file is empty (0 bytes).", source=text, fix="Export the table again.")

    suffix = _inner_suffix(path)
    if suffix in _CSV_SUFFIXES or (suffix == "" and path.suffix.lower() in _COMPRESSIONS):
        try:
            df, meta = _read_csv(path, {"encoding": encoding, "delimiter": delimiter, "decimal": decimal}, text_columns)
        except (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile) as err:
            raise _unreadable(path, err) from err
    elif suffix in {".parquet", ".pq"}:
        df, meta = _read_parquet(path, text_columns), TableMeta(source=text, format="parquet")
        prior = _parquet_labels(path)  # a loaded table saved with to_parquet keeps its labels
        if prior is not None:
            meta = prior_meta(prior, source=text, fmt="parquet")
    elif suffix in {".xlsx", ".xlsm", ".xls"}:
        df = _read_excel(path, sheet, text_columns)
        meta = TableMeta(source=text, format="excel", read_options={"sheet": sheet})
    elif suffix in {".sav", ".zsav"}:
        df, meta = _read_spss(path)
    elif suffix == ".xes":
        from cjm_lab.io.xes import read_xes

        df, meta = read_xes(path), TableMeta(source=text, format="xes")
    else:
        raise CJMDataError(
            f"cjm-lab cannot read files ending in {suffix or path.suffix!r}.",
            source=text,
            fix="Save the table as CSV, Parquet, Excel (.xlsx), SPSS (.sav) or XES (.xes).",
        )
    return _require_rows(df, meta)


def _require_rows(df: pd.DataFrame, meta: TableMeta) -> tuple[pd.DataFrame, TableMeta]:
    if df.shape[1] == 0:
        raise CJMDataError("The file holds no columns.", source=meta.source, fix="Export the table again.")
    if len(df) == 0:
        raise CJMDataError(
            "The file holds only a header and no data rows.",
            source=meta.source,
            fix="Export the table again with its rows, or check the filter of the export.",
        )
    from cjm_lab.io.metadata import store_metadata

    store_metadata(df, meta.as_dict())  # the table carries its labels too (table_metadata(df))
    return df, meta


def prior_meta(prior: Mapping[str, Any], *, source: str | None = None, fmt: str | None = None) -> TableMeta:
    """The metadata of a table loaded before (a DataFrame's ``attrs``, or a Parquet file pandas wrote)."""
    named = {
        "source",
        "format",
        "variable_labels",
        "value_labels",
        "missing_codes",
        "read_options",
        "measure_levels",
        "multiple_response_sets",
    }
    return TableMeta(
        source=source or prior.get("source", "DataFrame"),
        format=fmt or prior.get("format", "dataframe"),
        variable_labels=dict(prior.get("variable_labels", {}) or {}),
        value_labels=dict(prior.get("value_labels", {}) or {}),
        missing_codes=dict(prior.get("missing_codes", {}) or {}),
        read_options=dict(prior.get("read_options", {}) or {}),
        measure_levels=dict(prior.get("measure_levels", {}) or {}),
        multiple_response_sets=dict(prior.get("multiple_response_sets", {}) or {}),
        extra={
            k: v
            for k, v in prior.items()
            if k not in named and k in ("detected_missing", "unlabelled_codes", "codebook", "loaded_as")
        },
    )


def _parquet_labels(path: Path) -> dict[str, Any] | None:
    """The cjm-lab metadata pandas wrote into a Parquet file with ``to_parquet`` (``df.attrs``), if any.

    JSON turned the codes of the value labels into text (``"1.0"``); they are numbers again.
    """
    import json

    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(b"PANDAS_ATTRS")
    if not raw:
        return None
    try:
        prior = json.loads(raw).get("cjm")
    except (ValueError, AttributeError):
        return None
    if not isinstance(prior, dict):
        return None

    def number(key: Any) -> Any:
        try:
            return float(key)
        except (TypeError, ValueError):
            return key

    prior["value_labels"] = {
        col: {number(k): v for k, v in (labels or {}).items()}
        for col, labels in (prior.get("value_labels") or {}).items()
    }
    return prior


def as_frame(source: Any, **read_options: Any) -> tuple[pd.DataFrame, TableMeta]:
    """A path is read with :func:`read_table`; a DataFrame is taken as it is (never modified)."""
    if isinstance(source, pd.DataFrame):
        meta = TableMeta()
        prior = source.attrs.get("cjm") if isinstance(source.attrs, dict) else None
        if isinstance(prior, dict):
            meta = prior_meta(prior)
        if len(source) == 0:
            raise CJMDataError("The DataFrame has no rows.", source="DataFrame", fix="Pass a table with data.")
        return source.copy(deep=True), meta
    if isinstance(source, (str, os.PathLike)):
        return read_table(source, **read_options)
    if isinstance(source, (io.IOBase,)):
        raise CJMConfigError("Pass a file path or a DataFrame, not an open file object.")
    raise CJMConfigError(
        f"Expected a file path or a pandas DataFrame, got {type(source).__name__}.",
    )

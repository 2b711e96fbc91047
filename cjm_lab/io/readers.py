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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["TableMeta", "read_table", "sniff_csv"]

_CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".dat"}
_COMPRESSIONS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_SNIFF_BYTES = 256 * 1024


@dataclass
class TableMeta:
    """What is known about a table besides its values.

    Attributes
    ----------
    source : str
        The file (or ``"DataFrame"``) the table came from.
    format : str
        ``csv``, ``qualtrics``, ``parquet``, ``excel``, ``spss`` or ``dataframe``.
    variable_labels : dict
        Column to its question text / label (SPSS, Qualtrics).
    value_labels : dict
        Column to ``{code: label}`` (SPSS).
    missing_codes : dict
        Column to the list of codes that were declared missing and set to NaN.
    read_options : dict
        How a CSV was read (encoding, delimiter, decimal), for the run record.
    """

    source: str = "DataFrame"
    format: str = "dataframe"
    variable_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    missing_codes: dict[str, list[Any]] = field(default_factory=dict)
    read_options: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A plain dict (stored in ``DataFrame.attrs["cjm"]``)."""
        return {
            "source": self.source,
            "format": self.format,
            "variable_labels": dict(self.variable_labels),
            "value_labels": {k: dict(v) for k, v in self.value_labels.items()},
            "missing_codes": {k: list(v) for k, v in self.missing_codes.items()},
            "read_options": dict(self.read_options),
        }


def _open_binary(path: Path):
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


def _decode_sample(raw: bytes) -> tuple[str, str]:
    """Guess the encoding of a byte sample: UTF-8 (with or without BOM), else cp1252/latin-1."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", raw.decode("utf-16", errors="replace")
    try:
        return "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError as err:
        # A cut multi-byte character at the end of the sample is still UTF-8.
        if err.start >= len(raw) - 3:
            return "utf-8", raw[: err.start].decode("utf-8")
    try:
        # German Excel writes Windows-1252 (a superset of latin-1's printable range).
        return "cp1252", raw.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", raw.decode("latin-1")


_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")


def sniff_csv(path: str | os.PathLike) -> dict[str, Any]:
    r"""Guess encoding, delimiter, decimal mark and Qualtrics layout of a CSV file.

    Parameters
    ----------
    path : path-like
        A ``.csv``/``.txt``/``.tsv`` file, optionally ``.gz``/``.bz2``/``.xz``/``.zip``.

    Returns
    -------
    dict
        ``encoding``, ``delimiter``, ``decimal``, ``thousands`` and ``qualtrics`` (bool).

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
    with _open_binary(path) as fh:
        raw = fh.read(_SNIFF_BYTES)
    if not raw.strip():
        raise CJMDataError(
            "The file is empty.", source=str(path), fix="Export the table again; the file has no content."
        )
    encoding, text = _decode_sample(raw)
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
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _looks_like_qualtrics(lines: list[str], delimiter: str) -> bool:
    if len(lines) < 3:
        return False
    try:
        third = next(csv.reader([lines[2]], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return bool(third) and third[0].strip().startswith('{"ImportId"')


def _read_csv(path: Path, options: dict[str, Any] | None) -> tuple[pd.DataFrame, TableMeta]:
    sniffed = sniff_csv(path)
    if options:
        sniffed.update({k: v for k, v in options.items() if v is not None})
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
    try:
        df = _read_csv_decoding(path, skip, kwargs, meta, explicit=bool(options and options.get("encoding")))
    except pd.errors.EmptyDataError as err:
        raise CJMDataError("The file is empty.", source=str(path), fix="Export the table again.") from err
    except pd.errors.ParserError as err:
        raise CJMDataError(
            f"The file could not be read as a table with delimiter {sniffed['delimiter']!r}: {err}",
            source=str(path),
            fix="Check the delimiter (pass delimiter=';' or ','), quoting and line breaks of the export.",
        ) from err
    if kwargs["thousands"]:
        df = _undo_loose_thousands(path, df, skip, kwargs)
    _check_header(path, kwargs)
    df = _keep_leading_zeros(path, df, skip, kwargs)
    if sniffed["qualtrics"]:
        with _open_binary(path) as fh:
            header = pd.read_csv(fh, nrows=1, header=0, sep=sniffed["delimiter"], encoding=kwargs["encoding"])
        meta.variable_labels = {str(c): str(v) for c, v in header.iloc[0].items() if isinstance(v, str) and v.strip()}
    return df, meta


def _read_csv_decoding(
    path: Path, skip: list[int], kwargs: dict[str, Any], meta: TableMeta, *, explicit: bool
) -> pd.DataFrame:
    """Read with the sniffed encoding, else cp1252, else latin-1 (which decodes any byte).

    A byte the sniffed sample did not show (after the first 256 KB) can still fail to decode;
    an encoding the user named is not second-guessed but reported.
    """
    tried = [kwargs["encoding"]] + ([] if explicit else [e for e in ("cp1252", "latin-1") if e != kwargs["encoding"]])
    for encoding in tried:
        kwargs["encoding"] = encoding
        meta.read_options["encoding"] = encoding
        try:
            with _open_binary(path) as fh:
                return pd.read_csv(fh, skiprows=skip, **kwargs)
        except UnicodeDecodeError as err:
            last = err
    raise CJMDataError(
        f"The file cannot be decoded as {kwargs['encoding']!r} ({last.reason} at byte {last.start}).",
        source=str(path),
        fix="Pass the file's real encoding, e.g. encoding='cp1252' (German Excel) or 'utf-8', or leave "
        "`encoding` out to let cjm-lab guess.",
    )


def _check_header(path: Path, kwargs: dict[str, Any]) -> None:
    """Pandas silently renames a repeated header ``a;a`` to ``a, a.1``: refuse it instead."""
    with _open_binary(path) as fh:
        first = pd.read_csv(fh, nrows=1, header=None, sep=kwargs["sep"], encoding=kwargs["encoding"], dtype=str)
    cols = [str(c).strip() for c in first.iloc[0].tolist() if isinstance(c, str)] if len(first) else []
    dups = sorted({c for c in cols if cols.count(c) > 1})
    if dups:
        raise CJMDataError(
            f"The file has duplicated column names: {', '.join(map(repr, dups))}.",
            source=str(path),
            fix="Give every column a distinct name in the export.",
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
    with _open_binary(path) as fh:
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
    with _open_binary(path) as fh:
        head = pd.read_csv(fh, skiprows=skip, usecols=numeric, dtype=str, nrows=10_000, **options)
    padded = [c for c in numeric if head[c].dropna().str.match(_LEADING_ZERO).any()]
    if padded:
        with _open_binary(path) as fh:
            text = pd.read_csv(fh, skiprows=skip, usecols=padded, dtype=str, **options)
        for col in padded:
            df[col] = text[col].to_numpy()
    return df


def _read_spss(path: Path) -> tuple[pd.DataFrame, TableMeta]:
    try:
        import pyreadstat
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise CJMConfigError("Reading SPSS files needs pyreadstat: pip install pyreadstat.") from err
    try:
        # One read with the user-missing codes as values, so we can count what each code removes.
        df, meta_raw = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    except pyreadstat.ReadstatError as err:
        raise CJMDataError(
            f"The SPSS file could not be read: {err}",
            source=str(path),
            fix="Check that it is a .sav/.zsav file saved by SPSS, PSPP or a survey tool.",
        ) from err
    missing: dict[str, list[Any]] = {}
    applied: dict[str, int] = {}
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
            df[col] = df[col].where(~hit)
    meta = TableMeta(
        source=str(path),
        format="spss",
        variable_labels={k: v for k, v in meta_raw.column_names_to_labels.items() if v},
        value_labels={k: dict(v) for k, v in meta_raw.variable_value_labels.items()},
        missing_codes=missing,
        read_options={
            "file_encoding": getattr(meta_raw, "file_encoding", None),
            "spss_missing_applied": applied,
            "multiple_response_sets": getattr(meta_raw, "mr_sets", None) or {},
        },
    )
    return df, meta


def _read_parquet(path: Path | list[Path]) -> pd.DataFrame:
    try:
        if isinstance(path, list):
            return pd.concat([pd.read_parquet(p) for p in path], ignore_index=True)
        return pd.read_parquet(path)
    except (OSError, ValueError) as err:
        raise CJMDataError(
            f"The Parquet data could not be read: {err}",
            source=str(path),
            fix="Check that the file(s) are Parquet and share one schema.",
        ) from err


def read_table(
    source: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> tuple[pd.DataFrame, TableMeta]:
    r"""Read a table from a file, read-only, and return it with its metadata.

    Parameters
    ----------
    source : path-like
        A CSV (any delimiter; UTF-8, UTF-8 with BOM, cp1252/latin-1 as German Excel
        writes them; decimal commas; ``.gz``/``.bz2``/``.xz``/``.zip``), a Qualtrics
        CSV export (three header rows), Parquet (a file, a folder of parts or a glob
        like ``"events/*.parquet"``), Excel (``.xlsx``/``.xlsm``/``.xls``) or SPSS
        (``.sav``/``.zsav``).
    sheet : str or int, optional
        The Excel sheet (default: the first).
    encoding, delimiter, decimal : str, optional
        Override what :func:`sniff_csv` guesses for a CSV.

    Returns
    -------
    (DataFrame, TableMeta)

    Raises
    ------
    CJMDataError
        The file does not exist, is empty, holds only a header, or cannot be parsed.

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
            df = _read_parquet(parts)
            return _require_rows(df, TableMeta(source=text, format="parquet"))
        frames = [read_table(p, sheet=sheet, encoding=encoding, delimiter=delimiter, decimal=decimal) for p in parts]
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
        return _require_rows(_read_parquet(parts), TableMeta(source=text, format="parquet"))
    if path.stat().st_size == 0:
        raise CJMDataError("The file is empty (0 bytes).", source=text, fix="Export the table again.")

    suffix = _inner_suffix(path)
    if suffix in _CSV_SUFFIXES or (suffix == "" and path.suffix.lower() in _COMPRESSIONS):
        df, meta = _read_csv(path, {"encoding": encoding, "delimiter": delimiter, "decimal": decimal})
    elif suffix in {".parquet", ".pq"}:
        df, meta = _read_parquet(path), TableMeta(source=text, format="parquet")
    elif suffix in {".xlsx", ".xlsm", ".xls"}:
        try:
            df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet)
        except ValueError as err:
            raise CJMDataError(
                f"The Excel sheet could not be read: {err}", source=text, fix="Pass sheet= with an existing sheet name."
            ) from err
        meta = TableMeta(source=text, format="excel", read_options={"sheet": sheet})
    elif suffix in {".sav", ".zsav"}:
        df, meta = _read_spss(path)
    else:
        raise CJMDataError(
            f"cjm-lab cannot read files ending in {suffix or path.suffix!r}.",
            source=text,
            fix="Save the table as CSV, Parquet, Excel (.xlsx) or SPSS (.sav).",
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
    return df, meta


def as_frame(source: Any, **read_options: Any) -> tuple[pd.DataFrame, TableMeta]:
    """A path is read with :func:`read_table`; a DataFrame is taken as it is (never modified)."""
    if isinstance(source, pd.DataFrame):
        meta = TableMeta()
        prior = source.attrs.get("cjm") if isinstance(source.attrs, dict) else None
        if isinstance(prior, dict):
            meta = TableMeta(
                source=prior.get("source", "DataFrame"),
                format=prior.get("format", "dataframe"),
                variable_labels=dict(prior.get("variable_labels", {})),
                value_labels=dict(prior.get("value_labels", {})),
                missing_codes=dict(prior.get("missing_codes", {})),
                read_options=dict(prior.get("read_options", {})),
            )
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

"""Read a table in record batches: only the columns asked for, never the whole table at once.

The chunked paths of :func:`cjm_lab.survey.nps` and :func:`cjm_lab.personas.type_file`
read through here.  Files are opened read-only; a folder or glob is read part by part in
name order, the order :func:`cjm_lab.io.read_table` concatenates them in, so a row's
position (counted from 0 across the parts) is its row label in the loaded table.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Any

import pandas as pd

from cjm_lab._params import Interval
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = [
    "BatchSource",
    "batch_error",
    "batch_source",
    "BATCH_SIZE",
    "is_path",
    "iter_frames",
    "require_source_columns",
]

_PARQUET = (".parquet", ".pq")
_CSV = (".csv", ".txt", ".tsv", ".dat", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip")


@dataclass(frozen=True)
class BatchSource:
    """Files to read in batches: all Parquet, or one CSV file."""

    text: str
    files: tuple[Path, ...]
    format: str  # "parquet" or "csv"


def is_path(value: Any) -> bool:
    """Whether ``value`` names a file, folder or glob (rather than being a table)."""
    return isinstance(value, os.PathLike) or (isinstance(value, str) and bool(value.strip()))


#: Rows per record batch when a function reads a path in batches.
BATCH_SIZE = Interval(Integral, 1, None, closed="left", note="rows per batch", example="100_000")


def batch_source(source: str | os.PathLike, *, where: str, csv: bool = False) -> BatchSource:
    """Resolve a Parquet file, a folder of Parquet parts or a glob (or, with ``csv``, a CSV file)."""
    text = os.fspath(source)
    path = Path(text)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in _PARQUET)
        if not files:
            raise CJMDataError(
                f"{where}: the folder holds no Parquet files.",
                source=text,
                fix="Pass a Parquet file, a folder of .parquet parts or a glob, or a DataFrame.",
            )
    elif any(ch in text for ch in "*?[") and not path.exists():
        files = sorted(Path(p) for p in glob.glob(text, recursive=True))
        if not files:
            raise CJMDataError(
                f"{where}: no file matches the pattern {text!r}.",
                source=text,
                fix="Check the folder and the pattern, or pass the table as a DataFrame.",
            )
    elif path.is_file():
        files = [path]
    else:
        raise CJMDataError(
            f"{where}: the file {text!r} does not exist.",
            source=text,
            fix="Check the path (relative paths start at the notebook's or shell's folder), or pass "
            "the table as a DataFrame.",
        )
    if all(p.name.lower().endswith(_PARQUET) for p in files):
        return BatchSource(text, tuple(files), "parquet")
    if csv and len(files) == 1 and files[0].name.lower().endswith(_CSV):
        return BatchSource(text, tuple(files), "csv")
    kinds = "Parquet or CSV files" if csv else "Parquet files"
    raise CJMConfigError(
        f"{where} reads {kinds} in batches; {text!r} is not "
        + ("one." if len(files) == 1 else "a set of them.")
        + " Load other formats with cjm_lab.io (e.g. load_survey) and pass the DataFrame, or convert "
        "the table to Parquet first."
    )


def _columns_of(source: BatchSource, part: Path) -> list[str]:
    if source.format == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(part).names)
        except (OSError, ValueError) as err:
            raise CJMDataError(
                f"The Parquet file could not be read: {err}", source=str(part), fix="Check that the file is Parquet."
            ) from err
    from cjm_lab.io.readers import open_binary, sniff_csv

    opts = sniff_csv(part)
    with open_binary(part) as fh:
        head = pd.read_csv(fh, nrows=0, sep=opts["delimiter"], encoding=opts["encoding"])
    return [str(c) for c in head.columns]


def require_source_columns(source: BatchSource, columns: dict[str, Any], *, where: str) -> None:
    """Every named column must be in every part (the same error as the DataFrame path, plus the file)."""
    from cjm_lab._validate import require_columns

    for part in source.files:
        header = pd.DataFrame(columns=_columns_of(source, part))
        try:
            require_columns(header, columns, where=where)
        except CJMDataError as err:
            raise CJMDataError(err.problem, column=err.column, fix=err.fix, source=str(part)) from None


def iter_frames(
    source: BatchSource, columns: Sequence[str], *, batch_size: int, text_columns: Sequence[str] = ()
) -> Iterator[tuple[int, Path, pd.DataFrame]]:
    """Yield ``(batch number, part, frame)``; the frame's index is the rows' position in the table.

    Only ``columns`` are read.  ``text_columns`` of a CSV are read as text (ids keep their
    leading zeros and one type in every batch).
    """
    from cjm_lab._progress import progress_bar

    cols = list(dict.fromkeys(columns))
    start, number = 0, 0
    if source.format == "parquet":
        import pyarrow.parquet as pq

        total = sum(pq.ParquetFile(part).metadata.num_rows for part in source.files)
        with progress_bar(total=total, desc="Reading in batches", unit="row") as bar:
            for part in source.files:
                with pq.ParquetFile(part) as pf:
                    for batch in pf.iter_batches(batch_size=batch_size, columns=cols, use_pandas_metadata=False):
                        frame = batch.to_pandas()
                        frame.index = pd.RangeIndex(start, start + len(frame))
                        start += len(frame)
                        yield number, part, frame
                        bar.update(len(frame))
                        number += 1
        return
    from cjm_lab.io.readers import open_binary, sniff_csv

    part = source.files[0]
    opts = sniff_csv(part)
    with open_binary(part) as fh:
        reader = pd.read_csv(
            fh,
            sep=opts["delimiter"],
            decimal=opts["decimal"],
            thousands=opts["thousands"],
            encoding=opts["encoding"],
            usecols=cols,
            dtype=dict.fromkeys(text_columns, str),
            skiprows=[1, 2] if opts["qualtrics"] else None,
            chunksize=batch_size,
        )
        with reader, progress_bar(total=None, desc=f"Reading {part.name} in batches", unit="row") as bar:
            for frame in reader:
                frame = frame[cols]
                frame.index = pd.RangeIndex(start, start + len(frame))
                start += len(frame)
                yield number, part, frame
                bar.update(len(frame))
                number += 1


def batch_error(
    err: CJMDataError, source: BatchSource, number: int, part: Path, frame: pd.DataFrame, *, batch_size: int
) -> CJMDataError:
    """The error of one batch, told with its batch, its rows and its file."""
    first, last = frame.index[0], frame.index[-1]
    where = f" In batch {number} (rows {first:,}–{last:,}, counted from 0"
    where += f" across the parts in name order; part {part.name!r})" if len(source.files) > 1 else ")"
    where += f"; batch_size={batch_size:,}, later batches were not read."
    return CJMDataError(
        err.problem + where, column=err.column, rows=err.rows, values=err.values, fix=err.fix, source=source.text
    )

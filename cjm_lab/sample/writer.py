"""Write the Nordlicht Home sample to disk, chunk by chunk.

The events, customers and personas of each chunk are written as soon as the
chunk is generated (events as one Parquet part per chunk or appended to one
gzip-compressed CSV), so a sample of 100 million events never sits in memory
at once.  The survey (about half a row per customer) is kept until the end,
because its raking weights need all respondents, and is written with the
ground truth.
"""

from __future__ import annotations

import gzip
import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cjm_lab._params import StrOptions, renamed_args, validate_params
from cjm_lab._progress import progress_bar
from cjm_lab.errors import CJMConfigError
from cjm_lab.sample.catalogue import touchpoint_catalogue
from cjm_lab.sample.codebook import write_codebook
from cjm_lab.sample.generator import DEFAULT_CHUNK, Assembler, Chunk, check_parameters, iter_chunks

__all__ = ["write_sample", "FORMATS"]

#: Supported output formats.
FORMATS: tuple[str, ...] = ("csv", "parquet")


def _targets(out_dir: Path, fmt: str) -> dict[str, Path]:
    if fmt == "csv":
        names = {
            "customers": "customers.csv",
            "touchpoints": "touchpoints.csv",
            "events": "events.csv.gz",
            "survey": "survey.csv",
            "ground_truth": "ground_truth.json",
            "personas_truth": "personas_truth.csv",
            "codebook": "codebook.yaml",
        }
    else:
        names = {
            "customers": "customers.parquet",
            "touchpoints": "touchpoints.parquet",
            "events": "events",
            "survey": "survey.parquet",
            "ground_truth": "ground_truth.json",
            "personas_truth": "personas_truth.parquet",
            "codebook": "codebook.yaml",
        }
    return {key: out_dir / name for key, name in names.items()}


def _refuse_existing(targets: dict[str, Path]) -> None:
    for path in targets.values():
        if path.exists():
            raise CJMConfigError(
                f"Cannot write the sample: {str(path)!r} already exists and write_sample never "
                f"overwrites files. Fix: pass an empty `out_dir`, or delete {path.name!r} first."
            )


def _write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8")
    else:
        frame.to_parquet(path, index=False)


class _ChunkSink:
    """Appends the per-chunk tables (customers, personas, events) to their files.

    CSV tables grow by appending rows (events gzip-compressed); Parquet
    customers and personas get one row group per chunk, Parquet events one
    part file per chunk.  Files are registered with ``stack``, which closes
    them (also after an error).
    """

    def __init__(self, targets: dict[str, Path], fmt: str, stack: ExitStack) -> None:
        self.targets = targets
        self.fmt = fmt
        self.stack = stack
        self.chunks = 0
        self._handles: dict[str, IO[str]] = {}
        self._writers: dict[str, pq.ParquetWriter] = {}
        if fmt == "parquet":
            targets["events"].mkdir()
        else:
            for name in ("customers", "personas_truth"):
                handle = targets[name].open("w", encoding="utf-8", newline="")
                self._handles[name] = stack.enter_context(handle)
            events = gzip.open(targets["events"], "wt", encoding="utf-8", newline="")
            self._handles["events"] = stack.enter_context(events)

    def add(self, chunk: Chunk) -> None:
        """Append one chunk's customers, personas and events."""
        frames = {"customers": chunk.customers, "personas_truth": chunk.personas, "events": chunk.events}
        for name, frame in frames.items():
            if self.fmt == "csv":
                frame.to_csv(self._handles[name], index=False, header=self.chunks == 0)
            elif name == "events":
                frame.to_parquet(self.targets["events"] / f"part-{self.chunks:05d}.parquet", index=False)
            else:
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if name not in self._writers:
                    writer = pq.ParquetWriter(self.targets[name], table.schema)
                    self._writers[name] = self.stack.enter_context(writer)
                self._writers[name].write_table(table)
        self.chunks += 1


@renamed_args({"seed": "random_state"})
@validate_params({"format": [StrOptions(FORMATS)]})
def write_sample(
    out_dir: str | os.PathLike[str],
    *,
    customers: int = 5000,
    random_state: int = 42,
    format: str = "csv",
    chunk_customers: int = DEFAULT_CHUNK,
    survey_responses: int | None = None,
) -> dict[str, Path]:
    """Generate the Nordlicht Home sample and write its tables to ``out_dir``.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write into (created if missing).  Existing files are never
        overwritten.
    customers : int, default 5000
        Number of customers (at least 10).
    random_state : int, default 42
        Seed; with the same ``chunk_customers`` the files equal
        :func:`cjm_lab.sample.make_sample` with the same arguments.  (Called ``seed`` before
        0.2; the old name works until 0.3.)
    format : {"csv", "parquet"}, default "csv"
        ``"csv"`` writes ``customers.csv``, ``touchpoints.csv``,
        ``events.csv.gz``, ``survey.csv`` and ``personas_truth.csv``;
        ``"parquet"`` writes the same names with ``.parquet`` and the events
        as a folder ``events/part-00000.parquet, ...`` (one part per chunk).
        Both write ``ground_truth.json`` and ``codebook.yaml`` (the columns' labels in English
        and German, :mod:`cjm_lab.sample.codebook`).
    chunk_customers : int, default 200_000
        Customers generated (and events written) per chunk.
    survey_responses : int, optional
        Expected number of survey answers over both waves (see
        :func:`cjm_lab.sample.make_sample`); default about 0.5 per customer.

    Returns
    -------
    dict of str to pathlib.Path
        Paths by table: ``customers``, ``touchpoints``, ``events``,
        ``survey``, ``ground_truth``, ``personas_truth``, ``codebook``.

    Raises
    ------
    cjm_lab.errors.CJMConfigError
        For bad parameters, an unknown format, or a file that already exists.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_sample(tmp, customers=100, random_state=1, format="parquet")
    ...     sorted(p.name for p in paths["events"].iterdir())
    ['part-00000.parquet']
    """
    check_parameters(customers, random_state, chunk_customers, survey_responses, where="write_sample()")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CJMConfigError(f"`out_dir` {str(out)!r} is a file, not a folder. Fix: pass a folder path.")
    targets = _targets(out, format)
    _refuse_existing(targets)
    out.mkdir(parents=True, exist_ok=True)

    assembler = Assembler(
        customers=customers, seed=random_state, chunk_customers=chunk_customers, survey_responses=survey_responses
    )
    with ExitStack() as stack:
        sink = _ChunkSink(targets, format, stack)
        bar = stack.enter_context(progress_bar(total=customers, desc="Writing the sample", unit="customer"))
        for chunk in iter_chunks(customers, random_state, chunk_customers, survey_responses):
            sink.add(chunk)
            assembler.add(chunk)
            bar.update(len(chunk.customers))
    survey, truth = assembler.finish()
    _write_table(touchpoint_catalogue(), targets["touchpoints"], format)
    _write_table(survey, targets["survey"], format)
    targets["ground_truth"].write_text(json.dumps(truth, indent=2, ensure_ascii=False), encoding="utf-8")
    write_codebook(targets["codebook"])
    return targets

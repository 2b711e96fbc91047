"""The run folder's list of deliverables: what each table and figure is, for the deck and the workbook.

:func:`cjm_lab.reports.save_table` and :func:`cjm_lab.reports.save_figure` (and the
notebook helpers built on them) record one entry per table and figure in
``deliverables.json``, in the order the report made them:

* a **table**: its name and CSV file, title, takeaway, the kind of each column
  (:func:`cjm_lab.reports.formats.column_kind`), the columns the page shows, its base and
  effective-base columns, and the notebook cell that saved it;
* a **figure**: its name and PNG file, title, takeaway (the report's sentence about it),
  and the **charts** it holds — for each panel that PowerPoint can draw natively, a
  :class:`Chart` naming the saved table it was drawn from, the chart kind and the columns.

The deck (:func:`cjm_lab.reports.build_deck`) and the workbook
(:func:`cjm_lab.reports.build_workbook`) read this file and the CSVs — the protected tables,
so a native chart never shows a group the saved table hides.  Run folders written before
the manifest existed (``figures.json`` only) are read too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cjm_lab._params import validate_params
from cjm_lab.errors import CJMConfigError

__all__ = [
    "MANIFEST",
    "CHART_KINDS",
    "Chart",
    "TableEntry",
    "FigureEntry",
    "Manifest",
    "read_manifest",
    "record",
    "load_table",
]

#: The file name of the manifest in a run folder.
MANIFEST = "deliverables.json"

#: Chart kinds with a native PowerPoint chart: horizontal bars (categories top to bottom),
#: columns, horizontal 100 % stacked bars, lines (a date axis when the categories are dates),
#: a scatter with labelled points (importance–performance) and a funnel (bars in step order).
CHART_KINDS = ("bar", "column", "stacked_bar", "line", "scatter", "funnel")


@dataclass(frozen=True)
class Chart:
    """One natively drawable chart: which saved table, which kind, which columns.

    Parameters
    ----------
    kind : str
        One of :data:`CHART_KINDS`.
    table : str, optional
        The name the source table was saved under (``save_table(df, name, …)``); set by
        ``save_figure(…, table=…)`` when the plotting function did not know it.
    category : str, optional
        The column of the categories (bars, lines) or of the point labels (scatter); None
        for a single "Total" category.
    series : tuple of str
        The value columns (bars, lines, stacked parts), or ``(x, y)`` of a scatter.
    pivot : str, optional
        A long table's column whose values become the series (e.g. attribution ``model``).
    title : str, optional
        The panel's own title (two charts on one slide).
    sort : {"desc"}, optional
        Order the categories by the first series, largest first (drivers, pain points).
    top : int, optional
        Only the first rows (after sorting).
    """

    kind: str
    table: str | None = None
    category: str | None = None
    series: tuple[str, ...] = ()
    pivot: str | None = None
    title: str | None = None
    sort: str | None = None
    top: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise CJMConfigError(f"A chart kind must be one of {', '.join(CHART_KINDS)}; got {self.kind!r}.")
        if not self.series:
            raise CJMConfigError("A chart needs at least one value column in `series`.")
        if self.kind == "scatter" and len(self.series) != 2:
            raise CJMConfigError(f"A scatter chart needs series=(x, y); got {self.series!r}.")
        object.__setattr__(self, "series", tuple(str(s) for s in self.series))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``series`` as a list)."""
        out = dataclasses.asdict(self)
        out["series"] = list(self.series)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Chart:
        """The chart a :meth:`to_dict` wrote."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: (tuple(v) if k == "series" else v) for k, v in data.items() if k in known})  # type: ignore[arg-type]


@dataclass(frozen=True)
class TableEntry:
    """A saved table."""

    name: str
    file: str
    title: str | None = None
    takeaway: str | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    dtypes: dict[str, str] = field(default_factory=dict)
    show: tuple[str, ...] | None = None
    slide: bool = False
    base: str | None = None
    effective_base: str | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet: str | None = None
    neutralised: bool = False
    cell: int | None = None
    order: int = 0

    type = "table"

    def labeller(self, column: str) -> Callable[[Any], str] | None:
        """How the values of ``column`` are shown, from the labels saved with the table (None: none saved)."""
        mapping = self.labels.get(str(column))
        if not mapping:
            return None
        return lambda v: mapping.get(_key(v), str(v))


@dataclass(frozen=True)
class FigureEntry:
    """A saved figure and the native charts it holds."""

    name: str
    file: str
    title: str | None = None
    takeaway: str | None = None
    charts: tuple[Chart, ...] = ()
    image: bool = False
    cell: int | None = None
    order: int = 0

    type = "figure"


@dataclass(frozen=True)
class Manifest:
    """What a run folder holds, in the order the report made it."""

    folder: Path
    items: tuple[TableEntry | FigureEntry, ...]

    @property
    def tables(self) -> dict[str, TableEntry]:
        """The tables by name."""
        return {e.name: e for e in self.items if isinstance(e, TableEntry)}

    @property
    def figures(self) -> list[FigureEntry]:
        """The figures in order."""
        return [e for e in self.items if isinstance(e, FigureEntry)]


def _cell() -> int | None:
    """The execution count of the notebook cell running now (None outside a kernel)."""
    with contextlib.suppress(Exception):
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            # ipykernel counts the cell before running it: the running cell is the count before
            return int(shell.execution_count) - (1 if hasattr(shell, "kernel") else 0)
    return None


def _dtype(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s.dtype):
        return "bool"
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "datetime"
    if pd.api.types.is_integer_dtype(s.dtype):
        return "int"
    if pd.api.types.is_float_dtype(s.dtype):
        return "float"
    return "str"


def record(folder: str | os.PathLike, entry: Mapping[str, Any]) -> None:
    """Add or replace (by type and name) one entry of the folder's manifest; safe across processes."""
    path = Path(folder) / MANIFEST
    with open(Path(folder) / ".deliverables.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"version": 1, "items": []}
        items = [e for e in data["items"] if not (e["type"] == entry["type"] and e["name"] == entry["name"])]  # type: ignore[union-attr]
        order = max((e.get("order", 0) for e in data["items"]), default=0) + 1  # type: ignore[union-attr]
        items.append({**entry, "order": order, "cell": entry.get("cell", _cell())})
        data["items"] = items
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, path)


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def resolve_labels(data: pd.DataFrame, labels: Any) -> dict[str, dict[str, str]]:
    """The display text of each value of the table's text columns, from ``labels``.

    ``labels`` is ``{column: {value: text}}`` or ``{column: function}``, or a labels object
    (:class:`cjm_lab.labels.Labels`: its ``value(column, value)`` and ``touchpoint(value)``).
    """
    if labels is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    for col in data.columns:
        values = pd.unique(data[col].dropna())
        if len(values) > 500 or pd.api.types.is_float_dtype(data[col].dtype):
            continue
        if isinstance(labels, Mapping):
            given = labels.get(col)
            if given is None:
                continue
            show = given if callable(given) else (lambda v, g=given: g.get(v, g.get(_key(v), v)))
        elif hasattr(labels, "value"):
            from cjm_lab.reports.formats import value_labeller

            language = getattr(labels, "language", "en")
            show = value_labeller(col, language if language in ("en", "de") else "en", labels)
            if show is None or pd.api.types.is_float_dtype(data[col].dtype):
                continue
        else:
            raise CJMConfigError(
                f"`labels` must be a dict {{column: {{value: label}}}} or a Labels object, got {type(labels).__name__}."
            )
        mapping = {_key(v): str(show(v)) for v in values}
        mapping = {k: v for k, v in mapping.items() if v != k}
        if mapping:
            out[str(col)] = mapping
    return out


def table_entry(
    data: pd.DataFrame,
    name: str,
    file: str,
    *,
    title: str | None = None,
    takeaway: str | None = None,
    formats: Mapping[str, str] | None = None,
    show: Sequence[str] | None = None,
    slide: bool = False,
    labels: Any = None,
) -> dict[str, Any]:
    """The manifest entry of a table about to be written (kinds and dtypes read from ``data``)."""
    from cjm_lab.reports.formats import column_kinds

    kinds = column_kinds(data, formats)
    base = next((c for c in ("n", "base", "n_journeys", "n_reached", "n_respondents", "count") if c in data), None)
    if show is not None:
        missing = [c for c in show if c not in data.columns]
        if missing:
            raise CJMConfigError(
                f"save_table({name!r}): `show` names column(s) the table does not have: "
                f"{', '.join(map(repr, missing))}. Columns: {', '.join(map(str, data.columns))}."
            )
    return {
        "type": "table",
        "name": name,
        "file": file,
        "title": title,
        "takeaway": takeaway,
        "kinds": kinds,
        "dtypes": {str(c): _dtype(data[c]) for c in data.columns},
        "show": list(show) if show is not None else None,
        "slide": bool(slide),
        "base": base,
        "effective_base": "n_eff" if "n_eff" in data else ("effective_base" if "effective_base" in data else None),
        "labels": resolve_labels(data, labels),
    }


def _entry(raw: Mapping[str, Any]) -> TableEntry | FigureEntry | None:
    if raw.get("type") == "table":
        return TableEntry(
            name=raw["name"],
            file=raw["file"],
            title=raw.get("title"),
            takeaway=raw.get("takeaway"),
            kinds=dict(raw.get("kinds") or {}),
            dtypes=dict(raw.get("dtypes") or {}),
            show=tuple(raw["show"]) if raw.get("show") else None,
            slide=bool(raw.get("slide")),
            base=raw.get("base"),
            effective_base=raw.get("effective_base"),
            labels=dict(raw.get("labels") or {}),
            sheet=raw.get("sheet"),
            neutralised=bool(raw.get("neutralised")),
            cell=raw.get("cell"),
            order=int(raw.get("order", 0)),
        )
    if raw.get("type") == "figure":
        return FigureEntry(
            name=raw["name"],
            file=raw["file"],
            title=raw.get("title"),
            takeaway=raw.get("takeaway"),
            charts=tuple(Chart.from_dict(c) for c in raw.get("charts") or ()),
            image=bool(raw.get("image")),
            cell=raw.get("cell"),
            order=int(raw.get("order", 0)),
        )
    return None


@validate_params({})
def read_manifest(folder: str | os.PathLike) -> Manifest:
    """The deliverables of a run folder, in order (from ``figures.json`` and the CSVs for old runs).

    Examples
    --------
    >>> import tempfile
    >>> read_manifest(tempfile.mkdtemp()).items
    ()
    """
    base = Path(folder)
    path = base / MANIFEST
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        items = [e for e in (_entry(raw) for raw in data.get("items", [])) if e is not None]
        items = [e for e in items if (base / e.file).is_file()]
        return Manifest(base, tuple(sorted(items, key=lambda e: e.order)))
    items: list[TableEntry | FigureEntry] = []  # type: ignore[no-redef]
    legacy = base / "figures.json"
    if legacy.is_file():
        for i, fig in enumerate(json.loads(legacy.read_text(encoding="utf-8")), start=1):
            if (base / fig["file"]).is_file():
                items.append(
                    FigureEntry(name=Path(fig["file"]).stem, file=fig["file"], title=fig.get("title"), order=i)
                )
    for i, csv in enumerate(sorted(base.glob("*.csv")), start=len(items) + 1):
        items.append(TableEntry(name=csv.stem, file=csv.name, order=i))
    return Manifest(base, tuple(items))


def _unguard(value: Any) -> Any:
    """The value :func:`cjm_lab.untrusted.neutralise_cell` guarded: ``'=x`` is ``=x`` (the builders
    write it as typed text, never a formula).
    """
    from cjm_lab.untrusted import FORMULA_PREFIXES

    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def load_table(folder: str | os.PathLike, entry: TableEntry) -> pd.DataFrame:
    """A saved table read back from its CSV with the dtypes it was saved with.

    Text stays text (a code such as ``"007"`` is not read as a number), flags become
    booleans and dates timestamps; blanked (suppressed) cells are missing.
    """
    path = Path(folder) / entry.file
    text_cols = [c for c, d in entry.dtypes.items() if d == "str"]
    guarded = ["'" + c for c in text_cols if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    data = pd.read_csv(path, dtype=dict.fromkeys(text_cols + guarded, str), keep_default_na=True)
    if entry.neutralised:  # the CSV's formula guard (a leading apostrophe) is not part of the value
        data.columns = [_unguard(c) for c in data.columns]
        for col in text_cols:
            if col in data:
                data[col] = data[col].map(_unguard)
    for col, dtype in entry.dtypes.items():
        if col not in data:
            continue
        if dtype == "bool":
            data[col] = data[col].map({True: True, False: False, "True": True, "False": False}).astype("boolean")
        elif dtype == "datetime":
            data[col] = pd.to_datetime(data[col], errors="coerce", utc=True, format="ISO8601")
    return data

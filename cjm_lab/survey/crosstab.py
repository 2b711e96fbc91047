"""Survey tables as in SPSS Custom Tables, Q or Displayr: banners, bases, nets, letters.

:func:`crosstab` returns a **tidy long table** — one row per cell — and
:func:`to_wide` turns it into the table a reader sees (cells like ``"45% AB"``);
:func:`crosstab_to_excel` writes one sheet per table.

Significance letters ("column comparisons")
    Every banner column gets a letter (A, B, C, … continuing across the banner
    variables; the Total column has none).  A cell carries the letters of the
    columns *of the same banner variable* it is significantly higher than at
    ``alpha`` (two-sided):

    * proportions: two-proportion z-test with pooled variance on the columns'
      effective bases ``n_eff = (Σw)² / Σw²`` (Kish), which equal the counts when
      unweighted::

          p = (n1 p1 + n2 p2) / (n1 + n2);  z = (p1 − p2) / sqrt(p (1 − p) (1/n1 + 1/n2))

    * means: Welch's t-test with weighted means, the weighted variance
      ``Σw(x − m)² / Σw · n_eff / (n_eff − 1)`` and Welch–Satterthwaite degrees of
      freedom on the effective bases (the textbook Welch test when unweighted).

    Columns with fewer than ``min_base`` respondents (unweighted) are not tested.
    No correction for multiple comparisons is applied (as in Q's default).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._stats import normalise_weights
from cjm_lab._validate import numeric_column, offending, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.untrusted import defuse_formulas, excel_text, spreadsheet_table

__all__ = ["crosstab", "to_wide", "crosstab_to_excel", "CROSSTAB_COLUMNS"]

#: The columns of the long table returned by :func:`crosstab`.
CROSSTAB_COLUMNS = [
    "kind",
    "variable",
    "row_label",
    "banner_variable",
    "banner_column",
    "letter",
    "statistic",
    "value",
    "base",
    "weighted_base",
    "effective_base",
    "sig_letters",
]

_TEXT = {
    "en": {
        "total": "Total",
        "base": "Base (unweighted)",
        "weighted_base": "Base (weighted)",
        "mean": "Mean",
        "filter": "Filter",
        "all": "All respondents",
        "missing": "Missing",
        "multi": "Multiple response",
        "kept": "{kept} of {n} respondents",
    },
    "de": {
        "total": "Gesamt",
        "base": "Basis (ungewichtet)",
        "weighted_base": "Basis (gewichtet)",
        "mean": "Mittelwert",
        "filter": "Filter",
        "all": "Alle Befragten",
        "missing": "Fehlend",
        "multi": "Mehrfachnennung",
        "kept": "{kept} von {n} Befragten",
    },
}
_STATS = ("col_pct", "row_pct", "count")
_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [chr(c) for c in range(ord("a"), ord("z") + 1)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return list(value)


def _fmt_label(value: Any) -> str:
    """Category labels as text; whole floats without ``.0``."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value)


def _categories(series: pd.Series) -> list[Any]:
    """All categories of a categorical (in order), else the sorted observed values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    values = pd.unique(series.dropna())
    try:
        return sorted(values.tolist())
    except TypeError:
        return sorted(values.tolist(), key=str)


def _codes(series: pd.Series, cats: list[Any]) -> np.ndarray:
    """Index of each value in ``cats`` (-1 for missing or not listed)."""
    index = pd.Index(cats, dtype=object)
    codes = index.get_indexer(pd.Index(series.astype(object).to_numpy(), dtype=object))
    codes[series.isna().to_numpy()] = -1
    return codes


# --------------------------------------------------------------------------- filters
def _filter_mask(data: pd.DataFrame, base_filter: Any, text: dict[str, str], where: str) -> tuple[np.ndarray, str]:
    if base_filter is None:
        return np.ones(len(data), dtype=bool), text["all"]
    if isinstance(base_filter, str):
        try:
            result = data.eval(base_filter)
        except Exception as exc:
            raise CJMConfigError(
                f"{where}: `base_filter` {base_filter!r} could not be evaluated on `data` ({exc}). "
                'Fix: write a pandas expression over column names, e.g. "wave == 2" or '
                "\"region in ['Nord', 'Süd']\", or pass a dict {column: value}."
            ) from None
        if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result.dtype):
            raise CJMConfigError(f"{where}: `base_filter` {base_filter!r} must give True/False per row.")
        return result.fillna(False).to_numpy(dtype=bool), base_filter
    if isinstance(base_filter, Mapping):
        require_columns(data, {"base_filter": list(base_filter)}, where=where)
        mask = np.ones(len(data), dtype=bool)
        parts = []
        for col, value in base_filter.items():
            values = _as_list(value) if isinstance(value, (list, tuple, set)) else [value]
            mask &= data[col].isin(values).to_numpy(dtype=bool)
            shown = ", ".join(_fmt_label(v) for v in values)
            parts.append(f"{col} = {shown}" if len(values) == 1 else f"{col} in [{shown}]")
        return mask, "; ".join(parts)
    if isinstance(base_filter, (pd.Series, np.ndarray, list)):
        if isinstance(base_filter, pd.Series):
            if not base_filter.index.equals(data.index):
                raise CJMConfigError(f"{where}: a `base_filter` Series must have the index of `data`.")
            name = str(base_filter.name) if base_filter.name is not None else "custom filter"
            arr = base_filter.to_numpy()
        else:
            name, arr = "custom filter", np.asarray(base_filter)
        if arr.shape != (len(data),):
            raise CJMConfigError(
                f"{where}: `base_filter` must have one True/False per row of `data` "
                f"({len(data)}), got shape {arr.shape}."
            )
        return pd.Series(arr).fillna(False).to_numpy(dtype=bool), name
    raise CJMConfigError(
        f'{where}: `base_filter` must be an expression ("wave == 2"), a dict {{column: value}} or a boolean '
        f"Series; got {type(base_filter).__name__}."
    )


# --------------------------------------------------------------------------- statistics
def _group_sums(col: np.ndarray, n_cols: int, values: Sequence[np.ndarray]) -> np.ndarray:
    """Σ of each array per banner column -> (n_cols, len(values)); rows with col < 0 left out."""
    ok = col >= 0
    every = bool(ok.all())
    codes = col if every else col[ok]
    out = np.empty((n_cols, len(values)))
    for i, v in enumerate(values):  # a handful of statistics, each vectorised over respondents
        out[:, i] = np.bincount(codes, weights=v if every else v[ok], minlength=n_cols)
    return out


def _prop_letters(p: np.ndarray, neff: np.ndarray, ok: np.ndarray, letters: list[str], alpha: float) -> np.ndarray:
    """Letters per cell (rows × columns) from pooled two-proportion z-tests between columns."""
    n1, n2 = neff[None, :, None], neff[None, None, :]
    p1, p2 = p[:, :, None], p[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se
    pval = 2 * stats.norm.sf(np.abs(z))
    pair_ok = ok[:, None] & ok[None, :]
    sig = (pval < alpha) & (p1 > p2) & (se > 0) & pair_ok[None, :, :]
    return _letter_strings(sig, letters)


def _mean_letters(
    m: np.ndarray, v: np.ndarray, neff: np.ndarray, ok: np.ndarray, letters: list[str], alpha: float
) -> np.ndarray:
    """Letters per column from Welch t-tests (``v`` = squared standard error of each mean)."""
    v1, v2 = v[:, None], v[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(v1 + v2)
        t = (m[:, None] - m[None, :]) / se
        df = (v1 + v2) ** 2 / (v1**2 / (neff[:, None] - 1) + v2**2 / (neff[None, :] - 1))
    pval = 2 * stats.t.sf(np.abs(t), df)
    pair_ok = ok[:, None] & ok[None, :]
    sig = (pval < alpha) & (m[:, None] > m[None, :]) & (se > 0) & pair_ok
    return _letter_strings(sig[None], letters)[0]


def _letter_strings(sig: np.ndarray, letters: list[str]) -> np.ndarray:
    """(rows, J, J) booleans -> (rows, J) strings of the letters of the columns beaten."""
    out = np.full(sig.shape[:2], "", dtype=object)
    for k, letter in enumerate(letters):  # one pass per banner column, vectorised over cells
        out = np.where(sig[:, :, k], out + letter, out)
    return out


# --------------------------------------------------------------------------- the table
def crosstab(
    data: pd.DataFrame,
    *,
    rows: str | None = None,
    columns: str | Sequence[str],
    weight: str | None = None,
    stat: str = "col_pct",
    test: bool = True,
    alpha: float = 0.05,
    nets: Mapping[str, Sequence[Any]] | None = None,
    multi: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    means: str | Sequence[str] | None = None,
    base_filter: str | Mapping[str, Any] | pd.Series | None = None,
    language: str = "en",
    counted: Sequence[Any] = (1, "Selected"),
    dont_know: float | Sequence[float] | None = None,
    min_base: int = 30,
    total: bool = True,
) -> pd.DataFrame:
    """A banner table: column percentages (or counts) with bases, nets, means and letters.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    rows : str, optional
        The categorical variable down the side (all categories of a categorical, in order;
        otherwise its sorted values).  Optional when ``multi`` or ``means`` is given.
    columns : str or list of str
        Banner variable(s); a list puts them side by side after the Total column.
        Respondents with a missing banner value count in Total only.
    weight : str, optional
        A column of positive weights.
    stat : {"col_pct", "row_pct", "count"}, default "col_pct"
        What category, net and multi-response cells show (letters only for ``col_pct``).
    test : bool, default True
        Add significance letters (see the module notes).
    alpha : float, default 0.05
        Significance level of the column comparisons.
    nets : dict, optional
        ``{"Top 2": [4, 5]}``: rows summing categories of ``rows``.
    multi : list or dict, optional
        A multiple-response set (``["Q6_1_r", ..., "Q6_8_r"]``, or ``{"Race": [...]}`` to name
        it): one row per item, the share of respondents (who answered any item of the set)
        with a ``counted`` value; shares may sum past 100%.
    means : str or list of str, optional
        Numeric variables shown as rows of (weighted) means with Welch t-test letters.
    base_filter : str, dict or boolean Series, optional
        Respondents to keep: an expression (``"wave == 2"``), ``{column: value or list}``, or a
        boolean Series aligned to ``data`` (its name describes it).  The table gets a filter
        row describing it (``"All respondents"`` without a filter).
    language : {"en", "de"}, default "en"
        Labels: Base/Basis, Mean/Mittelwert, Total/Gesamt, Filter, Missing/Fehlend.
    counted : sequence, default (1, "Selected")
        Values of a multi-response item that count as selected.
    dont_know : number or list, optional
        Codes (e.g. 99) treated as missing in ``means`` variables.
    min_base : int, default 30
        Columns with fewer respondents (unweighted base) are not tested.
    total : bool, default True
        Include the Total column.

    Returns
    -------
    DataFrame
        One row per cell, columns :data:`CROSSTAB_COLUMNS`: ``kind`` (``filter``, ``base``,
        ``weighted_base``, ``category``, ``net``, ``missing``, ``multi``, ``mean``),
        ``variable``, ``row_label`` (text), ``banner_variable``, ``banner_column``, ``letter``,
        ``statistic`` (``col_pct``/``row_pct`` in percent, ``count``, ``n``, ``weighted_n``,
        ``mean``), ``value``, ``base`` (unweighted respondents in the cell's base),
        ``weighted_base``, ``effective_base`` and ``sig_letters``.  ``attrs["crosstab"]``
        keeps the language, title, filter and settings for :func:`to_wide`.

    Raises
    ------
    CJMDataError
        Missing columns, text in a ``means`` variable, bad weights, no respondent left after
        the filter.
    CJMConfigError
        Bad options, a net member that is no category of ``rows``, more than 52 banner
        columns.

    Examples
    --------
    >>> df = pd.DataFrame({"sat": [5, 4, 2, 5, 3, 1] * 10, "grp": ["a", "a", "a", "b", "b", "b"] * 10})
    >>> t = crosstab(df, rows="sat", columns="grp", nets={"Top 2": [4, 5]})
    >>> net = t[t.kind == "net"].reset_index(drop=True)
    >>> net[["banner_column", "letter", "value", "base", "sig_letters"]].round(1)
      banner_column letter  value  base sig_letters
    0         Total          50.0    60
    1             a      A   66.7    30           B
    2             b      B   33.3    30
    >>> to_wide(t).loc[("sat", "Top 2")].tolist()
    ['50%', '67% B', '33%']
    """
    where = "crosstab()"
    require_frame(data, where=where)
    banner = _as_list(columns)
    if isinstance(multi, Mapping):
        multi_sets = {str(k): _as_list(v) for k, v in multi.items()}
    else:
        multi_sets = {_TEXT.get(language, _TEXT["en"])["multi"]: _as_list(multi)} if multi else {}
    mean_vars = _as_list(means)
    require_columns(
        data,
        {
            "rows": rows,
            "columns": banner,
            "weight": weight,
            "multi": [c for v in multi_sets.values() for c in v],
            "means": mean_vars,
        },
        where=where,
    )
    if not banner:
        raise CJMConfigError(f"{where}: `columns` must name at least one banner variable.")
    if rows is None and not multi_sets and not mean_vars:
        raise CJMConfigError(f"{where}: give `rows`, `multi` or `means` - what goes down the side of the table.")
    if rows is not None and rows in banner:
        raise CJMConfigError(f"{where}: {rows!r} cannot be both `rows` and a banner variable in `columns`.")
    if stat not in _STATS:
        raise CJMConfigError(f"{where}: `stat` must be one of {', '.join(map(repr, _STATS))}, got {stat!r}.")
    if not (isinstance(alpha, float) and 0 < alpha < 1):
        raise CJMConfigError(f"{where}: `alpha` must lie between 0 and 1, e.g. 0.05; got {alpha!r}.")
    if language not in _TEXT:
        raise CJMConfigError(f"{where}: `language` must be 'en' or 'de', got {language!r}.")
    if nets and rows is None:
        raise CJMConfigError(f"{where}: `nets` sum categories of `rows`; give `rows` too.")
    text = _TEXT[language]

    keep, filter_text = _filter_mask(data, base_filter, text, where)
    if not keep.any():
        raise CJMDataError(
            f"{where}: no respondent is left after `base_filter` ({filter_text}).",
            fix="Check the filter's column and values.",
        )
    if weight is not None:
        w_all = normalise_weights(
            numeric_column(data, weight, where=where, allow_missing=False).to_numpy(), column=weight, where=where
        )
        if (w_all <= 0).any():
            rows_bad, vals = offending(w_all <= 0, data[weight])
            raise CJMDataError(
                f"{where}: {int((w_all <= 0).sum())} weight(s) are zero or negative.",
                column=weight,
                rows=rows_bad,
                values=vals,
                fix="Weights must be positive; drop those respondents or reweight.",
            )
    else:
        w_all = np.ones(len(data))
    sub = data.loc[keep]
    w = w_all[keep]

    # banner columns: (variable, labels, codes) per group; Total first
    groups: list[tuple[str, list[str], np.ndarray, bool]] = []
    if total:
        groups.append((text["total"], [text["total"]], np.zeros(len(sub), dtype=np.int64), False))
    n_letters = 0
    for var in banner:
        cats = _categories(sub[var])
        codes = _codes(sub[var], cats)
        present = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
        remap = np.cumsum(present) - 1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        labels = [_fmt_label(c) for c, p in zip(cats, present, strict=True) if p]
        groups.append((str(var), labels, codes, True))
        n_letters += len(labels)
    if n_letters > len(_LETTERS):
        raise CJMConfigError(
            f"{where}: the banner has {n_letters} columns; letters go up to {len(_LETTERS)}. "
            "Split it into several tables."
        )

    # sections of proportions: (kind, variable, labels, indicator matrix, valid mask)
    sections: list[tuple[str, str, list[str], list[np.ndarray], np.ndarray]] = []
    missing_counts = None
    if rows is not None:
        cats = _categories(sub[rows])
        rcodes = _codes(sub[rows], cats)
        valid = rcodes >= 0
        onehot = [rcodes == k for k in range(len(cats))]  # one indicator per category (a handful)
        sections.append(("category", str(rows), [_fmt_label(c) for c in cats], onehot, valid))
        if nets:
            index = pd.Index(cats, dtype=object)
            net_cols, net_labels = [], []
            for name, members in nets.items():
                members = _as_list(members) if not isinstance(members, str) else [members]
                pos = index.get_indexer(pd.Index(members, dtype=object))
                if (pos < 0).any() or not members:
                    bad = [m for m, p in zip(members, pos, strict=True) if p < 0]
                    raise CJMConfigError(
                        f"{where}: net {name!r} names {', '.join(map(repr, bad)) or 'no category'}, which "
                        f"{'is' if len(bad) == 1 else 'are'} not a category of {rows!r} "
                        f"({', '.join(_fmt_label(c) for c in cats[:15])})."
                    )
                net_cols.append(np.isin(rcodes, pos))
                net_labels.append(str(name))
            sections.append(("net", str(rows), net_labels, net_cols, valid))
        missing_counts = ~valid
    for name, items in multi_sets.items():
        frame = sub[items]
        answered = frame.notna().to_numpy()
        selected = [frame[c].astype(object).isin(list(counted)).to_numpy(dtype=bool) for c in items]
        sections.append(("multi", name, [str(c) for c in items], selected, answered.any(axis=1)))

    mean_data = []
    for var in mean_vars:
        x = numeric_column(sub, var, where=where).to_numpy()
        if dont_know is not None:
            x = np.where(np.isin(x, np.asarray(np.atleast_1d(dont_know), dtype=float)), np.nan, x)
        mean_data.append((str(var), x))

    slots: dict[int, list[pd.DataFrame]] = {}  # same row block of every banner group, side by side
    letter_pos = 0
    filter_label = text["filter"]
    for gvar, labels, gcodes, testable in groups:
        n_cols = len(labels)
        blocks: list[pd.DataFrame] = []
        letters = _LETTERS[letter_pos : letter_pos + n_cols] if testable else [""] * n_cols
        if testable:
            letter_pos += n_cols
        ones = np.ones(len(sub))
        kept_n, kept_w = _group_sums(gcodes, n_cols, [ones, w]).T
        common = {"banner_variable": gvar, "banner_column": labels, "letter": letters}
        desc = f"{filter_text} ({text['kept'].format(kept=int(keep.sum()), n=len(data))})"
        blocks.append(
            _block(
                "filter",
                filter_label,
                [desc],
                common,
                "n",
                kept_n[None, :],
                kept_n[None, :],
                kept_w[None, :],
                kept_n[None, :],
            )
        )
        for kind, variable, row_labels, ind, valid in sections:
            vw = np.where(valid, w, 0.0)
            sums = _group_sums(gcodes, n_cols, [valid.astype(float), vw, vw**2, *(np.where(i, vw, 0.0) for i in ind)])
            n_base, w_base, w2_base, cell = sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3:].T  # cell: R × J
            with np.errstate(invalid="ignore", divide="ignore"):
                neff = np.where(w2_base > 0, w_base**2 / w2_base, 0.0)
                share = cell / w_base[None, :]
            if kind in ("category", "multi"):
                blocks.append(
                    _block(
                        "base",
                        variable,
                        [text["base"]],
                        common,
                        "n",
                        n_base[None, :],
                        n_base[None, :],
                        w_base[None, :],
                        neff[None, :],
                    )
                )
                if weight is not None:
                    blocks.append(
                        _block(
                            "weighted_base",
                            variable,
                            [text["weighted_base"]],
                            common,
                            "weighted_n",
                            w_base[None, :],
                            n_base[None, :],
                            w_base[None, :],
                            neff[None, :],
                        )
                    )
            if stat == "col_pct":
                value = share * 100
            elif stat == "count":
                value = cell
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = cell / cell.sum(axis=1, keepdims=True) * 100
            sig = None
            if test and testable and stat == "col_pct":
                sig = _prop_letters(share, neff, n_base >= max(min_base, 1), letters, alpha)
            shape = (len(row_labels), n_cols)
            blocks.append(
                _block(
                    kind,
                    variable,
                    row_labels,
                    common,
                    stat,
                    value,
                    np.broadcast_to(n_base, shape),
                    np.broadcast_to(w_base, shape),
                    np.broadcast_to(neff, shape),
                    sig,
                )
            )
            if kind == "category" and missing_counts is not None and missing_counts.any():
                miss = _group_sums(gcodes, n_cols, [missing_counts.astype(float)])[:, 0]
                blocks.append(
                    _block(
                        "missing",
                        variable,
                        [text["missing"]],
                        common,
                        "n",
                        miss[None, :],
                        n_base[None, :],
                        w_base[None, :],
                        neff[None, :],
                    )
                )
        for variable, x in mean_data:
            valid = ~np.isnan(x)
            vw = np.where(valid, w, 0.0)
            centre = float(np.nansum(x * vw) / vw.sum()) if vw.sum() > 0 else 0.0
            xc = np.where(valid, x - centre, 0.0)
            sums = _group_sums(gcodes, n_cols, [valid.astype(float), vw, vw**2, vw * xc, vw * xc**2])
            n_base, w_base, w2_base, sx, sxx = sums.T
            with np.errstate(invalid="ignore", divide="ignore"):
                neff = np.where(w2_base > 0, w_base**2 / w2_base, 0.0)
                mc = sx / w_base
                var_pop = np.maximum(sxx / w_base - mc**2, 0.0)
                var_mean = var_pop * neff / (neff - 1) / neff
            mean = mc + centre
            sig = None
            if test and testable:
                ok = (n_base >= max(min_base, 2)) & (neff > 1)
                sig = _mean_letters(mean, var_mean, neff, ok, letters, alpha)[None, :]
            blocks.append(
                _block(
                    "mean",
                    variable,
                    [text["mean"]],
                    common,
                    "mean",
                    mean[None, :],
                    n_base[None, :],
                    w_base[None, :],
                    neff[None, :],
                    sig,
                )
            )
        for slot, block in enumerate(blocks):
            slots.setdefault(slot, []).append(block)
    parts = [pd.concat(slots[k], ignore_index=True).sort_values("_row", kind="stable") for k in sorted(slots)]
    out = pd.concat(parts, ignore_index=True).drop(columns="_row")
    title = " × ".join(
        [str(rows) if rows is not None else ", ".join([*map(str, multi_sets), *mean_vars]), ", ".join(map(str, banner))]
    )
    out.attrs["crosstab"] = {
        "language": language,
        "title": title,
        "filter": filter_text,
        "stat": stat,
        "alpha": alpha,
        "weight": weight,
        "min_base": min_base,
    }
    return out


def _block(
    kind: str,
    variable: str,
    row_labels: list[str],
    common: dict[str, Any],
    statistic: str,
    value: np.ndarray,
    base: np.ndarray,
    wbase: np.ndarray,
    neff: np.ndarray,
    sig: np.ndarray | None = None,
) -> pd.DataFrame:
    """Cells of ``len(row_labels)`` rows × the group's columns, in long form."""
    r, j = len(row_labels), len(common["banner_column"])
    return pd.DataFrame(
        {
            "_row": np.repeat(np.arange(r), j),
            "kind": kind,
            "variable": variable,
            "row_label": np.repeat(np.asarray(row_labels, dtype=object), j),
            "banner_variable": common["banner_variable"],
            "banner_column": np.tile(np.asarray(common["banner_column"], dtype=object), r),
            "letter": np.tile(np.asarray(common["letter"], dtype=object), r),
            "statistic": statistic,
            "value": np.asarray(value, dtype=float).reshape(-1),
            "base": np.asarray(base, dtype=float).reshape(-1).round().astype(np.int64),
            "weighted_base": np.asarray(wbase, dtype=float).reshape(-1),
            "effective_base": np.asarray(neff, dtype=float).reshape(-1),
            "sig_letters": (
                np.full(r * j, "", dtype=object) if sig is None else np.asarray(sig, dtype=object).reshape(-1)
            ),
        }
    )


# --------------------------------------------------------------------------- display
def _cell(value: float, statistic: str, letters: str, decimals: int, mean_decimals: int, comma: bool) -> str:
    if value is None or not np.isfinite(value):
        return "-"
    if statistic in ("col_pct", "row_pct"):
        text = f"{value:.{decimals}f}%"
    elif statistic == "mean":
        text = f"{value:.{mean_decimals}f}"
    elif statistic == "count":
        text = f"{value:.{0 if float(value).is_integer() else 1}f}"
    else:  # n, weighted_n
        text = f"{value:.0f}"
    if comma:
        text = text.replace(".", ",")
    return f"{text} {letters}" if letters else text


def to_wide(
    table: pd.DataFrame,
    *,
    decimals: int = 0,
    mean_decimals: int = 2,
    letters: bool = True,
    language: str | None = None,
) -> pd.DataFrame:
    """The displayed table: one row per row label, one column per banner column, text cells.

    Parameters
    ----------
    table : DataFrame
        The long table from :func:`crosstab`.
    decimals : int, default 0
        Decimals of percentages.
    mean_decimals : int, default 2
        Decimals of means.
    letters : bool, default True
        Append the significance letters (``"45% AB"``).
    language : {"en", "de"}, optional
        Number format (German: decimal comma); default the table's own language.

    Returns
    -------
    DataFrame
        Text cells; the index has the levels ``variable`` and ``row_label``, the header the
        levels ``banner_variable`` and ``banner_column`` (with the letter, e.g. ``"AT&T (A)"``).

    Examples
    --------
    >>> df = pd.DataFrame({"buy": ["yes", "no", "yes", "yes"], "grp": ["a", "a", "b", "b"]})
    >>> to_wide(crosstab(df, rows="buy", columns="grp", test=False))
    banner_variable                               Total   grp
    banner_column                                 Total a (A) b (B)
    variable row_label
    Filter   All respondents (4 of 4 respondents)     4     2     2
    buy      Base (unweighted)                        4     2     2
             no                                     25%   50%    0%
             yes                                    75%   50%  100%
    """
    missing = [
        c
        for c in (
            "kind",
            "variable",
            "row_label",
            "banner_variable",
            "banner_column",
            "letter",
            "statistic",
            "value",
            "sig_letters",
        )
        if c not in getattr(table, "columns", [])
    ]
    if not isinstance(table, pd.DataFrame) or missing:
        raise CJMConfigError(f"to_wide() needs the long table returned by crosstab(); missing columns: {missing}.")
    meta = table.attrs.get("crosstab", {})
    lang = language or meta.get("language", "en")
    if lang not in _TEXT:
        raise CJMConfigError(f"to_wide(): `language` must be 'en' or 'de', got {lang!r}.")
    row_key = list(zip(table["kind"], table["variable"], table["row_label"], strict=True))
    col_key = list(zip(table["banner_variable"], table["banner_column"], table["letter"], strict=True))
    r_codes, r_uniques = pd.factorize(pd.Series(row_key, dtype=object))
    c_codes, c_uniques = pd.factorize(pd.Series(col_key, dtype=object))
    cells = [
        _cell(v, s, (let if letters else ""), decimals, mean_decimals, lang == "de")
        for v, s, let in zip(
            table["value"].to_numpy(dtype=float), table["statistic"], table["sig_letters"], strict=True
        )
    ]
    grid = np.full((len(r_uniques), len(c_uniques)), "", dtype=object)
    grid[r_codes, c_codes] = cells
    index = pd.MultiIndex.from_tuples([(k[1], k[2]) for k in r_uniques], names=["variable", "row_label"])
    header = pd.MultiIndex.from_tuples(
        [(k[0], f"{k[1]} ({k[2]})" if k[2] else k[1]) for k in c_uniques], names=["banner_variable", "banner_column"]
    )
    return pd.DataFrame(grid, index=index, columns=header)


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def crosstab_to_excel(
    tables: pd.DataFrame | Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    decimals: int = 0,
    mean_decimals: int = 2,
) -> Path:
    """Write crosstabs to a new ``.xlsx`` file, one sheet per table (never overwrites).

    Parameters
    ----------
    tables : DataFrame, list or dict
        Long tables from :func:`crosstab`; a dict names the sheets, otherwise the sheets are
        named after each table's title.
    path : path
        The new file (``.xlsx``); an existing file is refused.
    decimals, mean_decimals : int
        Passed to :func:`to_wide`.

    Returns
    -------
    Path
        The file written.  Each sheet holds the title in A1, the filter in A2 and the displayed
        table from row 4.

    Raises
    ------
    CJMConfigError
        The file exists, the suffix is not ``.xlsx``, or no table is given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> df = pd.DataFrame({"buy": ["yes", "no", "yes", "yes"], "grp": ["a", "a", "b", "b"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = crosstab_to_excel({"Buy": crosstab(df, rows="buy", columns="grp")},
    ...                             pathlib.Path(folder) / "tables.xlsx")
    >>> out.name
    'tables.xlsx'
    """
    where = "crosstab_to_excel()"
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise CJMConfigError(f"{where}: `path` must end in .xlsx, got {str(target)!r}.")
    if target.exists():
        raise CJMConfigError(
            f"{where}: {str(target)!r} exists; cjm-lab never overwrites a file. "
            "Fix: choose a new file name, or delete the old file yourself."
        )
    if not target.parent.is_dir():
        raise CJMConfigError(f"{where}: the folder {str(target.parent)!r} does not exist.")
    if isinstance(tables, pd.DataFrame):
        named = [(None, tables)]
    elif isinstance(tables, Mapping):
        named = [(str(k), v) for k, v in tables.items()]
    else:
        named = [(None, t) for t in tables]
    if not named:
        raise CJMConfigError(f"{where}: give at least one table.")
    used: set[str] = set()
    sheets = []
    for i, (name, table) in enumerate(named, start=1):
        wide = to_wide(table, decimals=decimals, mean_decimals=mean_decimals)
        meta = table.attrs.get("crosstab", {})
        raw = name or meta.get("title") or f"Table {i}"
        sheet = _SHEET_BAD.sub("_", raw)[:31].strip("'") or f"Table {i}"
        base, k = sheet, 2
        while sheet.lower() in used:
            suffix = f" ({k})"
            sheet, k = base[: 31 - len(suffix)] + suffix, k + 1
        used.add(sheet.lower())
        sheets.append((sheet, wide, meta.get("title", raw), meta.get("filter", "")))

    fd, tmp_name = tempfile.mkstemp(suffix=".xlsx", dir=target.parent, prefix=".tmp_crosstab_")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for sheet, wide, title, filt in sheets:
                # labels come from data: no control characters, and no cell may become a live formula
                safe, _ = spreadsheet_table(wide, target="xlsx")
                safe.to_excel(writer, sheet_name=sheet, startrow=3)
                ws = writer.sheets[sheet]
                ws.cell(row=1, column=1, value=excel_text(str(title)))
                if filt:
                    ws.cell(row=2, column=1, value=excel_text(f"Filter: {filt}"))
                defuse_formulas(ws)
        try:
            os.link(tmp, target)  # fails if the target appeared meanwhile: never overwrite
        except FileExistsError:
            raise CJMConfigError(f"{where}: {str(target)!r} appeared while writing; nothing overwritten.") from None
        except OSError:  # file systems without hard links
            if target.exists():
                raise CJMConfigError(f"{where}: {str(target)!r} exists; nothing overwritten.") from None
            os.rename(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target

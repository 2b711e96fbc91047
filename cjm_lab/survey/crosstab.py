"""Survey tables as in SPSS Custom Tables, Q or Displayr: banners, bases, nets, letters.

:func:`crosstab` returns a **tidy long table** — one row per cell — and
:func:`to_wide` turns it into the table a reader sees (cells like ``"45% AB"``);
:func:`crosstab_to_excel` writes one sheet per table.  Rows, columns and values are shown
with their labels (SPSS labels, a codebook, or ``labels=``; see :mod:`cjm_lab.labels`).

Significance letters ("column comparisons")
    Every banner column gets a letter (A, B, C, … continuing across the banner
    variables; the Total column has none).  A cell carries the letters of the
    columns *of the same banner variable* it is significantly higher than (two-sided
    tests, each pair of columns tested once):

    * proportions: two-proportion z-test with pooled variance on the columns'
      effective bases ``n_eff = (Σw)² / Σw²`` (Kish), which equal the counts when
      unweighted::

          p = (n1 p1 + n2 p2) / (n1 + n2);  z = (p1 − p2) / sqrt(p (1 − p) (1/n1 + 1/n2))

    * means: Welch's t-test with weighted means, the weighted variance
      ``Σw(x − m)² / Σw · n_eff / (n_eff − 1)`` and Welch–Satterthwaite degrees of
      freedom on the effective bases (the textbook Welch test when unweighted).

    Columns with fewer than ``min_base`` respondents (unweighted) are not tested.

Multiple comparisons (``correction``)
    The tests are corrected within each **row set**: for one banner variable, all pairwise
    column comparisons of all rows of one row variable (its categories; or the options of
    one multiple-response set; or one mean) form a family of ``m`` tests.
    ``"fdr"`` (default) controls the false discovery rate in each family by
    Benjamini–Hochberg, as Q and Displayr do by default; ``"bonferroni"`` tests each at
    ``alpha / m``; ``"none"`` tests each at ``alpha``.  Nets are judged by the cutoff of
    their row variable's family without enlarging it (as Q does).  ``attrs["crosstab"]``
    records the families (``m``, cutoff) of the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._format import check_language, format_number, format_percent
from cjm_lab._params import (
    ALPHA,
    BOOLEAN,
    CORRECTION,
    COUNT,
    DONT_KNOW,
    LANGUAGE,
    MIN_BASE,
    StrOptions,
    validate_params,
)
from cjm_lab._stats import family_cutoff
from cjm_lab._validate import positive_weights, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io.metadata import multiple_response_sets

__all__ = ["crosstab", "to_wide", "CROSSTAB_COLUMNS"]

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
    "variable_label",
    "banner_label",
]

_TEXT = {
    "en": {
        "total": "Total",
        "base": "Base (unweighted)",
        "weighted_base": "Base (weighted)",
        "effective_base": "Base (effective)",
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
        "effective_base": "Basis (effektiv)",
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


def _prop_pvalues(p: np.ndarray, neff: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z-tests between columns: p-values and "row higher than column" (R × J × J).

    Pairs that cannot be tested (a column below the minimum base, no variance) get NaN.
    """
    n1, n2 = neff[None, :, None], neff[None, None, :]
    p1, p2 = p[:, :, None], p[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se
    pval = 2 * stats.norm.sf(np.abs(z))
    pair_ok = (ok[:, None] & ok[None, :])[None, :, :] & (se > 0) & np.isfinite(pval)
    return np.where(pair_ok, pval, np.nan), p1 > p2


def _mean_pvalues(m: np.ndarray, v: np.ndarray, neff: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Welch t-tests between columns (``v`` = squared standard error of each mean): (1 × J × J)."""
    v1, v2 = v[:, None], v[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(v1 + v2)
        t = (m[:, None] - m[None, :]) / se
        df = (v1 + v2) ** 2 / (v1**2 / (neff[:, None] - 1) + v2**2 / (neff[None, :] - 1))
    pval = 2 * stats.t.sf(np.abs(t), df)
    pair_ok = ok[:, None] & ok[None, :] & (se > 0) & np.isfinite(pval)
    return np.where(pair_ok, pval, np.nan)[None], (m[:, None] > m[None, :])[None]


def _family(pval: np.ndarray) -> np.ndarray:
    """Each tested pair of columns once (j < k) of every row: the p-values of the family."""
    j, k = np.triu_indices(pval.shape[1], 1)
    flat = pval[:, j, k].ravel()
    return flat[np.isfinite(flat)]


def _letter_strings(sig: np.ndarray, letters: list[str]) -> np.ndarray:
    """(rows, J, J) booleans -> (rows, J) strings of the letters of the columns beaten."""
    out = np.full(sig.shape[:2], "", dtype=object)
    for k, letter in enumerate(letters):  # one pass per banner column, vectorised over cells
        out = np.where(sig[:, :, k], out + letter, out)
    return out


def _letters(pval: np.ndarray, higher: np.ndarray, cutoff: float, letters: list[str]) -> np.ndarray:
    """Letters per cell: the columns it is significantly higher than (p at most the family's cutoff)."""
    sig = np.isfinite(pval) & (pval <= cutoff) & higher
    return _letter_strings(sig, letters)


# --------------------------------------------------------------------------- the table
@validate_params(
    {
        "stat": [StrOptions(_STATS)],
        "test": [BOOLEAN],
        "alpha": [ALPHA],
        "language": [LANGUAGE],
        "dont_know": [DONT_KNOW, None],
        "min_base": [MIN_BASE],
        "total": [BOOLEAN],
        "correction": [CORRECTION],
        "codes": [BOOLEAN],
    }
)
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
    multi: str | Sequence[str] | Mapping[str, Any] | None = None,
    means: str | Sequence[str] | None = None,
    base_filter: str | Mapping[str, Any] | pd.Series | None = None,
    language: str = "en",
    counted: Any = None,
    dont_know: float | Sequence[float] | None = None,
    min_base: int = 30,
    total: bool = True,
    correction: str = "fdr",
    labels: Any = None,
    codes: bool = False,
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
        Significance level of the column comparisons (the false discovery rate with
        ``correction="fdr"``).
    nets : dict, optional
        ``{"Top 2": [4, 5]}``: rows summing categories of ``rows``.
    multi : str, list or dict, optional
        Multiple-response sets: the name of a set stored with the table (``"Race"``, as SPSS
        declares it; a list of names for several), the columns of one set
        (``["Q6_1_r", ..., "Q6_8_r"]``), or ``{"Race": [...]}`` to name it.  One row per
        option (an item of a dichotomy set, a category of a category set): the share of the
        respondents who answered the set (any of its columns not missing) who selected it;
        shares may sum past 100%.  See :mod:`cjm_lab.io.multi`.
    means : str or list of str, optional
        Numeric variables shown as rows of (weighted) means with Welch t-test letters.
    base_filter : str, dict or boolean Series, optional
        Respondents to keep: an expression (``"wave == 2"``), ``{column: value or list}``, or a
        boolean Series aligned to ``data`` (its name describes it).  The table gets a filter
        row describing it (``"All respondents"`` without a filter).
    language : {"en", "de"}, default "en"
        Labels: Base/Basis, Mean/Mittelwert, Total/Gesamt, Filter, Missing/Fehlend.
    counted : value or list, optional
        Values of a multiple-response item that count as selected (codes or labels).
        Default: the set's declared counted value, else read from the values and labels
        (``1``, ``Yes``, ``Selected``, ``Checked``, ``True``, ``ausgewählt`` … against their
        opposites); an answer that cannot be told raises and asks for ``counted``.
    dont_know : number or list, optional
        Codes (e.g. 99) treated as missing in ``means`` variables.
    min_base : int, default 30
        Columns with fewer respondents (unweighted base) are not tested.
    total : bool, default True
        Include the Total column.
    correction : {"fdr", "bonferroni", "none"}, default "fdr"
        Multiple-comparison correction within each row set (see the module notes).
    labels : Labels, dict or path, optional
        Labels on top of those stored with ``data`` (:func:`cjm_lab.labels.labels_for`):
        variable labels in ``variable_label``/``banner_label``, value labels as row and
        column labels.
    codes : bool, default False
        Show codes with the labels (``"1: AT&T"``).

    Returns
    -------
    DataFrame
        One row per cell, columns :data:`CROSSTAB_COLUMNS`: ``kind`` (``filter``, ``base``,
        ``weighted_base``, ``category``, ``net``, ``missing``, ``multi``, ``mean``),
        ``variable``, ``row_label`` (text), ``banner_variable``, ``banner_column``, ``letter``,
        ``statistic`` (``col_pct``/``row_pct`` in percent, ``count``, ``n``, ``weighted_n``,
        ``mean``), ``value``, ``base`` (unweighted respondents in the cell's base),
        ``weighted_base``, ``effective_base``, ``sig_letters``, ``variable_label`` and
        ``banner_label`` (the labels of the row and banner variables).  Weighted tables have
        ``effective_base`` rows (Kish) under every base.  ``attrs["crosstab"]`` keeps the
        language, title, filter, correction and families for :func:`to_wide`.

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
    >>> t = crosstab(df, rows="sat", columns="grp", nets={"Top 2": [4, 5]}, correction="none")
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
    multi_specs = _multi_specs(data, multi, language)
    mean_vars = _as_list(means)
    require_columns(
        data,
        {
            "rows": rows,
            "columns": banner,
            "weight": weight,
            "multi": [c for spec in multi_specs for c in _spec_columns(spec) if not isinstance(spec, str)],
            "means": mean_vars,
        },
        where=where,
    )
    from cjm_lab.io.multi import multiple_response
    from cjm_lab.labels import labels_for

    lab = labels_for(data, labels, language=language)
    if not banner:
        raise CJMConfigError(f"{where}: `columns` must name at least one banner variable.")
    if rows is None and not multi_specs and not mean_vars:
        raise CJMConfigError(f"{where}: give `rows`, `multi` or `means` - what goes down the side of the table.")
    if rows is not None and rows in banner:
        raise CJMConfigError(f"{where}: {rows!r} cannot be both `rows` and a banner variable in `columns`.")
    if nets and rows is None:
        raise CJMConfigError(f"{where}: `nets` sum categories of `rows`; give `rows` too.")
    text = _TEXT[language]

    keep, filter_text = _filter_mask(data, base_filter, text, where)
    if not keep.any():
        raise CJMDataError(
            f"{where}: no respondent is left after `base_filter` ({filter_text}).",
            fix="Check the filter's column and values.",
        )
    w_all = positive_weights(data, weight, where=where)
    sub = data.loc[keep]
    w = w_all[keep]

    # banner columns: (variable, labels, codes) per group; Total first
    groups: list[tuple[str, list[str], np.ndarray, bool]] = []
    if total:
        groups.append((text["total"], [text["total"]], np.zeros(len(sub), dtype=np.int64), False))
    n_letters = 0
    for var in banner:
        cats = _categories(sub[var])
        bcodes = _codes(sub[var], cats)
        present = np.bincount(bcodes[bcodes >= 0], minlength=len(cats)) > 0
        remap = np.cumsum(present) - 1
        bcodes = np.where(bcodes >= 0, remap[np.maximum(bcodes, 0)], -1)
        shown = [lab.value(var, c, language=language, codes=codes) for c, p in zip(cats, present, strict=True) if p]
        groups.append((str(var), shown, bcodes, True))
        n_letters += len(shown)
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
        sections.append(
            ("category", str(rows), [lab.value(rows, c, language=language, codes=codes) for c in cats], onehot, valid)
        )
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
    set_labels: dict[str, str] = {}
    for spec in multi_specs:
        mr = multiple_response(sub, spec, counted=counted, where=where)
        name = mr.name if not (isinstance(spec, list)) else text["multi"]
        set_labels[name] = lab.column(name, language=language) if lab.has_column(name) else mr.label
        if mr.kind == "dichotomy":
            option_labels = lab.item_labels(mr.options, language=language)
            if codes:
                option_labels = [f"{o}: {t}" if t != o else t for o, t in zip(mr.options, option_labels, strict=True)]
        else:
            option_labels = [lab.value(mr.columns[0], o, language=language, codes=codes) for o in mr.options]
        selected = [mr.selected[:, j] for j in range(len(mr.options))]
        sections.append(("multi", name, option_labels, selected, mr.answered))

    mean_data = []
    from cjm_lab.survey._common import numeric_values

    for var in mean_vars:
        x = numeric_values(sub, var, where=where).to_numpy()
        if dont_know is not None:
            x = np.where(np.isin(x, np.asarray(np.atleast_1d(dont_know), dtype=float)), np.nan, x)
        mean_data.append((str(var), x))

    slots: dict[int, list[pd.DataFrame]] = {}  # same row block of every banner group, side by side
    letter_pos = 0
    filter_label = text["filter"]
    families: list[dict[str, Any]] = []
    weighted = weight is not None

    def bases(kind_rows: str, variable: str, common: dict[str, Any], n_base, w_base, neff) -> list[pd.DataFrame]:
        """Base rows of a section: unweighted, and when weighted the weighted and effective bases."""
        out = (
            [
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
            ]
            if kind_rows != "mean"
            else []
        )
        if weighted:
            if kind_rows != "mean":
                out.append(
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
            out.append(
                _block(
                    "effective_base",
                    variable,
                    [text["effective_base"]],
                    common,
                    "n_eff",
                    neff[None, :],
                    n_base[None, :],
                    w_base[None, :],
                    neff[None, :],
                )
            )
        return out

    for gvar, col_labels, gcodes, testable in groups:
        n_cols = len(col_labels)
        blocks: list[pd.DataFrame] = []
        letters = _LETTERS[letter_pos : letter_pos + n_cols] if testable else [""] * n_cols
        if testable:
            letter_pos += n_cols
        ones = np.ones(len(sub))
        kept_n, kept_w = _group_sums(gcodes, n_cols, [ones, w]).T
        common = {"banner_variable": gvar, "banner_column": col_labels, "letter": letters}
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
        cutoffs: dict[str, float] = {}
        for kind, variable, row_labels, ind, valid in sections:
            vw = np.where(valid, w, 0.0)
            sums = _group_sums(gcodes, n_cols, [valid.astype(float), vw, vw**2, *(np.where(i, vw, 0.0) for i in ind)])
            n_base, w_base, w2_base, cell = sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3:].T  # cell: R × J
            with np.errstate(invalid="ignore", divide="ignore"):
                neff = np.where(w2_base > 0, w_base**2 / w2_base, 0.0)
                share = cell / w_base[None, :]
            if kind in ("category", "multi"):
                blocks.extend(bases(kind, variable, common, n_base, w_base, neff))
            if stat == "col_pct":
                value = share * 100
            elif stat == "count":
                value = cell
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = cell / cell.sum(axis=1, keepdims=True) * 100
            sig = None
            if test and testable and stat == "col_pct":
                pval, higher = _prop_pvalues(share, neff, n_base >= max(min_base, 1))
                if kind == "net":  # judged by its variable's family, which it does not enlarge
                    cutoff = cutoffs.get(variable, family_cutoff([], correction, alpha))
                else:
                    family = _family(pval)
                    cutoff = family_cutoff(family, correction, alpha)
                    cutoffs[variable] = cutoff
                    families.append(
                        {
                            "banner_variable": gvar,
                            "variable": variable,
                            "kind": kind,
                            "m": int(family.size),
                            "cutoff": float(cutoff) if np.isfinite(cutoff) else None,
                        }
                    )
                sig = _letters(pval, higher, cutoff, letters)
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
                pval, higher = _mean_pvalues(mean, var_mean, neff, ok)
                family = _family(pval)
                cutoff = family_cutoff(family, correction, alpha)
                families.append(
                    {
                        "banner_variable": gvar,
                        "variable": variable,
                        "kind": "mean",
                        "m": int(family.size),
                        "cutoff": float(cutoff) if np.isfinite(cutoff) else None,
                    }
                )
                sig = _letters(pval, higher, cutoff, letters)
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
            blocks.extend(bases("mean", variable, common, n_base, w_base, neff))
        for slot, block in enumerate(blocks):
            slots.setdefault(slot, []).append(block)
    parts = [pd.concat(slots[k], ignore_index=True).sort_values("_row", kind="stable") for k in sorted(slots)]
    out = pd.concat(parts, ignore_index=True).drop(columns="_row")
    names = {filter_label: filter_label, **set_labels}
    out["variable_label"] = [
        names[v] if v in names else lab.column(v, language=language, codes=codes) for v in out["variable"]
    ]
    out["banner_label"] = [
        v if v == text["total"] else lab.column(v, language=language, codes=codes) for v in out["banner_variable"]
    ]
    title = " × ".join(
        [
            lab.column(rows, language=language)
            if rows is not None
            else ", ".join(
                [*(set_labels.get(n, n) for n in set_labels), *(lab.column(v, language=language) for v in mean_vars)]
            ),
            ", ".join(lab.column(b, language=language) for b in banner),
        ]
    )
    out.attrs["crosstab"] = {
        "language": language,
        "title": title,
        "filter": filter_text,
        "stat": stat,
        "alpha": alpha,
        "weight": weight,
        "min_base": min_base,
        "correction": correction,
        "families": families,
    }
    return out[CROSSTAB_COLUMNS]


def _spec_columns(spec: Any) -> list[str]:
    if isinstance(spec, Mapping):
        raw = next(iter(spec.values()))
        raw = raw.get("variables", []) if isinstance(raw, Mapping) else raw
        return [str(c) for c in _as_list(raw)]
    return [str(c) for c in _as_list(spec)]


def _multi_specs(data: pd.DataFrame, multi: Any, language: str) -> list[Any]:
    """``multi`` as a list of specs for :func:`cjm_lab.io.multiple_response`: set names, one list
    of columns, or one-entry dicts.
    """
    if multi is None:
        return []
    if isinstance(multi, str):
        return [multi]
    if isinstance(multi, Mapping):
        return [{k: v} for k, v in multi.items()]
    items = _as_list(multi)
    stored = multiple_response_sets(data, check=False)
    if items and all(isinstance(i, str) and i in stored and i not in data.columns for i in items):
        return items
    return [items] if items else []


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
    """Cells of ``len(row_labels)`` rows × the group's columns, in long form (labels added at the end)."""
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
def _cell(value: float, statistic: str, letters: str, decimals: int, mean_decimals: int, language: str) -> str:
    if value is None or not np.isfinite(value):
        return "-"
    if statistic in ("col_pct", "row_pct"):
        text = format_percent(value, decimals, language)
    elif statistic == "mean":
        text = format_number(value, mean_decimals, language)
    elif statistic == "count":
        text = format_number(value, 0 if float(value).is_integer() else 1, language)
    else:  # n, weighted_n, n_eff
        text = format_number(value, 0, language)
    return f"{text} {letters}" if letters else text


@validate_params(
    {
        "decimals": [COUNT],
        "mean_decimals": [COUNT],
        "letters": [BOOLEAN],
        "language": [LANGUAGE, None],
        "names": [BOOLEAN],
    }
)
def to_wide(
    table: pd.DataFrame,
    *,
    decimals: int = 0,
    mean_decimals: int = 2,
    letters: bool = True,
    language: str | None = None,
    names: bool = False,
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
    names : bool, default False
        Show the variables' names (``Q7``) instead of their labels ("Main phone company").

    Returns
    -------
    DataFrame
        Text cells; the index has the levels ``variable`` and ``row_label``, the header the
        levels ``banner_variable`` and ``banner_column`` (with the letter, e.g. ``"AT&T (A)"``).
        Variables show their labels (``variable_label``/``banner_label`` of the long table).
        Every base is shown: unweighted, and for weighted tables weighted and effective.

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
    lang = check_language(language or meta.get("language", "en"), where="to_wide()")
    shown_var = table["variable"] if names or "variable_label" not in table else table["variable_label"]
    shown_banner = table["banner_variable"] if names or "banner_label" not in table else table["banner_label"]
    row_key = list(zip(table["kind"], shown_var, table["row_label"], strict=True))
    col_key = list(zip(shown_banner, table["banner_column"], table["letter"], strict=True))
    r_codes, r_uniques = pd.factorize(pd.Series(row_key, dtype=object))
    c_codes, c_uniques = pd.factorize(pd.Series(col_key, dtype=object))
    cells = [
        _cell(v, s, (let if letters else ""), decimals, mean_decimals, lang)
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


_NOTES = {
    "en": {
        "fdr": "Letters: significantly higher than the column with that letter (p < {alpha}, two-sided, "
        "false discovery rate controlled within each row set by Benjamini–Hochberg).",
        "bonferroni": "Letters: significantly higher than the column with that letter (p < {alpha}, two-sided, "
        "Bonferroni-corrected within each row set).",
        "none": "Letters: significantly higher than the column with that letter (p < {alpha}, two-sided, "
        "no correction for multiple comparisons).",
    },
    "de": {
        "fdr": "Buchstaben: signifikant höher als die Spalte mit diesem Buchstaben (p < {alpha}, zweiseitig, "
        "Falscherkennungsrate je Zeilengruppe nach Benjamini-Hochberg kontrolliert).",
        "bonferroni": "Buchstaben: signifikant höher als die Spalte mit diesem Buchstaben (p < {alpha}, "
        "zweiseitig, Bonferroni-korrigiert je Zeilengruppe).",
        "none": "Buchstaben: signifikant höher als die Spalte mit diesem Buchstaben (p < {alpha}, zweiseitig, "
        "ohne Korrektur für multiples Testen).",
    },
}


def crosstab_note(meta: Mapping[str, Any]) -> str:
    """The sentence under a table that says what the letters mean and how they were corrected."""
    lang = meta.get("language", "en") if meta.get("language") in _NOTES else "en"
    alpha = format_number(meta.get("alpha", 0.05), None, lang)
    note = _NOTES[lang][meta.get("correction", "none")].format(alpha=alpha)
    if meta.get("weight"):
        note += (
            " Gewichtet; Tests auf den effektiven Basen (Kish)."
            if lang == "de"
            else " Weighted; tests use the effective bases (Kish)."
        )
    return note


def __getattr__(name: str) -> Any:
    if name == "crosstab_to_excel":  # moved to the one path from a result to a deliverable
        import importlib

        from cjm_lab._params import warn_changed

        warn_changed(
            "cjm_lab.survey.crosstab_to_excel",
            "it is now cjm_lab.reports.crosstab_to_excel (the writer of every workbook: numbers stored as numbers)",
        )
        return importlib.import_module("cjm_lab.reports.workbook").crosstab_to_excel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

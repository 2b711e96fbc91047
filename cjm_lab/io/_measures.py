"""What the loaders make of labelled columns: measure levels, "don't know" codes, waves (private).

Shared by :func:`cjm_lab.io.load_survey` and :func:`cjm_lab.io.load_customers`.

Measure levels (``_apply_measures``)
    A labelled numeric column becomes

    * **numeric** when its measure is ``scale``; when its labels start with their own codes
      (``"0 Not at all likely" … "10 Extremely likely"``); or when only some points are
      labelled and unlabelled codes lie between labelled ones (a 1–7 scale labelled at its
      ends) — the codes are the answers;
    * an **unordered categorical** of its labels when its measure is ``nominal`` (or not
      declared), an **ordered** one when ``ordinal`` (categories in code order);

    ``measure=`` overrides the file per column.  Codes the file or the user declared missing,
    and accepted "don't know" codes, are no categories.  A code without a label
    (``unlabelled=``): ``"keep"`` makes it a category of its own named by the code (``"-9"``)
    and records it in ``unlabelled_codes``; ``"missing"`` makes it missing (counted);
    ``"error"`` raises.  When most answers have no label at all, labels and values disagree
    (the labels belong to another coding) and the loader raises in every mode.
"""

from __future__ import annotations

import fnmatch
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._deprecate import outside_stacklevel
from cjm_lab._params import StrOptions
from cjm_lab._validate import offending
from cjm_lab.errors import CJMConfigError, CJMDataError, CJMDataWarning
from cjm_lab.io.metadata import MEASURE_LEVELS, code_key, code_keys
from cjm_lab.io.missing import is_declared_code

MISSING_MODES = ("declared", "detect", "auto")
UNLABELLED_MODES = ("keep", "missing", "error")

#: The modes a loader takes (from its arguments or its mapping file), checked once by the loader.
MODES = {
    "missing": [
        StrOptions(
            {
                "detect": "find undeclared don't-know codes and report them",
                "auto": "make them missing",
                "declared": "only the codes the file declares",
            }
        )
    ],
    "unlabelled": [
        StrOptions(
            {"keep": "a code without a label becomes a category of its own", "missing": "missing", "error": "error"}
        )
    ],
    "value_labels": [StrOptions(("auto", "codes", "labels"))],
}
#: Share of answers without a label above which labels and values disagree.
DISAGREE_SHARE = 0.5


def _line(row: Any) -> Any:
    return row + 1 if isinstance(row, (int, np.integer)) else row


def measure_overrides(measure: Any, present: Sequence[str], *, source: str) -> dict[str, str]:
    """``{column or pattern: level}`` -> ``{column: level}``, checked."""
    if measure is None:
        return {}
    if not isinstance(measure, Mapping):
        raise CJMConfigError(
            f"`measure` maps columns (or patterns such as 'Q5_*') to 'nominal', 'ordinal' or 'scale'; got {measure!r}."
        )
    from cjm_lab.io.mapping import expand_patterns

    out: dict[str, str] = {}
    for pat, level in measure.items():
        if level not in MEASURE_LEVELS:
            raise CJMConfigError(
                f"`measure`: the level of {pat!r} must be 'nominal', 'ordinal' or 'scale'; got {level!r}."
            )
        for col in expand_patterns([pat], present, what="measure", source=source):
            out[col] = str(level)
    return out


def merge_codebook(meta: Any, codebook: Any, present: Sequence[str], rename: Mapping[str, str] | None = None) -> None:
    """Add a codebook's labels and measure levels to the metadata (in place); SPSS's own stay
    unless the codebook gives them.

    A codebook names the file's columns; ``rename`` (``{file name: role}``, as the loader
    renamed them) carries its entries to the roles (a label given for the role itself wins).
    """
    if codebook is None:
        return
    from cjm_lab.labels import Labels

    book = Labels.coerce(codebook).renamed(rename)
    for col in present:
        if book.has_column(col) and col not in meta.variable_labels:
            meta.variable_labels[col] = book.column(col)
        if book.has_values(col):
            codes = book.values(col)
            meta.value_labels[col] = {**meta.value_labels.get(col, {}), **codes}
        level = book.measure(col)
        if level:
            meta.measure_levels[col] = level
    meta.extra["codebook"] = book.to_dict()


def apply_missing(
    df: pd.DataFrame,
    meta: Any,
    *,
    mode: str,
    phrases: Any,
    skip: set[str],
    source: str,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int], pd.DataFrame]:
    """Find undeclared "don't know" codes; apply them when ``mode == "auto"``.

    Returns ``(detected per column, applied counts per column, other undeclared codes)``; the last go
    to :func:`warn_stray` once the measures are applied (only numeric answers are averaged).
    """
    if mode == "declared" or not meta.value_labels:
        return {}, {}, pd.DataFrame({"column": []})
    from cjm_lab.io.metadata import store_metadata
    from cjm_lab.io.missing import detect_missing

    probe = df[[c for c in df.columns if c in meta.value_labels and c not in skip]]
    store_metadata(probe, meta.as_dict())
    everything = detect_missing(probe, phrases=phrases, sentinels=True)
    everything = everything[~everything["declared"]]
    found = everything[everything["reason"] == "label"]
    stray = everything[(everything["reason"] != "label") & (everything["n"] > 0)]
    detected: dict[str, list[dict[str, Any]]] = {}
    applied: dict[str, int] = {}
    for row in found.itertuples(index=False):  # a few codes
        entry = {"code": row.code, "label": row.label, "n": int(row.n), "applied": False}
        if mode == "auto":
            values = df[row.column]
            if pd.api.types.is_numeric_dtype(values.dtype):
                hit = values.astype("float64").eq(float(row.code)) if _is_number(row.code) else values.eq(row.code)
            else:
                keys = code_keys(values)
                hit = keys.eq(code_key(row.code)) | keys.eq(code_key(row.label))
            hit = hit.fillna(False).to_numpy(dtype=bool)
            if hit.any():
                df[row.column] = values.where(~hit)
                applied[row.column] = applied.get(row.column, 0) + int(hit.sum())
            entry["applied"] = True
        detected.setdefault(row.column, []).append(entry)
    pending = {c: [d for d in v if not d["applied"] and d["n"] > 0] for c, v in detected.items()}
    pending = {c: v for c, v in pending.items() if v}
    if mode == "detect" and pending:
        shown = "; ".join(
            f"{c}: " + ", ".join(f"{_plain(d['code'])} {d['label']!r} ({d['n']}×)" for d in v)
            for c, v in list(pending.items())[:5]
        )
        more = f" and {len(pending) - 5} more column(s)" if len(pending) > 5 else ""
        warnings.warn(
            f"In {source}: {len(pending)} column(s) have undeclared don't-know codes that are kept as answers: "
            f"{shown}{more}. Fix: pass missing='auto' to make them missing, or missing_codes={{...}} for the ones "
            "you choose; cjm_lab.io.detect_missing(df) lists them all (missing='declared' silences this).",
            CJMDataWarning,
            stacklevel=4,
        )
    return detected, applied, stray


def warn_stray(df: pd.DataFrame, stray: pd.DataFrame, loaded: Mapping[str, str], source: str) -> None:
    """Say which columns hold unlabelled codes outside their labelled scale and stay numeric answers.

    A column loaded as categories holds such a code as a category of its own (or as missing, or
    refused, by ``unlabelled=``): it is never averaged, and ``unlabelled_codes`` records it.
    """
    numeric = [c for c in dict.fromkeys(stray["column"]) if loaded.get(c, "numeric") == "numeric"]
    stray = stray[stray["column"].isin(numeric)]
    if stray.empty:
        return
    parts = []
    for col, rows in list(stray.groupby("column", sort=False))[:5]:
        values = pd.to_numeric(df[col], errors="coerce")
        codes = []
        for r in rows.itertuples():
            where = np.flatnonzero(values.eq(float(r.code)).to_numpy())[:3]
            codes.append(f"{_plain(r.code)} ({r.n}×, row{'s' if len(where) > 1 else ''} {', '.join(map(str, where))})")
        parts.append(f"{col}: " + ", ".join(codes))
    columns = list(dict.fromkeys(stray["column"]))
    more = f" and {len(columns) - 5} more column(s)" if len(columns) > 5 else ""
    first = stray.iloc[0]
    warnings.warn(
        f"In {source}: {len(columns)} column(s) hold unlabelled codes outside their labelled scale, kept as "
        f"answers (a mean or a driver analysis would count them): {'; '.join(parts)}{more}. Fix: make them "
        f"missing with missing_codes={{{first['column']!r}: [{_plain(first['code'])}]}} (or dont_know= in the "
        "analysis), or recode them; cjm_lab.io.detect_missing(df) lists them all (reason 'sentinel' or "
        "'out_of_scale'), missing='declared' silences this.",
        CJMDataWarning,
        stacklevel=outside_stacklevel(),
    )


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _plain(code: Any) -> str:
    return code_key(code)


def scale_like(labels: Mapping[Any, str]) -> bool:
    """Labels that start with their own code (``"0 Not at all likely"``, ``"1"``, …) mark a scale."""
    numeric = sum(bool(re.match(rf"^\s*{re.escape(code_key(k))}(?!\d)", str(v))) for k, v in labels.items())
    return numeric >= max(2, len(labels) // 2)


def end_labelled(observed: np.ndarray, labels: Mapping[Any, str]) -> bool:
    """Only some points labelled, and unlabelled codes lie between labelled ones.

    A 1–7 scale labelled at its ends; a "don't know" code after the scale is no point of it.
    """
    from cjm_lab.io.missing import is_dont_know_label

    try:
        labelled = sorted(float(k) for k, v in labels.items() if not is_dont_know_label(v))
        every = {float(k) for k in labels}
    except (TypeError, ValueError):
        return False
    unlabelled = [v for v in observed if v not in every]
    if not unlabelled or len(labelled) < 2:
        return False
    inside = [v for v in unlabelled if labelled[0] < v < labelled[-1]]
    if len(labelled) == 2:  # only the two ends carry a label
        return bool(inside)
    return len(inside) >= max(2, len(unlabelled) // 2)


def apply_measures(
    df: pd.DataFrame,
    meta: Any,
    *,
    keep_numeric: set[str],
    mode: str,
    overrides: Mapping[str, str],
    unlabelled: str,
    applied_dk: Mapping[str, Sequence[Any]],
    source: str,
) -> tuple[dict[str, str], dict[str, dict[str, int]], dict[str, int]]:
    """Make labelled columns categorical or numeric as their measure says (in place).

    Returns ``(loaded_as, unlabelled codes with counts, answers made missing as unlabelled)``.
    """
    loaded: dict[str, str] = {}
    stray: dict[str, dict[str, int]] = {}
    blanked: dict[str, int] = {}
    columns = list(dict.fromkeys([*meta.value_labels, *overrides]))
    for col in columns:  # a loop over labelled columns; each step is vectorised
        if col not in df.columns or col in keep_numeric:
            continue
        values = df[col]
        labels = meta.value_labels.get(col) or {}
        level = overrides.get(col) or meta.measure_levels.get(col)
        forced = col in overrides
        if isinstance(values.dtype, pd.CategoricalDtype):
            if level in ("nominal", "ordinal"):
                df[col] = values.cat.as_ordered() if level == "ordinal" else values.cat.as_unordered()
                loaded[col] = "ordinal" if level == "ordinal" else "categorical"
            continue
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
        if not numeric:
            if forced and level in ("nominal", "ordinal") and not labels:
                present = pd.unique(values.dropna())
                cats = sorted(present, key=code_key)
                df[col] = pd.Categorical(values, categories=cats, ordered=level == "ordinal")
                loaded[col] = "ordinal" if level == "ordinal" else "categorical"
            elif forced and level == "scale":
                num = pd.to_numeric(values, errors="coerce")
                bad = num.isna() & values.notna()
                if bad.any():
                    rows, vals = offending(bad.to_numpy(), values)
                    raise CJMDataError(
                        f"`measure` says {col!r} is a scale, but {int(bad.sum())} value(s) are text.",
                        column=col,
                        rows=[_line(r) for r in rows],
                        values=vals,
                        source=source,
                        fix="Recode the text, or declare the column 'nominal'.",
                    )
                df[col] = num.astype("float64")
                loaded[col] = "numeric"
            continue
        if mode == "codes" or level == "scale" or not (labels or forced):
            if labels or forced:
                loaded[col] = "numeric"
            continue
        codes = values.astype("float64")
        observed = np.asarray(pd.unique(codes.dropna()), dtype=float)
        if not forced and mode != "labels" and labels and (scale_like(labels) or end_labelled(observed, labels)):
            loaded[col] = "numeric"
            continue
        label_codes = {}
        for k, v in labels.items():
            try:
                label_codes[float(k)] = str(v)
            except (TypeError, ValueError):
                continue
        gone = [float(d["code"]) for d in (applied_dk.get(col) or []) if _is_number(d["code"])]
        declared = meta.missing_codes.get(col, [])
        order = [k for k in sorted(label_codes) if not is_declared_code(k, declared) and k not in gone]
        names = list(dict.fromkeys(label_codes[k] for k in order))
        if not labels and forced:  # an unlabelled numeric column declared nominal/ordinal
            names = [code_key(v) for v in sorted(observed)]
            df[col] = _categorical(codes, {v: code_key(v) for v in observed}, names, ordered=level == "ordinal")
            loaded[col] = "ordinal" if level == "ordinal" else "categorical"
            continue
        no_label = codes.notna() & ~codes.isin(list(label_codes))
        n_present = int(codes.notna().sum())
        if no_label.any():
            share = no_label.sum() / max(n_present, 1)
            if share > DISAGREE_SHARE or unlabelled == "error":
                rows, vals = offending(no_label.to_numpy(), values)
                counts = codes[no_label].value_counts()
                shown = ", ".join(f"{code_key(k)} ({int(v)}×)" for k, v in counts.head(5).items())
                raise CJMDataError(
                    f"The value labels of {col!r} do not match its values: {int(no_label.sum())} of {n_present} "
                    f"answers have a code without a label ({shown}); the labels name "
                    f"{', '.join(code_key(k) for k in list(label_codes)[:8])}"
                    + (" …" if len(label_codes) > 8 else "")
                    + ".",
                    column=col,
                    rows=[_line(r) for r in rows],
                    values=vals,
                    source=source,
                    fix=f"Correct the value labels in the file, or load the codes as they are with "
                    f"measure={{{col!r}: 'scale'}} (or value_labels='codes'); unlabelled='missing' makes a few stray "
                    "codes missing instead.",
                )
            counts = codes[no_label].value_counts()
            stray[col] = {code_key(k): int(v) for k, v in counts.items()}
            if unlabelled == "missing":
                codes = codes.where(~no_label)
                blanked[col] = int(no_label.sum())
        extra = sorted({float(x) for x in stray.get(col, {})}) if unlabelled == "keep" else []
        cats = names + [code_key(e) for e in extra if code_key(e) not in names]
        df[col] = _categorical(
            codes,
            {**{k: label_codes[k] for k in order}, **{e: code_key(e) for e in extra}},
            cats,
            ordered=level == "ordinal",
        )
        loaded[col] = "ordinal" if level == "ordinal" else "categorical"
    return loaded, stray, blanked


def _categorical(
    codes: pd.Series, names_by_code: Mapping[float, str], categories: list[str], *, ordered: bool
) -> pd.Series:
    """Numeric codes -> a categorical of their names, vectorised (codes not in the map become missing)."""
    keys = np.asarray(list(names_by_code), dtype=float)
    position = {name: i for i, name in enumerate(categories)}
    target = np.asarray([position[names_by_code[k]] for k in names_by_code], dtype=np.int64)
    found = pd.Index(keys).get_indexer(codes.to_numpy(dtype=float)) if len(keys) else np.full(len(codes), -1)
    cat_codes = np.where(found >= 0, target[np.maximum(found, 0)] if len(target) else -1, -1)
    return pd.Series(
        pd.Categorical.from_codes(cat_codes, categories=categories, ordered=ordered), index=codes.index, name=codes.name
    )


def wave_column(df: pd.DataFrame, meta: Any, *, source: str) -> str:
    """Waves keep their labels ("2021", "Welle 3") and their order; mixed types are refused.

    A labelled numeric wave becomes an ordered categorical of its labels (in code order); an
    unlabelled one stays numeric, whole numbers as integers (2021, never 2021.0); text waves
    become ordered categoricals in natural order ("Welle 2" before "Welle 10").
    """
    values = df["wave"]
    labels = meta.value_labels.get("wave") or {}
    if isinstance(values.dtype, pd.CategoricalDtype):
        if not values.cat.ordered:
            df["wave"] = values.cat.as_ordered()
        return "ordinal"
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        codes = values.astype("float64")
        if not labels:  # numbers stay numbers (wave == 2 still works); whole ones show as 2021, not 2021.0
            present = codes.dropna()
            if (present == np.round(present)).all() and not pd.api.types.is_integer_dtype(values.dtype):
                df["wave"] = codes.round().astype("Int64")
            return "numeric"
        observed = sorted(float(v) for v in pd.unique(codes.dropna()))
        by_code = {}
        for k, v in labels.items():
            try:
                by_code[float(k)] = str(v)
            except (TypeError, ValueError):
                continue
        names = [by_code.get(v, code_key(v)) for v in observed]
        if len(set(names)) != len(names):
            names = [code_key(v) for v in observed]
        df["wave"] = _categorical(codes, dict(zip(observed, names, strict=True)), names, ordered=True)
        return "ordinal"
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "datetime"
    present = values.dropna()
    inferred = pd.api.types.infer_dtype(present, skipna=True)
    mixed = inferred.startswith("mixed") or inferred in ("unknown-array",)
    if mixed:  # only then look at each value, to name the rows
        kinds = present.map(
            lambda v: (
                "number"
                if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                else ("date" if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat") else "text")
            )
        )
    if mixed and kinds.nunique() > 1:
        minority = kinds.value_counts().index[-1]
        mask = pd.Series(False, index=values.index)
        mask.loc[kinds.index] = (kinds == minority).to_numpy()
        rows, vals = offending(mask.to_numpy(), values)
        raise CJMDataError(
            f"The wave column mixes {', '.join(sorted(kinds.unique()))} values; waves must be one kind so that "
            "they can be ordered.",
            column="wave",
            rows=[_line(r) for r in rows],
            values=vals,
            source=source,
            fix="Write every wave the same way (all numbers such as 2021, or all text such as 'Welle 3'), or map a "
            "date column to 'date' instead.",
        )
    text = present.astype(str).str.strip()
    order = list(dict.fromkeys(sorted(pd.unique(text), key=_natural)))
    df["wave"] = pd.Categorical(
        values.astype(object).where(values.isna(), values.astype(str).str.strip()), categories=order, ordered=True
    )
    return "ordinal"


def _natural(text: str) -> list[Any]:
    """Sort key that orders "Welle 2" before "Welle 10"."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def pattern_lookup(mapping: Mapping[str, Any], column: str) -> Any:
    if column in mapping:
        return mapping[column]
    for pat, value in mapping.items():
        if any(ch in pat for ch in "*?[") and fnmatch.fnmatchcase(column, pat):
            return value
    return None

"""Undeclared "don't know" and "refused" codes, found from the value labels.

SPSS files often label a code "Don't know" (or "Prefer not to say", "Weiß nicht",
"Keine Angabe") without declaring it missing, so it enters means and bottom boxes as
if it were a scale point: 9 = "DON'T KNOW" on a 1–5 agreement scale, 99 = "Dont know"
after ten spending bands, or code 1 at the bottom of a scale.  :func:`detect_missing`
lists such codes with their counts; the loaders record them and apply them only when
asked (``missing="auto"``), or when the user names them (``missing_codes=``).

How a label is recognised
    The label is normalised (lower case; ``’ ‘ ` ´`` read as ``'``; the apostrophe dropped, so
    "Don't", "Don’t" and "Dont" are one word, and so is "Don t" where an export replaced the
    apostrophe by a space; a leading code such as ``99 =`` or ``(9)`` removed; runs of
    spaces collapsed).  It is split at ``/``, ``;``, ``|``, ``,``
    and `` or ``/`` oder ``; it is a "don't know" label when **every** part is one of the
    phrases in :data:`DONT_KNOW_PHRASES` (English and German), so "Don't know/refused"
    counts and "I don't know the brand well" or "Neither agree nor disagree" do not.
    Pass more phrases with ``phrases=`` (they add to the list).  The abbreviations ``DK``,
    ``NA``, ``k.A.`` do not count in a column whose labels are mostly codes of two or three
    capitals (``DE``, ``AT``, ``DK``: Denmark, not "don't know").

Unlabelled codes outside the labelled scale
    A labelled variable that holds an *unlabelled* code outside the range of its labelled
    substantive codes is listed too: ``reason="sentinel"`` for the usual no-answer codes
    (-9, 99, 999, …), ``reason="out_of_scale"`` for any other (a 6 or a 22 on a 1–5 scale:
    a typing error, an old code).  Neither is applied automatically — nothing in the file says
    what it means — but the loaders report them (``missing="detect"`` warns, ``cjm-lab
    inspect`` lists them) and the rating functions warn before averaging them.  Measured on
    ``phone_market_survey.sav``: 21 columns hold such codes (``q23a`` a 22 and ``q23e`` a 6 on
    1–5 agreement scales, 99 in 78 answers of ``q16`` on a 1–10 scale); on the held-out
    ``cola_brand_survey.sav`` and ``mobiles_feedback_survey.sav`` none (no false alarm).

Which data shaped the rule
    The phrase list and the normalisation were written on the value labels of
    ``data/real/phone_market_survey.sav`` (``DON'T KNOW``, ``Don't know``,
    ``Don't know/refused``, ``Dont know``: all 39 labelled found, no other label flagged).
    Checked on ``cola_brand_survey.sav``, held out: it found "Don’t know" and "I’d rather
    not say" but missed "Don t Know" and "Don t know/Not applicable" (10 of 12 columns),
    where the export had replaced the apostrophe by a space; the lost-apostrophe rule was
    added after that check, so cola no longer counts as held out for it.
    ``mobiles_feedback_survey.sav`` stayed held out throughout: all 7 labelled columns
    found ("Don't know", "Don’t know"), nothing else flagged.  See
    ``docs/guide/survey.md`` and ``tests/io/test_spss_files.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.io.metadata import code_key, code_keys, table_metadata

__all__ = [
    "DONT_KNOW_PHRASES",
    "SENTINEL_CODES",
    "detect_missing",
    "is_dont_know_label",
    "labelled_range",
    "stray_codes",
]

#: Phrases that mean "no substantive answer", in English and German (normalised form: no apostrophes).
DONT_KNOW_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "dont know",
        "do not know",
        "dk",
        "dk/na",
        "not sure",
        "unsure",
        "no idea",
        "cant say",
        "cannot say",
        "cant remember",
        "cannot remember",
        "dont remember",
        "no opinion",
        "refused",
        "refuse",
        "refused to answer",
        "prefer not to say",
        "prefer not to answer",
        "rather not say",
        "id rather not say",
        "would rather not say",
        "not applicable",
        "n/a",
        "na",
        "no answer",
        "not answered",
        "not stated",
        "no response",
    ),
    "de": (
        "weiß nicht",
        "weiss nicht",
        "weiß ich nicht",
        "weiss ich nicht",
        "keine ahnung",
        "keine angabe",
        "keine angaben",
        "k.a",
        "k. a",
        "ka",
        "kann ich nicht sagen",
        "kann ich nicht beurteilen",
        "nicht beurteilbar",
        "keine meinung",
        "möchte ich nicht sagen",
        "möchte ich nicht beantworten",
        "möchte nicht antworten",
        "will ich nicht sagen",
        "antwort verweigert",
        "verweigert",
        "nicht zutreffend",
        "entfällt",
        "unbekannt",
    ),
}

#: Unlabelled codes that usually stand for "no answer" when they sit outside a labelled scale.
SENTINEL_CODES: tuple[float, ...] = (-999, -99, -98, -9, -8, -1, 9, 98, 99, 998, 999, 9998, 9999)

_APOSTROPHES = re.compile(r"[’‘`´']")
_LEADING_CODE = re.compile(r"^\s*(?:\(?-?\d+(?:[.,]\d+)?\)?\s*(?:[=:.)\-–]\s*|\s+))")
_SPLIT = re.compile(r"\s*(?:/|;|\||,|\bor\b|\boder\b)\s*")
_SPACES = re.compile(r"\s+")
# exports that replace the apostrophe by a space: "Don t know", "can t say"
_LOST_APOSTROPHE = re.compile(r"\b(don|can|won|didn|doesn|isn|i)\s+(t|d)\b")

_COLUMNS = ["column", "code", "label", "n", "pct", "reason", "declared", "applied"]

#: Abbreviations among the phrases that are also country or region codes (DK Denmark, NA North
#: America): in a column whose labels are mostly such codes they are codes, not "don't know".
_ABBREVIATIONS = frozenset({"dk", "na", "ka", "k.a", "k. a", "n/a", "dk/na"})


_UPPER_CODE = re.compile(r"^[A-Z]{2,3}$")
_ANSWER_WORDS = frozenset({"YES", "NO", "JA", "NEIN", "OK"})


def _code_list(labels: Mapping[Any, Any]) -> bool:
    """Most other labels are codes of two or three capitals (``DE``, ``AT``, ``USA``), not yes/no words."""
    others = [str(v).strip() for v in labels.values() if _normalise(str(v)) not in _ABBREVIATIONS]
    hits = sum(bool(_UPPER_CODE.match(t)) and t not in _ANSWER_WORDS for t in others)
    return hits >= 2 and hits > len(others) / 2


def _normalise(label: str) -> str:
    text = _APOSTROPHES.sub("", str(label).lower())
    text = _LOST_APOSTROPHE.sub(r"\1\2", text)
    text = _LEADING_CODE.sub("", text)
    text = text.strip().strip("()[]").strip()
    text = _SPACES.sub(" ", text)
    return text.rstrip(".!").strip()


_DEFAULT: set[str] = set()


def _phrase_set(phrases: Iterable[str] | None) -> set[str]:
    if not _DEFAULT:
        _DEFAULT.update(_normalise(p) for group in DONT_KNOW_PHRASES.values() for p in group)
    base = set(_DEFAULT)
    if phrases is not None:
        if isinstance(phrases, str) or not all(isinstance(p, str) for p in phrases):
            raise CJMConfigError(
                f"`phrases` must be a list of texts that mean 'don't know', e.g. ['no clue']; got {phrases!r}."
            )
        base |= {_normalise(p) for p in phrases}
    return base


def is_dont_know_label(label: Any, *, phrases: Iterable[str] | None = None) -> bool:
    """Whether a value label means "don't know", "refused" or "not applicable" (English or German).

    Examples
    --------
    >>> [is_dont_know_label(x) for x in ["DON'T KNOW", "Don’t know/refused", "99 = Keine Angabe",
    ...                                  "Neither agree nor disagree", "I don't know the brand"]]
    [True, True, True, False, False]
    >>> is_dont_know_label("No clue", phrases=["no clue"])
    True
    """
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return False
    return _all_parts_known(label, _phrase_set(phrases))


def _numeric_codes(values: pd.Series) -> pd.Series | None:
    if isinstance(values.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(values.dtype):
        return None
    if pd.api.types.is_bool_dtype(values.dtype):
        return None
    return values.astype("float64")


def is_declared_code(code: Any, declared: Sequence[Any]) -> bool:
    for item in declared or []:
        lo, hi = (item[0], item[1]) if isinstance(item, (list, tuple)) else (item, item)
        try:
            if float(lo) <= float(code) <= float(hi):
                return True
        except (TypeError, ValueError):
            if code_key(item) == code_key(code):
                return True
    return False


@validate_params({"sentinels": [BOOLEAN]})
def detect_missing(
    data: pd.DataFrame | str | os.PathLike,
    *,
    columns: Sequence[str] | None = None,
    phrases: Iterable[str] | None = None,
    sentinels: bool = True,
) -> pd.DataFrame:
    """Undeclared "don't know"/"refused" codes of a table, found from its value labels.

    Parameters
    ----------
    data : DataFrame or path
        A table with metadata (from :func:`cjm_lab.io.read_table` or a loader), or a file
        (read with :func:`~cjm_lab.io.read_table`).  Columns already loaded as categories of
        their labels are checked by label.
    columns : list of str, optional
        Only these columns (default: every labelled column); a name the table lacks raises
        :class:`~cjm_lab.errors.CJMDataError`.
    phrases : list of str, optional
        More phrases that mean "don't know" (added to :data:`DONT_KNOW_PHRASES`).
    sentinels : bool, default True
        Also list unlabelled codes outside the labelled scale: -9, 99 and the like
        (``reason="sentinel"``) and any other (``"out_of_scale"``, a 6 on a 1–5 scale).

    Returns
    -------
    DataFrame
        One row per column and code: ``column``, ``code``, ``label`` (None for a
        sentinel), ``n`` (answers with that code, also when the loader made them missing),
        ``pct`` (of every answer the column holds or held before codes were made missing,
        in percent), ``reason`` (``"label"``, ``"sentinel"`` or ``"out_of_scale"``), ``declared``
        (the file declares it missing already) and ``applied`` (the loader made it
        missing: declared, ``missing="auto"`` or ``missing_codes``).  Codes declared in
        the file are listed too, so the table is the whole picture to confirm.

    Examples
    --------
    >>> df = pd.DataFrame({"q23a": [1, 2, 9, 5, 9], "q4": [1, 2, 3, 10, 2]})
    >>> df.attrs["cjm"] = {"value_labels": {
    ...     "q23a": {1: "Strongly agree", 5: "Strongly disagree", 9: "DON'T KNOW"},
    ...     "q4": {1: "15 and under", 2: "16-19 yrs", 3: "20-24 yrs", 10: "Weiß nicht"}}}
    >>> detect_missing(df)[["column", "code", "label", "n", "reason"]]
      column  code       label  n reason
    0   q23a     9  DON'T KNOW  2  label
    1     q4    10  Weiß nicht  1  label
    """
    if isinstance(data, (str, os.PathLike)):
        from cjm_lab.io.readers import read_table

        data, _ = read_table(data)
    if not isinstance(data, pd.DataFrame):
        raise CJMConfigError(f"detect_missing() needs a DataFrame or a file path, got {type(data).__name__}.")
    if columns is not None:
        from cjm_lab._validate import require_columns

        if isinstance(columns, str):
            columns = [columns]
        require_columns(data, {"columns": list(columns)}, where="detect_missing()")
    meta = table_metadata(data)
    labels_by_col: Mapping[str, Mapping[Any, str]] = meta.get("value_labels", {}) or {}
    declared_by_col = meta.get("missing_codes", {}) or {}
    applied_by_col = meta.get("detected_missing", {}) or {}
    read_options = meta.get("read_options", {}) or {}
    applied_counts = {**read_options.get("spss_missing_applied", {})}
    applied_counts.update(meta.get("missing_codes_applied", {}) or {})
    # what each code removed: the loader's counts, or the SPSS reader's for a table read_table made
    per_code_by_col = meta.get("missing_code_counts") or read_options.get("spss_missing_counts") or {}
    known = _phrase_set(phrases)
    wanted = list(labels_by_col) if columns is None else list(columns)
    rows: list[dict[str, Any]] = []
    for col in wanted:  # a loop over labelled columns; each step is vectorised over rows
        if col not in data.columns:
            continue
        labels = labels_by_col.get(col) or {}
        if not labels:
            continue
        values = data[col]
        present = values.notna()
        n_present = int(present.sum())
        per_code = per_code_by_col.get(col)
        removed = sum(per_code.values()) if per_code else int(applied_counts.get(col, 0))
        n_given = n_present + removed  # every answer given, those made missing included
        already = {code_key(d["code"]) for d in applied_by_col.get(col, []) if d.get("applied")}
        declared = declared_by_col.get(col, [])
        codes = _numeric_codes(values)
        as_text = code_keys(values).where(present) if codes is None else None
        codes_listed = _code_list(labels)
        for code, label in labels.items():
            if not _all_parts_known(label, known):
                continue
            if codes_listed and _normalise(str(label)) in _ABBREVIATIONS:
                continue  # "DK" among "DE", "AT", "CH": Denmark
            if codes is not None:
                try:
                    n = int((codes == float(code)).sum())
                except (TypeError, ValueError):
                    n = int((code_keys(values) == code_key(code)).sum())
            else:
                n = int(((as_text == code_key(code)) | (as_text == code_key(label))).sum())  # type: ignore[union-attr]
            is_declared = is_declared_code(code, declared)
            if n == 0 and (is_declared or code_key(code) in already):  # made missing already: what it removed
                n = int(per_code.get(code_key(code), 0)) if per_code is not None else int(applied_counts.get(col, 0))
            rows.append(
                {
                    "column": col,
                    "code": code,
                    "label": str(label),
                    "n": n,
                    "pct": n / n_given * 100 if n_given else 0.0,
                    "reason": "label",
                    "declared": is_declared,
                    "applied": is_declared or code_key(code) in already,
                }
            )
        if sentinels and codes is not None:
            numeric_labels = []
            for k in labels:
                try:
                    numeric_labels.append(float(k))
                except (TypeError, ValueError):
                    continue
            substantive = [k for k in numeric_labels if not _all_parts_known(_label_of(labels, k), known)]
            if len(substantive) >= 2:
                lo, hi = min(substantive), max(substantive)
                observed = pd.unique(codes.dropna())
                for code in sorted(float(c) for c in observed):
                    if code in numeric_labels or lo <= code <= hi:
                        continue
                    n = int((codes == code).sum())
                    rows.append(
                        {
                            "column": col,
                            "code": code,
                            "label": None,
                            "n": n,
                            "pct": n / n_given * 100 if n_given else 0.0,
                            "reason": "sentinel" if code in SENTINEL_CODES else "out_of_scale",
                            "declared": is_declared_code(code, declared),
                            "applied": is_declared_code(code, declared) or code_key(code) in already,
                        }
                    )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    return out.astype({"n": "int64", "pct": "float64", "declared": bool, "applied": bool})


def labelled_range(labels: Mapping[Any, Any] | None) -> tuple[float, float] | None:
    """The lowest and highest labelled substantive code ("don't know" labels left out), or None
    when fewer than two numeric codes carry a substantive label.

    Examples
    --------
    >>> labelled_range({1: "Very dissatisfied", 5: "Very satisfied", 9: "Don't know"})
    (1.0, 5.0)
    >>> labelled_range({"a": "Yes"}) is None
    True
    """
    codes = []
    for code, label in (labels or {}).items():
        try:
            number = float(code)
        except (TypeError, ValueError):
            continue
        if not is_dont_know_label(label):
            codes.append(number)
    return (min(codes), max(codes)) if len(codes) >= 2 else None


def stray_codes(values: pd.Series, labels: Mapping[Any, Any] | None) -> dict[float, int]:
    """Unlabelled codes of a numeric column outside its labelled scale, with their counts.

    Examples
    --------
    >>> stray_codes(pd.Series([1, 5, 99, 4, 7, 2, 99]), {1: "Very dissatisfied", 5: "Very satisfied"})
    {7.0: 1, 99.0: 2}
    """
    bounds = labelled_range(labels)
    codes = _numeric_codes(values)
    if bounds is None or codes is None:
        return {}
    known = []
    for k in labels or {}:
        try:
            known.append(float(k))
        except (TypeError, ValueError):
            continue
    x = codes.dropna().to_numpy(dtype=float)
    out = x[((x < bounds[0]) | (x > bounds[1])) & ~np.isin(x, known)]
    found, counts = np.unique(out, return_counts=True)
    return {float(c): int(n) for c, n in zip(found, counts, strict=True)}


def _label_of(labels: Mapping[Any, str], code: float) -> str:
    for k, v in labels.items():
        if code_key(k) == code_key(code):
            return str(v)
    return ""


def _all_parts_known(label: Any, known: set[str]) -> bool:
    text = _normalise(str(label))
    if not text:
        return False
    if text in known:
        return True
    parts = [p.strip().strip("()").strip() for p in _SPLIT.split(text)]
    parts = [p for p in parts if p]
    return bool(parts) and all(p in known for p in parts)

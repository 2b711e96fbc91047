"""Multiple-response questions ("tick all that apply") as one variable.

A multiple-response set is either

* a **dichotomy set**: one column per option, holding "selected" or "not selected"
  (``1``/``0``, ``Yes``/``No``, ``Checked``/``Unchecked``, ``ausgewählt``/``nicht
  ausgewählt``, ``True``/``False``, …), or
* a **category set**: several columns that each hold one code of the set's categories
  (first, second, third brand mentioned); a category counts when any column holds it.

SPSS files declare their sets (``mrsets``; see :func:`cjm_lab.io.multiple_response_sets`);
for other data name the columns (``multi={"Brands": ["Q4_1", "Q4_2"]}``).

Which value means "selected"
    The value the set declares (SPSS ``counted_value``), or the one the caller names
    (``counted=``).  Otherwise it is read from the values and their labels: a column whose
    answers (or value labels) form a pair of one "selected" word and one "not selected"
    word, in English or German (:data:`SELECTED_WORDS`, :data:`NOT_SELECTED_WORDS`), counts
    the "selected" one; 0/1 and booleans count 1/True; a column holding a single value
    (a checkbox export with blanks) counts that value unless it is a "not selected" word.
    "Don't know" answers and labels (:func:`cjm_lab.io.missing.is_dont_know_label`) beside
    them are no selection and do not count in this decision.  Anything else raises and asks
    for ``counted=``: a wrong guess would report 0 % or 100 % selected without a word.  A
    category set whose columns all hold such a pair
    (``True``/``False`` per statement) is read as a dichotomy set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import LANGUAGE, validate_params
from cjm_lab._validate import require_columns
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io.metadata import (
    check_set,
    code_key,
    code_keys,
    multiple_response_sets,
    normalise_sets,
    table_metadata,
)

__all__ = ["SELECTED_WORDS", "NOT_SELECTED_WORDS", "MultipleResponse", "multiple_response", "selected"]

#: Answers that mean "this option was selected" (normalised: lower case, single spaces).
SELECTED_WORDS: frozenset[str] = frozenset(
    {
        "1",
        "yes",
        "y",
        "selected",
        "checked",
        "ticked",
        "true",
        "mentioned",
        "chosen",
        "x",
        "applies",
        "ja",
        "j",
        "ausgewählt",
        "gewählt",
        "angekreuzt",
        "markiert",
        "genannt",
        "wahr",
        "trifft zu",
        "zutreffend",
        "vorhanden",
    }
)
#: Answers that mean "this option was not selected".
NOT_SELECTED_WORDS: frozenset[str] = frozenset(
    {
        "0",
        "no",
        "n",
        "not selected",
        "unselected",
        "not checked",
        "unchecked",
        "not ticked",
        "unticked",
        "false",
        "not mentioned",
        "not chosen",
        "does not apply",
        "nein",
        "nicht ausgewählt",
        "nicht gewählt",
        "nicht angekreuzt",
        "nicht markiert",
        "nicht genannt",
        "falsch",
        "trifft nicht zu",
        "nicht zutreffend",
        "nicht vorhanden",
    }
)

_PUNCT = re.compile(r"[\s_\-]+")


def option_word(value: Any) -> str:
    return _PUNCT.sub(" ", code_key(value).lower()).strip(" .!")


def _texts(series: pd.Series, labels: Mapping[Any, str] | None) -> pd.Series:
    """Each value as the text a person would read: its label when it has one."""
    keys = code_keys(series)
    if labels:
        by_code = {code_key(k): str(v) for k, v in labels.items()}
        mapped = keys.map(by_code)
        keys = mapped.where(mapped.notna(), keys)
    return keys


def _counted_keys(series: pd.Series, labels: Mapping[Any, str] | None, counted: Any, *, column: str, where: str) -> set:
    """The (normalised) answers of one dichotomy column that mean "selected"."""
    if counted is not None:
        wanted = list(counted) if isinstance(counted, (list, tuple, set, frozenset)) else [counted]
        keys = {option_word(c) for c in wanted}
        if labels:  # a code names its label too (the column may hold labels after loading)
            for code, label in labels.items():
                if option_word(code) in keys:
                    keys.add(option_word(label))
        return keys
    if pd.api.types.is_bool_dtype(series.dtype):
        return {"true"}
    observed, pool = _answer_words(series, labels)
    positive, negative = pool & SELECTED_WORDS, pool & NOT_SELECTED_WORDS
    if len(positive) == 1 and pool <= SELECTED_WORDS | NOT_SELECTED_WORDS and len(negative) <= 1:
        return positive
    if len(observed) <= 1 and not (observed & NOT_SELECTED_WORDS) and not (labels and len(pool) > 2):
        return observed  # a checkbox column that holds one value (or none) where ticked
    if observed <= {"0", "1"}:
        return {"1"}
    shown = sorted(observed)[:6]
    raise CJMDataError(
        f"{where}: cannot tell which answer of {column!r} means 'selected'; it holds {', '.join(map(repr, shown))}"
        + (" and more." if len(observed) > 6 else "."),
        column=column,
        fix="Name the value with counted=, e.g. counted='Yes' or counted=1 (for a set: declare its counted value).",
    )


@validate_params({})
def selected(
    data: pd.DataFrame,
    column: str,
    *,
    counted: Any = None,
    where: str = "selected()",
) -> tuple[np.ndarray, np.ndarray]:
    """Which respondents selected a multiple-response option, and which answered it at all.

    Parameters
    ----------
    data : DataFrame
        With the column (and, when loaded, its value labels in the metadata).
    column : str
        One option of a dichotomy set.
    counted : value or list, optional
        The value(s) that mean "selected" (codes or labels); default: read from the values
        and labels (see the module notes).

    Returns
    -------
    (ndarray of bool, ndarray of bool)
        ``selected`` and ``answered`` (non-missing), one per row.

    Raises
    ------
    CJMDataError
        The column does not exist, or which answer means "selected" cannot be told.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["Checked", "Unchecked", None], "b": ["nicht ausgewählt", "ausgewählt", "ausgewählt"]})
    >>> selected(df, "a")[0].tolist(), selected(df, "b")[0].tolist()
    ([True, False, False], [False, True, True])
    """
    require_columns(data, {"column": column}, where=where)
    labels = (table_metadata(data).get("value_labels", {}) or {}).get(column)
    series = data[column]
    keys = _counted_keys(series, labels, counted, column=column, where=where)
    answered = series.notna().to_numpy()
    words = _texts(series, labels).map(option_word, na_action="ignore")
    hit = words.isin(keys).to_numpy(dtype=bool) & answered
    return hit, answered


@dataclass(frozen=True)
class MultipleResponse:
    """A multiple-response question read as one variable.

    Attributes
    ----------
    name, label : str
        The set's name and label.
    kind : str
        ``"dichotomy"`` or ``"category"``.
    options : list
        The options: column names (dichotomy) or category codes (category set).
    columns : list of str
        The columns of the set.
    selected : ndarray of bool
        Rows × options: who selected what.
    answered : ndarray of bool
        Rows: who answered the set at all (any column not missing) — the base.
    """

    name: str
    label: str
    kind: str
    options: list[Any]
    columns: list[str]
    selected: np.ndarray
    answered: np.ndarray

    @validate_params({"language": [LANGUAGE]})
    def option_labels(self, labels: Any = None, *, language: str = "en", data: pd.DataFrame | None = None) -> list[str]:
        """What a person reads for each option (item labels without their shared stem, or the
        category labels).
        """
        from cjm_lab.labels import labels_for

        lab = labels_for(data, labels, language=language) if data is not None else labels_for(None, labels)
        if self.kind == "dichotomy":
            return lab.item_labels(self.options, language=language)
        return [lab.value(self.columns[0], c, language=language) for c in self.options]


def _answer_words(series: pd.Series, labels: Mapping[Any, str] | None) -> tuple[set[str], set[str]]:
    """The answers a column holds and those its labels name (normalised), without "don't know" ones.

    A "Don't know" / "Weiß nicht" beside Yes/No is no answer to "was it selected" and says
    nothing about which answer means selected.
    """
    from cjm_lab.io.missing import is_dont_know_label

    texts = [t for t in pd.unique(_texts(series, labels).dropna()) if not is_dont_know_label(t)]
    observed = {option_word(t) for t in texts}
    pool = set(observed)
    if labels:
        pool |= {option_word(v) for v in labels.values() if not is_dont_know_label(v)}
    return observed, pool


def _is_binary_pair(series: pd.Series, labels: Mapping[Any, str] | None) -> bool:
    _, pool = _answer_words(series, labels)
    return bool(pool) and pool <= SELECTED_WORDS | NOT_SELECTED_WORDS and len(pool & SELECTED_WORDS) == 1


@validate_params({})
def multiple_response(
    data: pd.DataFrame,
    spec: str | Sequence[str] | Mapping[str, Any],
    *,
    counted: Any = None,
    where: str = "multiple_response()",
) -> MultipleResponse:
    """Read a multiple-response question: a set stored with the table, or the columns of one.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    spec : str, list or dict
        The name of a set in the table's metadata (``"Race"``), a list of dichotomy columns,
        or ``{"name": [...columns]}`` / ``{"name": {"variables": [...], "kind": "category"}}``.
    counted : value or list, optional
        What means "selected" in a dichotomy set (default: the set's counted value, else read
        from the values and labels).

    Returns
    -------
    MultipleResponse

    Raises
    ------
    CJMDataError
        An unknown set name, a set naming a column the data lacks, or a "selected" value
        that cannot be told.

    Examples
    --------
    >>> df = pd.DataFrame({"web": ["Yes", "No", None], "app": ["No", "No", None]})
    >>> mr = multiple_response(df, {"Channels": ["web", "app"]})
    >>> mr.selected.tolist(), mr.answered.tolist()
    ([[True, False], [False, False], [False, False]], [True, True, False])
    """
    meta = table_metadata(data)
    stored = multiple_response_sets(data, check=False)
    if isinstance(spec, str):
        if spec not in stored:
            from cjm_lab._validate import suggest

            raise CJMDataError(
                f"{where}: there is no multiple-response set {spec!r}.{suggest(spec, stored)}",
                column=spec,
                fix=(
                    f"Use one of the sets stored with the table ({', '.join(map(repr, stored))}) "
                    if stored
                    else "The table declares no sets; "
                )
                + "or name the columns, e.g. {'Brands': ['Q4_1', 'Q4_2']}.",
            )
        name, set_spec = spec, stored[spec]
    elif isinstance(spec, Mapping):
        if len(spec) != 1:
            raise CJMConfigError(f"{where}: name one set per call, e.g. {{'Brands': ['Q4_1', 'Q4_2']}}; got {spec!r}.")
        name, raw = next(iter(spec.items()))
        set_spec = normalise_sets({name: raw}, where=where)[str(name)]
        name = str(name)
    elif isinstance(spec, Sequence):
        name, set_spec = "Multiple response", normalise_sets({"_": list(spec)}, where=where)["_"]
        set_spec["label"] = name
    else:
        raise CJMConfigError(f"{where}: a multiple-response set is a set name or a list of columns; got {spec!r}.")
    columns = list(set_spec["variables"])
    check_set(name, set_spec, list(data.columns), where=where, source=meta.get("source"))
    value_labels = meta.get("value_labels", {}) or {}
    kind = set_spec["kind"]
    if counted is None:
        counted = set_spec.get("counted")
    if kind == "category" and all(_is_binary_pair(data[c], value_labels.get(c)) for c in columns):
        kind, counted = "dichotomy", None  # True/False per statement: a dichotomy set in disguise
    answered = data[columns].notna().to_numpy().any(axis=1)
    if kind == "dichotomy" and counted is None:
        counted = _set_counted(data, columns, value_labels, where=where)
    if kind == "dichotomy":
        hits = [selected(data, c, counted=counted, where=where)[0] for c in columns]  # one vector per option
        sel = np.column_stack(hits) if hits else np.zeros((len(data), 0), dtype=bool)
        options: list[Any] = list(columns)
    else:
        codes: list[Any] = []
        for c in columns:
            labels = value_labels.get(c) or {}
            codes.extend(k for k in labels if code_key(k) not in {code_key(x) for x in codes})
        keys = pd.DataFrame({c: _keys_of(data[c], value_labels.get(c)) for c in columns})
        observed = pd.unique(keys.to_numpy().ravel())
        known = {code_key(x) for x in codes}
        extra = sorted({o for o in observed if isinstance(o, str) and o not in known}, key=str)
        options = codes + extra
        option_keys = [code_key(o) for o in options]
        sel = (
            np.column_stack([(keys == k).to_numpy().any(axis=1) for k in option_keys])
            if options
            else np.zeros((len(data), 0), dtype=bool)
        )
    return MultipleResponse(
        name=name,
        label=str(set_spec.get("label") or name),
        kind=kind,
        options=options,
        columns=columns,
        selected=sel,
        answered=answered,
    )


def _set_counted(data: pd.DataFrame, columns: list[str], value_labels: Mapping[str, Any], *, where: str) -> Any:
    """The "selected" answers of a dichotomy set, read from all its columns together.

    An option nobody chose holds only "No", and is still a Yes/No column.
    """
    pooled = pd.concat([_texts(data[c], value_labels.get(c)) for c in columns], ignore_index=True).dropna()
    labels: dict[Any, str] = {}
    for c in columns:
        labels.update({f"{c}\0{k}": v for k, v in (value_labels.get(c) or {}).items()})
    if all(pd.api.types.is_bool_dtype(data[c].dtype) for c in columns):
        return None
    name = "the set (" + ", ".join(columns[:3]) + (" …)" if len(columns) > 3 else ")")
    try:
        keys = _counted_keys(pd.Series(pooled, dtype=object), labels, None, column=name, where=where)
    except CJMDataError:
        return None  # each column is judged on its own, with its own message
    return sorted(keys)


def _keys_of(series: pd.Series, labels: Mapping[Any, str] | None) -> pd.Series:
    """Codes as keys; a column loaded as labels is mapped back to its codes."""
    keys = code_keys(series)
    if labels and isinstance(series.dtype, pd.CategoricalDtype):
        back = {str(v): code_key(k) for k, v in labels.items()}
        mapped = keys.map(back)
        keys = mapped.where(mapped.notna(), keys)
    return keys

"""What is in a file: one row per variable, and a draft of the mapping the reports take.

:func:`inspect_file` reads a ``.sav``, ``.csv``, ``.xlsx`` (or Parquet) file read-only and
lists every variable with its label, type, measure level, value labels, declared and
detected missing codes, multiple-response set and the roles it could play (recommend,
weight, wave, date, id, comment, duration, rating).  :func:`draft_config` turns that into
the YAML mapping :func:`cjm_lab.io.load_survey` and the reports read
(``configs/columns/*.yaml``); ``cjm-lab inspect FILE --write-config draft.yaml`` does both.

How roles are suggested
    From the column name *and* its label, in English and German (patterns in
    :data:`ROLE_PATTERNS`), checked against the values: a recommend question holds whole
    numbers within 0–10 (or 1–10), a weight positive numbers that are not all whole, an id
    is unique, a comment is free text of many distinct answers, a wave has few values, a
    date is a date.  A rating is a numeric question whose value labels mark a scale
    (labelled ends such as "Very dissatisfied" … "Very satisfied", or labels that start with
    their own codes).  The draft takes the first candidate of each role; every line of it is
    a suggestion to check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.io.metadata import code_key, multiple_response_sets, table_metadata

__all__ = ["ROLE_PATTERNS", "inspect_file", "draft_config", "write_config", "INSPECT_COLUMNS"]

#: Name/label patterns (English and German) that suggest a role.
ROLE_PATTERNS: dict[str, re.Pattern[str]] = {
    "recommend": re.compile(r"recommend|empfehl|\bnps\b|net promoter|weiterempf", re.IGNORECASE),
    "weight": re.compile(r"(?<![a-z])(weight|wgt|wght|gewicht|gewichtung)(?![a-z])|_w$|^w_", re.IGNORECASE),
    "wave": re.compile(
        r"(?<![a-z])(wave|welle|period|periode|round|erhebung|quarter|quartal|month|monat)(?![a-z])", re.IGNORECASE
    ),
    "date": re.compile(r"date|datum|(?<![a-z])(time|zeit|zeitpunkt|timestamp|day|tag)(?![a-z])", re.IGNORECASE),
    "id": re.compile(
        r"(?<![a-z])(id|uid|uuid|iid|respondent|resp|serial|lfdn|record|case|fall|urlid|responseid)(?![a-z])"
        r"|_id$|id$|nummer$|nr\.?$|^(kunde|kunden|customer|client|teilnehmer|befragte[rn]?)",
        re.IGNORECASE,
    ),
    "comment": re.compile(
        r"comment|kommentar|anmerkung|verbatim|remark|feedback|(?<![a-z])(why|warum|grund|reason|open|offen|"
        r"likes?|dislikes?|text|freitext|suggestion|vorschlag)(?![a-z])",
        re.IGNORECASE,
    ),
    "duration": re.compile(r"duration|dauer|seconds|sekunden|interview length|laufzeit", re.IGNORECASE),
}

#: The columns of :func:`inspect_file`'s table.
INSPECT_COLUMNS = [
    "column",
    "label",
    "type",
    "measure",
    "loaded_as",
    "n_missing",
    "n_distinct",
    "value_labels",
    "missing_codes",
    "dont_know",
    "unlabelled",
    "multiple_response",
    "roles",
    "scale",
]


def _short(mapping: Mapping[Any, str], width: int = 60) -> str:
    text = "; ".join(f"{code_key(k)}={v}" for k, v in mapping.items())
    return text if len(text) <= width else text[: width - 1] + "…"


def _scale_of(values: pd.Series, labels: Mapping[Any, str], dk_codes: set[str]) -> tuple[float, float] | None:
    """The rating range of a numeric question whose labels mark a scale, else None."""
    from cjm_lab.io._measures import scale_like
    from cjm_lab.personas.naming import ATTITUDE_WORDS, label_poles, pole_word

    if not labels:
        return None
    substantive = {}
    for k, v in labels.items():
        try:
            code = float(k)
        except (TypeError, ValueError):
            return None
        if code_key(k) not in dk_codes:
            substantive[code] = str(v)
    if len(substantive) < 3:
        return None
    poles = label_poles(substantive)
    attitude = poles is not None and (pole_word(poles[0]) in ATTITUDE_WORDS or pole_word(poles[1]) in ATTITUDE_WORDS)
    if not (attitude or scale_like(substantive)):
        return None
    low, high = min(substantive), max(substantive)
    present = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    present = present[~np.isin(present, [float(c) for c in dk_codes if _is_number(c)])]
    if len(present) and (present.min() < low or present.max() > high):
        return None  # stray codes outside the scale: not a clean rating
    return low, high


@validate_params({})
def inspect_file(
    source: str | os.PathLike | pd.DataFrame,
    *,
    codebook: Any = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> pd.DataFrame:
    """One row per variable of a file: label, type, measure, labels, missing codes, candidate roles.

    Parameters
    ----------
    source : path or DataFrame
        A ``.sav``/``.zsav``, CSV, Excel or Parquet file (read-only), or a loaded table.
    codebook : path, dict or Labels, optional
        Variable and value labels and measure levels of a CSV/Excel file (as
        :func:`cjm_lab.io.load_survey` takes them): the table then shows labels, finds
        "don't know" codes and scales from them, and the draft names the codebook.
    sheet, encoding, delimiter : optional
        As in :func:`cjm_lab.io.read_table`.

    Returns
    -------
    DataFrame
        Columns :data:`INSPECT_COLUMNS`: ``column``, ``label`` (variable label),
        ``type`` (``number``, ``text``, ``date``, ``category``, ``boolean``), ``measure``
        (declared), ``loaded_as`` (what :func:`cjm_lab.io.load_survey` makes of it),
        ``n_missing``, ``n_distinct``, ``value_labels`` (``"1=Yes; 2=No"``, shortened),
        ``missing_codes`` (declared), ``dont_know`` (undeclared "don't know" codes found from
        the labels, with their counts; and unlabelled codes outside the labelled scale, such as
        ``"99 (unlabelled, outside 1–5: 3×)"`` — kept as answers unless declared missing),
        ``unlabelled`` (codes without a label, with counts),
        ``multiple_response`` (the set the column belongs to), ``roles`` (candidate roles,
        comma-separated) and ``scale`` (``"1–5"`` for a rating).  ``attrs["inspect"]`` holds
        the source, the shape, the multiple-response sets, the format, ``dont_know`` and
        ``out_of_scale`` (records of column, code, n and reason).

    Examples
    --------
    >>> df = pd.DataFrame({"Befragten_ID": ["a", "b", "c"], "Weiterempfehlung": [9, 10, 3],
    ...                    "Gewicht": [0.8, 1.1, 1.1], "Welle": [1, 1, 2]})
    >>> inspect_file(df)[["column", "type", "roles"]]
                 column    type      roles
    0      Befragten_ID    text         id
    1  Weiterempfehlung  number  recommend
    2           Gewicht  number     weight
    3             Welle  number       wave
    """
    from cjm_lab.io._measures import end_labelled, scale_like
    from cjm_lab.io.missing import detect_missing, labelled_range
    from cjm_lab.io.readers import read_table

    if isinstance(source, pd.DataFrame):
        data, name = source, "DataFrame"
    elif isinstance(source, (str, os.PathLike)):
        data, _ = read_table(source, sheet=sheet, encoding=encoding, delimiter=delimiter)
        name = str(source)
    else:
        raise CJMConfigError(f"inspect_file() takes a file path or a DataFrame, got {type(source).__name__}.")
    if codebook is not None:
        from cjm_lab.io._measures import merge_codebook
        from cjm_lab.io.metadata import store_metadata
        from cjm_lab.io.readers import prior_meta

        book_meta = prior_meta(table_metadata(data))
        merge_codebook(book_meta, codebook, [str(c) for c in data.columns])
        data = store_metadata(data.copy(deep=False), book_meta.as_dict())
    meta = table_metadata(data)
    var_labels = meta.get("variable_labels", {}) or {}
    value_labels = meta.get("value_labels", {}) or {}
    measures = meta.get("measure_levels", {}) or {}
    declared = meta.get("missing_codes", {}) or {}
    sets = multiple_response_sets(data, check=False)
    member = {c: n for n, s in sets.items() for c in s["variables"]}
    found = detect_missing(data)
    undeclared = found[~found["declared"]]
    by_column = dict(list(undeclared.groupby("column", sort=False)))
    labelled_by_column = dict(list(found[found["reason"] == "label"].groupby("column", sort=False)))
    empty = found.iloc[0:0]
    rows = []
    for col in data.columns:  # one row per variable; each step vectorised over respondents
        s = data[col]
        label = str(var_labels.get(col) or "")
        labels = value_labels.get(col) or {}
        if pd.api.types.is_bool_dtype(s.dtype):
            kind = "boolean"
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            kind = "date"
        elif isinstance(s.dtype, pd.CategoricalDtype):
            kind = "category"
        elif pd.api.types.is_numeric_dtype(s.dtype):
            kind = "number"
        else:
            kind = "text"
        present = s.dropna()
        if kind == "text":
            present = present[present.astype(str).str.strip() != ""]
        n_distinct = int(present.nunique())
        dk = by_column.get(col, empty)
        every_dk = labelled_by_column.get(col, empty)
        dk_codes = {code_key(c) for c in every_dk["code"]}
        dk_codes |= {code_key(c) for c in declared.get(col, []) if not isinstance(c, list)}
        bounds = labelled_range(labels)
        outside = f"outside {code_key(bounds[0])}–{code_key(bounds[1])}" if bounds else "outside the scale"
        dk_text = "; ".join(
            f"{code_key(r.code)}={r.label} ({r.n}×)"
            if isinstance(r.label, str)
            else f"{code_key(r.code)} (unlabelled, {outside}: {r.n}×)"
            for r in dk.itertuples()
        )
        unlabelled = {}
        if labels and kind == "number":
            known = [float(k) for k in labels if _is_number(k)]
            numbers = present.astype("float64")
            stray = numbers[~np.isin(numbers.to_numpy(), known)]
            unlabelled = {code_key(k): int(v) for k, v in stray.value_counts().items()}
        scale = _scale_of(s, labels, dk_codes) if kind == "number" else None
        loaded = measures.get(col)
        if kind == "number" and labels and measures.get(col) != "scale":
            observed = np.asarray(pd.unique(present.astype(float)), dtype=float)
            numeric = scale_like(labels) or end_labelled(observed, labels)
            loaded = "numeric" if numeric else ("ordinal" if measures.get(col) == "ordinal" else "categorical")
        elif kind == "number":
            loaded = "numeric"
        else:
            loaded = {"text": "text", "date": "datetime", "category": "categorical", "boolean": "boolean"}[kind]
        roles = _roles(col, label, s, present, kind, n_distinct, len(data), scale, dk_codes)
        rows.append(
            {
                "column": col,
                "label": label,
                "type": kind,
                "measure": measures.get(col, ""),
                "loaded_as": loaded,
                "n_missing": int(s.isna().sum()),
                "n_distinct": n_distinct,
                "value_labels": _short(labels) if labels else "",
                "missing_codes": ", ".join(
                    code_key(c) if not isinstance(c, list) else "–".join(map(code_key, c))
                    for c in declared.get(col, [])
                ),
                "dont_know": dk_text,
                "unlabelled": "; ".join(f"{k} ({v}×)" for k, v in list(unlabelled.items())[:5]),
                "multiple_response": member.get(col, ""),
                "roles": ", ".join(roles),
                "scale": f"{code_key(scale[0])}–{code_key(scale[1])}" if scale else "",
            }
        )
    out = pd.DataFrame(rows, columns=INSPECT_COLUMNS)
    out.attrs["inspect"] = {
        "source": name,
        "format": meta.get("format", "dataframe"),
        "rows": len(data),
        "columns": data.shape[1],
        "multiple_response_sets": sets,
        "dont_know": undeclared[undeclared["reason"] == "label"][["column", "code", "label", "n"]].to_dict("records"),
        # unlabelled codes outside a labelled scale (a 99, a 6 on 1-5): kept as answers unless declared
        "out_of_scale": undeclared[undeclared["reason"] != "label"][["column", "code", "n", "reason"]].to_dict(
            "records"
        ),
        "codebook": os.fspath(codebook) if isinstance(codebook, (str, os.PathLike)) else None,
    }
    return out


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _roles(
    col: str,
    label: str,
    s: pd.Series,
    present: pd.Series,
    kind: str,
    n_distinct: int,
    n_rows: int,
    scale: tuple[float, float] | None,
    dk_codes: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    """Candidate roles of one column, from its name and label checked against its values.

    "Don't know" codes (labelled, or declared missing) are no answers: a 0–10 question with
    99 = "Don't know" is still a recommend question.
    """
    text = f"{col} {label}"
    roles = []
    numeric = kind == "number"
    values = pd.to_numeric(present, errors="coerce") if numeric else pd.Series(dtype=float)
    if numeric and dk_codes:
        values = values[~values.isin([float(c) for c in dk_codes if _is_number(c)])]
    whole = bool(numeric and len(values) and (values == np.round(values)).all())
    if (
        ROLE_PATTERNS["recommend"].search(text)
        and numeric
        and whole
        and len(values)
        and values.min() >= 0
        and values.max() <= 10
    ):
        roles.append("recommend")
    if ROLE_PATTERNS["weight"].search(text) and numeric and len(values) and (values > 0).all() and not whole:
        roles.append("weight")
    if kind == "date" or (ROLE_PATTERNS["date"].search(text) and kind == "text" and _looks_like_dates(present)):
        roles.append("date")
    if ROLE_PATTERNS["wave"].search(text) and 1 <= n_distinct <= 24 and kind != "date":
        roles.append("wave")
    if ROLE_PATTERNS["id"].search(col) and n_distinct >= 0.95 * max(len(present), 1) and len(present) > 0:
        if kind in ("text", "number") and present.notna().all():
            roles.append("id")
    if ROLE_PATTERNS["duration"].search(text) and numeric:
        roles.append("duration")
    if kind == "text" and n_distinct >= 0.2 * max(len(present), 1) and len(present):
        avg = float(present.astype(str).str.len().mean())
        if avg >= 12 and (ROLE_PATTERNS["comment"].search(text) or avg >= 30):
            roles.append("comment")
    if scale is not None and "recommend" not in roles:
        roles.append("rating")
    return roles


def _looks_like_dates(present: pd.Series) -> bool:
    """Text the loader itself reads as timestamps (so a drafted ``date`` role loads)."""
    from cjm_lab.errors import CJMDataError
    from cjm_lab.io.contracts import parse_timestamps

    sample = present.astype(str).head(200)
    if not len(sample):
        return False
    try:
        parse_timestamps(sample, column="date")
    except CJMDataError:
        return False
    return True


def _patterns(columns: list[str], spec: dict[str, Any], present: list[str]) -> dict[str, Any]:
    """Group columns with one value (``Q11_1``, ``Q11_2`` → ``"Q11_*"``) when no other column matches."""
    out: dict[str, Any] = {}
    groups: dict[tuple[str, str], list[str]] = {}
    for c in columns:
        prefix = re.sub(r"(?:[A-Za-z]+|\d+)$", "", c)  # Q11_1 -> Q11_, q23b -> q23, Q24_10 -> Q24_
        key = (prefix if prefix and prefix != c else c, repr(spec[c]))
        groups.setdefault(key, []).append(c)
    for (prefix, _), cols in groups.items():
        matching = [
            c for c in present if c.startswith(prefix) and re.fullmatch(re.escape(prefix) + r"(?:[A-Za-z]+|\d+)", c)
        ]
        if len(cols) > 1 and sorted(matching) == sorted(cols):
            out[f"{prefix}*"] = spec[cols[0]]
        else:
            out.update({c: spec[c] for c in cols})
    return out


@validate_params({})
def draft_config(table: pd.DataFrame) -> dict[str, Any]:
    """The YAML mapping of a survey (``{"survey": {"columns": ..., "ratings": ..., ...}}``) drafted
    from :func:`inspect_file`'s table: the first candidate of each role, the ratings with their
    scales, the detected "don't know" codes and the multiple-response sets.

    Examples
    --------
    >>> df = pd.DataFrame({"Befragten_ID": ["a", "b", "c"], "Weiterempfehlung": [9, 10, 3]})
    >>> draft_config(inspect_file(df))
    {'survey': {'columns': {'Weiterempfehlung': 'recommend', 'Befragten_ID': 'respondent_id'}}}
    """
    if not isinstance(table, pd.DataFrame) or "roles" not in table.columns:
        raise CJMConfigError("draft_config() takes the table inspect_file() returns.")
    columns: dict[str, str] = {}
    taken = set()
    role_names = {"id": "respondent_id"}
    for role in ("recommend", "date", "wave", "weight", "duration", "comment", "id"):
        for r in table.itertuples():
            if role in r.roles.split(", ") and r.column not in columns and role not in taken:
                columns[r.column] = role_names.get(role, role)
                taken.add(role)
    present = list(table["column"])
    ratings_raw = {
        r.column: [float(x) if "." in x else int(x) for x in r.scale.split("–")]
        for r in table.itertuples()
        if r.scale and r.column not in columns
    }
    section: dict[str, Any] = {"columns": columns}
    if ratings_raw:
        section["ratings"] = _patterns(list(ratings_raw), ratings_raw, present)
    dk: dict[str, list[Any]] = {}
    for item in table.attrs.get("inspect", {}).get("dont_know", []):
        if item["n"] > 0 or item["column"] in ratings_raw or item["column"] in columns:
            code = item["code"]
            key = columns.get(item["column"], item["column"])  # the loader renames a role's column first
            dk.setdefault(key, []).append(int(code) if float(code).is_integer() else float(code))
    if dk:
        section["missing_codes"] = _patterns(list(dk), dk, present)
    book = table.attrs.get("inspect", {}).get("codebook")
    if book:
        section["codebook"] = str(Path(book).resolve())
    return {"survey": section}


def write_config(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write :func:`draft_config` to a new YAML file with a header that says where it came from.

    Raises
    ------
    CJMConfigError
        The file exists (never overwritten) or does not end in ``.yaml``/``.yml``.
    """
    import yaml

    target = Path(path)
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise CJMConfigError(f"--write-config writes a .yaml file, not {str(target)!r}.")
    info = table.attrs.get("inspect", {})
    header = (
        f"# Drafted by cjm-lab inspect from {info.get('source', '?')} ({info.get('rows', '?')} rows x "
        f"{info.get('columns', '?')} columns).\n"
        "# Every line is a suggestion: check the roles, the rating scales and the don't-know codes.\n"
        "# Load with: cjm_lab.io.load_survey(FILE, columns=THIS_FILE)\n"
    )
    sets = info.get("multiple_response_sets") or {}
    if sets:
        header += "# Multiple-response sets in the file: " + ", ".join(sets) + " (read from the file).\n"
    text = header + yaml.safe_dump(draft_config(table), allow_unicode=True, sort_keys=False, default_flow_style=None)
    try:
        with open(target, "x", encoding="utf-8") as fh:  # never over an existing file
            fh.write(text)
    except FileExistsError:
        raise CJMConfigError(f"{str(target)!r} exists already; cjm-lab never overwrites a file.") from None
    except OSError as err:
        raise CJMConfigError(f"Cannot write {str(target)!r}: {err.strerror}. Fix: choose a writable folder.") from err
    return target

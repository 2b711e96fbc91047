"""Column mappings: from the user's column names to cjm-lab's roles.

A mapping is a dict ``{"Kundennummer": "customer_id", "Zeitpunkt": "timestamp"}``
(user name to role; the reverse direction ``{"customer_id": "Kundennummer"}`` is
understood too) or the path of a YAML file holding such a dict.  A YAML file may
hold one section per table, each with ``columns`` and the loader's options::

    survey:
      columns: {Q8: recommend, StartDate: date}
      ratings: {"Q11_*": [1, 5], "Q12_*": [1, 5]}
      missing_codes: {"Q12_*": [6]}
    events:
      columns: {case_id: customer_id, time: timestamp, activity: touchpoint}
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["read_mapping", "resolve_columns", "expand_patterns", "delimiter_hint"]

_TABLES = ("events", "touchpoints", "survey", "customers")


def delimiter_hint(columns: Any) -> str:
    """A hint when a file was split on the wrong delimiter: one column whose name holds another one.

    Examples
    --------
    >>> print(delimiter_hint(["Kunde;Zeit;Kontaktpunkt"]))
    The data has a single column whose name holds ';': the file is probably separated by ';';
    pass delimiter=';' (or leave `delimiter` out to have it guessed).
    """
    names = [str(c) for c in columns]
    if len(names) != 1:
        return ""
    for sep in (";", "\t", "|", ","):
        if sep in names[0]:
            return (
                f"The data has a single column whose name holds {sep!r}: the file is probably separated by "
                f"{sep!r}; pass delimiter={sep!r} (or leave `delimiter` out to have it guessed). "
            )
    return ""


def read_mapping(
    columns: Mapping[str, Any] | str | os.PathLike | None, *, table: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """Return ``(column mapping, loader options)`` from a dict or a YAML file.

    Parameters
    ----------
    columns : dict, path or None
        The mapping itself, or a YAML file with a flat mapping or per-table sections.
    table : str
        ``events``, ``touchpoints``, ``survey`` or ``customers``: the section to use.

    Examples
    --------
    >>> read_mapping({"Q8": "recommend"}, table="survey")
    ({'Q8': 'recommend'}, {})
    """
    if columns is None:
        return {}, {}
    if isinstance(columns, (str, os.PathLike)):
        path = Path(columns)
        if not path.is_file():
            raise CJMConfigError(f"The column-mapping file {str(path)!r} does not exist.")
        try:
            with open(path, encoding="utf-8") as fh:  # read-only
                content = yaml.safe_load(fh) or {}
        except yaml.YAMLError as err:
            raise CJMConfigError(f"The column-mapping file {str(path)!r} is not valid YAML: {err}") from err
        if not isinstance(content, dict):
            raise CJMConfigError(f"The column-mapping file {str(path)!r} must hold a mapping (name: role).")
        if any(k in content for k in _TABLES):
            section = content.get(table) or {}
            if not isinstance(section, dict):
                raise CJMConfigError(f"Section {table!r} of {str(path)!r} must be a mapping.")
            options = {k: v for k, v in section.items() if k != "columns"}
            mapping = section.get("columns") or {}
        else:
            mapping, options = content, {}
    elif isinstance(columns, Mapping):
        mapping, options = dict(columns), {}
    else:
        raise CJMConfigError(f"`columns` must be a dict or the path of a YAML file, got {type(columns).__name__}.")
    if not isinstance(mapping, Mapping) or not all(isinstance(v, str) for v in mapping.values()):
        raise CJMConfigError("A column mapping maps column names (text) to role names (text).")
    return {str(k): str(v) for k, v in mapping.items()}, options


def resolve_columns(
    mapping: Mapping[str, str],
    present: Sequence[str],
    *,
    roles: Iterable[str],
    source: str,
) -> dict[str, str]:
    """Turn a mapping into ``{user column: role}`` checked against the data.

    Either direction is accepted per entry: ``{"Kundennr": "customer_id"}`` or
    ``{"customer_id": "Kundennr"}``.  Unknown roles and missing columns raise.

    Examples
    --------
    >>> resolve_columns({"customer_id": "Kundennr"}, ["Kundennr", "Zeit"],
    ...                 roles=["customer_id", "timestamp"], source="x.csv")
    {'Kundennr': 'customer_id'}
    """
    roles = list(roles)
    present = [str(c) for c in present]
    present_set = set(present)
    rename: dict[str, str] = {}
    for key, value in mapping.items():
        if key in present_set and value in roles:
            user, role = key, value
        elif value in present_set and key in roles:
            user, role = value, key
        elif value not in roles and key not in roles:
            raise CJMConfigError(
                f"The mapping {key!r}: {value!r} names no role of this table.{suggest(value, roles)} "
                f"Roles: {', '.join(roles)}."
            )
        else:
            col = key if value in roles else value
            raise CJMDataError(
                f"The mapping names column {col!r}, which the data does not have.{suggest(col, present)}",
                column=col,
                source=source,
                fix=delimiter_hint(present)
                + "Correct the column name in the mapping; the data has: "
                + ", ".join(repr(c) for c in present[:25])
                + (" ..." if len(present) > 25 else ""),
            )
        if role in rename.values():
            raise CJMConfigError(f"Two columns are mapped to the role {role!r}; map exactly one.")
        rename[user] = role
    return rename


def expand_patterns(patterns: Iterable[str], present: Sequence[str], *, what: str, source: str) -> list[str]:
    """Expand names and shell patterns (``"Q11_*"``) to the columns present, in data order.

    Examples
    --------
    >>> expand_patterns(["Q11_*"], ["Q1", "Q11_1", "Q11_2"], what="ratings", source="x")
    ['Q11_1', 'Q11_2']
    """
    out: list[str] = []
    for pat in patterns:
        pat = str(pat)
        if any(ch in pat for ch in "*?["):
            hits = [c for c in present if fnmatch.fnmatchcase(str(c), pat)]
        else:
            hits = [pat] if pat in present else []
        if not hits:
            raise CJMDataError(
                f"No column matches {pat!r} given in `{what}`.{suggest(pat, present)}",
                column=pat,
                source=source,
                fix="Name columns the data has (patterns like 'Q11_*' are allowed).",
            )
        out.extend(h for h in hits if h not in out)
    return out

"""What a person sees for a column, a value, a touchpoint or a persona — in English or German.

One mechanism answers it for every table, chart, persona name, sentence and export, so a
report shows "Main phone company" and "AT&T" where the data holds ``Q7`` and ``1``; codes
appear only where a caller asks for them (``codes=True``).

The API (small on purpose)
--------------------------
::

    labels = Labels.from_table(df)              # SPSS labels, codebook, MR sets a loader stored
    labels = Labels.from_codebook("codebook.yaml")   # or .csv, for CSV/Excel data
    labels = Labels({"Q7": "Main phone company"},    # column labels (a dict; text or {"en", "de"})
                    values={"Q7": {1: "AT&T", 2: {"en": "Other", "de": "Andere"}}},
                    touchpoints={"web_shop": {"en": "Web shop", "de": "Webshop"}},
                    personas={0: "Bargain hunters"})
    labels = labels_for(df, labels=my_codebook)      # from the table, then the given labels on top

    labels.column("Q7", language="de")          # -> "Main phone company" (no German given: English)
    labels.value("Q7", 1)                       # -> "AT&T"  (1, 1.0 and "1" are the same code)
    labels.values("Q7")                         # -> {1: "AT&T", ...} (codes in code order)
    labels.touchpoint("web_shop", language="de")    # -> "Webshop"
    labels.persona(0)                           # -> "Bargain hunters" (else "Persona 0")
    labels.apply(df, language="de")             # a copy: columns renamed, values mapped, for display
    labels.merge(other)                         # a new Labels; ``other`` wins where both speak
    labels.to_codebook("codebook.yaml")         # write them down (never over an existing file)

Every lookup falls back in this order: the requested language, English, any text given,
then the key itself (a column name; a code written plainly: ``2021`` not ``2021.0``).
Values of stage, kind and department columns fall back to the package vocabulary
(:mod:`cjm_lab.vocab`), so ``labels.value("stage", "research", language="de")`` is
"Recherche".  ``codes=True`` puts the code in front: ``"Q7: Main phone company"``,
``"1: AT&T"``.

Codebook files
--------------
YAML::

    columns:
      Q7: {en: Main phone company, de: Hauptanbieter}
      sat_1: Network coverage               # one text serves every language
    values:
      Q7: {1: AT&T, 2: Verizon}
      "sat_*": {1: {en: Very dissatisfied, de: Sehr unzufrieden}, 5: {en: Very satisfied, de: Sehr zufrieden}}
    measures: {Q2: ordinal, Q7: nominal}      # used by the loaders (nominal / ordinal / scale)
    touchpoints: {web_shop: {en: Web shop, de: Webshop}}
    personas: {0: {en: Bargain hunters, de: Schnäppchenjäger}}

CSV (one row per label; a row without ``code`` is the column's own label)::

    column,code,label_en,label_de
    Q7,,Main phone company,Hauptanbieter
    Q7,1,AT&T,AT&T

(a single ``label`` column serves every language; ``measure`` may be a further column).
Column names in ``values`` may be patterns such as ``"sat_*"``.
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import check_language
from cjm_lab._params import BOOLEAN, LANGUAGE, StrOptions, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.io.metadata import MEASURE_LEVELS, code_key, multiple_response_sets, table_metadata
from cjm_lab.vocab import DEPARTMENT_LABELS, KIND_LABELS, STAGE_LABELS

__all__ = ["Labels", "labeller", "labels_for", "plain_code", "short_item_labels", "shown_values"]

_ANY = "*"
_SECTIONS = ("columns", "values", "measures", "touchpoints", "personas")
_VOCAB = {"stage": STAGE_LABELS, "kind": KIND_LABELS, "department": DEPARTMENT_LABELS}
_PERSONA = {"en": "Persona {key}", "de": "Persona {key}"}


@validate_params({})
def plain_code(code: Any) -> str:
    """A code as a person reads it: ``2021`` for 2021.0, text as it is, ``""`` for missing.

    Examples
    --------
    >>> plain_code(2021.0), plain_code("Welle 3"), plain_code(2.5), plain_code(None)
    ('2021', 'Welle 3', '2.5', '')
    """
    if code is None:
        return ""
    try:
        if pd.isna(code):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(code, pd.Timestamp):
        return code.strftime("%Y-%m-%d") if code == code.normalize() else str(code)
    if isinstance(code, (float, np.floating)) and float(code).is_integer():
        return str(int(code))
    if isinstance(code, (np.integer, np.floating, np.bool_)):
        return str(code.item())
    return str(code)


def _text(value: Any, *, where: str) -> dict[str, str]:
    """A label as ``{language or "*": text}``."""
    if isinstance(value, Mapping):
        out = {}
        for lang, text in value.items():
            if lang not in ("en", "de", _ANY):
                raise CJMConfigError(
                    f"{where}: a label in several languages must map 'en'/'de' to texts, got the key {lang!r}."
                )
            if text is not None and str(text).strip():
                out[str(lang)] = str(text)
        return out
    if value is None:
        return {}
    return {_ANY: str(value)}


def _pick(texts: Mapping[str, str] | None, language: str) -> str | None:
    if not texts:
        return None
    for key in (language, "en", _ANY, "de"):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), None)


def _is_pattern(name: Any) -> bool:
    return isinstance(name, str) and any(ch in name for ch in "*?[")


class Labels:
    """Labels of columns, values, touchpoints and personas, in English and German.

    Parameters
    ----------
    columns : dict, optional
        Column (or multiple-response set) to its label: a text, or ``{"en": ..., "de": ...}``.
    values : dict, optional
        Column (or pattern such as ``"sat_*"``) to ``{code: label}``.
    touchpoints : dict, optional
        Touchpoint name to its label.
    personas : dict, optional
        Persona key (0, 1, …) to its name — the names a team chose (see
        :func:`cjm_lab.personas.persona_cards`).
    measures : dict, optional
        Column to its measure level (``nominal``, ``ordinal``, ``scale``), used by the loaders.
    language : {"en", "de"}, default "en"
        The language of lookups that do not name one.

    Examples
    --------
    >>> labels = Labels({"Q7": {"en": "Main phone company", "de": "Hauptanbieter"}},
    ...                 values={"Q7": {1: "AT&T", 99: {"en": "Don't know", "de": "Weiß nicht"}}})
    >>> labels.column("Q7", language="de"), labels.value("Q7", 99.0, language="de")
    ('Hauptanbieter', 'Weiß nicht')
    >>> labels.value("Q7", 1, codes=True), labels.column("Q8")
    ('1: AT&T', 'Q8')
    """

    @validate_params({"language": [LANGUAGE]})
    def __init__(
        self,
        columns: Mapping[Any, Any] | None = None,
        values: Mapping[Any, Mapping[Any, Any]] | None = None,
        *,
        touchpoints: Mapping[Any, Any] | None = None,
        personas: Mapping[Any, Any] | None = None,
        measures: Mapping[Any, str] | None = None,
        language: str = "en",
    ) -> None:
        self.language = language
        for name, arg in (
            ("columns", columns),
            ("values", values),
            ("touchpoints", touchpoints),
            ("personas", personas),
            ("measures", measures),
        ):
            if arg is not None and not isinstance(arg, Mapping):
                raise CJMConfigError(
                    f"Labels(): `{name}` must be a dict, got {type(arg).__name__}. "
                    "Fix: e.g. Labels({'Q7': 'Main phone company'}, values={'Q7': {1: 'AT&T'}})."
                )
        self._columns = {str(k): _text(v, where="Labels(columns=)") for k, v in (columns or {}).items()}
        self._values: dict[str, dict[str, dict[str, str]]] = {}
        self._order: dict[str, list[Any]] = {}
        for col, mapping in (values or {}).items():
            if not isinstance(mapping, Mapping):
                raise CJMConfigError(
                    f"Labels(values=): the labels of {col!r} must map codes to labels, e.g. {{1: 'AT&T'}}; "
                    f"got {mapping!r}."
                )
            self._values[str(col)] = {code_key(c): _text(t, where="Labels(values=)") for c, t in mapping.items()}
            self._order[str(col)] = list(mapping)
        self._touchpoints = {str(k): _text(v, where="Labels(touchpoints=)") for k, v in (touchpoints or {}).items()}
        self._personas = {code_key(k): _text(v, where="Labels(personas=)") for k, v in (personas or {}).items()}
        self._measures: dict[str, str] = {}
        for col, level in (measures or {}).items():
            if level not in MEASURE_LEVELS:
                raise CJMConfigError(
                    f"Labels(measures=): the measure of {col!r} must be one of {', '.join(MEASURE_LEVELS)}; "
                    f"got {level!r}."
                )
            self._measures[str(col)] = str(level)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_table(cls, data: pd.DataFrame | pd.Series, *, language: str = "en") -> Labels:
        """The labels a loader stored with a table: SPSS variable and value labels, the
        multiple-response sets' labels, measure levels and a codebook given at load time.

        Examples
        --------
        >>> df = pd.DataFrame({"Q7": [1, 2]})
        >>> df.attrs["cjm"] = {"variable_labels": {"Q7": "Main phone company"},
        ...                    "value_labels": {"Q7": {1.0: "AT&T", 2.0: "Verizon"}}}
        >>> Labels.from_table(df).value("Q7", 2)
        'Verizon'
        """
        meta = table_metadata(data)
        columns: dict[Any, Any] = dict(meta.get("variable_labels", {}) or {})
        for name, spec in multiple_response_sets(data, check=False).items():
            columns.setdefault(name, spec["label"])
        out = cls(
            columns,
            {k: v for k, v in (meta.get("value_labels", {}) or {}).items() if v},
            measures={k: v for k, v in (meta.get("measure_levels", {}) or {}).items() if v in MEASURE_LEVELS},
            language=language,
        )
        book = meta.get("codebook")
        if isinstance(book, Mapping):
            out = out.merge(cls.from_dict(book))
        return out

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], *, language: str = "en") -> Labels:
        """Labels from ``{"columns": ..., "values": ..., "measures": ..., "touchpoints": ...,
        "personas": ...}`` (the layout of a YAML codebook).

        Examples
        --------
        >>> Labels.from_dict({"columns": {"q1": "Gender"}, "values": {"q1": {1: "male"}}}).value("q1", 1)
        'male'
        """
        if not isinstance(mapping, Mapping):
            raise CJMConfigError(f"Labels.from_dict() needs a dict, got {type(mapping).__name__}.")
        unknown = [k for k in mapping if k not in _SECTIONS]
        if unknown:
            raise CJMConfigError(
                f"A codebook has the sections {', '.join(_SECTIONS)}; {', '.join(map(repr, unknown))} is not one of "
                "them. Fix: put column labels under 'columns:' and value labels under 'values:'."
            )
        return cls(
            mapping.get("columns"),
            mapping.get("values"),
            touchpoints=mapping.get("touchpoints"),
            personas=mapping.get("personas"),
            measures=mapping.get("measures"),
            language=language,
        )

    @classmethod
    def from_codebook(cls, path: str | os.PathLike, *, language: str = "en") -> Labels:
        r"""Labels from a YAML (``.yaml``/``.yml``) or CSV codebook (see the module notes).

        Raises
        ------
        CJMConfigError
            The file is missing, not YAML/CSV, or laid out otherwise.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "codebook.csv"
        >>> _ = p.write_text("column,code,label_en,label_de\nQ7,,Main phone company,Hauptanbieter\nQ7,1,AT&T,AT&T\n")
        >>> book = Labels.from_codebook(p)
        >>> book.column("Q7", language="de"), book.value("Q7", "1")
        ('Hauptanbieter', 'AT&T')
        """
        target = Path(path)
        if not target.is_file():
            raise CJMConfigError(f"The codebook {str(target)!r} does not exist. Fix: check the path.")
        suffix = target.suffix.lower()
        if suffix in (".yaml", ".yml"):
            import yaml

            try:
                with open(target, encoding="utf-8") as fh:
                    content = yaml.safe_load(fh) or {}
            except yaml.YAMLError as err:
                raise CJMConfigError(f"The codebook {str(target)!r} is not valid YAML: {err}") from err
            return cls.from_dict(content, language=language)
        if suffix == ".csv":
            from cjm_lab.io.readers import read_table

            table, _ = read_table(target)
            return cls._from_rows(table, source=str(target), language=language)
        raise CJMConfigError(
            f"A codebook is a .yaml/.yml or .csv file, not {suffix or 'a file without suffix'!r} ({str(target)!r})."
        )

    @classmethod
    def _from_rows(cls, table: pd.DataFrame, *, source: str, language: str) -> Labels:
        cols = {str(c).strip().lower(): c for c in table.columns}
        label_cols = {lang: cols.get(f"label_{lang}") for lang in ("en", "de")}
        any_col = cols.get("label")
        if "column" not in cols or not (any_col or any(label_cols.values())):
            raise CJMConfigError(
                f"The codebook {source!r} needs a 'column' column and 'label' (or 'label_en'/'label_de'); it has "
                f"{', '.join(map(repr, table.columns))}."
            )

        def texts(row: pd.Series) -> dict[str, str] | str | None:
            found = {lang: row[c] for lang, c in label_cols.items() if c is not None and pd.notna(row[c])}
            found = {k: str(v) for k, v in found.items() if str(v).strip()}
            if any_col is not None and pd.notna(row[any_col]) and str(row[any_col]).strip():
                found.setdefault(_ANY, str(row[any_col]))
            return found or None

        columns: dict[str, Any] = {}
        values: dict[str, dict[Any, Any]] = {}
        measures: dict[str, str] = {}
        code_col, measure_col = cols.get("code"), cols.get("measure")
        for _, row in table.iterrows():  # a codebook has a few hundred rows at most
            column = str(row[cols["column"]]).strip()
            if not column or column == "nan":
                continue
            text = texts(row)
            code = row[code_col] if code_col is not None else None
            if code is None or pd.isna(code) or str(code).strip() == "":
                if text:
                    columns[column] = text
                if measure_col is not None and pd.notna(row[measure_col]) and str(row[measure_col]).strip():
                    measures[column] = str(row[measure_col]).strip().lower()
            elif text:
                values.setdefault(column, {})[code] = text
        return cls(columns, values, measures=measures, language=language)

    @classmethod
    def coerce(cls, labels: Any, *, language: str = "en") -> Labels:
        """``None``, a :class:`Labels`, a dict (column labels, or a codebook layout) or a codebook path.

        Examples
        --------
        >>> Labels.coerce({"q1": "Gender"}).column("q1")
        'Gender'
        """
        if labels is None:
            return cls(language=language)
        if isinstance(labels, Labels):
            return labels
        if isinstance(labels, (str, os.PathLike)):
            return cls.from_codebook(labels, language=language)
        if isinstance(labels, Mapping):
            if labels and all(k in _SECTIONS for k in labels):
                return cls.from_dict(labels, language=language)
            return cls(labels, language=language)
        raise CJMConfigError(
            f"`labels` must be a Labels, a dict of column labels or a codebook path; got {type(labels).__name__}."
        )

    # ------------------------------------------------------------------ lookups
    def _lang(self, language: str | None) -> str:
        return self.language if language is None else check_language(language)

    def _value_map(self, column: Any) -> dict[str, dict[str, str]] | None:
        key = str(column)
        if key in self._values:
            return self._values[key]
        for pat, mapping in self._values.items():
            if _is_pattern(pat) and fnmatch.fnmatchcase(key, pat):
                return mapping
        return None

    def has_column(self, column: Any) -> bool:
        """Whether a label is known for the column."""
        return str(column) in self._columns

    def has_values(self, column: Any) -> bool:
        """Whether value labels are known for the column."""
        return bool(self._value_map(column))

    def column(self, name: Any, *, language: str | None = None, codes: bool = False) -> str:
        """The label of a column (or a multiple-response set); the name when none is known.

        Examples
        --------
        >>> Labels({"Q7": "Main phone company"}).column("Q7", codes=True)
        'Q7: Main phone company'
        """
        label = _pick(self._columns.get(str(name)), self._lang(language))
        if label is None:
            return plain_code(name)
        return f"{plain_code(name)}: {label}" if codes and label != plain_code(name) else label

    def value(self, column: Any, value: Any, *, language: str | None = None, codes: bool = False) -> str:
        """The label of one value of a column; the value written plainly when none is known.

        ``value`` may be a code (``1``, ``1.0``, ``"1"``) or already a label (a loaded
        categorical holds labels): then its text in ``language`` is returned.

        Examples
        --------
        >>> labels = Labels(values={"wave": {1: "2021", 2: {"en": "Wave 2", "de": "Welle 2"}}})
        >>> labels.value("wave", 2.0, language="de"), labels.value("wave", 3.0)
        ('Welle 2', '3')
        >>> labels.value("wave", "Wave 2", language="de")
        'Welle 2'
        """
        lang = self._lang(language)
        text = plain_code(value)
        if text == "":
            return ""
        mapping = self._value_map(column)
        if mapping:
            key = code_key(value)
            if key in mapping:
                label = _pick(mapping[key], lang) or text
                return f"{text}: {label}" if codes and label != text else label
            for code, texts in mapping.items():  # a label of another language, or of the file
                if text in texts.values():
                    label = _pick(texts, lang) or text
                    return f"{code}: {label}" if codes else label
        vocab = _VOCAB.get(str(column))
        if vocab is not None:
            label = vocab.get(lang, {}).get(text)  # type: ignore[assignment]
            if label:
                return label
        if str(column) == "touchpoint":
            return self.touchpoint(value, language=lang)
        if str(column) == "persona":
            return self.persona(value, language=lang)
        return text

    def values(self, column: Any, *, language: str | None = None) -> dict[Any, str]:
        """All value labels of a column, ``{code: label}`` in the order they were given.

        Examples
        --------
        >>> Labels(values={"q1": {1: "male", 2: "female"}}).values("q1")
        {1: 'male', 2: 'female'}
        """
        lang = self._lang(language)
        mapping = self._value_map(column)
        if not mapping:
            return {}
        order = self._order.get(str(column))
        if order is None:
            order = next(
                (o for p, o in self._order.items() if _is_pattern(p) and fnmatch.fnmatchcase(str(column), p)), []
            )
        return {code: _pick(mapping[code_key(code)], lang) or plain_code(code) for code in order}

    def measure(self, column: Any) -> str | None:
        """The measure level known for a column (``nominal``, ``ordinal``, ``scale``) or None."""
        key = str(column)
        if key in self._measures:
            return self._measures[key]
        return next(
            (m for p, m in self._measures.items() if _is_pattern(p) and fnmatch.fnmatchcase(key, p)),
            None,
        )

    def touchpoint(self, name: Any, *, language: str | None = None) -> str:
        """The label of a touchpoint (its name when none is given)."""
        return _pick(self._touchpoints.get(str(name)), self._lang(language)) or plain_code(name)

    def persona(self, key: Any, *, language: str | None = None) -> str:
        """The name of a persona: the one given, else ``"Persona <key>"``.

        Examples
        --------
        >>> Labels(personas={0: {"en": "Bargain hunters", "de": "Schnäppchenjäger"}}).persona(0, language="de")
        'Schnäppchenjäger'
        >>> Labels().persona(2)
        'Persona 2'
        """
        lang = self._lang(language)
        name = _pick(self._personas.get(code_key(key)), lang)
        return name if name else _PERSONA[lang].format(key=plain_code(key))

    def is_empty(self) -> bool:
        """Whether no label of any kind is known.

        Examples
        --------
        >>> Labels().is_empty(), Labels({"q1": "Gender"}).is_empty()
        (True, False)
        """
        return not (self._columns or self._values or self._touchpoints or self._personas)

    def has_persona(self, key: Any) -> bool:
        """Whether a name was given for the persona."""
        return code_key(key) in self._personas

    def item_labels(self, columns: Sequence[Any], *, language: str | None = None) -> list[str]:
        """Labels of the items of a question (a grid or a multiple-response set), without the
        text they all share ("Q10. Sometimes I drink …" -> "Sometimes I drink …").

        Examples
        --------
        >>> Labels({"a": "Aided awareness: Optus", "b": "Aided awareness: Telstra"}).item_labels(["a", "b"])
        ['Optus', 'Telstra']
        """
        return short_item_labels([self.column(c, language=language) for c in columns])

    # ------------------------------------------------------------------ display
    @validate_params({"language": [LANGUAGE, None], "columns": [BOOLEAN], "values": [BOOLEAN], "codes": [BOOLEAN]})
    def apply(
        self,
        data: pd.DataFrame,
        *,
        language: str | None = None,
        columns: bool = True,
        values: bool = True,
        codes: bool = False,
    ) -> pd.DataFrame:
        """A copy of ``data`` for display: column labels as headers and value labels as values.

        Columns with value labels become categoricals of their labels (in code order; an
        ordered categorical stays ordered).  A column whose values are not all labelled (a
        0–10 scale labelled at its ends) keeps its values.  Two columns with the same label
        get their names added (``"Satisfaction (Q11_1)"``).  ``data`` is not modified.

        Examples
        --------
        >>> df = pd.DataFrame({"Q7": [1, 2, 1], "n": [5, 3, 2]})
        >>> Labels({"Q7": "Main phone company"}, values={"Q7": {1: "AT&T", 2: "Verizon"}}).apply(df)
          Main phone company  n
        0               AT&T  5
        1            Verizon  3
        2               AT&T  2
        """
        if not isinstance(data, pd.DataFrame):
            raise CJMConfigError(f"Labels.apply() needs a DataFrame, got {type(data).__name__}.")
        lang = self._lang(language)
        out = data.copy()
        if values:
            for col in out.columns:
                mapped = self._display_values(out[col], col, lang, codes)
                if mapped is not None:
                    out[col] = mapped
        if columns:
            names = [self.column(c, language=lang, codes=codes) for c in out.columns]
            dup = {n for n in names if names.count(n) > 1}
            names = [f"{n} ({plain_code(c)})" if n in dup else n for n, c in zip(names, out.columns, strict=True)]
            out.columns = names
        return out

    def _display_values(self, series: pd.Series, column: Any, lang: str, codes: bool) -> pd.Series | None:
        mapping = self._value_map(column)
        vocab = _VOCAB.get(str(column))
        if not mapping and vocab is None and not (str(column) == "touchpoint" and self._touchpoints):
            return None
        if isinstance(series.dtype, pd.CategoricalDtype):
            cats = list(series.cat.categories)
            new = [self.value(column, c, language=lang, codes=codes) for c in cats]
            if len(set(new)) != len(new):
                return None
            return series.cat.rename_categories(new)
        present = pd.unique(series.dropna())
        if mapping and not all(code_key(v) in mapping or str(v) in _all_texts(mapping) for v in present):
            return None
        order = list(self._order.get(str(column), [])) or sorted(present, key=code_key)
        cats = list(dict.fromkeys(self.value(column, c, language=lang, codes=codes) for c in order))
        shown = series.map({v: self.value(column, v, language=lang, codes=codes) for v in present})
        extra = [v for v in pd.unique(shown.dropna()) if v not in cats]
        return pd.Series(pd.Categorical(shown, categories=cats + extra), index=series.index, name=series.name)

    # ------------------------------------------------------------------ combining and writing
    def merge(self, other: Labels | Mapping[str, Any] | str | os.PathLike | None) -> Labels:
        """A new :class:`Labels` with ``other``'s labels added; ``other`` wins where both have one.

        Examples
        --------
        >>> spss = Labels({"Q7": "Main phone company"})
        >>> ours = Labels({"Q7": {"de": "Hauptanbieter"}})
        >>> both = spss.merge(ours)
        >>> both.column("Q7", language="de"), both.column("Q7", language="en")
        ('Hauptanbieter', 'Main phone company')
        """
        other = Labels.coerce(other, language=self.language)
        out = Labels(language=self.language)
        out._columns = _merge_texts(self._columns, other._columns)
        out._values = {k: dict(v) for k, v in self._values.items()}
        out._order = {k: list(v) for k, v in self._order.items()}
        for col, mapping in other._values.items():
            mine = out._values.setdefault(col, {})
            for key, texts in mapping.items():
                mine[key] = {**mine.get(key, {}), **texts}
            known = {code_key(c) for c in out._order.get(col, [])}
            out._order[col] = out._order.get(col, []) + [
                c for c in other._order.get(col, []) if code_key(c) not in known
            ]
        out._touchpoints = _merge_texts(self._touchpoints, other._touchpoints)
        out._personas = _merge_texts(self._personas, other._personas)
        out._measures = {**self._measures, **other._measures}
        return out

    def renamed(self, rename: Mapping[str, str] | None) -> Labels:
        """A new :class:`Labels` whose column entries also answer for renamed columns.

        ``rename`` is ``{old name: new name}`` — e.g. ``{file column: role}`` of a loader's
        ``columns=`` mapping (``table_metadata(df)["roles"]``): labels, value labels and
        measure levels given for the file's column apply to the role column too.  A label
        given for the new name itself wins.

        Examples
        --------
        >>> Labels({"Q5": "Likelihood to recommend"}).renamed({"Q5": "recommend"}).column("recommend")
        'Likelihood to recommend'
        """
        if not rename:
            return self
        out = self.merge(None)
        for old, new in rename.items():
            old, new = str(old), str(new)
            if old == new:
                continue
            if old in self._columns and new not in self._columns:
                out._columns[new] = dict(self._columns[old])
            if old in self._values and new not in self._values:
                out._values[new] = {k: dict(v) for k, v in self._values[old].items()}
                out._order[new] = list(self._order.get(old, []))
            if old in self._measures and new not in self._measures:
                out._measures[new] = self._measures[old]
        return out

    def to_dict(self) -> dict[str, Any]:
        """The labels in the layout of a YAML codebook (``columns``, ``values``, …)."""

        def plain(texts: Mapping[str, str]) -> Any:
            if set(texts) == {_ANY}:
                return texts[_ANY]
            return {("en" if k == _ANY else k): v for k, v in texts.items()}

        out: dict[str, Any] = {}
        if self._columns:
            out["columns"] = {k: plain(v) for k, v in self._columns.items()}
        if self._values:
            out["values"] = {
                col: {_yaml_code(c): plain(mapping[code_key(c)]) for c in self._order.get(col, [])}
                for col, mapping in self._values.items()
            }
        if self._measures:
            out["measures"] = dict(self._measures)
        if self._touchpoints:
            out["touchpoints"] = {k: plain(v) for k, v in self._touchpoints.items()}
        if self._personas:
            out["personas"] = {_yaml_code(k): plain(v) for k, v in self._personas.items()}
        return out

    def to_codebook(self, path: str | os.PathLike) -> Path:
        """Write the labels to a new YAML codebook (an existing file is never overwritten).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = Labels({"Q7": "Main phone company"}).to_codebook(pathlib.Path(tempfile.mkdtemp()) / "book.yaml")
        >>> Labels.from_codebook(p).column("Q7")
        'Main phone company'
        """
        import yaml

        target = Path(path)
        if target.suffix.lower() not in (".yaml", ".yml"):
            raise CJMConfigError(f"to_codebook() writes a .yaml file, not {str(target)!r}.")
        if target.exists():
            raise CJMConfigError(f"{str(target)!r} exists already; cjm-lab never overwrites a file. Choose a new name.")
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)
        fd, tmp = tempfile.mkstemp(suffix=".yaml", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.link(tmp, target)
        except FileExistsError:
            raise CJMConfigError(f"{str(target)!r} appeared while writing; nothing was overwritten.") from None
        finally:
            os.unlink(tmp)
        return target

    def __repr__(self) -> str:
        return (
            f"Labels({len(self._columns)} columns, {len(self._values)} with value labels, "
            f"{len(self._touchpoints)} touchpoints, {len(self._personas)} personas)"
        )


def _yaml_code(code: Any) -> Any:
    key = code_key(code)
    try:
        return int(key)
    except ValueError:
        return key


def _all_texts(mapping: Mapping[str, Mapping[str, str]]) -> set[str]:
    return {t for texts in mapping.values() for t in texts.values()}


def _merge_texts(a: Mapping[str, dict[str, str]], b: Mapping[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    out = {k: dict(v) for k, v in a.items()}
    for k, v in b.items():
        if _ANY in v:  # a text for every language replaces what was there
            out[k] = dict(v)
        else:
            out[k] = {**out.get(k, {}), **v}
    return out


@validate_params({"language": [LANGUAGE]})
def labels_for(data: pd.DataFrame | pd.Series | None, labels: Any = None, *, language: str = "en") -> Labels:
    """The labels a function shows for ``data``: those stored with the table, then ``labels`` on top.

    Parameters
    ----------
    data : DataFrame, Series or None
        A loaded table (its metadata), or None.
    labels : Labels, dict, path or None
        Labels of the caller (they win).

    Examples
    --------
    >>> df = pd.DataFrame({"Q7": [1]})
    >>> df.attrs["cjm"] = {"variable_labels": {"Q7": "Main phone company"}}
    >>> labels_for(df, {"Q7": {"de": "Hauptanbieter"}}).column("Q7", language="de")
    'Hauptanbieter'
    """
    base = Labels.from_table(data, language=language) if data is not None else Labels(language=language)
    if labels is None:
        return base
    given = Labels.coerce(labels, language=language)
    if data is not None:  # labels named by the file's columns answer for the roles a loader renamed them to
        given = given.renamed(table_metadata(data).get("roles"))
    return base.merge(given)


@validate_params({"kind": [StrOptions(("value", "column", "touchpoint", "persona"))], "language": [LANGUAGE]})
def labeller(
    labels: Any,
    *,
    kind: str = "value",
    column: Any = None,
    data: pd.DataFrame | None = None,
    language: str = "en",
) -> Callable[[Any], str] | None:
    """One function that shows a key as a person reads it — how every chart takes ``labels=``.

    Parameters
    ----------
    labels : Labels, dict, function, codebook path or None
        A :class:`Labels` or a codebook (``.yaml``/``.csv`` path, or a dict with the
        codebook's sections): looked up by ``kind`` (and ``column`` for values).  A plain
        dict maps the keys themselves to their texts (``{"sat_1": "Delivery"}``,
        ``{1: "North"}``; 1, 1.0 and "1" are the same key) and a function is used as it is.
    kind : {"value", "column", "touchpoint", "persona"}, default "value"
        What the keys are: values of ``column``, column (variable) names, touchpoints or
        persona keys.
    column : str, optional
        The column whose values are shown (``kind="value"``).
    data : DataFrame, optional
        A table whose stored labels (SPSS metadata, a codebook given at load time) are used
        under ``labels``.
    language : {"en", "de"}, default "en"

    Returns
    -------
    function or None
        ``key -> text`` (a key without a label is written plainly: ``2021`` for 2021.0);
        None when neither ``labels`` nor ``data`` has any label (callers keep their default).

    Examples
    --------
    >>> book = Labels({"sat_1": "Delivery"}, values={"region": {1: {"en": "North", "de": "Nord"}}})
    >>> labeller(book, column="region", language="de")(1.0)
    'Nord'
    >>> labeller(book, kind="column")("sat_1"), labeller({2021: "Welle 2021"})(2021.0)
    ('Delivery', 'Welle 2021')
    >>> labeller(None) is None
    True
    """
    if labels is None and data is None:
        return None
    if callable(labels) and not isinstance(labels, (Labels, Mapping)):
        return labels
    if isinstance(labels, Mapping) and not (labels and all(k in _SECTIONS for k in labels)):
        texts = {code_key(k): _text(v, where="labels") for k, v in labels.items()}
        table = labels_for(data, None, language=language) if data is not None else None

        def plain(key: Any) -> str:
            found = _pick(texts.get(code_key(key)), language)
            if found is not None:
                return found
            if table is not None:
                return _lookup(table, kind, column, key, language)
            return plain_code(key)

        return plain
    lab = labels_for(data, labels, language=language)
    if labels is None and lab.is_empty():
        return None
    return lambda key: _lookup(lab, kind, column, key, language)


@validate_params({"language": [LANGUAGE]})
def shown_values(
    values: pd.Series, column: Any, labels: Labels, *, language: str = "en", keep: Sequence[Any] = ()
) -> pd.Series:
    """Group values of a result table as a reader sees them.

    A column with value labels shows its labels (``1`` -> ``"North"``); otherwise whole-number
    floats lose their ``.0`` (wave ``2021.0`` -> ``2021``, still a number).  Missing values and
    the values in ``keep`` (e.g. ``"Total"``) stay as they are.

    Examples
    --------
    >>> lab = Labels(values={"region": {1: "North", 2: "South"}})
    >>> shown_values(pd.Series([1.0, 2.0, "Total"]), "region", lab, keep=["Total"]).tolist()
    ['North', 'South', 'Total']
    >>> shown_values(pd.Series([2021.0, 2022.0, "Total"]), "wave", lab, keep=["Total"]).tolist()
    [2021, 2022, 'Total']
    """
    kept = values.isin(list(keep)) if keep else pd.Series(False, index=values.index)
    todo = values.notna() & ~kept
    if labels.has_values(column) or str(column) in _VOCAB:
        out = values.astype(object).copy()
        out[todo] = [labels.value(column, v, language=language) for v in values[todo]]
        return out
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    floats = values.dtype.kind == "f" or (
        values.dtype.kind == "O" and all(isinstance(v, (float, np.floating)) for v in values[todo])
    )
    numbers = pd.to_numeric(values[todo], errors="coerce") if floats else pd.Series(dtype=float)
    if len(numbers) and numbers.notna().all() and (numbers % 1 == 0).all():
        if values.dtype.kind == "f" and not kept.any():
            return values.astype("Int64")
        out = values.astype(object).copy()
        out[todo] = [int(v) for v in numbers]
        return out
    return values


def _lookup(lab: Labels, kind: str, column: Any, key: Any, language: str) -> str:
    if kind == "column":
        return lab.column(key, language=language)
    if kind == "touchpoint":
        return lab.touchpoint(key, language=language)
    if kind == "persona":
        return lab.persona(key, language=language) if lab.has_persona(key) else plain_code(key)
    return lab.value(column, key, language=language) if column is not None else plain_code(key)


_SEPARATORS = (": ", " - ", " – ", " — ", ". ", " | ", "; ")


@validate_params({})
def short_item_labels(labels: Sequence[str]) -> list[str]:
    """Drop the text every label of a question's items shares (a question number, a stem).

    The shared beginning is cut at the last separator (``": "``, ``" - "``, ``". "`` …) it
    contains, a shared end (``"Bureaucratic - Optus"``, ``"Friendly - Optus"``) likewise; an
    item whose label would be empty keeps its full label.

    Examples
    --------
    >>> short_item_labels(["Q10. Sometimes I drink cola bought by friends", "Q10. I like variety"])
    ['Sometimes I drink cola bought by friends', 'I like variety']
    >>> short_item_labels(["Bureaucratic - Optus", "Friendly - Optus"])
    ['Bureaucratic', 'Friendly']
    >>> short_item_labels(["White", "Asian"])
    ['White', 'Asian']
    """
    labels = [str(x) for x in labels]
    if len(labels) < 2:
        return labels
    prefix = os.path.commonprefix(labels)  # noqa: RUF071 - characters are what is wanted
    cut = max((prefix.rfind(sep) + len(sep) for sep in _SEPARATORS if sep in prefix), default=0)
    reversed_suffix = os.path.commonprefix([x[::-1] for x in labels])[::-1]  # noqa: RUF071
    cut_end = 0
    for sep in _SEPARATORS:
        pos = reversed_suffix.find(sep)
        if pos >= 0:
            cut_end = max(cut_end, len(reversed_suffix) - pos)
    out = []
    for x in labels:
        short = x[cut : len(x) - cut_end if cut_end else None].strip()
        out.append(short or x)
    return out

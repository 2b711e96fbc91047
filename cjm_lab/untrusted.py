"""Text that comes from data is untrusted: one escape, one neutraliser, one slug.

Customers write the comments; other systems name the touchpoints, segments and columns.
Whatever of that text reaches a deliverable passes exactly one of these functions:

* :func:`escape_markdown` — a data string placed into Markdown or HTML (report sentences,
  headings, chart tooltips): HTML special characters become entities and Markdown syntax
  is backslash-escaped, so ``<script>``, ``<img onerror=…>``, ``[x](javascript:…)`` and
  ``**bold**`` all show as the literal text they are. :func:`format_markdown` fills a
  Markdown template and escapes every value (never put data into Markdown with an f-string).
* :func:`neutralise_cell` / :func:`neutralise_table` — a value written to CSV or a
  spreadsheet: text starting with ``= + - @``, a tab or a carriage return gets a leading
  apostrophe (the OWASP rule against CSV/formula injection), so Excel and LibreOffice show
  it as text instead of running it.
* :func:`spreadsheet_table` — the one call that makes a table safe for a CSV file or an
  Excel sheet (the report exports and any formatted workbook built on them use it): CSV cells
  are neutralised (opt-out ``neutralise=False`` for trusted internal use), Excel cells lose the
  control characters XML cannot hold and text beyond Excel's 32,767 characters is cut with a
  visible marker and reported; :func:`formula_like` tells which Excel strings to store as typed
  text with a quote prefix (never a formula).
* :func:`slug` / :func:`unique_slugs` — a file, sheet or folder name derived from data:
  ASCII letters, digits, ``_`` and ``-`` only (never a path), optionally cut to a length
  (Excel sheet names: 31) and made unique.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Iterable
from typing import Any

import pandas as pd

from cjm_lab.errors import CJMConfigError

__all__ = [
    "escape_markdown",
    "format_markdown",
    "format_plain",
    "neutralise_cell",
    "neutralise_table",
    "FORMULA_PREFIXES",
    "EXCEL_MAX_CHARS",
    "formula_like",
    "excel_text",
    "spreadsheet_table",
    "defuse_formulas",
    "slug",
    "trusted",
    "unique_slugs",
]

#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Markdown punctuation that can start emphasis, code, links, images, tables, strike-through or
# HTML, escaped with a backslash wherever it stands (CommonMark: any ASCII punctuation may be);
# and what starts a heading, list or quote, escaped at the start of the value.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|~])")
_MD_LINE_START = re.compile(r"^(\s*)(#|[+-](?=\s|$)|\d+[.)](?=\s|$))")
# Control characters other than tab and newline: invisible, and some break XML (xlsx, pptx).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any) -> str:
    if value is None:
        return "–"
    try:
        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    return str(value)


def escape_markdown(value: Any) -> str:
    r"""A data value as Markdown/HTML text that shows literally and runs nothing.

    HTML special characters become entities (``<`` → ``&lt;``, quotes included), Markdown
    punctuation gets a backslash, line breaks become spaces and control characters are
    removed. Missing values (None, NaN, NaT) show as "–".

    Parameters
    ----------
    value : Any
        A string from data (or anything with a ``str``).

    Returns
    -------
    str
        Text safe to put into a Markdown cell, a ``display(Markdown(...))`` output or HTML.

    Examples
    --------
    >>> escape_markdown("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert\\(1\\)&gt;'
    >>> escape_markdown("[click](javascript:alert(1))")
    '\\[click\\]\\(javascript:alert\\(1\\)\\)'
    >>> escape_markdown("Web > Shop"), escape_markdown("1. Kontakt"), escape_markdown("# Title")
    ('Web &gt; Shop', '1\\. Kontakt', '\\# Title')
    """
    text = _CONTROL.sub("", _text(value)).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    # Markdown first (the backslashes), then HTML entities: entities contain only & # ; and
    # letters/digits, of which only '#' is Markdown-special, and '#' inside an entity is harmless
    # because the entity is already escaped text.
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)
    return html.escape(text, quote=True)


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Trusted):
            return format(value.text, format_spec)
        if format_spec and not isinstance(value, str):
            try:
                return escape_markdown(format(value, format_spec))
            except (TypeError, ValueError):
                pass
        return escape_markdown(value if not format_spec else format(_text(value), format_spec))


class _Trusted:
    """Text the package wrote itself (a translated word, a formatted number)."""

    def __init__(self, text: str) -> None:
        self.text = text


def format_markdown(template: str, /, **values: Any) -> str:
    """Fill a Markdown template, escaping every value with :func:`escape_markdown`.

    The template is the package's own text (it may hold Markdown: ``**{segment}**``); the
    values come from data and are escaped after their format spec is applied
    (``{nps:.1f}`` formats, then escapes). Wrap text the package wrote itself — a translated
    word, a number already formatted in German — in :func:`trusted` to insert it as it is.

    Parameters
    ----------
    template : str
        A :meth:`str.format` template written by the package (never from data).
    **values
        The values for the template's fields.

    Returns
    -------
    str
        Markdown whose data parts are literal text.

    Examples
    --------
    >>> format_markdown("**{segment}**: NPS {nps:.1f}", segment="<b>VIP</b>", nps=12.345)
    '**&lt;b&gt;VIP&lt;/b&gt;**: NPS 12.3'
    """
    if not isinstance(template, str):
        raise CJMConfigError(f"format_markdown(): `template` must be text, got {type(template).__name__}.")
    try:
        return _EscapingFormatter().format(template, **values)
    except (KeyError, IndexError) as err:
        raise CJMConfigError(
            f"format_markdown(): the template needs the value {err.args[0]!r}, which was not given. "
            f"Given: {', '.join(sorted(values)) or '(none)'}."
        ) from None


class _PlainFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Trusted):
            return format(value.text, format_spec)
        if format_spec and not isinstance(value, str):
            try:
                return format(value, format_spec)
            except (TypeError, ValueError):
                pass
        return format(_text(value), format_spec) if format_spec else _text(value)


def format_plain(template: str, /, **values: Any) -> str:
    """Fill a template like :func:`format_markdown`, without escaping: the same sentence as plain text.

    For text that is never Markdown or HTML — a slide's title or takeaway, a workbook cell (which
    :func:`neutralise_cell` guards) — built from the same template as the sentence on the page.
    Missing values show as "–", format specs apply as in :func:`format_markdown`.

    Examples
    --------
    >>> format_plain("**{segment}**: NPS {nps:.1f}", segment="<b>VIP</b>", nps=12.345)
    '**<b>VIP</b>**: NPS 12.3'
    """
    if not isinstance(template, str):
        raise CJMConfigError(f"format_plain(): `template` must be text, got {type(template).__name__}.")
    try:
        return _PlainFormatter().format(template, **values)
    except (KeyError, IndexError) as err:
        raise CJMConfigError(
            f"format_plain(): the template needs the value {err.args[0]!r}, which was not given. "
            f"Given: {', '.join(sorted(values)) or '(none)'}."
        ) from None


def trusted(text: str) -> _Trusted:
    r"""Mark text the package wrote itself so :func:`format_markdown` inserts it unescaped.

    Examples
    --------
    >>> print(format_markdown("{word} {seg}", word=trusted("**Kauf**"), seg="*x*"))
    **Kauf** \*x\*
    """
    return _Trusted(str(text))


def neutralise_cell(value: Any) -> Any:
    """A value as a spreadsheet shows it literally: formula-like text gets a leading ``'``.

    Numbers, dates, booleans and missing values pass unchanged; text starting with one of
    :data:`FORMULA_PREFIXES` (``= + - @``, tab, carriage return) is prefixed with an
    apostrophe (the OWASP rule), and control characters that XML cannot hold are removed.

    Examples
    --------
    >>> print(neutralise_cell('=HYPERLINK("http://x")'), neutralise_cell(-3), neutralise_cell("Web"))
    '=HYPERLINK("http://x") -3 Web
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_table(data: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``data`` whose text cells and column names pass :func:`neutralise_cell`.

    Only text columns (object, string, categorical) are touched; numbers stay numbers.

    Examples
    --------
    >>> neutralise_table(pd.DataFrame({"@col": ["+1 call", "ok"], "n": [1, 2]})).to_dict("list")
    {"'@col": ["'+1 call", 'ok'], 'n': [1, 2]}
    """
    out = data.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.astype(object).map(neutralise_cell)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


#: The most characters an Excel cell holds; longer text is cut by Excel without a word.
EXCEL_MAX_CHARS = 32_767
_CUT_MARK = " […{n:,} characters cut: Excel holds {max:,} in a cell]"


def formula_like(value: Any) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula (text starting with ``= + - @``, tab, CR).

    Examples
    --------
    >>> formula_like("=1+1"), formula_like("-3"), formula_like(-3), formula_like("Web")
    (True, True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _excel_text(value: str) -> tuple[str, int]:
    text = _CONTROL.sub("", value)
    if len(text) <= EXCEL_MAX_CHARS:
        return text, 0
    mark = _CUT_MARK.format(n=len(text) - EXCEL_MAX_CHARS, max=EXCEL_MAX_CHARS)
    return text[: EXCEL_MAX_CHARS - len(mark)] + mark, len(text)


def excel_text(value: Any) -> Any:
    r"""One value as an Excel cell may hold it: text without control characters, cut visibly at
    :data:`EXCEL_MAX_CHARS`; anything else unchanged.

    Examples
    --------
    >>> excel_text("Titel\x07"), excel_text(3)
    ('Titel', 3)
    """
    return _excel_text(value)[0] if isinstance(value, str) else value


def _clean_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([level.map(excel_text) for level in index.levels])
    return index.map(excel_text)


def defuse_formulas(worksheet: Any) -> int:
    """Turn every formula cell of an openpyxl worksheet into typed text with a quote prefix.

    The last step of any writer that lets pandas or openpyxl fill a sheet with text from data
    (openpyxl stores a string starting with ``=`` as a formula).  Returns how many cells it
    changed.

    Examples
    --------
    >>> import openpyxl
    >>> ws = openpyxl.Workbook().active
    >>> ws["A1"] = "=1+1"
    >>> defuse_formulas(ws), ws["A1"].data_type, ws["A1"].value
    (1, 's', '=1+1')
    """
    changed = 0
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
                cell.quotePrefix = True
                changed += 1
    return changed


def spreadsheet_table(
    data: pd.DataFrame, *, target: str = "csv", neutralise: bool = True
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    r"""A copy of ``data`` safe to write as CSV or into an Excel sheet, and the cells that were cut.

    ``target="csv"``: every text cell and column name passes :func:`neutralise_cell` (a leading
    apostrophe before ``= + - @``, tab and CR; control characters removed), so a spreadsheet that
    opens the CSV shows text instead of running a formula.  ``neutralise=False`` keeps the text
    exactly as it is, for trusted internal use (a file read back by a program, never opened in a
    spreadsheet).

    ``target="xlsx"``: control characters that XML cannot hold are removed (openpyxl would refuse
    the whole workbook), and text longer than :data:`EXCEL_MAX_CHARS` is cut *with a marker in
    the cell* (``[…8,233 characters cut: Excel holds 32,767 in a cell]``) and listed in the
    second return value; the writer stores formula-like strings as typed text
    (:func:`formula_like`), so nothing needs an apostrophe there.

    Parameters
    ----------
    data : DataFrame
        The table (never modified).
    target : {"csv", "xlsx"}
        Where it goes.
    neutralise : bool, default True
        CSV only: apply the OWASP neutraliser.

    Returns
    -------
    (DataFrame, list of dict)
        The safe copy, and one ``{"row", "column", "length"}`` per cut cell (``row`` is the
        0-based position).

    Examples
    --------
    >>> t = pd.DataFrame({"comment": ["=HYPERLINK(\"http://x\")", "ok\x07"], "n": [1, 2]})
    >>> spreadsheet_table(t)[0]["comment"].tolist()
    ['\'=HYPERLINK("http://x")', 'ok']
    >>> safe, cut = spreadsheet_table(pd.DataFrame({"c": ["x" * 40_000]}), target="xlsx")
    >>> len(safe["c"][0]), cut
    (32767, [{'row': 0, 'column': 'c', 'length': 40000}])
    """
    if not isinstance(data, pd.DataFrame):
        raise CJMConfigError(f"spreadsheet_table(): `data` must be a DataFrame, got {type(data).__name__}.")
    if target not in ("csv", "xlsx"):
        raise CJMConfigError(f"spreadsheet_table(): `target` must be 'csv' or 'xlsx', got {target!r}.")
    if target == "csv":
        return (neutralise_table(data) if neutralise else data.copy()), []
    out = data.copy()
    cut: list[dict[str, Any]] = []
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue
        values = s.astype(object).to_numpy()
        texts = [_excel_text(v) if isinstance(v, str) else (v, 0) for v in values]
        for i, (_, length) in enumerate(texts):
            if length:
                cut.append({"row": i, "column": col, "length": length})
        out[col] = pd.Series([t for t, _ in texts], index=out.index, dtype=object)
    out.columns = _clean_labels(out.columns)
    out.index = _clean_labels(out.index)
    return out, cut


def slug(name: Any, *, max_length: int | None = 80, fallback: str | None = None) -> str:
    """A file/sheet name from any text: ASCII letters, digits, ``_`` and ``-``; never a path.

    Accents are folded (``Kündigung`` → ``Kundigung``), ``ß`` becomes ``ss``, everything else
    becomes ``_``; leading dots and separators go, so ``../x`` is ``x``.

    Parameters
    ----------
    name : Any
        The text to name something after.
    max_length : int or None
        Cut the result to this many characters (31 for Excel sheet names).
    fallback : str, optional
        Returned when nothing usable is left; without it that is a :class:`CJMConfigError`.

    Examples
    --------
    >>> slug("NPS nach Region/Kündigung"), slug("../../etc/passwd"), slug("Straße")
    ('NPS_nach_Region_Kundigung', 'etc_passwd', 'Strasse')
    """
    text = _text(name).replace("ß", "ss").replace("ẞ", "SS")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-.")
    if max_length is not None:
        text = text[:max_length].rstrip("_-")
    if not text:
        if fallback is not None:
            return fallback
        raise CJMConfigError(
            f"{name!r} cannot name a file: nothing is left of it in letters, digits, '_' and '-'. "
            "Fix: give a name with letters or digits."
        )
    return text


def unique_slugs(names: Iterable[Any], *, max_length: int | None = 80, taken: Iterable[str] = ()) -> list[str]:
    """:func:`slug` of each name, made unique (case-insensitively) with ``_2``, ``_3`` and so on.

    Names that clean or cut to the same text never overwrite each other.

    Examples
    --------
    >>> unique_slugs(["NPS by region", "NPS by region!", "nps_by_region"], max_length=31)
    ['NPS_by_region', 'NPS_by_region_2', 'nps_by_region_3']
    """
    used = {t.lower() for t in taken}
    out: list[str] = []
    for name in names:
        base = slug(name, max_length=max_length, fallback="table")
        candidate, k = base, 1
        while candidate.lower() in used:
            k += 1
            suffix = f"_{k}"
            head = base if max_length is None else base[: max_length - len(suffix)]
            candidate = head + suffix
        used.add(candidate.lower())
        out.append(candidate)
    return out

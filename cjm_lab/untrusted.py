r"""Text that comes from data is untrusted: one escape, one neutraliser, one slug.

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
* :func:`join_path` / :func:`split_path` and :func:`escape_label` / :func:`unescape_label` —
  touchpoint (or stage) names written where the journey analyses also write text of their own:
  the ``" > "`` between the touchpoints of a path, and the labels of rows that are no touchpoint
  (:data:`RESERVED_LABELS`: ``(start)``, ``(exit)``, ``(other)``, …).  A name never passes for
  either: in a path a ``>`` or ``\`` inside a name gets a backslash (``Web \> Shop > Cart`` is
  two touchpoints), and a name that reads like a label gets one in front (``\(exit)`` is a
  touchpoint called "(exit)", ``(exit)`` the end of journeys).  Both round-trip exactly.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Iterable
from typing import Any

import pandas as pd

from cjm_lab._params import validate_params
from cjm_lab.errors import CJMConfigError

__all__ = [
    "escape_markdown",
    "escape_html",
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
    "PATH_SEPARATOR",
    "RESERVED_LABELS",
    "join_path",
    "split_path",
    "escape_label",
    "unescape_label",
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


def escape_html(value: Any) -> str:
    """A data value as HTML text (a table cell, a caption): entities for HTML's special characters,
    control characters removed; no Markdown escaping (the text is not read as Markdown).

    Examples
    --------
    >>> escape_html('<b onclick="x">Süd</b>' + chr(27) + "[31m")
    '&lt;b onclick=&quot;x&quot;&gt;Süd&lt;/b&gt;[31m'
    """
    return html.escape(_CONTROL.sub("", _text(value)), quote=True)


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


#: How the touchpoints of a path are joined (``path`` of variants, ``pattern`` of patterns).
PATH_SEPARATOR = " > "
#: Labels the journey analyses and charts write for rows that are no touchpoint, in the columns
#: that otherwise hold touchpoint (or stage) names: where journeys start and end, the variants
#: beyond ``top``, a missing stage, the direct conversions and states of attribution, a chart's
#: merged small touchpoints.
RESERVED_LABELS = (
    "(start)",
    "(exit)",
    "(other)",
    "(unknown)",
    "(direct)",
    "(conversion)",
    "(null)",
    "(other touchpoints)",
)
_RESERVED = frozenset(RESERVED_LABELS)
# a reserved label after any number of backslashes: the names escape_label changes
_LABEL_LIKE = re.compile(r"\\*(?:" + "|".join(re.escape(label) for label in RESERVED_LABELS) + ")")


def _flag(values: pd.Series) -> pd.Series:
    """A boolean column from a ``.str`` test (missing and non-text values are False)."""
    return values.astype(object).where(values.notna(), False).astype(bool)


def _path_piece(name: Any) -> str:
    text = str(name)
    if text in _RESERVED:
        return "\\" + text
    return text.replace("\\", "\\\\").replace(">", "\\>")


@validate_params({})
def join_path(names: Iterable[Any]) -> str:
    r"""Touchpoint names as one path: joined by ``" > "``, each name written so it cannot be mistaken.

    A ``\`` or ``>`` inside a name gets a backslash in front, and a name that equals one of
    :data:`RESERVED_LABELS` gets one before it, so two different sequences never give the same
    text, and no path of one touchpoint reads like the ``(other)`` row of the variants.
    :func:`split_path` gives the names back.  Names without ``\``, ``>`` or a reserved label
    (nearly all) are written as they are.

    Parameters
    ----------
    names : iterable
        The touchpoints of the path, in order (each turned into text with ``str``).

    Returns
    -------
    str
        The path as the journey analyses write it.

    Examples
    --------
    >>> join_path(["Web", "Shop"]), join_path(["Web > Shop"])
    ('Web > Shop', 'Web \\> Shop')
    >>> print(join_path(["(other)"]), join_path(["C:\\cart", "Buy"]))
    \(other) C:\\cart > Buy
    """
    return PATH_SEPARATOR.join(_path_piece(name) for name in names)


def _split_one(path: str) -> list[str]:
    if "\\" not in path:
        return path.split(PATH_SEPARATOR)
    names: list[str] = []
    current: list[str] = []
    i, n = 0, len(path)
    while i < n:  # the characters of one path
        ch = path[i]
        if ch == "\\" and i + 1 < n:
            current.append(path[i + 1])
            i += 2
        elif path.startswith(PATH_SEPARATOR, i):
            names.append("".join(current))
            current = []
            i += len(PATH_SEPARATOR)
        else:
            current.append(ch)
            i += 1
    names.append("".join(current))
    return names


@validate_params({})
def split_path(path: Any) -> Any:
    r"""The touchpoint names of a path written by :func:`join_path` (a ``path`` or ``pattern`` cell).

    Parameters
    ----------
    path : str or pandas.Series
        One path, or a column of them (missing values stay missing).

    Returns
    -------
    list of str, or pandas.Series of lists
        The names, in order, exactly as they were in the data.

    Examples
    --------
    >>> split_path("Web > Shop > Cart")
    ['Web', 'Shop', 'Cart']
    >>> split_path(join_path(["Web > Shop", "Cart"]))
    ['Web > Shop', 'Cart']
    >>> split_path(pd.Series(["Ad > Buy", "\\(exit)"])).tolist()
    [['Ad', 'Buy'], ['(exit)']]
    """
    if isinstance(path, pd.Series):
        text = path.astype(object)
        has_text = text.map(lambda p: isinstance(p, str)).astype(bool)
        plain = has_text & ~_flag(text.str.contains("\\", regex=False))
        out = pd.Series(None, index=path.index, dtype=object)
        if plain.any():
            out[plain] = text[plain].str.split(PATH_SEPARATOR, regex=False)
        rest = has_text & ~plain
        if rest.any():  # only paths with a backslash are read character by character
            out[rest] = text[rest].map(lambda p: _split_one(str(p)))
        return out
    return _split_one(str(path))


def escape_label(name: Any) -> Any:
    r"""A touchpoint (or stage) name written in a column that also holds :data:`RESERVED_LABELS`.

    A name that reads like a label — a reserved label, after any number of backslashes — gets
    one more backslash in front; every other name stays as it is.  :func:`unescape_label` undoes it.

    Parameters
    ----------
    name : str or pandas.Series
        A name, or a column of names (missing values stay missing).

    Returns
    -------
    str or pandas.Series

    Examples
    --------
    >>> print(escape_label("(exit)"), escape_label("Shop"), escape_label("C:\\cart"))
    \(exit) Shop C:\cart
    """
    if isinstance(name, pd.Series):
        text = name.astype(object)
        like = _flag(text.str.fullmatch(_LABEL_LIKE.pattern))
        return text.where(~like, "\\" + text.where(like, ""))
    text = str(name)
    return "\\" + text if _LABEL_LIKE.fullmatch(text) else text


def unescape_label(label: Any) -> Any:
    r"""The name behind a label written by :func:`escape_label` (a reserved label stays itself).

    Examples
    --------
    >>> unescape_label(escape_label("(exit)")), unescape_label("(exit)"), unescape_label("Shop")
    ('(exit)', '(exit)', 'Shop')
    """
    if isinstance(label, pd.Series):
        text = label.astype(object)
        rest = text.str.slice(1)
        escaped = _flag(text.str.startswith("\\")) & _flag(rest.str.fullmatch(_LABEL_LIKE.pattern))
        return text.where(~escaped, rest)
    text = str(label)
    return text[1:] if text.startswith("\\") and _LABEL_LIKE.fullmatch(text[1:]) else text

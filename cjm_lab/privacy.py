"""Privacy helpers: mask personal data in free text and pseudonymise ids.

Shared by the survey verbatims and, later, the reports: nothing that leaves the
workbench (a theme's example comments, an exported table) should carry a
customer's e-mail address, phone number, IBAN or street address, and customer ids
in exported tables can be replaced by stable pseudonyms.

What :func:`mask_pii` catches (regular expressions, vectorised over the Series)
----------------------------------------------------------------------------------
``email``
    ``name@example.com``, ``vor.nach+tag@sub.firma-xy.de``, internationalised names
    (``jürgen@müller.de``) and the common obfuscations ``name (at) example (dot) com``
    / ``name[at]example.com`` (also ``(ät)``, ``(punkt)``).
``iban``
    Two letters, two check digits and the account part, with or without spaces in
    groups of four, in any case (``DE89 3704 0044 0532 0130 00``,
    ``DE89370400440532013000``, ``GB29 NWBK 6016 1331 9268 19``,
    ``FR14 2004 1010 0505 0001 3M02 606``).  A match must hold 12 to 32 digits in
    total, which keeps model names in capitals (``PS50 HABE LEIDER``) out.  The
    checksum is *not* verified, so mistyped IBANs are masked too.
``phone``
    International numbers (``+49 171 2345678``, ``0049 171 2345678``,
    ``+49 (0)171 2345678``, ``+1 (555) 123-4567``, ``+491712345678``); German national
    numbers with the trunk ``0`` (``0171 2345678``, ``0171/2345678``, ``030-1234567``,
    ``(030) 1234567``, ``0171 234 56 78``; 9 to 13 digits, which keeps postcodes such
    as ``01310-100`` out); North-American numbers (``(555) 123-4567``,
    ``555-123-4567``, ``555.123.4567``); Brazilian numbers (``(11) 91234-5678``,
    ``11 91234-5678``); and any number of 5+ digits right after a phone word
    (``Tel. 2345678``, ``Handy: 1712345678``, ``phone 2345678``,
    ``celular 912345678``, ``WhatsApp …``).  A match holds 7 to 15 digits (E.164
    allows 15).  Dates (``12.03.2025``, ``2025-03-12``), times
    (``14:30``), prices (``49,99 €``, ``1.299,00``), years, sizes and order numbers
    without a leading zero (``Bestellnummer 4711``, ``Bestellung 12345``,
    ``Artikel 12345678``) are left alone.
``address``
    German streets with a house number (``Musterstraße 12``, ``Hauptstr. 5a``,
    ``Karl-Marx-Straße 12-14``, ``Berliner Straße 5``, ``Am Markt 3``,
    ``An der Alster 7``, suffixes -straße/-str./-weg/-allee/-platz/-gasse/-ring/-damm/
    -ufer/-chaussee/-pfad/-steig/-markt/-graben/-wall/-kamp/-zeile), optionally
    followed by postcode and city (``Musterstraße 12, 12345 Berlin``); English
    streets (``221B Baker Street``, ``10 Downing St.``, ``1600 Pennsylvania Avenue NW``,
    Street/St/Road/Rd/Avenue/Ave/Lane/Ln/Drive/Dr/Boulevard/Blvd/Court/Ct/Way/Place/
    Square/Terrace/Close/Crescent/Parkway/Highway/Circle); Portuguese streets
    (``Rua das Flores, 123``, ``Av. Paulista 1000``).

What it misses (known limits; mask more with your own patterns if they matter)
-------------------------------------------------------------------------------
- Names of people, cities and customer numbers: nothing here recognises a name.
- Phone numbers without a trunk ``0`` or ``+``/``00`` and without a phone word
  (``1712345678``), numbers spelled out or with letters (``0800-FLOWERS``), and
  numbers split by words.  A German number directly followed by a second number
  (``030 1234567 30 Minuten``) is masked together with it (more, not less).
- Order numbers with a leading zero (``Bestellung 0815 4711``,
  ``Order 0123456789``) look like German phone numbers and *are* masked.
- Streets without a house number, in lower case with an ambiguous suffix
  (``hauptweg 5``), street forms not listed above (``Straße des 17. Juni 5``),
  PO boxes and a postcode + city on its own (``10115 Berlin``).
- E-mail addresses written with ``at``/``dot`` as plain words, and IBANs split by
  other characters than single spaces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["PII_KINDS", "mask_pii", "pii_counts", "pseudonymise"]

#: The kinds of personal data :func:`mask_pii` knows, in the order they are masked.
PII_KINDS: tuple[str, ...] = ("email", "iban", "phone", "address")

# Masks are first written as private-use sentinels (which no later pattern can match
# and which can be counted), and turned into the user's token at the end.
_OPEN, _CLOSE = "\ue000", "\ue001"

# --- e-mail ---------------------------------------------------------------------------
_AT = r"(?:@|\s*[(\[{]\s*(?:at|ät)\s*[)\]}]\s*)"
_DOT = r"(?:\.|\s*[(\[{]\s*(?:dot|punkt)\s*[)\]}]\s*)"
_LABEL = r"[^\W_][\w-]*"
_EMAIL = re.compile(
    rf"(?<![\w.%+-])[\w.%+-]*[^\W_.%+-]{_AT}{_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}[^\W\d_]{{2,24}}(?![\w-])",
    re.IGNORECASE,
)

# --- IBAN -----------------------------------------------------------------------------
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
)

# --- phone ----------------------------------------------------------------------------
_PHONE_WORDS = (
    r"tel(?:efon(?:nummer)?|efone|\.)?|phone(?:\s+number)?|fon|mobil(?:e|nummer|funk)?|handy(?:nummer)?|"
    r"fax|cell(?:phone)?|celular|whats\s?app|rufnummer|ruf\s+mich\s+an\s+unter|call\s+me(?:\s+at)?|"
    r"contato|ligue(?:\s+para)?"
)
_PHONE = re.compile(
    r"(?P<pre>\b(?:" + _PHONE_WORDS + r")\b\.?:?\s*(?:(?:nr|no)\.?:?\s*)?)?"
    r"(?P<num>"
    # international: +49 …, 0049 …, +1 (555) …
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}[ .\-/]?(?:\(0\)[ ]?)?(?:\(\d{1,5}\)|\d{1,5})(?:[ .\-/]?\d{2,}){1,4}"
    # German national with trunk 0: 0171 2345678, 0171/2345678, (030) 1234567
    r"|(?P<national>(?<![\w+.,/\-])(?:\(0\d{1,5}\)|0\d{2,5})[ ]?[/\-]?[ ]?\d{3,}(?:[ \-]\d{2,}){0,3})"
    # North American: (555) 123-4567, 555-123-4567
    r"|(?<![\w+.,/\-])\(?[2-9]\d{2}\)?[ .\-]\d{3}[ .\-]\d{4}"
    # Brazilian: (11) 91234-5678, (11) 3456-7890, 11 91234-5678
    r"|(?<![\w+.,/\-])(?:\(\d{2}\)\s?9?\d{4}-?\d{4}|\d{2}\s9\d{4}-\d{4})"
    # any number right after a phone word
    r"|(?(pre)\+?\d[\d .\-/()]{3,}\d|(?!))"
    r")(?!\d|[.,]\d)",
    re.IGNORECASE,
)

# --- addresses ------------------------------------------------------------------------
_HOUSE = r"\s*\d{1,4}(?:\s?[a-zA-Z](?!\w))?(?:\s?[-/]\s?\d{1,4}(?:[a-zA-Z](?!\w))?)?(?!\d|[.,:]\d)"
_POSTCODE_CITY = r"(?:,?\s+\d{5}\s+[A-ZÄÖÜ][\wäöüß-]+)?"
_DE_ANY_CASE = r"stra(?:ß|ss)e|str\."
_DE_SUFFIX = r"weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|markt|graben|wall|kamp|zeile"
_DE_WORD = r"Stra(?:ß|ss)e|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee|Markt|Graben|Wall"
_DE_PREP = r"Am|An\s+der|An\s+den|Auf\s+der|Auf\s+dem|Im|In\s+der|In\s+den|Unter\s+den|Zum|Zur|Hinter\s+der|Vor\s+dem|Alt"
_NOT_STREET = (
    r"Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag|Wochenende|Januar|Februar|"
    r"März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Jahr|Tag|Monat|Woche|Ende|"
    r"Anfang|Moment|Prinzip|Schnitt|Durchschnitt|Vergleich|Preis|Sommer|Winter|Herbst|Frühling|Laden|"
    r"Shop|Internet|Telefon|Paket|Ganzen|Allgemeinen|Voraus|Vorfeld|Warenkorb|Angebot|Rahmen|Schnitt"
)
_EN_TYPES = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Square|Sq|"
    r"Terrace|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Circle|Cir"
)
_ADDRESS = re.compile(
    r"(?:"
    # German: compound street name (Musterstraße 12, Hauptstr. 5a, karl-marx-straße 3)
    r"(?<![\w-])(?:[^\W\d_][\w-]*?(?i:" + _DE_ANY_CASE + r")|[A-ZÄÖÜ][\w-]*?(?i:" + _DE_SUFFIX + r"))"
    r"(?:(?<=\.)|\b)" + _HOUSE + _POSTCODE_CITY +
    # German: separate words (Berliner Straße 5, Alter Markt 3)
    r"|(?<![\w-])[A-ZÄÖÜ][\w-]+\s+(?:" + _DE_WORD + r")(?:(?<=\.)|\b)" + _HOUSE + _POSTCODE_CITY +
    # German: preposition forms (Am Markt 3, An der Alster 7)
    r"|\b(?:" + _DE_PREP + r")\s+(?!(?:" + _NOT_STREET + r")\b)[A-ZÄÖÜ][\w-]+" + _HOUSE + _POSTCODE_CITY +
    # English: 221B Baker Street, 10 Downing St., 1600 Pennsylvania Avenue NW
    r"|(?<![\w.,])\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:" + _EN_TYPES + r")\b\.?"
    r"(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\b)?"
    r"|(?<![\w.,])\d{1,5}[a-z]?\s+[a-z][\w'-]*\s+(?:street|road|avenue)\b"
    # Portuguese: Rua das Flores, 123 / Av. Paulista 1000
    r"|\b(?i:rua|r\.|avenida|av\.|travessa|tv\.|alameda|al\.|praça|praca|rodovia|estrada|largo)"
    r"\s+(?:[^\W\d_][\w.'-]*\s+){0,5}?[^\W\d_][\w.'-]*,?\s*(?i:n[º°o.]?\s*)?\d{1,5}(?!\d|[.,]\d)"
    r")"
)


def _digits_between(low: int, high: int):
    def accept(text: str) -> bool:
        n = sum(ch.isdigit() for ch in text)
        return low <= n <= high

    return accept


_iban_ok = _digits_between(12, 32)
_phone_ok = _digits_between(7, 15)
_national_ok = _digits_between(9, 13)  # 0 + area code + subscriber; keeps postcodes like 01310-100 out


def _sentinel(kind: str) -> str:
    return f"{_OPEN}{kind}{_CLOSE}"


def _replacer(kind: str):
    """The replacement of each kind: a string, or a function that checks the match."""
    mark = _sentinel(kind)
    if kind == "iban":
        return lambda m: mark if _iban_ok(m.group(0)) else m.group(0)
    if kind == "phone":

        def phone(m: re.Match[str]) -> str:
            ok = _national_ok if m.group("national") else _phone_ok
            return (m.group("pre") or "") + mark if ok(m.group("num")) else m.group(0)

        return phone
    return lambda m: mark


_PATTERNS: dict[str, re.Pattern[str]] = {"email": _EMAIL, "iban": _IBAN, "phone": _PHONE, "address": _ADDRESS}


def _check_kinds(kinds: str | Iterable[str], where: str) -> list[str]:
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    for kind in wanted:
        if kind not in PII_KINDS:
            raise CJMConfigError(
                f"Unknown kind {kind!r} in `kinds` of {where}.{suggest(str(kind), PII_KINDS)} "
                f"Known kinds: {', '.join(PII_KINDS)}."
            )
    if not wanted:
        raise CJMConfigError(f"`kinds` of {where} is empty; name at least one of {', '.join(PII_KINDS)}.")
    return [k for k in PII_KINDS if k in wanted]


def _as_text(texts: pd.Series, where: str) -> pd.Series:
    if not isinstance(texts, pd.Series):
        raise CJMDataError(
            f"{where} needs a pandas Series of texts as `texts`, got {type(texts).__name__}.",
            fix="Pass one column, e.g. data['comment'].",
        )
    # str dtype as is; objects, numbers and categoricals as the text of each value (missing stays missing)
    return texts if texts.dtype == "str" else texts.astype("str")


def _mask_steps(texts: pd.Series, kinds: list[str]) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Mask kind after kind with sentinels; return the text and the matches per text and kind."""
    out = texts
    counts: dict[str, pd.Series] = {}
    for kind in kinds:  # four kinds at most; each step is one vectorised replace
        out = out.str.replace(_PATTERNS[kind], _replacer(kind), regex=True)
        counts[kind] = out.str.count(re.escape(_sentinel(kind))).fillna(0).astype("int64")
    return out, counts


def _format_token(token: str, kind: str) -> str:
    try:
        return token.format(kind=kind)
    except (KeyError, IndexError, ValueError) as exc:
        raise CJMConfigError(
            f"`token` must be a text with at most the placeholder '{{kind}}', e.g. '[{{kind}}]' or '***'; "
            f"got {token!r} ({exc})."
        ) from None


def mask_pii(
    texts: pd.Series,
    *,
    kinds: str | Sequence[str] = ("email", "phone", "iban", "address"),
    token: str = "[{kind}]",
) -> pd.Series:
    """Replace e-mail addresses, phone numbers, IBANs and street addresses in free text.

    Vectorised regular expressions (``Series.str.replace``); see the module notes for
    exactly what is caught and what is missed.  Kinds are always applied in the order
    e-mail, IBAN, phone, address, whatever the order of ``kinds``, so that the digits
    of an IBAN are never read as a phone number.

    Parameters
    ----------
    texts : Series
        Free-text answers.  Missing values stay missing; numbers are read as text.
    kinds : str or list of str, default all four
        Which of ``"email"``, ``"phone"``, ``"iban"``, ``"address"`` to mask.
    token : str, default ``"[{kind}]"``
        The replacement; ``{kind}`` becomes the kind's name.

    Returns
    -------
    Series
        The masked texts (``str`` dtype), same index and name as ``texts``.

    Raises
    ------
    CJMDataError
        ``texts`` is not a Series.
    CJMConfigError
        Unknown kind or a token with other placeholders than ``{kind}``.

    Examples
    --------
    >>> s = pd.Series(["Mail: max.muster@example.de, Tel. 0171 2345678",
    ...                "IBAN DE89 3704 0044 0532 0130 00, Hauptstr. 5a",
    ...                "Bestellung 12345 am 12.03.2025 für 49,99 €", None])
    >>> for line in mask_pii(s).tolist():
    ...     print(line)
    Mail: [email], Tel. [phone]
    IBAN [iban], [address]
    Bestellung 12345 am 12.03.2025 für 49,99 €
    nan
    >>> mask_pii(pd.Series(["+1 (555) 123-4567"]), token="***").tolist()
    ['***']
    """
    where = "mask_pii()"
    order = _check_kinds(kinds, where)
    tokens = {kind: _format_token(token, kind) for kind in order}
    out, _ = _mask_steps(_as_text(texts, where), order)
    for kind in order:
        out = out.str.replace(_sentinel(kind), tokens[kind], regex=False)
    return out.rename(texts.name)


def pii_counts(
    texts: pd.Series,
    *,
    kinds: str | Sequence[str] = ("email", "phone", "iban", "address"),
) -> pd.DataFrame:
    """Count the personal data :func:`mask_pii` would mask, per kind.

    Parameters
    ----------
    texts : Series
        Free-text answers.
    kinds : str or list of str, default all four
        The kinds to count (see :func:`mask_pii`).

    Returns
    -------
    DataFrame
        One row per kind (in the masking order e-mail, IBAN, phone, address) with
        ``kind``, ``n_found`` (matches), ``n_texts`` (texts with at least one),
        ``n_nonmissing`` (texts that are not missing) and ``pct_texts``
        (``n_texts`` in percent of ``n_nonmissing``).

    Examples
    --------
    >>> s = pd.Series(["a@b.de oder c@d.com", "ruf an: 030 1234567", "nichts", None])
    >>> pii_counts(s)
          kind  n_found  n_texts  n_nonmissing  pct_texts
    0    email        2        1             3      33.33
    1     iban        0        0             3       0.00
    2    phone        1        1             3      33.33
    3  address        0        0             3       0.00
    """
    where = "pii_counts()"
    order = _check_kinds(kinds, where)
    values = _as_text(texts, where)
    _, counts = _mask_steps(values, order)
    n_nonmissing = int(values.notna().sum())
    rows = pd.DataFrame(
        {
            "kind": order,
            "n_found": [int(counts[k].sum()) for k in order],
            "n_texts": [int((counts[k] > 0).sum()) for k in order],
        }
    )
    rows["n_nonmissing"] = n_nonmissing
    pct = rows["n_texts"] / n_nonmissing * 100 if n_nonmissing else np.nan
    rows["pct_texts"] = np.round(pct, 2) if n_nonmissing else np.nan
    return rows


def pseudonymise(ids: pd.Series, *, salt: str) -> pd.Series:
    """Replace ids by stable pseudonyms: salted SHA-256, hex, first 16 characters.

    The pseudonym of an id is ``sha256(salt + "\\x1f" + str(id))[:16]``: the same id
    with the same salt always gives the same pseudonym (tables stay linkable), another
    salt gives other pseudonyms.  Keep the salt secret and out of the repository: whoever
    knows it can re-identify ids by hashing candidates.  Ids are read as text, so ``7``
    and ``"7"`` share a pseudonym but ``7.0`` does not.  Each distinct id is hashed
    once.  Missing ids stay missing.

    Parameters
    ----------
    ids : Series
        Customer or respondent ids.
    salt : str
        A secret, non-empty text.

    Returns
    -------
    Series
        Pseudonyms (``str`` dtype), same index and name as ``ids``.

    Raises
    ------
    CJMConfigError
        Empty or non-text ``salt``.
    CJMDataError
        ``ids`` is not a Series.

    Examples
    --------
    >>> ids = pd.Series(["C001", "C002", "C001", None])
    >>> p = pseudonymise(ids, salt="s3cret")
    >>> p[0] == p[2], p[0] == p[1], len(p[0]), p.isna().tolist()[3]
    (True, False, 16, True)
    """
    where = "pseudonymise()"
    if not isinstance(salt, str) or not salt.strip():
        raise CJMConfigError(
            f"`salt` of {where} must be a non-empty text, got {salt!r}. Without a secret salt, "
            "anyone can re-identify ids by hashing candidates; choose a long random text, keep it "
            "out of the repository, and reuse it to keep pseudonyms linkable."
        )
    if not isinstance(ids, pd.Series):
        raise CJMDataError(
            f"{where} needs a pandas Series of ids as `ids`, got {type(ids).__name__}.",
            fix="Pass one column, e.g. data['customer_id'].",
        )
    prefix = salt.encode("utf-8") + b"\x1f"
    uniques = pd.unique(ids.dropna().astype(object))
    lookup = {u: hashlib.sha256(prefix + str(u).encode("utf-8")).hexdigest()[:16] for u in uniques}
    return ids.astype(object).map(lookup, na_action="ignore").astype("str").rename(ids.name)

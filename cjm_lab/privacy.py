"""Privacy helpers: mask personal data, pseudonymise ids, suppress small groups.

Shared by the survey verbatims and the reports: nothing that leaves the workbench
(a theme's example comments, an exported table) carries a customer's e-mail
address, phone number, IBAN or street address, a raw customer id, or a group so
small that its members could be recognised.  :func:`protect_table` does all three
to a table and is what :func:`cjm_lab.reports.save_table` runs on every table a
report writes; :func:`shown_rows` gives the rows of a result that a report's charts
and sentences may use (the same groups the protected table shows), and
:func:`shown_changes` those rows of a trend whose change from the period before may be
described (both periods shown).

Settings (the report runner passes them to the kernel as environment variables)
------------------------------------------------------------------------------
``CJM_LAB_MIN_GROUP_SIZE``
    Cells and rows whose base is below it are hidden (default 5).
``CJM_LAB_SALT`` / ``CJM_LAB_SALT_FILE``
    The secret salt of the pseudonyms (the text itself, or a file holding it).  When
    neither is set, each process draws a random salt: pseudonyms are then stable
    within one report run but cannot be linked across runs.  The salt is never
    written into a report or its run record.

What :func:`mask_pii` catches (vectorised regular expressions, plus Google's libphonenumber)
--------------------------------------------------------------------------------------------
Spaces that are not U+0020 (no-break, narrow no-break, figure, thin) count as spaces: they
become plain spaces in the masked text.

``email``
    ``name@example.com``, ``vor.nach+tag@sub.firma-xy.de``, internationalised names
    (``jürgen@müller.de``) and the common obfuscations ``name @ example.com``,
    ``name (at) example (dot) com``, ``name [at] example [dot] com``, ``name<at>example<dot>org``
    (also ``(ät)``, ``(punkt)``), ``vorname . nachname @ example . de`` and the plain words
    ``name at example dot com`` (at least one ``dot``/``punkt`` after the domain).
``iban``
    Two letters, two check digits and the account part, with or without spaces in groups of
    four, in any case (``DE89 3704 0044 0532 0130 00``, ``GB29 NWBK 6016 1331 9268 19``).  It
    is masked when its ISO 7064 mod-97 checksum holds, or when it has the exact length of a
    common country's IBAN (a mistyped account number is still one); 12 to 32 digits in total.
``card``
    Payment card numbers, 13 to 19 digits alone or in groups split by spaces or hyphens, that
    start like a network's numbers (Visa, Mastercard, American Express, Discover, JCB, Diners,
    Maestro, UnionPay) and pass the Luhn check; other long numbers (tracking, order numbers)
    are left alone.
``phone``
    Every number Google's libphonenumber (the ``phonenumbers`` package, "valid" leniency) finds
    valid for one of :data:`PHONE_REGIONS` — Germany, Austria, Switzerland, the US and the UK —
    in their national formats (``030/12 34 56 78``, ``01 234 56 78``, ``044 668 18 00``,
    ``020 7946 0958``, ``212-555-0123``) and any international one; a national number needs
    nine digits or more.  The library runs only on texts with six digits or more.  Then
    patterns for what it does not know: international numbers (``+49 171 2345678``,
    ``0049 …``, ``+1 (555) 123-4567``), German numbers with the trunk ``0`` (``0171/2345678``;
    9 to 13 digits, which keeps postcodes such as ``01310-100`` out), North-American and
    Brazilian forms, and any number of 5+ digits right after a phone word (``Tel. 2345678``,
    ``Handy: 1712345678``, ``celular 912345678``, ``WhatsApp …``).  A match holds 7 to 15
    digits (E.164 allows 15).  Dates (``12.03.2025``, ``2025-03-12``), times (``14:30``),
    prices (``49,99 €``, ``1.299,00``), years, sizes and order numbers without a leading zero
    (``Bestellnummer 4711``, ``Bestellung 12345``, ``Artikel 12345678``) are left alone.
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

How the heuristics were made and tested (see docs/guide/security.md for the numbers)
---------------------------------------------------------------------------------------
Designed on the examples in ``tests/test_privacy.py`` and the ``DESIGN_*`` lists of
``tests/security/test_privacy_gaps.py``; tested on held-out sets not looked at while
designing: the example numbers libphonenumber generates for each of the five regions in
national, international and E.164 form, also with no-break spaces (45/45 masked; the
patterns alone masked 26), the networks' published test card numbers (14/14), the IBAN
registry's example IBANs (15/15), and 5,701 real comments of ``data/real`` (the library adds
no mask the patterns did not set).

What it misses (known limits; mask more with your own patterns if they matter)
-------------------------------------------------------------------------------
- Names of people, cities and customer numbers: nothing here recognises a name.
- Phone numbers without a trunk ``0`` or ``+``/``00`` and without a phone word
  (``1712345678``), numbers spelled out or with letters (``0800-FLOWERS``), numbers split
  by words, and national numbers of other countries than the five regions unless written
  internationally.  A German number directly followed by a second number
  (``030 1234567 30 Minuten``) is masked together with it (more, not less).
- Order numbers with a leading zero (``Bestellung 0815 4711``,
  ``Order 0123456789``) look like German phone numbers and *are* masked.
- Card numbers split in other ways than single spaces or hyphens, and cards of networks
  not listed above.
- Streets without a house number, in lower case with an ambiguous suffix
  (``hauptweg 5``), street forms not listed above (``Straße des 17. Juni 5``),
  PO boxes and a postcode + city on its own (``10115 Berlin``).
- IBANs split by other characters than single spaces, and mistyped IBANs of countries
  outside the length table.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, Integral, Interval, Rule, check_param, renamed_args, validate_params
from cjm_lab._validate import column_names, numeric_column, require_columns, require_frame, suggest, text_values
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = [
    "PII_KINDS",
    "mask_pii",
    "pii_counts",
    "pseudonymise",
    "pseudonymise_ids",
    "suppress_small_groups",
    "protect_table",
    "shown_rows",
    "shown_changes",
    "find_base_column",
    "find_id_columns",
    "suspect_id_columns",
    "id_column",
    "base_column",
    "name_tokens",
    "PHONE_REGIONS",
    "ID_SUSPECT_MIN_ROWS",
    "min_group_size",
    "report_salt",
    "BASE_COLUMNS",
    "TOTAL_LABELS",
    "DEFAULT_MIN_GROUP_SIZE",
    "ENV_MIN_GROUP_SIZE",
    "ENV_SALT",
    "ENV_SALT_FILE",
]

#: The kinds of personal data :func:`mask_pii` knows, in the order they are masked.
PII_KINDS: tuple[str, ...] = ("email", "iban", "card", "phone", "address")

# Masks are first written as private-use sentinels (which no later pattern can match
# and which can be counted), and turned into the user's token at the end.
_OPEN, _CLOSE = "\ue000", "\ue001"

# --- e-mail ---------------------------------------------------------------------------
_AT = r"(?:[ \t]*@[ \t]*|\s*[(\[{<]\s*(?:at|ät|@)\s*[)\]}>]\s*)"
_DOT = r"(?:[ \t]?\.[ \t]?|\s*[(\[{<]\s*(?:dot|punkt|\.)\s*[)\]}>]\s*)"
_LABEL = r"[^\W_][\w-]*"
# "name at example dot com": the plain words need at least one " dot " (or " punkt ") after the domain
_WORDY = r"[ \t]+(?:at|ät)[ \t]+" + _LABEL + r"(?:[ \t]+(?:dot|punkt)[ \t]+" + _LABEL + r")+"
_EMAIL = re.compile(
    rf"(?<![\w.%+-])(?:[\w%+-]+[ \t]?\.[ \t]?)*[\w.%+-]*[^\W_.%+-]"
    rf"(?:{_AT}{_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}[^\W\d_]{{2,24}}|{_WORDY})"
    r"(?![\w-])",
    re.IGNORECASE,
)

# --- IBAN -----------------------------------------------------------------------------
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
)

# --- payment cards --------------------------------------------------------------------
# 13 to 19 digits, alone or in groups split by single spaces or hyphens; a match is masked only
# when its digits pass the Luhn check and start like a card network's numbers (see _card_ok).
_CARD = re.compile(r"(?<![\w.,/+-])\d(?:[ -]?\d){12,18}(?![\w]|[.,/-]\d)")

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
_DE_PREP = (
    r"Am|An\s+der|An\s+den|Auf\s+der|Auf\s+dem|Im|In\s+der|In\s+den|Unter\s+den|Zum|Zur|Hinter\s+der|Vor\s+dem|Alt"
)
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
    r"(?:(?<=\.)|\b)"
    + _HOUSE
    + _POSTCODE_CITY
    +
    # German: separate words (Berliner Straße 5, Alter Markt 3)
    r"|(?<![\w-])[A-ZÄÖÜ][\w-]+\s+(?:"
    + _DE_WORD
    + r")(?:(?<=\.)|\b)"
    + _HOUSE
    + _POSTCODE_CITY
    +
    # German: preposition forms (Am Markt 3, An der Alster 7)
    r"|\b(?:"
    + _DE_PREP
    + r")\s+(?!(?:"
    + _NOT_STREET
    + r")\b)[A-ZÄÖÜ][\w-]+"
    + _HOUSE
    + _POSTCODE_CITY
    +
    # English: 221B Baker Street, 10 Downing St., 1600 Pennsylvania Avenue NW
    r"|(?<![\w.,])\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:"
    + _EN_TYPES
    + r")\b\.?"
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


_iban_digits_ok = _digits_between(12, 32)

#: IBAN lengths of the countries whose accounts German-speaking customers mention most (the
#: ISO 13616 registry); a mistyped IBAN of one of them is masked when its length is right.
_IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
    "HU": 28, "IE": 22, "IT": 27, "LI": 21, "LU": 20, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "SE": 24,
}  # fmt: skip


def _iban_checksum(compact: str) -> bool:
    """ISO 7064 mod 97-10: the account moved behind the check digits, letters as 10-35, mod 97 is 1."""
    moved = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return digits.isdigit() and int(digits) % 97 == 1


def _iban_ok(text: str) -> bool:
    """A real IBAN (its mod-97 checksum holds), or one of a known country with the right length
    (a mistyped account number is still one).
    """
    if not _iban_digits_ok(text):
        return False
    compact = text.replace(" ", "").upper()
    return _iban_checksum(compact) or _IBAN_LENGTHS.get(compact[:2]) == len(compact)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# Issuer prefixes and lengths: Visa 4 (13, 16, 19), Mastercard 51-55 and 2221-2720 (16), American
# Express 34/37 (15), Discover 6011/644-649/65 (16-19), JCB 3528-3589 (16-19), Diners 300-305/36/38/39
# (14-19), Maestro 50/56-69 (12-19), UnionPay 62 (16-19).
_CARD_PREFIX = re.compile(
    r"4\d{12}(?:\d{3}){0,2}|5[1-5]\d{14}|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}|3[47]\d{13}"
    r"|6(?:011|4[4-9]\d|5\d\d)\d{12,15}|35(?:2[89]|[3-8]\d)\d{12,15}|3(?:0[0-5]|[689]\d)\d{11,16}"
    r"|(?:5[06-9]|6\d)\d{11,17}"
)


def _card_ok(text: str) -> bool:
    """A payment card number: a network's prefix and length, and the Luhn check digit."""
    digits = re.sub(r"\D", "", text)
    if len(set(text) - set("0123456789")) > 1:  # spaces or hyphens, never both
        return False
    return bool(_CARD_PREFIX.fullmatch(digits)) and _luhn(digits)


_phone_ok = _digits_between(7, 15)
_national_ok = _digits_between(9, 13)  # 0 + area code + subscriber; keeps postcodes like 01310-100 out


def _sentinel(kind: str) -> str:
    return f"{_OPEN}{kind}{_CLOSE}"


def _replacer(kind: str):
    """The replacement of each kind: a string, or a function that checks the match."""
    mark = _sentinel(kind)
    if kind == "iban":
        return lambda m: mark if _iban_ok(m.group(0)) else m.group(0)
    if kind == "card":
        return lambda m: mark if _card_ok(m.group(0)) else m.group(0)
    if kind == "phone":

        def phone(m: re.Match[str]) -> str:
            ok = _national_ok if m.group("national") else _phone_ok
            return (m.group("pre") or "") + mark if ok(m.group("num")) else m.group(0)

        return phone
    return lambda m: mark


_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": _EMAIL,
    "iban": _IBAN,
    "card": _CARD,
    "phone": _PHONE,
    "address": _ADDRESS,
}

#: Regions whose national number formats the phone library reads (``030/12 34 56 78`` in Germany,
#: ``01 234 56 78`` in Vienna, ``044 668 18 00`` in Zurich, ``020 7946 0958`` in London,
#: ``212-555-0123`` in the US); international numbers (+/00) are read whatever the region.
PHONE_REGIONS: tuple[str, ...] = ("DE", "AT", "CH", "US", "GB")
# Spaces that are not U+0020 (no-break, narrow no-break, figure, thin): a number written with them
# is still a number.  Replaced one for one, so positions do not move.
_SPACES = re.compile("[\u00a0\u202f\u2007\u2009\u2002\u2003]")
_SIX_DIGITS = r"(?:\d\D*){6}"


def _phone_library(text: str) -> str:
    """Mask the numbers Google's libphonenumber finds valid for one of :data:`PHONE_REGIONS`."""
    import phonenumbers

    spans: list[tuple[int, int]] = []
    for region in PHONE_REGIONS:  # five regions; each matcher walks the text once
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            raw = match.raw_string
            # a national number (no + or 00) needs 9 digits or more, as the pattern's: keeps postcodes
            # such as 01310-100 and short codes out
            if raw.lstrip("(").startswith(("+", "00")) or _national_ok(raw):
                spans.append((match.start, match.end))
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    mark = _sentinel("phone")
    for start, end in reversed(merged):
        text = text[:start] + mark + text[end:]
    return text


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
    return texts if texts.dtype == "str" else text_values(texts)


def _mask_steps(texts: pd.Series, kinds: list[str]) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Mask kind after kind with sentinels; return the text and the matches per text and kind."""
    out = texts.str.replace(_SPACES, " ", regex=True)
    counts: dict[str, pd.Series] = {}
    for kind in kinds:  # five kinds at most; each step is one vectorised replace
        if kind == "phone":  # the library only where a number could be: texts with six digits or more
            candidates = out.str.contains(_SIX_DIGITS, regex=True, na=False)
            if candidates.any():
                out = out.copy()
                out[candidates] = out[candidates].map(_phone_library)
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


@validate_params({})
def mask_pii(
    texts: pd.Series,
    *,
    kinds: str | Sequence[str] = PII_KINDS,
    token: str = "[{kind}]",  # noqa: S107 (a placeholder text, not a password)
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


@validate_params({})
def pii_counts(
    texts: pd.Series,
    *,
    kinds: str | Sequence[str] = PII_KINDS,
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
        One row per kind (in the masking order e-mail, IBAN, card, phone, address) with
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
    2     card        0        0             3       0.00
    3    phone        1        1             3      33.33
    4  address        0        0             3       0.00
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


#: A secret salt of the pseudonyms.
SALT = Rule(
    lambda v: isinstance(v, str) and bool(v.strip()),
    "a non-empty text",
    fix="without a secret salt, anyone can re-identify ids by hashing candidates; choose a long random text, "
    "keep it out of the repository, and reuse it to keep pseudonyms linkable.",
)


@validate_params({"salt": [SALT]})
def pseudonymise(ids: pd.Series, *, salt: str) -> pd.Series:
    r"""Replace ids by stable pseudonyms: salted SHA-256, hex, first 16 characters.

    The pseudonym of an id is ``sha256(salt + "\x1f" + str(id))[:16]``: the same id
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
    if not isinstance(ids, pd.Series):
        raise CJMDataError(
            f"{where} needs a pandas Series of ids as `ids`, got {type(ids).__name__}.",
            fix="Pass one column, e.g. data['customer_id'].",
        )
    prefix = salt.encode("utf-8") + b"\x1f"
    uniques = pd.unique(ids.dropna().astype(object))
    lookup = {u: hashlib.sha256(prefix + str(u).encode("utf-8")).hexdigest()[:16] for u in uniques}
    return text_values(ids.astype(object).map(lookup, na_action="ignore")).rename(ids.name)


# --- report settings --------------------------------------------------------------------
#: The minimum group size when nothing else is configured.
DEFAULT_MIN_GROUP_SIZE = 5
#: Environment variables the report runner sets for the kernel.
ENV_MIN_GROUP_SIZE = "CJM_LAB_MIN_GROUP_SIZE"
ENV_SALT = "CJM_LAB_SALT"
ENV_SALT_FILE = "CJM_LAB_SALT_FILE"

#: Columns read as a row's base (its number of customers, respondents or journeys), first match wins.
BASE_COLUMNS: tuple[str, ...] = (
    "n",
    "base",
    "n_base",
    "count",
    "n_customers",
    "n_respondents",
    "n_journeys",
    "n_reached",
    "n_cases",
    "size",
    "n_total",
)
#: Row or column labels of margins (totals); they are not part of complementary suppression.
TOTAL_LABELS: tuple[str, ...] = ("Total", "Gesamt", "Insgesamt", "All", "Alle", "(all)", "total", "gesamt")

# --- names of id and base columns, normalised --------------------------------------------
# Designed on the examples in docs/guide/security.md ("design set"); tested on the column names
# of the real datasets in data/real ("held-out set"), which were not looked at while designing.
_ID_WORDS = frozenset({"id", "ids", "uid", "uuid", "guid", "pid", "cid"})
_NUMBER_WORDS = ("nummer", "number", "kennung", "num", "nr", "no")
_ENTITIES = frozenset(
    {
        "kunde", "kunden", "kd", "customer", "customers", "client", "klient", "klienten", "member", "mitglied",
        "mitglieds", "user", "nutzer", "benutzer", "account", "konto", "vertrag", "vertrags", "contract",
        "teilnehmer", "participant", "respondent", "befragte", "befragten", "person", "personal", "personen",
        "patient", "patienten", "versicherten", "mandant", "mandanten", "abonnent", "abonnenten", "subscriber",
        "kaeufer", "buyer", "haushalt", "household", "haushalts", "session", "sitzung", "sitzungs", "case", "fall",
        "ticket", "order", "bestell", "bestellung", "bestellungs", "auftrag", "auftrags", "device", "geraet",
        "geraete", "cookie", "visitor", "besucher", "lead", "contact", "kontakt", "interview", "panelist",
        "mitarbeiter", "employee", "id", "kunden_konto", "antrag", "antrags", "application", "rechnung",
        "rechnungs", "invoice", "reklamation", "beschwerde", "complaint",
    }
)  # fmt: skip
_ID_EXACT = frozenset({"customer", "respondent", "kunde"})
_COUNT_WORDS = frozenset(
    {"n", "base", "basis", "count", "counts", "anzahl", "haeufigkeit", "frequency", "freq", "fallzahl",
     "fallzahlen", "faelle", "stichprobe", "stichprobengroesse", "size", "groesse", "gruppengroesse"}
)  # fmt: skip
_POPULATION = frozenset(
    {"customers", "kunden", "respondents", "befragte", "befragten", "teilnehmer", "participants", "journeys",
     "cases", "faelle", "personen", "people", "persons", "users", "nutzer", "besucher", "visitors", "interviews",
     "antworten", "answers", "responses", "reached", "total", "members", "mitglieder", "haushalte", "households"}
)  # fmt: skip
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


@validate_params({})
def name_tokens(name: Any) -> list[str]:
    """A column name as lower-case ASCII words: case, spaces, hyphens, dots, camelCase and umlauts
    do not matter.

    Examples
    --------
    >>> name_tokens("CustomerID"), name_tokens("Kunden-Nr."), name_tokens("Anzahl Befragte (n)")
    (['customer', 'id'], ['kunden', 'nr'], ['anzahl', 'befragte', 'n'])
    """
    text = str(name).translate(_UMLAUTS)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)  # customerId, KundenNr
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", text)  # IDNumber
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z]+|\d+|#", text)
    return ["n" if w == "#" else w for w in words]


def _compound_id(word: str) -> bool:
    """``kundennr``, ``customerid``, ``mitgliedsnummer``: an entity and an id word written as one."""
    for suffix in (*_ID_WORDS, *_NUMBER_WORDS):
        if word.endswith(suffix) and word[: -len(suffix)] in _ENTITIES:
            return True
    return False


_RANDOM_SALT: str | None = None


#: The smallest group a deliverable may show (privacy: smaller groups are hidden).
MIN_GROUP_SIZE = Interval(
    Integral,
    1,
    None,
    closed="left",
    note="the smallest group a report may show",
    fix=f"the default is {DEFAULT_MIN_GROUP_SIZE}.",
)


@validate_params({})
def min_group_size(value: Any = None) -> int:
    """The minimum group size: ``value``, else ``$CJM_LAB_MIN_GROUP_SIZE``, else 5.

    Raises
    ------
    CJMConfigError
        Not a whole number of at least 1.

    Examples
    --------
    >>> min_group_size(10)
    10
    """
    source = "min_group_size"
    if value is None:
        value = os.environ.get(ENV_MIN_GROUP_SIZE, "").strip() or DEFAULT_MIN_GROUP_SIZE
        source = ENV_MIN_GROUP_SIZE if ENV_MIN_GROUP_SIZE in os.environ else source
    number = value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())  # from the environment or a report parameter
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    check_param(number, [MIN_GROUP_SIZE], name=source, where="")
    return int(number)


_min_group_size = min_group_size  # for the functions whose argument has the same name


@validate_params({"salt": [SALT, None]})
def report_salt(salt: str | None = None) -> str:
    """The salt of report pseudonyms: ``salt``, else ``$CJM_LAB_SALT``, else the file named by
    ``$CJM_LAB_SALT_FILE``, else one random salt per process.

    Raises
    ------
    CJMConfigError
        The salt file cannot be read or is empty.
    """
    global _RANDOM_SALT
    if salt is not None:
        return salt
    env = os.environ.get(ENV_SALT, "")
    if env.strip():
        return env
    path = os.environ.get(ENV_SALT_FILE, "").strip()
    if path:
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8").strip()
        except OSError as err:
            raise CJMConfigError(
                f"The salt file named by {ENV_SALT_FILE} cannot be read ({err.strerror}). "
                "Fix: point it at a readable file holding one line of secret text."
            ) from None
        if not text:
            raise CJMConfigError(f"The salt file named by {ENV_SALT_FILE} is empty; write a secret text into it.")
        return text
    if _RANDOM_SALT is None:
        _RANDOM_SALT = secrets.token_hex(16)
    return _RANDOM_SALT


@validate_params({})
def id_column(name: Any) -> bool:
    """Whether a column name says it holds ids, in English or German, however it is written.

    The name is normalised by :func:`name_tokens` (case, spaces, hyphens, dots, camelCase and
    umlauts do not matter).  An id column's last word is an id word (``id``, ``uuid``, ``pid`` …:
    ``customer_id``, ``CustomerID``, ``customer id``, ``Kunden-ID``), or a number word after an
    entity (``Kunden-Nr``, ``customer no``, ``Client Number``), or both written as one word
    (``Kundennr``, ``Kundennummer``, ``customerid``, ``Mitgliedsnummer``); ``customer``,
    ``respondent`` and ``Kunde`` alone count too, and ``case:concept:name`` (the case id of an
    XES process-mining log).  A number word alone (``Nr``, a row number) does not.

    Examples
    --------
    >>> [id_column(c) for c in ["CustomerID", "Kunden-Nr", "customer id", "Kundennr", "Kd.-Nr."]]
    [True, True, True, True, True]
    >>> [id_column(c) for c in ["n_ideas", "paid", "valid", "Nr", "Kundensegment", "n_customers"]]
    [False, False, False, False, False, False]
    """
    words = name_tokens(name)
    if not words:
        return False
    if words == ["case", "concept", "name"]:  # the XES trace id of process-mining logs
        return True
    last = words[-1]
    if last in _ID_WORDS or _compound_id(last):
        return True
    if len(words) >= 2 and last in _NUMBER_WORDS and words[-2] in _ENTITIES:
        return True
    return len(words) == 1 and last in _ID_EXACT


_DATE_LIKE = re.compile(
    r"^\s*(?:\d{4}(?:[-/.]\d{1,2}){0,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|(?:Q|KW|W)\s?\d{1,2}\b.*)\s*$", re.I
)
_CODE_LIKE = re.compile(
    r"^\s*(?:[A-Za-z]{0,6}[-_/.#]?\d{3,}[A-Za-z0-9_/.#-]*|[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]{4,})*)\s*$"
)
#: A column of at least this many distinct code-like texts (``K000123``, ``R1-0000004``, a hash)
#: and no repeats is taken for ids whatever its name (see :func:`suspect_id_columns`).
ID_SUSPECT_MIN_ROWS = 20


@validate_params({})
def suspect_id_columns(table: pd.DataFrame) -> list[Any]:
    """Columns whose *values* look like ids although their names do not say so.

    A text column qualifies when it has at least :data:`ID_SUSPECT_MIN_ROWS` values, no value
    twice, and at least 90 % of them look like codes (letters, then three digits or more:
    ``K000123``, ``R1-0000004``, ``2024-00017``; or a hexadecimal hash) and not like dates or
    periods (``2025-03``, ``KW 12``).  :func:`protect_table` refuses such a column unless
    ``ids=`` says what it is: a table that may carry ids is not written in doubt.

    Examples
    --------
    >>> t = pd.DataFrame({"kunde_ref": [f"K{i:06d}" for i in range(25)], "segment": ["a"] * 25})
    >>> suspect_id_columns(t)
    ['kunde_ref']
    """
    out = []
    for col in table.columns:
        values = table[col]
        if id_column(col) or not (
            pd.api.types.is_object_dtype(values.dtype)
            or pd.api.types.is_string_dtype(values.dtype)
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            continue
        present = values.dropna().astype("str")
        if len(present) < ID_SUSPECT_MIN_ROWS or present.duplicated().any():
            continue
        code = present.str.match(_CODE_LIKE) & ~present.str.match(_DATE_LIKE)
        if code.mean() >= 0.9:
            out.append(col)
    return out


@renamed_args(positional=["columns"])
@validate_params({})
def find_id_columns(table: pd.DataFrame, *, columns: str | Sequence[str] | None = None) -> list[Any]:
    """The id columns of ``table``: ``columns`` when given (a name or a list), else every column
    :func:`id_column` recognises by its name.

    The one rule :func:`pseudonymise_ids`, :func:`protect_table` and
    :func:`cjm_lab.reports.save_table` apply to tell which columns hold ids (with
    :func:`suspect_id_columns` for the doubtful ones).

    Examples
    --------
    >>> t = pd.DataFrame({"CustomerID": ["C1"], "segment": ["a"], "n": [3]})
    >>> find_id_columns(t), find_id_columns(t, columns="segment")
    (['CustomerID'], ['segment'])
    """
    if columns is not None:
        return [columns] if isinstance(columns, str) else list(columns)
    return [c for c in table.columns if id_column(c)]


def _frame(table: Any, where: str) -> pd.DataFrame:
    require_frame(table, where=where, name="table", min_rows=0)
    if table.columns.duplicated().any():
        dup = [str(c) for c in table.columns[table.columns.duplicated()]]
        raise CJMDataError(
            f"{where}: the table has duplicated column names {dup}.",
            fix="Rename the columns so that each name appears once.",
        )
    return table


@validate_params({})
def base_column(name: Any) -> bool:
    """Whether a column name says it holds each row's base (a number of people), in English or German.

    Names are normalised by :func:`name_tokens`: a count word alone (``n``, ``N``, ``Anzahl``,
    ``Basis``, ``count``, ``Fallzahl``, ``Häufigkeit``, ``size`` …), a population word alone
    (``Kunden``, ``respondents``, ``Befragte``, ``journeys`` …), or a count word with a population
    word (``Anzahl Kunden``, ``n_befragte``, ``Number of respondents``, ``# customers``, ``Base (n)``).

    Examples
    --------
    >>> [base_column(c) for c in ["N", "Anzahl", "Anzahl Befragte", "n_customers", "Basis (n)"]]
    [True, True, True, True, True]
    >>> [base_column(c) for c in ["nps", "Anteil", "n_ideas", "Umsatz", "segment"]]
    [False, False, False, False, False]
    """
    words = [w for w in name_tokens(name) if w not in ("of", "der", "die", "an", "in")]
    if not words:
        return False
    if len(words) == 1:
        return words[0] in _COUNT_WORDS or words[0] in _POPULATION
    if all(w in _COUNT_WORDS or w in _POPULATION for w in words):
        return True
    return words[0] in (*_COUNT_WORDS, "number", "no", "zahl") and all(w in _POPULATION for w in words[1:])


@validate_params({})
def find_base_column(table: pd.DataFrame) -> Any:
    """The column holding each row's base: the first of :data:`BASE_COLUMNS` present, else the
    first column :func:`base_column` recognises whose values are counts (non-negative whole
    numbers), else None.

    Examples
    --------
    >>> find_base_column(pd.DataFrame({"wave": [1], "n": [40], "nps": [12.0]}))
    'n'
    >>> find_base_column(pd.DataFrame({"Region": ["Nord"], "Anzahl": [2], "NPS": [50.0]}))
    'Anzahl'
    >>> find_base_column(pd.DataFrame({"driver": ["price"], "importance": [0.4]})) is None
    True
    """
    names = {str(c): c for c in table.columns}
    for name in BASE_COLUMNS:
        if name in names:
            return names[name]
    for col in table.columns:
        if base_column(col) and _counts(table[col]):
            return col
    return None


def _counts(series: pd.Series) -> bool:
    if not _is_number(series):
        return False
    values = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(len(values)) and bool((values >= 0).all()) and bool((values == np.round(values)).all())


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _blank(series: pd.Series, hide: np.ndarray) -> pd.Series:
    """``series`` with the hidden positions missing (integers become nullable Int64)."""
    keep = pd.Series(~hide, index=series.index)
    if pd.api.types.is_integer_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Int64").where(keep)
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean").where(keep)
    return series.where(keep)


def _is_total(values: pd.Series) -> np.ndarray:
    return values.astype(object).map(lambda v: isinstance(v, str) and v.strip() in TOTAL_LABELS).to_numpy(bool)


def _complement(
    hidden: np.ndarray, sizes: np.ndarray, groups: list[np.ndarray], keep_zeros: bool = False
) -> np.ndarray:
    """Hide the next-smallest cell of every group with exactly one hidden cell, until stable.

    With ``keep_zeros`` (zeros are shown) a zero is taken as the complement only when
    nothing else is left.
    """
    hidden = hidden.copy()
    sizes = np.where(np.isnan(sizes), np.inf, sizes)
    if keep_zeros:
        sizes = np.where(sizes == 0, np.finfo(float).max, sizes)
    changed = True
    while changed:
        changed = False
        for members in groups:
            if len(members) < 2:
                continue
            h = hidden[members]
            if h.sum() != 1:
                continue
            visible = members[~h]
            order = np.argsort(sizes[visible], kind="stable")
            hidden[visible[order[0]]] = True
            changed = True
    return hidden


def _labels(values: pd.Series) -> pd.Series:
    """Key values as text; missing values (a numeric variable's empty ``level``) become one label."""
    as_object = values.astype(object)
    return as_object.where(as_object.notna(), "\x00NA").map(str)


def _dimensions(table: pd.DataFrame, keys: list[Any]) -> list[Any]:
    """The keys that are dimensions of their own: a key the other keys determine (an id beside
    its segment, a step number beside the step) is dropped, so that it does not split the table
    into groups of one row.
    """
    dims = list(keys)
    text = {k: _labels(table[k]) for k in keys}
    for key in list(keys):
        if len(dims) < 2:
            break
        others = [c for c in dims if c != key]
        label = pd.concat([text[c] for c in others], axis=1).agg("\x1f".join, axis=1)
        if text[key].groupby(label.to_numpy()).nunique().max() <= 1:
            dims.remove(key)
    return dims


@renamed_args({"min_size": "min_group_size"})
@validate_params({"min_group_size": [MIN_GROUP_SIZE, None], "complementary": [BOOLEAN], "keep_zeros": [BOOLEAN]})
def suppress_small_groups(
    table: pd.DataFrame,
    *,
    base: str | pd.DataFrame | None = None,
    by: str | Sequence[str] | None = None,
    min_group_size: int | None = None,
    complementary: bool = True,
    keep_zeros: bool = False,
) -> pd.DataFrame:
    """Hide the cells of groups smaller than ``min_group_size``, with complementary suppression.

    Two layouts:

    *Tidy* (``base`` a column name, or found by name: ``n``, ``base``, ``count``,
    ``n_customers``, ``n_respondents``, ``n_journeys``, ``n_reached`` … see
    :data:`BASE_COLUMNS`): one row per group.  A row whose base is below ``min_group_size`` has
    every value blanked except its key columns (``by``), and a ``suppressed`` column says
    which rows were hidden.  Without ``by`` the keys are the columns left of the base
    column (the project's layout: grouping columns, then ``n``, then the statistics),
    except float columns (statistics, e.g. ``value`` in a :func:`~cjm_lab.survey.crosstab`).
    *Wide* (``base="cells"``: the numeric cells are counts; or ``base`` a DataFrame of the
    counts behind each cell, e.g. behind a table of percentages, same shape): each cell
    below ``min_group_size`` is blanked.

    **Complementary suppression.**  A hidden value could be worked back from a total
    and the other cells of its row or column.  So wherever exactly one cell of a row or
    column (tidy: of the rows that share all keys but one) is hidden, the next-smallest
    cell there is hidden too, repeated until nothing changes.  Margins (rows or columns
    labelled ``Total``, ``Gesamt``, ``All`` … see :data:`TOTAL_LABELS`) are hidden when
    small themselves but do not take part.

    Parameters
    ----------
    table : DataFrame
        The result table.  Its index is ignored (save tables with their labels as columns).
    base : str, "cells" or DataFrame, optional
        Where each cell's base is (see above).  Default: the first column of
        :data:`BASE_COLUMNS` present; a table without one raises.
    by : str or list of str, optional
        Key (label) columns that are never blanked.
    min_group_size : int, optional
        Default: :func:`min_group_size` (``$CJM_LAB_MIN_GROUP_SIZE``, else 5).  (Called
        ``min_size`` before 0.2; the old name works until 0.3.)
    complementary : bool, default True
        Also hide the cells that would give a hidden one away.
    keep_zeros : bool, default False
        Show bases of exactly 0 (an empty group reveals nobody; off by default).

    Returns
    -------
    DataFrame
        A copy with the hidden cells missing (integer columns become nullable ``Int64``).

    Raises
    ------
    CJMDataError
        No base column, a base that is not a count, or keys that are not columns.

    Examples
    --------
    >>> t = pd.DataFrame({"wave": ["1", "2", "3", "Total"], "n": [3, 40, 50, 93],
    ...                   "nps": [33.0, 10.0, 12.0, 11.8]})
    >>> suppress_small_groups(t)
        wave     n   nps  suppressed
    0      1  <NA>   NaN        True
    1      2  <NA>   NaN        True
    2      3    50  12.0       False
    3  Total    93  11.8       False
    """
    where = "suppress_small_groups()"
    table = _frame(table, where)
    k = _min_group_size(min_group_size)
    keys = column_names(by, arg="by", where=where)
    if keys:
        require_columns(table, {"by": keys}, where=where)
    if isinstance(base, pd.DataFrame) or (isinstance(base, str) and base == "cells"):
        return _suppress_wide(table, base, keys, k, complementary, keep_zeros, where)
    if base is None:
        base = find_base_column(table)
        if base is None:
            raise CJMDataError(
                f"{where} cannot tell which column holds each row's base (number of people): "
                f"none of {', '.join(BASE_COLUMNS)} is a column.",
                fix='Pass `base=` (a column, "cells" when the cells are counts, or a table of counts).',
            )
    require_columns(table, {"base": base}, where=where)
    sizes = numeric_column(table, base, where=where, low=0).to_numpy()
    out = table.reset_index(drop=True).copy()
    if by is None:  # the project's tidy layout: grouping columns, then the base, then the statistics
        keys = [
            c for c in out.columns[: list(out.columns).index(base)] if not pd.api.types.is_float_dtype(out[c].dtype)
        ]  # a float left of the base is a statistic
    small = sizes < k
    if keep_zeros:
        small &= sizes != 0
    hidden = small.copy()
    if complementary and len(out) > 1:
        total = np.zeros(len(out), bool)
        for key in keys:
            total |= _is_total(out[key])
        dims = _dimensions(out, keys)
        groups = []
        positions = np.arange(len(out))
        for key in dims or [None]:
            others = [c for c in dims if c != key]
            if others:
                codes = pd.concat([_labels(out[c]) for c in others], axis=1).agg("\x1f".join, axis=1)
                labels = pd.factorize(codes)[0]
            else:
                labels = np.zeros(len(out), int)
            for g in np.unique(labels):
                groups.append(positions[(labels == g) & ~total])
        hidden = _complement(hidden, sizes.astype(float), groups, keep_zeros) | small
    for col in out.columns:
        if col in keys or str(col) == "suppressed":
            continue
        out[col] = _blank(out[col], hidden)
    out["suppressed"] = hidden
    return out


def _suppress_wide(
    table: pd.DataFrame, base: Any, keys: list[Any], k: int, complementary: bool, keep_zeros: bool, where: str
) -> pd.DataFrame:
    out = table.copy()
    if not keys:
        keys = [c for c in out.columns if not _is_number(out[c])]
    cells = [c for c in out.columns if c not in keys]
    if isinstance(base, pd.DataFrame):
        missing = [c for c in cells if c not in base.columns]
        if base.shape[0] != table.shape[0] or missing:
            raise CJMDataError(
                f"{where}: `base` must hold the counts behind every cell of `table`, with the same rows "
                f"({table.shape[0]}) and the cell columns; it has {base.shape[0]} rows"
                + (f" and lacks {missing[:5]}." if missing else "."),
                fix="Pass the table of counts the percentages were computed from.",
            )
        counts_frame = base.reset_index(drop=True)
    else:
        counts_frame = out.reset_index(drop=True)
    for col in cells:
        if not _is_number(counts_frame[col]):
            numeric_column(counts_frame, col, where=where, low=0)
    counts = (
        np.column_stack([numeric_column(counts_frame, c, where=where, low=0).to_numpy() for c in cells])
        if cells
        else np.zeros((len(out), 0))
    )
    small = counts < k
    if keep_zeros:
        small &= counts != 0
    hidden = small.copy()
    if complementary and counts.size:
        total_row = np.zeros(len(out), bool)
        for key in keys:
            total_row |= _is_total(out[key].reset_index(drop=True))
        if out.index.dtype == object:
            total_row |= _is_total(pd.Series(out.index))
        total_col = _is_total(pd.Series([str(c) for c in cells]))
        n_rows, n_cols = counts.shape
        flat = np.arange(counts.size).reshape(counts.shape)
        groups = [flat[i, ~total_col] for i in range(n_rows) if not total_row[i]]
        groups += [flat[~total_row, j] for j in range(n_cols) if not total_col[j]]
        hidden = (
            _complement(hidden.ravel(), counts.astype(float).ravel(), groups, keep_zeros).reshape(counts.shape) | small
        )
    for j, col in enumerate(cells):
        out[col] = _blank(out[col], hidden[:, j])
    return out


@validate_params({"salt": [SALT, None]})
def pseudonymise_ids(
    table: pd.DataFrame, *, columns: str | Sequence[str] | None = None, salt: str | None = None
) -> pd.DataFrame:
    """Replace id columns by salted pseudonyms (:func:`pseudonymise`) before a table leaves.

    Parameters
    ----------
    table : DataFrame
    columns : str or list, optional
        The id columns.  Default: every column :func:`id_column` recognises by its name
        (``customer_id``, ``CustomerID``, ``Kunden-Nr``, ``Kundennummer``, ``session_id`` …).
    salt : str, optional
        Default :func:`report_salt` (``$CJM_LAB_SALT``, ``$CJM_LAB_SALT_FILE``, else random
        per process).

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": ["C1", "C2"], "n_events": [3, 4]})
    >>> out = pseudonymise_ids(t, salt="s3cret")
    >>> out["customer_id"].str.len().tolist(), "C1" in out["customer_id"].tolist()
    ([16, 16], False)
    """
    where = "pseudonymise_ids()"
    table = _frame(table, where)
    cols = find_id_columns(table, columns=columns)
    if columns is not None:
        require_columns(table, {"columns": cols}, where=where)
    out = table.copy()
    key = report_salt(salt)
    for col in cols:
        out[col] = pseudonymise(out[col], salt=key)
    return out


#: The columns of a trend table (:func:`cjm_lab.survey.nps_trend`) that compare a period with
#: the one before; :func:`protect_table` blanks them after a hidden period.
CHANGE_COLUMNS = ("change", "change_ci_low", "change_ci_high", "change_p", "significant", "text")


@renamed_args({"min_size": "min_group_size"})
@validate_params({"min_group_size": [MIN_GROUP_SIZE, None], "salt": [SALT, None], "mask": [BOOLEAN]})
def protect_table(
    table: pd.DataFrame,
    *,
    base: str | pd.DataFrame | bool | None = None,
    by: str | Sequence[str] | None = None,
    min_group_size: int | None = None,
    ids: str | Sequence[str] | None = None,
    salt: str | None = None,
    mask: bool = True,
) -> pd.DataFrame:
    """What a table goes through before it reaches a report: pseudonyms, masking, suppression.

    1. Id columns (see :func:`pseudonymise_ids`) become salted pseudonyms.
    2. Text columns go through :func:`mask_pii` (``mask=False`` to skip).
    3. Groups below ``min_group_size`` are hidden with :func:`suppress_small_groups`: ``base``
       names the base column (default: found by name, :data:`BASE_COLUMNS`); a table
       without one is written as it is; ``base=False`` says explicitly that the table
       has no groups to protect (e.g. model coefficients).
    4. In a trend table (a ``change`` column, rows in period order) the comparison columns
       (:data:`CHANGE_COLUMNS`) of the period after a hidden one are blanked too: they
       quote the hidden period.

    Examples
    --------
    >>> t = pd.DataFrame({"segment": ["a", "b", "c"], "n": [2, 30, 40],
    ...                   "example": ["mail me: x@y.de", "ok", "fine"]})
    >>> protect_table(t, min_group_size=5)
      segment     n example  suppressed
    0       a  <NA>     NaN        True
    1       b  <NA>     NaN        True
    2       c    40    fine       False
    """
    where = "protect_table()"
    table = _frame(table, where)
    if ids is None:
        doubtful = suspect_id_columns(table)
        if doubtful:
            col = doubtful[0]
            examples = ", ".join(repr(v) for v in table[col].dropna().astype("str").head(3))
            raise CJMConfigError(
                f"{where}: column {col!r} holds {int(table[col].notna().sum())} distinct code-like values "
                f"({examples}, …) and may hold ids, although its name does not say so; a table that may "
                "carry ids is not written in doubt. Fix: pass ids=[" + repr(col) + "] to pseudonymise it "
                "(with allow_rows=True in save_table for row-level data), or list the real id columns in "
                "`ids` (ids=[] for none) to say that it holds no ids."
            )
    out = pseudonymise_ids(table, columns=ids, salt=salt)
    id_cols = set(find_id_columns(out, columns=ids))
    if mask:
        for col in out.columns:
            if col in id_cols:
                continue
            dtype = out[col].dtype
            if (
                pd.api.types.is_object_dtype(dtype)
                or pd.api.types.is_string_dtype(dtype)
                or isinstance(dtype, pd.CategoricalDtype)
            ):
                if pd.api.types.is_object_dtype(dtype) and not out[col].map(lambda v: isinstance(v, str)).any():
                    continue
                out[col] = mask_pii(out[col].astype(object).where(out[col].notna(), None))
    if base is False:
        return out
    if base is True:
        base = None
    if base is None and find_base_column(out) is None:
        return out
    out = suppress_small_groups(out, base=base, by=by, min_group_size=min_group_size)
    if "change" in out.columns and not isinstance(base, pd.DataFrame):
        # a trend table: each change quotes the period before, so it gives a hidden period away
        after_hidden = out["suppressed"].shift(1, fill_value=False).to_numpy(bool) & ~out["suppressed"].to_numpy(bool)
        for col in [c for c in CHANGE_COLUMNS if c in out.columns]:
            out[col] = _blank(out[col], after_hidden)
    return out


@renamed_args({"min_size": "min_group_size"})
@validate_params({"min_group_size": [MIN_GROUP_SIZE, None]})
def shown_rows(
    table: pd.DataFrame,
    *,
    base: str | None = None,
    by: str | Sequence[str] | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """The rows of a tidy result table that a report may show or draw: those not suppressed.

    A chart or a sentence drawn from a result table must hide what the saved table hides.
    This runs :func:`suppress_small_groups` with the same settings :func:`protect_table`
    (and so :func:`cjm_lab.reports.save_table`) uses, and returns the rows it keeps,
    *unchanged*: original values, index and dtypes, ready for the plotting functions.
    Rows hidden by complementary suppression are left out too.

    Parameters
    ----------
    table : DataFrame
        A tidy result with one row per group and a base column (``n``, ``n_journeys``,
        ``n_reached`` … see :data:`BASE_COLUMNS`), e.g. the result of
        :func:`cjm_lab.survey.nps` with ``by``, :func:`cjm_lab.journeys.funnel` or
        :func:`cjm_lab.journeys.transitions`.
    base : str, optional
        The base column; default the first of :data:`BASE_COLUMNS` present.
    by : str or list of str, optional
        The grouping columns; default the columns left of the base.
    min_group_size : int, optional
        Default :func:`min_group_size` (``$CJM_LAB_MIN_GROUP_SIZE``, else 5).

    Returns
    -------
    DataFrame
        The rows of ``table`` that are not suppressed, in their order, with their index.
        In a trend table (a ``change`` column) the comparison columns
        (:data:`CHANGE_COLUMNS`) of a period after a hidden one are missing, so a chart
        marks no change against a period it does not show.

    Raises
    ------
    CJMDataError
        ``table`` is not a DataFrame or has no base column.

    See Also
    --------
    protect_table : the protected copy of a table (hidden rows blanked, not dropped).

    Examples
    --------
    >>> t = pd.DataFrame({"wave": ["1", "2", "3", "Total"], "n": [3, 40, 50, 93],
    ...                   "nps": [33.0, 10.0, 12.0, 11.8]})
    >>> shown_rows(t, min_group_size=5)
        wave   n   nps
    2      3  50  12.0
    3  Total  93  11.8
    """
    where = "shown_rows()"
    table = _frame(table, where)
    flags = suppress_small_groups(table, base=base, by=by, min_group_size=min_group_size)["suppressed"].to_numpy(bool)
    shown = table[~flags]
    if "change" in table.columns:
        # a trend: the comparison of a period with a hidden one before it is not shown either
        after_hidden = np.r_[False, flags[:-1]][~flags]
        shown = shown.copy()
        for col in [c for c in CHANGE_COLUMNS if c in shown.columns]:
            shown[col] = shown[col].where(~after_hidden)
    return shown


@renamed_args({"min_size": "min_group_size"})
@validate_params({"min_group_size": [MIN_GROUP_SIZE, None]})
def shown_changes(
    table: pd.DataFrame,
    *,
    base: str | None = None,
    by: str | Sequence[str] | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """The rows of a trend table whose change from the period before a report may describe.

    A trend table (one row per period, in order, each compared with the row before, e.g.
    :func:`cjm_lab.survey.nps_trend` with its ``change`` and ``text`` columns) quotes the
    previous period in every change.  A change may be described only where both periods are
    shown: this returns the rows of :func:`shown_rows` whose previous row is shown too.

    Parameters
    ----------
    table : DataFrame
        A trend table in period order with a base column (see :func:`shown_rows`).
    base, by, min_group_size
        As in :func:`shown_rows`.

    Returns
    -------
    DataFrame
        Those rows of ``table``, unchanged, in their order, with their index.

    Raises
    ------
    CJMDataError
        ``table`` is not a DataFrame or has no base column.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2025-01", "2025-02", "2025-03", "2025-04"], "n": [40, 3, 50, 60],
    ...                   "text": ["", "down", "up", "flat"]})
    >>> shown_changes(t, min_group_size=5)["period"].tolist()
    ['2025-04']
    """
    where = "shown_changes()"
    table = _frame(table, where)
    shown = shown_rows(table, base=base, by=by, min_group_size=min_group_size)
    previous_shown = pd.Series(table.index.isin(shown.index), index=table.index).shift(1, fill_value=False)
    return shown[previous_shown[shown.index].to_numpy(bool)]

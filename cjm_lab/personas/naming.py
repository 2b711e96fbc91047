"""Persona names from labels: "Disagree: technology fascinating, high monthly bill".

A persona's suggested name joins the phrases of its two strongest traits (see
:func:`cjm_lab.personas.profile`); a team replaces it with ``names=`` or
``Labels(personas=...)``.  Every phrase is built from what a person reads — variable labels,
value labels — never from column names, and says which way the persona leans:

* a rated item whose scale has labelled ends (``1 = Strongly agree … 5 = Strongly
  disagree``) takes the end the persona leans to, without its intensifier: a persona above
  average on that item *disagrees* — the label, not the code, decides, so reversed scales read
  right.  Attitude words (agree, satisfied, likely, important, easy, like, …; German too)
  lead (``"Disagree: technology fascinating"``); other ends follow (``"Drinking cola: every or
  nearly every day"``);
* a number without labelled ends: ``"high monthly bill"`` / ``"low …"`` (German
  ``"Monatsrechnung hoch"``);
* an over-represented category: the category alone when it names something ("Student",
  "Optus"), with its question when it does not — a yes/no answer, a band of an ordered
  question (``"average monthly bill: $100 to $149 a month"``), a scale point (``"Strongly
  agree: extraverted, enthusiastic"``);
* an option of a multiple-response question: the option.

The longer trait text of a card reads a mean on a labelled scale in the scale's words
(:func:`scale_reading`): ``"Technology fascinating: mostly Disagree (3.8 vs 3.1)"``, German
``"überwiegend …"``; ``"leaning to <end>"`` on a scale labelled only at its ends.  A number
without labelled levels keeps ``"high"``/``"low"`` (``"hoch"``/``"niedrig"``).

Labels are shortened first: a leading question number (``Q24.``, ``q20a1 -``), a bracketed
note and a closing question mark go.

Which data shaped the rules
    Written on ``data/real/phone_market_survey.sav`` (agreement items coded 1 = "Strongly
    agree" … 5 = "Strongly disagree", work status, age bands, yes/no awareness items).
    Checked on ``cola_brand_survey.sav``, held out (agreement items coded the other way
    round, as numbers and as categories, "Q24." question numbers): see
    ``tests/personas/test_survey_personas.py`` and ``docs/guide/survey.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["clean_label", "pole_word", "scale_reading", "trait_phrase", "persona_name", "ATTITUDE_WORDS"]

#: Pole words that read well in front of the item ("Disagree: technology fascinating").
ATTITUDE_WORDS: frozenset[str] = frozenset(
    {
        "agree",
        "disagree",
        "satisfied",
        "dissatisfied",
        "unsatisfied",
        "likely",
        "unlikely",
        "not likely",
        "important",
        "unimportant",
        "not important",
        "easy",
        "difficult",
        "hard",
        "like",
        "dislike",
        "love",
        "hate",
        "good",
        "bad",
        "poor",
        "excellent",
        "true",
        "false",
        "interested",
        "not interested",
        "zustimmen",
        "stimme zu",
        "stimme nicht zu",
        "trifft zu",
        "trifft nicht zu",
        "zufrieden",
        "unzufrieden",
        "wahrscheinlich",
        "unwahrscheinlich",
        "wichtig",
        "unwichtig",
        "leicht",
        "einfach",
        "schwierig",
        "schwer",
        "gut",
        "schlecht",
    }
)

_INTENSIFIERS = re.compile(
    r"\b(strongly|very|completely|extremely|totally|absolutely|definitely|fully|highly|much|rather|somewhat|"
    r"fairly|quite|a little|a bit|slightly|mostly|sehr|voll und ganz|völlig|ganz|eher|absolut|äußerst|stark|"
    r"etwas|überwiegend)\b",
    re.IGNORECASE,
)
_NOT_AT_ALL = re.compile(r"\b(not at all|überhaupt nicht|gar nicht)\b", re.IGNORECASE)
_QUESTION_NUMBER = re.compile(r"^\s*(?:[A-Za-z]{1,3}\d+[A-Za-z0-9_.]*\s*[.:)\-–]\s*)")
_BRACKETS = re.compile(r"^\s*\[[^\]]*\]\s*|\s*\([^)]*\)\s*$")
_SPACES = re.compile(r"\s+")
_ACRONYM = re.compile(r"^[A-Z0-9]{2,}\b|^[A-Z][a-z]+[A-Z]")
#: Category levels that say nothing without their question.
_GENERIC = {"yes", "no", "true", "false", "ja", "nein", "0", "1", "y", "n", "unknown", "other", "none", "selected"}


def clean_label(label: Any) -> str:
    """A variable label shortened for a name: no question number, bracketed note or question mark.

    Examples
    --------
    >>> clean_label("Q24. Extraverted, enthusiastic"), clean_label("Q5. [feminine] Coke")
    ('Extraverted, enthusiastic', 'Coke')
    >>> clean_label("Does respondent have children living with them?")
    'Does respondent have children living with them'
    """
    text = str(label).strip()
    text = _QUESTION_NUMBER.sub("", text)
    text = _BRACKETS.sub("", text)
    text = text.strip().rstrip("?:.").strip()
    return _SPACES.sub(" ", text) or str(label)


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the word is a name or an acronym (``NPS``, ``iPhone``)."""
    if not text or _ACRONYM.match(text):
        return text
    first = text.split(" ", 1)[0]
    if any(ch.isupper() for ch in first[1:]):
        return text
    return text[0].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def pole_word(label: Any) -> str:
    """An end label of a scale without its intensifier: "Strongly disagree" -> "disagree".

    Examples
    --------
    >>> pole_word("Strongly disagree"), pole_word("Very satisfied"), pole_word("Not at all likely")
    ('disagree', 'satisfied', 'not likely')
    >>> pole_word("Stimme voll und ganz zu")
    'stimme zu'
    """
    text = _NOT_AT_ALL.sub(lambda m: "nicht" if m.group(0).lower() != "not at all" else "not", str(label))
    text = _INTENSIFIERS.sub("", text)
    text = re.sub(r"^\s*\d+\s*[-=.:]?\s*", "", text)  # "5 = Strongly agree"
    return _SPACES.sub(" ", text).strip(" -–,.").lower()


def label_poles(value_labels: Mapping[Any, str] | None) -> tuple[str, str] | None:
    """The labels of the lowest and highest substantive codes of a scale, or None."""
    if not value_labels:
        return None
    from cjm_lab.io.missing import is_dont_know_label

    codes = []
    for code, label in value_labels.items():
        try:
            value = float(code)
        except (TypeError, ValueError):
            continue
        if not is_dont_know_label(label):
            codes.append((value, str(label)))
    if len(codes) < 2:
        return None
    codes.sort()
    low, high = codes[0][1], codes[-1][1]
    if low.strip() == high.strip():
        return None
    return low, high


#: The widest labelled scale read by its labels (0–10 and 1–11 ratings); wider numbers keep "high"/"low".
MAX_SCALE_SPAN = 10

_READING = {
    "en": {"mostly": "mostly {label}", "towards": "leaning to {label}", "between": "between {low} and {high}"},
    "de": {"mostly": "überwiegend {label}", "towards": "eher {label}", "between": "zwischen {low} und {high}"},
}


def scale_reading(value: float, value_labels: Mapping[Any, str] | None, *, language: str = "en") -> str | None:
    """Where a mean lies on a labelled rating scale, in the scale's own words.

    Within half a point of a labelled level: ``"mostly <that level's label>"``; between
    labelled levels (a scale labelled at its ends): ``"leaning to <the nearer end>"``, or
    ``"between <low> and <high>"`` within half a point of the middle.  None when the
    variable has fewer than two labelled substantive levels ("don't know" codes do not
    count) or spans more than :data:`MAX_SCALE_SPAN` points — then "high"/"low" it is.

    Examples
    --------
    >>> agree = {1: "Strongly agree", 2: "Agree", 3: "Neither", 4: "Disagree", 5: "Strongly disagree", 9: "Don't know"}
    >>> scale_reading(3.8, agree), scale_reading(1.3, agree, language="de")
    ('mostly Disagree', 'überwiegend Strongly agree')
    >>> ends = {1: "Not at all likely", 10: "Extremely likely"}
    >>> scale_reading(7.9, ends), scale_reading(5.2, ends), scale_reading(7.0, {0: "none", 120: "10 years"})
    ('leaning to Extremely likely', 'between Not at all likely and Extremely likely', None)
    """
    from cjm_lab.io.missing import is_dont_know_label

    if value is None or not np.isfinite(value) or not value_labels:
        return None
    levels = []
    for code, label in value_labels.items():
        try:
            number = float(code)
        except (TypeError, ValueError):
            continue
        if label is not None and str(label).strip() and not is_dont_know_label(label):
            levels.append((number, str(label).strip()))
    if len(levels) < 2:
        return None
    levels.sort()
    low, high = levels[0], levels[-1]
    if high[0] - low[0] > MAX_SCALE_SPAN or not low[0] - 0.5 <= value <= high[0] + 0.5:
        return None
    words = _READING["de" if language == "de" else "en"]
    nearest = min(levels, key=lambda lv: abs(lv[0] - value))
    if abs(nearest[0] - value) <= 0.5:
        return words["mostly"].format(label=nearest[1])
    middle = (low[0] + high[0]) / 2
    if abs(value - middle) <= 0.5:
        return words["between"].format(low=low[1], high=high[1])
    return words["towards"].format(label=(high if value > middle else low)[1])


def _is_scale_level(level: str, value_labels: Mapping[Any, str] | None) -> bool:
    """Whether a category belongs to a rating scale (its ends carry attitude words)."""
    poles = label_poles(value_labels)
    words = {pole_word(level)}
    if poles:
        words |= {pole_word(poles[0]), pole_word(poles[1])}
    return any(w in ATTITUDE_WORDS or w.startswith(("neither", "weder")) for w in words)


def trait_phrase(
    variable: str,
    *,
    statistic: str,
    direction: str,
    level: Any = None,
    label: str | None = None,
    value_labels: Mapping[Any, str] | None = None,
    value: float | None = None,
    ordered: bool = False,
    language: str = "en",
) -> str:
    """The phrase of one trait for a persona name (see the module notes).

    Parameters
    ----------
    variable : str
        The column (used only when it has no label).
    statistic : {"mean", "pct"}
        A mean (numbers, rated items) or a category share.
    direction : {"high", "low", "over"}
        Above or below the average; ``"over"`` for an over-represented category.
    level : str, optional
        The category (its label) for shares.
    label : str, optional
        The variable label in ``language``.
    value_labels : dict, optional
        ``{code: label}`` of the variable, in ``language``.
    ordered : bool, default False
        The categories are ordered (bands such as "$100 to $149 a month"): a level then keeps
        its question ("average monthly bill: $100 to $149 a month").
    value : float, optional
        The persona's mean.  When it lies on the other side of the scale's midpoint than
        the way it leans (above average, yet still agreeing), the phrase says so: "agree
        less: …" instead of "disagree: …".

    Examples
    --------
    >>> agree = {1: "Strongly agree", 3: "Neither", 5: "Strongly disagree", 9: "DON'T KNOW"}
    >>> trait_phrase("q23b", statistic="mean", direction="high", label="Technology fascinating",
    ...              value_labels=agree)
    'disagree: technology fascinating'
    >>> trait_phrase("q23j", statistic="mean", direction="high", value=1.8, label="All friends have mobiles",
    ...              value_labels=agree)
    'agree less: all friends have mobiles'
    >>> trait_phrase("q26", statistic="mean", direction="low", label="Average monthly bill")
    'low average monthly bill'
    >>> trait_phrase("q26", statistic="mean", direction="low", label="Monatsrechnung", language="de")
    'Monatsrechnung niedrig'
    >>> trait_phrase("q2", statistic="pct", direction="over", level="Student", label="Work status")
    'Student'
    >>> trait_phrase("q1", statistic="pct", direction="over", level="Yes", label="Has children?")
    'Has children: Yes'
    """
    name = clean_label(label if label else variable)
    if statistic == "mean":
        poles = label_poles(value_labels)
        if poles:
            end = poles[1] if direction == "high" else poles[0]
            word = pole_word(end)
            mid = _midpoint(value_labels)
            if value is not None and mid is not None and ((value - mid) * (1 if direction == "high" else -1)) < 0:
                other = pole_word(poles[0] if direction == "high" else poles[1])  # still on the other side
                if other in ATTITUDE_WORDS:
                    return f"{_less(other, language)}: {_lower_first(name)}"
            if word in ATTITUDE_WORDS:
                return f"{word}: {_lower_first(name)}"
            return f"{_lower_first(name)}: {end.strip().lower() if not _ACRONYM.match(end) else end.strip()}"
        if language == "de":
            return f"{name} {'hoch' if direction == 'high' else 'niedrig'}"
        return f"{'high' if direction == 'high' else 'low'} {_lower_first(name)}"
    shown = str(level).strip()
    if _is_scale_level(shown, value_labels) and shown.lower() not in _GENERIC:
        return f"{shown}: {_lower_first(name)}"
    if ordered or shown.lower() in _GENERIC or not re.search(r"[^\W\d_]", shown):
        return f"{name}: {shown}"
    return shown


_VERBS = {"agree", "disagree", "like", "dislike", "love", "hate", "stimme zu", "stimme nicht zu", "zustimmen"}


def _less(word: str, language: str) -> str:
    """'agree' -> 'agree less', 'satisfied' -> 'less satisfied' (German: 'weniger: zufrieden')."""
    if language == "de":
        return f"{word} (schwächer)"
    return f"{word} less" if word in _VERBS else f"less {word}"


def _midpoint(value_labels: Mapping[Any, str] | None) -> float | None:
    from cjm_lab.io.missing import is_dont_know_label

    codes = []
    for code, label in (value_labels or {}).items():
        try:
            codes.append(float(code))
        except (TypeError, ValueError):
            continue
        if is_dont_know_label(label):
            codes.pop()
    return (min(codes) + max(codes)) / 2 if len(codes) >= 2 else None


def persona_name(phrases: Sequence[str], *, fallback: str, max_length: int = 80) -> str:
    """Join up to two trait phrases into a name: ``"Disagree: technology fascinating, high monthly bill"``.

    A name longer than ``max_length`` characters keeps its first phrase only.

    Examples
    --------
    >>> persona_name(["disagree: technology fascinating", "low average monthly bill"], fallback="Persona 1")
    'Disagree: technology fascinating, low average monthly bill'
    >>> persona_name(["agree: video calls", "agree: music"], fallback="Persona 1")
    'Agree: video calls; music'
    >>> persona_name([], fallback="Persona 1")
    'Persona 1'
    """
    shown = [p for p in phrases if p][:2]
    if not shown:
        return fallback
    heads = [p.split(": ", 1) for p in shown]
    if len(shown) == 2 and all(len(h) == 2 for h in heads) and heads[0][0] == heads[1][0]:
        name = f"{heads[0][0]}: {heads[0][1]}; {heads[1][1]}"  # "agree: x; y" - one attitude, two items
    else:
        name = ", ".join(shown)
    if len(shown) > 1 and len(name) > max_length:
        name = shown[0]  # one clear trait reads better than two cut ones
    head = name.split(":", 1)[0].strip().lower()
    first = name.split(" ", 1)[0].lower()
    # our own words open a sentence and get a capital; a label keeps its own case ("x niedrig")
    if first in {"high", "low", "not", "less"} or head in ATTITUDE_WORDS or head.split(" ")[0] in ATTITUDE_WORDS:
        return _upper_first(name)
    return name

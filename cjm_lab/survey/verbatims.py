"""Verbatims: offline themes of open comments and coding against a code frame.

:func:`verbatim_themes` finds themes without any download or external service:

1. **Mask personal data** with :func:`cjm_lab.privacy.mask_pii` (always), so that no
   e-mail address, phone number, IBAN or street address reaches a term list or an
   example comment.
2. **Normalise**: lower case, apostrophes dropped (``don't`` → ``dont``), accents
   stripped when asked (default for Portuguese, where customers often write without
   them: ``não`` → ``nao``), and a negation joined to the word it negates
   (``não recebi`` → ``nao_recebi``, ``not working`` → ``not_working``,
   ``nicht geliefert`` → ``nicht_geliefert``; a few articles and auxiliaries may sit in
   between: ``não foi entregue`` → ``nao_entregue``).  Joined terms are shown with a
   space (``nao recebi``).
3. **TF-IDF** of words and word pairs (scikit-learn, sublinear term frequency), without
   stop words: the list of the `stop-words` package for each language, minus a few words
   that carry meaning in customer feedback (``antes``, ``tempo``, ``valor`` in Portuguese;
   ``bill``, ``call``, ``free``, ``line``, ``order``, ``problem``, ``value``, ``website``…
   in English), plus a small list of survey filler (``gut``, ``super``, ``danke``;
   ``ok``, ``yeah``, ``lot``; ``vc``, ``pq``, ``obrigado``…).  Tokens need a letter, so
   numbers never become terms.
4. **NMF** topics (``init="nndsvda"``, deterministic for a ``random_state``); each
   comment's dominant theme is the one with the largest weight, and its
   ``theme_weight`` is that theme's share of the comment's total theme weight (0–1).

Comments that are missing or blank are counted (theme ``"(blank)"``); comments with
text but no usable word after masking and stop-word removal (``"ok"``, ``"-"``,
``"Nothing"``) get the theme ``"(none)"``.  Nothing is dropped silently.

:func:`code_answers` and :func:`code_summary` code answers against a frame of
user-defined codes (keyword and regex rules, several codes per answer, nets).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from stop_words import LANGUAGE_MAPPING, get_stop_words

from cjm_lab._params import (
    BOOLEAN,
    RANDOM_STATE,
    WHOLE_NUMBER,
    Interval,
    Real,
    Rule,
    StrOptions,
    renamed_args,
    validate_params,
)
from cjm_lab._validate import (
    column_names,
    numeric_column,
    positive_weights,
    require_columns,
    require_frame,
    suggest,
    text_values,
)
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.privacy import PII_KINDS, mask_pii, pii_counts
from cjm_lab.survey.nps import nps, nps_groups

__all__ = [
    "BLANK_THEME",
    "NONE_THEME",
    "VerbatimThemes",
    "code_answers",
    "code_summary",
    "stop_words_for",
    "verbatim_themes",
]

#: Theme of comments with text but no usable word.
NONE_THEME = "(none)"
#: Theme of missing or blank comments.
BLANK_THEME = "(blank)"

# Columns of the result tables that `by` and `score` columns must not shadow.
_RESERVED = frozenset(
    {
        "theme",
        "label",
        "theme_weight",
        "status",
        "nps_group",
        "rank",
        "row",
        "comment",
        "n",
        "pct",
        "base",
        "n_blank",
        "_score",
        "_w",
        "_theme",
        "_one",
        "_blank",
    }
)

#: Tokens: two or more word characters with at least one letter (no pure numbers).
_TOKEN = r"(?u)\b(?=\w*[^\W\d_])\w{2,}\b"  # noqa: S105 (a word pattern, not a password)
_TOKEN_RE = re.compile(_TOKEN)
_MASKS = re.compile(r"\[(?:" + "|".join(PII_KINDS) + r")\]")
_APOSTROPHES = re.compile(r"[’'`´]")

# Words of the stop-words lists that carry meaning in customer feedback.
_KEEP: dict[str, set[str]] = {
    "en": {
        "bill",
        "call",
        "calls",
        "free",
        "help",
        "high",
        "higher",
        "home",
        "line",
        "long",
        "longer",
        "lower",
        "order",
        "ordered",
        "ordering",
        "orders",
        "problem",
        "problems",
        "quickly",
        "promptly",
        "poorly",
        "site",
        "system",
        "value",
        "website",
        "late",
    },
    "pt": {"antes", "tempo", "valor", "horas", "novo", "caminho", "trabalho"},
    "de": set(),
}
# Survey filler: words that appear in comments on any topic.
_DOMAIN: dict[str, set[str]] = {
    "de": {
        "gut",
        "super",
        "toll",
        "prima",
        "immer",
        "schon",
        "mal",
        "ganz",
        "eigentlich",
        "einfach",
        "echt",
        "wirklich",
        "bitte",
        "danke",
        "vielen",
        "dank",
        "ok",
        "okay",
        "ja",
        "bzw",
        "usw",
        "etc",
        "ca",
        "gibt",
        "geht",
        "ging",
        "wurde",
        "wurden",
        "worden",
        "kam",
        "leider",
        "halt",
        "eben",
        "gerne",
        "gern",
        "sowieso",
        "weiß",
        "weiss",
        "finde",
        "fand",
        "alles",
    },
    "en": {
        "na",
        "nope",
        "idk",
        "ok",
        "okay",
        "yes",
        "yeah",
        "yep",
        "lol",
        "etc",
        "im",
        "ive",
        "id",
        "thats",
        "really",
        "pretty",
        "lot",
        "alot",
        "lots",
        "stuff",
        "dislike",
        "dislikes",
        "like",
        "likes",
        "think",
        "dont",
        "nothing",
    },
    "pt": {
        "q",
        "vc",
        "vcs",
        "pq",
        "pra",
        "pro",
        "ta",
        "to",
        "tb",
        "tbm",
        "td",
        "ok",
        "obrigado",
        "obrigada",
        "ai",
        "la",
        "ja",
        "so",
    },
}
# Negations joined to the word they negate, and the small words that may sit between.
_NEGATIONS: dict[str, set[str]] = {
    "de": {"nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals"},
    "en": {
        "not",
        "no",
        "never",
        "dont",
        "didnt",
        "doesnt",
        "cant",
        "cannot",
        "couldnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "havent",
        "hasnt",
    },
    "pt": {"não", "nao", "nunca", "nem"},
}
_BETWEEN: dict[str, set[str]] = {
    "de": {
        "der",
        "die",
        "das",
        "den",
        "dem",
        "ein",
        "eine",
        "einen",
        "so",
        "sehr",
        "mehr",
        "zu",
        "ganz",
        "wirklich",
        "richtig",
        "mal",
        "ist",
        "war",
        "wurde",
        "wurden",
    },
    "en": {
        "a",
        "an",
        "the",
        "be",
        "been",
        "is",
        "was",
        "were",
        "are",
        "very",
        "so",
        "too",
        "really",
        "that",
        "at",
        "all",
        "it",
        "to",
        "as",
        "get",
        "got",
    },
    "pt": {
        "o",
        "a",
        "os",
        "as",
        "me",
        "te",
        "se",
        "lhe",
        "foi",
        "foram",
        "era",
        "é",
        "e",
        "esta",
        "está",
        "tinha",
        "tem",
        "um",
        "uma",
        "ao",
        "na",
        "no",
        "do",
        "da",
        "mais",
        "muito",
    },
}


def _strip_accents(s: pd.Series) -> pd.Series:
    # the combining marks themselves in the pattern, not \u escapes: pyarrow's RE2 (pandas' str dtype) has none
    return s.str.normalize("NFKD").str.replace("[\u0300-\u036f]", "", regex=True)


def _normalise(texts: pd.Series, strip_accents: bool) -> pd.Series:
    out = texts.str.lower().str.replace(_MASKS, " ", regex=True).str.replace(_APOSTROPHES, "", regex=True)
    return _strip_accents(out) if strip_accents else out


def _normalise_words(words: Iterable[str], strip_accents: bool) -> set[str]:
    s = _normalise(pd.Series(sorted(set(words)), dtype="str"), strip_accents)
    # tokenised as the comments are, so that scikit-learn sees consistent stop words
    return {tok for w in s.tolist() for tok in _TOKEN_RE.findall(w)}


def _languages(language: str | Sequence[str]) -> list[str]:
    wanted = [language] if isinstance(language, str) else list(language)
    if not wanted:
        raise CJMConfigError("`text_language` is empty; pass e.g. 'de', 'en', 'pt' or ['de', 'en'].")
    names = {v: k for k, v in LANGUAGE_MAPPING.items()}
    codes = []
    for lang in wanted:
        key = str(lang).lower()
        code = key if key in LANGUAGE_MAPPING else names.get(key)
        if code is None:
            raise CJMConfigError(
                f"Unknown `text_language` {lang!r}.{suggest(key, [*LANGUAGE_MAPPING, *names])} "
                f"Use a code of the stop-words package: {', '.join(sorted(LANGUAGE_MAPPING))}."
            )
        if code not in codes:
            codes.append(code)
    return codes


@renamed_args({"language": "text_language"})
@validate_params({"strip_accents": [BOOLEAN, None]})
def stop_words_for(
    text_language: str | Sequence[str] = "de",
    *,
    strip_accents: bool | None = None,
    extra: Iterable[str] | None = None,
) -> list[str]:
    """The stop words :func:`verbatim_themes` uses, normalised as the comments are.

    The `stop-words` package's list for each language, minus words that carry meaning
    in customer feedback, plus survey filler, the negations (alone they say nothing;
    joined to the next word they do) and ``extra``.

    Parameters
    ----------
    text_language : str or list of str, default ``"de"``
        Codes or names of the stop-words package (``"de"``, ``"en"``, ``"pt"``, …).  (Called
        ``language`` before 0.2, which now means the language of report texts.)
    strip_accents : bool, optional
        Strip accents as for the comments; default: when Portuguese is among the languages.
    extra : iterable of str, optional
        Further words to leave out.

    Returns
    -------
    list of str
        Sorted.

    Examples
    --------
    >>> sw = stop_words_for("pt")
    >>> "nao" in sw, "antes" in sw, "prazo" in sw
    (True, False, False)
    >>> "gut" in stop_words_for("de"), "lieferung" in stop_words_for("de")
    (True, False)
    """
    codes = _languages(text_language)
    strip = ("pt" in codes) if strip_accents is None else bool(strip_accents)
    words: set[str] = set()
    for code in codes:  # a handful of languages
        base = _normalise_words(get_stop_words(code), strip)
        words |= base - _normalise_words(_KEEP.get(code, set()), strip)
        words |= _normalise_words(_DOMAIN.get(code, set()), strip)
        words |= _normalise_words(_NEGATIONS.get(code, set()), strip)
    if extra is not None:
        if isinstance(extra, str):
            extra = [extra]
        words |= _normalise_words([str(w) for w in extra], strip)
    return sorted(words)


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of words, longest first so that 'keine' wins over 'kein'."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _negation_pattern(codes: list[str], strip: bool) -> re.Pattern[str] | None:
    negs: set[str] = set()
    between: set[str] = set()
    for code in codes:
        negs |= _normalise_words(_NEGATIONS.get(code, set()), strip)
        between |= _normalise_words(_BETWEEN.get(code, set()), strip)
    if not negs:
        return None
    between -= negs
    skip = rf"(?:(?:{_alternation(between)})\s+){{0,2}}" if between else ""
    neg = _alternation(negs)
    return re.compile(rf"\b({neg})\s+{skip}(?!(?:{neg})\b)([^\W\d_]\w*)")


@dataclass(frozen=True, repr=False, eq=False)
class VerbatimThemes:
    """The result of :func:`verbatim_themes`: tidy tables and the fitted models.

    Attributes
    ----------
    themes : DataFrame
        One row per theme (``T1`` the largest) and one for ``"(none)"``: ``theme``,
        ``label`` (top three distinct terms), ``n`` (comments whose dominant theme it is),
        ``pct`` (percent of comments with text; weighted when ``weight`` was given),
        ``mean_theme_weight`` (how clearly its comments belong to it, 0–1) and
        ``top_terms`` (comma-separated).
    terms : DataFrame
        ``theme``, ``label``, ``rank``, ``term``, ``weight`` (the term's share of the
        theme's total term weight) for the ``top_terms`` terms of each theme.
    assignments : DataFrame
        Aligned to ``data.index``: ``theme`` (ordered categorical: ``T1``…, ``"(none)"``,
        ``"(blank)"``), ``label``, ``theme_weight`` (0–1; missing for ``"(none)"`` and
        ``"(blank)"``), ``status`` (``"themed"``, ``"no_terms"``, ``"blank"``), the
        ``by`` columns and, with ``score``, the score and ``nps_group``.
    examples : DataFrame
        ``theme``, ``label``, ``rank``, ``row`` (the index label in ``data``),
        ``comment`` (PII-masked), ``theme_weight`` and, with ``score``, the score: the
        comments with the largest weight on their dominant theme (the theme's purest
        wording), identical normalised texts shown once.
    nps : DataFrame or None
        With ``score``: :func:`~cjm_lab.survey.nps` per theme (and ``by`` group) of the
        commenters, including ``"(none)"`` and ``"(blank)"`` and a total row, with a
        ``label`` column after ``theme``.
    by_group : DataFrame or None
        With ``by``: the ``by`` columns, ``theme``, ``label``, ``n``, ``pct`` (of the
        group's comments with text, weighted when ``weight`` was given), ``base``
        (the group's comments with text) and ``n_blank``.
    summary : DataFrame
        One row: ``n_rows``, ``n_blank``, ``n_comments`` (with text), ``n_no_terms``,
        ``n_themed``, ``n_themes``, ``n_terms`` (vocabulary), ``min_df``, ``max_df``,
        ``languages``, ``strip_accents``, ``n_pii_masked``.
    pii : DataFrame
        :func:`~cjm_lab.privacy.pii_counts` of the comments.
    vectorizer, model
        The fitted ``TfidfVectorizer`` and ``NMF``.
    """

    themes: pd.DataFrame
    terms: pd.DataFrame
    assignments: pd.DataFrame
    examples: pd.DataFrame
    nps: pd.DataFrame | None
    by_group: pd.DataFrame | None
    summary: pd.DataFrame
    pii: pd.DataFrame
    vectorizer: TfidfVectorizer = field(compare=False)
    model: NMF = field(compare=False)

    def _headline(self) -> str:
        s = self.summary.iloc[0]
        return (
            f"VerbatimThemes: {int(s.n_themes)} themes from {int(s.n_comments)} comments with text "
            f"({int(s.n_blank)} blank, {int(s.n_no_terms)} without usable words, "
            f"{int(s.n_pii_masked)} personal data masked)"
        )

    def __repr__(self) -> str:
        cols = ["theme", "label", "n", "pct"]
        table = self.themes[cols].assign(pct=self.themes["pct"].round(1))
        return self._headline() + "\n" + table.to_string(index=False)

    def _repr_html_(self) -> str:
        cols = ["theme", "label", "n", "pct", "top_terms"]
        table = self.themes[cols].assign(pct=self.themes["pct"].round(1))
        return f"<p>{self._headline()}</p>" + table.to_html(index=False, escape=True)


def _text_column(data: pd.DataFrame, text: str, where: str) -> pd.Series:
    raw = data[text]
    numeric = pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype)
    if numeric and raw.notna().any():
        raise CJMDataError(
            f"{where}: the column {text!r} given as `text` holds numbers, not comments.",
            column=text,
            rows=list(raw.index[:5]),
            values=list(raw.iloc[:5]),
            fix="Pass the open-text column as `text` (and a 0-10 score as `score`).",
        )
    return raw if raw.dtype == "str" else text_values(raw)


def _blank(texts: pd.Series) -> pd.Series:
    return texts.isna() | texts.str.strip().fillna("").eq("")


def _display(term: str) -> str:
    return term.replace("_", " ")


def _label(terms: Sequence[str], n_words: int = 3) -> str:
    """First ``n_words`` terms that add a word not yet shown (skip 'entrega rapida' after both)."""
    chosen: list[str] = []
    seen: set[str] = set()
    for term in terms:  # top terms of one theme
        words = set(term.split())
        if words <= seen:
            continue
        chosen.append(term)
        seen |= words
        if len(chosen) == n_words:
            break
    return ", ".join(chosen)


#: ``min_df``: a share of the comments, a number of comments or "auto".
_MIN_DF = [
    StrOptions({"auto": "at least 2 comments, or 1 in 1,000"}),
    Interval(Real, 0, 1, closed="neither", note="a share of the comments"),
    Rule(
        lambda v: isinstance(v, Real) and not isinstance(v, bool) and float(v).is_integer() and float(v) >= 1,
        "a whole number of comments of at least 1",
    ),
]


@renamed_args({"language": "text_language"})
@validate_params(
    {
        "n_themes": [WHOLE_NUMBER],
        "min_df": _MIN_DF,
        "max_df": [Interval(Real, 0, 1, closed="right", note="a share of the comments", example="0.5")],
        "strip_accents": [BOOLEAN, None],
        "random_state": RANDOM_STATE,
        "top_terms": [WHOLE_NUMBER],
        "examples": [WHOLE_NUMBER],
    }
)
def verbatim_themes(
    data: pd.DataFrame,
    *,
    text: str = "comment",
    n_themes: int = 6,
    text_language: str | Sequence[str] = "de",
    by: str | Sequence[str] | None = None,
    score: str | None = None,
    weight: str | None = None,
    min_df: float | str = "auto",
    max_df: float = 0.5,
    stop_words: Iterable[str] | None = None,
    strip_accents: bool | None = None,
    random_state: int = 0,
    top_terms: int = 10,
    examples: int = 3,
) -> VerbatimThemes:
    """Find themes in open comments offline: PII masking, TF-IDF and NMF.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    text : str, default ``"comment"``
        The open-text column.
    n_themes : int, default 6
        Number of themes.
    text_language : str or list of str, default ``"de"``
        Language(s) of the comments for the stop words: ``"de"``, ``"en"``, ``"pt"`` (with
        tailored lists) or any other code of the stop-words package; a list for mixed
        comments.  (Called ``language`` before 0.2, which now means the language of report
        texts; the old name works until 0.3.)
    by : str or list of str, optional
        Grouping columns for the ``by_group`` table (and the ``nps`` table).
    score : str, optional
        A 0–10 likelihood-to-recommend column: adds ``nps_group`` to the assignments and
        the ``nps`` table (NPS of each theme's commenters).
    weight : str, optional
        Positive weights; shares (``pct``) and NPS are weighted, counts ``n`` are not.
    min_df : int, float or "auto", default "auto"
        A term must appear in this many comments (float: this share); ``"auto"`` is
        ``max(2, ceil(comments with text / 1000))``.
    max_df : float, default 0.5
        Terms in more than this share of comments are left out as too general.
    stop_words : iterable of str, optional
        Further words to leave out (see :func:`stop_words_for` for the built-in ones).
    strip_accents : bool, optional
        Default: when Portuguese is among the languages.
    random_state : int, default 0
        Seed of the NMF; the result is the same for the same seed and data.
    top_terms : int, default 10
        Terms listed per theme.
    examples : int, default 3
        Example comments per theme.

    Returns
    -------
    VerbatimThemes
        With the tidy tables ``themes``, ``terms``, ``assignments``, ``examples``,
        ``nps`` (with ``score``), ``by_group`` (with ``by``), ``summary`` and ``pii``;
        see :class:`VerbatimThemes` for their columns.

    Raises
    ------
    CJMDataError
        Missing columns, a numeric ``text`` column, scores outside 0–10, bad weights,
        too few comments or terms for ``n_themes``.
    CJMConfigError
        Unknown language, bad ``n_themes``, ``min_df``, ``max_df``, ``top_terms`` or
        ``examples``.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": [
    ...     "Lieferung kam zu spät", "Lieferung viel zu spät, Paket beschädigt",
    ...     "Paket kam spät an", "Preis zu hoch", "Preis ist zu teuer", "viel zu teuer, hoher Preis",
    ...     "Bitte melden: max@example.de", "", None]})
    >>> res = verbatim_themes(df, n_themes=2, min_df=2)
    >>> res.themes[["theme", "label", "n"]]
        theme                   label  n
    0      T1  spät, paket, lieferung  3
    1      T2            preis, teuer  3
    2  (none)                          1
    >>> res.assignments["status"].value_counts().sort_index().to_dict()
    {'blank': 2, 'no_terms': 1, 'themed': 6}
    """
    where = "verbatim_themes()"
    require_frame(data, where=where)
    by_cols = column_names(by, arg="by", where=where)
    require_columns(data, {"text": text, "by": by_cols, "score": score, "weight": weight}, where=where)
    if text in by_cols or text == score:
        raise CJMConfigError(f"`text` ({text!r}) cannot also be a `by` or `score` column.")
    clash = [c for c in [*by_cols, score] if c in _RESERVED]
    if clash:
        raise CJMConfigError(
            f"The column {clash[0]!r} given as `by` or `score` has the name of a result column "
            f"({', '.join(sorted(_RESERVED))}); rename it first, e.g. data.rename(columns={{{clash[0]!r}: ...}})."
        )
    codes = _languages(text_language)
    strip = ("pt" in codes) if strip_accents is None else bool(strip_accents)

    raw = _text_column(data, text, where)
    w = positive_weights(data, weight, where=where)
    scores = numeric_column(data, score, where=where, low=0, high=10, integer=True) if score is not None else None
    blank = _blank(raw).to_numpy()
    n_comments = int((~blank).sum())
    if n_comments == 0:
        raise CJMDataError(
            f"{where}: all {len(data)} comments in {text!r} are missing or blank.",
            column=text,
            fix="Check the column given as `text` and the filters applied before this call.",
        )

    pii = pii_counts(raw)
    masked = mask_pii(raw)
    normal = _normalise(masked, strip)
    negation = _negation_pattern(codes, strip)
    if negation is not None:
        normal = normal.str.replace(negation, r"\1_\2", regex=True)
    docs = normal[~blank]

    min_df_used = _min_df(min_df, n_comments)
    sw = stop_words_for(codes, strip_accents=strip, extra=stop_words)
    vectorizer = TfidfVectorizer(
        lowercase=False,
        token_pattern=_TOKEN,
        stop_words=sw,
        ngram_range=(1, 2),
        min_df=min_df_used,
        max_df=max_df,
        sublinear_tf=True,
        dtype=np.float64,
    )
    try:
        matrix = vectorizer.fit_transform(docs.fillna("").tolist())
    except ValueError as exc:
        raise CJMDataError(
            f"{where}: no term is left after stop words and `min_df`={min_df_used!r}, "
            f"`max_df`={max_df!r} on {n_comments} comments ({exc}).",
            column=text,
            fix="Lower `min_df`, raise `max_df`, check `text_language`, or pass more comments.",
        ) from None
    usable = np.asarray(matrix.getnnz(axis=1) > 0)
    n_usable = int(usable.sum())
    n_terms = matrix.shape[1]
    if n_themes > min(n_usable, n_terms):
        raise CJMDataError(
            f"{where}: {n_themes} themes need at least {n_themes} comments with usable words and "
            f"{n_themes} terms; there are {n_usable} comments and {n_terms} terms.",
            column=text,
            fix="Lower `n_themes` or `min_df`, or pass more comments.",
        )
    model = NMF(n_components=int(n_themes), init="nndsvda", random_state=random_state, max_iter=1000)
    weights_doc = np.zeros((matrix.shape[0], n_themes))
    with np.errstate(invalid="ignore"):  # sklearn's loss takes sqrt of a rounding-negative zero on tiny data
        weights_doc[usable] = model.fit_transform(matrix[usable])
    comp = model.components_

    # dominant theme; comments whose theme weights are all zero join "(none)"
    total = weights_doc.sum(axis=1)
    themed = total > 0
    dominant = weights_doc.argmax(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(themed, weights_doc.max(axis=1) / total, np.nan)

    # order themes by size (then total weight), T1 the largest
    sizes = np.bincount(dominant[themed], minlength=n_themes)
    mass = weights_doc.sum(axis=0)
    order = np.lexsort((np.arange(n_themes), -mass, -sizes))
    rank_of = np.empty(n_themes, dtype=int)
    rank_of[order] = np.arange(n_themes)
    theme_ids = [f"T{i + 1}" for i in range(n_themes)]

    vocab = np.array([_display(t) for t in vectorizer.get_feature_names_out()], dtype=object)
    comp = comp[order]
    comp_share = comp / np.where(comp.sum(axis=1, keepdims=True) > 0, comp.sum(axis=1, keepdims=True), 1)
    top_idx = np.argsort(-comp_share, axis=1, kind="stable")[:, :top_terms]
    top_weight = np.take_along_axis(comp_share, top_idx, axis=1)
    # terms with (almost) no weight in a theme are not part of it
    in_theme = top_weight >= 1e-3 * top_weight[:, :1]
    top_lists = [vocab[top_idx[i][in_theme[i]]].tolist() for i in range(n_themes)]
    labels = [_label(top_lists[i]) for i in range(n_themes)]
    labels = _unique_labels(labels, theme_ids)
    label_of = dict(zip(theme_ids, labels, strict=True)) | {NONE_THEME: "", BLANK_THEME: ""}

    # per-comment assignments, aligned to data.index
    theme_all = np.full(len(data), BLANK_THEME, dtype=object)
    status = np.full(len(data), "blank", dtype=object)
    weight_all = np.full(len(data), np.nan)
    pos = np.flatnonzero(~blank)
    theme_all[pos] = np.where(themed, np.array(theme_ids, dtype=object)[rank_of[dominant]], NONE_THEME)
    status[pos] = np.where(themed, "themed", "no_terms")
    weight_all[pos] = share
    categories = [*theme_ids, NONE_THEME, BLANK_THEME]
    assignments = pd.DataFrame(
        {
            "theme": pd.Categorical(theme_all, categories=categories, ordered=True),
            "label": pd.Series(theme_all).map(label_of).to_numpy(),
            "theme_weight": weight_all,
            "status": status,
        },
        index=data.index,
    )
    for col in by_cols:
        assignments[col] = data[col]
    if scores is not None:
        assignments[score] = scores
        assignments["nps_group"] = nps_groups(scores)

    # themes table
    comment_rows = ~blank
    frame = pd.DataFrame({"theme": theme_all[comment_rows], "w": w[comment_rows], "tw": weight_all[comment_rows]})
    agg = frame.groupby("theme", sort=False).agg(n=("w", "size"), w=("w", "sum"), mtw=("tw", "mean"))
    agg = agg.reindex([*theme_ids, NONE_THEME]).fillna({"n": 0, "w": 0.0})
    themes = pd.DataFrame(
        {
            "theme": [*theme_ids, NONE_THEME],
            "label": [*labels, ""],
            "n": agg["n"].to_numpy(dtype=np.int64),
            "pct": agg["w"].to_numpy(dtype=float) / w[comment_rows].sum() * 100,
            "mean_theme_weight": agg["mtw"].to_numpy(dtype=float),
            "top_terms": [", ".join(t) for t in top_lists] + [""],
        }
    )

    k = top_idx.shape[1]
    terms = pd.DataFrame(
        {
            "theme": np.repeat(theme_ids, k),
            "label": np.repeat(labels, k),
            "rank": np.tile(np.arange(1, k + 1), n_themes),
            "term": vocab[top_idx].ravel(),
            "weight": top_weight.ravel(),
        }
    )[in_theme.ravel()].reset_index(drop=True)

    # examples: most clearly themed comments, identical normalised texts once
    raw_weight = np.full(len(data), np.nan)
    raw_weight[pos] = weights_doc.max(axis=1)
    cand = pd.DataFrame(
        {
            "theme": theme_all,
            "row": data.index,
            "comment": masked.to_numpy(),
            "theme_weight": weight_all,
            "_raw": raw_weight,
            "_key": normal.str.strip().to_numpy(),
            "_order": np.arange(len(data)),
            "_rank": pd.Categorical(theme_all, categories=categories).codes,
        }
    )
    if scores is not None:
        cand[score] = scores.to_numpy()
    cand = cand[status == "themed"].sort_values(
        ["_rank", "_raw", "theme_weight", "_order"], ascending=[True, False, False, True], kind="stable"
    )
    cand = cand.drop_duplicates(["theme", "_key"]).groupby("theme", sort=False).head(examples)
    cand.insert(1, "label", cand["theme"].map(label_of))
    cand.insert(2, "rank", cand.groupby("theme", sort=False).cumcount() + 1)
    example_table = cand.drop(columns=["_raw", "_key", "_order", "_rank"]).reset_index(drop=True)

    nps_table = None
    if scores is not None:
        frame_nps = assignments[[*by_cols, "theme"]].assign(_score=scores.to_numpy(), _w=w)
        nps_table = nps(frame_nps, score="_score", by=[*by_cols, "theme"], weight="_w" if weight else None)
        nps_table.insert(len(by_cols) + 1, "label", nps_table["theme"].map(label_of).fillna(""))

    by_table = _by_group(assignments, by_cols, w, blank, [*theme_ids, NONE_THEME], label_of) if by_cols else None

    summary = pd.DataFrame(
        {
            "n_rows": [len(data)],
            "n_blank": [int(blank.sum())],
            "n_comments": [n_comments],
            "n_no_terms": [int((status == "no_terms").sum())],
            "n_themed": [int((status == "themed").sum())],
            "n_themes": [int(n_themes)],
            "n_terms": [int(n_terms)],
            "min_df": [min_df_used],
            "max_df": [max_df],
            "languages": [", ".join(codes)],
            "strip_accents": [strip],
            "n_pii_masked": [int(pii["n_found"].sum())],
        }
    )
    return VerbatimThemes(
        themes=themes,
        terms=terms,
        assignments=assignments,
        examples=example_table,
        nps=nps_table,
        by_group=by_table,
        summary=summary,
        pii=pii,
        vectorizer=vectorizer,
        model=model,
    )


def _min_df(min_df: float | str, n_comments: int) -> int | float:
    """The ``min_df`` scikit-learn takes (checked by the table :data:`_MIN_DF`)."""
    if isinstance(min_df, str):
        return max(2, math.ceil(n_comments / 1000))
    return int(min_df) if float(min_df).is_integer() else float(min_df)


def _unique_labels(labels: list[str], ids: list[str]) -> list[str]:
    counts = pd.Series(labels).value_counts()
    return [f"{lab} ({i})" if counts[lab] > 1 or not lab else lab for lab, i in zip(labels, ids, strict=True)]


def _by_group(
    assignments: pd.DataFrame,
    by_cols: list[str],
    w: np.ndarray,
    blank: np.ndarray,
    themes: list[str],
    label_of: Mapping[str, str],
) -> pd.DataFrame:
    frame = assignments[by_cols].assign(
        _theme=assignments["theme"].astype(str).to_numpy(), _w=w, _one=1, _blank=blank.astype(int)
    )
    groups = frame.groupby(by_cols, dropna=False, sort=True, observed=True)
    n_blank = groups["_blank"].sum()
    text = frame[~blank]
    cnt = text.groupby([*by_cols, "_theme"], dropna=False, sort=True, observed=True)[["_one", "_w"]].sum()
    wide_n = cnt["_one"].unstack("_theme").reindex(columns=themes).fillna(0)
    wide_w = cnt["_w"].unstack("_theme").reindex(columns=themes).fillna(0.0)
    wide_n = wide_n.reindex(n_blank.index).fillna(0)
    wide_w = wide_w.reindex(n_blank.index).fillna(0.0)
    base = wide_n.sum(axis=1)
    base_w = wide_w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = wide_w.div(base_w.where(base_w > 0), axis=0) * 100
    n_groups, k = len(wide_n), len(themes)
    long = wide_n.index.to_frame(index=False).iloc[np.repeat(np.arange(n_groups), k)].reset_index(drop=True)
    long["theme"] = np.tile(np.array(themes, dtype=object), n_groups)
    long["label"] = long["theme"].map(label_of)
    long["n"] = wide_n.to_numpy().ravel().astype(np.int64)
    long["pct"] = pct.to_numpy().ravel()
    long["base"] = np.repeat(base.to_numpy(), k).astype(np.int64)
    long["n_blank"] = np.repeat(n_blank.to_numpy(), k).astype(np.int64)
    return long[[*by_cols, "theme", "label", "n", "pct", "base", "n_blank"]].reset_index(drop=True)


# --- coding against a code frame ------------------------------------------------------

_FRAME_KEYS = ("keywords", "regex", "exclude", "net")


@dataclass(frozen=True)
class _Code:
    name: str
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None
    nets: tuple[str, ...]


def _keyword_regex(keyword: str) -> str:
    kw = keyword.strip()
    inside = kw.startswith("*")
    kw = kw.lstrip("*").strip()
    body = r"\s+".join(re.escape(part) for part in kw.split())
    return body if inside else r"(?<!\w)" + body


def _as_strings(value: Any, code: str, key: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, Mapping):
        raise CJMConfigError(f"`{key}` of code {code!r} in `frame` must be a text or a list of texts, got {value!r}.")
    out = list(items)
    bad = [v for v in out if not isinstance(v, str) or not v.strip().lstrip("*").strip()]
    if bad:
        raise CJMConfigError(f"`{key}` of code {code!r} in `frame` holds empty or non-text entries: {bad[:5]!r}.")
    return out


def _parse_frame(frame: Mapping[str, Any]) -> list[_Code]:
    if not isinstance(frame, Mapping) or not frame:
        raise CJMConfigError(
            "`frame` must be a non-empty dict of codes, e.g. {'Delivery': {'keywords': ['liefer', 'late'], "
            "'net': 'Logistics'}, 'Price': ['preis', 'teuer']}."
        )
    codes: list[_Code] = []
    for name, spec in frame.items():  # a handful of codes
        if not isinstance(name, str) or not name.strip():
            raise CJMConfigError(f"Code names in `frame` must be non-empty texts, got {name!r}.")
        if isinstance(spec, Mapping):
            unknown = [k for k in spec if k not in _FRAME_KEYS]
            if unknown:
                raise CJMConfigError(
                    f"Unknown key {unknown[0]!r} for code {name!r} in `frame`.{suggest(str(unknown[0]), _FRAME_KEYS)} "
                    f"Known keys: {', '.join(_FRAME_KEYS)}."
                )
            keywords = _as_strings(spec.get("keywords"), name, "keywords")
            regexes = _as_strings(spec.get("regex"), name, "regex")
            excludes = _as_strings(spec.get("exclude"), name, "exclude")
            nets = _as_strings(spec.get("net"), name, "net")
        else:
            keywords, regexes, excludes, nets = _as_strings(spec, name, "keywords"), [], [], []
        if not keywords and not regexes:
            raise CJMConfigError(f"Code {name!r} in `frame` has no `keywords` and no `regex`; give at least one rule.")
        parts = [_keyword_regex(k) for k in keywords] + [f"(?:{r})" for r in regexes]
        codes.append(
            _Code(
                name=name,
                pattern=_compile("|".join(parts), name),
                exclude=_compile("|".join(_keyword_regex(k) for k in excludes), name) if excludes else None,
                nets=tuple(dict.fromkeys(n.strip() for n in nets)),
            )
        )
    names = {c.name for c in codes}
    for c in codes:
        for net in c.nets:
            if net in names or net == "uncoded":
                raise CJMConfigError(
                    f"Net {net!r} of code {c.name!r} has the name of a code or of 'uncoded'; "
                    "give the net its own name, e.g. 'NET Logistics'."
                )
    if "uncoded" in names:
        raise CJMConfigError("'uncoded' is reserved for answers without a code; rename that code.")
    return codes


def _compile(pattern: str, code: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise CJMConfigError(f"Invalid rule of code {code!r} in `frame`: {exc} (pattern {pattern!r}).") from None


@validate_params({"multi": [BOOLEAN]})
def code_answers(
    data: pd.DataFrame,
    *,
    text: str = "comment",
    frame: Mapping[str, Any],
    multi: bool = True,
) -> pd.DataFrame:
    """Code open answers against a user-defined code frame of keyword and regex rules.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    text : str, default ``"comment"``
        The open-text column.
    frame : dict
        ``{code: rules}``, in priority order.  ``rules`` is a list of keywords or a dict
        with ``keywords`` (matched case-insensitively at the start of a word:
        ``"liefer"`` finds *Lieferung* and *liefert*; a leading ``*`` matches inside
        words too: ``"*liefer"`` also finds *geliefert*; spaces match any whitespace),
        ``regex`` (case-insensitive regular expressions), ``exclude`` (keywords that
        veto the code, e.g. ``"nicht spät"``) and ``net`` (a net name or a list of them).
    multi : bool, default True
        Several codes per answer; with ``False`` only the first matching code of the
        frame.

    Returns
    -------
    DataFrame
        Aligned to ``data.index``: one 0/1 column per code (frame order), one per net
        (1 when any of its codes is 1) and ``uncoded`` (1 for an answer with text and no
        code), all ``Int8``.  Missing or blank answers are ``<NA>`` in every column, so
        means and sums run over answers with text.  ``attrs["codes"]`` and
        ``attrs["nets"]`` (net → codes) describe the columns.

    Raises
    ------
    CJMDataError
        Missing column.
    CJMConfigError
        An empty frame, unknown keys, invalid regexes, a net named like a code.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Lieferung zu spät", "zu teuer und spät", "super", None]})
    >>> frame = {"Delivery": {"keywords": ["liefer", "spät", "late"], "net": "Logistics"},
    ...          "Price": ["teuer", "preis"]}
    >>> code_answers(df, frame=frame)
       Delivery  Price  Logistics  uncoded
    0         1      0          1        0
    1         1      1          1        0
    2         0      0          0        1
    3      <NA>   <NA>       <NA>     <NA>
    """
    where = "code_answers()"
    require_frame(data, where=where)
    require_columns(data, {"text": text}, where=where)
    codes = _parse_frame(frame)
    raw = _text_column(data, text, where)
    blank = _blank(raw).to_numpy()
    filled = raw.fillna("")
    hits = np.zeros((len(data), len(codes)), dtype=bool)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
        for j, code in enumerate(codes):  # one vectorised search per code
            hit = filled.str.contains(code.pattern, regex=True).to_numpy(dtype=bool, copy=True)
            if code.exclude is not None:
                hit &= ~filled.str.contains(code.exclude, regex=True).to_numpy(dtype=bool)
            hits[:, j] = hit
    hits &= ~blank[:, None]
    if not multi:
        first = hits.argmax(axis=1)
        single = np.zeros_like(hits)
        single[np.arange(len(data)), first] = True
        hits &= single
    nets: dict[str, list[str]] = {}
    for code in codes:
        for net in code.nets:
            nets.setdefault(net, []).append(code.name)
    columns: dict[str, np.ndarray] = {c.name: hits[:, j] for j, c in enumerate(codes)}
    position = {c.name: j for j, c in enumerate(codes)}
    for net, members in nets.items():
        columns[net] = np.asarray(hits[:, [position[m] for m in members]].any(axis=1))
    columns["uncoded"] = ~hits.any(axis=1) & ~blank
    out = pd.DataFrame(
        {name: pd.array(np.where(blank, pd.NA, col.astype(np.int8)), dtype="Int8") for name, col in columns.items()},
        index=data.index,
    )
    out.attrs["codes"] = [c.name for c in codes]
    out.attrs["nets"] = nets
    return out


@validate_params({"multi": [BOOLEAN]})
def code_summary(
    data: pd.DataFrame,
    *,
    text: str = "comment",
    frame: Mapping[str, Any],
    multi: bool = True,
    weight: str | None = None,
) -> pd.DataFrame:
    """Counts and percentages per code and net; base = answers with text.

    Parameters
    ----------
    data, text, frame, multi
        As in :func:`code_answers`.
    weight : str, optional
        Positive weights; ``pct`` is then weighted and ``n_weighted``/``base_weighted``
        are added.

    Returns
    -------
    DataFrame
        One row per code (frame order), per net and for ``uncoded``: ``type``
        (``"code"``, ``"net"``, ``"uncoded"``), ``name``, ``members`` (a code's nets or a
        net's codes, ``"; "``-separated), ``n``, ``pct`` (of ``base``), ``base`` (answers
        with text) and ``n_blank`` (missing or blank answers, outside the base).  With
        several codes per answer the code percentages add up to more than 100.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Lieferung zu spät", "zu teuer und spät", "super", None]})
    >>> frame = {"Delivery": {"keywords": ["liefer", "spät"], "net": "Logistics"},
    ...          "Price": ["teuer", "preis"]}
    >>> code_summary(df, frame=frame)[["type", "name", "n", "pct", "base", "n_blank"]]
          type       name  n    pct  base  n_blank
    0     code   Delivery  2  66.67     3        1
    1     code      Price  1  33.33     3        1
    2      net  Logistics  2  66.67     3        1
    3  uncoded    uncoded  1  33.33     3        1
    """
    where = "code_summary()"
    coded = code_answers(data, text=text, frame=frame, multi=multi)
    if weight is not None:
        require_columns(data, {"weight": weight}, where=where)
    w = positive_weights(data, weight, where=where)
    has_text = coded["uncoded"].notna().to_numpy()
    values = coded.fillna(0).to_numpy(dtype=float)
    n = values[has_text].sum(axis=0)
    n_w = (values[has_text] * w[has_text, None]).sum(axis=0)
    base = int(has_text.sum())
    base_w = float(w[has_text].sum())
    codes, nets = coded.attrs["codes"], coded.attrs["nets"]
    code_nets = {c: [net for net, members in nets.items() if c in members] for c in codes}
    out = pd.DataFrame(
        {
            "type": ["code"] * len(codes) + ["net"] * len(nets) + ["uncoded"],
            "name": list(coded.columns),
            "members": ["; ".join(code_nets[c]) for c in codes] + ["; ".join(m) for m in nets.values()] + [""],
            "n": n.astype(np.int64),
            "pct": np.round(n_w / base_w * 100, 2) if base else np.full(len(n), np.nan),
            "base": base,
            "n_blank": int((~has_text).sum()),
        }
    )
    if weight is not None:
        out["n_weighted"] = n_w
        out["base_weighted"] = base_w
    return out

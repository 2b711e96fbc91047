"""Pain points on a report page: the ranked table, the log's rates and the evidence behind the top row.

Three helpers built on :func:`~cjm_lab.reports.show_table`, :func:`~cjm_lab.reports.show_text` and
:func:`~cjm_lab.reports.show_list`, so the protection, labels, escaping and files are theirs:

* :func:`show_pain_points` — the table of :func:`cjm_lab.journeys.pain_points` as a reader wants
  it: rank with its bootstrap range, the touchpoint (or team …), department, journeys, score, what
  drives it and the note; the file keeps every column;
* :func:`show_pain_summary` — the whole log's rates of :func:`cjm_lab.journeys.pain_summary` as
  sentences ("85 cases were reopened after a resolution (5.7%)"), without those about fewer
  journeys than the minimum group size;
* :func:`show_pain_evidence` — the evidence of :func:`cjm_lab.journeys.explain_pain_point`: its
  comparison, the periods that differ, where journeys go next, the partners of a ping-pong and
  the most frequent paths through it.

Every sentence follows the log's outcome (conversion, resolution, approval or none) through
:data:`cjm_lab.vocab.OUTCOME_WORDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import format_number, format_percent
from cjm_lab._params import BOOLEAN, COUNT, WHOLE_NUMBER, validate_params
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys.painpoints import PAIN_POINTS_ATTR, PainEvidence, pain_summary
from cjm_lab.reports.formats import column_label
from cjm_lab.reports.show import ShownRows, Text, Texts, current_report, show_list, show_table, show_text
from cjm_lab.untrusted import escape_label, split_path, trusted
from cjm_lab.vocab import OUTCOME_KINDS, OUTCOME_WORDS

__all__ = ["show_pain_points", "show_pain_summary", "show_pain_evidence", "SUMMARY_MEASURES"]

#: The log-wide rates :func:`show_pain_summary` says by default, in this order.
SUMMARY_MEASURES = (
    "outcome_pct",
    "drop_off_exits_pct",
    "rework_pct",
    "ping_pong_pct",
    "reopened_pct",
    "long_wait_pct",
    "changes",
)
#: The count behind a rate of the summary: a sentence about fewer journeys than the minimum is left out.
_COUNT_OF = {
    "drop_off_exits_pct": "drop_off_exits",
    "rework_pct": "rework_journeys",
    "ping_pong_pct": "ping_pong_journeys",
    "reopened_pct": "reopened_journeys",
}
_CATALOGUE_LEVELS = {"touchpoint", "stage", "department"}

_WORDS = {
    "en": {
        "hurt": "{Units} hurt per 100",
        "exit": "end here",
        "ranks": "**{t}** ranks {r} (likely {lo} to {hi}) with {s} {units} hurt per 100: {note}.",
        "next": "Where the {units} go after {t}: {steps}.",
        "periods": "Periods that differ significantly at {t}: {list}; {rest} in the other periods.",
        "period": "{p}: {v} reach {noun} ({n} {units})",
        "partners": "{t} hands {units} back and forth most with {list}.",
        "partner": "{p} ({n} {units})",
        "comparison": "Of the {n} {units} through {t}, {a} reach {noun} (95% CI {lo} to {hi}); of the {m} others, "
        "{b}{stage}.",
        "stage": "; of the {n} in the same stage that skip it, {v}",
        "paths": "The most frequent paths through {t}",
        "path": "Path",
    },
    "de": {
        "hurt": "Betroffene {Units} je 100",
        "exit": "enden hier",
        "ranks": "**{t}** steht auf Rang {r} (plausibel {lo} bis {hi}) mit einem Schmerzwert von {s} (betroffene "
        "{units} je 100): {note}.",
        "next": "Wohin die {units} nach {t} gehen: {steps}.",
        "periods": "Zeiträume, die bei {t} signifikant abweichen: {list}; {rest} in den übrigen Zeiträumen.",
        "period": "{p}: {v} erreichen {noun} ({n} {units})",
        "partners": "{t} gibt {units} am häufigsten hin und her mit {list}.",
        "partner": "{p} ({n} {units})",
        "comparison": "{a} der {n} {units} über {t} erreichen {noun} (95-%-KI {lo} bis {hi}); bei den übrigen {m}: "
        "{b}{stage}.",
        "stage": "; bei den {n} derselben Phase, die ihn auslassen: {v}",
        "paths": "Die häufigsten Pfade über {t}",
        "path": "Pfad",
    },
}


def _made(table: Any, where: str) -> dict[str, Any]:
    made = table.attrs.get(PAIN_POINTS_ATTR) if isinstance(table, pd.DataFrame) else None
    if not isinstance(made, dict):
        raise CJMConfigError(
            f"{where}: `table` must be the DataFrame returned by pain_points() (its attrs say how it was made). "
            "Fix: pass pain_points(...) itself, not a copy that lost its attrs."
        )
    return made


def _units(kind: str, language: str, *, capital: bool = False) -> str:
    units = OUTCOME_WORDS[language][kind]["units"]
    return units[0].upper() + units[1:] if capital else units


def _share(kind: str, language: str) -> str:
    """The header of an outcome share: "Share resolved", "Anteil gelöst"."""
    reached = OUTCOME_WORDS[language][kind]["reached"]
    return f"Share {reached}" if language == "en" else f"Anteil {reached}"


def _level_header(level: str, language: str, level_label: Texts | None) -> str:
    if level_label:
        text = level_label if isinstance(level_label, str) else level_label.get(language, "")
        if text:
            return str(text)[0].upper() + str(text)[1:]
    return column_label(level, language)


def _rank_interval(table: pd.DataFrame) -> pd.Series:
    """The rank and the range of the bootstrap's ranks, "4 (4–7)"; empty for rows not ranked."""
    rank = pd.to_numeric(table["rank"], errors="coerce")
    low = pd.to_numeric(table.get("rank_low", rank), errors="coerce").fillna(rank)
    high = pd.to_numeric(table.get("rank_high", rank), errors="coerce").fillna(rank)
    text = rank.map(lambda r: "" if pd.isna(r) else str(int(r)))
    both = rank.notna()
    text[both] = text[both] + " (" + low[both].astype(int).astype(str) + "–" + high[both].astype(int).astype(str) + ")"
    return text


@validate_params({"top": [WHOLE_NUMBER], "display": [BOOLEAN]})
def show_pain_points(
    table: pd.DataFrame,
    name: str,
    *,
    title: Texts | None = None,
    takeaway: Texts | Text | None = None,
    top: int = 10,
    touchpoints: Callable[[Any], str] | None = None,
    level_label: Texts | None = None,
    display: bool = True,
) -> ShownRows:
    """Show a pain-point table as a reader wants it; save it with every column.

    The page (and the table's slide) shows the rank with its bootstrap range ("4 (4–7)"), the
    level's value (touchpoint, stage, department or a column such as a team), the department
    (touchpoints), the journeys meeting it, the score ("cases hurt per 100"), what drives it (the
    components in words with their share of the score) and the note; the CSV and the workbook
    keep every column of :func:`cjm_lab.journeys.pain_points` and the added ``rank_interval``.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.journeys.pain_points` (not modified).
    name : str
        The table's name (file, sheet), as in :func:`~cjm_lab.reports.show_table`.
    title, takeaway
        As in :func:`~cjm_lab.reports.show_table`.
    top : int, default 10
        Ranked rows shown on the page; rows met by too few journeys to be ranked, or with a score
        that rounds to 0, are only in the files.
    touchpoints : callable, optional
        How touchpoint keys are shown (:func:`cjm_lab.plots.touchpoint_labeller`).
    level_label : str or {"en": ..., "de": ...}, optional
        The header of a level column of the log (``"org:group"`` → "Support group").
    display : bool, default True
        Show it on the page.

    Returns
    -------
    ShownRows
        The rows a chart or a sentence may use (:func:`~cjm_lab.reports.show_table`).

    Examples
    --------
    >>> from cjm_lab.journeys import pain_points
    >>> from cjm_lab.reports import start_report
    >>> ev = pd.DataFrame({"customer_id": list("aabbbcc"), "sequence": range(7),
    ...     "touchpoint": ["Cart", "Checkout", "Cart", "Checkout", "Buy", "Cart", "Buy"],
    ...     "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:05", "2025-01-01 10:00",
    ...         "2025-01-01 10:01", "2025-01-01 10:02", "2025-01-01 11:00", "2025-01-01 11:01"], utc=True)})
    >>> report = start_report(min_group_size=1)
    >>> shown = show_pain_points(pain_points(ev, outcome=["Buy"], min_base=1), "pain", display=False)
    >>> shown[["touchpoint", "rank_interval", "drivers"]]
      touchpoint rank_interval        drivers
    0   Checkout       1 (1–1)  drop_off 100%
    1        Buy       2 (1–2)
    2       Cart       2 (1–2)
    """
    where = f"show_pain_points({name!r})"
    made = _made(table, where)
    report = current_report(where)
    lang = report.language
    level = str(made["level"])
    data = table.assign(rank_interval=_rank_interval(table))
    kind = made["outcome_kind"] if made.get("outcome_kind") in OUTCOME_KINDS else "none"
    columns: dict[str, Texts] = {}
    if made.get("by"):
        columns[str(made["by"])] = ""
    columns["rank_interval"] = ""
    columns[level] = "" if level in _CATALOGUE_LEVELS else _level_header(level, lang, level_label)
    if level == "touchpoint" and "department" in data.columns and data["department"].notna().any():
        columns["department"] = ""
    columns["n_journeys"] = _units(kind, lang, capital=True)
    columns["pain_score"] = _WORDS[lang]["hurt"].format(Units=_units(kind, lang, capital=True))
    columns["drivers"] = ""
    columns["note"] = ""
    # the page lists the ranked rows that hurt (a score of at least 0.05 shows as 0.1); the rest are in the files
    score = pd.to_numeric(data["pain_score"], errors="coerce")
    ranked = int((data["rank"].notna() & (score >= 0.05)).sum())
    return show_table(
        data,
        name,
        title=title,
        takeaway=takeaway,
        base="n_journeys",
        columns=columns,
        touchpoints=touchpoints if level in ("touchpoint", "stage") else None,
        decimals={"pain_score": 1},
        max_rows=max(1, min(top, ranked)),
        display=display,
    )


@validate_params({"display": [BOOLEAN]})
def show_pain_summary(
    table: pd.DataFrame,
    *,
    measures: Sequence[str] = SUMMARY_MEASURES,
    level_label: Texts | None = None,
    display: bool = True,
) -> Text:
    """Say the whole log's rates behind a pain-point table as a list of sentences.

    The sentences of :func:`cjm_lab.journeys.pain_summary` in the report's language ("12.0% of the
    cases come back to the same support group after others (178 cases)", "85 cases were reopened
    after a resolution (5.7%)"); a sentence about fewer journeys than the report's minimum group
    size is left out.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`cjm_lab.journeys.pain_points`.
    measures : list of str, default :data:`SUMMARY_MEASURES`
        Which rates, in order (the ``measure`` values of :func:`~cjm_lab.journeys.pain_summary`).
    level_label : str or {"en": ..., "de": ...}, optional
        What a value of the table's level is called (``pain_summary(level_label=)``).
    display : bool, default True
        Show it on the page.

    Returns
    -------
    Text
        The Markdown list shown (each sentence escaped), with its plain text.

    Examples
    --------
    >>> from cjm_lab.journeys import pain_points
    >>> from cjm_lab.reports import start_report
    >>> ev = pd.DataFrame({"customer_id": [*"aaabbb"], "touchpoint": ["Open", "Fix", "Fix"] * 2, "sequence": range(6),
    ...                    "timestamp": pd.date_range("2025-01-01", periods=6, freq="h", tz="UTC")})
    >>> report = start_report(min_group_size=1)
    >>> pp = pain_points(ev, outcome=["Fix"], outcome_kind="resolution", min_base=1, n_boot=0)
    >>> print(show_pain_summary(pp, measures=["outcome_pct"], display=False))
    - 100% of the cases reach a resolution
    """
    where = "show_pain_summary()"
    made = _made(table, where)
    report = current_report(where)
    unknown = [m for m in measures if m not in SUMMARY_MEASURES and m not in ("journeys", "value_per_outcome")]
    if isinstance(measures, str) or unknown:
        raise CJMConfigError(
            f"{where}: `measures` must be a list of {', '.join(SUMMARY_MEASURES)}, journeys, value_per_outcome; "
            f"got {measures!r}."
        )
    rates = pain_summary(table, language=report.language, level_label=level_label)
    k = report.min_group_size
    texts = []
    for measure in measures:
        for row in rates[rates["measure"] == measure].itertuples(index=False):
            log = made["log"].get(row.segment, {})
            count = log.get(_COUNT_OF.get(measure, ""), None)
            if count is not None and 0 < count < k:
                continue  # a handful of journeys: too few to describe (data protection)
            if measure == "drop_off_exits_pct" and count == 0:
                continue  # every journey reaches the outcome: the outcome's sentence says so
            prefix = f"{row.segment}: " if made.get("by") and row.segment != "all" else ""
            texts.append(prefix + str(row.text))
    return show_list(texts, display=display)


def _outcome_of(row: pd.Series) -> str:
    """The outcome kind of an evidence row, from its outcome columns."""
    for kind in OUTCOME_KINDS:
        if f"{OUTCOME_WORDS['en'][kind]['column']}_rate_met" in row.index:
            return kind
    return "none"


@validate_params({"top_paths": [COUNT], "top_next": [COUNT]})
def show_pain_evidence(
    evidence: PainEvidence,
    *,
    name: str = "pain_evidence",
    touchpoints: Callable[[Any], str] | None = None,
    top_paths: int = 5,
    top_next: int = 4,
) -> Text:
    """Show the evidence behind one pain point: why it ranks, the comparison, periods, next steps, paths.

    On the page: a sentence with its rank, range, score and note; the comparison of the journeys
    through it with those not through it (and those of its stage skipping it) with the Wilson
    interval, as a sentence; the periods whose outcome share differs significantly; where
    the journeys go next; the partners it hands journeys back and forth with; the most frequent
    paths through it with their outcome shares (``<name>_paths``). Steps, partners, periods and
    paths of fewer journeys than the minimum group size are left out, and so is a comparison whose
    groups all reach the outcome alike.

    Parameters
    ----------
    evidence : PainEvidence
        The result of :func:`cjm_lab.journeys.explain_pain_point`.
    name : str, default "pain_evidence"
        The name of its paths table (``<name>_paths``).
    touchpoints : callable, optional
        How touchpoint keys are shown (:func:`cjm_lab.plots.touchpoint_labeller`); not for a
        level such as a team.
    top_paths, top_next : int, default 5 and 4
        How many paths and next steps to show (0: none; e.g. for a team, whose consecutive events
        repeat it).

    Returns
    -------
    Text
        The first sentence (for a slide's takeaway).
    """
    where = "show_pain_evidence()"
    if not isinstance(evidence, PainEvidence):
        raise CJMConfigError(f"{where}: `evidence` must be what explain_pain_point() returns, got {evidence!r}.")
    report = current_report(where)
    lang, k = report.language, report.min_group_size
    words, row = _WORDS[lang], evidence.row
    kind = _outcome_of(row)
    ow = OUTCOME_WORDS[lang][kind]
    units = ow["units"]
    node = row.iloc[0]
    label = touchpoints or str

    def name_of(raw: Any) -> str:  # a name from a path or a partner: "(exit)" named so is no end of a journey
        return label(escape_label(raw)) if touchpoints else str(raw)

    tp = label(node)
    pct = lambda v: format_percent(v, 0, lang)  # noqa: E731
    first = show_text(
        words["ranks"],
        t=tp,
        r=_int(row.get("rank")),
        lo=_int(row.get("rank_low", row.get("rank"))),
        hi=_int(row.get("rank_high", row.get("rank"))),
        s=trusted(format_number(row.get("pain_score"), 1, lang)),
        units=units,
        note=row.get("note") or "",
    )
    # the comparison: journeys through it vs. the rest (and the rest of its stage), groups of k or more
    comp = evidence.comparison.set_index("group") if len(evidence.comparison) else None
    if (
        comp is not None
        and kind != "none"
        and "met" in comp.index
        and comp["journeys"].min() >= k
        and comp["rate_pct"].round().nunique() > 1  # all alike (a log where every case is resolved): nothing to see
    ):
        met = comp.loc["met"]
        stage = ""
        if "stage, not met" in comp.index:
            st = comp.loc["stage, not met"]
            stage = words["stage"].format(n=format_number(st["journeys"], 0, lang), v=pct(st["rate_pct"]))
        show_text(
            words["comparison"],
            n=trusted(format_number(met["journeys"], 0, lang)),
            units=units,
            t=tp,
            a=trusted(pct(met["rate_pct"])),
            noun=ow["noun_a"],
            lo=trusted(_bound(met["ci_low"], met["ci_high"], lang)[0]),
            hi=trusted(_bound(met["ci_low"], met["ci_high"], lang)[1]),
            m=trusted(format_number(comp.loc["not met", "journeys"], 0, lang)),
            b=trusted(pct(comp.loc["not met", "rate_pct"])),
            stage=trusted(stage),
        )
    # the periods whose outcome share differs significantly from the others
    per = evidence.periods
    if len(per) and per["significant"].fillna(False).astype(bool).any():
        sig = per[per["significant"].fillna(False).astype(bool) & (per["journeys"] >= k)]
        rest = per[~per["significant"].fillna(False).astype(bool)]
        if len(sig) and rest["journeys"].sum() > 0:
            rest_rate = float(np.average(rest["outcome_pct"].fillna(0), weights=rest["journeys"]))
            items = [
                words["period"].format(p=p, v=pct(v), noun=ow["noun_a"], n=format_number(n, 0, lang), units=units)
                for p, v, n in zip(sig["period"], sig["outcome_pct"], sig["journeys"])
            ]
            show_text(words["periods"], t=tp, list="; ".join(items), rest=trusted(pct(rest_rate)))
    # where the journeys go next
    nxt = evidence.next_steps
    nxt = nxt[(nxt["n"] >= k) & (nxt["pct"] >= 0.5)].head(top_next)  # head(0): none; "0 %" says nothing
    if len(nxt):
        steps = ", ".join(
            f"{words['exit'] if s == '(exit)' else label(s)} {pct(v)}" for s, v in zip(nxt["next"], nxt["pct"])
        )
        show_text(words["next"], t=tp, units=units, steps=steps)
    # ping-pong partners
    partners = evidence.partners
    partners = partners[partners["n_journeys"] >= k].head(3)
    if len(partners) and pd.notna(row.get("ping_pong_pct")) and float(row.get("ping_pong_pct") or 0) > 0:
        items = [
            words["partner"].format(p=name_of(p), n=format_number(n, 0, lang), units=units)
            for p, n in zip(partners["partner"], partners["n_journeys"])
        ]
        show_text(words["partners"], t=tp, units=units, list=", ".join(items))
    # the most frequent paths through it
    paths = evidence.paths
    paths = paths[paths["n_journeys"] >= k].head(top_paths)  # a path of a handful of journeys says little
    if top_paths and len(paths) > 1:
        readable = split_path(paths["path"]).map(lambda names: " → ".join(name_of(n) for n in names))
        table = pd.DataFrame(
            {"path": readable, "n_journeys": paths["n_journeys"].to_numpy(), "outcome_pct": paths["outcome_pct"]}
        )
        cols: dict[str, Texts] = {"path": words["path"], "n_journeys": _units(kind, lang, capital=True)}
        if kind != "none":
            cols["outcome_pct"] = _share(kind, lang)
        show_table(
            table,
            f"{name}_paths",
            title=words["paths"].format(t=tp),
            base="n_journeys",
            by="path",
            columns=cols,
            caption=True,
        )
    return first


def _bound(low: float, high: float, language: str) -> tuple[str, str]:
    """An interval's bounds as percentages, with a decimal where whole numbers would print the same."""
    d = 0 if round(low) != round(high) else 1
    return format_percent(low, d, language), format_percent(high, d, language)


def _int(value: Any) -> str:
    try:
        return "–" if value is None or pd.isna(value) else str(int(value))
    except (TypeError, ValueError):
        return "–"

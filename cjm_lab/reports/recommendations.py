"""Top recommendations in words, generated from the results of a report.

A management summary ends with what to do.  :func:`recommendations` turns the ranked
pain points (:func:`cjm_lab.journeys.pain_points`), the segments whose NPS lies
significantly below the rest (:func:`cjm_lab.survey.nps_vs_rest`) and the drivers to
"fix first" (:func:`cjm_lab.survey.importance_performance`) into short sentences in
English or German, each naming the department that owns the action and the evidence
behind it.  Nothing is invented: every sentence restates a number of the results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from cjm_lab._format import check_language, format_number, format_percent
from cjm_lab._params import COUNT, LANGUAGE, validate_params
from cjm_lab.errors import CJMConfigError

__all__ = ["recommendations", "ACTIONS"]

#: What to do about each pain-point component (``main_issue``), per language.
ACTIONS: dict[str, dict[str, str]] = {
    "en": {
        "drop_off": "Find out why customers leave at {t} and remove the obstacle",
        "lift": "Find out why journeys through {t} end well less often and fix what goes wrong there",
        "rework": "Get {t} right the first time",
        "ping_pong": "Stop handing cases on from {t} that come straight back: route them right the first time",
        "reopen": "Make the resolutions at {t} hold: find out why cases are reopened",
        "change": "Find out what changed at {t} in the period named and undo it",
        "repeat_contact": "Fix what makes customers call customer service again after {t}",
        "long_wait": "Shorten the wait after {t}",
        "late": "Keep the promised time at {t}",
        "detractor": "Make {t} a better moment of truth",
    },
    "de": {
        "drop_off": "Herausfinden, warum Kunden bei {t} abspringen, und das Hindernis beseitigen",
        "lift": "Herausfinden, warum Journeys über {t} seltener gut enden, und beheben, was dort schiefgeht",
        "rework": "{t} gleich beim ersten Mal richtig erledigen",
        "ping_pong": "Fälle nicht mehr von {t} weitergeben, die gleich zurückkommen: beim ersten Mal richtig zuordnen",
        "reopen": "Lösungen bei {t} dauerhaft machen: herausfinden, warum Fälle wieder geöffnet werden",
        "change": "Herausfinden, was sich bei {t} im genannten Zeitraum geändert hat, und es rückgängig machen",
        "repeat_contact": "Beheben, was Kunden nach {t} wiederholt beim Kundenservice anrufen lässt",
        "long_wait": "Die Wartezeit nach {t} verkürzen",
        "late": "Die zugesagte Zeit bei {t} einhalten",
        "detractor": "{t} zu einem besseren Moment der Wahrheit machen",
    },
}

_WORDS = {
    "en": {
        "owner": "owner: {d}",
        "segment": "Look after {s}: their NPS is {diff} points below the rest ({a} vs. {b})",
        "driver": "Improve {x}: it matters for the recommendation but is rated below average "
        "({share} of the explained variance, mean rating {perf})",
        "pain": "pain point",
        "nps": "NPS gap",
        "drivers": "key driver",
    },
    "de": {
        "owner": "verantwortlich: {d}",
        "segment": "Um {s} kümmern: ihr NPS liegt {diff} Punkte unter dem Rest ({a} vs. {b})",
        "driver": "{x} verbessern: wichtig für die Weiterempfehlung, aber unterdurchschnittlich bewertet "
        "({share} der erklärten Varianz, mittlere Bewertung {perf})",
        "pain": "Schmerzpunkt",
        "nps": "NPS-Lücke",
        "drivers": "Treiber",
    },
}


def _sentence(head: str, detail: str, owner: str) -> str:
    detail = detail.strip()
    return f"{head}{' — ' + detail if detail else ''}" + (f" ({owner})." if owner else ".")


@validate_params({"top": [COUNT], "max_segments": [COUNT], "max_drivers": [COUNT], "language": [LANGUAGE]})
def recommendations(
    pain_points: pd.DataFrame | None = None,
    *,
    nps_segments: pd.DataFrame | None = None,
    drivers: pd.DataFrame | None = None,
    top: int = 3,
    max_segments: int = 2,
    max_drivers: int = 1,
    touchpoint_label: Callable[[Any], str] | None = None,
    department_label: Callable[[Any], str] | None = None,
    driver_label: Callable[[Any], str] | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """The top recommendations of a report as sentences, ranked by the customers they concern.

    Parameters
    ----------
    pain_points : DataFrame, optional
        The table of :func:`cjm_lab.journeys.pain_points` (touchpoint level, without
        ``by``).  Its ``top`` ranked rows with a ``main_issue`` become one action each,
        addressed to their department, with the table's ``note`` as evidence.
    nps_segments : DataFrame, optional
        The table of :func:`cjm_lab.survey.nps_vs_rest`: up to ``max_segments`` segments
        whose NPS is significantly *below* the rest, the largest gap first.
    drivers : DataFrame, optional
        The table of :func:`cjm_lab.survey.importance_performance`: up to ``max_drivers``
        drivers in the "fix first" quadrant, the most important first.
    top : int, default 3
        Pain points to turn into actions.
    max_segments, max_drivers : int, default 2 and 1
        Further sentences from the NPS gaps and the key drivers.
    touchpoint_label, department_label, driver_label : callable, optional
        Turn keys into display names (e.g. :func:`cjm_lab.plots.touchpoint_labeller`,
        :func:`cjm_lab.plots.theme.department_label` with the language bound).
    language : {"en", "de"}
        Language of the sentences.

    Returns
    -------
    DataFrame
        One row per recommendation, in priority order: ``priority`` (1 = first),
        ``source`` (``"pain_point"``, ``"nps_gap"``, ``"driver"``), ``subject``
        (touchpoint, segment or driver key), ``department`` (owner; empty when unknown),
        ``issue`` (pain-point component, ``"nps_gap"`` or the quadrant), ``evidence`` (the
        number behind it in words) and ``text`` (the full sentence).

    Raises
    ------
    CJMConfigError
        An unknown language, a negative ``top``, or a table without the columns its
        function returns.

    Examples
    --------
    >>> pp = pd.DataFrame({"touchpoint": ["Delivery", "Checkout", "Website"],
    ...                    "department": ["logistics", "sales", "marketing"],
    ...                    "rank": [1, 2, 3], "main_issue": ["late", "drop_off", ""],
    ...                    "note": ["11% happen later than promised",
    ...                             "42% of the customers who meet it leave without ever buying (log: 9%)", ""]})
    >>> gaps = pd.DataFrame({"segment": ["Price hunters", "Families"], "nps": [-3.4, 30.0],
    ...                      "nps_rest": [31.0, 20.0], "difference": [-34.4, 10.0], "significant": [True, True]})
    >>> rec = recommendations(pp, nps_segments=gaps)
    >>> for line in rec["text"]:
    ...     print(line)
    Keep the promised time at Delivery — 11% happen later than promised (owner: logistics).
    Find out why customers leave at Checkout and remove the obstacle — 42% of the customers who meet it leave
    without ever buying (log: 9%) (owner: sales).
    Look after Price hunters: their NPS is 34 points below the rest (−3 vs. 31).
    >>> recommendations(pp, top=1, language="de")["text"].iloc[0]
    'Die zugesagte Zeit bei Delivery einhalten — 11% happen later than promised (verantwortlich: logistics).'
    """
    check_language(language)
    words, actions = _WORDS[language], ACTIONS[language]
    tp_label = touchpoint_label or str
    dep_label = department_label or str
    drv_label = driver_label or str
    rows: list[dict[str, Any]] = []

    if pain_points is not None and top:
        _require(pain_points, ["touchpoint", "rank", "main_issue", "note"], "pain_points", "pain_points()")
        ranked = pain_points[pain_points["rank"].notna() & pain_points["main_issue"].astype(str).isin(actions)]
        ranked = ranked.sort_values("rank", kind="stable").head(top)
        for row in ranked.to_dict("records"):
            dept = row.get("department")
            dept = "" if dept is None or pd.isna(dept) or str(dept) == "" else str(dept)
            owner = words["owner"].format(d=dep_label(dept)) if dept else ""
            head = actions[row["main_issue"]].format(t=tp_label(row["touchpoint"]))
            head = head[0].upper() + head[1:]
            rows.append(
                {
                    "source": "pain_point",
                    "subject": str(row["touchpoint"]),
                    "department": dept,
                    "issue": row["main_issue"],
                    "evidence": str(row["note"]),
                    "text": _sentence(head, str(row["note"]), owner),
                }
            )

    if nps_segments is not None and max_segments:
        _require(
            nps_segments, ["segment", "nps", "nps_rest", "difference", "significant"], "nps_segments", "nps_vs_rest()"
        )
        low = nps_segments[nps_segments["significant"].fillna(False).astype(bool) & (nps_segments["difference"] < 0)]
        for row in low.sort_values("difference", kind="stable").head(max_segments).to_dict("records"):
            evidence = words["segment"].format(
                s=row["segment"],
                diff=format_number(abs(row["difference"]), 0, language),
                a=format_number(row["nps"], 0, language),
                b=format_number(row["nps_rest"], 0, language),
            )
            rows.append(
                {
                    "source": "nps_gap",
                    "subject": str(row["segment"]),
                    "department": "",
                    "issue": "nps_gap",
                    "evidence": evidence,
                    "text": evidence + ".",
                }
            )

    if drivers is not None and max_drivers:
        _require(drivers, ["driver", "importance", "performance", "quadrant"], "drivers", "importance_performance()")
        fix = drivers[drivers["quadrant"] == "fix_first"].sort_values("importance", ascending=False, kind="stable")
        for row in fix.head(max_drivers).to_dict("records"):
            evidence = words["driver"].format(
                x=drv_label(row["driver"]),
                share=format_percent(row["importance"], 0, language),
                perf=format_number(row["performance"], 1, language),
            )
            rows.append(
                {
                    "source": "driver",
                    "subject": str(row["driver"]),
                    "department": "",
                    "issue": "fix_first",
                    "evidence": evidence,
                    "text": evidence + ".",
                }
            )

    out = pd.DataFrame(rows, columns=["source", "subject", "department", "issue", "evidence", "text"])
    out.insert(0, "priority", range(1, len(out) + 1))
    return out


def _require(table: Any, columns: list[str], arg: str, producer: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise CJMConfigError(f"`{arg}` must be the DataFrame returned by {producer}, got {type(table).__name__}.")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise CJMConfigError(
            f"`{arg}` lacks the column(s) {', '.join(map(repr, missing))}; pass the table {producer} returns."
        )

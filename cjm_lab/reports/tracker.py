"""Runs over time: the headline of a run, its change since the previous run, and the index page.

A report is run again and again (every month, every wave).  Two runs are **comparable**
when they are the same report with the same label and the same parameters apart from
the data files (a new month's survey file is the point of a rerun); the **previous run**
of a run is the latest earlier comparable one.

:func:`headline` turns a run's key results (``results.json``: ``nps_total``,
``nps_se``, ``top_pain_point``, ``funnel_conversion_pct`` …) into the numbers of the
headline box of the page, the key-numbers slide and the index, each with its change
since the previous run.  An NPS change is marked significant when
``|ΔNPS| / sqrt(se₁² + se₂²) > 1.96`` (two independent samples, 95 %); other changes are
shown without a test.

:func:`index_page` is ``index.html``: per report its latest runs with the headline
numbers and their changes (significant ones marked ▲/▼), a filter by report, and links to
each run's page, deck, workbook, PDF and folder.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cjm_lab._format import check_language, format_number, format_percent
from cjm_lab._params import LANGUAGE, validate_params

__all__ = ["comparable_key", "previous_run", "headline", "read_runs", "index_page"]

_Z95 = 1.959963984540054
_WORDS = {
    "en": {
        "nps": "NPS",
        "pain": "Top pain point",
        "conversion": "Through the funnel",
        "personas": "Personas",
        "journeys": "Journeys",
        "responses": "Responses",
        "vs": "{change} vs. previous run ({date})",
        "first": "first run of these settings",
        "same": "unchanged since the previous run",
        "was": "was {before} in the previous run",
        "n": "n = {n}",
        "not_sig": "not significant",
        "sig": "significant",
    },
    "de": {
        "nps": "NPS",
        "pain": "Größter Schmerzpunkt",
        "conversion": "Durch den Trichter",
        "personas": "Personas",
        "journeys": "Kundenreisen",
        "responses": "Antworten",
        "vs": "{change} ggü. vorigem Lauf ({date})",
        "first": "erster Lauf mit diesen Einstellungen",
        "same": "unverändert seit dem vorigen Lauf",
        "was": "im vorigen Lauf: {before}",
        "n": "n = {n}",
        "not_sig": "nicht signifikant",
        "sig": "signifikant",
    },
}


def comparable_key(record: Mapping[str, Any]) -> str:
    """What makes two runs comparable: report, label and the parameters other than data files.

    Examples
    --------
    >>> a = {"report": "survey_nps", "parameters_effective": {"survey_path": "m1.csv", "segment": "wave"},
    ...      "data_files_sha256": {"m1.csv": "ab"}}
    >>> b = {"report": "survey_nps", "parameters_effective": {"survey_path": "m2.csv", "segment": "wave"},
    ...      "data_files_sha256": {"m2.csv": "cd"}}
    >>> comparable_key(a) == comparable_key(b)
    True
    """
    params = dict(record.get("parameters_effective") or record.get("parameters") or {})
    files = set((record.get("data_files_sha256") or {}).keys())
    kept = {
        k: v
        for k, v in params.items()
        if k != "output_dir" and not (isinstance(v, str) and (v in files or k.endswith(("_path", "_file"))))
    }
    return json.dumps([record.get("report"), record.get("label") or "", kept], sort_keys=True, default=str)


@validate_params({})
def previous_run(runs: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The latest run before ``record`` (by start time) that is comparable to it, or None."""
    key = comparable_key(record)
    started = str(record.get("started", ""))
    earlier = [
        r
        for r in runs
        if str(r.get("started", "")) < started
        and r.get("outcome", "success") == "success"
        and comparable_key(r) == key
        and r.get("folder") != record.get("folder")
    ]
    return max(earlier, key=lambda r: (str(r.get("started", "")), str(r.get("folder", ""))), default=None)


def _num(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


@validate_params({"language": [LANGUAGE]})
def headline(
    results: Mapping[str, Any] | None,
    previous: Mapping[str, Any] | None = None,
    *,
    language: str = "en",
    previous_date: str | None = None,
) -> list[dict[str, Any]]:
    """The key numbers of a run with their change since the previous run.

    Parameters
    ----------
    results : dict
        The run's ``results`` (what the report saved with ``save_results``).
    previous : dict, optional
        The previous comparable run's ``results``.
    language : {"en", "de"}
    previous_date : str, optional
        When the previous run started (quoted in the detail line).

    Returns
    -------
    list of dict
        ``key``, ``label``, ``value`` (text), ``number``, ``change``, ``significant``
        (True/False, None without a test), ``detail`` (text) and ``direction`` (``"up"`` or
        ``"down"`` for a significant change, else None); at most four, NPS first.

    Examples
    --------
    >>> now = {"nps_total": 24.0, "nps_se": 1.5, "nps_n": 2600, "top_pain_point": "Invoice"}
    >>> before = {"nps_total": 19.0, "nps_se": 1.6, "top_pain_point": "Invoice"}
    >>> h = headline(now, before, previous_date="2026-11-05")
    >>> [(x["label"], x["value"], x["significant"], x["direction"]) for x in h]
    [('NPS', '+24.0', True, 'up'), ('Top pain point', 'Invoice', None, None)]
    >>> h[0]["detail"]
    'n = 2,600 · +5.0 vs. previous run (2026-11-05), significant'
    """
    lang = check_language(language)
    w = _WORDS[lang]
    res, prev = dict(results or {}), dict(previous or {})
    out: list[dict[str, Any]] = []
    when = (previous_date or "")[:10]

    def versus(change: str) -> str:
        return w["vs"].format(change=change, date=when).replace(" ()", "")

    def change_text(delta: float, decimals: int, percent: bool = False) -> str:
        text = format_number(delta, decimals, lang, sign=True, signed_zero=True)
        return text + (" pp" if percent and lang == "en" else (" Pp." if percent else ""))

    nps = _num(res.get("nps_total"))
    if nps is not None:
        item: dict[str, Any] = {
            "key": "nps",
            "label": w["nps"],
            "number": nps,
            "value": format_number(nps, 1, lang, sign=True),
            "change": None,
            "significant": None,
            "direction": None,
        }
        parts = []
        if _num(res.get("nps_n")) is not None:
            parts.append(w["n"].format(n=format_number(res["nps_n"], 0, lang)))
        before = _num(prev.get("nps_total"))
        if previous is not None and before is not None:
            delta = nps - before
            item["change"] = delta
            se1, se2 = _num(res.get("nps_se")), _num(prev.get("nps_se"))
            text = versus(change_text(delta, 1))
            if se1 is not None and se2 is not None and (se1 > 0 or se2 > 0):
                sig = abs(delta) / math.sqrt(se1**2 + se2**2) > _Z95
                item["significant"] = bool(sig)
                text += ", " + (w["sig"] if sig else w["not_sig"])
                if sig:
                    item["direction"] = "up" if delta > 0 else "down"
            parts.append(text)
        elif previous is None:
            parts.append(w["first"])
        item["detail"] = " · ".join(parts)
        out.append(item)
    pain = res.get("top_pain_point")
    if pain is None and res.get("top_pain_points"):
        pain = next(iter(res["top_pain_points"]))
    if pain:
        before = prev.get("top_pain_point") or (list(prev.get("top_pain_points") or []) or [None])[0]
        detail = None
        if previous is not None and before:
            detail = w["same"] if before == pain else w["was"].format(before=before)
        out.append(
            {
                "key": "pain",
                "label": w["pain"],
                "value": str(pain),
                "number": None,
                "change": None,
                "significant": None,
                "direction": None,
                "detail": detail,
            }
        )
    for key, label, decimals, percent in (
        ("funnel_conversion_pct", "conversion", 1, True),
        ("n_personas", "personas", 0, False),
        ("n_journeys", "journeys", 0, False),
        ("nps_n", "responses", 0, False),
    ):
        value = _num(res.get(key))
        if value is None or len(out) >= 4 or (key == "nps_n" and nps is not None):
            continue
        before = _num(prev.get(key))
        item = {
            "key": key,
            "label": w[label],
            "number": value,
            "change": None,
            "significant": None,
            "direction": None,
            "value": format_percent(value, decimals, lang) if percent else format_number(value, decimals, lang),
        }
        if previous is not None and before is not None:
            item["change"] = value - before
            item["detail"] = versus(change_text(value - before, decimals, percent))
        out.append(item)
    return out[:4]


def read_runs(out: str | os.PathLike) -> list[dict[str, Any]]:
    """The run records (``run.json``) of every run folder under ``out``, newest first (``folder`` added)."""
    out_dir = Path(out)
    runs = []
    for record in out_dir.glob("*/run.json"):
        if record.parent.name.startswith((".", "_")):
            continue
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        data["folder"] = record.parent.name
        runs.append(data)
    return sorted(runs, key=lambda r: (str(r.get("started", "")), r["folder"]), reverse=True)


_INDEX_CSS = """
body{font-family:"Segoe UI","Helvetica Neue",Arial,"Liberation Sans",sans-serif;margin:0;color:#1f1f1f}
main{max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.8rem;margin:.2rem 0}
h2{font-size:1.3rem;margin:2rem 0 .4rem;border-top:2px solid #004488;padding-top:.5rem}
.filter{margin:1rem 0;font-size:.95rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;font-variant-numeric:tabular-nums}
th{text-align:left;border-bottom:2px solid #1f1f1f;padding:.35rem .5rem;vertical-align:bottom}
td{border-bottom:1px solid #ddd;padding:.35rem .5rem;vertical-align:top}
.kpi{white-space:nowrap}.kpi .v{font-weight:700}.chg{color:#555}.up{color:#117733;font-weight:700}
.down{color:#BB5566;font-weight:700}.params{color:#555;max-width:22rem}.muted{color:#555}
a{color:#004488}
"""
_FILTER_JS = (
    "document.getElementById('report-filter').addEventListener('change',function(e){"
    "var v=e.target.value;document.querySelectorAll('section.report').forEach(function(s){"
    "s.hidden=!(v===''||s.dataset.report===v);});});"
)


def _links(run: Mapping[str, Any], out_dir: Path) -> str:
    folder = str(run["folder"])
    parts = []
    for file, label in (
        ("report.html", "page"),
        ("report.pptx", "deck"),
        ("tables.xlsx", "workbook"),
        ("report.pdf", "PDF"),
    ):
        if (out_dir / folder / file).is_file():
            parts.append(f'<a href="{html.escape(folder)}/{file}">{label}</a>')
    parts.append(f'<a href="{html.escape(folder)}/">folder</a>')
    return " · ".join(parts)


def _kpis(run: Mapping[str, Any], previous: Mapping[str, Any] | None) -> str:
    items = headline(
        run.get("results"),
        previous.get("results") if previous else None,
        language=run.get("language") if run.get("language") in ("en", "de") else "en",  # type: ignore[arg-type]
        previous_date=str(previous.get("started", "")) if previous else None,
    )
    cells = []
    for item in items:
        change = ""
        if item["change"] is not None:
            arrow = {"up": "▲", "down": "▼"}.get(item["direction"] or "", "")
            cls = item["direction"] or "chg"
            decimals = 0 if item["key"] in ("n_personas", "n_journeys") else 1
            change = (
                f' <span class="{cls}" title="{html.escape(item.get("detail") or "")}">'
                f"{arrow}{html.escape(format_number(item['change'], decimals, 'en', sign=True, signed_zero=True))}"
                "</span>"
            )
        cells.append(
            f'<div class="kpi">{html.escape(item["label"])}: <span class="v">{html.escape(item["value"])}'
            f"</span>{change}</div>"
        )
    return "".join(cells) or '<span class="muted">–</span>'


def index_page(out: str | os.PathLike, *, last: int = 10) -> str:
    """The HTML of ``index.html``: per report its last ``last`` runs with headline numbers and changes.

    Built from the run folders each time (no run is lost, no state is kept elsewhere);
    :func:`cjm_lab.reports.rebuild_index` writes it.
    """
    out_dir = Path(out).resolve()
    runs = read_runs(out_dir)
    reports = sorted({str(r.get("report", "")) for r in runs})
    sections = []
    for report in reports:
        mine = [r for r in runs if str(r.get("report", "")) == report]
        rows = []
        for run in mine[:last]:
            prev = previous_run(runs, run)
            params = ", ".join(f"{k}={v}" for k, v in (run.get("parameters") or {}).items()) or "defaults"
            rows.append(
                "<tr>"
                f"<td>{html.escape(str(run.get('started', ''))[:16].replace('T', ' '))}</td>"
                f"<td>{html.escape(str(run.get('label') or ''))}</td>"
                f"<td>{_kpis(run, prev)}</td>"
                f'<td class="params">{html.escape(params)}</td>'
                f"<td>{html.escape(str(run.get('duration_s', '')))} s</td>"
                f"<td>{_links(run, out_dir)}</td>"
                "</tr>"
            )
        more = f'<p class="muted">{len(mine) - last} older run(s) in the folder.</p>' if len(mine) > last else ""
        sections.append(
            f'<section class="report" data-report="{html.escape(report)}" id="report-{html.escape(report)}">'
            f'<h2>{html.escape(report)}</h2><p class="muted">{len(mine)} run(s)</p><table><thead><tr>'
            "<th>Started</th><th>Label</th><th>Headline (change since the previous comparable run)</th>"
            "<th>Parameters</th><th>Duration</th><th>Deliverables</th></tr></thead><tbody>"
            + "".join(rows)
            + f"</tbody></table>{more}</section>"
        )
    options = "".join(f'<option value="{html.escape(r)}">{html.escape(r)}</option>' for r in reports)
    from cjm_lab.reports.csp import add_content_security_policy

    return add_content_security_policy(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>cjm-lab reports</title>'
        f"<style>{_INDEX_CSS}</style></head><body><main><h1>cjm-lab reports</h1>"
        f'<p class="muted">{len(runs)} run(s) of {len(reports)} report(s). A change is marked ▲/▼ when it is '
        "significant (95%); runs are comparable when report, label and parameters other than the data files "
        "are the same.</p>"
        '<p class="filter"><label for="report-filter">Report: </label><select id="report-filter">'
        f'<option value="">all</option>{options}</select></p>'
        + "".join(sections)
        + f"</main><script>{_FILTER_JS}</script></body></html>",
        [_FILTER_JS],
    )

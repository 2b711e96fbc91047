"""Pain points on a report page, outside a kernel: the curated table, the log's rates as sentences and the
evidence of the top row, in the words of a resolution log (cases, resolutions — never "buying"), in English
and German, with small groups left out and data text escaped."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys import explain_pain_point, pain_points
from cjm_lab.reports import show as show_module
from cjm_lab.reports import show_pain_evidence, show_pain_points, show_pain_summary, start_report

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def tickets() -> pd.DataFrame:
    """Twelve tickets: four bounce Desk → Lab → Desk (ping-pong of the teams), two are reopened after Closed
    (and fixed in the lab: a bounce too)."""
    cases = (
        [["Open", "Triage", "Fix", "Triage", "Closed"]] * 4  # Desk, Lab, Desk: handed on and straight back
        + [["Open", "Triage", "Closed", "Fix", "Closed"]] * 2  # reopened after the resolution
        + [["Open", "Triage", "Closed"]] * 6
    )
    team = {"Open": "Desk", "Triage": "Desk", "Fix": "Lab", "Closed": "Desk"}
    rows = []
    for i, steps in enumerate(cases):
        for j, step in enumerate(steps):
            rows.append(
                {
                    "customer_id": f"T{i:02d}",
                    "timestamp": pd.Timestamp("2025-03-03", tz="UTC") + pd.Timedelta(hours=24 * i + j),
                    "touchpoint": HOSTILE if step == "Fix" else step,
                    "team": team[step],
                }
            )
    ev = pd.DataFrame(rows)
    ev["sequence"] = range(len(ev))
    return ev


OPTIONS = {"outcome": ["Closed"], "outcome_kind": "resolution", "min_base": 1, "n_boot": 50}


@pytest.fixture
def page(monkeypatch):
    shown = []
    monkeypatch.setattr(show_module, "_display", shown.append)
    return shown


def _text(shown) -> str:
    """The page's text, Markdown's escapes of punctuation (``\\(``) read as the characters."""
    text = "\n".join(getattr(o, "html", None) or getattr(o, "data", None) or str(o) for o in shown)
    return text.replace("\\", "")


def test_the_table_shows_the_curated_columns_in_the_log_s_words(tickets, page, tmp_path):
    start_report(output_dir=tmp_path, language="de", min_group_size=1)
    pp = pain_points(tickets, language="de", **OPTIONS)
    rows = show_pain_points(pp, "pain_points", title={"en": "Pain points", "de": "Schmerzpunkte"}, top=3)
    html = page[0].html
    headers = [
        "Rang (95-%-Bereich)",
        "Kontaktpunkt",
        "Fälle",
        "Betroffene Fälle je 100",
        "Was ihn treibt",
        "Was schmerzt",
    ]
    assert "".join(f"<th>{h}</th>" for h in headers) in html  # in this order, nothing else
    assert "excess_" not in html and "rank_low" not in html and "Abschluss" not in html
    top = pp.iloc[0]
    interval = f"{top['rank']} ({top['rank_low']}–{top['rank_high']})"
    assert f'<td class="text">{interval}</td>' in html
    # the drivers in words ("rework 100%" -> "Nacharbeit 100 %"), the hostile touchpoint escaped
    assert "Nacharbeit" in html or "Ping-Pong" in html or "wieder geöffnet" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert rows["rank_interval"].iloc[0] == interval
    # the file keeps every column of the analysis and the interval
    saved = pd.read_csv(tmp_path / "pain_points.csv")
    assert {"excess_customers", "excess_reopen", "rank_low", "rank_high", "rank_interval", "drivers"} <= set(saved)


def test_the_log_s_rates_as_sentences_and_small_counts_left_out(tickets, page):
    pp = pain_points(tickets, **OPTIONS)
    start_report(language="en", min_group_size=1)
    text = show_pain_summary(pp).plain
    assert "- 100% of the cases reach a resolution" in text
    assert "- 2 cases were reopened after a resolution (16.7%)" in text  # 2 of 12, by hand
    assert "end without ever reaching" not in text  # none does: the sentence would say nothing
    start_report(language="en", min_group_size=3)
    assert "reopened" not in show_pain_summary(pp).plain  # 2 cases: fewer than the minimum group size
    teams = pain_points(tickets, level="team", **OPTIONS)
    start_report(language="de", min_group_size=1)
    de = show_pain_summary(teams, measures=["ping_pong_pct"], level_label={"en": "team", "de": "Team"}).plain
    # 6 of 12 tickets go Desk -> Lab -> Desk: the four bounced and the two reopened (the fix is the lab's)
    assert de == (
        "- 50,0 % der Fälle werden von einer Stelle (Team) an eine andere und gleich wieder zurück gegeben (6 Fälle)"
    )
    with pytest.raises(CJMConfigError, match=r"show_pain_summary\(\): `measures` must be a list of outcome_pct"):
        show_pain_summary(pp, measures=["buying"])
    with pytest.raises(CJMConfigError, match=r"show_pain_points\('x'\): `table` must be the DataFrame returned by"):
        show_pain_points(pd.DataFrame({"touchpoint": ["a"], "n_journeys": [3]}), "x")


def test_the_evidence_of_a_team_says_whom_it_bounces_cases_with(tickets, page):
    start_report(language="en", min_group_size=1)
    evidence = explain_pain_point(tickets, touchpoint="Desk", level="team", **OPTIONS)
    first = show_pain_evidence(evidence, top_paths=0, top_next=0)
    text = _text(page)
    assert first.plain.startswith("Desk ranks ")
    assert "Desk hands cases back and forth most with Lab (6 cases)." in text
    assert "Where the cases go" not in text and "most frequent paths" not in text  # top_next=0, top_paths=0
    assert "conversion" not in text and "buy" not in text.lower()


def test_the_evidence_of_a_touchpoint_in_german(tickets, page):
    start_report(language="de", min_group_size=1)
    evidence = explain_pain_point(tickets, touchpoint="Triage", language="de", **OPTIONS)
    show_pain_evidence(evidence, top_paths=3)
    text = _text(page)
    # the 16 steps out of Triage: 4 + 2 + 6 to Closed, 4 to the hostile fix
    nxt = evidence.next_steps.set_index("next")["n"]
    assert nxt["Closed"] == 12 and nxt[HOSTILE] == 4 and nxt.sum() == 16
    assert "Wohin die Fälle nach Triage gehen: Closed 75 %, &lt;script&gt;alert(1)&lt;/script&gt; 25 %." in text
    assert "<th>Anteil gelöst</th>" in text and "Abschluss" not in text
    assert HOSTILE not in text

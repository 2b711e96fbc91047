"""Write the report notebooks from their cell sources (kept here so notebooks stay reviewable).

Run: .venv/bin/python tools/make_notebooks.py  — notebooks are written without outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def code(src: str, *tags: str):
    cell = new_code_cell(src.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def md(src: str):
    return new_markdown_cell(src.strip())


def cx_overview():
    return [  # the title and introduction come from the setup cell, in the report's language
        code("""
events_path: str = "data/sample/events.csv.gz"  # help: event log (customer_id, timestamp, touchpoint)
touchpoints_path: str = "data/sample/touchpoints.csv"  # help: touchpoint catalogue (touchpoint, stage, department, ...)
survey_path: str = "data/sample/survey.csv"  # help: survey responses with the 0-10 recommend score (and customer_id)
customers_path: str = "data/sample/customers.csv"  # help: customer attributes
columns: str = ""  # help: optional YAML column-mapping file (sections events/touchpoints/survey/customers)
trend_by: str = "wave"  # help: survey column for the NPS trend: a wave column, or a date column with freq
freq: str = ""  # help: W, M, Q or Y when trend_by is a date column; empty for waves
weight: str = "weight"  # help: survey weight column, or "" for unweighted
persona_column: str = ""  # help: customer column with personas already assigned ("" fits personas on persona_basis)
persona_basis: list = ["att_price", "att_digital", "att_advice", "att_quality", "att_brand", "att_eco", "att_convenience", "att_service"]  # help: customer columns a quick persona fit uses
persona_k: int | str = "auto"  # help: number of personas of the quick fit, or "auto"
drivers: list = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]  # help: driver ratings for the key driver analysis ([] to skip)
driver_scale: list = [1, 5]  # help: scale of the driver ratings
driver_labels: dict = {"sat_website": {"en": "the website", "de": "Website"}, "sat_checkout": {"en": "checkout", "de": "Bestellabschluss"}, "sat_delivery": {"en": "delivery", "de": "Lieferung"}, "sat_billing": {"en": "billing", "de": "Rechnung"}, "sat_service": {"en": "customer service", "de": "Kundenservice"}, "sat_product": {"en": "the product", "de": "Produkt"}}  # help: readable driver names, {column: name} or {column: {"en": name, "de": name}}
dont_know: int = 99  # help: "don't know" code of the ratings
top_pain: int = 5  # help: pain points flagged on the journey map
n_recommendations: int = 3  # help: recommendations drawn from the pain points (plus NPS gaps and drivers)
language: str = "en"  # help: language of the report text, en or de
output_dir: str = ""  # help: folder for tables and figures (set by the report runner)
""", "parameters"),
        code("""
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from cjm_lab import io, journeys, personas, plots, survey
from cjm_lab.plots.theme import department_label
from cjm_lab.reports import recommendations, save_figure, save_results, save_table

T = {
    "en": {"title": "# Customer experience overview",
           "intro": "The management summary: how likely customers are to recommend us and how that develops, "
                    "who our customers are, where their journey hurts — and what to do first.",
           "rec": "## What to do first", "nps": "## Net Promoter Score",
           "summary": "NPS is **{nps}** (95% CI {lo} to {hi}) from {n} responses: {p} promoters, {d} detractors.",
           "trend": "## NPS over time", "personas": "## Who our customers are",
           "personas_fit": "A quick persona fit on {b} customer columns finds **{k} personas** ({how}).",
           "how_auto": "the largest number that replicates in bootstrap resamples",
           "how_set": "the number set by the parameter persona_k",
           "personas_given": "Personas as given in the column `{c}`.",
           "persona_nps": "NPS by persona",
           "map": "## The customer journey map",
           "map_text": "Stages from left to right, departments as lanes; each card shows a touchpoint's reach, "
                       "drop-off and the NPS of the customers who met it. Red numbers mark the worst pain points, "
                       "stars the moments of truth.",
           "pain": "## Pain points", "truth": "**Moments of truth** (meeting them makes customers detractors "
                   "more often, net of the rest of the journey): {t}.", "no_truth": "No moment of truth is significant.",
           "drivers": "## What drives the recommendation",
           "drivers_text": "The most important driver is **{d}** ({p} of the explained variance, R² = {r2}).",
           "data": "## About this report", "col_tp": "Touchpoint", "col_dep": "Department",
           "col_issue": "What hurts", "col_score": "Customers hurt per 100 journeys"},
    "de": {"title": "# Customer-Experience-Überblick",
           "intro": "Die Management-Zusammenfassung: wie wahrscheinlich Kunden uns weiterempfehlen und wie sich das "
                    "entwickelt, wer unsere Kunden sind, wo ihre Reise schmerzt — und was zuerst zu tun ist.",
           "rec": "## Was zuerst zu tun ist", "nps": "## Net Promoter Score",
           "summary": "Der NPS liegt bei **{nps}** (95-%-KI {lo} bis {hi}) aus {n} Antworten: {p} Promotoren, "
                      "{d} Kritiker.",
           "trend": "## NPS im Zeitverlauf", "personas": "## Wer unsere Kunden sind",
           "personas_fit": "Eine schnelle Persona-Bildung auf {b} Kundenspalten ergibt **{k} Personas** ({how}).",
           "how_auto": "die größte Zahl, die sich in Bootstrap-Stichproben wiederfindet",
           "how_set": "die Zahl aus dem Parameter persona_k",
           "personas_given": "Personas wie in der Spalte `{c}` angegeben.",
           "persona_nps": "NPS nach Persona",
           "map": "## Die Customer Journey Map",
           "map_text": "Phasen von links nach rechts, Abteilungen als Bahnen; jede Karte zeigt Reichweite, Abbruch "
                       "und den NPS der Kunden mit diesem Kontakt. Rote Nummern markieren die größten "
                       "Schmerzpunkte, Sterne die Momente der Wahrheit.",
           "pain": "## Schmerzpunkte", "truth": "**Momente der Wahrheit** (wer sie erlebt, wird öfter zum Kritiker, "
                   "bereinigt um den Rest der Reise): {t}.", "no_truth": "Kein Moment der Wahrheit ist signifikant.",
           "drivers": "## Was die Weiterempfehlung treibt",
           "drivers_text": "Wichtigster Treiber ist **{d}** ({p} der erklärten Varianz, R² = {r2}).",
           "data": "## Über diesen Bericht", "col_tp": "Kontaktpunkt", "col_dep": "Abteilung",
           "col_issue": "Was schmerzt", "col_score": "Betroffene Kunden je 100 Reisen"},
}[language]
mapping = columns or None
w = weight or None
num = lambda x, d=1: plots.format_number(x, d, language)
pct = lambda x: plots.format_percent(x, 0, language)
touchpoints = io.load_touchpoints(touchpoints_path, columns=mapping)
events = io.load_events(events_path, columns=mapping, touchpoints=touchpoints)
responses = io.load_survey(survey_path, columns=mapping)
customers = io.load_customers(customers_path, columns=mapping)
tp_label = plots.touchpoint_labeller(touchpoints, language)
dep_label = lambda d: department_label(d, language)
drv_label = lambda d: (driver_labels.get(d, d)[language] if isinstance(driver_labels.get(d), dict)
                       else str(driver_labels.get(d, d)))
""", "remove_cell"),
        code("""
display(Markdown(T["title"]))
display(Markdown(T["intro"]))
# the analyses, first: the summary below is written from them
total = survey.nps(responses, weight=w)
trend = survey.nps_trend(responses, period=trend_by, freq=freq or None, weight=w, language=language)
if persona_column:
    segments = customers[["customer_id", persona_column]].rename(columns={persona_column: "persona"})
    persona_note = T["personas_given"].format(c=persona_column)
else:
    model = personas.PersonaModel(n_personas=persona_k, columns=persona_basis, k_range=(2, 7), n_init=2,
                                  random_state=0).fit(customers)
    cards = personas.persona_cards(customers, model, variables=persona_basis, clustered_on=persona_basis,
                                   survey=responses)
    names = dict(zip(cards["persona"], cards[f"name_{language}"]))
    segments = pd.DataFrame({"customer_id": customers["customer_id"],
                             "persona": pd.Series(model.labels_).map(names).to_numpy()})
    how = T["how_auto"] if persona_k == "auto" else T["how_set"]
    persona_note = T["personas_fit"].format(b=len(persona_basis), k=model.n_personas_, how=how)
answers = responses.merge(segments, on="customer_id", how="left")
by_persona = survey.nps(answers, by="persona", weight=w)
gaps = survey.nps_vs_rest(answers, by="persona", weight=w, language=language)
map_data = journeys.journey_map_data(events, touchpoints=touchpoints, survey=responses, top_pain=top_pain,
                                     language=language)
pain = journeys.pain_points(events, touchpoints=touchpoints, survey=responses, language=language)
ipa = None
if drivers:
    kd = survey.key_drivers(responses, outcome="recommend", drivers=drivers, weight=w, dont_know=dont_know)
    ipa = survey.importance_performance(kd, responses, scale=tuple(driver_scale), dont_know=dont_know,
                                       language=language)
rec = recommendations(pain, nps_segments=gaps, drivers=ipa, top=n_recommendations, touchpoint_label=tp_label,
                      department_label=dep_label, driver_label=drv_label, language=language)
for name, table in {"nps_total": total, "nps_trend": trend, "nps_by_persona": by_persona, "nps_persona_vs_rest": gaps,
                    "pain_points": pain, "recommendations": rec, "journey_map_touchpoints": map_data.touchpoints}.items():
    save_table(table, name, output_dir)
row = total.iloc[0]
truths = map_data.touchpoints[map_data.touchpoints["moment_of_truth"].fillna(False).astype(bool)]
save_results({"nps_total": float(row["nps"]), "nps_n": int(row["n"]),
              "nps_by_trend": {str(p): float(v) for p, v in zip(trend["period"], trend["nps"])},
              "n_personas": int(segments["persona"].nunique()),
              "top_pain_points": pain.dropna(subset=["rank"]).head(n_recommendations)["touchpoint"].tolist(),
              "moments_of_truth": truths["touchpoint"].tolist(),
              "recommendations": rec["text"].tolist()}, output_dir)
display(Markdown(T["rec"]))
display(Markdown("\\n".join(f"{i}. {t}" for i, t in zip(rec["priority"], rec["text"]))))
"""),
        code("""
display(Markdown(T["nps"]))
display(Markdown(T["summary"].format(nps=num(row["nps"]), lo=num(row["ci_low"]), hi=num(row["ci_high"]),
                                     n=num(row["n"], 0), p=pct(row["pct_promoters"]), d=pct(row["pct_detractors"]))))
fig, ax = plt.subplots(figsize=(8, 1.8))
plots.plot_nps_distribution(total, ax=ax, language=language)
save_figure(fig, "nps_distribution", output_dir)
plt.show()
"""),
        code("""
display(Markdown(T["trend"]))
fig, ax = plt.subplots(figsize=(8, 3.2))
plots.plot_nps_trend(trend, ax=ax, language=language)
save_figure(fig, "nps_trend", output_dir)
plt.show()
display(Markdown("\\n".join(f"- {t}" for t in trend["text"] if t)))
"""),
        code("""
display(Markdown(T["personas"]))
display(Markdown(persona_note))
fig, ax = plt.subplots(figsize=(8, 0.5 * len(by_persona) + 1.5))
plots.plot_nps(by_persona, ax=ax, language=language, title=T["persona_nps"])
save_figure(fig, "nps_by_persona", output_dir)
plt.show()
sig = gaps[gaps["significant"]]
if len(sig):
    display(Markdown("\\n".join(f"- {t}" for t in sig["text"])))
"""),
        code("""
display(Markdown(T["map"]))
display(Markdown(T["map_text"]))
fig = plots.journey_map(map_data)
save_figure(fig, "journey_map", output_dir, dpi=110, title=T["map"].lstrip("# "))
plt.show()
"""),
        code("""
display(Markdown(T["pain"]))
top = pain.dropna(subset=["rank"]).head(top_pain)
table = pd.DataFrame({T["col_tp"]: top["touchpoint"].map(tp_label), T["col_dep"]: top["department"].map(dep_label),
                      T["col_issue"]: top["note"], T["col_score"]: top["pain_score"].map(num)})
display(table.style.hide(axis="index").set_properties(**{"text-align": "left"}))
names = ", ".join(f"{tp_label(t)} ({dep_label(d)})" for t, d in zip(truths["touchpoint"], truths["department"]))
display(Markdown(T["truth"].format(t=names) if len(truths) else T["no_truth"]))
"""),
        code("""
if ipa is not None:
    display(Markdown(T["drivers"]))
    first = kd.sort_values("shapley_share", ascending=False).iloc[0]
    display(Markdown(T["drivers_text"].format(d=drv_label(first["driver"]), p=plots.format_percent(first["shapley_share"], 0, language),
                                              r2=num(first["r2"], 2))))
    fig, ax = plt.subplots(figsize=(7, 5))
    plots.plot_importance_performance(ipa, ax=ax, language=language)
    save_figure(fig, "importance_performance", output_dir)
    plt.show()
"""),
        code("""
display(Markdown(T["data"]))
overview = io.describe_tables(events=events, touchpoints=touchpoints, survey=responses, customers=customers)
save_table(overview, "data_overview", output_dir)
overview.drop(columns="source").round({"missing_pct": 1})
"""),
    ]


def survey_nps():
    return [
        md("""
# Survey & NPS

How likely are customers to recommend us, how does that differ between segments and over time,
which experiences drive it, and what do customers say in their own words?
"""),
        code('''
survey_path: str = "data/sample/survey.csv"  # help: survey responses (CSV, Excel, Parquet or SPSS .sav)
columns: str = ""  # help: optional YAML column-mapping file (section survey)
segment: str = "wave"  # help: the column to compare segments by ("" to skip)
period: str = "date"  # help: date column for the trend ("" to skip the trend)
freq: str = "M"  # help: trend period: W, M, Q or Y
weight: str = "weight"  # help: weight column, or "" for unweighted
rescale: str = ""  # help: how a recommend scale other than 0-10 becomes an NPS-like score: linear or top2 ("" for 0-10)
drivers: list = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]  # help: driver ratings for the key driver analysis ([] to skip)
driver_scale: list = [1, 5]  # help: scale of the driver ratings
dont_know: int = 99  # help: "don't know" code of the ratings
comment: str = "comment"  # help: free-text column for verbatim themes ("" to skip)
comment_language: list = ["de", "en"]  # help: languages of the comments (de, en, pt)
n_themes: int = 6  # help: number of verbatim themes
language: str = "en"  # help: language of the report, en or de
output_dir: str = ""  # help: folder for tables and figures (set by the report runner)
''', "parameters"),
        code('''
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from cjm_lab import io, plots, survey
from cjm_lab.reports import save_figure, save_results, save_table

T = {
    "en": {"total": "## NPS in total", "seg": "## NPS by {s}", "trend": "## NPS over time", "drivers": "## What drives the recommendation",
           "drivers_text": "The most important driver is **{d}** ({p} of the explained variance, R² = {r2}).",
           "themes": "## What customers say", "none": "No significant differences between segments."},
    "de": {"total": "## NPS gesamt", "seg": "## NPS nach {s}", "trend": "## NPS im Zeitverlauf", "drivers": "## Was die Weiterempfehlung treibt",
           "drivers_text": "Wichtigster Treiber ist **{d}** ({p} der erklärten Varianz, R² = {r2}).",
           "themes": "## Was Kunden sagen", "none": "Keine signifikanten Unterschiede zwischen den Segmenten."},
}[language]
responses = io.load_survey(survey_path, columns=columns or None)
w = weight or None
rs = rescale or None
''', "remove_cell"),
        code('''
display(Markdown(T["total"]))
total = survey.nps(responses, weight=w, rescale=rs)
save_table(total, "nps_total", output_dir)
save_results({"nps_total": float(total["nps"].iloc[0]), "nps_n": int(total["n"].iloc[0]),
              "measure": str(total["measure"].iloc[0])}, output_dir)
fig, ax = plt.subplots(figsize=(8, 1.8))
plots.plot_nps_distribution(total, ax=ax, language=language)
save_figure(fig, "nps_distribution", output_dir)
plt.show()
'''),
        code('''
if segment:
    display(Markdown(T["seg"].format(s=segment)))
    by = survey.nps(responses, by=segment, weight=w, rescale=rs)
    save_table(by, "nps_by_segment", output_dir)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(by) + 1.5))
    plots.plot_nps(by, ax=ax, language=language)
    save_figure(fig, "nps_by_segment", output_dir)
    plt.show()
    rest = survey.nps_vs_rest(responses, by=segment, weight=w, rescale=rs, language=language)
    save_table(rest, "nps_segment_vs_rest", output_dir)
    sig = rest[rest["significant"]]
    display(Markdown("\\n".join(f"- {t}" for t in sig["text"]) if len(sig) else T["none"]))
'''),
        code('''
if period:
    display(Markdown(T["trend"]))
    trend = survey.nps_trend(responses, period=period, freq=freq or None, weight=w, rescale=rs, language=language)
    save_table(trend, "nps_trend", output_dir)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    plots.plot_nps_trend(trend, ax=ax, language=language)
    save_figure(fig, "nps_trend", output_dir)
    plt.show()
    display(Markdown("\\n".join(f"- {t}" for t in trend["text"] if t)))
'''),
        code('''
if drivers:
    display(Markdown(T["drivers"]))
    kd = survey.key_drivers(responses, outcome="recommend", drivers=drivers, weight=w, dont_know=dont_know,
                            bootstrap=200, random_state=1)
    save_table(kd, "key_drivers", output_dir)
    top = kd.sort_values("shapley_share", ascending=False).iloc[0]
    display(Markdown(T["drivers_text"].format(d=top["driver"], p=plots.format_percent(top["shapley_share"], 0, language),
                                              r2=plots.format_number(top["r2"], 2, language))))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    plots.plot_drivers(kd, ax=axes[0], language=language)
    ipa = survey.importance_performance(kd, responses, scale=tuple(driver_scale), dont_know=dont_know, language=language)
    save_table(ipa, "importance_performance", output_dir)
    plots.plot_importance_performance(ipa, ax=axes[1], language=language)
    save_figure(fig, "key_drivers", output_dir)
    plt.show()
'''),
        code('''
if comment:
    display(Markdown(T["themes"]))
    themes = survey.verbatim_themes(responses, text=comment, language=comment_language, n_themes=n_themes,
                                    score=None if rs else "recommend")  # theme NPS only on a 0-10 scale
    save_table(themes.themes, "verbatim_themes", output_dir)
    if themes.nps is not None:
        save_table(themes.nps, "verbatim_themes_nps", output_dir)
        display(themes.nps.round(1))
    else:
        display(themes.themes)
    display(themes.examples.head(2 * n_themes))
'''),
    ]


def journeys():
    return [
        md('''
# Customer journeys

Which ways do customers take, where do they drop off or loop, which touchpoints earn the
conversions, and where does it hurt — department by department?
'''),
        code('''
events_path: str = "data/sample/events.csv.gz"  # help: event log (customer_id, timestamp, touchpoint), or an order table with milestones
touchpoints_path: str = "data/sample/touchpoints.csv"  # help: touchpoint catalogue (stage, department, kind, is_conversion)
survey_path: str = "data/sample/survey.csv"  # help: survey for moments of truth ("" to skip)
segments_path: str = "data/sample/personas_truth.csv"  # help: optional table customer_id -> segment ("" to skip)
segment: str = "persona"  # help: segment column of segments_path
columns: str = ""  # help: optional YAML column-mapping file
milestones: dict = {}  # help: an order table instead of a log: {touchpoint: timestamp column} in journey order
case_id: str = "id"  # help: the case (order) column of an order table with milestones
promised: dict = {}  # help: {touchpoint: column with its promised time}, for lateness
dedupe: bool = True  # help: drop exact repeats (same customer, time and touchpoint); False counts a log as it is
funnel_steps: list = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]  # help: funnel steps ([] to skip)
window: str = "30D"  # help: conversion window of the funnel ("" for none)
score_scale: list = [0, 10]  # help: scale of the survey score for moments of truth, e.g. [1, 5] for stars
negative_max: int = 6  # help: highest negative score (6 for NPS detractors, 2 for star reviews)
positive_min: int = 9  # help: lowest positive score (9 for NPS promoters, 5 for star reviews)
top_paths: int = 8  # help: number of paths in the Sankey
language: str = "en"  # help: language of the report, en or de
output_dir: str = ""  # help: folder for tables and figures (set by the report runner)
''', "parameters"),
        code('''
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from cjm_lab import io, journeys, plots
from cjm_lab.reports import save_figure, save_results, save_table

T = {
    "en": {"paths": "## The ways customers take", "funnel": "## Funnel", "pain": "## Pain points",
           "map": "## The customer journey map", "attr": "## Which touchpoints earn the conversions",
           "trans": "## Transitions between touchpoints",
           "paths_text": "{j} journeys take {v} different paths; the most frequent {t} cover {c} of them.",
           "worst": "The worst pain point is **{t}** ({d}): {n}."},
    "de": {"paths": "## Die Wege der Kunden", "funnel": "## Trichter", "pain": "## Schmerzpunkte",
           "map": "## Die Customer Journey Map", "attr": "## Welche Kontaktpunkte Abschlüsse bringen",
           "trans": "## Übergänge zwischen Kontaktpunkten",
           "paths_text": "{j} Kundenreisen nehmen {v} verschiedene Wege; die {t} häufigsten decken {c} davon ab.",
           "worst": "Der größte Schmerzpunkt ist **{t}** ({d}): {n}."},
}[language]
catalogue = io.load_touchpoints(touchpoints_path, columns=columns or None)
if milestones:  # one row per order with a timestamp per milestone
    orders, _ = io.read_table(events_path)
    events = io.events_from_milestones(orders, id=case_id, milestones=milestones, promised=promised or None)
    events = io.load_events(events, touchpoints=catalogue)
else:
    events = io.load_events(events_path, columns=columns or None, touchpoints=catalogue)
responses = io.load_survey(survey_path, columns=columns or None) if survey_path else None
by = None
if segments_path:
    seg = io.load_customers(segments_path, columns=columns or None)[["customer_id", segment]]
    events = events.merge(seg, on="customer_id", how="left")
    by = segment
opts = {"touchpoints": catalogue, "dedupe": dedupe}
pain_opts = {"promised": "promised" if promised else None, "score_scale": tuple(score_scale),
             "negative_max": negative_max, "positive_min": positive_min}
has_conversions = "is_conversion" in catalogue.columns and catalogue["is_conversion"].astype(bool).any()
label = plots.touchpoint_labeller(catalogue, language)
''', "remove_cell"),
        code('''
display(Markdown(T["paths"]))
every = journeys.variants(events, **opts)
n_journeys, n_variants = int(every["n_journeys"].sum()), int(len(every))
v = journeys.variants(events, top=15, **opts)
save_table(v, "variants", output_dir)
save_results({"n_events": int(len(events)), "n_journeys": n_journeys, "n_variants": n_variants}, output_dir)
covered = every["n_journeys"].head(top_paths).sum() / n_journeys * 100
display(Markdown(T["paths_text"].format(j=plots.format_number(n_journeys, 0, language),
                                        v=plots.format_number(n_variants, 0, language), t=top_paths,
                                        c=plots.format_percent(covered, 0, language))))
fig, ax = plt.subplots(figsize=(12, 6))
plots.sankey_static(v, top=top_paths, ax=ax, language=language, touchpoints=catalogue)
save_figure(fig, "top_paths", output_dir)
plt.show()
display(HTML(plots.sankey_top_paths(v, top=top_paths, language=language, touchpoints=catalogue).to_html(
    full_html=False, include_plotlyjs=True)))
'''),
        code('''
if funnel_steps:
    display(Markdown(T["funnel"]))
    f = journeys.funnel(events, steps=funnel_steps, window=window or None, **opts)
    save_table(f, "funnel", output_dir)
    save_results({"funnel_conversion_pct": float(f["pct_of_start"].iloc[-1])}, output_dir)
    fig, ax = plt.subplots(figsize=(9, 4))
    plots.plot_funnel(f, ax=ax, language=language, touchpoints=catalogue)
    save_figure(fig, "funnel", output_dir)
    plt.show()
'''),
        code('''
display(Markdown(T["pain"]))
pp = journeys.pain_points(events, survey=responses, language=language, **pain_opts, **opts)
save_table(pp, "pain_points", output_dir)
worst = pp.iloc[0]
display(Markdown(T["worst"].format(t=label(worst["touchpoint"]),
                                   d=plots.theme.department_label(worst["department"], language), n=worst["note"])))
save_results({"top_pain_point": str(worst["touchpoint"]), "top_pain_issue": str(worst["main_issue"])}, output_dir)
fig, ax = plt.subplots(figsize=(11, 6))
plots.plot_pain_points(pp, ax=ax, language=language, touchpoints=catalogue, top=10)
save_figure(fig, "pain_points", output_dir)
plt.show()
'''),
        code('''
display(Markdown(T["map"]))
data = journeys.journey_map_data(events, survey=responses, language=language, **pain_opts, **opts)
fig = plots.journey_map(data)
save_figure(fig, "journey_map", output_dir, dpi=110, title=T["map"].lstrip("# "))
plt.show()
if by:
    per = journeys.journey_map_data(events, survey=responses, by=by, top_pain=3, language=language, **pain_opts,
                                    **opts)
    fig = plots.journey_maps(per)
    save_figure(fig, "journey_maps_by_segment", output_dir, dpi=90, title=f'{T["map"].lstrip("# ")}: {by}')
    plt.show()
'''),
        code('''
display(Markdown(T["trans"]))
t = journeys.transitions(events, **opts)
save_table(t, "transitions", output_dir)
fig, ax = plt.subplots(figsize=(11, 9))
plots.plot_transitions(t, ax=ax, language=language, touchpoints=catalogue)
save_figure(fig, "transitions", output_dir)
plt.show()
'''),
        code('''
if has_conversions:
    display(Markdown(T["attr"]))
    a = journeys.attribution(events, **opts)
    save_table(a, "attribution", output_dir)
    fig, ax = plt.subplots(figsize=(11, 5))
    plots.plot_attribution(a, ax=ax, language=language, touchpoints=catalogue)
    save_figure(fig, "attribution", output_dir)
    plt.show()
'''),
    ]


def personas():
    return [
        md("""
# Personas

Which groups of customers with distinct needs, behaviour and feelings hide in the data, how many
of them the data really support, what sets each apart, and how to recognise a new customer's
persona with a few questions (the typing tool).
"""),
        code('''
customers_path: str = "data/sample/customers.csv"  # help: customer attributes, one row per customer
columns: str = ""  # help: optional YAML column-mapping file (section customers)
create_ids: bool = False  # help: make customer ids C1, C2, ... for a file without an id column
basis: list = ["att_price", "att_digital", "att_advice", "att_quality", "att_brand", "att_eco", "att_convenience", "att_service"]  # help: columns the personas are built on ([] for every column)
profile_columns: list = ["age_band", "region", "income_band", "preferred_channel", "tenure_months", "annual_spend"]  # help: further columns to describe the personas with (not clustered on)
missing_values: list = []  # help: values meaning "no answer" in any column, e.g. ["unknown"]
missing_codes: dict = {}  # help: codes meaning "no answer" per column, e.g. {"pdays": [999]}
ordinal: dict = {"income_band": ["low", "middle", "high"]}  # help: ordered levels of ordinal columns
k: int | str = "auto"  # help: number of personas, or "auto" (the largest k that replicates)
k_range: list = [2, 7]  # help: smallest and largest k compared
resamples: int = 5  # help: bootstrap resamples per k for the stability check
algorithm: str = "gmm"  # help: gmm, kmeans, kprototypes, gower_agglomerative or lca
seed: int = 0  # help: random seed (the same data and seed give the same personas)
names: dict = {}  # help: your persona names, e.g. {0: "Bargain hunters"} or {0: {"en": "...", "de": "..."}}
survey_path: str = "data/sample/survey.csv"  # help: survey joined on customer_id for NPS per persona ("" to skip)
satisfaction: list = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]  # help: satisfaction ratings of the survey for the cards ([] to skip)
dont_know: int = 99  # help: "don't know" code of the satisfaction ratings
channel: str = "preferred_channel"  # help: column with the preferred channel for the cards ("" to skip)
golden_n: int = 0  # help: number of golden questions (0: the fewest from 5 to 10 that type nearly as well as all)
language: str = "en"  # help: language of the report, en or de
output_dir: str = ""  # help: folder for tables, figures and the typing tool (set by the report runner)
''', "parameters"),
        code('''
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from cjm_lab import io, personas, plots, survey
from cjm_lab.reports import save_figure, save_results, save_table

T = {
    "en": {"data": "## The data",
           "data_text": "{n} customers; the personas are built on {b} columns: {cols}.",
           "k": "## How many personas?", "k_fixed": "This report uses **k = {k}**, as set by the parameter `k`.",
           "k_auto": "This report uses the recommended **k = {k}**.",
           "sizes": "## The personas", "profile": "## What sets them apart",
           "profile_text": "Index 100 is the average of all customers; ▲/▼ mark significant differences in the "
                           "columns the personas were not built on.",
           "cards": "## Persona cards", "nps": "## How likely each persona is to recommend us",
           "typing": "## Typing tool: recognising a customer's persona",
           "typing_text": "{q} question(s) type a customer into the right persona for **{a}** of held-out customers "
                          "(all {n} columns: {b}). Questions: {qs}. The fitted model (`personas.joblib`) and the short "
                          "questionnaire (`golden_questions.joblib`) are in the run folder.",
           "persona": "Persona", "share": "Share"},
    "de": {"data": "## Die Daten",
           "data_text": "{n} Kunden; die Personas beruhen auf {b} Spalten: {cols}.",
           "k": "## Wie viele Personas?", "k_fixed": "Dieser Bericht verwendet **k = {k}**, wie im Parameter `k` gesetzt.",
           "k_auto": "Dieser Bericht verwendet das empfohlene **k = {k}**.",
           "sizes": "## Die Personas", "profile": "## Was sie unterscheidet",
           "profile_text": "Index 100 ist der Durchschnitt aller Kunden; ▲/▼ markieren signifikante Unterschiede in "
                           "den Spalten, auf denen die Personas nicht beruhen.",
           "cards": "## Persona-Steckbriefe", "nps": "## Wie wahrscheinlich jede Persona uns weiterempfiehlt",
           "typing": "## Typing-Tool: die Persona eines Kunden erkennen",
           "typing_text": "{q} Frage(n) ordnen **{a}** der zurückgehaltenen Kunden der richtigen Persona zu "
                          "(alle {n} Spalten: {b}). Fragen: {qs}. Das Modell (`personas.joblib`) und der Kurzfragebogen "
                          "(`golden_questions.joblib`) liegen im Berichtsordner.",
           "persona": "Persona", "share": "Anteil"},
}[language]
customers = io.load_customers(customers_path, columns=columns or None, create_ids=create_ids)
for col in customers.columns.drop("customer_id"):
    if missing_values:
        customers[col] = customers[col].where(~customers[col].isin(missing_values))
for col, codes in missing_codes.items():
    customers[col] = customers[col].where(~customers[col].isin(codes))
for col, levels in ordinal.items():
    customers[col] = pd.Categorical(customers[col], categories=levels, ordered=True)
used = list(basis) or [c for c in customers.columns if c != "customer_id"]
described = [c for c in profile_columns if c not in used]
responses = io.load_survey(survey_path, columns=columns or None) if survey_path else None
pct = lambda x: plots.format_percent(x, 0, language)
''', "remove_cell"),
        code('''
display(Markdown(T["data"]))
display(Markdown(T["data_text"].format(n=plots.format_number(len(customers), 0, language), b=len(used),
                                       cols=", ".join(used))))
'''),
        code('''
display(Markdown(T["k"]))
ks = range(int(k_range[0]), int(k_range[1]) + 1)
if isinstance(k, int) and k not in ks:
    ks = sorted(set(ks) | {k})
k_table = personas.choose_k(customers, k=ks, columns=used, algorithm=algorithm, resamples=resamples,
                            random_state=seed, n_init=2)
save_table(k_table, "choose_k", output_dir)
recommended = int(k_table.attrs["cjm"]["recommended_k"])
n_personas = recommended if k == "auto" else int(k)
fig = plots.plot_choose_k(k_table, language=language)
save_figure(fig, "choose_k", output_dir)
plt.show()
display(Markdown(T["k_auto" if k == "auto" else "k_fixed"].format(k=n_personas)))
'''),
        code('''
display(Markdown(T["sizes"]))
model = personas.PersonaModel(n_personas=n_personas, columns=used, algorithm=algorithm, random_state=seed).fit(customers)
prof = personas.profile(customers, model, variables=used + described, clustered_on=used, survey=responses)
cards = personas.persona_cards(customers, model, variables=used + described, clustered_on=used, survey=responses,
                               satisfaction=(satisfaction or None) if responses is not None else None,
                               dont_know=dont_know, channel=channel or None, names=names or None,
                               profile_result=prof)
save_table(prof.sizes, "persona_sizes", output_dir)
save_table(prof.variables, "persona_profiles", output_dir)
save_table(prof.traits, "persona_traits", output_dir)
save_table(cards, "persona_cards", output_dir)
name_col = f"name_{language}"
save_results({"n_personas": int(n_personas), "recommended_k": recommended, "n_customers": int(len(customers)),
              "persona_sizes": {str(p): int(n) for p, n in zip(prof.sizes["persona"], prof.sizes["n"])},
              "persona_names": {str(p): str(x) for p, x in zip(cards["persona"], cards[name_col])}}, output_dir)
sizes = cards[["persona", name_col, "n", "share"]].rename(columns={name_col: T["persona"]})
sizes["share"] = sizes["share"].map(lambda x: pct(100 * x))
sizes.rename(columns={"share": T["share"]}).set_index("persona")
'''),
        code('''
display(Markdown(T["profile"]))
display(Markdown(T["profile_text"]))
fig, ax = plt.subplots(figsize=(11, max(5, 0.28 * prof.variables[["variable", "level"]].drop_duplicates().shape[0])))
plots.plot_persona_profile(prof, ax=ax, language=language)
save_figure(fig, "persona_profile", output_dir)
plt.show()
'''),
        code('''
display(Markdown(T["cards"]))
fig = plots.plot_persona_cards(cards, language=language)
save_figure(fig, "persona_cards", output_dir)
plt.show()
display(Markdown("\\n".join(f"- {t}" for t in cards[f"narrative_{language}"])))
'''),
        code('''
if prof.nps is not None:
    display(Markdown(T["nps"]))
    by = prof.nps.copy()
    save_table(by, "nps_by_persona", output_dir)
    by["persona"] = by["persona"].map(lambda p: dict(zip(cards["persona"].astype(str), cards[name_col])).get(str(p), p))
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(by) + 1.5))
    plots.plot_nps(by, ax=ax, language=language)
    save_figure(fig, "nps_by_persona", output_dir)
    plt.show()
'''),
        code('''
display(Markdown(T["typing"]))
gq = personas.golden_questions(customers, model, candidates=used, n=golden_n or None, random_state=seed)
save_table(gq.table, "golden_questions", output_dir)
assignments = pd.DataFrame({"customer_id": customers["customer_id"], "persona": model.labels_})
assignments["persona_name"] = assignments["persona"].map(dict(zip(cards["persona"], cards[name_col])))
save_table(assignments, "persona_assignments", output_dir)
if output_dir:
    model.save(os.path.join(output_dir, "personas.joblib"))
    personas.save_model(gq, os.path.join(output_dir, "golden_questions.joblib"))
save_results({"golden_questions": list(gq.questions), "golden_accuracy": float(gq.accuracy),
              "typing_accuracy_all": float(gq.accuracy_all)}, output_dir)
display(Markdown(T["typing_text"].format(q=len(gq.questions), a=pct(100 * gq.accuracy), n=len(used),
                                         b=pct(100 * gq.accuracy_all), qs=", ".join(gq.questions))))
'''),
    ]


def gallery():
    return [
        md("""
# Gallery: every chart of cjm-lab, in English and German

One visual language for all results — the same colours for NPS groups, personas, stages and
departments in every chart. Each chart is drawn twice: English, then German.
"""),
        code('''
customers_n: int = 1500  # help: customers generated for the gallery (small: it renders every chart twice)
seed: int = 7  # help: seed of the sample generator
languages: list = ["en", "de"]  # help: languages to draw
output_dir: str = ""  # help: folder for figures (set by the report runner)
''', "parameters"),
        code('''
import matplotlib.pyplot as plt
from IPython.display import HTML, Markdown, display

from cjm_lab import journeys, personas, plots, survey
from cjm_lab.reports import save_figure
from cjm_lab.sample import make_sample

s = make_sample(customers=customers_n, seed=seed)
sv = s.survey.merge(s.personas, on="customer_id")
ev = s.events.merge(s.personas, on="customer_id")
cat = s.touchpoints
drivers = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]
attitudes = [c for c in s.customers.columns if c.startswith("att_")]
results = {
    "nps": survey.nps(sv, by="persona", weight="weight"),
    "trend": survey.nps_trend(sv, period="date", freq="M", weight="weight"),
    "drivers": survey.key_drivers(sv, outcome="recommend", drivers=drivers, dont_know=99, bootstrap=100, random_state=1),
    "crosstab": survey.crosstab(sv.assign(nps_group=survey.nps_groups(sv["recommend"])), rows="nps_group", columns="wave"),
    "funnel": journeys.funnel(ev, steps=["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"], by="persona"),
    "transitions": journeys.transitions(ev, touchpoints=cat, level="stage"),
    "lengths": journeys.path_lengths(ev),
    "pain": journeys.pain_points(ev, touchpoints=cat, survey=sv),
    "attribution": journeys.attribution(ev, touchpoints=cat),
    "variants": journeys.variants(ev, top=20),
    "ttc": journeys.time_to_repeat(ev, touchpoints=cat),
}
results["ipa"] = survey.importance_performance(results["drivers"], sv, scale=(1, 5), dont_know=99)
basis = attitudes + ["age_band", "income_band", "preferred_channel", "tenure_months", "annual_spend"]
model = personas.PersonaModel(n_personas=5, columns=basis, random_state=0).fit(s.customers)
labels = model.labels_
prof = personas.profile(s.customers, labels, variables=basis + ["region"], clustered_on=basis, survey=sv)
cards = personas.persona_cards(s.customers, labels, variables=basis + ["region"], clustered_on=basis, survey=sv,
                               channel="preferred_channel", profile_result=prof)
k_table = personas.choose_k(s.customers[attitudes], k=range(3, 7), resamples=3, random_state=0, n_init=2)
''', "remove_cell"),
        code('''
for lang in languages:
    display(Markdown(f"## {'Survey & NPS' if lang == 'en' else 'Befragung & NPS'} ({lang})"))
    fig, axes = plt.subplots(2, 2, figsize=(14, 10))
    plots.plot_nps(results["nps"], ax=axes[0, 0], language=lang)
    plots.plot_nps_distribution(results["nps"], ax=axes[0, 1], language=lang)
    plots.plot_nps_trend(results["trend"], ax=axes[1, 0], language=lang)
    plots.plot_drivers(results["drivers"], ax=axes[1, 1], language=lang)
    fig.tight_layout()
    save_figure(fig, f"gallery_survey_{lang}", output_dir)
    plt.show()
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    plots.plot_importance_performance(results["ipa"], ax=axes[0], language=lang)
    plots.plot_crosstab(results["crosstab"], ax=axes[1], language=lang)
    fig.tight_layout()
    save_figure(fig, f"gallery_survey2_{lang}", output_dir)
    plt.show()
'''),
        code('''
for lang in languages:
    display(Markdown(f"## {'Personas' if lang == 'en' else 'Personas'} ({lang})"))
    fig = plots.plot_choose_k(k_table, language=lang)
    save_figure(fig, f"gallery_choose_k_{lang}", output_dir)
    plt.show()
    fig, ax = plt.subplots(figsize=(10, 7))
    plots.plot_persona_profile(prof, ax=ax, language=lang)
    save_figure(fig, f"gallery_profile_{lang}", output_dir)
    plt.show()
    fig = plots.plot_persona_cards(cards, language=lang)
    save_figure(fig, f"gallery_cards_{lang}", output_dir)
    plt.show()
'''),
        code('''
for lang in languages:
    display(Markdown(f"## {'Journeys' if lang == 'en' else 'Kundenreisen'} ({lang})"))
    fig, axes = plt.subplots(2, 2, figsize=(15, 11))
    plots.plot_funnel(results["funnel"], ax=axes[0, 0], language=lang, touchpoints=cat)
    plots.plot_transitions(results["transitions"], ax=axes[0, 1], language=lang, touchpoints=cat)
    plots.plot_path_lengths(results["lengths"], ax=axes[1, 0], language=lang)
    plots.plot_time_to_convert(results["ttc"].curve, ax=axes[1, 1], language=lang)
    fig.tight_layout()
    save_figure(fig, f"gallery_journeys_{lang}", output_dir)
    plt.show()
    fig, axes = plt.subplots(1, 2, figsize=(16, 6))
    plots.plot_pain_points(results["pain"], ax=axes[0], language=lang, touchpoints=cat, top=8)
    plots.plot_attribution(results["attribution"], ax=axes[1], language=lang, touchpoints=cat)
    fig.tight_layout()
    save_figure(fig, f"gallery_pain_attribution_{lang}", output_dir)
    plt.show()
    fig, ax = plt.subplots(figsize=(13, 6))
    plots.sankey_static(results["variants"], top=8, ax=ax, language=lang, touchpoints=cat)
    save_figure(fig, f"gallery_sankey_{lang}", output_dir)
    plt.show()
    display(HTML(plots.sankey_top_paths(results["variants"], top=8, language=lang, touchpoints=cat).to_html(
        full_html=False, include_plotlyjs=(lang == languages[0]))))
'''),
        code('''
for lang in languages:
    display(Markdown(f"## {'The customer journey map' if lang == 'en' else 'Die Customer Journey Map'} ({lang})"))
    data = journeys.journey_map_data(ev, touchpoints=cat, survey=sv, language=lang)
    fig = plots.journey_map(data)
    save_figure(fig, f"gallery_journey_map_{lang}", output_dir, dpi=100)
    plt.show()
    per = journeys.journey_map_data(ev, touchpoints=cat, survey=sv, by="persona", top_pain=3, language=lang)
    fig = plots.journey_maps(per, segments=per.segments()[:2], layout="row")
    save_figure(fig, f"gallery_journey_maps_{lang}", output_dir, dpi=80)
    plt.show()
'''),
    ]


def write(name: str, cells) -> Path:
    nb = new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating a notebook changes nothing it need not
        cell["id"] = f"{name}-{i:02d}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


if __name__ == "__main__":
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, cells in [("cx_overview", cx_overview()), ("survey_nps", survey_nps()), ("journeys", journeys()),
                        ("personas", personas()), ("gallery", gallery())]:
        print(write(name, cells))

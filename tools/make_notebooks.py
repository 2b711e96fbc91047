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


def solution(src: str):
    """A solution cell: its code is collapsed in JupyterLab (click to show), yet it runs unattended."""
    cell = code(src, "solution")
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def workshop_personas():
    return [
        md("""
# Persona workshop · Persona-Workshop

**EN** — A guided session for a team new to personas. We load the data, look at what customers
think, build and compare segmentations with the **persona explorer**, name the personas together,
write their cards, connect each persona to its **NPS** and its **journeys**, and export the
**typing tool** that assigns new customers to a persona. Run all cells (*Run → Run All Cells*), then
play with the explorers. Exercises end with a hidden solution: click the collapsed cell (⋯) to see it.

**DE** — Eine geführte Sitzung für ein Team, das neu mit Personas arbeitet. Wir laden die Daten,
schauen uns die Einstellungen der Kunden an, bilden und vergleichen Segmentierungen mit dem
**Persona-Explorer**, benennen die Personas gemeinsam, schreiben ihre Steckbriefe, verbinden jede
Persona mit ihrem **NPS** und ihren **Customer Journeys** und exportieren das **Typisierungstool**, das
neue Kunden einer Persona zuordnet. Alle Zellen ausführen (*Run → Run All Cells*), dann mit den
Explorern arbeiten. Übungen enden mit einer versteckten Lösung: die eingeklappte Zelle (⋯) anklicken.

Set `language = "de"` in the parameters cell for German explorers and charts ·
Für deutsche Explorer und Grafiken `language = "de"` in der Parameter-Zelle setzen.
"""),
        md("""
## What is a persona, and why? · Was ist eine Persona, und wozu?

**EN** — A persona is a *segment of real customers* told as one person: what they need, how they
behave, how they feel, which channels they use. It is built from data (attitudes and behaviour), not
invented in a meeting. Personas let every department read the customer journey *for the people who
live it*: the same checkout hurts a price hunter for other reasons than a service seeker. A good set
of personas is **distinct** (the segments differ in needs), **stable** (the same personas come back
on new data), **big enough** to act on and **memorable** (a name and a card the whole company uses).

**DE** — Eine Persona ist ein *Segment echter Kunden*, erzählt als eine Person: was sie braucht, wie
sie sich verhält, wie sie sich fühlt, welche Kanäle sie nutzt. Sie entsteht aus Daten (Einstellungen
und Verhalten), nicht am Besprechungstisch. Mit Personas liest jede Abteilung die Customer Journey
*für die Menschen, die sie erleben*: derselbe Checkout schmerzt Schnäppchenjäger aus anderen Gründen
als Service-Sucher. Gute Personas sind **verschieden** (die Segmente unterscheiden sich in ihren
Bedürfnissen), **stabil** (dieselben Personas finden sich in neuen Daten wieder), **groß genug**, um
zu handeln, und **einprägsam** (ein Name und ein Steckbrief, den das ganze Unternehmen nutzt).
"""),
        code('''
language: str = "en"  # help: language of the explorers, charts and texts: en or de
customers_path: str = "data/sample/customers.csv"  # help: customer attributes with the attitude battery
survey_path: str = "data/sample/survey.csv"  # help: survey responses with the 0-10 recommend score
events_path: str = "data/sample/events.csv.gz"  # help: event log (customer_id, timestamp, touchpoint)
touchpoints_path: str = "data/sample/touchpoints.csv"  # help: touchpoint catalogue
attitudes: list = ["att_price", "att_digital", "att_advice", "att_quality", "att_brand", "att_eco", "att_convenience", "att_service"]  # help: the attitude battery (1-5 Likert items) the personas are built on
extra_variables: list = ["age_band", "income_band", "preferred_channel", "tenure_months", "annual_spend"]  # help: further variables offered in the persona explorer
n_personas: int = 0  # help: number of personas at the start; 0 = auto (choose_k recommends one)
algorithm: str = "gmm"  # help: clustering algorithm at the start: gmm, kmeans or lca
k_max: int = 7  # help: largest k the diagnostics try
resamples: int = 5  # help: bootstrap resamples per k for the stability diagnostics
persona_names: list = []  # help: names the team gave the personas, in persona order (empty: the solution's names)
drivers: list = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]  # help: driver ratings for the NPS explorer
funnel_steps: list = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]  # help: funnel steps of the journey explorer
typing_tool: str = ""  # help: file for the typing tool ("": personas_typing_tool.joblib in the output folder)
random_state: int = 0  # help: seed of the segmentations
output_dir: str = ""  # help: folder for tables and figures (set by the report runner)
''', "parameters"),
        code('''
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display
from sklearn.metrics import adjusted_rand_score

from cjm_lab import io, journeys, plots, survey, widgets
from cjm_lab.personas import load_model
from cjm_lab.reports import save_figure, save_results, save_table
from cjm_lab.reports.notebooks import project_root


def data_file(path):
    """A data path as given, else relative to the project (JupyterLab runs notebooks in notebooks/)."""
    p = Path(path)
    return p if p.is_absolute() or p.exists() else project_root() / p


T = {
    "en": {"data": "**{c:,}** customers, **{r:,}** survey responses, **{e:,}** events at **{t}** touchpoints.",
           "agree": "Share who agree (4-5 on the 1-5 scale), with 95% CI",
           "ari": "The two segmentations agree with an adjusted Rand index of **{a:.2f}** (1 = identical, 0 = chance).",
           "names": "The personas are now called: {n}.",
           "nps": "NPS by persona", "pain": "Each persona's NPS and its worst pain point",
           "typed": "The typing tool, loaded back from `{f}`, types the first {n} customers as: {names}. "
                    "It agrees with the segmentation on **{p:.0f}%** of all customers.",
           "first": "Invite **{p}** first: NPS {v:.0f} ({s:.0f}% of customers); worst pain point: {t} - {note}"},
    "de": {"data": "**{c:,}** Kunden, **{r:,}** Befragte, **{e:,}** Ereignisse an **{t}** Kontaktpunkten.",
           "agree": "Anteil Zustimmung (4-5 auf der Skala 1-5), mit 95-%-KI",
           "ari": "Die beiden Segmentierungen stimmen mit einem bereinigten Rand-Index von **{a:.2f}** überein "
                  "(1 = identisch, 0 = Zufall).",
           "names": "Die Personas heißen jetzt: {n}.",
           "nps": "NPS nach Persona", "pain": "NPS und größter Schmerzpunkt jeder Persona",
           "typed": "Das Typisierungstool, neu geladen aus `{f}`, ordnet die ersten {n} Kunden so zu: {names}. "
                    "Es stimmt bei **{p:.0f} %** aller Kunden mit der Segmentierung überein.",
           "first": "Zuerst **{p}** einladen: NPS {v:.0f} ({s:.0f} % der Kunden); größter Schmerzpunkt: {t} - {note}"},
}[language]
work_dir = Path(output_dir) if output_dir else Path(tempfile.mkdtemp(prefix="cjm-workshop-"))
catalogue = io.load_touchpoints(data_file(touchpoints_path))
events = io.load_events(data_file(events_path), touchpoints=catalogue)
responses = io.load_survey(data_file(survey_path))
customers = io.load_customers(data_file(customers_path))
results = {}
'''),
        md("""
## 1 · The data · Die Daten

**EN** — Three tables, linked by the customer id: who the customers are (attributes and an
attitude battery: *"I compare prices before I buy"*, *"I like to shop on my phone"*, …, answered
1 = disagree to 5 = agree), what they felt (survey: likelihood to recommend, 0–10) and what they did
(events at touchpoints).

**DE** — Drei Tabellen, verbunden über die Kundennummer: wer die Kunden sind (Merkmale und eine
Einstellungsbatterie: *„Ich vergleiche Preise vor dem Kauf“*, *„Ich kaufe gern mit dem Handy“*, …,
beantwortet von 1 = stimme nicht zu bis 5 = stimme zu), was sie empfanden (Befragung:
Weiterempfehlung 0–10) und was sie taten (Ereignisse an Kontaktpunkten).
"""),
        code('''
display(Markdown(T["data"].format(c=len(customers), r=len(responses), e=len(events),
                                  t=events["touchpoint"].nunique())))
customers[["customer_id", *attitudes[:4], *extra_variables[:3]]].head()
'''),
        md("""
## 2 · What customers think · Was Kunden denken

**EN** — Before clustering, look at each attitude: how many agree, and how the items move together.
Items that everybody agrees with do not separate personas; items that split the customers do.

**DE** — Vor dem Clustern jede Einstellung ansehen: wie viele zustimmen und welche Aussagen
zusammenhängen. Aussagen, denen alle zustimmen, trennen keine Personas; Aussagen, die die Kunden
spalten, schon.
"""),
        code('''
agree = survey.csat(customers, items=attitudes, scale=(1, 5)).set_index("item")
save_table(agree.reset_index(), "attitudes_agreement", output_dir)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
order = agree["pct_top_box"].sort_values()
axes[0].barh(order.index, order, xerr=[order - agree.loc[order.index, "ci_low"],
                                       agree.loc[order.index, "ci_high"] - order], color="#4477AA", capsize=3)
axes[0].set_xlabel("%")
axes[0].set_title(T["agree"])
corr = customers[attitudes].corr()
im = axes[1].imshow(corr, cmap="RdBu_r", vmin=-1, vmax=1)
axes[1].set_xticks(range(len(attitudes)), attitudes, rotation=60, ha="right")
axes[1].set_yticks(range(len(attitudes)), attitudes)
fig.colorbar(im, ax=axes[1], shrink=0.8)
fig.tight_layout()
save_figure(fig, "attitudes", output_dir)
plt.show()
'''),
        md("""
### Exercise 1 · Übung 1

**EN** — Which two attitudes go together most strongly (the largest correlation, positive or
negative)? What kind of customer would say yes to both — or yes to one and no to the other?

**DE** — Welche zwei Einstellungen hängen am stärksten zusammen (größte Korrelation, positiv oder
negativ)? Welche Art Kunde würde beiden zustimmen – oder der einen zu und der anderen nicht?

<details><summary>Hint · Hinweis</summary>

`corr` holds the correlation matrix; `corr.where(~np.eye(len(corr), dtype=bool)).abs().stack()` lists
every pair. · `corr` enthält die Korrelationsmatrix; die Zeile oben listet jedes Paar.
</details>
"""),
        code('''
# Your answer · Ihre Antwort
strongest_pair = None  # e.g. ("att_digital", "att_convenience")
'''),
        solution('''
# Solution · Lösung
import numpy as np

pairs = corr.where(np.triu(np.ones(corr.shape, dtype=bool), k=1)).stack()
strongest_pair = pairs.abs().idxmax()
results["strongest_pair"] = list(strongest_pair)
display(Markdown(f"**{strongest_pair[0]} × {strongest_pair[1]}**: r = {pairs[strongest_pair]:.2f}"))
'''),
        md("""
## 3 · Build segmentations · Segmentierungen bilden

**EN** — The persona explorer clusters the customers on the **variables** you select (hold Ctrl/⌘ to
pick several), with an **algorithm** (`gmm`: a mixture model for mixed data, the default; `kmeans`;
`lca`: latent classes) and a number of personas **k**. With **k = auto** it first computes the
diagnostics (a progress bar shows it working): for every k, how well the personas separate
(silhouette, BIC) and whether they **replicate** on bootstrap resamples — it recommends the most
detailed k that replicates. Below you see the persona **cards**, the **profile** (each variable as an
index: 100 = average customer) and the diagnostics. Type a name into a box to rename a persona; the
button saves the typing tool.

**DE** — Der Persona-Explorer clustert die Kunden nach den gewählten **Variablen** (mit Strg/⌘
mehrere wählen), mit einem **Verfahren** (`gmm`: Mischmodell für gemischte Daten, Standard; `kmeans`;
`lca`: latente Klassen) und einer Zahl von Personas **k**. Mit **k = auto** berechnet er zuerst die
Diagnose (ein Fortschrittsbalken zeigt die Arbeit): für jedes k, wie gut sich die Personas trennen
(Silhouette, BIC) und ob sie sich in Bootstrap-Stichproben **wiederfinden** – empfohlen wird das
feinste k, das sich wiederfindet. Darunter stehen die **Steckbriefe**, das **Profil** (jede Variable
als Index: 100 = Durchschnittskunde) und die Diagnose. Einen Namen in ein Feld tippen benennt eine
Persona um; die Schaltfläche speichert das Typisierungstool.
"""),
        code('''
persona_ex = widgets.persona_explorer(
    customers, variables=attitudes, candidates=attitudes + extra_variables, algorithm=algorithm, k=n_personas or "auto",
    k_range=(2, k_max), resamples=resamples, random_state=random_state, survey=responses, channel="preferred_channel",
    path=str(work_dir / "personas_from_explorer.joblib"), language=language)
persona_ex
'''),
        md("""
## 4 · Compare segmentations · Segmentierungen vergleichen

**EN** — The explorer's current choice is `persona_ex.result`. Is it robust? Build a second
segmentation with another algorithm and the same k, and compare: the **adjusted Rand index** says how
much the two agree, the crosstab shows which personas map onto which.

**DE** — Die aktuelle Wahl im Explorer ist `persona_ex.result`. Ist sie robust? Eine zweite
Segmentierung mit einem anderen Verfahren und demselben k bilden und vergleichen: der **bereinigte
Rand-Index** sagt, wie sehr beide übereinstimmen, die Kreuztabelle zeigt, welche Personas einander
entsprechen.
"""),
        code('''
chosen = persona_ex.result
other_algorithm = "kmeans" if chosen.algorithm != "kmeans" else "gmm"
other = widgets.fit_personas(customers, variables=chosen.variables, algorithm=other_algorithm, k=chosen.k,
                             random_state=random_state, language=language)
ari = adjusted_rand_score(chosen.labels, other.labels)
results.update({"k": chosen.k, "algorithm": chosen.algorithm, "ari_vs_" + other_algorithm: round(float(ari), 4)})
display(Markdown(T["ari"].format(a=ari)))
pd.crosstab(pd.Series(chosen.labels, name=chosen.algorithm), pd.Series(other.labels, name=other_algorithm))
'''),
        md("""
### Exercise 2 · Übung 2

**EN** — Add the demographics and behaviour (`extra_variables`) to the attitudes and build a
segmentation with the same k. Does it agree with the attitude-only personas? Why might personas built
on *who* customers are differ from personas built on *what they want*?

**DE** — Die Demografie und das Verhalten (`extra_variables`) zu den Einstellungen hinzunehmen und
eine Segmentierung mit demselben k bilden. Stimmt sie mit den Personas aus den Einstellungen überein?
Warum können Personas danach, *wer* Kunden sind, von Personas danach, *was sie wollen*, abweichen?
"""),
        code('''
# Your answer · Ihre Antwort
mixed = None  # widgets.fit_personas(customers, variables=..., k=chosen.k)
'''),
        solution('''
# Solution · Lösung
mixed = widgets.fit_personas(customers, variables=attitudes + extra_variables, algorithm=chosen.algorithm,
                             k=chosen.k, random_state=random_state, language=language)
ari_mixed = adjusted_rand_score(chosen.labels, mixed.labels)
results["ari_with_demographics"] = round(float(ari_mixed), 4)
display(Markdown(T["ari"].format(a=ari_mixed)))
'''),
        md("""
## 5 · Name the personas together · Personas gemeinsam benennen

**EN** — Suggested names come from each persona's two most distinctive traits. Good names describe a
*need or attitude* ("Bargain hunter", "Service seeker"), not a demographic stereotype; they are short,
differ from each other and make colleagues nod. Agree on a name for each persona, type them into the
explorer or into `persona_names` in the parameters cell.

**DE** — Die vorgeschlagenen Namen kommen aus den zwei markantesten Merkmalen jeder Persona. Gute
Namen beschreiben ein *Bedürfnis oder eine Haltung* („Schnäppchenjäger“, „Service-Sucher“), kein
demografisches Klischee; sie sind kurz, unterscheiden sich und bringen Kollegen zum Nicken. Für jede
Persona einen Namen vereinbaren und im Explorer oder in `persona_names` in der Parameter-Zelle
eintragen.
"""),
        code('''
lang_cols = [f"name_{language}", f"key_traits_{language}", "share", "nps"]
chosen.cards.set_index("persona")[lang_cols].round(2)
'''),
        md("""
### Exercise 3 · Übung 3

**EN** — Read each persona's key traits and give it a name of one to three words.

**DE** — Die Merkmale jeder Persona lesen und ihr einen Namen aus ein bis drei Wörtern geben.

<details><summary>Hint · Hinweis</summary>

`widgets.rename_personas(chosen, {0: "…", 1: "…"})` returns the renamed personas with new cards ·
gibt die umbenannten Personas mit neuen Steckbriefen zurück.
</details>
"""),
        code('''
# Your answer · Ihre Antwort
my_names = {}  # {0: "...", 1: "..."}
'''),
        solution('''
# Solution · Lösung: name each persona after its most distinctive attitude
TRAIT_NAMES = {
    "att_price": ("Bargain hunter", "Schnäppchenjäger"), "att_digital": ("Digital native", "Digital unterwegs"),
    "att_advice": ("Advice seeker", "Beratungssucher"), "att_quality": ("Quality lover", "Qualitätsliebhaber"),
    "att_brand": ("Brand fan", "Markenfan"), "att_eco": ("Eco-conscious", "Umweltbewusst"),
    "att_convenience": ("Convenience first", "Bequemlichkeit zuerst"), "att_service": ("Service seeker", "Service-Sucher"),
}
traits = chosen.profile.traits
solution_names = {}
for p in sorted(chosen.names):
    top = traits[(traits["persona"] == p) & (traits["direction"] == "high")].sort_values("rank")["variable"]
    names = [TRAIT_NAMES[v][language == "de"] for v in top if v in TRAIT_NAMES]
    name = next((n for n in names if n not in solution_names.values()), f"Persona {p + 1}")
    solution_names[p] = name
display(Markdown(", ".join(f"{p}: **{n}**" for p, n in solution_names.items())))
'''),
        code('''
names = dict(enumerate(persona_names)) if persona_names else (my_names or solution_names)
team = widgets.rename_personas(chosen, names)
results["persona_names"] = [team.names[p] for p in sorted(team.names)]
display(Markdown(T["names"].format(n=", ".join(f"**{n}**" for n in results["persona_names"]))))
'''),
        md("""
## 6 · Write the cards · Steckbriefe schreiben

**EN** — One card per persona: name, size, key traits, feelings (NPS), channels and a short
narrative. Print them, hang them on the wall, use them in every journey workshop.

**DE** — Ein Steckbrief pro Persona: Name, Größe, Merkmale, Gefühle (NPS), Kanäle und eine kurze
Erzählung. Ausdrucken, an die Wand hängen, in jedem Journey-Workshop nutzen.
"""),
        code('''
save_table(team.cards, "persona_cards", output_dir)
fig = plots.plot_persona_cards(team.cards, language=language)
save_figure(fig, "persona_cards", output_dir)
plt.show()
'''),
        md("""
## 7 · Each persona's NPS · Der NPS jeder Persona

**EN** — The NPS explorer shows how likely each persona is to recommend us: pick what to **break
down by**, filter **waves**, **dates** and a **persona**, switch **weighting** and the **low-base**
threshold. NPS comes with its 95% confidence interval; bases under the threshold are flagged ⚠.
The key drivers below say which experiences move the recommendation for the customers you selected.

**DE** — Der NPS-Explorer zeigt, wie wahrscheinlich jede Persona uns weiterempfiehlt: wählen, wonach
**aufgegliedert** wird, nach **Wellen**, **Zeitraum** und einer **Persona** filtern, **Gewichtung**
und die Schwelle für **kleine Basen** umschalten. Der NPS steht mit 95-%-Konfidenzintervall; zu kleine
Basen sind mit ⚠ markiert. Die Treiber darunter zeigen, welche Erfahrungen die Weiterempfehlung der
gewählten Kunden bewegen.
"""),
        code('''
assignments = team.assignments()
answers = responses.merge(assignments, on="customer_id", how="left")
nps_ex = widgets.nps_explorer(answers, segments=["persona_name", "wave"], persona="persona_name", weight="weight",
                              drivers=drivers, dont_know=99, language=language)
nps_ex
'''),
        code('''
by_persona = survey.nps(answers, by="persona_name", weight="weight")
save_table(by_persona, "nps_by_persona", output_dir)
results["nps_by_persona"] = {str(k): round(float(v), 2) for k, v in zip(by_persona["persona_name"], by_persona["nps"])}
fig, ax = plt.subplots(figsize=(8, 0.5 * len(by_persona) + 1.5))
plots.plot_nps(by_persona, ax=ax, language=language, title=T["nps"])
save_figure(fig, "nps_by_persona", output_dir)
plt.show()
'''),
        md("""
## 8 · Each persona's journeys · Die Journeys jeder Persona

**EN** — The journey explorer follows the customers of one **segment** (here: your personas). Choose
the **level** (touchpoints or stages), where paths go **from** and **to** and how many **paths** to
draw: the Sankey shows the most frequent ways. Type the **funnel steps** in order and pick a
conversion **window**: the funnel shows how many get from step to step. The table lists the **pain
points** of the selection: drop-offs, rework, repeated service contacts, long waits and moments of
truth, each with the department that owns it.

**DE** — Der Journey-Explorer folgt den Kunden eines **Segments** (hier: Ihrer Personas). **Ebene**
(Kontaktpunkte oder Phasen) wählen, **von** wo **bis** wohin die Pfade führen und wie viele **Pfade**
gezeichnet werden: das Sankey zeigt die häufigsten Wege. Die **Trichterstufen** der Reihe nach
eintippen und ein **Zeitfenster** wählen: der Trichter zeigt, wie viele von Stufe zu Stufe kommen. Die
Tabelle listet die **Schmerzpunkte** der Auswahl: Abbrüche, Nacharbeit, wiederholte Service-Kontakte,
lange Wartezeiten und Momente der Wahrheit, jeweils mit der zuständigen Abteilung.
"""),
        code('''
journey_events = events.merge(assignments[["customer_id", "persona_name"]], on="customer_id", how="left")
journey_ex = widgets.journey_explorer(journey_events, touchpoints=catalogue, survey=responses,
                                      segment="persona_name", steps=funnel_steps, language=language)
journey_ex
'''),
        code('''
pain = journeys.pain_points(journey_events, touchpoints=catalogue, survey=responses, by="persona_name",
                            language=language)
worst = pain[pain["rank"] == 1].drop_duplicates("persona_name").set_index("persona_name")
label = plots.touchpoint_labeller(catalogue, language)
summary = by_persona[by_persona["persona_name"] != "Total"].set_index("persona_name")[["n", "nps", "ci_low", "ci_high"]]
summary["share_pct"] = (team.cards.set_index(f"name_{language}")["share"] * 100).reindex(summary.index)
summary["worst_pain_point"] = worst["touchpoint"].reindex(summary.index).map(label)
summary["department"] = worst["department"].reindex(summary.index)
summary["note"] = worst["note"].reindex(summary.index)
save_table(summary.reset_index(), "persona_nps_pain", output_dir)
results["worst_pain_point_by_persona"] = worst["touchpoint"].astype(str).to_dict()
display(Markdown("### " + T["pain"]))
summary.round(1)
'''),
        md("""
### Exercise 4 · Übung 4

**EN** — Which persona would you invite first to a co-creation session to fix its journey? Argue with
its NPS, its size and its worst pain point.

**DE** — Welche Persona würden Sie zuerst zu einer Co-Creation-Sitzung einladen, um ihre Journey zu
verbessern? Mit NPS, Größe und größtem Schmerzpunkt begründen.
"""),
        code('''
# Your answer · Ihre Antwort
first_persona = None  # one of summary.index
'''),
        solution('''
# Solution · Lösung: the lowest NPS among personas of at least 10% of the customers
candidates = summary[summary["share_pct"] >= 10]
first_persona = candidates["nps"].idxmin()
row = candidates.loc[first_persona]
results["first_persona"] = str(first_persona)
display(Markdown(T["first"].format(p=first_persona, v=row["nps"], s=row["share_pct"], t=row["worst_pain_point"],
                                   note=row["note"])))
'''),
        md("""
## 9 · Export the typing tool · Das Typisierungstool exportieren

**EN** — The typing tool assigns *new* customers or respondents to the personas, so every later survey
and every CRM record can carry a persona. It is the fitted model with its variables and names; it
never overwrites a file. Load it with `cjm_lab.personas.load_model(path)` and call `.predict(data)`.

**DE** — Das Typisierungstool ordnet *neue* Kunden oder Befragte den Personas zu, damit jede spätere
Befragung und jeder CRM-Datensatz eine Persona trägt. Es ist das geschätzte Modell mit seinen
Variablen und Namen; es überschreibt nie eine Datei. Mit `cjm_lab.personas.load_model(path)` laden
und `.predict(data)` aufrufen.
"""),
        code('''
tool_path = Path(typing_tool) if typing_tool else work_dir / "personas_typing_tool.joblib"
written = widgets.export_typing_tool(team, tool_path)
tool = load_model(written)
new_customers = customers.drop(columns="customer_id").head(5)
typed = [tool.persona_names_[p] for p in tool.predict(new_customers)]
agreement = float((tool.predict(customers) == team.labels).mean() * 100)
results.update({"typing_tool": Path(written).name, "typing_tool_agreement_pct": agreement})
save_results(results, output_dir)
display(Markdown(T["typed"].format(f=Path(written).name, n=len(typed), names=", ".join(typed), p=agreement)))
'''),
        md("""
## Next steps · Nächste Schritte

**EN** — Put the cards on the wall; draw one customer journey map per persona (`cjm-lab report
journeys`); add the typing tool's questions to the next survey; check every quarter that the
personas still replicate (`choose_k` on new data).

**DE** — Die Steckbriefe an die Wand hängen; pro Persona eine Customer Journey Map zeichnen
(`cjm-lab report journeys`); die Fragen des Typisierungstools in die nächste Befragung aufnehmen;
jedes Quartal prüfen, ob sich die Personas noch wiederfinden (`choose_k` auf neuen Daten).
"""),
    ]


def cx_overview():
    return [
        md("""
# Customer experience overview

The management summary of cjm-lab: which data this report stands on and how likely customers
are to recommend the company (NPS with confidence intervals), in total and per survey wave.
"""),
        code('''
events_path: str = "data/sample/events.csv.gz"  # help: event log (customer_id, timestamp, touchpoint)
touchpoints_path: str = "data/sample/touchpoints.csv"  # help: touchpoint catalogue (touchpoint, stage, ...)
survey_path: str = "data/sample/survey.csv"  # help: survey responses with the 0-10 recommend score
customers_path: str = "data/sample/customers.csv"  # help: customer attributes
columns: str = ""  # help: optional YAML column-mapping file (sections events/touchpoints/survey/customers)
segment: str = "wave"  # help: survey column to break NPS down by
weight: str = "weight"  # help: survey weight column, or "" for unweighted
language: str = "en"  # help: language of the report text, en or de
output_dir: str = ""  # help: folder for tables and figures (set by the report runner)
''', "parameters"),
        code('''
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from cjm_lab import io, survey
from cjm_lab.reports import save_figure, save_results, save_table

TEXT = {
    "en": {"data": "## The data", "nps": "## Net Promoter Score", "by": "## NPS by {seg}",
           "summary": "NPS is **{nps:.1f}** (95% CI {lo:.1f} to {hi:.1f}) from {n:,} responses."},
    "de": {"data": "## Die Daten", "nps": "## Net Promoter Score", "by": "## NPS nach {seg}",
           "summary": "Der NPS liegt bei **{nps:.1f}** (95-%-KI {lo:.1f} bis {hi:.1f}) aus {n:,} Antworten."},
}[language]
mapping = columns or None
''', "remove_cell"),
        code('''
touchpoints = io.load_touchpoints(touchpoints_path, columns=mapping)
events = io.load_events(events_path, columns=mapping, touchpoints=touchpoints)
responses = io.load_survey(survey_path, columns=mapping)
customers = io.load_customers(customers_path, columns=mapping)
display(Markdown(TEXT["data"]))
overview = io.describe_tables(events=events, touchpoints=touchpoints, survey=responses, customers=customers)
save_table(overview, "data_overview", output_dir)
overview.drop(columns="source").round({"missing_pct": 1})
'''),
        code('''
display(Markdown(TEXT["nps"]))
w = weight or None
total = survey.nps(responses, weight=w)
save_table(total, "nps_total", output_dir)
row = total.iloc[0]
save_results({"nps_total": float(row["nps"]), "nps_n": int(row["n"])}, output_dir)
display(Markdown(TEXT["summary"].format(nps=row["nps"], lo=row["ci_low"], hi=row["ci_high"], n=int(row["n"]))))
total[["n", "n_eff", "pct_promoters", "pct_passives", "pct_detractors", "nps", "ci_low", "ci_high"]].round(1)
'''),
        code('''
display(Markdown(TEXT["by"].format(seg=segment)))
by_segment = survey.nps(responses, by=segment, weight=w)
save_table(by_segment, "nps_by_segment", output_dir)
fig, ax = plt.subplots(figsize=(7, 0.6 * len(by_segment) + 1.2))
labels = by_segment[segment].astype(str)
ax.barh(labels, by_segment["nps"], xerr=[by_segment["nps"] - by_segment["ci_low"], by_segment["ci_high"] - by_segment["nps"]],
        color="#4477AA", capsize=4)
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("NPS")
ax.invert_yaxis()
save_figure(fig, "nps_by_segment", output_dir)
by_segment[[segment, "n", "nps", "ci_low", "ci_high", "low_base"]].round(1)
'''),
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
segment: str = "wave"  # help: the column to compare segments by
period: str = "date"  # help: date column for the trend ("" to skip the trend)
freq: str = "M"  # help: trend period: W, M, Q or Y
weight: str = "weight"  # help: weight column, or "" for unweighted
drivers: list = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]  # help: driver ratings for the key driver analysis
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
''', "remove_cell"),
        code('''
display(Markdown(T["total"]))
total = survey.nps(responses, weight=w)
save_table(total, "nps_total", output_dir)
save_results({"nps_total": float(total["nps"].iloc[0]), "nps_n": int(total["n"].iloc[0])}, output_dir)
fig, ax = plt.subplots(figsize=(8, 1.8))
plots.plot_nps_distribution(total, ax=ax, language=language)
save_figure(fig, "nps_distribution", output_dir)
plt.show()
'''),
        code('''
display(Markdown(T["seg"].format(s=segment)))
by = survey.nps(responses, by=segment, weight=w)
save_table(by, "nps_by_segment", output_dir)
fig, ax = plt.subplots(figsize=(8, 0.5 * len(by) + 1.5))
plots.plot_nps(by, ax=ax, language=language)
save_figure(fig, "nps_by_segment", output_dir)
plt.show()
rest = survey.nps_vs_rest(responses, by=segment, weight=w, language=language)
save_table(rest, "nps_segment_vs_rest", output_dir)
sig = rest[rest["significant"]]
display(Markdown("\\n".join(f"- {t}" for t in sig["text"]) if len(sig) else T["none"]))
'''),
        code('''
if period:
    display(Markdown(T["trend"]))
    trend = survey.nps_trend(responses, period=period, freq=freq, weight=w, language=language)
    save_table(trend, "nps_trend", output_dir)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    plots.plot_nps_trend(trend, ax=ax, language=language)
    save_figure(fig, "nps_trend", output_dir)
    plt.show()
    display(Markdown("\\n".join(f"- {t}" for t in trend["text"] if t)))
'''),
        code('''
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
                                    score="recommend")
    save_table(themes.themes, "verbatim_themes", output_dir)
    save_table(themes.nps, "verbatim_themes_nps", output_dir)
    display(themes.nps.round(1))
    display(themes.examples.head(2 * n_themes))
'''),
    ]


def journeys():
    return [
        md("""
# Customer journeys

Which ways do customers take, where do they drop off or loop, which touchpoints earn the
conversions, and where does it hurt — department by department?
"""),
        code('''
events_path: str = "data/sample/events.csv.gz"  # help: event log (customer_id, timestamp, touchpoint)
touchpoints_path: str = "data/sample/touchpoints.csv"  # help: touchpoint catalogue
survey_path: str = "data/sample/survey.csv"  # help: survey for moments of truth ("" to skip)
segments_path: str = "data/sample/personas_truth.csv"  # help: optional table customer_id -> segment ("" to skip)
segment: str = "persona"  # help: segment column of segments_path
columns: str = ""  # help: optional YAML column-mapping file
funnel_steps: list = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]  # help: funnel steps
window: str = "30D"  # help: conversion window of the funnel
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
           "worst": "The worst pain point is **{t}** ({d}): {n}."},
    "de": {"paths": "## Die Wege der Kunden", "funnel": "## Trichter", "pain": "## Schmerzpunkte",
           "map": "## Die Customer Journey Map", "attr": "## Welche Kontaktpunkte Abschlüsse bringen",
           "trans": "## Übergänge zwischen Kontaktpunkten",
           "worst": "Der größte Schmerzpunkt ist **{t}** ({d}): {n}."},
}[language]
catalogue = io.load_touchpoints(touchpoints_path, columns=columns or None)
events = io.load_events(events_path, columns=columns or None, touchpoints=catalogue)
responses = io.load_survey(survey_path, columns=columns or None) if survey_path else None
by = None
if segments_path:
    seg = io.load_customers(segments_path, columns=columns or None)[["customer_id", segment]]
    events = events.merge(seg, on="customer_id", how="left")
    by = segment
''', "remove_cell"),
        code('''
display(Markdown(T["paths"]))
v = journeys.variants(events, touchpoints=catalogue, top=15)
save_table(v, "variants", output_dir)
fig, ax = plt.subplots(figsize=(12, 6))
plots.sankey_static(v, top=top_paths, ax=ax, language=language, touchpoints=catalogue)
save_figure(fig, "top_paths", output_dir)
plt.show()
display(HTML(plots.sankey_top_paths(v, top=top_paths, language=language, touchpoints=catalogue).to_html(
    full_html=False, include_plotlyjs=True)))
'''),
        code('''
display(Markdown(T["funnel"]))
f = journeys.funnel(events, steps=funnel_steps, window=window, touchpoints=catalogue)
save_table(f, "funnel", output_dir)
save_results({"funnel_conversion_pct": float(f["pct_of_start"].iloc[-1])}, output_dir)
fig, ax = plt.subplots(figsize=(9, 4))
plots.plot_funnel(f, ax=ax, language=language, touchpoints=catalogue)
save_figure(fig, "funnel", output_dir)
plt.show()
'''),
        code('''
display(Markdown(T["pain"]))
pp = journeys.pain_points(events, touchpoints=catalogue, survey=responses, language=language)
save_table(pp, "pain_points", output_dir)
worst = pp.iloc[0]
name = plots.touchpoint_labeller(catalogue, language)(worst["touchpoint"])
display(Markdown(T["worst"].format(t=name, d=plots.theme.department_label(worst["department"], language), n=worst["note"])))
save_results({"top_pain_point": str(worst["touchpoint"])}, output_dir)
fig, ax = plt.subplots(figsize=(11, 6))
plots.plot_pain_points(pp, ax=ax, language=language, touchpoints=catalogue, top=10)
save_figure(fig, "pain_points", output_dir)
plt.show()
'''),
        code('''
display(Markdown(T["map"]))
data = journeys.journey_map_data(events, touchpoints=catalogue, survey=responses, language=language)
fig = plots.journey_map(data)
save_figure(fig, "journey_map", output_dir, dpi=110)
plt.show()
if by:
    per = journeys.journey_map_data(events, touchpoints=catalogue, survey=responses, by=by, top_pain=3,
                                    language=language)
    fig = plots.journey_maps(per)
    save_figure(fig, "journey_maps_by_segment", output_dir, dpi=90)
    plt.show()
'''),
        code('''
display(Markdown(T["trans"]))
t = journeys.transitions(events, touchpoints=catalogue)
save_table(t, "transitions", output_dir)
fig, ax = plt.subplots(figsize=(11, 9))
plots.plot_transitions(t, ax=ax, language=language, touchpoints=catalogue)
save_figure(fig, "transitions", output_dir)
plt.show()
'''),
        code('''
display(Markdown(T["attr"]))
a = journeys.attribution(events, touchpoints=catalogue)
save_table(a, "attribution", output_dir)
fig, ax = plt.subplots(figsize=(11, 5))
plots.plot_attribution(a, ax=ax, language=language, touchpoints=catalogue)
save_figure(fig, "attribution", output_dir)
plt.show()
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
                        ("gallery", gallery())]:
        print(write(name, cells))
    print(write("workshop_personas", workshop_personas()))  # the persona workshop (issue 8)

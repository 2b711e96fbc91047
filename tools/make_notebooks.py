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
        code(
            """
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
""",
            "parameters",
        ),
        code('''
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display
from sklearn.metrics import adjusted_rand_score

from cjm_lab import io, journeys, plots, survey, widgets
from cjm_lab.personas import load_model
from cjm_lab.privacy import protect_table, shown_rows
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
        code("""
display(Markdown(T["data"].format(c=len(customers), r=len(responses), e=len(events),
                                  t=events["touchpoint"].nunique())))
# no customer's row is shown: each attitude as answers, mean and spread
customers[attitudes].agg(["count", "mean", "std"]).T.round(2)
"""),
        md("""
## 2 · What customers think · Was Kunden denken

**EN** — Before clustering, look at each attitude: how many agree, and how the items move together.
Items that everybody agrees with do not separate personas; items that split the customers do.

**DE** — Vor dem Clustern jede Einstellung ansehen: wie viele zustimmen und welche Aussagen
zusammenhängen. Aussagen, denen alle zustimmen, trennen keine Personas; Aussagen, die die Kunden
spalten, schon.
"""),
        code("""
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
"""),
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
        code("""
# Your answer · Ihre Antwort
strongest_pair = None  # e.g. ("att_digital", "att_convenience")
"""),
        solution("""
# Solution · Lösung
import numpy as np

pairs = corr.where(np.triu(np.ones(corr.shape, dtype=bool), k=1)).stack()
strongest_pair = pairs.abs().idxmax()
results["strongest_pair"] = list(strongest_pair)
display(Markdown(f"**{strongest_pair[0]} × {strongest_pair[1]}**: r = {pairs[strongest_pair]:.2f}"))
"""),
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
        code("""
persona_ex = widgets.persona_explorer(
    customers, variables=attitudes, candidates=attitudes + extra_variables, algorithm=algorithm, k=n_personas or "auto",
    k_range=(2, k_max), resamples=resamples, random_state=random_state, survey=responses, channel="preferred_channel",
    path=str(work_dir / "personas_from_explorer.joblib"), language=language)
persona_ex
"""),
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
        code("""
chosen = persona_ex.result
other_algorithm = "kmeans" if chosen.algorithm != "kmeans" else "gmm"
other = widgets.fit_personas(customers, variables=chosen.variables, algorithm=other_algorithm, k=chosen.k,
                             random_state=random_state, language=language)
ari = adjusted_rand_score(chosen.labels, other.labels)
results.update({"k": chosen.k, "algorithm": chosen.algorithm, "ari_vs_" + other_algorithm: round(float(ari), 4)})
display(Markdown(T["ari"].format(a=ari)))
both = pd.crosstab(pd.Series(chosen.labels, name=chosen.algorithm), pd.Series(other.labels, name=other_algorithm))
protect_table(both.reset_index(), base="cells", by=chosen.algorithm).set_index(chosen.algorithm)  # small cells hidden
"""),
        md("""
### Exercise 2 · Übung 2

**EN** — Add the demographics and behaviour (`extra_variables`) to the attitudes and build a
segmentation with the same k. Does it agree with the attitude-only personas? Why might personas built
on *who* customers are differ from personas built on *what they want*?

**DE** — Die Demografie und das Verhalten (`extra_variables`) zu den Einstellungen hinzunehmen und
eine Segmentierung mit demselben k bilden. Stimmt sie mit den Personas aus den Einstellungen überein?
Warum können Personas danach, *wer* Kunden sind, von Personas danach, *was sie wollen*, abweichen?
"""),
        code("""
# Your answer · Ihre Antwort
mixed = None  # widgets.fit_personas(customers, variables=..., k=chosen.k)
"""),
        solution("""
# Solution · Lösung
mixed = widgets.fit_personas(customers, variables=attitudes + extra_variables, algorithm=chosen.algorithm,
                             k=chosen.k, random_state=random_state, language=language)
ari_mixed = adjusted_rand_score(chosen.labels, mixed.labels)
results["ari_with_demographics"] = round(float(ari_mixed), 4)
display(Markdown(T["ari"].format(a=ari_mixed)))
"""),
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
        code("""
lang_cols = [f"name_{language}", f"key_traits_{language}", "share", "nps"]
protect_table(chosen.cards).set_index("persona")[lang_cols].round(2)  # personas below the minimum size hidden
"""),
        md("""
### Exercise 3 · Übung 3

**EN** — Read each persona's key traits and give it a name of one to three words.

**DE** — Die Merkmale jeder Persona lesen und ihr einen Namen aus ein bis drei Wörtern geben.

<details><summary>Hint · Hinweis</summary>

`widgets.rename_personas(chosen, {0: "…", 1: "…"})` returns the renamed personas with new cards ·
gibt die umbenannten Personas mit neuen Steckbriefen zurück.
</details>
"""),
        code("""
# Your answer · Ihre Antwort
my_names = {}  # {0: "...", 1: "..."}
"""),
        solution("""
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
"""),
        code("""
names = dict(enumerate(persona_names)) if persona_names else (my_names or solution_names)
team = widgets.rename_personas(chosen, names)
results["persona_names"] = [team.names[p] for p in sorted(team.names)]
display(Markdown(T["names"].format(n=", ".join(f"**{n}**" for n in results["persona_names"]))))
"""),
        md("""
## 6 · Write the cards · Steckbriefe schreiben

**EN** — One card per persona: name, size, key traits, feelings (NPS), channels and a short
narrative. Print them, hang them on the wall, use them in every journey workshop.

**DE** — Ein Steckbrief pro Persona: Name, Größe, Merkmale, Gefühle (NPS), Kanäle und eine kurze
Erzählung. Ausdrucken, an die Wand hängen, in jedem Journey-Workshop nutzen.
"""),
        code("""
save_table(team.cards, "persona_cards", output_dir)
fig = plots.plot_persona_cards(shown_rows(team.cards), language=language)  # no card for a persona below the minimum
save_figure(fig, "persona_cards", output_dir)
plt.show()
"""),
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
        code("""
assignments = team.assignments()
answers = responses.merge(assignments, on="customer_id", how="left")
nps_ex = widgets.nps_explorer(answers, segments=["persona_name", "wave"], persona="persona_name", weight="weight",
                              drivers=drivers, dont_know=99, language=language)
nps_ex
"""),
        code("""
by_persona = survey.nps(answers, by="persona_name", weight="weight")
save_table(by_persona, "nps_by_persona", output_dir)
persona_shown = shown_rows(by_persona)  # personas with fewer respondents than the minimum: no number, no bar
results["nps_by_persona"] = {str(k): round(float(v), 2) for k, v in zip(persona_shown["persona_name"], persona_shown["nps"])}
fig, ax = plt.subplots(figsize=(8, 0.5 * len(persona_shown) + 1.5))
plots.plot_nps(persona_shown, ax=ax, language=language, title=T["nps"])
save_figure(fig, "nps_by_persona", output_dir)
plt.show()
"""),
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
        code("""
journey_events = events.merge(assignments[["customer_id", "persona_name"]], on="customer_id", how="left")
journey_ex = widgets.journey_explorer(journey_events, touchpoints=catalogue, survey=responses,
                                      segment="persona_name", steps=funnel_steps, language=language)
journey_ex
"""),
        code("""
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
summary = shown_rows(summary.reset_index()).set_index("persona_name")  # only personas the tables show
display(Markdown("### " + T["pain"]))
summary.round(1)
"""),
        md("""
### Exercise 4 · Übung 4

**EN** — Which persona would you invite first to a co-creation session to fix its journey? Argue with
its NPS, its size and its worst pain point.

**DE** — Welche Persona würden Sie zuerst zu einer Co-Creation-Sitzung einladen, um ihre Journey zu
verbessern? Mit NPS, Größe und größtem Schmerzpunkt begründen.
"""),
        code("""
# Your answer · Ihre Antwort
first_persona = None  # one of summary.index
"""),
        solution("""
# Solution · Lösung: the lowest NPS among personas of at least 10% of the customers
candidates = summary[summary["share_pct"] >= 10]
first_persona = candidates["nps"].idxmin()
row = candidates.loc[first_persona]
results["first_persona"] = str(first_persona)
display(Markdown(T["first"].format(p=first_persona, v=row["nps"], s=row["share_pct"], t=row["worst_pain_point"],
                                   note=row["note"])))
"""),
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
        code("""
tool_path = Path(typing_tool) if typing_tool else work_dir / "personas_typing_tool.joblib"
written = widgets.export_typing_tool(team, tool_path)
tool = load_model(written)
new_customers = customers.drop(columns="customer_id").head(5)
typed = [tool.persona_names_[p] for p in tool.predict(new_customers)]
agreement = float((tool.predict(customers) == team.labels).mean() * 100)
results.update({"typing_tool": Path(written).name, "typing_tool_agreement_pct": agreement})
save_results(results, output_dir)
display(Markdown(T["typed"].format(f=Path(written).name, n=len(typed), names=", ".join(typed), p=agreement)))
"""),
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
    return [  # the title and introduction come from the setup cell, in the report's language
        code(
            """
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
""",
            "parameters",
        ),
        code(
            """
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import dataclasses

from cjm_lab import io, journeys, personas, plots, survey
from cjm_lab.plots.theme import department_label
from cjm_lab.privacy import protect_table, shown_changes, shown_rows
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
""",
            "remove_cell",
        ),
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
pain = journeys.pain_points(events, touchpoints=touchpoints, survey=responses, language=language)
map_data = journeys.journey_map_data(events, touchpoints=touchpoints, survey=responses, top_pain=top_pain,
                                     language=language, pain=pain)
ipa = None
if drivers:
    kd = survey.key_drivers(responses, outcome="recommend", drivers=drivers, weight=w, dont_know=dont_know)
    ipa = survey.importance_performance(kd, responses, scale=tuple(driver_scale), dont_know=dont_know,
                                       language=language)
# what the report may show, draw and write about: the groups not suppressed in the saved tables
trend_shown, persona_shown = shown_rows(trend), shown_rows(by_persona)
gaps_shown = gaps[gaps["segment"].astype(str).isin(persona_shown["persona"].astype(str))]
pain_shown = shown_rows(pain)
map_shown = dataclasses.replace(map_data, touchpoints=shown_rows(map_data.touchpoints))
rec = recommendations(pain_shown, nps_segments=gaps_shown, drivers=ipa, top=n_recommendations,
                      touchpoint_label=tp_label, department_label=dep_label, driver_label=drv_label, language=language)
for name, table in {"nps_total": total, "nps_trend": trend, "nps_by_persona": by_persona, "nps_persona_vs_rest": gaps,
                    "pain_points": pain, "recommendations": rec, "journey_map_touchpoints": map_data.touchpoints}.items():
    save_table(table, name, output_dir)
row = total.iloc[0]
truths = map_shown.touchpoints[map_shown.touchpoints["moment_of_truth"].fillna(False).astype(bool)]
save_results({"nps_total": float(row["nps"]), "nps_n": int(row["n"]),
              "nps_by_trend": {str(p): float(v) for p, v in zip(trend_shown["period"], trend_shown["nps"])},
              "n_personas": int(segments["persona"].nunique()),
              "top_pain_points": pain_shown.dropna(subset=["rank"]).head(n_recommendations)["touchpoint"].tolist(),
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
if len(trend_shown):  # periods of fewer respondents than the minimum are neither drawn nor described
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plots.plot_nps_trend(trend_shown, ax=ax, language=language)
    save_figure(fig, "nps_trend", output_dir)
    plt.show()
# a change sentence quotes the previous period too: only where both periods are shown
display(Markdown("\\n".join(f"- {t}" for t in shown_changes(trend)["text"] if t)))
"""),
        code("""
display(Markdown(T["personas"]))
display(Markdown(persona_note))
fig, ax = plt.subplots(figsize=(8, 0.5 * len(persona_shown) + 1.5))
plots.plot_nps(persona_shown, ax=ax, language=language, title=T["persona_nps"])
save_figure(fig, "nps_by_persona", output_dir)
plt.show()
display(protect_table(by_persona).set_index("persona")[["n", "nps", "ci_low", "ci_high", "suppressed"]].round(1))
sig = gaps_shown[gaps_shown["significant"]]
if len(sig):
    display(Markdown("\\n".join(f"- {t}" for t in sig["text"])))
"""),
        code("""
display(Markdown(T["map"]))
display(Markdown(T["map_text"]))
fig = plots.journey_map(map_shown)
save_figure(fig, "journey_map", output_dir, dpi=110, title=T["map"].lstrip("# "))
plt.show()
"""),
        code("""
display(Markdown(T["pain"]))
top = pain_shown.dropna(subset=["rank"]).head(top_pain)
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
save_table(overview, "data_overview", output_dir, base=False)  # counts of whole tables: no groups
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
        code(
            """
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
""",
            "parameters",
        ),
        code(
            """
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from cjm_lab import io, plots, survey
from cjm_lab.privacy import protect_table, shown_changes, shown_rows
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
""",
            "remove_cell",
        ),
        code("""
display(Markdown(T["total"]))
total = survey.nps(responses, weight=w, rescale=rs)
save_table(total, "nps_total", output_dir)
save_results({"nps_total": float(total["nps"].iloc[0]), "nps_n": int(total["n"].iloc[0]),
              "measure": str(total["measure"].iloc[0])}, output_dir)
fig, ax = plt.subplots(figsize=(8, 1.8))
plots.plot_nps_distribution(total, ax=ax, language=language)
save_figure(fig, "nps_distribution", output_dir)
plt.show()
"""),
        code("""
if segment:
    display(Markdown(T["seg"].format(s=segment)))
    by = survey.nps(responses, by=segment, weight=w, rescale=rs)
    save_table(by, "nps_by_segment", output_dir)
    by_shown = shown_rows(by)  # groups below the minimum size are neither drawn nor described
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(by_shown) + 1.5))
    plots.plot_nps(by_shown, ax=ax, language=language)
    save_figure(fig, "nps_by_segment", output_dir)
    plt.show()
    display(protect_table(by).set_index(segment)[["n", "nps", "ci_low", "ci_high", "suppressed"]].round(1))
    rest = survey.nps_vs_rest(responses, by=segment, weight=w, rescale=rs, language=language)
    save_table(rest, "nps_segment_vs_rest", output_dir)
    rest = rest[rest["segment"].astype(str).isin(by_shown[segment].astype(str))]
    sig = rest[rest["significant"]]
    display(Markdown("\\n".join(f"- {t}" for t in sig["text"]) if len(sig) else T["none"]))
"""),
        code("""
if period:
    display(Markdown(T["trend"]))
    trend = survey.nps_trend(responses, period=period, freq=freq or None, weight=w, rescale=rs, language=language)
    save_table(trend, "nps_trend", output_dir)
    trend_shown = shown_rows(trend)  # periods of fewer respondents than the minimum are neither drawn nor described
    if len(trend_shown):
        fig, ax = plt.subplots(figsize=(8, 3.5))
        plots.plot_nps_trend(trend_shown, ax=ax, language=language)
        save_figure(fig, "nps_trend", output_dir)
        plt.show()
    # a change sentence quotes the previous period too: only where both periods are shown
    display(Markdown("\\n".join(f"- {t}" for t in shown_changes(trend)["text"] if t)))
"""),
        code("""
if drivers:
    display(Markdown(T["drivers"]))
    kd = survey.key_drivers(responses, outcome="recommend", drivers=drivers, weight=w, dont_know=dont_know,
                            bootstrap=200, random_state=1)
    save_table(kd, "key_drivers", output_dir, base=False)  # model coefficients: no groups
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
"""),
        code("""
if comment:
    display(Markdown(T["themes"]))
    themes = survey.verbatim_themes(responses, text=comment, language=comment_language, n_themes=n_themes,
                                    score=None if rs else "recommend")  # theme NPS only on a 0-10 scale
    save_table(themes.themes, "verbatim_themes", output_dir)
    shown_themes = shown_rows(themes.themes)["theme"]  # themes of fewer people than the minimum stay hidden
    if themes.nps is not None:
        save_table(themes.nps, "verbatim_themes_nps", output_dir)
        shown_themes = shown_themes[shown_themes.isin(shown_rows(themes.nps)["theme"])]
        display(protect_table(themes.nps).round(1))
    else:
        display(protect_table(themes.themes))
    # PII-masked comments of the shown themes only, without `row` (it points back to the respondent)
    examples = themes.examples[themes.examples["theme"].isin(shown_themes)].drop(columns="row", errors="ignore")
    display(protect_table(examples, base=False).head(2 * n_themes))
"""),
    ]


def journeys():
    return [
        md("""
# Customer journeys

Which ways do customers take, where do they drop off or loop, which touchpoints earn the
conversions, and where does it hurt — department by department?
"""),
        code(
            """
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
""",
            "parameters",
        ),
        code(
            """
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import dataclasses

from cjm_lab import io, journeys, plots
from cjm_lab.privacy import min_group_size, shown_rows
from cjm_lab.reports import save_figure, save_results, save_table, trusted_html

T = {
    "en": {"paths": "## The ways customers take", "funnel": "## Funnel", "pain": "## Pain points",
           "map": "## The customer journey map", "attr": "## Which touchpoints earn the conversions",
           "trans": "## Transitions between touchpoints",
           "paths_text": "{j} journeys take {v} different paths; the most frequent {t} cover {c} of them.",
           "worst": "The worst pain point is **{t}** ({d}): {n}.",
           "hidden": "Not drawn: every group here holds fewer than {k} customers (data protection)."},
    "de": {"paths": "## Die Wege der Kunden", "funnel": "## Trichter", "pain": "## Schmerzpunkte",
           "map": "## Die Customer Journey Map", "attr": "## Welche Kontaktpunkte Abschlüsse bringen",
           "trans": "## Übergänge zwischen Kontaktpunkten",
           "paths_text": "{j} Kundenreisen nehmen {v} verschiedene Wege; die {t} häufigsten decken {c} davon ab.",
           "worst": "Der größte Schmerzpunkt ist **{t}** ({d}): {n}.",
           "hidden": "Nicht dargestellt: jede Gruppe hier umfasst weniger als {k} Kunden (Datenschutz)."},
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
hidden_note = lambda: display(Markdown(T["hidden"].format(k=min_group_size())))
""",
            "remove_cell",
        ),
        code("""
display(Markdown(T["paths"]))
every = journeys.variants(events, **opts)
n_journeys, n_variants = int(every["n_journeys"].sum()), int(len(every))
v = journeys.top_variants(every, 15)
save_table(v, "variants", output_dir)
save_results({"n_events": int(len(events)), "n_journeys": n_journeys, "n_variants": n_variants}, output_dir)
covered = every["n_journeys"].head(top_paths).sum() / n_journeys * 100
display(Markdown(T["paths_text"].format(j=plots.format_number(n_journeys, 0, language),
                                        v=plots.format_number(n_variants, 0, language), t=top_paths,
                                        c=plots.format_percent(covered, 0, language))))
v_shown = shown_rows(v)  # paths taken by fewer customers than the minimum group size are not drawn
if (v_shown["path"] != journeys.OTHER_LABEL).any():
    fig, ax = plt.subplots(figsize=(12, 6))
    plots.sankey_static(v_shown, top=top_paths, ax=ax, language=language, touchpoints=catalogue)
    save_figure(fig, "top_paths", output_dir)
    plt.show()
    display(trusted_html(plots.sankey_top_paths(v_shown, top=top_paths, language=language, touchpoints=catalogue).to_html(
        full_html=False, include_plotlyjs=True)))
else:
    hidden_note()
"""),
        code("""
if funnel_steps:
    display(Markdown(T["funnel"]))
    f = journeys.funnel(events, steps=funnel_steps, window=window or None, **opts)
    save_table(f, "funnel", output_dir)
    f_shown = shown_rows(f)  # steps reached by fewer customers than the minimum are not drawn
    if f.index[-1] in f_shown.index:
        save_results({"funnel_conversion_pct": float(f["pct_of_start"].iloc[-1])}, output_dir)
    if len(f_shown):
        fig, ax = plt.subplots(figsize=(9, 4))
        plots.plot_funnel(f_shown, ax=ax, language=language, touchpoints=catalogue)
        save_figure(fig, "funnel", output_dir)
        plt.show()
    else:
        hidden_note()
"""),
        code("""
display(Markdown(T["pain"]))
pp = journeys.pain_points(events, survey=responses, language=language, **pain_opts, **opts)
save_table(pp, "pain_points", output_dir)
pp_shown = shown_rows(pp)  # touchpoints met by fewer customers than the minimum are not described
if len(pp_shown):
    worst = pp_shown.iloc[0]
    display(Markdown(T["worst"].format(t=label(worst["touchpoint"]),
                                       d=plots.theme.department_label(worst["department"], language), n=worst["note"])))
    save_results({"top_pain_point": str(worst["touchpoint"]), "top_pain_issue": str(worst["main_issue"])}, output_dir)
    fig, ax = plt.subplots(figsize=(11, 6))
    plots.plot_pain_points(pp_shown, ax=ax, language=language, touchpoints=catalogue, top=10)
    save_figure(fig, "pain_points", output_dir)
    plt.show()
else:
    hidden_note()
"""),
        code("""
display(Markdown(T["map"]))
data = journeys.journey_map_data(events, survey=responses, language=language, pain=pp, **pain_opts, **opts)
map_shown = shown_rows(data.touchpoints)  # touchpoints met by fewer customers than the minimum are left off
if len(map_shown):
    fig = plots.journey_map(dataclasses.replace(data, touchpoints=map_shown))
    save_figure(fig, "journey_map", output_dir, dpi=110, title=T["map"].lstrip("# "))
    plt.show()
else:
    hidden_note()
if by:
    per = journeys.journey_map_data(events, survey=responses, by=by, top_pain=3, language=language, **pain_opts,
                                    **opts)
    # one map per segment of at least the minimum group size of customers, without its small touchpoints
    n_customers = events.groupby(by, observed=True)["customer_id"].nunique()
    per_shown = dataclasses.replace(per, touchpoints=shown_rows(per.touchpoints))
    big = [s for s in per_shown.segments() if n_customers.get(s, 0) >= min_group_size()]
    if big:
        fig = plots.journey_maps(per_shown, segments=big)
        save_figure(fig, "journey_maps_by_segment", output_dir, dpi=90, title=f'{T["map"].lstrip("# ")}: {by}')
        plt.show()
"""),
        code("""
display(Markdown(T["trans"]))
t = journeys.transitions(events, **opts)
save_table(t, "transitions", output_dir)
t_shown = shown_rows(t)  # transitions made by fewer customers than the minimum are not drawn
if len(t_shown):
    fig, ax = plt.subplots(figsize=(11, 9))
    plots.plot_transitions(t_shown, ax=ax, language=language, touchpoints=catalogue)
    save_figure(fig, "transitions", output_dir)
    plt.show()
else:
    hidden_note()
"""),
        code("""
if has_conversions:
    display(Markdown(T["attr"]))
    a = journeys.attribution(events, **opts)
    save_table(a, "attribution", output_dir, base=False)  # credit per touchpoint and model: no groups
    fig, ax = plt.subplots(figsize=(11, 5))
    plots.plot_attribution(a, ax=ax, language=language, touchpoints=catalogue)
    save_figure(fig, "attribution", output_dir)
    plt.show()
"""),
    ]


def personas():
    return [
        md("""
# Personas

Which groups of customers with distinct needs, behaviour and feelings hide in the data, how many
of them the data really support, what sets each apart, and how to recognise a new customer's
persona with a few questions (the typing tool).
"""),
        code(
            """
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
allow_rows: bool = False  # help: also write persona_assignments.csv, one row per customer (ids pseudonymised with the configured salt); off: the report holds aggregates only
language: str = "en"  # help: language of the report, en or de
output_dir: str = ""  # help: folder for tables, figures and the typing tool (set by the report runner)
""",
            "parameters",
        ),
        code(
            """
import dataclasses
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from cjm_lab import io, personas, plots, survey
from cjm_lab.privacy import min_group_size, protect_table, shown_rows
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
           "hidden": "Not described, to protect groups of fewer than {k} customers (data protection): {p}.",
           "rows": "Each customer's persona (`persona_assignments.csv`, ids pseudonymised) is written because "
                   "`allow_rows` is set.",
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
           "hidden": "Nicht beschrieben, zum Schutz von Gruppen mit weniger als {k} Kunden (Datenschutz): {p}.",
           "rows": "Die Persona jedes Kunden (`persona_assignments.csv`, Kennungen pseudonymisiert) wird geschrieben, "
                   "weil `allow_rows` gesetzt ist.",
           "persona": "Persona", "share": "Anteil"},
}[language]
customers = io.load_customers(customers_path, columns=columns or None, create_ids=create_ids,
                              missing_values=missing_values, missing_codes=missing_codes, ordinal=ordinal)
used = list(basis) or [c for c in customers.columns if c != "customer_id"]
described = [c for c in profile_columns if c not in used]
responses = io.load_survey(survey_path, columns=columns or None) if survey_path else None
pct = lambda x: plots.format_percent(x, 0, language)
""",
            "remove_cell",
        ),
        code("""
display(Markdown(T["data"]))
display(Markdown(T["data_text"].format(n=plots.format_number(len(customers), 0, language), b=len(used),
                                       cols=", ".join(used))))
"""),
        code("""
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
"""),
        code("""
display(Markdown(T["sizes"]))
model = personas.PersonaModel(n_personas=n_personas, columns=used, algorithm=algorithm, random_state=seed).fit(customers)
prof = personas.profile(customers, model, variables=used + described, clustered_on=used, survey=responses)
cards = personas.persona_cards(customers, model, variables=used + described, clustered_on=used, survey=responses,
                               satisfaction=(satisfaction or None) if responses is not None else None,
                               dont_know=dont_know, channel=channel or None, names=names or None,
                               profile_result=prof, choose_k_result=k_table)  # the cards say when no k is stable
save_table(prof.sizes, "persona_sizes", output_dir)
save_table(prof.variables, "persona_profiles", output_dir)
save_table(prof.traits, "persona_traits", output_dir)
save_table(cards, "persona_cards", output_dir)
name_col = f"name_{language}"
# personas smaller than the minimum group size are counted but not described, drawn or named with numbers
cards_shown = shown_rows(cards)
shown = set(cards_shown["persona"])
hidden = [str(x) for p, x in zip(cards["persona"], cards[name_col]) if p not in shown]
prof_shown = dataclasses.replace(prof, **{f: getattr(prof, f)[getattr(prof, f)["persona"].isin(shown)]
                                          for f in ("sizes", "variables", "traits")})
save_results({"n_personas": int(n_personas), "recommended_k": recommended, "n_customers": int(len(customers)),
              "persona_sizes": {str(p): int(n) for p, n in zip(prof_shown.sizes["persona"], prof_shown.sizes["n"])},
              "persona_names": {str(p): str(x) for p, x in zip(cards["persona"], cards[name_col])}}, output_dir)
if hidden:
    display(Markdown(T["hidden"].format(k=min_group_size(), p=", ".join(hidden))))
sizes = protect_table(cards[["persona", name_col, "n", "share"]]).rename(columns={name_col: T["persona"]})
sizes["share"] = sizes["share"].map(lambda x: pct(100 * x) if pd.notna(x) else "")
sizes.drop(columns="suppressed").rename(columns={"share": T["share"]}).set_index("persona")
"""),
        code("""
display(Markdown(T["profile"]))
display(Markdown(T["profile_text"]))
fig, ax = plt.subplots(figsize=(11, max(5, 0.28 * prof.variables[["variable", "level"]].drop_duplicates().shape[0])))
plots.plot_persona_profile(prof_shown, ax=ax, language=language)
save_figure(fig, "persona_profile", output_dir)
plt.show()
"""),
        code("""
display(Markdown(T["cards"]))
fig = plots.plot_persona_cards(cards_shown, language=language)
save_figure(fig, "persona_cards", output_dir)
plt.show()
display(Markdown("\\n".join(f"- {t}" for t in cards_shown[f"narrative_{language}"])))
"""),
        code("""
if prof.nps is not None:
    display(Markdown(T["nps"]))
    by = prof.nps.copy()
    save_table(by, "nps_by_persona", output_dir)
    by["persona"] = by["persona"].map(lambda p: dict(zip(cards["persona"].astype(str), cards[name_col])).get(str(p), p))
    by = shown_rows(by)  # personas with fewer respondents than the minimum are not drawn
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(by) + 1.5))
    plots.plot_nps(by, ax=ax, language=language)
    save_figure(fig, "nps_by_persona", output_dir)
    plt.show()
"""),
        code("""
display(Markdown(T["typing"]))
gq = personas.golden_questions(customers, model, candidates=used, n=golden_n or None, random_state=seed)
save_table(gq.table, "golden_questions", output_dir)
if allow_rows:  # row-level output only when asked for; save_table pseudonymises the ids
    assignments = pd.DataFrame({"customer_id": customers["customer_id"], "persona": model.labels_})
    assignments["persona_name"] = assignments["persona"].map(dict(zip(cards["persona"], cards[name_col])))
    save_table(assignments, "persona_assignments", output_dir, base=False, allow_rows=True)
    display(Markdown(T["rows"]))
if output_dir:
    model.save(os.path.join(output_dir, "personas.joblib"))
    personas.save_model(gq, os.path.join(output_dir, "golden_questions.joblib"))
save_results({"golden_questions": list(gq.questions), "golden_accuracy": float(gq.accuracy),
              "typing_accuracy_all": float(gq.accuracy_all)}, output_dir)
display(Markdown(T["typing_text"].format(q=len(gq.questions), a=pct(100 * gq.accuracy), n=len(used),
                                         b=pct(100 * gq.accuracy_all), qs=", ".join(gq.questions))))
"""),
    ]


def gallery():
    return [
        md("""
# Gallery: every chart of cjm-lab, in English and German

One visual language for all results — the same colours for NPS groups, personas, stages and
departments in every chart. Each chart is drawn twice: English, then German.
"""),
        code(
            """
customers_n: int = 1500  # help: customers generated for the gallery (small: it renders every chart twice)
seed: int = 7  # help: seed of the sample generator
languages: list = ["en", "de"]  # help: languages to draw
output_dir: str = ""  # help: folder for figures (set by the report runner)
""",
            "parameters",
        ),
        code(
            """
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from cjm_lab import journeys, personas, plots, survey
from cjm_lab.reports import save_figure, trusted_html
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
""",
            "remove_cell",
        ),
        code("""
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
"""),
        code("""
for lang in languages:
    display(Markdown(f"## Personas ({lang})"))
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
"""),
        code("""
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
    display(trusted_html(plots.sankey_top_paths(results["variants"], top=8, language=lang, touchpoints=cat).to_html(
        full_html=False, include_plotlyjs=(lang == languages[0]))))
"""),
        code("""
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
"""),
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
    for name, cells in [
        ("cx_overview", cx_overview()),
        ("survey_nps", survey_nps()),
        ("journeys", journeys()),
        ("personas", personas()),
        ("gallery", gallery()),
    ]:
        print(write(name, cells))
    print(write("workshop_personas", workshop_personas()))  # the persona workshop (issue 8)

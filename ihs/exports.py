"""Exports for French Excel: CSV with semicolons and a BOM, XLSX; formula injection escaped.

What a partner sees when the file opens: French headers, dates `JJ/MM/AAAA` and date-times
`JJ/MM/AAAA HH:MM`, whole numbers without a decimal part (even in a column with empty cells),
amounts in euros with two decimals, other decimals with a comma, Oui/Non for yes-or-no columns.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, select

from ihs import models as m

# Tables a user may export. Not exported: accounts (password hashes), settings (the Paramètres
# page shows them), the data version (a counter for the servers' caches).
EXPORTABLE = {t.name: t for t in m.Base.metadata.sorted_tables if t.name not in {"app_user", "setting", "data_version"}}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

COLUMN_LABELS = {
    "action": "Action",
    "actual_end": "Fin réelle",
    "actual_start": "Début réel",
    "after": "Après",
    "amount_eur": "Montant (€)",
    "as_of": "Date du relevé",
    "at": "Quand",
    "attendance": "Participants",
    "ballot_id": "Scrutin (n°)",
    "before": "Avant",
    "blank": "Blancs",
    "closes_at": "Clôture",
    "code": "Code",
    "computers_sold": "Ordinateurs vendus",
    "contracts_terminated": "Contrats résiliés",
    "correction_reason": "Raison de la correction",
    "count_place": "Lieu du dépouillement",
    "created_at": "Créé le",
    "created_by": "Créé par",
    "deleted_at": "Supprimé le",
    "deleted_reason": "Raison de la suppression",
    "deployment_id": "Déploiement (n°)",
    "description": "Description",
    "documents_left": "Documents laissés",
    "done": "Fait",
    "doors_answered": "Portes ouvertes",
    "doors_knocked": "Portes frappées",
    "due_on": "Échéance",
    "dwellings": "Logements",
    "ends_at": "Fin",
    "entered_at": "Saisi le",
    "entered_by": "Saisi par",
    "entry_no": "Saisie (n°)",
    "event_id": "Événement (n°)",
    "facility_id": "Équipement (n°)",
    "frozen_as_of": "Chiffres arrêtés au",
    "geo_source": "Source du contour",
    "geojson": "Contour (GeoJSON)",
    "held_on": "Date de la séance",
    "id": "N°",
    "in_box": "Bulletins dans l'urne",
    "is_correction": "Correction",
    "is_open": "Ouverte",
    "kind": "Type",
    "landlord_id": "Bailleur (n°)",
    "lat": "Latitude",
    "locked_at": "Verrouillé le",
    "locked_by": "Verrouillé par",
    "lon": "Longitude",
    "meeting_id": "Séance (n°)",
    "month": "Mois",
    "monthly_price_eur": "Prix mensuel par logement (€)",
    "move_ins": "Emménagements",
    "name": "Nom",
    "no": "Non",
    "notes": "Notes",
    "occurred_on": "Date",
    "offer_id": "Offre (n°)",
    "offers_compared": "Offres comparées",
    "opens_at": "Ouverture",
    "operator_id": "Opérateur (n°)",
    "organisation_id": "Organisation (n°)",
    "organiser_id": "Organisateur (n°)",
    "outcome": "Résultat",
    "owner": "Responsable",
    "people_seen": "Personnes reçues",
    "place": "Lieu",
    "place_id": "Bureau de vote (n°)",
    "planned_end": "Fin prévue",
    "planned_sessions": "Séances prévues",
    "planned_start": "Début prévu",
    "qpv_code": "Code QPV",
    "quorum_pct": "Quorum (%)",
    "reach": "Personnes touchées",
    "reason": "Raison",
    "registered": "Logements inscrits",
    "reported_at": "Heure du relevé",
    "returning_participants": "Participants déjà venus",
    "role": "Rôle",
    "row_id": "Ligne",
    "rule": "Règle",
    "sector_id": "Secteur (n°)",
    "series_id": "Série (n°)",
    "session_no": "Séance (n°)",
    "short_name": "Nom court",
    "snapshot": "Chiffres arrêtés",
    "source": "Source",
    "stage": "Étape",
    "starts_at": "Début",
    "status": "Statut",
    "subkind": "Précision",
    "subscribers": "Abonnés",
    "table_name": "Table",
    "text": "Texte",
    "title": "Titre",
    "topics": "Sujets",
    "unlock_reason": "Raison du déverrouillage",
    "username": "Utilisateur",
    "valid_from": "Valable à partir du",
    "active": "Active",
    "archived_on": "Sorti du programme le",
    "validated_at": "Validé le",
    "validated_by": "Validé par",
    "void": "Nuls",
    "voters": "Votants",
    "warnings_note": "Note sur les avertissements",
    "year": "Année",
    "yes": "Oui",
    # Columns of the dashboards' tables (chart downloads).
    "sector": "Secteur",
    "sectors": "Secteurs",
    "uptake": "Taux d'adhésion",
    "share": "Part",
    "newcomer_share": "Part des ménages arrivés depuis le scrutin",
    "label": "Libellé",
    "value": "Valeur",
    "turnout": "Participation",
    "date": "Date",
    "count": "Nombre",
    "total": "Total",
    # The calendar's table.
    "sector_code": "Code du secteur",
    "sector_name": "Secteur",
    "status_label": "Statut",
    "stage_label": "Étape",
    "stage_no": "Étape (n°)",
    "kind_label": "Type",
    "start": "Début",
    "end": "Fin",
    "deployment_first": "Premier jour du déploiement",
    "deployment_last": "Dernier jour du déploiement",
    # Collective cost (Abonnés et adhésion, « Tarif et coût »).
    "on": "Au",
    "months": "Mois facturés",
    "charges_eur": "Facturé dans l'année (€)",
    "run_rate_eur": "Rythme annuel (€)",
    "cost_per_subscriber_eur": "Rythme annuel par abonné (€)",
    "charged_dwellings": "Logements facturés",
    "sectors_without_offer": "Secteurs sans offre",
}


def label(column: str) -> str:
    """The French header of a column (its own name when it has none: a dashboard's French name)."""
    return COLUMN_LABELS.get(column, column)


def _is_money(column: str) -> bool:
    return column.endswith("_eur") or "price" in column or "prix" in column.lower()


def _text(value, money: bool) -> str:
    """One cell as French Excel reads it."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, pd.Timestamp | datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if money:
            return f"{value:.2f}".replace(".", ",")
        if float(value).is_integer():
            return str(int(value))
        return f"{float(value):.10g}".replace(".", ",")
    return str(value)


def escape_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell passed through `escape_cell`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell)
    return out


def french_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text French Excel shows, under French headers (formulas escaped first)."""
    escaped = escape_frame(df)
    out = pd.DataFrame(index=escaped.index)
    for col in escaped.columns:
        money = _is_money(str(col))
        out[label(str(col))] = [_text(v, money) for v in escaped[col].astype(object)]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV that French Excel opens as is: `;` separator, UTF-8 with BOM, cells in French."""
    # CRLF rows (Excel's own): the csv writer then quotes a cell holding a bare CR, which Excel
    # would otherwise read as a row break, the rest of the cell starting a line unescaped.
    csv = french_text(df).to_csv(index=False, sep=";", lineterminator="\r\n")
    return csv.encode("utf-8-sig")


def _excel_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Real numbers and dates for Excel, French headers, Oui/Non, JSON as text."""
    out = escape_frame(df)
    for col in out.columns:
        values = out[col].dropna()
        if len(values) and all(isinstance(v, bool) for v in values):
            out[col] = out[col].map(lambda v: "" if v is None or v != v else ("Oui" if v else "Non"))
        elif len(values) and all(isinstance(v, dict | list) for v in values):
            out[col] = out[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
        elif len(values) and all(isinstance(v, Decimal) for v in values):
            out[col] = out[col].astype("Float64")
        elif pd.api.types.is_float_dtype(out[col]) and values.map(float.is_integer).all():
            out[col] = out[col].astype("Int64")
        elif pd.api.types.is_datetime64_any_dtype(out[col]) and getattr(out[col].dt, "tz", None) is not None:
            out[col] = out[col].dt.tz_localize(None)
    return out.rename(columns=lambda c: label(str(c)))


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "données") -> bytes:
    """XLSX with French headers, dates shown JJ/MM/AAAA (HH:MM), and columns wide enough to read."""
    frame = _excel_frame(df)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
        ws = writer.sheets[sheet[:31]]
        shown = french_text(df)
        for i, col in enumerate(shown.columns, start=1):
            longest = max([len(str(col)), *(len(v) for v in shown[col].head(500))])
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(longest + 2, 8), 60)
        for i, original in enumerate(df.columns, start=1):
            values = df[original].dropna()
            first = values.iloc[0] if len(values) else None
            if _is_money(str(original)):
                shape = "#,##0.00"
            elif isinstance(first, pd.Timestamp | datetime):
                shape = "DD/MM/YYYY HH:MM"
            elif isinstance(first, date):
                shape = "DD/MM/YYYY"
            else:
                continue
            for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                row[0].number_format = shape
    return buf.getvalue()


def read_table(db: Engine, table: str) -> pd.DataFrame:
    """Every row of an exportable table (a key of `EXPORTABLE`), as stored."""
    with db.connect() as conn:
        return pd.read_sql(select(EXPORTABLE[table]), conn)


def export_table(db: Engine, table: str, fmt: str) -> bytes:
    """An exportable table as a file: CSV when `fmt` is "csv", else XLSX with one sheet named
    after the table."""
    df = read_table(db, table)
    return to_csv_bytes(df) if fmt == "csv" else to_xlsx_bytes(df, table)


# French names of the exportable tables (`ihs.exports.EXPORTABLE`), for the export menu.
EXPORT_LABELS = {
    "sector": "Secteurs",
    "sector_dwellings": "Logements par secteur (historique)",
    "sector_partner": "Partenaires par secteur",
    "organisation": "Organisations",
    "offer": "Offres",
    "tariff": "Tarifs",
    "sector_offer": "Offre de chaque secteur (historique)",
    "deployment": "Déploiements",
    "deployment_stage": "Étapes des déploiements",
    "ballot": "Scrutins",
    "polling_place": "Bureaux de vote",
    "turnout_report": "Relevés de participation",
    "ballot_count": "Dépouillements (double saisie)",
    "subscriber_count": "Relevés d'abonnés",
    "move_in": "Emménagements",
    "event_series": "Séries d'événements",
    "event": "Événements",
    "event_sector": "Événements par secteur",
    "visit": "Visites et accompagnement",
    "meeting": "Séances du comité de pilotage",
    "decision": "Décisions du comité de pilotage",
    "audit_log": "Journal des modifications",
}


def export_choices(tables) -> dict[str, str]:
    """Table name → French label, sorted by label; unknown tables keep their name."""
    return dict(sorted(((t, EXPORT_LABELS.get(t, t)) for t in tables), key=lambda kv: kv[1]))

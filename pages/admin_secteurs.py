"""Secteurs (coordination): create and edit sectors, their outline, partners and dated dwellings;
archive a sector that leaves the programme."""

from dataclasses import asdict, replace

import pandas as pd
import streamlit as st

from ihs.formats import fr_date, fr_int
from ihs.inputs import ArchiveInput, DwellingsInput
from ihs.reference import (
    SectorInput,
    add_dwellings,
    archive_sector,
    list_organisations,
    list_sectors,
    restore_sector,
    save_sector,
    sector_detail,
    set_sector_partners,
)
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start, table
from ihs.vocab import SECTOR_KINDS

actor = page_start(
    "pages/admin_secteurs.py",
    "Un secteur est un ensemble de logements sociaux d'un quartier, qui décide par un scrutin. Son code "
    "(par exemple « bellevue ») sert dans les liens et ne change plus après la création.",
)

sectors = read(list_sectors)
orgs = read(list_organisations)
active_orgs = orgs[orgs["active"]]
org_names = dict(zip(active_orgs["id"], active_orgs["name"], strict=True))
all_org_names = dict(zip(orgs["id"], orgs["name"], strict=True))
KINDS = list(SECTOR_KINDS)

if sectors.empty:
    no_data("Aucun secteur : créez le premier ci-dessous.")
else:
    shown = pd.DataFrame(
        {
            "Secteur": sectors["name"],
            "Code": sectors["code"],
            "Type": sectors["kind_label"],
            "Logements": sectors["dwellings"].map(lambda n: fr_int(n) if pd.notna(n) else "à saisir"),
            "Depuis le": sectors["dwellings_from"].map(lambda d: fr_date(d) if pd.notna(d) else ""),
            "Offre": sectors["offer"].fillna("Aucune offre"),
            "Contour": sectors["has_outline"].map({True: "oui", False: "non"}),
            "Bailleur": sectors["landlord"].fillna(""),
            "Archivé le": sectors["archived_on"].map(lambda d: fr_date(d) if pd.notna(d) else ""),
        }
    )
    table(shown, key="sec_table")


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def sector_fields(F: str, current: dict | None = None) -> None:
    current = current or {}
    defaults = {
        "code": current.get("code", ""),
        "name": current.get("name", ""),
        "qpv_code": _text(current.get("qpv_code")),
        "lat": _text(current.get("lat")),
        "lon": _text(current.get("lon")),
        "geo_source": _text(current.get("geo_source")),
        "notes": _text(current.get("notes")),
    }
    forms.start_values(F, **defaults)
    left, right = st.columns(2)
    forms.text_field(F, "name", "Nom", container=left, max_chars=200)
    label = "Code (lettres sans accent, chiffres, « - »)"
    forms.text_field(F, "code", label, container=right, disabled=bool(current), max_chars=60)
    kind = current.get("kind", "qpv")
    left.selectbox(
        "Type",
        KINDS,
        format_func=SECTOR_KINDS.get,
        index=KINDS.index(kind) if kind in KINDS else 0,
        key=forms.key(F, "kind"),
    )
    forms.text_field(F, "qpv_code", "Code QPV officiel (facultatif)", container=right, placeholder="ex. QN02901M")
    for field, label, col in (("landlord", "Bailleur", left), ("facility", "Équipement de quartier", right)):
        forms.choice_field(F, field, label, org_names, current.get(f"{field}_id"), placeholder="Aucun", container=col)
    forms.text_field(F, "lat", "Latitude du centre (ex. 48,3998)", container=left)
    forms.text_field(F, "lon", "Longitude du centre (ex. -4,5124)", container=right)
    st.file_uploader(
        "Contour (fichier GeoJSON d'un polygone, en WGS 84 ; facultatif, le centre est alors calculé)",
        type=["geojson", "json"],
        key=forms.key(F, "outline"),
    )
    forms.field_error(F, "outline")
    forms.text_field(F, "geo_source", "Source du contour (facultatif)")
    forms.text_field(F, "notes", "Remarques (facultatif)", kind="area", height=80)


def _input(F: str) -> SectorInput:
    # No default from SectorInput: a field the form does not send (the fixed code of a sector) is None.
    typed = forms.typed(F, SectorInput(kind=None))
    upload = typed.outline
    return replace(typed, outline=upload.getvalue() if upload is not None else None)  # the uploaded file


def create(session) -> str:
    sector = save_sector(session, actor, _input("sec_new"))
    return f"Secteur « {sector.name} » créé. Ajoutez son nombre de logements ci-dessous."


forms.new_entry_form("sec_new", ("Créer un secteur", "Créer le secteur"), sector_fields, create, expanded=sectors.empty)

if sectors.empty:
    st.stop()

st.header("Modifier un secteur")
names = dict(zip(sectors["id"], sectors["name"], strict=True))
sector_id = st.selectbox(
    "Secteur", list(names), format_func=names.get, index=None, placeholder="Choisissez", key="sec_who"
)
if sector_id is None:
    st.stop()
detail = read(sector_detail, int(sector_id))
current = detail["sector"]
F = f"sec_edit_{sector_id}"


def edit() -> None:
    def write(session) -> str:
        sector = save_sector(session, actor, _input(F), sector_id=int(sector_id))
        return f"Secteur « {sector.name} » enregistré."

    forms.submit(F, write, ["outline"])


tab_fields, tab_dwellings, tab_partners, tab_archive = st.tabs(
    ["Fiche", "Logements", "Partenaires", "Sortie du programme"]
)
with tab_fields, st.form(F, clear_on_submit=False):
    sector_fields(F, current)
    st.form_submit_button("Enregistrer", type="primary", width="stretch", on_click=edit)
with tab_fields:
    forms.status(F)

D = f"sec_dw_{sector_id}"


def dwellings(session) -> str:
    add_dwellings(session, actor, int(sector_id), **asdict(forms.typed(D, DwellingsInput())))
    return "Nombre de logements ajouté à l'historique."


with tab_dwellings:
    forms.dated_history(
        D,
        detail["dwellings"],
        {
            "valid_from": ("Valable à partir du", fr_date),
            "dwellings": ("Logements", fr_int),
            "source": ("Source", None),
        },
        dwellings,
        value=("dwellings", "Nombre de logements", "count"),
        labels=("Valable à partir du (JJ/MM/AAAA)", "Source (ex. « bailleur, patrimoine 2026 »)", "Ajouter"),
        empty="Aucun nombre de logements : ajoutez-le (il sert aux taux d'adhésion et aux coûts).",
        note="Un nouveau chiffre s'ajoute à l'historique à partir de sa date ; les anciens restent valables avant.",
    )

with tab_partners:
    st.caption(
        "Les organisations qui agissent dans ce secteur : un compte partenaire ne saisit que pour leurs secteurs."
    )
    P = f"sec_partners_{sector_id}"
    partners = detail["partners"]
    editor = st.data_editor(
        pd.DataFrame({"organisation": partners["name"], "role": partners["role"]}),
        key=f"{P}_editor",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "organisation": st.column_config.SelectboxColumn(
                "Organisation", options=list(org_names.values()), required=True
            ),
            "role": st.column_config.TextColumn("Rôle dans le secteur", max_chars=120),
        },
    )
    if st.button("Enregistrer les partenaires", key=f"{P}_save", type="primary"):
        by_name = {v: k for k, v in all_org_names.items()}
        rows = [
            (by_name.get(r.organisation, r.organisation), None if pd.isna(r.role) else r.role)
            for r in editor.itertuples(index=False)
            if isinstance(r.organisation, str) and r.organisation
        ]

        def write(session) -> str:
            set_sector_partners(session, actor, int(sector_id), rows)
            return "Partenaires enregistrés."

        ok, message, errors = forms.run_write(write)
        (st.success if ok else st.error)(message)
        for text in errors.values():
            st.error(text)

A = f"sec_archive_{sector_id}"


def archive(restore: bool) -> None:
    def write(session) -> str:
        if restore:
            restore_sector(session, actor, int(sector_id))
            return "Le secteur revient dans le programme."
        archive_sector(session, actor, int(sector_id), **asdict(forms.typed(A, ArchiveInput())))
        return "Secteur archivé : il reste dans l'historique, hors des chiffres à partir de cette date."

    forms.submit(A, write, ["archived_on", "reason"])


with tab_archive:
    if current.get("archived_on"):
        st.info(f"Secteur sorti du programme le {fr_date(current['archived_on'])}.")
        st.button("Le remettre dans le programme", key=f"{A}_restore", on_click=archive, args=(True,))
    else:
        with st.form(A, clear_on_submit=False):
            st.caption(
                "Un secteur qui quitte le programme reste dans l'historique (scrutins, abonnés, ateliers passés) "
                "et sort des chiffres à partir de cette date."
            )
            forms.text_field(A, "archived_on", "Sorti du programme le (JJ/MM/AAAA)", kind="date")
            forms.text_field(A, "reason", "Raison")
            st.form_submit_button("Archiver le secteur", width="stretch", on_click=archive, args=(False,))
    forms.status(A)

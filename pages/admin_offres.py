"""Offres et tarifs (coordination): offers, their dated tariffs, and which offer applies to which
sector from which date (cost figures charge each sector at its own offer's tariff)."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from ihs.formats import fr_date, fr_eur
from ihs.inputs import OfferInput, SectorOfferInput, TariffInput
from ihs.reference import (
    NO_OFFER,
    add_tariff,
    list_offers,
    list_organisations,
    list_sectors,
    offer_tariff_history,
    save_offer,
    set_sector_offer,
)
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start, table

actor = page_start(
    "pages/admin_offres.py",
    "Une offre (par exemple l'accès internet collectif d'un opérateur) a un tarif par logement et par mois, "
    "daté. Chaque secteur est rattaché à une offre à partir d'une date, ou à aucune : un secteur sans offre "
    "n'entre pas dans les coûts.",
)

offers = read(list_offers)
sectors = read(list_sectors)
orgs = read(list_organisations)
operators = orgs[orgs["active"]]
operator_names = dict(zip(operators["id"], operators["name"], strict=True))

if offers.empty:
    no_data("Aucune offre : ajoutez-en une si le programme a une offre d'opérateur (sinon, rien à faire ici).")
else:
    table(
        pd.DataFrame(
            {
                "Offre": offers["name"],
                "Opérateur": offers["operator"].fillna("Sans opérateur"),
                "Tarif actuel (€ / logement / mois)": offers["price"].map(
                    lambda p: fr_eur(p) if pd.notna(p) else "à saisir"
                ),
                "Depuis le": offers["price_from"].map(lambda d: fr_date(d) if pd.notna(d) else ""),
                "Secteurs": offers["sectors"],
            }
        ),
        key="off_table",
    )
current = sectors[sectors["archived_on"].isna()]
without = int(current["offer"].isna().sum())
if len(current):
    st.markdown(f"**{without} secteur{'s' if without > 1 else ''} sans offre** sur {len(current)} (hors des coûts).")


def offer_fields(F: str, name: str = "", operator: int | None = None, description: str = "") -> None:
    forms.start_values(F, name=name, description=description)
    forms.text_field(F, "name", "Nom de l'offre", max_chars=120)
    forms.choice_field(F, "operator", "Opérateur", operator_names, operator, placeholder="Sans opérateur")
    forms.text_field(F, "description", "Description (facultatif)", kind="area", height=80)


def create(session) -> str:
    offer = save_offer(session, actor, **asdict(forms.typed("off_new", OfferInput())))
    return f"Offre « {offer.name} » créée. Ajoutez son tarif ci-dessous."


forms.new_entry_form("off_new", ("Ajouter une offre", "Ajouter l'offre"), offer_fields, create, expanded=offers.empty)

if not offers.empty:
    st.header("Une offre et ses tarifs")
    names = dict(zip(offers["id"], offers["name"], strict=True))
    offer_id = st.selectbox("Offre", list(names), format_func=names.get, key="off_who")
    row = offers.set_index("id").loc[offer_id]
    F = f"off_edit_{offer_id}"
    T = f"off_tariff_{offer_id}"
    operator_id = next((i for i, n in operator_names.items() if n == row["operator"]), None)

    def edit() -> None:
        def write(session) -> str:
            offer = save_offer(session, actor, offer_id=int(offer_id), **asdict(forms.typed(F, OfferInput())))
            return f"Offre « {offer.name} » enregistrée."

        forms.submit(F, write)

    def tariff(session) -> str:
        add_tariff(session, actor, int(offer_id), **asdict(forms.typed(T, TariffInput())))
        return "Tarif ajouté à l'historique."

    left, right = st.columns(2)
    with left:
        with st.form(F, clear_on_submit=False):
            offer_fields(F, row["name"], operator_id, row["description"] if isinstance(row["description"], str) else "")
            st.form_submit_button("Enregistrer l'offre", width="stretch", on_click=edit)
        forms.status(F)
    with right:
        forms.dated_history(
            T,
            read(offer_tariff_history, int(offer_id)),
            {
                "valid_from": ("À partir du", fr_date),
                "price": ("€ / logement / mois", fr_eur),
                "source": ("Source", None),
            },
            tariff,
            value=("price", "Prix par logement et par mois, en euros (ex. 2,16)", "input"),
            labels=("Tarif valable à partir du (JJ/MM/AAAA)", "Source (contrat, délibération…)", "Ajouter le tarif"),
            empty="Aucun tarif : ajoutez le prix par logement et par mois.",
            errors_of=["offer"],
        )

st.header("Offre de chaque secteur")
if current.empty:
    no_data("Aucun secteur : créez-les d'abord (Administration › Secteurs).")
    st.stop()
table(
    pd.DataFrame({"Secteur": current["name"], "Offre aujourd'hui": current["offer"].fillna("Aucune offre")}),
    key="off_sectors",
)
S = "off_sector"


def assign() -> None:
    def write(session) -> str:
        set_sector_offer(session, actor, **asdict(forms.typed(S, SectorOfferInput())))
        return "Offre du secteur enregistrée."

    forms.submit(S, write, ["valid_from", "source"])


sector_names = dict(zip(current["id"], current["name"], strict=True))
choices = {**{int(i): n for i, n in zip(offers["id"], offers["name"], strict=True)}, NO_OFFER: "Aucune offre"}
with st.form(S, clear_on_submit=False):
    forms.choice_field(S, "sector_id", "Secteur", sector_names)
    forms.field_error(S, "sector")
    forms.choice_field(S, "offer", "Offre", choices)
    forms.text_field(S, "valid_from", "À partir du (JJ/MM/AAAA)", kind="date")
    forms.text_field(S, "source", "Source (facultatif)")
    st.form_submit_button("Rattacher", type="primary", width="stretch", on_click=assign)
forms.status(S)

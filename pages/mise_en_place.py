"""Mise en place (coordination): the set-up checklist of a new programme, each step with what is
done and the page where it is done."""

import streamlit as st

from ihs.formats import fr_int
from ihs.reference import reference_counts
from ihs.ui.data import read
from ihs.ui.widgets import link, page_start

actor = page_start(
    "pages/mise_en_place.py",
    "Les étapes pour passer d'une base vide à vos secteurs sur la carte et à un premier scrutin. "
    "Chaque étape indique ce qui est déjà fait ; le lien mène à la page où la faire.",
)

n = read(reference_counts)
STEPS = [
    (
        "Organisations",
        n["organisations"] > 0,
        f"{fr_int(n['organisations'])} organisation(s) : ville, bailleurs, opérateur, associations.",
        "pages/admin_organisations.py",
    ),
    (
        "Secteurs et logements",
        n["sectors"] > 0 and n["dwellings"] > 0,
        f"{fr_int(n['sectors'])} secteur(s), {fr_int(n['dwellings'])} nombre(s) de logements saisis.",
        "pages/admin_secteurs.py",
    ),
    (
        "Offre et tarif (facultatif : un programme peut ne pas avoir d'offre d'opérateur)",
        n["offers"] > 0 and n["tariffs"] > 0 and n["sector_offers"] > 0,
        f"{fr_int(n['offers'])} offre(s), {fr_int(n['tariffs'])} tarif(s), "
        f"{fr_int(n['sector_offers'])} rattachement(s) de secteur.",
        "pages/admin_offres.py",
    ),
    (
        "Comptes des partenaires",
        n["users"] > 1,
        f"{fr_int(n['users'])} compte(s), le vôtre compris.",
        "pages/utilisateurs.py",
    ),
    (
        "Premier déploiement",
        n["deployments"] > 0,
        f"{fr_int(n['deployments'])} déploiement(s) planifié(s).",
        "pages/planifier.py",
    ),
]
done = sum(ok for _, ok, _, _ in STEPS)
st.progress(done / len(STEPS), text=f"{done} étape(s) sur {len(STEPS)} faites")
for number, (title, ok, detail, page) in enumerate(STEPS, start=1):
    with st.container(border=True):
        mark = ":material/check_circle: Fait" if ok else ":material/radio_button_unchecked: À faire"
        st.markdown(f"**{number}. {title}** — {mark}")
        st.caption(detail)
        link(page, "Ouvrir la page", ":material/arrow_forward:")

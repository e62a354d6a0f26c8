"""Fiche secteur (deep link ?secteur=<code>): stage, milestones, ballot, uptake, support, partners, decisions."""

import pandas as pd
import streamlit as st

from ihs.formats import fr_date, fr_int, fr_month, fr_pct, md_text
from ihs.meetings import decisions_display, sector_decisions
from ihs.queries.awareness import last_information
from ihs.queries.ballots import sector_ballots
from ihs.queries.calendar import sector_milestones
from ihs.queries.sectors import STAGE_LABELS, sector_list, sector_partners, sector_profile
from ihs.queries.support import SUPPORT_LABELS, sector_events, sector_support
from ihs.queries.uptake import uptake_by_sector
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart, lazy_tabs, no_data, table
from ihs.viz import sector as viz
from ihs.viz.uptake import uptake_by_sector_chart as uptake_chart
from ihs.vocab import BALLOT_STATUSES, EVENT_KINDS, ORGANISATION_KINDS, SECTOR_KINDS, VISIT_KINDS

today = as_of()
frozen_band()
sectors = read(sector_list)
names = dict(zip(sectors["code"].tolist(), sectors["name"].tolist(), strict=True))
wanted = st.query_params.get("secteur")
heading = st.empty()  # the page's title: the chosen sector's name, once the chooser under it is read


def _follow() -> None:
    # Keep the URL in step with the choice, so the address can be shared or bookmarked.
    st.query_params["secteur"] = st.session_state["secteur_choisi"]


if not names:
    heading.title("Fiche secteur")
    no_data("Aucun secteur pour l'instant : la fiche d'un secteur s'affiche une fois les secteurs du programme créés.")
    st.stop()
# The chooser in the page, under its title (at the bottom of the sidebar nobody found it).
code = st.columns([2, 3])[0].selectbox(
    "Secteur",
    list(names),
    index=list(names).index(wanted) if wanted in names else None,
    format_func=names.get,
    placeholder="Choisissez un secteur",
    key="secteur_choisi",
    on_change=_follow,
)
if wanted and wanted not in names and code is None:
    st.warning("Ce secteur n'existe pas (lien ancien ou mal copié) : choisissez-le dans la liste ci-dessus.")
profile = read(sector_profile, code, today) if code else None
if profile is None:
    heading.title("Fiche secteur")
    no_data(
        "Choisissez un secteur dans la liste ci-dessus pour afficher sa fiche : son étape, son scrutin, "
        "son adhésion, l'accompagnement, ses partenaires et les décisions du comité."
    )
    st.stop()

heading.title(f"Fiche secteur – {profile['name']}")
offer = None  # said once the sector has a deployment (its offer is then in its figures)
if profile["stage"]:
    offer = (
        f"offre « {md_text(profile['offer'])} »"
        if profile["offer"]
        else "sans offre d'opérateur (pas d'abonnés, pas de coût)"
    )
typed = (profile["qpv_code"], profile["facility"])  # entered in the app: shown as typed
facts = [SECTOR_KINDS.get(profile["kind"], profile["kind"]), *(md_text(t) for t in typed if t), offer]
st.caption(" · ".join(f for f in facts if f) + f" · situation au {fr_date(today)}")
if profile["notes"]:
    st.caption(md_text(profile["notes"]))
row = st.columns(4)
row[0].metric("Étape", STAGE_LABELS.get(profile["stage"], "Hors programme"))
row[1].metric("Logements", fr_int(profile["dwellings"]))
row[2].metric("Abonnés", fr_int(profile["subscribers"]))
row[3].metric("Taux d'adhésion", fr_pct(profile["uptake"]))
if profile["subscribers_as_of"]:
    st.caption(f"Abonnés : {profile['subscribers_source']} du {fr_date(profile['subscribers_as_of'])}")

if not profile["stage"] and profile["subscribers"] is None:
    st.info(
        "Ce secteur n'est pas encore dans un déploiement : pas d'étape, de scrutin ni d'abonnés à montrer. "
        "Sa fiche se remplira avec la planification de son déploiement."
    )

st.header("Scrutin")
ballots = read(sector_ballots, code, today)
if ballots.empty:
    st.write("Aucun scrutin organisé dans ce secteur à cette date.")
for b in ballots.itertuples():
    outcome = {"adopted": "Adopté", "rejected": "Rejeté"}.get(b.outcome, BALLOT_STATUSES.get(b.status, b.status))
    st.markdown(f"**Scrutin du {fr_date(b.opens_at)} au {fr_date(b.closes_at)} : {outcome}**")
    cols = st.columns(7)
    cols[0].metric("Inscrits", fr_int(b.registered))
    cols[1].metric("Votants", fr_int(b.voters))
    cols[2].metric("Participation", fr_pct(b.turnout))
    for col, label, value in zip(
        cols[3:], ["Oui", "Non", "Blancs", "Nuls"], [b.yes, b.no, b.blank, b.void], strict=True
    ):
        col.metric(label, "–" if pd.isna(value) else fr_int(value))
    if pd.isna(b.yes):
        st.caption("Résultat affiché une fois le dépouillement validé.")

tabs = lazy_tabs(["Étapes", "Adhésion", "Accompagnement", "Partenaires et décisions"], key="secteur_onglet")
if tabs[0].open:
    with tabs[0]:
        steps = read(sector_milestones, code)
        if steps.empty:
            no_data("Aucune étape planifiée pour ce secteur.")
        else:
            chart(
                viz.milestones_chart(steps),
                steps,
                key="secteur_etapes",
                height=300,
                alt=f"Étapes du déploiement de {profile['name']} : "
                + ", ".join(
                    f"{s.label} {fr_date(s.actual_start if pd.notna(s.actual_start) else s.planned_start)}"
                    for s in steps.itertuples()
                )
                + ".",
            )
if tabs[1].open:
    with tabs[1]:
        curve = read(uptake_by_sector, today, (code,))
        if curve.empty:
            no_data("Pas encore de relevé d'abonnés pour ce secteur.")
        else:
            chart(
                uptake_chart(curve).properties(title="Taux d'adhésion"),
                curve,
                key="secteur_adhesion",
                height=320,
                alt=f"Taux d'adhésion de {profile['name']} chaque mois : {fr_pct(curve['uptake'].iloc[-1])} "
                f"({fr_int(curve['subscribers'].iloc[-1])} abonnés) en {fr_month(curve['month'].iloc[-1])}.",
            )
if tabs[2].open:
    with tabs[2]:
        info = read(last_information, code, today)
        if info:
            st.markdown(
                f"**Dernière action d'information** : {md_text(info['title'])} le {fr_date(info['starts_at'])} "
                f"(il y a {fr_int(info['days_since'])} jour{'s' if info['days_since'] > 1 else ''})."
            )
        else:
            st.write("Aucune action d'information enregistrée.")
        events = read(sector_events, code, today)
        if events.empty:
            no_data("Aucun événement enregistré dans ce secteur.")
        else:
            events["kind_label"] = events["kind"].map(EVENT_KINDS).fillna(events["kind"])
            by_kind = events["kind_label"].value_counts()
            chart(
                viz.events_by_kind_chart(events),
                events,
                key="secteur_evenements",
                height=260,
                alt=f"Événements dans le secteur par type : {fr_int(len(events))} au total, dont "
                + ", ".join(f"{fr_int(n)} {k.lower()}" for k, n in by_kind.items())
                + ".",
            )
        support = read(sector_support, code, today)
        if support.empty:
            st.write("Aucune visite ni accompagnement enregistré.")
        else:
            support.insert(0, "Type", support.pop("kind").map(VISIT_KINDS))
            table(support.rename(columns=SUPPORT_LABELS), key="secteur_visites")
if tabs[3].open:
    with tabs[3]:
        partners = read(sector_partners, code)
        if partners.empty:
            st.write("Aucun partenaire rattaché à ce secteur.")
        else:
            partners["kind"] = partners["kind"].map(ORGANISATION_KINDS).fillna(partners["kind"])
            table(partners.rename(columns={"name": "Organisation", "kind": "Type", "role": "Rôle"}), key="secteur_part")
        decisions = read(sector_decisions, profile["id"], today)
        if decisions.empty:
            st.write("Aucune décision du comité de pilotage pour ce secteur.")
        else:
            table(decisions_display(decisions).drop(columns="Secteur"), key="secteur_decisions")

"""Planifier un secteur (coordination): propose the pipeline's milestones, edit them, save them."""

from dataclasses import asdict

import streamlit as st

from ihs import clock
from ihs.formats import fr_date
from ihs.inputs import StageDatesInput
from ihs.planning import (
    deployments_under_way,
    plan_deployment,
    plannable_sectors,
    propose_milestones,
    record_stage_dates,
)
from ihs.reference import reference_counts
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, no_sectors, page_start, table
from ihs.vocab import DEPLOYMENT_STATUSES

actor = page_start(
    "pages/planifier.py",
    "À partir de la date de validation par le bailleur et la ville, le calendrier type du dispositif est "
    "proposé (durées standard des paramètres du programme). Modifiez les dates si besoin, puis enregistrez : "
    "le déploiement est créé avec le statut « Proposé ».",
)

sectors = read(plannable_sectors)
if sectors.empty and not read(reference_counts)["sectors"]:
    no_sectors(actor)
    st.stop()

running = read(deployments_under_way)
if not running.empty:
    with st.expander("Suivre un déploiement en cours : dates réelles des étapes", expanded=sectors.empty):
        st.caption(
            "Les tableaux de bord placent un secteur selon les dates réelles : notez le début (et la fin) de "
            "chaque étape quand elle a eu lieu. Le scrutin se note seul (premier relevé, dépouillement validé)."
        )
        deps = running.drop_duplicates("deployment_id")
        dep_labels = {
            int(r.deployment_id): f"{r.sector} ({DEPLOYMENT_STATUSES.get(r.status, r.status).lower()})"
            for r in deps.itertuples(index=False)
        }
        dep_id = st.selectbox("Déploiement", list(dep_labels), format_func=dep_labels.get, key="plan_follow")
        stages = running[running["deployment_id"] == dep_id]
        table(
            stages[["label", "planned_start", "planned_end", "actual_start", "actual_end"]]
            .assign(
                **{
                    c: stages[c].map(lambda d: fr_date(d) if d == d and d is not None else "")
                    for c in ("planned_start", "planned_end", "actual_start", "actual_end")
                }
            )
            .rename(
                columns={
                    "label": "Étape",
                    "planned_start": "Début prévu",
                    "planned_end": "Fin prévue",
                    "actual_start": "Début réel",
                    "actual_end": "Fin réelle",
                }
            ),
            key=f"plan_follow_table_{dep_id}",
        )
        R = f"plan_real_{dep_id}"
        stage_labels = dict(zip(stages["stage"], stages["label"], strict=True))

        def record() -> None:
            def write(session) -> str:
                record_stage_dates(session, actor, dep_id, **asdict(forms.typed(R, StageDatesInput())))
                return "Dates réelles enregistrées."

            forms.submit(R, write, ["actual_start", "actual_end"])

        with st.form(R, clear_on_submit=False):
            st.selectbox("Étape", list(stage_labels), format_func=stage_labels.get, key=forms.key(R, "stage"))
            forms.field_error(R, "stage")
            forms.date_field("Début réel (JJ/MM/AAAA)", forms.key(R, "actual_start"))
            forms.field_error(R, "actual_start")
            forms.date_field("Fin réelle (JJ/MM/AAAA, facultatif)", forms.key(R, "actual_end"))
            forms.field_error(R, "actual_end")
            st.form_submit_button("Enregistrer les dates réelles", type="primary", on_click=record)
        forms.status(R)

if sectors.empty:
    no_data("Tous les secteurs ont déjà un déploiement en cours : aucun secteur à planifier.")
    st.stop()

names = dict(zip(sectors["sector_id"], sectors["name"], strict=True))
labels = {row.sector_id: f"{row.name} ({row.last_status_label.lower()})" for row in sectors.itertuples(index=False)}
left, right = st.columns([2, 1])
sector_id = left.selectbox(
    "Secteur (sans déploiement en cours)", list(labels), format_func=labels.get, key="plan_secteur"
)
validation = forms.checked_date(
    "Date de validation", "plan_validation", clock.today(), today=clock.today(), container=right
)
if validation is None:
    st.stop()

proposal = read(propose_milestones, validation)
with st.form("plan_form", clear_on_submit=False):
    st.markdown(f"**Calendrier proposé à partir du {fr_date(validation)}** (dates incluses)")
    edited = st.data_editor(
        proposal,
        # One editor per validation date: a new date gives a fresh proposal; edits stay otherwise.
        key=f"plan_editor_{validation.isoformat()}",
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        column_order=["label", "planned_start", "planned_end"],
        disabled=["label"],
        column_config={
            "label": st.column_config.TextColumn("Étape"),
            "planned_start": st.column_config.DateColumn("Début prévu", format="DD/MM/YYYY", required=True),
            "planned_end": st.column_config.DateColumn("Fin prévue", format="DD/MM/YYYY", required=True),
        },
    )
    notes = st.text_area("Remarques (facultatif)", key="plan_notes", max_chars=2000)
    submitted = st.form_submit_button("Enregistrer le calendrier", type="primary")

if submitted:

    def write(session) -> str:
        plan_deployment(session, actor, sector_id=int(sector_id), milestones=edited.to_dict("records"), notes=notes)
        return (
            f"Déploiement proposé enregistré pour « {names[sector_id]} ». "
            "Il apparaît dans le Calendrier des déploiements."
        )

    ok, message, errors = forms.run_write(write, reason="Planification d'un secteur")
    if ok:
        st.success(message)
    elif errors:
        st.error("Le calendrier n'a pas été enregistré. Corrigez ces points puis enregistrez à nouveau :")
        for text in errors.values():
            st.error(text)
    else:
        st.error(message)

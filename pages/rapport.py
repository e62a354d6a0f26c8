"""Rapport annuel (PowerPoint and PDF) and exports of every table for French Excel."""

import streamlit as st

from ihs import clock
from ihs.exports import EXPORTABLE, export_choices, export_table
from ihs.queries.overview import years_with_data
from ihs.report import ReportError, build_report, to_pdf, to_pptx
from ihs.ui.data import engine, read
from ihs.ui.widgets import Download, download_row, page_start

page_start("pages/rapport.py")
FILES = "rapport_files"  # one entry, replaced at each generation: the session does not grow

st.caption(
    "Pour la rencontre annuelle des acteurs de quartier : un diaporama PowerPoint modifiable et le même "
    "contenu en PDF (chiffres clés comparés à l'année précédente, carte, déploiements et scrutins, adhésion, "
    "accompagnement, sensibilisation)."
)
years = read(years_with_data)
if not years:
    st.info("Aucune donnée : le rapport annuel sera disponible après les premières saisies.")
else:
    default = years.index(clock.today().year - 1) if clock.today().year - 1 in years else 0
    year = st.selectbox("Année du rapport", years, index=default, key="rapport_year")
    if st.button("Préparer le rapport", key="rapport_build", type="primary"):
        try:
            with st.spinner("Préparation du rapport (graphiques, diaporama et PDF)…"):
                report = build_report(engine(), year)
                st.session_state[FILES] = (year, to_pptx(report), to_pdf(report))
        except ReportError as exc:
            st.session_state.pop(FILES, None)
            st.error(str(exc).capitalize())
    files = st.session_state.get(FILES)
    if files and files[0] == year:
        st.success(f"Rapport annuel {year} prêt.")
        download_row(
            Download(
                "Télécharger le diaporama (PowerPoint)",
                files[1],
                f"rapport-annuel-{year}.pptx",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "rapport_pptx",
            ),
            Download("Télécharger le PDF", files[2], f"rapport-annuel-{year}.pdf", "application/pdf", "rapport_pdf"),
        )
    st.caption(f"En ligne de commande : python -m ihs report --year {year} --pptx rapport.pptx --pdf rapport.pdf")

st.header("Exports des tables")
st.caption(
    "CSV pour Excel en français (séparateur « ; », virgule décimale, dates JJ/MM/AAAA) ou classeur XLSX. "
    "Les comptes utilisateurs et les paramètres ne sont pas exportés."
)
choices = export_choices(EXPORTABLE)
table_name = st.selectbox("Table", list(choices), format_func=choices.get, key="export_table")
download_row(
    Download(
        "Télécharger (CSV)",
        lambda: export_table(engine(), table_name, "csv"),
        f"{table_name}.csv",
        "text/csv",
        "export_csv",
    ),
    Download(
        "Télécharger (XLSX)",
        lambda: export_table(engine(), table_name, "xlsx"),
        f"{table_name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "export_xlsx",
    ),
)

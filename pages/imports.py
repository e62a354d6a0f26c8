"""Imports: the operator's subscriber counts and the landlord's move-ins, from CSV or Excel.

Each row is checked and shown before anything is written."""

import streamlit as st

from ihs.db import session_scope
from ihs.formats import md_text
from ihs.imports import KINDS, ImportFileError, allowed_kinds, apply_import, preview_import
from ihs.refimport import geojson_properties, import_sectors, preview_table
from ihs.ui import forms
from ihs.ui.data import engine
from ihs.ui.widgets import page_start, table

actor = page_start("pages/imports.py")
kinds = allowed_kinds(actor) + (["sectors"] if actor.can("reference") else [])
if not kinds:
    st.info("Votre rôle ne permet pas d'importer de fichier.")
    st.stop()
kind = st.radio(
    "Données à importer",
    kinds,
    format_func=lambda k: "Secteurs (référentiel)" if k == "sectors" else KINDS[k].label,
    horizontal=True,
    key="imp_kind",
)
if kind == "sectors":
    st.caption(
        "Secteurs avec leur contour : fichier GeoJSON (FeatureCollection de polygones en WGS 84, comme le "
        "fichier national des QPV). Secteurs avec leurs logements : CSV ou Excel, première ligne "
        "Secteur ; Code ; Type ; Logements ; Date ; Latitude ; Longitude. Un code déjà connu met le secteur à "
        "jour, sans doublon."
    )
    ref = st.file_uploader("Fichier", type=["geojson", "json", "csv", "txt", "xlsx"], key="imp_file_sectors")
    if ref is None:
        st.stop()
    data = ref.getvalue()
    props: dict = {}
    if ref.name.lower().endswith((".geojson", ".json")):
        names = geojson_properties(data)
        left, right = st.columns(2)
        default_name = next((n for n in ("nom", "name", "nom_qp", "lib_qp") if n in names), None)
        default_code = next((n for n in ("code", "code_qp") if n in names), None)
        props["name_property"] = left.selectbox(
            "Propriété du nom", names, index=names.index(default_name) if default_name else None, key="imp_ref_name"
        )
        props["code_property"] = right.selectbox(
            "Propriété du code", names, index=names.index(default_code) if default_code else None, key="imp_ref_code"
        )
    try:
        with session_scope(actor.username, engine=engine()) as session:
            rows, _ = import_sectors(session, actor, ref.name, data, dry_run=True, **props)
    except ImportFileError as exc:
        st.error(str(exc))
        st.stop()
    wrong = sum(1 for r in rows if r.errors)
    table(preview_table(rows), key="imp_ref_preview")
    only_valid = False
    if wrong:
        st.warning(f"{wrong} ligne(s) en erreur sur {len(rows)} : rien ne sera écrit tant qu'elles restent.")
        only_valid = st.checkbox("N'importer que les lignes valides", key="imp_ref_only_valid")
    if st.button("Importer les secteurs", type="primary", key="imp_ref_go", disabled=bool(wrong) and not only_valid):

        def write(session) -> str:
            _, written = import_sectors(session, actor, ref.name, data, only_valid=only_valid, **props)
            return f"{written} secteur(s) créé(s) ou mis à jour."

        ok, message, _ = forms.run_write(write)
        (st.success if ok else st.error)(message)
    st.stop()
spec = KINDS[kind]
st.caption(
    f"Fichier CSV (séparateur ; ou ,) ou Excel (.xlsx). Première ligne : {' ; '.join(spec.headers)}. "
    "Le secteur s'écrit par son nom ou son code ; les dates comme 09/12/2022"
    + (" ou 12/2022." if spec.monthly else ".")
)
upload = st.file_uploader("Fichier", type=["csv", "txt", "xlsx"], key=f"imp_file_{kind}")
if upload is None:
    st.stop()

try:
    preview = preview_import(engine(), actor, kind, upload.name, upload.getvalue())
except ImportFileError as exc:
    st.error(str(exc))
    st.stop()

counts = preview.counts()
cols = st.columns(4)
cols[0].metric("Nouvelles lignes", counts["new"])
cols[1].metric("Modifiées", counts["changed"])
cols[2].metric("Inchangées", counts["unchanged"])
cols[3].metric("En erreur", counts["error"])
show = preview.table()
if counts["error"]:
    st.error(
        f"{counts['error']} ligne(s) contiennent des erreurs (détail ci-dessous). Rien n'est importé tant "
        "que le fichier n'est pas corrigé, sauf si vous choisissez d'importer seulement les lignes valides."
    )
    show = show.sort_values("Erreurs", ascending=False, key=lambda c: c.str.len())
elif preview.warned:
    show = show.sort_values("À vérifier", ascending=False, key=lambda c: c.str.len())
table(show, key="imp_preview")

only_valid = False
if counts["error"]:
    only_valid = st.checkbox(
        f"Importer seulement les {len(preview.valid)} lignes valides (les lignes en erreur sont ignorées)",
        key="imp_only_valid",
        disabled=not preview.valid,
    )
acknowledged = False
if preview.warned:
    shown = preview.warned[:20]
    st.warning(
        f"{len(preview.warned)} ligne(s) à vérifier (colonne « À vérifier ») : des chiffres possibles mais "
        "inhabituels. Vérifiez-les avec votre fichier source avant d'importer.\n\n"
        + "\n".join(f"- Ligne {r.line} ({md_text(r.sector_name)}) : {md_text(' ; '.join(r.warnings))}" for r in shown)
        + (f"\n- … et {len(preview.warned) - len(shown)} autres." if len(preview.warned) > len(shown) else "")
    )
    acknowledged = st.checkbox(
        f"J'ai vérifié les {len(preview.warned)} ligne(s) signalée(s) : les chiffres sont justes",
        key="imp_ack",
    )
to_write = counts["new"] + counts["changed"]
if not to_write and not counts["error"]:
    st.success("Ce fichier est déjà importé : toutes ses lignes sont à jour.")
    st.stop()
blocked = (bool(counts["error"]) and not only_valid) or (bool(preview.warned) and not acknowledged)
if st.button("Importer", type="primary", disabled=blocked, key="imp_go"):
    bar = st.progress(0.0, text="Import en cours…")

    def write(session) -> str:
        result = apply_import(
            session,
            actor,
            preview,
            only_valid=only_valid,
            warnings_acknowledged=acknowledged,
            progress=lambda f, t: bar.progress(f, t),
        )
        return result.message()

    ok, message, errors = forms.run_write(write)
    bar.empty()
    (st.success if ok else st.error)(" ".join([message, *errors.values()]))

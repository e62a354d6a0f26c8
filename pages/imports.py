"""Imports: the operator's subscriber counts and the landlord's move-ins, from CSV or Excel.

Each row is checked and shown before anything is written."""

import streamlit as st

from ihs.formats import md_text
from ihs.imports import KINDS, ImportFileError, allowed_kinds, apply_import, preview_import
from ihs.ui import forms
from ihs.ui.auth import require_page
from ihs.ui.data import engine
from ihs.ui.widgets import table

actor = require_page("pages/imports.py")
st.header("Imports")
kinds = allowed_kinds(actor)
if not kinds:
    st.info("Votre rôle ne permet pas d'importer de fichier.")
    st.stop()
kind = st.radio("Données à importer", kinds, format_func=lambda k: KINDS[k].label, horizontal=True, key="imp_kind")
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

"""Journal des modifications (coordinator): who created, corrected or deleted what, and when."""

from datetime import timedelta

import streamlit as st

from ihs import clock
from ihs.formats import fr_datetime
from ihs.queries.entries import ACTION_LABELS, TABLE_LABELS, audit_filters, audit_log
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start, table

actor = page_start(
    "pages/journal.py",
    "Chaque création, correction et suppression est enregistrée, avec l'avant et l'après.",
)
today = clock.today()
users, tables = read(audit_filters)
cols = st.columns(4)
user = cols[0].selectbox("Utilisateur", users, index=None, placeholder="Tous", key="jr_user")
tbl = cols[1].selectbox(
    "Table", tables, format_func=lambda t: TABLE_LABELS.get(t, t), index=None, placeholder="Toutes", key="jr_table"
)
# A filter, not a write: any readable date from 2009 on (the journal keeps everything).
start = forms.checked_date("Du", "jr_start", today - timedelta(days=30), today=today, container=cols[2])
end = forms.checked_date("Au", "jr_end", today, today=today, container=cols[3])
if start is None or end is None:
    st.stop()
log = read(audit_log, user, tbl, start, end)
if log.empty:
    no_data("Aucune modification pour ces filtres.")
    st.stop()
st.caption(f"{len(log)} modification(s) affichée(s), les plus récentes d'abord (500 au plus).")
shown = (
    log.fillna("")
    .assign(
        at=log["at"].map(fr_datetime),
        action=log["action"].map(lambda a: ACTION_LABELS.get(a, a)),
        table_name=log["table_name"].map(lambda t: TABLE_LABELS.get(t, t)),
    )
    .rename(
        columns={
            "at": "Quand",
            "username": "Qui",
            "action": "Action",
            "table_name": "Table",
            "row_id": "Ligne",
            "changes": "Changements",
            "reason": "Raison",
        }
    )
)
table(shown, key="jr_table_view")

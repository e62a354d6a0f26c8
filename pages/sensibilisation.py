"""Sensibilisation: where households arrived after the ballot, and which sectors to inform again.

The whole chart comes first, under the key figures, so a shared screen shows it without scrolling."""

import pandas as pd
import streamlit as st

from ihs.formats import fr_date, fr_int, fr_num, fr_pct
from ihs.programme import get_setting
from ihs.queries.awareness import awareness, chart_rows, overall_share, rank
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart, no_data, table
from ihs.viz.awareness import newcomers_chart, newcomers_chart_height

today = as_of()
frozen_band()
st.title("Sensibilisation")

rate = float(read(get_setting, "awareness.default_turnover_rate"))
limit = int(read(get_setting, "awareness.chart_max_sectors"))
alert = float(read(get_setting, "awareness.newcomer_share_alert"))
max_days = int(read(get_setting, "awareness.max_days_since_information"))
sectors = read(awareness, today)
if sectors.empty:
    no_data("Aucun secteur déployé à cette date : rien à estimer.")
    st.stop()
urgent = rank(sectors)  # from the rows above: no second computation

cols = st.columns(3)
cols[0].metric("Secteurs déployés", fr_int(len(sectors)))
cols[1].metric("Ménages arrivés depuis le scrutin", fr_pct(overall_share(sectors)))
cols[2].metric("Secteurs à informer de nouveau", fr_int(len(urgent)))

# Title, key figures, heading and the whole chart above the fold of a 1280×720 projector: what
# explains them, and the search for more sectors, come under the chart.
st.header(f"Ménages arrivés depuis le scrutin, estimés au {fr_date(today)}")
chart_slot = st.container()
st.caption(
    "Part des ménages d'aujourd'hui arrivés depuis le scrutin, mois par mois : emménagements déclarés par "
    f"le bailleur quand il les déclare, sinon {fr_pct(rate)} des ménages qui partent chaque année. "
    "L'évaluation de 2019 a montré que le dispositif reste trop peu connu : les locataires déménagent, et les "
    "nouveaux arrivants n'ont connu ni l'information ni le scrutin."
)
also: list[str] = []
if len(sectors) > limit:
    st.caption(
        f"Les {fr_int(limit)} secteurs où la part est la plus forte, sur {fr_int(len(sectors))} déployés ; "
        "tous sont dans le tableau détaillé."
    )
    also = st.multiselect(
        "Ajouter des secteurs au graphique", sorted(sectors["name"]), placeholder="Chercher un secteur"
    )
charted = chart_rows(sectors, limit, also)
shown = charted.drop(columns=["ballot_end", "move_in_first", "move_in_last", "last_information"])
top = charted.sort_values("newcomer_share", ascending=False).iloc[0] if not charted.empty else None
with chart_slot:
    chart(
        newcomers_chart(charted, alert, max_days, plot_height=True),
        shown,
        key="sensibilisation",
        height=newcomers_chart_height(len(charted)),
        alt=f"Part des ménages arrivés depuis le scrutin dans {fr_int(len(charted))} secteurs"
        + (f" ; la plus forte : {top['name']}, {fr_pct(top['newcomer_share'])}." if top is not None else "."),
    )

st.header("Secteurs à informer de nouveau")
if urgent.empty:
    no_data("Aucun secteur n'a besoin d'une nouvelle campagne d'information pour l'instant.")
else:
    st.markdown("\n".join(f"{r.rank}. **{r.name}** : {r.reason}." for r in urgent.head(limit).itertuples(index=False)))
    if len(urgent) > limit:
        st.markdown(
            f"… et {fr_int(len(urgent) - limit)} autres secteurs à informer : colonne « Rang » du tableau détaillé."
        )
    st.caption(
        f"Critères : au moins {fr_pct(alert)} des ménages arrivés depuis le scrutin, ou aucune action "
        f"d'information depuis plus de {fr_int(max_days)} jours. Les secteurs remplissant les deux critères "
        "viennent en premier, puis par part de nouveaux ménages."
    )


def named(names: list[str]) -> str:
    """Names for the method's line: the first `limit`, then how many more and where they are."""
    if not names:
        return "aucun secteur"
    more = len(names) - limit
    tail = f" et {fr_int(more)} autres (colonne « Source de l'estimation » du tableau détaillé)" if more > 0 else ""
    return ", ".join(names[:limit]) + tail


default_names = sectors.loc[sectors["method"] == "default", "name"].tolist()
mixed_names = sectors.loc[sectors["method"] == "mixed", "name"].tolist()
with st.expander("Comment la part des nouveaux ménages est estimée", expanded=False):
    st.markdown(
        f"""
- Période : du lendemain de la fin du scrutin du secteur jusqu'au {fr_date(today)}.
- Un seul modèle : chaque mois, une partie des ménages part et est remplacée ; la part arrivée depuis
  le scrutin est 1 − la part des ménages encore là.
- **Emménagements du bailleur** : un mois où le bailleur déclare m emménagements pour d logements,
  1 − m/d des ménages restent (2 emménagements par mois dans 100 logements pendant 32 mois → 1 − 0,98³²
  = 48 % arrivés ; un logement reloué deux fois n'ajoute pas un deuxième ménage).
- **Taux par défaut** : pour les jours sans déclaration du bailleur, {fr_pct(rate)} des ménages partent
  chaque année (chiffre national du logement social) ; sans aucune déclaration, part arrivée
  = 1 − (1 − {fr_num(rate, 2)})^années (5 ans → 41 %, 13 ans → 75 %).
- **Mixte** : les mois déclarés avec les emménagements, les autres avec le taux par défaut.
"""
    )
    st.markdown(f"**Taux par défaut** : {named(default_names)}.")
    st.markdown(f"**Mixte** : {named(mixed_names)}.")

st.header("Détail par secteur")


def dash(fmt):
    return lambda v: "–" if pd.isna(v) else fmt(v)


ranks = urgent.set_index("sector_id")["rank"]
detail = sectors.assign(
    rank=sectors["sector_id"].map(ranks).astype("Int64"),  # a number, so the column sorts
    share=sectors["newcomer_share"].map(fr_pct),
    homes=sectors["dwellings"].map(dash(fr_int)),
    ballot=sectors["ballot_end"].map(fr_date),
    info=sectors["last_information"].map(fr_date),
    days=sectors["days_since_information"].map(dash(fr_int)),
    uptake_now=sectors["uptake"].map(dash(fr_pct)),
    trend=sectors["uptake_change"].map(dash(lambda c: f"{'+' if c >= 0 else '−'}{fr_num(abs(c) * 100, 1)} pt")),
)[["rank", "name", "homes", "ballot", "share", "method_label", "info", "days", "uptake_now", "trend"]]
detail.columns = [
    "Rang",
    "Secteur",
    "Logements",
    "Fin du scrutin",
    "Arrivés depuis",
    "Source de l'estimation",
    "Dernière information",
    "Jours depuis",
    "Adhésion",
    "Évolution sur 12 mois",
]
table(detail)

"""Vue d'ensemble: key figures with their change over a year, what is happening now, the sources."""

import streamlit as st

from ihs import clock
from ihs.clock import year_before
from ihs.formats import delta_text, fr_date, fr_datetime, fr_eur, fr_int, fr_pct, md_text
from ihs.meetings import frozen_summary
from ihs.queries.ballots import live_ballots, turnout_by_place
from ihs.queries.calendar import information_sectors, upcoming_events
from ihs.queries.overview import key_figures, sources
from ihs.reference import reference_counts
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart, link, section
from ihs.viz.ballots import places_chart, places_height

today = as_of()
frozen_band()
if not read(reference_counts)["sectors"]:
    # A new programme: no figure yet, rather than a row of misleading zeros.
    st.title("Vue d'ensemble")
    st.info(
        "Aucun secteur pour l'instant : les chiffres du programme apparaîtront ici quand la coordination aura "
        "créé les secteurs."
    )
    actor = st.session_state.get("actor")
    if actor is not None and actor.can("reference"):  # who may enter the programme's sectors
        link("pages/mise_en_place.py", "Commencer la mise en place", ":material/checklist:")
    st.stop()
figures = read(key_figures, today)
# While a steering meeting is open, the key figures are the ones it froze (back-dated entries don't move them).
now, before = {**figures["now"], **(read(frozen_summary) or {})}, figures["year_ago"]
st.title("Vue d'ensemble")
st.caption(f"Chiffres au {fr_date(today)} ; les évolutions comparent au {fr_date(year_before(today))}.")


def big(col, label, key, fmt=fr_int, kind="int", help=None):
    delta = delta_text(now[key], before[key], kind)
    arrow = "off" if delta and delta.startswith("stable") else "auto"
    col.metric(label, fmt(now[key]), delta, help=help, delta_arrow=arrow)


row = st.columns(4)
big(row[0], "Secteurs déployés", "sectors_deployed")
big(row[1], "Secteurs en cours", "sectors_under_way", help="Proposés, en période d'information ou au scrutin")
big(row[2], "Logements couverts", "dwellings_covered")
big(row[3], "Abonnés", "subscribers")
row = st.columns(4)
big(
    row[0], "Taux d'adhésion", "uptake", fr_pct, "pct", help="Abonnés / logements couverts des secteurs ayant une offre"
)
offers = f" ({now['offers']} offres : voir Adhésion)" if now.get("offers", 0) > 1 else ""
big(
    row[1],
    "Tarif mensuel",
    "monthly_price_eur",
    fr_eur,
    "eur",
    help=f"Par logement ; offre {now['offer'] or '–'}{offers}",
)
big(row[2], "Ordinateurs vendus", "computers_sold", help="Total depuis le début du dispositif")
big(row[3], "Participants ateliers", "workshop_participants", help=f"En {today.year} ; personnes différentes par cycle")
if now.get("sectors_without_offer"):
    n = now["sectors_without_offer"]
    st.caption(
        f"{n} secteur{'s' if n > 1 else ''} couvert{'s' if n > 1 else ''} sans offre d'opérateur : "
        "hors taux d'adhésion et hors coût collectif."
    )

st.header("En ce moment")
left, middle, right = st.columns([4, 3, 4])
with left:
    ballots = section("Scrutin", read(live_ballots, today), "Aucun scrutin ouvert.")
    for b in ballots.itertuples():
        st.metric(
            f"Participation – {b.name}",
            fr_pct(b.turnout),
            f"{fr_int(b.voters)} votants sur {fr_int(b.registered)} logements",
            delta_color="off",
            delta_arrow="off",
        )
        st.caption(
            f"Ouvert jusqu'au {fr_datetime(b.closes_at)} ; {b.places_reported}/{b.places} bureaux ont transmis, "
            f"dernier relevé {fr_datetime(b.last_report)}."
        )
        st.page_link("pages/scrutin_direct.py", label="Suivre le scrutin en direct", icon=":material/how_to_vote:")
with middle:
    info = section("Information", read(information_sectors, today), "Aucun secteur en période d'information.")
    for s in info.itertuples():
        st.markdown(f"**{s.name}** : depuis le {fr_date(s.information_start)}")
        if s.ballot_planned:
            st.caption(f"Scrutin prévu le {fr_date(s.ballot_planned)}")
with right:
    events = section(
        "À venir", read(upcoming_events, today, 30, 8), "Aucun événement prévu dans les 30 prochains jours."
    )
    for e in events.itertuples():
        st.markdown(f"**{e.starts_at:%d/%m}** · {md_text(e.title)}")

for b in ballots.itertuples():
    # Full width: polling-place names are long, a narrow column would cut them.
    places = read(turnout_by_place, int(b.ballot_id), clock.moment(today))
    title = f"Votants par bureau – {b.name}"
    chart(
        places_chart(places),
        places,
        key=f"accueil_scrutin_{b.ballot_id}",
        height=places_height(len(places)),
        title=title,
        alt=f"Votants par bureau, scrutin de {b.name} : {fr_int(b.voters)} votants sur {fr_int(b.registered)} inscrits ; "
        + ", ".join(f"{p.name} {fr_int(p.voters)}" for p in places.itertuples())
        + ".",
    )

src = read(sources, today)
if src.empty:
    st.caption("Sources : aucune donnée saisie pour l'instant.")
else:
    st.caption(
        "Sources : " + " · ".join(f"{r.what} : {r.source}, {r.relation} {fr_date(r.as_of)}" for r in src.itertuples())
    )

"""Mode présentation: full-screen slides for a shared screen, advancing every N seconds.

Only the slideshow fragment reruns on its timer; the session keeps two numbers (the slide and
when it was shown) and every read goes through the TTL cache with date-only arguments, so a
screen left on for hours does not grow.
"""

import time

import streamlit as st

from ihs import clock, geo
from ihs import presentation as pres
from ihs import report_charts as rc
from ihs.formats import fr_date, fr_datetime, fr_int, fr_pct
from ihs.meetings import frozen_summary
from ihs.programme import get_setting
from ihs.queries import calendar as cal
from ihs.queries.awareness import awareness, chart_rows
from ihs.queries.ballots import live_ballots, turnout_by_place
from ihs.queries.calendar import deployment_stages, deployments_under_way_or_next
from ihs.queries.overview import summary
from ihs.queries.support import support_by_month, support_of_year
from ihs.queries.uptake import uptake_on
from ihs.ui import forms, screen, vega
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.auth import current_actor
from ihs.ui.data import read
from ihs.viz.awareness import newcomers_chart
from ihs.viz.ballots import places_chart, places_height
from ihs.viz.calendar import timeline_chart
from ihs.viz.map import sector_legend, sector_map_spec

INDEX, SHOWN = "pres_index", "pres_shown_at"

full_screen = st.query_params.get("mode") == "presentation"
start, every = pres.parse_query(st.query_params.to_dict())
if full_screen:
    screen.slides_style()
if INDEX not in st.session_state:
    st.session_state[INDEX] = start or 0
    st.session_state[SHOWN] = time.monotonic()


def _move(step: int, count: int) -> None:
    st.session_state[INDEX] = (st.session_state[INDEX] + step) % max(count, 1)
    st.session_state[SHOWN] = time.monotonic()


def _chart(chart, height: int = 430, alt: str | None = None) -> None:
    """`alt`: the chart in one sentence with its key figure, for a screen reader (as `widgets.chart`)."""
    vega.show(chart, height=height, **({"alt": alt} if alt else {}))


def _figures(day) -> None:
    # During a steering meeting, the figures frozen when it opened (not recomputed).
    tiles = pres.key_figure_tiles(read(frozen_summary) or read(summary, day))
    for cols, row in ((st.columns(4), tiles[:4]), (st.columns(4), tiles[4:])):
        for col, (label, value) in zip(cols, row, strict=False):
            col.metric(label, value)


def _support(day) -> None:
    df = read(support_of_year, day.year).set_index("code")
    st.header(f"Depuis le 1er janvier {day.year}")  # h2 under the slide's h1
    cols = st.columns(4)
    for col, (code, label) in zip(cols, pres.SUPPORT_METRICS.items(), strict=True):
        col.metric(label, fr_int(df.loc[code, "value"]))
    _chart(
        rc.support_chart(read(support_by_month, day.year)),
        280,
        f"Accompagnement chaque mois depuis le 1er janvier {day.year} : "
        + ", ".join(f"{label.lower()} {fr_int(df.loc[code, 'value'])}" for code, label in pres.SUPPORT_METRICS.items())
        + ".",
    )


def _ballot(day) -> None:
    ballot = read(live_ballots, day).iloc[0]
    st.header(f"{ballot['name']} : clôture le {fr_datetime(ballot['closes_at'])}")
    cols = st.columns(3)
    cols[0].metric("Votants", fr_int(ballot["voters"]))
    cols[1].metric("Logements inscrits", fr_int(ballot["registered"]))
    cols[2].metric("Participation", fr_pct(ballot["turnout"]))
    places = read(turnout_by_place, int(ballot["ballot_id"]), clock.moment(day))
    _chart(
        places_chart(places),
        places_height(len(places), 280),
        f"Votants par bureau, scrutin de {ballot['name']} : "
        + ", ".join(f"{p.name} {fr_int(p.voters)}" for p in places.itertuples())
        + ".",
    )


def _map(day) -> None:
    # Numbered as on the Carte page (same numbers, same list beside the map): names written on the
    # map overlapped (« Kerhallet)Saint-Martin »).
    df = read(geo.sector_map_data, day)
    spec = sector_map_spec(geo.sector_features(df), "stage", selectable=False)
    numbered = "markers" in spec.data
    on_map, beside = st.columns([5, 3]) if numbered else (st.container(), None)
    with on_map:
        _chart(
            spec,
            540,
            f"Carte des {fr_int(len(df))} secteurs sur {geo.commune_phrase()}"
            + (", numérotés dans l'ordre alphabétique" if numbered else "")
            + ", colorés selon l'étape du déploiement : "
            + ", ".join(f"{fr_int(n)} {label.lower()}" for label, n in df["stage_label"].value_counts().items())
            + " ; la liste numérotée des secteurs suit.",
        )
    if beside is not None:  # the list in two columns: it stays beside the map, as tall as it
        lines = sector_legend(df, spec.data["markers"])
        half = (len(lines) + 1) // 2
        for column, part in zip(beside.columns(2), (lines[:half], lines[half:]), strict=True):
            column.markdown("  \n".join(part))


def _calendar(day) -> None:
    # As the Calendrier page opens: the deployments under way and the next ones, not a calendar year.
    shown = [int(i) for i in read(deployments_under_way_or_next, day)["deployment_id"]]
    if not shown:  # (no ids would mean every deployment to deployment_stages)
        st.info("Aucun déploiement en cours ni prévu.")
        return
    stages = read(deployment_stages, None, cal.window_statuses(()), day, tuple(shown[: cal.PAGE_SIZE]))
    _chart(
        timeline_chart(stages, day),
        440,
        f"Étapes des déploiements en cours ou à venir au {fr_date(day)} : "
        + ", ".join(
            f"{r.sector_name} ({r.status_label.lower()})" for r in stages.drop_duplicates("deployment_id").itertuples()
        )
        + ".",
    )


SLIDE_BODIES = {
    "figures": _figures,
    "map": _map,
    "calendar": _calendar,
    "uptake": lambda day: _chart(
        rc.uptake_chart(read(uptake_on, day)),
        480,
        f"Taux d'adhésion par secteur au {fr_date(day)} : "
        + fr_pct(read(uptake_on, day)["subscribers"].sum() / max(read(uptake_on, day)["dwellings"].sum(), 1))
        + " pour l'ensemble des secteurs.",
    ),
    "support": _support,
    "awareness": lambda day: _chart(
        newcomers_chart(
            chart_rows(read(awareness, day), int(read(get_setting, "awareness.chart_max_sectors"))),
            float(read(get_setting, "awareness.newcomer_share_alert")),
            int(read(get_setting, "awareness.max_days_since_information")),
        ),
        470,
        "Part des ménages arrivés depuis le scrutin, par secteur : les secteurs à informer de nouveau.",
    ),
    "ballot": _ballot,
}


@st.fragment(run_every=every)
def slideshow() -> None:
    day = as_of()
    slides = pres.available_slides(read(pres.configured_slides), ballot_open=not read(live_ballots, day).empty)
    index, shown = pres.advance(st.session_state[INDEX], st.session_state[SHOWN], time.monotonic(), every, len(slides))
    st.session_state[INDEX], st.session_state[SHOWN] = index, shown
    code = slides[index]
    frozen_band()
    st.title(pres.SLIDES[code])
    SLIDE_BODIES[code](day)
    left, mid, right = st.columns([1, 4, 1])
    left.button("◀ Précédent", key="pres_prev", on_click=_move, args=(-1, len(slides)))
    mid.caption(f"Diapositive {index + 1}/{len(slides)} · chiffres au {fr_date(day)} · suivante dans {every} s")
    right.button("Suivant ▶", key="pres_next", on_click=_move, args=(1, len(slides)))


slideshow()
actor = current_actor()
if not full_screen:
    st.page_link(
        "pages/presentation.py",
        label="Ouvrir en plein écran",
        icon=":material/present_to_all:",
        query_params={"mode": "presentation"},
    )
    st.caption("Adresse à laisser sur l'écran partagé : ?mode=presentation&every=20 (secondes par diapositive).")


def _save(session) -> str:
    pres.save_slides(session, actor, forms.value("pres", "slides") or [])
    return "Diapositives enregistrées : l'écran partagé les affichera à sa prochaine mise à jour."


if not full_screen and actor is not None and actor.can("settings"):  # who may save the slides
    forms.status("pres")
    with st.expander("Choisir les diapositives (coordination)"), st.form("pres_settings", clear_on_submit=False):
        st.multiselect(
            "Diapositives, dans l'ordre de sélection",
            list(pres.SLIDES),
            default=read(pres.configured_slides),
            format_func=pres.SLIDES.get,
            key="pres_slides",
        )
        forms.field_error("pres", "slides")
        st.caption("« Scrutin en direct » ne s'affiche que pendant un scrutin ouvert.")
        st.form_submit_button("Enregistrer", on_click=forms.submit, args=("pres", _save))

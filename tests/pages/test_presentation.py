"""Mode présentation: full screen, slides advance on their timer or with the buttons, bounded session."""

import json
import unicodedata
from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from ihs.db import session_scope
from ihs.models import Ballot, Sector
from ihs.programme import set_setting
from ihs.queries.awareness import awareness
from ihs.users import SYSTEM
from tests.apptest import app_as, chart_data, open_page, texts
from tests.conftest import TODAY

INDEX, SHOWN = "pres_index", "pres_shown_at"


def _screen(query=None, role="viewer"):
    at = app_as(role, query={"mode": "presentation", **(query or {})})
    at.run()
    assert not at.exception, at.exception
    return at


def _title(at) -> str:
    return at.title[0].value


def _caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Diapositive"))


def test_full_screen_hides_sidebar_and_header(app_db):
    at = _screen()
    css = " ".join(h.proto.body for h in at.get("html"))
    assert '[data-testid="stSidebar"]' in css and "display: none" in css and "stHeader" in css
    assert "stMetricValue" in css  # the slides' larger figures
    assert _title(at) == "Chiffres clés"
    assert "Diapositive 1/7" in _caption(at)  # the demo ballot is open: 7 slides


def test_buttons_move_between_slides(app_db):
    at = _screen()
    at.button(key="pres_next").click().run()
    assert _title(at) == "Carte des secteurs"
    at.button(key="pres_next").click().run()
    assert _title(at) == "Calendrier des déploiements"
    at.button(key="pres_prev").click().run()
    assert _title(at) == "Carte des secteurs"
    at.button(key="pres_prev").click().run().button(key="pres_prev").click().run()
    assert _title(at) == "Scrutin en direct"  # wraps around to the last slide
    assert "Montaigne" in texts(at)


def test_timer_advances_only_when_the_slide_has_been_shown_long_enough(app_db):
    at = _screen()
    at.run()  # an early rerun keeps the slide
    assert _title(at) == "Chiffres clés"
    at.session_state[SHOWN] = 0.0  # shown long ago: the next tick moves on
    at.run()
    assert _title(at) == "Carte des secteurs" and at.session_state[INDEX] == 1


def test_url_picks_the_slide_and_the_interval(app_db):
    at = _screen({"slide": "4", "every": "45"})
    assert _title(at) == "Abonnés et adhésion"
    assert "suivante dans 45 s" in _caption(at)


def test_ballot_slide_only_while_a_ballot_is_open(app_db):
    with session_scope("tests", engine=app_db) as s:
        # The ballot closed yesterday: the slide disappears from the sequence.
        s.execute(
            update(Ballot)
            .where(Ballot.status == "open")
            .values(status="closed", closes_at=datetime.combine(TODAY - timedelta(days=1), time(18)))
        )
    at = _screen({"slide": "7"})
    assert "Diapositive 1/6" in _caption(at) and _title(at) == "Chiffres clés"


def test_session_does_not_grow_over_many_ticks(app_db):
    at = _screen()
    keys = set(at.session_state.keys())
    titles = set()
    for _ in range(16):
        at.session_state[SHOWN] = 0.0
        at.run()
        titles.add(_title(at))
    assert not at.exception
    assert len(titles) == 7  # every slide was shown
    # Nothing accumulates: no key was added (the login component may drop some of its own).
    assert set(at.session_state.keys()) <= keys


def test_coordinator_chooses_and_orders_the_slides(app_db):
    at = open_page("coordinator", "presentation")
    assert not at.exception
    at.multiselect(key="pres_slides").set_value(["uptake", "figures"])
    at.button(key="FormSubmitter:pres_settings-Enregistrer").click().run()
    assert "Diapositives enregistrées" in texts(at)
    screen = _screen()
    assert _title(screen) == "Abonnés et adhésion" and "Diapositive 1/2" in _caption(screen)
    at.multiselect(key="pres_slides").set_value([])
    at.button(key="FormSubmitter:pres_settings-Enregistrer").click().run()
    assert "Choisissez au moins une diapositive." in [e.value for e in at.error]


def test_viewer_sees_no_settings(app_db):
    at = open_page("viewer", "presentation")
    assert not at.exception
    assert not at.multiselect and "Ouvrir en plein écran" not in [b.label for b in at.button]


def test_awareness_slide_shows_the_sectors_with_the_highest_shares(app_db):
    # Nationally the slide would hold 1,400 bars in 470 pixels: it keeps `awareness.chart_max_sectors`.
    with session_scope("coordination", engine=app_db) as s:
        set_setting(s, SYSTEM, "awareness.chart_max_sectors", 5)
    at = _screen({"slide": "6"})
    assert _title(at) == "Sensibilisation"
    sectors = awareness(app_db, TODAY)
    top = set(sectors.sort_values("newcomer_share", ascending=False, kind="stable")["name"].head(5))
    # The five highest shares, in the ranking's order: those to inform first (most criteria, then share).
    expected = sectors[sectors["name"].isin(top)].sort_values(
        ["needs_round", "criteria", "newcomer_share"], ascending=False
    )
    charted = chart_data(at.get("vega_lite_chart")[0]).dropna(subset=["name"]).sort_values("position")
    assert list(charted["name"]) == list(expected["name"])


def test_the_map_slide_numbers_its_sectors_and_lists_them_beside_the_map(app_db):
    with app_db.connect() as conn:
        names = conn.execute(select(Sector.name).where(Sector.archived_on.is_(None))).scalars().all()

    # French alphabetical order, accents aside, computed from the rows.
    def plain(name):
        return "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn").lower()

    expected = {n: name for n, name in enumerate(sorted(names, key=plain), start=1)}
    at = _screen({"slide": "2"})
    assert _title(at) == "Carte des secteurs"
    [chart] = at.get("vega_lite_chart")
    markers = chart_data(chart).dropna(subset=["anchor_lon"]).drop_duplicates("number")
    assert dict(zip(markers["number"].astype(int), markers["name"], strict=True)) == expected
    assert "numérotés" in chart.proto.alt and "la commune de Brest" in chart.proto.alt
    listed = {}
    for block in at.markdown:
        for line in block.value.split("  \n"):
            if line.startswith("**"):
                number, name = line[2:].split("** ", 1)
                listed[int(number)] = name.replace("\\", "")
    assert listed == expected  # the list beside the map, in two columns, every sector once
    # No sector name is written on the map itself (they overlapped): only numbers are.
    spec = json.loads(chart.proto.spec)
    texts_on_map = [lay["encoding"]["text"]["field"] for lay in spec["layer"] if lay["mark"]["type"] == "text"]
    assert texts_on_map == ["number"]


def test_the_calendar_slide_shows_the_deployments_under_way(app_db):
    at = _screen({"slide": "3"})
    assert _title(at) == "Calendrier des déploiements"
    shown = set(chart_data(at.get("vega_lite_chart")[0])["sector_name"].dropna())
    assert shown == {"Le Bot", "Montaigne", "Keranroux"}  # under way on 27/11/2026 (demo), none planned after


def test_the_calendar_slide_says_so_when_nothing_is_under_way_or_planned(app_db, monkeypatch):
    """The three deployments under way abandoned, none planned: a French line, not a chart of every
    finished deployment of the record."""
    from ihs.models import Deployment

    live = ("Le Bot", "Montaigne", "Keranroux")  # under way on the demo's day, none planned after
    with session_scope("tests", engine=app_db) as s:
        ids = select(Sector.id).where(Sector.name.in_(live))
        s.execute(update(Deployment).where(Deployment.sector_id.in_(ids)).values(status="abandoned"))
    at = _screen({"slide": "3"})
    assert _title(at) == "Calendrier des déploiements"
    assert [i.value for i in at.info] == ["Aucun déploiement en cours ni prévu."]
    assert not at.get("vega_lite_chart")

"""Entry point: page config, login gate, navigation by role. Nothing else lives here."""

from dataclasses import replace

import streamlit as st

from ihs.reference import reference_counts
from ihs.settings import get_settings
from ihs.ui import auth, french, screen, startup
from ihs.ui.data import read
from ihs.ui.nav import PAGES, pages_for

# No page_title: each tab is named after its page, as in the menu (« Carte des secteurs »…).
st.set_page_config(page_icon=":material/wifi:", layout="wide")
french.install()  # Streamlit's own words (« Upload », « Running... »…) in French, in the browser

startup.gate()  # one-line logs; outside demo mode, an unsafe configuration stops here (ihs.production)
settings = get_settings()


def _login_page() -> None:
    """Placeholder body under the login form, for every URL until the user is logged in."""


def _to_slideshow() -> None:
    st.switch_page("pages/presentation.py", query_params=st.query_params.to_dict())


presentation = st.query_params.get("mode") == "presentation"
full_screen = presentation or screen.kiosk()  # the slideshow, or a dashboard left on (?kiosk=1)
screen.stylesheet(full_screen=full_screen)
public = settings.public_dashboards and not st.session_state.get("authentication_status")
actor = None
if not public or st.session_state.get("show_login"):
    if not st.session_state.get("authentication_status"):
        st.title("Internet en habitat social")
        st.caption("Tableau de bord des partenaires du dispositif : connectez-vous pour continuer.")
    actor = auth.login_gate()
st.session_state["actor"] = actor

allowed = pages_for(actor.role if actor else None, public=settings.public_dashboards)
if presentation:
    # A screen left on ?mode=presentation shows only the slideshow, full screen, at its own URL
    # (a default page answers at "/" only: Streamlit said "page not found" for /presentation).
    allowed = [replace(p, default=False) for p in allowed if p.url_path == "presentation"]
elif actor and actor.can("reference") and not read(reference_counts)["sectors"]:
    # A new programme (no sector yet): the coordination lands on the set-up checklist.
    allowed = [replace(p, default=p.url_path == "mise_en_place") for p in allowed]
if not allowed:
    # Every known URL shows the login form, so a deep link survives logging in.
    nav = st.navigation(
        [st.Page(_login_page, title="Connexion", url_path=p.url_path, default=p.default) for p in PAGES],
        position="hidden",
    )
else:
    sections: dict[str, list] = {}
    if presentation:  # "/?mode=presentation" opens the slideshow too
        sections[""] = [st.Page(_to_slideshow, title="Diaporama", url_path="diaporama", default=True)]
    for p in allowed:
        sections.setdefault(p.section, []).append(
            st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default)
        )
    if not presentation:
        # Other roles' pages answer at their address with a French "reserved" message (no menu entry).
        sections.setdefault("", []).extend(
            st.Page(auth.reserved_page(p), title=p.title, url_path=p.url_path, visibility="hidden")
            for p in PAGES
            if p.path not in {a.path for a in allowed}
        )
    # expanded: every page of the role in the menu (Streamlit folds the rest under an English
    # « View N more », which hid the entry pages after every login).
    nav = st.navigation(sections, position="hidden" if full_screen else "sidebar", expanded=True)
    if actor and not full_screen:
        st.sidebar.caption(f"Connecté·e : **{actor.username}**")
        auth.logout_button()
    elif not full_screen and not actor and st.sidebar.button("Se connecter", key="show_login_btn"):
        st.session_state["show_login"] = True
        st.rerun()
    screen.demo_marker()
french.run_page(nav.run)  # a failing page says so in French; Streamlit's own box is in English

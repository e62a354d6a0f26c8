"""The shared screen: a steering committee reads the dashboards from 4 metres on a 1280×720
projector, a meeting room leaves one on, a partner opens them on a phone.

One stylesheet for every page (`stylesheet`): less furniture above the figures (Streamlit's top
padding, a full-width demo banner, a large title), a narrower sidebar, and type that follows the
screen — 18 px on a 1280 px wide screen, up to 30 px on a larger one, so a 1920×1080 screen is
filled, not half empty. The kiosk view (`?kiosk=1` on any dashboard's address) has no sidebar,
no top bar and larger type: a screen left on in a meeting room.
"""

from __future__ import annotations

import streamlit as st

from ihs.programme import demo_loaded
from ihs.ui.data import engine

KIOSK = "kiosk"  # the query parameter: ?kiosk=1

_CSS = """
/* Type that follows the screen: 18 px at 1280 px wide, 27 px at 1920, at most 30. */
html { font-size: clamp(18px, 1.4vw, 30px) !important; }
/* The figures start near the top: Streamlit's own padding was 6 rem above the title. */
[data-testid="stMainBlockContainer"] { padding: 2.5rem 1.5rem 2rem 1.5rem !important; max-width: none !important; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem !important; padding: 0 0 0.3rem 0 !important; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.5rem !important; padding-top: 0.6rem !important; }
/* Levels read as levels: Streamlit draws h3 (1.75 rem) larger than this h2. */
[data-testid="stMainBlockContainer"] h3 { font-size: 1.25rem !important; }
/* A sidebar for the menu, not a third of the screen. */
section[data-testid="stSidebar"][data-collapsed="false"] { width: 15rem !important; min-width: 15rem !important; }
[data-testid="stSidebarHeader"] { height: 1.5rem !important; min-height: 1.5rem !important; padding: 0 !important; }
[data-testid="stSidebarUserContent"] { padding-top: 0.5rem !important; }
/* Captions and changes stay readable from the back of the room: 18 px at least, dark grey. */
/* Streamlit also fades captions (opacity 0.6): the grey then fails WCAG contrast (axe-core, tests/e2e). */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #3d4450 !important; font-size: 1rem !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] div { font-size: 1rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1rem !important; }
/* A chart's toolbar keeps « Voir les données » (its table, for whoever cannot see the chart) and
   « Plein écran »: its image export sat beside the app's own « Télécharger (PNG) » under the chart
   (the report's look), and « copy the chart's definition » is for developers. */
[data-testid="stElementToolbar"] button:is([aria-label^="Exporter l'image"], [aria-label^="Download as PNG"],
  [aria-label^="Copier la définition"], [aria-label^="Copy Vega-Lite"]) { display: none !important; }
/* Demo data: a marker always in view that takes no room from the figures. */
.ihs-demo { position: fixed; top: 0.45rem; left: 50%; transform: translateX(-50%); z-index: 999991;
  background: #FFF3C4; color: #4A3700; border: 1px solid #E0C060; border-radius: 0.4rem;
  padding: 0.05rem 0.7rem; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.ihs-demo .short { display: none; }
/* Invisible elements take no room: the demo marker's own slot, the login cookie's frame. */
.stElementContainer:has(.ihs-demo),
.stElementContainer:has(> div > iframe[data-testid="stCustomComponentV1"][src*="cookie_manager"]) { position: absolute !important; height: 0; overflow: hidden; }
/* A phone: the short marker, clear of the menu buttons in the corners; the title below Streamlit's
   taller top bar (67 px on a narrow screen). */
@media (max-width: 640px) { .ihs-demo .long { display: none; } .ihs-demo .short { display: inline; }
  [data-testid="stMainBlockContainer"] { padding-top: 4.5rem !important; } }
"""

# With the menu closed (the live ballot's screen opens so), Streamlit's top bar is opaque: the title
# starts below it. Not in the kiosk, which has no top bar.
_MENU_CLOSED_CSS = """
body:has([data-testid="stSidebar"][data-collapsed="true"]) [data-testid="stMainBlockContainer"] { padding-top: 4rem !important; }
"""

_KIOSK_CSS = """
html { font-size: clamp(18px, 1.6vw, 40px) !important; }
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2rem 1rem 2rem !important; }
/* The marker in the top right corner, which the kiosk leaves empty: centred, it covered the title. */
.ihs-demo { top: 0.3rem; left: auto; right: 1rem; transform: none; }
/* A phone: the marker above the title, not over it. */
@media (max-width: 640px) { [data-testid="stMainBlockContainer"] { padding-top: 2.2rem !important; } }
"""


# The slideshow: its figures larger still (on top of the kiosk's stylesheet).
_SLIDES_CSS = """
[data-testid="stMainBlockContainer"] h1 { font-size: 2.8rem !important; }
[data-testid="stMetricValue"] { font-size: 4.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
"""


def kiosk() -> bool:
    """Whether this page is shown as a kiosk (`?kiosk=1`): no sidebar, no furniture, larger type."""
    return st.query_params.get(KIOSK) == "1"


def stylesheet(*, full_screen: bool = False) -> None:
    """The shared screen's stylesheet (and the kiosk's, for a full-screen view)."""
    st.html(f"<style>{_CSS}{_KIOSK_CSS if full_screen else _MENU_CLOSED_CSS}</style>")


def slides_style() -> None:
    """The slideshow's larger figures (app.py has set the full-screen stylesheet)."""
    st.html(f"<style>{_SLIDES_CSS}</style>")


def demo_marker() -> None:
    """While demo data is loaded, every page — slideshow and kiosk included — says so."""
    if demo_loaded(engine()):
        st.html(
            '<div class="ihs-demo" role="note"><span class="long">Données de démonstration : chiffres illustratifs'
            '</span><span class="short">Démo : chiffres illustratifs</span></div>'
        )

"""French everywhere (#19 item 4): every page of every role's menu, in Chromium, has no English
word of Streamlit's on screen nor in the names a screen reader reads, and each tab and page title
is its menu title.

Streamlit's options remove what they can (`.streamlit/config.toml`: no ⋮ menu, no « Ask
Google »); `ihs.ui.french` translates the rest in the browser. What no option nor translation
reaches is in README (« Limites connues de Streamlit ») and in `FRAMEWORK` below.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ihs.users import DEMO_ACCOUNTS
from tests.e2e.helpers import goto, login, settle, wait_idle
from tests.e2e.walk import WORDS_JS, walk

pytestmark = pytest.mark.browser

USERS = [(username, role) for username, _, role, _ in DEMO_ACCOUNTS]

# Streamlit's English, each with where it was seen (Streamlit 1.67's frontend unless said).
# Matched as whole words, case-sensitive, in visible text and in aria-label/title/placeholder/alt.
ENGLISH = [
    "Upload",  # file uploader's button
    "Browse files",  # file uploader's button before 1.4x
    "Drag and drop",  # file uploader's dropzone
    "per file",  # file uploader: « 20MB per file »
    r"\d+(\.\d+)?(B|KB|MB)",  # file sizes: « 91.0B », « 20MB »
    "Select all",  # multiselect's first option; dataframe's column filter
    "Clear all",  # multiselect's clear button
    "View",  # menu: « View 11 more » / « View less »
    "more",
    "Print",  # ⋮ menu
    "Record",  # ⋮ menu: « Record a screencast »
    "Settings",  # ⋮ menu
    "About",  # ⋮ menu
    "Main menu",  # ⋮ button's name
    "Running",  # status widget: « Running... »
    "Stop",  # status widget's button
    "Deploy",  # developer toolbar
    "Rerun",  # developer toolbar, « File change. Rerun »
    "Clear cache",  # developer menu
    "Ask Google",  # error box links
    "Ask ChatGPT",
    "This app has encountered an error",  # error box
    "Press Enter",  # text field instructions: « Press Enter to apply / submit form »
    "No results",  # select box with no match
    "Choose an option",  # select box's placeholder
    "Choose options",  # multiselect's placeholder
    "Choose date",  # date field's calendar button
    "dd/mm/yyyy",  # date field's empty parts
    "yyyy",
    "Page not found",  # unknown address, logged in: its dialog's title
    "does not seem to exist",  # and its text
    "Download",  # chart and dataframe toolbars: « Download as PNG / CSV »
    "Fullscreen",  # element toolbar
    "Show data",  # chart toolbar
    "Search",  # dataframe toolbar
    "Skip to main content",  # first link of the page
    "App pages",  # the menu's name
    "Sidebar",  # the sidebar's name
    "Collapse",  # « Collapse sidebar »
    "Expand",  # « Expand sidebar »
    "Link to heading",  # a title's anchor
    "Copy",  # error box, code blocks
    "Close",  # dialogs
    "Connecting",  # lost connection
    "Please wait",
    "Loading",
    "Empty",  # date field's parts, for a screen reader
    "Open",  # select box's button
    "visualization",  # a chart, for a screen reader
]
ENGLISH_RE = re.compile("|".join(rf"(?<![\w-])(?:{w})(?![\w-])" for w in ENGLISH))

# Streamlit's own English that neither an option nor ihs.ui.french can change, each with why
# (also in README « Limites connues de Streamlit »). Empty: nothing of that kind is on these pages.
FRAMEWORK: dict[str, str] = {}


def english(words: list[str]) -> list[str]:
    return sorted({w for w in words if ENGLISH_RE.search(w) and w not in FRAMEWORK})


@pytest.mark.parametrize(("username", "role"), USERS, ids=[u for u, _ in USERS])
def test_every_page_of_every_role_is_in_french(browser, base_url, username, role):
    problems = []
    for visit in walk(browser, base_url, username, role):
        found = english(visit.words)
        if found:
            problems.append(f"{visit.path}: {found}")
        if visit.exception:
            problems.append(f"{visit.path}: exception {visit.exception!r}")
        # The tab, the page's title and its menu entry say the same.
        tab = next(w.removeprefix("<title>=") for w in visit.words if w.startswith("<title>="))
        if tab != visit.title:
            problems.append(f"{visit.path}: tab {tab!r}, menu {visit.title!r}")
        if visit.path != "presentation" and not (visit.h1 and visit.h1[0].startswith(visit.title)):
            problems.append(f"{visit.path}: title {visit.h1[:1]!r}, menu {visit.title!r}")
    assert problems == []


def test_the_login_page_and_an_unknown_address_are_in_french(page, base_url):
    goto(page, base_url + "/nulle-part")
    settle(page)
    assert english(page.evaluate(WORDS_JS)) == []
    expect(page.get_by_label("Identifiant")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "fr"
    # Streamlit's own « page not found » dialog over the login form (its text was half English).
    expect(page.get_by_text("La page demandée n'existe pas : retour à la page d'accueil.")).to_be_visible()
    page.get_by_role("button", name="Fermer").click()
    login(page, "lecture")
    goto(page, base_url + "/ailleurs")
    settle(page)
    expect(page.get_by_text("La page demandée n'existe pas : retour à la page d'accueil.")).to_be_visible()
    assert english(page.evaluate(WORDS_JS)) == []


def test_a_file_chosen_for_an_import_is_described_in_french(page, base_url, tmp_path):
    goto(page, base_url + "/imports")
    login(page, "operateur")
    csv = tmp_path / "abonnes.csv"
    csv.write_text("Secteur;Date;Abonnés\nKerourien;09/12/2022;120\n", encoding="utf-8")
    uploader = page.locator("[data-testid='stFileUploader']")
    expect(uploader).to_contain_text("20 Mo par fichier")
    expect(uploader.locator("[data-testid='stFileUploaderDropzone'] button")).to_contain_text("Choisir un fichier")
    uploader.locator("input[type=file]").set_input_files(str(csv))
    wait_idle(page)
    expect(uploader).to_contain_text("abonnes.csv")
    expect(uploader).to_contain_text(re.compile(r"\d+(,\d)?\u00a0o"))  # « 45,0 o », not « 45.0B »
    settle(page)
    assert english(page.evaluate(WORDS_JS)) == []


def test_a_list_with_no_match_says_so_in_french(page, base_url):
    goto(page, base_url + "/calendrier")
    login(page, "lecture")
    box = page.locator("[data-testid='stMultiSelect']").first.locator("input")
    box.click()
    box.fill("zzzz")
    expect(page.get_by_text("Aucun résultat")).to_be_visible()
    assert english(page.evaluate(WORDS_JS)) == []
    box.press("Escape")

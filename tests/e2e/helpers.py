"""What a user does in the browser: wait for the app, log in, open a page, read errors."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

APP = "[data-testid='stApp']"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until the script run that the last action started has finished."""
    page.wait_for_selector(APP, timeout=timeout)
    page.wait_for_selector(IDLE, timeout=timeout, state="attached")
    # A widget change or a page switch starts a new run a moment after the click.
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=timeout, state="attached")


def goto(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)


def login(page: Page, username: str, password: str | None = None, attempts: int = 3) -> None:
    """Fill the login form on the current page and wait until the user is logged in.

    The cookie component loads after the first run and triggers a rerun that redraws the form;
    typing during that rerun can be lost, so a form found empty again is filled again.
    """
    logged_in = page.get_by_text(f"Connecté·e : {username}").first
    user_field = page.get_by_label("Identifiant")
    for _ in range(attempts):
        expect(logged_in.or_(user_field).first).to_be_visible(timeout=60_000)
        if logged_in.is_visible():
            break
        wait_idle(page)
        # A rerun can leave a fading copy of the form for a moment: fill the one that stays.
        expect(user_field).to_have_count(1, timeout=30_000)
        user_field.fill(username)
        page.get_by_label("Mot de passe").fill(password or f"demo-{username}")
        page.get_by_role("button", name="Se connecter").click()
        try:
            expect(logged_in).to_be_visible(timeout=30_000)
            break
        except AssertionError:
            if page.get_by_text("Identifiant ou mot de passe incorrect").count():
                raise
    expect(logged_in).to_be_visible(timeout=5_000)
    settle(page)


def settle(page: Page, quiet_ms: int = 800) -> None:
    """Wait until no rerun has started for `quiet_ms` (the login cookie triggers one a moment later).

    A click during a rerun can reach an element the rerun replaces: a download button's file is
    gone ("Deferred file … not found"), a form's typed value is redrawn empty.
    """
    wait_idle(page)
    page.wait_for_timeout(quiet_ms)
    wait_idle(page)


def exception_texts(page: Page) -> list[str]:
    return page.locator(EXCEPTION).all_inner_texts()


def main_text(page: Page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def injected(page: Page) -> list[str]:
    """Traces of user text run as HTML or Markdown: the payload's script ran, its image exists."""
    found = []
    if page.evaluate("typeof window.__ihs_xss") != "undefined":
        found.append("a script from user text ran")
    if page.locator("img[src='x'], img[src*='127.0.0.1:9']").count():
        found.append("an image from user text was inserted")
    return found


def download(page: Page, button: str, attempts: int = 3):
    """Click a download button and return the download; clicks again if the first never comes.

    A click that lands while a rerun replaces the button leaves it spinning (Streamlit drops the
    old file): a user clicks again, and so does this.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        settle(page)
        try:
            with page.expect_download(timeout=20_000) as got:
                page.get_by_role("button", name=button).first.click()
            return got.value
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.reload(wait_until="domcontentloaded")
    raise AssertionError("unreachable")


def choose(page, label: str, option: str, *, first: bool = False, prefix: bool = False) -> None:
    """Pick `option` in the Streamlit select box labelled `label` (the first or last of that label)."""
    # By the label shown above the box: once a value is chosen, the box's own name is that value.
    labelled = page.locator("[data-testid='stWidgetLabel']").get_by_text(label, exact=True)
    boxes = page.locator("[data-testid='stSelectbox']").filter(has=labelled)
    box = (boxes.first if first else boxes.last).locator("input")
    name = re.compile("^" + re.escape(option)) if prefix else option
    choice = page.get_by_role("option", name=name, exact=not prefix).first
    # A click during a rerun (an expander unfolding, the page redrawn) can leave the list closed:
    # a person clicks again.
    for attempt in range(3):
        settle(page)
        box.scroll_into_view_if_needed()
        box.click()
        box.fill(option)
        try:
            expect(choice).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
            box.press("Escape")
    choice.click()
    wait_idle(page)


def type_in(page, label: str, value: str) -> None:
    """Type into the text field labelled `label`, once a rerun's fading copy of it has gone."""
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_count(1, timeout=30_000)
    field.fill(value)


def fill(page, label: str, value: str) -> None:
    """Type into a text field and leave it (Tab), as a person does before the next field (Enter
    would submit the form the field is in)."""
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_count(1, timeout=30_000)
    field.fill(value)
    field.press("Tab")
    wait_idle(page)


def click(page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).last.click()
    wait_idle(page)

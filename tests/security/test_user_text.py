"""What partners type is shown as text: an HTML or script payload is displayed, never run.

A partner records an information action whose title and notes are HTML, script and Markdown
payloads; "Mes saisies" and the sector page must not hand them to the browser as HTML
(no element with unsafe_allow_html carries them), nor as Markdown that would fetch an image
or draw a link. The browser side is in tests/e2e/test_user_text.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ihs.db import session_scope
from ihs.events import EventEntry, record_event
from tests.apptest import open_page
from tests.conftest import TODAY
from tests.payloads import NOTES, TITLE, partner_and_sector


def _record_payload_event(engine) -> str:
    """An information action of the partner's, with payloads in its title and notes; its sector code."""
    partner, sector_id, code = partner_and_sector(engine)
    with session_scope("partenaire", engine=engine) as s:
        record_event(
            s,
            partner,
            EventEntry(
                kind="information",
                subkind="flyer",
                sector_ids=[sector_id],
                day=TODAY - timedelta(days=1),
                start_time="10:00",
                reach=120,
                title=TITLE,
                notes=NOTES,
            ),
        )
        # An upcoming drop-in too: the home page lists what is coming.
        record_event(
            s,
            partner,
            EventEntry(
                kind="dropin", sector_ids=[sector_id], day=TODAY + timedelta(days=3), start_time="14:00", title=TITLE
            ),
        )
    return code


def _markdown_elements(at):
    """Every element whose text the browser renders as Markdown (markdown, captions, alerts…)."""
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        yield from getattr(at, kind)


def _html_allowed(el) -> bool:
    proto = el.proto
    return bool(getattr(proto, "allow_html", False))


PAGES = ["mes_saisies", "secteur", "accueil"]


def _pages(app_db):
    code = _record_payload_event(app_db)
    sector = open_page("viewer", "secteur", query={"secteur": code})
    sector.session_state["secteur_onglet"] = "Accompagnement"  # the tab with the last information action
    return [
        open_page("partner", "mes_saisies"),
        sector.run(),
        open_page("viewer", "accueil"),
    ]


def test_payload_is_never_rendered_as_html(app_db):
    for at in _pages(app_db):
        assert not at.exception, at.exception
        for el in _markdown_elements(at):
            body = str(el.value)
            if "onerror" in body or "<script" in body:
                assert not _html_allowed(el), f"user text rendered with unsafe_allow_html: {body[:120]}"


def test_payload_is_shown_as_literal_text_on_my_entries(app_db):
    at = _pages(app_db)[0]
    shown = [str(el.value) for el in _markdown_elements(at)]
    shown += [str(df.value.to_csv()) for df in at.dataframe]
    shown += [str(opt) for box in at.selectbox for opt in box.options]
    assert any("<img src=x" in text for text in shown), "the partner does not see what they typed"


def test_the_payload_reaches_each_page(app_db):
    """Otherwise the checks below would pass for want of the payload."""
    for page, at in zip(PAGES, _pages(app_db), strict=True):
        shown = [str(el.value) for el in _markdown_elements(at)] + [str(df.value.to_csv()) for df in at.dataframe]
        shown += [str(opt) for box in at.selectbox for opt in box.options]
        assert any("src=x" in text for text in shown), f"{page} does not show the payload"


@pytest.mark.parametrize("page", PAGES)
def test_user_text_is_not_interpreted_as_markdown(app_db, page):
    """A title must not become an image fetched from elsewhere or a link: Markdown is escaped."""
    at = _pages(app_db)[PAGES.index(page)]
    for el in _markdown_elements(at):
        body = str(el.value)
        assert "![pixel](" not in body, f"{page}: user text reaches Markdown unescaped: {body[:160]}"
        assert "[cliquez](" not in body, f"{page}: user text reaches Markdown unescaped: {body[:160]}"


def test_reference_text_typed_by_the_coordination_is_shown_as_text_on_the_sector_page(app_db):
    """Offer names and sector notes are typed in the administration pages: text too."""
    from ihs.models import Sector
    from ihs.reference import save_offer, set_sector_offer
    from ihs.users import SYSTEM
    from tests.payloads import MARKDOWN_PAYLOAD

    with session_scope("coordination", engine=app_db) as s:
        offer = save_offer(s, SYSTEM, name=MARKDOWN_PAYLOAD[:100])
        kerourien = s.query(Sector).filter_by(code="kerourien").one()
        kerourien.notes = MARKDOWN_PAYLOAD
        set_sector_offer(s, SYSTEM, kerourien.id, offer=offer.id, valid_from=TODAY.strftime("%d/%m/%Y"))
    at = open_page("viewer", "secteur", query={"secteur": "kerourien"})
    shown = [str(el.value) for el in _markdown_elements(at)]
    assert any("pixel" in text for text in shown), "the payload does not reach the page"
    for body in shown:
        assert "![pixel](" not in body and "[cliquez](" not in body, body[:160]

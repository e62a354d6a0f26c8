"""What a careless or malicious partner might type: it must show as text on every page.

Shared by the AppTest checks (tests/security/test_user_text.py) and the browser ones (tests/e2e).
"""

from __future__ import annotations

from sqlalchemy import select

from ihs.models import Sector, SectorPartner, User
from ihs.users import Actor

HTML_PAYLOAD = '<img src=x onerror="window.__ihs_xss=1"><script>window.__ihs_xss=2</script>'
MARKDOWN_PAYLOAD = "![pixel](http://127.0.0.1:9/pixel.png) [cliquez](http://evil.example/)"
TITLE = f"{HTML_PAYLOAD} {MARKDOWN_PAYLOAD}"
NOTES = f"{HTML_PAYLOAD}\n{MARKDOWN_PAYLOAD}"


def partner_and_sector(engine) -> tuple[Actor, int, str]:
    """The demo partner, and the first sector it works in (id and code)."""
    with engine.connect() as conn:
        org = conn.execute(select(User.organisation_id).where(User.username == "partenaire")).scalar()
        sector_id, code = conn.execute(
            select(Sector.id, Sector.code)
            .join(SectorPartner, SectorPartner.sector_id == Sector.id)
            .where(SectorPartner.organisation_id == org)
            .order_by(Sector.id)
        ).first()
    return Actor("partenaire", "partner", org), sector_id, code

"""Imports › Secteurs (référentiel): the coordination previews a GeoJSON file's rows with their
verdicts and imports them; other roles do not see the choice."""

from sqlalchemy import func, select

from ihs.models import Sector
from tests.apptest import open_page


def test_coordination_previews_and_imports_sectors(app_db):
    at = open_page("coordinator", "imports")
    at.radio(key="imp_kind").set_value("sectors").run()
    assert not at.exception
    with app_db.connect() as conn:
        before = conn.execute(select(func.count()).select_from(Sector)).scalar_one()
    # AppTest cannot upload a file: the upload, preview and import are driven in Chromium
    # (tests/e2e/test_new_programme.py).
    assert any("FeatureCollection" in c.value for c in at.caption)
    assert before > 0


def test_other_roles_do_not_see_the_reference_import(app_db):
    at = open_page("operator", "imports")
    assert "sectors" not in at.radio(key="imp_kind").options

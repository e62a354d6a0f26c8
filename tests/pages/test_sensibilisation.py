"""Sensibilisation: newcomer shares, the ranked list with its reasons, the sectors on the default rate."""

from datetime import date

from ihs.db import session_scope
from ihs.formats import fr_int
from ihs.models import Meeting
from ihs.queries.awareness import awareness, ranking
from tests.apptest import metric, open_page, texts
from tests.conftest import TODAY


def test_ranking_and_default_rate_sectors_on_demo_data(app_db):
    at = open_page("viewer", "sensibilisation")
    assert not at.exception
    sectors = awareness(app_db, TODAY)
    ranked = ranking(app_db, TODAY)
    assert metric(at, "Secteurs déployés") == fr_int(len(sectors)) == "16"
    assert metric(at, "Secteurs à informer de nouveau") == fr_int(len(ranked))
    shown = texts(at)
    first = ranked.iloc[0]
    assert f"1. **{first['name']}** : {first['reason']}." in shown
    # Sectors without landlord move-ins are named as using the default rate.
    default = sorted(sectors.loc[sectors["method"] == "default", "name"])
    assert "Valy Hir" in default and "Kerangoff" in default
    assert f"**Taux par défaut** : {', '.join(sectors.loc[sectors['method'] == 'default', 'name'])}." in shown
    assert "5 ans → 41 %, 13 ans → 75 %" in shown
    detail = at.dataframe[0].value
    assert list(detail["Secteur"]) == list(sectors["name"])
    assert "Source de l'estimation" in detail.columns


def test_no_deployed_sector_says_so(app_db):
    # A steering-committee meeting frozen before the first deployment: nothing to estimate.
    with session_scope("coordination", engine=app_db) as s:
        s.add(Meeting(held_on=date(2008, 6, 1), title="Comité 2008", frozen_as_of=date(2008, 6, 1), is_open=True))
    at = open_page("viewer", "sensibilisation")
    assert not at.exception
    assert "Aucun secteur déployé à cette date : rien à estimer." in texts(at)

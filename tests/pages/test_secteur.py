"""Fiche secteur: deep link by query parameter, figures, ballot result, tabs."""

import json
import shutil

import pytest

from ihs.db import session_scope
from ihs.models import Sector
from ihs.users import SYSTEM, add_user
from tests.apptest import metric, open_page, texts
from tests.conftest import _point_app_at
from tests.pages.layout import kinds_in_order


def test_kerourien_deep_link(app_db):
    at = open_page("viewer", "secteur", query={"secteur": "kerourien"})
    assert not at.exception
    assert at.title[0].value == "Fiche secteur – Kerourien"
    assert metric(at, "Logements") == "596"
    assert metric(at, "Étape") == "Déployé"
    assert metric(at, "Inscrits") == "596"
    assert "Adopté" in texts(at)
    assert "offre « Numérisun »" in texts(at)
    # Only the open tab is read and drawn; each tab shows its own when opened.
    assert len(at.get("vega_lite_chart")) == 1  # milestones
    assert "Dernière action d'information" not in texts(at)
    at.session_state["secteur_onglet"] = "Adhésion"
    at.run()
    [curve] = at.get("vega_lite_chart")
    assert json.loads(curve.proto.spec)["title"] == "Taux d'adhésion"
    at.session_state["secteur_onglet"] = "Accompagnement"
    at.run()
    assert "Dernière action d'information" in texts(at)
    assert len(at.get("vega_lite_chart")) == 1  # events by kind
    at.session_state["secteur_onglet"] = "Partenaires et décisions"
    at.run()
    assert not at.exception
    assert "Aucune décision du comité de pilotage" in texts(at)
    assert not at.get("vega_lite_chart")


def test_choosing_another_sector_updates_the_url(app_db):
    at = open_page("viewer", "secteur", query={"secteur": "kerourien"})
    at.selectbox(key="secteur_choisi").select("montaigne").run()
    assert at.query_params["secteur"] == ["montaigne"] or at.query_params["secteur"] == "montaigne"
    assert at.title[0].value == "Fiche secteur – Montaigne"
    assert metric(at, "Étape") == "Scrutin"
    assert metric(at, "Oui") == "–"
    assert "Résultat affiché une fois le dépouillement validé" in texts(at)


def test_without_or_with_a_wrong_sector(app_db):
    at = open_page("viewer", "secteur")
    assert not at.exception
    assert "Choisissez un secteur" in texts(at)
    at = open_page("viewer", "secteur", query={"secteur": "nulle-part"})
    assert "n'existe pas" in texts(at)


def test_the_chooser_is_under_the_title_and_sections_are_h2(app_db):
    at = open_page("viewer", "secteur", query={"secteur": "kerourien"})
    assert kinds_in_order(at)[:2] == ["title", "selectbox"]
    assert at.selectbox(key="secteur_choisi").value == "kerourien"
    assert not at.sidebar.selectbox  # no longer at the bottom of the sidebar
    assert [h.value for h in at.header] == ["Scrutin"] and not at.subheader


def test_never_a_blank_page(app_db):
    # No sector chosen: the title, the chooser and what to do.
    at = open_page("viewer", "secteur")
    assert at.title[0].value == "Fiche secteur"
    assert at.selectbox(key="secteur_choisi").value is None
    assert "Choisissez un secteur dans la liste ci-dessus pour afficher sa fiche" in at.info[0].value
    # An unknown sector in the address: said, and the chooser to pick one.
    at = open_page("viewer", "secteur", query={"secteur": "nulle-part"})
    assert not at.exception
    assert at.warning[0].value == (
        "Ce secteur n'existe pas (lien ancien ou mal copié) : choisissez-le dans la liste ci-dessus."
    )
    assert at.selectbox(key="secteur_choisi").value is None
    assert kinds_in_order(at)[:2] == ["title", "selectbox"]


def test_a_sector_without_any_data_says_so(app_db):
    with session_scope("coordination", engine=app_db) as s:
        s.add(Sector(code="nouveau", name="Nouveau quartier", kind="qpv"))
    at = open_page("viewer", "secteur", query={"secteur": "nouveau"})
    assert not at.exception
    assert at.title[0].value == "Fiche secteur – Nouveau quartier"
    assert at.selectbox(key="secteur_choisi").value == "nouveau"
    assert "Ce secteur n'est pas encore dans un déploiement" in at.info[0].value
    assert metric(at, "Étape") == "Hors programme"
    assert "Aucun scrutin organisé dans ce secteur à cette date." in texts(at)
    assert "Aucune étape planifiée pour ce secteur." in texts(at)
    for tab in ["Adhésion", "Accompagnement", "Partenaires et décisions"]:
        at.session_state["secteur_onglet"] = tab
        at.run()
        assert not at.exception
    assert "Aucun partenaire rattaché à ce secteur." in texts(at)


@pytest.fixture
def no_sectors(empty_sqlite_template, tmp_path, monkeypatch):
    """The app on a database with no sector yet (a new programme: its coordination's account only)."""
    dst = tmp_path / "new.db"
    shutil.copy(empty_sqlite_template, dst)
    for engine in _point_app_at(f"sqlite:///{dst}", monkeypatch):
        with session_scope("installation", engine=engine) as s:
            add_user(s, SYSTEM, username="coordination", name="Coordination", role="coordinator",
                     password="motdepasse-long", rounds=4)  # fmt: skip
        yield engine


def test_no_sector_at_all(no_sectors):
    at = open_page("coordinator", "secteur")
    assert not at.exception
    assert at.title[0].value == "Fiche secteur"
    assert "Aucun secteur pour l'instant" in at.info[0].value

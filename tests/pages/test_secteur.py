"""Fiche secteur: deep link by query parameter, figures, ballot result, tabs."""

from tests.apptest import metric, open_page, texts


def test_kerourien_deep_link(app_db):
    at = open_page("viewer", "secteur", query={"secteur": "kerourien"})
    assert not at.exception
    assert at.title[0].value == "Kerourien"
    assert metric(at, "Logements") == "596"
    assert metric(at, "Étape") == "Déployé"
    assert metric(at, "Inscrits") == "596"
    page = texts(at)
    assert "Adopté" in page
    assert "Dernière action d'information" in page
    assert "Aucune décision du comité de pilotage" in page
    assert len(at.get("vega_lite_chart")) == 3  # milestones, uptake, events


def test_choosing_another_sector_updates_the_url(app_db):
    at = open_page("viewer", "secteur", query={"secteur": "kerourien"})
    at.selectbox(key="secteur_choisi").select("montaigne").run()
    assert at.query_params["secteur"] == ["montaigne"] or at.query_params["secteur"] == "montaigne"
    assert at.title[0].value == "Montaigne"
    assert metric(at, "Étape") == "Scrutin"
    assert metric(at, "Oui") == "–"
    assert "Résultat affiché une fois le dépouillement validé" in texts(at)


def test_without_or_with_a_wrong_sector(app_db):
    at = open_page("viewer", "secteur")
    assert not at.exception
    assert "Choisissez un secteur" in texts(at)
    at = open_page("viewer", "secteur", query={"secteur": "nulle-part"})
    assert "n'existe pas" in texts(at)

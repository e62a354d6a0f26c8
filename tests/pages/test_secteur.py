"""Fiche secteur: deep link by query parameter, figures, ballot result, tabs."""

import json

from tests.apptest import metric, open_page, texts


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

"""A new city in a real browser: an empty database outside demo mode, one coordinator created with
the CLI; the coordination lands on the set-up checklist, imports its sectors from the sample
GeoJSON file (upload, preview, import) and their dwellings from the sample CSV, finds them on the
map, enters its organisations, an offer and its tariff for two sectors, a partner account, plans a
deployment; the partner prepares its ballot and both count it; the implementation is noted, the
operator's subscribers imported, and the home page shows the figures computed by hand."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from ihs.settings import ROOT
from tests.conftest import TODAY
from tests.e2e.conftest import VIEWPORT, _app_env, _free_port, _wait_healthy
from tests.e2e.helpers import choose, click, fill, goto, login, main_text, settle, type_in, wait_idle

pytestmark = pytest.mark.browser
PASSWORD = "un-mot-de-passe-solide"


def _cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "ihs", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
    )


def _open_expander(page, title: str, field: str) -> None:
    """Unfold the expander `title` unless its field labelled `field` is visible already."""
    settle(page)
    if not page.get_by_label(field, exact=True).first.is_visible():
        page.locator("[data-testid='stExpander'] summary").filter(has_text=title).first.click()
    settle(page)
    expect(page.get_by_label(field, exact=True).first).to_be_editable()


def _upload_sectors(page, path) -> None:
    # The imports page first draws its choice of file (a radio): under a loaded CI it took over the
    # click's 60 s once, so wait for the page to settle and the option to be there.
    settle(page)
    option = page.get_by_text("Secteurs (référentiel)")
    expect(option).to_be_visible(timeout=120_000)
    option.click()
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_idle(page)
    page.get_by_role("button", name="Importer les secteurs").click()
    expect(page.locator("[data-testid='stMain']")).to_contain_text("3 secteur(s) créé(s) ou mis à jour", timeout=60_000)


def _count(page, n: int, url: str | None = None) -> None:
    """Type count `n` of the closed ballot (150 yes, 40 no), with the note its warning asks for."""
    if url:
        goto(page, url + "/depouillement")
    else:
        goto(page, page.url.split("/scrutin_preparer")[0] + "/depouillement")
    settle(page)
    page.get_by_text(f"Saisie {n}", exact=True).first.click()
    settle(page)
    for label, value in (("Oui", "150"), ("Non", "40"), ("Blancs", "0"), ("Nuls", "0")):
        type_in(page, label, value)
    page.get_by_label(re.compile("^Bulletins dans l'urne")).fill("190")
    click(page, f"Enregistrer la saisie {n}")
    type_in(page, "Note : pourquoi ces chiffres sont justes", "Relevés non transmis ; urne recomptée")
    click(page, f"Enregistrer la saisie {n}")
    expect(page.locator("[data-testid='stMain']")).to_contain_text(f"Saisie {n} enregistrée")


def test_a_new_city_imports_its_sectors_and_sees_them_on_the_map(browser, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ville.db'}"
    env = _app_env(db_url) | {
        "IHS_DEMO": "0",
        "IHS_COOKIE_KEY": "cle-de-test-" + "x" * 40,
        "PW": PASSWORD,
        "IHS_TODAY": TODAY.isoformat(),
    }
    _cli(env, "db", "upgrade")
    _cli(env, "users", "add", "marie", "--name", "Marie (Ville)", "--role", "coordinator", "--password-env", "PW")
    refused = subprocess.run(
        [sys.executable, "-m", "ihs", "demo", "load"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert refused.returncode == 1 and "IHS_DEMO=1" in refused.stderr
    port = _free_port()
    log = tmp_path / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    try:
        _wait_healthy(url, proc, log)
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        goto(page, url + "/")
        login(page, "marie", PASSWORD)
        main = page.locator("[data-testid='stMain']")
        expect(main).to_contain_text("Aucun secteur pour l'instant")
        page.get_by_role("link", name="Commencer la mise en place").click()
        wait_idle(page)
        expect(main.locator("h1")).to_have_text("Mise en place")
        expect(main).to_contain_text("0 étape(s) sur 5 faites")
        assert "Données de démonstration" not in page.inner_text("body")
        goto(page, url + "/imports")
        settle(page)
        _upload_sectors(page, ROOT / "data" / "samples" / "secteurs.geojson")
        _upload_sectors(page, ROOT / "data" / "samples" / "secteurs.csv")
        goto(page, url + "/carte")
        for name in ("Centre-ville", "Les Hauts", "Le Port"):
            expect(main).to_contain_text(name, timeout=60_000)
        assert "Sans déploiement" in main_text(page)
        assert not page.locator("[data-testid='stException']").count()

        goto(page, url + "/admin_organisations")

        settle(page)
        for name, kind in (("Habitat-Exemple", "Bailleur"), ("Réseau-Exemple", "Opérateur")):
            _open_expander(page, "Ajouter une organisation", "Nom")
            page.get_by_label("Nom", exact=True).first.fill(name)
            choose(page, "Type", kind, first=True)
            click(page, "Ajouter")
            expect(main).to_contain_text(f"Organisation « {name} » créée.")

        goto(page, url + "/admin_offres")

        settle(page)
        type_in(page, "Nom de l'offre", "Internet collectif")
        choose(page, "Opérateur", "Réseau-Exemple")
        click(page, "Ajouter l'offre")
        expect(main).to_contain_text("Une offre et ses tarifs")
        type_in(page, "Tarif valable à partir du (JJ/MM/AAAA)", "01/01/2026")
        type_in(page, "Prix par logement et par mois, en euros (ex. 2,16)", "2,00")
        type_in(page, "Source (contrat, délibération…)", "contrat 2026")
        click(page, "Ajouter le tarif")
        expect(main).to_contain_text("Tarif ajouté à l'historique.")
        for sector, offer in (("Centre-ville", "Internet collectif"), ("Les Hauts", "Internet collectif")):
            choose(page, "Secteur", sector, first=False)
            choose(page, "Offre", offer, first=False)
            type_in(page, "À partir du (JJ/MM/AAAA)", "01/01/2026")
            click(page, "Rattacher")
            expect(main).to_contain_text("Offre du secteur enregistrée.")
            wait_idle(page)

        goto(page, url + "/utilisateurs")

        settle(page)
        _open_expander(page, "Créer un compte", "Nom affiché")
        type_in(page, "Identifiant", "habitat")
        type_in(page, "Nom affiché", "Habitat-Exemple")
        choose(page, "Rôle", "Bailleur", first=True)
        choose(page, "Organisation", "Habitat-Exemple", first=True)
        type_in(page, "Mot de passe (8 caractères au moins)", PASSWORD)
        click(page, "Créer le compte")
        expect(main).to_contain_text("Compte créé")

        goto(page, url + "/planifier")

        settle(page)
        choose(page, "Secteur (sans déploiement en cours)", "Centre-ville", prefix=True)
        fill(page, "Date de validation", "01/06/2026")
        click(page, "Enregistrer le calendrier")
        expect(main).to_contain_text("Déploiement proposé enregistré pour « Centre-ville »")

        # The landlord's counter prepares the ballot and types the first count, in another browser.
        partner_ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        partner = partner_ctx.new_page()
        partner.set_default_timeout(60_000)
        goto(partner, url + "/")
        login(partner, "habitat", PASSWORD)
        goto(partner, url + "/scrutin_preparer")
        settle(partner)
        fill(partner, "Premier jour du scrutin", "02/11/2026")
        fill(partner, "Dernier jour", "08/11/2026")
        click(partner, "Enregistrer le scrutin")
        expect(partner.locator("[data-testid='stMain']")).to_contain_text("Scrutin enregistré pour Centre-ville")
        _count(partner, 1)
        partner_ctx.close()
        _count(page, 2, url=url)
        page.get_by_role("button", name="Valider le résultat").click()
        expect(main).to_contain_text("Résultat validé : les deux saisies concordent.")
        expect(main).to_contain_text("ADOPTÉ")

        goto(page, url + "/planifier")

        settle(page)
        page.get_by_text("Suivre un déploiement en cours").click()
        settle(page)
        choose(page, "Étape", "Mise en œuvre")
        fill(page, "Début réel (JJ/MM/AAAA)", "16/11/2026")
        click(page, "Enregistrer les dates réelles")
        expect(main).to_contain_text("Dates réelles enregistrées.")

        # The operator's count, imported by the coordination: 63 subscribers in Centre-ville.
        counts = tmp_path / "abonnes.csv"
        counts.write_text("Secteur;Date;Abonnés\ncentre-ville;25/11/2026;63\n", encoding="utf-8")
        goto(page, url + "/imports")
        settle(page)
        page.get_by_text("Abonnés (opérateur)").click()
        wait_idle(page)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(counts))
        wait_idle(page)
        click(page, "Importer")
        expect(page.locator("[data-testid='stAlertContentSuccess']")).to_be_visible(timeout=60_000)

        # Home, by hand: 1 sector deployed, 420 dwellings covered, 63 subscribers, 63 / 420 = 15 %,
        # the offer's 2,00 € tariff; no sector on no offer is covered.
        goto(page, url + "/")
        for label, value in (
            ("Secteurs déployés", "1"),
            ("Logements couverts", "420"),
            ("Abonnés", "63"),
            ("Taux d'adhésion", "15\xa0%"),
            ("Tarif mensuel", "2,00\xa0€"),
        ):
            metric = page.locator("[data-testid='stMetric']").filter(has_text=label).first
            expect(metric.locator("[data-testid='stMetricValue']")).to_have_text(value)
        assert not page.locator("[data-testid='stException']").count()
    finally:
        ctx.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)

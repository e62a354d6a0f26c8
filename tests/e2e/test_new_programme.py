"""A new city in a real browser: an empty database outside demo mode, one coordinator created with
the CLI; the coordination lands on the set-up checklist, imports its sectors from the sample
GeoJSON file (upload, preview, import) and finds them on the map."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from ihs.settings import ROOT
from tests.e2e.conftest import VIEWPORT, _app_env, _free_port, _wait_healthy
from tests.e2e.helpers import goto, login, main_text, wait_idle

pytestmark = pytest.mark.browser
PASSWORD = "un-mot-de-passe-solide"


def _cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "ihs", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
    )


def test_a_new_city_imports_its_sectors_and_sees_them_on_the_map(browser, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ville.db'}"
    env = _app_env(db_url) | {"IHS_DEMO": "0", "IHS_COOKIE_KEY": "cle-de-test-" + "x" * 40, "PW": PASSWORD}
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
        expect(main).to_contain_text("Mise en place du programme")
        expect(main).to_contain_text("0 étape(s) sur 5 faites")
        assert "Données de démonstration" not in page.inner_text("body")
        goto(page, url + "/imports")
        page.get_by_text("Secteurs (référentiel)").click()
        wait_idle(page)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            str(ROOT / "data" / "samples" / "secteurs.geojson")
        )
        wait_idle(page)
        expect(main).to_contain_text("création", timeout=60_000)
        page.get_by_role("button", name="Importer les secteurs").click()
        expect(main).to_contain_text("3 secteur(s) créé(s) ou mis à jour", timeout=60_000)
        goto(page, url + "/carte")
        for name in ("Centre-ville", "Les Hauts", "Le Port"):
            expect(main).to_contain_text(name, timeout=60_000)
        assert "Sans déploiement" in main_text(page)
        assert not page.locator("[data-testid='stException']").count()
    finally:
        ctx.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)

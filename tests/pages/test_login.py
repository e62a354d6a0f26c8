"""Login: DB users through streamlit-authenticator, lockout, demo accounts, secrets kept out of
pages and logs, disabled accounts, and the cookie key required outside demo mode."""

import logging

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ihs import settings as settings_module
from ihs.db import session_scope
from ihs.models import AuditLog, User
from ihs.settings import DEMO_COOKIE_KEY, ROOT, get_settings
from ihs.users import MAX_FAILED_LOGINS, SYSTEM, Actor, actor_for, reset_password, set_active
from tests.apptest import app_as, texts


def _login(at: AppTest, username: str, password: str) -> AppTest:
    # AppTest starts every run in Streamlit's "pages/ folder" mode and asks for the page the last
    # run finished on ("accueil", the login placeholder's URL): it would run pages/accueil.py on
    # its own. A browser meets that mode once per server start at most (see require_gate); an
    # empty request runs the entry point, as a browser does.
    at._finished_page_script_hash = ""
    at.text_input[0].set_value(username)
    at.text_input[1].set_value(password)
    at.button[0].click().run()
    return at


def _everything(at: AppTest) -> str:
    """All text of the page, widget labels and values included."""
    parts = [texts(at)]
    parts += [str(w.value) for w in at.text_input] + [w.label for w in at.text_input]
    parts += [frame.value.to_string() for frame in at.dataframe]
    parts += [str(at.session_state[k]) for k in ("name", "username", "roles") if k in at.session_state]
    return "\n".join(parts)


def _hashes(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(User.password_hash)).scalars())


def test_demo_login_page_lists_one_account_per_role_and_logs_in(app_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception
    shown = texts(at)
    for username in ("coordination", "bailleur", "operateur", "partenaire", "lecture"):
        assert f"`{username}` / `demo-{username}`" in shown
    _login(at, "partenaire", "demo-partenaire")
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert "Connecté·e : **partenaire**" in texts(at)
    at.switch_page("pages/saisie_evenements.py").run()
    assert [t.value for t in at.title] == ["Saisie des événements"]


def test_wrong_password_then_lockout_even_with_the_right_one(app_db, caplog):
    caplog.set_level(logging.DEBUG)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    for attempt in range(1, MAX_FAILED_LOGINS + 1):
        _login(at, "bailleur", f"mauvais-{attempt}")
        assert at.session_state["authentication_status"] is False
    assert any("Trop de tentatives" in e.value for e in at.error)
    with app_db.connect() as conn:
        assert conn.execute(select(User.locked_until).where(User.username == "bailleur")).scalar() is not None
    _login(at, "bailleur", "demo-bailleur")
    assert at.session_state["authentication_status"] is not True
    assert any("Trop de tentatives" in e.value for e in at.error)
    # Another account is not affected.
    _login(at, "operateur", "demo-operateur")
    assert at.session_state["authentication_status"] is True
    # Neither the hashes nor the cookie key show up in the page or the logs.
    page = _everything(at)
    for secret in [*_hashes(app_db), DEMO_COOKIE_KEY]:
        assert secret not in page and secret not in caplog.text
    assert "bailleur" in caplog.text  # the lock itself is logged


def test_wrong_password_message_and_no_secret_on_the_page(app_db, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    # Outside demo mode the app refuses to start while a demo account keeps its public password.
    real_password = "un-vrai-mot-de-passe-de-coordination"
    with session_scope("installation", engine=app_db) as s:
        for username in ("coordination", "bailleur", "operateur", "partenaire", "lecture"):
            reset_password(s, SYSTEM, username, f"{real_password}-{username}", rounds=4)
    monkeypatch.delenv("IHS_DEMO")
    monkeypatch.setenv("IHS_COOKIE_KEY", "k9Xz-a-real-long-secret-for-the-cookie")
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert "demo-" not in texts(at), "demo passwords only in demo mode"
    _login(at, "coordination", "pas-le-bon")
    assert "Identifiant ou mot de passe incorrect." in [e.value for e in at.error]
    _login(at, "coordination", f"{real_password}-coordination")
    at.switch_page("pages/utilisateurs.py").run()
    page = _everything(at)
    for secret in [*_hashes(app_db), "k9Xz-a-real-long-secret-for-the-cookie", real_password]:
        assert secret not in page and secret not in caplog.text
    with app_db.connect() as conn:
        audit = " ".join(str(a) for a in conn.execute(select(AuditLog.before, AuditLog.after)).all())
    assert "$2b$" not in audit


def test_missing_cookie_key_outside_demo_stops_with_a_clear_message(app_db, monkeypatch, caplog):
    monkeypatch.delenv("IHS_DEMO")
    monkeypatch.delenv("IHS_COOKIE_KEY", raising=False)
    monkeypatch.setattr(settings_module, "_secrets_file_value", lambda key: None)
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception
    assert any("Clé de cookie manquante" in e.value and "IHS_COOKIE_KEY" in e.value for e in at.error)
    assert not at.text_input
    assert "Clé de cookie manquante" in caplog.text


def test_a_disabled_account_loses_access_at_once(app_db):
    at = app_as("partner")
    at.run()
    at.switch_page("pages/saisie_visites.py").run()
    assert [t.value for t in at.title] == ["Visites et accompagnement"]
    with session_scope("coordination", engine=app_db) as s:
        set_active(s, actor_for(app_db, "coordination"), "partenaire", False)
    at.run()  # under AppTest the page may run on its own: it checks the account itself
    assert any("désactivé" in e.value or "Accès refusé" in e.value for e in at.error)
    assert not at.text_input and not at.button
    # Even a page run on its own (no app.py) checks the account in the database.
    page = AppTest.from_file(str(ROOT / "pages" / "saisie_visites.py"), default_timeout=30)
    page.session_state["actor"] = Actor("partenaire", "partner", 14)
    page.run()
    assert any("Accès refusé" in e.value for e in page.error) and not page.text_input
    # Through app.py (a session still holding authentication_status): no page at all.
    at = app_as("partner")
    at.run()
    assert "Ce compte a été désactivé : la session est terminée." in [e.value for e in at.error]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/saisie_visites.py")


def _visits_and_audit(engine) -> tuple[int, int]:
    from sqlalchemy import func, select

    from ihs.models import AuditLog, Visit

    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(Visit)).scalar_one(),
            conn.execute(select(func.count()).select_from(AuditLog)).scalar_one(),
        )


def _dropin_typed(at, engine) -> None:
    from sqlalchemy import select

    from ihs.models import Sector

    with engine.connect() as conn:
        sector = conn.execute(select(Sector.id).where(Sector.code == "bellevue-kergoat")).scalar_one()
    at.selectbox(key="vi_kind").select("dropin").run()
    at.selectbox(key="vi_dropin_sector_id").select(sector)
    at.text_input(key="vi_dropin_people_seen").input("4")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("disable", "Votre compte a été désactivé : rien n'a été enregistré."),
        ("role", "Votre compte a été modifié depuis votre connexion"),
        ("scope", "Votre compte a été modifié depuis votre connexion"),
    ],
)
def test_an_account_changed_while_a_form_is_open_does_not_write_with_the_old_rights(app_db, change, message):
    """The submit callback runs before the page is drawn again: it must not use the session's old account."""
    from ihs.users import set_role

    at = app_as("partner")
    at.run()
    at.switch_page("pages/saisie_visites.py").run()
    _dropin_typed(at, app_db)
    before = _visits_and_audit(app_db)
    coordinator = actor_for(app_db, "coordination")
    with session_scope("coordination", engine=app_db) as s:
        if change == "disable":
            set_active(s, coordinator, "partenaire", False)
        elif change == "role":
            set_role(s, coordinator, "partenaire", "landlord", "Brest métropole habitat")
        else:  # another organisation: another scope of sectors
            set_role(s, coordinator, "partenaire", "partner", "Brest métropole habitat")
    after_change = _visits_and_audit(app_db)
    at.button(key="FormSubmitter:vi_dropin-Enregistrer").click().run()
    assert not at.exception
    assert _visits_and_audit(app_db) == after_change and after_change[0] == before[0]
    shown = " ".join(e.value for e in [*at.error, *at.info])
    if change == "disable":
        # Under AppTest the page reruns on its own (no app.py): it refuses; in a browser the login
        # gate ends the session and shows the login form (tests/e2e/test_accounts.py).
        assert "Accès refusé" in shown and not at.text_input
    elif change == "role":
        assert message in shown
    else:  # the new organisation has no sector: the form is gone, nothing was written
        assert "Aucun secteur n'est rattaché à votre organisation" in shown

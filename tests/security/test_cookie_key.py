"""Outside demo mode the login cookie must be signed with a real secret, or the app does not start."""

from __future__ import annotations

import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from ihs import settings as settings_module
from ihs.db import session_scope
from ihs.settings import ROOT, Settings, SettingsError, get_settings
from ihs.users import SYSTEM, reset_password


def _settings(cookie_key, demo) -> Settings:
    return Settings(database_url="sqlite://", demo=demo, cookie_key=cookie_key, public_dashboards=False, cache_ttl=60)


@pytest.mark.parametrize("key", [None, "", "changeme", "secret", "demo", "ihs-demo-cookie-key"])
def test_no_or_placeholder_key_outside_demo_is_a_clear_french_error(key):
    with pytest.raises(SettingsError) as info:
        _settings(key, demo=False).require_cookie_key()
    message = str(info.value)
    assert "Clé de cookie manquante" in message and "IHS_COOKIE_KEY" in message


def test_the_example_secrets_file_value_is_refused_outside_demo():
    """Copying the commented example without editing it must not give a working (public) key."""
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))
    with pytest.raises(SettingsError):
        _settings(example["IHS_COOKIE_KEY"], demo=False).require_cookie_key()


def test_a_real_key_is_used_and_demo_mode_has_its_own():
    assert _settings("k9Xz-very-long-random-secret-value", demo=False).require_cookie_key().startswith("k9Xz")
    assert _settings(None, demo=True).require_cookie_key()


def test_app_without_key_outside_demo_stops_with_the_message(app_db, monkeypatch):
    monkeypatch.delenv("IHS_DEMO", raising=False)
    monkeypatch.delenv("IHS_COOKIE_KEY", raising=False)
    monkeypatch.setattr(settings_module, "_secrets_file_value", lambda key: None)
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Clé de cookie manquante" in errors and "IHS_COOKIE_KEY" in errors
    assert not at.text_input, "no login form without a cookie key"
    assert not at.metric and not at.dataframe


def test_app_with_a_key_outside_demo_shows_the_login_form_without_demo_accounts(app_db, monkeypatch):
    # The demo accounts' public passwords would stop the start-up outside demo mode (ihs.production).
    with session_scope("installation", engine=app_db) as s:
        for username in ("coordination", "bailleur", "operateur", "partenaire", "lecture"):
            reset_password(s, SYSTEM, username, f"un-vrai-mot-de-passe-{username}", rounds=4)
    monkeypatch.delenv("IHS_DEMO", raising=False)
    monkeypatch.setenv("IHS_COOKIE_KEY", "k9Xz-very-long-random-secret-value")
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input][:2] == ["Identifiant", "Mot de passe"]
    shown = " ".join(m.value for m in at.markdown)
    assert "demo-" not in shown, "demo passwords are listed only in demo mode"

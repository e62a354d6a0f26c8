"""The login gate (streamlit-authenticator over users stored in the database) and page guards."""

from __future__ import annotations

import logging

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from ihs import clock
from ihs.db import session_scope
from ihs.settings import get_settings
from ihs.ui.data import engine
from ihs.ui.nav import PAGES, PageSpec, spec_for
from ihs.users import DEMO_ACCOUNTS, MAX_FAILED_LOGINS, Actor, actor_for, credentials, demo_password, record_login
from ihs.vocab import ROLES

COOKIE_NAME = "ihs_session"
LOGIN_FIELDS = {
    "Form name": "Connexion",
    "Username": "Identifiant",
    "Password": "Mot de passe",
    "Login": "Se connecter",
    "Captcha": "Captcha",
}


log = logging.getLogger("ihs.auth")


def _persist_failures(creds: dict, before: dict[str, int]) -> str | None:
    """Store failed attempts the authenticator counted in this run; a French message if now locked."""
    message = None
    for username, entry in creds["usernames"].items():
        if entry.get("failed_login_attempts", 0) > before.get(username, 0):
            with session_scope(username, engine=engine()) as s:
                until = record_login(s, username, ok=False, now=clock.now())
            if until:
                log.warning("account %s locked after %s failed logins", username, MAX_FAILED_LOGINS)
                message = f"Trop de tentatives : ce compte est bloqué jusqu'à {until:%H:%M}. Réessayez plus tard."
    return message


def _forget_hashes(creds: dict) -> None:
    """The authenticator lives in session state for the logout button: keep no hash there."""
    for entry in creds["usernames"].values():
        entry["password"] = ""


def login_gate() -> Actor | None:
    """Show the login form if needed; return the logged-in actor, or None."""
    settings = get_settings()
    # Locked accounts arrive with failed_login_attempts at the maximum: the authenticator refuses them.
    creds = credentials(engine(), clock.now())
    before = {u: e["failed_login_attempts"] for u, e in creds["usernames"].items()}
    authenticator = stauth.Authenticate(
        creds,
        COOKIE_NAME,
        settings.require_cookie_key(),
        cookie_expiry_days=1,
        auto_hash=False,
        login_sleep_time=0,
    )
    st.session_state["_authenticator"] = authenticator
    try:
        authenticator.login(location="main", max_login_attempts=MAX_FAILED_LOGINS, fields=LOGIN_FIELDS, key="connexion")
    except LoginError as exc:
        _forget_hashes(creds)
        log.warning("login refused: %s", exc)
        if "attempts" in str(exc):
            st.error("Trop de tentatives : ce compte est bloqué pour quelques minutes. Réessayez plus tard.")
        else:
            # The login cookie of an account disabled since it was set: drop it, so that a reload
            # shows the login form.
            authenticator.cookie_controller.delete_cookie()
            st.error(
                "Accès refusé : ce compte n'est pas (ou plus) autorisé. "
                "Rechargez la page pour vous connecter avec un autre compte."
            )
        return None
    status = st.session_state.get("authentication_status")
    failures = _persist_failures(creds, before) if status is False else None
    _forget_hashes(creds)
    if status:
        username = st.session_state.get("username")
        actor = actor_for(engine(), username) if username else None
        if actor is None:
            # Disabled while logged in: end the session and its cookie (in this very run, so the
            # browser gets the deletion) and show the login form again.
            log.warning("session of disabled account %s ended", username)
            authenticator.logout(location="unrendered")
            # Kept until the next login: the cookie's deletion reruns the page at once.
            st.session_state["_account_message"] = "Ce compte a été désactivé : la session est terminée."
            st.error(st.session_state["_account_message"])
            authenticator.login(
                location="main", max_login_attempts=MAX_FAILED_LOGINS, fields=LOGIN_FIELDS, key="connexion"
            )
            _forget_hashes(creds)
            return None
        else:
            if st.session_state.get("_logged_in_as") != username:
                with session_scope(username, engine=engine()) as s:
                    record_login(s, username, ok=True, now=clock.now())
                st.session_state["_logged_in_as"] = username
                st.session_state.pop("show_login", None)
                st.session_state.pop("_account_message", None)
        return actor
    if message := st.session_state.get("_account_message"):
        st.error(message)
    if status is False:
        st.error(failures or "Identifiant ou mot de passe incorrect.")
    if settings.demo:
        _demo_accounts()
    return None


def _demo_accounts() -> None:
    with st.expander("Comptes de démonstration", expanded=True):
        st.markdown(
            "\n".join(
                f"- **{ROLES[role]}** : `{username}` / `{demo_password(username)}`"
                for username, _, role, _ in DEMO_ACCOUNTS
            )
        )


def logout_button() -> None:
    """The « Se déconnecter » button in the sidebar, while someone is logged in."""
    authenticator = st.session_state.get("_authenticator")
    if authenticator and st.session_state.get("authentication_status"):
        authenticator.logout("Se déconnecter", location="sidebar", key="deconnexion")


def current_actor() -> Actor | None:
    """The Actor app.py stored for this run (from the login gate); None when nobody is logged in."""
    return st.session_state.get("actor")


_left_folder_mode = False  # set once this process has called st.navigation from here


def _no_page() -> None:
    """The one page of the navigation require_gate declares for a single run before rerunning."""


def require_gate() -> None:
    """Make sure this run went through app.py (the login gate and the role's menu).

    Streamlit keeps a process-wide "pages/ folder" mode (multipage v1) until some session has
    run `st.navigation`: right after a server start, a deep link such as /mes_saisies runs
    pages/mes_saisies.py on its own, without app.py. The first run of the process that reads
    calls `st.navigation` (the public way out of that mode) and reruns, so the request goes
    through the entry point like every other: one extra rerun per server start. (AppTest starts
    every run in that mode, so there the check is off: it would turn each interaction into a
    rerun that drops clicks.)
    """
    global _left_folder_mode
    if _left_folder_mode or st.get_option("global.appTest"):
        return
    # Every known URL, so this run's own raises no « page not found »; app.py makes the real menu.
    st.navigation(
        [st.Page(_no_page, title=p.title, url_path=p.url_path, default=p.default) for p in PAGES], position="hidden"
    )
    _left_folder_mode = True
    st.rerun()


def require_page(path: str) -> Actor:
    """Stop the page unless the current user's role may open it (hidden pages open by URL)."""
    require_gate()
    actor = current_actor()
    if actor is not None:
        # The database decides, not the session: an account disabled or given another role
        # since this session logged in loses access at once, even if app.py did not run.
        actor = actor_for(engine(), actor.username)
        if actor is None:
            st.session_state["actor"] = None
            st.rerun()  # app.py's login gate ends the session and shows the login form
    spec = spec_for(path)
    if actor is None or actor.role not in spec.roles:
        st.error("Accès refusé : cette page est réservée à d'autres rôles. Connectez-vous avec un compte autorisé.")
        st.stop()
    return actor


def reserved_page(spec: PageSpec):
    """What a page the current user may not open shows when reached by its address.

    Registered hidden (no menu entry) in place of the page, so that an old link or a typed
    address gets a French explanation and the way back, not Streamlit's English "Page not found".
    """

    def reserved() -> None:
        roles = ", ".join(ROLES[r] for r in spec.roles)
        if current_actor() is None:
            st.error(
                f"La page « {spec.title} » demande une connexion (réservée à : {roles}). "
                "Utilisez « Se connecter » dans le menu."
            )
        else:
            st.error(f"La page « {spec.title} » est réservée à d'autres rôles ({roles}) : votre compte ne l'ouvre pas.")
        home = next(p for p in PAGES if p.default)
        st.page_link(home.path, label=f"Revenir à « {home.title} »", icon=":material/arrow_back:")

    reserved.__name__ = f"reserved_{spec.url_path}"
    return reserved

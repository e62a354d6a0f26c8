"""Start-up checks: outside demo mode, refuse a configuration that is unsafe for partners' data.

Called once per process by `python -m ihs serve` (before Streamlit starts: the systemd unit
fails with a clear line in the journal) and by app.py (`streamlit run app.py` started by hand:
the page shows the same French message). Every message says what to change.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from ihs import clock
from ihs.settings import Settings, SettingsError

# Exit status of `python -m ihs serve` for a refused configuration (sysexits EX_CONFIG): the
# systemd unit does not restart on it (RestartPreventExitStatus), a restart would not fix it.
EX_CONFIG = 78


def demo_accounts_present(engine: Engine) -> list[str]:
    """Active accounts that still open with their demo password, published in README."""
    from ihs.models import User
    from ihs.users import DEMO_ACCOUNTS, check_password, demo_password

    names = [username for username, *_ in DEMO_ACCOUNTS]
    with engine.connect() as conn:
        rows = conn.execute(
            select(User.username, User.password_hash).where(User.username.in_(names), User.active.is_(True))
        ).all()
    return sorted(r.username for r in rows if check_password(demo_password(r.username), r.password_hash))


def problems(settings: Settings, engine: Engine | None = None) -> list[str]:
    """What stops this configuration from serving, in French; empty when it may start."""
    found = []
    try:
        settings.require_cookie_key()
    except SettingsError as exc:
        found.append(str(exc))
    try:
        clock.now()  # IHS_TIMEZONE and IHS_TODAY readable
    except clock.ClockError as exc:
        found.append(str(exc))
    if settings.demo:
        return found
    sqlite = settings.database_url.startswith("sqlite")
    if sqlite and settings.app_servers > 1:
        found.append(
            f"IHS_APP_SERVERS={settings.app_servers} serveurs d'application sur une base SQLite : chaque serveur "
            "écrirait dans son propre fichier ou se bloquerait sur le même. Avec plusieurs serveurs, utilisez "
            "PostgreSQL (IHS_DATABASE_URL=postgresql+psycopg://…), ou IHS_APP_SERVERS=1."
        )
    if engine is not None:
        try:
            from ihs.migrate import current_revision, head_revision

            revision = current_revision(engine.url.render_as_string(hide_password=False))
            if revision != head_revision():
                found.append(
                    f"Le schéma de la base ({revision or 'vide'}) n'est pas celui de cette version "
                    f"({head_revision()}) : lancez « python -m ihs db upgrade » avant de démarrer."
                )
            else:
                demo = demo_accounts_present(engine)
                if demo:
                    found.append(
                        "Comptes de démonstration présents avec leur mot de passe public ("
                        + ", ".join(demo)
                        + ") : désactivez-les (« python -m ihs users disable NOM ») ou utilisez une base sans "
                        "données de démonstration, ou lancez en mode démo (IHS_DEMO=1)."
                    )
        except SQLAlchemyError as exc:
            found.append(f"Base de données injoignable ({type(exc).__name__}) : vérifiez IHS_DATABASE_URL.")
    return found


def check(settings: Settings, engine: Engine | None = None) -> None:
    """Raise SettingsError with every problem found, one per line."""
    found = problems(settings, engine)
    if found:
        raise SettingsError("\n".join(found))

"""Settings read once from the environment (and `.streamlit/secrets.toml` for the cookie key).

Every variable is listed in `SETTINGS_DOC`; a test checks README documents each of them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_SQLITE_PATH = DATA_DIR / "ihs.db"

SETTINGS_DOC = {
    "IHS_DATABASE_URL": "SQLAlchemy URL of the database (default: SQLite file data/ihs.db)",
    "IHS_DEMO": "1 = demo mode: demo accounts with known passwords, demo banner (default 0)",
    "IHS_COOKIE_KEY": "secret that signs the login cookie; required outside demo mode",
    "IHS_PUBLIC_DASHBOARDS": "1 = dashboards open without login (shared screen); entry pages never",
    "IHS_TODAY": "pretend today is this date (YYYY-MM-DD); for demos and tests",
    "IHS_TIMEZONE": "time zone of the programme, for every date and time the app writes or shows (default Europe/Paris)",
    "IHS_CACHE_TTL": "seconds a cached dashboard read lives (default 60)",
    "IHS_CONCURRENT_WRITES": "user actions that write to the database at the same time, at most (default 4)",
    "IHS_APP_SERVERS": "app servers sharing the database behind the proxy (default 1); more than 1 needs PostgreSQL",
}

# Placeholder secrets that must never be accepted outside demo mode.
DEMO_COOKIE_KEY = "ihs-demo-cookie-key-not-secret-0123456789"  # known to all: demo mode only
_PLACEHOLDERS = {
    "",
    "changeme",
    "change-me",
    "secret",
    "demo",
    "replace-with-a-long-random-secret",
    "ihs-demo-cookie-key",
    DEMO_COOKIE_KEY,
}


class SettingsError(RuntimeError):
    """A setting is missing or invalid; the message is shown to whoever starts the app."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "oui"}


def _secrets_file_value(key: str) -> str | None:
    path = ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = data.get(key) or data.get(key.lower())
    return str(value) if value else None


@dataclass(frozen=True)
class Settings:
    """The settings read from the environment (see `SETTINGS_DOC`)."""

    database_url: str
    demo: bool
    cookie_key: str | None
    public_dashboards: bool
    cache_ttl: int
    concurrent_writes: int = 4  # about twice the cores (see ihs.db.write_gate)
    app_servers: int = 1  # app servers behind nginx on this database (deploy/); >1 needs PostgreSQL

    def require_cookie_key(self) -> str:
        """The cookie key, or a clear start-up error outside demo mode."""
        if self.cookie_key and self.cookie_key not in _PLACEHOLDERS:
            return self.cookie_key
        if self.demo:
            return DEMO_COOKIE_KEY
        raise SettingsError(
            "Clé de cookie manquante : définissez IHS_COOKIE_KEY (ou cookie_key dans "
            ".streamlit/secrets.toml) avec une valeur secrète, ou lancez en mode démo (IHS_DEMO=1)."
        )


def default_database_url() -> str:
    """The SQLite file data/ihs.db, used when IHS_DATABASE_URL is not set."""
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read from the environment at the first call, then cached (`cache_clear()` reads
    them again); a number that cannot be read gets its default."""
    ttl = os.environ.get("IHS_CACHE_TTL", "60")
    writes = os.environ.get("IHS_CONCURRENT_WRITES", "4")
    servers = os.environ.get("IHS_APP_SERVERS", "1").strip()
    return Settings(
        database_url=os.environ.get("IHS_DATABASE_URL") or default_database_url(),
        demo=_flag("IHS_DEMO"),
        cookie_key=os.environ.get("IHS_COOKIE_KEY") or _secrets_file_value("IHS_COOKIE_KEY"),
        public_dashboards=_flag("IHS_PUBLIC_DASHBOARDS"),
        cache_ttl=int(ttl) if ttl.isdigit() else 60,
        concurrent_writes=int(writes) if writes.isdigit() and int(writes) > 0 else 4,
        app_servers=int(servers) if servers.isdigit() and int(servers) > 0 else 1,
    )

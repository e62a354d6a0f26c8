"""Users, roles and permissions. Every write function in `ihs` checks its actor here."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
import pandas as pd
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from ihs.models import Organisation, SectorPartner, User
from ihs.validation import ValidationError
from ihs.vocab import ROLES

# What each role may do (domain.md, "Roles"). The coordinator may do everything.
PERMISSIONS: dict[str, set[str]] = {
    "coordinator": {"*"},
    "landlord": {"read", "sectors", "ballots", "turnout", "count", "move_ins", "events", "visits"},
    "operator": {"read", "subscribers"},
    "partner": {"read", "events", "visits"},
    "viewer": {"read"},
}

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


# Demo accounts, one per role (demo mode only: their passwords are published on the login page and in
# README; `ihs.production` refuses them outside demo mode).
DEMO_ACCOUNTS = [
    ("coordination", "Coordination (démo)", "coordinator", "Ville de Brest – Médiations et usages numériques"),
    ("bailleur", "Bailleur (démo)", "landlord", "Brest métropole habitat"),
    ("operateur", "Opérateur (démo)", "operator", "SFR"),
    ("partenaire", "Partenaire (démo)", "partner", "Maison de quartier de Bellevue (démo)"),
    ("lecture", "Écran partagé (démo)", "viewer", None),
]


def demo_password(username: str) -> str:
    """A demo account's password: "demo-" and its username (published, so demo mode only)."""
    return f"demo-{username}"


class PermissionDenied(PermissionError):
    """Raised by write functions; the message is French and shown as is."""


@dataclass(frozen=True)
class Actor:
    """Who performs an action: what the audit log records and permissions check."""

    username: str
    role: str
    organisation_id: int | None = None

    def can(self, permission: str) -> bool:
        """Whether this actor's role may do `permission` (`role_can`)."""
        return role_can(self.role, permission)


def role_can(role: str | None, permission: str) -> bool:
    """Whether `role` may do `permission`: the one rule, for writes and for the menu."""
    allowed = PERMISSIONS.get(role or "", set())
    return "*" in allowed or permission in allowed


SYSTEM = Actor("système", "coordinator")


ACCOUNT_CHANGED = (
    "Votre compte a été modifié depuis votre connexion (rôle ou organisation) : rien n'a été enregistré. "
    "Rechargez la page."
)
ACCOUNT_DISABLED = "Votre compte a été désactivé : rien n'a été enregistré."


# Built once: every write reads the account again (see `require`).
_ACCOUNT = select(User.active, User.role, User.organisation_id).where(User.username == bindparam("username"))


def require(actor: Actor, permission: str, session: Session | None = None) -> None:
    """Refuse what `actor`'s role may not do.

    With the write's `session`, the account is read again in that transaction: a browser session
    keeps the Actor it logged in with, and an account disabled, or given another role or
    organisation since, must not write once more with the old one.
    """
    if not actor.can(permission):
        raise PermissionDenied(f"Action non autorisée pour le rôle « {ROLES.get(actor.role, actor.role)} ».")
    if session is None or actor == SYSTEM:
        return
    # Core, not ORM: one indexed read per write, without the ORM's per-statement work.
    row = session.connection().execute(_ACCOUNT, {"username": actor.username}).first()
    if row is None:
        return  # an actor that is not an account (scripts, tests): its role was checked above
    if not row.active:
        raise PermissionDenied(ACCOUNT_DISABLED)
    # A partner's organisation is its scope (the sectors it may enter data for).
    if row.role != actor.role or (row.role == "partner" and row.organisation_id != actor.organisation_id):
        raise PermissionDenied(ACCOUNT_CHANGED)


def sectors_in_scope(session: Session, actor: Actor) -> set[int] | None:
    """Sector ids a partner may enter data for; None means every sector."""
    if actor.role != "partner":
        return None
    if actor.organisation_id is None:
        return set()
    rows = session.execute(
        select(SectorPartner.sector_id).where(SectorPartner.organisation_id == actor.organisation_id)
    ).scalars()
    return set(rows)


def validate_password(password: str) -> str | None:
    """A French message if the password is unacceptable, else None (bcrypt takes 72 bytes max)."""
    size = len(password.encode("utf-8"))
    if size < 8:
        return "Le mot de passe doit contenir au moins 8 caractères."
    if size > 72:
        return "Le mot de passe est trop long (72 octets au plus)."
    return None


def hash_password(password: str, rounds: int = 12) -> str:
    """The bcrypt hash of `password` at cost `rounds`; ValueError with the French message when
    `validate_password` refuses it."""
    problem = validate_password(password)
    if problem:
        raise ValueError(problem)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, password_hash: str) -> bool:
    """Whether `password` matches the bcrypt hash; False, not an error, for a malformed hash."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode())
    except ValueError:
        return False


def validate_user(username: str, name: str, role: str, password: str | None) -> dict[str, str]:
    """French messages keyed by field (username, name, role, password) for an account's values; empty
    when they are acceptable. A None password is not checked."""
    errors = {}
    if not USERNAME_RE.match(username or ""):
        errors["username"] = "Identifiant : 2 à 40 caractères, lettres minuscules, chiffres, point, tiret."
    if not (name or "").strip():
        errors["name"] = "Indiquez le nom affiché."
    elif len(name) > 200:
        errors["name"] = "Le nom est trop long (200 caractères au plus)."
    if role not in ROLES:
        errors["role"] = f"Rôle inconnu : choisissez parmi {', '.join(ROLES)}."
    if password is not None:
        problem = validate_password(password)
        if problem:
            errors["password"] = problem
    return errors


def _organisation_id(session: Session, organisation: str | int | None, errors: dict[str, str]) -> int | None:
    if organisation in (None, ""):
        return None
    if isinstance(organisation, int):
        found = session.get(Organisation, organisation)
    else:
        found = session.execute(
            select(Organisation).where((Organisation.name == organisation) | (Organisation.short_name == organisation))
        ).scalar_one_or_none()
    if found is None:
        errors["organisation"] = f"Organisation inconnue : « {organisation} »."
        return None
    if not found.active:
        errors["organisation"] = (
            f"L'organisation « {found.name} » est désactivée : réactivez-la ou choisissez-en une autre."
        )
        return None
    return found.id


def add_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    organisation: str | int | None = None,
    email: str | None = None,
    rounds: int = 12,
) -> User:
    """Create an account. Raises ValidationError (messages keyed by field) on bad input."""
    require(actor, "users", session)
    username = (username or "").strip().lower()
    errors = validate_user(username, name, role, password)
    if "username" not in errors and session.execute(select(User.id).where(User.username == username)).first():
        errors["username"] = f"L'identifiant « {username} » existe déjà."
    org_id = _organisation_id(session, organisation, errors)
    if role == "partner" and org_id is None and "organisation" not in errors:
        # A partner's scope comes from its organisation: without one it could enter nothing.
        errors["organisation"] = "Un partenaire doit être rattaché à une organisation."
    if email and len(email) > 200:
        errors["email"] = "Adresse trop longue (200 caractères au plus)."
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        name=name.strip(),
        role=role,
        email=(email or "").strip() or None,
        organisation_id=org_id,
        password_hash=hash_password(password, rounds),
        failed_logins=0,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise ValidationError({"username": f"Utilisateur inconnu : « {username} »."})
    return user


def _other_active_coordinators(session: Session, username: str) -> int:
    return len(
        session.execute(
            select(User.id).where(User.role == "coordinator", User.active.is_(True), User.username != username)
        ).all()
    )


def set_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    """Enable or disable an account; disabling one's own account or the last active coordination
    account is refused (`ValidationError`)."""
    require(actor, "users", session)
    user = _user(session, username)
    if not active and user.role == "coordinator" and not _other_active_coordinators(session, username):
        # Nobody could manage accounts any more.
        raise ValidationError({"active": "Impossible : c'est le dernier compte de coordination actif."})
    if not active and username == actor.username:
        raise ValidationError({"active": "Vous ne pouvez pas désactiver votre propre compte."})
    user.active = active
    return user


def set_role(session: Session, actor: Actor, username: str, role: str, organisation: str | int | None = None) -> User:
    """Change a role (and, optionally, the organisation that gives a partner its sectors)."""
    require(actor, "users", session)
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = f"Rôle inconnu : {role}."
    user = _user(session, username)
    org_id = _organisation_id(session, organisation, errors) if organisation not in (None, "") else user.organisation_id
    if role == "partner" and org_id is None and "organisation" not in errors:
        errors["organisation"] = "Un partenaire doit être rattaché à une organisation."
    if (
        user.role == "coordinator"
        and role != "coordinator"
        and user.active
        and not _other_active_coordinators(session, username)
    ):
        errors["role"] = "Impossible : c'est le dernier compte de coordination actif."
    if errors:
        raise ValidationError(errors)
    user.role = role
    user.organisation_id = org_id
    return user


def reset_password(session: Session, actor: Actor, username: str, password: str, rounds: int = 12) -> User:
    """Give an account a new password (checked by `validate_password`) and clear its failed logins
    and its lock."""
    require(actor, "users", session)
    user = _user(session, username)
    problem = validate_password(password or "")
    if problem:
        raise ValidationError({"password": problem})
    user.password_hash = hash_password(password, rounds)
    user.failed_logins = 0
    user.locked_until = None
    return user


def list_users(db: Engine) -> pd.DataFrame:
    """Accounts for the coordinator's screen (never the password hash)."""
    stmt = (
        select(
            User.username,
            User.name,
            User.role,
            Organisation.name.label("organisation"),
            User.active,
            User.locked_until,
        )
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .order_by(User.username)
    )
    with db.connect() as conn:
        return pd.read_sql(stmt, conn)


def organisation_choices(db: Engine) -> list[tuple[int, str]]:
    """Active organisations (id, name) by name: a deactivated one is kept in history, not offered."""
    stmt = select(Organisation.id, Organisation.name).where(Organisation.active.is_(True)).order_by(Organisation.name)
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt)]


# A disabled account keeps an entry whose password matches nothing: the authenticator then accepts
# its still-valid login cookie (instead of raising before it draws any form), and the login gate,
# which finds no active account, ends that session properly and shows the form.
_NO_PASSWORD = bcrypt.hashpw(secrets.token_bytes(32), bcrypt.gensalt(4)).decode()


def credentials(db: Engine, now: datetime | None = None) -> dict:
    """The credentials dict streamlit-authenticator expects, pre-hashed.

    With `now`, a locked account gets `failed_login_attempts = MAX_FAILED_LOGINS`, so the
    authenticator refuses it even with the right password until the lock ends. A disabled
    account is listed with a password that matches nothing (see `_NO_PASSWORD`).
    """
    with db.connect() as conn:
        rows = conn.execute(
            select(User.username, User.name, User.email, User.password_hash, User.role, User.locked_until, User.active)
        ).all()
    return {
        "usernames": {
            r.username: {
                "name": r.name,
                "email": r.email or "",
                "password": r.password_hash if r.active else _NO_PASSWORD,
                "roles": [r.role],
                "failed_login_attempts": MAX_FAILED_LOGINS if (now and r.locked_until and r.locked_until > now) else 0,
            }
            for r in rows
        }
    }


def actor_for(db: Engine, username: str) -> Actor | None:
    """The Actor of an active account; None for an unknown or disabled username."""
    with db.connect() as conn:
        row = conn.execute(
            select(User.username, User.role, User.organisation_id).where(
                User.username == username, User.active.is_(True)
            )
        ).first()
    return Actor(row.username, row.role, row.organisation_id) if row else None


def record_login(session: Session, username: str, ok: bool, now: datetime) -> datetime | None:
    """Count failed logins; after MAX_FAILED_LOGINS, lock the account for LOCK_MINUTES.

    Returns the lock end if the account is now locked.
    """
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        return None
    if ok:
        if user.failed_logins:
            user.failed_logins = 0
            user.locked_until = None
        return None
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
        return user.locked_until
    return None

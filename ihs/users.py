"""Users, roles and permissions. Every write function in `ihs` checks its actor here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ihs.models import Organisation, SectorPartner, User
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


class PermissionDenied(PermissionError):
    """Raised by write functions; the message is French and shown as is."""


@dataclass(frozen=True)
class Actor:
    """Who performs an action: what the audit log records and permissions check."""

    username: str
    role: str
    organisation_id: int | None = None

    def can(self, permission: str) -> bool:
        allowed = PERMISSIONS.get(self.role, set())
        return "*" in allowed or permission in allowed


SYSTEM = Actor("système", "coordinator")


def require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        raise PermissionDenied(f"Action non autorisée pour le rôle « {ROLES.get(actor.role, actor.role)} ».")


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


def require_sector(session: Session, actor: Actor, sector_id: int) -> None:
    scope = sectors_in_scope(session, actor)
    if scope is not None and sector_id not in scope:
        raise PermissionDenied("Ce secteur n'est pas dans le périmètre de votre organisation.")


def validate_password(password: str) -> str | None:
    """A French message if the password is unacceptable, else None (bcrypt takes 72 bytes max)."""
    size = len(password.encode("utf-8"))
    if size < 8:
        return "Le mot de passe doit contenir au moins 8 caractères."
    if size > 72:
        return "Le mot de passe est trop long (72 octets au plus)."
    return None


def hash_password(password: str, rounds: int = 12) -> str:
    problem = validate_password(password)
    if problem:
        raise ValueError(problem)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode())
    except ValueError:
        return False


def validate_user(username: str, name: str, role: str, password: str | None) -> dict[str, str]:
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


def add_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    organisation: str | None = None,
    email: str | None = None,
    rounds: int = 12,
) -> User:
    require(actor, "users")
    errors = validate_user(username, name, role, password)
    if session.execute(select(User.id).where(User.username == username)).first():
        errors["username"] = f"L'identifiant « {username} » existe déjà."
    org_id = None
    if organisation:
        org_id = session.execute(
            select(Organisation.id).where(
                (Organisation.name == organisation) | (Organisation.short_name == organisation)
            )
        ).scalar_one_or_none()
        if org_id is None:
            errors["organisation"] = f"Organisation inconnue : « {organisation} »."
    if errors:
        raise ValueError("; ".join(errors.values()))
    user = User(
        username=username,
        name=name.strip(),
        role=role,
        email=email,
        organisation_id=org_id,
        password_hash=hash_password(password, rounds),
    )
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    require(actor, "users")
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise ValueError(f"Utilisateur inconnu : « {username} ».")
    user.active = active
    return user


def set_role(session: Session, actor: Actor, username: str, role: str) -> User:
    require(actor, "users")
    if role not in ROLES:
        raise ValueError(f"Rôle inconnu : {role}.")
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    user.role = role
    return user


def reset_password(session: Session, actor: Actor, username: str, password: str) -> User:
    require(actor, "users")
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    return user


def list_users(db: Engine) -> pd.DataFrame:
    stmt = (
        select(User.username, User.name, User.role, Organisation.name.label("organisation"), User.active)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .order_by(User.username)
    )
    with db.connect() as conn:
        return pd.read_sql(stmt, conn)


def credentials(db: Engine) -> dict:
    """The credentials dict streamlit-authenticator expects, from active users (pre-hashed)."""
    with db.connect() as conn:
        rows = conn.execute(
            select(User.username, User.name, User.email, User.password_hash, User.role).where(User.active.is_(True))
        ).all()
    return {
        "usernames": {
            r.username: {"name": r.name, "email": r.email or "", "password": r.password_hash, "roles": [r.role]}
            for r in rows
        }
    }


def actor_for(db: Engine, username: str) -> Actor | None:
    with db.connect() as conn:
        row = conn.execute(
            select(User.username, User.role, User.organisation_id).where(
                User.username == username, User.active.is_(True)
            )
        ).first()
    return Actor(row.username, row.role, row.organisation_id) if row else None


def login_locked_until(session: Session, username: str, now: datetime) -> datetime | None:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user and user.locked_until and user.locked_until > now:
        return user.locked_until
    return None


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

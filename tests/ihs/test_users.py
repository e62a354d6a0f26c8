"""Users: roles, permissions, account management, login lockout, cookie key."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ihs.db import session_scope
from ihs.models import Organisation, User
from ihs.reference import set_organisation_active
from ihs.settings import Settings, SettingsError
from ihs.users import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    PermissionDenied,
    actor_for,
    add_user,
    check_password,
    credentials,
    list_users,
    organisation_choices,
    record_login,
    require,
    reset_password,
    set_active,
    set_role,
)
from ihs.validation import ValidationError
from ihs.visits import VisitEntry
from tests.conftest import NOW


@pytest.fixture
def coord(engine):
    return actor_for(engine, "coordination")


def test_permissions_by_role(engine):
    assert actor_for(engine, "partenaire").can("events") and not actor_for(engine, "partenaire").can("subscribers")
    assert actor_for(engine, "operateur").can("subscribers") and not actor_for(engine, "operateur").can("events")
    assert actor_for(engine, "bailleur").can("move_ins")
    with pytest.raises(PermissionDenied, match="Lecture seule"):
        require(actor_for(engine, "lecture"), "events")
    with pytest.raises(PermissionDenied), session_scope("partenaire", engine=engine) as s:
        add_user(s, actor_for(engine, "partenaire"), username="x1", name="X", role="viewer", password="12345678")


def test_add_user_validation_keyed_by_field(engine, coord):
    with pytest.raises(ValidationError) as exc, session_scope("coordination", engine=engine) as s:
        add_user(s, coord, username="Bad Name!", name=" ", role="chef", password="court")
    assert set(exc.value.errors) == {"username", "name", "role", "password"}
    assert "8 caractères" in exc.value.errors["password"]
    with pytest.raises(ValidationError) as exc, session_scope("coordination", engine=engine) as s:
        add_user(s, coord, username="bailleur", name="B", role="partner", password="é" * 40)
    assert "existe déjà" in exc.value.errors["username"]
    assert "72 octets" in exc.value.errors["password"]
    assert "organisation" in exc.value.errors["organisation"]


def test_a_deactivated_organisation_is_not_offered_and_gets_no_new_account(engine, coord):
    with engine.connect() as conn:
        org_id, name = conn.execute(select(Organisation.id, Organisation.name).order_by(Organisation.id)).first()
    assert (org_id, name) in organisation_choices(engine)
    with session_scope("coordination", engine=engine) as s:
        set_organisation_active(s, coord, org_id, False)
    assert org_id not in dict(organisation_choices(engine))
    with pytest.raises(ValidationError) as exc, session_scope("coordination", engine=engine) as s:
        add_user(s, coord, username="nouveau", name="N", role="partner", organisation=org_id, password="x" * 12)
    assert exc.value.errors["organisation"].startswith(f"L'organisation « {name} » est désactivée")
    with engine.connect() as conn:
        assert conn.execute(select(User.id).where(User.username == "nouveau")).first() is None


def test_create_change_role_disable_reset(engine, coord):
    with session_scope("coordination", engine=engine) as s:
        add_user(
            s,
            coord,
            username="clcv",
            name="CLCV Brest",
            role="partner",
            password="premier-mdp",
            organisation="CLCV",
            rounds=4,
        )
    actor = actor_for(engine, "clcv")
    assert actor.role == "partner" and actor.organisation_id is not None
    with session_scope("coordination", engine=engine) as s:
        set_role(s, coord, "clcv", "viewer")
    assert actor_for(engine, "clcv").role == "viewer"
    with session_scope("coordination", engine=engine) as s:
        reset_password(s, coord, "clcv", "second-mdp-sur", rounds=4)
        user = s.execute(select(User).where(User.username == "clcv")).scalar_one()
        assert check_password("second-mdp-sur", user.password_hash)
    with session_scope("coordination", engine=engine) as s:
        set_active(s, coord, "clcv", False)
    assert actor_for(engine, "clcv") is None
    # Listed, so its old login cookie ends at the gate, but no password opens it, not even its own.
    assert not check_password("second-mdp-sur", credentials(engine)["usernames"]["clcv"]["password"])
    df = list_users(engine)
    assert (
        "password_hash" not in df.columns and not df.astype(str).apply(lambda c: c.str.contains(r"\$2b\$")).any().any()
    )


def test_last_coordinator_cannot_be_removed(engine, coord):
    refused = pytest.raises(ValidationError, match="dernier compte de coordination")
    with refused, session_scope("coordination", engine=engine) as s:
        set_role(s, coord, "coordination", "viewer")
    with pytest.raises(ValidationError), session_scope("coordination", engine=engine) as s:
        set_active(s, coord, "coordination", False)
    with pytest.raises(ValidationError, match="inconnu"), session_scope("coordination", engine=engine) as s:
        set_role(s, coord, "personne", "viewer")


def test_lockout_after_five_failures_for_fifteen_minutes(engine):
    now = NOW
    for attempt in range(1, MAX_FAILED_LOGINS + 1):
        with session_scope("partenaire", engine=engine) as s:
            until = record_login(s, "partenaire", ok=False, now=now)
        assert (until is None) == (attempt < MAX_FAILED_LOGINS)
    assert until == now + timedelta(minutes=LOCK_MINUTES)
    creds = credentials(engine, now + timedelta(minutes=1))
    assert creds["usernames"]["partenaire"]["failed_login_attempts"] == MAX_FAILED_LOGINS
    assert creds["usernames"]["bailleur"]["failed_login_attempts"] == 0
    later = credentials(engine, now + timedelta(minutes=LOCK_MINUTES, seconds=1))
    assert later["usernames"]["partenaire"]["failed_login_attempts"] == 0


def test_reset_password_lifts_a_lock(engine, coord):
    with session_scope(engine=engine) as s:
        user = s.execute(select(User).where(User.username == "partenaire")).scalar_one()
        user.locked_until = datetime(2030, 1, 1)
    with session_scope("coordination", engine=engine) as s:
        reset_password(s, coord, "partenaire", "nouveau-mdp-1", rounds=4)
    assert credentials(engine, NOW)["usernames"]["partenaire"]["failed_login_attempts"] == 0


def test_cookie_key_required_outside_demo_mode():
    base = dict(database_url="sqlite://", public_dashboards=False, cache_ttl=60)
    with pytest.raises(SettingsError, match="IHS_COOKIE_KEY"):
        Settings(demo=False, cookie_key=None, **base).require_cookie_key()
    with pytest.raises(SettingsError):
        Settings(demo=False, cookie_key="changeme", **base).require_cookie_key()
    assert Settings(demo=False, cookie_key="k" * 32, **base).require_cookie_key() == "k" * 32
    assert Settings(demo=True, cookie_key=None, **base).require_cookie_key()


@pytest.mark.parametrize("change", ["disable", "role", "organisation"])
def test_a_write_reads_the_account_again_and_refuses_the_old_rights(engine, coord, change):
    """A browser session keeps the Actor it logged in with: the write checks the account in the database."""
    from sqlalchemy import func

    from ihs.models import AuditLog, Sector, Visit
    from ihs.users import ACCOUNT_CHANGED, ACCOUNT_DISABLED, PermissionDenied, set_active
    from ihs.visits import record_visit

    partner = actor_for(engine, "partenaire")
    with engine.connect() as conn:
        sector = conn.execute(select(Sector.id).where(Sector.code == "bellevue-kergoat")).scalar_one()
    with session_scope("coordination", engine=engine) as s:
        if change == "disable":
            set_active(s, coord, "partenaire", False)
        elif change == "role":
            set_role(s, coord, "partenaire", "viewer")
        else:
            set_role(s, coord, "partenaire", "partner", "Brest métropole habitat")

    def rows():
        with engine.connect() as conn:
            return [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (Visit, AuditLog)]

    before = rows()
    with pytest.raises(PermissionDenied) as refused, session_scope("partenaire", engine=engine) as s:
        record_visit(s, partner, VisitEntry(kind="dropin", sector_id=sector, occurred_on=NOW.date(), people_seen="3"))
    assert str(refused.value) == (ACCOUNT_DISABLED if change == "disable" else ACCOUNT_CHANGED)
    assert rows() == before

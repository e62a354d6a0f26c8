"""Utilisateurs: the coordinator creates accounts, changes a role, resets a password, disables."""

from sqlalchemy import select

from ihs.models import Organisation, User
from ihs.users import actor_for, check_password
from tests.apptest import open_page, texts


def _user(engine, username):
    with engine.connect() as conn:
        return conn.execute(select(User).where(User.username == username)).first()


def test_list_never_shows_a_hash(app_db):
    at = open_page("coordinator", "utilisateurs")
    assert not at.exception
    df = at.dataframe[0].value
    assert {"partenaire", "coordination"} <= set(df["Identifiant"])
    assert "$2b$" not in df.to_string() and "$2b$" not in texts(at)


def test_create_with_bad_input_then_good(app_db):
    at = open_page("coordinator", "utilisateurs")
    at.text_input(key="us_new_username").set_value("Pas Bon!")
    at.text_input(key="us_new_password").set_value("court")
    at.button(key="FormSubmitter:us_new-Créer le compte").click().run()
    shown = [e.value for e in at.error]
    assert any("Identifiant : 2 à 40 caractères" in e for e in shown)
    assert "Indiquez le nom affiché." in shown
    assert "Le mot de passe doit contenir au moins 8 caractères." in shown
    assert "Un partenaire doit être rattaché à une organisation." in shown
    assert _user(app_db, "pas bon!") is None
    assert at.text_input(key="us_new_username").value == "Pas Bon!"
    at.text_input(key="us_new_username").set_value("mdq-kerourien")
    at.text_input(key="us_new_name").set_value("Centre social de Kerourien")
    at.text_input(key="us_new_password").set_value("un-mot-de-passe-long")
    with app_db.connect() as conn:
        org = conn.execute(
            select(Organisation.id).where(Organisation.name.like("Centre social de Kerourien%"))
        ).scalar()
    at.selectbox(key="us_new_organisation").set_value(org)
    at.button(key="FormSubmitter:us_new-Créer le compte").click().run()
    assert any("Compte créé" in s.value for s in at.success)
    actor = actor_for(app_db, "mdq-kerourien")
    assert actor.role == "partner" and actor.organisation_id is not None
    assert "un-mot-de-passe-long" not in texts(at)


def test_change_role_reset_password_and_disable(app_db):
    at = open_page("coordinator", "utilisateurs")
    at.selectbox(key="us_who").select("lecture").run()
    F = "us_edit_lecture"
    at.selectbox(key=f"{F}_role").select("operator")
    at.button(key=f"FormSubmitter:{F}-Changer le rôle").click().run()
    assert "Rôle modifié." in [s.value for s in at.success]
    assert actor_for(app_db, "lecture").role == "operator"
    at.text_input(key=f"{F}_password").set_value("court")
    at.button(key=f"FormSubmitter:{F}-Réinitialiser le mot de passe").click().run()
    assert "Le mot de passe doit contenir au moins 8 caractères." in [e.value for e in at.error]
    at.text_input(key=f"{F}_password").set_value("nouveau-secret-1")
    at.button(key=f"FormSubmitter:{F}-Réinitialiser le mot de passe").click().run()
    assert check_password("nouveau-secret-1", _user(app_db, "lecture").password_hash)
    at.button(key=f"FormSubmitter:{F}-Désactiver le compte").click().run()
    assert actor_for(app_db, "lecture") is None
    assert "$2b$" not in texts(at)


def test_the_last_coordinator_cannot_disable_itself(app_db):
    at = open_page("coordinator", "utilisateurs")
    at.selectbox(key="us_who").select("coordination").run()
    at.button(key="FormSubmitter:us_edit_coordination-Désactiver le compte").click().run()
    assert any("dernier compte de coordination" in e.value for e in at.error)
    assert actor_for(app_db, "coordination") is not None

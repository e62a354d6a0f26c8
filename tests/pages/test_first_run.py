"""A new programme, without demo data: the coordination lands on the set-up checklist, every page
opens without an error on the empty database, and the checklist follows what is entered."""

import shutil

import pytest
from sqlalchemy import select

from ihs.db import session_scope
from ihs.imports import apply_import, check_rows
from ihs.models import Ballot, Deployment, Offer, Organisation, Sector
from ihs.reference import NO_OFFER, SectorInput, add_dwellings, save_organisation, save_sector
from ihs.ui.nav import PAGES
from ihs.users import SYSTEM, add_user
from tests.apptest import app_as, metric, open_page, texts
from tests.conftest import TODAY, _point_app_at

ENGLISH = ("Error", "error:", "Traceback", "None", "nan", "TypeError", "KeyError")


@pytest.fixture
def new_programme(empty_sqlite_template, tmp_path, monkeypatch):
    dst = tmp_path / "new.db"
    shutil.copy(empty_sqlite_template, dst)
    for engine in _point_app_at(f"sqlite:///{dst}", monkeypatch):
        monkeypatch.setenv("IHS_DEMO", "0")
        monkeypatch.setenv("IHS_COOKIE_KEY", "une-cle-secrete-de-test-assez-longue-0123456789")
        from ihs.settings import get_settings

        get_settings.cache_clear()
        with session_scope("installation", engine=engine) as s:
            add_user(s, SYSTEM, username="coordination", name="Coordination", role="coordinator",
                     password="motdepasse-long", rounds=4)  # fmt: skip
        yield engine


def test_the_coordination_lands_on_the_checklist(new_programme):
    at = app_as("coordinator")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Mise en place"]
    assert "0 étape(s) sur 5 faites" in at.get("progress")[0].proto.text


@pytest.mark.parametrize("page", [p for p in PAGES if "coordinator" in p.roles], ids=lambda p: p.url_path)
def test_every_page_opens_on_an_empty_database(new_programme, page):
    at = open_page("coordinator", page.url_path)
    assert not at.exception, at.exception
    shown = texts(at)
    assert not any(word in shown.split() for word in ENGLISH), shown[:300]


def test_entry_pages_tell_the_coordination_where_sectors_are_created(new_programme):
    for page in ("saisie_evenements", "saisie_visites", "planifier"):
        at = open_page("coordinator", page)
        assert "créez d'abord les secteurs du programme" in texts(at), page
        assert "demandez à la coordination" not in texts(at)


def test_the_checklist_follows_what_is_entered(new_programme):
    with session_scope("coordination", engine=new_programme) as s:
        org = save_organisation(s, SYSTEM, name="Ville-Exemple", kind="city")
        sector = save_sector(
            s, SYSTEM, SectorInput(code="centre", name="Centre", landlord=org.id, lat="48,4", lon="-4,5")
        )
        add_dwellings(s, SYSTEM, sector.id, valid_from="01/01/2026", dwellings="120", source="bailleur")
    at = open_page("coordinator", "mise_en_place")
    assert "2 étape(s) sur 5 faites" in at.get("progress")[0].proto.text
    shown = texts(at)
    assert "**1. Organisations** — :material/check_circle: Fait" in shown
    assert "**5. Premier déploiement** — :material/radio_button_unchecked: À faire" in shown
    # With a sector, the home page is the landing page again.
    at = app_as("coordinator")
    at.run()
    assert [t.value for t in at.title] == ["Vue d'ensemble"]


def _submit(at, form: str, button: str):
    at.button(key=f"FormSubmitter:{form}-{button}").click().run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]
    return at


def test_a_new_city_sets_up_its_programme_through_the_pages(new_programme):
    """Issue 16: from an empty database, every step through the pages as the coordination and a
    partner would do it: organisations, 3 sectors and their dwellings, an offer and its tariff for
    2 of them, a partner account, a deployment planned, its ballot prepared, counted twice and
    validated, the implementation noted; then the home, map and uptake pages, checked by hand.
    (The operator's subscriber file goes through the imports' functions: AppTest cannot upload.)"""
    engine = new_programme
    at = open_page("coordinator", "admin_organisations")
    for name, kind in (("Ville-Exemple", "city"), ("Habitat-Exemple", "landlord"), ("Réseau-Exemple", "operator")):
        at.text_input(key="org_new_name").set_value(name)
        at.selectbox(key="org_new_kind").select(kind)
        _submit(at, "org_new", "Ajouter")
    with engine.connect() as conn:
        orgs = dict(conn.execute(select(Organisation.name, Organisation.id)).all())
    assert set(orgs) == {"Ville-Exemple", "Habitat-Exemple", "Réseau-Exemple"}

    at = open_page("coordinator", "admin_secteurs")
    sectors = (
        ("centre-ville", "Centre-ville", "420"),
        ("le-port", "Le Port", "180"),
        ("les-hauts", "Les Hauts", "300"),
    )
    for i, (code, name, _) in enumerate(sectors):
        at.text_input(key="sec_new_code").set_value(code)
        at.text_input(key="sec_new_name").set_value(name)
        at.text_input(key="sec_new_lat").set_value(f"48,{40 + i}")
        at.text_input(key="sec_new_lon").set_value("-4,49")
        _submit(at, "sec_new", "Créer le secteur")
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Sector.code, Sector.id)).all())
    for code, _, dwellings in sectors:
        at.selectbox(key="sec_who").set_value(ids[code]).run()
        D = f"sec_dw_{ids[code]}"
        at.text_input(key=f"{D}_valid_from").set_value("01/01/2026")
        at.text_input(key=f"{D}_dwellings").set_value(dwellings)
        at.text_input(key=f"{D}_source").set_value("bailleur, patrimoine 2026")
        _submit(at, D, "Ajouter")

    at = open_page("coordinator", "admin_offres")
    at.text_input(key="off_new_name").set_value("Internet collectif")
    at.selectbox(key="off_new_operator").set_value(orgs["Réseau-Exemple"])
    _submit(at, "off_new", "Ajouter l'offre")
    with engine.connect() as conn:
        offer_id = conn.execute(select(Offer.id)).scalar_one()
    at.selectbox(key="off_who").set_value(offer_id).run()
    T = f"off_tariff_{offer_id}"
    at.text_input(key=f"{T}_valid_from").set_value("01/01/2026")
    at.text_input(key=f"{T}_price").set_value("2,00")
    at.text_input(key=f"{T}_source").set_value("contrat 2026")
    _submit(at, T, "Ajouter le tarif")
    for code, offer in (("centre-ville", offer_id), ("les-hauts", offer_id), ("le-port", NO_OFFER)):
        at.selectbox(key="off_sector_sector_id").set_value(ids[code])
        at.selectbox(key="off_sector_offer").set_value(offer)
        at.text_input(key="off_sector_valid_from").set_value("01/01/2026")
        _submit(at, "off_sector", "Rattacher")

    at = open_page("coordinator", "utilisateurs")
    at.text_input(key="us_new_username").set_value("bailleur")
    at.text_input(key="us_new_name").set_value("Habitat-Exemple")
    at.selectbox(key="us_new_role").set_value("landlord")
    at.selectbox(key="us_new_organisation").set_value(orgs["Habitat-Exemple"])
    at.text_input(key="us_new_password").set_value("un-mot-de-passe-long")
    _submit(at, "us_new", "Créer le compte")

    # Centre-ville and Le Port planned from a validation in June; each ballot held in the autumn.
    at = open_page("coordinator", "planifier")
    for code in ("centre-ville", "le-port"):
        at.selectbox(key="plan_secteur").set_value(ids[code])
        at.text_input(key="plan_validation").input("01/06/2026").run()
        _submit(at, "plan_form", "Enregistrer le calendrier")

    counted = {}
    for code, (yes, no) in (("centre-ville", (150, 40)), ("le-port", (70, 20))):
        at = open_page("landlord", "scrutin_preparer")
        at.selectbox(key="prep_secteur").set_value(ids[code]).run()
        at.text_input(key="prep_ouverture").input("02/11/2026").run()
        k = f"{ids[code]}_2026-11-02"
        at.text_input(key=f"prep_fin_{k}").input("08/11/2026")
        _submit(at, "preparer", "Enregistrer le scrutin")
        with engine.connect() as conn:
            counted[code] = conn.execute(select(Ballot.id).where(Ballot.sector_id == ids[code])).scalar_one()
        # Counted by the partner, then by the coordination, and validated.
        for role, n in (("landlord", 1), ("coordinator", 2)):
            at = open_page(role, "depouillement")
            at.selectbox(key="dep_scrutin").set_value(counted[code]).run()
            at.radio(key="dep_saisie").set_value(n).run()
            for key, value in zip(("yes", "no", "blank", "void", "in_box"), (yes, no, 0, 0, yes + no), strict=True):
                at.text_input(key=f"dep_{key}").input(str(value))
            # No turnout was reported during the week: the count warns, and is kept with a note.
            _submit(at, "comptage", f"Enregistrer la saisie {n}")
            assert "différents du dernier total de participation (0)" in texts(at)
            at.text_area(key="dep_note").input("Relevés de participation non transmis ; urne recomptée")
            _submit(at, "comptage", f"Enregistrer la saisie {n}")
        at.button(key="dep_valider").click().run()
        assert "Résultat validé : les deux saisies concordent." in [s.value for s in at.success]
        assert metric(at, "Résultat") == "Adopté"
    with engine.connect() as conn:
        outcomes = conn.execute(select(Ballot.outcome).order_by(Ballot.id)).scalars().all()
    assert outcomes == ["adopted", "adopted"]
    assert metric(at, "Participation") == "50\xa0%"  # Le Port: 90 voters / 180 dwellings

    # The implementation of both starts on 16/11/2026.
    at = open_page("coordinator", "planifier")
    with engine.connect() as conn:
        deployments = dict(conn.execute(select(Deployment.sector_id, Deployment.id)).all())
    for code in ("centre-ville", "le-port"):
        dep = deployments[ids[code]]
        at.selectbox(key="plan_follow").set_value(dep).run()
        R = f"plan_real_{dep}"
        at.selectbox(key=f"{R}_stage").set_value("implementation")
        at.text_input(key=f"{R}_actual_start").input("16/11/2026")
        _submit(at, R, "Enregistrer les dates réelles")

    # The operator's count: 63 subscribers in Centre-ville on 25/11.
    with session_scope("operateur", engine=engine) as s:
        data = "Secteur;Date;Abonnés\ncentre-ville;25/11/2026;63\n".encode()
        apply_import(s, SYSTEM, check_rows(s, SYSTEM, "subscribers", "abonnes.csv", data, TODAY))

    # Home, by hand: 2 sectors deployed (420 + 180 = 600 dwellings covered), 63 subscribers; the
    # uptake counts Centre-ville only (Le Port has no offer): 63 / 420 = 15 %; the tariff 2,00 €.
    at = app_as("coordinator")
    at.run()
    assert metric(at, "Secteurs déployés") == "2"
    assert metric(at, "Logements couverts") == "600"
    assert metric(at, "Abonnés") == "63"
    assert metric(at, "Taux d'adhésion") == "15\xa0%"
    assert metric(at, "Tarif mensuel") == "2,00\u00a0€"
    assert "1 secteur couvert sans offre d'opérateur" in texts(at)
    # The map lists the three sectors at their stage.
    at = open_page("coordinator", "carte")
    shown = texts(at) + "".join(df.value.to_string() for df in at.dataframe)
    for name in ("Centre-ville", "Le Port", "Les Hauts", "Sans déploiement", "Mise en œuvre"):
        assert name in shown, name
    # Le Port's page says it has no offer; Centre-ville's names its offer.
    at = open_page("coordinator", "secteur", query={"secteur": "le-port"})
    assert "sans offre d'opérateur (pas d'abonnés, pas de coût)" in texts(at)
    at = open_page("coordinator", "secteur", query={"secteur": "centre-ville"})
    assert "offre « Internet collectif »" in texts(at)
    # The cost: only Centre-ville is charged, from November: 420 × 2,00 € = 840 € a month,
    # 10 080 € a year; Le Port, on no offer, costs nothing; 10 080 € / 63 = 160 € per subscriber.
    at = open_page("coordinator", "adhesion")
    assert (metric(at, "Abonnés"), metric(at, "Logements couverts avec une offre")) == ("63", "420")
    at.session_state["adhesion_onglet"] = "Tarif et coût"
    at.run()
    assert not at.exception
    shown = texts(at)
    assert (
        "420 logements facturés × 2,00\xa0€ × 12 = 10\u202f080\xa0€ par an, pour 63 abonnés actifs, soit 160\xa0€ par abonné"
        in shown
    ), shown
    assert "1 secteur(s) couvert(s) sans offre : non facturé(s)." in shown

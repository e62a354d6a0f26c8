"""Administration pages: reference data entered by the coordination, refused in French with
nothing written, kept as typed on error; the settings page checks ranges and resets."""

from sqlalchemy import func, select

from ihs.models import Offer, Organisation, Sector, SectorDwellings, SectorOffer, Setting, Tariff
from tests.apptest import open_page


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_organisations_bad_then_good_then_delete_refused(app_db):
    at = open_page("coordinator", "admin_organisations")
    before = _count(app_db, Organisation)
    at.text_input(key="org_new_short_name").set_value("MdQ")
    at.button(key="FormSubmitter:org_new-Ajouter").click().run()
    assert "Ce champ est obligatoire." in _errors(at)
    assert "Choisissez le type d'organisation dans la liste." in _errors(at)
    assert _count(app_db, Organisation) == before
    assert at.text_input(key="org_new_short_name").value == "MdQ"  # kept as typed
    at.text_input(key="org_new_name").set_value("Maison de quartier du Bourg")
    at.selectbox(key="org_new_kind").select("facility")
    at.button(key="FormSubmitter:org_new-Ajouter").click().run()
    assert not at.exception
    assert _count(app_db, Organisation) == before + 1
    # Empty again for the next organisation: a second tap does not add the same one twice.
    assert at.text_input(key="org_new_name").value == ""
    assert at.text_input(key="org_new_short_name").value == ""
    assert at.selectbox(key="org_new_kind").value is None
    # A landlord that sectors refer to: deletion refused with the reason, deactivation works.
    with app_db.connect() as conn:
        landlord = conn.execute(select(Organisation.id).where(Organisation.kind == "landlord")).scalars().first()
    at.selectbox(key="org_who").set_value(landlord).run()
    at.button(key=f"FormSubmitter:org_edit_{landlord}-Supprimer").click().run()
    assert any("ne peut pas être supprimée" in e and "Désactivez-la" in e for e in _errors(at))
    at.button(key=f"FormSubmitter:org_edit_{landlord}-Désactiver").click().run()
    with app_db.connect() as conn:
        assert conn.execute(select(Organisation.active).where(Organisation.id == landlord)).scalar_one() is False


def test_sector_created_with_dwellings_then_archived(app_db):
    at = open_page("coordinator", "admin_secteurs")
    before = _count(app_db, Sector)
    at.text_input(key="sec_new_code").set_value("Le Bourg!")
    at.text_input(key="sec_new_name").set_value("Le Bourg")
    at.text_input(key="sec_new_lat").set_value("148,4")
    at.text_input(key="sec_new_lon").set_value("-4,49")
    at.button(key="FormSubmitter:sec_new-Créer le secteur").click().run()
    errors = _errors(at)
    assert any(e.startswith("Code « le bourg! » refusé") or e.startswith("Code « Le Bourg! » refusé") for e in errors)
    assert any("Latitude hors limites" in e for e in errors)
    assert _count(app_db, Sector) == before
    at.text_input(key="sec_new_code").set_value("le-bourg")
    at.text_input(key="sec_new_lat").set_value("48,4")
    at.button(key="FormSubmitter:sec_new-Créer le secteur").click().run()
    assert not at.exception and not _errors(at)
    with app_db.connect() as conn:
        sector = conn.execute(select(Sector).where(Sector.code == "le-bourg")).one()
    assert (sector.name, sector.lat, sector.lon) == ("Le Bourg", 48.4, -4.49)
    at.selectbox(key="sec_who").set_value(sector.id).run()
    D = f"sec_dw_{sector.id}"
    for typed, message in (("0", "au moins un logement"), ("-5", "au moins un logement"), ("12,5", "nombre entier")):
        at.text_input(key=f"{D}_valid_from").set_value("01/01/2026")
        at.text_input(key=f"{D}_dwellings").set_value(typed)
        at.text_input(key=f"{D}_source").set_value("bailleur")
        at.button(key=f"FormSubmitter:{D}-Ajouter").click().run()
        assert any(message in e for e in _errors(at)), (typed, _errors(at))
    with app_db.connect() as conn:
        assert not conn.execute(select(SectorDwellings).where(SectorDwellings.sector_id == sector.id)).first()
    at.text_input(key=f"{D}_dwellings").set_value("212")
    at.button(key=f"FormSubmitter:{D}-Ajouter").click().run()
    with app_db.connect() as conn:
        rows = conn.execute(select(SectorDwellings.dwellings).where(SectorDwellings.sector_id == sector.id)).all()
    assert [r.dwellings for r in rows] == [212]
    # The same date twice: refused.
    at.text_input(key=f"{D}_valid_from").set_value("01/01/2026")
    at.text_input(key=f"{D}_dwellings").set_value("215")
    at.text_input(key=f"{D}_source").set_value("bailleur")
    at.button(key=f"FormSubmitter:{D}-Ajouter").click().run()
    assert any("une date par chiffre" in e for e in _errors(at))
    A = f"sec_archive_{sector.id}"
    at.text_input(key=f"{A}_archived_on").set_value("01/02/2026")
    at.button(key=f"FormSubmitter:{A}-Archiver le secteur").click().run()
    assert "Ce champ est obligatoire." in _errors(at)
    at.text_input(key=f"{A}_reason").set_value("Démolition")
    at.button(key=f"FormSubmitter:{A}-Archiver le secteur").click().run()
    with app_db.connect() as conn:
        assert str(conn.execute(select(Sector.archived_on).where(Sector.id == sector.id)).scalar_one()) == "2026-02-01"


def test_offer_tariff_and_sector_without_offer(app_db):
    at = open_page("coordinator", "admin_offres")
    at.text_input(key="off_new_name").set_value("Offre sans opérateur")
    at.button(key="FormSubmitter:off_new-Ajouter l'offre").click().run()
    with app_db.connect() as conn:
        offer_id = conn.execute(select(Offer.id).where(Offer.name == "Offre sans opérateur")).scalar_one()
    at.selectbox(key="off_who").set_value(offer_id).run()
    T = f"off_tariff_{offer_id}"
    tariffs = _count(app_db, Tariff)
    for typed, message in (("2,165", "deux décimales"), ("-1", "pas un montant"), ("abc", "pas un montant")):
        at.text_input(key=f"{T}_valid_from").set_value("01/01/2026")
        at.text_input(key=f"{T}_price").set_value(typed)
        at.text_input(key=f"{T}_source").set_value("contrat")
        at.button(key=f"FormSubmitter:{T}-Ajouter le tarif").click().run()
        assert any(message in e or "négatif" in e for e in _errors(at)), (typed, _errors(at))
    assert _count(app_db, Tariff) == tariffs
    at.text_input(key=f"{T}_price").set_value("1,50")
    at.button(key=f"FormSubmitter:{T}-Ajouter le tarif").click().run()
    assert _count(app_db, Tariff) == tariffs + 1
    with app_db.connect() as conn:
        sector_id = conn.execute(select(Sector.id).order_by(Sector.id)).scalars().first()
    at.selectbox(key="off_sector_sector_id").set_value(sector_id)
    at.selectbox(key="off_sector_offer").set_value("none")
    at.text_input(key="off_sector_valid_from").set_value("01/11/2026")
    at.button(key="FormSubmitter:off_sector-Rattacher").click().run()
    assert not _errors(at)
    with app_db.connect() as conn:
        row = conn.execute(
            select(SectorOffer.offer_id)
            .where(SectorOffer.sector_id == sector_id)
            .order_by(SectorOffer.valid_from.desc())
        ).first()
    assert row.offer_id is None
    assert "1 secteur sans offre" in at.markdown[-1].value or any(
        "1 secteur sans offre" in m.value for m in at.markdown
    )


def test_settings_checked_saved_and_reset(app_db):
    at = open_page("coordinator", "admin_parametres")
    F = "set_étapesdundéploiement"
    at.text_input(key=f"{F}_pipeline.ballot_days").set_value("0")
    at.button(key=f"FormSubmitter:{F}-Enregistrer").click().run()
    assert "Valeur hors limites : entre 1 et 60 jours." in _errors(at)
    assert at.text_input(key=f"{F}_pipeline.ballot_days").value == "0"
    with app_db.connect() as conn:
        assert conn.execute(select(Setting.value).where(Setting.key == "pipeline.ballot_days")).first() is None
    at.text_input(key=f"{F}_pipeline.ballot_days").set_value("5")
    at.checkbox(key=f"{F}_pipeline.has_ballot").uncheck()
    at.button(key=f"FormSubmitter:{F}-Enregistrer").click().run()
    with app_db.connect() as conn:
        stored = dict(conn.execute(select(Setting.key, Setting.value)).all())
    assert stored["pipeline.ballot_days"] == 5 and stored["pipeline.has_ballot"] is False
    S = "set_sensibilisation"
    at.text_input(key=f"{S}_awareness.default_turnover_rate").set_value("12,5")
    at.button(key=f"FormSubmitter:{S}-Enregistrer").click().run()
    with app_db.connect() as conn:
        value = conn.execute(select(Setting.value).where(Setting.key == "awareness.default_turnover_rate")).scalar()
    assert value == 0.125
    at.selectbox(key=f"{F}_reset_choice").set_value("pipeline.ballot_days").run()
    at.button(key=f"{F}_reset").click().run()
    with app_db.connect() as conn:
        assert conn.execute(select(Setting.value).where(Setting.key == "pipeline.ballot_days")).first() is None

"""Reference data written through `ihs.reference`: an archived sector leaves the figures from its
date (kept before), a sector entered without deployment appears on the map, settings are checked."""

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from ihs.db import session_scope
from ihs.geo import sector_map_data
from ihs.models import Sector, SectorDwellings, SubscriberCount
from ihs.programme import check_setting
from ihs.queries.sectors import sector_status
from ihs.queries.uptake import uptake_total
from ihs.reference import SectorInput, archive_sector, check_outline, restore_sector, save_sector
from ihs.users import SYSTEM
from ihs.validation import ValidationError
from tests.conftest import TODAY

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-4.50, 48.40], [-4.49, 48.40], [-4.49, 48.41], [-4.50, 48.41], [-4.50, 48.40]]],
}


def _latest(conn, model, column, date_col, sector_id, day):
    return conn.execute(
        select(column).where(model.sector_id == int(sector_id), date_col <= day).order_by(date_col.desc()).limit(1)
    ).scalar()


def test_an_archived_sector_leaves_the_figures_from_its_date(engine):
    day = TODAY.replace(day=1) - timedelta(days=1)  # last month's end
    status = sector_status(engine, day)
    row = status[(status["stage"] == "deployed") & status["subscribers"].notna()].iloc[0]
    with engine.connect() as conn:
        subs = _latest(conn, SubscriberCount, SubscriberCount.subscribers, SubscriberCount.as_of, row.sector_id, day)
        dwellings = _latest(
            conn, SectorDwellings, SectorDwellings.dwellings, SectorDwellings.valid_from, row.sector_id, day
        )
    before = uptake_total(engine, day).iloc[-1]
    with session_scope("coordination", engine=engine) as s:
        archive_sector(s, SYSTEM, int(row.sector_id), archived_on=day, reason="Démolition du bâtiment")
    assert row.code not in set(sector_status(engine, day)["code"])
    assert row.code in set(sector_status(engine, day - timedelta(days=1))["code"])  # kept in history
    after = uptake_total(engine, day).iloc[-1]
    assert after["subscribers"] == before["subscribers"] - subs
    assert after["dwellings"] == before["dwellings"] - dwellings
    assert after["sectors"] == before["sectors"] - 1
    assert row.code not in set(sector_map_data(engine, day)["code"])
    with session_scope("coordination", engine=engine) as s:
        restore_sector(s, SYSTEM, int(row.sector_id))
    assert uptake_total(engine, day).iloc[-1]["subscribers"] == before["subscribers"]


def test_a_sector_without_deployment_is_on_the_map(engine):
    with session_scope("coordination", engine=engine) as s:
        save_sector(s, SYSTEM, SectorInput(code="qp029099", name="Nouveau secteur", kind="qpv", outline=SQUARE))
    df = sector_map_data(engine, TODAY).set_index("code")
    row = df.loc["qp029099"]
    assert row["stage_label"] == "Sans déploiement"
    assert row["geometry"]["type"] == "Polygon"
    assert (round(row["lat"], 4), round(row["lon"], 4)) == (48.405, -4.495)  # mean of the 4 corners


def test_the_code_of_a_sector_never_changes(engine):
    with engine.connect() as conn:
        sector = conn.execute(select(Sector).order_by(Sector.id)).first()
    with pytest.raises(ValidationError) as info, session_scope("coordination", engine=engine) as s:
        save_sector(s, SYSTEM, SectorInput(code="autre-code", name=sector.name), sector_id=sector.id)
    assert "ne change pas" in info.value.errors["code"]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [-4.5, 48.4]}, "reçu un point"),
        ({"type": "Polygon", "coordinates": [[[-4.5, 48.4], [-4.49, 48.4], [-4.49, 48.41]]]}, "moins de 4 points"),
        (
            {"type": "Polygon", "coordinates": [[[-4.5, 48.4], [-4.49, 48.4], [-4.49, 48.41], [-4.5, 48.41]]]},
            "pas fermé",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[145000, 6840000], [146000, 6840000], [146000, 6841000], [145000, 6840000]]],
            },
            "Lambert 93",
        ),
        (
            {"type": "Polygon", "coordinates": [[["a", 48.4], [-4.49, 48.4], [-4.49, 48.41], ["a", 48.4]]]},
            "pas un nombre",
        ),
        ("{pas du json", "pas du GeoJSON"),
        (b"{" + b" " * 6_000_000 + b"}", "Contour trop gros (plus de 5 Mo)"),
        (b'{"type": "Point", "coordinates": [-4.5, 48.4]}', "reçu un point"),
    ],
)
def test_broken_outlines_are_refused_in_french(geometry, message):
    clean, problem = check_outline(geometry)
    assert clean is None and message in problem


@pytest.mark.parametrize(
    ("key", "typed", "stored", "message"),
    [
        ("pipeline.ballot_days", "5", 5, None),
        ("pipeline.ballot_days", "0", None, "entre 1 et 60 jours"),
        ("pipeline.ballot_days", "7,5", None, "pas un nombre entier"),
        ("awareness.default_turnover_rate", "12,5", 0.125, None),
        ("awareness.default_turnover_rate", "150", None, "entre 0 et 100"),
        ("awareness.default_turnover_rate", "dix", None, "pas un pourcentage"),
        ("programme.name", "  ", None, "obligatoire"),
        ("pipeline.has_ballot", False, False, None),
    ],
)
def test_settings_are_checked(key, typed, stored, message):
    value, problem = check_setting(key, typed)
    assert value == stored
    assert (problem is None) if message is None else (message in problem)


def test_no_two_dwellings_figures_at_one_date(engine):
    from ihs.reference import add_dwellings

    with engine.connect() as conn:
        sector_id, first = conn.execute(
            select(SectorDwellings.sector_id, SectorDwellings.valid_from).order_by(SectorDwellings.id)
        ).first()
    with pytest.raises(ValidationError) as info, session_scope("coordination", engine=engine) as s:
        add_dwellings(s, SYSTEM, sector_id, valid_from=first, dwellings=10, source="test")
    assert "une date par chiffre" in info.value.errors["valid_from"]
    assert date(2009, 1, 1) <= first


def test_no_two_tariffs_or_offer_changes_at_one_date_and_a_new_one_is_in_force(engine):
    from ihs.models import Offer, SectorOffer, Tariff
    from ihs.reference import add_tariff, list_offers, list_sectors, set_sector_offer

    with engine.connect() as conn:
        offer_id, offer_name, tariff_day = conn.execute(
            select(Offer.id, Offer.name, Tariff.valid_from).join(Tariff, Tariff.offer_id == Offer.id).limit(1)
        ).one()
        sector_id, sector_name, offer_day = conn.execute(
            select(Sector.id, Sector.name, SectorOffer.valid_from)
            .join(SectorOffer, SectorOffer.sector_id == Sector.id)
            .where(SectorOffer.offer_id.is_not(None), Sector.archived_on.is_(None))
            .limit(1)
        ).one()
    with pytest.raises(ValidationError) as info, session_scope("coordination", engine=engine) as s:
        add_tariff(s, SYSTEM, offer_id, valid_from=tariff_day, price="1,50", source="test")
    assert info.value.errors["valid_from"] == (
        f"« {offer_name} » a déjà un tarif au {tariff_day:%d/%m/%Y} : une date par tarif."
    )
    with pytest.raises(ValidationError) as info, session_scope("coordination", engine=engine) as s:
        set_sector_offer(s, SYSTEM, sector_id, offer="none", valid_from=offer_day, source="test")
    assert info.value.errors["valid_from"] == (
        f"« {sector_name} » a déjà une offre au {offer_day:%d/%m/%Y} : une date par changement."
    )
    # Written today, a new tariff and « no offer » are what the reference lists show from today.
    with session_scope("coordination", engine=engine) as s:
        add_tariff(s, SYSTEM, offer_id, valid_from=TODAY, price="1,57", source="test")
        set_sector_offer(s, SYSTEM, sector_id, offer="none", valid_from=TODAY, source="test")
    offers = list_offers(engine).set_index("id")
    assert float(offers.loc[offer_id, "price"]) == 1.57
    assert offers.loc[offer_id, "price_from"] == TODAY
    sectors = list_sectors(engine).set_index("id")
    assert pd.isna(sectors.loc[sector_id, "offer"])


def test_an_organisation_or_offer_name_is_taken_whatever_its_case(engine):
    from ihs.models import Offer, Organisation
    from ihs.reference import save_offer, save_organisation

    with engine.connect() as conn:
        org_name = conn.execute(select(Organisation.name).limit(1)).scalar_one()
        offer_name = conn.execute(select(Offer.name).limit(1)).scalar_one()
    with pytest.raises(ValidationError) as info, session_scope("coordination", engine=engine) as s:
        save_organisation(s, SYSTEM, name=org_name.upper(), kind="association")
    assert info.value.errors["name"] == f"Une organisation s'appelle déjà « {org_name.upper()} »."
    with pytest.raises(ValidationError) as info, session_scope("coordination", engine=engine) as s:
        save_offer(s, SYSTEM, name=offer_name.lower())
    assert info.value.errors["name"] == f"Une offre s'appelle déjà « {offer_name.lower()} »."

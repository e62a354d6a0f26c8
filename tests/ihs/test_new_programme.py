"""A new city from an empty database to a counted ballot, through the functions the pages call
(on SQLite and PostgreSQL): organisations, 3 sectors from the sample GeoJSON and CSV, an offer
with its tariff on 2 of them, a partner account, a deployment planned and its ballot counted, and
one more sector deployed without offer. The figures are computed by hand here."""

from datetime import datetime, time, timedelta

from ihs import geo
from ihs.ballots import enter_count, record_turnout, setup_ballot, validate_count
from ihs.db import session_scope
from ihs.geo import sector_map_data
from ihs.imports import apply_import, check_rows
from ihs.models import Ballot, PollingPlace
from ihs.planning import plan_deployment, propose_milestones, record_stage_dates
from ihs.queries.overview import summary
from ihs.queries.uptake import collective_cost
from ihs.reference import add_tariff, list_sectors, save_offer, save_organisation, set_sector_offer
from ihs.refimport import import_sectors
from ihs.settings import ROOT
from ihs.users import Actor, add_user
from ihs.viz.map import sector_map_spec
from tests.conftest import TODAY

SAMPLES = ROOT / "data" / "samples"
COORD = Actor("installation", "coordinator")


def _fr(day) -> str:
    return day.strftime("%d/%m/%Y")


def test_a_new_city_from_an_empty_database_to_a_counted_ballot(empty_engine, capsys):
    engine = empty_engine
    with session_scope("installation", engine=engine) as s:
        city = save_organisation(s, COORD, name="Ville-Exemple", kind="city")
        landlord = save_organisation(s, COORD, name="Habitat Exemple", kind="landlord")
        operator = save_organisation(s, COORD, name="Opérateur Exemple", kind="operator")
        save_organisation(s, COORD, name="Centre social du Port", kind="association")
        add_user(s, COORD, username="cs-port", name="Centre social", role="partner",
                 organisation="Centre social du Port", password="motdepasse-long", rounds=4)  # fmt: skip
    for name in ("secteurs.geojson", "secteurs.csv"):
        with session_scope("installation", engine=engine) as s:
            rows, written = import_sectors(s, COORD, name, (SAMPLES / name).read_bytes())
        assert written == 3, [r.errors for r in rows]
    ids = dict(zip(list_sectors(engine)["code"], list_sectors(engine)["id"], strict=True))
    start = TODAY - timedelta(days=200)
    with session_scope("installation", engine=engine) as s:
        offer = save_offer(s, COORD, name="Internet collectif", operator=operator.id)
        add_tariff(s, COORD, offer.id, valid_from=_fr(start), price="2,00", source="contrat")
        for code in ("centre-ville", "les-hauts"):
            set_sector_offer(s, COORD, ids[code], offer=offer.id, valid_from=_fr(start), source="contrat")
    assert city.id and landlord.id

    # Centre-ville: planned, ballot opened, counted twice, validated; implementation started.
    with session_scope("installation", engine=engine) as s:
        plan = propose_milestones(s, start).to_dict("records")
        deployment = plan_deployment(s, COORD, sector_id=ids["centre-ville"], milestones=plan)
    opens = datetime.combine(start + timedelta(days=90), time(9))
    with session_scope("installation", engine=engine) as s:
        ballot = setup_ballot(s, COORD, sector_id=ids["centre-ville"], opens_at=opens,
                              closes_at=opens + timedelta(days=6, hours=9), registered="420",
                              places=[{"name": "Maison de quartier", "kind": "facility"}])  # fmt: skip
        place = s.query(PollingPlace).filter_by(ballot_id=ballot.id).one()
        record_turnout(s, COORD, ballot.id, place.id, "90", opens + timedelta(hours=3))
        record_turnout(s, COORD, ballot.id, place.id, "150", opens + timedelta(days=2))
    for entry, who in ((1, "a"), (2, "b")):
        with session_scope(who, engine=engine) as s:
            enter_count(s, Actor(who, "coordinator"), ballot.id, entry, "120", "25", "3", "2", "150")
    with session_scope("installation", engine=engine) as s:
        result = validate_count(s, COORD, ballot.id)
        assert result.adopted and s.get(Ballot, ballot.id).outcome == "adopted"
    implemented = start + timedelta(days=120)
    with session_scope("installation", engine=engine) as s:
        record_stage_dates(s, COORD, deployment.id, stage="implementation", actual_start=_fr(implemented))

    # Le Port (no offer): planned and implemented without a ballot of its own recorded here.
    with session_scope("installation", engine=engine) as s:
        port = plan_deployment(
            s, COORD, sector_id=ids["le-port"], milestones=propose_milestones(s, start).to_dict("records")
        )
        record_stage_dates(s, COORD, port.id, stage="implementation", actual_start=_fr(implemented))

    # The operator's subscriber counts: 63 in Centre-ville; 18 entered by mistake at Le Port, on no
    # offer: a warning says they do not count.
    counted = TODAY - timedelta(days=10)
    data = f"Secteur;Date;Abonnés\ncentre-ville;{_fr(counted)};63\nle-port;{_fr(counted)};18\n".encode()
    with session_scope("installation", engine=engine) as s:
        preview = check_rows(s, COORD, "subscribers", "abonnes.csv", data, TODAY)
        assert not [r.errors for r in preview.rows if r.errors]
        assert preview.rows[0].warnings == []
        assert any("sans offre d'opérateur" in w for w in preview.rows[1].warnings)
        apply_import(s, COORD, preview, warnings_acknowledged=True)

    # The map: the three sectors, two in implementation, one without deployment.
    shown = sector_map_data(engine, TODAY).set_index("code")
    assert sorted(shown.index) == ["centre-ville", "le-port", "les-hauts"]
    assert shown.loc["centre-ville", "stage_label"] == "Mise en œuvre"
    assert shown.loc["le-port", "stage_label"] == "Mise en œuvre"
    assert shown.loc["les-hauts", "stage_label"] == "Sans déploiement"
    # Its legend lists the two stages the sectors are at, not the whole pipeline.
    spec = sector_map_spec(geo.sector_features(shown.reset_index()), "stage").chart().to_dict(validate=False)
    legends = [
        lay["encoding"]["color"]["scale"]["domain"] for lay in spec["layer"] if "color" in lay.get("encoding", {})
    ]
    assert legends == [["Sans déploiement", "Mise en œuvre"]]
    # Home figures: 420 + 180 dwellings covered; the uptake counts the sector on an offer only:
    # 63 subscribers / 420 dwellings = 15 % (not 81 / 600 = 13.5 %); one covered sector on no offer.
    figures = summary(engine, TODAY)
    assert (figures["dwellings_covered"], figures["subscribers"]) == (600, 63)
    assert round(figures["uptake"], 4) == 0.15
    assert figures["sectors_without_offer"] == 1
    assert (figures["offer"], figures["monthly_price_eur"]) == ("Internet collectif", 2.0)
    # Cost: only Centre-ville is charged: 420 × 2.00 € × 12 = 10,080 € a year; Le Port has no offer.
    year = collective_cost(engine, TODAY).iloc[-1]
    assert year["run_rate_eur"] == 10_080.0
    assert year["charged_dwellings"] == 420 and year["sectors_without_offer"] == 1
    assert year["cost_per_subscriber_eur"] == 160.0  # 10,080 € / 63 subscribers
    # The admin command line says the same.
    from ihs.cli import main

    url = engine.url.render_as_string(hide_password=False)
    assert main(["--url", url, "summary", "--as-of", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "taux d'adhésion       15\xa0%" in out and "secteurs sans offre   1 " in out, out

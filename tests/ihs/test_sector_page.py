"""The sector page's reads: profile, milestones, ballot result, support, partners, decisions."""

from datetime import date

from ihs import models as m
from ihs.db import session_scope
from ihs.meetings import sector_decisions
from ihs.queries.awareness import last_information
from ihs.queries.ballots import sector_ballots
from ihs.queries.calendar import sector_milestones
from ihs.queries.sectors import sector_partners, sector_profile
from ihs.queries.support import sector_support
from tests.conftest import TODAY


def test_kerourien_profile(engine):
    p = sector_profile(engine, "kerourien", TODAY)
    assert p["dwellings"] == 596
    assert p["stage"] == "deployed"
    assert p["facility"].startswith("Centre social de Kerourien")
    # On Numericable's « Sun » at its launch in 2009, on SFR's « Numérisun » since 2014 (the demo's story).
    assert p["offer"] == "Numérisun"
    assert sector_profile(engine, "kerourien", date(2012, 1, 1))["offer"] == "Sun"
    assert sector_profile(engine, "inconnu", TODAY) is None


def test_milestones_in_pipeline_order(engine):
    steps = sector_milestones(engine, "kerourien")
    assert steps["stage"].tolist() == ["validation", "kickoff", "information", "ballot", "implementation", "workshops"]
    assert steps.loc[steps["stage"] == "implementation", "actual_start"].iloc[0] == date(2009, 12, 9)


def test_locked_ballot_shows_the_first_count_entry(engine):
    b = sector_ballots(engine, "kerourien", TODAY).iloc[0]
    with engine.connect() as conn:
        count = (
            conn.execute(
                m.BallotCount.__table__.select().where(
                    m.BallotCount.ballot_id == int(b["ballot_id"]), m.BallotCount.entry_no == 1
                )
            )
            .mappings()
            .one()
        )
    assert (b["yes"], b["no"], b["blank"], b["void"], b["voters"]) == (
        count["yes"],
        count["no"],
        count["blank"],
        count["void"],
        count["in_box"],
    )
    assert b["outcome"] == "adopted" and b["registered"] == 596


def test_open_ballot_has_no_result_yet(engine):
    b = sector_ballots(engine, "montaigne", TODAY).iloc[0]
    assert b["status"] == "open"
    assert b["yes"] is None or b["yes"] != b["yes"]
    assert b["voters"] > 0  # live turnout instead of the count
    assert sector_ballots(engine, "montaigne", date(2026, 1, 1)).empty


def test_support_partners_information(engine):
    support = sector_support(engine, "kerourien", TODAY).set_index("kind")
    assert {"dropin", "legal", "equipment"} <= set(support.index)
    assert support.loc["equipment", "computers_sold"] > 0
    assert len(sector_partners(engine, "kerourien")) == 5
    info = last_information(engine, "kerourien", TODAY)
    assert info["days_since"] == (TODAY - info["starts_at"].date()).days


def test_decisions_of_the_sector(engine):
    with session_scope("tests", engine=engine) as s:
        sid = s.query(m.Sector.id).filter_by(code="kerourien").scalar()
        meeting = m.Meeting(held_on=date(2026, 10, 1), title="Comité d'octobre")
        s.add(meeting)
        s.flush()
        s.add(m.Decision(meeting_id=meeting.id, sector_id=sid, text="Relancer l'information", owner="Ville"))
        other = s.query(m.Sector.id).filter_by(code="keredern").scalar()
    df = sector_decisions(engine, sid, TODAY)
    assert df["text"].tolist() == ["Relancer l'information"]
    assert sector_decisions(engine, sid, date(2026, 9, 1)).empty  # the meeting was not yet held
    assert sector_decisions(engine, other, TODAY).empty

"""The sector page's reads: profile, milestones, ballot result, support, partners, decisions."""

from datetime import date

from ihs import models as m
from ihs.db import session_scope
from ihs.queries import sector_page as q
from tests.conftest import TODAY


def test_kerourien_profile(engine):
    p = q.sector_profile(engine, "kerourien", TODAY)
    assert p["dwellings"] == 596
    assert p["stage"] == "deployed"
    assert p["facility"].startswith("Centre social de Kerourien")
    # On Numericable's « Sun » at its launch in 2009, on SFR's « Numérisun » since 2014 (the demo's story).
    assert p["offer"] == "Numérisun"
    assert q.sector_profile(engine, "kerourien", date(2012, 1, 1))["offer"] == "Sun"
    assert q.sector_profile(engine, "inconnu", TODAY) is None


def test_milestones_in_pipeline_order(engine):
    steps = q.milestones(engine, "kerourien")
    assert steps["stage"].tolist() == ["validation", "kickoff", "information", "ballot", "implementation", "workshops"]
    assert steps.loc[steps["stage"] == "implementation", "actual_start"].iloc[0] == date(2009, 12, 9)


def test_locked_ballot_shows_the_first_count_entry(engine):
    b = q.ballots(engine, "kerourien", TODAY).iloc[0]
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
    b = q.ballots(engine, "montaigne", TODAY).iloc[0]
    assert b["status"] == "open"
    assert b["yes"] is None or b["yes"] != b["yes"]
    assert b["voters"] > 0  # live turnout instead of the count
    assert q.ballots(engine, "montaigne", date(2026, 1, 1)).empty


def test_support_partners_information(engine):
    support = q.support_activity(engine, "kerourien", TODAY).set_index("kind")
    assert {"dropin", "legal", "equipment"} <= set(support.index)
    assert support.loc["equipment", "computers_sold"] > 0
    assert len(q.partners(engine, "kerourien")) == 5
    info = q.last_information(engine, "kerourien", TODAY)
    assert info["days_since"] == (TODAY - info["starts_at"].date()).days


def test_decisions_of_the_sector(engine):
    with session_scope("tests", engine=engine) as s:
        sid = s.query(m.Sector.id).filter_by(code="kerourien").scalar()
        meeting = m.Meeting(held_on=date(2026, 10, 1), title="Comité d'octobre")
        s.add(meeting)
        s.flush()
        s.add(m.Decision(meeting_id=meeting.id, sector_id=sid, text="Relancer l'information", owner="Ville"))
    df = q.sector_decisions(engine, "kerourien", TODAY)
    assert df["text"].tolist() == ["Relancer l'information"]
    assert q.sector_decisions(engine, "kerourien", date(2026, 9, 1)).empty
    assert q.sector_decisions(engine, "keredern", TODAY).empty

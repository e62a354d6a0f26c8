"""Slide logic of the shared screen: which slides, in which order, when to move on."""

import pytest

from ihs import presentation as pres
from ihs.db import session_scope
from ihs.programme import DEFAULTS
from ihs.users import Actor, PermissionDenied
from ihs.validation import ValidationError

COORD = Actor("coordination", "coordinator")


def test_default_setting_lists_every_slide_in_order():
    assert pres.parse_slides(DEFAULTS[pres.SETTING_KEY]) == pres.DEFAULT_SLIDES == list(pres.SLIDES)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (["uptake", "figures"], ["uptake", "figures"]),
        (["uptake", "nope", "uptake", 3], ["uptake"]),
        ("map, ballot", ["map", "ballot"]),
        ([], pres.DEFAULT_SLIDES),
        (None, pres.DEFAULT_SLIDES),
        ({"broken": True}, pres.DEFAULT_SLIDES),
    ],
)
def test_parse_slides_keeps_known_codes_in_order(stored, expected):
    assert pres.parse_slides(stored) == expected


def test_validate_slides_messages_are_french():
    assert pres.validate_slides(["figures", "map"]) == {}
    assert "au moins une" in pres.validate_slides([])["slides"]
    assert "inconnue" in pres.validate_slides(["figures", "x"])["slides"]
    assert "qu'une fois" in pres.validate_slides(["map", "map"])["slides"]
    assert "toujours disponible" in pres.validate_slides(["ballot"])["slides"]


def test_ballot_slide_only_while_a_ballot_is_open():
    order = ["figures", "ballot", "map"]
    assert pres.available_slides(order, ballot_open=True) == ["figures", "ballot", "map"]
    assert pres.available_slides(order, ballot_open=False) == ["figures", "map"]
    # A screen is never blank, even if only the ballot was chosen and none is open.
    assert pres.available_slides(["ballot"], ballot_open=False) == [c for c in pres.SLIDES if c != "ballot"]


def test_next_wraps_around():
    assert [pres.next_index(i, 3) for i in range(3)] == [1, 2, 0]
    assert pres.next_index(5, 0) == 0
    assert pres.clamp_index(6, 6) == 0 and pres.clamp_index(2, 6) == 2


def test_advance_moves_on_only_after_the_interval():
    # A rerun that comes early (a button, a reconnect) keeps the slide.
    assert pres.advance(1, shown_at=100.0, now=105.0, every=20, count=4) == (1, 100.0)
    assert pres.advance(1, shown_at=100.0, now=119.0, every=20, count=4) == (2, 119.0)
    assert pres.advance(3, shown_at=100.0, now=140.0, every=20, count=4) == (0, 140.0)
    # The list shrank (the ballot closed): the index stays valid.
    assert pres.advance(6, shown_at=100.0, now=101.0, every=20, count=6) == (0, 100.0)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (None, pres.DEFAULT_EVERY)),
        ({"slide": "3", "every": "30"}, (2, 30)),
        ({"slide": ["2"], "every": ["45"]}, (1, 45)),
        ({"slide": "0", "every": "1"}, (None, pres.MIN_EVERY)),
        ({"slide": "abc", "every": "9999"}, (None, pres.MAX_EVERY)),
        ({"slide": "-2", "every": "<script>"}, (None, pres.DEFAULT_EVERY)),
    ],
)
def test_query_parameters_are_plain_integers(params, expected):
    assert pres.parse_query(params) == expected


def test_coordinator_saves_the_slides(engine):
    with session_scope("coordination", engine=engine) as s:
        pres.save_slides(s, COORD, ["uptake", "figures", "ballot"])
    assert pres.configured_slides(engine) == ["uptake", "figures", "ballot"]
    with pytest.raises(ValidationError) as err, session_scope("coordination", engine=engine) as s:
        pres.save_slides(s, COORD, [])
    assert "slides" in err.value.errors
    assert pres.configured_slides(engine) == ["uptake", "figures", "ballot"]


@pytest.mark.parametrize("role", ["landlord", "operator", "partner", "viewer"])
def test_only_the_coordinator_chooses_slides(engine, role):
    with pytest.raises(PermissionDenied), session_scope("x", engine=engine) as s:
        pres.save_slides(s, Actor("x", role), ["figures"])


def test_key_figure_tiles_are_french_and_survive_missing_values():
    tiles = dict(
        pres.key_figure_tiles(
            {"sectors_deployed": 12, "dwellings_covered": 9436, "subscribers": 1789, "uptake": 0.1896}
        )
    )
    assert tiles["Abonnés"] == "1\u202f789" and tiles["Taux d'adhésion"] == "19\u00a0%"
    assert tiles["Tarif mensuel"] == "–"

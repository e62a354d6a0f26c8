"""The demo dataset: one builder, used by `python -m ihs demo load`, the tests and the benchmark.

Public facts are read from the public record (`data/public_record.json`: the 12 sectors of
2009–2022, their dates and figures, with their sources), kept as they are and labelled public;
every other figure is invented, labelled `démo` (illustrative), and agrees with the public
calibration points: Kerourien 596 dwellings; about 2,000 dwellings covered in February 2014 and
6,000 in 2018; 12 sectors, 1,789 subscribers and 19 % uptake on 2022-12-09; tariffs up to 1.24 €.
Current activity is placed relative to `today`, so every page has something live.
`Builder` is also what the benchmark's synthetic national base (bench/synthetic.py) runs.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ihs import models as m
from ihs.formats import MONTHS_FULL
from ihs.programme import DEMO_LOADED
from ihs.settings import DATA_DIR
from ihs.users import DEMO_ACCOUNTS, demo_password, hash_password
from ihs.vocab import EVENT_SUBKINDS

DEMO = "démo (illustratif)"
PUBLIC = "public (a-brest.net, domain.md)"
GEO = DATA_DIR / "geo"
PUBLIC_RECORD = DATA_DIR / "public_record.json"


@functools.cache
def public_record() -> dict:
    """The public record: the 12 sectors of 2009–2022, their dates and figures, each with its source."""
    return json.loads(PUBLIC_RECORD.read_text(encoding="utf-8"))


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _public(code: str) -> dict:
    """A sector's entry in the public record ({} for the sectors it does not name)."""
    return next((s for s in public_record()["sectors"] if s["code"] == code), {})


def _public_dates(code: str) -> dict:
    return _public(code).get("dates", {})


CALIBRATION = next(f for f in public_record()["programme"]["facts"] if "subscribers" in f)  # 1,789 on 2022-12-09
CALIBRATION_DATE = _day(CALIBRATION["date"])


@dataclass
class SectorSpec:
    """What the demo (and the benchmark's synthetic base) builds a sector from: names, kind, dwellings,
    facility, implementation day (None for a live sector, placed relative to today), subscribers on
    the calibration date, map position, and the public facts kept as its notes."""

    code: str
    name: str
    kind: str
    dwellings: int
    facility: str
    # Key dates; None where the sector is live (placed relative to today).
    implementation: date | None
    subscribers_2022: int | None = None
    qpv_code: str | None = None
    point: tuple[float, float] | None = None  # (lon, lat) when no polygon is shipped
    polygon_names: tuple[str, ...] = ()
    year: int | None = None
    public_facts: str = ""


@dataclass(frozen=True)
class _Invented:
    """What the demo adds to a public sector: kind, QPV code and map position follow data/geo;
    dwellings, facility, implementation day and subscribers on the calibration date are invented
    (the subscribers add up to the public total), unless the public record gives them."""

    kind: str
    dwellings: int | None  # None: the public record's
    facility: str
    implementation: date | None  # None: the public record's (a trial's start, a first implementation day)
    subscribers_2022: int
    qpv_code: str | None = None
    point: tuple[float, float] | None = None
    polygon_names: tuple[str, ...] = ()


INVENTED = {
    "kerourien": _Invented("qpv", None, "Centre social de Kerourien (démo)", None, 95, "QN02903M", (-4.5265, 48.3905)),
    "keredern": _Invented(
        "qpv", 1010, "Maison de quartier de Keredern (démo)", None, 190, "QN02905M", (-4.5285, 48.3995)
    ),
    # Launched in February 2014 (public): the day is invented.
    "valy-hir": _Invented(
        "veille", 420, "Maison de quartier de Saint-Pierre (démo)", date(2014, 2, 10), 80, polygon_names=("Valy Hir",)
    ),
    "queliverzan-bellevue": _Invented(
        "qpv", 2950, "Maison de quartier de Bellevue (démo)", date(2014, 10, 6), 560, "QN02908M", (-4.5045, 48.3975)
    ),
    "bellevue-kerbernier": _Invented(
        "qpv", 520, "Maison de quartier de Bellevue (démo)", date(2015, 5, 18), 100, "QN02904M", (-4.5135, 48.4055)
    ),
    "kerangoff": _Invented(
        "qpv", 250, "Maison de quartier de Saint-Pierre (démo)", date(2018, 3, 12), 50, "QN02909M", (-4.5155, 48.3825)
    ),
    "pen-ar-creach-kerbernard": _Invented(
        "veille",
        280,
        "Maison pour tous de Pen ar Creac'h (démo)",
        date(2018, 10, 8),
        55,
        polygon_names=("Pen Ar Créach", "Kerbernard"),
    ),
    "bellevue-kergoat": _Invented(
        "qpv", 900, "Maison de quartier de Bellevue (démo)", date(2019, 5, 13), 175, "QN02904M", (-4.5080, 48.4010)
    ),
    "pontanezen": _Invented(
        "qpv", 1050, "Maison de quartier de Pontanézen (démo)", date(2020, 9, 14), 200, "QN02907M", (-4.4745, 48.4195)
    ),
    "le-guelmeur": _Invented(
        "veille", 380, "Foyer laïque du Guelmeur (démo)", date(2020, 11, 16), 70, polygon_names=("Le Guelmeur",)
    ),
    "lambezellec-bourg": _Invented(
        "qpv", 560, "Maison de quartier de Lambézellec (démo)", date(2021, 6, 14), 110, "QN02906M", (-4.4910, 48.4115)
    ),
    "route-de-quimper": _Invented(
        "other", 520, "Maison de quartier de Saint-Pierre (démo)", date(2022, 5, 16), 104, None, (-4.5125, 48.3770)
    ),
}


def _historic(record: dict) -> SectorSpec:
    """One of the 12 public sectors: the record's facts, and what the demo invents around them."""
    invented = INVENTED[record["code"]]
    dates = record.get("dates", {})
    if "trial" in dates:  # the pilot: implemented for its trial, voted afterwards
        implementation = _day(dates["trial"][0])
    elif "implementation_days" in dates:
        implementation = _day(dates["implementation_days"][0])
    else:
        implementation = invented.implementation
    return SectorSpec(
        record["code"],
        record["name"],
        invented.kind,
        record.get("dwellings", invented.dwellings),
        invented.facility,
        implementation,
        invented.subscribers_2022,
        invented.qpv_code,
        invented.point,
        invented.polygon_names,
        year=record["year"],
        public_facts=record.get("facts", ""),
    )


# The 12 sectors of 2009–2022, in the record's order.
HISTORIC = [_historic(record) for record in public_record()["sectors"]]

# The 2023 sectors: the article names none, so names and figures are illustrative.
ILLUSTRATIVE_2023 = (
    "Secteur illustratif (démo) : l'article ne nomme pas les secteurs de 2023 ; nom et chiffres inventés"
)
ILLUSTRATIVE_LIVE = "Secteur illustratif (démo) du prochain dispositif : nom, dates et chiffres inventés"


def _illustrative(
    code: str, name: str, polygon: str, dwellings: int, facility: str, implementation: date | None = None
) -> SectorSpec:
    """An invented quartier de veille (on its polygon of data/geo): a 2023 sector when it has an
    implementation day, else a live sector of the next scheme."""
    return SectorSpec(
        code,
        name,
        "veille",
        dwellings,
        facility,
        implementation,
        polygon_names=(polygon,),
        year=implementation.year if implementation else None,
        public_facts=ILLUSTRATIVE_2023 if implementation else ILLUSTRATIVE_LIVE,
    )


# The three 2023 sectors: the article names none (see `ILLUSTRATIVE_2023`).
SECTORS_2023 = [
    _illustrative(
        "saint-martin",
        "Saint-Martin",
        "Saint Martin",
        430,
        "Maison de quartier de Saint-Martin (démo)",
        date(2023, 6, 12),
    ),
    _illustrative(
        "pilier-rouge",
        "Pilier Rouge",
        "Pilier Rouge",
        360,
        "Maison de quartier du Pilier Rouge (démo)",
        date(2023, 10, 9),
    ),
    _illustrative("kerinou", "Kerinou", "Kerinou", 480, "Maison de quartier de Kerinou (démo)", date(2023, 11, 20)),
]

# Live sectors of the next scheme, placed relative to today (all illustrative).
LIVE = [
    _illustrative("keranroux", "Keranroux", "Keranroux", 310, "Maison de quartier de Saint-Pierre (démo)"),
    _illustrative("montaigne", "Montaigne", "Montaigne", 420, "Maison de quartier de Saint-Martin (démo)"),
    _illustrative("le-bot", "Le Bot", "Le Bot", 390, "Maison pour tous de Pen ar Creac'h (démo)"),
]

# The days the tariffs the record gives without a date started (invented), in the record's order.
TARIFF_STARTS = [date(2009, 12, 9), date(2014, 1, 1), date(2017, 1, 1), date(2020, 1, 1)]


def _tariffs() -> list[tuple[str, str, date, str, str]]:
    """(offer, operator, valid_from, price, source) of each public tariff."""
    programme = public_record()["programme"]
    operators = {o["offer"]: o["operator"] for o in programme["operators"]}
    starts, out = iter(TARIFF_STARTS), []
    for t in programme["tariffs"]:
        offer, price = t["offer"], t["monthly_price_eur"]
        if t["valid_from"]:
            day = _day(t["valid_from"])
            label = f"{'1er' if day.day == 1 else day.day} {MONTHS_FULL[day.month - 1]} {day.year}"
            out.append((offer, operators[offer], day, price, f"public : {price.replace('.', ',')} € au {label}"))
        else:
            out.append((offer, operators[offer], next(starts), price, "public (prix) ; date de début : démo"))
    return out


TARIFFS = _tariffs()

ORGANISATIONS = [
    ("Ville de Brest – Médiations et usages numériques", "Ville de Brest", "city"),
    ("Brest métropole", "Brest métropole", "city"),
    ("Brest métropole habitat", "BMH", "landlord"),
    ("Numericable", "Numericable", "operator"),
    ("SFR", "SFR", "operator"),
    ("Un peu d'R", "Un peu d'R", "recyclerie"),
    ("Consommation logement cadre de vie", "CLCV", "consumer_association"),
    ("Confédération syndicale des familles", "CSF", "consumer_association"),
    ("Centre communal d'action sociale", "CCAS", "institution"),
    ("Association de quartier (démo)", "Asso. quartier (démo)", "association"),
    ("Collège du quartier (démo)", "Collège (démo)", "school"),
]

POLLING_PLACES = [
    ("{facility}", "facility"),
    ("Agence BMH du secteur", "landlord_office"),
    ("Loge des gardiens", "caretaker"),
    ("Mairie de quartier", "town_hall"),
]


def _load_geo() -> tuple[dict[str, dict], dict]:
    veille = json.loads((GEO / "brest_quartiers_veille.geojson").read_text(encoding="utf-8"))
    by_name = {f["properties"]["nom_qveille"]: f for f in veille["features"]}
    return by_name, veille["metadata"]


def _sector_geo(spec: SectorSpec, polygons: dict[str, dict], meta: dict) -> dict:
    if spec.polygon_names:
        feats = [polygons[n] for n in spec.polygon_names]
        coords = []
        for f in feats:
            coords.extend(f["geometry"]["coordinates"])
        lat = sum(f["properties"]["centroid_lat"] for f in feats) / len(feats)
        lon = sum(f["properties"]["centroid_lon"] for f in feats) / len(feats)
        geometry = {"type": "MultiPolygon", "coordinates": coords}
        return {
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "geojson": json.dumps(geometry),
            "geo_source": f"Contour du quartier de veille : {meta['upstream']}",
        }
    lon, lat = spec.point
    return {
        "lat": lat,
        "lon": lon,
        "geojson": None,
        "geo_source": "Point central approximatif (démo) ; pas de contour public disponible",
    }


def _month_starts(start: date, end: date):
    d = date(start.year, start.month, 1)
    while d <= end:
        yield d
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)


# The day of a count the record gives without one (« later »): invented.
UNDATED_COUNTS = {"kerourien": date(2011, 6, 9)}


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def public_contracts(spec: SectorSpec) -> list[tuple[date, int, bool]]:
    """The public record's contract counts of a sector: (day, contracts, whether the day is public)."""
    out = []
    for figure in _public(spec.code).get("figures", []):
        if "contracts" not in figure:
            continue
        if figure.get("date"):
            out.append((_day(figure["date"]), figure["contracts"], True))
        elif "months_after_implementation" in figure:
            out.append(
                (_months_after(spec.implementation, figure["months_after_implementation"]), figure["contracts"], True)
            )
        else:
            out.append((UNDATED_COUNTS[spec.code], figure["contracts"], False))
    return out


def _subscriber_anchors(spec: SectorSpec, today: date) -> list[tuple[date, int]]:
    start = spec.implementation
    public = public_contracts(spec)
    if public:  # Kerourien: 68 contracts on 2010-05-05, later 77; Keredern: 101 in 6 months
        anchors = [(start, 0), *((day, n) for day, n, _ in public)]
    else:
        early = start + timedelta(days=182)
        target = spec.subscribers_2022 or round(spec.dwellings * 0.2)
        anchors = [(start, 0), (min(early, CALIBRATION_DATE if spec.subscribers_2022 else early), round(target * 0.55))]
    if spec.subscribers_2022 is not None:
        anchors.append((CALIBRATION_DATE, spec.subscribers_2022))
        final = round(spec.subscribers_2022 * 1.08)
    else:
        final = round(spec.dwellings * 0.21)
    anchors.append((today, final))
    anchors.sort()
    return anchors


def _interpolate(anchors: list[tuple[date, int]], day: date) -> int:
    for (d0, v0), (d1, v1) in itertools.pairwise(anchors):
        if d0 <= day <= d1:
            span = (d1 - d0).days or 1
            return round(v0 + (v1 - v0) * (day - d0).days / span)
    return anchors[-1][1]


def subscriber_rows(sector_id: int, spec: SectorSpec, today: date, rng: random.Random) -> list[dict]:
    """A sector's monthly subscriber counts from its implementation to `today`, through its anchors
    (the public counts, the calibration date's, then on to about a fifth of its dwellings)."""
    anchors = _subscriber_anchors(spec, today)
    public_days = {day for day, _, dated in public_contracts(spec) if dated}
    exact = {d: v for d, v in anchors[1:]}
    days = set(exact)
    for month in _month_starts(spec.implementation + timedelta(days=28), today):
        day = month.replace(day=9)
        if spec.implementation < day <= today:
            days.add(day)
    rows, last = [], 0
    for day in sorted(days):
        value = exact.get(day)
        if value is None:
            value = max(last, _interpolate(anchors, day) + rng.randint(-2, 2))
            # Never above the next exact figure: a series that rose to 96 and fell to the public
            # 95 on 09/12/2022 showed an « adhésion en baisse » the record does not have.
            value = min(value, min((v for d, v in exact.items() if d > day), default=value))
        last = value
        if day in public_days:
            source = PUBLIC
        elif day == CALIBRATION_DATE:
            total = f"{CALIBRATION['subscribers']:,}".replace(",", " ")
            source = f"opérateur : total public {total} au {CALIBRATION_DATE:%d/%m/%Y} ; répartition démo"
        else:
            source = DEMO
        rows.append({"sector_id": sector_id, "as_of": day, "subscribers": max(0, value), "source": source})
    return rows


def _stage(dep_id: int, stage: str, start: date, end: date, today: date, slip: int = 0) -> dict:
    """A stage row: planned dates as given, actual dates (slipped by `slip` days) once reached."""
    a_start, a_end = start + timedelta(days=slip), end + timedelta(days=slip)
    return {
        "deployment_id": dep_id,
        "stage": stage,
        "planned_start": start,
        "planned_end": end,
        "actual_start": a_start if a_start <= today else None,
        "actual_end": a_end if a_end < today else None,
    }


class Builder:
    """Writes the demo's rows into `session`, as seen on `today` at `now`; invented figures come
    from a random generator seeded with `seed`.

    `organisations` comes first: the other steps find organisations by name. Events and visits are
    queued (`event`, `visit`) and written together by `flush_activity`.
    """

    def __init__(self, session: Session, today: date, now: datetime, seed: int = 2009):
        self.s = session
        self.today = today
        self.now = now
        self.rng = random.Random(seed)
        self.org: dict[str, int] = {}
        self.events: list[dict] = []
        self.event_sectors: list[tuple[int, int]] = []
        self.visits: list[dict] = []

    # ---- reference data
    def organisations(self, specs: list[SectorSpec]) -> None:
        """Write the programme's organisations and the sectors' facilities, and keep their ids by name
        (and by short name for the partners the demo refers to)."""
        rows = [{"name": n, "short_name": s, "kind": k} for n, s, k in ORGANISATIONS]
        for name in sorted({spec.facility for spec in specs}):
            rows.append({"name": name, "short_name": None, "kind": "facility"})
        self.s.execute(insert(m.Organisation), rows)
        self.org = dict(self.s.execute(select(m.Organisation.name, m.Organisation.id)).all())
        for short in ("BMH", "SFR", "Numericable", "CLCV", "CSF", "Un peu d'R", "Ville de Brest"):
            self.org[short] = self.s.execute(
                select(m.Organisation.id).where(m.Organisation.short_name == short)
            ).scalar_one()

    def offers(self) -> dict[str, int]:
        """Write each public offer with its tariffs; return the offers' ids by name."""
        offers: dict[str, int] = {}
        for offer, operator, valid_from, price, source in TARIFFS:
            if offer not in offers:
                o = m.Offer(
                    name=offer,
                    operator_id=self.org[operator],
                    description="Internet haut débit, télévision, appels entrants, appels d'urgence",
                )
                self.s.add(o)
                self.s.flush()
                offers[offer] = o.id
            self.s.add(m.Tariff(offer_id=offers[offer], valid_from=valid_from, monthly_price_eur=price, source=source))
        return offers

    def sector(self, spec: SectorSpec, polygons: dict, meta: dict) -> int:
        """Write a sector (its outline from `polygons`, or its approximate point) and its partners;
        return its id."""
        geo = _sector_geo(spec, polygons, meta)
        sec = m.Sector(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            qpv_code=spec.qpv_code,
            landlord_id=self.org["BMH"],
            facility_id=self.org[spec.facility],
            notes=spec.public_facts or None,
            **geo,
        )
        self.s.add(sec)
        self.s.flush()
        partners = [
            self.org[spec.facility],
            self.org["CLCV"],
            self.org["CSF"],
            self.org["Un peu d'R"],
            self.org["Association de quartier (démo)"],
        ]
        self.s.execute(insert(m.SectorPartner), [{"sector_id": sec.id, "organisation_id": o} for o in partners])
        return sec.id

    # ---- the pipeline of one sector
    def deployment(
        self,
        sector_id: int,
        spec: SectorSpec,
        offer_id: int | None,
        impl: date,
        ballot_start: date,
        outcome: str | None,
        status: str,
    ) -> int:
        """Write a sector's deployment and return its id: its offer, if any (from 95 days before
        `ballot_start`), its stages (no implementation nor workshops when `outcome` is "rejected"), its
        launch and public meetings, its information campaign and its door-to-door rounds up to today."""
        dep = m.Deployment(sector_id=sector_id, offer_id=offer_id, status=status, year=spec.year or impl.year)
        self.s.add(dep)
        self.s.flush()
        t = self.today
        validation = ballot_start - timedelta(days=95)
        if offer_id is not None:
            self.s.add(m.SectorOffer(sector_id=sector_id, offer_id=offer_id, valid_from=validation, source=DEMO))
        kickoff = ballot_start - timedelta(days=70)
        info_start = kickoff + timedelta(days=7)
        ballot_end = ballot_start + timedelta(days=4)
        stages = [
            _stage(dep.id, "validation", validation, validation, t),
            _stage(dep.id, "kickoff", kickoff, kickoff, t),
            _stage(dep.id, "information", info_start, ballot_start - timedelta(days=3), t),
            _stage(dep.id, "ballot", ballot_start, ballot_end, t),
        ]
        if outcome != "rejected":
            impl_end = impl + timedelta(days=7 if spec.dwellings < 1500 else 14)
            ws_start = impl_end + timedelta(days=14)
            stages += [
                _stage(dep.id, "implementation", impl, impl_end, t),
                _stage(dep.id, "workshops", ws_start, ws_start + timedelta(days=63), t),
            ]
        self.s.execute(insert(m.DeploymentStage), stages)
        # Meetings of the pipeline.
        attendance = self.rng.randint(12, 25)
        self.at_facility(sector_id, spec, "meeting", "kickoff", "Réunion de lancement", kickoff, 14, attendance)
        public_day, attendance = kickoff + timedelta(days=20), self.rng.randint(25, 70)
        self.at_facility(sector_id, spec, "meeting", "public", "Réunion publique", public_day, 18, attendance)
        for i, sub in enumerate(["letter", "flyer", "poster", "booklet"]):
            self.event(
                sector_id,
                "information",
                sub,
                f"{EVENT_SUBKINDS['information'][sub]} – {spec.name}",
                datetime.combine(info_start + timedelta(days=5 + 9 * i), time(10)),
                None,
                reach=spec.dwellings,
                organiser="BMH" if sub == "letter" else "Ville de Brest",
            )
        for week in range(5):
            day = info_start + timedelta(days=10 + 7 * week)
            if day > t:
                break
            knocked = self.rng.randint(60, 140)
            answered = round(knocked * self.rng.uniform(0.35, 0.55))
            ev = self.event(
                sector_id,
                "information",
                "door_to_door",
                f"Porte-à-porte – {spec.name}",
                datetime.combine(day, time(17)),
                None,
                reach=knocked,
                organiser="Association de quartier (démo)",
            )
            self.visit(
                sector_id,
                "door_to_door",
                day,
                "Association de quartier (démo)",
                event_id=ev,
                doors_knocked=knocked,
                doors_answered=answered,
                documents_left=knocked - answered,
            )
        return dep.id

    def ballot(
        self,
        dep_id: int,
        sector_id: int,
        spec: SectorSpec,
        start: date,
        outcome: str | None,
        yes_share: float,
        turnout: float,
        live: bool = False,
    ) -> int:
        """Write a ballot over the five days from `start`, its polling places and turnout reports;
        return its id.

        Its reports reach `turnout` of the dwellings by the close. A `live` ballot stays open, with
        reports up to `now` and no count; any other is validated and locked, with two agreeing count
        entries: 2 % blank, 1 % void, `yes_share` of the other votes yes.
        """
        opens = datetime.combine(start, time(9))
        closes = datetime.combine(start + timedelta(days=4), time(18))
        b = m.Ballot(
            deployment_id=dep_id,
            sector_id=sector_id,
            opens_at=opens,
            closes_at=closes,
            registered=spec.dwellings,
            rule="majority_of_votes",
            count_place=spec.facility,
            status="open" if live else "locked",
            outcome=outcome,
            source=PUBLIC + " (dates) ; chiffres démo" if spec.code == "keredern" else DEMO,
        )
        if not live:
            b.validated_at = b.locked_at = closes + timedelta(hours=3)
            b.validated_by = b.locked_by = "coordination"
        self.s.add(b)
        self.s.flush()
        places = []
        for name, kind in POLLING_PLACES:
            p = m.PollingPlace(ballot_id=b.id, name=name.format(facility=spec.facility), kind=kind)
            self.s.add(p)
            places.append(p)
        self.s.flush()
        voters = round(spec.dwellings * turnout)
        weights = [0.4, 0.3, 0.2, 0.1]
        reports = []
        for place, w in zip(places, weights, strict=True):
            total = round(voters * w)
            for day in range(5):
                for hour, frac in ((12, 0.45), (18, 1.0)):
                    at = opens.replace(hour=hour) + timedelta(days=day, minutes=self.rng.randint(0, 40))
                    if at > closes or (live and at > self.now):
                        continue
                    # Turnout builds up over the week, faster on the first and last days.
                    share = [0.3, 0.5, 0.65, 0.8, 1.0][day]
                    prev = [0, 0.3, 0.5, 0.65, 0.8][day]
                    value = round(total * (prev + (share - prev) * frac))
                    reports.append(
                        {
                            "ballot_id": b.id,
                            "place_id": place.id,
                            "reported_at": at,
                            "voters": value,
                            "created_by": "bailleur",
                        }
                    )
        # Keep each place's series non-decreasing despite rounding.
        reports.sort(key=lambda r: (r["place_id"], r["reported_at"]))
        last: dict[int, int] = {}
        for r in reports:
            r["voters"] = max(r["voters"], last.get(r["place_id"], 0))
            last[r["place_id"]] = r["voters"]
        if reports:
            self.s.execute(insert(m.TurnoutReport), reports)
        if not live:
            in_box = sum(last.values())
            blank = round(in_box * 0.02)
            void = round(in_box * 0.01)
            yes = round((in_box - blank - void) * yes_share)
            no = in_box - blank - void - yes
            for entry in (1, 2):
                self.s.add(
                    m.BallotCount(
                        ballot_id=b.id,
                        entry_no=entry,
                        yes=yes,
                        no=no,
                        blank=blank,
                        void=void,
                        in_box=in_box,
                        entered_by="bailleur" if entry == 1 else "coordination",
                    )
                )
        return b.id

    # ---- activity
    def event(
        self,
        sector_id: int | None,
        kind: str,
        subkind: str | None,
        title: str,
        starts: datetime,
        place: str | None,
        attendance: int | None = None,
        reach: int | None = None,
        organiser: str | None = None,
        **extra,
    ) -> int:
        """Queue an event (written by `flush_activity`) and return its provisional id, which a visit's
        `event_id` may refer to; attendance and reach are kept only for events up to today."""
        self.events.append(
            {
                "kind": kind,
                "subkind": subkind,
                "title": title,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "place": place,
                "organiser_id": self.org.get(organiser) if organiser else None,
                "attendance": attendance if starts.date() <= self.today else None,
                "reach": reach if starts.date() <= self.today else None,
                "source": DEMO,
                "created_by": "démo",
                "returning_participants": None,
                "series_id": None,
                "session_no": None,
                "notes": None,
                **extra,
            }
        )
        idx = len(self.events)  # provisional id, replaced after insert
        if sector_id is not None:
            self.event_sectors.append((idx, sector_id))
        return idx

    def at_facility(
        self,
        sector_id: int,
        spec: SectorSpec,
        kind: str,
        subkind: str | None,
        title: str,
        day: date,
        hour: int,
        attendance: int,
        organiser: str | None = None,
    ) -> int:
        """Queue an event of the sector held at its facility, titled « `title` – sector name »,
        starting on `day` at `hour` o'clock (see `event`)."""
        when = datetime.combine(day, time(hour))
        title = f"{title} – {spec.name}"
        return self.event(sector_id, kind, subkind, title, when, spec.facility, attendance, organiser=organiser)

    def visit(self, sector_id: int, kind: str, day: date, organisation: str | None, **values) -> None:
        """Queue a visit (written by `flush_activity`); `values` gives its figures and `event_id`,
        those left out are None."""
        row = {
            "kind": kind,
            "sector_id": sector_id,
            "occurred_on": day,
            "source": DEMO,
            "created_by": "démo",
            "organisation_id": self.org.get(organisation) if organisation else None,
        }
        for key in (*m.VISIT_FIGURES, "event_id", "notes"):
            row[key] = values.get(key)
        self.visits.append(row)

    def support(self, sector_id: int, spec: SectorSpec, impl: date) -> None:
        """Implementation half-days, a workshop cycle, weekly drop-ins, advice and equipment."""
        t, rng = self.today, self.rng
        for k, offset in enumerate((0, 7 if spec.dwellings < 1500 else 5, 14)[: 2 if spec.dwellings < 1500 else 3]):
            day = impl + timedelta(days=offset)
            title, attendance = f"Mise en œuvre ({k + 1})", rng.randint(30, 80)
            self.at_facility(sector_id, spec, "implementation", None, title, day, 14, attendance, "Ville de Brest")
        self.workshop_cycle(sector_id, spec, impl + timedelta(days=21))
        # Weekly drop-ins during the first year, then every other week (illustrative rhythm).
        topics = ["abonnement", "equipement", "resiliation", "demarches", "initiation", "autre"]
        day = impl + timedelta(days=7)
        end = min(t, impl + timedelta(days=365 * 4))
        week = 0
        while day <= end + timedelta(days=28):
            attendance = rng.randint(2, 9)
            ev = self.at_facility(sector_id, spec, "dropin", None, "Permanence", day, 14, attendance, spec.facility)
            if day <= t:
                chosen = rng.sample(topics, rng.randint(1, 3))
                self.visit(
                    sector_id,
                    "dropin",
                    day,
                    spec.facility,
                    event_id=ev,
                    people_seen=rng.randint(2, 9),
                    topics=",".join(chosen),
                )
            week += 1
            day += timedelta(days=7 if week < 52 else 14)
        # Legal advice and equipment, monthly.
        for month in _month_starts(impl, min(t, impl + timedelta(days=365 * 5))):
            day = month + timedelta(days=rng.randint(0, 20))
            if day > t:
                continue
            org = "CLCV" if month.month % 2 else "CSF"
            compared = rng.randint(1, 6)
            self.visit(
                sector_id, "legal", day, org, offers_compared=compared, contracts_terminated=rng.randint(0, compared)
            )
            sold = rng.randint(0, 4) if day > impl + timedelta(days=60) else rng.randint(2, 8)
            if sold:
                self.visit(sector_id, "equipment", day, "Un peu d'R", computers_sold=sold, amount_eur=40 * sold)

    def stickers(self, sector_id: int, spec: SectorSpec, first: int, last: int) -> None:
        """Stickers in the halls from year `first` to `last`: every year in a large sector (over 800
        dwellings), every third year elsewhere."""
        for year in range(first, last + 1, 1 if spec.dwellings > 800 else 3):
            self.event(
                sector_id,
                "information",
                "sticker",
                f"Autocollants dans les halls – {spec.name}",
                datetime.combine(date(year, 3, 15), time(10)),
                None,
                reach=spec.dwellings,
                organiser="BMH",
            )

    def workshop_cycle(self, sector_id: int, spec: SectorSpec, start: date, sessions: int = 10) -> None:
        """A cycle of `sessions` weekly workshops in a sector from `start`, as an event series; returning
        participants are kept for the sessions up to today."""
        series = m.EventSeries(
            kind="workshop", title=f"Ateliers numériques – {spec.name} ({start.year})", planned_sessions=sessions
        )
        self.s.add(series)
        self.s.flush()
        present = self.rng.randint(8, 14)
        for n in range(sessions):
            day = start + timedelta(days=7 * n)
            returning = 0 if n == 0 else max(0, present - self.rng.randint(0, 3))
            present = returning + self.rng.randint(0, 2) if n else present
            self.event(
                sector_id,
                "workshop",
                None,
                f"Atelier numérique {n + 1}/{sessions} – {spec.name}",
                datetime.combine(day, time(10)),
                spec.facility,
                attendance=present,
                organiser="Ville de Brest",
                series_id=series.id,
                session_no=n + 1,
                returning_participants=returning if day <= self.today else None,
            )

    def move_ins(self, sector_id: int, spec: SectorSpec, since: date) -> None:
        """Write a sector's monthly move-ins from `since` to last month, about a tenth of its dwellings
        a year."""
        rows = []
        monthly = spec.dwellings * 0.10 / 12
        for month in _month_starts(since, self.today):
            if month >= date(self.today.year, self.today.month, 1):
                break
            rows.append(
                {
                    "sector_id": sector_id,
                    "month": month,
                    "move_ins": max(0, round(monthly * self.rng.uniform(0.5, 1.6))),
                    "source": DEMO,
                }
            )
        if rows:
            self.s.execute(insert(m.MoveIn), rows)

    def accounts(self, password_rounds: int) -> None:
        """The demo accounts (`ihs.users.DEMO_ACCOUNTS`), and the mark that this is demo data."""
        for username, name, role, org in DEMO_ACCOUNTS:
            self.s.add(
                m.User(
                    username=username,
                    name=name,
                    role=role,
                    organisation_id=self.org.get(org) if org else None,
                    password_hash=hash_password(demo_password(username), password_rounds),
                )
            )
        self.s.add(m.Setting(key=DEMO_LOADED, value=self.today.isoformat()))

    def flush_activity(self) -> None:
        """Write the queued events, their sectors and the visits, the provisional event ids replaced by
        the database's."""
        if self.events:
            first_id = (self.s.execute(select(func.max(m.Event.id))).scalar() or 0) + 1
            self.s.execute(insert(m.Event), self.events)
            ids = self.s.execute(select(m.Event.id).where(m.Event.id >= first_id).order_by(m.Event.id)).scalars().all()
            self.s.execute(
                insert(m.EventSector), [{"event_id": ids[idx - 1], "sector_id": sid} for idx, sid in self.event_sectors]
            )
            for v in self.visits:
                if v["event_id"]:
                    v["event_id"] = ids[v["event_id"] - 1]
        if self.visits:
            self.s.execute(insert(m.Visit), self.visits)


def annual_gatherings(b: Builder) -> None:
    """Queue the annual gathering of the neighbourhood actors, on 20 June of each year from 2011."""
    for year in range(2011, b.today.year + 1):
        day = date(year, 6, 20)
        b.event(
            None,
            "gathering",
            None,
            f"Rencontre annuelle des acteurs de quartier {year}",
            datetime.combine(day, time(9)),
            "Hôtel de ville (démo)",
            attendance=b.rng.randint(80, 140),
            organiser="Ville de Brest",
        )


def is_loaded(session: Session) -> bool:
    """Whether the database already has sectors (`load_demo` then loads nothing)."""
    return session.execute(select(func.count(m.Sector.id))).scalar_one() > 0


def build_demo(session: Session, today: date, now: datetime | None = None, *, password_rounds: int = 10) -> None:
    """Fill an empty, migrated database with the demo dataset, as seen on `today` at `now`.

    `now` places the live ballot's last turnout reports (default: 11:30 on `today`).
    """
    session.info["skip_audit"] = True  # one summary audit row instead of thousands
    b = Builder(session, today, now or datetime.combine(today, time(11, 30)))
    specs = HISTORIC + SECTORS_2023 + LIVE
    polygons, meta = _load_geo()
    b.organisations(specs)
    offers = b.offers()
    sfr_offer = offers["Numérisun"]
    for spec in HISTORIC + SECTORS_2023:
        sid = b.sector(spec, polygons, meta)
        impl = spec.implementation
        pipeline_start = None
        if spec.code == "kerourien":  # pilot: trial first, then the vote (public dates)
            # Public: trial 09/12/2009 → 04/11/2010, then the vote; its week is illustrative.
            trial_start, trial_end = (_day(d) for d in _public_dates(spec.code)["trial"])
            ballot_start = trial_end + timedelta(days=11)
            pipeline_start = trial_start - timedelta(days=58)
            dep = b.deployment(sid, spec, offers["Sun"], impl, pipeline_start, "adopted", "deployed")
            # The pilot's vote came after the trial: move the ballot stage to the real vote.
            session.execute(
                m.DeploymentStage.__table__.update()
                .where(m.DeploymentStage.deployment_id == dep, m.DeploymentStage.stage == "ballot")
                .values(
                    planned_start=ballot_start,
                    planned_end=ballot_start + timedelta(days=4),
                    actual_start=ballot_start,
                    actual_end=ballot_start + timedelta(days=4),
                )
            )
        elif spec.code == "keredern":
            ballot_start = _day(_public_dates(spec.code)["ballot"][0])  # public: 12 → 16 December 2011
            dep = b.deployment(sid, spec, offers["Sun"], impl, ballot_start, "adopted", "deployed")
            _keredern_public_dates(b, sid, spec, dep)
        else:
            ballot_start = impl - timedelta(days=35)
            offer = offers["Sun"] if impl.year < 2014 else sfr_offer
            dep = b.deployment(sid, spec, offer, impl, ballot_start, "adopted", "deployed")
        pipeline_start = pipeline_start or ballot_start
        b.ballot(
            dep,
            sid,
            spec,
            ballot_start,
            "adopted",
            yes_share=b.rng.uniform(0.62, 0.85),
            turnout=b.rng.uniform(0.28, 0.52),
        )
        session.execute(
            insert(m.SectorDwellings),
            [
                {
                    "sector_id": sid,
                    # Before the deployment's first stage: Kerourien's pipeline starts in 2009,
                    # its vote after the trial; its 2010 counts need the 596 dwellings.
                    "valid_from": pipeline_start - timedelta(days=120),
                    "dwellings": spec.dwellings,
                    "source": PUBLIC if spec.code == "kerourien" else DEMO,
                }
            ],
        )
        session.execute(insert(m.SubscriberCount), subscriber_rows(sid, spec, today, b.rng))
        b.support(sid, spec, impl)
        if spec.code == "keredern":
            _keredern_second_day(b, sid)
        if spec.code == "kerourien":
            _kerourien_first_months(b, sid)
        # Stickers and newsletters keep it known afterwards (some sectors more than others).
        b.stickers(sid, spec, impl.year + 1, today.year)
        # The landlord gave move-ins for the larger sectors only; others use the default rate.
        if spec.dwellings >= 500:
            b.move_ins(sid, spec, max(impl, date(2016, 1, 1)))
    # A workshop cycle under way now, in a 2023 sector (workshops are repeated each year).
    # The operator changed in 2014 (Numericable → SFR, domain.md): the sectors on « Sun » move to
    # « Numérisun » with its first tariff (the day is illustrative, as the tariffs' own).
    session.flush()
    on_sun = session.execute(select(m.SectorOffer.sector_id).where(m.SectorOffer.offer_id == offers["Sun"])).scalars()
    session.add_all(
        m.SectorOffer(sector_id=sid, offer_id=sfr_offer, valid_from=date(2014, 1, 1), source=DEMO)
        for sid in set(on_sun)
    )
    pilier = session.execute(select(m.Sector.id).where(m.Sector.code == "pilier-rouge")).scalar_one()
    b.workshop_cycle(pilier, SECTORS_2023[1], today - timedelta(days=35))
    _live_sectors(b, offers["Numérisun"], polygons, meta)
    annual_gatherings(b)
    b.flush_activity()
    b.accounts(password_rounds)
    session.flush()
    session.execute(
        insert(m.AuditLog),
        [
            {
                "at": b.now,
                "username": session.info.get("user", "système"),
                "action": "demo_load",
                "table_name": "*",
                "row_id": None,
                "before": None,
                "after": {"today": today.isoformat()},
                "reason": "Chargement des données de démonstration",
            }
        ],
    )


def _sector_events(b: Builder, sector_id: int) -> list[dict]:
    return [b.events[idx - 1] for idx, sid in b.event_sectors if sid == sector_id]


def _keredern_public_dates(b: Builder, sector_id: int, spec: SectorSpec, dep_id: int) -> None:
    """Public (domain.md): partner meetings 08/11/2011 and 06/02/2012, public meeting 24/11/2011."""
    dates = _public_dates(spec.code)
    for ev in _sector_events(b, sector_id):
        if ev["title"].startswith("Réunion publique"):
            ev["starts_at"] = datetime.combine(_day(dates["public_meeting"]), time(18))
            ev["ends_at"] = ev["starts_at"] + timedelta(hours=2)
            ev["source"] = PUBLIC + " (date) ; participation démo"
    for day in map(_day, dates["partner_meetings"]):
        attendance = b.rng.randint(8, 15)
        b.at_facility(
            sector_id, spec, "meeting", "partners", "Réunion partenaires", day, 10, attendance, "Ville de Brest"
        )
        b.events[-1]["source"] = PUBLIC + " (date) ; participation démo"


def _keredern_second_day(b: Builder, sector_id: int) -> None:
    """Public: implementation days 28/02/2012 and 14/03/2012 (the stage ends on the second)."""
    second = _day(_public_dates("keredern")["implementation_days"][1])
    for ev in _sector_events(b, sector_id):
        if ev["title"].startswith("Mise en œuvre ("):
            ev["source"] = PUBLIC + " (date) ; participation démo"
        if ev["title"].startswith("Mise en œuvre (2)"):
            ev["starts_at"] = datetime.combine(second, time(14))
            ev["ends_at"] = ev["starts_at"] + timedelta(hours=2)
    b.s.execute(
        m.DeploymentStage.__table__.update()
        .where(
            m.DeploymentStage.deployment_id.in_(select(m.Deployment.id).where(m.Deployment.sector_id == sector_id)),
            m.DeploymentStage.stage == "implementation",
        )
        .values(planned_end=second, actual_end=second)
    )


def _spread(rows: list[dict], key: str, total: int) -> None:
    """Set `key` on `rows` so that they add up to `total`, as evenly as possible."""
    for i, row in enumerate(rows):
        row[key] = total // len(rows) + (1 if i < total % len(rows) else 0)
        row["source"] = PUBLIC + " (total au 05/05/2010) ; répartition démo"


def _kerourien_first_months(b: Builder, sector_id: int) -> None:
    """Public: by 05/05/2010, 17 computers sold and 40 people supported (drop-ins)."""
    [figures] = [f for f in _public("kerourien")["figures"] if "computers_sold" in f]
    until = _day(figures["date"])
    early = [v for v in b.visits if v["sector_id"] == sector_id and v["occurred_on"] <= until]
    sold = [v for v in early if v["kind"] == "equipment"]
    seen = [v for v in early if v["kind"] == "dropin"]
    _spread(sold, "computers_sold", figures["computers_sold"])
    for v in sold:
        v["amount_eur"] = 40 * v["computers_sold"]
    _spread(seen, "people_seen", figures["people_supported"])


def _live_sectors(b: Builder, offer_id: int, polygons: dict, meta: dict) -> None:
    t = b.today
    info, ballot, impl = (replace(spec, year=t.year) for spec in LIVE)
    # 1. In its information period: the ballot is five weeks away.
    sid = b.sector(info, polygons, meta)
    b.s.execute(
        insert(m.SectorDwellings),
        [{"sector_id": sid, "valid_from": t - timedelta(days=200), "dwellings": info.dwellings, "source": DEMO}],
    )
    b.deployment(sid, info, offer_id, t + timedelta(days=70), t + timedelta(days=35), None, "information")
    b.move_ins(sid, info, t - timedelta(days=365 * 3))
    # 2. Ballot open this week: opened three days ago, closes in two days.
    sid = b.sector(ballot, polygons, meta)
    b.s.execute(
        insert(m.SectorDwellings),
        [{"sector_id": sid, "valid_from": t - timedelta(days=200), "dwellings": ballot.dwellings, "source": DEMO}],
    )
    start = t - timedelta(days=3)
    dep = b.deployment(sid, ballot, offer_id, t + timedelta(days=30), start, None, "ballot")
    b.ballot(dep, sid, ballot, start, None, yes_share=0.7, turnout=0.22, live=True)
    # 3. Implementation under way: voted yes last month, half-days this week and next.
    sid = b.sector(impl, polygons, meta)
    b.s.execute(
        insert(m.SectorDwellings),
        [{"sector_id": sid, "valid_from": t - timedelta(days=250), "dwellings": impl.dwellings, "source": DEMO}],
    )
    impl_day = t - timedelta(days=3)
    impl = replace(impl, implementation=impl_day)
    vote = t - timedelta(days=30)
    dep = b.deployment(sid, impl, offer_id, impl_day, vote, "adopted", "implementation")
    b.ballot(dep, sid, impl, vote, "adopted", yes_share=0.74, turnout=0.41)
    b.event(
        sid,
        "implementation",
        None,
        f"Mise en œuvre (1) – {impl.name}",
        datetime.combine(impl_day, time(14)),
        impl.facility,
        attendance=45,
        organiser="Ville de Brest",
    )
    b.event(
        sid,
        "implementation",
        None,
        f"Mise en œuvre (2) – {impl.name}",
        datetime.combine(impl_day + timedelta(days=5), time(9)),
        impl.facility,
        organiser="Ville de Brest",
    )
    b.s.execute(
        insert(m.SubscriberCount),
        [{"sector_id": sid, "as_of": t - timedelta(days=1), "subscribers": 23, "source": DEMO}],
    )
    b.visit(sid, "equipment", impl_day, "Un peu d'R", computers_sold=6, amount_eur=240)
    b.visit(sid, "legal", impl_day, "CLCV", offers_compared=9, contracts_terminated=4)
    for k in range(3):
        day = t + timedelta(days=7 * k + 2)
        b.event(
            sid,
            "dropin",
            None,
            f"Permanence – {impl.name}",
            datetime.combine(day, time(14)),
            impl.facility,
            organiser=impl.facility,
        )


def clear_all(session: Session) -> None:
    """Delete every row (for `demo load --reset`), children first."""
    for table in reversed(m.Base.metadata.sorted_tables):
        session.execute(delete(table))


def load_demo(session: Session, today: date, now: datetime | None = None, *, reset: bool = False) -> bool:
    """Load the demo data if the database is empty (or after `reset`). Returns True if loaded."""
    if reset:
        clear_all(session)
    elif is_loaded(session):
        return False
    build_demo(session, today, now)
    return True

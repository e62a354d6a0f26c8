"""A synthetic programme at national scale, for the benchmark (`python -m ihs bench`).

It reuses the demo generator (`ihs.demo.Builder` and `SectorSpec`): each synthetic sector goes
through the same pipeline as a demo sector (deployment stages, meetings, information actions,
ballot with polling places and turnout, count, monthly subscribers, move-ins, workshops,
drop-ins, advice and equipment). Volumes are then topped up with bulk inserts to the national
targets below (times `scale`), so the big tables have the size the pages must survive.
Every figure is invented; the sectors are named « Secteur synthétique n ».
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import numpy as np
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs import models as m
from ihs.demo import Builder, SectorSpec, annual_gatherings, subscriber_rows

YEARS = 10
# National targets at scale 1 (issue 7): rows at least this many after the build.
TARGETS = {"visits": 3_000_000, "events": 500_000, "turnout_reports": 400_000}
SOURCE = "synthétique (banc d'essai)"
CHUNK = 50_000
# Rows of one flush of the demo builder's activity lists (bounds memory at national scale).
BUILDER_FLUSH_EVENTS = 20_000
# Brest's bounding box: the synthetic sectors are drawn on the city's map.
LON, LAT = (-4.57, -4.43), (48.36, 48.46)
FACILITIES = 200
TOPICS = ["abonnement", "equipement", "resiliation", "demarches", "initiation", "autre"]

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- bulk inserts -------------------------------------------------------------------------------


def _sqlite_value(value):
    # The same text formats SQLAlchemy's SQLite types write, so comparisons in SQL agree.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond:06d}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class BulkWriter:
    """Fast inserts of many rows: sqlite3 `executemany` on tuples, or PostgreSQL COPY."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.dialect = conn.dialect.name
        self.counts: dict[str, int] = {}
        self._next_event_id = (conn.execute(select(func.max(m.Event.id))).scalar() or 0) + 1
        self._big_cache()

    def _big_cache(self) -> None:
        if self.dialect == "sqlite":
            # 256 MB of page cache instead of 2 MB: index inserts into millions of rows stay in memory.
            self.conn.exec_driver_sql("PRAGMA cache_size=-262144")

    def event_ids(self, n: int) -> range:
        """Reserve `n` explicit event ids (so links and visits can point at them before insert)."""
        first = self._next_event_id
        self._next_event_id += n
        return range(first, first + n)

    def insert(self, table, columns: list[str], rows: Iterable[tuple]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        # The raw paths skip the models' defaults: creation times come from ihs.clock, as for every row.
        stamped = [c.name for c in table.columns if c.name in ("created_at", "entered_at") and c.name not in columns]
        if stamped:
            now = clock.now()
            columns = [*columns, *stamped]
            rows = [(*row, *(now for _ in stamped)) for row in rows]
        raw = self.conn.connection.driver_connection
        if self.dialect == "sqlite":
            compiled = insert(table).compile(dialect=self.conn.dialect, column_keys=columns)
            # The compiled statement lists columns in table order: map our tuples onto it.
            order = [columns.index(name) for name in compiled.positiontup]
            cur = raw.cursor()
            cur.executemany(str(compiled), [tuple(_sqlite_value(row[i]) for i in order) for row in rows])
            cur.close()
        elif self.dialect == "postgresql":
            from psycopg import sql as pgsql

            stmt = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
                pgsql.Identifier(table.name), pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns)
            )
            with raw.cursor() as cur, cur.copy(stmt) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            self.conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        return len(rows)

    def insert_dicts(self, table, rows: list[dict]) -> int:
        if not rows:
            return 0
        columns = list(rows[0])
        return self.insert(table, columns, (tuple(r[c] for c in columns) for r in rows))

    def fix_sequences(self) -> None:
        """PostgreSQL: explicit ids were written, so move each id sequence past them."""
        if self.dialect != "postgresql":
            return
        for table in (m.Event.__table__, m.Visit.__table__, m.TurnoutReport.__table__):
            seq = self.conn.execute(select(func.pg_get_serial_sequence(table.name, "id"))).scalar()
            if seq:
                top = self.conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
                self.conn.execute(select(func.setval(seq, max(top, 1), top > 0)))


def _flush_builder(b: Builder, w: BulkWriter) -> None:
    """Write the demo builder's buffered events, links and visits, then empty its buffers."""
    ids = w.event_ids(len(b.events))
    for event, event_id in zip(b.events, ids, strict=True):
        event["id"] = event_id
        event.setdefault("created_by", "démo")
    w.insert_dicts(m.Event.__table__, b.events)
    w.insert(m.EventSector.__table__, ["event_id", "sector_id"], ((ids[idx - 1], sid) for idx, sid in b.event_sectors))
    for v in b.visits:
        if v["event_id"]:
            v["event_id"] = ids[v["event_id"] - 1]
    w.insert_dicts(m.Visit.__table__, b.visits)
    b.events.clear()
    b.event_sectors.clear()
    b.visits.clear()


# ---- the sectors ----------------------------------------------------------------------------------


def _plan(n: int, today: date, rng: random.Random) -> list[tuple[str, date]]:
    """For each sector: where it stands today and its ballot's first day.

    A few sectors are live (ballot open now, information period, implementation), as in the
    demo; the others voted over the last ten years, some of them against.
    """
    live_ballots = max(1, round(n / 400))
    info = max(1, round(n / 200))
    impl = max(1, round(n / 200))
    plan: list[tuple[str, date]] = []
    for _ in range(live_ballots):
        plan.append(("ballot", today - timedelta(days=rng.randint(1, 3))))
    for _ in range(info):
        plan.append(("information", today + timedelta(days=rng.randint(10, 50))))
    for _ in range(impl):
        plan.append(("implementation", today - timedelta(days=rng.randint(36, 38))))
    first = today - timedelta(days=365 * YEARS - 100)
    span = (today - timedelta(days=60) - first).days
    while len(plan) < n:
        start = first + timedelta(days=rng.randint(0, span))
        plan.append(("rejected" if rng.random() < 0.08 else "deployed", start))
    rng.shuffle(plan)
    return plan[:n]


def _spec(i: int, rng: random.Random) -> SectorSpec:
    return SectorSpec(
        code=f"synth-{i:04d}",
        name=f"Secteur synthétique {i:04d}",
        kind=rng.choice(["qpv", "qpv", "veille", "other"]),
        dwellings=int(rng.triangular(150, 3000, 400)),
        facility=f"Maison de quartier synthétique {i % FACILITIES:03d}",
        implementation=None,
        point=(round(rng.uniform(*LON), 5), round(rng.uniform(*LAT), 5)),
    )


def _sector(b: Builder, spec: SectorSpec, state: str, ballot_start: date, offer_id: int, w: BulkWriter) -> dict:
    """One sector through the demo pipeline; returns what the bulk top-up needs to know."""
    t = b.today
    sid = b.sector(spec, {}, {})
    w.insert_dicts(
        m.SectorDwellings.__table__,
        [
            {
                "sector_id": sid,
                "valid_from": ballot_start - timedelta(days=120),
                "dwellings": spec.dwellings,
                "source": SOURCE,
            }
        ],
    )
    impl = ballot_start + timedelta(days=35)
    spec = replace(spec, implementation=impl, year=impl.year)
    info = {"sector_id": sid, "impl": None, "dwellings": spec.dwellings, "name": spec.name, "facility": spec.facility}
    if state == "information":
        b.deployment(sid, spec, offer_id, impl, ballot_start, None, "information")
        return info
    if state == "ballot":
        dep = b.deployment(sid, spec, offer_id, impl, ballot_start, None, "ballot")
        b.ballot(dep, sid, spec, ballot_start, None, yes_share=0.7, turnout=0.25, live=True)
        return info
    if state == "rejected":
        dep = b.deployment(sid, spec, offer_id, impl, ballot_start, "rejected", "rejected")
        b.ballot(dep, sid, spec, ballot_start, "rejected", yes_share=0.4, turnout=0.35)
        return info
    status = "implementation" if impl + timedelta(days=14) >= t else "deployed"
    dep = b.deployment(sid, spec, offer_id, impl, ballot_start, "adopted", status)
    b.ballot(
        dep, sid, spec, ballot_start, "adopted", yes_share=b.rng.uniform(0.55, 0.85), turnout=b.rng.uniform(0.25, 0.55)
    )
    if impl <= t - timedelta(days=200):
        w.insert_dicts(m.SubscriberCount.__table__, subscriber_rows(sid, spec, t, b.rng))
    elif impl <= t:
        w.insert_dicts(
            m.SubscriberCount.__table__,
            [{"sector_id": sid, "as_of": t - timedelta(days=1), "subscribers": spec.dwellings // 40, "source": SOURCE}],
        )
    if impl <= t:
        b.support(sid, spec, impl)
        info["impl"] = impl
    b.stickers(sid, spec, impl.year + 1, t.year)
    if spec.dwellings >= 500 and impl <= t:
        b.move_ins(sid, spec, max(impl, t - timedelta(days=365 * 5)))
    return info


# ---- bulk top-ups -------------------------------------------------------------------------------


class _TopUp(NamedTuple):
    """What a bulk top-up adds to: the rows already there, how many are missing, the implemented
    sectors with their implementation days (ordinals) and the share of the rows each one gets (its
    dwellings × the days since its implementation), today's ordinal and the top-up's own generator."""

    have: int
    missing: int
    active: list[dict]
    start: np.ndarray
    weight: np.ndarray
    today: int
    gen: np.random.Generator


def _top_up(w: BulkWriter, model: type, target: int, sectors: list[dict], today: date, seed: int) -> _TopUp | None:
    """The plan of a top-up of `model` to `target` rows; None when there is nothing to add."""
    have = w.conn.execute(select(func.count()).select_from(model)).scalar_one()
    active = [s for s in sectors if s["impl"]]
    if target <= have or not active:
        return None
    day = today.toordinal()
    start = np.array([s["impl"].toordinal() for s in active])
    weight = np.array([s["dwellings"] * (day - s["impl"].toordinal() + 1) for s in active], dtype=float)
    return _TopUp(have, target - have, active, start, weight / weight.sum(), day, np.random.default_rng(seed))


def _top_up_visits(w: BulkWriter, b: Builder, sectors: list[dict], target: int, progress: Progress) -> None:
    plan = _top_up(w, m.Visit, target, sectors, b.today, seed=7)
    if plan is None:
        return
    have, missing, active, start, weight, today, gen = plan
    sid = np.array([s["sector_id"] for s in active])
    facility = np.array([b.org[s["facility"]] for s in active])
    legal_org = np.array([b.org["CLCV"], b.org["CSF"]])
    topics = [",".join(sorted(random.Random(k).sample(TOPICS, 1 + k % 3))) for k in range(40)]
    # The rows below give the figures in `VISIT_FIGURES` order.
    columns = ["kind", "sector_id", "organisation_id", "occurred_on", *m.VISIT_FIGURES, "source", "created_by"]
    done = 0
    while done < missing:
        n = min(CHUNK, missing - done)
        # Sorted by sector: inserts then walk the (sector, kind, date) index in order (much faster).
        idx = np.sort(gen.choice(len(active), size=n, p=weight))
        day = start[idx] + np.floor(gen.random(n) * (today - start[idx] + 1)).astype(int)
        kind = gen.choice(4, size=n, p=[0.5, 0.25, 0.15, 0.10])
        knocked = gen.integers(20, 140, n)
        answered = np.round(knocked * gen.uniform(0.35, 0.55, n)).astype(int)
        seen = gen.integers(1, 10, n)
        topic = gen.integers(0, len(topics), n)
        compared = gen.integers(1, 7, n)
        terminated = np.minimum(gen.integers(0, 5, n), compared)
        sold = gen.integers(1, 5, n)
        org = np.select(
            [kind == 0, kind == 1, kind == 2],
            [facility[idx], b.org["Association de quartier (démo)"], legal_org[gen.integers(0, 2, n)]],
            b.org["Un peu d'R"],
        )
        rows = []
        for k, s, o, d, kn, an, se, tp, co, te, so in zip(
            kind.tolist(),
            sid[idx].tolist(),
            org.tolist(),
            day.tolist(),
            knocked.tolist(),
            answered.tolist(),
            seen.tolist(),
            topic.tolist(),
            compared.tolist(),
            terminated.tolist(),
            sold.tolist(),
            strict=True,
        ):
            day_ = date.fromordinal(d)
            if k == 0:
                rows.append(("dropin", s, o, day_, None, None, None, se, topics[tp], None, None, None, None))
            elif k == 1:
                rows.append(("door_to_door", s, o, day_, kn, an, kn - an, None, None, None, None, None, None))
            elif k == 2:
                rows.append(("legal", s, o, day_, None, None, None, None, None, co, te, None, None))
            else:
                rows.append(("equipment", s, o, day_, None, None, None, None, None, None, None, so, 40 * so))
        w.insert(m.Visit.__table__, columns, ((*r, SOURCE, "synthétique") for r in rows))
        done += n
        progress(f"  visites : {have + done:,} / {target:,}".replace(",", " "))


def _top_up_events(w: BulkWriter, b: Builder, sectors: list[dict], target: int, progress: Progress) -> None:
    plan = _top_up(w, m.Event, target, sectors, b.today, seed=11)
    if plan is None:
        return
    have, missing, active, start, weight, today, gen = plan
    columns = [
        "id",
        "kind",
        "subkind",
        "title",
        "starts_at",
        "ends_at",
        "place",
        "organiser_id",
        "attendance",
        "reach",
        "source",
        "created_by",
    ]
    done = 0
    while done < missing:
        n = min(CHUNK, missing - done)
        idx = gen.choice(len(active), size=n, p=weight)
        # Up to four weeks ahead: drop-ins are planned in advance.
        day = start[idx] + np.floor(gen.random(n) * (today - start[idx] + 29)).astype(int)
        kind = gen.choice(3, size=n, p=[0.75, 0.15, 0.10])
        people = gen.integers(2, 10, n)
        reach = gen.integers(50, 800, n)
        ids = w.event_ids(n)
        rows, links = [], []
        for event_id, i, d, k, p, r in zip(
            ids, idx.tolist(), day.tolist(), kind.tolist(), people.tolist(), reach.tolist(), strict=True
        ):
            s = active[i]
            starts = datetime.combine(date.fromordinal(d), time(14 if k == 0 else 10))
            past = d <= today
            if k == 0:
                row = (
                    "dropin",
                    None,
                    f"Permanence – {s['name']}",
                    s["facility"],
                    b.org[s["facility"]],
                    p if past else None,
                    None,
                )
            elif k == 1:
                row = (
                    "information",
                    "newsletter",
                    f"Lettre d'information – {s['name']}",
                    None,
                    b.org["BMH"],
                    None,
                    r if past else None,
                )
            else:
                row = (
                    "meeting",
                    "partners",
                    f"Réunion partenaires – {s['name']}",
                    s["facility"],
                    None,
                    p + 6 if past else None,
                    None,
                )
            kind_, sub, title, place, org, attendance, reach_ = row
            rows.append(
                (
                    event_id,
                    kind_,
                    sub,
                    title,
                    starts,
                    starts + timedelta(hours=2),
                    place,
                    org,
                    attendance,
                    reach_,
                    SOURCE,
                    "synthétique",
                )
            )
            links.append((event_id, s["sector_id"]))
        w.insert(m.Event.__table__, columns, rows)
        w.insert(m.EventSector.__table__, ["event_id", "sector_id"], links)
        done += n
        progress(f"  événements : {have + done:,} / {target:,}".replace(",", " "))


def _densify_turnout(w: BulkWriter, target: int, progress: Progress) -> None:
    """More readings between each place's readings of a day (linear), as if read every half hour."""
    tr = m.TurnoutReport
    rows = w.conn.execute(
        select(tr.ballot_id, tr.place_id, tr.reported_at, tr.voters).order_by(tr.ballot_id, tr.place_id, tr.reported_at)
    ).all()
    # Within a day only: polling places are closed at night.
    pairs = [
        (a, c)
        for a, c in itertools.pairwise(rows)
        if a.place_id == c.place_id and a.reported_at.date() == c.reported_at.date()
    ]
    missing = target - len(rows)
    if missing <= 0 or not pairs:
        return
    per_pair = min(300, math.ceil(missing / len(pairs)))
    columns = ["ballot_id", "place_id", "reported_at", "voters", "is_correction", "created_by"]
    out: list[tuple] = []
    written = 0
    for a, c in pairs:
        gap = (c.reported_at - a.reported_at) / (per_pair + 1)
        for j in range(1, per_pair + 1):
            at = (a.reported_at + gap * j).replace(microsecond=0)
            out.append(
                (
                    a.ballot_id,
                    a.place_id,
                    at,
                    round(a.voters + (c.voters - a.voters) * j / (per_pair + 1)),
                    False,
                    "synthétique",
                )
            )
        if len(out) >= CHUNK:
            written += w.insert(tr.__table__, columns, out)
            out = []
            progress(f"  relevés de participation : {len(rows) + written:,}".replace(",", " "))
    written += w.insert(tr.__table__, columns, out)
    progress(f"  relevés de participation : {len(rows) + written:,}".replace(",", " "))


# ---- the whole build ------------------------------------------------------------------------------


def build_synthetic(
    engine: Engine,
    today: date,
    now: datetime,
    *,
    sectors: int = 1600,
    scale: float = 1.0,
    seed: int = 2026,
    progress: Progress = _stderr,
) -> dict[str, int]:
    """Fill an empty, migrated database with `sectors` synthetic sectors; returns row counts."""
    session = Session(engine)
    session.info["skip_audit"] = True  # a bulk load, not user actions
    try:
        b = Builder(session, today, now, seed=seed)
        w = BulkWriter(session.connection())
        rng = b.rng
        specs = [_spec(i + 1, rng) for i in range(sectors)]
        b.organisations(specs)
        offers = b.offers()
        plan = _plan(sectors, today, rng)
        infos = []
        progress(f"Génération de {sectors} secteurs synthétiques sur {YEARS} ans…")
        for k, (spec, (state, start)) in enumerate(zip(specs, plan, strict=True), 1):
            infos.append(_sector(b, spec, state, start, offers["Numérisun"], w))
            if len(b.events) >= BUILDER_FLUSH_EVENTS or k == sectors:
                _flush_builder(b, w)
            if k % 100 == 0 or k == sectors:
                session.commit()
                w = _rebind(w, session)
                progress(f"  secteurs : {k} / {sectors}")
        annual_gatherings(b)
        _flush_builder(b, w)
        b.accounts(password_rounds=4)
        session.commit()
        w = _rebind(w, session)
        _top_up_visits(w, b, infos, round(TARGETS["visits"] * scale), progress)
        session.commit()
        w = _rebind(w, session)
        _top_up_events(w, b, infos, round(TARGETS["events"] * scale), progress)
        session.commit()
        w = _rebind(w, session)
        _densify_turnout(w, round(TARGETS["turnout_reports"] * scale), progress)
        w.fix_sequences()
        session.commit()
        counts = {}
        for name, model in (
            ("sectors", m.Sector),
            ("visits", m.Visit),
            ("events", m.Event),
            ("subscriber_counts", m.SubscriberCount),
            ("turnout_reports", m.TurnoutReport),
        ):
            counts[name] = session.execute(select(func.count()).select_from(model)).scalar_one()
        return counts
    finally:
        session.close()


def _rebind(w: BulkWriter, session: Session) -> BulkWriter:
    """After a commit the session may hand out another connection: keep the id counter."""
    fresh = BulkWriter.__new__(BulkWriter)
    fresh.conn = session.connection()
    fresh.dialect = w.dialect
    fresh.counts = w.counts
    fresh._next_event_id = w._next_event_id
    fresh._big_cache()
    return fresh

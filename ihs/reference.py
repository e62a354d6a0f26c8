"""The programme's reference data, administered by the coordination: organisations, sectors (with
their outline, partners and dated dwellings), offers with their dated tariffs, and which offer
applies to which sector from which date.

Every write function takes the acting account and its session (`ihs.db.session_scope` audits
every row written), checks the role (`reference`: the coordination only), collects every French
message by field and raises `ValidationError` before anything is written.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.models import (
    Deployment,
    Event,
    Offer,
    Organisation,
    Sector,
    SectorDwellings,
    SectorOffer,
    SectorPartner,
    Tariff,
    User,
    Visit,
)
from ihs.users import Actor, require
from ihs.validation import (
    ValidationError,
    check_date,
    clean_text,
    parse_int,
    parse_money,
)
from ihs.vocab import ORGANISATION_KINDS, SECTOR_KINDS

PERMISSION = "reference"
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
MAX_DWELLINGS = 100_000  # the largest QPV has about 20,000 dwellings
MAX_PRICE = Decimal("1000")  # per dwelling per month: a collective offer costs a few euros


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# ---- organisations


def _organisation(session: Session, org_id) -> Organisation:
    org = session.get(Organisation, int(org_id)) if str(org_id or "").isdigit() else None
    if org is None:
        raise ValidationError({"organisation": "Organisation introuvable : rechargez la page."})
    return org


def _name_taken(session: Session, model: type[Organisation] | type[Offer], name: str, own_id: int | None) -> bool:
    """Whether another organisation or offer than `own_id` has `name` (case ignored)."""
    same = session.execute(select(model.id).where(func.lower(model.name) == name.lower())).scalar_one_or_none()
    return same is not None and same != own_id


def save_organisation(
    session: Session,
    actor: Actor,
    *,
    org_id: int | None = None,
    name=None,
    short_name=None,
    kind=None,
) -> Organisation:
    """Create an organisation (`org_id` None) or rename it / change its kind."""
    require(actor, PERMISSION, session)
    errors: dict[str, str] = {}
    clean_name = clean_text(errors, "name", name, required=True, max_len=200)
    clean_short = clean_text(errors, "short_name", short_name, max_len=60)
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = "Choisissez le type d'organisation dans la liste."
    if clean_name and _name_taken(session, Organisation, clean_name, org_id):
        errors["name"] = f"Une organisation s'appelle déjà « {clean_name} »."
    _raise(errors)
    org = Organisation() if org_id is None else _organisation(session, org_id)
    org.name, org.short_name, org.kind = clean_name, clean_short, kind
    if org_id is None:
        org.active = True
        session.add(org)
    session.flush()
    return org


def organisation_references(session: Session, org_id: int) -> dict[str, int]:
    """What refers to an organisation, by French label (only the non-zero counts)."""
    counts = {
        "comptes": select(func.count()).select_from(User).where(User.organisation_id == org_id),
        "secteurs (bailleur ou équipement)": select(func.count())
        .select_from(Sector)
        .where(or_(Sector.landlord_id == org_id, Sector.facility_id == org_id)),
        "partenariats de secteur": select(func.count())
        .select_from(SectorPartner)
        .where(SectorPartner.organisation_id == org_id),
        "offres": select(func.count()).select_from(Offer).where(Offer.operator_id == org_id),
        "événements": select(func.count()).select_from(Event).where(Event.organiser_id == org_id),
        "visites": select(func.count()).select_from(Visit).where(Visit.organisation_id == org_id),
    }
    found = {label: session.execute(stmt).scalar_one() for label, stmt in counts.items()}
    return {label: n for label, n in found.items() if n}


def set_organisation_active(session: Session, actor: Actor, org_id: int, active: bool) -> Organisation:
    """Deactivate (hidden from new choices, kept in history) or reactivate an organisation."""
    require(actor, PERMISSION, session)
    org = _organisation(session, org_id)
    org.active = bool(active)
    session.flush()
    return org


def delete_organisation(session: Session, actor: Actor, org_id: int) -> None:
    """Delete an organisation nothing refers to; otherwise say what refers to it."""
    require(actor, PERMISSION, session)
    org = _organisation(session, org_id)
    refs = organisation_references(session, org.id)
    if refs:
        listed = ", ".join(f"{n} {label}" for label, n in refs.items())
        raise ValidationError(
            {
                "organisation": f"« {org.name} » ne peut pas être supprimée : {listed} y font référence. "
                "Désactivez-la : elle restera dans l'historique sans être proposée dans les listes."
            }
        )
    session.delete(org)
    session.flush()


def list_organisations(db: Engine) -> pd.DataFrame:
    """Columns id, name, short_name, kind, kind_label, active."""
    stmt = select(Organisation.id, Organisation.name, Organisation.short_name, Organisation.kind, Organisation.active)
    with db.connect() as conn:
        df = pd.read_sql(stmt.order_by(Organisation.name), conn)
    df["kind_label"] = df["kind"].map(lambda k: ORGANISATION_KINDS.get(k, k))
    df["active"] = df["active"].fillna(True).astype(bool)
    return df


# ---- sectors


def clean_code(errors: dict[str, str], field: str, value) -> str | None:
    """A sector code as stored: lower case, letters, digits, « - » and « _ » (it appears in URLs)."""
    text = clean_text(errors, field, value, required=True, max_len=60)
    if text is None:
        return None
    code = re.sub(r"\s+", "-", text.lower())
    if not CODE_RE.match(code):
        errors[field] = (
            f"Code « {text[:40]} » refusé : lettres sans accent, chiffres, « - » ou « _ » "
            "(par exemple « bellevue » ou « qp029003 »)."
        )
        return None
    return code


def _coordinate(errors: dict[str, str], field: str, value, low: float, high: float, label: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        errors[field] = f"« {str(value).strip()[:30]} » n'est pas une {label} : par exemple 48,39."
        return None
    if not math.isfinite(number) or not low <= number <= high:
        errors[field] = f"{label.capitalize()} hors limites : entre {low:g} et {high:g} degrés (WGS 84)."
        return None
    return number


OUTLINE_KINDS = ("Polygon", "MultiPolygon")
MAX_OUTLINE_BYTES = 5_000_000  # one sector's outline: a QPV outline is a few tens of kB


def _ring_problem(ring) -> str | None:
    """What is wrong with one ring of an outline (French), or None: at least 4 points, each a pair
    of finite numbers in WGS 84 degrees, the last one the first."""
    if not isinstance(ring, list) or len(ring) < 4:
        return "Contour cassé : un anneau a moins de 4 points."
    for point in ring:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point[:2])
            or not all(math.isfinite(c) for c in point[:2])
        ):
            return "Contour cassé : une coordonnée n'est pas un nombre."
        lon, lat = point[0], point[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return (
                f"Coordonnées ({lon:g}, {lat:g}) hors de WGS 84 : le fichier semble être dans une autre "
                "projection (Lambert 93 ?). Exportez-le en WGS 84 (EPSG:4326, longitude et latitude)."
            )
    if ring[0][:2] != ring[-1][:2]:
        return "Contour cassé : un anneau n'est pas fermé (le dernier point doit être le premier)."
    return None


def check_outline(geometry) -> tuple[dict | None, str | None]:
    """(the geometry, None) when `geometry` is a Polygon or MultiPolygon in WGS 84 degrees, else
    (None, a French message). Accepts a dict, a Feature or its JSON text (or an uploaded file's bytes)."""
    if isinstance(geometry, bytes | str) and len(geometry) > MAX_OUTLINE_BYTES:
        return None, f"Contour trop gros (plus de {MAX_OUTLINE_BYTES // 1_000_000} Mo) : simplifiez-le."
    if isinstance(geometry, bytes):
        geometry = geometry.decode("utf-8", errors="replace")
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError:
            return None, "Contour illisible : ce n'est pas du GeoJSON."
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or "type" not in geometry:
        return None, "Contour absent : la géométrie est vide."
    kind = geometry.get("type")
    if kind not in OUTLINE_KINDS:
        what = {"Point": "un point", "MultiPoint": "des points", "LineString": "une ligne"}.get(kind, f"« {kind} »")
        return None, f"Contour attendu (Polygon ou MultiPolygon), reçu {what}."
    coords = geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return None, "Contour vide : aucune coordonnée."
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None, "Contour cassé : un polygone n'a aucun anneau."
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return None, problem
    return {"type": kind, "coordinates": coords}, None


def outline_centre(geometry: dict) -> tuple[float, float]:
    """(lat, lon): the mean of the outer rings' vertices, enough to place a marker."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    points = [p for polygon in polygons for p in polygon[0][:-1]]
    return (
        round(sum(p[1] for p in points) / len(points), 6),
        round(sum(p[0] for p in points) / len(points), 6),
    )


def _org_id(session: Session, errors: dict[str, str], field: str, value) -> int | None:
    if value in (None, ""):
        return None
    found = session.get(Organisation, int(value)) if str(value).isdigit() else None
    if found is None:
        found = session.execute(
            select(Organisation).where(or_(Organisation.name == str(value), Organisation.short_name == str(value)))
        ).scalar_one_or_none()
    if found is None:
        errors[field] = f"Organisation inconnue : « {value} ». Créez-la d'abord (Administration › Organisations)."
        return None
    return found.id


@dataclass
class SectorInput:
    """What the sector form (or an import row) gives; text as typed."""

    code: str | None = None
    name: str | None = None
    kind: str | None = "qpv"
    qpv_code: str | None = None
    landlord: int | str | None = None
    facility: int | str | None = None
    lat: str | float | None = None
    lon: str | float | None = None
    outline: bytes | str | dict | None = None  # GeoJSON geometry (or Feature); None keeps the current one
    geo_source: str | None = None
    notes: str | None = None


def check_sector(session: Session, data: SectorInput, sector_id: int | None = None) -> tuple[dict, dict[str, str]]:
    """(clean values, French messages by field) for a sector, new (`sector_id` None) or existing."""
    errors: dict[str, str] = {}
    clean: dict = {}
    current = session.get(Sector, sector_id) if sector_id is not None else None
    if sector_id is not None and current is None:
        errors["code"] = "Secteur introuvable : rechargez la page."
        return clean, errors
    code = clean_code(errors, "code", data.code)
    if code and current is not None and code != current.code:
        errors["code"] = f"Le code d'un secteur ne change pas (il sert dans les liens) : gardez « {current.code} »."
    elif code and current is None and session.execute(select(Sector.id).where(Sector.code == code)).first():
        errors["code"] = f"Le code « {code} » est déjà pris par un autre secteur."
    clean["code"] = code
    clean["name"] = clean_text(errors, "name", data.name, required=True, max_len=200)
    if data.kind not in SECTOR_KINDS:
        errors["kind"] = "Choisissez le type : " + ", ".join(SECTOR_KINDS.values()) + "."
    clean["kind"] = data.kind
    qpv = clean_text(errors, "qpv_code", data.qpv_code, max_len=20)
    if qpv and not re.fullmatch(r"Q[A-Z]\d{3}[0-9A-Z]{3,4}", qpv.upper()):
        errors["qpv_code"] = f"Code QPV « {qpv} » inattendu : il s'écrit comme QN02901M ou QP029003."
    clean["qpv_code"] = qpv.upper() if qpv else None
    clean["landlord_id"] = _org_id(session, errors, "landlord", data.landlord)
    clean["facility_id"] = _org_id(session, errors, "facility", data.facility)
    lat = _coordinate(errors, "lat", data.lat, -90, 90, "latitude")
    lon = _coordinate(errors, "lon", data.lon, -180, 180, "longitude")
    if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
        errors["lat" if lat is None else "lon"] = "Indiquez la latitude et la longitude ensemble, ou aucune."
    if data.outline not in (None, ""):
        geometry, problem = check_outline(data.outline)
        if problem:
            errors["outline"] = problem
        else:
            clean["geojson"] = json.dumps(geometry, separators=(",", ":"))
            if lat is None and lon is None:
                lat, lon = outline_centre(geometry)
    clean["lat"], clean["lon"] = lat, lon
    clean["geo_source"] = clean_text(errors, "geo_source", data.geo_source, max_len=300)
    clean["notes"] = clean_text(errors, "notes", data.notes)
    return clean, errors


def save_sector(session: Session, actor: Actor, data: SectorInput, sector_id: int | None = None) -> Sector:
    """Create a sector (`sector_id` None) or edit one; its code never changes once created."""
    require(actor, PERMISSION, session)
    clean, errors = check_sector(session, data, sector_id)
    _raise(errors)
    sector = Sector() if sector_id is None else session.get(Sector, sector_id)
    for field, value in clean.items():
        if field in ("lat", "lon") and value is None and sector_id is not None and "geojson" not in clean:
            continue  # a blank centre keeps the current one
        setattr(sector, field, value)
    if sector_id is None:
        session.add(sector)
    session.flush()
    return sector


def _sector(session: Session, sector_id) -> Sector:
    sector = session.get(Sector, int(sector_id)) if str(sector_id or "").isdigit() else None
    if sector is None:
        raise ValidationError({"sector": "Choisissez un secteur existant."})
    return sector


def set_sector_partners(session: Session, actor: Actor, sector_id: int, partners: list[tuple[int, str | None]]) -> None:
    """The organisations acting in a sector and their role (a partner's entries are scoped by them)."""
    require(actor, PERMISSION, session)
    sector = _sector(session, sector_id)
    errors: dict[str, str] = {}
    wanted: dict[int, str | None] = {}
    for org, role in partners:
        org_id = _org_id(session, errors, "partners", org)
        if org_id is not None:
            wanted[org_id] = clean_text(errors, "partners", role, max_len=120)
    _raise(errors)
    current = {
        p.organisation_id: p for p in session.scalars(select(SectorPartner).where(SectorPartner.sector_id == sector.id))
    }
    for org_id, row in current.items():
        if org_id not in wanted:
            session.delete(row)
        elif row.role != wanted[org_id]:
            row.role = wanted[org_id]
    for org_id, role in wanted.items():
        if org_id not in current:
            session.add(SectorPartner(sector_id=sector.id, organisation_id=org_id, role=role))
    session.flush()


def parse_dwellings(errors: dict[str, str], field: str, value, *, from_file: bool = False) -> int | None:
    """A sector's number of dwellings, typed or read from a file: a whole number, at least one."""
    count = parse_int(
        errors, field, value, required=True, minimum=-MAX_DWELLINGS, maximum=MAX_DWELLINGS, from_file=from_file
    )
    if count is not None and count < 1:
        errors[field] = "Un secteur compte au moins un logement : indiquez un nombre positif."
        return None
    return count


def add_dwellings(
    session: Session, actor: Actor, sector_id: int, *, valid_from, dwellings, source=None
) -> SectorDwellings:
    """A sector's number of dwellings from a date (a new row of its history, with its source)."""
    require(actor, PERMISSION, session)
    sector = _sector(session, sector_id)
    errors: dict[str, str] = {}
    day = check_date(errors, "valid_from", valid_from, today=clock.today())
    count = parse_dwellings(errors, "dwellings", dwellings)
    text = clean_text(errors, "source", source, required=True, max_len=120)
    already = "un nombre de logements", "chiffre"
    return _add_dated_entry(
        session, errors, SectorDwellings.sector_id, sector, day, already, dwellings=count, source=text
    )


def archive_sector(session: Session, actor: Actor, sector_id: int, *, archived_on, reason) -> Sector:
    """A sector leaves the programme on a date: kept in history, out of the figures from then on."""
    require(actor, PERMISSION, session)
    sector = _sector(session, sector_id)
    errors: dict[str, str] = {}
    day = check_date(errors, "archived_on", archived_on, today=clock.today())
    why = clean_text(errors, "reason", reason, required=True, max_len=300)
    _raise(errors)
    sector.archived_on = day
    sector.notes = "\n".join(filter(None, [sector.notes, f"Sorti du programme le {day:%d/%m/%Y} : {why}"]))
    session.flush()
    return sector


def restore_sector(session: Session, actor: Actor, sector_id: int) -> Sector:
    """An archived sector comes back into the programme (its figures count again)."""
    require(actor, PERMISSION, session)
    sector = _sector(session, sector_id)
    sector.archived_on = None
    session.flush()
    return sector


def _add_dated_entry(
    session: Session, errors: dict[str, str], key: Any, owner: Any, day: date | None, already: tuple[str, str], **values
) -> Any:
    """Add an entry from `day` to `owner`'s dated history (dwellings, tariffs, offers: the model of
    the `key` column), once every message is collected. One entry a day, so that the one in force
    on a day is never ambiguous: `already` (what, "une date par" what) says so in French."""
    model = key.class_
    if owner is not None and day:
        taken = session.execute(select(model.id).where(key == owner.id, model.valid_from == day)).first()
        if taken:
            what, per = already
            errors["valid_from"] = f"« {owner.name} » a déjà {what} au {day:%d/%m/%Y} : une date par {per}."
    _raise(errors)
    row = model(**{key.key: owner.id}, valid_from=day, **values)
    session.add(row)
    session.flush()
    return row


def in_force_since(day: Any, key: Any, owner: Any, as_of: date):
    """Scalar subquery: the day the entry of a dated history (dwellings, subscribers, offer, tariff)
    in force on `as_of` took effect: the latest `day` on or before `as_of` of the rows whose `key` is
    the enclosing row's `owner` (correlated to the owner's table; None before the first entry)."""
    return select(func.max(day)).where(key == owner, day <= as_of).correlate(owner.class_).scalar_subquery()


def _value_since(value: Any, day: Any, key: Any, owner: Any, since: Any):
    """Scalar subquery: `value` of the history entry of the enclosing row's `owner` that took effect
    on `since` (from `in_force_since`), correlated like it."""
    return select(value).where(key == owner, day == since).correlate(owner.class_).scalar_subquery()


def list_sectors(db: Engine) -> pd.DataFrame:
    """Every sector with its current dwellings and offer: columns id, code, name, kind, kind_label,
    qpv_code, landlord, facility, lat, lon, has_outline, dwellings, dwellings_from, offer, archived_on."""
    today = clock.today()
    dw_day = in_force_since(SectorDwellings.valid_from, SectorDwellings.sector_id, Sector.id, today)
    dwellings = _value_since(
        SectorDwellings.dwellings, SectorDwellings.valid_from, SectorDwellings.sector_id, Sector.id, dw_day
    )
    offer_day = in_force_since(SectorOffer.valid_from, SectorOffer.sector_id, Sector.id, today)
    offer = (
        select(Offer.name)
        .join(SectorOffer, SectorOffer.offer_id == Offer.id)
        .where(SectorOffer.sector_id == Sector.id, SectorOffer.valid_from == offer_day)
        .correlate(Sector)
        .scalar_subquery()
    )
    landlord = (
        select(Organisation.name).where(Organisation.id == Sector.landlord_id).correlate(Sector).scalar_subquery()
    )
    facility = (
        select(Organisation.name).where(Organisation.id == Sector.facility_id).correlate(Sector).scalar_subquery()
    )
    stmt = select(
        Sector.id,
        Sector.code,
        Sector.name,
        Sector.kind,
        Sector.qpv_code,
        landlord.label("landlord"),
        facility.label("facility"),
        Sector.lat,
        Sector.lon,
        (Sector.geojson.is_not(None)).label("has_outline"),
        dwellings.label("dwellings"),
        dw_day.label("dwellings_from"),
        offer.label("offer"),
        Sector.archived_on,
    ).order_by(Sector.name)
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["kind_label"] = df["kind"].map(lambda k: SECTOR_KINDS.get(k, k))
    df["dwellings"] = df["dwellings"].astype("Int64")
    df["has_outline"] = df["has_outline"].astype(bool)
    return df


def sector_detail(db: Engine, sector_id: int) -> dict:
    """One sector's fields, partners, dwellings history and offer history, for the edit form."""
    with db.connect() as conn:
        sector = conn.execute(select(Sector.__table__).where(Sector.id == sector_id)).mappings().first()
        if sector is None:
            return {}
        partners = pd.read_sql(
            select(SectorPartner.organisation_id, Organisation.name, SectorPartner.role)
            .join(Organisation, Organisation.id == SectorPartner.organisation_id)
            .where(SectorPartner.sector_id == sector_id)
            .order_by(Organisation.name),
            conn,
        )
        dwellings = pd.read_sql(
            select(SectorDwellings.valid_from, SectorDwellings.dwellings, SectorDwellings.source)
            .where(SectorDwellings.sector_id == sector_id)
            .order_by(SectorDwellings.valid_from),
            conn,
        )
        offers = pd.read_sql(
            select(SectorOffer.valid_from, Offer.name.label("offer"), SectorOffer.source)
            .outerjoin(Offer, Offer.id == SectorOffer.offer_id)
            .where(SectorOffer.sector_id == sector_id)
            .order_by(SectorOffer.valid_from),
            conn,
        )
    offers["offer"] = offers["offer"].fillna("Aucune offre")
    return {"sector": dict(sector), "partners": partners, "dwellings": dwellings, "offers": offers}


# ---- offers and tariffs


def save_offer(
    session: Session, actor: Actor, *, offer_id: int | None = None, name=None, operator=None, description=None
) -> Offer:
    """Create or edit an offer; `operator` None means an offer without operator (none charged by one)."""
    require(actor, PERMISSION, session)
    errors: dict[str, str] = {}
    clean_name = clean_text(errors, "name", name, required=True, max_len=120)
    operator_id = _org_id(session, errors, "operator", operator)
    text = clean_text(errors, "description", description)
    if clean_name and _name_taken(session, Offer, clean_name, offer_id):
        errors["name"] = f"Une offre s'appelle déjà « {clean_name} »."
    offer = None
    if offer_id is not None:
        offer = session.get(Offer, offer_id)
        if offer is None:
            errors["name"] = "Offre introuvable : rechargez la page."
    _raise(errors)
    if offer is None:
        offer = Offer()
        session.add(offer)
    offer.name, offer.operator_id, offer.description = clean_name, operator_id, text
    session.flush()
    return offer


def add_tariff(session: Session, actor: Actor, offer_id: int, *, valid_from, price, source=None) -> Tariff:
    """An offer's price per dwelling per month from a date (≥ 0, two decimals at most)."""
    require(actor, PERMISSION, session)
    errors: dict[str, str] = {}
    offer = session.get(Offer, int(offer_id)) if str(offer_id or "").isdigit() else None
    if offer is None:
        errors["offer"] = "Choisissez une offre existante."
    day = check_date(errors, "valid_from", valid_from, today=clock.today())
    amount = None
    text_price = str(price if price is not None else "").strip()
    if re.search(r"[.,]\d{3,}\s*€?$", text_price):
        errors["price"] = f"« {text_price[:20]} » : deux décimales au plus (par exemple 2,16)."
    else:
        amount = parse_money(errors, "price", price, required=True)
        if amount is not None and amount > MAX_PRICE:
            errors["price"] = f"Prix improbable : {amount} € par logement et par mois (au plus {MAX_PRICE} €)."
    text = clean_text(errors, "source", source, required=True, max_len=200)
    already = "un tarif", "tarif"
    return _add_dated_entry(
        session, errors, Tariff.offer_id, offer, day, already, monthly_price_eur=amount, source=text
    )


NO_OFFER = "none"


def set_sector_offer(session: Session, actor: Actor, sector_id, *, offer, valid_from, source=None) -> SectorOffer:
    """Which offer a sector is on from a date; `offer` NO_OFFER (or None) means none: its dwellings
    are then left out of cost figures."""
    require(actor, PERMISSION, session)
    errors: dict[str, str] = {}
    sector = session.get(Sector, int(sector_id)) if str(sector_id or "").isdigit() else None
    if sector is None:
        errors["sector"] = "Choisissez un secteur existant."
    offer_id = None
    if offer not in (None, "", NO_OFFER):
        found = session.get(Offer, int(offer)) if str(offer).isdigit() else None
        if found is None:
            errors["offer"] = "Choisissez une offre de la liste (ou « Aucune offre »)."
        else:
            offer_id = found.id
    elif offer in (None, ""):
        errors["offer"] = "Choisissez une offre, ou « Aucune offre »."
    day = check_date(errors, "valid_from", valid_from, today=clock.today())
    text = clean_text(errors, "source", source, max_len=200) or ""
    already = "une offre", "changement"
    return _add_dated_entry(
        session, errors, SectorOffer.sector_id, sector, day, already, offer_id=offer_id, source=text
    )


def list_offers(db: Engine) -> pd.DataFrame:
    """Columns id, name, operator, description, price (current), price_from, sectors (on it today)."""
    today = clock.today()
    price_day = in_force_since(Tariff.valid_from, Tariff.offer_id, Offer.id, today)
    price = _value_since(Tariff.monthly_price_eur, Tariff.valid_from, Tariff.offer_id, Offer.id, price_day)
    operator = select(Organisation.name).where(Organisation.id == Offer.operator_id).correlate(Offer).scalar_subquery()
    stmt = select(
        Offer.id,
        Offer.name,
        operator.label("operator"),
        Offer.description,
        price.label("price"),
        price_day.label("price_from"),
    ).order_by(Offer.name)
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    sectors = list_sectors(db)
    on = sectors[sectors["archived_on"].isna()].groupby("offer").size()
    df["sectors"] = df["name"].map(on).fillna(0).astype(int)
    return df


def offer_tariff_history(db: Engine, offer_id: int) -> pd.DataFrame:
    """An offer's tariffs by date (valid_from, price, source), for its administration page."""
    with db.connect() as conn:
        return pd.read_sql(
            select(Tariff.valid_from, Tariff.monthly_price_eur.label("price"), Tariff.source)
            .where(Tariff.offer_id == offer_id)
            .order_by(Tariff.valid_from),
            conn,
        )


def reference_counts(db: Engine) -> dict[str, int]:
    """How much reference data the programme has (the set-up checklist)."""
    tables = {
        "organisations": Organisation,
        "sectors": Sector,
        "dwellings": SectorDwellings,
        "offers": Offer,
        "tariffs": Tariff,
        "sector_offers": SectorOffer,
        "users": User,
        "deployments": Deployment,
    }
    with db.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(m)).scalar_one() for name, m in tables.items()}

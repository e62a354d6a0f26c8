"""Programme settings stored in the database, with generic defaults.

Nothing here is specific to Brest: the durations of the pipeline and the turnover rate are
settings a coordinator can change, so the same app serves the next scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from ihs.models import Setting
from ihs.users import Actor, require
from ihs.validation import MAX_COUNT, ValidationError, clean_text, parse_int, parse_percent
from ihs.vocab import STAGES

DEFAULTS: dict[str, Any] = {
    # Pipeline durations, in days, from the landlord and city's validation (domain.md).
    "pipeline.kickoff_after_days": 21,
    "pipeline.information_days": 60,
    "pipeline.ballot_days": 7,
    "pipeline.implementation_after_ballot_days": 21,
    "pipeline.implementation_days": 7,
    "pipeline.workshops_after_implementation_days": 14,
    "pipeline.workshop_sessions": 10,
    # National figure for social housing: used where the landlord gave no move-ins.
    "awareness.default_turnover_rate": 0.10,
    # A sector whose last information action is older than this needs a new round.
    "awareness.max_days_since_information": 365,
    # A sector where at least this share of households arrived after its ballot needs a new round.
    "awareness.newcomer_share_alert": 0.5,
    # The awareness chart and list show at most this many sectors (the highest shares, the most
    # urgent); nationally ~1,400 sectors are deployed, and every one stays in the detailed table.
    "awareness.chart_max_sectors": 20,
    # The workshops chart draws at most this many cycles by default (the latest started; others on
    # request): nationally ~180 cycles a year share one chart.
    "support.chart_max_cycles": 8,
    # Ballots: blank + void above this share need an acknowledged warning.
    "ballot.blank_void_warning_share": 0.05,
    # Turnout: a rise since a polling place's previous reading larger than this share of the
    # registered dwellings asks for a confirmation (a mistyped comma makes 19,5 voters 195).
    "ballot.turnout_jump_warning_share": 0.25,
    # Imports: a subscriber count that moved by more than this share of the sector's dwellings
    # since its previous count, or move-ins in a month above this share of the dwellings (the
    # national turnover is about 10 % a year, under 1 % a month), ask for a confirmation.
    "imports.subscriber_jump_warning_share": 0.10,
    "imports.move_ins_warning_share": 0.05,
    # Live ballot screen: a report older than this many minutes is stale.
    "ballot.stale_after_minutes": 90,
    "programme.name": "Internet en habitat social",
    "presentation.slides": ["figures", "map", "calendar", "uptake", "support", "awareness", "ballot"],
    # The scheme's pipeline: a scheme may decide by the partners' validation without a tenants'
    # ballot, and may have no operator offer (no collective internet to set up, support only).
    "pipeline.has_ballot": True,
    "pipeline.has_operator_offer": True,
    # Dashboards refresh their figures on their own every this many seconds.
    "display.refresh_seconds": 60,
}


@dataclass(frozen=True)
class SettingSpec:
    """How the Paramètres page shows and checks a setting: French label, unit, kind and range."""

    label: str
    kind: str  # "int", "share" (typed in %), "bool", "text", "slides"
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    group: str = "Programme"


SPECS: dict[str, SettingSpec] = {
    "programme.name": SettingSpec("Nom du programme", "text", group="Programme"),
    "pipeline.has_ballot": SettingSpec(
        "Un scrutin des locataires décide de chaque secteur", "bool", group="Étapes d'un déploiement"
    ),
    "pipeline.has_operator_offer": SettingSpec(
        "Une offre d'opérateur est mise en œuvre (accès à internet collectif)", "bool", group="Étapes d'un déploiement"
    ),
    "pipeline.kickoff_after_days": SettingSpec(
        "Réunion de lancement après la validation", "int", "jours", 0, 365, "Étapes d'un déploiement"
    ),
    "pipeline.information_days": SettingSpec(
        "Durée de la période d'information", "int", "jours", 1, 365, "Étapes d'un déploiement"
    ),
    "pipeline.ballot_days": SettingSpec("Durée du scrutin", "int", "jours", 1, 60, "Étapes d'un déploiement"),
    "pipeline.implementation_after_ballot_days": SettingSpec(
        "Mise en œuvre après le scrutin", "int", "jours", 0, 365, "Étapes d'un déploiement"
    ),
    "pipeline.implementation_days": SettingSpec(
        "Durée de la mise en œuvre", "int", "jours", 1, 365, "Étapes d'un déploiement"
    ),
    "pipeline.workshops_after_implementation_days": SettingSpec(
        "Ateliers après la mise en œuvre", "int", "jours", 0, 365, "Étapes d'un déploiement"
    ),
    "pipeline.workshop_sessions": SettingSpec(
        "Séances d'un cycle d'ateliers (une par semaine)", "int", "séances", 1, 52, "Étapes d'un déploiement"
    ),
    "awareness.default_turnover_rate": SettingSpec(
        "Taux de rotation annuel par défaut (sans chiffre du bailleur)", "share", "% par an", 0, 100, "Sensibilisation"
    ),
    "awareness.max_days_since_information": SettingSpec(
        "Nouvelle information nécessaire après", "int", "jours", 30, 3650, "Sensibilisation"
    ),
    "awareness.newcomer_share_alert": SettingSpec(
        "Alerte quand la part de nouveaux ménages atteint", "share", "%", 1, 100, "Sensibilisation"
    ),
    "awareness.chart_max_sectors": SettingSpec(
        "Secteurs montrés au plus sur le graphique", "int", "secteurs", 1, 200, "Sensibilisation"
    ),
    "support.chart_max_cycles": SettingSpec(
        "Cycles d'ateliers montrés au plus", "int", "cycles", 1, 100, "Accompagnement"
    ),
    "ballot.blank_void_warning_share": SettingSpec(
        "Avertir quand blancs et nuls dépassent", "share", "% des bulletins", 0, 100, "Scrutin"
    ),
    "ballot.turnout_jump_warning_share": SettingSpec(
        "Demander confirmation quand la participation bondit de plus de", "share", "% des inscrits", 1, 100, "Scrutin"
    ),
    "ballot.stale_after_minutes": SettingSpec(
        "Relevé de participation ancien après", "int", "minutes", 10, 1440, "Scrutin"
    ),
    "imports.subscriber_jump_warning_share": SettingSpec(
        "Avertir quand les abonnés varient de plus de", "share", "% des logements", 1, 100, "Imports"
    ),
    "imports.move_ins_warning_share": SettingSpec(
        "Avertir quand les emménagements d'un mois dépassent", "share", "% des logements", 1, 100, "Imports"
    ),
    "display.refresh_seconds": SettingSpec(
        "Les tableaux de bord se mettent à jour toutes les", "int", "secondes", 10, 3600, "Affichage"
    ),
    "presentation.slides": SettingSpec("Diapositives du mode présentation", "slides", group="Affichage"),
}


_SETTING = select(Setting.value).where(Setting.key == bindparam("key"))  # built once: writes read settings


def get_setting(db: Session | Engine, key: str) -> Any:
    """A setting's stored value, or its default (`DEFAULTS`; None for an unknown key); read in the
    session's transaction when `db` is a Session."""
    if isinstance(db, Session):
        value = db.connection().execute(_SETTING, {"key": key}).scalar_one_or_none()
    else:
        with db.connect() as conn:
            value = conn.execute(_SETTING, {"key": key}).scalar_one_or_none()
    return DEFAULTS.get(key) if value is None else value


DEMO_LOADED = "demo.loaded_on"  # the day the demo data was loaded (ihs.demo), absent otherwise


def demo_loaded(db: Engine) -> bool:
    """Whether the database holds the demo data (the banner and the report's cover say so)."""
    return get_setting(db, DEMO_LOADED) is not None


def all_settings(db: Engine) -> dict[str, Any]:
    """Every setting by key: the defaults, replaced by the values stored."""
    with db.connect() as conn:
        stored = dict(conn.execute(select(Setting.key, Setting.value)).all())
    return {**DEFAULTS, **stored}


def check_setting(key: str, value: Any) -> tuple[Any, str | None]:
    """(the value as stored, None) or (None, a French message): `value` as typed on the page
    (text, a checkbox's bool) or as a program passes it (a number)."""
    spec = SPECS.get(key)
    if spec is None:
        return None, f"Paramètre inconnu : {key}"
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value, None
        return None, "Cochez ou décochez la case."
    if spec.kind == "slides":
        if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
            return list(value), None
        return None, "Choisissez au moins une diapositive."
    if spec.kind == "text":
        errors: dict[str, str] = {}
        text = clean_text(errors, "v", value, required=True, max_len=120)
        return (None, errors["v"]) if errors else (text, None)
    errors = {}
    if spec.kind == "int":
        number = parse_int(errors, "v", value, required=True, minimum=-MAX_COUNT)
    else:  # a share, typed in percent (« 10 », « 12,5 »); a program may pass the fraction as a float
        if isinstance(value, float) and not isinstance(value, bool) and 0 <= value <= 1:
            value = value * 100
        number = parse_percent(errors, "v", value)
    if errors:
        return None, errors["v"]
    if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
        return None, f"Valeur hors limites : entre {spec.minimum:g} et {spec.maximum:g} {spec.unit}.".rstrip()
    return (int(number), None) if spec.kind == "int" else (round(number / 100, 6), None)


def set_setting(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Store a programme setting (coordinator only), checked by `check_setting`; unknown keys are refused."""
    require(actor, "settings", session)
    if key not in DEFAULTS:
        raise KeyError(f"Paramètre inconnu : {key}")
    value, problem = check_setting(key, value)
    if problem:
        raise ValidationError({key: problem})
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def reset_setting(session: Session, actor: Actor, key: str) -> None:
    """Back to the default value (the stored row is removed, so later defaults apply)."""
    require(actor, "settings", session)
    if key not in DEFAULTS:
        raise KeyError(f"Paramètre inconnu : {key}")
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)
        session.flush()


def settings_table(db: Engine) -> pd.DataFrame:
    """Every setting with its French label, group, unit, range, default and current value."""
    current = all_settings(db)
    rows = [
        {
            "key": key,
            "group": spec.group,
            "label": spec.label,
            "kind": spec.kind,
            "unit": spec.unit,
            "minimum": spec.minimum,
            "maximum": spec.maximum,
            "default": DEFAULTS[key],
            "value": current[key],
            "changed": current[key] != DEFAULTS[key],
        }
        for key, spec in SPECS.items()
    ]
    return pd.DataFrame(rows)


def pipeline_stages(db: Session | Engine) -> list[str]:
    """The stage codes of this scheme's pipeline, in order (`vocab.STAGES`, without the ballot or
    the implementation when the scheme has none)."""
    skip = set()
    if not get_setting(db, "pipeline.has_ballot"):
        skip.add("ballot")
    if not get_setting(db, "pipeline.has_operator_offer"):
        skip.add("implementation")
    return [code for code in STAGES if code not in skip]


def stage_numbers(db: Session | Engine, present=()) -> dict[str, int]:
    """Each stage's number as the calendar and its legend show it: its place in this scheme's
    pipeline (`pipeline_stages`). A stage of the record the scheme no longer has (a ballot held
    before the setting dropped it), passed in `present`, keeps its place among them."""
    shown = set(pipeline_stages(db)) | set(present)
    return {code: number for number, code in enumerate((c for c in STAGES if c in shown), start=1)}

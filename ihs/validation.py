"""Input checks shared by every form and import: French messages keyed by field.

Each helper takes the raw value (what the user typed, a number, a date or a string from a
file), adds a message to `errors[field]` when it is unacceptable and returns the clean value
(or None). A write function collects every message first, then raises `ValidationError`, so a
partner sees all problems at once and nothing is written.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from ihs.formats import fr_date

# The programme started in 2009: an earlier date is a typing mistake.
MIN_DATE = date(2009, 1, 1)
# Events may be planned ahead, but not further than two years.
MAX_DAYS_AHEAD = 730
MAX_TEXT = 2000
MAX_REASON = 500
MAX_COUNT = 1_000_000

REQUIRED = "Ce champ est obligatoire."


class ValidationError(ValueError):
    """Raised by write functions; `errors` maps a field name to a French message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__(" ; ".join(self.errors.values()))


class WarningsNotAcknowledged(ValueError):
    """The entry is possible but unlikely: nothing is written until the user confirms it
    (`warnings` maps a field name to a French message; the page asks for the confirmation)."""

    def __init__(self, warnings: dict[str, str]):
        super().__init__("; ".join(warnings.values()))
        self.warnings = warnings


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _nothing_typed(errors: dict[str, str], field: str, value, required: bool, missing: str = REQUIRED) -> bool:
    """Whether the field was left blank; if it is `required`, its message (`missing`) goes in `errors`."""
    if not _blank(value):
        return False
    if required:
        errors[field] = missing
    return True


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(
    errors: dict[str, str], field: str, value, *, required: bool = False, max_len: int = MAX_TEXT
) -> str | None:
    """Stripped text, None when empty; too long or missing when required is an error."""
    if _nothing_typed(errors, field, value, required):
        return None
    # Control characters (NUL is refused by PostgreSQL) come from copy-paste, never from intent.
    text = _CONTROL.sub("", str(value)).strip()
    if not text:
        if required:
            errors[field] = REQUIRED
        return None
    if len(text) > max_len:
        errors[field] = f"Texte trop long : {max_len:,} caractères au plus (vous en avez saisi {len(text):,}).".replace(
            ",", "\u202f"
        )
        return None
    return text


_SPACES = re.compile(r"[\s\u00a0\u202f]")
# A whole number as a person types it: digits, optionally grouped by thousands (« 1 789 »).
_WHOLE = re.compile(r"\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
# What a spreadsheet's cell may hold for a whole number (« 1789,0 »): accepted from files only.
_FILE_WHOLE = re.compile(r"(\d+)[.,]0+")
NOT_WHOLE = "Indiquez un nombre entier, sans virgule ni point, par exemple 12."


def whole_number(value, *, from_file: bool = False) -> int | None:
    """The whole number in `value`, or None when it is not exactly one.

    A number widget's int, or an integral float (a spreadsheet cell), is taken as is. Text must be
    digits, grouped by thousands at most (« 1 789 »): « 19,5 », « 13.5 », « 1 9 », « 19a », « 12,0 »
    are refused — a mistyped comma must never turn 19,5 voters into 195 or 19. From a file,
    « 1789,0 » (a spreadsheet's number format) is 1789.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    negative = text.startswith("-")
    digits = text[1:].strip() if negative else text
    if _WHOLE.fullmatch(digits):
        number = int(_SPACES.sub("", digits))
    elif from_file and (found := _FILE_WHOLE.fullmatch(digits)):
        number = int(found.group(1))
    else:
        return None
    return -number if negative else number


def parse_int(
    errors: dict[str, str],
    field: str,
    value,
    *,
    required: bool = False,
    minimum: int = 0,
    maximum: int = MAX_COUNT,
    from_file: bool = False,
) -> int | None:
    """A whole number typed by a person (or read from a file: `from_file`), within [minimum, maximum]."""
    if _nothing_typed(errors, field, value, required):
        return None
    number = whole_number(value, from_file=from_file)
    if number is None:
        shown = str(value).strip()[:40]
        if isinstance(value, bool) or not re.search(r"\d", shown):
            errors[field] = f"« {shown} » n'est pas un nombre. {NOT_WHOLE}"
        else:
            errors[field] = f"« {shown} » n'est pas un nombre entier. {NOT_WHOLE}"
        return None
    if number < minimum:
        errors[field] = "Le nombre ne peut pas être négatif." if minimum == 0 else f"Indiquez au moins {minimum}."
        return None
    if number > maximum:
        errors[field] = f"Nombre trop grand : {maximum:,} au plus.".replace(",", "\u202f")
        return None
    return number


def parse_money(errors: dict[str, str], field: str, value, *, required: bool = False) -> Decimal | None:
    """An amount in euros from « 40 », « 40,50 », « 40.5 € »."""
    if _nothing_typed(errors, field, value, required):
        return None
    text = _SPACES.sub("", str(value)).replace("€", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors[field] = f"« {str(value).strip()[:40]} » n'est pas un montant : indiquez par exemple 40 ou 40,50."
        return None
    if not amount.is_finite():
        errors[field] = "Indiquez un montant, par exemple 40."
        return None
    if amount < 0:
        errors[field] = "Le montant ne peut pas être négatif."
        return None
    if amount > 100_000:
        errors[field] = "Montant trop grand."
        return None
    return amount.quantize(Decimal("0.01"))


def parse_percent(errors: dict[str, str], field: str, value, *, required: bool = True) -> float | None:
    """A percentage as typed: « 10 », « 12,5 », « 12.5 % » → 12.5 (the caller checks the range)."""
    if _nothing_typed(errors, field, value, required):
        return None
    text = _SPACES.sub("", str(value)).removesuffix("%").replace(",", ".")
    if isinstance(value, bool) or not re.fullmatch(r"\d+(\.\d+)?", text):
        errors[field] = f"« {str(value).strip()[:30]} » n'est pas un pourcentage : indiquez par exemple 10 ou 12,5."
        return None
    return float(text)


_FR_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")


def parse_date_text(value) -> date | None:
    """A date from a date, a datetime, « 09/12/2022 », « 9/12/22 », « 2022-12-09 »; None if unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _FR_DATE.match(text)
    try:
        if m:
            day, month, year = (int(g) for g in m.groups())
            if year < 100:
                year += 2000
            return date(year, month, day)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def check_date(
    errors: dict[str, str],
    field: str,
    value,
    *,
    today: date,
    required: bool = True,
    future: bool = True,
    missing: str = REQUIRED,
) -> date | None:
    """A date between 2009 and two years ahead (or today when `future` is False)."""
    if _nothing_typed(errors, field, value, required, missing):
        return None
    day = parse_date_text(value)
    if day is None:
        shown = str(value).strip()[:20]
        if _FR_DATE.match(shown):
            errors[field] = f"Le {shown} n'existe pas : vérifiez le jour et le mois."
        else:
            errors[field] = f"Date illisible « {shown} » : écrivez-la comme 09/12/2022 (jour/mois/année)."
        return None
    latest = today + timedelta(days=MAX_DAYS_AHEAD) if future else today
    if day < MIN_DATE:
        errors[field] = f"Date trop ancienne ({fr_date(day)}) : le dispositif a commencé en 2009."
        return None
    if day > latest:
        errors[field] = (
            f"Date trop lointaine ({fr_date(day)}) : au plus tard le {fr_date(latest)}."
            if future
            else f"Date dans le futur ({fr_date(day)}) : indiquez une date passée ou aujourd'hui."
        )
        return None
    return day


def check_time(errors: dict[str, str], field: str, value, *, required: bool = True) -> time | None:
    """A time of day as given or typed ("14:30", "14h30"); None with a French message under `field`
    when it is unreadable, or missing and `required`."""
    if value is None or value == "":
        if required:
            errors[field] = REQUIRED
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip().replace("h", ":"))
    except ValueError:
        errors[field] = f"Heure illisible « {str(value)[:10]} » : écrivez-la comme 14:30."
        return None

"""French number, date and money formats (1 789 ; 19 % ; 09/12/2022 ; janv. 2025 ; 1,24 €)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

NBSP = "\u202f"  # narrow no-break space, the French thousands separator
MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
MONTHS_FULL = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def fr_int(value) -> str:
    """A count as French text with a narrow no-break space between thousands ("1 234"); "–" for None."""
    if value is None:
        return "–"
    return f"{round(value):,}".replace(",", NBSP)


def fr_pct(share, digits: int = 0) -> str:
    """A share (0.19) as a French percentage ("19 %", `digits` decimals after a comma); "–" for None."""
    if share is None:
        return "–"
    return f"{share * 100:.{digits}f}".replace(".", ",") + "\u00a0%"


def fr_num(value, digits: int = 2) -> str:
    """A number with `digits` decimals after a comma and narrow no-break spaces between thousands;
    "–" for None."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)
    return text


def fr_eur(value, digits: int = 2) -> str:
    """An amount in euros ("1,24 €", `digits` decimals); "–" for None."""
    return "–" if value is None else f"{fr_num(value, digits)}\u00a0€"


def fr_date(value: date | datetime | None) -> str:
    """A date as JJ/MM/AAAA ("09/12/2022"); "–" for None."""
    return "–" if value is None else value.strftime("%d/%m/%Y")


def fr_datetime(value: datetime | None) -> str:
    """A date and time as JJ/MM/AAAA HH:MM; "–" for None."""
    return "–" if value is None else value.strftime("%d/%m/%Y %H:%M")


def fr_month(value: date) -> str:
    """A month as its French abbreviation and year ("janv. 2025")."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def fr_long_date(value: date) -> str:
    """A date in full French words ("vendredi 9 décembre 2022")."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS_FULL[value.month - 1]} {value.year}"


_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def unaccented(text) -> str:
    """`text` without accents, case folded: how French alphabetical order and loose matching
    compare words (« Élorn » → « elorn »)."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fr_of(name: str) -> str:
    """« de » before a place's name, as French writes it: « de Brest », « d'Angers », « d'Hennebont »,
    « du Guelmeur », « des Quatre Moulins »."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return contracted + name[len(article) :]
    return ("d'" if unaccented(name[:1]) in set("aeiouyh") else "de ") + name


def md_text(value) -> str:
    """User text to put inside st.markdown: Markdown, HTML, LaTeX and colour signs escaped, so it
    shows exactly as typed (no link, no image fetched from elsewhere, no formatting)."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", str(value))


def delta_text(now, before, kind: str = "int") -> str | None:
    """A French change-since-a-year-ago for st.metric: "+390", "−0,4 pt", "+0,05 €", "stable"."""
    if now is None or before is None:
        return None
    diff = now - before
    if kind == "pct":
        diff = round(diff * 100, 1)
        text = f"{abs(diff):.1f}".replace(".", ",") + "\u00a0pt"
    elif kind == "eur":
        diff = round(diff, 2)
        text = f"{abs(diff):.2f}".replace(".", ",") + "\u00a0€"
    else:
        diff = round(diff)
        text = f"{abs(diff):,}".replace(",", "\u202f")
    if diff == 0:
        return "stable sur un an"
    # Streamlit reads a leading "-" as a fall (red, down arrow).
    return f"{'+' if diff > 0 else '-'}{text} en un an"

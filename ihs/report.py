"""The annual report: one content model, rendered as a PowerPoint deck and as a PDF.

`build_report` gathers the year's figures (`ihs.queries`) and charts (`ihs.report_charts`,
rendered offline with vl-convert) into sections; `to_pptx` and `to_pdf` lay out the same
sections, one slide or page each, so both files tell the same story. Text and tables are real
text boxes and tables, so partners can edit the deck in PowerPoint or LibreOffice Impress.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from ihs import clock, geo
from ihs import report_charts as rc
from ihs.ballots import FINISHED_STATUSES
from ihs.charts import style, to_png
from ihs.formats import NBSP, fr_date, fr_eur, fr_int, fr_long_date, fr_pct
from ihs.programme import demo_loaded, get_setting
from ihs.queries import calendar, overview, support, uptake
from ihs.queries.awareness import awareness, chart_rows, rank
from ihs.viz.awareness import newcomers_chart
from ihs.viz.map import sector_legend_entries, sector_map_spec

# Slide geometry (16:9), in inches; the PDF uses the same layout in points.
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.5
BLUE = (0x00, 0x72, 0xB2)
GREY = (0x55, 0x55, 0x55)


@dataclass
class Table:
    """A table of a slide or page: French headers and already formatted cells."""

    columns: list[str]
    rows: list[list[str]]
    right: set[int] = field(default_factory=set)  # columns aligned right (numbers)


@dataclass
class NativeChart:
    """Data for a chart PowerPoint draws itself (a partner can restyle it); the PDF uses the PNG."""

    kind: str  # "line" | "bar" (horizontal bars) | "column"
    categories: list[str]
    series: dict[str, list[float | None]]
    number_format: str = "#,##0"


@dataclass
class Section:
    """One slide of the deck, one block of the PDF: a title and any of lines, figures, a table, a chart."""

    title: str
    lines: list[str] = field(default_factory=list)
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (label, value, comparison)
    table: Table | None = None
    chart: bytes | None = None  # PNG
    chart_alt: str = ""
    note: str = ""
    cover: bool = False
    native: NativeChart | None = None
    sources: str = ""  # the speaker notes: where the slide's figures come from
    legend: list[str] = field(default_factory=list)  # a list beside the chart (the map's numbered sectors)


@dataclass
class Report:
    """The annual report of one year, as sections (`build_report`)."""

    year: int
    title: str
    sections: list[Section]


class ReportError(ValueError):
    """A French message for whoever asked for the report (no data, unwritable file…)."""


# ---- content


def _delta(now: int | None, before: int | None) -> str:
    if now is None or before is None:
        return ""
    diff = now - before
    if diff == 0:
        return "stable"
    return ("+" if diff > 0 else "−") + fr_int(abs(diff))


def _delta_pt(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    diff = round((now - before) * 100, 1)
    if diff == 0:
        return "stable"
    text = f"{abs(diff):.1f}".replace(".", ",")
    return ("+" if diff > 0 else "−") + text + "\u00a0pt"


def _png(chart, width: int, height: int) -> bytes:
    return to_png(style(chart.properties(width=width), height=height), scale=2)


def _cover(db: Engine, year: int, as_of: date, demo: bool) -> Section:
    lines = [
        str(get_setting(db, "programme.name")),
        "Rencontre annuelle des acteurs de quartier",
        f"Chiffres au {fr_date(as_of)}",
        f"Document produit le {fr_long_date(clock.today())}",
    ]
    if demo:
        lines.append("Données de démonstration : les chiffres sont illustratifs.")
    return Section(
        title=f"Rapport annuel {year}",
        lines=lines,
        cover=True,
        sources=f"Chiffres arrêtés au {fr_date(as_of)}, tirés de la base du programme le {fr_date(clock.today())}."
        + (" Données de démonstration : chiffres illustratifs, sauf ceux marqués « public »." if demo else ""),
    )


def _key_figures(k: dict) -> Section:
    year, cur, prev = k["year"], k["current"], k["previous"]
    p = year - 1

    def comp(now, before, fmt, delta):
        return f"{p} : {fmt(before)} ({delta(now, before)})" if before is not None else ""

    figures = [
        (
            "Secteurs déployés",
            fr_int(cur["sectors_deployed"]),
            comp(cur["sectors_deployed"], prev["sectors_deployed"], fr_int, _delta),
        ),
        (
            "Logements couverts",
            fr_int(cur["dwellings_covered"]),
            comp(cur["dwellings_covered"], prev["dwellings_covered"], fr_int, _delta),
        ),
        ("Abonnés", fr_int(cur["subscribers"]), comp(cur["subscribers"], prev["subscribers"], fr_int, _delta)),
        ("Taux d'adhésion", fr_pct(cur["uptake"]), comp(cur["uptake"], prev["uptake"], fr_pct, _delta_pt)),
    ]
    new = k["new_sectors"]
    lines = [
        f"Nouveaux secteurs en {year} : {len(new)}" + (f" ({', '.join(new)})." if new else "."),
        f"Scrutins tenus en {year} : {k['ballots']} ({k['ballots_adopted']} adopté(s), "
        f"{k['ballots_rejected']} rejeté(s)).",
    ]
    if cur["monthly_price_eur"] is not None:
        offer = ", ".join(x for x in (cur["offer"], cur["operator"]) if x)
        lines.append(
            f"Tarif mensuel par logement : {fr_eur(cur['monthly_price_eur'])}"
            + (f" ({offer})" if offer else "")
            + (f", contre {fr_eur(prev['monthly_price_eur'])} en {p}." if prev["monthly_price_eur"] else ".")
        )
    note = ""
    if cur["subscribers_as_of"]:
        note = f"Abonnés : dernier relevé de l'opérateur au {fr_date(date.fromisoformat(cur['subscribers_as_of']))}."
    table = Table(
        ["Indicateur", str(p), str(year), "Évolution"],
        [
            [label, comp_value, value, delta]
            for (label, value, _), comp_value, delta in zip(
                figures,
                [
                    fr_int(prev["sectors_deployed"]),
                    fr_int(prev["dwellings_covered"]),
                    fr_int(prev["subscribers"]),
                    fr_pct(prev["uptake"]),
                ],
                [
                    _delta(cur["sectors_deployed"], prev["sectors_deployed"]),
                    _delta(cur["dwellings_covered"], prev["dwellings_covered"]),
                    _delta(cur["subscribers"], prev["subscribers"]),
                    _delta_pt(cur["uptake"], prev["uptake"]),
                ],
                strict=True,
            )
        ],
        right={1, 2, 3},
    )
    return Section(
        title=f"Chiffres clés {year}",
        figures=figures,
        lines=lines,
        table=table,
        note=note,
        sources="Secteurs et logements : étapes des déploiements et logements déclarés par le bailleur, au 31 "
        "décembre. Abonnés : relevés de l'opérateur. Tarif : grille tarifaire de l'offre en vigueur.",
    )


def _trend(db: Engine, year: int) -> Section:
    df = overview.yearly_trend(db, year)
    df = df[df["dwellings"] > 0]
    first = int(df["year"].min()) if len(df) else year
    return Section(
        title=f"Abonnés et logements couverts, {first}–{year}",
        chart=_png(rc.trend_chart(df), 1100, 430) if len(df) else None,
        chart_alt="Courbes des abonnés et des logements couverts à chaque fin d'année",
        lines=[] if len(df) else ["Aucun secteur couvert sur la période."],
        note="Situation au 31 décembre de chaque année (à la date du jour pour l'année en cours).",
        native=NativeChart(
            "line",
            [str(y) for y in df["year"]],
            {"Abonnés": [int(v) for v in df["subscribers"]], "Logements couverts": [int(v) for v in df["dwellings"]]},
        )
        if len(df)
        else None,
        sources="Abonnés : relevés de l'opérateur, dernier relevé de chaque secteur au 31 décembre. "
        "Logements couverts : logements (bailleur) des secteurs en mise en œuvre ou déployés à cette date.",
    )


def _map(db: Engine, as_of: date) -> Section:
    """The dashboards' own map (`ihs.viz.map`), coloured by stage, numbered as on the Carte page and
    the presentation, with the numbered list of the sectors (names written on the map overlapped:
    « Kerhallet)Saint-Martin »)."""
    df = geo.sector_map_data(db, as_of)
    spec = sector_map_spec(geo.sector_features(df), "stage", selectable=False)
    counts = df["stage_label"].value_counts()
    lines = ["Secteurs : " + " ; ".join(f"{label.lower()} {n}" for label, n in counts.items()) + "."]
    markers = spec.data.get("markers")
    legend = [f"{n} {text}" for n, text in sector_legend_entries(df, markers)] if markers is not None else []
    return Section(
        title=f"Carte des secteurs au {fr_date(as_of)}",
        lines=lines,
        legend=legend if len(df) else [],
        chart=_png(spec.chart(), 800, 470) if len(df) else None,
        chart_alt="Carte des secteurs colorés par étape, numérotés dans l'ordre alphabétique",
        sources="Contours : fichiers publics des quartiers (voir la note) ; étapes : calendrier des déploiements.",
        note=f"Fonds : commune – {geo.attribution(geo.COMMUNE)}. Quartiers de veille – {geo.attribution(geo.VEILLE)}. "
        "Cercles : secteurs sans contour connu (position approximative, surface proportionnelle aux logements).",
    )


def _deployments(db: Engine, year: int) -> list[Section]:
    df = calendar.deployments_of_year(db, year)
    if df.empty:
        return [Section(title=f"Déploiements et scrutins de {year}", lines=[f"Aucun déploiement en {year}."])]
    outcome = {"adopted": "Adopté", "rejected": "Rejeté"}
    rows = []
    for r in df.itertuples():
        counted = r.ballot_status in FINISHED_STATUSES
        result = outcome.get(r.outcome, "") if counted else ("En cours" if r.ballot_status == "open" else "")
        rows.append(
            [
                r.sector,
                fr_date(r.information_start),
                fr_date(r.ballot_start),
                fr_int(r.registered) if not pd.isna(r.registered) else "–",
                fr_pct(None if pd.isna(r.turnout) else float(r.turnout)),
                fr_pct(None if pd.isna(r.yes_share) else float(r.yes_share)),
                result or "–",
                fr_date(r.implementation_start),
            ]
        )
    table = Table(
        [
            "Secteur",
            "Information",
            "Scrutin",
            "Inscrits",
            "Participation",
            "Oui (exprimés)",
            "Résultat",
            "Mise en œuvre",
        ],
        rows,
        right={3, 4, 5},
    )
    timeline = calendar.stage_timeline(db, date(year, 1, 1), clock.year_end(year))
    sections = [
        Section(
            title=f"Déploiements et scrutins de {year}",
            table=table,
            lines=[f"{len(df)} secteur(s) en cours de déploiement ou déployé(s) dans l'année."],
            note="Un logement, une voix. Participation = votants / logements inscrits ; "
            "Oui = part des oui parmi les suffrages exprimés (oui + non).",
            sources="Dates : étapes des déploiements. Inscrits, votants, oui/non : résultats validés du "
            "dépouillement public (double saisie), jamais qui a voté ni comment.",
        )
    ]
    if not timeline.empty:
        sections.append(
            Section(
                title=f"Calendrier des déploiements {year}",
                chart=_png(rc.calendar_chart(timeline), 1050, max(300, 60 * timeline["sector"].nunique())),
                chart_alt="Diagramme des étapes par secteur",
                sources="Étapes prévues et réelles des déploiements (page Planifier).",
                lines=[],
            )
        )
    return sections


def _uptake(db: Engine, year: int) -> Section:
    df = uptake.year_uptake_by_sector(db, year)
    rows = [
        [
            r.name,
            fr_int(r.dwellings),
            fr_int(None if pd.isna(r.subscribers) else r.subscribers),
            fr_pct(None if pd.isna(r.uptake) else float(r.uptake)),
            fr_pct(None if pd.isna(r.uptake_previous) else float(r.uptake_previous)),
        ]
        for r in df.itertuples()
    ]
    table = Table(["Secteur", "Logements", "Abonnés", "Taux", f"Taux {year - 1}"], rows, right={1, 2, 3, 4})
    height = max(220, 26 * len(df))
    return Section(
        title=f"Adhésion par secteur au {fr_date(clock.year_end(year))}",
        table=table if rows else None,
        chart=_png(rc.uptake_chart(df), 560, height) if rows else None,
        chart_alt="Barres du taux d'adhésion par secteur",
        lines=[] if rows else ["Aucun secteur couvert à cette date."],
        note="Taux d'adhésion = abonnés / logements du secteur (dernier relevé de l'opérateur).",
        native=_uptake_native(df) if rows else None,
        sources="Abonnés : relevés de l'opérateur (dernier relevé au 31 décembre). Logements : bailleur, "
        "valables à cette date.",
    )


def _support(db: Engine, year: int) -> Section:
    df = support.support_of_year(db, year)
    monthly = support.support_by_month(db, year)
    rows = [[r.indicator, fr_int(r.previous), fr_int(r.value)] for r in df.itertuples()]
    return Section(
        title=f"Accompagnement en {year}",
        table=Table(["Activité", str(year - 1), str(year)], rows, right={1, 2}),
        chart=_png(rc.support_chart(monthly), 600, 360) if not monthly.empty else None,
        chart_alt="Personnes reçues chaque mois en atelier et en permanence",
        note="Comptages saisis par les partenaires (jamais de données nominatives).",
        native=_support_native(monthly) if not monthly.empty else None,
        sources="Ateliers : présences saisies par les animateurs. Permanences, conseils juridiques, ordinateurs : "
        "fiches de visite des partenaires. Uniquement des comptages.",
    )


def _uptake_native(df: pd.DataFrame) -> NativeChart | None:
    """Highest uptake on top, as on the picture (PowerPoint draws the first category at the bottom)."""
    data = df.dropna(subset=["uptake"]).sort_values("uptake", ascending=True, kind="stable")
    if data.empty:
        return None
    return NativeChart("bar", list(data["name"]), {"Taux d'adhésion": [float(v) for v in data["uptake"]]}, "0%")


def _support_native(monthly: pd.DataFrame) -> NativeChart:
    months = sorted(monthly["date"].unique())
    series = {}
    for activity, part in monthly.groupby("activity", sort=False):
        people = dict(zip(part["date"], part["people"], strict=True))
        series[str(activity)] = [int(people.get(m, 0)) for m in months]
    labels = [pd.Timestamp(m).strftime("%m/%Y") for m in months]
    return NativeChart("column", labels, series)


def _awareness(db: Engine, year: int) -> Section:
    """The Sensibilisation dashboard's rule and chart (`ihs.queries.awareness`, `ihs.viz.awareness`)."""
    as_of = clock.year_end(year)
    every = awareness(db, as_of)
    ranked = rank(every)  # from the rows above: `ranking` would compute them again
    urgent = ranked.head(10)
    alert = float(get_setting(db, "awareness.newcomer_share_alert"))
    rate = float(get_setting(db, "awareness.default_turnover_rate"))
    rows = [
        [
            str(r.rank),
            r.name,
            fr_pct(r.newcomer_share),
            fr_date(r.last_information) if r.last_information else "aucune",
        ]
        for r in urgent.itertuples()
    ]
    lines = [
        f"{len(ranked)} secteur(s) à informer de nouveau sur {len(every)} couverts : au moins "
        f"{fr_pct(alert)} des ménages arrivés depuis le scrutin, ou dernière action d'information trop ancienne."
    ]
    charted = chart_rows(every, int(get_setting(db, "awareness.chart_max_sectors")))
    if len(charted) < len(every):
        lines.append(f"Graphique : les {len(charted)} secteurs où la part des ménages arrivés est la plus forte.")
    max_days = int(get_setting(db, "awareness.max_days_since_information"))
    chart = newcomers_chart(charted, alert, max_days).chart() if not every.empty else None
    return Section(
        title="Sensibilisation : où informer de nouveau",
        lines=lines,
        table=Table(["Rang", "Secteur", "Arrivés depuis le scrutin", "Dernière action d'information"], rows, {0, 2})
        if rows
        else None,
        chart=_png(chart, 520, max(220, 26 * len(charted))) if chart is not None else None,
        chart_alt="Part des ménages arrivés depuis le scrutin, par secteur",
        note="Ménages restants, mois par mois : 1 − emménagements déclarés par le bailleur / logements ; "
        f"les mois sans déclaration, taux de rotation de {fr_pct(rate)} par an.",
        sources="Emménagements mensuels : bailleur. Taux de rotation par défaut : paramètre du programme. "
        "Actions d'information : saisies des partenaires (page Saisie des événements).",
    )


def _sources(db: Engine, year: int, demo: bool) -> Section:
    lines = [
        "Logements et emménagements : bailleur. Abonnés : relevés de l'opérateur.",
        "Scrutins : résultats validés du dépouillement public (double saisie).",
        "Actions d'information, ateliers, permanences, conseils juridiques, ordinateurs : saisies des partenaires.",
        "Aucune donnée nominative : uniquement des comptages et des résultats.",
    ]
    if demo:
        lines.insert(0, "Données de démonstration : les chiffres marqués « démo » sont illustratifs.")
    return Section(
        title="Sources et méthode",
        lines=lines,
        sources="Chaque diapositive porte ses sources en commentaire. Méthodes de calcul : README du projet "
        "(adhésion, sensibilisation, coût).",
    )


def build_report(db: Engine, year: int) -> Report:
    """Everything the deck and the PDF show for `year` (raises ReportError if the year is empty)."""
    if not overview.has_data(db, year):
        raise ReportError(f"aucune donnée pour l'année {year}.")
    as_of = clock.year_end(year)
    demo = demo_loaded(db)
    k = overview.year_figures(db, year)
    sections = [
        _cover(db, year, as_of, demo),
        _key_figures(k),
        _trend(db, year),
        _map(db, as_of),
        *_deployments(db, year),
        _uptake(db, year),
        _support(db, year),
        _awareness(db, year),
        _sources(db, year, demo),
    ]
    return Report(year=year, title=f"Rapport annuel {year}", sections=sections)


# ---- PowerPoint


def _png_size(png: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.size


def _fit(png: bytes, box_w: float, box_h: float) -> tuple[float, float]:
    w, h = _png_size(png)
    scale = min(box_w / w, box_h / h)
    return w * scale, h * scale


# Text measured as Arial draws it (LibreOffice's Liberation Sans has the same metrics), in ems;
# slightly generous so that an estimate never promises more room than the slide has.
_NARROW, _WIDE = set("ijl.,:;'!|Ift/ ()[]-r"), set("mwMW%@")


def _text_w(text: str, size: float, bold: bool = False) -> float:
    """Inches that `text` takes at `size` points."""
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.3
        elif ch in _WIDE:
            ems += 0.9
        elif ch.isupper():
            ems += 0.72
        else:
            ems += 0.56
    return ems * size / 72 * (1.1 if bold else 1.0) * 1.04


def _wrapped_lines(text: str, width: float, size: float, bold: bool = False) -> int:
    """Lines that `text` needs in a box `width` inches wide (greedy wrap on spaces)."""
    lines, used = 1, 0.0
    space = _text_w(" ", size, bold)
    for word in text.split():
        w = _text_w(word, size, bold)
        if used and used + space + w > width:
            lines, used = lines + 1, w
        else:
            used += (space if used else 0) + w
    return lines


TABLE_PT = 16  # tables are read from 4 metres: never smaller
CELL_PAD_X, CELL_PAD_Y = 0.1, 0.03  # inches, each side


def _col_widths(table: Table, width: float) -> list[float]:
    """Columns sized by content within `width`: never narrower than their longest word."""
    cols = list(zip(table.columns, *table.rows, strict=True)) if table.rows else [(c,) for c in table.columns]
    natural, least = [], []
    for col in cols:
        header, cells = col[0], col[1:]
        natural.append(max([_text_w(header, TABLE_PT, True)] + [_text_w(v, TABLE_PT) for v in cells]) + 2 * CELL_PAD_X)
        words = [(w, True) for w in header.split()] + [(w, False) for v in cells for w in v.split()]
        least.append(max((_text_w(w, TABLE_PT, b) for w, b in words), default=0.3) + 2 * CELL_PAD_X)
    if sum(natural) <= width:
        return [n * width / sum(natural) for n in natural]
    extra = max(0.0, width - sum(least))
    wants = [n - m for n, m in zip(natural, least, strict=True)]
    return [m + extra * w / (sum(wants) or 1) for m, w in zip(least, wants, strict=True)]


def _row_h(values: list[str], widths: list[float], bold: bool = False) -> float:
    lines = max(_wrapped_lines(v, w - 2 * CELL_PAD_X, TABLE_PT, bold) for v, w in zip(values, widths, strict=True))
    return lines * TABLE_PT * 1.2 / 72 + 2 * CELL_PAD_Y


LEGEND_ONE_COLUMN = 12  # more entries than this: the list beside a chart takes two columns
LEGEND_PT = 14


def _legend_columns(section: Section) -> list[list[str]]:
    """`section.legend` split as `_layout` lays it out: one column, or two of equal length."""
    half = (len(section.legend) + 1) // 2 if len(section.legend) > LEGEND_ONE_COLUMN else len(section.legend)
    return [part for part in (section.legend[:half], section.legend[half:]) if part]


def _layout(section: Section) -> dict:
    """Boxes (inches: x, y, w, h) of each part of a content slide; shared by PPTX and PDF."""
    y = 1.2
    full = SLIDE_W - 2 * MARGIN
    boxes: dict[str, tuple[float, float, float, float]] = {}
    if section.figures:
        boxes["figures"] = (MARGIN, y, full, 1.55)
        y += 1.75
    if section.lines:
        h = sum(_wrapped_lines(line, full - 0.2, 18) for line in section.lines) * 18 * 1.25 / 72 + 0.15
        boxes["lines"] = (MARGIN, y, full, h)
        y += h + 0.1
    note_h = _wrapped_lines(section.note, full - 0.2, 12) * 12 * 1.25 / 72 + 0.15 if section.note else 0.0
    bottom = SLIDE_H - 0.3 - (note_h + 0.1 if section.note else 0)
    body_h = bottom - y
    if section.table and (section.chart or section.native):
        left = full * 0.46
        boxes["table"] = (MARGIN, y, left, body_h)
        boxes["chart"] = (MARGIN + left + 0.25, y, full - left - 0.25, body_h)
    elif section.table:
        boxes["table"] = (MARGIN, y, full, body_h)
    elif (section.chart or section.native) and section.legend:
        left = full * 0.6
        boxes["chart"] = (MARGIN, y, left, body_h)
        columns = _legend_columns(section)
        col_w = (full - left - 0.2) / len(columns)
        for i, key in enumerate(("legend", "legend2")[: len(columns)]):
            boxes[key] = (MARGIN + left + 0.2 + i * col_w, y, col_w, body_h)
    elif section.chart or section.native:
        boxes["chart"] = (MARGIN, y, full, body_h)
    if section.note:
        boxes["note"] = (MARGIN, SLIDE_H - 0.3 - note_h, full, note_h)
    return boxes


def _table_pages(section: Section) -> list[Section]:
    """`section` with as many rows as fit at TABLE_PT, then « (suite) » slides for the rest.

    Rows are spread evenly over the slides they need (16 rows where 15 fit: 8 and 8, not 15
    and a lone row on a slide of its own)."""
    table = section.table
    widths = _col_widths(table, _layout(section)["table"][2])

    def split(most: int) -> list[Section]:
        pages: list[Section] = []
        rows, current = list(table.rows), section
        while True:
            _, _, _, h = _layout(current)["table"]
            used, fit = _row_h(table.columns, widths, bold=True), 0
            for row in rows[:most]:
                used += _row_h(row, widths)
                if used > h:
                    break
                fit += 1
            fit = max(fit, 1)
            pages.append(replace(current, table=Table(table.columns, rows[:fit], table.right)))
            rows = rows[fit:]
            if not rows:
                return pages
            current = Section(
                title=f"{section.title} (suite)",
                table=Table(table.columns, rows, table.right),
                note=section.note,
                sources=section.sources,
            )

    pages = split(len(table.rows))
    if len(pages) == 1:
        return pages
    even = split(-(-len(table.rows) // len(pages)))
    return even if len(even) == len(pages) else pages


def _slides(report: Report) -> list[Section]:
    """One section per slide (and PDF page): a table shares no slide with a chart (both would be
    too small at 4 metres) and continues on further slides when its rows do not fit at 16 pt."""
    out: list[Section] = []
    for section in report.sections:
        if section.cover or section.table is None:
            out.append(section)
            continue
        first = section
        if section.chart is not None or section.native is not None:
            out.append(replace(section, table=None))
            first = Section(
                title=f"{section.title} – tableau", table=section.table, note=section.note, sources=section.sources
            )
        out.extend(_table_pages(first))
    return out


FONT = "Arial"  # LibreOffice draws it with Liberation Sans, same metrics; `_text_w` measures it


def _native_chart(slide, box, native: NativeChart) -> None:
    """A chart PowerPoint draws and a partner can restyle (data editable in PowerPoint)."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    kinds = {
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    }
    data = CategoryChartData(number_format=native.number_format)
    data.categories = native.categories
    for name, values in native.series.items():
        data.add_series(name, values)
    x, y, w, h = box
    chart = slide.shapes.add_chart(kinds[native.kind], Inches(x), Inches(y), Inches(w), Inches(h), data).chart
    chart.font.size, chart.font.name = Pt(16), FONT  # read from 4 metres, like the tables
    chart.has_legend = len(native.series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
    axis = chart.value_axis
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = native.number_format, False
    axis.has_major_gridlines = True
    if native.kind == "bar":
        plot = chart.plots[0]
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format, labels.number_format_is_linked = native.number_format, False
        labels.font.size = Pt(14)


def _pptx_figures(slide, box, figures, text_box, style_run, blue, grey) -> None:
    """A slide's key figures as tiles side by side: the value large, its label and comparison under it."""
    from pptx.enum.text import PP_ALIGN

    x, y, w, h = box
    tile_w = w / len(figures)
    for i, (label, value, comp) in enumerate(figures):
        tf = text_box(slide, (x + i * tile_w, y, tile_w - 0.15, h), [value], 40, bold=True, color=blue)
        tf.paragraphs[0].alignment = PP_ALIGN.CENTER
        for text, size, colour in ((label, 18, None), (comp, 14, grey)):
            p = tf.add_paragraph()
            p.alignment = PP_ALIGN.CENTER
            r = p.add_run()
            r.text = text
            style_run(r, size, color=colour)


def _pptx_table(slide, box, t: Table, style_run) -> None:
    """A slide's table, columns sized by their content, numbers right-aligned, the header bold."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    x, y, w, _ = box
    widths = _col_widths(t, w)
    heights = [_row_h(t.columns, widths, bold=True), *(_row_h(r, widths) for r in t.rows)]
    shape = slide.shapes.add_table(
        len(t.rows) + 1, len(t.columns), Inches(x), Inches(y), Inches(sum(widths)), Inches(sum(heights))
    )
    for c, cw in enumerate(widths):
        shape.table.columns[c].width = Inches(cw)
    for r, values in enumerate([t.columns, *t.rows]):
        shape.table.rows[r].height = Inches(heights[r])
        for c, value in enumerate(values):
            cell = shape.table.cell(r, c)
            cell.text = value
            cell.margin_left = cell.margin_right = Inches(CELL_PAD_X)
            cell.margin_top = cell.margin_bottom = Inches(CELL_PAD_Y)
            p = cell.text_frame.paragraphs[0]
            p.alignment = PP_ALIGN.RIGHT if c in t.right else PP_ALIGN.LEFT
            for run in p.runs:
                style_run(run, TABLE_PT, bold=r == 0)


def to_pptx(report: Report) -> bytes:
    """The report as a PowerPoint deck (one slide per section, native charts where possible)."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = report.title
    prs.core_properties.language = "fr-FR"
    title_only = prs.slide_layouts[5]
    blue, grey = RGBColor(*BLUE), RGBColor(*GREY)

    def style_run(run, size, *, bold=False, color=None):
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        if color is not None:
            run.font.color.rgb = color

    def text_box(slide, box, lines, size, *, bold=False, color=None, align=None):
        x, y, w, h = box
        tf = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h)).text_frame
        tf.word_wrap = True
        for i, line in enumerate(lines):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            run = para.add_run()
            run.text = line
            style_run(run, size, bold=bold, color=color)
            if align is not None:
                para.alignment = align
        return tf

    for section in _slides(report):
        slide = prs.slides.add_slide(title_only)
        notes = section.sources or section.note or section.title
        slide.notes_slide.notes_text_frame.text = notes
        title = slide.shapes.title
        if section.cover:
            title.left, title.top, title.width, title.height = Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.4)
            title.text = section.title
            style_run(title.text_frame.paragraphs[0].runs[0], 48, color=blue)
            text_box(slide, (0.8, 3.6, 11.7, 3.0), section.lines, 24, align=PP_ALIGN.CENTER)
            continue
        title.left, title.top, title.width, title.height = Inches(MARGIN), Inches(0.3), Inches(12.3), Inches(0.8)
        title.text = section.title
        para = title.text_frame.paragraphs[0]
        para.alignment = PP_ALIGN.LEFT
        style_run(para.runs[0], 32, bold=True, color=blue)
        boxes = _layout(section)
        if "figures" in boxes:
            _pptx_figures(slide, boxes["figures"], section.figures, text_box, style_run, blue, grey)
        if "lines" in boxes:
            text_box(slide, boxes["lines"], section.lines, 18)
        if "table" in boxes:
            _pptx_table(slide, boxes["table"], section.table, style_run)
        if "chart" in boxes and section.native is not None:
            _native_chart(slide, boxes["chart"], section.native)
        elif "chart" in boxes and section.chart:
            x, y, w, h = boxes["chart"]
            pw, ph = _fit(section.chart, w, h)
            pic = slide.shapes.add_picture(
                io.BytesIO(section.chart), Inches(x + (w - pw) / 2), Inches(y), Inches(pw), Inches(ph)
            )
            pic.name = section.chart_alt[:60] or "Graphique"
            # Alternative text for screen readers (PowerPoint's "descr" attribute).
            pic._element.nvPicPr.cNvPr.set("descr", section.chart_alt)
        for key, part in zip(("legend", "legend2"), _legend_columns(section), strict=False):
            text_box(slide, boxes[key], part, LEGEND_PT)
        if "note" in boxes:
            text_box(slide, boxes["note"], [section.note], 12, color=grey)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---- PDF


def _table_font(table: Table, box_h: float) -> float:
    """PDF table points: as large as fits the box height (rows of about 1.9 × the font size)."""
    rows = len(table.rows) + 1
    return max(8.0, min(16.0, box_h * 72 / rows / 1.9))


def _pdf_text(text: str) -> str:
    """The standard PDF fonts lack the narrow no-break space and the minus sign: use their neighbours."""
    return text.replace(NBSP, "\u00a0").replace("\u2212", "-")


def _pdf_col_widths(data: list[list[str]], size: float, total: float) -> tuple[list[float], int]:
    """Natural column widths (points) and the widest column; if too wide, that one takes what is left.

    Headers wrap, so they only need room for their longest word.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = size * 1.2
    widths = []
    for c in range(len(data[0])):
        body = max((stringWidth(str(row[c]), "Helvetica", size) for row in data[1:]), default=0)
        head = max(stringWidth(w, "Helvetica-Bold", size) for w in (str(data[0][c]).split() or [""]))
        widths.append(max(body, head) + pad)
    wide = max(range(len(widths)), key=lambda c: widths[c])
    if sum(widths) > total:
        widths[wide] = max(total * 0.25, total - (sum(widths) - widths[wide]))
    return widths, wide


def _pdf_table(t: Table, width: float, height: float, rule_colour):
    """A reportlab table that fits the box: the largest font whose wrapped rows fit."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, TableStyle
    from reportlab.platypus import Table as PdfTable

    size = _table_font(t, height / 72)
    while True:
        data = [[_pdf_text(v) for v in row] for row in [t.columns, *t.rows]]
        widths, wide = _pdf_col_widths(data, size, width)
        cell_style = ParagraphStyle("cell", fontName="Helvetica", fontSize=size, leading=size * 1.15)
        head_style = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=size, leading=size * 1.15)
        for c, t_head in enumerate(data[0]):
            head_style.alignment = 2 if c in t.right else 0
            data[0][c] = Paragraph(_escape(t_head), ParagraphStyle(f"h{c}", parent=head_style))
        for row in data[1:]:  # the widest column wraps rather than overflowing the box
            row[wide] = Paragraph(_escape(row[wide]), cell_style)
        table = PdfTable(data, colWidths=widths)
        cmds = [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", size),
            ("FONT", (0, 1), (-1, -1), "Helvetica", size),
            ("LINEBELOW", (0, 0), (-1, 0), 1, rule_colour),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), size * 0.3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.3),
        ]
        cmds += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in t.right]
        table.setStyle(TableStyle(cmds))
        _, th = table.wrap(width, height)
        if (th <= height and sum(widths) <= width + 1) or size <= 6:
            return table, th
        size -= 0.5


def _escape(text: str) -> str:
    return _pdf_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_pdf(report: Report) -> bytes:
    """The report as a PDF, landscape pages laid out like the slides."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame, KeepInFrame, Paragraph

    pt = 72.0
    page = (SLIDE_W * pt, SLIDE_H * pt)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=page, lang="fr-FR")
    canvas.setTitle(report.title)
    canvas.setAuthor("Internet en habitat social")
    blue = colors.Color(*(c / 255 for c in BLUE))
    grey = colors.Color(*(c / 255 for c in GREY))

    def frame_lines(box, lines, size, *, colour=colors.black, align=0, bold=False):
        x, y, w, h = box
        style = ParagraphStyle(
            "p", fontName="Helvetica-Bold" if bold else "Helvetica", fontSize=size, leading=size * 1.3
        )
        style.textColor, style.alignment = colour, align
        frame = Frame(x * pt, page[1] - (y + h) * pt, w * pt, h * pt, showBoundary=0, leftPadding=4, topPadding=2)
        # Shrink rather than drop text that would not fit its box (Frame drops it silently).
        content = [Paragraph(_escape(line), style) for line in lines]
        frame.addFromList([KeepInFrame(w * pt - 8, h * pt - 4, content, mode="shrink")], canvas)

    for section in _slides(report):
        if section.cover:
            frame_lines((0.8, 2.0, 11.7, 1.4), [section.title], 48, colour=blue, align=1, bold=True)
            frame_lines((0.8, 3.6, 11.7, 3.0), section.lines, 22, align=1)
            canvas.showPage()
            continue
        frame_lines((MARGIN, 0.3, 12.3, 0.9), [section.title], 28, colour=blue, bold=True)
        boxes = _layout(section)
        if "figures" in boxes:
            x, y, w, h = boxes["figures"]
            tile_w = w / len(section.figures)
            for i, (label, value, comp) in enumerate(section.figures):
                tx = x + i * tile_w
                # Frames drop what does not fit: boxes a little taller than the text.
                frame_lines((tx, y - 0.1, tile_w - 0.15, 0.9), [value], 36, colour=blue, align=1, bold=True)
                frame_lines((tx, y + 0.72, tile_w - 0.15, 0.45), [label], 16, align=1)
                frame_lines((tx, y + 1.1, tile_w - 0.15, 0.45), [comp], 12, colour=grey, align=1)
        if "lines" in boxes:
            frame_lines(boxes["lines"], section.lines, 16)
        if "table" in boxes:
            x, y, w, h = boxes["table"]
            table, th = _pdf_table(section.table, w * pt, h * pt, blue)
            table.drawOn(canvas, x * pt, page[1] - y * pt - th)
        if "chart" in boxes and section.chart:
            x, y, w, h = boxes["chart"]
            pw, ph = _fit(section.chart, w, h)
            canvas.drawImage(
                ImageReader(io.BytesIO(section.chart)),
                (x + (w - pw) / 2) * pt,
                page[1] - (y + ph) * pt,
                pw * pt,
                ph * pt,
            )
        for key, part in zip(("legend", "legend2"), _legend_columns(section), strict=False):
            frame_lines(boxes[key], part, LEGEND_PT - 2)
        if "note" in boxes:
            frame_lines(boxes["note"], [section.note], 10, colour=grey)
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(grey)
        canvas.drawRightString(page[0] - MARGIN * pt, 0.2 * pt, f"{report.title} – page {canvas.getPageNumber()}")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


# ---- command line


def _fail(message: str) -> int:
    print(f"erreur : {message}", file=sys.stderr)
    return 2


def cli_report(args, engine: Engine) -> int:
    """`python -m ihs report --year YYYY --pptx PATH --pdf PATH`: 0, or 2 with a French message."""
    if not args.pptx and not args.pdf:
        return _fail("indiquez au moins un fichier à écrire : --pptx CHEMIN et/ou --pdf CHEMIN.")
    for path in (args.pptx, args.pdf):
        if path is not None and (not path.parent.exists() or path.is_dir()):
            return _fail(f"impossible d'écrire {path} : le dossier n'existe pas.")
    try:
        report = build_report(engine, args.year)
    except ReportError as exc:
        return _fail(str(exc))
    outputs = []
    try:
        if args.pptx:
            args.pptx.write_bytes(to_pptx(report))
            outputs.append(str(args.pptx))
        if args.pdf:
            args.pdf.write_bytes(to_pdf(report))
            outputs.append(str(args.pdf))
    except OSError as exc:
        return _fail(f"impossible d'écrire le fichier : {exc.strerror or exc}.")
    print(f"Rapport annuel {args.year} écrit : {', '.join(outputs)}")
    return 0

"""The page registry: which page each role sees, in which menu section.

`app.py` registers only the pages of the current role; each entry page also checks the role
itself (`ihs.ui.auth.require_page`), since a page hidden from a menu still opens by URL.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("coordinator", "landlord", "operator", "partner", "viewer")
ENTRY = ("coordinator", "landlord", "operator", "partner")


@dataclass(frozen=True)
class PageSpec:
    path: str  # file under pages/
    title: str
    icon: str
    section: str
    roles: tuple[str, ...]
    public: bool = False  # opens without login when IHS_PUBLIC_DASHBOARDS=1
    default: bool = False

    @property
    def url_path(self) -> str:
        return self.path.removeprefix("pages/").removesuffix(".py")


PAGES: list[PageSpec] = [
    PageSpec("pages/accueil.py", "Vue d'ensemble", "🏠", "Tableaux de bord", ALL, public=True, default=True),
    PageSpec("pages/carte.py", "Carte des secteurs", "🗺️", "Tableaux de bord", ALL, public=True),
    PageSpec("pages/calendrier.py", "Calendrier des déploiements", "📅", "Tableaux de bord", ALL, public=True),
    PageSpec("pages/adhesion.py", "Abonnés et adhésion", "📈", "Tableaux de bord", ALL, public=True),
    PageSpec("pages/accompagnement.py", "Accompagnement", "🤝", "Tableaux de bord", ALL, public=True),
    PageSpec("pages/sensibilisation.py", "Sensibilisation", "📣", "Tableaux de bord", ALL, public=True),
    PageSpec("pages/secteur.py", "Fiche secteur", "🏘️", "Tableaux de bord", ALL, public=True),
    PageSpec("pages/presentation.py", "Mode présentation", "🖥️", "Tableaux de bord", ALL, public=True),
    PageSpec("pages/scrutin_direct.py", "Scrutin en direct", "🗳️", "Scrutin", ALL, public=True),
    PageSpec("pages/participation.py", "Saisie de la participation", "✍️", "Scrutin", ("coordinator", "landlord")),
    PageSpec("pages/depouillement.py", "Dépouillement", "🧮", "Scrutin", ("coordinator", "landlord")),
    PageSpec("pages/scrutin_preparer.py", "Préparer un scrutin", "🛠️", "Scrutin", ("coordinator", "landlord")),
    PageSpec(
        "pages/saisie_evenements.py", "Saisie des événements", "🗓️", "Saisie", ("coordinator", "landlord", "partner")
    ),
    PageSpec(
        "pages/saisie_visites.py", "Visites et accompagnement", "🚪", "Saisie", ("coordinator", "landlord", "partner")
    ),
    PageSpec(
        "pages/imports.py", "Imports (abonnés, emménagements)", "📥", "Saisie", ("coordinator", "landlord", "operator")
    ),
    PageSpec("pages/mes_saisies.py", "Mes saisies", "🗂️", "Saisie", ENTRY),
    PageSpec("pages/planifier.py", "Planifier un secteur", "🧭", "Coordination", ("coordinator",)),
    PageSpec("pages/comite.py", "Comité de pilotage", "🏛️", "Coordination", ("coordinator",)),
    PageSpec("pages/rapport.py", "Rapport annuel et exports", "📄", "Coordination", ("coordinator",)),
    PageSpec("pages/journal.py", "Journal des modifications", "🔎", "Coordination", ("coordinator",)),
    PageSpec("pages/utilisateurs.py", "Utilisateurs", "👥", "Coordination", ("coordinator",)),
]


def pages_for(role: str | None, *, public: bool = False) -> list[PageSpec]:
    """Pages a role may open; with no role, the public dashboards when `public` is set."""
    if role is None:
        return [p for p in PAGES if p.public] if public else []
    return [p for p in PAGES if role in p.roles]


def spec_for(path: str) -> PageSpec:
    for page in PAGES:
        if page.path == path:
            return page
    raise KeyError(path)

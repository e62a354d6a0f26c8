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
    icon: str  # Material icons ship with Streamlit's frontend: no emoji font needed on the screen
    section: str
    roles: tuple[str, ...]
    public: bool = False  # opens without login when IHS_PUBLIC_DASHBOARDS=1
    default: bool = False

    @property
    def url_path(self) -> str:
        return self.path.removeprefix("pages/").removesuffix(".py")


PAGES: list[PageSpec] = [
    PageSpec(
        "pages/accueil.py", "Vue d'ensemble", ":material/home:", "Tableaux de bord", ALL, public=True, default=True
    ),
    PageSpec("pages/carte.py", "Carte des secteurs", ":material/map:", "Tableaux de bord", ALL, public=True),
    PageSpec(
        "pages/calendrier.py",
        "Calendrier des déploiements",
        ":material/calendar_month:",
        "Tableaux de bord",
        ALL,
        public=True,
    ),
    PageSpec(
        "pages/adhesion.py", "Abonnés et adhésion", ":material/trending_up:", "Tableaux de bord", ALL, public=True
    ),
    PageSpec(
        "pages/accompagnement.py", "Accompagnement", ":material/support_agent:", "Tableaux de bord", ALL, public=True
    ),
    PageSpec(
        "pages/sensibilisation.py", "Sensibilisation", ":material/campaign:", "Tableaux de bord", ALL, public=True
    ),
    PageSpec("pages/secteur.py", "Fiche secteur", ":material/location_city:", "Tableaux de bord", ALL, public=True),
    PageSpec(
        "pages/presentation.py", "Mode présentation", ":material/slideshow:", "Tableaux de bord", ALL, public=True
    ),
    PageSpec("pages/scrutin_direct.py", "Scrutin en direct", ":material/how_to_vote:", "Scrutin", ALL, public=True),
    PageSpec(
        "pages/participation.py",
        "Saisie de la participation",
        ":material/edit_note:",
        "Scrutin",
        ("coordinator", "landlord"),
    ),
    PageSpec("pages/depouillement.py", "Dépouillement", ":material/calculate:", "Scrutin", ("coordinator", "landlord")),
    PageSpec(
        "pages/scrutin_preparer.py", "Préparer un scrutin", ":material/build:", "Scrutin", ("coordinator", "landlord")
    ),
    PageSpec(
        "pages/saisie_evenements.py",
        "Saisie des événements",
        ":material/event:",
        "Saisie",
        ("coordinator", "landlord", "partner"),
    ),
    PageSpec(
        "pages/saisie_visites.py",
        "Visites et accompagnement",
        ":material/door_front:",
        "Saisie",
        ("coordinator", "landlord", "partner"),
    ),
    PageSpec(
        "pages/imports.py",
        "Imports (abonnés, emménagements)",
        ":material/upload_file:",
        "Saisie",
        ("coordinator", "landlord", "operator"),
    ),
    PageSpec("pages/mes_saisies.py", "Mes saisies", ":material/folder_open:", "Saisie", ENTRY),
    PageSpec("pages/planifier.py", "Planifier un secteur", ":material/explore:", "Coordination", ("coordinator",)),
    PageSpec("pages/comite.py", "Comité de pilotage", ":material/groups:", "Coordination", ("coordinator",)),
    PageSpec(
        "pages/rapport.py", "Rapport annuel et exports", ":material/description:", "Coordination", ("coordinator",)
    ),
    PageSpec(
        "pages/journal.py", "Journal des modifications", ":material/manage_search:", "Coordination", ("coordinator",)
    ),
    PageSpec("pages/utilisateurs.py", "Utilisateurs", ":material/manage_accounts:", "Coordination", ("coordinator",)),
    PageSpec("pages/mise_en_place.py", "Mise en place", ":material/checklist:", "Administration", ("coordinator",)),
    PageSpec(
        "pages/admin_organisations.py", "Organisations", ":material/corporate_fare:", "Administration", ("coordinator",)
    ),
    PageSpec("pages/admin_secteurs.py", "Secteurs", ":material/holiday_village:", "Administration", ("coordinator",)),
    PageSpec("pages/admin_offres.py", "Offres et tarifs", ":material/euro:", "Administration", ("coordinator",)),
    PageSpec("pages/admin_parametres.py", "Paramètres", ":material/tune:", "Administration", ("coordinator",)),
    PageSpec("pages/aide.py", "Guide d'utilisation", ":material/help:", "Aide", ALL, public=True),
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

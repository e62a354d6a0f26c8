"""The page registry: each page, its menu section and the permission it needs.

Who may open a page follows from what it needs and what each role may do (`ihs.users.PERMISSIONS`,
the one list of roles' rights): `app.py` registers only the pages of the current role; each entry
page also checks the role itself (`ihs.ui.auth.require_page`), since a hidden page opens by URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from ihs.users import role_can
from ihs.vocab import ROLES

READ = ("read",)  # every role may read the dashboards
ANY_ENTRY = ("events", "visits", "subscribers", "move_ins")  # any entry: « Mes saisies »


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its file, menu title, icon and section, the permissions that open it,
    whether it opens without login (IHS_PUBLIC_DASHBOARDS=1), and whether it is the default page."""

    path: str  # file under pages/
    title: str
    icon: str  # Material icons ship with Streamlit's frontend: no emoji font needed on the screen
    section: str
    needs: tuple[str, ...]  # permissions (`ihs.users.PERMISSIONS`); any one of them opens the page
    public: bool = False  # opens without login when IHS_PUBLIC_DASHBOARDS=1
    default: bool = False

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that may open the page."""
        return tuple(role for role in ROLES if any(role_can(role, need) for need in self.needs))

    @property
    def url_path(self) -> str:
        """The page's URL path: its file name under pages/, without .py."""
        return self.path.removeprefix("pages/").removesuffix(".py")


PAGES: list[PageSpec] = [
    PageSpec(
        "pages/accueil.py", "Vue d'ensemble", ":material/home:", "Tableaux de bord", READ, public=True, default=True
    ),
    PageSpec("pages/carte.py", "Carte des secteurs", ":material/map:", "Tableaux de bord", READ, public=True),
    PageSpec(
        "pages/calendrier.py",
        "Calendrier des déploiements",
        ":material/calendar_month:",
        "Tableaux de bord",
        READ,
        public=True,
    ),
    PageSpec(
        "pages/adhesion.py", "Abonnés et adhésion", ":material/trending_up:", "Tableaux de bord", READ, public=True
    ),
    PageSpec(
        "pages/accompagnement.py", "Accompagnement", ":material/support_agent:", "Tableaux de bord", READ, public=True
    ),
    PageSpec(
        "pages/sensibilisation.py", "Sensibilisation", ":material/campaign:", "Tableaux de bord", READ, public=True
    ),
    PageSpec("pages/secteur.py", "Fiche secteur", ":material/location_city:", "Tableaux de bord", READ, public=True),
    PageSpec(
        "pages/presentation.py", "Mode présentation", ":material/slideshow:", "Tableaux de bord", READ, public=True
    ),
    PageSpec("pages/scrutin_direct.py", "Scrutin en direct", ":material/how_to_vote:", "Scrutin", READ, public=True),
    PageSpec(
        "pages/participation.py",
        "Saisie de la participation",
        ":material/edit_note:",
        "Scrutin",
        ("turnout",),
    ),
    PageSpec("pages/depouillement.py", "Dépouillement", ":material/calculate:", "Scrutin", ("count",)),
    PageSpec("pages/scrutin_preparer.py", "Préparer un scrutin", ":material/build:", "Scrutin", ("ballots",)),
    PageSpec(
        "pages/saisie_evenements.py",
        "Saisie des événements",
        ":material/event:",
        "Saisie",
        ("events",),
    ),
    PageSpec(
        "pages/saisie_visites.py",
        "Visites et accompagnement",
        ":material/door_front:",
        "Saisie",
        ("visits",),
    ),
    PageSpec(
        "pages/imports.py",
        "Imports (abonnés, emménagements)",
        ":material/upload_file:",
        "Saisie",
        ("subscribers", "move_ins"),
    ),
    PageSpec("pages/mes_saisies.py", "Mes saisies", ":material/folder_open:", "Saisie", ANY_ENTRY),
    PageSpec("pages/planifier.py", "Planifier un secteur", ":material/explore:", "Coordination", ("deployments",)),
    PageSpec("pages/comite.py", "Comité de pilotage", ":material/groups:", "Coordination", ("meetings",)),
    PageSpec("pages/rapport.py", "Rapport annuel et exports", ":material/description:", "Coordination", ("report",)),
    PageSpec("pages/journal.py", "Journal des modifications", ":material/manage_search:", "Coordination", ("audit",)),
    PageSpec("pages/utilisateurs.py", "Utilisateurs", ":material/manage_accounts:", "Coordination", ("users",)),
    PageSpec("pages/mise_en_place.py", "Mise en place", ":material/checklist:", "Administration", ("reference",)),
    PageSpec(
        "pages/admin_organisations.py", "Organisations", ":material/corporate_fare:", "Administration", ("reference",)
    ),
    PageSpec("pages/admin_secteurs.py", "Secteurs", ":material/holiday_village:", "Administration", ("reference",)),
    PageSpec("pages/admin_offres.py", "Offres et tarifs", ":material/euro:", "Administration", ("reference",)),
    PageSpec("pages/admin_parametres.py", "Paramètres", ":material/tune:", "Administration", ("settings",)),
    PageSpec("pages/aide.py", "Guide d'utilisation", ":material/help:", "Aide", READ, public=True),
]


def pages_for(role: str | None, *, public: bool = False) -> list[PageSpec]:
    """Pages a role may open; with no role, the public dashboards when `public` is set."""
    if role is None:
        return [p for p in PAGES if p.public] if public else []
    return [p for p in PAGES if role in p.roles]


def spec_for(path: str) -> PageSpec:
    """The registered page of file `path` (KeyError when there is none)."""
    for page in PAGES:
        if page.path == path:
            return page
    raise KeyError(path)

"""Streamlit's own words in French, and a French message when a page fails.

Streamlit 1.67 has no interface language. Where it has an option, the app uses it
(`.streamlit/config.toml`: no ⋮ menu, no « Ask Google » links; the widgets' `placeholder`,
`format`…). What it writes itself with no option — the file uploader's « Upload » and
« 20MB per file », a list's « No results », a chart's « Show data », « Running... » and
« Stop », « Skip to main content », a date's « dd/mm/yyyy », and the accessible names of
its buttons — is replaced in the browser: `install()` adds, once per tab, a script that
swaps those exact strings for French ones as Streamlit draws them (text, and the
`aria-label`, `title` and `placeholder` a screen reader reads), and sets the page's
language to French so that a screen reader speaks it with a French voice. It never
changes the app's own text (Markdown, tables, metrics). What it cannot reach is listed
in README (« Limites connues de Streamlit »).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import streamlit as st

from ihs import clock

log = logging.getLogger("ihs.ui.french")

# Streamlit's exact words (English) → French. Found in the app's pages, in its
# frontend bundle (streamlit/static/static/js) and on screen; tests/e2e/test_french.py
# walks every page as each role and fails on an English word left.
PHRASES: dict[str, str] = {
    # page frame, menu and status
    "Skip to main content": "Aller au contenu principal",
    "App pages": "Pages de l'application",
    "Sidebar": "Menu",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "View less": "Voir moins",
    "Main menu": "Menu principal",
    "Link to heading": "Lien vers ce titre",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Stopping...": "Arrêt en cours…",
    "Page not found": "Page introuvable",
    "The page that you have requested does not seem to exist": "La page demandée n'existe pas",
    "Close": "Fermer",
    "Dismiss": "Fermer",
    "Copy": "Copier",
    "Copied": "Copié",
    "Retry": "Réessayer",
    "Try again": "Réessayer",
    "Cancel": "Annuler",
    "Done": "Terminé",
    # connection lost (the server restarts, the network drops)
    "Connecting": "Connexion…",
    "Connection error": "Connexion perdue",
    "Please wait...": "Patientez…",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:": (
        "Le serveur ne répond plus : réessayez dans un instant ; si cela dure, prévenez la coordination."
    ),
    "Streamlit server is not responding. Are you connected to the internet?": (
        "Le serveur ne répond pas : vérifiez la connexion internet de cet appareil."
    ),
    "Connection lost. Please wait for the app to reconnect, then try again.": (
        "Connexion perdue : attendez que l'application se reconnecte, puis réessayez."
    ),
    "Unable to connect to Streamlit server": "Impossible de joindre le serveur",
    "Connection timed out.": "Le serveur met trop de temps à répondre.",
    "Network error": "Erreur réseau",
    # an error Streamlit shows itself (outside a page: a callback, a fragment's own rerun)
    "This app has encountered an error. The original error message is redacted to prevent data leaks. Full error "
    "details have been recorded in the logs (if you're on Streamlit Cloud, click on 'Manage app' in the lower right "
    "of your app).": (
        "Une erreur est survenue. Elle est enregistrée dans le journal du serveur : rechargez la page ; "
        "si elle revient, prévenez la coordination."
    ),
    # file uploader
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir des dossiers",
    "Add files": "Ajouter des fichiers",
    "file upload": "Choisir un fichier",
    "Drag and drop a file here": "Déposez un fichier ici",
    "Drag and drop files here": "Déposez des fichiers ici",
    "Drag and drop directories here": "Déposez des dossiers ici",
    "Error uploading file": "Le fichier n'a pas pu être envoyé",
    "Error deleting file": "Le fichier n'a pas pu être retiré",
    "Remove file": "Retirer le fichier",
    "Delete": "Supprimer",
    # select boxes and multiselects
    "Choose an option": "Choisir…",
    "Choose options": "Choisir…",
    "Select...": "Choisir…",
    "No results": "Aucun résultat",
    "No options to select": "Aucun choix possible",
    "Open": "Ouvrir la liste",
    "Clear value": "Effacer",
    "Clear all": "Tout effacer",
    "Select all": "Tout sélectionner",
    "Selected values": "Valeurs choisies",
    "Selectbox options": "Choix possibles",
    "Multiselect options": "Choix possibles",
    # dates
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Clear date": "Effacer la date",
    "Clear dates": "Effacer les dates",
    "Empty": "Vide",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": (
        "Flèches pour changer de jour, Entrée pour choisir, Échap pour fermer."
    ),
    # text fields
    "Press Enter to apply": "Entrée pour valider",
    "Press Enter to submit form": "Entrée pour envoyer le formulaire",
    "Press Ctrl+Enter to apply": "Ctrl+Entrée pour valider",
    "Press Ctrl+Enter to submit form": "Ctrl+Entrée pour envoyer le formulaire",
    "Press ⌘+Enter to apply": "⌘+Entrée pour valider",
    "Press ⌘+Enter to submit form": "⌘+Entrée pour envoyer le formulaire",
    # tables and charts: their toolbar (shown on hover or keyboard focus) and menus
    # (not « Télécharger (PNG) » / « Tableau (CSV) »: the app's own buttons under each chart)
    "Download as CSV": "Exporter (CSV)",
    "Download as PNG": "Exporter l'image (PNG)",
    "Search": "Rechercher",
    "Type to search": "Tapez pour rechercher",
    "Close Search": "Fermer la recherche",
    "Next Result": "Résultat suivant",
    "Previous Result": "Résultat précédent",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Show data": "Voir les données",
    "Show chart": "Voir le graphique",
    "Copy Vega-Lite spec": "Copier la définition du graphique",
    "Sort ascending": "Tri croissant",
    "Sort descending": "Tri décroissant",
    "Pin column": "Figer la colonne",
    "Unpin column": "Libérer la colonne",
    "Hide column": "Masquer la colonne",
    "Copy column name": "Copier le nom de la colonne",
    "Autosize": "Largeur automatique",
    "Statistics": "Statistiques",
    "Clear selection": "Effacer la sélection",
    "Loading...": "Chargement…",
    "No data": "Aucune donnée",
    "Toolbar action": "Action",
    # Vega's descriptions of a chart's parts, read by screen readers
    "visualization": "graphique",
    "axis": "axe",
    "legend": "légende",
    "bar": "barre",
    "line": "ligne",
    "area": "aire",
    "circle": "cercle",
    "rule": "trait",
    "text": "texte",
    "geoshape": "zone",
    "shape": "forme",
    "rect": "rectangle",
    "symbol": "symbole",
    "group": "groupe",
    "tick": "graduation",
    "title": "titre",
    # streamlit-authenticator's cookie component: an invisible frame, named for screen readers
    "extra_streamlit_components.CookieManager.cookie_manager": "Cookie de connexion (invisible)",
}

_SCRIPT = """
(() => {
  if (window.__ihsFrench) return;
  window.__ihsFrench = true;
  const PHRASES = %(phrases)s;
  const UNITS = {B: "o", KB: "Ko", MB: "Mo", GB: "Go"};
  const size = (n, u) => n.replace(".", ",") + "\\u00a0" + (UNITS[u] || u);
  const PATTERNS = [
    [/^(\\d+(?:\\.\\d+)?)(B|KB|MB|GB) per file$/, (m, n, u) => size(n, u) + " par fichier"],
    [/^(\\d+(?:\\.\\d+)?)(B|KB|MB|GB)$/, (m, n, u) => size(n, u)],
    [/^(.+), (\\d+(?:\\.\\d+)?)(B|KB|MB|GB)$/, (m, f, n, u) => f + ", " + size(n, u)],
    [/^(.+) files are not allowed\\.$/, (m, t) => "Fichiers " + t + " refusés."],
    [/^File must be (.+) or smaller\\.$/, (m, s) => "Le fichier doit faire au plus " + s + "."],
    [/^View (\\d+) more$/, (m, n) => "Voir " + n + " de plus"],
    [/^Select (\\d+) matches$/, (m, n) => "Choisir les " + n + " résultats"],
    [/^Remove (.+)$/, (m, v) => "Retirer " + v],
    [/^You can only select up to (\\d+) .+\\. Remove an option first\\.$/,
      (m, n) => "Au plus " + n + " choix : retirez-en un d'abord."],
    [/^(day|month|year), (.+)$/, (m, p, l) => ({day: "jour", month: "mois", year: "année"}[p]) + ", " + l],
    [/^(.+) (start|end) date$/, (m, l, p) => l + (p === "start" ? ", début" : ", fin")],
    // A toolbar button named after its element: « Show data: » and the chart's alt.
    [/^([A-Z][^:]*): (.+)$/, (m, a, l) => (PHRASES[a] ? PHRASES[a] + " : " + l : undefined)],
    [/^Title text '(.*)'$/, (m, t) => "Titre : " + t],
    [/^(.+) mark container$/, (m, k) => "groupe de " + (PHRASES[k] || k)],
    [/^([XY])-axis titled '(.*)' for a .*$/, (m, a, t) => "Axe " + a + " : " + t],
    [/^([XY])-axis for a .*$/, (m, a) => "Axe " + a],
    [/^(.+) legend titled '(.*)' for .*$/, (m, k, t) => "Légende : " + t],
    [/^(.+) legend for .*$/, () => "Légende"],
    [/^Running the app's main page\\.$/, () => "Retour à la page d'accueil."],
    [/^(.+)\\. Running the app's main page\\.$/, (m, p) => (PHRASES[p] || p) + " : retour à la page d'accueil."],
  ];
  // Only inside a date field: its empty parts (a day called « dd » elsewhere stays as it is).
  const DATE_PARTS = {dd: "jj", mm: "mm", yyyy: "aaaa"};
  const ATTRS = ["aria-label", "title", "placeholder", "aria-roledescription", "aria-valuetext", "alt"];
  // The app's own text (already French, and maybe a partner's words): never touched.
  // (A widget's label or a button's is the app's too, but Streamlit's own buttons are drawn the
  // same way: those labels are left to the exact-match list.)
  const APP_TEXT = "[data-testid=stMarkdown], [data-testid=stCaptionContainer], [data-testid=stHeading], " +
    "[data-testid=stAlert], [data-testid=stWidgetLabel], [data-testid=stMetric], [data-testid=stTable], " +
    "[data-testid=stCode], [data-testid=stJson], [data-testid=stExpander] summary";
  const french = (value, el) => {
    const t = value.trim();
    if (!t) return null;
    let out = PHRASES[t];
    if (out === undefined && el && el.closest("[data-testid=stDateInputField]")) out = DATE_PARTS[t];
    if (out === undefined) {
      for (const [re, f] of PATTERNS) {
        const m = t.match(re);
        const found = m ? f(...m) : undefined;
        if (found !== undefined) { out = found; break; }
      }
    }
    return out === undefined || out === t ? null : value.replace(t, out);
  };
  const text = (node) => {
    const el = node.parentElement;
    if (!el || el.closest(APP_TEXT) || el.closest("script, style")) return;
    const out = french(node.nodeValue, el);
    if (out !== null) node.nodeValue = out;
  };
  const attrs = (el) => {
    for (const a of ATTRS) {
      const v = el.getAttribute(a);
      if (!v) continue;
      const out = french(v, el);
      if (out !== null) el.setAttribute(a, out);
    }
  };
  const SELECTOR = ATTRS.map((a) => "[" + a + "]").join(",");
  const walk = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return text(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    attrs(root);
    root.querySelectorAll(SELECTOR).forEach(attrs);
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) text(n);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") r.addedNodes.forEach(walk);
      else if (r.type === "characterData") text(r.target);
      else attrs(r.target);
    }
    if (document.documentElement.lang !== "fr") document.documentElement.lang = "fr";
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS.concat(["lang"]),
  });
  document.documentElement.lang = "fr";
  walk(document.body);
})();
"""

# The script's element is empty; without this it would still take a gap at the top of the page.
_HIDE = '[data-testid="stElementContainer"]:has(#ihs-french) { display: none; }'


def script() -> str:
    """The browser script (tested on its own in tests/e2e/test_french.py)."""
    return _SCRIPT % {"phrases": json.dumps(PHRASES, ensure_ascii=False)}


def install() -> None:
    """Streamlit's own words in French in this browser tab (a no-op after the first run)."""
    st.html(
        f'<style>{_HIDE}</style><script id="ihs-french">{script()}</script>',
        unsafe_allow_javascript=True,  # our own constant script, no user text in it
    )


def run_page(run: Callable[[], object]) -> None:
    """Run the page; if it fails, say so in French (Streamlit's own box is in English) and log it.

    Streamlit's stop and rerun are not `Exception`s: they pass through.
    """
    try:
        run()
    except Exception:
        reference = clock.now().strftime("%d/%m %H:%M:%S")
        log.exception("page failed (reference %s)", reference)
        st.error(
            "Cette page a rencontré une erreur et ne peut pas s'afficher entièrement. L'erreur est "
            f"enregistrée dans le journal du serveur (référence {reference}) : rechargez la page ; si elle "
            "revient, prévenez la coordination en donnant cette référence.",
            icon=":material/error:",
        )

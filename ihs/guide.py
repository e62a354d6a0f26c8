"""The partners' user guide (`docs/guide.md`), also shown in the app (page « Guide d'utilisation »)."""

from __future__ import annotations

from ihs.settings import ROOT

GUIDE = ROOT / "docs" / "guide.md"


def user_guide() -> str:
    """The guide's Markdown, as shipped with this version of the app."""
    return GUIDE.read_text(encoding="utf-8")

"""Project-wide promises: documented settings, pinned dependencies, registered pages exist."""

import re
from pathlib import Path

from ihs.settings import ROOT, SETTINGS_DOC
from ihs.ui.nav import PAGES


def test_every_setting_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in SETTINGS_DOC if f"`{name}`" not in readme]
    assert missing == []


def test_dependencies_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("-r "):
                continue
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.\-+]+", line), f"{name}: {line!r} is not pinned"


def test_every_registered_page_exists_and_is_built():
    for page in PAGES:
        path = Path(ROOT / page.path)
        assert path.exists(), page.path
        assert "en construction" not in path.read_text(encoding="utf-8"), f"{page.path} is still a placeholder"


def test_streamlit_config_options_are_commented():
    lines = (ROOT / ".streamlit" / "config.toml").read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("#"), f"config.toml option without a comment: {line}"


def test_layers_ihs_has_no_streamlit_and_pages_have_no_sql():
    for path in (ROOT / "ihs").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "ihs").parts:
            continue
        assert not re.search(r"^\s*(import streamlit|from streamlit)", path.read_text(), re.M), path
    for path in (ROOT / "pages").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"sqlalchemy|\bselect\(|SELECT |INSERT |UPDATE ", text), path


def _public_definitions() -> dict[str, list[str]]:
    """Top-level public function and class names of `ihs` → the modules defining them."""
    import ast

    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "ihs").rglob("*.py")):
        if "migrations" in path.parts:  # Alembic wants `upgrade` and `downgrade` in every revision
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                found.setdefault(node.name, []).append(module)
    return found


def test_no_two_public_functions_of_ihs_share_a_name():
    # One home per concept: a name says which function it is, wherever it is imported.
    shared = {name: modules for name, modules in _public_definitions().items() if len(modules) > 1}
    assert shared == {}


def test_no_module_imports_a_private_name_of_another():
    import ast

    offenders = []
    for folder in ("ihs", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ihs"):
                    offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert offenders == []

"""SQL goes only through bound parameters: no SQL text built from strings, and a payload stays data."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from ihs.settings import ROOT

# Calls whose first argument is SQL text.
SQL_SINKS = {"text", "execute", "exec_driver_sql", "executescript", "executemany", "read_sql", "read_sql_query"}
SOURCES = [
    *sorted(
        [p for p in (ROOT / "ihs").rglob("*.py") if "versions" not in p.parts] + list((ROOT / "pages").glob("*.py"))
    ),
    ROOT / "app.py",
]


def _built_string(node: ast.AST, assigned: dict[str, ast.AST]) -> bool:
    """True if `node` is a string made at run time: f-string, %, + or .format()."""
    if isinstance(node, ast.Name) and node.id in assigned:
        return _built_string(assigned[node.id], {})
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return any(isinstance(side, ast.Constant | ast.JoinedStr) for side in (node.left, node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return isinstance(node.func.value, ast.Constant)
    return False


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for scope in [tree, *[n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]]:
        assigned = {
            target.id: node.value
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in SQL_SINKS and _built_string(node.args[0], assigned):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(<built string>)")
    return sorted(set(found))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_is_built_from_strings(path):
    assert _violations(path) == []


def test_the_scanner_catches_what_it_should(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from sqlalchemy import text\n"
        "def f(conn, name):\n"
        "    conn.execute(text(f\"SELECT * FROM sector WHERE code = '{name}'\"))\n"
        "    q = 'DELETE FROM event WHERE id = %s' % name\n"
        "    conn.exec_driver_sql(q)\n"
        "    conn.execute(text('SELECT {}'.format(name)))\n"
        "    conn.execute(text('SELECT * FROM sector WHERE code = :c'), {'c': name})\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(_violations(bad)) == 3
    finally:
        ROOT = saved


def test_ruff_flags_sql_injection_s608_in_ihs_and_pages():
    config = (ROOT / "pyproject.toml").read_text()
    assert '"S608"' in config, "ruff's S608 (SQL built from strings) must stay enabled"
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "ruff"),
            "check",
            "--select",
            "S608",
            "--no-cache",
            "ihs",
            "pages",
            "app.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout

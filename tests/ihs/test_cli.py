"""The admin CLI: each command works, and bad arguments get one line and exit status 2."""

import json
import subprocess
import sys

import pytest

from ihs.cli import main


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_summary_json_matches_public_figures(db_url, capsys):
    code, out, _ = run(capsys, "--url", db_url, "summary", "--as-of", "2022-12-09", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["sectors_deployed"] == 12
    assert data["subscribers"] == 1789
    assert round(data["uptake"], 2) == 0.19
    for key in ("as_of", "dwellings_covered", "monthly_price_eur"):
        assert key in data
    _, out, _ = run(capsys, "--url", db_url, "summary", "--as-of", "2023-01-01", "--json")
    assert json.loads(out)["monthly_price_eur"] == 1.24


def test_summary_text_is_french(db_url, capsys):
    code, out, _ = run(capsys, "--url", db_url, "summary", "--as-of", "2022-12-09")
    assert code == 0
    assert "1\u202f789" in out and "19\u00a0%" in out and "09/12/2022" in out


@pytest.mark.parametrize(
    "args",
    [
        ["summary", "--as-of", "2022-13-01"],
        ["summary", "--as-of", "hier"],
        ["frobnicate"],
        ["demo"],
        ["users", "add"],
        ["export", "sector", "--format", "pdf"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(db_url, capsys, args):
    code, _out, err = run(capsys, "--url", db_url, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "erreur" in err


def test_unknown_table_is_refused(db_url, capsys):
    code, _, err = run(capsys, "--url", db_url, "export", "nope")
    assert code == 2 and "table inconnue" in err


def _demo_mode(monkeypatch, on: bool) -> None:
    from ihs.settings import get_settings

    monkeypatch.setenv("IHS_DEMO", "1" if on else "0")
    get_settings.cache_clear()


def test_demo_load_is_refused_outside_demo_mode(empty_db_url, capsys, monkeypatch):
    """The demo adds accounts with published passwords: never on a database of a real server."""
    from sqlalchemy import create_engine, func, select

    from ihs.models import User

    assert run(capsys, "--url", empty_db_url, "db", "upgrade")[0] == 0
    _demo_mode(monkeypatch, False)
    code, _out, err = run(capsys, "--url", empty_db_url, "demo", "load")
    assert code == 1 and "mode démo (IHS_DEMO=1)" in err and "Rien n'a été chargé" in err
    engine = create_engine(empty_db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 0
    engine.dispose()
    _demo_mode(monkeypatch, True)


def test_db_upgrade_and_demo_load_on_empty_database(empty_db_url, capsys, monkeypatch):
    _demo_mode(monkeypatch, True)
    assert run(capsys, "--url", empty_db_url, "db", "upgrade")[0] == 0
    code, out, _ = run(capsys, "--url", empty_db_url, "demo", "load")
    assert code == 0 and "chargées" in out
    code, out, _ = run(capsys, "--url", empty_db_url, "demo", "load")
    assert code == 0 and "rien n'a été chargé" in out


def test_users_add_list_disable(db_url, capsys, monkeypatch):
    monkeypatch.setenv("PW", "mot-de-passe-solide")
    code, out, _ = run(
        capsys,
        "--url",
        db_url,
        "users",
        "add",
        "marie",
        "--name",
        "Marie",
        "--role",
        "coordinator",
        "--password-env",
        "PW",
    )
    assert code == 0, out
    code, out, _ = run(capsys, "--url", db_url, "users", "list")
    assert "marie" in out and "coordinator" in out and "mot-de-passe" not in out
    assert run(capsys, "--url", db_url, "users", "disable", "marie")[0] == 0
    monkeypatch.setenv("PW", "court")
    code, _, err = run(
        capsys, "--url", db_url, "users", "add", "paul", "--name", "Paul", "--role", "viewer", "--password-env", "PW"
    )
    assert code == 2 and "au moins 8" in err
    code, _, err = run(capsys, "--url", db_url, "users", "disable", "personne")
    assert code == 2 and "inconnu" in err


def test_export_csv_for_french_excel(db_url, capsys):
    code, out, _ = run(capsys, "--url", db_url, "export", "sector", "--format", "csv")
    assert code == 0
    assert "Code;Nom;Type" in out and "Kerourien" in out


def test_export_xlsx_and_backup(db_url, capsys, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "sector.xlsx"
    assert run(capsys, "--url", db_url, "export", "sector", "--format", "xlsx", "--out", str(target))[0] == 0
    sheet = load_workbook(target).active
    assert sheet["C1"].value == "Nom"
    code, out, _ = run(capsys, "--url", db_url, "backup", "--to", str(tmp_path / "b.db"))
    assert code == 0
    assert ("sauvegarde écrite" in out and (tmp_path / "b.db").exists()) or out.startswith("pg_dump")


def test_help_on_every_command():
    for args in (
        ["--help"],
        ["db", "--help"],
        ["demo", "load", "--help"],
        ["summary", "--help"],
        ["users", "add", "--help"],
        ["backup", "--help"],
        ["export", "--help"],
    ):
        proc = subprocess.run([sys.executable, "-m", "ihs", *args], capture_output=True, text=True, check=False)
        assert proc.returncode == 0 and "usage" in proc.stdout

"""Imports page: preview before writing, errors per row, only-valid choice, idempotent re-import."""

from sqlalchemy import func, select

from ihs.formats import md_text
from ihs.models import AuditLog, SubscriberCount
from ihs.settings import DATA_DIR
from tests.apptest import metric, open_page, texts

SAMPLE = DATA_DIR / "samples" / "abonnes_operateur.csv"


def _rows(engine, model=SubscriberCount) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _upload(at, name: str, data: bytes, mime="text/csv"):
    at.file_uploader[0].set_value((name, data, mime))
    at.run()
    return at


def test_operator_previews_then_imports_then_reimport_changes_nothing(app_db):
    at = open_page("operator", "imports")
    assert not at.exception
    assert [r.options for r in at.radio] == [["Abonnés (opérateur)"]]
    before = _rows(app_db)
    _upload(at, "abonnes_operateur.csv", SAMPLE.read_bytes())
    assert metric(at, "Nouvelles lignes") == "12" and metric(at, "En erreur") == "0"
    assert len(at.dataframe[0].value) == 12
    assert _rows(app_db) == before, "the preview writes nothing"
    at.button(key="imp_go").click().run()
    assert not at.exception
    assert "Import terminé : 12 ligne(s) ajoutée(s)" in texts(at)
    assert _rows(app_db) == before + 12
    audit = _rows(app_db, AuditLog)
    at = open_page("operator", "imports")
    _upload(at, "abonnes_operateur.csv", SAMPLE.read_bytes())
    assert metric(at, "Inchangées") == "12"
    assert "déjà importé" in texts(at)
    assert _rows(app_db) == before + 12 and _rows(app_db, AuditLog) == audit


def test_rows_with_errors_block_the_import_unless_only_valid(app_db):
    data = "Secteur;Date;Abonnés\nPontanézen;20/11/2026;220\nAtlantide;20/11/2026;10\nKeredern;20/11/2026;-3\n"
    at = open_page("coordinator", "imports")
    _upload(at, "f.csv", data.encode("latin-1"))
    assert metric(at, "En erreur") == "2"
    table = at.dataframe[0].value
    errors = " ".join(table["Erreurs"])
    assert "Secteur inconnu : « Atlantide »" in errors and "négatif" in errors
    assert at.button(key="imp_go").disabled
    before = _rows(app_db)
    at.checkbox(key="imp_only_valid").check().run()
    at.button(key="imp_go").click().run()
    assert "1 ligne(s) ajoutée(s)" in texts(at) and "2 ligne(s) en erreur ignorée(s)" in texts(at)
    assert _rows(app_db) == before + 1


def test_unlikely_rows_are_shown_and_need_a_tick_before_importing(app_db):
    # Keranroux is in its information period in the demo: subscribers there are unlikely.
    data = "Secteur;Date;Abonnés\nKeranroux;20/11/2026;15\nKeredern;20/11/2026;207\n"
    at = open_page("operator", "imports")
    _upload(at, "f.csv", data.encode("utf-8"))
    assert not at.exception and metric(at, "En erreur") == "0"
    table = at.dataframe[0].value
    assert table["À vérifier"].iloc[0] == (
        "Abonnés dans un secteur dont la mise en œuvre n'a pas commencé : vérifiez le secteur."
    )
    assert "1 ligne(s) à vérifier" in texts(at)
    # Named under the warning too: on a phone the table's last column is off screen.
    message = "Abonnés dans un secteur dont la mise en œuvre n'a pas commencé : vérifiez le secteur."
    assert f"- Ligne 2 (Keranroux) : {md_text(message)}" in at.warning[-1].value
    assert at.button(key="imp_go").disabled
    before = _rows(app_db)
    at.checkbox(key="imp_ack").check().run()
    assert not at.button(key="imp_go").disabled
    at.button(key="imp_go").click().run()
    assert "Import terminé : 2 ligne(s) ajoutée(s)" in texts(at)
    assert _rows(app_db) == before + 2


def test_broken_files(app_db):
    at = open_page("operator", "imports")
    for name, data, message in [
        ("vide.csv", b"", "Le fichier est vide."),
        ("faux.csv", b"Nom;Prenom\nA;B\n", "Colonnes introuvables"),
        ("pas_un_csv.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "pas un tableau"),
    ]:
        _upload(at, name, data)
        assert not at.exception
        assert any(message in e.value for e in at.error), name
        assert not at.button, "nothing to import"


def test_landlord_imports_move_ins_from_xlsx(app_db):
    at = open_page("landlord", "imports")
    assert [r.options for r in at.radio] == [["Emménagements (bailleur)"]]
    data = (DATA_DIR / "samples" / "emmenagements_bailleur.xlsx").read_bytes()
    _upload(
        at, "emmenagements_bailleur.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert metric(at, "En erreur") == "0"
    at.button(key="imp_go").click().run()
    assert "Import terminé" in texts(at)

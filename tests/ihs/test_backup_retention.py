"""The nightly backup's retention (deploy/ihs-backup.service: backup --dir D --keep-days N)."""

from __future__ import annotations

import os
import time

from ihs.cli import main


def test_backup_in_a_folder_keeps_n_days_and_only_its_own_files(db_url, tmp_path, capsys):
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    old = [folder / "ihs-20250101-023000.db", folder / "ihs-20250102-023000.dump"]
    recent = folder / "ihs-20250110-023000.db"
    by_hand = folder / "copie-avant-migration.db"  # not a name backup gives: never deleted
    for path in (*old, recent, by_hand):
        path.write_bytes(b"x")
    day = 86400
    for path in (*old, by_hand):
        os.utime(path, (time.time() - 15 * day, time.time() - 15 * day))
    os.utime(recent, (time.time() - 13 * day, time.time() - 13 * day))
    assert main(["--url", db_url, "backup", "--dir", str(folder), "--keep-days", "14"]) == 0
    out = capsys.readouterr().out
    left = sorted(p.name for p in folder.iterdir())
    written = [name for name in left if name not in {recent.name, by_hand.name}]
    assert len(written) == 1 and written[0].startswith("ihs-"), left
    assert recent.exists() and by_hand.exists() and not any(p.exists() for p in old)
    assert out.count("ancienne sauvegarde effacée") == 2


def test_a_retention_under_one_day_is_refused_before_anything_is_written(db_url, tmp_path, capsys):
    assert main(["--url", db_url, "backup", "--dir", str(tmp_path / "b"), "--keep-days", "0"]) == 2
    assert "au moins 1 jour" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_db_counts_lists_every_table(db_url, capsys):
    assert main(["--url", db_url, "db", "counts"]) == 0
    rows = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    assert int(rows["turnout_report"]) > 0 and int(rows["app_user"]) == 5 and "data_version" in rows

"""Admin command line: `python -m ihs --help`. Bad arguments: a one-line error, exit status 2."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

from ihs import clock


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {value} » : attendu AAAA-MM-JJ") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit status 2
        self.exit(2, f"{self.prog}: erreur : {message}\n")


def _fail(message: str) -> int:
    print(f"erreur : {message}", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command and option, with French help; a bad argument exits with status 2
    and a one-line message."""
    p = _Parser(prog="python -m ihs", description="Administration d'Internet en habitat social.")
    p.add_argument("--url", help="URL de la base (défaut : IHS_DATABASE_URL ou data/ihs.db)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    db = sub.add_parser("db", help="schéma de la base")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="met le schéma à jour (migrations Alembic)")
    db_sub.add_parser("current", help="affiche la révision du schéma")
    db_sub.add_parser("counts", help="nombre de lignes de chaque table (exercice de restauration)")

    demo = sub.add_parser("demo", help="données de démonstration")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True, parser_class=_Parser)
    load = demo_sub.add_parser("load", help="charge la démo si la base est vide")
    load.add_argument("--reset", action="store_true", help="efface tout puis recharge la démo")
    load.add_argument("--if-empty", action="store_true", help="ne rien dire si la base a déjà des données")

    summ = sub.add_parser("summary", help="chiffres clés à une date")
    summ.add_argument("--as-of", type=_date, help="date AAAA-MM-JJ (défaut : aujourd'hui)")
    summ.add_argument("--json", action="store_true", help="sortie JSON")

    users = sub.add_parser("users", help="comptes utilisateurs")
    users_sub = users.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    add = users_sub.add_parser("add", help="crée un compte")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="nom affiché")
    add.add_argument("--role", required=True, choices=["coordinator", "landlord", "operator", "partner", "viewer"])
    add.add_argument("--organisation", help="nom de l'organisation")
    add.add_argument("--email")
    add.add_argument(
        "--password-env",
        metavar="VAR",
        help="lit le mot de passe dans cette variable d'environnement (sinon : saisie masquée)",
    )
    users_sub.add_parser("list", help="liste les comptes")
    dis = users_sub.add_parser("disable", help="désactive un compte")
    dis.add_argument("username")

    sectors = sub.add_parser("sectors", help="secteurs du programme (référentiel)")
    sectors_sub = sectors.add_subparsers(dest="sectors_command", required=True, parser_class=_Parser)
    imp = sectors_sub.add_parser("import", help="crée ou met à jour des secteurs depuis un GeoJSON, CSV ou XLSX")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="vérifie seulement, n'écrit rien")
    imp.add_argument("--name-property", help="propriété GeoJSON du nom (défaut : nom, puis name)")
    imp.add_argument("--code-property", help="propriété GeoJSON du code (défaut : code)")
    imp.add_argument("--only-valid", action="store_true", help="importe les lignes correctes malgré les erreurs")
    sectors_sub.add_parser("list", help="un secteur par ligne")

    srv = sub.add_parser(
        "serve", help="vérifie la configuration de production puis démarre un serveur de l'application"
    )
    srv.add_argument("--port", type=int, default=8501, help="port du serveur (défaut : 8501)")
    srv.add_argument("--address", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1, derrière nginx)")
    srv.add_argument("--check", action="store_true", help="vérifie seulement, ne démarre pas")

    bk = sub.add_parser("backup", help="sauvegarde de la base")
    bk.add_argument("--to", type=Path, help="fichier de sauvegarde (défaut : data/backups/ihs-AAAAMMJJ-HHMMSS.db)")
    bk.add_argument("--dir", type=Path, help="dossier des sauvegardes datées (défaut : data/backups)")
    bk.add_argument(
        "--keep-days",
        type=int,
        metavar="N",
        help="efface ensuite les sauvegardes ihs-* de plus de N jours de leur dossier",
    )
    rs = sub.add_parser("restore", help="restaure une sauvegarde SQLite")
    rs.add_argument("source", type=Path)

    ex = sub.add_parser("export", help="exporte une table")
    ex.add_argument("table")
    ex.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    ex.add_argument("--out", type=Path, help="fichier de sortie (défaut : sortie standard pour CSV)")
    rp = sub.add_parser("report", help="rapport annuel (PowerPoint et PDF)")
    rp.add_argument("--year", type=int, required=True, help="année du rapport, ex. 2025")
    rp.add_argument("--pptx", type=Path, help="fichier PowerPoint à écrire")
    rp.add_argument("--pdf", type=Path, help="fichier PDF à écrire")

    bench = sub.add_parser("bench", help="mesure la vitesse des pages à l'échelle nationale")
    bench.add_argument("--json", action="store_true", help="un objet JSON par page")
    bench.add_argument("--writes", action="store_true", help="charge en écriture : 20 rédacteurs pendant 10 s")
    bench.add_argument("--sectors", type=int, default=1600, help="nombre de secteurs synthétiques")
    bench.add_argument("--scale", type=float, default=1.0, help="fraction du volume national (tests : 0.001)")
    bench.add_argument(
        "--url",
        default=argparse.SUPPRESS,  # given after `bench`, same as `python -m ihs --url … bench`
        help="mesure sur cette base (ex. PostgreSQL), construite si vide",
    )
    bench.add_argument("--bench-url", help="base de mesure (défaut : data/bench/bench.db)")
    bench.add_argument("--seconds", type=float, default=10.0, help="durée de la charge en écriture (défaut : 10)")
    bench.add_argument(
        "--processes",
        type=int,
        default=1,
        help="charge en écriture répartie sur N processus, comme N serveurs de l'application (défaut : 1)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command in `argv` (default: the process's arguments) and return its exit status;
    `--url` replaces IHS_DATABASE_URL for this run."""
    args = build_parser().parse_args(argv)
    if args.url:
        os.environ["IHS_DATABASE_URL"] = args.url
        from ihs.settings import get_settings

        get_settings.cache_clear()
    from ihs.db import get_engine

    handler = {
        "db": _db,
        "demo": _demo,
        "summary": _summary,
        "users": _users,
        "sectors": _sectors,
        "serve": _serve,
        "backup": _backup,
        "restore": _restore,
        "export": _export,
        "report": _report,
        "bench": _bench,
    }[args.command]
    return handler(args, get_engine())


def _db(args, engine) -> int:
    from ihs.migrate import current_revision, upgrade

    if args.db_command == "upgrade":
        upgrade(str(engine.url.render_as_string(hide_password=False)))
        print(f"schéma à jour (révision {current_revision()})")
    elif args.db_command == "counts":
        from sqlalchemy import func, select

        from ihs.models import Base

        with engine.connect() as conn:
            for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
                print(f"{table.name}\t{conn.execute(select(func.count()).select_from(table)).scalar_one()}")
    else:
        print(current_revision() or "base vide")
    return 0


def _demo(args, engine) -> int:
    from ihs.db import session_scope
    from ihs.demo import load_demo
    from ihs.settings import get_settings

    if not get_settings().demo:
        # The demo adds accounts whose passwords are published in README: never on a real server.
        print(
            "erreur : la démo n'est chargée qu'en mode démo (IHS_DEMO=1) ; elle ajoute des comptes dont les mots de "
            "passe sont publics. Rien n'a été chargé.",
            file=sys.stderr,
        )
        return 1
    with session_scope("cli", engine=engine) as s:
        loaded = load_demo(s, clock.today(), clock.now(), reset=args.reset)
    if loaded:
        print("données de démonstration chargées (chiffres illustratifs, étiquetés « démo »)")
    elif not args.if_empty:
        print("la base contient déjà des données : rien n'a été chargé (utilisez --reset pour tout recharger)")
    return 0


def _sectors(args, engine) -> int:
    from ihs.formats import fr_date, fr_int

    if args.sectors_command == "list":
        import pandas as pd

        from ihs.reference import list_sectors

        for r in list_sectors(engine).itertuples(index=False):
            dwellings = f"{fr_int(r.dwellings)} logements" if pd.notna(r.dwellings) else "logements à saisir"
            offer = r.offer if isinstance(r.offer, str) else "aucune offre"
            archived = f" ; archivé le {fr_date(r.archived_on)}" if pd.notna(r.archived_on) else ""
            print(f"{r.code}\t{r.name}\t{r.kind_label}\t{dwellings}\t{offer}{archived}")
        return 0
    from ihs.db import session_scope
    from ihs.imports import ImportFileError
    from ihs.refimport import import_sectors, preview_table
    from ihs.users import SYSTEM

    if not args.file.is_file():
        return _fail(f"fichier introuvable : {args.file}")
    data = args.file.read_bytes()
    try:
        with session_scope("cli", engine=engine, reason=f"import de secteurs {args.file.name}") as s:
            rows, written = import_sectors(
                s,
                SYSTEM,
                args.file.name,
                data,
                name_property=args.name_property,
                code_property=args.code_property,
                only_valid=args.only_valid,
                dry_run=args.dry_run,
            )
    except ImportFileError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    for r in preview_table(rows).itertuples(index=False):
        print(f"ligne {r.Ligne}\t{r.Code}\t{r.Secteur}\t{r.Action}\t{r.Verdict}")
    wrong = sum(1 for r in rows if r.errors)
    if args.dry_run:
        print(f"vérification seule : {len(rows) - wrong} ligne(s) correcte(s), {wrong} en erreur ; rien n'a été écrit")
        return 1 if wrong else 0
    if wrong and not args.only_valid:
        print(f"{wrong} ligne(s) en erreur : rien n'a été écrit (corrigez le fichier, ou --only-valid)")
        return 1
    print(f"{written} secteur(s) créé(s) ou mis à jour" + (f", {wrong} ligne(s) ignorée(s)" if wrong else ""))
    return 0


def _summary(args, engine) -> int:
    from ihs.queries.overview import summary

    data = summary(engine, args.as_of or clock.today())
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    from ihs.formats import fr_date, fr_eur, fr_int, fr_pct

    print(f"Au {fr_date(date.fromisoformat(data['as_of']))}")
    print(f"  secteurs déployés     {data['sectors_deployed']}")
    print(f"  secteurs en cours     {data['sectors_under_way']}")
    print(f"  logements couverts    {fr_int(data['dwellings_covered'])}")
    print(f"  abonnés               {fr_int(data['subscribers'])}")
    print(f"  taux d'adhésion       {fr_pct(data['uptake'])}")
    if data["sectors_without_offer"]:
        print(f"  secteurs sans offre   {data['sectors_without_offer']} (hors taux d'adhésion et hors coût)")
    print(f"  tarif mensuel         {fr_eur(data['monthly_price_eur'])}")
    return 0


def _users(args, engine) -> int:
    from ihs.db import session_scope
    from ihs.users import SYSTEM, add_user, list_users, set_active, validate_password

    if args.users_command == "list":
        df = list_users(engine)
        print(df.to_string(index=False) if len(df) else "aucun compte")
        return 0
    if args.users_command == "disable":
        try:
            with session_scope("cli", engine=engine) as s:
                set_active(s, SYSTEM, args.username, False)
        except ValueError as exc:
            return _fail(str(exc))
        print(f"compte « {args.username} » désactivé")
        return 0
    if args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            return _fail(f"variable d'environnement {args.password_env} absente")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmez : ") != password:
            return _fail("les deux saisies diffèrent")
    problem = validate_password(password)
    if problem:
        return _fail(problem)
    try:
        with session_scope("cli", engine=engine) as s:
            add_user(
                s,
                SYSTEM,
                username=args.username,
                name=args.name,
                role=args.role,
                password=password,
                organisation=args.organisation,
                email=args.email,
            )
    except ValueError as exc:
        return _fail(str(exc))
    print(f"compte « {args.username} » créé ({args.role})")
    return 0


def _serve(args, engine) -> int:
    """What the systemd unit runs: refuse an unsafe configuration (exit 78), else become Streamlit."""
    from ihs import logs, production
    from ihs.settings import ROOT, get_settings

    logs.setup()
    found = production.problems(get_settings(), engine)
    if found:
        for problem in found:  # one line each on stdout, like every log line (journald)
            logging.getLogger("ihs.startup").error("start-up refused: %s", problem)
        print("démarrage refusé : corrigez la configuration (/etc/ihs/ihs.env) puis relancez", file=sys.stderr)
        return production.EX_CONFIG
    if args.check:
        print("configuration vérifiée : le serveur peut démarrer")
        return 0
    engine.dispose()  # the new program opens its own connections
    os.chdir(ROOT)  # .streamlit/config.toml is read from the working directory
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    command += ["--server.port", str(args.port), "--server.address", args.address]
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # not reached


def _backup(args, engine) -> int:
    from ihs.backup import backup, prune

    if args.to and args.dir:
        return _fail("--to (un fichier) ou --dir (un dossier), pas les deux")
    if args.keep_days is not None and args.keep_days < 1:
        return _fail("--keep-days : au moins 1 jour (sinon la sauvegarde de cette nuit serait effacée)")
    try:
        result = backup(engine, args.to, args.dir)
    except ValueError as exc:
        return _fail(str(exc))
    print(result)
    if args.keep_days is not None:
        for path in prune(args.to.parent if args.to else args.dir, args.keep_days):
            print(f"ancienne sauvegarde effacée : {path}")
    return 0


def _restore(args, engine) -> int:
    from ihs.backup import restore

    try:
        message = restore(engine, args.source)
    except ValueError as exc:
        return _fail(str(exc))
    print(message)  # says where the replaced database was kept, and any schema upgrade
    return 0


def _export(args, engine) -> int:
    from ihs.exports import EXPORTABLE, export_table

    if args.table not in EXPORTABLE:
        return _fail(f"table inconnue « {args.table} » ; tables : {', '.join(sorted(EXPORTABLE))}")
    data = export_table(engine, args.table, args.format)
    if args.out:
        args.out.write_bytes(data)
        print(f"{args.table} exportée vers {args.out}")
    elif args.format == "xlsx":
        return _fail("un export XLSX demande --out FICHIER")
    else:
        sys.stdout.buffer.write(data)
    return 0


def _report(args, engine) -> int:
    from ihs.report import cli_report  # the annual report (PowerPoint and PDF)

    return cli_report(args, engine)


def _bench(args, engine) -> int:
    """The national-scale benchmark: a tool of the repository (bench/), not part of the app."""
    del engine  # the bench picks its own database (--bench-url, --url, else data/bench/bench.db)
    try:
        from bench.cli import cli_bench  # the one place the app's code loads it (tests/test_project.py)
    except ModuleNotFoundError as exc:
        if exc.name not in ("bench", "bench.cli"):
            raise
        print(
            "erreur : le banc d'essai (dossier bench/) n'est pas là : lancez la commande depuis le dépôt",
            file=sys.stderr,
        )
        return 2
    return cli_bench(args)

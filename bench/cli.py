"""`python -m ihs bench`: build or reuse the bench database, then time the pages or the writes."""

from __future__ import annotations

import json
import os
import sys

from bench.base import BenchError, bench_url, prepare, url_label
from bench.pages import PAGES, REPEAT, run_page
from bench.writes import WRITE_SECONDS, run_writes

TARGETS = {"cold_s": 1.0, "warm_s": 0.2, "ratio": 1.3, "peak_rss_mb": 400, "fragment_s": 0.05, "writes_per_s": 300}

COLUMNS = [
    ("page", "page", "{}"),
    ("cold_s", "à froid (s)", "{:.3f}"),
    ("warm_s", "à chaud (s)", "{:.3f}"),
    ("floor_s", "SQL seul (s)", "{:.3f}"),
    ("empty_s", "page vide (s)", "{:.3f}"),
    ("ratio", "ratio", "{:.2f}"),
    ("peak_rss_mb", "mémoire max (Mo)", "{:.0f}"),
]


def within(row: dict) -> bool:
    """Every target of a page's row met (and no error)."""
    keys = ["cold_s", "warm_s", "ratio", "peak_rss_mb", *(["fragment_s"] if "fragment_s" in row else [])]
    return all(row.get(k) is not None and row[k] <= TARGETS[k] for k in keys) and not row.get("errors")


def print_table(rows: list[dict]) -> None:
    widths = [max(len(h), 16 if k == "page" else 8) for k, h, _ in COLUMNS]
    print("  ".join(h.ljust(w) for (_, h, _), w in zip(COLUMNS, widths, strict=True)) + "  objectif")
    for row in rows:
        cells = []
        for (key, _, fmt), w in zip(COLUMNS, widths, strict=True):
            value = row.get(key)
            cells.append((fmt.format(value) if value is not None else "–").ljust(w))
        print("  ".join(cells) + ("  ok" if within(row) else "  NON"))
        for err in row.get("errors") or []:
            print(f"    erreur : {err}")
        if "fragment_s" in row:
            ok = row["fragment_s"] <= TARGETS["fragment_s"]
            print(
                f"    fragment en direct (relance) : {row['fragment_s'] * 1000:.0f} ms à froid, "
                f"{row['fragment_warm_s'] * 1000:.0f} ms à chaud, SQL seul {row['fragment_floor_s'] * 1000:.0f} ms"
                f"  {'ok' if ok else 'NON'}"
            )
    loads = [r["load_1min"] for r in rows if "load_1min" in r]
    if loads:
        print(f"Charge de la machine pendant la mesure (moyenne sur 1 min) : {min(loads)} à {max(loads)}")
    print(
        f"Objectifs : à froid ≤ {TARGETS['cold_s']} s, à chaud ≤ {TARGETS['warm_s']} s, "
        f"ratio ≤ {TARGETS['ratio']}, mémoire ≤ {TARGETS['peak_rss_mb']} Mo, "
        f"fragment ≤ {TARGETS['fragment_s'] * 1000:.0f} ms"
    )


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _writes(args, url: str) -> int:
    try:
        result = run_writes(url, seconds=args.seconds or WRITE_SECONDS, processes=args.processes)
    except BenchError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(
            f"Écritures ({result['backend']}, {result['writers']} rédacteurs"
            + (f" en {result['processes']} processus" if result["processes"] > 1 else "")
            + f", {result['seconds']} s) : "
            f"{result['writes_per_s']} écritures/s, {result['errors']} erreurs, {result['lost']} perdues "
            f"({result['visits']} visites, {result['turnout_reports']} relevés de participation)"
        )
        for msg in result["error_samples"]:
            print(f"    erreur : {msg}")
    ok = result["writes_per_s"] >= TARGETS["writes_per_s"] and not result["errors"] and not result["lost"]
    print(f"Objectif : ≥ {TARGETS['writes_per_s']} écritures/s, 0 erreur, 0 perdue : {'ok' if ok else 'NON'}")
    return 0


def cli_bench(args) -> int:
    """Build or reuse the synthetic database, then time the pages (or the writes with `--writes`)."""
    url = bench_url(args)
    if args.processes < 1:
        print("erreur : --processes compte des processus : 1 ou plus", file=sys.stderr)
        return 2
    try:
        built_on = prepare(url, sectors=args.sectors, scale=args.scale, progress=_progress)
    except BenchError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    os.environ["IHS_TODAY"] = built_on.isoformat()  # the live ballot is live on the day it was built for
    if args.writes:
        return _writes(args, url)
    _progress(f"Mesure de {len(PAGES)} pages ({REPEAT} passages chacune), base {url_label(url)}…")
    rows = []
    for page in PAGES:
        row = run_page(page, url, built_on)
        rows.append(row)
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            _progress(f"  {page} : {row.get('cold_s', '–')} s à froid")
    if not args.json:
        print_table(rows)
    return 0

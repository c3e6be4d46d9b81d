"""Registry benchmark: the filtered project list page and /api/projects/ on 1,000 and 100,000 projects.

    .venv/bin/python bench/registry.py [--sizes 1000,100000] [--runs 5] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each size a fresh database is made (a SQLite file under bench/, or a throw-away PostgreSQL
database when --postgres is given), migrated and filled with `seed_demo --projects N`; then a
logged-in coordinator requests, in this process through django.test.Client,

    /projects/?status=construction&plan_year=<year>&plan_level=local&sort=-total_investment
    /api/projects/?status=construction&plan_year=<year>&plan_level=local&ordering=-total_investment

once to warm up and --runs times measured. The table shows the median server time and the number
of SQL queries of one request. Each size runs in its own process, since Django reads its database
settings once.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import postgres_admin

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
FILTERS = "status=construction&plan_year={year}&plan_level=local"


def measure(client: Any, url: str, runs: int) -> dict[str, Any]:
    """Median wall time in ms of `runs` requests after one warm-up, and the queries of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        first = client.get(url)
    except Exception as error:  # a broken page is a result to report, not a reason to stop
        return {"error": f"{type(error).__name__}: {error}"[:200]}
    if first.status_code != 200:
        return {"status": first.status_code}
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    result: dict[str, Any] = {
        "status": response.status_code,
        "ms": statistics.median(times),
        "queries": len(queries),
    }
    if response.get("Content-Type", "").startswith("application/json"):
        result["count"] = response.json().get("count")
    return result


def worker(size: int, runs: int) -> dict[str, Any]:
    """Set up one database (already chosen by the environment), seed it and measure both URLs."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ.setdefault("KEYPROJECTS_DEVELOPMENT", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from org.models import User

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    call_command("seed_demo", projects=size, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seeded = time.perf_counter() - began

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    query = FILTERS.format(year=timezone.localdate().year)
    try:
        page_path = reverse("projects:list")
    except NoReverseMatch:
        page_path = "/projects/"
    return {
        "size": size,
        "seed_s": seeded,
        "page": measure(client, f"{page_path}?{query}&sort=-total_investment", runs),
        "api": measure(client, f"/api/projects/?{query}&ordering=-total_investment", runs),
    }


def run_size(size: int, runs: int, postgres: str | None, keep: bool) -> dict[str, Any]:
    """One size in a child process, on a database of its own that is removed afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    database = ""
    if postgres:
        parts = urlsplit(postgres)
        database = f"keyprojects_bench_{os.getpid()}_{size}"
        postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database}")
        postgres_admin(postgres, f"CREATE DATABASE {database}")
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
        label = "PostgreSQL"
    else:
        path = BENCH_DIR / f"registry-{size}.sqlite3"
        for stale in BENCH_DIR.glob(f"registry-{size}.sqlite3*"):
            stale.unlink()
        env["SQLITE_PATH"] = str(path)
        label = "SQLite"
    try:
        child = subprocess.run(
            [sys.executable, __file__, "--worker", str(size), "--runs", str(runs)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(f"{label} {size:,}: the worker failed\n{child.stderr[-3000:]}", file=sys.stderr)
            return {"backend": label, "size": size, "failed": True}
        result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if postgres and not keep:
            postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        elif not postgres and not keep:
            for stale in BENCH_DIR.glob(f"registry-{size}.sqlite3*"):
                stale.unlink()
    result["backend"] = label
    return result


def cell(result: dict[str, Any], key: str) -> list[str]:
    measured = result[key]
    if "error" in measured:
        return ["error", "-"]
    if "ms" not in measured:
        return [f"HTTP {measured['status']}", "-"]
    return [f"{measured['ms']:.1f}", str(measured["queries"])]


def print_table(results: list[dict[str, Any]]) -> None:
    header = ["backend", "projects", "seed s", "page ms", "page queries", "api ms", "api queries", "matches"]
    rows = [
        [r["backend"], f"{r['size']:,}", "failed", "-", "-", "-", "-", "-"]
        if r.get("failed")
        else [
            r["backend"],
            f"{r['size']:,}",
            f"{r['seed_s']:.1f}",
            *cell(r, "page"),
            *cell(r, "api"),
            str(r["api"].get("count", "-")),
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print("ms: median server time of one request (in-process Django test client); queries: SQL per request.")
    for r in results:
        for key in ("page", "api"):
            if "error" in r.get(key, {}):
                print(f"{r['backend']} {r['size']:,} {key}: {r[key]['error']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated project counts")
    parser.add_argument("--runs", type=int, default=5, help="measured requests per URL")
    parser.add_argument(
        "--postgres", metavar="URL", help="also run on PostgreSQL (server URL; a database is created)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases for inspection")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.runs)))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    backends = [None, args.postgres] if args.postgres else [None]
    results = []
    for postgres in backends:
        for size in sizes:
            print(
                f"{'PostgreSQL' if postgres else 'SQLite'}: {size:,} projects …", file=sys.stderr, flush=True
            )
            results.append(run_size(size, args.runs, postgres, args.keep))
    print_table(results)


if __name__ == "__main__":
    main()

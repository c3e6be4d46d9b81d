"""Rollup benchmark: refresh_projects() for the projects of a monthly import.

    .venv/bin/python bench/rollup.py [--projects 20000] [--months 3] [--runs 5]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres | --no-postgres]

For each backend a fresh database (a SQLite file under bench/, a throw-away PostgreSQL database)
is migrated and filled straight into the tables: --projects projects, each with --months accepted
monthly reports of the year (the first an opening figure, as the first import of a year writes
it) and its rollup built. Then, --runs times, one new month of reports is written for every project
and progress.rollup.refresh_projects() is called with all their ids and the year at once, as the
official-table import does (months --months + 1, + 2, …); then once more with nothing new. Medians in
milliseconds, with the month and year rows the projects have at the end.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import postgres_admin

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
YEAR = 2026


def seed(projects: int) -> list[int]:
    """Projects under one department, in batches."""
    from catalog.models import Category
    from org.choices import UnitKind
    from org.models import Unit
    from projects.models import Project

    government = Unit.objects.create(name="基准区人民政府", kind=UnitKind.GOVERNMENT)
    unit = Unit.objects.create(name="基准区住建局", kind=UnitKind.DEPARTMENT, parent=government)
    category = Category.objects.order_by("pk").first()
    Project.objects.bulk_create(
        [
            Project(
                name=f"基准项目{i + 1:06d}",
                category=category,
                total_investment=Decimal(10_000 + i % 5000),
                responsible_unit=unit,
                status="construction",
            )
            for i in range(projects)
        ],
        batch_size=5000,
    )
    return list(Project.objects.order_by("pk").values_list("pk", flat=True))


def add_month(ids: list[int], month: int, opening: bool) -> None:
    """An accepted report of `month` for every project: 100.25 万元 a month on an opening 1,000."""
    from exchange.bulk import insert
    from progress.models import Report, period_seq
    from progress.periods import Period

    deadline = Period(YEAR, month).deadline
    amount = Decimal("100.25")
    ytd = 1000 + amount * month
    insert(
        Report,
        (
            {
                "project_id": pk,
                "year": YEAR,
                "month": month,
                "seq": period_seq(YEAR, month),
                "amount": amount,
                "year_to_date": ytd,
                "cumulative": ytd + 5000,
                "is_opening": opening,
                "state": "accepted",
                "deadline": deadline,
            }
            for pk in ids
        ),
    )


def worker(projects: int, months: int, runs: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ.setdefault("KEYPROJECTS_DEVELOPMENT", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from catalog.defaults import load_defaults
    from progress.models import MonthlyProgress, YearProgress
    from progress.rollup import refresh_projects

    call_command("migrate", verbosity=0)
    load_defaults()
    began = time.perf_counter()
    with transaction.atomic():
        ids = seed(projects)
        for month in range(1, months + 1):
            add_month(ids, month, opening=month == 1)
    first = time.perf_counter()
    refresh_projects(ids)
    history_s = time.perf_counter() - first
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seed_s = time.perf_counter() - began
    new_month = []
    for month in range(months + 1, months + runs + 1):
        add_month(ids, month, opening=False)
        began = time.perf_counter()
        written = refresh_projects(ids, years=[YEAR])
        new_month.append((time.perf_counter() - began) * 1000)
    began = time.perf_counter()
    refresh_projects(ids, years=[YEAR])
    again_ms = (time.perf_counter() - began) * 1000
    return {
        "backend": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
        "projects": projects,
        "months": months + runs,
        "seed_s": seed_s,
        "history_s": history_s,
        "new_month_ms": statistics.median(new_month),
        "again_ms": again_ms,
        "monthly_rows": written,
        "year_rows": YearProgress.objects.count(),
        "monthly_total": MonthlyProgress.objects.count(),
    }


def run_backend(args: argparse.Namespace, postgres: str | None) -> dict[str, Any] | None:
    """One backend in a child process, on a database of its own that is removed afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    database = f"keyprojects_bench_rollup_{os.getpid()}"
    if postgres:
        try:
            postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database}")
            postgres_admin(postgres, f"CREATE DATABASE {database}")
        except Exception as error:
            print(f"PostgreSQL at {postgres} is not reachable ({type(error).__name__}: {error}); skipped.")
            return None
        env["DATABASE_URL"] = urlunsplit(urlsplit(postgres)._replace(path=f"/{database}"))
    else:
        for stale in BENCH_DIR.glob("rollup.sqlite3*"):
            stale.unlink()
        env["SQLITE_PATH"] = str(BENCH_DIR / "rollup.sqlite3")
    command = [sys.executable, __file__, "--worker", "--projects", str(args.projects)]
    command += ["--months", str(args.months), "--runs", str(args.runs)]
    try:
        child = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
        if child.returncode != 0:
            print(f"the worker failed (exit {child.returncode})", file=sys.stderr)
            return None
        return json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if postgres:
            postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        else:
            for stale in BENCH_DIR.glob("rollup.sqlite3*"):
                stale.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=20_000, help="projects (default 20,000)")
    parser.add_argument("--months", type=int, default=3, help="months already reported (default 3)")
    parser.add_argument("--runs", type=int, default=5, help="new months, one refresh each (default 5)")
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.months + args.runs > 12:
        parser.error("--months + --runs must stay within the year (12)")
    if args.worker:
        print(json.dumps(worker(args.projects, args.months, args.runs)))
        return
    backends = ([] if args.no_sqlite else [None]) + ([] if args.no_postgres else [args.postgres])
    for result in (run_backend(args, postgres) for postgres in backends):
        if not result:
            continue
        print(
            f"{result['backend']}: {result['projects']:,} projects, months {args.months + 1}–"
            f"{result['months']} new one at a time; refresh_projects after each: median "
            f"{result['new_month_ms']:.0f} ms; with nothing new {result['again_ms']:.0f} ms; "
            f"first build ({args.months} months) {result['history_s']:.1f} s "
            f"(at the end {result['monthly_rows']:,} month rows, {result['year_rows']:,} year rows)"
        )


if __name__ == "__main__":
    main()

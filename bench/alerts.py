"""Warning scan benchmark: a full scan of every rule over 10,000 and 100,000 projects, with its queries.

    .venv/bin/python bench/alerts.py [--sizes 10000,100000] [--keep]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each size a fresh SQLite file under bench/ (or, with --postgres, a fresh database on that
server, dropped afterwards) is migrated and filled directly with bulk_create
(no seed_demo): units and people, projects in every state with planned and actual dates, a local
plan in force for 60% of them, three months of monthly progress, reports for the last periods,
procedures under way. Then, as of 10 April 2026, three scans run in this process:

    first   every warning is new: the rules read, the warnings, events and notifications are written
    again   the same day again: nothing changes (idempotent), the steady daily case
    next    the next day: a few warnings escalate or close

Each line gives the wall time and the SQL statements, split into reads (SELECT) and writes.
The reads are what must not grow with the projects; the writes are bulk statements whose number
follows the number of changes (SQLite takes at most 999 parameters per INSERT in Django).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import postgres_admin

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
TODAY = date(2026, 4, 10)


def seed(size: int) -> dict[str, int]:
    """Bulk-create `size` projects with everything the six built-in rules read."""
    from catalog.defaults import load_defaults
    from catalog.models import Category, ProcedureType
    from org.choices import Role, UnitKind
    from org.models import Unit, User
    from plans.counting import recount
    from plans.models import Plan, PlanEntry
    from progress.models import MonthlyProgress, Report, YearProgress
    from progress.periods import Period
    from projects.models import Procedure, Project

    rng = random.Random(1)
    load_defaults()
    government = Unit.objects.create(name="示范区人民政府", kind=UnitKind.GOVERNMENT)
    responsible = [
        Unit.objects.create(name=f"责任单位{i:02d}", kind=UnitKind.DEPARTMENT, parent=government)
        for i in range(20)
    ]
    owners = [
        Unit.objects.create(name=f"项目单位{i:03d}", kind=UnitKind.OWNER, parent=responsible[i % 20])
        for i in range(200)
    ]
    User.objects.bulk_create(
        [
            User(username=f"owner{i:03d}", role=Role.OWNER, unit=u, phone="13800000000")
            for i, u in enumerate(owners)
        ]
        + [
            User(username=f"unit{i:02d}", role=Role.UNIT, unit=u, phone="13900000000")
            for i, u in enumerate(responsible)
        ]
    )
    categories = list(Category.objects.all())
    projects = []
    for i in range(size):
        status = rng.choices(["preliminary", "construction", "completed", "suspended"], [30, 55, 10, 5])[0]
        started = status in ("construction", "completed") or (status == "suspended" and rng.random() < 0.5)
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 460)) if started else None
        projects.append(
            Project(
                name=f"项目{i:06d}",
                category=categories[i % len(categories)],
                total_investment=Decimal(rng.randrange(100, 200_000)),
                responsible_unit=responsible[i % 20],
                owner_unit=owners[i % 200],
                status=status,
                planned_start_date=date(2025, 6, 1) + timedelta(days=rng.randrange(0, 360)),
                planned_completion_date=date(2026, 1, 1) + timedelta(days=rng.randrange(0, 700)),
                actual_start_date=start,
                actual_completion_date=date(2026, 2, 1) if status == "completed" else None,
                in_statistics=rng.random() < 0.8,
            )
        )
    Project.objects.bulk_create(projects, batch_size=5000)
    ids = list(Project.objects.order_by("pk").values_list("pk", "status"))
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    listed = [(pk, status) for pk, status in ids if rng.random() < 0.6]
    PlanEntry.objects.bulk_create(
        [
            PlanEntry(
                plan=plan,
                project_id=pk,
                plan_type="continuing" if status == "construction" else "new_start",
                annual_investment=Decimal(rng.randrange(500, 50_000)),
                planned_start_month=rng.randrange(1, 13) if status == "preliminary" else None,
            )
            for pk, status in listed
        ],
        batch_size=5000,
    )
    recount(2026)
    building = [pk for pk, status in listed if status == "construction"]
    monthly = [
        MonthlyProgress(
            project_id=pk,
            year=2026,
            month=m,
            amount=Decimal(a),
            ytd_increment=Decimal(a),
            year_to_date=0,
            cumulative=0,
        )
        for pk in building
        for m in (1, 2, 3)
        for a in [rng.randrange(0, 4000)]
    ]
    MonthlyProgress.objects.bulk_create(monthly, batch_size=5000)
    # The year rows the rollup keeps with the monthly ones: the increments added up month by month.
    added: dict[int, list[Decimal]] = {}
    for row in monthly:
        added.setdefault(row.project_id, []).append(row.ytd_increment)
    YearProgress.objects.bulk_create(
        [
            YearProgress(
                project_id=pk,
                year=2026,
                **{YearProgress.column(m): sum(months[:m], Decimal(0)) for m in range(1, 13)},
            )
            for pk, months in added.items()
        ],
        batch_size=5000,
    )
    reports = []
    for pk in building:
        for month in (2, 3):
            if rng.random() < 0.85:
                period = Period(2026, month)
                late = rng.random() < 0.1
                submitted = datetime.combine(
                    period.deadline + timedelta(days=3 if late else -2), datetime.min.time()
                )
                reports.append(
                    Report(
                        project_id=pk,
                        year=2026,
                        month=month,
                        seq=(2026 * 12 + month) * 10 + 1,
                        amount=Decimal(100),
                        deadline=period.deadline,
                        state="accepted",
                        first_submitted_at=submitted.replace(tzinfo=datetime.now().astimezone().tzinfo),
                    )
                )
    Report.objects.bulk_create(reports, batch_size=5000)
    types = list(ProcedureType.objects.values_list("pk", flat=True))
    procedures = [
        Procedure(
            project_id=pk,
            type_id=types[i % len(types)],
            status="in_progress",
            submitted_on=TODAY - timedelta(days=rng.randrange(1, 90)),
        )
        for i, (pk, status) in enumerate(ids)
        if status == "preliminary" and rng.random() < 0.5
    ]
    Procedure.objects.bulk_create(procedures, batch_size=5000)
    return {
        "projects": size,
        "plan_entries": len(listed),
        "monthly_rows": len(monthly),
        "reports": len(reports),
        "procedures": len(procedures),
    }


def measured_scan(today: date) -> dict[str, Any]:
    """One scan, timed, with its statements counted by a wrapper (the debug cursor's SQL formatting
    would cost more than the scan)."""
    from django.db import connection

    from alerts.scan import run_scan

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql.lstrip().split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(count):
        result = run_scan(today)
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "queries": len(statements),
        "reads": sum(1 for s in statements if s == "SELECT"),
        "writes": sum(1 for s in statements if s in ("INSERT", "UPDATE", "DELETE")),
        "opened": result.opened,
        "escalated": result.escalated,
        "closed": result.closed,
        "notified": result.notified,
        "errors": result.errors,
    }


def worker(size: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ.setdefault("KEYPROJECTS_DEVELOPMENT", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from alerts.models import Alert

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    counts = seed(size)
    seeded = time.perf_counter() - began
    result: dict[str, Any] = {"size": size, "seed_s": seeded, "rows": counts}
    result["first"] = measured_scan(TODAY)
    result["again"] = measured_scan(TODAY)
    result["next"] = measured_scan(TODAY + timedelta(days=1))
    result["open_alerts"] = Alert.objects.open().count()
    return result


def run_size(size: int, keep: bool, postgres: str | None = None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    path = BENCH_DIR / f"alerts-{size}.sqlite3"
    for stale in BENCH_DIR.glob(f"alerts-{size}.sqlite3*"):
        stale.unlink()
    env["SQLITE_PATH"] = str(path)
    database = f"keyprojects_bench_alerts_{size}"
    if postgres:
        postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        postgres_admin(postgres, f"CREATE DATABASE {database}")
        env["DATABASE_URL"] = urlunsplit(urlsplit(postgres)._replace(path=f"/{database}"))
    # The notification rules are measured too; outside deliveries are only written, not sent.
    env.setdefault("NOTIFY_DEFAULT_QUIET_HOURS", "")
    try:
        child = subprocess.run(
            [sys.executable, __file__, "--worker", str(size)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(f"{size:,}: the worker failed\n{child.stderr[-3000:]}", file=sys.stderr)
            return {"size": size, "failed": True}
        return json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if postgres and not keep:
            postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if not keep:
            for stale in BENCH_DIR.glob(f"alerts-{size}.sqlite3*"):
                stale.unlink()


def print_table(results: list[dict[str, Any]]) -> None:
    header = [
        "projects",
        "scan",
        "seconds",
        "queries",
        "reads",
        "writes",
        "opened",
        "escalated",
        "closed",
        "notified",
    ]
    rows = []
    for r in results:
        if r.get("failed"):
            rows.append([f"{r['size']:,}", "failed", *["-"] * 8])
            continue
        for phase in ("first", "again", "next"):
            m = r[phase]
            rows.append(
                [
                    f"{r['size']:,}",
                    phase,
                    f"{m['seconds']:.1f}",
                    str(m["queries"]),
                    str(m["reads"]),
                    str(m["writes"]),
                    f"{m['opened']:,}",
                    f"{m['escalated']:,}",
                    f"{m['closed']:,}",
                    f"{m['notified']:,}",
                ]
            )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    for r in results:
        if not r.get("failed"):
            print(
                f"{r['size']:,} projects: seeded in {r['seed_s']:.1f} s ({r['rows']}); "
                f"{r['open_alerts']:,} warnings open after the scans."
            )
            for phase in ("first", "again", "next"):
                if r[phase]["errors"]:
                    print(f"  {phase}: rule errors {r[phase]['errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated project counts")
    parser.add_argument("--keep", action="store_true", help="keep the databases for inspection")
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server to measure on instead of SQLite"
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker), default=str))
        return
    results = []
    for size in [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]:
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{backend}: {size:,} projects …", file=sys.stderr, flush=True)
        results.append(run_size(size, args.keep, args.postgres))
    print_table(results)


if __name__ == "__main__":
    main()
